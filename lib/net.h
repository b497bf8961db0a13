/* SPDX-License-Identifier: ISC */
/*
 * net.h: addresses, resolving a host, and connecting to it under a
 * deadline.  net.c holds the addresses and the lookup, net_connect.c
 * the connector (Happy Eyeballs, RFC 8305).
 */
#ifndef CARRIER_NET_H
#define CARRIER_NET_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "dnsmsg.h"	/* struct dns_addr */


#define NET_HE_DELAY_MS	250	/* the next address after this (RFC 8305) */
#define NET_PARALLEL_MAX 16	/* attempts in flight at once */
#define NET_ADDRS_MAX	32	/* net_connect's addresses for one host */

/* Which family goes first (net_order). */
enum net_prefer { NET_PREFER_V6 = 0, NET_PREFER_V4, NET_PREFER_NONE };
/* Which families may be used at all. */
enum net_family { NET_ANY = 0, NET_ONLY_V4, NET_ONLY_V6 };

struct net_opts {
	unsigned int		 connect_ms;	/* each address's attempt */
	int64_t			 deadline;	/* all of them (monotime_ms(); 0: none) */
	const struct dns_addr	*src4;		/* bind IPv4 connections to it, or NULL */
	const struct dns_addr	*src6;		/* the same for IPv6 */
};

/*
 * What happened to one address: for the "port 25 is probably blocked"
 * diagnosis and the -v transcript.
 */
struct net_try {
	struct dns_addr	addr;
	int		err;	/* 0: connected (the winner); ECONNREFUSED,
				 * ETIMEDOUT (silent until its connect_ms or
				 * the deadline), ENETUNREACH, EADDRNOTAVAIL
				 * (the source address), ...; ECANCELED:
				 * abandoned because another address won */
	unsigned int	ms;	/* how long it took */
};

/*
 * Resolves host (a name or an address literal; IPv6 without brackets)
 * to at most max (>= 1) addresses of the family allowed, deduplicated,
 * in getaddrinfo(3)'s order (its default address selection), so that
 * /etc/hosts is honoured: this is for the relay; MX hosts go through
 * DNS.  An address literal (what getaddrinfo takes with AI_NUMERICHOST,
 * so also "127.1"; an IPv6 zone is dropped) is neither looked up nor
 * given a thread.  A name is looked up by getaddrinfo in a thread of its
 * own, waited for until the absolute deadline (monotime_ms(); 0: no
 * thread, the resolver's own limits) and abandoned then: the thread
 * goes on and frees what it holds when its answer comes.  Addresses
 * past max are left out.
 *
 * Returns CARRIER_OK with *n addresses (at least one); CARRIER_PERM,
 * PHASE_RESOLVE, "host X not found" when the name does not exist or has
 * no address of the family allowed ("address X is not IPv4" for a
 * literal); CARRIER_TEMP, PHASE_RESOLVE, "cannot look up host X: ..."
 * otherwise, "... no answer in N s" at the deadline (N rounded, at
 * least 1).  err->host is left as it is.
 */
enum carrier_status net_resolve(const char *host, enum net_family family,
	    int64_t deadline, struct dns_addr *a, size_t max, size_t *n,
	    struct carrier_error *err);

/*
 * Puts a[0..n) in connection order, in place: drops the addresses of a
 * family only excludes (and any that is neither IPv4 nor IPv6), then,
 * as RFC 8305 section 4 says, one of the preferred family first and
 * then the families in turn (v6, v4, v6, v4, ... for NET_PREFER_V6),
 * each keeping its own order, the rest of one family at the end when
 * the other runs out.  NET_PREFER_NONE keeps the given order.  Pure.
 * Returns the new count.
 */
size_t	net_order(struct dns_addr *a, size_t n, enum net_prefer prefer,
	    enum net_family only);

/*
 * Connects to one of a[0..n) on port with Happy Eyeballs (RFC 8305
 * section 5): the first address at once, the next when an attempt has
 * failed or NET_HE_DELAY_MS passed since the last one started, and so
 * on, at most NET_PARALLEL_MAX side by side; each attempt ends after
 * o->connect_ms (0: only at the deadline, or when the kernel gives up),
 * all end at o->deadline; the first socket connected wins (the earliest
 * started when several are ready at once) and the others are closed.
 * A source address of the family (o->src4, o->src6) is bound before
 * connect; a bind failure is that address's failure.
 *
 * name names the peer (a host name, or NULL for an address) in err->host
 * and in the -v transcript ("connecting to name[addr]:port" for each
 * attempt, then a line for each that failed or was abandoned), as
 * net_peer_name() writes it.
 * tries (NULL: not wanted; else room for n) gets one entry per address
 * attempted, in the order started; *ntries (may be NULL) says how many.
 *
 * Returns the connected fd (non-blocking, close-on-exec, TCP_NODELAY)
 * with err->host the winner's "name[addr]:port", or -1 with err
 * CARRIER_TEMP, PHASE_CONNECT and err->host the last address that
 * failed: "connection timed out after N s" (N: the seconds since the
 * first attempt, rounded, at least 1) when every failure was a
 * time-out, "connection timed out: no time left" when the deadline had
 * passed before the first, else "cannot connect: <strerror of the last
 * failure>"; "cannot connect: no address" for n of 0.
 */
int	net_connect_addrs(const char *name, const struct dns_addr *a,
	    size_t n, unsigned int port, const struct net_opts *o,
	    struct net_try *tries, size_t *ntries, struct carrier_error *err);

/*
 * Connects to host:port over TCP for the relay: net_resolve (NET_ANY,
 * the lookup bounded by timeout_ms too, up to NET_ADDRS_MAX addresses)
 * then net_connect_addrs in getaddrinfo's order, each address for at
 * most timeout_ms, no source address.  Before the lookup err->host is
 * "host:port"; the errors are those of the two calls.
 */
int	net_connect(const char *host, unsigned int port,
	    unsigned int timeout_ms, struct carrier_error *err);

/*
 * Parses an IPv4 or IPv6 address literal (inet_pton(3): dotted quad,
 * IPv6 without brackets or zone) into a.  Returns 0, or -1 (a left
 * unspecified).
 */
int	net_parse_addr(const char *s, struct dns_addr *a);

/*
 * Formats a as text (inet_ntop(3)) into buf of size bytes; "?" for a
 * family that is neither, or a buf too small (INET6_ADDRSTRLEN is always
 * enough).  Returns buf.
 */
char	*net_addr_str(const struct dns_addr *a, char *buf, size_t size);

/*
 * Fills ss with a and port for bind(2) or connect(2).  Returns its
 * length, or 0 when a is neither IPv4 nor IPv6.
 */
socklen_t net_sockaddr(const struct dns_addr *a, unsigned int port,
	    struct sockaddr_storage *ss);

/*
 * Formats "host[address]:port" (or "[address]:port" when host is an
 * address or "") into buf.  Returns buf.
 */
char	*net_peer_name(const char *host, const struct sockaddr *sa,
	    char *buf, size_t size);

#endif
