/* SPDX-License-Identifier: ISC */
/*
 * check_queue.c: queue runs over a spool in a temporary directory, to a
 * relay on loopback that refuses every connection (a socket bound and
 * not listening) or takes it and never greets (listening, never
 * accepting).  A run tries a relay that is down once: the rest of its
 * messages are deferred without a try, their attempts not counted but
 * their next try put off.  A report that cannot be written keeps its
 * message for the next run; one whose relay is down is queued without
 * a try.  An envelope whose data file is gone is set aside; one that
 * cannot be read for a moment (EIO) is not.  A message not due yet is
 * counted as such.
 */
#include <sys/socket.h>
#include <sys/syscall.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "compat.h"
#include "qhop.h"
#include "spool.h"
#include "carrier.h"

#define TEXT	"From: s@example.net\r\nSubject: q\r\n\r\nbody\r\n"

static char dir[] = "/tmp/check_queue.XXXXXX";
static struct carrier_options opts;
static int relay_fd = -1;

/*
 * Fault injection: open() and openat() of a name that ends in
 * fail_suffix, or of an unnamed temporary file (O_TMPFILE) while
 * fail_tmpfile is set (a full disk), fail with fail_errno.  The test
 * binary's definitions take the place of the C library's for every
 * call made from it (libcarrier is linked in); any other call goes to
 * the system call as it would.
 */
static const char *fail_suffix;
static int fail_tmpfile;
static int fail_errno;

/* openat(), its mode (when flags have one) in ap. */
static int
open_at(int dirfd, const char *path, int flags, va_list ap)
{
	size_t n = strlen(path), k;
	int mode = 0;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		mode = va_arg(ap, int);
	if ((fail_tmpfile && (flags & O_TMPFILE) == O_TMPFILE) ||
	    (fail_suffix != NULL && n >= (k = strlen(fail_suffix)) &&
	    strcmp(path + n - k, fail_suffix) == 0)) {
		errno = fail_errno;
		return -1;
	}
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = open_at(dirfd, path, flags, ap);
	va_end(ap);
	return fd;
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = open_at(AT_FDCWD, path, flags, ap);
	va_end(ap);
	return fd;
}

/* A relay on 127.0.0.1 that refuses (listening 0) or never greets. */
static unsigned int
relay(int listening)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	relay_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(relay_fd, 0);
	ck_assert_int_eq(bind(relay_fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	if (listening)
		ck_assert_int_eq(listen(relay_fd, 16), 0);
	ck_assert_int_eq(getsockname(relay_fd, (struct sockaddr *)&sin, &len),
	    0);
	return ntohs(sin.sin_port);
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/check_queue.XXXXXX")));
	carrier_options_init(&opts);
	opts.spool = dir;
	opts.syslog_facility = MAILLOG_OFF;
	opts.domain = "example.net";
	opts.helo = "client.example.net";
	opts.tmpdir = "/tmp";
	opts.tls = CONF_TLS_OFF;
	opts.relay_host = "127.0.0.1";
	opts.relay_port = relay(0);
	opts.greeting_timeout = 1;
	opts.backoff_min = 300;
	opts.backoff_max = 3600;
}

static void
teardown(void)
{
	char cmd[128];

	fail_suffix = NULL;
	fail_tmpfile = 0;
	if (relay_fd != -1)
		(void)close(relay_fd);
	relay_fd = -1;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Queues a message from sender to rcpt, not tried (-odq); its id in id. */
static void
queue(const char *sender, const char *rcpt, char *id)
{
	struct carrier_envelope env;
	struct carrier_message msg = { .fd = -1 };
	struct carrier_submit sub;
	struct carrier_error err;
	char *rcpts[1];
	int fd = carrier_tmpfile(&opts);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, TEXT, strlen(TEXT)), (ssize_t)strlen(TEXT));
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(envelope_init(&env), 0);
	memset(&sub, 0, sizeof(sub));
	sub.sender = sender;
	rcpts[0] = (char *)rcpt;
	sub.rcpts = rcpts;
	sub.nrcpts = 1;
	ck_assert_int_eq(carrier_submit(&opts, &sub, fd, &msg, &env, &err),
	    CARRIER_OK);
	(void)close(fd);
	ck_assert_int_eq(carrier_queue_add(&opts, &env, &msg, 0, &err),
	    CARRIER_OK);
	(void)strlcpy(id, msg.queue_id, QENV_ID_MAX);
	carrier_message_close(&msg);
	envelope_free(&env);
}

static void
run(struct carrier_queue_stats *st)
{
	struct carrier_queue_select sel = { .all = 1 };
	struct carrier_error err;

	ck_assert_int_eq(carrier_queue_run(&opts, &sel, st, &err), CARRIER_OK);
}

/* Reads message id's envelope into q and env (the caller frees env). */
static void
load(const char *id, struct qenv *q, struct carrier_envelope *env)
{
	struct spool sp;
	char *text, why[256];
	size_t len;

	ck_assert_int_eq(spool_open(&sp, dir), 0);
	text = spool_read_env(&sp, id, &len);
	ck_assert_msg(text != NULL, "%s: %s", id, strerror(errno));
	ck_assert_int_eq(envelope_init(env), 0);
	ck_assert_msg(qenv_parse(text, len, q, env, why, sizeof(why)) == 0,
	    "%s", why);
	free(text);
	spool_close(&sp);
}

/* How many files queue/ (or corrupt/) holds whose names end in suffix. */
static size_t
count(const char *sub, const char *suffix)
{
	char cmd[256], line[64];
	FILE *fp;
	size_t n = 0;

	(void)snprintf(cmd, sizeof(cmd), "ls '%s/%s' | grep -c '%s$'", dir, sub,
	    suffix);
	ck_assert_ptr_nonnull(fp = popen(cmd, "r"));
	if (fgets(line, sizeof(line), fp) != NULL)
		n = strtoul(line, NULL, 10);
	(void)pclose(fp);
	return n;
}

/* The relay refuses: one try, then the run's other messages wait. */
START_TEST(test_queue_run_relay_refused)
{
	struct carrier_queue_stats st;
	struct carrier_envelope env;
	struct qenv q;
	char ids[5][QENV_ID_MAX];
	time_t before;
	size_t i;

	for (i = 0; i < 5; i++)
		queue("s@example.net", "r@example.org", ids[i]);
	before = time(NULL);
	run(&st);
	ck_assert_uint_eq(st.seen, 5);
	ck_assert_uint_eq(st.tried, 1);
	ck_assert_uint_eq(st.suspended, 4);
	ck_assert_uint_eq(st.deferred, 5);
	ck_assert_uint_eq(st.notdue, 0);
	for (i = 0; i < 5; i++) {
		const struct carrier_rcpt *r;

		load(ids[i], &q, &env);
		r = &env.rcpts[0];
		ck_assert_int_eq(r->state, ENVELOPE_DEFERRED);
		ck_assert_int_eq(r->result.phase, PHASE_CONNECT);
		ck_assert_int_ge(r->next_try, before + 300);
		if (i == 0) {	/* tried: the oldest */
			ck_assert_uint_eq(r->attempts, 1);
			ck_assert_ptr_null(strstr(r->result.text,
			    QHOP_SUSPENDED));
		} else {	/* not tried, not counted */
			ck_assert_uint_eq(r->attempts, 0);
			ck_assert_msg(strncmp(r->result.text, QHOP_SUSPENDED,
			    strlen(QHOP_SUSPENDED)) == 0, "%s",
			    r->result.text);
			ck_assert_str_eq(r->result.host, "");
		}
		envelope_free(&env);
	}
	/* the next run tries it again, once */
	run(&st);
	ck_assert_uint_eq(st.tried, 1);
	ck_assert_uint_eq(st.suspended, 4);
	load(ids[0], &q, &env);
	ck_assert_uint_eq(env.rcpts[0].attempts, 2);
	envelope_free(&env);
	load(ids[1], &q, &env);
	ck_assert_uint_eq(env.rcpts[0].attempts, 0);
	envelope_free(&env);
}
END_TEST

/* The relay takes the connection and never greets: one time-out. */
START_TEST(test_queue_run_relay_silent)
{
	struct carrier_queue_stats st;
	struct carrier_envelope env;
	struct qenv q;
	struct timespec t0, t1;
	char ids[3][QENV_ID_MAX];
	double secs;
	size_t i;

	(void)close(relay_fd);
	opts.relay_port = relay(1);
	for (i = 0; i < 3; i++)
		queue("s@example.net", "r@example.org", ids[i]);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	run(&st);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) /
	    1e9;
	ck_assert_uint_eq(st.tried, 1);
	ck_assert_uint_eq(st.suspended, 2);
	ck_assert_msg(secs < 2.5, "the run took %.1f s: more than one "
	    "greeting time-out", secs);
	load(ids[2], &q, &env);
	ck_assert_int_eq(env.rcpts[0].result.phase, PHASE_GREETING);
	ck_assert_msg(strstr(env.rcpts[0].result.text, QHOP_SUSPENDED) != NULL,
	    "%s", env.rcpts[0].result.text);
	envelope_free(&env);
}
END_TEST

/*
 * The report cannot be written (no temporary file: ENOSPC): the message
 * stays, done, and the next run sends the report (queued: the relay
 * refuses) and removes it.
 */
START_TEST(test_queue_run_report_kept)
{
	struct carrier_queue_stats st;
	struct carrier_envelope env;
	struct qenv q;
	char id[QENV_ID_MAX], file[512];

	opts.queue_lifetime = 0;	/* expired at once */
	queue("s@example.net", "r@example.org", id);
	fail_tmpfile = 1;
	fail_errno = ENOSPC;
	run(&st);
	fail_tmpfile = 0;
	ck_assert_uint_eq(st.bounced, 0);
	ck_assert_uint_eq(st.held, 1);
	ck_assert_uint_eq(st.reports, 0);
	ck_assert_uint_eq(count("queue", ".e"), 1);
	load(id, &q, &env);
	ck_assert_int_eq(env.rcpts[0].state, ENVELOPE_BOUNCED);
	ck_assert_int_eq(env.rcpts[0].result.phase, PHASE_EXPIRED);
	envelope_free(&env);
	run(&st);
	ck_assert_uint_eq(st.bounced, 1);
	ck_assert_uint_eq(st.reports, 1);
	ck_assert_uint_eq(st.held, 0);
	(void)snprintf(file, sizeof(file), "%s/queue/%s.e", dir, id);
	ck_assert_int_eq(access(file, F_OK), -1);
	ck_assert_uint_eq(count("queue", ".e"), 1);	/* the report */
}
END_TEST

/*
 * Two messages expire with the relay down: one connection is tried; both
 * reports are queued without a try, their outcome the relay's failure.
 */
START_TEST(test_queue_run_report_suspended)
{
	struct carrier_queue_stats st;
	char id[QENV_ID_MAX];

	opts.queue_lifetime = 0;
	queue("s1@example.net", "r@example.org", id);
	queue("s2@example.net", "r@example.org", id);
	run(&st);
	ck_assert_uint_eq(st.tried, 1);
	ck_assert_uint_eq(st.suspended, 1);
	ck_assert_uint_eq(st.bounced, 2);
	ck_assert_uint_eq(st.reports, 2);
	ck_assert_uint_eq(count("queue", ".e"), 2);	/* the reports */
	/* the reports expire in turn: removed, never reported on */
	run(&st);
	ck_assert_uint_eq(st.tried, 1);
	ck_assert_uint_eq(st.reports, 0);
	ck_assert_uint_eq(count("queue", ".e"), 0);
	ck_assert_uint_eq(count("queue", ".d"), 0);
}
END_TEST

/* The data file is gone: the envelope goes to corrupt/. */
START_TEST(test_queue_run_no_data)
{
	struct carrier_queue_stats st;
	char id[QENV_ID_MAX], file[512];

	queue("s@example.net", "r@example.org", id);
	(void)snprintf(file, sizeof(file), "%s/queue/%s.d", dir, id);
	ck_assert_int_eq(unlink(file), 0);
	run(&st);
	ck_assert_uint_eq(st.corrupt, 1);
	ck_assert_uint_eq(count("queue", ".e"), 0);
	ck_assert_uint_eq(count("corrupt", ".e"), 1);
}
END_TEST

/* The envelope cannot be read for a moment (EIO): left where it is. */
START_TEST(test_queue_run_read_error)
{
	struct carrier_queue_stats st;
	char id[QENV_ID_MAX];

	queue("s@example.net", "r@example.org", id);
	fail_suffix = ".e";
	fail_errno = EIO;
	run(&st);
	fail_suffix = NULL;
	ck_assert_uint_eq(st.corrupt, 0);
	ck_assert_uint_eq(st.seen, 0);
	ck_assert_uint_eq(count("queue", ".e"), 1);
	ck_assert_uint_eq(count("corrupt", ".e"), 0);
	run(&st);
	ck_assert_uint_eq(st.seen, 1);
	ck_assert_uint_eq(st.tried, 1);
}
END_TEST

/* Not due yet: counted apart from what a run tried and kept. */
START_TEST(test_queue_run_not_due)
{
	struct carrier_queue_stats st;
	struct carrier_queue_select sel = { .all = 0 };
	struct carrier_error err;
	char id[QENV_ID_MAX];

	queue("s@example.net", "r@example.org", id);
	run(&st);
	ck_assert_uint_eq(st.deferred, 1);
	ck_assert_int_eq(carrier_queue_run(&opts, &sel, &st, &err),
	    CARRIER_OK);
	ck_assert_uint_eq(st.seen, 1);
	ck_assert_uint_eq(st.tried, 0);
	ck_assert_uint_eq(st.deferred, 0);
	ck_assert_uint_eq(st.notdue, 1);
}
END_TEST

Suite *
queue_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("run");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_queue_run_relay_refused);
	tcase_add_test(tc, test_queue_run_relay_silent);
	tcase_add_test(tc, test_queue_run_report_kept);
	tcase_add_test(tc, test_queue_run_report_suspended);
	tcase_add_test(tc, test_queue_run_no_data);
	tcase_add_test(tc, test_queue_run_read_error);
	tcase_add_test(tc, test_queue_run_not_due);
	suite_add_tcase(s, tc);
	return s;
}
