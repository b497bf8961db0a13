/* SPDX-License-Identifier: ISC */
/*
 * check_smtp_auth.c: AUTH exchanges over a socketpair, and the rule that
 * the -v transcript never shows a credential.
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "log.h"
#include "smtp_auth.h"

static struct conn c;
static struct smtp_session s;
static struct carrier_error err;
static int peer;
static char errpath[sizeof("/tmp/check_auth.XXXXXX")];

static void
setup(void)
{
	int sv[2], fd;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_ne(fcntl(sv[0], F_SETFL, O_NONBLOCK), -1);
	conn_init(&c, sv[0]);
	peer = sv[1];
	smtp_init(&s, &c, "client.example", 1000, "[192.0.2.1]:587");
	status_clear(&err);
	/* the transcript goes to a file we read back */
	memcpy(errpath, "/tmp/check_auth.XXXXXX", sizeof(errpath));
	ck_assert_int_ne(fd = mkstemp(errpath), -1);
	ck_assert_int_ne(dup2(fd, STDERR_FILENO), -1);
	close(fd);
	log_set_verbose(1);
}

static void
teardown(void)
{
	conn_close(&c);
	close(peer);
	unlink(errpath);
}

static const char *
said(void)
{
	static char buf[4096];
	ssize_t n;

	shutdown(c.fd, SHUT_WR);
	n = read(peer, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static const char *
transcript(void)
{
	static char buf[4096];
	int fd = open(errpath, O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
server_says(const char *text)
{
	ck_assert_int_eq(write(peer, text, strlen(text)),
	    (ssize_t)strlen(text));
}

/* Once sent, no copy of the credentials stays in the output buffer. */
static void
no_copy(const char *b64)
{
	ck_assert_ptr_null(memmem(c.wbuf, sizeof(c.wbuf), b64, strlen(b64)));
}

static struct smtp_auth cred = { "user", "pass", NULL, "relay.example",
	587 };

START_TEST(test_smtp_auth_plain)
{
	snprintf(s.auth, sizeof(s.auth), "LOGIN PLAIN");
	server_says("235 2.7.0 ok\r\n");
	ck_assert_int_eq(smtp_auth(&s, &cred, &err), CARRIER_OK);
	ck_assert_str_eq(said(), "AUTH PLAIN AHVzZXIAcGFzcw==\r\n");
	ck_assert_ptr_nonnull(strstr(transcript(),
	    "-> AUTH PLAIN <credentials>"));
	ck_assert_ptr_null(strstr(transcript(), "AHVzZXIAcGFzcw"));
	no_copy("AHVzZXIAcGFzcw");
}
END_TEST

START_TEST(test_smtp_auth_login)
{
	snprintf(s.auth, sizeof(s.auth), "LOGIN");
	server_says("334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n"
	    "235 ok\r\n");
	ck_assert_int_eq(smtp_auth(&s, &cred, &err), CARRIER_OK);
	ck_assert_str_eq(said(), "AUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\n");
	ck_assert_ptr_null(strstr(transcript(), "cGFzcw"));
	ck_assert_ptr_null(strstr(transcript(), "dXNlcg"));
	no_copy("cGFzcw");
}
END_TEST

START_TEST(test_smtp_auth_refused_is_temporary)
{
	snprintf(s.auth, sizeof(s.auth), "PLAIN");
	server_says("535 5.7.8 bad credentials\r\n");
	ck_assert_int_eq(smtp_auth(&s, &cred, &err), CARRIER_TEMP);
	ck_assert_int_eq(err.code, 535);
	ck_assert_int_eq(err.phase, PHASE_AUTH);
	ck_assert_str_eq(err.text, "bad credentials");
}
END_TEST

START_TEST(test_smtp_auth_no_mechanism)
{
	struct smtp_auth x = cred;

	snprintf(s.auth, sizeof(s.auth), "CRAM-MD5");
	ck_assert_int_eq(smtp_auth(&s, &cred, &err), CARRIER_TEMP);
	ck_assert_ptr_nonnull(strstr(err.text, "no usable AUTH mechanism"));
	snprintf(s.auth, sizeof(s.auth), "PLAIN LOGIN");
	x.mechanism = "xoauth2";
	ck_assert_ptr_null(smtp_auth_pick(&s, &x));
	ck_assert_str_eq(said(), "");
}
END_TEST

START_TEST(test_smtp_auth_xoauth2_error_then_final)
{
	struct smtp_auth x = cred;

	x.mechanism = "XOAUTH2";
	x.secret = "tok";
	snprintf(s.auth, sizeof(s.auth), "XOAUTH2 PLAIN");
	server_says("334 eyJzdGF0dXMiOiI0MDEifQ==\r\n"
	    "535 5.7.8 expired\r\n");
	ck_assert_int_eq(smtp_auth(&s, &x, &err), CARRIER_TEMP);
	/* base64("user=user\1auth=Bearer tok\1\1"), then an empty line */
	ck_assert_str_eq(said(), "AUTH XOAUTH2 "
	    "dXNlcj11c2VyAWF1dGg9QmVhcmVyIHRvawEB\r\n\r\n");
	ck_assert_ptr_null(strstr(transcript(), "dXNlcj11c2Vy"));
}
END_TEST

Suite *
smtp_auth_suite(void)
{
	Suite *su = suite_create("smtp_auth");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_smtp_auth_plain);
	tcase_add_test(tc, test_smtp_auth_login);
	tcase_add_test(tc, test_smtp_auth_refused_is_temporary);
	tcase_add_test(tc, test_smtp_auth_no_mechanism);
	tcase_add_test(tc, test_smtp_auth_xoauth2_error_then_final);
	suite_add_tcase(su, tc);
	return su;
}
