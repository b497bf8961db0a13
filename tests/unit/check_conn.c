/* SPDX-License-Identifier: ISC */
/* check_conn.c: line reading, limits and deadlines over a socketpair. */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "conn.h"

static struct conn c;
static int peer;

static void
setup(void)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_ne(fcntl(sv[0], F_SETFL, O_NONBLOCK), -1);
	conn_init(&c, sv[0]);
	peer = sv[1];
}

static void
teardown(void)
{
	conn_close(&c);
	close(peer);
}

START_TEST(test_conn_getline_crlf_and_lf)
{
	char line[64];
	size_t len;

	ck_assert_int_eq(write(peer, "one\r\ntwo\nthree\r\n", 16), 16);
	conn_set_timeout(&c, 1000);
	ck_assert_int_eq(conn_getline(&c, line, sizeof(line), &len), 0);
	ck_assert_str_eq(line, "one");
	ck_assert_int_eq(conn_getline(&c, line, sizeof(line), &len), 0);
	ck_assert_str_eq(line, "two");
	ck_assert_int_eq(conn_getline(&c, line, sizeof(line), &len), 0);
	ck_assert_str_eq(line, "three");
	ck_assert_uint_eq(len, 5);
}
END_TEST

START_TEST(test_conn_getline_timeout)
{
	char line[64];
	size_t len;
	int64_t t0 = conn_now();

	conn_set_timeout(&c, 150);
	ck_assert_int_eq(conn_getline(&c, line, sizeof(line), &len), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(conn_now() - t0, 140);
}
END_TEST

START_TEST(test_conn_getline_eof_midline)
{
	char line[64];
	size_t len;

	ck_assert_int_eq(write(peer, "250 partial", 11), 11);
	shutdown(peer, SHUT_WR);
	conn_set_timeout(&c, 1000);
	ck_assert_int_eq(conn_getline(&c, line, sizeof(line), &len), -1);
	ck_assert_int_eq(errno, ECONNRESET);
}
END_TEST

START_TEST(test_conn_getline_too_long)
{
	static char big[CONN_LINE_MAX + 100];
	char line[CONN_LINE_MAX + 1];
	size_t len;

	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(write(peer, big, sizeof(big)), (ssize_t)sizeof(big));
	conn_set_timeout(&c, 1000);
	ck_assert_int_eq(conn_getline(&c, line, sizeof(line), &len), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
}
END_TEST

START_TEST(test_conn_write_batches)
{
	char buf[64];

	ck_assert_int_eq(conn_write(&c, "MAIL\r\n", 6), 0);
	ck_assert_int_eq(conn_write(&c, "RCPT\r\n", 6), 0);
	ck_assert_uint_eq(c.flushes, 0);
	ck_assert_int_eq(conn_flush(&c), 0);
	ck_assert_uint_eq(c.flushes, 1);
	ck_assert_int_eq(read(peer, buf, sizeof(buf)), 12);
	ck_assert_int_eq(memcmp(buf, "MAIL\r\nRCPT\r\n", 12), 0);
}
END_TEST

START_TEST(test_conn_write_peer_gone)
{
	close(peer);
	peer = -1;
	ck_assert_int_eq(conn_write(&c, "x", 1), 0);
	ck_assert_int_eq(conn_flush(&c), -1);
	ck_assert_int_eq(errno, EPIPE);
}
END_TEST

Suite *
conn_suite(void)
{
	Suite *s = suite_create("conn");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_conn_getline_crlf_and_lf);
	tcase_add_test(tc, test_conn_getline_timeout);
	tcase_add_test(tc, test_conn_getline_eof_midline);
	tcase_add_test(tc, test_conn_getline_too_long);
	tcase_add_test(tc, test_conn_write_batches);
	tcase_add_test(tc, test_conn_write_peer_gone);
	suite_add_tcase(s, tc);
	return s;
}
