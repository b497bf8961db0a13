/* SPDX-License-Identifier: ISC */
/*
 * tlspolicy.h: the TLS an MX host gets, in one place for delivery and
 * for -bv: the domain's tls_mx level (tls_mx_domains, else tls_mx),
 * and with "dane" (the default) the host's DANE state (route_dane, RFC
 * 7672) and the domain's MTA-STS policy (sts_discover, RFC 8461), DANE
 * first where both exist (RFC 8461 2).  Internal to libcarrier.
 */
#ifndef CARRIER_TLSPOLICY_H
#define CARRIER_TLSPOLICY_H

#include <stddef.h>

#include "status.h"
#include "sts.h"
#include "sts_discover.h"
#include "route.h"
#include "hop.h"
#include "policy.h"
#include "carrier.h"

#define TLSPOLICY_NOTE_MAX	512

/* A domain's MTA-STS policy, as discovery found it. */
struct tlspolicy_sts {
	int		 applies;	/* a policy of mode enforce or testing */
	struct sts_policy policy;
	enum sts_source	 source;
	char		 id[STS_ID_MAX]; /* of the TXT record, or "" */
	char		 note[TLSPOLICY_NOTE_MAX]; /* what discovery did */
};

/* The tls_mx level of domain: its tls_mx_domains entry, else tls_mx. */
enum conf_tls_mx tlspolicy_level(const struct carrier_options *opts,
	    const char *domain);

/*
 * MTA-STS discovery for the domain of r (an MX or implicit-MX route)
 * when its level is dane: the "_mta-sts" TXT record (route_sts), then
 * sts_discover with the cache in opts->spool (the spool's group held
 * for the cache's files only, not the fetch), the fetch under
 * dns_timeout and verified with tls_ca_file
 * or tls_ca_path.  A connection kept open for reuse is closed first
 * when a fetch may happen (libtls runs one session per process).  s is
 * always set; s->applies 0 when no policy applies (none found, none
 * fetched, mode none, another level, another kind of route).
 */
void	tlspolicy_sts(const struct carrier_options *opts, struct route *r,
	    struct tlspolicy_sts *s);

/*
 * The TLS of host i of r (its addresses found) into hop (tls, verify,
 * policy, required_by, the DANE records and names) and pt (what a
 * failure allows), and desc (desclen octets): one line saying which
 * policy holds and why, for -v and -bv.  sts is the domain's MTA-STS
 * state (tlspolicy_sts), or NULL.  Returns 0, or -1 when the host must
 * not be used now (err: its TLSA lookup failed, or it is not in the
 * domain's enforced MTA-STS policy; temporary, PHASE_RESOLVE or
 * PHASE_TLS, err->tls set).  The DANE records live in a static buffer:
 * one host at a time.
 */
int	tlspolicy_hop(const struct carrier_options *opts, struct route *r,
	    size_t i, const struct tlspolicy_sts *sts, struct hop *hop,
	    struct policy_tls *pt, char *desc, size_t desclen,
	    struct carrier_error *err);

#endif
