/* SPDX-License-Identifier: ISC */
/* check_base64.c: RFC 4648 test vectors and bad input. */
#include <string.h>

#include "tests.h"
#include "base64.h"

static const struct {
	const char	*raw;
	const char	*b64;
} vectors[] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

START_TEST(test_base64_roundtrip_table)
{
	char enc[32], dec[32];

	ck_assert_int_eq(base64_encode(vectors[_i].raw,
	    strlen(vectors[_i].raw), enc, sizeof(enc)),
	    (long)strlen(vectors[_i].b64));
	ck_assert_str_eq(enc, vectors[_i].b64);
	ck_assert_int_eq(base64_decode(vectors[_i].b64, dec, sizeof(dec)),
	    (long)strlen(vectors[_i].raw));
	ck_assert_str_eq(dec, vectors[_i].raw);
}
END_TEST

START_TEST(test_base64_binary_nul)
{
	char enc[32];

	ck_assert_int_eq(base64_encode("\0user\0pass", 10, enc, sizeof(enc)),
	    16);
	ck_assert_str_eq(enc, "AHVzZXIAcGFzcw==");
}
END_TEST

START_TEST(test_base64_bad_input)
{
	char dec[32];

	ck_assert_int_eq(base64_decode("Zm9v!", dec, sizeof(dec)), -1);
	ck_assert_int_eq(base64_decode("Z", dec, sizeof(dec)), -1);
	ck_assert_int_eq(base64_decode("Zg==Zg", dec, sizeof(dec)), -1);
	ck_assert_int_eq(base64_decode("Zm9vYmFy", dec, 4), -1);
	ck_assert_int_eq(base64_encode("foobar", 6, dec, 8), -1);
}
END_TEST

Suite *
base64_suite(void)
{
	Suite *s = suite_create("base64");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_base64_roundtrip_table, 0,
	    sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(tc, test_base64_binary_nul);
	tcase_add_test(tc, test_base64_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
