/* SPDX-License-Identifier: ISC */
/*
 * net_connect.c: connecting to one of a host's addresses with Happy
 * Eyeballs (RFC 8305 section 5), and the relay's connect (see net.h).
 * The attempts are non-blocking sockets waited for together with one
 * poll(2): no threads, no signals.  Depends on net (addresses, lookup),
 * log (the -v transcript), status and monotime (the clock).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "monotime.h"
#include "log.h"
#include "net.h"

/* One address being connected to. */
struct attempt {
	int		 fd;
	size_t		 addr;		/* in the caller's a[] */
	size_t		 try;		/* in the caller's tries[] */
	int64_t		 start;
	int64_t		 end;		/* its connect_ms or the deadline */
};

/* One net_connect_addrs() call. */
struct eyeballs {
	const char		*name;
	const struct dns_addr	*a;
	size_t			 n;
	size_t			 next;		/* the next address to start */
	unsigned int		 port;
	const struct net_opts	*o;
	struct net_try		*tries;		/* or NULL */
	size_t			 ntries;	/* attempts started */
	struct attempt		 run[NET_PARALLEL_MAX];	/* in start order */
	size_t			 nrun;
	int64_t			 t0;
	int64_t			 next_at;	/* when the next may start */
	size_t			 last;		/* the address failed last */
	int			 last_err;
	int			 only_timeouts;
};

static char	*peer(const struct eyeballs *, size_t, char *, size_t);
static int	open_socket(const struct dns_addr *, unsigned int,
		    const struct net_opts *, int *);
static void	finish(struct eyeballs *, struct attempt *, int, int64_t);
static void	end_attempt(struct eyeballs *, size_t, int, int64_t);
static void	run_remove(struct eyeballs *, size_t);
static int	start(struct eyeballs *, int64_t);
static int	poll_timeout(const struct eyeballs *, int64_t);
static int	wait_some(struct eyeballs *);
static int	won(struct eyeballs *, size_t, struct carrier_error *);
static int	failed(struct eyeballs *, struct carrier_error *);

/* "name[addr]:port" of a[i] as net_peer_name() writes it. */
static char *
peer(const struct eyeballs *h, size_t i, char *buf, size_t size)
{
	struct sockaddr_storage ss;

	(void)net_sockaddr(&h->a[i], h->port, &ss);
	return net_peer_name(h->name != NULL ? h->name : "",
	    (const struct sockaddr *)(void *)&ss, buf, size);
}

/*
 * A socket for a, bound to the source address of its family if any, and
 * its connect started.  Returns 1 (in progress), 0 (connected already)
 * or -1/errno; *fdp is the socket, or -1.
 */
static int
open_socket(const struct dns_addr *a, unsigned int port,
    const struct net_opts *o, int *fdp)
{
	struct sockaddr_storage ss, src_ss;
	const struct dns_addr *src = a->family == AF_INET6 ? o->src6 :
	    o->src4;
	socklen_t len, src_len;
	int fd;
#ifdef IP_BIND_ADDRESS_NO_PORT
	int one = 1;
#endif

	*fdp = -1;
	if ((len = net_sockaddr(a, port, &ss)) == 0) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if ((*fdp = fd) == -1)
		return -1;
	if (src != NULL) {
#ifdef IP_BIND_ADDRESS_NO_PORT
		/* the port at connect: the same one may go to other peers */
		(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
		    &one, sizeof(one));
#endif
		if ((src_len = net_sockaddr(src, 0, &src_ss)) == 0) {
			errno = EAFNOSUPPORT;
			return -1;
		}
		if (bind(fd, (struct sockaddr *)(void *)&src_ss,
		    src_len) == -1)
			return -1;
	}
	if (connect(fd, (struct sockaddr *)(void *)&ss, len) == 0)
		return 0;
	return errno == EINPROGRESS ? 1 : -1;
}

/* Ends at (not the winner) with error e: closed, recorded, logged. */
static void
finish(struct eyeballs *h, struct attempt *at, int e, int64_t now)
{
	char buf[STATUS_HOST_MAX];

	if (at->fd != -1)
		(void)close(at->fd);
	at->fd = -1;
	if (h->tries != NULL) {
		h->tries[at->try].err = e;
		h->tries[at->try].ms = (unsigned int)(now - at->start);
	}
	if (log_verbose())
		log_note("%s: %s", peer(h, at->addr, buf, sizeof(buf)),
		    e == ECANCELED ? "abandoned, another address connected" :
		    strerror(e));
	if (e == ECANCELED)
		return;
	h->last = at->addr;
	h->last_err = e;
	if (e != ETIMEDOUT)
		h->only_timeouts = 0;
	h->next_at = now;		/* a failure starts the next at once */
}

/* Ends the running attempt i with error e. */
static void
end_attempt(struct eyeballs *h, size_t i, int e, int64_t now)
{
	finish(h, &h->run[i], e, now);
	run_remove(h, i);
}

/* Takes run[i] out of run, keeping the order of the others. */
static void
run_remove(struct eyeballs *h, size_t i)
{
	h->nrun--;
	memmove(&h->run[i], &h->run[i + 1], (h->nrun - i) *
	    sizeof(h->run[0]));
}

/*
 * Starts the next address.  Returns 1 (running), 0 (connected already:
 * the last of run) or -1 (failed already, recorded).
 */
static int
start(struct eyeballs *h, int64_t now)
{
	struct attempt *at = &h->run[h->nrun];
	const struct net_opts *o = h->o;
	char buf[STATUS_HOST_MAX];
	int r;

	at->addr = h->next++;
	at->try = h->ntries++;
	at->start = now;
	at->end = o->connect_ms != 0 ? now + o->connect_ms : INT64_MAX;
	if (o->deadline != 0 && o->deadline < at->end)
		at->end = o->deadline;
	if (h->tries != NULL) {
		h->tries[at->try].addr = h->a[at->addr];
		h->tries[at->try].err = EINPROGRESS;
		h->tries[at->try].ms = 0;
	}
	if (log_verbose())
		log_note("connecting to %s", peer(h, at->addr, buf,
		    sizeof(buf)));
	if ((r = open_socket(&h->a[at->addr], h->port, o, &at->fd)) == -1) {
		finish(h, at, errno, now);
		return -1;
	}
	h->nrun++;
	h->next_at = now + NET_HE_DELAY_MS;
	return r;
}

/*
 * poll(2)'s time-out: the first end of an attempt, the next start or
 * the deadline, whichever comes first.
 */
static int
poll_timeout(const struct eyeballs *h, int64_t now)
{
	int64_t wake = INT64_MAX;
	size_t i;

	for (i = 0; i < h->nrun; i++)
		if (h->run[i].end < wake)
			wake = h->run[i].end;
	if (h->next < h->n && h->nrun < NET_PARALLEL_MAX && h->next_at < wake)
		wake = h->next_at;
	if (h->o->deadline != 0 && h->o->deadline < wake)
		wake = h->o->deadline;
	if (wake == INT64_MAX)
		return -1;
	if (wake <= now)
		return 0;
	return wake - now > INT_MAX ? INT_MAX : (int)(wake - now);
}

/*
 * Waits for the running attempts until one connects, one fails, one's
 * time is up or the next may start.  Returns the index in run of the
 * first connected, or -1 (those that failed or ran out are ended).
 */
static int
wait_some(struct eyeballs *h)
{
	struct pollfd pfd[NET_PARALLEL_MAX];
	socklen_t sl;
	size_t i, k, nrun = h->nrun;
	int64_t now = monotime_ms();
	int r, e;

	for (i = 0; i < nrun; i++) {
		pfd[i].fd = h->run[i].fd;
		pfd[i].events = POLLOUT;
		pfd[i].revents = 0;
	}
	r = poll(pfd, nrun, poll_timeout(h, now));
	e = errno;
	now = monotime_ms();
	if (r == -1 && e != EINTR) {
		while (h->nrun > 0)
			end_attempt(h, 0, e, now);
		return -1;
	}
	/* run[i] is pfd[k] until an attempt before it has ended */
	for (i = 0, k = 0; k < nrun; k++) {
		if (pfd[k].revents != 0) {
			e = 0;
			sl = sizeof(e);
			if (getsockopt(h->run[i].fd, SOL_SOCKET, SO_ERROR, &e,
			    &sl) == -1)
				e = errno;
			if (e == 0 && (pfd[k].revents & POLLOUT))
				return (int)i;
			end_attempt(h, i, e != 0 ? e : ECONNRESET, now);
		} else if (h->run[i].end <= now)
			end_attempt(h, i, ETIMEDOUT, now);
		else
			i++;
	}
	return -1;
}

/* run[i] has connected: the others are abandoned.  Returns its fd. */
static int
won(struct eyeballs *h, size_t i, struct carrier_error *err)
{
	struct attempt at = h->run[i];
	int64_t now = monotime_ms();
	int one = 1;

	if (h->tries != NULL) {
		h->tries[at.try].err = 0;
		h->tries[at.try].ms = (unsigned int)(now - at.start);
	}
	/* commands are batched by conn; send each batch at once */
	(void)setsockopt(at.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)peer(h, at.addr, err->host, sizeof(err->host));
	run_remove(h, i);
	while (h->nrun > 0)
		end_attempt(h, 0, ECANCELED, now);
	return at.fd;
}

/* No address connected: the error for all of them.  Returns -1. */
static int
failed(struct eyeballs *h, struct carrier_error *err)
{
	int64_t now = monotime_ms();
	long long secs = (now - h->t0 + 500) / 1000;

	while (h->nrun > 0)
		end_attempt(h, 0, ETIMEDOUT, now);	/* the deadline */
	if (h->n == 0) {
		status_set(err, CARRIER_TEMP, PHASE_CONNECT,
		    "cannot connect: no address");
		return -1;
	}
	(void)peer(h, h->last, err->host, sizeof(err->host));
	if (h->ntries == 0)
		status_set(err, CARRIER_TEMP, PHASE_CONNECT,
		    "connection timed out: no time left");
	else if (h->only_timeouts)
		status_set(err, CARRIER_TEMP, PHASE_CONNECT,
		    "connection timed out after %lld s", secs < 1 ? 1 : secs);
	else
		status_set(err, CARRIER_TEMP, PHASE_CONNECT,
		    "cannot connect: %s", strerror(h->last_err));
	return -1;
}

int
net_connect_addrs(const char *name, const struct dns_addr *a, size_t n,
    unsigned int port, const struct net_opts *o, struct net_try *tries,
    size_t *ntries, struct carrier_error *err)
{
	struct eyeballs h;
	int64_t now;
	int fd = -1, r;

	memset(&h, 0, sizeof(h));
	h.name = name;
	h.a = a;
	h.n = n;
	h.port = port;
	h.o = o;
	h.tries = tries;
	h.only_timeouts = 1;
	h.t0 = h.next_at = monotime_ms();
	for (;;) {
		now = monotime_ms();
		if (o->deadline != 0 && now >= o->deadline)
			break;
		r = -1;
		while (h.next < n && h.nrun < NET_PARALLEL_MAX &&
		    (h.nrun == 0 || now >= h.next_at))
			if ((r = start(&h, now)) == 0)
				break;
		if (r == 0) {
			fd = won(&h, h.nrun - 1, err);
			break;
		}
		if (h.nrun == 0)
			break;
		if ((r = wait_some(&h)) != -1) {
			fd = won(&h, (size_t)r, err);
			break;
		}
	}
	if (fd == -1)
		(void)failed(&h, err);
	if (ntries != NULL)
		*ntries = h.ntries;
	return fd;
}

int
net_connect(const char *host, unsigned int port, unsigned int timeout_ms,
    struct carrier_error *err)
{
	struct dns_addr a[NET_ADDRS_MAX];
	struct net_opts o;
	size_t n;

	(void)snprintf(err->host, sizeof(err->host), "%s:%u", host, port);
	if (net_resolve(host, NET_ANY, monotime_ms() + timeout_ms, a,
	    NET_ADDRS_MAX, &n, err) != CARRIER_OK)
		return -1;
	memset(&o, 0, sizeof(o));
	o.connect_ms = timeout_ms;
	return net_connect_addrs(host, a, n, port, &o, NULL, NULL, err);
}
