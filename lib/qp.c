/* SPDX-License-Identifier: ISC */
/*
 * qp.c: streaming quoted-printable encoder (rules in qp.h).
 *
 * Each input byte becomes a token, itself or "=XX", written at the end
 * of the output line, after a soft line break when the line would grow
 * past QP_LINE_MAX - 1 octets (leaving room for the '=').  A token may
 * use the last column only when its line ends right after it (a CRLF or
 * the end of the input follows), since no '=' is needed then.
 *
 * How some bytes are written depends on the bytes after them, so the
 * encoder holds at most QP_PENDING_MAX + 1 bytes in a small queue and
 * decides the first one as soon as enough of what follows is known: a
 * CR needs one more byte (LF makes a hard line break), a SP or HTAB two
 * (CRLF makes it trailing white space), an 'F' four ("rom "), a token
 * that would fill the last column two (CRLF).  At the end of the input
 * the rest is decided with what there is.  Only this state carries from
 * one chunk to the next, so the chunking cannot change the output.
 *
 * Output goes to a sink: the caller's buffer (full means ENOSPC), or a
 * fixed buffer written to a file descriptor when full.  Depends on
 * nothing but libc.
 */
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "qp.h"

struct sink {
	char		*buf;
	size_t		 size;
	size_t		 len;
	int		 fd;		/* -1: buf is all there is */
	uint64_t	 total;		/* octets written to fd */
};

static int	sink_flush(struct sink *);
static int	sink_put(struct sink *, const char *, size_t);
static int	is_literal(unsigned char);
static void	drop(struct qp_encoder *, size_t);
static int	place(struct qp_encoder *, struct sink *, const char *,
		    size_t, int);
static int	step(struct qp_encoder *, struct sink *, int);
static int	feed(struct qp_encoder *, struct sink *,
		    const unsigned char *, size_t);
static int	drain(struct qp_encoder *, struct sink *);
static long	sink_result(const struct sink *);

static int
sink_flush(struct sink *o)
{
	size_t done = 0;
	ssize_t n;

	while (done < o->len) {
		n = write(o->fd, o->buf + done, o->len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	o->total += o->len;
	o->len = 0;
	return 0;
}

/* Appends n octets (at most 3: the sink holds more). */
static int
sink_put(struct sink *o, const char *s, size_t n)
{
	if (n > o->size - o->len) {
		if (o->fd == -1) {
			errno = ENOSPC;
			return -1;
		}
		if (sink_flush(o) == -1)
			return -1;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return 0;
}

/* RFC 2045 6.7 (2): 33-60 and 62-126 stand for themselves. */
static int
is_literal(unsigned char c)
{
	return c >= 33 && c <= 126 && c != '=';
}

static void
drop(struct qp_encoder *e, size_t k)
{
	memmove(e->q, e->q + k, e->nq - k);
	e->nq -= k;
}

/*
 * Writes a token of w octets; a soft line break goes first if it does
 * not fit, the last column being usable only when endline says the line
 * ends after the token.
 */
static int
place(struct qp_encoder *e, struct sink *o, const char *tok, size_t w,
    int endline)
{
	if (e->col + w > QP_LINE_MAX - 1 &&
	    !(endline && e->col + w <= QP_LINE_MAX)) {
		if (sink_put(o, "=\r\n", 3) == -1)
			return -1;
		e->col = 0;
	}
	if (sink_put(o, tok, w) == -1)
		return -1;
	e->col += w;
	return 0;
}

/*
 * Decides the first byte in the queue, if what follows it in the queue
 * (or the end of the input, eof) is enough.  Returns 1 when it was
 * written, 0 when more input is needed, -1 on an output error.
 */
static int
step(struct qp_encoder *e, struct sink *o, int eof)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char from[] = "From ";
	unsigned char c = e->q[0];
	size_t n = e->nq, i, w;
	char tok[3];
	int enc, endline;

	if (c == '\r') {
		if (n < 2 && !eof)
			return 0;
		if (n >= 2 && e->q[1] == '\n') {
			if (sink_put(o, "\r\n", 2) == -1)
				return -1;
			e->col = 0;
			drop(e, 2);
			return 1;
		}
		enc = 1;
	} else if (c == ' ' || c == '\t') {
		if (!eof && (n < 2 || (e->q[1] == '\r' && n < 3)))
			return 0;
		enc = n == 1 || (n >= 3 && e->q[1] == '\r' && e->q[2] == '\n');
	} else if (c == 'F') {
		for (i = 1; i < 5 && i < n && e->q[i] == from[i]; i++)
			;
		if (i < 5 && i == n && !eof)
			return 0;
		/* "From " at the start of an output line, soft or hard */
		enc = i == 5 && (e->col == 0 || e->col + 1 > QP_LINE_MAX - 1);
	} else
		enc = !is_literal(c);

	w = enc ? 3 : 1;
	endline = 0;
	if (e->col + w == QP_LINE_MAX) {
		/* the last column: only if the line ends after this byte */
		if (n < 3 && !eof)
			return 0;
		endline = n == 1 ||
		    (n >= 3 && e->q[1] == '\r' && e->q[2] == '\n');
	}
	if (enc) {
		tok[0] = '=';
		tok[1] = hex[c >> 4];
		tok[2] = hex[c & 0xf];
	} else
		tok[0] = (char)c;
	if (place(e, o, tok, w, endline) == -1)
		return -1;
	drop(e, 1);
	return 1;
}

/* Encodes len bytes of in, holding back what cannot be decided yet. */
static int
feed(struct qp_encoder *e, struct sink *o, const unsigned char *in,
    size_t len)
{
	size_t i;
	int rc;

	for (i = 0; i < len; i++) {
		/* the common case: a plain byte, nothing held back */
		if (e->nq == 0 && is_literal(in[i]) && in[i] != 'F' &&
		    e->col + 1 < QP_LINE_MAX) {
			if (sink_put(o, (const char *)in + i, 1) == -1)
				return -1;
			e->col++;
			continue;
		}
		e->q[e->nq++] = in[i];
		do {
			rc = step(e, o, 0);
		} while (rc == 1 && e->nq > 0);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Decides the bytes held back, at the end of the input. */
static int
drain(struct qp_encoder *e, struct sink *o)
{
	while (e->nq > 0)
		if (step(e, o, 1) == -1)
			return -1;
	return 0;
}

static long
sink_result(const struct sink *o)
{
	if (o->len > LONG_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return (long)o->len;
}

void
qp_encoder_init(struct qp_encoder *e)
{
	memset(e, 0, sizeof(*e));
}

long
qp_encoder_update(struct qp_encoder *e, const char *in, size_t len,
    char *out, size_t size)
{
	struct sink o = { out, size, 0, -1, 0 };

	if (feed(e, &o, (const unsigned char *)in, len) == -1)
		return -1;
	return sink_result(&o);
}

long
qp_encoder_finish(struct qp_encoder *e, char *out, size_t size)
{
	struct sink o = { out, size, 0, -1, 0 };

	if (drain(e, &o) == -1)
		return -1;
	qp_encoder_init(e);
	return sink_result(&o);
}

long
qp_encode_buf(const char *in, size_t len, char *out, size_t size)
{
	struct qp_encoder e;
	struct sink o = { out, size, 0, -1, 0 };

	qp_encoder_init(&e);
	if (feed(&e, &o, (const unsigned char *)in, len) == -1 ||
	    drain(&e, &o) == -1)
		return -1;
	return sink_result(&o);
}

int
qp_encode_fd(int in_fd, uint64_t in_off, int out_fd, uint64_t *out_size)
{
	const uint64_t offmax = sizeof(off_t) >= 8 ? INT64_MAX : INT32_MAX;
	unsigned char in[QP_FD_CHUNK];
	char buf[QP_FD_CHUNK];
	struct qp_encoder e;
	struct sink o = { buf, sizeof(buf), 0, out_fd, 0 };
	uint64_t off = in_off;
	ssize_t n;

	if (in_off > offmax) {
		errno = EINVAL;
		return -1;
	}
	qp_encoder_init(&e);
	for (;;) {
		n = pread(in_fd, in, sizeof(in), (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		if ((uint64_t)n > offmax - off) {
			errno = EOVERFLOW;
			return -1;
		}
		off += (uint64_t)n;
		if (feed(&e, &o, in, (size_t)n) == -1)
			return -1;
	}
	if (drain(&e, &o) == -1 || sink_flush(&o) == -1)
		return -1;
	if (out_size != NULL)
		*out_size = o.total;
	return 0;
}
