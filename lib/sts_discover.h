/* SPDX-License-Identifier: ISC */
/*
 * sts_discover.h: MTA-STS policy discovery for one policy domain (RFC
 * 8461 3 and 5.1): the cache (sts_cache.h), the rules (sts_decide.h)
 * and the fetch (sts_fetch.h) put together.  The "_mta-sts" TXT lookup
 * is the caller's; it gives the id that sts_decide_txt found in the
 * answer, or NULL.
 */
#ifndef CARRIER_STS_DISCOVER_H
#define CARRIER_STS_DISCOVER_H

#include <stddef.h>
#include <time.h>

#include "status.h"
#include "sts.h"
#include "sts_fetch.h"

/* Where the policy that applies came from. */
enum sts_source {
	STS_SOURCE_NONE = 0,	/* none applies: deliver as without
				   MTA-STS (RFC 8461 3.3) */
	STS_SOURCE_CACHE,	/* the cached policy; nothing fetched */
	STS_SOURCE_FETCHED,	/* fetched now, and cached */
	STS_SOURCE_FALLBACK	/* a fetch failed; the cached policy,
				   not expired, applies (3.3) */
};

struct sts_discover_opts {
	const char		*spool;	/* the cache in SPOOL/sts; NULL: no
					   cache (every discovery fetches) */
	time_t			 now;	/* time(NULL): the cache's clock */
	struct sts_fetch_opts	 fetch;	/* how to fetch, its deadline */
	/* the fetch: NULL for sts_fetch; another for tests */
	enum carrier_status	(*fetch_fn)(const char *,
				    const struct sts_fetch_opts *,
				    struct sts_policy *, char *, size_t,
				    size_t *, struct carrier_error *);
};

/*
 * The MTA-STS policy that applies to mail for domain (the policy
 * domain: the recipient domain, or a relay's, RFC 8461 4), given the id
 * of its "_mta-sts" TXT record (txt_id; NULL when the lookup found no
 * usable record or failed: 3.1 says to skip discovery then, but a
 * cached policy still applies).
 *
 * The domain's cache entry (sts_cache_get) and txt_id go to sts_decide,
 * whose answer is followed (its header gives the rules, RFC 8461 3.1,
 * 3.3, 5.1 and 10.2):
 *   STS_ACT_NONE: STS_SOURCE_NONE;
 *   STS_ACT_CACHE: the cached policy into p, STS_SOURCE_CACHE;
 *   STS_ACT_FETCH, STS_ACT_REFRESH: the policy is fetched (o->fetch,
 *	under its deadline).  Fetched: it is cached under txt_id at
 *	o->now (expiring after its max_age, at most a year) and goes
 *	into p, STS_SOURCE_FETCHED.  Not fetched: the failure is recorded
 *	in the cache (sts_cache_failed: no new attempt for that id for
 *	STS_RETRY_AFTER seconds) and err says why (sts_fetch's texts);
 *	for STS_ACT_REFRESH the cached policy, not expired, goes into p,
 *	STS_SOURCE_FALLBACK ("a fetch failure with a cached policy keeps
 *	the cache"), for STS_ACT_FETCH STS_SOURCE_NONE (3.3: deliver "as
 *	though the domain has not implemented MTA-STS").
 *
 * A policy of mode none is returned like any other: the caller treats
 * it as no policy.  p is set unless STS_SOURCE_NONE.  err is cleared
 * unless a fetch failed (CARRIER_TEMP then, whatever the source).  The
 * cache is best effort: one that cannot be opened, read or written
 * (the spool's group not held, a full disk) costs a fetch, never the
 * policy.  note (notelen octets; none when 0) gets one line for the
 * transcript: "MTA-STS policy of DOMAIN: " and sts_decide's reason,
 * then what came of it ("; fetched: mode enforce, max_age 604800",
 * "; not fetched: the cached policy (id X) applies", "; not fetched:
 * no policy applies", "; not cached: <errno's text>").
 * A domain that is not a host name: STS_SOURCE_NONE.
 */
enum sts_source sts_discover(const char *domain, const char *txt_id,
	    const struct sts_discover_opts *o, struct sts_policy *p,
	    char *note, size_t notelen, struct carrier_error *err);

#endif
