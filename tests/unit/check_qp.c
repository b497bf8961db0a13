/* SPDX-License-Identifier: ISC */
/*
 * check_qp.c: the quoted-printable encoder.  Vectors after RFC 2045 6.7,
 * then properties checked on every output: it decodes back to the input
 * byte for byte, its lines are at most 76 octets, it holds only
 * printable ASCII, SP, HTAB and CRLF, no white space ends a line, no
 * line starts with "From ", and cutting the input into chunks (one byte
 * at a time, or the fd API's reads) changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "qp.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define X10		"xxxxxxxxxx"
#define X70		X10 X10 X10 X10 X10 X10 X10
#define X73		X70 "xxx"
#define X74		X70 "xxxx"
#define X75		X70 "xxxxx"
#define X76		X70 "xxxxxx"

static const struct {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;
} vectors[] = {
	{ "", 0, "" },
	{ "\r\n", 0, "\r\n" },
	{ "\r\n\r\n", 0, "\r\n\r\n" },
	{ "Hello, world.\r\n", 0, "Hello, world.\r\n" },
	{ "tab\tinside and spaces\r\n", 0, "tab\tinside and spaces\r\n" },
	{ "no line end", 0, "no line end" },
	/* (1) general 8-bit representation, uppercase hex */
	{ "a=b\r\n", 0, "a=3Db\r\n" },
	{ "=\r\n", 0, "=3D\r\n" },
	{ "=3D\r\n", 0, "=3D3D\r\n" },
	{ "caf\xc3\xa9 \xe2\x82\xac\r\n", 0, "caf=C3=A9 =E2=82=AC\r\n" },
	{ "\xff\x80\xfe", 0, "=FF=80=FE" },
	{ "a\0b\r\n", 5, "a=00b\r\n" },
	{ "\0", 1, "=00" },
	{ "\x01\x1b\x7f~!", 0, "=01=1B=7F~!" },
	{ "bare\nLF\r\n", 0, "bare=0ALF\r\n" },
	{ "bare\rCR\r\n", 0, "bare=0DCR\r\n" },
	{ "\r\r\n", 0, "=0D\r\n" },
	{ "\n\r", 0, "=0A=0D" },
	{ "x\r", 0, "x=0D" },
	/* (3) white space at the end of a line */
	{ "end \r\n", 0, "end=20\r\n" },
	{ "end\t\r\n", 0, "end=09\r\n" },
	{ "a  \r\n", 0, "a =20\r\n" },
	{ " \t \r\n", 0, " \t=20\r\n" },
	{ " \r\n", 0, "=20\r\n" },
	{ "end ", 0, "end=20" },
	{ "end\t", 0, "end=09" },
	{ " \r", 0, " =0D" },
	{ " \n", 0, " =0A" },
	{ " \r\r\n", 0, " =0D\r\n" },
	{ "a \r\nb", 0, "a=20\r\nb" },
	/* "From " */
	{ "From me\r\n", 0, "=46rom me\r\n" },
	{ "a\r\nFrom b\r\nFrom c\r\n", 0, "a\r\n=46rom b\r\n=46rom c\r\n" },
	{ "From \r\n", 0, "=46rom=20\r\n" },
	{ "From ", 0, "=46rom=20" },
	{ "From\r\n", 0, "From\r\n" },
	{ "From", 0, "From" },
	{ "Fro", 0, "Fro" },
	{ "F", 0, "F" },
	{ "From:\r\n", 0, "From:\r\n" },
	{ "FFrom x\r\n", 0, "FFrom x\r\n" },
	{ " From x\r\n", 0, " From x\r\n" },
	{ ">From x\r\n", 0, ">From x\r\n" },
	{ "from x\r\n", 0, "from x\r\n" },
	{ "x From y\r\n", 0, "x From y\r\n" },
	/* (5) line length */
	{ X76 "\r\n", 0, X76 "\r\n" },
	{ X76, 0, X76 },
	{ X76 "x\r\n", 0, X75 "=\r\nxx\r\n" },
	{ X75 "=\r\n", 0, X75 "=\r\n=3D\r\n" },
	{ X73 "=\r\n", 0, X73 "=3D\r\n" },
	{ X73 "=", 0, X73 "=3D" },
	{ X73 "=y\r\n", 0, X73 "=\r\n=3Dy\r\n" },
	{ X74 "=\r\n", 0, X74 "=\r\n=3D\r\n" },
	{ X75 " \r\n", 0, X75 "=\r\n=20\r\n" },
	{ X73 " \r\n", 0, X73 "=20\r\n" },
	{ X75 " x\r\n", 0, X75 "=\r\n x\r\n" },
	{ X74 " x\r\n", 0, X74 " x\r\n" },
	{ X74 " xy\r\n", 0, X74 " =\r\nxy\r\n" },
	{ X75 "F\r\n", 0, X75 "F\r\n" },
	{ X75 "From x\r\n", 0, X75 "=\r\n=46rom x\r\n" },
	{ X74 "From x\r\n", 0, X74 "F=\r\nrom x\r\n" },
	{ X75 "x\r\r\n", 0, X75 "=\r\nx=0D\r\n" },
	{ X76 "\r\r\n", 0, X75 "=\r\nx=0D\r\n" },
	{ X70 "xxxx\xff\r\n", 0, X70 "xxxx=\r\n=FF\r\n" },
};

/*
 * Fails the test unless cond holds.  ck_assert() records every call it
 * passes (a write each), too slow for the per-byte checks below.
 */
#define CHECK(cond, ...) do {						\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

/*
 * Decodes quoted-printable q (len octets) into out (room for len),
 * failing on anything the encoder must not write; returns the length.
 */
static size_t
decode(const char *q, size_t len, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *h1, *h2;
	size_t i = 0, o = 0;

	while (i < len) {
		if (q[i] != '=') {
			out[o++] = q[i++];
			continue;
		}
		CHECK(i + 2 < len, "'=' at the end");
		if (q[i + 1] == '\r') {
			CHECK(q[i + 2] == '\n', "=CR without LF at %zu", i);
			i += 3;
			continue;
		}
		h1 = q[i + 1] != '\0' ? strchr(hex, q[i + 1]) : NULL;
		h2 = q[i + 2] != '\0' ? strchr(hex, q[i + 2]) : NULL;
		CHECK(h1 != NULL && h2 != NULL, "bad =%c%c at %zu", q[i + 1],
		    q[i + 2], i);
		out[o++] = (char)((h1 - hex) << 4 | (h2 - hex));
		i += 3;
	}
	return o;
}

/* Checks the form of the output (see the top of the file). */
static void
check_form(const char *q, size_t len)
{
	size_t i, col = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)q[i];
		if (c == '\r') {
			CHECK(i + 1 < len && q[i + 1] == '\n',
			    "bare CR at %zu", i);
			CHECK(col <= QP_LINE_MAX, "line of %zu at %zu", col, i);
			CHECK(col == 0 || (q[i - 1] != ' ' && q[i - 1] != '\t'),
			    "white space ends a line at %zu", i);
			col = 0;
			i++;
			continue;
		}
		CHECK((c >= 33 && c <= 126) || c == ' ' || c == '\t',
		    "byte %#x at %zu", c, i);
		CHECK(col > 0 || len - i < 5 || memcmp(q + i, "From ", 5) != 0,
		    "\"From \" at %zu", i);
		col++;
	}
	CHECK(col <= QP_LINE_MAX, "last line of %zu", col);
	CHECK(len == 0 || (q[len - 1] != ' ' && q[len - 1] != '\t'),
	    "white space at the end");
}

/* Encodes in through qp_encode_buf() into a new buffer of exact size. */
static char *
encode_buf(const char *in, size_t len, size_t *outlen)
{
	size_t size = QP_ENCODE_MAX(len);
	char *out = malloc(size);
	long n;

	CHECK(out != NULL, "malloc");
	n = qp_encode_buf(in, len, out, size);
	CHECK(n >= 0, "qp_encode_buf: %ld", n);
	*outlen = (size_t)n;
	return out;
}

/* Encodes in, chunk bytes per qp_encoder_update() call. */
static char *
encode_chunked(const char *in, size_t len, size_t chunk, size_t *outlen)
{
	struct qp_encoder e;
	size_t size = QP_ENCODE_MAX(len), o = 0, i, n;
	char *out = malloc(size);
	long r;

	CHECK(out != NULL, "malloc");
	qp_encoder_init(&e);
	for (i = 0; i < len; i += n) {
		n = len - i < chunk ? len - i : chunk;
		CHECK(QP_ENCODE_MAX(n) <= size - o, "QP_ENCODE_MAX");
		r = qp_encoder_update(&e, in + i, n, out + o,
		    QP_ENCODE_MAX(n));
		CHECK(r >= 0, "qp_encoder: %ld", r);
		o += (size_t)r;
	}
	r = qp_encoder_finish(&e, out + o, QP_ENCODE_MAX(0));
	CHECK(r >= 0, "qp_encoder: %ld", r);
	*outlen = o + (size_t)r;
	return out;
}

/* Every property for one input: form, round trip, chunking. */
static void
check_all(const char *in, size_t len)
{
	char *q, *q1, *q7, *back;
	size_t qlen, q1len, q7len, blen;

	q = encode_buf(in, len, &qlen);
	check_form(q, qlen);
	back = malloc(qlen + 1);
	CHECK(back != NULL, "malloc");
	blen = decode(q, qlen, back);
	CHECK(blen == len && memcmp(back, in, len) == 0, "round trip");
	q1 = encode_chunked(in, len, 1, &q1len);
	q7 = encode_chunked(in, len, 7, &q7len);
	CHECK(q1len == qlen && memcmp(q1, q, qlen) == 0, "bytewise differs");
	CHECK(q7len == qlen && memcmp(q7, q, qlen) == 0, "7 at once differs");
	free(q);
	free(q1);
	free(q7);
	free(back);
}

START_TEST(test_qp_encode_buf_vectors)
{
	size_t len = vectors[_i].len != 0 ? vectors[_i].len :
	    strlen(vectors[_i].in), qlen;
	char *in = malloc(len + 1), *q;

	ck_assert_ptr_nonnull(in);
	memcpy(in, vectors[_i].in, len);
	q = encode_buf(in, len, &qlen);
	ck_assert_msg(qlen == strlen(vectors[_i].want) &&
	    memcmp(q, vectors[_i].want, qlen) == 0,
	    "vector %d: got \"%.*s\", want \"%s\"", _i, (int)qlen, q,
	    vectors[_i].want);
	check_all(in, len);
	free(q);
	free(in);
}
END_TEST

/* 5000 'x': 66 lines of 75 and a soft break, then the rest. */
START_TEST(test_qp_encode_buf_long_line)
{
	size_t len = 5002, qlen, i, lines = 0, start = 0;
	char *in = malloc(len), *q;

	ck_assert_ptr_nonnull(in);
	memset(in, 'x', 5000);
	memcpy(in + 5000, "\r\n", 2);
	q = encode_buf(in, len, &qlen);
	for (i = 0; i + 1 < qlen; i++) {
		if (q[i] != '\r')
			continue;
		lines++;
		if (i + 2 < qlen) {
			ck_assert_uint_eq(i - start, QP_LINE_MAX);
			ck_assert_int_eq(q[i - 1], '=');
		} else
			ck_assert_uint_eq(i - start, 5000 - 66 * 75);
		start = i + 2;
	}
	ck_assert_uint_eq(lines, 67);
	ck_assert_uint_eq(qlen, 5000 + 66 * 3 + 2);
	check_all(in, len);
	free(q);
	free(in);
}
END_TEST

/*
 * Every string of up to 5 bytes over an alphabet of the bytes that
 * matter, and of up to 4 after 71 to 76 'x' (to meet the end of the
 * line).
 */
START_TEST(test_qp_encode_buf_exhaustive)
{
	static const char alpha[] = { 'F', 'r', 'o', 'm', ' ', '\t', '\r',
	    '\n', '=', 'x', '\0', (char)0xe9 };
	const size_t na = sizeof(alpha);
	char in[96];
	size_t pre, len, k, idx, code, ncodes;

	for (pre = 0; pre <= 76; pre = pre == 0 ? 71 : pre + 1) {
		memset(in, 'x', pre);
		for (len = 0; len <= 5; len++) {
			ncodes = 1;
			for (k = 0; k < len; k++)
				ncodes *= na;
			if (pre > 0 && len > 4)
				break;
			for (code = 0; code < ncodes; code++) {
				idx = code;
				for (k = 0; k < len; k++) {
					in[pre + k] = alpha[idx % na];
					idx /= na;
				}
				check_all(in, pre + len);
			}
		}
	}
}
END_TEST

/* A buffer too small: ENOSPC, and nothing written past size. */
START_TEST(test_qp_encode_buf_enospc)
{
	static const char in[] = "From x=y \xff\r\n" X76 "\r\nend ";
	size_t len = sizeof(in) - 1, need, size;
	char *out;
	long n;

	n = qp_encode_buf(in, len, NULL, 0);
	ck_assert_int_eq(n, -1);
	ck_assert_int_eq(errno, ENOSPC);
	out = malloc(1024);
	ck_assert_ptr_nonnull(out);
	need = (size_t)qp_encode_buf(in, len, out, 1024);
	free(out);
	for (size = 0; size < need; size++) {
		out = malloc(size > 0 ? size : 1);
		ck_assert_ptr_nonnull(out);
		errno = 0;
		ck_assert_int_eq(qp_encode_buf(in, len, out, size), -1);
		ck_assert_int_eq(errno, ENOSPC);
		free(out);
	}
	out = malloc(need);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(qp_encode_buf(in, len, out, need), (long)need);
	free(out);
}
END_TEST

/* QP_ENCODE_MAX() holds for the worst inputs, in any chunking. */
START_TEST(test_qp_encoder_update_max)
{
	static const char *const worst[] = { "\xff", "=", " ", "F", "\r",
	    "From ", " \r", "x\r\n" };
	char in[600];
	size_t i, k, qlen;
	char *q;

	for (i = 0; i < NELEM(worst); i++) {
		for (k = 0; k + strlen(worst[i]) <= sizeof(in);
		    k += strlen(worst[i]))
			memcpy(in + k, worst[i], strlen(worst[i]));
		q = encode_chunked(in, k, 1, &qlen);
		free(q);
		q = encode_chunked(in, k, 64, &qlen);
		free(q);
		check_all(in, k);
	}
}
END_TEST

/* A writer that stops: -1 ENOSPC, and the state is not used again. */
START_TEST(test_qp_encoder_update_enospc)
{
	struct qp_encoder e;
	char out[8];

	qp_encoder_init(&e);
	ck_assert_int_eq(qp_encoder_update(&e, "abc", 3, out, sizeof(out)),
	    3);
	ck_assert_int_eq(qp_encoder_update(&e, "From", 4, out, sizeof(out)),
	    0);
	ck_assert_int_eq(qp_encoder_finish(&e, out, 3), -1);
	ck_assert_int_eq(errno, ENOSPC);
	qp_encoder_init(&e);
	ck_assert_int_eq(qp_encoder_update(&e, "\xff\xff\xff", 3, out, 8),
	    -1);
	ck_assert_int_eq(errno, ENOSPC);
	qp_encoder_init(&e);
	ck_assert_int_eq(qp_encoder_update(&e, "From", 4, out, 0), 0);
	ck_assert_int_eq(qp_encoder_finish(&e, out, sizeof(out)), 4);
	ck_assert(memcmp(out, "From", 4) == 0);
	/* finish sets the encoder up again */
	ck_assert_int_eq(qp_encoder_update(&e, "From ", 5, out, sizeof(out)),
	    6);
	ck_assert(memcmp(out, "=46rom", 6) == 0);
	ck_assert_int_eq(qp_encoder_update(&e, "x", 1, out, sizeof(out)), 2);
	ck_assert(memcmp(out, " x", 2) == 0);
}
END_TEST

/* A small deterministic generator (xorshift64*). */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/*
 * Fills buf with bytes that look like text where it matters: mostly
 * random, with runs of CRLF, spaces, "From ", '=' and long lines.
 */
static void
fill(char *buf, size_t len, uint64_t seed)
{
	static const char *const bits[] = { "\r\n", " ", "\t", "From ", "=",
	    " \r\n", "\r\nFrom ", "\r", "\n", "\0" };
	size_t i = 0, n, k;
	uint64_t r;

	while (i < len) {
		r = rnd(&seed);
		if (r % 4 == 0) {
			k = (size_t)(r >> 8) % NELEM(bits);
			n = k == NELEM(bits) - 1 ? 1 : strlen(bits[k]);
			if (n > len - i)
				n = len - i;
			memcpy(buf + i, bits[k], n);
		} else if (r % 4 == 1) {
			n = (size_t)(r >> 8) % 300;
			if (n > len - i)
				n = len - i;
			memset(buf + i, 'a' + (int)(r >> 40) % 26, n);
		} else {
			n = len - i < 8 ? len - i : 8;
			memcpy(buf + i, &r, n);
		}
		i += n;
	}
}

/* A temporary file holding len bytes of buf; unlinked already. */
static int
temp_fd(const char *buf, size_t len)
{
	char path[] = "/tmp/check_qp.XXXXXX";
	size_t done = 0;
	ssize_t n;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(unlink(path), 0);
	while (done < len) {
		n = write(fd, buf + done, len - done);
		ck_assert_int_gt(n, 0);
		done += (size_t)n;
	}
	return fd;
}

/* Reads the whole of fd (from offset 0) into a new buffer. */
static char *
slurp(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	char *buf;
	ssize_t n;

	ck_assert_int_ge(end, 0);
	buf = malloc((size_t)end + 1);
	ck_assert_ptr_nonnull(buf);
	n = pread(fd, buf, (size_t)end, 0);
	ck_assert_int_eq(n, end);
	*len = (size_t)end;
	return buf;
}

/*
 * 3 MB through the fd API: the same octets as qp_encode_buf(), a round
 * trip byte for byte, and the form checked.
 */
START_TEST(test_qp_encode_fd_random_3mb)
{
	size_t len = 3 << 20, qlen, flen, blen;
	char *in = malloc(len), *q, *f, *back;
	uint64_t written = 0;
	int ifd, ofd;

	ck_assert_ptr_nonnull(in);
	fill(in, len, UINT64_C(0x9e3779b97f4a7c15));
	ifd = temp_fd(in, len);
	ofd = temp_fd("", 0);
	ck_assert_int_eq(qp_encode_fd(ifd, 0, ofd, &written), 0);
	f = slurp(ofd, &flen);
	ck_assert_uint_eq(written, flen);
	q = encode_buf(in, len, &qlen);
	ck_assert_uint_eq(flen, qlen);
	ck_assert(memcmp(f, q, qlen) == 0);
	check_form(f, flen);
	back = malloc(flen);
	ck_assert_ptr_nonnull(back);
	blen = decode(f, flen, back);
	ck_assert_uint_eq(blen, len);
	ck_assert(memcmp(back, in, len) == 0);
	ck_assert_int_eq(close(ifd), 0);
	ck_assert_int_eq(close(ofd), 0);
	free(back);
	free(q);
	free(f);
	free(in);
}
END_TEST

/*
 * The tricky sequences placed across the fd API's read boundary, at
 * every shift: the output is that of the whole buffer.
 */
START_TEST(test_qp_encode_fd_chunk_boundary)
{
	static const char *const seq[] = { "From x", " \r\n", "\t\r\n",
	    "\r\n", "=\r\n", "\xff\r\n", X76 "\r\n" };
	size_t len = 2 * QP_FD_CHUNK + 100, i, shift, at, qlen, flen;
	char *in = malloc(len), *q, *f;
	uint64_t written;
	int ifd, ofd;

	ck_assert_ptr_nonnull(in);
	for (i = 0; i < NELEM(seq); i++) {
		for (shift = 0; shift <= strlen(seq[i]) + 1; shift++) {
			memset(in, 'y', len);
			/* a line start just before, or not */
			for (at = QP_FD_CHUNK - 80; at < QP_FD_CHUNK; at += 20)
				memcpy(in + at, "\r\n", 2);
			at = QP_FD_CHUNK + 1 - shift;
			memcpy(in + at - 2, "\r\n", 2);
			memcpy(in + at, seq[i], strlen(seq[i]));
			ifd = temp_fd(in, len);
			ofd = temp_fd("", 0);
			ck_assert_int_eq(qp_encode_fd(ifd, 0, ofd, &written),
			    0);
			f = slurp(ofd, &flen);
			q = encode_buf(in, len, &qlen);
			ck_assert_uint_eq(flen, qlen);
			ck_assert_msg(memcmp(f, q, qlen) == 0, "%zu shift %zu",
			    i, shift);
			free(f);
			free(q);
			ck_assert_int_eq(close(ifd), 0);
			ck_assert_int_eq(close(ofd), 0);
		}
	}
	free(in);
}
END_TEST

/*
 * in_off skips the head; pread leaves in_fd's offset alone; out_fd is
 * written at its position; an offset past the end gives nothing.
 */
START_TEST(test_qp_encode_fd_offset)
{
	static const char msg[] = "Subject: x\r\n\r\nFrom here \r\n";
	uint64_t written = 99;
	size_t flen;
	char *f;
	int ifd, ofd;

	ifd = temp_fd(msg, sizeof(msg) - 1);
	ck_assert_int_eq(lseek(ifd, 3, SEEK_SET), 3);
	ofd = temp_fd("HEAD", 4);
	ck_assert_int_eq(qp_encode_fd(ifd, 14, ofd, &written), 0);
	ck_assert_int_eq(lseek(ifd, 0, SEEK_CUR), 3);
	f = slurp(ofd, &flen);
	ck_assert_uint_eq(written, 16);
	ck_assert_uint_eq(flen, 20);
	ck_assert(memcmp(f, "HEAD=46rom here=20\r\n", 20) == 0);
	free(f);
	ck_assert_int_eq(qp_encode_fd(ifd, 1000, ofd, &written), 0);
	ck_assert_uint_eq(written, 0);
	ck_assert_int_eq(qp_encode_fd(ifd, sizeof(msg) - 1, ofd, NULL), 0);
	ck_assert_int_eq(lseek(ofd, 0, SEEK_END), 20);
	ck_assert_int_eq(close(ifd), 0);
	ck_assert_int_eq(close(ofd), 0);
}
END_TEST

/* Errors come back as -1 and errno. */
START_TEST(test_qp_encode_fd_errors)
{
	uint64_t written;
	int ifd, ofd, p[2];

	ifd = temp_fd("abc\r\n", 5);
	ofd = temp_fd("", 0);
	errno = 0;
	ck_assert_int_eq(qp_encode_fd(-1, 0, ofd, &written), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(qp_encode_fd(ifd, 0, -1, &written), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(qp_encode_fd(ifd, UINT64_MAX, ofd, &written), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	errno = 0;
	ck_assert_int_eq(qp_encode_fd(p[0], 0, ofd, &written), -1);
	ck_assert_int_eq(errno, ESPIPE);
	ck_assert_int_eq(close(p[0]), 0);
	errno = 0;
	ck_assert_int_eq(qp_encode_fd(ifd, 0, p[1], &written), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(close(p[1]), 0);
	ck_assert_int_eq(close(ifd), 0);
	ck_assert_int_eq(close(ofd), 0);
}
END_TEST

Suite *
qp_suite(void)
{
	Suite *s = suite_create("qp");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_qp_encode_buf_vectors, 0,
	    NELEM(vectors));
	tcase_add_test(tc, test_qp_encode_buf_long_line);
	tcase_add_test(tc, test_qp_encode_buf_exhaustive);
	tcase_add_test(tc, test_qp_encode_buf_enospc);
	tcase_add_test(tc, test_qp_encoder_update_max);
	tcase_add_test(tc, test_qp_encoder_update_enospc);
	tcase_add_test(tc, test_qp_encode_fd_random_3mb);
	tcase_add_test(tc, test_qp_encode_fd_chunk_boundary);
	tcase_add_test(tc, test_qp_encode_fd_offset);
	tcase_add_test(tc, test_qp_encode_fd_errors);
	suite_add_tcase(s, tc);
	return s;
}
