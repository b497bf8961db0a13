/* SPDX-License-Identifier: ISC */
/* check_log.c: sanitising untrusted text. */
#include <string.h>

#include "tests.h"
#include "log.h"

START_TEST(test_log_sanitize_escapes)
{
	char out[64];

	log_sanitize(out, sizeof(out), "a\r\n\x1b\0b\xff\tc", 9);
	ck_assert_str_eq(out, "a\\x0d\\x0a\\x1b\\x00b\\xff\tc");
}
END_TEST

START_TEST(test_log_sanitize_truncates)
{
	char out[8];
	size_t n = log_sanitize(out, sizeof(out), "abcdefghijkl", 12);

	ck_assert_str_eq(out, "abcd...");
	ck_assert_uint_eq(n, 7);
	log_sanitize(out, sizeof(out), "ab\x01\x02\x03", 5);
	ck_assert_uint_le(strlen(out), 7);
}
END_TEST

Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_log_sanitize_escapes);
	tcase_add_test(tc, test_log_sanitize_truncates);
	suite_add_tcase(s, tc);
	return s;
}
