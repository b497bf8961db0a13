/* SPDX-License-Identifier: ISC */
/*
 * conn.c: buffered connection I/O under an absolute deadline (see
 * conn.h).  Waits with poll(2); no signals, no alarm().
 * Depends on monotime (the clock).
 */
#include <sys/types.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "monotime.h"
#include "conn.h"

static ssize_t	plain_read(struct conn *, void *, size_t);
static ssize_t	plain_write(struct conn *, const void *, size_t);
static int	fill(struct conn *);
static int	write_out(struct conn *, const char *, size_t);
static ssize_t	file_read(int, char *, size_t, off_t);

static const struct conn_ops plain_ops = {
	plain_read, plain_write
};

static ssize_t
plain_read(struct conn *c, void *buf, size_t len)
{
	return read(c->fd, buf, len);
}

static ssize_t
plain_write(struct conn *c, const void *buf, size_t len)
{
	return send(c->fd, buf, len, MSG_NOSIGNAL);
}

void
conn_init(struct conn *c, int fd)
{
	/* not memset: the buffers need no clearing (68 KB of stores) */
	c->fd = fd;
	c->ops = &plain_ops;
	c->ctx = NULL;
	c->want = 0;
	c->deadline = 0;
	c->timeout_ms = 0;
	c->rpos = c->rlen = c->wlen = 0;
	c->bytes_out = 0;
	c->flushes = 0;
}

/* Up to len (> 0) octets of fd at off: the count, or -1 (EIO: shorter). */
static ssize_t
file_read(int fd, char *buf, size_t len, off_t off)
{
	ssize_t n;

	while ((n = pread(fd, buf, len, off)) == -1 && errno == EINTR)
		continue;
	if (n == 0)
		errno = EIO;	/* the file is shorter */
	return n > 0 ? n : -1;
}

int
conn_sendfile(struct conn *c, int fd, uint64_t off, uint64_t len)
{
	static char buf[CONN_FILE_CHUNK];
	uint64_t piece = 0;	/* sent since the deadline was renewed */
	ssize_t n;
	off_t o = (off_t)off;

	/* a file that fits beside what is buffered joins it: one write */
	if (len <= sizeof(c->wbuf) - c->wlen) {
		while (len > 0) {
			if ((n = file_read(fd, c->wbuf + c->wlen, (size_t)len,
			    o)) == -1)
				return -1;
			o += n;
			len -= (uint64_t)n;
			c->wlen += (size_t)n;
		}
		return 0;
	}
	if (conn_flush(c) == -1)
		return -1;
	while (len > 0) {
		size_t want = len > (1u << 30) ? (1u << 30) : (size_t)len;

		if (piece >= CONN_REARM) {
			conn_set_timeout(c, c->timeout_ms);
			piece = 0;
		}
		if (c->ops == &plain_ops) {
			n = sendfile(c->fd, fd, &o, want);
			if (n > 0) {
				len -= (uint64_t)n;
				piece += (uint64_t)n;
				c->bytes_out += (uint64_t)n;
				continue;
			}
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && (errno == EAGAIN ||
			    errno == EWOULDBLOCK)) {
				if (conn_wait(c, POLLOUT) == -1)
					return -1;
				continue;
			}
			if (n == 0) {
				errno = EIO;	/* the file is shorter */
				return -1;
			}
			if (errno != EINVAL && errno != ENOSYS)
				return -1;
		}
		/* not a plain socket (TLS), or no sendfile: copy */
		if ((n = file_read(fd, buf, want < sizeof(buf) ? want :
		    sizeof(buf), o)) == -1)
			return -1;
		o += n;
		len -= (uint64_t)n;
		piece += (uint64_t)n;
		if (write_out(c, buf, (size_t)n) == -1)
			return -1;
	}
	return 0;
}

void
conn_set_timeout(struct conn *c, unsigned int ms)
{
	c->timeout_ms = ms;
	c->deadline = ms == 0 ? 0 : monotime_ms() + ms;
}

int
conn_poll(int fd, short ev, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left;
	int r;

	for (;;) {
		left = deadline == 0 ? -1 : deadline - monotime_ms();
		if (deadline != 0 && left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		pfd.fd = fd;
		pfd.events = ev;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r > 0)
			return 0;
	}
}

int
conn_wait(struct conn *c, short ev)
{
	return conn_poll(c->fd, ev, c->deadline);
}

/*
 * Reads more into rbuf (compacting it first).  0, 1 at the end of the
 * stream, or -1.
 */
static int
fill(struct conn *c)
{
	ssize_t n;

	if (c->rpos > 0) {
		memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
		c->rlen -= c->rpos;
		c->rpos = 0;
	}
	for (;;) {
		c->want = 0;
		n = c->ops->read(c, c->rbuf + c->rlen,
		    sizeof(c->rbuf) - c->rlen);
		if (n > 0) {
			c->rlen += (size_t)n;
			return 0;
		}
		if (n == 0)
			return 1;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (conn_wait(c, c->want ? c->want : POLLIN) == -1)
			return -1;
	}
}

int
conn_getline(struct conn *c, char *line, size_t size, size_t *len)
{
	char *nl;
	size_t n, max = size - 1 < CONN_LINE_MAX ? size - 1 : CONN_LINE_MAX;
	int r;

	for (;;) {
		nl = memchr(c->rbuf + c->rpos, '\n', c->rlen - c->rpos);
		if (nl != NULL)
			break;
		if (c->rlen - c->rpos > max) {
			errno = EMSGSIZE;
			return -1;
		}
		if ((r = fill(c)) != 0) {
			if (r == 1)
				errno = ECONNRESET;	/* also mid-line */
			return -1;
		}
	}
	n = (size_t)(nl - (c->rbuf + c->rpos));
	if (n > 0 && nl[-1] == '\r')
		n--;
	if (n > max) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(line, c->rbuf + c->rpos, n);
	line[n] = '\0';
	*len = n;
	c->rpos = (size_t)(nl - c->rbuf) + 1;
	return 0;
}

ssize_t
conn_read(struct conn *c, void *buf, size_t len)
{
	size_t n;
	int r;

	if (len == 0)
		return 0;
	if (c->rlen == c->rpos && (r = fill(c)) != 0)
		return r == 1 ? 0 : -1;
	n = c->rlen - c->rpos < len ? c->rlen - c->rpos : len;
	memcpy(buf, c->rbuf + c->rpos, n);
	c->rpos += n;
	return (ssize_t)n;
}

size_t
conn_pending(const struct conn *c)
{
	return c->rlen - c->rpos;
}

int
conn_idle(const struct conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	return conn_pending(c) == 0 && poll(&p, 1, 0) == 0;
}

/* Writes len bytes from buf straight to the transport. */
static int
write_out(struct conn *c, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		c->want = 0;
		n = c->ops->write(c, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			c->bytes_out += (uint64_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		if (conn_wait(c, c->want ? c->want : POLLOUT) == -1)
			return -1;
	}
	return 0;
}

int
conn_flush(struct conn *c)
{
	if (c->wlen == 0)
		return 0;
	c->flushes++;
	if (write_out(c, c->wbuf, c->wlen) == -1)
		return -1;
	c->wlen = 0;
	return 0;
}

void
conn_discard(struct conn *c)
{
	c->wlen = 0;
}

int
conn_write(struct conn *c, const void *buf, size_t len)
{
	if (c->wlen + len <= sizeof(c->wbuf)) {
		memcpy(c->wbuf + c->wlen, buf, len);
		c->wlen += len;
		return 0;
	}
	if (conn_flush(c) == -1)
		return -1;
	if (len >= sizeof(c->wbuf)) {
		c->flushes++;
		return write_out(c, buf, len);
	}
	memcpy(c->wbuf, buf, len);
	c->wlen = len;
	return 0;
}

void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		(void)close(c->fd);
	c->fd = -1;
}
