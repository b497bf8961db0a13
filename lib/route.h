/* SPDX-License-Identifier: ISC */
/*
 * route.h: where the mail for a recipient domain goes: the hosts to try,
 * in order.  The relay is a one-host route (no MX query is made); with
 * no relay, the domain's MX hosts by preference (equal preferences in a
 * random order), or the domain itself when it has no MX (the implicit
 * MX, RFC 5321 5.1), or the address of an address literal
 * (user@[192.0.2.1], user@[IPv6:2001:db8::1]).  A host's addresses are
 * looked up when it is reached (route_addrs), so the first MX that
 * takes the message costs no lookups of the others.
 */
#ifndef CARRIER_ROUTE_H
#define CARRIER_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "dnsmsg.h"
#include "dns.h"
#include "net.h"

#define ROUTE_HOSTS_MAX	DNSMSG_MX_MAX

enum route_kind {
	ROUTE_RELAY = 0,	/* the configured relay (or -R) */
	ROUTE_MX,		/* the domain's MX hosts */
	ROUTE_IMPLICIT,		/* no MX: the domain itself */
	ROUTE_LITERAL		/* an address literal */
};

/* What the route needs of the options (the caller's carrier_options). */
struct route_opts {
	const char	*relay_host;	/* NULL or "": none */
	unsigned int	 relay_port;	/* as the relay hop has it */
	unsigned int	 dns_timeout;	/* seconds for one domain's lookups */
	enum net_family	 family;	/* only this family */
	enum net_prefer	 prefer;	/* this family first */
	const char *const *trusted;	/* resolvers believed for DNSSEC
					   besides loopback ones (dns_trust) */
	size_t		 ntrusted;
};

struct route_host {
	char		 name[DNSMSG_NAME_MAX]; /* the MX name, or the literal */
	unsigned int	 pref;
	int		 looked_up;	/* route_addrs ran */
	int		 secure;	/* its addresses came DNSSEC-validated */
	struct dns_addr	 addr[DNSMSG_ADDR_MAX];
	size_t		 naddr;
};

struct route {
	enum route_kind		 kind;
	char			 domain[DNSMSG_NAME_MAX];
	struct route_host	 host[ROUTE_HOSTS_MAX];
	size_t			 nhost;
	size_t			 skipped;	/* MX records not usable (an
						   address for a name) */
	struct route_opts	 opts;
	int			 mx_secure;	/* the MX records came
						   DNSSEC-validated */
	char			 untrusted[128]; /* why the resolver's
						   DNSSEC is not believed, or "" */
	struct dns		 dns;		/* open while the route is */
	int64_t			 dns_left;	/* ms of lookups left */
};

/*
 * The route for domain ("example.org", or an address literal with its
 * brackets).  With a relay, the relay's one host, and no lookup.  Else
 * the MX records are asked before now + dns_timeout.  Returns CARRIER_OK;
 * CARRIER_PERM for a domain that does not exist, a null MX (RFC 7505:
 * "5.1.10"), no usable MX, or a bad literal; CARRIER_TEMP when the DNS
 * failed or timed out (PHASE_RESOLVE in both).  Close with route_close()
 * (also after a failure).
 */
enum carrier_status route_lookup(const struct route_opts *opts,
	    const char *domain, struct route *r, struct carrier_error *err);

/*
 * The addresses of host i of r (once; later calls return what the first
 * found), in connection order (ip_version, ip_prefer).  The relay's host
 * is left to the connect (net_connect), which honours /etc/hosts.
 * Returns CARRIER_OK with at least one address, or the failure: for an
 * MX host, always temporary (its name does not resolve now); for the
 * implicit MX, permanent when the domain has no address.
 */
enum carrier_status route_addrs(struct route *r, size_t i,
	    struct carrier_error *err);

/* What DANE means for one host (RFC 7672 2.2). */
enum route_dane {
	ROUTE_DANE_NONE = 0,	/* not a DANE host: the opportunistic policy */
	ROUTE_DANE_MATCH,	/* validated usable TLSA records: TLS, and
				   the certificate must match one */
	ROUTE_DANE_ENCRYPT,	/* validated TLSA records, none usable: TLS
				   required, not authenticated */
	ROUTE_DANE_FAIL		/* the lookup failed (a bogus answer
				   gives SERVFAIL): skip the host, temporary */
};

/*
 * The DANE state of host i of r, whose addresses route_addrs found: the
 * TLSA records of "_25._tcp.<host>" when the resolver is trusted and
 * the host's address records were validated (else none are looked up:
 * RFC 7672 2.2.2), into t (room for max; *n set).  why (whylen octets)
 * says why the host is or is not a DANE host ("2 TLSA records,
 * validated", "the address records of mx.example are not signed", ...);
 * on ROUTE_DANE_FAIL, err has the failure (PHASE_RESOLVE, 4.4.3).
 * The relay and address literals are never DANE hosts.
 */
enum route_dane route_dane(struct route *r, size_t i, struct tlsa *t,
	    size_t max, size_t *n, char *why, size_t whylen,
	    struct carrier_error *err);

/*
 * The id of r's domain's MTA-STS record ("_mta-sts.<domain>", RFC 8461
 * 3.1; dns_sts) within the route's DNS budget: 1 with the id in id
 * (idsize octets, STS_ID_MAX), or 0 when there is none usable or the
 * lookup failed (why, whylen octets, says which: a cached policy still
 * applies then).  0 for the relay and address literals.
 */
int	route_sts(struct route *r, char *id, size_t idsize, char *why,
	    size_t whylen);

void	route_close(struct route *r);

/* The kind as words: "relay", "MX", "implicit MX", "address literal". */
const char	*route_kind_name(enum route_kind);

#endif
