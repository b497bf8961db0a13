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
};

/*
 * res_ninit on d->res: name servers and options from /etc/resolv.conf
 * (and the environment, as res_ninit reads it).  Returns 0, or -1 with
 * errno set.
 */
int	dns_open(struct dns *d);

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

#endif
