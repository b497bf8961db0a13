/* SPDX-License-Identifier: ISC */
/*
 * check_conn_tls.c: what the TLS connection layer says when libtls
 * cannot be loaded: the Debian package that holds it, as ldd does not
 * show a library loaded with dlopen.
 */
#include <string.h>

#include "tests.h"
#include "conn_tls.h"

static const struct {
	const char	*soname;
	size_t		 size;
	const char	*want;
} packages[] = {
	{ "libtls.so.26", 64, "libtls26" },	/* Debian 12 (libretls) */
	{ "libtls.so.28", 64, "libtls28" },
	{ "libtls.so", 64, "libtls.so" },	/* no version: as it is */
	{ "libtls.so.26", 9, "libtls26" },	/* just fits */
	{ "libtls.so.26", 8, "libtls.so.26" },	/* does not */
};

START_TEST(test_conn_tls_package_table)
{
	char buf[64];

	ck_assert_str_eq(conn_tls_package(packages[_i].soname, buf,
	    packages[_i].size), packages[_i].want);
}
END_TEST

Suite *
conn_tls_suite(void)
{
	Suite *s = suite_create("conn_tls");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_conn_tls_package_table, 0,
	    sizeof(packages) / sizeof(packages[0]));
	suite_add_tcase(s, tc);
	return s;
}
