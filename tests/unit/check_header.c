/* SPDX-License-Identifier: ISC */
/* check_header.c: finding, parsing, editing and folding the header. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "header.h"

static const struct {
	const char	*text;
	int		 at_eof;
	int		 rc;
	size_t		 skip, hlen, body;
} sections[] = {
	{ "A: 1\r\nB: 2\r\n\r\nbody\r\n", 1, 1, 0, 12, 14 },
	{ "A: 1\r\n  folded\r\n\r\nb\r\n", 1, 1, 0, 16, 18 },
	{ "A: 1\r\nnot a field\r\nmore\r\n", 1, 1, 0, 6, 6 },
	{ "just body\r\n", 1, 1, 0, 0, 0 },
	{ " starts with blank\r\n", 1, 1, 0, 0, 0 },
	{ "From x Sat\r\nA: 1\r\n\r\n", 1, 1, 12, 6, 20 },
	{ "From : obs@x\r\nA: 1\r\n\r\n", 1, 1, 0, 20, 22 },
	{ "A: 1\r\nB: 2\r\n", 1, 1, 0, 12, 12 },	/* header only */
	{ "", 1, 1, 0, 0, 0 },
	{ "A: 1\r\nB: 2", 0, 0, 0, 0, 0 },	/* needs more */
	{ "A : spaced name\r\n\r\n", 1, 1, 0, 17, 19 },
	{ ":novalue\r\n\r\n", 1, 1, 0, 0, 0 },
	{ "\r\nbody\r\n", 1, 1, 0, 0, 2 },
	/* an unfinished line that cannot be a field: the body, now */
	{ "A: 1\r\nno colon here", 0, 1, 0, 6, 6 },
	{ "hello world, no header", 0, 1, 0, 0, 0 },
	{ "A: 1\r\n\001x", 0, 1, 0, 6, 6 },
	/* one that may: more is needed */
	{ "A: 1\r\nSubj", 0, 0, 0, 0, 0 },
	{ "A: 1\r\nB  ", 0, 0, 0, 0, 0 },
	{ "A: 1\r\nB : still a field", 0, 0, 0, 0, 0 },
	{ "A: 1\r\n  continued", 0, 0, 0, 0, 0 },
	{ "From x", 0, 0, 0, 0, 0 },
};

START_TEST(test_header_section_table)
{
	size_t skip = 99, hlen = 99, body = 99;
	int rc = header_section(sections[_i].text, strlen(sections[_i].text),
	    sections[_i].at_eof, &skip, &hlen, &body);

	ck_assert_int_eq(rc, sections[_i].rc);
	if (rc != 1)
		return;
	ck_assert_uint_eq(skip, sections[_i].skip);
	ck_assert_uint_eq(hlen, sections[_i].hlen);
	ck_assert_uint_eq(body, sections[_i].body);
}
END_TEST

START_TEST(test_header_section_too_big)
{
	size_t n = HEADER_MAX + 64, i, skip, hlen, body;
	char *buf = malloc(n);

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i + 10 <= n; i += 10)
		memcpy(buf + i, "X: 12345\r\n", 10);
	ck_assert_int_eq(header_section(buf, i, 0, &skip, &hlen, &body), -1);
	free(buf);
}
END_TEST

/*
 * Whole field lines that end where the buffer ends, before end of file:
 * more is needed, and nothing past the buffer is read (the sanitizer
 * build catches a read of buf[len]).
 */
START_TEST(test_header_section_ends_at_line_end)
{
	static const char text[] = "A: 1\r\nB: 2\r\n";
	size_t n = sizeof(text) - 1, skip, hlen, body;
	char *buf = malloc(n);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, text, n);
	ck_assert_int_eq(header_section(buf, n, 0, &skip, &hlen, &body), 0);
	/* at end of file the same lines are the whole header */
	ck_assert_int_eq(header_section(buf, n, 1, &skip, &hlen, &body), 1);
	ck_assert_uint_eq(hlen, n);
	free(buf);
}
END_TEST

/*
 * A body that is one line of many megabytes, or a header line that never
 * ends: decided without reading it all (the body starts at once; the
 * field is refused past HEADER_MAX).
 */
START_TEST(test_header_section_long_lines)
{
	size_t n = HEADER_MAX + 64, skip, hlen, body;
	char *buf = malloc(n);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, "A: 1\r\n", 6);
	memset(buf + 6, 'b', n - 6);
	buf[100] = ' ';		/* "bbb...b bbb": no colon after the name */
	ck_assert_int_eq(header_section(buf, 200, 0, &skip, &hlen, &body), 1);
	ck_assert_uint_eq(body, 6);
	/* no blank at all: a name longer than any line cannot be one */
	buf[100] = 'b';
	ck_assert_int_eq(header_section(buf, 6 + HEADER_LINE_MAX, 0, &skip,
	    &hlen, &body), 0);
	ck_assert_int_eq(header_section(buf, 7 + HEADER_LINE_MAX, 0, &skip,
	    &hlen, &body), 1);
	ck_assert_uint_eq(body, 6);
	memcpy(buf + 6, "X-Long: ", 8);
	ck_assert_int_eq(header_section(buf, HEADER_MAX, 0, &skip, &hlen,
	    &body), 0);
	ck_assert_int_eq(header_section(buf, n, 0, &skip, &hlen, &body), -1);
	memcpy(buf, "From ", 5);
	ck_assert_int_eq(header_section(buf, n, 0, &skip, &hlen, &body), -1);
	free(buf);
}
END_TEST

/* At most HEADER_FIELDS_MAX fields are parsed; a put may go past it. */
START_TEST(test_header_fields_max)
{
	size_t n = (HEADER_FIELDS_MAX + 1) * 6, i;
	char *buf = malloc(n);
	struct header h;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < n; i += 6)
		memcpy(buf + i, "X: 1\r\n", 6);
	ck_assert_int_eq(header_parse(&h, buf, n), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(header_parse(&h, buf, n - 6), 0);
	ck_assert_uint_eq(h.n, HEADER_FIELDS_MAX);
	ck_assert_int_eq(header_put(&h, -1, "Date", "now"), 0);
	header_free(&h);
	free(buf);
}
END_TEST

/*
 * Replacing a field counts its old octets out before the new ones in: a
 * field of 548 KB replaced by one of the same size fits HEADER_MAX;
 * past it, E2BIG.  "X: " + value + CRLF is vl + 5 octets.
 */
static const struct {
	size_t	vl;		/* the replacement value's length */
	int	rc;
} puts_max[] = {
	{ 548 * 1024, 0 },
	{ HEADER_MAX - 5 - 6, 0 },	/* with "Y: 1\r\n", exactly full */
	{ HEADER_MAX - 5 - 5, -1 },
};

START_TEST(test_header_put_replace_max)
{
	struct header h;
	char *value = malloc(HEADER_MAX);

	ck_assert_ptr_nonnull(value);
	memset(&h, 0, sizeof(h));
	memset(value, 'v', 548 * 1024);
	value[548 * 1024] = '\0';
	ck_assert_int_eq(header_put(&h, -1, "X", value), 0);
	ck_assert_int_eq(header_put(&h, -1, "Y", "1"), 0);
	memset(value, 'w', puts_max[_i].vl);
	value[puts_max[_i].vl] = '\0';
	errno = 0;
	ck_assert_int_eq(header_put(&h, 0, "X", value), puts_max[_i].rc);
	if (puts_max[_i].rc == 0)
		ck_assert_uint_eq(h.total, puts_max[_i].vl + 5 + 6);
	else
		ck_assert_int_eq(errno, E2BIG);
	free(value);
	header_free(&h);
}
END_TEST

START_TEST(test_header_edit_and_render)
{
	static const char in[] = "Subject: hi\r\nBcc: x@y\r\nTo: a@b,\r\n c@d\r\n";
	struct header h;
	const char *v;
	char *out;
	size_t vl, len;
	int long_left;

	ck_assert_int_eq(header_parse(&h, in, sizeof(in) - 1), 0);
	ck_assert_uint_eq(h.n, 3);
	ck_assert_int_eq(header_find(&h, "bcc", 0), 1);
	ck_assert_int_eq(header_find(&h, "Cc", 0), -1);
	v = header_value(&h, 2, &vl);
	ck_assert_uint_eq(vl, 11);
	ck_assert_int_eq(memcmp(v, " a@b,\r\n c@d", vl), 0);
	header_remove(&h, 1);
	ck_assert_int_eq(header_put(&h, -1, "Date", "now"), 0);
	ck_assert_int_eq(header_put(&h, 0, "Subject", "new"), 0);
	ck_assert_int_eq(header_render(&h, &out, &len, &long_left), 0);
	ck_assert_int_eq(long_left, 0);
	ck_assert_uint_eq(len, strlen("Subject: new\r\nTo: a@b,\r\n c@d\r\n"
	    "Date: now\r\n\r\n"));
	ck_assert_int_eq(memcmp(out, "Subject: new\r\nTo: a@b,\r\n c@d\r\n"
	    "Date: now\r\n\r\n", len), 0);
	free(out);
	header_free(&h);
}
END_TEST

START_TEST(test_header_render_folds_long_lines)
{
	struct header h;
	char value[3000], *out, *line;
	size_t i, len;
	int long_left;

	for (i = 0; i + 5 < sizeof(value); i += 5)
		memcpy(value + i, "word ", 5);
	value[i] = '\0';
	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(header_put(&h, -1, "X-Long", value), 0);
	ck_assert_int_eq(header_render(&h, &out, &len, &long_left), 0);
	ck_assert_int_eq(long_left, 0);
	for (line = out; line < out + len; line = strstr(line, "\r\n") + 2)
		ck_assert_uint_le((size_t)(strstr(line, "\r\n") - line),
		    HEADER_LINE_MAX);
	free(out);
	memset(value, 'x', 2000);
	value[2000] = '\0';
	ck_assert_int_eq(header_put(&h, 0, "X-Long", value), 0);
	ck_assert_int_eq(header_render(&h, &out, &len, &long_left), 0);
	ck_assert_int_eq(long_left, 1);	/* nowhere to fold */
	free(out);
	header_free(&h);
}
END_TEST

Suite *
header_suite(void)
{
	Suite *s = suite_create("header");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_header_section_table, 0,
	    sizeof(sections) / sizeof(sections[0]));
	tcase_add_test(tc, test_header_section_too_big);
	tcase_add_test(tc, test_header_section_ends_at_line_end);
	tcase_add_test(tc, test_header_section_long_lines);
	tcase_add_test(tc, test_header_fields_max);
	tcase_add_loop_test(tc, test_header_put_replace_max, 0,
	    sizeof(puts_max) / sizeof(puts_max[0]));
	tcase_add_test(tc, test_header_edit_and_render);
	tcase_add_test(tc, test_header_render_folds_long_lines);
	suite_add_tcase(s, tc);
	return s;
}
