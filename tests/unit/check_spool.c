/* SPDX-License-Identifier: ISC */
/*
 * check_spool.c: the spool's listing and what it tidies on the way: a
 * data file without an envelope goes once no one holds its lock (its
 * writer is dead), never while its writer holds it, and never during a
 * listing that asked to change nothing (mailq).  mailq's "*": the lines
 * of /proc/locks, and a held message told from one that is not.  Setting
 * an entry aside moves its data file first, so that no failure or kill
 * part way leaves a data file without its envelope to be tidied away;
 * spool_lock tells an envelope without its data file (ENODATA) from a
 * message that is gone (ENOENT) and from one being set aside
 * (EWOULDBLOCK).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "compat.h"
#include "qenv.h"
#include "spool.h"

static char dir[] = "/tmp/check_spool.XXXXXX";
static struct spool sp;

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/check_spool.XXXXXX")));
	ck_assert_int_eq(spool_open(&sp, dir), 0);
}

static void
teardown(void)
{
	char cmd[128];

	spool_close(&sp);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A message in the queue as a submitter leaves it: its data file linked
   in and locked (the fd is returned, the lock held), with an envelope
   if env. */
static int
put(char *id, int env)
{
	int fd = spool_tmpfile(dir);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "Subject: x\r\n\r\nbody\r\n", 20), 20);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	ck_assert_int_eq(spool_link_data(&sp, fd, id, QENV_ID_MAX), 0);
	if (env)
		ck_assert_int_eq(spool_write_env(&sp, id, "x\n", 2), 0);
	return fd;
}

static int
has(const char *id, char kind)
{
	char file[QENV_ID_MAX + 4];

	(void)snprintf(file, sizeof(file), "%s.%c", id, kind);
	return faccessat(sp.queuefd, file, F_OK, 0) == 0;
}

/* Whether corrupt/ has file ID.kind. */
static int
aside(const char *id, char kind)
{
	char file[QENV_ID_MAX + 4];

	(void)snprintf(file, sizeof(file), "%s.%c", id, kind);
	return faccessat(sp.corruptfd, file, F_OK, 0) == 0;
}

/* Moves queue/ID.kind to corrupt/, as a kill part way would leave it. */
static void
move(const char *id, char kind)
{
	char file[QENV_ID_MAX + 4];

	(void)snprintf(file, sizeof(file), "%s.%c", id, kind);
	ck_assert_int_eq(renameat(sp.queuefd, file, sp.corruptfd, file), 0);
}

static size_t
list(time_t max_age, char *first)
{
	char **ids;
	size_t n;

	ck_assert_int_eq(spool_list(&sp, max_age, &ids, &n), 0);
	if (n > 0 && first != NULL)
		(void)strlcpy(first, ids[0], QENV_ID_MAX);
	spool_free_ids(ids, n);
	return n;
}

START_TEST(orphan_removed_once_unlocked)
{
	char id[QENV_ID_MAX];
	int fd = put(id, 0);

	/* its writer lives (the lock): the data stays */
	ck_assert_uint_eq(list(86400, NULL), 0);
	ck_assert(has(id, 'd'));
	/* the writer died between the link and the envelope */
	(void)close(fd);
	ck_assert_uint_eq(list(-1, NULL), 0);
	ck_assert_msg(has(id, 'd'), "a listing that changes nothing removed "
	    "the data file");
	ck_assert_uint_eq(list(86400, NULL), 0);
	ck_assert_msg(!has(id, 'd'), "an unlocked data file without an "
	    "envelope stayed");
}
END_TEST

START_TEST(queued_message_kept)
{
	char id[QENV_ID_MAX], got[QENV_ID_MAX] = "";
	int fd = put(id, 1);

	(void)close(fd);
	ck_assert_uint_eq(list(86400, got), 1);
	ck_assert_str_eq(got, id);
	ck_assert(has(id, 'd'));
	ck_assert(has(id, 'e'));
	/* a runner finishing it: the envelope goes first, under the lock */
	fd = spool_lock(&sp, id);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(unlinkat(sp.queuefd, strcat(strcpy(got, id), ".e"),
	    0), 0);
	ck_assert_uint_eq(list(86400, NULL), 0);
	ck_assert_msg(has(id, 'd'), "a runner's data file went while it held "
	    "the lock");
	(void)close(fd);
}
END_TEST

START_TEST(tmp_envelope_by_age)
{
	struct timespec old[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	int fd;

	old[1].tv_sec = time(NULL) - 2 * 86400;
	fd = openat(sp.tmpfd, "0STALE.e.4242", O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	(void)close(fd);
	ck_assert_int_eq(utimensat(sp.tmpfd, "0STALE.e.4242", old, 0), 0);
	fd = openat(sp.tmpfd, "0FRESH.e.4243", O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	(void)close(fd);
	(void)list(-1, NULL);
	ck_assert_int_eq(faccessat(sp.tmpfd, "0STALE.e.4242", F_OK, 0), 0);
	(void)list(86400, NULL);
	ck_assert_int_eq(faccessat(sp.tmpfd, "0STALE.e.4242", F_OK, 0), -1);
	ck_assert_int_eq(faccessat(sp.tmpfd, "0FRESH.e.4243", F_OK, 0), 0);
}
END_TEST

/* Lines of /proc/locks as proc(5) and fs/locks.c give them. */
static const struct {
	const char		*line;
	int			 want;
	long			 pid;
	unsigned int		 major, minor;
	unsigned long long	 ino;
} lock_lines[] = {
	{ "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF\n",
	    1, 1234, 0x08, 0x01, 5678 },
	/* hex, not decimal: 0xfe is 254 */
	{ "2: FLOCK  ADVISORY  READ  99 fe:00:10952732 0 EOF\n",
	    1, 99, 0xfe, 0x00, 10952732 },
	/* "%02x" is a minimum: a major or minor past 0xff has more */
	{ "3: FLOCK  ADVISORY  WRITE 7 103:1a2:42 0 EOF\n",
	    1, 7, 0x103, 0x1a2, 42 },
	{ "4: FLOCK  ADVISORY  WRITE 5 00:2f:18446744073709551615 0 EOF\n",
	    1, 5, 0x00, 0x2f, 18446744073709551615ULL },
	/* kernels before 2.6.12 wrote MSNFS for some */
	{ "5: FLOCK  MSNFS     WRITE 5 03:02:77 0 EOF\n",
	    1, 5, 0x03, 0x02, 77 },
	/* no newline: the last line of a short read */
	{ "6: FLOCK  ADVISORY  WRITE 0 00:05:9 0 EOF",
	    1, 0, 0x00, 0x05, 9 },
	/* a waiter does not hold the lock */
	{ "7: -> FLOCK  ADVISORY  WRITE 1235 08:01:5678 0 EOF\n", 0, 0, 0,
	    0, 0 },
	{ "7:  -> FLOCK  ADVISORY  WRITE 1235 08:01:5678 0 EOF\n", 0, 0, 0,
	    0, 0 },
	/* not flock(2): carrier's locks are flock(2) locks */
	{ "8: POSIX  ADVISORY  WRITE 1 08:01:5678 0 EOF\n", 0, 0, 0, 0, 0 },
	{ "9: OFDLCK ADVISORY  READ  -1 00:05:1234 0 EOF\n", 0, 0, 0, 0,
	    0 },
	{ "10: LEASE  ACTIVE    READ  12 08:01:99 0 EOF\n", 0, 0, 0, 0, 0 },
	{ "11: DELEG  ACTIVE    READ  12 08:01:99 0 EOF\n", 0, 0, 0, 0, 0 },
	{ "12: FLOCK  ADVISORY  UNLCK 1 08:01:5 0 EOF\n", 0, 0, 0, 0, 0 },
	{ "13: FLOCK  ADVISORY  WRITE 1 <none>:0 0 EOF\n", 0, 0, 0, 0, 0 },
	{ "", 0, 0, 0, 0, 0 },
	{ "FLOCK  ADVISORY  WRITE 1 08:01:5 0 EOF\n", 0, 0, 0, 0, 0 },
	{ "14: FLOCK  ADVISORY  WRITE 1 08:01\n", 0, 0, 0, 0, 0 },
};

START_TEST(test_spool_locks_parse_lines)
{
	struct spool_lockline l;

	memset(&l, 0, sizeof(l));
	ck_assert_msg(spool_locks_parse(lock_lines[_i].line, &l) ==
	    lock_lines[_i].want, "%s", lock_lines[_i].line);
	if (!lock_lines[_i].want)
		return;
	ck_assert_int_eq(l.pid, lock_lines[_i].pid);
	ck_assert_uint_eq(l.major, lock_lines[_i].major);
	ck_assert_uint_eq(l.minor, lock_lines[_i].minor);
	ck_assert_uint_eq(l.ino, lock_lines[_i].ino);
}
END_TEST

/* A reopened spool: spool_busy reads /proc/locks once per struct. */
static void
reopen(void)
{
	spool_close(&sp);
	ck_assert_int_eq(spool_open(&sp, dir), 0);
}

START_TEST(test_spool_busy_held)
{
	char id[QENV_ID_MAX], other[QENV_ID_MAX];
	int fd = put(id, 1);

	(void)close(put(other, 1));
	reopen();
	ck_assert_int_eq(spool_busy(&sp, id), 1);
	ck_assert_int_eq(spool_busy(&sp, other), 0);
	ck_assert_int_eq(sp.held_read, 1);	/* from /proc/locks */
	(void)close(fd);
	reopen();
	ck_assert_int_eq(spool_busy(&sp, id), 0);
	ck_assert_int_eq(spool_busy(&sp, "0NOSUCHID"), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_spool_set_aside_moves_both)
{
	char id[QENV_ID_MAX];
	int fd = put(id, 1);

	ck_assert_int_eq(spool_set_aside(&sp, id), 0);
	(void)close(fd);
	ck_assert(!has(id, 'd') && !has(id, 'e'));
	ck_assert(aside(id, 'd') && aside(id, 'e'));
	ck_assert_uint_eq(list(86400, NULL), 0);
	ck_assert(aside(id, 'd') && aside(id, 'e'));
}
END_TEST

/*
 * The move that fails half way (corrupt/ holds a directory where the
 * data file would go), then the runner dies: the next listing must not
 * find a data file without its envelope and remove it.
 */
START_TEST(test_spool_set_aside_data_first)
{
	char id[QENV_ID_MAX], file[QENV_ID_MAX + 4];
	int fd = put(id, 1);

	(void)snprintf(file, sizeof(file), "%s.d", id);
	ck_assert_int_eq(mkdirat(sp.corruptfd, file, 0700), 0);
	ck_assert_int_eq(spool_set_aside(&sp, id), -1);
	(void)close(fd);	/* the runner dies */
	(void)list(86400, NULL);
	ck_assert_msg(has(id, 'd'), "the data file is lost: its envelope set "
	    "aside first, it was removed as an orphan");
	ck_assert(has(id, 'e') || aside(id, 'e'));
}
END_TEST

START_TEST(test_spool_lock_without_data)
{
	char id[QENV_ID_MAX], file[QENV_ID_MAX + 4];
	int fd = put(id, 1), held;

	(void)close(fd);
	/* killed between set-aside's two moves: the data is in corrupt/ */
	move(id, 'd');
	ck_assert_int_eq(spool_lock(&sp, id), -1);
	ck_assert_int_eq(errno, ENODATA);
	/* ... unless a live process holds it there: being set aside */
	(void)snprintf(file, sizeof(file), "%s.d", id);
	held = openat(sp.corruptfd, file, O_RDONLY);
	ck_assert_int_ge(held, 0);
	ck_assert_int_eq(flock(held, LOCK_EX), 0);
	ck_assert_int_eq(spool_lock(&sp, id), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	(void)close(held);
	/* the envelope follows: the message is gone from queue/ */
	move(id, 'e');
	ck_assert_int_eq(spool_lock(&sp, id), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* set aside where the data file went missing: the envelope moves */
	fd = put(id, 1);
	(void)close(fd);
	(void)snprintf(file, sizeof(file), "%s.d", id);
	ck_assert_int_eq(unlinkat(sp.queuefd, file, 0), 0);
	ck_assert_int_eq(spool_lock(&sp, id), -1);
	ck_assert_int_eq(errno, ENODATA);
	ck_assert_int_eq(spool_set_aside(&sp, id), 0);
	ck_assert(!has(id, 'e') && aside(id, 'e'));
}
END_TEST

Suite *
spool_suite(void)
{
	Suite *s = suite_create("spool");
	TCase *tc = tcase_create("list");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, orphan_removed_once_unlocked);
	tcase_add_test(tc, queued_message_kept);
	tcase_add_test(tc, tmp_envelope_by_age);
	tcase_add_test(tc, test_spool_busy_held);
	suite_add_tcase(s, tc);
	tc = tcase_create("locks");
	tcase_add_loop_test(tc, test_spool_locks_parse_lines, 0,
	    sizeof(lock_lines) / sizeof(lock_lines[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("set_aside");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spool_set_aside_moves_both);
	tcase_add_test(tc, test_spool_set_aside_data_first);
	tcase_add_test(tc, test_spool_lock_without_data);
	suite_add_tcase(s, tc);
	return s;
}
