/* SPDX-License-Identifier: ISC */
/*
 * net.c: addresses (parsing, formatting, connection order) and host
 * lookup under a deadline (see net.h).  The connector is net_connect.c.
 * Depends on status, monotime (the clock) and pthreads (a name lookup
 * runs in a thread of its own).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat.h"
#include "monotime.h"
#include "net.h"

static int	family_allowed(int, enum net_family);
static void	lookup_hints(struct addrinfo *, enum net_family, int);
static int	addr_from_sa(const struct sockaddr *, struct dns_addr *);
static size_t	addrs_from_ai(const struct addrinfo *, enum net_family,
		    struct dns_addr *, size_t);
static int	lookup_name(const char *, enum net_family, int64_t,
		    struct addrinfo **, int *);
static enum carrier_status lookup_error(const char *, int, int, int64_t,
		    struct carrier_error *);
struct lookup;
static void	lookup_free(struct lookup *);
static void	*lookup_thread(void *);
static struct lookup *lookup_new(const char *, enum net_family);
static struct lookup *lookup_start(const char *, enum net_family);

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

static int
addr_from_sa(const struct sockaddr *sa, struct dns_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		a->family = AF_INET;
		memcpy(a->addr, &s4->sin_addr, sizeof(s4->sin_addr));
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		a->family = AF_INET6;
		memcpy(a->addr, &s6->sin6_addr, sizeof(s6->sin6_addr));
		return 0;
	}
	return -1;
}

/* Copies the allowed addresses of ai, once each, into a[0..max). */
static size_t
addrs_from_ai(const struct addrinfo *ai, enum net_family family,
    struct dns_addr *a, size_t max)
{
	struct dns_addr x;
	size_t n = 0, i;

	for (; ai != NULL && n < max; ai = ai->ai_next) {
		if (addr_from_sa(ai->ai_addr, &x) == -1 ||
		    !family_allowed(x.family, family))
			continue;
		for (i = 0; i < n; i++)
			if (memcmp(&a[i], &x, sizeof(x)) == 0)
				break;
		if (i == n)
			a[n++] = x;
	}
	return n;
}

static void
lookup_hints(struct addrinfo *hints, enum net_family family, int flags)
{
	memset(hints, 0, sizeof(*hints));
	hints->ai_family = family == NET_ONLY_V4 ? AF_INET :
	    family == NET_ONLY_V6 ? AF_INET6 : AF_UNSPEC;
	hints->ai_socktype = SOCK_STREAM;
	hints->ai_flags = flags;
}

/*
 * A name lookup in a thread of its own, so that it can be given up at a
 * deadline while the resolver goes on: the thread and the waiter share
 * the record, and whichever leaves it last frees it.  (Not
 * getaddrinfo_a(3): glibc's queue of requests does not survive fork(2)
 * while its thread idles, and a child's lookup never starts then.)
 */
struct lookup {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct addrinfo	 hints;
	struct addrinfo	*res;
	int		 gai;
	int		 sys_errno;	/* for EAI_SYSTEM */
	int		 done;		/* the thread has the answer */
	int		 abandoned;	/* the waiter has given up */
	char		 host[];
};

static void
lookup_free(struct lookup *l)
{
	if (l->res != NULL)
		freeaddrinfo(l->res);
	(void)pthread_cond_destroy(&l->cv);
	(void)pthread_mutex_destroy(&l->mu);
	free(l);
}

static void *
lookup_thread(void *arg)
{
	struct lookup *l = arg;
	struct addrinfo *res = NULL;
	int gai, e, gone;

	gai = getaddrinfo(l->host, NULL, &l->hints, &res);
	e = errno;
	(void)pthread_mutex_lock(&l->mu);
	l->gai = gai;
	l->res = res;
	l->sys_errno = e;
	l->done = 1;
	gone = l->abandoned;
	(void)pthread_cond_signal(&l->cv);
	(void)pthread_mutex_unlock(&l->mu);
	if (gone)
		lookup_free(l);
	return NULL;
}

/* A record for host, its lock and condition ready.  Returns it, or NULL. */
static struct lookup *
lookup_new(const char *host, enum net_family family)
{
	struct lookup *l;
	pthread_condattr_t ca;
	size_t len = strlen(host) + 1;
	int r;

	if ((l = calloc(1, sizeof(*l) + len)) == NULL)
		return NULL;
	memcpy(l->host, host, len);
	lookup_hints(&l->hints, family, 0);
	if (pthread_condattr_init(&ca) != 0) {
		free(l);
		return NULL;
	}
	/* the deadline is on monotime's clock */
	r = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (r == 0 && (r = pthread_cond_init(&l->cv, &ca)) == 0 &&
	    (r = pthread_mutex_init(&l->mu, NULL)) != 0)
		(void)pthread_cond_destroy(&l->cv);
	(void)pthread_condattr_destroy(&ca);
	if (r != 0) {
		free(l);
		return NULL;
	}
	return l;
}

/*
 * A record for host, and its thread started with every signal blocked
 * (they are the main thread's to take).  Returns it, or NULL.
 */
static struct lookup *
lookup_start(const char *host, enum net_family family)
{
	struct lookup *l;
	pthread_attr_t ta;
	pthread_t t;
	sigset_t all;
#ifndef HAVE_PTHREAD_ATTR_SETSIGMASK_NP
	sigset_t old;
#endif
	int r;

	if ((l = lookup_new(host, family)) == NULL)
		return NULL;
	if (pthread_attr_init(&ta) != 0) {
		lookup_free(l);
		return NULL;
	}
	(void)pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	(void)sigfillset(&all);
#ifdef HAVE_PTHREAD_ATTR_SETSIGMASK_NP
	/* the mask set in the thread's creation: two system calls fewer */
	if ((r = pthread_attr_setsigmask_np(&ta, &all)) == 0)
		r = pthread_create(&t, &ta, lookup_thread, l);
#else
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&t, &ta, lookup_thread, l);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
#endif
	(void)pthread_attr_destroy(&ta);
	if (r != 0) {
		lookup_free(l);
		return NULL;
	}
	return l;
}

/*
 * getaddrinfo(host) until deadline (0: none): its result (*res for the
 * caller to free on 0, errno set for EAI_SYSTEM), or *timedout.  Without
 * a thread for it (RLIMIT_NPROC, a pids cgroup) or a deadline, the plain
 * call, with the resolver's own limits.
 */
static int
lookup_name(const char *host, enum net_family family, int64_t deadline,
    struct addrinfo **res, int *timedout)
{
	struct addrinfo hints;
	struct lookup *l;
	struct timespec ts;
	int done, gai;

	*timedout = 0;
	if (deadline == 0 || (l = lookup_start(host, family)) == NULL) {
		lookup_hints(&hints, family, 0);
		return getaddrinfo(host, NULL, &hints, res);
	}
	ts.tv_sec = deadline / 1000;
	ts.tv_nsec = (deadline % 1000) * 1000000L;
	(void)pthread_mutex_lock(&l->mu);
	while (!l->done)
		if (pthread_cond_timedwait(&l->cv, &l->mu, &ts) != 0)
			break;		/* ETIMEDOUT */
	if (!(done = l->done))
		l->abandoned = 1;	/* the thread frees l */
	(void)pthread_mutex_unlock(&l->mu);
	if (!done) {
		*timedout = 1;
		return EAI_AGAIN;
	}
	gai = l->gai;
	errno = l->sys_errno;
	*res = l->res;
	l->res = NULL;
	lookup_free(l);
	return gai;
}

/* The error for getaddrinfo's gai, or for no answer in waited ms. */
static enum carrier_status
lookup_error(const char *host, int gai, int timedout, int64_t waited,
    struct carrier_error *err)
{
	long long secs = (waited + 500) / 1000;

	if (timedout)
		return status_set(err, CARRIER_TEMP, PHASE_RESOLVE,
		    "cannot look up host %s: no answer in %lld s", host,
		    secs < 1 ? 1 : secs);
	switch (gai) {
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
	case EAI_ADDRFAMILY:
#endif
		return status_set(err, CARRIER_PERM, PHASE_RESOLVE,
		    "host %s not found", host);
	case EAI_SYSTEM:
		return status_set(err, CARRIER_TEMP, PHASE_RESOLVE,
		    "cannot look up host %s: %s", host, strerror(errno));
	default:
		return status_set(err, CARRIER_TEMP, PHASE_RESOLVE,
		    "cannot look up host %s: %s", host, gai_strerror(gai));
	}
}

enum carrier_status
net_resolve(const char *host, enum net_family family, int64_t deadline,
    struct dns_addr *a, size_t max, size_t *n, struct carrier_error *err)
{
	struct addrinfo hints, *res = NULL;
	int64_t t0 = monotime_ms();
	int gai, timedout;

	*n = 0;
	lookup_hints(&hints, NET_ANY, AI_NUMERICHOST);	/* no DNS */
	if ((gai = getaddrinfo(host, NULL, &hints, &res)) == 0) {
		*n = addrs_from_ai(res, family, a, max);
		freeaddrinfo(res);
		if (*n == 0)
			return status_set(err, CARRIER_PERM, PHASE_RESOLVE,
			    "address %s is not IPv%c", host,
			    family == NET_ONLY_V4 ? '4' : '6');
		return CARRIER_OK;
	}
	if (gai != EAI_NONAME)
		return lookup_error(host, gai, 0, 0, err);
	gai = lookup_name(host, family, deadline, &res, &timedout);
	if (gai != 0)
		return lookup_error(host, gai, timedout, deadline - t0, err);
	*n = addrs_from_ai(res, family, a, max);
	freeaddrinfo(res);
	if (*n == 0)
		return status_set(err, CARRIER_PERM, PHASE_RESOLVE,
		    "host %s not found", host);
	return CARRIER_OK;
}
