/* SPDX-License-Identifier: ISC */
/*
 * sts_discover.c: MTA-STS policy discovery for one domain (see
 * sts_discover.h): the cache read, sts_decide's answer followed, the
 * fetch, and what it gave written back.  Depends on sts_cache,
 * sts_decide, sts_fetch, text, status and priv (the spool's group, held
 * for the cache's files and never for the fetch).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "priv.h"
#include "status.h"
#include "text.h"
#include "sts.h"
#include "sts_decide.h"
#include "sts_cache.h"
#include "sts_fetch.h"
#include "sts_discover.h"

static const char *const mode_names[] = { "?", "enforce", "testing",
	"none" };

/* One discovery: the cache, if it could be read, and the note. */
struct discovery {
	const struct sts_discover_opts *o;
	const char		*txt_id;
	char			 domain[STS_DOMAIN_MAX];
	struct sts_cache	 cache;		/* dirfd -1: none */
	struct sts_cached	 e;
	int			 have;		/* e was read */
	char			*note;
	size_t			 notelen, len;
};

static void	cache_read(struct discovery *);
static int	cache_put(struct discovery *, const char *, size_t);
static int	cache_failed(struct discovery *);
static enum sts_source	fetch(struct discovery *, enum sts_action,
		    struct sts_policy *, struct carrier_error *);

/*
 * The domain's entry into d->e.  A cache that does not work leaves
 * d->have -errno, for the note.
 */
static void
cache_read(struct discovery *d)
{
	d->cache.dirfd = -1;
	if (d->o->spool == NULL)
		return;
	(void)priv_raise();	/* the spool's group: for the cache only */
	if (sts_cache_open(&d->cache, d->o->spool) == 0 &&
	    sts_cache_get(&d->cache, d->domain, d->o->now, &d->e) != -1)
		d->have = 1;
	else
		d->have = errno != 0 ? -errno : -EIO;
	priv_lower();
}

/* sts_cache_put() with the spool's group held. */
static int
cache_put(struct discovery *d, const char *text, size_t len)
{
	int rc, e;

	(void)priv_raise();
	rc = sts_cache_put(&d->cache, d->domain, d->txt_id, d->o->now, text,
	    len);
	e = errno;
	priv_lower();
	errno = e;
	return rc;
}

/* sts_cache_failed() with the spool's group held. */
static int
cache_failed(struct discovery *d)
{
	int rc, e;

	(void)priv_raise();
	rc = sts_cache_failed(&d->cache, d->domain, d->txt_id, d->o->now);
	e = errno;
	priv_lower();
	errno = e;
	return rc;
}

/* STS_ACT_FETCH or STS_ACT_REFRESH: the fetch, and what it gives. */
static enum sts_source
fetch(struct discovery *d, enum sts_action act, struct sts_policy *p,
    struct carrier_error *err)
{
	enum carrier_status (*fn)(const char *, const struct sts_fetch_opts *,
	    struct sts_policy *, char *, size_t, size_t *,
	    struct carrier_error *) = d->o->fetch_fn != NULL ?
	    d->o->fetch_fn : sts_fetch;
	struct sts_policy got;
	enum sts_source src = STS_SOURCE_NONE;
	char *text;
	size_t len = 0;

	if ((text = malloc(STS_POLICY_MAX)) == NULL)
		status_set(err, CARRIER_TEMP, PHASE_LOCAL, "MTA-STS policy of "
		    "%s: %s", d->domain, strerror(errno));
	else if (fn(d->domain, &d->o->fetch, &got, text, STS_POLICY_MAX,
	    &len, err) == CARRIER_OK) {
		*p = got;
		src = STS_SOURCE_FETCHED;
		text_append(d->note, d->notelen, &d->len, "; fetched: mode %s, "
		    "max_age %lu", mode_names[got.mode >= STS_ENFORCE &&
		    got.mode <= STS_NONE ? got.mode : 0], got.max_age);
		if (d->cache.dirfd != -1 && cache_put(d, text, len) == -1)
			text_append(d->note, d->notelen, &d->len, "; not "
			    "cached: %s", strerror(errno));
	}
	free(text);
	if (src == STS_SOURCE_FETCHED)
		return src;
	if (d->cache.dirfd != -1 && cache_failed(d) == -1)
		text_append(d->note, d->notelen, &d->len, "; failure not "
		    "recorded: %s", strerror(errno));
	if (act == STS_ACT_REFRESH) {
		*p = d->e.policy;
		text_append(d->note, d->notelen, &d->len, "; not fetched: the "
		    "cached policy (id %s) applies", d->e.id);
		return STS_SOURCE_FALLBACK;
	}
	text_append(d->note, d->notelen, &d->len, "; not fetched: no policy "
	    "applies");
	return STS_SOURCE_NONE;
}

enum sts_source
sts_discover(const char *domain, const char *txt_id,
    const struct sts_discover_opts *o, struct sts_policy *p, char *note,
    size_t notelen, struct carrier_error *err)
{
	struct discovery *d;
	enum sts_action act;
	enum sts_source src = STS_SOURCE_NONE;
	char why[160];
	size_t len = 0;

	status_clear(err);
	if (notelen > 0)
		note[0] = '\0';
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		text_append(note, notelen, &len, "MTA-STS policy of %s: %s",
		    domain, strerror(errno));
		return STS_SOURCE_NONE;
	}
	d->o = o;
	d->txt_id = txt_id;
	d->note = note;
	d->notelen = notelen;
	if (sts_decide_domain(domain, d->domain, sizeof(d->domain)) == -1) {
		text_append(note, notelen, &d->len, "MTA-STS policy of %s: not "
		    "a domain name", domain);
		free(d);
		return STS_SOURCE_NONE;
	}
	cache_read(d);
	act = sts_decide(d->have == 1 ? &d->e : NULL, txt_id, o->now, why,
	    sizeof(why));
	text_append(note, notelen, &d->len, "MTA-STS policy of %s: %s",
	    d->domain, why);
	if (d->have < 0)
		text_append(note, notelen, &d->len, " (no cache: %s)",
		    strerror(-d->have));
	switch (act) {
	case STS_ACT_NONE:
		break;
	case STS_ACT_CACHE:
		*p = d->e.policy;
		src = STS_SOURCE_CACHE;
		break;
	case STS_ACT_FETCH:
	case STS_ACT_REFRESH:
		src = fetch(d, act, p, err);
		break;
	}
	sts_cache_close(&d->cache);
	free(d);
	return src;
}
