/* SPDX-License-Identifier: ISC */
/* check_policy.c: what each failure means for a relay and for an MX. */
#include <errno.h>
#include <string.h>

#include "tests.h"
#include "policy.h"

enum { OPP = 1, VERIFY = 2, PLAIN_DONE = 4, UNVER_DONE = 8 };

static const struct {
	enum policy_hop		hop;
	enum carrier_status	status;
	enum carrier_phase	phase;
	int			code;
	int			cert;	/* the certificate failed */
	int			tls;	/* OPP | VERIFY | ..., or -1: none */
	enum policy_action	want;
} cases[] = {
	{ POLICY_MX, CARRIER_OK, PHASE_NONE, 0, 0, OPP, POLICY_DONE },
	{ POLICY_RELAY, CARRIER_OK, PHASE_NONE, 0, 0, -1, POLICY_DONE },
	/* a relay is the one host there is */
	{ POLICY_RELAY, CARRIER_TEMP, PHASE_CONNECT, 0, 0, -1, POLICY_FINAL },
	{ POLICY_RELAY, CARRIER_PERM, PHASE_GREETING, 554, 0, -1,
	    POLICY_FINAL },
	{ POLICY_RELAY, CARRIER_TEMP, PHASE_TLS, 0, 1, -1, POLICY_FINAL },
	{ POLICY_RELAY, CARRIER_TEMP, PHASE_MAIL, 451, 0, -1, POLICY_FINAL },
	/* an MX that cannot take the message passes it on */
	{ POLICY_MX, CARRIER_TEMP, PHASE_CONNECT, 0, 0, OPP,
	    POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_PERM, PHASE_RESOLVE, 0, 0, OPP,
	    POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_TEMP, PHASE_GREETING, 421, 0, OPP,
	    POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_PERM, PHASE_GREETING, 554, 0, OPP,
	    POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_PERM, PHASE_EHLO, 550, 0, OPP,
	    POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_PERM, PHASE_HELO, 501, 0, OPP,
	    POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_TEMP, PHASE_MAIL, 451, 0, OPP,
	    POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_PERM, PHASE_MAIL, 550, 0, OPP, POLICY_FINAL },
	/* past the recipients: never a second copy elsewhere */
	{ POLICY_MX, CARRIER_TEMP, PHASE_DATA, 451, 0, OPP, POLICY_FINAL },
	{ POLICY_MX, CARRIER_TEMP, PHASE_BODY, 0, 0, OPP, POLICY_FINAL },
	{ POLICY_MX, CARRIER_TEMP, PHASE_DOT, 0, 0, OPP, POLICY_FINAL },
	{ POLICY_MX, CARRIER_PERM, PHASE_DOT, 554, 0, OPP, POLICY_FINAL },
	/* TLS: unverified first, then plaintext, then the next host */
	{ POLICY_MX, CARRIER_TEMP, PHASE_TLS, 0, 1, OPP,
	    POLICY_RETRY_UNVERIFIED },
	{ POLICY_MX, CARRIER_TEMP, PHASE_TLS, 0, 1, OPP | UNVER_DONE,
	    POLICY_RETRY_PLAIN },
	{ POLICY_MX, CARRIER_TEMP, PHASE_TLS, 0, 0, OPP, POLICY_RETRY_PLAIN },
	{ POLICY_MX, CARRIER_TEMP, PHASE_TLS, 0, 0, OPP | PLAIN_DONE,
	    POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_TEMP, PHASE_TLS, 0, 1, VERIFY,
	    POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_TEMP, PHASE_TLS, 0, 1, 0,
	    POLICY_RETRY_UNVERIFIED },	/* encrypt: TLS, not verified */
	{ POLICY_MX, CARRIER_TEMP, PHASE_TLS, 0, 0, 0, POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_TEMP, PHASE_STARTTLS, 454, 0, OPP,
	    POLICY_RETRY_PLAIN },
	{ POLICY_MX, CARRIER_TEMP, PHASE_STARTTLS, 0, 0, VERIFY,
	    POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_TEMP, PHASE_STARTTLS, 454, 0,
	    OPP | PLAIN_DONE, POLICY_NEXT_HOST },
	{ POLICY_MX, CARRIER_TEMP, PHASE_TLS, 0, 0, -1, POLICY_NEXT_HOST },
};

START_TEST(test_policy_after_table)
{
	struct carrier_error err;
	struct policy_tls tls;
	int t = cases[_i].tls;

	memset(&err, 0, sizeof(err));
	err.status = cases[_i].status;
	err.phase = cases[_i].phase;
	err.code = cases[_i].code;
	memset(&tls, 0, sizeof(tls));
	tls.opportunistic = (t & OPP) != 0;
	tls.verify_required = (t & VERIFY) != 0;
	tls.retried_plain = (t & PLAIN_DONE) != 0;
	tls.retried_unverified = (t & UNVER_DONE) != 0;
	ck_assert_msg(policy_after(cases[_i].hop, &err, cases[_i].cert,
	    t == -1 ? NULL : &tls) == cases[_i].want,
	    "case %d: got \"%s\", want \"%s\"", _i,
	    policy_action_name(policy_after(cases[_i].hop, &err,
	    cases[_i].cert, t == -1 ? NULL : &tls)),
	    policy_action_name(cases[_i].want));
}
END_TEST

START_TEST(test_policy_blocked_errno)
{
	ck_assert(policy_blocked_errno(ECONNREFUSED));
	ck_assert(policy_blocked_errno(ETIMEDOUT));
	ck_assert(policy_blocked_errno(ENETUNREACH));
	ck_assert(!policy_blocked_errno(0));
	ck_assert(!policy_blocked_errno(ECONNRESET));
	ck_assert(!policy_blocked_errno(EADDRNOTAVAIL));
	ck_assert_str_eq(policy_action_name((enum policy_action)99), "?");
}
END_TEST

Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_policy_after_table, 0,
	    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_policy_blocked_errno);
	suite_add_tcase(s, tc);
	return s;
}
