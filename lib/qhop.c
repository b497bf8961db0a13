/* SPDX-License-Identifier: ISC */
/*
 * qhop.c: the next hops a queue run found down (see qhop.h).  Depends
 * on status.  A run finds few hops down (QHOP_MAX at most), so the
 * table is searched in order, with no hashing; an entry whose hold time
 * has passed stays, to be taken down again in place.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "status.h"
#include "qhop.h"

void
qhop_init(struct qhop *h, int64_t hold_ms)
{
	memset(h, 0, sizeof(*h));
	h->hold = hold_ms;
}

void
qhop_free(struct qhop *h)
{
	free(h->down);
	qhop_init(h, h->hold);
}

int
qhop_site_failure(const struct carrier_error *err)
{
	if (err->status != CARRIER_TEMP)
		return 0;
	switch (err->phase) {
	case PHASE_RESOLVE:
	case PHASE_CONNECT:
	case PHASE_GREETING:
	case PHASE_EHLO:
	case PHASE_HELO:
	case PHASE_STARTTLS:
	case PHASE_TLS:
	case PHASE_AUTH:
		return 1;
	default:
		return 0;
	}
}

/* Hop key's entry, down or not any more; NULL when there is none. */
static struct qhop_down *
entry(const struct qhop *h, const char *key)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcasecmp(h->down[i].key, key) == 0)
			return &h->down[i];
	return NULL;
}

const struct carrier_error *
qhop_find(const struct qhop *h, const char *key, int64_t now)
{
	const struct qhop_down *d = entry(h, key);

	return d != NULL && now - d->since < h->hold ? &d->why : NULL;
}

int
qhop_add(struct qhop *h, const char *key, const struct carrier_error *why,
    int64_t now)
{
	struct qhop_down *d, *nd;
	size_t cap;

	if (strlen(key) >= QHOP_KEY_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((d = entry(h, key)) != NULL) {
		if (now - d->since >= h->hold) {	/* down again */
			d->why = *why;
			d->since = now;
		}
		return 0;
	}
	if (h->n == QHOP_MAX) {
		errno = ENOSPC;
		return -1;
	}
	if (h->n == h->cap) {
		cap = h->cap == 0 ? 4 : h->cap * 2;
		if (cap > QHOP_MAX)
			cap = QHOP_MAX;
		if ((nd = reallocarray(h->down, cap, sizeof(*nd))) == NULL)
			return -1;
		h->down = nd;
		h->cap = cap;
	}
	d = &h->down[h->n++];
	(void)strlcpy(d->key, key, sizeof(d->key));
	d->why = *why;
	d->since = now;
	return 0;
}

void
qhop_suspended(const struct carrier_error *why, struct carrier_error *out)
{
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];

	(void)status_format(why, line, sizeof(line));
	status_clear(out);
	(void)status_set(out, CARRIER_TEMP, why->phase, QHOP_SUSPENDED "%s",
	    line);
	(void)strlcpy(out->enhanced, why->enhanced, sizeof(out->enhanced));
}
