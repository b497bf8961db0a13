/* SPDX-License-Identifier: ISC */
/* check_envelope.c: recipients are kept once each, in order. */
#include <errno.h>
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

/*
 * The limit's worth of recipients, each given twice, and case kept
 * apart: kept once each, in order, the lookup no quadratic work (this
 * took minutes when each was compared with all before it).
 */
START_TEST(test_envelope_add_rcpt_limit_dedup)
{
	struct carrier_envelope env;
	char addr[32];
	int i, pass;

	ck_assert_int_eq(envelope_init(&env), 0);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < ENVELOPE_RCPT_MAX; i++) {
			snprintf(addr, sizeof(addr), "u%d@x.example", i);
			ck_assert_int_eq(envelope_add_rcpt(&env, addr), 0);
		}
	ck_assert_uint_eq(env.nrcpts, ENVELOPE_RCPT_MAX);
	ck_assert_str_eq(env.rcpts[12345].addr, "u12345@x.example");
	ck_assert_int_eq(envelope_add_rcpt(&env, "U1@x.example"), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(envelope_add_rcpt(&env, "u1@x.example"), 0);
	envelope_free(&env);
	ck_assert_int_eq(envelope_init(&env), 0);
	ck_assert_int_eq(envelope_add_rcpt(&env, "a@x.example"), 0);
	ck_assert_int_eq(envelope_add_rcpt(&env, "A@x.example"), 0);
	ck_assert_uint_eq(env.nrcpts, 2);
	envelope_free(&env);
}
END_TEST

static const struct {
	const char	*in;
	int		 ok;
	unsigned int	 bits;
} notifies[] = {
	{ "never", 1, ENVELOPE_NOTIFY_NEVER },
	{ "NEVER", 1, ENVELOPE_NOTIFY_NEVER },
	{ "success,failure", 1, ENVELOPE_NOTIFY_SUCCESS |
	    ENVELOPE_NOTIFY_FAILURE },
	{ "failure,delay,success", 1, 0x0e },
	{ "", 0, 0 }, { "never,success", 0, 0 }, { "success,", 0, 0 },
	{ "failure,failure", 0, 0 }, { "sometimes", 0, 0 },
};

START_TEST(test_envelope_parse_notify_table)
{
	unsigned int bits = 0;
	int rc = envelope_parse_notify(notifies[_i].in, &bits);

	ck_assert_msg((rc == 0) == notifies[_i].ok, "\"%s\"",
	    notifies[_i].in);
	if (rc == 0)
		ck_assert_uint_eq(bits, notifies[_i].bits);
}
END_TEST

START_TEST(test_envelope_xtext_encodes)
{
	char out[32];

	ck_assert_int_eq(envelope_xtext("a+b=c d\x01", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a+2Bb+3Dc+20d+01");
	ck_assert_int_eq(envelope_xtext("++++", out, 12), -1);
}
END_TEST

Suite *
envelope_suite(void)
{
	Suite *s = suite_create("envelope");
	TCase *tc = tcase_create("core");

	/* quadratic work took minutes; a loaded machine takes seconds */
	tcase_set_timeout(tc, 30);

	tcase_add_test(tc, test_envelope_add_rcpt_dedup);
	tcase_add_test(tc, test_envelope_add_rcpt_many);
	tcase_add_test(tc, test_envelope_add_rcpt_limit_dedup);
	tcase_add_loop_test(tc, test_envelope_parse_notify_table, 0,
	    sizeof(notifies) / sizeof(notifies[0]));
	tcase_add_test(tc, test_envelope_xtext_encodes);
	suite_add_tcase(s, tc);
	return s;
}
