/* SPDX-License-Identifier: ISC */
/*
 * message.c: intake of a message into its canonical form (see
 * message.h for the form).  Depends on status.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "message.h"

#define MESSAGE_CHUNK	32768

static void	line_end(struct message_norm *);
static size_t	span(const unsigned char *, size_t, unsigned int);
static int	write_all(int, const char *, size_t);

void
message_norm_init(struct message_norm *n, unsigned int flags)
{
	memset(n, 0, sizeof(*n));
	n->flags = flags;
	n->bol = 1;
}

static void
line_end(struct message_norm *n)
{
	n->info.lines++;
	n->info.size += n->linelen + 2;
	if (n->linelen > MESSAGE_LINE_MAX)
		n->info.long_lines++;
	if (n->linelen > n->info.longest)
		n->info.longest = n->linelen;
	n->linelen = 0;
	n->bol = 1;
}

/*
 * Bytes that need a look of their own: CR, LF, NUL and 8-bit ones (the
 * latter two only until the first is seen).  Everything else is copied
 * in spans.
 */
static unsigned char special[256];

static void
special_init(void)
{
	int c;

	special['\r'] = special['\n'] = 1;
	special['\0'] = 2;
	for (c = 0x80; c < 0x100; c++)
		special[c] = 4;
}

/*
 * The length of the run of bytes at p (n octets) that need no look of
 * their own (special[] & mask clear).  Sixteen bytes at a time with
 * SSE2 (every x86-64 has it), else eight at a time in a word; the first
 * stopping byte of a block is found from its bit mask, and only the
 * last few bytes of the buffer go one at a time.
 */
#if defined(__SSE2__)
#include <emmintrin.h>

static size_t
span(const unsigned char *p, size_t n, unsigned int mask)
{
	const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
	const __m128i zero = _mm_setzero_si128();
	size_t j = 0;
	unsigned int stop;
	__m128i v;

	for (; j + 16 <= n; j += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
		stop = (unsigned int)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
		if (mask & 2u)
			stop |= (unsigned int)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, zero));
		if (mask & 4u)
			stop |= (unsigned int)_mm_movemask_epi8(v);
		if (stop != 0)
			return j + (size_t)__builtin_ctz(stop);
	}
	while (j < n && (special[p[j]] & mask) == 0)
		j++;
	return j;
}
#else
/*
 * HAS_ZERO(v) is nonzero when a byte of v is zero, and its lowest set
 * bit is exact: it marks the first zero byte (bytes above it may be
 * marked falsely).  So the lowest bit of an OR of such terms marks the
 * first byte that stops the span.
 */
#define ONES		0x0101010101010101ULL
#define HIGHS		0x8080808080808080ULL
#define HAS_ZERO(v)	(((v) - ONES) & ~(v) & HIGHS)

static size_t
span(const unsigned char *p, size_t n, unsigned int mask)
{
	size_t j = 0;
	uint64_t w, stop;

	for (; j + 8 <= n; j += 8) {
		memcpy(&w, p + j, sizeof(w));
		stop = HAS_ZERO(w ^ ('\r' * ONES)) | HAS_ZERO(w ^ ('\n' * ONES));
		if (mask & 2u)
			stop |= HAS_ZERO(w);
		if (mask & 4u)
			stop |= w & HIGHS;
		if (stop != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return j + (size_t)__builtin_ctzll(stop) / 8;
#else
			break;
#endif
		}
	}
	while (j < n && (special[p[j]] & mask) == 0)
		j++;
	return j;
}
#endif

size_t
message_norm_feed(struct message_norm *n, const char *in, size_t inlen,
    char *out, size_t *used)
{
	const unsigned char *u = (const unsigned char *)in;
	unsigned int mask = 1u | (n->info.nul ? 0 : 2u) |
	    (n->info.eightbit ? 0 : 4u);
	size_t i = 0, o = 0, j;

	if (special['\n'] == 0)
		special_init();
	while (i < inlen && !n->done) {
		unsigned char c = u[i];

		if (c == '\n' && n->prev_cr) {
			n->prev_cr = 0;		/* the LF of a CRLF */
			i++;
			continue;
		}
		n->prev_cr = c == '\r';
		if (n->pending_dot) {
			n->pending_dot = 0;
			if (c == '\r' || c == '\n') {
				n->done = 1;	/* a lone "." line */
				n->info.dot_ended = 1;
				n->prev_cr = 0;
				i++;
				/* swallow the LF of ".\r\n" if it is here */
				if (c == '\r' && i < inlen && u[i] == '\n')
					i++;
				break;
			}
			out[o++] = '.';
			n->linelen++;
			n->info.dot_lines++;
		}
		if (c == '\r' || c == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
			line_end(n);
			i++;
			continue;
		}
		if (n->bol && c == '.') {
			if (n->flags & MESSAGE_DOT_ENDS) {
				n->bol = 0;
				n->pending_dot = 1;
				i++;
				continue;
			}
			n->info.dot_lines++;
		}
		n->bol = 0;
		/* the common case: a span of ordinary bytes */
		j = i + span(u + i, inlen - i, mask);
		if (j > i) {
			memcpy(out + o, in + i, j - i);
			o += j - i;
			n->linelen += j - i;
			i = j;
			continue;
		}
		if (c >= 0x80) {
			n->info.eightbit = 1;
			mask &= ~4u;
		} else if (c == '\0') {
			n->info.nul = 1;
			mask &= ~2u;
		}
		out[o++] = (char)c;
		n->linelen++;
		i++;
	}
	*used = i;
	return o;
}

size_t
message_norm_finish(struct message_norm *n, char *out)
{
	size_t o = 0;

	if (n->done)
		return 0;
	if (n->pending_dot) {
		/* "." then end of file: the same as a lone "." line */
		n->pending_dot = 0;
		n->done = 1;
		n->info.dot_ended = 1;
		return 0;
	}
	if (!n->bol) {
		out[o++] = '\r';
		out[o++] = '\n';
		line_end(n);
	}
	n->done = 1;
	return o;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

enum carrier_status
message_intake(int in_fd, int out_fd, const char *where, unsigned int flags,
    struct message_info *info, struct carrier_error *err)
{
	static char in[MESSAGE_CHUNK], out[2 * MESSAGE_CHUNK + 3];
	struct message_norm n;
	size_t used, olen;
	ssize_t r;

	message_norm_init(&n, flags);
	while (!n.done) {
		if ((r = read(in_fd, in, sizeof(in))) == -1) {
			if (errno == EINTR)
				continue;
			return status_set(err, CARRIER_TEMP, PHASE_INPUT,
			    "reading the message: %s", strerror(errno));
		}
		if (r == 0)
			olen = message_norm_finish(&n, out);
		else
			olen = message_norm_feed(&n, in, (size_t)r, out, &used);
		if (write_all(out_fd, out, olen) == -1)
			return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
			    "saving the message in %s: %s%s", where,
			    strerror(errno), errno == EFBIG ? " (larger than "
			    "the file size limit, ulimit -f)" : "");
	}
	*info = n.info;
	return CARRIER_OK;
}
