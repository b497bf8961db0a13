/* SPDX-License-Identifier: ISC */
/*
 * check_http.c: the HTTP/1.1 response parser on hand-made responses
 * (Content-Length, chunked with extensions and trailers, a body ended
 * by the close, redirects, errors, media types, the caps, bare LF and
 * bare CR, interim responses, folded fields, HTTP/1.0), each fed whole
 * and one octet at a time: the results must be the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "http.h"

#define BODY_MAX	64

static const struct {
	const char		*in;
	enum http_result	 res;	/* after http_end */
	int			 status;
	int			 framing;
	const char		*media;
	const char		*body;	/* or why, for HTTP_BAD */
} cases[] = {
	/* 0: Content-Length, and what follows the body not taken */
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 5\r\n\r\nhelloEXTRA", HTTP_DONE, 200,
	    HTTP_BY_LENGTH, "text/plain", "hello" },
	/* chunked, extensions, leading zeros, capitals, a trailer */
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "5;name=value\r\nhello\r\n007 ; a=\"b c\"\t\r\n, world\r\n"
	    "000A\r\n0123456789\r\n0;last\r\nExpires: soon\r\n"
	    "X-Folded: a\r\n b\r\n\r\n", HTTP_DONE, 200, HTTP_BY_CHUNKS,
	    "text/plain", "hello, world0123456789" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "0\r\n\r\n", HTTP_DONE, 200, HTTP_BY_CHUNKS, "", "" },
	/* a body ended by the close */
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
	    "version: STSv1\n", HTTP_DONE, 200, HTTP_BY_CLOSE, "text/plain",
	    "version: STSv1\n" },
	{ "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold",
	    HTTP_DONE, 200, HTTP_BY_CLOSE, "text/plain", "old" },
	/* 5: bare LF line ends; no reason phrase; an empty one */
	{ "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", HTTP_DONE, 200,
	    HTTP_BY_LENGTH, "", "ok" },
	{ "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", HTTP_DONE, 200,
	    HTTP_BY_LENGTH, "", "" },
	{ "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", HTTP_DONE, 200,
	    HTTP_BY_LENGTH, "", "" },
	/* redirects, errors, other media types */
	{ "HTTP/1.1 301 Moved Permanently\r\n"
	    "Location: https://elsewhere.example/x\r\n"
	    "Location: https://second.example/\r\nContent-Length: 0\r\n\r\n",
	    HTTP_DONE, 301, HTTP_BY_LENGTH, "", "" },
	{ "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n"
	    "Content-Length: 9\r\n\r\nnot found", HTTP_DONE, 404,
	    HTTP_BY_LENGTH, "text/html", "not found" },
	/* 10 */
	{ "HTTP/1.1 200 OK\r\nContent-Type:TEXT/HTML ;charset=x\r\n"
	    "Content-Length: 1\r\n\r\n<", HTTP_DONE, 200, HTTP_BY_LENGTH,
	    "text/html", "<" },
	{ "HTTP/1.1 204 No Content\r\n\r\n", HTTP_DONE, 204, HTTP_NO_BODY,
	    "", "" },
	{ "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
	    HTTP_DONE, 304, HTTP_NO_BODY, "", "" },
	/* interim responses are skipped, their fields forgotten */
	{ "HTTP/1.1 100 Continue\r\nContent-Type: text/html\r\n\r\n"
	    "HTTP/1.1 103 Early Hints\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", HTTP_DONE, 200,
	    HTTP_BY_LENGTH, "", "x" },
	/* a fold joins the field; the same Content-Length twice */
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain;\r\n"
	    "\t charset=utf-8\r\nContent-Length: 3\r\ncontent-length: 003\r\n"
	    "\r\nabc", HTTP_DONE, 200, HTTP_BY_LENGTH, "text/plain", "abc" },
	/* 15: Transfer-Encoding overrides Content-Length */
	{ "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
	    HTTP_DONE, 200, HTTP_BY_CHUNKS, "", "z" },
	/* too large: by Content-Length, a chunk, the close */
	{ "HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n", HTTP_TOOBIG, 200,
	    HTTP_BY_LENGTH, "", "" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n"
	    "\r\n", HTTP_TOOBIG, 200, HTTP_BY_LENGTH, "", "" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "20\r\n0123456789abcdef0123456789abcdef\r\n21\r\n",
	    HTTP_TOOBIG, 200, HTTP_BY_CHUNKS, "",
	    "0123456789abcdef0123456789abcdef" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "fffffffffffffffffffffffff\r\n", HTTP_TOOBIG, 200,
	    HTTP_BY_CHUNKS, "", "" },
	/* 20 */
	{ "HTTP/1.1 200 OK\r\n\r\n"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "!", HTTP_TOOBIG, 200, HTTP_BY_CLOSE, "",
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	},
	/* cut short */
	{ "", HTTP_BAD, 0, 0, "", "no response" },
	{ "HTTP/1.1 200 OK\r\nContent-Le", HTTP_BAD, 200, 0, "",
	    "cut in the header section" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", HTTP_BAD, 200,
	    HTTP_BY_LENGTH, "", "cut in the body" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
	    HTTP_BAD, 200, HTTP_BY_CHUNKS, "", "cut in the body" },
	/* 25 */
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello"
	    "\r\n", HTTP_BAD, 200, HTTP_BY_CHUNKS, "", "cut in the body" },
	/* malformed status lines */
	{ "Content-Type: text/plain\r\n\r\n", HTTP_BAD, 0, 0, "",
	    "no status line" },
	{ "\r\nHTTP/1.1 200 OK\r\n\r\n", HTTP_BAD, 0, 0, "",
	    "no status line" },
	{ "HTTP/2.0 200 OK\r\n\r\n", HTTP_BAD, 0, 0, "", "not HTTP/1.x" },
	{ "HTTP/1.1 099 Low\r\n\r\n", HTTP_BAD, 0, 0, "",
	    "a malformed status line" },
	/* 30 */
	{ "HTTP/1.1 600 High\r\n\r\n", HTTP_BAD, 0, 0, "",
	    "a malformed status line" },
	{ "HTTP/1.1  200 OK\r\n\r\n", HTTP_BAD, 0, 0, "",
	    "a malformed status line" },
	{ "HTTP/1.1 2000 OK\r\n\r\n", HTTP_BAD, 0, 0, "",
	    "a malformed status line" },
	{ "HTTP/1.1 200 O\x01K\r\n\r\n", HTTP_BAD, 0, 0, "",
	    "a control character in the reason" },
	{ "HTTP/1.1 101 Switching Protocols\r\n\r\n", HTTP_BAD, 101, 0, "",
	    "101 (Switching Protocols) unasked" },
	/* 35: malformed fields */
	{ "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello", HTTP_BAD,
	    200, 0, "", "a malformed field name" },
	{ "HTTP/1.1 200 OK\r\n: 5\r\n\r\n", HTTP_BAD, 200, 0, "",
	    "a malformed field name" },
	{ "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n", HTTP_BAD, 200, 0, "",
	    "a malformed field name" },
	{ "HTTP/1.1 200 OK\r\n Folded: first\r\n\r\n", HTTP_BAD, 200, 0, "",
	    "a line beginning with a blank" },
	{ "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", HTTP_BAD, 200, 0, "",
	    "a CR without LF" },
	/* 40 */
	{ "HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n", HTTP_BAD, 200, 0, "",
	    "a control character in a field" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n"
	    "\r\n", HTTP_BAD, 200, 0, "", "two Content-Length values" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", HTTP_BAD, 200,
	    0, "", "a malformed Content-Length" },
	{ "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", HTTP_BAD, 200, 0, "",
	    "a malformed Content-Length" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", HTTP_BAD, 200, 0,
	    "", "a malformed Content-Length" },
	/* 45 */
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	    HTTP_BAD, 200, 0, "", "a transfer coding other than chunked" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", HTTP_BAD, 200, 0, "",
	    "Transfer-Encoding twice" },
	{ "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	    HTTP_BAD, 200, 0, "", "Transfer-Encoding in HTTP/1.0" },
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Type: text/plain\r\n\r\n", HTTP_BAD, 200, 0,
	    "text/plain", "Content-Type twice" },
	{ "HTTP/1.1 200 OK\r\nContent-Type: text\r\n\r\n", HTTP_BAD, 200,
	    0, "", "a malformed Content-Type" },
	/* 50 */
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain charset\r\n\r\n",
	    HTTP_BAD, 200, 0, "", "a malformed Content-Type" },
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/\r\n\r\n", HTTP_BAD, 200,
	    0, "", "a malformed Content-Type" },
	/* malformed chunks */
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "xyz\r\n", HTTP_BAD, 200, HTTP_BY_CHUNKS, "",
	    "a malformed chunk size" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5 x\r\n", HTTP_BAD, 200, HTTP_BY_CHUNKS, "",
	    "a malformed chunk size" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5;a\x01\r\n", HTTP_BAD, 200, HTTP_BY_CHUNKS, "",
	    "a control character in a chunk extension" },
	/* 55 */
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nhello\r\n", HTTP_BAD, 200, HTTP_BY_CHUNKS, "",
	    "chunk data longer than its size" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "0\r\nbad trailer\r\n\r\n", HTTP_BAD, 200, HTTP_BY_CHUNKS, "",
	    "a malformed field name" },
};

/*
 * Runs in (len octets) through a parser, step octets a call, to the
 * end: the final result; *heads counts the HTTP_HEAD results.
 */
static enum http_result
run(const char *in, size_t len, size_t step, struct http_resp *r,
    char *body, size_t max, int *heads)
{
	enum http_result res;
	size_t pos = 0, n, used;

	http_init(r, body, max);
	*heads = 0;
	for (;;) {
		n = len - pos < step ? len - pos : step;
		res = http_feed(r, in + pos, n, &used);
		ck_assert_uint_le(used, n);
		pos += used;
		if (res == HTTP_HEAD) {
			ck_assert_int_eq(++*heads, 1);
			continue;
		}
		if (res != HTTP_MORE)
			return res;
		ck_assert_uint_eq(used, n);
		if (pos == len)
			return http_end(r);
	}
}

static void
check_case(size_t i, size_t step)
{
	static struct http_resp r;
	char body[BODY_MAX];
	enum http_result res;
	int heads;

	res = run(cases[i].in, strlen(cases[i].in), step, &r, body,
	    sizeof(body), &heads);
	ck_assert_msg(res == cases[i].res, "case %zu step %zu: %d (%s)", i,
	    step, res, r.why);
	ck_assert_int_eq(r.status, cases[i].status);
	ck_assert_int_eq(r.framing, cases[i].framing);
	ck_assert_str_eq(r.media_type, cases[i].media);
	if (res == HTTP_BAD) {
		ck_assert_str_eq(r.why, cases[i].body);
		return;
	}
	ck_assert_int_eq(heads, 1);
	ck_assert_uint_eq(r.bodylen, strlen(cases[i].body));
	ck_assert(memcmp(body, cases[i].body, r.bodylen) == 0);
}

START_TEST(test_http_feed_table_whole)
{
	check_case((size_t)_i, (size_t)-1);
}
END_TEST

START_TEST(test_http_feed_table_octets)
{
	check_case((size_t)_i, 1);
}
END_TEST

/* HTTP_HEAD stops at the end of the header section; fields are set. */
START_TEST(test_http_feed_head_stops)
{
	static const char in[] = "HTTP/1.1 301 Moved\r\n"
	    "Location: https://x.example/p\r\nContent-Length: 3\r\n\r\nabc";
	static struct http_resp r;
	char body[BODY_MAX];
	size_t used;

	http_init(&r, body, sizeof(body));
	ck_assert_int_eq(http_feed(&r, in, sizeof(in) - 1, &used), HTTP_HEAD);
	ck_assert_uint_eq(used, sizeof(in) - 1 - 3);
	ck_assert_int_eq(r.status, 301);
	ck_assert_int_eq(r.minor, 1);
	ck_assert_str_eq(r.location, "https://x.example/p");
	ck_assert_int_eq(r.has_length, 1);
	ck_assert_uint_eq(r.length, 3);
	ck_assert_int_eq(http_feed(&r, in + used, 3, &used), HTTP_DONE);
	ck_assert_uint_eq(used, 3);
	/* done stays done, taking nothing */
	ck_assert_int_eq(http_feed(&r, "x", 1, &used), HTTP_DONE);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(http_end(&r), HTTP_DONE);
}
END_TEST

/* A Content-Length over the buffer: refused before any body is read. */
START_TEST(test_http_feed_length_toobig_early)
{
	static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 65\r\n"
	    "\r\n";
	static struct http_resp r;
	char body[BODY_MAX];
	size_t used;

	http_init(&r, body, sizeof(body));
	ck_assert_int_eq(http_feed(&r, in, sizeof(in) - 1, &used), HTTP_HEAD);
	ck_assert_int_eq(http_feed(&r, NULL, 0, &used), HTTP_TOOBIG);
}
END_TEST

/* A Location longer than kept is cut, not refused. */
START_TEST(test_http_feed_location_cut)
{
	static struct http_resp r;
	char in[1024], body[BODY_MAX];
	size_t used;
	int n;

	n = snprintf(in, sizeof(in), "HTTP/1.1 302 Found\r\nLocation: "
	    "https://x.example/%0400d\r\n\r\n", 0);
	http_init(&r, body, sizeof(body));
	ck_assert_int_eq(http_feed(&r, in, (size_t)n, &used), HTTP_HEAD);
	ck_assert_uint_eq(strlen(r.location), HTTP_VALUE_MAX - 1);
	ck_assert(strncmp(r.location, "https://x.example/000", 21) == 0);
}
END_TEST

/*
 * The caps: a line of HTTP_LINE_MAX octets passes (with CRLF or LF),
 * one more does not; a header section over HTTP_HEAD_MAX; chunked
 * framing over HTTP_FRAMING_MAX; a fold that makes a field too long.
 */
static const struct {
	size_t		 line;		/* a field line of this length */
	size_t		 lines;		/* this many times */
	const char	*end;
	const char	*why;		/* NULL: taken */
} caps[] = {
	{ HTTP_LINE_MAX, 1, "\r\n", NULL },
	{ HTTP_LINE_MAX, 1, "\n", NULL },
	{ HTTP_LINE_MAX + 1, 1, "\n", "a line over 4096 octets" },
	{ HTTP_LINE_MAX + 1, 1, "\r\n", "a line over 4096 octets" },
	{ HTTP_LINE_MAX + 100, 1, "\r\n", "a line over 4096 octets" },
	{ 1000, 17, "\r\n", "a header section over 16384 octets" },
	{ 1000, 16, "\r\n", NULL },
};

START_TEST(test_http_feed_caps)
{
	static struct http_resp r;
	static char in[HTTP_HEAD_MAX * 2];
	char body[BODY_MAX];
	enum http_result res;
	size_t len, i, step;
	int heads;

	len = (size_t)snprintf(in, sizeof(in), "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < caps[_i].lines; i++) {
		memcpy(in + len, "X-Pad: ", 7);
		memset(in + len + 7, 'a', caps[_i].line - 7);
		len += caps[_i].line;
		len += (size_t)snprintf(in + len, sizeof(in) - len, "%s",
		    caps[_i].end);
	}
	len += (size_t)snprintf(in + len, sizeof(in) - len,
	    "Content-Length: 0\r\n\r\n");
	for (step = 1; step <= len; step = step * 7 + 1) {
		res = run(in, len, step, &r, body, sizeof(body), &heads);
		if (caps[_i].why == NULL) {
			ck_assert_msg(res == HTTP_DONE, "%zu: %s", step, r.why);
			continue;
		}
		ck_assert_int_eq(res, HTTP_BAD);
		ck_assert_str_eq(r.why, caps[_i].why);
	}
}
END_TEST

/* Chunks of one octet each: the framing cap stops an endless stream. */
START_TEST(test_http_feed_framing_cap)
{
	static struct http_resp r;
	static char body[100000];
	static const char head[] = "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n";
	char chunk[64];
	enum http_result res;
	size_t used, i, n;

	http_init(&r, body, sizeof(body));
	ck_assert_int_eq(http_feed(&r, head, sizeof(head) - 1, &used),
	    HTTP_HEAD);
	n = (size_t)snprintf(chunk, sizeof(chunk), "1;%040d\r\nx\r\n", 0);
	for (i = 0; i < 10000; i++)
		if ((res = http_feed(&r, chunk, n, &used)) != HTTP_MORE)
			break;
	ck_assert_int_eq(res, HTTP_BAD);
	ck_assert_str_eq(r.why, "chunked framing over 65536 octets");
	ck_assert_uint_lt(r.bodylen, 2000);
}
END_TEST

/* A fold that makes the field longer than a line. */
START_TEST(test_http_feed_fold_cap)
{
	static struct http_resp r;
	static char in[3 * HTTP_LINE_MAX];
	char body[BODY_MAX];
	size_t len, used;

	len = (size_t)snprintf(in, sizeof(in), "HTTP/1.1 200 OK\r\nX: ");
	memset(in + len, 'a', 3000);
	len += 3000;
	memcpy(in + len, "\r\n ", 3);
	len += 3;
	memset(in + len, 'b', 3000);
	len += 3000;
	len += (size_t)snprintf(in + len, sizeof(in) - len, "\r\n\r\n");
	http_init(&r, body, sizeof(body));
	ck_assert_int_eq(http_feed(&r, in, len, &used), HTTP_BAD);
	ck_assert_str_eq(r.why, "a folded field over 4096 octets");
}
END_TEST

/* A NUL in a field value; the length is honoured past it. */
START_TEST(test_http_feed_nul)
{
	static const char in[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n";
	static struct http_resp r;
	char body[BODY_MAX];
	size_t used;

	http_init(&r, body, sizeof(body));
	ck_assert_int_eq(http_feed(&r, in, sizeof(in) - 1, &used), HTTP_BAD);
	ck_assert_str_eq(r.why, "a control character in a field");
}
END_TEST

Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("core");
	int n = (int)(sizeof(cases) / sizeof(cases[0]));

	tcase_add_loop_test(tc, test_http_feed_table_whole, 0, n);
	tcase_add_loop_test(tc, test_http_feed_table_octets, 0, n);
	tcase_add_test(tc, test_http_feed_head_stops);
	tcase_add_test(tc, test_http_feed_length_toobig_early);
	tcase_add_test(tc, test_http_feed_location_cut);
	tcase_add_loop_test(tc, test_http_feed_caps, 0,
	    (int)(sizeof(caps) / sizeof(caps[0])));
	tcase_add_test(tc, test_http_feed_framing_cap);
	tcase_add_test(tc, test_http_feed_fold_cap);
	tcase_add_test(tc, test_http_feed_nul);
	suite_add_tcase(s, tc);
	return s;
}
