/* SPDX-License-Identifier: ISC */
/*
 * check_sts_fetch.c: the HTTP part of the MTA-STS policy fetch over a
 * socketpair (no TLS, no network): the request sent, and what each
 * response gives: a policy (Content-Length, chunked, by the close), or
 * the error text RFC 8461 3.3's checks call for (not 200, a redirect,
 * not text/plain, too large, malformed, not a policy, a time-out).
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "config.h"
#include "monotime.h"
#include "status.h"
#include "conn.h"
#include "sts.h"
#include "sts_fetch.h"

#define URL	"https://mta-sts.example.org/.well-known/mta-sts.txt"
#define POLICY	"version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\n" \
		"mx: *.backup.example.org\r\nmax_age: 604800\r\n"

static struct conn c;
static int peer = -1;
static char text[STS_POLICY_MAX];

static void
setup(void)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_ne(fcntl(sv[0], F_SETFL, O_NONBLOCK), -1);
	conn_init(&c, sv[0]);
	c.deadline = monotime_ms() + 5000;
	peer = sv[1];
}

static void
teardown(void)
{
	conn_close(&c);
	if (peer != -1)
		(void)close(peer);
	peer = -1;
}

/* The server's side: resp sent, then its end of the stream. */
static void
serve(const char *resp, size_t len)
{
	ck_assert_int_eq(write(peer, resp, len), (ssize_t)len);
	ck_assert_int_eq(shutdown(peer, SHUT_WR), 0);
}

static const struct {
	const char	*resp;
	const char	*err;	/* after URL ": "; NULL: the policy */
} cases[] = {
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 96\r\n\r\n" POLICY, NULL },
	{ "HTTP/1.1 200 OK\r\nContent-Type: Text/Plain; charset=utf-8\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "10\r\nversion: STSv1\r\n\r\n50;x=y\r\nmode: enforce\r\n"
	    "mx: mail.example.org\r\nmx: *.backup.example.org\r\n"
	    "max_age: 604800\r\n\r\n0\r\n\r\n", NULL },
	{ "HTTP/1.0 200 OK\nContent-Type: text/plain\n\n" POLICY, NULL },
	{ "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain\r\n\r\n" POLICY, NULL },
	{ "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 9\r\n\r\nnot found", "HTTP 404" },
	{ "HTTP/1.1 500 Oops\r\n\r\n", "HTTP 500" },
	{ "HTTP/1.1 301 Moved Permanently\r\n"
	    "Location: https://www.example.org/mta-sts.txt\r\n"
	    "Content-Type: text/plain\r\n\r\n" POLICY,
	    "HTTP 301 redirect to https://www.example.org/mta-sts.txt, "
	    "not followed" },
	{ "HTTP/1.1 307 Temporary Redirect\r\n\r\n",
	    "HTTP 307 redirect to nowhere, not followed" },
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" POLICY,
	    "not text/plain (text/html)" },
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain-x\r\n\r\n" POLICY,
	    "not text/plain (text/plain-x)" },
	{ "HTTP/1.1 200 OK\r\n\r\n" POLICY,
	    "not text/plain (no Content-Type)" },
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 65537\r\n\r\n", "over 65536 octets" },
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n10001\r\n",
	    "over 65536 octets" },
	{ "", "malformed HTTP response: no response" },
	{ "<html>\r\n", "malformed HTTP response: no status line" },
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 200\r\n\r\n" POLICY,
	    "malformed HTTP response: cut in the body" },
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
	    "version: STSv1\nmode: enforce\nmax_age: 86400\n",
	    "policy: no mx" },
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
	    "<html>\n", "policy: line 1: no \":\"" },
};

START_TEST(test_sts_fetch_http_table)
{
	struct carrier_error err;
	struct sts_policy p;
	enum carrier_status st;
	char want[STATUS_TEXT_MAX];
	size_t len = 99;

	serve(cases[_i].resp, strlen(cases[_i].resp));
	status_clear(&err);
	st = sts_fetch_http(&c, "example.org", 0, monotime_ms(), &p, text,
	    sizeof(text), &len, &err);
	if (cases[_i].err == NULL) {
		ck_assert_msg(st == CARRIER_OK, "%s", err.text);
		ck_assert_uint_eq(len, strlen(POLICY));
		ck_assert(memcmp(text, POLICY, len) == 0);
		ck_assert_int_eq(p.mode, STS_ENFORCE);
		ck_assert_uint_eq(p.nmx, 2);
		ck_assert_str_eq(p.mx[1], "*.backup.example.org");
		ck_assert_uint_eq(p.max_age, 604800);
		return;
	}
	(void)snprintf(want, sizeof(want), "MTA-STS policy of example.org: "
	    URL ": %s", cases[_i].err);
	ck_assert_int_eq(st, CARRIER_TEMP);
	ck_assert_int_eq(err.status, CARRIER_TEMP);
	ck_assert_int_eq(err.phase, PHASE_RESOLVE);
	ck_assert_str_eq(err.text, want);
	ck_assert_str_eq(err.host, "");
	ck_assert_uint_eq(len, 0);
}
END_TEST

/* The request: the path, Host (with a port but 443), User-Agent. */
START_TEST(test_sts_fetch_http_request)
{
	static const char resp[] = "HTTP/1.1 404 Not Found\r\n\r\n";
	struct carrier_error err;
	struct sts_policy p;
	char req[1024];
	size_t len;
	ssize_t n;

	serve(resp, sizeof(resp) - 1);
	ck_assert_int_eq(sts_fetch_http(&c, "Example.ORG.", 8443,
	    monotime_ms(), &p, text, sizeof(text), &len, &err), CARRIER_TEMP);
	ck_assert_str_eq(err.text, "MTA-STS policy of example.org: "
	    "https://mta-sts.example.org:8443/.well-known/mta-sts.txt: "
	    "HTTP 404");
	n = read(peer, req, sizeof(req) - 1);
	ck_assert_int_gt(n, 0);
	req[n] = '\0';
	ck_assert_str_eq(req, "GET /.well-known/mta-sts.txt HTTP/1.1\r\n"
	    "Host: mta-sts.example.org:8443\r\n"
	    "User-Agent: carrier/" PACKAGE_VERSION "\r\n"
	    "Connection: close\r\n\r\n");
}
END_TEST

/* A server that says nothing: the deadline, and how long it took. */
START_TEST(test_sts_fetch_http_timeout)
{
	struct carrier_error err;
	struct sts_policy p;
	int64_t start = monotime_ms();
	size_t len;

	c.deadline = start + 200;
	ck_assert_int_eq(sts_fetch_http(&c, "example.org", 0, start, &p, text,
	    sizeof(text), &len, &err), CARRIER_TEMP);
	ck_assert_msg(strcmp(err.text, "MTA-STS policy of example.org: " URL
	    ": timed out after 0.2 s") == 0 || strcmp(err.text,
	    "MTA-STS policy of example.org: " URL ": timed out after 0.3 s")
	    == 0, "%s", err.text);
}
END_TEST

/* A body over the cap sent by the close: refused, not read on. */
START_TEST(test_sts_fetch_http_close_too_large)
{
	static const char head[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain\r\n\r\n";
	static char resp[sizeof(head) + STS_POLICY_MAX + 10];
	struct carrier_error err;
	struct sts_policy p;
	size_t len;
	int sz = (int)sizeof(resp);

	ck_assert_int_eq(setsockopt(peer, SOL_SOCKET, SO_SNDBUF, &sz,
	    sizeof(sz)), 0);
	memcpy(resp, head, sizeof(head) - 1);
	memset(resp + sizeof(head) - 1, 'x', sizeof(resp) - sizeof(head) + 1);
	serve(resp, sizeof(resp));
	ck_assert_int_eq(sts_fetch_http(&c, "example.org", 0, monotime_ms(),
	    &p, text, sizeof(text), &len, &err), CARRIER_TEMP);
	ck_assert_str_eq(err.text, "MTA-STS policy of example.org: " URL
	    ": over 65536 octets");
}
END_TEST

/* Not a domain name: no request at all. */
START_TEST(test_sts_fetch_not_a_domain)
{
	static const char *const bad[] = { "a/b", "..", "", ".", "a..b",
	    "192.0.2.1", "-a.example" };
	struct sts_fetch_opts o;
	struct carrier_error err;
	struct sts_policy p;
	char want[STATUS_TEXT_MAX];
	size_t len, i;

	memset(&o, 0, sizeof(o));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(sts_fetch(bad[i], &o, &p, text, sizeof(text),
		    &len, &err), CARRIER_TEMP);
		(void)snprintf(want, sizeof(want), "MTA-STS policy of %s: -: "
		    "not a domain name", bad[i]);
		ck_assert_str_eq(err.text, want);
	}
}
END_TEST

Suite *
sts_fetch_suite(void)
{
	Suite *s = suite_create("sts_fetch");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_sts_fetch_http_table, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_sts_fetch_http_request);
	tcase_add_test(tc, test_sts_fetch_http_timeout);
	tcase_add_test(tc, test_sts_fetch_http_close_too_large);
	tcase_add_test(tc, test_sts_fetch_not_a_domain);
	suite_add_tcase(s, tc);
	return s;
}
