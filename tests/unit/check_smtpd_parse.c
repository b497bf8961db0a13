/* SPDX-License-Identifier: ISC */
/*
 * check_smtpd_parse.c: the arguments of MAIL and RCPT: paths, ESMTP
 * parameters, xtext, and the DSN parameters into the envelope.
 */
#include <string.h>

#include "tests.h"
#include "compat.h"
#include "addr.h"
#include "smtpd_parse.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*in;
	int		 rc;
	const char	*addr;		/* or the reason */
	const char	*rest;
} paths[] = {
	{ "<a@b.example>", 0, "a@b.example", "" },
	{ "<a@b.example> SIZE=1", 0, "a@b.example", " SIZE=1" },
	{ "  <a@b.example>", 0, "a@b.example", "" },
	{ "<>", 0, "", "" },
	{ "<> BODY=7BIT", 0, "", " BODY=7BIT" },
	{ "a@b.example", 0, "a@b.example", "" },
	{ "a@b.example BODY=7BIT", 0, "a@b.example", " BODY=7BIT" },
	{ "<@r1.example,@r2.example:a@b.example>", 0, "a@b.example", "" },
	{ "<\"a >b\"@c.example>", 0, "\"a >b\"@c.example", "" },
	{ "<\"a\\\">b\"@c.example>", 0, "\"a\\\">b\"@c.example", "" },
	{ "<postmaster>", 0, "postmaster", "" },
	{ "", -1, "no address", NULL },
	{ "<a@b.example", -1, "no closing \">\"", NULL },
	{ "<\"a>@b.example", -1, "no closing \">\"", NULL },
	{ "<a@b.example>>", -1, "text after \">\"", NULL },
	{ "<@r1.example a@b.example>", -1, "bad source route", NULL },
	{ "<a\x01@b.example>", -1, "control character in the address",
	    NULL },
};

START_TEST(test_smtpd_parse_path_table)
{
	const char *p = paths[_i].in, *why = NULL;
	char addr[ADDR_MAX + 1];

	ck_assert_int_eq(smtpd_parse_path(&p, addr, sizeof(addr), &why),
	    paths[_i].rc);
	if (paths[_i].rc == 0) {
		ck_assert_str_eq(addr, paths[_i].addr);
		ck_assert_str_eq(p, paths[_i].rest);
	} else
		ck_assert_str_eq(why, paths[_i].addr);
}
END_TEST

START_TEST(test_smtpd_parse_path_too_long)
{
	char in[300], addr[ADDR_MAX + 1];
	const char *p = in, *why;

	in[0] = '<';
	memset(in + 1, 'a', 255);
	memcpy(in + 256, ">", 2);
	ck_assert_int_eq(smtpd_parse_path(&p, addr, sizeof(addr), &why), -1);
	ck_assert_str_eq(why, "address too long");
	in[255] = '>';
	in[256] = '\0';
	p = in;
	ck_assert_int_eq(smtpd_parse_path(&p, addr, sizeof(addr), &why), 0);
	ck_assert_uint_eq(strlen(addr), 254);
}
END_TEST

static const struct {
	const char	*in;
	const char	*params;	/* "key=val;" each, or "!" on -1 */
} params_cases[] = {
	{ "", "" },
	{ "   ", "" },
	{ " SIZE=100 BODY=8BITMIME", "SIZE=100;BODY=8BITMIME;" },
	{ " SMTPUTF8", "SMTPUTF8=;" },
	{ " X-Y=a+2Bb  Z", "X-Y=a+2Bb;Z=;" },
	{ " =x", "!" },
	{ " SIZE=", "!" },
	{ " -X=1", "!" },
	{ " A_B=1", "!" },
	{ " A=b=c", "!" },
	{ " A=\x7f", "!" },
	{ " AVERYLONGKEYWORDTHATDOESNOTFITATALL=1", "!" },
};

START_TEST(test_smtpd_parse_param_table)
{
	const char *p = params_cases[_i].in;
	char key[SMTPD_PARSE_KEY_MAX], val[SMTPD_PARSE_VALUE_MAX];
	char all[256] = "";
	int r;

	while ((r = smtpd_parse_param(&p, key, sizeof(key), val,
	    sizeof(val))) == 1) {
		(void)strlcat(all, key, sizeof(all));
		(void)strlcat(all, "=", sizeof(all));
		(void)strlcat(all, val, sizeof(all));
		(void)strlcat(all, ";", sizeof(all));
	}
	if (r == -1)
		(void)strlcat(all, "!", sizeof(all));
	ck_assert_str_eq(all, params_cases[_i].params);
}
END_TEST

static const struct {
	const char	*in;
	int		 rc;
	const char	*out;
} xtexts[] = {
	{ "abc", 0, "abc" },
	{ "a+2Bb+3Dc", 0, "a+b=c" },
	{ "+20", 0, " " },
	{ "", 0, "" },
	{ "a+2", -1, NULL },
	{ "a+2b", -1, NULL },		/* hex digits are upper case */
	{ "a+ZZ", -1, NULL },
	{ "a=b", -1, NULL },
	{ "a b", -1, NULL },
	{ "0123456789", -1, NULL },	/* does not fit in 10 */
};

START_TEST(test_smtpd_parse_xtext_table)
{
	char out[10];

	ck_assert_int_eq(smtpd_parse_xtext(xtexts[_i].in, out, sizeof(out)),
	    xtexts[_i].rc);
	if (xtexts[_i].rc == 0)
		ck_assert_str_eq(out, xtexts[_i].out);
}
END_TEST

START_TEST(test_smtpd_parse_mail_param_dsn)
{
	struct carrier_envelope env;
	char why[128];

	ck_assert_int_eq(envelope_init(&env), 0);
	ck_assert_int_eq(smtpd_parse_mail_param(&env, "ret", "full", why,
	    sizeof(why)), 0);
	ck_assert_int_eq(env.ret, ENVELOPE_RET_FULL);
	ck_assert_int_eq(smtpd_parse_mail_param(&env, "RET", "HDRS", why,
	    sizeof(why)), 501);
	ck_assert_str_eq(why, "5.5.4 Bad RET parameter");
	ck_assert_int_eq(smtpd_parse_mail_param(&env, "ENVID", "x+2By", why,
	    sizeof(why)), 0);
	ck_assert_str_eq(env.envid, "x+y");
	ck_assert_int_eq(smtpd_parse_mail_param(&env, "ENVID", "z", why,
	    sizeof(why)), 501);
	ck_assert_int_eq(smtpd_parse_mail_param(&env, "AUTH", "<>", why,
	    sizeof(why)), 555);
	ck_assert_str_eq(why, "5.5.4 Unsupported option: AUTH");
	envelope_free(&env);
	ck_assert_int_eq(envelope_init(&env), 0);
	ck_assert_int_eq(smtpd_parse_mail_param(&env, "ENVID", "a+0Ab", why,
	    sizeof(why)), 501);		/* a control character */
	ck_assert_str_eq(env.envid, "");
	envelope_free(&env);
}
END_TEST

START_TEST(test_smtpd_parse_rcpt_param_notify)
{
	unsigned int n = 0;
	char why[128];

	ck_assert_int_eq(smtpd_parse_rcpt_param("notify", "delay", &n, why,
	    sizeof(why)), 0);
	ck_assert_uint_eq(n, ENVELOPE_NOTIFY_DELAY);
	ck_assert_int_eq(smtpd_parse_rcpt_param("NOTIFY", "never", &n, why,
	    sizeof(why)), 501);		/* twice */
	ck_assert_int_eq(smtpd_parse_rcpt_param("ORCPT", "rfc822;a+40b", &n,
	    why, sizeof(why)), 0);
	ck_assert_int_eq(smtpd_parse_rcpt_param("ORCPT", ";a@b", &n, why,
	    sizeof(why)), 501);
}
END_TEST

Suite *
smtpd_parse_suite(void)
{
	Suite *s = suite_create("smtpd_parse");
	TCase *tc = tcase_create("smtpd_parse");

	tcase_add_loop_test(tc, test_smtpd_parse_path_table, 0,
	    NELEM(paths));
	tcase_add_test(tc, test_smtpd_parse_path_too_long);
	tcase_add_loop_test(tc, test_smtpd_parse_param_table, 0,
	    NELEM(params_cases));
	tcase_add_loop_test(tc, test_smtpd_parse_xtext_table, 0,
	    NELEM(xtexts));
	tcase_add_test(tc, test_smtpd_parse_mail_param_dsn);
	tcase_add_test(tc, test_smtpd_parse_rcpt_param_notify);
	suite_add_tcase(s, tc);
	return s;
}
