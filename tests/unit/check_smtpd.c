/* SPDX-License-Identifier: ISC */
/*
 * check_smtpd.c: the sendmail -bs dialogue.  A scripted client writes
 * its whole side into a socketpair and ends it; smtpd_run() answers into
 * a SOCK_SEQPACKET pair, so each of its writes stays one packet and the
 * test can tell how replies were grouped.  The delivery step is a fake
 * that records the envelope and the text and returns a chosen outcome;
 * one test goes through the real carrier_deliver() with no relay (451).
 * One test runs the server in a child and plays an interactive,
 * pipelining client against it; another does so to change the aliases
 * and mail name files in the middle of a session.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "compat.h"
#include "addr.h"
#include "smtpd.h"
#include "smtpd_parse.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define GREETING	"220 mx.test.example ESMTP carrier\r\n"
#define EHLO_REPLY	"250-mx.test.example\r\n250-PIPELINING\r\n250-SIZE\r\n" \
			"250-8BITMIME\r\n250-SMTPUTF8\r\n250-DSN\r\n" \
			"250 ENHANCEDSTATUSCODES\r\n"
#define BYE		"221 2.0.0 Bye\r\n"

enum outcome {
	OUT_OK,			/* every recipient accepted */
	OUT_TEMP_SESSION,	/* 421 at MAIL: the session ended */
	OUT_PERM_SESSION,	/* 554 5.7.1 after the end of data */
	OUT_PERM_SECOND,	/* the second recipient refused, 550 */
	OUT_TEMP_SECOND,	/* the second recipient refused, 450 */
	OUT_PERM_ALL,		/* every recipient refused, 550 */
	OUT_UNDECIDED		/* the second recipient left without outcome */
};

static struct carrier_options opts;
static struct smtpd_params params;
static struct carrier_error err;
static enum outcome outcome;
static char replies[65536];
static size_t replen;
static unsigned int packets;

/* What the fake delivery step saw, last call. */
static struct {
	int		calls;
	char		sender[ADDR_MAX + 2];
	char		rcpt[4][ADDR_MAX + 2];
	unsigned int	notify[4];
	char		orcpt[4][SMTPD_PARSE_VALUE_MAX];
	size_t		nrcpts;
	enum envelope_ret ret;
	char		envid[ENVELOPE_ENVID_MAX + 1];
	char		received[1024];	/* carrier's Received line */
	char		text[65536];	/* what follows it */
	size_t		textlen;
	struct message_info info;
} got;

static void
rcpt_error(struct carrier_error *e, enum carrier_status st, int code,
    const char *enh, const char *text, enum carrier_phase ph)
{
	status_clear(e);
	e->status = st;
	e->phase = ph;
	e->code = code;
	(void)strlcpy(e->enhanced, enh, sizeof(e->enhanced));
	(void)strlcpy(e->host, "relay.test[192.0.2.1]:25", sizeof(e->host));
	(void)strlcpy(e->text, text, sizeof(e->text));
}

static enum carrier_status
fake_deliver(const struct carrier_options *o, struct carrier_envelope *env,
    const struct carrier_message *msg, struct carrier_error *e)
{
	size_t i;
	ssize_t n;
	uint64_t len = msg->file_size - msg->body_off;

	(void)o;
	got.calls++;
	(void)strlcpy(got.sender, env->sender, sizeof(got.sender));
	got.nrcpts = env->nrcpts;
	for (i = 0; i < env->nrcpts && i < NELEM(got.rcpt); i++) {
		(void)strlcpy(got.rcpt[i], env->rcpts[i].addr,
		    sizeof(got.rcpt[i]));
		got.notify[i] = env->rcpts[i].notify;
		(void)strlcpy(got.orcpt[i], env->rcpts[i].orcpt != NULL ?
		    env->rcpts[i].orcpt : "", sizeof(got.orcpt[i]));
	}
	got.ret = env->ret;
	(void)strlcpy(got.envid, env->envid, sizeof(got.envid));
	ck_assert_uint_lt(msg->headlen + len, sizeof(got.text));
	memcpy(got.text, msg->head, msg->headlen);
	n = pread(msg->fd, got.text + msg->headlen, (size_t)len,
	    (off_t)msg->body_off);
	ck_assert_int_eq(n, (ssize_t)len);
	got.textlen = msg->headlen + (size_t)len;
	got.text[got.textlen] = '\0';
	/* the trace field carrier adds, kept apart (test_smtpd_received) */
	got.received[0] = '\0';
	if (strncmp(got.text, "Received: ", 10) == 0) {
		char *eol = strstr(got.text, "\r\n");
		size_t rl = (size_t)(eol - got.text) + 2;

		ck_assert_uint_lt(rl, sizeof(got.received));
		memcpy(got.received, got.text, rl);
		got.received[rl] = '\0';
		memmove(got.text, got.text + rl, got.textlen - rl + 1);
		got.textlen -= rl;
	}
	got.info = msg->info;

	status_clear(e);
	for (i = 0; i < env->nrcpts; i++) {
		rcpt_error(&env->rcpts[i].result, CARRIER_OK, 250, "2.0.0",
		    "Ok: queued as 4ABC", PHASE_DOT);
		env->rcpts[i].state = ENVELOPE_DELIVERED;
	}
	switch (outcome) {
	case OUT_OK:
		return CARRIER_OK;
	case OUT_TEMP_SESSION:
		rcpt_error(e, CARRIER_TEMP, 421, "4.3.2", "shutting down",
		    PHASE_MAIL);
		break;
	case OUT_PERM_SESSION:
		rcpt_error(e, CARRIER_PERM, 554, "5.7.1", "spam refused",
		    PHASE_DOT);
		break;
	case OUT_PERM_SECOND:
		rcpt_error(&env->rcpts[1].result, CARRIER_PERM, 550, "5.1.1",
		    "no such user", PHASE_RCPT);
		return CARRIER_PERM;
	case OUT_TEMP_SECOND:
		rcpt_error(&env->rcpts[1].result, CARRIER_TEMP, 450, "4.2.0",
		    "greylisted", PHASE_RCPT);
		return CARRIER_TEMP;
	case OUT_PERM_ALL:
		for (i = 0; i < env->nrcpts; i++)
			rcpt_error(&env->rcpts[i].result, CARRIER_PERM, 550,
			    "5.1.1", "no such user", PHASE_RCPT);
		return CARRIER_PERM;
	case OUT_UNDECIDED:
		status_clear(&env->rcpts[1].result);
		env->rcpts[1].state = ENVELOPE_PENDING;
		return CARRIER_OK;	/* even so, never a 250 */
	}
	for (i = 0; i < env->nrcpts; i++)
		env->rcpts[i].result = *e;
	return e->status;
}

static void
setup(void)
{
	carrier_options_init(&opts);
	opts.helo = "mx.test.example";
	opts.domain = "example.org";
	opts.mailname = NULL;
	opts.aliases = NULL;
	opts.timeout = 5;
	memset(&params, 0, sizeof(params));
	params.opts = &opts;
	params.deliver = fake_deliver;
	memset(&got, 0, sizeof(got));
	outcome = OUT_OK;
	status_clear(&err);
	replen = 0;
	packets = 0;
}

static void
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		ck_assert_int_gt(n, 0);
		p += n;
		len -= (size_t)n;
	}
}

static void
send_str(int fd, const char *s)
{
	write_all(fd, s, strlen(s));
}

/* Reads every packet smtpd wrote into replies. */
static void
collect(int fd)
{
	ssize_t n;

	while ((n = recv(fd, replies + replen, sizeof(replies) - 1 - replen,
	    0)) > 0) {
		replen += (size_t)n;
		packets++;
	}
	ck_assert_int_eq(n, 0);
	replies[replen] = '\0';
}

/*
 * Runs a session on script (len octets); the client's side ends after
 * it unless keep_open.  The replies are in replies.
 */
static enum carrier_status
run_len(const char *script, size_t len, int keep_open)
{
	enum carrier_status st;
	int in[2], out[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, in), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, out), 0);
	write_all(in[1], script, len);
	if (!keep_open)
		ck_assert_int_eq(shutdown(in[1], SHUT_WR), 0);
	params.in_fd = in[0];
	params.out_fd = out[0];
	st = smtpd_run(&params, &err);
	ck_assert_int_eq(close(out[0]), 0);
	collect(out[1]);
	(void)close(out[1]);
	(void)close(in[0]);
	(void)close(in[1]);
	return st;
}

static enum carrier_status
run(const char *script)
{
	return run_len(script, strlen(script), 0);
}

/* A message from s@x.example to a@x.example and b@x.example. */
#define ENVELOPE	"EHLO client.test\r\nMAIL FROM:<s@x.example>\r\n" \
			"RCPT TO:<a@x.example>\r\nRCPT TO:<b@x.example>\r\n"
#define ENVELOPE_OK	GREETING EHLO_REPLY "250 2.1.0 Ok\r\n" \
			"250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
#define TEXT		"From: s@x.example\r\nDate: Sat, 28 Nov 2026 " \
			"10:00:00 +0000\r\nMessage-ID: <1@x.example>\r\n" \
			"Subject: t\r\n\r\n"
#define QUEUED		"250 2.0.0 Ok: relay.test[192.0.2.1]:25 said " \
			"after end of data: 250 2.0.0 Ok: queued as 4ABC\r\n"

START_TEST(test_smtpd_run_greeting_quit)
{
	ck_assert_int_eq(run("QUIT\r\nNOOP\r\n"), CARRIER_OK);
	ck_assert_str_eq(replies, GREETING BYE);
	ck_assert_int_eq(err.status, CARRIER_OK);
}
END_TEST

START_TEST(test_smtpd_run_ehlo_helo)
{
	ck_assert_int_eq(run("EHLO client.test\r\nHELO client.test\r\n"
	    "ehlo\r\nQUIT\r\n"), CARRIER_OK);
	ck_assert_str_eq(replies, GREETING EHLO_REPLY
	    "250 mx.test.example\r\n"
	    "501 5.5.4 Syntax: EHLO hostname\r\n" BYE);
}
END_TEST

START_TEST(test_smtpd_run_other_commands)
{
	ck_assert_int_eq(run("NOOP\r\nnoop whatever\r\nVRFY root\r\n"
	    "HELP\r\nQUIT\r\n"), CARRIER_OK);
	ck_assert_str_eq(replies, GREETING "250 2.0.0 Ok\r\n"
	    "250 2.0.0 Ok\r\n"
	    "252 2.0.0 Cannot VRFY; send the message and carrier will try "
	    "to deliver it\r\n"
	    "214-2.0.0 carrier: sendmail -bs, SMTP on standard input; see "
	    "carrier(8)\r\n"
	    "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT "
	    "VRFY HELP\r\n" BYE);
}
END_TEST

/* Commands out of sequence, and bad syntax: one command, one reply. */
static const struct {
	const char	*script;	/* before QUIT */
	const char	*reply;		/* of its last command */
} refusals[] = {
	/* sequence */
	{ "RCPT TO:<a@x.example>", "503 5.5.1 Error: need MAIL command" },
	{ "DATA", "503 5.5.1 Error: need MAIL command" },
	{ "MAIL FROM:<s@x.example>\r\nDATA",
	    "503 5.5.1 Error: need RCPT command" },
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO:<a b>\r\nDATA",
	    "554 5.5.1 Error: no valid recipients" },
	{ "MAIL FROM:<s@x.example>\r\nMAIL FROM:<s@x.example>",
	    "503 5.5.1 Error: nested MAIL command" },
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO:<a@x.example>\r\nRSET\r\n"
	    "RCPT TO:<a@x.example>", "503 5.5.1 Error: need MAIL command" },
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO:<a@x.example>\r\n"
	    "EHLO again\r\nDATA", "503 5.5.1 Error: need MAIL command" },
	/* syntax */
	{ "", "500 5.5.2 Error: bad syntax" },
	{ "   ", "500 5.5.2 Error: bad syntax" },
	{ "FROBNICATE", "500 5.5.2 Error: command not recognized" },
	{ "MAILFROM:<s@x.example>", "500 5.5.2 Error: command not "
	    "recognized" },
	{ "EXPN staff", "502 5.5.1 Error: command not implemented" },
	{ "STARTTLS", "502 5.5.1 Error: command not implemented" },
	{ "AUTH PLAIN AGFAYg==", "502 5.5.1 Error: command not implemented" },
	{ "BDAT 10 LAST", "502 5.5.1 Error: command not implemented" },
	{ "HELO", "501 5.5.4 Syntax: HELO hostname" },
	{ "VRFY", "501 5.5.4 Syntax: VRFY address" },
	{ "RSET now", "501 5.5.4 Syntax: RSET" },
	{ "MAIL TO:<s@x.example>", "501 5.5.4 Syntax: MAIL FROM:<address>" },
	{ "MAIL FROM<s@x.example>", "501 5.5.4 Syntax: MAIL FROM:<address>" },
	{ "MAIL FROM:<s@x.example", "501 5.1.7 Bad sender address syntax: "
	    "no closing \">\"" },
	{ "MAIL FROM:<s@x.example>x", "501 5.1.7 Bad sender address syntax: "
	    "text after \">\"" },
	{ "MAIL FROM:", "501 5.1.7 Bad sender address syntax: no address" },
	{ "MAIL FROM:<s@@x>", "553 5.1.7 invalid sender \"s@@x\"" },
	{ "MAIL FROM:<s@x.example> FOO=1", "555 5.5.4 Unsupported option: "
	    "FOO" },
	{ "MAIL FROM:<s@x.example> BODY=BINARYMIME", "555 5.5.4 "
	    "Unsupported BODY type: BINARYMIME" },
	{ "MAIL FROM:<s@x.example> SIZE=big", "501 5.5.4 Bad SIZE "
	    "parameter" },
	{ "MAIL FROM:<s@x.example> RET=ALL", "501 5.5.4 Bad RET parameter" },
	{ "MAIL FROM:<s@x.example> ENVID=a+2", "501 5.5.4 Bad ENVID "
	    "parameter" },
	{ "MAIL FROM:<s@x.example> =x", "501 5.5.4 Bad MAIL parameter "
	    "syntax" },
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO:<>", "501 5.1.3 Bad "
	    "recipient address syntax: empty address" },
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO <a@x.example>", "501 5.5.4 "
	    "Syntax: RCPT TO:<address>" },
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO:<a@x.example> NOTIFY=NEVER,"
	    "SUCCESS", "501 5.5.4 Bad NOTIFY parameter" },
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO:<a@x.example> ORCPT=rfc822",
	    "501 5.5.4 Bad ORCPT parameter" },
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO:<a@x.example> SIZE=1",
	    "555 5.5.4 Unsupported option: SIZE" },
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO:<a@-x.example>",
	    "553 5.1.3 invalid recipient \"a@-x.example\": " },
	/* one RCPT, one mailbox: never a list or a group */
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO:<a@x.example,b@x.example>",
	    "553 5.1.3 invalid recipient \"a@x.example,b@x.example\": more "
	    "than one address" },
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO:a@x.example,b@x.example",
	    "553 5.1.3 invalid recipient \"a@x.example,b@x.example\": more "
	    "than one address" },
	{ "MAIL FROM:<s@x.example>\r\nRCPT TO:<g: a@x.example;>",
	    "553 5.1.3 invalid recipient \"g: a@x.example;\": more than one "
	    "address" },
	{ "MAIL FROM:<s@x.example>\r\nDATA now", "501 5.5.4 Syntax: DATA" },
	{ "NUL\0BYTE", "500 5.5.2 Error: NUL byte in command" },
};

START_TEST(test_smtpd_run_refusals_table)
{
	char script[1024], want[512];
	const char *last, *p;
	size_t len;

	len = strlen(refusals[_i].script);
	if (_i == (int)NELEM(refusals) - 1)
		len = 8;	/* the NUL byte */
	memcpy(script, refusals[_i].script, len);
	memcpy(script + len, "\r\nQUIT\r\n", 9);
	ck_assert_int_eq(run_len(script, len + 8, 0), CARRIER_OK);
	/* the last reply before the 221 */
	ck_assert_uint_gt(replen, strlen(BYE));
	ck_assert_str_eq(replies + replen - strlen(BYE), BYE);
	replies[replen - strlen(BYE) - 2] = '\0';
	last = strrchr(replies, '\n');
	ck_assert_ptr_nonnull(last);
	(void)snprintf(want, sizeof(want), "%s", refusals[_i].reply);
	p = last + 1;
	ck_assert_msg(strncmp(p, want, strlen(want)) == 0,
	    "case %d: got \"%s\", want \"%s\"", _i, p, want);
	ck_assert_int_eq(got.calls, 0);
}
END_TEST

START_TEST(test_smtpd_run_message)
{
	ck_assert_int_eq(run(ENVELOPE "DATA\r\n" TEXT "body\r\n.\r\n"
	    "QUIT\r\n"), CARRIER_OK);
	ck_assert_str_eq(replies, ENVELOPE_OK
	    "354 End data with <CR><LF>.<CR><LF>\r\n" QUEUED BYE);
	ck_assert_int_eq(got.calls, 1);
	ck_assert_str_eq(got.sender, "s@x.example");
	ck_assert_uint_eq(got.nrcpts, 2);
	ck_assert_str_eq(got.rcpt[0], "a@x.example");
	ck_assert_str_eq(got.rcpt[1], "b@x.example");
	ck_assert_str_eq(got.text, TEXT "body\r\n");
}
END_TEST

/* A pipelined batch is answered in order, in one write. */
START_TEST(test_smtpd_run_pipelined)
{
	ck_assert_int_eq(run(ENVELOPE "DATA\r\n" TEXT "one\r\n.\r\n"
	    "MAIL FROM:<> BODY=8BITMIME SMTPUTF8\r\nRCPT TO:<c@x.example>\r\n"
	    "DATA\r\n" TEXT "two\r\n.\r\nQUIT\r\n"), CARRIER_OK);
	ck_assert_str_eq(replies, ENVELOPE_OK
	    "354 End data with <CR><LF>.<CR><LF>\r\n" QUEUED
	    "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n" QUEUED BYE);
	ck_assert_uint_eq(packets, 2);	/* the greeting, then the rest */
	ck_assert_int_eq(got.calls, 2);
	ck_assert_str_eq(got.sender, "");	/* the null sender */
	ck_assert_uint_eq(got.nrcpts, 1);
	ck_assert_str_eq(got.rcpt[0], "c@x.example");
	ck_assert_str_eq(got.text, TEXT "two\r\n");
}
END_TEST

/*
 * Dot-stuffing undone; "." ends the text only alone on its line;
 * everything else arrives as sent.
 */
START_TEST(test_smtpd_run_dot_unstuffing)
{
	ck_assert_int_eq(run(ENVELOPE "DATA\r\n" TEXT "..\r\n...\r\n..x\r\n"
	    ". \r\n.\tx\r\na.b\r\n.\rx\r\n \r\n.\r\n"
	    "QUIT\r\n"), CARRIER_OK);
	ck_assert_int_eq(got.calls, 1);
	ck_assert_str_eq(got.text, TEXT ".\r\n..\r\n.x\r\n \r\n\tx\r\n"
	    "a.b\r\n\r\nx\r\n \r\n");
	ck_assert_str_eq(replies, ENVELOPE_OK
	    "354 End data with <CR><LF>.<CR><LF>\r\n" QUEUED BYE);
}
END_TEST

/*
 * SMTP smuggling (CVE-2023-51764 in Postfix): after "DATA<CRLF>", only
 * <CRLF>.<CRLF> ends the text, and only a CRLF starts a line to unstuff.
 * A "." after a bare LF, as a caller's text may hold it, is text: no
 * second message with its own envelope comes out of the first.
 */
START_TEST(test_smtpd_run_no_smuggling)
{
	ck_assert_int_eq(run(ENVELOPE "DATA\r\n" TEXT "a\n.\nMAIL FROM:<ceo@x."
	    "example>\nRCPT TO:<v@y.example>\nDATA\nsmuggled\r\n.\nb\n.\r\n"
	    "c\n..d\r\n.\r\nQUIT\r\n"), CARRIER_OK);
	ck_assert_int_eq(got.calls, 1);
	ck_assert_uint_eq(got.nrcpts, 2);
	ck_assert_str_eq(got.text, TEXT "a\r\n.\r\nMAIL FROM:<ceo@x.example>"
	    "\r\nRCPT TO:<v@y.example>\r\nDATA\r\nsmuggled\r\n\r\nb\r\n."
	    "\r\nc\r\n..d\r\n");
	ck_assert_str_eq(replies, ENVELOPE_OK
	    "354 End data with <CR><LF>.<CR><LF>\r\n" QUEUED BYE);
}
END_TEST

/* A stray CR before the line end is a blank, not part of the verb. */
START_TEST(test_smtpd_run_stray_cr)
{
	ck_assert_int_eq(run("NOOP\r\r\nQUIT \r\r\n"), CARRIER_OK);
	ck_assert_str_eq(replies, GREETING "250 2.0.0 Ok\r\n" BYE);
}
END_TEST

/* Bare LF line ends from the client, for commands and text alike. */
START_TEST(test_smtpd_run_bare_lf)
{
	ck_assert_int_eq(run("HELO c\nMAIL FROM:<s@x.example>\n"
	    "RCPT TO:<a@x.example>\nDATA\nSubject: lf\n\n..a\nb\n.\nQUIT\n"),
	    CARRIER_OK);
	ck_assert_int_eq(got.calls, 1);
	ck_assert_ptr_nonnull(strstr(got.text, "Subject: lf\r\n"));
	ck_assert_ptr_nonnull(strstr(got.text, "\r\n\r\n.a\r\nb\r\n"));
	ck_assert_str_eq(replies + replen - strlen(QUEUED BYE), QUEUED BYE);
}
END_TEST

/*
 * The text goes through intake as it arrives: bare CR and LF become
 * CRLF, and what intake learns (8-bit, lines starting with ".", the size
 * that is sent) reaches the delivery step.
 */
START_TEST(test_smtpd_run_text_intake)
{
	ck_assert_int_eq(run(ENVELOPE "DATA\r\n" TEXT "caf\xc3\xa9\rx\r\n"
	    "..dot\r\n.\r\nQUIT\r\n"), CARRIER_OK);
	ck_assert_int_eq(got.calls, 1);
	ck_assert_str_eq(got.text, TEXT "caf\xc3\xa9\r\nx\r\n.dot\r\n");
	ck_assert_int_eq(got.info.eightbit, 1);
	ck_assert_uint_eq(got.info.dot_lines, 1);
	/* the size sent counts the Received field too */
	ck_assert_uint_eq(got.info.size, strlen(got.received) + got.textlen);
}
END_TEST

/*
 * The Received trace field (RFC 5321 4.4): the client's EHLO name, our
 * name, the user, the protocol; a HELO name unfit for the field is
 * "unknown".  Nothing else of the header changes.
 */
START_TEST(test_smtpd_received)
{
	char want[256];

	ck_assert_int_eq(run(ENVELOPE "DATA\r\n" TEXT "b\r\n.\r\n"
	    "HELO bad(name);\r\n" "MAIL FROM:<s@x.example>\r\n"
	    "RCPT TO:<a@x.example>\r\nDATA\r\n" TEXT "b\r\n.\r\nQUIT\r\n"),
	    CARRIER_OK);
	ck_assert_int_eq(got.calls, 2);
	ck_assert_str_eq(got.text, TEXT "b\r\n");
	(void)snprintf(want, sizeof(want), "Received: from unknown by "
	    "mx.test.example (carrier, uid %lu) with SMTP; ",
	    (unsigned long)getuid());
	ck_assert_int_eq(strncmp(got.received, want, strlen(want)), 0);
	/* "Sun, 29 Nov 2026 04:50:00 +0000" in the zone of the host */
	ck_assert_uint_ge(strlen(got.received), strlen(want) + 30 + 2);
	ck_assert_uint_le(strlen(got.received), strlen(want) + 31 + 2);
	ck_assert_str_eq(got.received + strlen(got.received) - 2, "\r\n");
}
END_TEST

/*
 * A command line of SMTPD_LINE_MAX octets is read; a longer one is
 * refused whole and the session goes on.  A text line has no limit.
 */
START_TEST(test_smtpd_run_long_lines)
{
	static char script[65536];
	size_t len = 0, i;
	char *body;

	/* "NOOP " and 4091 more: exactly the limit */
	len += (size_t)snprintf(script, sizeof(script), "NOOP ");
	memset(script + len, 'x', SMTPD_LINE_MAX - 5);
	len += SMTPD_LINE_MAX - 5;
	memcpy(script + len, "\r\nNOOP ", 7);
	len += 7;
	memset(script + len, 'y', SMTPD_LINE_MAX - 4);	/* one more */
	len += SMTPD_LINE_MAX - 4;
	/* not plain text: sent as it is, not made quoted-printable */
	len += (size_t)snprintf(script + len, sizeof(script) - len, "\r\n"
	    ENVELOPE "DATA\r\nFrom: s@x.example\r\n"
	    "Content-Type: image/x-test\r\n\r\n");
	for (i = 0; i < 20000; i++)
		script[len++] = (char)('a' + i % 26);
	len += (size_t)snprintf(script + len, sizeof(script) - len,
	    "\r\n.\r\nQUIT\r\n");
	ck_assert_int_eq(run_len(script, len, 0), CARRIER_OK);
	ck_assert_str_eq(replies, GREETING "250 2.0.0 Ok\r\n"
	    "500 5.5.2 Error: line too long\r\n" EHLO_REPLY "250 2.1.0 Ok\r\n"
	    "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n" QUEUED BYE);
	ck_assert_int_eq(got.calls, 1);
	body = strstr(got.text, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	ck_assert_uint_eq(strlen(body + 4), 20002);
	ck_assert_int_eq(body[4], 'a');
	ck_assert_int_eq(body[4 + 19999], 'a' + 19999 % 26);
}
END_TEST

/* Longer than the input buffer, with no line end at all. */
START_TEST(test_smtpd_run_endless_line)
{
	static char script[40000];

	memset(script, 'z', sizeof(script) - 12);
	memcpy(script + sizeof(script) - 12, "\r\nQUIT\r\nxyz", 11);
	ck_assert_int_eq(run_len(script, sizeof(script) - 4, 0), CARRIER_OK);
	ck_assert_str_eq(replies, GREETING "500 5.5.2 Error: line too long\r\n"
	    BYE);
}
END_TEST

START_TEST(test_smtpd_run_eof_in_data)
{
	ck_assert_int_eq(run(ENVELOPE "DATA\r\n" TEXT "half a mess"),
	    CARRIER_TEMP);
	ck_assert_str_eq(replies, ENVELOPE_OK
	    "354 End data with <CR><LF>.<CR><LF>\r\n");
	ck_assert_int_eq(got.calls, 0);
	ck_assert_int_eq(err.status, CARRIER_TEMP);
	ck_assert_int_eq(err.phase, PHASE_INPUT);
	ck_assert_str_eq(err.text, "the client ended the session without "
	    "QUIT in the middle of the message text (it was dropped)");
}
END_TEST

START_TEST(test_smtpd_run_eof_without_quit)
{
	ck_assert_int_eq(run("EHLO c\r\n"), CARRIER_TEMP);
	ck_assert_str_eq(replies, GREETING EHLO_REPLY);
	ck_assert_str_eq(err.text, "the client ended the session without "
	    "QUIT");
	ck_assert_int_eq(run("EHLO c\r\nMAIL FROM:<>\r\nQUI"), CARRIER_TEMP);
	ck_assert_str_eq(err.text, "the client ended the session without "
	    "QUIT in the middle of a transaction");
}
END_TEST

START_TEST(test_smtpd_run_timeout)
{
	opts.timeout = 1;
	ck_assert_int_eq(run_len("EHLO c\r\nNOOP\r\n", 14, 1), CARRIER_TEMP);
	/* the replies went out before the wait */
	ck_assert_str_eq(replies, GREETING EHLO_REPLY "250 2.0.0 Ok\r\n");
	ck_assert_str_eq(err.text, "timed out after 1 s waiting for the "
	    "client");
}
END_TEST

START_TEST(test_smtpd_run_rset)
{
	ck_assert_int_eq(run("MAIL FROM:<s@x.example>\r\n"
	    "RCPT TO:<a@x.example>\r\nRSET\r\nMAIL FROM:<t@x.example>\r\n"
	    "RCPT TO:<b@x.example>\r\nDATA\r\n" TEXT "x\r\n.\r\nQUIT\r\n"),
	    CARRIER_OK);
	ck_assert_str_eq(replies, GREETING "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n" QUEUED BYE);
	ck_assert_str_eq(got.sender, "t@x.example");
	ck_assert_uint_eq(got.nrcpts, 1);
	ck_assert_str_eq(got.rcpt[0], "b@x.example");
}
END_TEST

/* Bare names are qualified as on the command line; DSN goes through. */
START_TEST(test_smtpd_run_envelope)
{
	ck_assert_int_eq(run("MAIL FROM: <root> RET=HDRS ENVID=q+2B1\r\n"
	    "RCPT TO:<postmaster> NOTIFY=SUCCESS,FAILURE "
	    "ORCPT=rfc822;postmaster\r\n"
	    "RCPT TO:<\"j d\"@x.example>\r\n"
	    "RCPT TO:<@relay.example:\"j d\"@x.example>\r\n"
	    "RCPT TO:<j\xc3\xa9@x.example>\r\n"
	    "DATA\r\n" TEXT ".\r\nQUIT\r\n"), CARRIER_OK);
	ck_assert_int_eq(got.calls, 1);
	ck_assert_str_eq(got.sender, "root@example.org");
	ck_assert_int_eq(got.ret, ENVELOPE_RET_HDRS);
	ck_assert_str_eq(got.envid, "q+1");
	ck_assert_uint_eq(got.nrcpts, 3);
	ck_assert_str_eq(got.rcpt[0], "postmaster@example.org");
	ck_assert_uint_eq(got.notify[0], ENVELOPE_NOTIFY_SUCCESS |
	    ENVELOPE_NOTIFY_FAILURE);
	/* the client's ORCPT, as it came (RFC 3461 4.2) */
	ck_assert_str_eq(got.orcpt[0], "rfc822;postmaster");
	ck_assert_str_eq(got.rcpt[1], "\"j d\"@x.example");
	ck_assert_uint_eq(got.notify[1], 0);
	ck_assert_str_eq(got.orcpt[1], "");
	ck_assert_str_eq(got.rcpt[2], "j\xc3\xa9@x.example");
	ck_assert_str_eq(got.text, TEXT);
}
END_TEST

/* What the reply to "." says for each outcome of the delivery step. */
static const struct {
	enum outcome	 outcome;
	const char	*reply;
} outcomes[] = {
	{ OUT_OK, QUEUED },
	{ OUT_TEMP_SESSION, "451 4.3.2 relay.test[192.0.2.1]:25 said after "
	    "MAIL FROM: 421 4.3.2 shutting down\r\n" },
	{ OUT_PERM_SESSION, "554 5.7.1 relay.test[192.0.2.1]:25 said after "
	    "end of data: 554 5.7.1 spam refused\r\n" },
	{ OUT_PERM_SECOND, "554-5.1.1 <b@x.example>: relay.test[192.0.2.1]:25 "
	    "said after RCPT TO: 550 5.1.1 no such user\r\n"
	    "554 5.0.0 1 of 2 recipients failed; the message went to the "
	    "others: sending it again would duplicate it for them\r\n" },
	{ OUT_TEMP_SECOND, "451-4.2.0 <b@x.example>: relay.test[192.0.2.1]:25 "
	    "said after RCPT TO: 450 4.2.0 greylisted\r\n"
	    "451 4.0.0 1 of 2 recipients failed; the message went to the "
	    "others: sending it again would duplicate it for them\r\n" },
	{ OUT_PERM_ALL, "554-5.1.1 <a@x.example>: relay.test[192.0.2.1]:25 "
	    "said after RCPT TO: 550 5.1.1 no such user\r\n"
	    "554-5.1.1 <b@x.example>: relay.test[192.0.2.1]:25 "
	    "said after RCPT TO: 550 5.1.1 no such user\r\n"
	    "554 5.0.0 2 recipients failed; the message was not delivered\r\n" },
	{ OUT_UNDECIDED, "451-4.0.0 <b@x.example>: not sent\r\n"
	    "451 4.0.0 1 of 2 recipients failed; the message went to the "
	    "others: sending it again would duplicate it for them\r\n" },
};

START_TEST(test_smtpd_run_outcome_table)
{
	char want[2048];

	outcome = outcomes[_i].outcome;
	ck_assert_int_eq(run(ENVELOPE "DATA\r\n" TEXT "b\r\n.\r\nNOOP\r\n"
	    "QUIT\r\n"), CARRIER_OK);
	ck_assert_int_eq(got.calls, 1);
	(void)snprintf(want, sizeof(want), "%s%s%s", ENVELOPE_OK "354 End "
	    "data with <CR><LF>.<CR><LF>\r\n", outcomes[_i].reply,
	    "250 2.0.0 Ok\r\n" BYE);
	ck_assert_str_eq(replies, want);
}
END_TEST

/*
 * The real delivery step to a relay nobody listens on: nothing can be
 * sent, 451 with the reason (a port just bound and closed is refused).
 */
START_TEST(test_smtpd_run_relay_down)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	(void)close(fd);
	params.deliver = NULL;
	opts.relay_host = "127.0.0.1";
	opts.relay_port = ntohs(sin.sin_port);
	ck_assert_int_eq(run(ENVELOPE "DATA\r\n" TEXT "b\r\n.\r\nQUIT\r\n"),
	    CARRIER_OK);
	ck_assert_msg(strstr(replies, "\r\n451 ") != NULL && strstr(replies,
	    "cannot connect: Connection refused") != NULL, "%s", replies);
	ck_assert_str_eq(replies + replen - strlen(BYE), BYE);
	opts.relay_host = NULL;
	opts.relay_port = 0;
}
END_TEST

/* A message carrier_submit() refuses: 554 before any delivery. */
START_TEST(test_smtpd_run_submit_refuses)
{
	static char script[8192];
	size_t len;

	len = (size_t)snprintf(script, sizeof(script), ENVELOPE "DATA\r\n"
	    "From: s@x.example\r\nX-Long: ");
	memset(script + len, 'x', 2000);	/* no blank to fold it at */
	len += 2000;
	len += (size_t)snprintf(script + len, sizeof(script) - len,
	    "\r\n\r\nb\r\n.\r\nQUIT\r\n");
	ck_assert_int_eq(run_len(script, len, 0), CARRIER_OK);
	ck_assert_int_eq(got.calls, 0);
	ck_assert_str_eq(replies, ENVELOPE_OK
	    "354 End data with <CR><LF>.<CR><LF>\r\n"
	    "554 5.6.0 a header line is longer than 998 octets and has no "
	    "blank to fold it at\r\n" BYE);
}
END_TEST

START_TEST(test_smtpd_run_too_many_errors)
{
	static char script[SMTPD_ERRORS_MAX * 6 + 16];
	size_t len = 0, i;

	for (i = 0; i < SMTPD_ERRORS_MAX + 5; i++) {
		memcpy(script + len, "BAD\r\n", 5);
		len += 5;
	}
	ck_assert_int_eq(run_len(script, len, 0), CARRIER_TEMP);
#define LAST	"500 5.5.2 Error: command not recognized\r\n" \
		"421 4.7.0 mx.test.example Error: too many errors\r\n"
	ck_assert_uint_gt(replen, strlen(LAST));
	ck_assert_str_eq(replies + replen - strlen(LAST), LAST);
#undef LAST
	ck_assert_str_eq(err.text, "too many refused commands (100)");
}
END_TEST

/* Writes text to dir/name (replacing it) and its path to path. */
static void
put_file(const char *dir, const char *name, const char *text, char *path,
    size_t size)
{
	char tmp[256];
	int fd, n;

	n = snprintf(path, size, "%s/%s", dir, name);
	ck_assert(n > 0 && (size_t)n < size);
	n = snprintf(tmp, sizeof(tmp), "%s/%s.new", dir, name);
	ck_assert(n > 0 && (size_t)n < sizeof(tmp));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	write_all(fd, text, strlen(text));
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
}

/*
 * Local RCPTs go through the aliases file at each RCPT of a session, as
 * on the command line; a missing file maps nothing, a bad entry is
 * skipped (its name maps to nothing, the others work), and a file that
 * cannot be used (here a directory) refuses each local RCPT alike (451)
 * and no other.
 */
static const struct {
	const char	*text;		/* the aliases file; NULL: none */
	int		 dir;		/* the path is a directory */
	const char	*root, *pm;	/* replies to those RCPTs; NULL: 451 */
	const char	*rcpt[4];	/* what was delivered to */
} alias_cases[] = {
	{ "root: admin@x.example, ops\npostmaster: root, pm@x.example\n", 0,
	    "250 2.1.5 Ok", "250 2.1.5 Ok", { "admin@x.example",
	    "ops@example.org", "a@x.example", "pm@x.example" } },
	{ NULL, 0, "250 2.1.5 Ok", "250 2.1.5 Ok", { "root@example.org",
	    "a@x.example", "postmaster@example.org", NULL } },
	{ "root admin@x.example\npostmaster: pm@x.example\n", 0,
	    "250 2.1.5 Ok", "250 2.1.5 Ok", { "root@example.org",
	    "a@x.example", "pm@x.example", NULL } },
	{ NULL, 1, NULL, NULL, { "a@x.example", NULL, NULL, NULL } },
};

START_TEST(test_smtpd_run_aliases_table)
{
	char dir[] = "/tmp/check_smtpd.XXXXXX", path[128], bad[256];
	char want[2048];
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	if (alias_cases[_i].text != NULL)
		put_file(dir, "aliases", alias_cases[_i].text, path,
		    sizeof(path));
	else
		(void)snprintf(path, sizeof(path), "%s%s", dir,
		    alias_cases[_i].dir ? "" : "/none");
	opts.aliases = path;
	ck_assert_int_eq(run("MAIL FROM:<s@x.example>\r\nRCPT TO:<root>\r\n"
	    "RCPT TO:<a@x.example>\r\nRCPT TO:<postmaster@example.org>\r\n"
	    "DATA\r\n" TEXT "b\r\n.\r\nQUIT\r\n"), CARRIER_OK);
	(void)snprintf(bad, sizeof(bad), "451 4.3.5 %s: not a regular file",
	    path);
	(void)snprintf(want, sizeof(want), "%s250 2.1.0 Ok\r\n%s\r\n"
	    "250 2.1.5 Ok\r\n%s\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
	    "%s%s", GREETING, alias_cases[_i].root != NULL ?
	    alias_cases[_i].root : bad, alias_cases[_i].pm != NULL ?
	    alias_cases[_i].pm : bad, QUEUED, BYE);
	ck_assert_str_eq(replies, want);
	ck_assert_int_eq(got.calls, 1);
	for (n = 0; n < NELEM(alias_cases[_i].rcpt) &&
	    alias_cases[_i].rcpt[n] != NULL; n++)
		ck_assert_str_eq(got.rcpt[n], alias_cases[_i].rcpt[n]);
	ck_assert_uint_eq(got.nrcpts, n);
	if (!alias_cases[_i].dir)
		(void)unlink(path);
	(void)rmdir(dir);
}
END_TEST

/*
 * A local RCPT whose alias cannot be expanded (nested deeper than
 * ALIASES_DEPTH_MAX, as in the fuzz artifact this test replaced) is
 * refused with 451, each such refusal counts toward SMTPD_ERRORS_MAX,
 * and none leaves memory behind (the sanitizer run's leak check: the
 * recipient list of each failed expansion was kept, 512 octets each).
 */
START_TEST(test_smtpd_run_alias_failures_counted)
{
	static char script[64 + (SMTPD_ERRORS_MAX + 5) * 16];
	char dir[] = "/tmp/check_smtpd.XXXXXX", path[128], text[1024];
	size_t len, i;
	int n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* a target found before the depth runs out: the list is made */
	len = strlcpy(text, "n0: z@x.example, n1\n", sizeof(text));
	for (i = 1; i < 40; i++) {
		n = snprintf(text + len, sizeof(text) - len, "n%zu: n%zu\n", i,
		    i + 1);
		ck_assert(n > 0 && (size_t)n < sizeof(text) - len);
		len += (size_t)n;
	}
	put_file(dir, "aliases", text, path, sizeof(path));
	opts.aliases = path;
	len = strlcpy(script, "MAIL FROM:<s@x.example>\r\n", sizeof(script));
	for (i = 0; i < SMTPD_ERRORS_MAX + 5; i++)
		len = strlcat(script, "RCPT TO:<n0>\r\n", sizeof(script));
	ck_assert_uint_lt(len, sizeof(script) - 1);
	ck_assert_int_eq(run(script), CARRIER_TEMP);
	ck_assert_str_eq(err.text, "too many refused commands (100)");
	ck_assert_ptr_nonnull(strstr(replies, "451 4.3.5 "));
	ck_assert_ptr_nonnull(strstr(replies, "nested deeper than"));
#define LAST	"421 4.7.0 mx.test.example Error: too many errors\r\n"
	ck_assert_str_eq(replies + replen - strlen(LAST), LAST);
#undef LAST
	ck_assert_int_eq(got.calls, 0);
	(void)unlink(path);
	(void)rmdir(dir);
}
END_TEST

/*
 * An interactive client against a server in a child: it waits for each
 * group's replies, as a pipelining client does; each group's replies
 * come in one write, after the whole group was read.
 */
static void
expect_packet(int fd, const char *want)
{
	char buf[4096];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, want);
}

/*
 * The client's last group, the text with "." and QUIT: both answered in
 * one packet, and the child (the server) exits 0.
 */
static void
end_session(pid_t pid, int in, int out)
{
	int status;

	send_str(in, TEXT "b\r\n.\r\nQUIT\r\n");
	expect_packet(out, QUEUED BYE);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	(void)close(in);
	(void)close(out);
}

START_TEST(test_smtpd_run_interactive)
{
	int in[2], out[2];
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, in), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, out), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		params.in_fd = in[0];
		params.out_fd = out[0];
		_exit(smtpd_run(&params, &err) == CARRIER_OK &&
		    got.calls == 1 ? 0 : 1);
	}
	(void)close(in[0]);
	(void)close(out[0]);
	expect_packet(out[1], GREETING);
	send_str(in[1], "EHLO c\r\n");
	expect_packet(out[1], EHLO_REPLY);
	send_str(in[1], "MAIL FROM:<s@x.example>\r\nRCPT TO:<a@x.example>\r\n"
	    "RCPT TO:<b@x.example>x\r\nDATA\r\n");
	expect_packet(out[1], "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "501 5.1.3 Bad recipient address syntax: text after \">\"\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n");
	end_session(pid, in[1], out[1]);
}
END_TEST

/*
 * The mail name and aliases files are read once per session: changed
 * after the first RCPTs, they still give what they gave then (the next
 * session sees the change).  The child says what it delivered to in its
 * exit status: 0 for what the first files give.
 */
START_TEST(test_smtpd_run_files_read_once)
{
	static const char *const want[] = { "one@x.example", "u1@one.example",
	    "pm@x.example", "u2@one.example" };
	char dir[] = "/tmp/check_smtpd.XXXXXX", apath[128], mpath[128];
	int in[2], out[2];
	size_t i;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put_file(dir, "aliases", "root: one@x.example\n"
	    "postmaster: pm@x.example\n", apath, sizeof(apath));
	put_file(dir, "mailname", "one.example\n", mpath, sizeof(mpath));
	opts.aliases = apath;
	opts.mailname = mpath;
	opts.domain = NULL;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, in), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, out), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		params.in_fd = in[0];
		params.out_fd = out[0];
		if (smtpd_run(&params, &err) != CARRIER_OK || got.calls != 1 ||
		    got.nrcpts != NELEM(want))
			_exit(1);
		for (i = 0; i < NELEM(want); i++)
			if (strcmp(got.rcpt[i], want[i]) != 0)
				_exit(2 + (int)i);
		_exit(0);
	}
	(void)close(in[0]);
	(void)close(out[0]);
	expect_packet(out[1], GREETING);
	send_str(in[1], "MAIL FROM:<s@x.example>\r\nRCPT TO:<root>\r\n"
	    "RCPT TO:<u1>\r\n");
	expect_packet(out[1], "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "250 2.1.5 Ok\r\n");
	put_file(dir, "aliases", "root: two@x.example\n"
	    "postmaster: two@x.example\n", apath, sizeof(apath));
	put_file(dir, "mailname", "two.example\n", mpath, sizeof(mpath));
	send_str(in[1], "RCPT TO:<postmaster>\r\nRCPT TO:<u2>\r\nDATA\r\n");
	expect_packet(out[1], "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n");
	end_session(pid, in[1], out[1]);
	(void)unlink(apath);
	(void)unlink(mpath);
	(void)rmdir(dir);
}
END_TEST

Suite *
smtpd_suite(void)
{
	Suite *s = suite_create("smtpd");
	TCase *tc = tcase_create("smtpd");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_smtpd_run_greeting_quit);
	tcase_add_test(tc, test_smtpd_run_ehlo_helo);
	tcase_add_test(tc, test_smtpd_run_other_commands);
	tcase_add_loop_test(tc, test_smtpd_run_refusals_table, 0,
	    NELEM(refusals));
	tcase_add_test(tc, test_smtpd_run_message);
	tcase_add_test(tc, test_smtpd_run_pipelined);
	tcase_add_test(tc, test_smtpd_run_dot_unstuffing);
	tcase_add_test(tc, test_smtpd_run_bare_lf);
	tcase_add_test(tc, test_smtpd_run_no_smuggling);
	tcase_add_test(tc, test_smtpd_run_stray_cr);
	tcase_add_test(tc, test_smtpd_received);
	tcase_add_test(tc, test_smtpd_run_text_intake);
	tcase_add_test(tc, test_smtpd_run_long_lines);
	tcase_add_test(tc, test_smtpd_run_endless_line);
	tcase_add_test(tc, test_smtpd_run_eof_in_data);
	tcase_add_test(tc, test_smtpd_run_eof_without_quit);
	tcase_add_test(tc, test_smtpd_run_timeout);
	tcase_add_test(tc, test_smtpd_run_rset);
	tcase_add_test(tc, test_smtpd_run_envelope);
	tcase_add_loop_test(tc, test_smtpd_run_outcome_table, 0,
	    NELEM(outcomes));
	tcase_add_test(tc, test_smtpd_run_relay_down);
	tcase_add_test(tc, test_smtpd_run_submit_refuses);
	tcase_add_test(tc, test_smtpd_run_too_many_errors);
	tcase_add_test(tc, test_smtpd_run_interactive);
	tcase_add_loop_test(tc, test_smtpd_run_aliases_table, 0,
	    NELEM(alias_cases));
	tcase_add_test(tc, test_smtpd_run_files_read_once);
	tcase_add_test(tc, test_smtpd_run_alias_failures_counted);
	suite_add_tcase(s, tc);
	return s;
}
