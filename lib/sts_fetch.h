/* SPDX-License-Identifier: ISC */
/*
 * sts_fetch.h: fetching a domain's MTA-STS policy (RFC 8461 3.3): an
 * HTTPS GET of https://mta-sts.DOMAIN/.well-known/mta-sts.txt with the
 * certificate verified for mta-sts.DOMAIN, under one absolute deadline,
 * the response read by http.h's parser and the body by sts.h's.
 *
 * Nothing here decides whether to fetch or keeps what was fetched:
 * sts_discover.h does, with the cache (sts_cache.h).
 */
#ifndef CARRIER_STS_FETCH_H
#define CARRIER_STS_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "sts.h"
#include "conn.h"
#include "net.h"

#define STS_FETCH_PORT	443
#define STS_FETCH_PATH	"/.well-known/mta-sts.txt"

struct sts_fetch_opts {
	int64_t		 deadline;	/* monotime_ms(): the whole fetch,
					   lookup included; 0: none */
	unsigned int	 port;		/* 0: 443 (another for tests) */
	unsigned int	 connect_ms;	/* each address's attempt; 0: only
					   the deadline */
	enum net_family	 family;	/* the addresses that may be used */
	const struct dns_addr *src4;	/* bind IPv4 connections to it, or
					   NULL (net_opts) */
	const struct dns_addr *src6;	/* the same for IPv6 */
	const char	*ca_file;	/* PEM bundle; NULL: ca_path */
	const char	*ca_path;	/* hashed directory; NULL: the
					   default, CONN_TLS_CA_PATH */
};

/*
 * Fetches the MTA-STS policy of domain (a host name, any case, a
 * trailing dot allowed) as RFC 8461 3.3 says: mta-sts.DOMAIN (domain
 * lowercased) is looked up (net_resolve: getaddrinfo, so /etc/hosts
 * counts) and connected to on o->port with Happy Eyeballs (RFC 8305,
 * net_connect_addrs, IPv6 first), then TLS with the certificate
 * verified for that name (conn_tls_start, verify on, the CA file or
 * directory given), then one HTTP/1.1 GET of STS_FETCH_PATH with Host,
 * "User-Agent: carrier/VERSION" and "Connection: close".  Only a 200
 * counts; a redirect is not followed (RFC 8461 3.3: "HTTP 3xx redirects
 * MUST NOT be followed"); the media type must be text/plain, parameters
 * allowed (3.3: senders SHOULD check it); the body is at most
 * STS_POLICY_MAX octets (3.3's suggested 64 KiB cap: no more is read);
 * no HTTP cache is used (3.3).  Every step runs within o->deadline.
 *
 * text (size octets, at least STS_POLICY_MAX for any policy to fit)
 * gets the body as fetched, *len its length, for the cache; p the
 * policy parsed from it (sts_parse_policy).
 *
 * Returns CARRIER_OK, or CARRIER_TEMP with err->text saying what failed
 * (PHASE_RESOLVE: the policy is part of finding the next hops, never a
 * connection failure of a hop; err->host empty), always
 * "MTA-STS policy of DOMAIN: URL: " then
 *	"HTTP 404", "HTTP 301 redirect to LOCATION, not followed",
 *	"certificate: <libtls's reason>", "not text/plain (text/html)",
 *	"not text/plain (no Content-Type)", "over 65536 octets",
 *	"timed out after 10.0 s" (the time since the call),
 *	"malformed HTTP response: <http.h's reason>", "a TLS error in a
 *	body delimited by the close (...)" (RFC 9112 9.8: such a body is
 *	complete only with a TLS close_notify, which libtls checks),
 *	"policy: <sts_parse_policy's reason>", or the lookup's, the
 *	connection's or the handshake's error ("host X not found",
 *	"connection timed out after 10 s", "cannot connect: ...",
 *	"TLS handshake failed: ...").
 * A domain that is not a host name gives "not a domain name" (URL
 * "-").  *len is 0 on failure.
 */
enum carrier_status sts_fetch(const char *domain,
	    const struct sts_fetch_opts *o, struct sts_policy *p, char *text,
	    size_t size, size_t *len, struct carrier_error *err);

/*
 * The HTTP part of sts_fetch on c, a connection set up to mta-sts.DOMAIN
 * (TLS started, c's deadline set): the request, the response read and
 * checked, the policy parsed; the same results.  start (monotime_ms())
 * is when the fetch began, for "timed out after N s".  c is left open.
 * Apart for tests, which run it over a socketpair.
 */
enum carrier_status sts_fetch_http(struct conn *c, const char *domain,
	    unsigned int port, int64_t start, struct sts_policy *p,
	    char *text, size_t size, size_t *len, struct carrier_error *err);

#endif
