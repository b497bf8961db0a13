/* SPDX-License-Identifier: ISC */
/* check_envelope.c: recipients are kept once each, in order. */
#include <stdio.h>

#include "tests.h"
#include "envelope.h"

START_TEST(test_envelope_add_rcpt_dedup)
{
	struct carrier_envelope env;

	ck_assert_int_eq(envelope_init(&env), 0);
	ck_assert_str_eq(env.sender, "");
	ck_assert_int_eq(envelope_add_rcpt(&env, "a@x.example"), 0);
	ck_assert_int_eq(envelope_add_rcpt(&env, "b@x.example"), 0);
	ck_assert_int_eq(envelope_add_rcpt(&env, "a@x.example"), 0);
	ck_assert_uint_eq(env.nrcpts, 2);
	ck_assert_str_eq(env.rcpts[1].addr, "b@x.example");
	ck_assert_int_eq(envelope_set_sender(&env, "s@x.example"), 0);
	ck_assert_str_eq(env.sender, "s@x.example");
	envelope_free(&env);
}
END_TEST

START_TEST(test_envelope_add_rcpt_many)
{
	struct carrier_envelope env;
	char addr[32];
	int i;

	ck_assert_int_eq(envelope_init(&env), 0);
	for (i = 0; i < 1000; i++) {
		snprintf(addr, sizeof(addr), "u%d@x.example", i);
		ck_assert_int_eq(envelope_add_rcpt(&env, addr), 0);
	}
	ck_assert_uint_eq(env.nrcpts, 1000);
	envelope_free(&env);
}
END_TEST

Suite *
envelope_suite(void)
{
	Suite *s = suite_create("envelope");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_envelope_add_rcpt_dedup);
	tcase_add_test(tc, test_envelope_add_rcpt_many);
	suite_add_tcase(s, tc);
	return s;
}
