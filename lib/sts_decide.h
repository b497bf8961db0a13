/* SPDX-License-Identifier: ISC */
/*
 * sts_decide.h: the rules of MTA-STS policy discovery (RFC 8461 3.1,
 * 3.3, 5.1), pure, no I/O: the policy domain's canonical name, which
 * "_mta-sts" TXT record counts, and, from what the cache holds and the
 * TXT record's id, whether a cached policy applies, a fetch is due, or
 * no policy applies.  sts_discover.h does the I/O around them.
 */
#ifndef CARRIER_STS_DECIDE_H
#define CARRIER_STS_DECIDE_H

#include <stddef.h>
#include <time.h>

#include "dnsmsg.h"
#include "sts.h"

#define STS_DOMAIN_MAX	254	/* a domain, no trailing dot, NUL */
#define STS_REFRESH_AGE	86400	/* a policy this old is fetched again */
#define STS_RETRY_AFTER	300	/* no fetch this soon after one failed */

/* What the cache holds for a domain (sts_cache_get). */
enum sts_cache_state {
	STS_CACHE_NONE = 0,	/* no policy: no entry, an unreadable one,
				   or only the record of a failed fetch */
	STS_CACHE_FRESH,	/* a policy within its max_age */
	STS_CACHE_EXPIRED	/* a policy past it: never applied */
};

/* A domain's cache entry. */
struct sts_cached {
	int		 state;		/* enum sts_cache_state */
	char		 domain[STS_DOMAIN_MAX];
	char		 id[STS_ID_MAX];	/* the TXT id the policy was
					   fetched under; "" none */
	time_t		 fetched;	/* when (seconds since the epoch) */
	time_t		 expires;	/* fetched + its max_age */
	time_t		 failed;	/* the last fetch that failed since,
					   0: none */
	char		 failed_id[STS_ID_MAX];	/* the id it was for */
	struct sts_policy policy;	/* unless STS_CACHE_NONE */
};

enum sts_action {
	STS_ACT_NONE = 0,	/* no policy applies */
	STS_ACT_CACHE,		/* the cached policy applies, as it is */
	STS_ACT_FETCH,		/* fetch; on failure no policy applies */
	STS_ACT_REFRESH		/* fetch; on failure the cached policy
				   applies (RFC 8461 3.3, "Conversely") */
};

/*
 * The policy domain as the fetch and the cache use it: domain (any
 * case, one trailing dot allowed) lowercased, without the dot, into
 * name (size octets, STS_DOMAIN_MAX is enough).  It must be a host name
 * (dnsmsg_name_ok): no "/", no empty label, so it is safe as a file
 * name.  Returns 0, or -1 (name then empty).
 */
int	sts_decide_domain(const char *domain, char *name, size_t size);

/*
 * The id of the policy domain's "_mta-sts" TXT records (RFC 8461 3.1):
 * records[0 .. n - 1], lens[i] octets each, the strings of one record
 * already concatenated.  The records that do not begin with "v=STSv1"
 * are discarded; exactly one must remain, and parse (sts_parse_txt).
 * Returns 0 with its id in id (idsize octets, STS_ID_MAX), or -1 with
 * id empty and why saying so: "no STSv1 record", "2 STSv1 records" or
 * sts_parse_txt's reason.  The caller treats -1 as no TXT record:
 * sts_decide with txt_id NULL (3.1: the recipient domain "does not have
 * an available MTA-STS Policy", though a cached one still applies).
 */
int	sts_decide_txt(const char *const *records, const size_t *lens,
	    size_t n, char *id, size_t idsize, char *why, size_t whylen);

/*
 * What to do for a domain, given its cache entry e (NULL: no cache),
 * the id of its TXT record (txt_id; NULL: none usable, or the lookup
 * failed) and the time now.  A "recent failure" is e->failed within
 * STS_RETRY_AFTER seconds before now, for the id txt_id.
 *
 *   txt_id NULL: STS_ACT_CACHE with a fresh cached policy (RFC 8461
 *	3.1 and 5.1: the lack of a TXT record does not drop a cached
 *	policy; only a new id is a signal to fetch), else STS_ACT_NONE;
 *   a fresh cached policy of the same id: STS_ACT_CACHE while it is
 *	younger than STS_REFRESH_AGE, or after a recent failure; older,
 *	STS_ACT_REFRESH (3.3: "MTAs SHOULD proactively refresh cached
 *	policies before they expire", once a day suggested; 10.2: this
 *	narrows the window in which an attacker can block discovery);
 *   a fresh cached policy of another id: STS_ACT_REFRESH (3.1: a new
 *	id means a new policy), or STS_ACT_CACHE after a recent failure;
 *   no fresh cached policy (none, or expired: 3.3 applies only a
 *	"valid (non-expired)" one): STS_ACT_FETCH, or STS_ACT_NONE after a
 *	recent failure.
 *
 * The rate limit is RFC 8461 3.3's suggestion to "limit further
 * attempts to a period of five minutes or longer per version ID" after
 * a failed fetch.  A time in the future (a clock set back) is never
 * recent, and a policy fetched in the future is refreshed.  why
 * (whylen octets; none when 0) gets a short reason for the transcript.
 */
enum sts_action sts_decide(const struct sts_cached *e, const char *txt_id,
	    time_t now, char *why, size_t whylen);

#define STS_TXT_TYPE	16	/* the TXT RR type */
#define STS_TXT_MAX	1024	/* octets kept of one TXT record */

/*
 * Parses the len octets at pkt as the answer to the TXT question qname
 * ("_mta-sts.example.org"), checked as dnsmsg_mx() checks an answer
 * (CNAMEs followed; see dnsmsg.h).  The strings of each TXT record are
 * joined (RFC 8461 3.1), records that do not begin with "v=STSv1" are
 * discarded, and the rest must be exactly one valid record
 * (sts_parse_txt).  Returns the dnsmsg result; on DNSMSG_OK, 1 with its
 * id in id (idsize octets, at least STS_ID_MAX), or 0 when the domain
 * has no usable record (none, several, a malformed one, or one longer
 * than STS_TXT_MAX: why says which; "as if there were no policy"),
 * in *found.  DNSMSG_NXDOMAIN is no record too (*found 0).
 */
enum dnsmsg_result sts_txt_answer(const unsigned char *pkt, size_t len,
	    const char *qname, int *found, char *id, size_t idsize, char *why,
	    size_t whylen);

#endif
