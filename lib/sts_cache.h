/* SPDX-License-Identifier: ISC */
/*
 * sts_cache.h: the MTA-STS policy cache (RFC 8461 3.3, 5.1): one file
 * per policy domain in the spool's sts/ directory, named by the domain
 * lowercased (sts_decide_domain: a host name, so never "/" or ".."),
 * written whole (a temporary file in the same directory, synced,
 * renamed over the old, the directory synced) and never edited in
 * place.  The format is documented at the top of sts_cache.c.
 *
 * Low-level: functions return 0 or -1 with errno, like system calls;
 * no state beyond struct sts_cache.  With carrier set-group-ID, the
 * caller holds the spool's group (priv_raise) around every call: the
 * directory and the files are the group's.
 */
#ifndef CARRIER_STS_CACHE_H
#define CARRIER_STS_CACHE_H

#include <stddef.h>
#include <time.h>

#include "sts.h"
#include "sts_decide.h"

#define STS_CACHE_DIR		"sts"
#define STS_CACHE_FILE_MAX	(STS_POLICY_MAX + 1024)	/* with its lines */

struct sts_cache {
	int	dirfd;		/* SPOOL/sts, or -1 */
};

/*
 * Opens the cache of the spool at spool (which must exist): its sts/
 * directory, made (mode 770, as spool_subdir makes the spool's) when
 * missing, if the spool is the caller's or the caller is root (else
 * ENOENT: make install or root makes it).  Returns 0, or -1 with errno
 * and c->dirfd -1.
 */
int	sts_cache_open(struct sts_cache *c, const char *spool);

/* Closes it (safe on a closed cache). */
void	sts_cache_close(struct sts_cache *c);

/*
 * Reads domain's entry (domain as sts_decide_domain takes it) into e
 * and says what it holds at the time now: STS_CACHE_FRESH (a policy,
 * now before its expiry), STS_CACHE_EXPIRED (a policy past it: returned
 * for what it says, never to be applied, RFC 8461 3.3's "valid
 * (non-expired)") or STS_CACHE_NONE (no file; only the record of a
 * failed fetch; or a file that does not read: of another version, not
 * in the format, cut, larger than STS_CACHE_FILE_MAX, for another
 * domain, a policy that sts_parse_policy refuses).  A file that does
 * not read is removed (if it is still the one read): the next write
 * would replace it anyway.  Not trusted, so STS_CACHE_NONE but left
 * alone: a symbolic link, what is not a regular file, and a file owned
 * neither by root nor by the caller's effective user (a user's carrier
 * writes files that user owns, and so could change, and one user must
 * not weaken the policies that guard another's mail).
 * e->state is the result and e->domain the name; the other fields are
 * set from the file (failed and failed_id also for STS_CACHE_NONE),
 * zero when there is none.  Returns -1 with errno (EINVAL: not a
 * domain name; or a read error other than ENOENT), e then as for none.
 */
int	sts_cache_get(struct sts_cache *c, const char *domain, time_t now,
	    struct sts_cached *e);

/*
 * Stores the policy text (len octets, as fetched: it must parse with
 * sts_parse_policy, else EINVAL) for domain, fetched at the time
 * fetched under the TXT record's id: expires is fetched + the policy's
 * max_age (at most STS_MAX_AGE_MAX, RFC 8461 3.2); no failed fetch.
 * The entry replaces any other whole.  Returns 0, or -1 with errno (the
 * old entry is then as it was).
 */
int	sts_cache_put(struct sts_cache *c, const char *domain, const char *id,
	    time_t fetched, const char *text, size_t len);

/*
 * Records that a fetch of domain's policy for the TXT id id failed at
 * the time now (for sts_decide's rate limit, RFC 8461 3.3), keeping the
 * policy of the entry if it has one that reads; otherwise the entry
 * holds the failure alone.  Returns 0, or -1 with errno.
 */
int	sts_cache_failed(struct sts_cache *c, const char *domain,
	    const char *id, time_t now);

/* Removes domain's entry; none is not an error.  0, or -1 with errno. */
int	sts_cache_remove(struct sts_cache *c, const char *domain);

#endif
