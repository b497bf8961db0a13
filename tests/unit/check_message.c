/* SPDX-License-Identifier: ISC */
/*
 * check_message.c: line-end normalisation and the lone-dot rule, fed
 * whole and one byte at a time (chunk boundaries must not matter).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "message.h"

static const struct {
	const char	*in;
	size_t		 inlen;		/* 0: strlen */
	unsigned int	 flags;
	const char	*out;
	size_t		 outlen;	/* 0: strlen */
	int		 dot_ended;
} cases[] = {
	{ "a\nb\n", 0, 0, "a\r\nb\r\n", 0, 0 },
	{ "a\r\nb\r\n", 0, 0, "a\r\nb\r\n", 0, 0 },
	{ "a\rb\r", 0, 0, "a\r\nb\r\n", 0, 0 },
	{ "a\r\r\nb", 0, 0, "a\r\n\r\nb\r\n", 0, 0 },
	{ "no newline", 0, 0, "no newline\r\n", 0, 0 },
	{ "", 0, 0, "", 0, 0 },
	{ "\n", 0, 0, "\r\n", 0, 0 },
	{ "x\n.\ny\n", 0, 0, "x\r\n.\r\ny\r\n", 0, 0 },	/* -i */
	{ "x\n.\ny\n", 0, MESSAGE_DOT_ENDS, "x\r\n", 0, 1 },
	{ "x\r\n.\r\ny\r\n", 0, MESSAGE_DOT_ENDS, "x\r\n", 0, 1 },
	{ "x\n.", 0, MESSAGE_DOT_ENDS, "x\r\n", 0, 1 },
	{ ".\n", 0, MESSAGE_DOT_ENDS, "", 0, 1 },
	{ "x\n..\ny\n", 0, MESSAGE_DOT_ENDS, "x\r\n..\r\ny\r\n", 0, 0 },
	{ "x\n.x\n", 0, MESSAGE_DOT_ENDS, "x\r\n.x\r\n", 0, 0 },
	{ "x\n .\n", 0, MESSAGE_DOT_ENDS, "x\r\n .\r\n", 0, 0 },
	{ "x\n.\r", 0, MESSAGE_DOT_ENDS, "x\r\n", 0, 1 },
	{ "a.\nb\n", 0, MESSAGE_DOT_ENDS, "a.\r\nb\r\n", 0, 0 },
	{ "nul\0byte\n", 9, 0, "nul\0byte\r\n", 10, 0 },
};

static void
run_case(int i, size_t step, char *out, size_t *olen, struct message_norm *n)
{
	const char *in = cases[i].in;
	size_t inlen = cases[i].inlen ? cases[i].inlen : strlen(in), pos = 0;
	size_t used;

	message_norm_init(n, cases[i].flags);
	*olen = 0;
	while (pos < inlen && !n->done) {
		size_t chunk = inlen - pos < step ? inlen - pos : step;

		*olen += message_norm_feed(n, in + pos, chunk, out + *olen,
		    &used);
		pos += used;
	}
	*olen += message_norm_finish(n, out + *olen);
}

START_TEST(test_message_norm_table)
{
	struct message_norm n;
	char out[256];
	size_t olen, want = cases[_i].outlen ? cases[_i].outlen :
	    strlen(cases[_i].out), step;

	for (step = 1; step <= 64; step *= 4) {
		run_case(_i, step, out, &olen, &n);
		ck_assert_msg(olen == want && memcmp(out, cases[_i].out,
		    want) == 0, "case %d step %zu: length %zu, want %zu",
		    _i, step, olen, want);
		ck_assert_int_eq(n.info.dot_ended, cases[_i].dot_ended);
		ck_assert_uint_eq(n.info.size, want);
	}
}
END_TEST

START_TEST(test_message_norm_info)
{
	struct message_norm n;
	static char in[2100], out[4300];
	size_t used, o;

	memset(in, 'x', 1500);
	in[1500] = '\n';
	memcpy(in + 1501, "caf\xc3\xa9\n", 6);
	message_norm_init(&n, 0);
	o = message_norm_feed(&n, in, 1507, out, &used);
	o += message_norm_finish(&n, out + o);
	ck_assert_uint_eq(n.info.lines, 2);
	ck_assert_uint_eq(n.info.long_lines, 1);
	ck_assert_uint_eq(n.info.longest, 1500);
	ck_assert_int_eq(n.info.eightbit, 1);
	ck_assert_uint_eq(o, 1509);
	ck_assert_uint_eq(n.info.dot_lines, 0);
}
END_TEST

START_TEST(test_message_norm_dot_lines)
{
	struct message_norm n;
	char out[64];
	size_t used;
	static const char in1[] = ".a\n.\nb.\n..\n", in2[] = ".a\n..\n.\n";

	message_norm_init(&n, 0);
	message_norm_feed(&n, in1, sizeof(in1) - 1, out, &used);
	ck_assert_uint_eq(n.info.dot_lines, 3);
	message_norm_init(&n, MESSAGE_DOT_ENDS);
	message_norm_feed(&n, in2, sizeof(in2) - 1, out, &used);
	ck_assert_uint_eq(n.info.dot_lines, 2);
	ck_assert_int_eq(n.info.dot_ended, 1);
}
END_TEST

/*
 * One byte that needs a look (CR, LF, NUL, 8-bit) at every position of
 * a 40-byte line, so the block scan finds it in each lane of a 16- or
 * 8-byte block and in the bytes after the last whole block.
 */
START_TEST(test_message_norm_every_position)
{
	static const unsigned char kinds[] = { '\r', '\n', '\0', 0x80, 0xff };
	struct message_norm n;
	char in[48], out[128], want[128];	/* two line ends: w is 43 */
	size_t pos, k, used, o, w;

	for (k = 0; k < sizeof(kinds); k++) {
		for (pos = 0; pos < 40; pos++) {
			memset(in, 'a', 40);
			in[pos] = (char)kinds[k];
			in[40] = '\n';
			message_norm_init(&n, 0);
			o = message_norm_feed(&n, in, 41, out, &used);
			o += message_norm_finish(&n, out + o);
			/* CR and LF end a line there; the rest are copied */
			memcpy(want, in, pos);
			w = pos;
			if (kinds[k] == '\r' || kinds[k] == '\n') {
				memcpy(want + w, "\r\n", 2);
				w += 2;
			} else
				want[w++] = (char)kinds[k];
			memcpy(want + w, in + pos + 1, 40 - pos - 1);
			w += 40 - pos - 1;
			/* a CR just before the final LF makes one CRLF */
			if (!(kinds[k] == '\r' && pos == 39)) {
				memcpy(want + w, "\r\n", 2);
				w += 2;
			}
			ck_assert_msg(o == w && memcmp(out, want, w) == 0,
			    "byte %#x at %zu: length %zu, want %zu",
			    kinds[k], pos, o, w);
			ck_assert_uint_eq(used, 41);
			ck_assert_int_eq(n.info.eightbit, kinds[k] >= 0x80);
			ck_assert_int_eq(n.info.nul, kinds[k] == '\0');
			ck_assert_uint_eq(n.info.lines, w - 40 == 3 ? 2 : 1);
		}
	}
}
END_TEST

START_TEST(test_message_intake_file)
{
	char in_path[] = "/tmp/check_msg_in.XXXXXX";
	char out_path[] = "/tmp/check_msg_out.XXXXXX";
	struct message_info info;
	struct carrier_error err;
	char buf[64];
	int in = mkstemp(in_path), out = mkstemp(out_path);

	ck_assert_int_ne(in, -1);
	ck_assert_int_ne(out, -1);
	unlink(in_path);
	unlink(out_path);
	ck_assert_int_eq(write(in, "S: x\n\nbody\n.\nafter\n", 19), 19);
	lseek(in, 0, SEEK_SET);
	status_clear(&err);
	ck_assert_int_eq(message_intake(in, out, "test", MESSAGE_DOT_ENDS,
	    &info, &err), CARRIER_OK);
	ck_assert_uint_eq(info.size, 14);
	ck_assert_int_eq(pread(out, buf, sizeof(buf), 0), 14);
	ck_assert_int_eq(memcmp(buf, "S: x\r\n\r\nbody\r\n", 14), 0);
	close(in);
	close(out);
}
END_TEST

START_TEST(test_message_intake_write_error)
{
	struct message_info info;
	struct carrier_error err;
	int p[2], full;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "x\n", 2), 2);
	close(p[1]);
	full = open("/dev/full", O_WRONLY);
	ck_assert_int_ne(full, -1);
	status_clear(&err);
	ck_assert_int_eq(message_intake(p[0], full, "/dev/full", 0, &info,
	    &err),
	    CARRIER_TEMP);
	ck_assert_int_eq(err.phase, PHASE_LOCAL);
	ck_assert_str_eq(err.text, "saving the message in /dev/full: "
	    "No space left on device");
	close(p[0]);
	close(full);
}
END_TEST

Suite *
message_suite(void)
{
	Suite *s = suite_create("message");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_message_norm_table, 0,
	    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_message_norm_info);
	tcase_add_test(tc, test_message_norm_dot_lines);
	tcase_add_test(tc, test_message_norm_every_position);
	tcase_add_test(tc, test_message_intake_file);
	tcase_add_test(tc, test_message_intake_write_error);
	suite_add_tcase(s, tc);
	return s;
}
