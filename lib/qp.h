/* SPDX-License-Identifier: ISC */
/*
 * qp.h: a streaming quoted-printable encoder (RFC 2045 6.7) for message
 * bodies, so that a body with lines over 998 octets (cron output) or
 * with NUL bytes can be sent whole and unchanged.  The caller adds the
 * MIME header fields (MIME-Version, Content-Transfer-Encoding).
 *
 * The input is canonical text: CRLF ends a line and stays a hard line
 * break.  The output is 7-bit text whose lines are at most QP_LINE_MAX
 * octets before their CRLF, the final '=' of a soft line break ("=\r\n")
 * counted.  Encoded as "=XX" (uppercase hex): '=', every byte >= 0x80,
 * every control byte but HTAB (NUL, a CR not followed by LF, a bare LF,
 * DEL included), a SP or HTAB just before a CRLF or at the end of the
 * input, and the 'F' of "From " when it would begin an output line
 * (mbox safety: "=46rom ").  Everything else is written as it is.  A
 * line of QP_LINE_MAX octets or less that needs no encoding passes
 * unchanged.  The output ends where the input ends: with CRLF if the
 * input did, else without one (and without a soft break).  Dot-stuffing
 * is the SMTP layer's job.
 *
 * The output depends only on the input bytes, never on how they are cut
 * into chunks: qp_encode_buf(), qp_encode_fd() and any sequence of
 * qp_encoder_update() calls give the same octets.
 */
#ifndef CARRIER_QP_H
#define CARRIER_QP_H

#include <stddef.h>
#include <stdint.h>

#define QP_LINE_MAX	76	/* RFC 2045 6.7 (5) */
#define QP_PENDING_MAX	4	/* input bytes an encoder may hold back */
#define QP_FD_CHUNK	8192	/* qp_encode_fd() reads this much at once */

/*
 * The most octets that encoding n input bytes can give, bytes held back
 * from earlier calls included; for sizing the output of
 * qp_encoder_update() and qp_encoder_finish() (n 0).  n must be below
 * SIZE_MAX / 6 - QP_PENDING_MAX.
 */
#define QP_ENCODE_MAX(n)	(((n) + QP_PENDING_MAX) * 6)

/*
 * The state of a streaming encoder: the bytes held back until what
 * follows them is known (a SP or HTAB that may end a line, a CR that
 * may start a CRLF, an 'F' that may start "From "), and the length of
 * the output line so far.  Set up with qp_encoder_init().
 */
struct qp_encoder {
	unsigned char	q[8];
	size_t		nq;
	size_t		col;
};

/* Sets e up for a new body. */
void	qp_encoder_init(struct qp_encoder *e);

/*
 * Encodes the next len bytes of the body into out (size bytes; room for
 * QP_ENCODE_MAX(len) is always enough).  Some bytes may be held back
 * until later calls.  Returns the octets written (no NUL added); or -1
 * with errno ENOSPC when out is too small, and then e is no longer
 * usable.
 */
long	qp_encoder_update(struct qp_encoder *e, const char *in, size_t len,
	    char *out, size_t size);

/*
 * Ends the body: writes the bytes held back into out (size bytes;
 * QP_ENCODE_MAX(0) is enough).  Returns the octets written, or -1 with
 * errno ENOSPC.  e may then be set up again for another body.
 */
long	qp_encoder_finish(struct qp_encoder *e, char *out, size_t size);

/*
 * Encodes the len bytes of in, a whole body, into out (size bytes).
 * Returns the length of the output (no NUL added); or -1 with errno
 * ENOSPC when it does not fit, or EOVERFLOW when it is over LONG_MAX.
 */
long	qp_encode_buf(const char *in, size_t len, char *out, size_t size);

/*
 * Encodes the body in in_fd, from offset in_off to the end of the file
 * (read with pread(), so in_fd's offset is left alone; in_fd must be
 * seekable), and writes it to out_fd at its current position.  Memory
 * use is fixed, whatever the size of the body.  Returns 0 and the octets
 * written in *out_size (if not NULL); or -1 with errno from pread or
 * write (EINVAL for in_off over the largest off_t, EIO for a write that
 * writes nothing), and then what was written is unspecified.
 */
int	qp_encode_fd(int in_fd, uint64_t in_off, int out_fd,
	    uint64_t *out_size);

#endif
