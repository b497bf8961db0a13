/* SPDX-License-Identifier: ISC */
/*
 * net.h: resolving a host and connecting to it under a deadline.
 */
#ifndef CARRIER_NET_H
#define CARRIER_NET_H

#include <sys/socket.h>

#include <stddef.h>

#include "status.h"

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
 * Formats "host[address]:port" (or "[address]:port" when host is an
 * address) into buf.  Returns buf.
 */
char	*net_peer_name(const char *host, const struct sockaddr *sa,
	    char *buf, size_t size);

#endif
