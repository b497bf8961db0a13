/* SPDX-License-Identifier: ISC */
/*
 * check_spool.c: the spool's listing and what it tidies on the way: a
 * data file without an envelope goes once no one holds its lock (its
 * writer is dead), never while its writer holds it, and never during a
 * listing that asked to change nothing (mailq).
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

Suite *
spool_suite(void)
{
	Suite *s = suite_create("spool");
	TCase *tc = tcase_create("list");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, orphan_removed_once_unlocked);
	tcase_add_test(tc, queued_message_kept);
	tcase_add_test(tc, tmp_envelope_by_age);
	suite_add_tcase(s, tc);
	return s;
}
