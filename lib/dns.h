/* SPDX-License-Identifier: ISC */
/*
 * dns.h: MX and address lookups for direct delivery, through a private
 * libresolv resolver (res_ninit(3), res_nquery(3)) under an absolute
 * deadline, the answers parsed by dnsmsg.
 *
 * The resolver takes its name servers and options (timeout, attempts,
 * rotate, edns0, ...) from /etc/resolv.conf as the system has them; a
 * name is asked exactly as given (no search list, no ndots, no
 * HOSTALIASES).  A query never runs past the caller's deadline: the
 * resolver's timeout, attempts and, when there is little time, the
 * number of servers asked are cut down for it (dns.c says how, and
 * where glibc keeps no bound).  Single-threaded: the answer buffer is
 * static.
 */
#ifndef CARRIER_DNS_H
#define CARRIER_DNS_H

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "dnsmsg.h"

/*
 * A private resolver: never the global _res.  The tests point res at a
 * server of their own after dns_open (every nsaddr_list entry below
 * nscount).
 */
struct dns {
	struct __res_state	res;
	int			open;
	int			trusted; /* the servers' AD bit is believed
					   (dns_trust) */
	int			ad;	/* the last lookup that succeeded was
					   validated: every reply it used had
					   the AD bit, from trusted servers */
};

/*
 * res_ninit on d->res: name servers and options from /etc/resolv.conf
 * (and the environment, as res_ninit reads it).  Returns 0, or -1 with
 * errno set.
 */
int	dns_open(struct dns *d);

/*
 * Decides whether d's servers are trusted to validate DNSSEC for us
 * (RFC 7672 and RFC 6698 need validated TLSA records; RFC 4035 3.2.3:
 * the AD bit means something only over a path to a resolver one trusts):
 * yes when the system's resolver options say trust-ad, or when every
 * server d asks is a loopback address or one of the n addresses in
 * trusted (text, "192.0.2.53", "2001:db8::53").  Trusted: RES_TRUSTAD is
 * set, so glibc asks with the AD bit and keeps it in replies (it clears
 * it otherwise).  Returns d->trusted; why (whylen octets) says which
 * server is not trusted when 0.
 */
int	dns_trust(struct dns *d, const char *const *trusted, size_t n,
	    char *why, size_t whylen);

/* res_nclose; NULL-safe, and a second call does nothing. */
void	dns_close(struct dns *d);

/*
 * The MX records of domain (dnsmsg_mx's rules), asked before deadline
 * (monotime_ms() milliseconds).  CARRIER_OK: *n records in mx (at most
 * max; 0 when the domain has none: the caller uses the implicit MX, RFC
 * 5321 5.1) and *nullmx (RFC 7505).  CARRIER_PERM when the domain does
 * not exist (NXDOMAIN; err: PHASE_RESOLVE, enhanced 5.1.2, "domain
 * example.org not found (NXDOMAIN)") or is not a name.  CARRIER_TEMP
 * for everything else (PHASE_RESOLVE, enhanced 4.4.3, the text saying
 * which): SERVFAIL, REFUSED and the other error rcodes ("cannot look up
 * the MX of example.org: the DNS server said SERVFAIL"), no answer
 * ("... no answer from the DNS server in 5.0 s"), no server reachable,
 * a malformed answer, or too little time left to ask ("DNS lookup of
 * the MX of example.org ran out of time"; a query needs 1 s at least).
 */
enum carrier_status dns_mx(struct dns *d, const char *domain,
	    int64_t deadline, struct dns_mx *mx, size_t max, size_t *n,
	    int *nullmx, struct carrier_error *err);

#define DNS_WANT_V4	1
#define DNS_WANT_V6	2

/*
 * The addresses of host: an AAAA query, then an A query (only those of
 * the families in want, DNS_WANT_V4 | DNS_WANT_V6), the answers appended
 * to a in that order (dnsmsg_addrs's rules, at most max in all), *n set.
 * When both are asked, the AAAA query gets at most half of the time left
 * (1 s at least), so that a server that drops AAAA queries leaves time
 * for the A query; the A query is not made when the AAAA answer filled
 * a.  CARRIER_OK when at least one query was answered
 * (*n may be 0: the name exists without an address of those families;
 * the caller decides); if one family was answered and the other failed,
 * OK with what was found.  CARRIER_PERM when the name does not exist
 * (NXDOMAIN: the other query is not made; PHASE_RESOLVE, enhanced
 * 5.4.4, "host mx.example.org not found (NXDOMAIN)") or is not a name.
 * CARRIER_TEMP when no query was answered (dns_mx's texts, 4.4.3).
 * err is written only on failure, for dns_mx too.
 */
enum carrier_status dns_addrs(struct dns *d, const char *host, int want,
	    int64_t deadline, struct dns_addr *a, size_t max, size_t *n,
	    struct carrier_error *err);

/*
 * The TLSA records of host's SMTP service, "_25._tcp.<host>" (RFC 7672
 * 2.2), asked before deadline: tlsa_parse_answer's rules, at most max
 * records into t.  CARRIER_OK with *n records (0 when the name or the
 * records do not exist: NXDOMAIN and NODATA are answers here, not
 * failures), d->ad saying whether the answer (or the denial) was
 * validated.  CARRIER_TEMP for everything else (PHASE_RESOLVE, 4.4.3,
 * dns_mx's texts): a validating resolver answers SERVFAIL for records
 * that fail validation (bogus), so that a SERVFAIL on a host whose
 * addresses are validated means "do not use this host now" (RFC 7672
 * 2.2.1).
 */
struct tlsa;
enum carrier_status dns_tlsa(struct dns *d, const char *host,
	    int64_t deadline, struct tlsa *t, size_t max, size_t *n,
	    struct carrier_error *err);

/*
 * The MTA-STS record of domain: the TXT records of "_mta-sts.<domain>"
 * (RFC 8461 3.1, sts_txt_answer's rules), asked before deadline.
 * CARRIER_OK with the policy id in id (idsize octets, STS_ID_MAX) and
 * *found 1, or *found 0 when the domain has no usable record (why says
 * which, whylen octets): none, NXDOMAIN, several, a malformed one.
 * CARRIER_TEMP when the lookup failed (dns_mx's texts, 4.4.3): RFC 8461
 * 5.1 lets a cached policy stand then.
 */
enum carrier_status dns_sts(struct dns *d, const char *domain,
	    int64_t deadline, int *found, char *id, size_t idsize, char *why,
	    size_t whylen, struct carrier_error *err);

#endif
