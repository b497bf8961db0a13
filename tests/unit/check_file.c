/* SPDX-License-Identifier: ISC */
/*
 * check_file.c: a small file read whole, by path or from a descriptor;
 * its errors name the file escaped (the name may come from the command
 * line and the error reaches a terminal).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "file.h"

static char dir[] = "/tmp/check_file.\033[2J.XXXXXX";
static char path[128];

static void
setup(void)
{
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(strcpy(dir,
	    "/tmp/check_file.\033[2J.XXXXXX")));
	(void)snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "hello\n", 6), 6);
	ck_assert_int_eq(close(fd), 0);
}

static void
teardown(void)
{
	(void)unlink(path);
	ck_assert_int_eq(rmdir(dir), 0);
}

/* err names the file escaped, then says why (after ": "). */
static void
assert_err(const char *err, const char *why)
{
	char want[256];

	ck_assert_ptr_null(strchr(err, '\033'));
	(void)snprintf(want, sizeof(want), "/tmp/check_file.\\x1b[2J.%s",
	    strchr(dir, '\033') + 4 + 1);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	ck_assert_msg(strstr(err, why) != NULL, "%s: no \"%s\"", err, why);
}

START_TEST(test_file_read_whole)
{
	char *text, err[256];
	size_t len;

	ck_assert_int_eq(file_read(path, 64, &text, &len, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(len, 6);
	ck_assert_str_eq(text, "hello\n");
	free(text);
}
END_TEST

START_TEST(test_file_read_errors_escaped)
{
	char *text, err[256], none[160];
	size_t len;

	(void)snprintf(none, sizeof(none), "%s/none", dir);
	ck_assert_int_eq(file_read(none, 64, &text, &len, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(text);
	assert_err(err, "/none: No such file or directory");
	ck_assert_int_eq(file_read(dir, 64, &text, &len, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	assert_err(err, ": not a regular file");
	ck_assert_int_eq(file_read(path, 5, &text, &len, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(errno, EFBIG);
	assert_err(err, "/f: larger than 5 octets");
}
END_TEST

/* From a descriptor: read, left open, named as the caller says. */
START_TEST(test_file_read_fd)
{
	char *text, err[256];
	size_t len;
	int fd, p[2];

	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(file_read_fd(fd, path, 64, &text, &len, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(text, "hello\n");
	free(text);
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(file_read_fd(p[0], path, 64, &text, &len, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	assert_err(err, "/f: not a regular file");
	(void)close(p[0]);
	(void)close(p[1]);
}
END_TEST

Suite *
file_suite(void)
{
	Suite *s = suite_create("file");
	TCase *tc = tcase_create("read");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_file_read_whole);
	tcase_add_test(tc, test_file_read_errors_escaped);
	tcase_add_test(tc, test_file_read_fd);
	suite_add_tcase(s, tc);
	return s;
}
