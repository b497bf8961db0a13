/* SPDX-License-Identifier: ISC */
/*
 * check_sts_cache.c: the MTA-STS policy cache in a spool of its own:
 * the sts/ directory made, a put read back (the file byte for byte),
 * expiry, failures recorded with and without a policy, corrupt files
 * read as none and removed, names that are no domain refused, a whole
 * replace by rename (no temporary file left), removal, and files the
 * cache must not trust (another user's, a symbolic link, too large).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "compat.h"
#include "sts.h"
#include "sts_decide.h"
#include "sts_cache.h"

#define NOW	1700000000
#define POLICY	"version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\n" \
		"max_age: 604800\r\n"
#define TESTING	"version: STSv1\nmode: testing\nmx: *.example.net\n" \
		"max_age: 31557600\n"

static char dir[] = "/tmp/check_sts_cache.XXXXXX";
static char path[sizeof(dir) + 300];
static struct sts_cache c;

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(strcpy(dir,
	    "/tmp/check_sts_cache.XXXXXX")));
	ck_assert_int_eq(sts_cache_open(&c, dir), 0);
}

static void
teardown(void)
{
	char cmd[128];

	sts_cache_close(&c);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The path of name in the cache directory. */
static const char *
file(const char *name)
{
	(void)snprintf(path, sizeof(path), "%s/sts/%s", dir, name);
	return path;
}

static void
write_text(const char *name, const char *text, size_t len)
{
	FILE *fp;

	ck_assert_ptr_nonnull(fp = fopen(file(name), "w"));
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/* The file name read whole into buf (size octets): its length. */
static size_t
read_text(const char *name, char *buf, size_t size)
{
	FILE *fp;
	size_t n;

	ck_assert_ptr_nonnull(fp = fopen(file(name), "r"));
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	ck_assert_int_eq(fclose(fp), 0);
	return n;
}

/* The names in the cache directory, sorted, space-separated. */
static char *
listing(char *buf, size_t size)
{
	struct dirent **v;
	int n, i;

	buf[0] = '\0';
	(void)snprintf(path, sizeof(path), "%s/sts", dir);
	ck_assert_int_ge(n = scandir(path, &v, NULL, alphasort), 0);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") != 0 &&
		    strcmp(v[i]->d_name, "..") != 0) {
			(void)strlcat(buf, buf[0] != '\0' ? " " : "", size);
			(void)strlcat(buf, v[i]->d_name, size);
		}
		free(v[i]);
	}
	free(v);
	return buf;
}

/* Stores POLICY for domain under id, fetched at when. */
static int
put(const char *domain, const char *id, time_t when)
{
	return sts_cache_put(&c, domain, id, when, POLICY, strlen(POLICY));
}

/* sts/ is made with mode 770; opening it again finds it. */
START_TEST(test_sts_cache_open_makes_dir)
{
	struct sts_cache again;
	struct stat st;

	ck_assert_int_eq(stat(file(""), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0770);
	ck_assert_int_eq(sts_cache_open(&again, dir), 0);
	sts_cache_close(&again);
	sts_cache_close(&again);	/* twice: harmless */
	ck_assert_int_eq(sts_cache_open(&again, "/nonexistent/spool"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(again.dirfd, -1);
}
END_TEST

/* A put read back, and the file as the format says. */
START_TEST(test_sts_cache_round_trip)
{
	struct sts_cached e;
	char buf[1024], want[1024];

	ck_assert_int_eq(sts_cache_put(&c, "Example.ORG.", "20240101T0000",
	    NOW, POLICY, strlen(POLICY)), 0);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW + 10, &e),
	    STS_CACHE_FRESH);
	ck_assert_int_eq(e.state, STS_CACHE_FRESH);
	ck_assert_str_eq(e.domain, "example.org");
	ck_assert_str_eq(e.id, "20240101T0000");
	ck_assert_int_eq(e.fetched, NOW);
	ck_assert_int_eq(e.expires, NOW + 604800);
	ck_assert_int_eq(e.failed, 0);
	ck_assert_str_eq(e.failed_id, "");
	ck_assert_int_eq(e.policy.mode, STS_ENFORCE);
	ck_assert_uint_eq(e.policy.nmx, 1);
	ck_assert_str_eq(e.policy.mx[0], "mail.example.org");
	(void)snprintf(want, sizeof(want), "carrier-sts 1\n"
	    "domain example.org\nid 20240101T0000\nfetched %d\n"
	    "expires %d\nfailed 0 -\npolicy %zu\n%s", NOW, NOW + 604800,
	    strlen(POLICY), POLICY);
	ck_assert_uint_eq(read_text("example.org", buf, sizeof(buf)),
	    strlen(want));
	ck_assert_str_eq(buf, want);
	ck_assert_str_eq(listing(buf, sizeof(buf)), "example.org");
}
END_TEST

/* Fresh up to its expiry, then expired but still returned. */
START_TEST(test_sts_cache_expiry)
{
	struct sts_cached e;

	ck_assert_int_eq(put("example.org", "a", NOW), 0);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW + 604799, &e),
	    STS_CACHE_FRESH);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW + 604800, &e),
	    STS_CACHE_EXPIRED);
	ck_assert_str_eq(e.id, "a");
	ck_assert_int_eq(e.policy.mode, STS_ENFORCE);
	/* the longest max_age: a year */
	ck_assert_int_eq(sts_cache_put(&c, "example.net", "b", NOW, TESTING,
	    strlen(TESTING)), 0);
	ck_assert_int_eq(sts_cache_get(&c, "example.net", NOW, &e),
	    STS_CACHE_FRESH);
	ck_assert_int_eq(e.expires, NOW + (time_t)STS_MAX_AGE_MAX);
	ck_assert_int_eq(e.policy.mode, STS_TESTING);
	/* none at all */
	ck_assert_int_eq(sts_cache_get(&c, "example.com", NOW, &e),
	    STS_CACHE_NONE);
	ck_assert_str_eq(e.domain, "example.com");
	ck_assert_str_eq(e.id, "");
}
END_TEST

/* A failure alone; with a policy (kept); cleared by the next put. */
START_TEST(test_sts_cache_failed)
{
	struct sts_cached e;
	char buf[1024];

	ck_assert_int_eq(sts_cache_failed(&c, "example.org", "x1", NOW), 0);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW, &e),
	    STS_CACHE_NONE);
	ck_assert_int_eq(e.failed, NOW);
	ck_assert_str_eq(e.failed_id, "x1");
	ck_assert_str_eq(e.id, "");
	(void)read_text("example.org", buf, sizeof(buf));
	ck_assert_str_eq(buf, "carrier-sts 1\ndomain example.org\nid -\n"
	    "fetched 0\nexpires 0\nfailed 1700000000 x1\npolicy 0\n");
	ck_assert_int_eq(put("example.org", "a", NOW), 0);
	ck_assert_int_eq(sts_cache_failed(&c, "example.org", "b", NOW + 5),
	    0);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW + 6, &e),
	    STS_CACHE_FRESH);
	ck_assert_str_eq(e.id, "a");
	ck_assert_int_eq(e.fetched, NOW);
	ck_assert_int_eq(e.failed, NOW + 5);
	ck_assert_str_eq(e.failed_id, "b");
	ck_assert_str_eq(e.policy.mx[0], "mail.example.org");
	ck_assert_int_eq(sts_cache_put(&c, "example.org", "b", NOW + 9,
	    POLICY, strlen(POLICY)), 0);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW + 9, &e),
	    STS_CACHE_FRESH);
	ck_assert_int_eq(e.failed, 0);
	ck_assert_str_eq(e.id, "b");
	/* a bad id, a bad time */
	ck_assert_int_eq(sts_cache_failed(&c, "example.org", "a-b", NOW), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sts_cache_failed(&c, "example.org", "", NOW), -1);
	ck_assert_int_eq(sts_cache_failed(&c, "example.org", "a", 0), -1);
}
END_TEST

/* Files that do not read: none, and removed. */
static const char *const corrupt[] = {
	"",
	"carrier-sts 2\ndomain example.org\nid a\nfetched 1\nexpires 2\n"
	    "failed 0 -\npolicy 0\n",
	"carrier-sts 1\ndomain example.com\nid -\nfetched 0\nexpires 0\n"
	    "failed 0 -\npolicy 0\n",
	"carrier-sts 1\ndomain example.org\nid -\nfetched 0\nexpires 0\n"
	    "failed 0 -\n",
	"carrier-sts 1\ndomain example.org\nid -\nfetched 0\nexpires 0\n"
	    "failed 0 -\npolicy 0",
	"carrier-sts 1\ndomain example.org\nid -\nfetched 0\nexpires 0\n"
	    "failed 0 -\npolicy 1\n",
	"carrier-sts 1\ndomain example.org\nid -\nfetched 1\nexpires 0\n"
	    "failed 0 -\npolicy 0\n",
	"carrier-sts 1\ndomain example.org\nid -\nfetched 0\nexpires 0\n"
	    "failed 5 -\npolicy 0\n",
	"carrier-sts 1\ndomain example.org\nid -\nfetched 0\nexpires 0\n"
	    "failed 0 a\npolicy 0\n",
	"carrier-sts 1\ndomain example.org\nid -\nfetched 0\nexpires 0\n"
	    "failed 0\npolicy 0\n",
	/* 10 */
	"carrier-sts 1\ndomain example.org\nid a\nfetched 01\nexpires 2\n"
	    "failed 0 -\npolicy 0\n",
	"carrier-sts 1\ndomain example.org\nid a\nfetched -1\nexpires 2\n"
	    "failed 0 -\npolicy 0\n",
	"carrier-sts 1\ndomain example.org\nid a\nfetched "
	    "1234567890123456789\nexpires 2\nfailed 0 -\npolicy 0\n",
	"carrier-sts 1\ndomain example.org\nid a\nfetched 5\nexpires 2\n"
	    "failed 0 -\npolicy 1\nx",
	"carrier-sts 1\ndomain example.org\nid a\nfetched 1\nexpires 2\n"
	    "failed 0 -\npolicy 0\n",
	"carrier-sts 1\ndomain example.org\nid a\nfetched 1\nexpires 2\n"
	    "failed 0 -\npolicy 7\n<html>\n",
	"carrier-sts 1\ndomain example.org\nid a-b\nfetched 1\nexpires 2\n"
	    "failed 0 -\npolicy 0\n",
	"carrier-sts 1\ndomain example.org\nid a\nfetched 1\nexpires 2\n"
	    "failed 0 -\nextra 1\npolicy 0\n",
	"carrier-sts 1\ndomain example.org\nfetched 1\nid a\nexpires 2\n"
	    "failed 0 -\npolicy 0\n",
	"carrier-sts  1\ndomain example.org\nid -\nfetched 0\nexpires 0\n"
	    "failed 0 -\npolicy 0\n",
	/* 20 */
	"\x7f" "ELF\x01\x02\x03\x00\x00garbage",
};

START_TEST(test_sts_cache_corrupt_table)
{
	struct sts_cached e;
	char buf[64];

	write_text("example.org", corrupt[_i], strlen(corrupt[_i]) +
	    (_i == 20 ? 8 : 0));
	e.failed = 99;
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW, &e),
	    STS_CACHE_NONE);
	ck_assert_str_eq(e.domain, "example.org");
	ck_assert_str_eq(e.id, "");
	ck_assert_int_eq(e.failed, 0);
	ck_assert_int_eq(e.fetched, 0);
	ck_assert_str_eq(listing(buf, sizeof(buf)), "");
	/* and a put writes a good one over */
	ck_assert_int_eq(put("example.org", "a", NOW), 0);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW, &e),
	    STS_CACHE_FRESH);
}
END_TEST

/* A cut copy of a good file, at every length: never taken. */
START_TEST(test_sts_cache_cut)
{
	struct sts_cached e;
	char whole[1024];
	size_t len, n;

	ck_assert_int_eq(put("example.org", "a", NOW), 0);
	len = read_text("example.org", whole, sizeof(whole));
	for (n = 0; n < len; n++) {
		write_text("example.org", whole, n);
		ck_assert_msg(sts_cache_get(&c, "example.org", NOW, &e) ==
		    STS_CACHE_NONE, "cut at %zu taken", n);
	}
	write_text("example.org", whole, len);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW, &e),
	    STS_CACHE_FRESH);
}
END_TEST

/* Names that are no domain: refused, nothing written anywhere. */
START_TEST(test_sts_cache_bad_names)
{
	static const char *const bad[] = { "a/b", "..", "../x", ".", "",
	    "a..b", "/etc/passwd", ".tmp.1", "x\n", "example.org.." };
	struct sts_cached e;
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_int_eq(put(bad[i], "a", NOW), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_int_eq(sts_cache_get(&c, bad[i], NOW, &e), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_int_eq(e.state, STS_CACHE_NONE);
		ck_assert_int_eq(sts_cache_failed(&c, bad[i], "a", NOW), -1);
		ck_assert_int_eq(sts_cache_remove(&c, bad[i]), -1);
	}
	ck_assert_str_eq(listing(buf, sizeof(buf)), "");
	(void)snprintf(path, sizeof(path), "%s/x", dir);
	ck_assert_int_eq(access(path, F_OK), -1);
	/* a policy that does not parse, a bad id */
	ck_assert_int_eq(sts_cache_put(&c, "example.org", "a", NOW, "<html>",
	    6), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(put("example.org", "a;b", NOW), -1);
	ck_assert_int_eq(put("example.org", "a", -5), -1);
	ck_assert_str_eq(listing(buf, sizeof(buf)), "");
}
END_TEST

/* A put replaces the file whole (a new inode), leaving no tmp file. */
START_TEST(test_sts_cache_replace)
{
	struct sts_cached e;
	struct stat before, after;
	char buf[256];

	ck_assert_int_eq(put("example.org", "a", NOW), 0);
	ck_assert_int_eq(stat(file("example.org"), &before), 0);
	ck_assert_int_eq(before.st_mode & 0777, 0640);
	ck_assert_int_eq(sts_cache_put(&c, "example.org", "b", NOW + 1,
	    TESTING, strlen(TESTING)), 0);
	ck_assert_int_eq(stat(file("example.org"), &after), 0);
	ck_assert(before.st_ino != after.st_ino);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW + 1, &e),
	    STS_CACHE_FRESH);
	ck_assert_str_eq(e.id, "b");
	ck_assert_int_eq(e.policy.mode, STS_TESTING);
	ck_assert_str_eq(listing(buf, sizeof(buf)), "example.org");
	/* a stale temporary file of this pid is written over */
	(void)snprintf(buf, sizeof(buf), ".tmp.%ld", (long)getpid());
	write_text(buf, "junk", 4);
	ck_assert_int_eq(put("example.net", "c", NOW), 0);
	ck_assert_str_eq(listing(buf, sizeof(buf)),
	    "example.net example.org");
}
END_TEST

START_TEST(test_sts_cache_remove)
{
	struct sts_cached e;
	char buf[64];

	ck_assert_int_eq(put("example.org", "a", NOW), 0);
	ck_assert_int_eq(sts_cache_remove(&c, "EXAMPLE.org"), 0);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW, &e),
	    STS_CACHE_NONE);
	ck_assert_str_eq(listing(buf, sizeof(buf)), "");
	ck_assert_int_eq(sts_cache_remove(&c, "example.org"), 0);
}
END_TEST

/*
 * Not to be trusted: a symbolic link (not followed: its target stays),
 * a file of another user (as root); and a file over STS_CACHE_FILE_MAX,
 * not read.
 */
START_TEST(test_sts_cache_untrusted)
{
	static char big[STS_CACHE_FILE_MAX + 2];
	struct sts_cached e;
	char buf[1024], target[sizeof(path)];

	ck_assert_int_eq(put("example.net", "a", NOW), 0);
	(void)strlcpy(target, file("example.net"), sizeof(target));
	ck_assert_int_eq(symlink(target, file("example.org")), 0);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW, &e),
	    STS_CACHE_NONE);
	ck_assert_int_eq(sts_cache_get(&c, "example.net", NOW, &e),
	    STS_CACHE_FRESH);
	ck_assert_int_eq(unlink(file("example.org")), 0);

	/* too large: as one that does not read, removed */
	memset(big, '\n', sizeof(big));
	write_text("example.org", big, sizeof(big));
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW, &e),
	    STS_CACHE_NONE);
	ck_assert_str_eq(listing(buf, sizeof(buf)), "example.net");

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(chown(file("example.net"), 4242, (gid_t)-1), 0);
	ck_assert_int_eq(sts_cache_get(&c, "example.net", NOW, &e),
	    STS_CACHE_NONE);
	/* left alone, not removed: a put replaces it */
	ck_assert_str_eq(listing(buf, sizeof(buf)), "example.net");
	ck_assert_int_eq(put("example.net", "b", NOW), 0);
	ck_assert_int_eq(sts_cache_get(&c, "example.net", NOW, &e),
	    STS_CACHE_FRESH);
}
END_TEST

Suite *
sts_cache_suite(void)
{
	Suite *s = suite_create("sts_cache");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sts_cache_open_makes_dir);
	tcase_add_test(tc, test_sts_cache_round_trip);
	tcase_add_test(tc, test_sts_cache_expiry);
	tcase_add_test(tc, test_sts_cache_failed);
	tcase_add_loop_test(tc, test_sts_cache_corrupt_table, 0,
	    (int)(sizeof(corrupt) / sizeof(corrupt[0])));
	tcase_add_test(tc, test_sts_cache_cut);
	tcase_add_test(tc, test_sts_cache_bad_names);
	tcase_add_test(tc, test_sts_cache_replace);
	tcase_add_test(tc, test_sts_cache_remove);
	tcase_add_test(tc, test_sts_cache_untrusted);
	suite_add_tcase(s, tc);
	return s;
}
