/* SPDX-License-Identifier: ISC */
/* check_identity.c: the mail domain's sources, Date and Message-ID. */
#include <sys/utsname.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "identity.h"

static int
matches(const char *re, const char *s)
{
	regex_t r;
	int rc;

	ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&r, s, 0, NULL, 0);
	regfree(&r);
	return rc == 0;
}

/*
 * The host name, whatever the buffer held before (it was read
 * unterminated-or-not from stack garbage, and came out "localhost" at
 * random).
 */
START_TEST(test_identity_hostname_any_buffer)
{
	struct utsname u;
	char buf[256];

	ck_assert_int_eq(uname(&u), 0);
	memset(buf, 'x', sizeof(buf));
	ck_assert_str_eq(identity_hostname(buf, sizeof(buf)), u.nodename);
	memset(buf, 0, sizeof(buf));
	ck_assert_str_eq(identity_hostname(buf, sizeof(buf)), u.nodename);
}
END_TEST

START_TEST(test_identity_domain_sources)
{
	struct identity id;
	char path[] = "/tmp/check_mailname.XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, "mail.example.org\n", 17), 17);
	close(fd);
	identity_init(&id, "conf.example", path);
	ck_assert_str_eq(identity_domain(&id), "conf.example");
	identity_init(&id, NULL, path);
	ck_assert_str_eq(identity_domain_known(&id), "mail.example.org");
	identity_init(&id, "", "/nonexistent/mailname");
	ck_assert_ptr_null(identity_domain_known(&id));
	ck_assert_str_ne(identity_domain(&id), "");	/* the host's name */
	unlink(path);
}
END_TEST

START_TEST(test_identity_user_is_the_real_uid)
{
	struct identity id;
	char err[128];

	identity_init(&id, NULL, NULL);
	ck_assert_int_eq(identity_user(&id, err, sizeof(err)), 0);
	ck_assert_str_ne(id.user, "");
}
END_TEST

START_TEST(test_identity_date_format)
{
	char buf[64];

	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_str_eq(identity_date(1795910400, buf, sizeof(buf)),
	    "Sun, 29 Nov 2026 00:00:00 +0000");
	setenv("TZ", "America/New_York", 1);
	tzset();
	ck_assert(matches("^Sat, 28 Nov 2026 19:00:00 -0500$|"
	    "^Sun, 29 Nov 2026 00:00:00 \\+0000$",	/* no zoneinfo */
	    identity_date(1795910400, buf, sizeof(buf))));
}
END_TEST

START_TEST(test_identity_message_id_unique)
{
	char a[128], b[128];

	identity_message_id("example.org", a, sizeof(a));
	identity_message_id("example.org", b, sizeof(b));
	ck_assert(matches("^<[0-9]{14}\\.[0-9]+\\.[0-9a-f]{16}@example\\.org>$",
	    a));
	ck_assert_str_ne(a, b);
}
END_TEST

Suite *
identity_suite(void)
{
	Suite *s = suite_create("identity");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_identity_hostname_any_buffer);
	tcase_add_test(tc, test_identity_domain_sources);
	tcase_add_test(tc, test_identity_user_is_the_real_uid);
	tcase_add_test(tc, test_identity_date_format);
	tcase_add_test(tc, test_identity_message_id_unique);
	suite_add_tcase(s, tc);
	return s;
}
