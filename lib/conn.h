/* SPDX-License-Identifier: ISC */
/*
 * conn.h: a connection with buffered I/O and an absolute deadline.
 *
 * All network reads and writes go through here.  The transport is a pair
 * of function pointers (plain socket now, TLS later, a pipe in tests), so
 * protocol code is tested without sockets.  Writes are buffered until
 * conn_flush(), so a pipelined group of commands leaves in one segment.
 * Every operation fails with ETIMEDOUT once the deadline set by
 * conn_set_timeout() has passed.
 */
#ifndef CARRIER_CONN_H
#define CARRIER_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CONN_LINE_MAX	2048	/* a reply line; RFC 5321 says 512 */
#define CONN_RBUF	4096
#define CONN_WBUF	16384
#define CONN_FILE_CHUNK	16384	/* conn_sendfile's copy, without sendfile */
#define CONN_REARM	65536	/* conn_sendfile renews the deadline per */

struct conn;

struct conn_ops {
	/*
	 * Like read(2)/write(2) on a non-blocking fd: -1 with EAGAIN when
	 * the call would block; then c->want says which poll(2) event to
	 * wait for (0: POLLIN for a read, POLLOUT for a write).
	 */
	ssize_t	(*read)(struct conn *, void *, size_t);
	ssize_t	(*write)(struct conn *, const void *, size_t);
};

struct conn {
	int			 fd;
	const struct conn_ops	*ops;
	void			*ctx;		/* transport state */
	short			 want;		/* see struct conn_ops */
	int64_t			 deadline;	/* monotonic ms; 0 = none */
	unsigned int		 timeout_ms;	/* the last conn_set_timeout */
	char			 rbuf[CONN_RBUF];
	size_t			 rpos, rlen;
	char			 wbuf[CONN_WBUF];
	size_t			 wlen;
	uint64_t		 bytes_out;
	unsigned int		 flushes;	/* write bursts, for tests */
};

/* Sets up c on a connected, non-blocking fd with the plain transport. */
void	conn_init(struct conn *c, int fd);

/* Sets the deadline to now + ms (0 = no deadline). */
void	conn_set_timeout(struct conn *c, unsigned int ms);

/*
 * Reads one line terminated by LF (a preceding CR is removed) into line
 * (size bytes, NUL-terminated; the length in *len).  Returns 0, or -1
 * with errno: ETIMEDOUT, ECONNRESET (end of file, also mid-line),
 * EMSGSIZE (line longer than size - 1 or CONN_LINE_MAX), or the
 * transport's error.
 */
int	conn_getline(struct conn *c, char *line, size_t size, size_t *len);

/*
 * Reads up to len (> 0) octets into buf: what is buffered, else what
 * one read of the transport brings, waited for until the deadline.  For
 * what is not read by lines (an HTTP body).  Returns the count, 0 at the
 * end of the stream, or -1 with errno: ETIMEDOUT, or the transport's
 * error.
 */
ssize_t	conn_read(struct conn *c, void *buf, size_t len);

/* Buffers len bytes, writing out full buffers.  0 or -1 with errno. */
int	conn_write(struct conn *c, const void *buf, size_t len);

/*
 * Writes out what is buffered, then len octets of file fd from offset
 * off: with sendfile(2) on a plain socket (no copy through user space),
 * else read and written in chunks.  The deadline is renewed (by the last
 * conn_set_timeout) after every CONN_REARM octets sent, so it bounds each
 * piece, not the whole file: a large file over a slow link is not cut
 * off while it moves (RFC 5321 4.5.3.2.5 times each send).  Returns 0 or
 * -1 with errno (EIO when the file is shorter).  A file that fits in
 * the write buffer beside what is there is only buffered, so a small
 * message goes out in one write with the commands around it.
 */
int	conn_sendfile(struct conn *c, int fd, uint64_t off, uint64_t len);

/* Writes out everything buffered.  0 or -1 with errno. */
int	conn_flush(struct conn *c);

/*
 * Drops what is buffered for writing, unsent: after a write failed
 * because the peer is gone, so what it said before can still be read.
 */
void	conn_discard(struct conn *c);

/* Bytes buffered for reading that have not been consumed. */
size_t	conn_pending(const struct conn *c);

/*
 * Whether the peer has said nothing since the last reply: nothing is
 * buffered and the socket is not readable (a 421, a hang-up, a TLS
 * close_notify would make it so).  Checks a kept connection without a
 * round trip.
 */
int	conn_idle(const struct conn *c);

/*
 * Waits until fd is ready for the poll(2) events ev, or the absolute
 * deadline (monotime_ms() milliseconds; 0 = none) passes: 0, or -1 with
 * errno (ETIMEDOUT).  For any fd, a struct conn's or not.
 */
int	conn_poll(int fd, short ev, int64_t deadline);

/* conn_poll() on c's fd with c's deadline: for transports (TLS). */
int	conn_wait(struct conn *c, short ev);

/* Closes the fd. */
void	conn_close(struct conn *c);

#endif
