/* SPDX-License-Identifier: ISC */
/*
 * check_compat.c: lib/compat/, the functions built only where the C
 * library lacks them.  glibc has some of them, so those would never be
 * compiled here; each file is compiled into this test under a name of
 * its own, so every one is built and tested on every system.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define explicit_bzero	compat_explicit_bzero
#define reallocarray	compat_reallocarray
#define strlcat		compat_strlcat
#define strlcpy		compat_strlcpy
void	compat_explicit_bzero(void *, size_t);
void	*compat_reallocarray(void *, size_t, size_t);
size_t	compat_strlcat(char *, const char *, size_t);
size_t	compat_strlcpy(char *, const char *, size_t);
#include "../../lib/compat/explicit_bzero.c"
#include "../../lib/compat/reallocarray.c"
#include "../../lib/compat/strlcat.c"
#include "../../lib/compat/strlcpy.c"
#undef explicit_bzero
#undef reallocarray
#undef strlcat
#undef strlcpy

START_TEST(test_compat_explicit_bzero)
{
	char secret[64];
	size_t i;

	memset(secret, 'p', sizeof(secret));
	compat_explicit_bzero(secret + 1, sizeof(secret) - 2);
	ck_assert_int_eq(secret[0], 'p');
	for (i = 1; i < sizeof(secret) - 1; i++)
		ck_assert_int_eq(secret[i], 0);
	ck_assert_int_eq(secret[sizeof(secret) - 1], 'p');
	compat_explicit_bzero(secret, 0);
	ck_assert_int_eq(secret[0], 'p');
}
END_TEST

START_TEST(test_compat_reallocarray)
{
	unsigned *p;

	ck_assert_ptr_nonnull(p = compat_reallocarray(NULL, 4, sizeof(*p)));
	p[3] = 7;
	ck_assert_ptr_nonnull(p = compat_reallocarray(p, 8, sizeof(*p)));
	ck_assert_uint_eq(p[3], 7);
	errno = 0;
	ck_assert_ptr_null(compat_reallocarray(p, SIZE_MAX / 2, 4));
	ck_assert_int_eq(errno, ENOMEM);
	free(p);	/* still p's after the failure */
}
END_TEST

START_TEST(test_compat_strlcpy)
{
	char b[4];

	ck_assert_uint_eq(compat_strlcpy(b, "ab", sizeof(b)), 2);
	ck_assert_str_eq(b, "ab");
	ck_assert_uint_eq(compat_strlcpy(b, "abcdef", sizeof(b)), 6);
	ck_assert_str_eq(b, "abc");
	b[0] = 'x';
	ck_assert_uint_eq(compat_strlcpy(b, "abc", 0), 3);
	ck_assert_int_eq(b[0], 'x');
}
END_TEST

START_TEST(test_compat_strlcat)
{
	char b[6] = "ab";

	ck_assert_uint_eq(compat_strlcat(b, "cd", sizeof(b)), 4);
	ck_assert_str_eq(b, "abcd");
	ck_assert_uint_eq(compat_strlcat(b, "efgh", sizeof(b)), 8);
	ck_assert_str_eq(b, "abcde");
	/* no NUL within size: size plus the source, nothing written */
	ck_assert_uint_eq(compat_strlcat(b, "xy", 3), 5);
	ck_assert_str_eq(b, "abcde");
}
END_TEST

Suite *
compat_suite(void)
{
	Suite *su = suite_create("compat");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_compat_explicit_bzero);
	tcase_add_test(tc, test_compat_reallocarray);
	tcase_add_test(tc, test_compat_strlcpy);
	tcase_add_test(tc, test_compat_strlcat);
	suite_add_tcase(su, tc);
	return su;
}
