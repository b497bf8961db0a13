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

/* A cut at any size ends in "..." after whole characters only. */
START_TEST(test_log_sanitize_cuts_whole)
{
	const char src[] = "a\x01" "bc\xff\xfe" "d\n";
	char full[64], out[64];
	size_t size, n, k, boundary[16], nb = 0;

	(void)log_sanitize(full, sizeof(full), src, sizeof(src) - 1);
	for (k = 0; full[k] != '\0'; k += full[k] == '\\' ? 4 : 1)
		boundary[nb++] = k;
	boundary[nb++] = k;
	for (size = 4; size <= strlen(full); size++) {
		int at_boundary = 0;

		n = log_sanitize(out, size, src, sizeof(src) - 1);
		ck_assert_uint_eq(n, strlen(out));
		ck_assert_uint_lt(n, size);
		ck_assert_uint_ge(n, 3);
		ck_assert_str_eq(out + n - 3, "...");
		ck_assert_int_eq(strncmp(out, full, n - 3), 0);
		for (k = 0; k < nb; k++)
			at_boundary |= boundary[k] == n - 3;
		ck_assert_msg(at_boundary, "size %zu cut mid-escape: %s", size,
		    out);
	}
}
END_TEST

Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_log_sanitize_escapes);
	tcase_add_test(tc, test_log_sanitize_truncates);
	tcase_add_test(tc, test_log_sanitize_cuts_whole);
	suite_add_tcase(s, tc);
	return s;
}
