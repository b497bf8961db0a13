/* SPDX-License-Identifier: ISC */
/* check_cred.c: secrets from files (with the permission rule) and commands. */
#include <sys/stat.h>
#include <sys/xattr.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "monotime.h"
#include "conn.h"
#include "cred.h"

static char path[sizeof("/tmp/check_cred.XXXXXX")];

/* The template is set anew each time: mkstemp fills it in. */
static void
make_file(const char *text, mode_t mode)
{
	int fd;

	memcpy(path, "/tmp/check_cred.XXXXXX", sizeof(path));
	fd = mkstemp(path);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

START_TEST(test_cred_read_file_first_line)
{
	char buf[64], err[256];

	make_file("s3cret\nsecond line\n", 0600);
	ck_assert_int_eq(cred_read_file(path, buf, sizeof(buf), err,
	    sizeof(err)), 0);
	unlink(path);
	ck_assert_str_eq(buf, "s3cret");
}
END_TEST

static const mode_t bad_modes[] = { 0604, 0644, 0602, 0620, 0666 };

START_TEST(test_cred_read_file_refuses_leaky_modes)
{
	char buf[64], err[256] = "";

	make_file("s3cret\n", bad_modes[_i]);
	ck_assert_int_eq(cred_read_file(path, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	unlink(path);
	ck_assert_ptr_nonnull(strstr(err, "refused"));
}
END_TEST

/*
 * An access ACL that lets another user read the file is refused, even
 * with mode 640 (the ACL is set as its raw attribute: version 2, then
 * user::rw- user:65534:r-- group::--- mask::r-- other::---).
 */
START_TEST(test_cred_read_file_acl)
{
	static const unsigned char acl[] = {
		2, 0, 0, 0,
		0x01, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,	/* user:: rw */
		0x02, 0, 4, 0, 0xfe, 0xff, 0, 0,	/* user:65534: r */
		0x04, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,	/* group:: --- */
		0x10, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,	/* mask:: r */
		0x20, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,	/* other:: --- */
	};
	char buf[64], err[256] = "";

	make_file("s3cret\n", 0640);
	if (setxattr(path, "system.posix_acl_access", acl, sizeof(acl),
	    0) == -1) {
		unlink(path);
		return;		/* no ACLs on this file system: nothing to see */
	}
	ck_assert_int_eq(cred_read_file(path, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	unlink(path);
	ck_assert_ptr_nonnull(strstr(err, "access ACL"));
}
END_TEST

/* A FIFO in the secret's place is refused at once, not waited on. */
START_TEST(test_cred_read_file_fifo)
{
	char fifo[64], buf[64], err[256] = "";

	(void)snprintf(fifo, sizeof(fifo), "/tmp/check_cred.%ld.fifo",
	    (long)getpid());
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(cred_read_file(fifo, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	unlink(fifo);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
}
END_TEST

START_TEST(test_cred_read_file_group_read_ok)
{
	char buf[64], err[256];

	make_file("s3cret", 0640);
	ck_assert_int_eq(cred_read_file(path, buf, sizeof(buf), err,
	    sizeof(err)), 0);
	unlink(path);
	ck_assert_str_eq(buf, "s3cret");
}
END_TEST

START_TEST(test_cred_read_file_empty)
{
	char buf[64], err[256];

	make_file("\n", 0600);
	ck_assert_int_eq(cred_read_file(path, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	unlink(path);
}
END_TEST

START_TEST(test_cred_run_command_outcomes)
{
	char buf[64], err[256];

	ck_assert_int_eq(cred_run_command("printf 'tok-123\\nrest'", 5000,
	    buf, sizeof(buf), err, sizeof(err)), 0);
	ck_assert_str_eq(buf, "tok-123");
	ck_assert_int_eq(cred_run_command("echo x; exit 3", 5000, buf,
	    sizeof(buf), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "auth_password_command failed (exit 3)");
	ck_assert_int_eq(cred_run_command("true", 5000, buf, sizeof(buf),
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "auth_password_command printed nothing");
	ck_assert_int_eq(cred_run_command("sleep 5", 200, buf, sizeof(buf),
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "auth_password_command timed out");
}
END_TEST

/*
 * The deadline holds after the command closes its output; a timeout
 * ends what the command started too; a command that exits leaving a
 * child that holds the pipe is done when it exits; stdin is /dev/null,
 * not ours; output past the buffer is drained, not a SIGPIPE failure.
 */
START_TEST(test_cred_run_command_process_rules)
{
	char buf[64], err[256], cmd[256], pidfile[64], procpath[64];
	int in[2], saved;
	int64_t t0;
	FILE *f;
	long child;

	t0 = monotime_ms();
	ck_assert_int_eq(cred_run_command("echo tok; exec >&-; sleep 5", 300,
	    buf, sizeof(buf), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "auth_password_command timed out");
	ck_assert_int_lt(monotime_ms() - t0, 2000);

	(void)snprintf(pidfile, sizeof(pidfile), "/tmp/check_cred.%ld.pid",
	    (long)getpid());
	(void)snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! >%s; sleep 30",
	    pidfile);
	ck_assert_int_eq(cred_run_command(cmd, 300, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(f = fopen(pidfile, "r"));
	ck_assert_int_eq(fscanf(f, "%ld", &child), 1);
	fclose(f);
	unlink(pidfile);
	usleep(100 * 1000);
	/* killed: gone, or a zombie waiting for init */
	(void)snprintf(procpath, sizeof(procpath), "/proc/%ld/stat", child);
	if ((f = fopen(procpath, "r")) != NULL) {
		char state = '?';

		ck_assert_int_eq(fscanf(f, "%*d %*s %c", &state), 1);
		fclose(f);
		ck_assert_int_eq(state, 'Z');
	}

	t0 = monotime_ms();
	ck_assert_int_eq(cred_run_command("echo tok-bg; sleep 5 &", 3000, buf,
	    sizeof(buf), err, sizeof(err)), 0);
	ck_assert_str_eq(buf, "tok-bg");
	ck_assert_int_lt(monotime_ms() - t0, 1000);

	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(write(in[1], "LEAKED\n", 7), 7);
	close(in[1]);
	saved = dup(0);
	ck_assert_int_eq(dup2(in[0], 0), 0);
	close(in[0]);
	ck_assert_int_eq(cred_run_command("read -r x; echo \"in:$x\"", 3000,
	    buf, sizeof(buf), err, sizeof(err)), 0);
	ck_assert_int_eq(dup2(saved, 0), 0);
	close(saved);
	ck_assert_str_eq(buf, "in:");

	ck_assert_int_eq(cred_run_command("echo tok-long; head -c 100000 "
	    "/dev/zero", 3000, buf, sizeof(buf), err, sizeof(err)), 0);
	ck_assert_str_eq(buf, "tok-long");
}
END_TEST

Suite *
cred_suite(void)
{
	Suite *s = suite_create("cred");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_cred_read_file_first_line);
	tcase_add_loop_test(tc, test_cred_read_file_refuses_leaky_modes, 0,
	    sizeof(bad_modes) / sizeof(bad_modes[0]));
	tcase_add_test(tc, test_cred_read_file_acl);
	tcase_add_test(tc, test_cred_read_file_fifo);
	tcase_add_test(tc, test_cred_read_file_group_read_ok);
	tcase_add_test(tc, test_cred_read_file_empty);
	tcase_add_test(tc, test_cred_run_command_outcomes);
	tcase_add_test(tc, test_cred_run_command_process_rules);
	suite_add_tcase(s, tc);
	return s;
}
