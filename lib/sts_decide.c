/* SPDX-License-Identifier: ISC */
/*
 * sts_decide.c: the rules of MTA-STS policy discovery (see
 * sts_decide.h).  Depends on sts (the TXT record's syntax) and dnsmsg
 * (what a host name is).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "dnsmsg.h"
#include "sts.h"
#include "sts_decide.h"

#define STS_VERSION	"v=STSv1"

static enum sts_action	decided(enum sts_action, char *, size_t,
			    const char *, ...)
			    __attribute__((format(printf, 4, 5)));
static int	recent(const struct sts_cached *, const char *, time_t);

int
sts_decide_domain(const char *domain, char *name, size_t size)
{
	size_t len = strlen(domain), i;

	if (size > 0)
		name[0] = '\0';
	if (len > 0 && domain[len - 1] == '.')
		len--;
	/* one dot only: dnsmsg_name_ok would let a second one stay */
	if (len == 0 || len >= size || len >= STS_DOMAIN_MAX ||
	    domain[len - 1] == '.')
		return -1;
	for (i = 0; i < len; i++)
		name[i] = domain[i] >= 'A' && domain[i] <= 'Z' ?
		    (char)(domain[i] - 'A' + 'a') : domain[i];
	name[len] = '\0';
	if (!dnsmsg_name_ok(name)) {
		name[0] = '\0';
		return -1;
	}
	return 0;
}

int
sts_decide_txt(const char *const *records, const size_t *lens, size_t n,
    char *id, size_t idsize, char *why, size_t whylen)
{
	size_t i, vlen = strlen(STS_VERSION), found = 0, which = 0;

	if (idsize > 0)
		id[0] = '\0';
	for (i = 0; i < n; i++)
		if (lens[i] >= vlen && memcmp(records[i], STS_VERSION,
		    vlen) == 0) {
			found++;
			which = i;
		}
	if (found != 1) {
		if (whylen > 0 && found == 0)
			(void)strlcpy(why, "no STSv1 record", whylen);
		else if (whylen > 0)
			(void)snprintf(why, whylen, "%zu STSv1 records",
			    found);
		return -1;
	}
	return sts_parse_txt(records[which], lens[which], id, idsize, why,
	    whylen);
}

/* Returns action, with the reason formatted into why. */
static enum sts_action
decided(enum sts_action action, char *why, size_t whylen, const char *fmt,
    ...)
{
	va_list ap;

	if (whylen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return action;
}

/* Whether a fetch for id failed less than STS_RETRY_AFTER s ago. */
static int
recent(const struct sts_cached *e, const char *id, time_t now)
{
	return e != NULL && e->failed != 0 && e->failed <= now &&
	    now - e->failed < STS_RETRY_AFTER &&
	    strcmp(e->failed_id, id) == 0;
}

enum sts_action
sts_decide(const struct sts_cached *e, const char *txt_id, time_t now,
    char *why, size_t whylen)
{
	int fresh = e != NULL && e->state == STS_CACHE_FRESH;

	if (txt_id == NULL) {
		if (fresh)
			return decided(STS_ACT_CACHE, why, whylen, "no usable "
			    "TXT record: the cached policy (id %s) applies",
			    e->id);
		return decided(STS_ACT_NONE, why, whylen, "no usable TXT "
		    "record and no cached policy");
	}
	if (!fresh) {
		if (recent(e, txt_id, now))
			return decided(STS_ACT_NONE, why, whylen, "id %s: its "
			    "fetch failed %lld s ago", txt_id,
			    (long long)(now - e->failed));
		return decided(STS_ACT_FETCH, why, whylen, "id %s: %s",
		    txt_id, e != NULL && e->state == STS_CACHE_EXPIRED ?
		    "the cached policy has expired" : "no cached policy");
	}
	if (strcmp(e->id, txt_id) != 0) {
		if (recent(e, txt_id, now))
			return decided(STS_ACT_CACHE, why, whylen, "id %s: its "
			    "fetch failed %lld s ago, the cached policy "
			    "(id %s) applies", txt_id,
			    (long long)(now - e->failed), e->id);
		return decided(STS_ACT_REFRESH, why, whylen, "id %s: a new "
		    "policy (cached: id %s)", txt_id, e->id);
	}
	if (e->fetched <= now && now - e->fetched < STS_REFRESH_AGE)
		return decided(STS_ACT_CACHE, why, whylen, "id %s: the cached "
		    "policy applies (fetched %lld s ago)", txt_id,
		    (long long)(now - e->fetched));
	if (recent(e, txt_id, now))
		return decided(STS_ACT_CACHE, why, whylen, "id %s: the cached "
		    "policy applies (a refresh failed %lld s ago)", txt_id,
		    (long long)(now - e->failed));
	return decided(STS_ACT_REFRESH, why, whylen, "id %s: the cached "
	    "policy is refreshed (fetched %lld s ago)", txt_id,
	    (long long)(now - e->fetched));
}

#define STS_TXT_KEEP	4	/* STSv1 records kept of one answer */

/* What sts_txt_answer keeps of the TXT records it is given. */
struct sts_txt {
	size_t	n;		/* STSv1 records kept */
	char	text[STS_TXT_KEEP][STS_TXT_MAX];
	size_t	len[STS_TXT_KEEP];
	int	toolong;	/* one of them over STS_TXT_MAX */
};

/* One TXT record: its character-strings joined, kept if it is STSv1. */
static void
sts_txt_one(void *arg, const unsigned char *rdata, size_t rdlen)
{
	struct sts_txt *k = arg;
	char buf[STS_TXT_MAX];
	size_t off = 0, len = 0, n;

	while (off < rdlen) {
		n = rdata[off++];
		if (n > rdlen - off)
			n = rdlen - off;	/* cut short: what is there */
		if (len + n > sizeof(buf)) {
			if (len >= 7 && memcmp(buf, "v=STSv1", 7) == 0)
				k->toolong = 1;
			return;
		}
		memcpy(buf + len, rdata + off, n);
		len += n;
		off += n;
	}
	if (len < 7 || memcmp(buf, "v=STSv1", 7) != 0 ||
	    k->n == STS_TXT_KEEP)
		return;
	memcpy(k->text[k->n], buf, len);
	k->len[k->n++] = len;
}

enum dnsmsg_result
sts_txt_answer(const unsigned char *pkt, size_t len, const char *qname,
    int *found, char *id, size_t idsize, char *why, size_t whylen)
{
	static struct sts_txt k;
	const char *recs[STS_TXT_KEEP];
	enum dnsmsg_result res;
	size_t i;

	*found = 0;
	if (idsize > 0)
		id[0] = '\0';
	memset(&k, 0, sizeof(k));
	res = dnsmsg_each(pkt, len, qname, STS_TXT_TYPE, sts_txt_one, &k, why,
	    whylen);
	if (res != DNSMSG_OK)
		return res;
	for (i = 0; i < k.n; i++)
		recs[i] = k.text[i];
	if (k.toolong)
		(void)snprintf(why, whylen, "an STSv1 record over %d octets",
		    STS_TXT_MAX);
	else if (sts_decide_txt(recs, k.len, k.n, id, idsize, why,
	    whylen) == 0)
		*found = 1;
	return DNSMSG_OK;
}
