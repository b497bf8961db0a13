/* SPDX-License-Identifier: ISC */
/*
 * net.c: addresses (parsing, formatting, connection order), host
 * lookup and TCP connect with a deadline (see net.h).
 * Depends on status, conn and monotime (the clock).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "monotime.h"
#include "conn.h"
#include "log.h"
#include "net.h"

static int	family_allowed(int, enum net_family);
static int	connect_one(const struct addrinfo *, unsigned int, int *);

int
net_parse_addr(const char *s, struct dns_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (s == NULL)
		return -1;
	if (inet_pton(AF_INET, s, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->addr) == 1)
		a->family = AF_INET6;
	else
		return -1;
	return 0;
}

char *
net_addr_str(const struct dns_addr *a, char *buf, size_t size)
{
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    inet_ntop(a->family, a->addr, buf, size) == NULL)
		(void)strlcpy(buf, "?", size);
	return buf;
}

socklen_t
net_sockaddr(const struct dns_addr *a, unsigned int port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (void *)ss;
	struct sockaddr_in6 *s6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->addr, sizeof(s4->sin_addr));
		return sizeof(*s4);
	}
	if (a->family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->addr, sizeof(s6->sin6_addr));
		return sizeof(*s6);
	}
	return 0;
}

char *
net_peer_name(const char *host, const struct sockaddr *sa, char *buf,
    size_t size)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;
	unsigned char bin[16];
	int literal;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		(void)inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr));
		port = ntohs(s6->sin6_port);
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		(void)inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof(addr));
		port = ntohs(s4->sin_port);
	}
	literal = inet_pton(AF_INET, host, bin) == 1 ||
	    inet_pton(AF_INET6, host, bin) == 1;
	(void)snprintf(buf, size, "%s[%s]:%u", literal ? "" : host, addr,
	    port);
	return buf;
}

static int
family_allowed(int family, enum net_family only)
{
	switch (family) {
	case AF_INET:
		return only != NET_ONLY_V6;
	case AF_INET6:
		return only != NET_ONLY_V4;
	default:
		return 0;
	}
}

size_t
net_order(struct dns_addr *a, size_t n, enum net_prefer prefer,
    enum net_family only)
{
	struct dns_addr t;
	size_t i, j, k = 0;
	int want;

	for (i = 0; i < n; i++)
		if (family_allowed(a[i].family, only))
			a[k++] = a[i];
	n = k;
	if (prefer == NET_PREFER_NONE)
		return n;
	want = prefer == NET_PREFER_V4 ? AF_INET : AF_INET6;
	for (i = 0; i < n; i++) {
		/* the next of the family wanted moves up to i */
		for (j = i; j < n && a[j].family != want; j++)
			continue;
		if (j == n)
			break;		/* the rest is of the other family */
		if (j > i) {
			t = a[j];
			memmove(&a[i + 1], &a[i], (j - i) * sizeof(a[0]));
			a[i] = t;
		}
		want = want == AF_INET ? AF_INET6 : AF_INET;
	}
	return n;
}

/* Connects to one address within timeout_ms.  Returns fd or -1/errno. */
static int
connect_one(const struct addrinfo *ai, unsigned int timeout_ms, int *fdp)
{
	struct pollfd pfd;
	int fd, soerr = 0, one = 1, r;
	socklen_t sl = sizeof(soerr);
	int64_t deadline = monotime_ms() + timeout_ms, left;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		for (;;) {
			left = deadline - monotime_ms();
			if (left <= 0) {
				errno = ETIMEDOUT;
				goto fail;
			}
			r = poll(&pfd, 1, (int)left);
			if (r == -1 && errno == EINTR)
				continue;
			if (r == -1)
				goto fail;
			if (r > 0)
				break;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	/* commands are batched by conn; send each batch at once */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*fdp = fd;
	return 0;
fail:
	r = errno;
	(void)close(fd);
	errno = r;
	return -1;
}

int
net_connect(const char *host, unsigned int port, unsigned int timeout_ms,
    struct carrier_error *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[8], peer[STATUS_HOST_MAX];
	int fd = -1, gai, last = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	(void)snprintf(portstr, sizeof(portstr), "%u", port);
	(void)snprintf(err->host, sizeof(err->host), "%s:%u", host, port);

	hints.ai_flags |= AI_NUMERICHOST;	/* an address: no DNS */
	gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai == EAI_NONAME) {
		hints.ai_flags &= ~AI_NUMERICHOST;
		gai = getaddrinfo(host, portstr, &hints, &res);
	}
	switch (gai) {
	case 0:
		break;
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
		return status_set(err, CARRIER_PERM, PHASE_RESOLVE,
		    "host %s not found", host), -1;
	case EAI_SYSTEM:
		return status_set(err, CARRIER_TEMP, PHASE_RESOLVE,
		    "cannot look up host %s: %s", host, strerror(errno)), -1;
	default:
		return status_set(err, CARRIER_TEMP, PHASE_RESOLVE,
		    "cannot look up host %s: %s", host, gai_strerror(gai)), -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		net_peer_name(host, ai->ai_addr, peer, sizeof(peer));
		log_note("connecting to %s", peer);
		if (connect_one(ai, timeout_ms, &fd) == 0) {
			(void)strlcpy(err->host, peer, sizeof(err->host));
			break;
		}
		last = errno;
		log_note("%s: %s", peer, strerror(last));
		(void)strlcpy(err->host, peer, sizeof(err->host));
	}
	freeaddrinfo(res);
	if (fd != -1)
		return fd;
	if (last == ETIMEDOUT)
		status_set(err, CARRIER_TEMP, PHASE_CONNECT,
		    "connection timed out after %u s", timeout_ms / 1000);
	else
		status_set(err, CARRIER_TEMP, PHASE_CONNECT,
		    "cannot connect: %s", strerror(last));
	return -1;
}
