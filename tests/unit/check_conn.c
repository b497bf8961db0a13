/* SPDX-License-Identifier: ISC */
/* check_conn.c: line reading, limits and deadlines over a socketpair. */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "monotime.h"
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
	if (peer != -1)
		close(peer);
}

/* Idle until the peer says something, or hangs up. */
START_TEST(test_conn_idle)
{
	char line[64];
	size_t len;

	ck_assert_int_eq(conn_idle(&c), 1);
	ck_assert_int_eq(write(peer, "421 bye\r\n250 x\r\n", 16), 16);
	ck_assert_int_eq(conn_idle(&c), 0);
	conn_set_timeout(&c, 1000);
	ck_assert_int_eq(conn_getline(&c, line, sizeof(line), &len), 0);
	ck_assert_int_eq(conn_idle(&c), 0);	/* "250 x" buffered */
	ck_assert_int_eq(conn_getline(&c, line, sizeof(line), &len), 0);
	ck_assert_int_eq(conn_idle(&c), 1);
	ck_assert_int_eq(close(peer), 0);
	peer = -1;
	ck_assert_int_eq(conn_idle(&c), 0);	/* the hang-up */
}
END_TEST

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
	int64_t t0 = monotime_ms();

	conn_set_timeout(&c, 150);
	ck_assert_int_eq(conn_getline(&c, line, sizeof(line), &len), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(monotime_ms() - t0, 140);
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

/* Nothing written yet; one flush writes want, which the peer reads. */
static void
one_write(const char *want)
{
	char buf[64];
	size_t n = strlen(want);

	ck_assert_uint_eq(c.flushes, 0);
	ck_assert_int_eq(conn_flush(&c), 0);
	ck_assert_uint_eq(c.flushes, 1);
	ck_assert_int_eq(read(peer, buf, sizeof(buf)), (ssize_t)n);
	ck_assert_int_eq(memcmp(buf, want, n), 0);
}

START_TEST(test_conn_write_batches)
{
	ck_assert_int_eq(conn_write(&c, "MAIL\r\n", 6), 0);
	ck_assert_int_eq(conn_write(&c, "RCPT\r\n", 6), 0);
	one_write("MAIL\r\nRCPT\r\n");
}
END_TEST

/* A small file joins the buffered commands: one write for all. */
START_TEST(test_conn_sendfile_small_buffered)
{
	char path[] = "/tmp/check_conn.XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ne(fd, -1);
	(void)unlink(path);
	ck_assert_int_eq(write(fd, "xxHello\r\n", 9), 9);
	ck_assert_int_eq(conn_write(&c, "BDAT 7\r\n", 8), 0);
	ck_assert_int_eq(conn_sendfile(&c, fd, 2, 7), 0);
	ck_assert_int_eq(conn_write(&c, "QUIT\r\n", 6), 0);
	one_write("BDAT 7\r\nHello\r\nQUIT\r\n");
	/* a file shorter than said: EIO */
	ck_assert_int_eq(conn_sendfile(&c, fd, 2, 8), -1);
	ck_assert_int_eq(errno, EIO);
	close(fd);
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

/*
 * A file larger than one deadline's worth at the reader's pace: the
 * reader takes CONN_REARM octets every 40 ms, 12 times, so the whole
 * takes about 480 ms against a 150 ms timeout.  The deadline bounds each
 * piece, not the file, so it goes through; a reader that stops is still
 * caught.
 */
static pid_t
slow_reader(int fd, size_t pieces, size_t want)
{
	static char buf[CONN_REARM];
	struct timespec pause = { 0, 40 * 1000 * 1000 };
	size_t got = 0, i;
	ssize_t n;
	pid_t pid = fork();

	ck_assert_int_ne(pid, -1);
	if (pid != 0)
		return pid;
	for (i = 0; i < pieces && got < want; i++) {
		(void)nanosleep(&pause, NULL);
		for (size_t k = 0; k < sizeof(buf); k += (size_t)n) {
			n = read(fd, buf, sizeof(buf) - k);
			if (n <= 0)
				_exit(2);
			got += (size_t)n;
		}
	}
	_exit(got == want ? 0 : 1);
}

START_TEST(test_conn_sendfile_deadline_per_piece)
{
	char path[] = "/tmp/check_conn.XXXXXX";
	size_t size = 12 * CONN_REARM;
	char *data = malloc(size);
	int fd = mkstemp(path), small = 4096, status;
	pid_t pid;

	ck_assert_ptr_nonnull(data);
	ck_assert_int_ne(fd, -1);
	(void)unlink(path);
	memset(data, 'x', size);
	ck_assert_int_eq(write(fd, data, size), (ssize_t)size);
	free(data);
	/* small socket buffers, so the reader's pace is what counts */
	(void)setsockopt(c.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	(void)setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	pid = slow_reader(peer, 12, size);
	conn_set_timeout(&c, 150);
	ck_assert_int_eq(conn_sendfile(&c, fd, 0, size), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* a reader that takes 3 pieces and stops: ETIMEDOUT */
	pid = slow_reader(peer, 3, size);
	conn_set_timeout(&c, 150);
	ck_assert_int_eq(conn_sendfile(&c, fd, 0, size), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
	close(fd);
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
	tcase_add_test(tc, test_conn_sendfile_small_buffered);
	tcase_add_test(tc, test_conn_sendfile_deadline_per_piece);
	tcase_add_test(tc, test_conn_idle);
	suite_add_tcase(s, tc);
	return s;
}
