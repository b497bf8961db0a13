/* SPDX-License-Identifier: ISC */
/* check_maillog.c: mail log lines, and the syslog client on a socket. */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "compat.h"
#include "maillog.h"

static const struct maillog_msg msg = {
	.sender = "cron@example.net", .msgid = "<1.2@example.net>",
	.size = 2048, .uid = 1000, .delay_ms = 1234,
};

static struct carrier_error
result(enum carrier_status st, enum carrier_phase ph, int code,
    const char *enh, const char *host, const char *text)
{
	struct carrier_error e;

	status_clear(&e);
	e.status = st;
	e.phase = ph;
	e.code = code;
	(void)strlcpy(e.enhanced, enh, sizeof(e.enhanced));
	(void)strlcpy(e.host, host, sizeof(e.host));
	(void)strlcpy(e.text, text, sizeof(e.text));
	return e;
}

static const struct {
	enum carrier_status	st;
	enum carrier_phase	ph;
	int			code;
	const char		*enh, *host, *text, *want;
} lines[] = {
	{ CARRIER_OK, PHASE_DOT, 250, "2.0.0", "mx.example[192.0.2.1]:25",
	  "Ok: queued as 4Xy", "from=<cron@example.net>, to=<root@example.net>"
	  ", uid=1000, msgid=<1.2@example.net>, relay=mx.example[192.0.2.1]:25"
	  ", delay=1.23, size=2048, dsn=2.0.0, status=sent (250 2.0.0 Ok: "
	  "queued as 4Xy)" },
	{ CARRIER_PERM, PHASE_RCPT, 550, "5.1.1", "[192.0.2.1]:587",
	  "no such user", "from=<cron@example.net>, to=<root@example.net>, "
	  "uid=1000, msgid=<1.2@example.net>, relay=[192.0.2.1]:587, "
	  "delay=1.23, size=2048, dsn=5.1.1, status=failed (550 5.1.1 no such "
	  "user, in reply to RCPT TO)" },
	{ CARRIER_TEMP, PHASE_MAIL, 451, "", "[192.0.2.1]:25", "try later",
	  "from=<cron@example.net>, to=<root@example.net>, uid=1000, "
	  "msgid=<1.2@example.net>, relay=[192.0.2.1]:25, delay=1.23, "
	  "size=2048, status=tempfail (451 try later, in reply to MAIL FROM)" },
	{ CARRIER_TEMP, PHASE_CONNECT, 0, "", "", "cannot connect: refused",
	  "from=<cron@example.net>, to=<root@example.net>, uid=1000, "
	  "msgid=<1.2@example.net>, relay=none, delay=1.23, size=2048, "
	  "status=tempfail (cannot connect: refused)" },
	{ CARRIER_TEMP, PHASE_CONFIG, 0, "", "", "no relay configured",
	  "from=<cron@example.net>, to=<root@example.net>, uid=1000, "
	  "msgid=<1.2@example.net>, relay=none, delay=1.23, size=2048, "
	  "status=config-error (no relay configured)" },
	{ CARRIER_PERM, PHASE_CONFIG, 0, "", "", "/etc/aliases: I/O error",
	  "from=<cron@example.net>, to=<root@example.net>, uid=1000, "
	  "msgid=<1.2@example.net>, relay=none, delay=1.23, size=2048, "
	  "status=config-error (/etc/aliases: I/O error)" },
};

START_TEST(test_maillog_format_table)
{
	struct carrier_error e = result(lines[_i].st, lines[_i].ph,
	    lines[_i].code, lines[_i].enh, lines[_i].host, lines[_i].text);
	char buf[MAILLOG_LINE_MAX];
	size_t n = maillog_format(buf, sizeof(buf), &msg, "root@example.net",
	    &e);

	ck_assert_str_eq(buf, lines[_i].want);
	ck_assert_uint_eq(n, strlen(buf));
}
END_TEST

/*
 * A queued message's lines (a queue id): the id first, a temporary
 * failure "deferred", a permanent one "bounced", a lifetime run out
 * "expired" (PHASE_EXPIRED, as queue.c's expire() sets it), a delivery
 * "sent"; the severity as for any line.
 */
static const struct maillog_msg qmsg = {
	.sender = "owner@example.org", .msgid = "<q.1@example.net>",
	.size = 212, .uid = 0, .delay_ms = 3010,
	.queue_id = "06B1634882A7C3000590",
};

static const struct {
	enum carrier_status	st;
	enum carrier_phase	ph;
	int			code;
	const char		*enh, *host, *text, *want;
	int			prio;
} queued[] = {
	{ CARRIER_TEMP, PHASE_CONNECT, 0, "", "[127.0.0.1]:26",
	  "cannot connect: Connection refused", "06B1634882A7C3000590: "
	  "from=<owner@example.org>, to=<root@example.net>, uid=0, "
	  "msgid=<q.1@example.net>, relay=[127.0.0.1]:26, delay=3.01, "
	  "size=212, status=deferred (cannot connect: Connection refused)",
	  LOG_WARNING },
	{ CARRIER_TEMP, PHASE_RCPT, 450, "4.2.0", "[127.0.0.1]:25",
	  "greylisted", "06B1634882A7C3000590: from=<owner@example.org>, "
	  "to=<root@example.net>, uid=0, msgid=<q.1@example.net>, "
	  "relay=[127.0.0.1]:25, delay=3.01, size=212, dsn=4.2.0, "
	  "status=deferred (450 4.2.0 greylisted, in reply to RCPT TO)",
	  LOG_WARNING },
	{ CARRIER_PERM, PHASE_RCPT, 550, "5.1.1", "[127.0.0.1]:25",
	  "no such user", "06B1634882A7C3000590: from=<owner@example.org>, "
	  "to=<root@example.net>, uid=0, msgid=<q.1@example.net>, "
	  "relay=[127.0.0.1]:25, delay=3.01, size=212, dsn=5.1.1, "
	  "status=bounced (550 5.1.1 no such user, in reply to RCPT TO)",
	  LOG_ERR },
	{ CARRIER_PERM, PHASE_EXPIRED, 0, "4.4.7", "[127.0.0.1]:25",
	  "gave up after 120 hours in the queue; the last try: x",
	  "06B1634882A7C3000590: from=<owner@example.org>, "
	  "to=<root@example.net>, uid=0, msgid=<q.1@example.net>, "
	  "relay=[127.0.0.1]:25, delay=3.01, size=212, dsn=4.4.7, "
	  "status=expired (gave up after 120 hours in the queue; the last "
	  "try: x)", LOG_ERR },
	{ CARRIER_OK, PHASE_DOT, 250, "2.0.0", "[127.0.0.1]:25",
	  "Ok: queued as D0DB3A74385", "06B1634882A7C3000590: "
	  "from=<owner@example.org>, to=<root@example.net>, uid=0, "
	  "msgid=<q.1@example.net>, relay=[127.0.0.1]:25, delay=3.01, "
	  "size=212, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as "
	  "D0DB3A74385)", LOG_INFO },
};

START_TEST(test_maillog_format_queued)
{
	struct carrier_error e = result(queued[_i].st, queued[_i].ph,
	    queued[_i].code, queued[_i].enh, queued[_i].host,
	    queued[_i].text);
	char buf[MAILLOG_LINE_MAX];
	size_t n = maillog_format(buf, sizeof(buf), &qmsg, "root@example.net",
	    &e);

	ck_assert_str_eq(buf, queued[_i].want);
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_int_eq(maillog_priority(&e), queued[_i].prio);
}
END_TEST

/*
 * The queue's words only with a queue id: an empty one is no id, and
 * the null sender of a report or a bounce is from=<>.
 */
START_TEST(test_maillog_format_queued_edges)
{
	static const struct {
		const char	*qid, *prefix, *word;
	} t[] = {
		{ "06B1634882A7C3000590", "06B1634882A7C3000590: ", "bounced" },
		{ "", "", "failed" },
	};
	struct maillog_msg m = qmsg;
	struct carrier_error e = result(CARRIER_PERM, PHASE_RCPT, 550,
	    "5.1.1", "[127.0.0.1]:25", "no such user");
	char buf[MAILLOG_LINE_MAX], want[MAILLOG_LINE_MAX];
	size_t i;

	m.sender = "";
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		m.queue_id = t[i].qid;
		(void)snprintf(want, sizeof(want), "%sfrom=<>, "
		    "to=<dead@example.org>, uid=0, msgid=<q.1@example.net>, "
		    "relay=[127.0.0.1]:25, delay=3.01, size=212, dsn=5.1.1, "
		    "status=%s (550 5.1.1 no such user, in reply to RCPT TO)",
		    t[i].prefix, t[i].word);
		(void)maillog_format(buf, sizeof(buf), &m, "dead@example.org",
		    &e);
		ck_assert_str_eq(buf, want);
	}
	e = result(CARRIER_TEMP, PHASE_RCPT, 450, "", "[127.0.0.1]:25", "x");
	(void)maillog_format(buf, sizeof(buf), &m, "dead@example.org", &e);
	ck_assert_ptr_nonnull(strstr(buf, ", status=tempfail (450 x, "));
	/* a queue id from a file is sanitised too: no second line */
	m.queue_id = "ID\nMar  1 00:00:00 evil";
	(void)maillog_format(buf, sizeof(buf), &m, "dead@example.org", &e);
	ck_assert_ptr_null(strchr(buf, '\n'));
	(void)strlcpy(want, "ID\\x0aMar  1 00:00:00 evil: from=<>, ",
	    sizeof(want));
	ck_assert_int_eq(strncmp(buf, want, strlen(want)), 0);
}
END_TEST

/* An MX host's TLS policy follows relay=; none for the relay. */
START_TEST(test_maillog_format_tls)
{
	struct carrier_error e = result(CARRIER_TEMP, PHASE_TLS, 0, "4.7.5",
	    "mx.example", "MX host mx.example is not in the MTA-STS policy");
	char buf[MAILLOG_LINE_MAX];

	(void)strlcpy(e.tls, "sts", sizeof(e.tls));
	(void)maillog_format(buf, sizeof(buf), &msg, "root@example.net", &e);
	ck_assert_ptr_nonnull(strstr(buf, ", relay=mx.example, tls=sts, "
	    "delay=1.23, "));
	(void)strlcpy(e.tls, "d\nne", sizeof(e.tls));	/* never a new line */
	(void)maillog_format(buf, sizeof(buf), &msg, "root@example.net", &e);
	ck_assert_ptr_nonnull(strstr(buf, ", tls=d\\x0ane, "));
}
END_TEST

/* Text from the caller or a server cannot forge a second log line. */
START_TEST(test_maillog_format_sanitises)
{
	struct maillog_msg m = msg;
	struct carrier_error e = result(CARRIER_PERM, PHASE_RCPT, 550, "",
	    "h\nx", "bad\r\nMar  1 00:00:00 evil: x");
	char buf[MAILLOG_LINE_MAX];

	m.sender = "a\nb@example.net";
	m.msgid = "<x\r\n>";
	(void)maillog_format(buf, sizeof(buf), &m, "r\x01@example.net", &e);
	ck_assert_ptr_null(strpbrk(buf, "\r\n\x01"));
	ck_assert_ptr_nonnull(strstr(buf, "from=<a\\x0ab@example.net>"));
	ck_assert_ptr_nonnull(strstr(buf, "to=<r\\x01@example.net>"));
	ck_assert_ptr_nonnull(strstr(buf, "msgid=<x\\x0d\\x0a>"));
	ck_assert_ptr_nonnull(strstr(buf, "bad\\x0d\\x0aMar"));
}
END_TEST

/* Unknown fields are left out; a small buffer cuts, never overflows. */
START_TEST(test_maillog_format_short)
{
	struct maillog_msg m = { .sender = "", .uid = -1, .delay_ms = -1 };
	struct carrier_error e = result(CARRIER_OK, PHASE_DOT, 250, "",
	    "[::1]:25", "ok");
	char buf[MAILLOG_LINE_MAX], small[40];
	size_t n;

	(void)maillog_format(buf, sizeof(buf), &m, "a@b", &e);
	ck_assert_str_eq(buf, "from=<>, to=<a@b>, relay=[::1]:25, "
	    "status=sent (250 ok)");
	memset(small, 'z', sizeof(small));
	n = maillog_format(small, sizeof(small), &m, "a@b", &e);
	ck_assert_uint_eq(n, sizeof(small) - 1);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert_uint_eq(maillog_format(small, 0, &m, "a@b", &e), 0);
}
END_TEST

START_TEST(test_maillog_format_refused)
{
	struct carrier_error e = result(CARRIER_PERM, PHASE_INPUT, 0, "", "",
	    "no recipients");
	struct maillog_msg m = msg;
	char buf[MAILLOG_LINE_MAX];

	(void)maillog_format_refused(buf, sizeof(buf), &msg, &e);
	ck_assert_str_eq(buf, "from=<cron@example.net>, uid=1000, "
	    "status=refused (no recipients)");
	/* refused before the sender was known: no from= at all */
	m.sender = "";
	(void)maillog_format_refused(buf, sizeof(buf), &m, &e);
	ck_assert_str_eq(buf, "uid=1000, status=refused (no recipients)");
	/* not the caller's doing: the configuration's */
	e = result(CARRIER_PERM, PHASE_CONFIG, 0, "", "",
	    "/etc/carrier.conf:3: unknown key \"rely\"");
	(void)maillog_format_refused(buf, sizeof(buf), &m, &e);
	ck_assert_str_eq(buf, "uid=1000, status=config-error "
	    "(/etc/carrier.conf:3: unknown key \"rely\")");
}
END_TEST

/*
 * The longest fields, every octet escaped to four: the status and the
 * reply still fit in the line.
 */
START_TEST(test_maillog_format_status_kept)
{
	static char sender[400], rcpt[400], msgid[MAILLOG_MSGID_MAX];
	struct maillog_msg m = msg;
	struct carrier_error e;
	char host[STATUS_HOST_MAX], text[STATUS_TEXT_MAX];
	char buf[MAILLOG_LINE_MAX];

	memset(sender, 0xc3, sizeof(sender) - 1);
	memset(rcpt, 0xa9, sizeof(rcpt) - 1);
	memset(msgid, 0xff, sizeof(msgid) - 1);
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	memset(text, 't', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	e = result(CARRIER_PERM, PHASE_RCPT, 550, "5.1.1", host, text);
	m.sender = sender;
	m.msgid = msgid;
	(void)maillog_format(buf, sizeof(buf), &m, rcpt, &e);
	ck_assert_ptr_nonnull(strstr(buf, ", status=failed (550 5.1.1 ttt"));
	ck_assert_ptr_nonnull(strstr(buf, "ttt, in reply to RCPT TO)"));
	ck_assert_uint_lt(strlen(buf), sizeof(buf) - 1);
}
END_TEST

START_TEST(test_maillog_names)
{
	struct carrier_error ok = result(CARRIER_OK, PHASE_DOT, 250, "", "",
	    ""), temp = result(CARRIER_TEMP, PHASE_MAIL, 451, "", "", ""),
	    perm = result(CARRIER_PERM, PHASE_RCPT, 550, "", "", ""),
	    conf = result(CARRIER_TEMP, PHASE_CONFIG, 0, "", "", "");

	ck_assert_int_eq(maillog_facility("mail"), LOG_MAIL);
	ck_assert_int_eq(maillog_facility("local7"), LOG_LOCAL7);
	ck_assert_int_eq(maillog_facility("off"), MAILLOG_OFF);
	ck_assert_int_eq(maillog_facility("kern"), -2);
	ck_assert_int_eq(maillog_facility("MAIL"), -2);
	ck_assert_int_eq(maillog_tag_ok("cron-mail"), 1);
	ck_assert_int_eq(maillog_tag_ok(""), 0);
	ck_assert_int_eq(maillog_tag_ok(NULL), 0);
	ck_assert_int_eq(maillog_tag_ok("a b"), 0);
	ck_assert_int_eq(maillog_tag_ok("a:b"), 0);
	ck_assert_int_eq(maillog_tag_ok("a[1]"), 0);
	ck_assert_int_eq(maillog_tag_ok("\xc3\xa9"), 0);
	ck_assert_int_eq(maillog_tag_ok(
	    "0123456789012345678901234567890123"), 0);
	ck_assert_int_eq(maillog_priority(&ok), LOG_INFO);
	ck_assert_int_eq(maillog_priority(&temp), LOG_WARNING);
	ck_assert_int_eq(maillog_priority(&perm), LOG_ERR);
	ck_assert_int_eq(maillog_priority(&conf), LOG_ERR);
}
END_TEST

/* A daemon: a datagram socket bound at a fresh path; returns its fd. */
static int
daemon_socket(char *path, size_t size, int rcvbuf)
{
	struct sockaddr_un sun;
	int fd;

	(void)snprintf(path, size, "/tmp/check_maillog.%ld", (long)getpid());
	(void)unlink(path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	if (rcvbuf > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/*
 * 70 lines (three batches) arrive framed, in order, one per datagram,
 * while the daemon reads (a child sends: the kernel queues only
 * net.unix.max_dgram_qlen datagrams, 10 by default).
 */
START_TEST(test_maillog_send_frames)
{
	static struct maillog l;
	char path[108], line[64], got[MAILLOG_FRAME_MAX], want[128];
	int fd = daemon_socket(path, sizeof(path), 0), i, status;
	struct timeval tv = { 5, 0 };
	pid_t pid;
	ssize_t n;

	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	if ((pid = fork()) == 0) {
		if (maillog_open(&l, path, LOG_LOCAL3, "cron-mail", 5000) != 0)
			_exit(2);
		for (i = 0; i < 70; i++) {
			(void)snprintf(line, sizeof(line), "line %d", i);
			maillog_add(&l, i == 0 ? LOG_ERR : LOG_INFO, line);
		}
		_exit(maillog_close(&l) == 0 && l.sent == 70 ? 0 : 1);
	}
	ck_assert_int_gt(pid, 0);
	for (i = 0; i < 70; i++) {
		n = recv(fd, got, sizeof(got) - 1, 0);
		ck_assert_int_gt(n, 0);
		got[n] = '\0';
		/* "<PRI>Mmm dd hh:mm:ss tag[pid]: text" */
		(void)snprintf(want, sizeof(want), "<%d>", LOG_LOCAL3 |
		    (i == 0 ? LOG_ERR : LOG_INFO));
		ck_assert_int_eq(strncmp(got, want, strlen(want)), 0);
		ck_assert_int_eq(got[strlen(want) + 3], ' ');
		ck_assert_int_eq(got[strlen(want) + 15], ' ');
		(void)snprintf(want, sizeof(want), " cron-mail[%ld]: line %d",
		    (long)pid, i);
		ck_assert_str_eq(got + strlen(got) - strlen(want), want);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);
	(void)close(fd);
	(void)unlink(path);
}
END_TEST

/*
 * A daemon that reads, but slowly (a line each 50 ms): the wait is the
 * deadline in all, not the deadline again for every line.
 */
START_TEST(test_maillog_slow_daemon)
{
	static struct maillog l;
	struct timespec t0, t1;
	char path[108], buf[MAILLOG_FRAME_MAX];
	int fd = daemon_socket(path, sizeof(path), 0), i, status;
	pid_t pid;
	long ms;

	if ((pid = fork()) == 0) {
		for (i = 0; i < 40; i++) {
			(void)usleep(50000);
			if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) == -1 &&
			    errno != EAGAIN)
				_exit(1);
		}
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(maillog_open(&l, path, LOG_MAIL, "t", 300), 0);
	for (i = 0; i < 100; i++)
		maillog_add(&l, LOG_INFO, "slowly");
	(void)maillog_close(&l);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	ck_assert_int_ge(ms, 250);
	ck_assert_int_lt(ms, 900);
	ck_assert_uint_gt(l.sent, 10);
	ck_assert_uint_lt(l.sent, 100);
	ck_assert_uint_eq(l.sent + l.dropped, 100);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	(void)close(fd);
	(void)unlink(path);
}
END_TEST

/* A stream socket (a syslog-ng "unix-stream"): each frame ends in NUL. */
START_TEST(test_maillog_stream_daemon)
{
	static struct maillog l;
	struct sockaddr_un sun;
	char path[108], got[256], want[64];
	int fd, c;
	ssize_t n, have = 0;

	(void)snprintf(path, sizeof(path), "/tmp/check_maillog.s%ld",
	    (long)getpid());
	(void)unlink(path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(maillog_open(&l, path, LOG_MAIL, "st", 1000), 0);
	ck_assert_int_eq(l.stream, 1);
	maillog_add(&l, LOG_INFO, "one");
	maillog_add(&l, LOG_ERR, "two");
	ck_assert_uint_eq(maillog_close(&l), 0);
	c = accept(fd, NULL, NULL);
	ck_assert_int_ge(c, 0);
	while ((n = read(c, got + have, sizeof(got) - 1 - (size_t)have)) > 0)
		have += n;
	ck_assert_int_gt(have, 0);
	got[have] = '\0';
	(void)snprintf(want, sizeof(want), " st[%ld]: one", (long)getpid());
	ck_assert_int_eq(strncmp(got, "<22>", 4), 0);
	ck_assert_str_eq(got + strlen(got) - strlen(want), want);
	ck_assert_int_eq(strncmp(got + strlen(got) + 1, "<19>", 4), 0);
	ck_assert_int_eq(got[have - 1], '\0');
	(void)close(c);
	(void)close(fd);
	(void)unlink(path);
}
END_TEST

/* No daemon: an error at open, and every line counted as dropped. */
START_TEST(test_maillog_no_daemon)
{
	static struct maillog l;

	ck_assert_int_eq(maillog_open(&l, "/nonexistent/log", LOG_MAIL,
	    NULL, 1000), -1);
	ck_assert_int_eq(errno, ENOENT);
	maillog_add(&l, LOG_INFO, "x");
	maillog_add(&l, LOG_INFO, "y");
	ck_assert_uint_eq(maillog_close(&l), 2);
	/* off: nothing is tried, nothing is dropped */
	ck_assert_int_eq(maillog_open(&l, "/nonexistent/log", MAILLOG_OFF,
	    NULL, 1000), 0);
	maillog_add(&l, LOG_INFO, "x");
	ck_assert_uint_eq(maillog_close(&l), 0);
}
END_TEST

/* A daemon that does not read holds the sender up to the deadline only. */
START_TEST(test_maillog_stalled_daemon)
{
	static struct maillog l;
	struct timespec t0, t1;
	char path[108], line[MAILLOG_LINE_MAX];
	int fd = daemon_socket(path, sizeof(path), 1), i;
	long ms;
	size_t dropped;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(maillog_open(&l, path, LOG_MAIL, "t", 300), 0);
	for (i = 0; i < 1000; i++)
		maillog_add(&l, LOG_INFO, line);
	dropped = maillog_close(&l);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	ck_assert_int_ge(ms, 250);
	ck_assert_int_lt(ms, 2000);
	ck_assert_uint_gt(dropped, 0);
	ck_assert_uint_eq(dropped + l.sent, 1000);
	(void)close(fd);
	(void)unlink(path);
}
END_TEST

Suite *
maillog_suite(void)
{
	Suite *s = suite_create("maillog");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_maillog_format_table, 0,
	    sizeof(lines) / sizeof(lines[0]));
	tcase_add_loop_test(tc, test_maillog_format_queued, 0,
	    sizeof(queued) / sizeof(queued[0]));
	tcase_add_test(tc, test_maillog_format_queued_edges);
	tcase_add_test(tc, test_maillog_format_tls);
	tcase_add_test(tc, test_maillog_format_sanitises);
	tcase_add_test(tc, test_maillog_format_short);
	tcase_add_test(tc, test_maillog_format_refused);
	tcase_add_test(tc, test_maillog_format_status_kept);
	tcase_add_test(tc, test_maillog_slow_daemon);
	tcase_add_test(tc, test_maillog_stream_daemon);
	tcase_add_test(tc, test_maillog_names);
	tcase_add_test(tc, test_maillog_send_frames);
	tcase_add_test(tc, test_maillog_no_daemon);
	tcase_add_test(tc, test_maillog_stalled_daemon);
	suite_add_tcase(s, tc);
	return s;
}
