/* SPDX-License-Identifier: ISC */
/*
 * fuzz_message.c: libFuzzer harness for message intake (the line-end
 * normaliser) and the quoted-printable encoder that follows it for long
 * lines and NUL bytes.
 *
 * Input: byte 0 picks MESSAGE_DOT_ENDS (bit 0); byte 1 seeds the chunk
 * sizes; the rest is the message as a caller would pipe it.  Checks:
 *   - the normaliser's output and every message_info field equal those
 *     of a plain line-by-line model written here (a line ends at CRLF,
 *     LF or a bare CR; a lone "." line ends the input with the flag);
 *   - feeding the input in small chunks gives the same as feeding it
 *     whole;
 *   - the quoted-printable form of the output is 7-bit, has no line over
 *     76 octets, and decodes back to the output exactly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "qp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The model: what message.h says intake does, one line at a time. */
static size_t
model(const unsigned char *in, size_t len, unsigned int flags, char *out,
    struct message_info *info)
{
	size_t i = 0, start, end, o = 0, k;

	memset(info, 0, sizeof(*info));
	while (i < len) {
		start = i;
		while (i < len && in[i] != '\r' && in[i] != '\n')
			i++;
		end = i;
		if (i < len)	/* the line end: CRLF, LF or a bare CR */
			i += in[i] == '\r' && i + 1 < len && in[i + 1] == '\n' ?
			    2 : 1;
		if ((flags & MESSAGE_DOT_ENDS) && end - start == 1 &&
		    in[start] == '.') {
			info->dot_ended = 1;
			break;
		}
		memcpy(out + o, in + start, end - start);
		o += end - start;
		out[o++] = '\r';
		out[o++] = '\n';
		info->lines++;
		info->size += end - start + 2;
		if (end - start > MESSAGE_LINE_MAX)
			info->long_lines++;
		if (end - start > info->longest)
			info->longest = end - start;
		if (end > start && in[start] == '.')
			info->dot_lines++;
		for (k = start; k < end; k++) {
			if (in[k] >= 0x80)
				info->eightbit = 1;
			if (in[k] == '\0')
				info->nul = 1;
		}
	}
	return o;
}

static int
same_info(const struct message_info *a, const struct message_info *b)
{
	return a->size == b->size && a->lines == b->lines &&
	    a->long_lines == b->long_lines && a->longest == b->longest &&
	    a->eightbit == b->eightbit && a->nul == b->nul &&
	    a->dot_ended == b->dot_ended && a->dot_lines == b->dot_lines;
}

/* Normalises in, cut into chunks of 1 to 32 octets when seed is not 0. */
static size_t
normalise(const char *in, size_t len, unsigned int flags, unsigned int seed,
    char *out, struct message_info *info)
{
	struct message_norm n;
	size_t i = 0, o = 0, k, used;

	message_norm_init(&n, flags);
	while (i < len && !n.done) {
		k = len - i;
		if (seed != 0) {
			seed = seed * 1103515245u + 12345u;
			if (k > (seed >> 16) % 32 + 1)
				k = (seed >> 16) % 32 + 1;
		}
		o += message_norm_feed(&n, in + i, k, out + o, &used);
		if (used > k || (used < k && !n.done))
			abort();
		i += used;
	}
	o += message_norm_finish(&n, out + o);
	*info = n.info;
	return o;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Checks the quoted-printable form of text (len octets) and decodes it. */
static void
check_qp(const char *text, size_t len)
{
	char *enc, *dec;
	long elen;
	size_t i, col = 0, d = 0;
	int hi, lo;

	if ((enc = malloc(QP_ENCODE_MAX(len))) == NULL ||
	    (dec = malloc(len + 1)) == NULL)
		abort();
	if ((elen = qp_encode_buf(text, len, enc, QP_ENCODE_MAX(len))) < 0)
		abort();
	for (i = 0; i < (size_t)elen; i++) {
		unsigned char c = (unsigned char)enc[i];

		if (c >= 0x80 || (c < 0x20 && c != '\t' && c != '\r' &&
		    c != '\n'))
			abort();
		if (c == '\r') {
			if (i + 1 >= (size_t)elen || enc[i + 1] != '\n')
				abort();
			col = 0;
			i++;
			continue;
		}
		if (++col > QP_LINE_MAX)
			abort();
	}
	for (i = 0; i < (size_t)elen; i++) {
		if (enc[i] != '=') {
			if (d >= len)
				abort();
			dec[d++] = enc[i];
			continue;
		}
		if (i + 2 < (size_t)elen && enc[i + 1] == '\r' &&
		    enc[i + 2] == '\n') {
			i += 2;		/* a soft line break */
			continue;
		}
		if (i + 2 >= (size_t)elen || (hi = hexval(enc[i + 1])) < 0 ||
		    (lo = hexval(enc[i + 2])) < 0 || d >= len)
			abort();
		dec[d++] = (char)(hi << 4 | lo);
		i += 2;
	}
	if (d != len || memcmp(dec, text, len) != 0)
		abort();
	free(enc);
	free(dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct message_info want, got;
	unsigned int flags;
	size_t len, wlen, glen;
	char *w, *g;

	if (size < 2)
		return 0;
	flags = (data[0] & 1) ? MESSAGE_DOT_ENDS : 0;
	len = size - 2;
	if ((w = malloc(2 * len + 3)) == NULL ||
	    (g = malloc(2 * len + 3)) == NULL)
		abort();
	wlen = model(data + 2, len, flags, w, &want);
	glen = normalise((const char *)data + 2, len, flags, 0, g, &got);
	if (glen != wlen || memcmp(g, w, wlen) != 0 || !same_info(&got, &want))
		abort();
	glen = normalise((const char *)data + 2, len, flags,
	    (unsigned int)data[1] + 1, g, &got);
	if (glen != wlen || memcmp(g, w, wlen) != 0 || !same_info(&got, &want))
		abort();
	check_qp(w, wlen);
	free(w);
	free(g);
	return 0;
}
