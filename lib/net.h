/* SPDX-License-Identifier: ISC */
/*
 * net.h: addresses, resolving a host, and connecting to it under a
 * deadline.
 */
#ifndef CARRIER_NET_H
#define CARRIER_NET_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#ifndef DNS_ADDR_DEFINED
#define DNS_ADDR_DEFINED
struct dns_addr { int family; unsigned char addr[16]; };  /* AF_INET (first 4 octets) or AF_INET6 */
#endif

/* Which family goes first (net_order). */
enum net_prefer { NET_PREFER_V6 = 0, NET_PREFER_V4, NET_PREFER_NONE };
/* Which families may be used at all. */
enum net_family { NET_ANY = 0, NET_ONLY_V4, NET_ONLY_V6 };

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
 * Connects to host:port over TCP, trying every address getaddrinfo(3)
 * returns, in order, each for at most timeout_ms.  An IP address is used
 * as is (no DNS).  On success returns the connected fd and writes
 * "host[address]:port" to err->host.  On failure returns -1 with err set:
 * PHASE_RESOLVE (permanent if the name does not exist, temporary if the
 * lookup failed) or PHASE_CONNECT (temporary: refused, unreachable or
 * timed out; the text says which, for the last address tried).
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
