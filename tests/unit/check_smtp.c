/* SPDX-License-Identifier: ISC */
/*
 * check_smtp.c: the SMTP client over a socketpair.  The server's replies
 * are written in advance; afterwards the test reads exactly what the
 * client sent.  Covers pipelining (one write per group, replies matched
 * in order), per-recipient outcomes, HELO fallback, hostile replies,
 * timeouts and dot-stuffing.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "monotime.h"
#include "addr.h"
#include "smtp.h"

static struct conn c;
static struct smtp_session s;
static struct carrier_envelope env;
static struct carrier_error err;
static struct message_info info;
static struct message_text mtext;
static int peer, msgfd;

static void
setup(void)
{
	int sv[2];
	char path[] = "/tmp/check_smtp.XXXXXX";
	static const char msg[] = "Subject: t\r\n\r\nbody\r\n.dot\r\n";

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_ne(fcntl(sv[0], F_SETFL, O_NONBLOCK), -1);
	conn_init(&c, sv[0]);
	peer = sv[1];
	smtp_init(&s, &c, "client.example", 1000, "[192.0.2.1]:25");
	ck_assert_int_eq(envelope_init(&env), 0);
	ck_assert_int_eq(envelope_set_sender(&env, "s@x.example"), 0);
	status_clear(&err);
	ck_assert_int_ne(msgfd = mkstemp(path), -1);
	unlink(path);
	ck_assert_int_eq(write(msgfd, msg, sizeof(msg) - 1),
	    (ssize_t)sizeof(msg) - 1);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(msg) - 1;
	info.dot_lines = 1;	/* ".dot" */
	mtext = (struct message_text){ "", 0, msgfd, 0, info.size };
}

static void
teardown(void)
{
	envelope_free(&env);
	conn_close(&c);
	if (peer != -1)
		close(peer);
	close(msgfd);
}

static void
server_says(const char *text)
{
	ck_assert_int_eq(write(peer, text, strlen(text)),
	    (ssize_t)strlen(text));
}

/* Everything the client sent so far, NUL-terminated. */
static const char *
client_said(void)
{
	static char buf[8192];
	ssize_t n, len = 0;

	shutdown(c.fd, SHUT_WR);
	while ((n = read(peer, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	buf[len] = '\0';
	return buf;
}

static void
add_rcpts(int n)
{
	static const char *const r[] = { "a@x.example", "b@x.example",
	    "c@x.example" };
	int i;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(envelope_add_rcpt(&env, r[i]), 0);
}

START_TEST(test_smtp_transaction_pipelined_middle_rejected)
{
	add_rcpts(3);
	s.ext = SMTP_EXT_PIPELINING;
	server_says("250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
	    "550 5.1.1 <b@x.example>: no such user\r\n250 2.1.5 ok\r\n"
	    "354 go\r\n250 2.0.0 queued as X\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert_str_eq(client_said(), "MAIL FROM:<s@x.example>\r\n"
	    "RCPT TO:<a@x.example>\r\nRCPT TO:<b@x.example>\r\n"
	    "RCPT TO:<c@x.example>\r\nDATA\r\n"
	    "Subject: t\r\n\r\nbody\r\n..dot\r\n.\r\n");
	/* two client turns: the envelope with DATA, the text with "." */
	ck_assert_uint_eq(s.turns, 2);
	ck_assert_uint_eq(c.flushes, 2);
	ck_assert_int_eq(env.rcpts[0].result.status, CARRIER_OK);
	ck_assert_int_eq(env.rcpts[0].result.code, 250);
	ck_assert_int_eq(env.rcpts[1].result.status, CARRIER_PERM);
	ck_assert_int_eq(env.rcpts[1].result.phase, PHASE_RCPT);
	ck_assert_int_eq(env.rcpts[1].result.code, 550);
	ck_assert_str_eq(env.rcpts[1].result.enhanced, "5.1.1");
	ck_assert_str_eq(env.rcpts[1].result.text,
	    "<b@x.example>: no such user");
	ck_assert_int_eq(env.rcpts[2].result.status, CARRIER_OK);
}
END_TEST

START_TEST(test_smtp_transaction_lockstep)
{
	add_rcpts(2);
	s.ext = SMTP_EXT_8BITMIME | SMTP_EXT_SIZE;
	info.eightbit = 1;
	server_says("250 ok\r\n250 ok\r\n451 4.3.0 try later\r\n354 go\r\n"
	    "250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert_str_eq(client_said(), "MAIL FROM:<s@x.example> SIZE=26 "
	    "BODY=8BITMIME\r\nRCPT TO:<a@x.example>\r\n"
	    "RCPT TO:<b@x.example>\r\nDATA\r\n"
	    "Subject: t\r\n\r\nbody\r\n..dot\r\n.\r\n");
	ck_assert_uint_eq(s.turns, 5);
	ck_assert_int_eq(env.rcpts[0].result.status, CARRIER_OK);
	ck_assert_int_eq(env.rcpts[1].result.status, CARRIER_TEMP);
	ck_assert_int_eq(env.rcpts[1].result.code, 451);
}
END_TEST

START_TEST(test_smtp_transaction_mail_refused_pipelined)
{
	add_rcpts(2);
	s.ext = SMTP_EXT_PIPELINING;
	server_says("553 5.1.8 bad sender\r\n503 5.5.1 need MAIL\r\n"
	    "503 5.5.1 need MAIL\r\n503 5.5.1 need RCPT\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_PERM);
	ck_assert_int_eq(err.phase, PHASE_MAIL);
	ck_assert_int_eq(env.rcpts[0].result.code, 553);
	ck_assert_int_eq(env.rcpts[1].result.code, 553);
	ck_assert_int_eq(env.rcpts[1].result.phase, PHASE_MAIL);
	/* no message text went out */
	ck_assert_ptr_null(strstr(client_said(), "Subject"));
}
END_TEST

START_TEST(test_smtp_transaction_all_rcpts_refused)
{
	add_rcpts(2);
	s.ext = SMTP_EXT_PIPELINING;
	server_says("250 ok\r\n550 no\r\n550 no\r\n554 no valid recipients\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert_int_eq(env.rcpts[0].result.status, CARRIER_PERM);
	ck_assert_int_eq(env.rcpts[1].result.phase, PHASE_RCPT);
	ck_assert_ptr_null(strstr(client_said(), "Subject"));
}
END_TEST

START_TEST(test_smtp_transaction_354_without_rcpts)
{
	add_rcpts(1);
	s.ext = SMTP_EXT_PIPELINING;
	server_says("250 ok\r\n550 no\r\n354 go anyway\r\n554 nothing\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert_str_eq(client_said(), "MAIL FROM:<s@x.example>\r\n"
	    "RCPT TO:<a@x.example>\r\nDATA\r\n.\r\n");
	ck_assert_int_eq(env.rcpts[0].result.status, CARRIER_PERM);
}
END_TEST

START_TEST(test_smtp_transaction_dot_refused)
{
	add_rcpts(2);
	s.ext = SMTP_EXT_PIPELINING;
	server_says("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"
	    "452 4.3.1 out of space\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_TEMP);
	ck_assert_int_eq(env.rcpts[0].result.status, CARRIER_TEMP);
	ck_assert_int_eq(env.rcpts[1].result.phase, PHASE_DOT);
	ck_assert_int_eq(env.rcpts[1].result.code, 452);
}
END_TEST

START_TEST(test_smtp_transaction_size_too_big)
{
	add_rcpts(1);
	s.ext = SMTP_EXT_SIZE;
	s.size_max = 10;
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_PERM);
	ck_assert_ptr_nonnull(strstr(err.text, "exceeds the server's limit"));
	ck_assert_str_eq(client_said(), "");
}
END_TEST

START_TEST(test_smtp_transaction_utf8_needs_smtputf8)
{
	ck_assert_int_eq(envelope_add_rcpt(&env, "j\xc3\xbcrgen@x.example"),
	    0);
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_PERM);
	ck_assert_ptr_nonnull(strstr(err.text, "SMTPUTF8"));
}
END_TEST

START_TEST(test_smtp_transaction_timeout)
{
	add_rcpts(1);
	s.ext = SMTP_EXT_PIPELINING;
	s.timeout_ms = 200;
	server_says("250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_TEMP);
	ck_assert_int_eq(err.phase, PHASE_RCPT);
	ck_assert_str_eq(err.text,
	    "timed out after 200 ms waiting for the reply to RCPT TO");
	ck_assert_int_eq(env.rcpts[0].result.status, CARRIER_TEMP);
}
END_TEST

START_TEST(test_smtp_transaction_disconnect)
{
	add_rcpts(1);
	s.ext = SMTP_EXT_PIPELINING;
	server_says("250 ok\r\n250 ok\r\n354 go\r\n");
	shutdown(peer, SHUT_WR);
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_TEMP);
	ck_assert_int_eq(err.phase, PHASE_DOT);
	ck_assert_str_eq(err.text,
	    "connection closed by the server during end of data");
}
END_TEST

START_TEST(test_smtp_transaction_garbage_reply)
{
	add_rcpts(1);
	server_says("250 ok\r\nHTTP/1.1 400 Bad Request\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_TEMP);
	ck_assert_ptr_nonnull(strstr(err.text, "protocol error"));
	ck_assert_int_eq(err.protocol, 1);
}
END_TEST

/* An SSH server on the SMTP port: a protocol error, not a 4xx. */
START_TEST(test_smtp_greeting_not_smtp)
{
	server_says("SSH-2.0-OpenSSH_9.2\r\n");
	ck_assert_int_eq(smtp_greeting(&s, &err), CARRIER_TEMP);
	ck_assert_int_eq(err.protocol, 1);
	ck_assert_int_eq(err.phase, PHASE_GREETING);
	ck_assert_ptr_nonnull(strstr(err.text, "SSH-2.0-OpenSSH_9.2"));
}
END_TEST

START_TEST(test_smtp_transaction_skips_done)
{
	add_rcpts(2);
	env.rcpts[0].state = ENVELOPE_DELIVERED;
	server_says("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert_ptr_null(strstr(client_said(), "a@x.example"));
}
END_TEST

START_TEST(test_smtp_greeting_classes)
{
	server_says("554 5.3.2 go away\r\n");
	ck_assert_int_eq(smtp_greeting(&s, &err), CARRIER_PERM);
	ck_assert_int_eq(err.code, 554);
	ck_assert_str_eq(err.host, "[192.0.2.1]:25");
	server_says("421 4.3.2 busy\r\n");
	ck_assert_int_eq(smtp_greeting(&s, &err), CARRIER_TEMP);
	server_says("500 5.3.0 refused\r\n");
	ck_assert_int_eq(smtp_greeting(&s, &err), CARRIER_PERM);
	server_says("250 odd\r\n");
	ck_assert_int_eq(smtp_greeting(&s, &err), CARRIER_TEMP);
	server_says("220-first\r\n220 second\r\n");
	ck_assert_int_eq(smtp_greeting(&s, &err), CARRIER_OK);
}
END_TEST

START_TEST(test_smtp_hello_extensions)
{
	server_says("250-mx.example greets you\r\n250-PIPELINING\r\n"
	    "250-SIZE 10240000\r\n250-8bitmime\r\n250-AUTH PLAIN LOGIN\r\n"
	    "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n"
	    "250-SMTPUTF8\r\n250-PIPELININGX\r\n250 DSN\r\n");
	ck_assert_int_eq(smtp_hello(&s, &err), CARRIER_OK);
	ck_assert_uint_eq(s.ext, SMTP_EXT_PIPELINING | SMTP_EXT_SIZE |
	    SMTP_EXT_8BITMIME | SMTP_EXT_AUTH | SMTP_EXT_STARTTLS |
	    SMTP_EXT_ENHANCED | SMTP_EXT_CHUNKING | SMTP_EXT_SMTPUTF8 |
	    SMTP_EXT_DSN);
	ck_assert_uint_eq(s.size_max, 10240000);
	ck_assert_str_eq(client_said(), "EHLO client.example\r\n");
}
END_TEST

/*
 * An EHLO reply longer than the text kept: the line cut short at the end
 * is not read ("SIZE 10" of "SIZE 10240000" would refuse every message
 * over 10 octets); the lines before it are.
 */
START_TEST(test_smtp_hello_cut_reply)
{
	char line[2031];

	/* 21 + 2 * (3 + 2030) = 4087 octets: room for "\nSIZE 10" only */
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	server_says("250-mx.example\r\n250-PIPELINING\r\n");
	for (int i = 0; i < 2; i++) {
		server_says("250-X-");
		server_says(line);
		server_says("\r\n");
	}
	server_says("250 SIZE 10240000\r\n");
	ck_assert_int_eq(smtp_hello(&s, &err), CARRIER_OK);
	ck_assert_int_eq(s.reply.cut, 1);
	ck_assert_ptr_nonnull(strstr(s.reply.text, "\nSIZE 10"));
	ck_assert_uint_eq(s.ext, SMTP_EXT_PIPELINING);
	ck_assert_uint_eq(s.size_max, 0);
}
END_TEST

START_TEST(test_smtp_hello_helo_fallback)
{
	server_says("502 5.5.2 what?\r\n250 hi\r\n");
	ck_assert_int_eq(smtp_hello(&s, &err), CARRIER_OK);
	ck_assert_int_eq(s.esmtp, 0);
	ck_assert_uint_eq(s.ext, 0);
	ck_assert_str_eq(client_said(),
	    "EHLO client.example\r\nHELO client.example\r\n");
}
END_TEST

START_TEST(test_smtp_hello_refused)
{
	server_says("421 4.7.0 too busy\r\n");
	ck_assert_int_eq(smtp_hello(&s, &err), CARRIER_TEMP);
	ck_assert_int_eq(err.phase, PHASE_EHLO);
	server_says("550 no\r\n550 no\r\n");
	ck_assert_int_eq(smtp_hello(&s, &err), CARRIER_PERM);
	ck_assert_int_eq(err.phase, PHASE_HELO);
}
END_TEST

START_TEST(test_smtp_parse_ehlo_line_size_overflow)
{
	smtp_parse_ehlo_line(&s, "SIZE 99999999999999999999999", 28);
	ck_assert_uint_eq(s.size_max, 0);
	smtp_parse_ehlo_line(&s, "SIZE", 4);
	ck_assert_uint_eq(s.size_max, 0);
	ck_assert(s.ext & SMTP_EXT_SIZE);
}
END_TEST


START_TEST(test_smtp_transaction_bdat_with_envelope)
{
	add_rcpts(2);
	s.ext = SMTP_EXT_PIPELINING | SMTP_EXT_CHUNKING;
	server_says("250 ok\r\n250 ok\r\n550 5.1.1 no\r\n250 2.0.0 queued\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	/* undotted text right after the envelope, in one write */
	ck_assert_str_eq(client_said(), "MAIL FROM:<s@x.example>\r\n"
	    "RCPT TO:<a@x.example>\r\nRCPT TO:<b@x.example>\r\n"
	    "BDAT 26 LAST\r\nSubject: t\r\n\r\nbody\r\n.dot\r\n");
	ck_assert_uint_eq(s.turns, 1);
	ck_assert_uint_eq(c.flushes, 1);
	ck_assert_int_eq(env.rcpts[0].result.status, CARRIER_OK);
	ck_assert_int_eq(env.rcpts[0].result.phase, PHASE_DOT);
	ck_assert_int_eq(env.rcpts[1].result.status, CARRIER_PERM);
}
END_TEST

START_TEST(test_smtp_transaction_bdat_refused)
{
	add_rcpts(1);
	s.ext = SMTP_EXT_PIPELINING | SMTP_EXT_CHUNKING;
	server_says("250 ok\r\n250 ok\r\n554 5.7.1 spam\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_PERM);
	ck_assert_int_eq(env.rcpts[0].result.code, 554);
	ck_assert_int_eq(env.rcpts[0].result.phase, PHASE_DOT);
}
END_TEST

START_TEST(test_smtp_transaction_bdat_lockstep)
{
	add_rcpts(1);
	s.ext = SMTP_EXT_CHUNKING;
	server_says("250 ok\r\n250 ok\r\n250 queued\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert_str_eq(client_said(), "MAIL FROM:<s@x.example>\r\n"
	    "RCPT TO:<a@x.example>\r\nBDAT 26 LAST\r\n"
	    "Subject: t\r\n\r\nbody\r\n.dot\r\n");
	ck_assert_uint_eq(s.turns, 3);
}
END_TEST

START_TEST(test_smtp_transaction_bdat_big_waits)
{
	add_rcpts(1);
	s.ext = SMTP_EXT_PIPELINING | SMTP_EXT_CHUNKING;
	info.size = SMTP_BDAT_EAGER + 1;	/* pretend: must wait */
	mtext.len = info.size;
	server_says("250 ok\r\n550 no\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	/* nobody accepted: no text was sent at all */
	ck_assert_str_eq(client_said(), "MAIL FROM:<s@x.example>\r\n"
	    "RCPT TO:<a@x.example>\r\n");
}
END_TEST

/*
 * SMTPUTF8 with ASCII addresses: asked for by the client (-bs), or raw
 * UTF-8 in the header; sent where offered, and the message goes where
 * it is not.
 */
static const struct {
	int	asked, head8, offered;
	const char *mail;
} utf8s[] = {
	{ 1, 0, 1, "MAIL FROM:<s@x.example> SMTPUTF8\r\n" },
	{ 0, 1, 1, "MAIL FROM:<s@x.example> SMTPUTF8\r\n" },
	{ 0, 0, 1, "MAIL FROM:<s@x.example>\r\n" },
	{ 1, 1, 0, "MAIL FROM:<s@x.example>\r\n" },
};

START_TEST(test_smtp_transaction_smtputf8_table)
{
	add_rcpts(1);
	env.smtputf8 = utf8s[_i].asked;
	info.head_eightbit = utf8s[_i].head8;
	s.ext = SMTP_EXT_PIPELINING | (utf8s[_i].offered ?
	    SMTP_EXT_SMTPUTF8 : 0);
	server_says("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert_int_eq(strncmp(client_said(), utf8s[_i].mail,
	    strlen(utf8s[_i].mail)), 0);
}
END_TEST

START_TEST(test_smtp_transaction_dsn_params)
{
	ck_assert_int_eq(envelope_add_rcpt(&env, "a+b=c@x.example"), 0);
	env.rcpts[0].notify = ENVELOPE_NOTIFY_SUCCESS |
	    ENVELOPE_NOTIFY_FAILURE;
	env.ret = ENVELOPE_RET_HDRS;
	snprintf(env.envid, sizeof(env.envid), "id 1+2");
	s.ext = SMTP_EXT_PIPELINING | SMTP_EXT_DSN;
	server_says("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert_ptr_nonnull(strstr(client_said(),
	    "MAIL FROM:<s@x.example> RET=HDRS ENVID=id+201+2B2\r\n"
	    "RCPT TO:<a+b=c@x.example> NOTIFY=SUCCESS,FAILURE "
	    "ORCPT=rfc822;a+2Bb+3Dc@x.example\r\n"));
}
END_TEST

/* A client's ORCPT (-bs) goes on as it came; the others get their own. */
START_TEST(test_smtp_transaction_client_orcpt)
{
	add_rcpts(2);
	env.rcpts[0].notify = ENVELOPE_NOTIFY_FAILURE;
	ck_assert_ptr_nonnull(env.rcpts[0].orcpt =
	    strdup("rfc822;Original+40example.com"));
	s.ext = SMTP_EXT_PIPELINING | SMTP_EXT_DSN;
	server_says("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert_ptr_nonnull(strstr(client_said(),
	    "RCPT TO:<a@x.example> NOTIFY=FAILURE "
	    "ORCPT=rfc822;Original+40example.com\r\n"
	    "RCPT TO:<b@x.example> ORCPT=rfc822;b@x.example\r\n"));
}
END_TEST

START_TEST(test_smtp_transaction_dsn_not_offered)
{
	add_rcpts(1);
	env.rcpts[0].notify = ENVELOPE_NOTIFY_NEVER;
	env.ret = ENVELOPE_RET_FULL;
	s.ext = SMTP_EXT_PIPELINING;
	server_says("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert_ptr_nonnull(strstr(client_said(),
	    "MAIL FROM:<s@x.example>\r\nRCPT TO:<a@x.example>\r\n"));
}
END_TEST

START_TEST(test_smtp_transaction_quit_pipelined)
{
	add_rcpts(1);
	s.ext = SMTP_EXT_PIPELINING;
	s.last = 1;
	server_says("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n221 bye\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	smtp_quit(&s);
	/* QUIT left with the text: one turn fewer, no QUIT twice */
	ck_assert_str_eq(client_said(), "MAIL FROM:<s@x.example>\r\n"
	    "RCPT TO:<a@x.example>\r\nDATA\r\n"
	    "Subject: t\r\n\r\nbody\r\n..dot\r\n.\r\nQUIT\r\n");
	ck_assert_uint_eq(s.turns, 2);
}
END_TEST

START_TEST(test_smtp_transaction_no_dots_sendfile)
{
	static const char plain[] = "Subject: p\r\n\r\nno dots here\r\n";

	ck_assert_int_eq(ftruncate(msgfd, 0), 0);
	ck_assert_int_eq(pwrite(msgfd, plain, sizeof(plain) - 1, 0),
	    (ssize_t)sizeof(plain) - 1);
	info.size = sizeof(plain) - 1;
	info.dot_lines = 0;
	mtext.len = info.size;
	add_rcpts(1);
	s.ext = SMTP_EXT_PIPELINING;
	server_says("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert_str_eq(client_said(), "MAIL FROM:<s@x.example>\r\n"
	    "RCPT TO:<a@x.example>\r\nDATA\r\n"
	    "Subject: p\r\n\r\nno dots here\r\n.\r\n");
}
END_TEST

/*
 * 452 (and 552, taken as 452: RFC 5321 4.5.3.1.10) to a RCPT leaves that
 * recipient undone, with a temporary result, for another transaction;
 * and QUIT does not follow the text, so that one can go on this
 * connection.  A second call sends MAIL again with only that recipient.
 */
START_TEST(test_smtp_transaction_too_many_recipients)
{
	const char *said;

	add_rcpts(3);
	s.ext = SMTP_EXT_PIPELINING;
	s.last = 1;
	server_says("250 ok\r\n250 ok\r\n452 4.5.3 too many recipients\r\n"
	    "552 5.5.3 too many recipients\r\n354 go\r\n250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert(envelope_done(&env.rcpts[0]));
	ck_assert_int_eq(env.rcpts[0].result.status, CARRIER_OK);
	ck_assert(!envelope_done(&env.rcpts[1]));
	ck_assert_int_eq(env.rcpts[1].result.status, CARRIER_TEMP);
	ck_assert_int_eq(env.rcpts[1].result.code, 452);
	ck_assert(!envelope_done(&env.rcpts[2]));
	ck_assert_int_eq(env.rcpts[2].result.status, CARRIER_TEMP);
	ck_assert_int_eq(env.rcpts[2].result.code, 552);
	ck_assert_int_eq(s.quit_sent, 0);
	ck_assert_int_eq(s.last, 0);
	/* the rest */
	s.last = 1;
	server_says("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	ck_assert(envelope_done(&env.rcpts[1]));
	ck_assert_int_eq(env.rcpts[1].result.status, CARRIER_OK);
	ck_assert_int_eq(env.rcpts[2].result.status, CARRIER_OK);
	said = client_said();
	ck_assert_ptr_nonnull(strstr(said, "\r\n.\r\nMAIL FROM:<s@x.example>"
	    "\r\nRCPT TO:<b@x.example>\r\nRCPT TO:<c@x.example>\r\nDATA\r\n"));
	ck_assert_ptr_nonnull(strstr(said, ".\r\nQUIT\r\n"));
}
END_TEST

/*
 * A pipelining server that refuses MAIL and hangs up: its refusal is
 * the outcome, not the hang-up.
 */
START_TEST(test_smtp_transaction_mail_refused_then_closed)
{
	add_rcpts(2);
	s.ext = SMTP_EXT_PIPELINING;
	server_says("554 5.7.1 sender blocked\r\n");
	shutdown(peer, SHUT_WR);
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_PERM);
	ck_assert_int_eq(err.phase, PHASE_MAIL);
	ck_assert_int_eq(err.code, 554);
	ck_assert_int_eq(env.rcpts[0].result.status, CARRIER_PERM);
	ck_assert_int_eq(env.rcpts[1].result.code, 554);
}
END_TEST

/*
 * A server that says its piece and hangs up without reading the rest of
 * the pipelined group: the write of the group fails (EPIPE), and what it
 * said before still decides.  With CHUNKING the text rides in the group
 * (eager BDAT); without, DATA does.
 */
#define PC	(SMTP_EXT_PIPELINING | SMTP_EXT_CHUNKING)
static const struct {
	unsigned int		 ext;
	const char		*says;
	enum carrier_status	 st;	/* returned */
	const char		*text;	/* in err, when not OK */
	struct {
		enum carrier_status	 st;
		enum carrier_phase	 phase;
		int			 code;
	} r[2];				/* each recipient's result */
} hangups[] = {
	/* a refused MAIL */
	{ PC, "554 5.7.1 sender blocked\r\n", CARRIER_PERM, "sender blocked",
	    { { CARRIER_PERM, PHASE_MAIL, 554 },
	    { CARRIER_PERM, PHASE_MAIL, 554 } } },
	{ SMTP_EXT_PIPELINING, "554 5.7.1 sender blocked\r\n", CARRIER_PERM,
	    "sender blocked", { { CARRIER_PERM, PHASE_MAIL, 554 },
	    { CARRIER_PERM, PHASE_MAIL, 554 } } },
	/* every recipient refused: each has its refusal, nothing failed */
	{ PC, "250 ok\r\n550 5.1.1 no\r\n550 5.1.1 no\r\n", CARRIER_OK, NULL,
	    { { CARRIER_PERM, PHASE_RCPT, 550 },
	    { CARRIER_PERM, PHASE_RCPT, 550 } } },
	{ SMTP_EXT_PIPELINING, "250 ok\r\n550 5.1.1 no\r\n450 4.2.0 later\r\n",
	    CARRIER_OK, NULL, { { CARRIER_PERM, PHASE_RCPT, 550 },
	    { CARRIER_TEMP, PHASE_RCPT, 450 } } },
	/* the text, with the envelope, refused: the refusal, not the hang-up */
	{ PC, "250 ok\r\n250 ok\r\n250 ok\r\n552 5.3.4 too big\r\n",
	    CARRIER_PERM, "too big", { { CARRIER_PERM, PHASE_DOT, 552 },
	    { CARRIER_PERM, PHASE_DOT, 552 } } },
	/* a 421 before the hang-up is its reason */
	{ PC, "421 4.3.2 shutting down\r\n", CARRIER_TEMP, "shutting down",
	    { { CARRIER_TEMP, PHASE_MAIL, 421 },
	    { CARRIER_TEMP, PHASE_MAIL, 421 } } },
	/*
	 * nothing said, or not about everything: the hang-up, named by the
	 * first command left without a reply (the small text went in the
	 * same write as the group)
	 */
	{ PC, "", CARRIER_TEMP,
	    "connection closed by the server during MAIL FROM",
	    { { CARRIER_TEMP, PHASE_MAIL, 0 },
	    { CARRIER_TEMP, PHASE_MAIL, 0 } } },
	{ PC, "250 ok\r\n250 ok\r\n550 5.1.1 no\r\n", CARRIER_TEMP,
	    "connection closed by the server during end of data",
	    { { CARRIER_TEMP, PHASE_DOT, 0 },
	    { CARRIER_PERM, PHASE_RCPT, 550 } } },
	{ SMTP_EXT_PIPELINING, "250 ok\r\n550 5.1.1 no\r\n", CARRIER_TEMP,
	    "connection closed by the server during RCPT TO",
	    { { CARRIER_PERM, PHASE_RCPT, 550 },
	    { CARRIER_TEMP, PHASE_RCPT, 0 } } },
};
#undef PC

START_TEST(test_smtp_transaction_hangup_table)
{
	size_t i;

	ck_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	add_rcpts(2);
	s.ext = hangups[_i].ext;
	s.last = 1;	/* last; the write breaks before QUIT */
	server_says(hangups[_i].says);
	close(peer);	/* the rest unread: the group's write fails */
	peer = -1;
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    hangups[_i].st);
	if (hangups[_i].text == NULL) {
		ck_assert_int_eq(err.status, CARRIER_OK);
		/* the connection is gone: no QUIT is to be written into it */
		ck_assert_int_eq(s.quit_sent, 1);
	}
	else
		ck_assert_msg(strstr(err.text, hangups[_i].text) != NULL, "got %s phase %d", err.text, err.phase);
	for (i = 0; i < 2; i++) {
		ck_assert(envelope_done(&env.rcpts[i]));
		ck_assert_int_eq(env.rcpts[i].result.status,
		    hangups[_i].r[i].st);
		ck_assert_int_eq(env.rcpts[i].result.phase,
		    hangups[_i].r[i].phase);
		ck_assert_int_eq(env.rcpts[i].result.code,
		    hangups[_i].r[i].code);
	}
}
END_TEST

/*
 * RCPT with NOTIFY and ORCPT for the longest address: longer than 512
 * octets, within RFC 3461's 1012 (it failed every recipient before).
 */
START_TEST(test_smtp_transaction_long_dsn_rcpt)
{
	char addr[ADDR_MAX + 1], want[1100];
	const char *said;

	memset(addr, 'a', 64);
	addr[64] = '@';
	memset(addr + 65, 'b', ADDR_MAX - 65);
	addr[ADDR_MAX] = '\0';
	memcpy(addr + 65 + 60, ".", 1);
	ck_assert_int_eq(envelope_add_rcpt(&env, addr), 0);
	env.rcpts[0].notify = ENVELOPE_NOTIFY_SUCCESS |
	    ENVELOPE_NOTIFY_FAILURE | ENVELOPE_NOTIFY_DELAY;
	s.ext = SMTP_EXT_PIPELINING | SMTP_EXT_DSN;
	server_says("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	snprintf(want, sizeof(want), "RCPT TO:<%s> NOTIFY=SUCCESS,FAILURE,"
	    "DELAY ORCPT=rfc822;%s\r\n", addr, addr);
	said = client_said();
	ck_assert_ptr_nonnull(strstr(said, want));
	ck_assert_uint_gt(strlen(want), 512);
	ck_assert_int_eq(env.rcpts[0].result.status, CARRIER_OK);
}
END_TEST

/* The wait for the reply to the end of data has its own timeout. */
START_TEST(test_smtp_transaction_dot_timeout)
{
	int64_t t0;

	add_rcpts(1);
	s.ext = SMTP_EXT_PIPELINING;
	s.timeout_ms = 100;
	s.dot_timeout_ms = 400;
	server_says("250 ok\r\n250 ok\r\n354 go\r\n");
	t0 = monotime_ms();
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_TEMP);
	ck_assert_int_ge(monotime_ms() - t0, 380);
	ck_assert_int_eq(err.phase, PHASE_DOT);
	ck_assert_str_eq(err.text, "timed out after 400 ms waiting for the "
	    "reply to end of data");
}
END_TEST

START_TEST(test_smtp_starttls_injection)
{
	/* a reply smuggled after the 220 must not survive into TLS */
	server_says("220 go ahead\r\n250 injected\r\n");
	ck_assert_int_eq(smtp_starttls(&s, &(struct conn_tls_opts){ 0 },
	    &err), CARRIER_TEMP);
	ck_assert_ptr_nonnull(strstr(err.text, "before the TLS handshake"));
	ck_assert_int_eq(err.phase, PHASE_TLS);
}
END_TEST

START_TEST(test_smtp_starttls_refused)
{
	server_says("454 4.7.0 TLS not available\r\n");
	ck_assert_int_eq(smtp_starttls(&s, &(struct conn_tls_opts){ 0 },
	    &err), CARRIER_TEMP);
	ck_assert_int_eq(err.phase, PHASE_STARTTLS);
	ck_assert_int_eq(err.code, 454);
}
END_TEST

/*
 * Dot-stuffing of the text as it goes out: the header section (head),
 * then the body from the file; "at the start of a line" carries from the
 * one to the other.
 */
static const struct {
	const char	*head, *body;
	const char	*out;
} stuffing[] = {
	{ "", ".\r\n", "..\r\n" },
	{ "", "a\r\n.\r\n", "a\r\n..\r\n" },
	{ "", "..x\r\n", "...x\r\n" },
	{ "", "a.b\r\n", "a.b\r\n" },
	{ "", "\r\n.\r\n.\r\n", "\r\n..\r\n..\r\n" },
	{ "S: t\r\n\r\n", ".x\r\n", "S: t\r\n\r\n..x\r\n" },
	{ ".S: t\r\n\r\n", "b\r\n", "..S: t\r\n\r\nb\r\n" },
	{ "S: t\r\n\r\nx", ".y\r\n", "S: t\r\n\r\nx.y\r\n" },
};

START_TEST(test_smtp_transaction_dot_stuffing)
{
	char path[] = "/tmp/check_smtp.XXXXXX", want[256];
	size_t hl = strlen(stuffing[_i].head), bl = strlen(stuffing[_i].body);
	int fd;

	ck_assert_int_ne(fd = mkstemp(path), -1);
	unlink(path);
	ck_assert_int_eq(write(fd, stuffing[_i].body, bl), (ssize_t)bl);
	mtext = (struct message_text){ stuffing[_i].head, hl, fd, 0, bl };
	info.size = hl + bl;
	info.dot_lines = 1;
	add_rcpts(1);
	server_says("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n");
	ck_assert_int_eq(smtp_transaction(&s, &env, &mtext, &info, &err),
	    CARRIER_OK);
	(void)snprintf(want, sizeof(want), "MAIL FROM:<s@x.example>\r\n"
	    "RCPT TO:<a@x.example>\r\nDATA\r\n%s.\r\n", stuffing[_i].out);
	ck_assert_str_eq(client_said(), want);
	close(fd);
}
END_TEST

Suite *
smtp_suite(void)
{
	Suite *su = suite_create("smtp");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_smtp_transaction_pipelined_middle_rejected);
	tcase_add_test(tc, test_smtp_transaction_lockstep);
	tcase_add_test(tc, test_smtp_transaction_mail_refused_pipelined);
	tcase_add_test(tc, test_smtp_transaction_all_rcpts_refused);
	tcase_add_test(tc, test_smtp_transaction_354_without_rcpts);
	tcase_add_test(tc, test_smtp_transaction_dot_refused);
	tcase_add_test(tc, test_smtp_transaction_size_too_big);
	tcase_add_test(tc, test_smtp_transaction_utf8_needs_smtputf8);
	tcase_add_test(tc, test_smtp_transaction_client_orcpt);
	tcase_add_loop_test(tc, test_smtp_transaction_smtputf8_table, 0,
	    sizeof(utf8s) / sizeof(utf8s[0]));
	tcase_add_test(tc, test_smtp_transaction_timeout);
	tcase_add_test(tc, test_smtp_transaction_disconnect);
	tcase_add_test(tc, test_smtp_transaction_garbage_reply);
	tcase_add_test(tc, test_smtp_transaction_skips_done);
	tcase_add_test(tc, test_smtp_greeting_classes);
	tcase_add_test(tc, test_smtp_greeting_not_smtp);
	tcase_add_test(tc, test_smtp_hello_extensions);
	tcase_add_test(tc, test_smtp_hello_cut_reply);
	tcase_add_test(tc, test_smtp_hello_helo_fallback);
	tcase_add_test(tc, test_smtp_hello_refused);
	tcase_add_test(tc, test_smtp_parse_ehlo_line_size_overflow);
	tcase_add_test(tc, test_smtp_transaction_bdat_with_envelope);
	tcase_add_test(tc, test_smtp_transaction_bdat_refused);
	tcase_add_test(tc, test_smtp_transaction_bdat_lockstep);
	tcase_add_test(tc, test_smtp_transaction_bdat_big_waits);
	tcase_add_test(tc, test_smtp_transaction_dsn_params);
	tcase_add_test(tc, test_smtp_transaction_dsn_not_offered);
	tcase_add_test(tc, test_smtp_transaction_quit_pipelined);
	tcase_add_test(tc, test_smtp_transaction_too_many_recipients);
	tcase_add_test(tc, test_smtp_transaction_mail_refused_then_closed);
	tcase_add_test(tc, test_smtp_transaction_long_dsn_rcpt);
	tcase_add_test(tc, test_smtp_transaction_dot_timeout);
	tcase_add_test(tc, test_smtp_transaction_no_dots_sendfile);
	tcase_add_test(tc, test_smtp_starttls_injection);
	tcase_add_test(tc, test_smtp_starttls_refused);
	tcase_add_loop_test(tc, test_smtp_transaction_dot_stuffing, 0,
	    sizeof(stuffing) / sizeof(stuffing[0]));
	tcase_add_loop_test(tc, test_smtp_transaction_hangup_table, 0,
	    sizeof(hangups) / sizeof(hangups[0]));
	suite_add_tcase(su, tc);
	return su;
}
