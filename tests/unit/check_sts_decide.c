/* SPDX-License-Identifier: ISC */
/*
 * check_sts_decide.c: MTA-STS discovery's rules: the policy domain's
 * name, which TXT record counts, and sts_decide over every combination
 * of cache state, cached id, policy age, failed fetch and TXT id, the
 * boundaries included (a day old, five minutes since a failure, a clock
 * set back), plus the reasons given for a few.
 */
#include <stdio.h>
#include <string.h>

#include "tests.h"
#include "compat.h"
#include "sts.h"
#include "sts_decide.h"

#define NOW	1700000000

static const struct {
	const char	*in;
	const char	*name;	/* NULL: refused */
} domains[] = {
	{ "example.org", "example.org" },
	{ "Example.ORG.", "example.org" },
	{ "mail_x.example", "mail_x.example" },
	{ "a", "a" },
	{ "", NULL },
	{ ".", NULL },
	{ "..", NULL },
	{ "a..b", NULL },
	{ ".example.org", NULL },
	{ "example.org..", NULL },
	{ "a/b.example", NULL },
	{ "../etc", NULL },
	{ "a b.example", NULL },
	{ "-a.example", NULL },
	{ "192.0.2.1", NULL },
	{ "example.123", NULL },
};

START_TEST(test_sts_decide_domain_table)
{
	char name[STS_DOMAIN_MAX];
	int r;

	r = sts_decide_domain(domains[_i].in, name, sizeof(name));
	if (domains[_i].name == NULL) {
		ck_assert_msg(r == -1, "\"%s\" taken", domains[_i].in);
		ck_assert_str_eq(name, "");
		return;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(name, domains[_i].name);
}
END_TEST

/* The length cap: 253 octets pass, 254 do not; a small buffer fails. */
START_TEST(test_sts_decide_domain_long)
{
	char in[300], name[STS_DOMAIN_MAX], small[8];
	size_t i;

	for (i = 0; i < 253; i++)
		in[i] = i % 64 == 63 ? '.' : 'a';
	in[253] = '\0';
	ck_assert_int_eq(sts_decide_domain(in, name, sizeof(name)), 0);
	in[253] = '.';
	in[254] = '\0';
	ck_assert_int_eq(sts_decide_domain(in, name, sizeof(name)), 0);
	in[253] = 'a';
	ck_assert_int_eq(sts_decide_domain(in, name, sizeof(name)), -1);
	ck_assert_int_eq(sts_decide_domain("example.org", small,
	    sizeof(small)), -1);
}
END_TEST

static const struct {
	const char	*records[3];
	const char	*id;	/* or the reason when refused */
	int		 ok;
} txts[] = {
	{ { "v=STSv1; id=abc" }, "abc", 1 },
	{ { "v=spf1 -all", "v=STSv1; id=abc;", "x" }, "abc", 1 },
	{ { NULL }, "no STSv1 record", 0 },
	{ { "v=spf1 -all", "id=abc; v=STSv1" }, "no STSv1 record", 0 },
	{ { "v=STSv1; id=abc", "v=STSv1; id=def" }, "2 STSv1 records", 0 },
	{ { "v=STSv1; id=abc", "v=STSv1; id=abc" }, "2 STSv1 records", 0 },
	{ { "v=STSv1; id=a-b" }, "id not letters and digits", 0 },
	{ { "v=STSv1x; id=abc" }, "fields not separated by \";\"", 0 },
};

START_TEST(test_sts_decide_txt_table)
{
	size_t lens[3], n;
	char id[STS_ID_MAX], why[64];
	int r;

	for (n = 0; n < 3 && txts[_i].records[n] != NULL; n++)
		lens[n] = strlen(txts[_i].records[n]);
	r = sts_decide_txt(txts[_i].records, lens, n, id, sizeof(id), why,
	    sizeof(why));
	if (txts[_i].ok) {
		ck_assert_int_eq(r, 0);
		ck_assert_str_eq(id, txts[_i].id);
	} else {
		ck_assert_int_eq(r, -1);
		ck_assert_str_eq(why, txts[_i].id);
		ck_assert_str_eq(id, "");
	}
}
END_TEST

/*
 * Every combination: cache (none at all, or an entry NONE, FRESH or
 * EXPIRED whose policy has id "A"), the policy's age, a failed fetch
 * (when, and for which id) and the TXT id (none, "A", "B").
 */
static const int	states[] = { -1, STS_CACHE_NONE, STS_CACHE_FRESH,
			    STS_CACHE_EXPIRED };
static const time_t	ages[] = { 0, STS_REFRESH_AGE - 1, STS_REFRESH_AGE,
			    10 * STS_REFRESH_AGE, -1 };
static const time_t	fails[] = { -1, 0, STS_RETRY_AFTER - 1,
			    STS_RETRY_AFTER, -2 };	/* -1: none; -2: +1 s */
static const char *const fail_ids[] = { "A", "B" };
static const char *const txt_ids[] = { NULL, "A", "B" };

#define N_STATES	(sizeof(states) / sizeof(states[0]))
#define N_AGES		(sizeof(ages) / sizeof(ages[0]))
#define N_FAILS		(sizeof(fails) / sizeof(fails[0]))
#define N_FAIL_IDS	(sizeof(fail_ids) / sizeof(fail_ids[0]))
#define N_TXT_IDS	(sizeof(txt_ids) / sizeof(txt_ids[0]))

/* What RFC 8461 (3.1, 3.3, 5.1) and sts_decide.h ask, case by case. */
static enum sts_action
expected(int state, time_t age, time_t fail, const char *fail_id,
    const char *txt)
{
	int fresh = state == STS_CACHE_FRESH;
	int young = age >= 0 && age < STS_REFRESH_AGE;
	int recent = txt != NULL && state != -1 && fail >= 0 &&
	    fail < STS_RETRY_AFTER && strcmp(fail_id, txt) == 0;

	if (txt == NULL)
		return fresh ? STS_ACT_CACHE : STS_ACT_NONE;
	if (!fresh)
		return recent ? STS_ACT_NONE : STS_ACT_FETCH;
	if (strcmp(txt, "A") != 0 || !young)
		return recent ? STS_ACT_CACHE : STS_ACT_REFRESH;
	return STS_ACT_CACHE;
}

START_TEST(test_sts_decide_every_case)
{
	struct sts_cached e;
	size_t i = (size_t)_i, s, a, f, fi, t;
	enum sts_action got, want;
	char why[160];

	t = i % N_TXT_IDS;
	i /= N_TXT_IDS;
	fi = i % N_FAIL_IDS;
	i /= N_FAIL_IDS;
	f = i % N_FAILS;
	i /= N_FAILS;
	a = i % N_AGES;
	s = i / N_AGES;
	memset(&e, 0, sizeof(e));
	e.state = states[s] == -1 ? STS_CACHE_NONE : states[s];
	if (e.state != STS_CACHE_NONE) {
		(void)strlcpy(e.id, "A", sizeof(e.id));
		e.fetched = NOW - ages[a];
		e.expires = e.fetched + 86400 * 7;
	}
	if (fails[f] != -1) {
		e.failed = fails[f] == -2 ? NOW + 1 : NOW - fails[f];
		(void)strlcpy(e.failed_id, fail_ids[fi], sizeof(e.failed_id));
	}
	why[0] = '\0';
	got = sts_decide(states[s] == -1 ? NULL : &e, txt_ids[t], NOW, why,
	    sizeof(why));
	want = expected(states[s], ages[a], fails[f] == -2 ? -1 : fails[f],
	    fail_ids[fi], txt_ids[t]);
	ck_assert_msg(got == want, "state %d age %lld fail %lld for %s txt "
	    "%s: %d, not %d (%s)", states[s], (long long)ages[a],
	    (long long)fails[f], fail_ids[fi], txt_ids[t] != NULL ?
	    txt_ids[t] : "-", got, want, why);
	ck_assert_str_ne(why, "");
}
END_TEST

/* A few reasons, as the transcript shows them. */
static const struct {
	int		 state;
	const char	*id;
	time_t		 age;
	time_t		 fail;	/* seconds ago; -1: none */
	const char	*txt;
	enum sts_action	 act;
	const char	*why;
} reasons[] = {
	{ STS_CACHE_FRESH, "A", 100, -1, NULL, STS_ACT_CACHE,
	    "no usable TXT record: the cached policy (id A) applies" },
	{ -1, "", 0, -1, NULL, STS_ACT_NONE,
	    "no usable TXT record and no cached policy" },
	{ -1, "", 0, -1, "B", STS_ACT_FETCH, "id B: no cached policy" },
	{ STS_CACHE_EXPIRED, "A", 100, -1, "A", STS_ACT_FETCH,
	    "id A: the cached policy has expired" },
	{ STS_CACHE_NONE, "", 0, 60, "B", STS_ACT_NONE,
	    "id B: its fetch failed 60 s ago" },
	{ STS_CACHE_FRESH, "A", 100, -1, "B", STS_ACT_REFRESH,
	    "id B: a new policy (cached: id A)" },
	{ STS_CACHE_FRESH, "A", 100, 30, "B", STS_ACT_CACHE,
	    "id B: its fetch failed 30 s ago, the cached policy (id A) "
	    "applies" },
	{ STS_CACHE_FRESH, "A", 100, -1, "A", STS_ACT_CACHE,
	    "id A: the cached policy applies (fetched 100 s ago)" },
	{ STS_CACHE_FRESH, "A", 90000, 10, "A", STS_ACT_CACHE,
	    "id A: the cached policy applies (a refresh failed 10 s ago)" },
	{ STS_CACHE_FRESH, "A", 90000, -1, "A", STS_ACT_REFRESH,
	    "id A: the cached policy is refreshed (fetched 90000 s ago)" },
};

START_TEST(test_sts_decide_reasons)
{
	struct sts_cached e;
	char why[160];

	memset(&e, 0, sizeof(e));
	e.state = reasons[_i].state == -1 ? STS_CACHE_NONE :
	    reasons[_i].state;
	(void)strlcpy(e.id, reasons[_i].id, sizeof(e.id));
	e.fetched = NOW - reasons[_i].age;
	if (reasons[_i].fail != -1) {
		e.failed = NOW - reasons[_i].fail;
		(void)strlcpy(e.failed_id, reasons[_i].txt,
		    sizeof(e.failed_id));
	}
	ck_assert_int_eq(sts_decide(reasons[_i].state == -1 ? NULL : &e,
	    reasons[_i].txt, NOW, why, sizeof(why)), reasons[_i].act);
	ck_assert_str_eq(why, reasons[_i].why);
	/* no room for a reason: the same action */
	ck_assert_int_eq(sts_decide(reasons[_i].state == -1 ? NULL : &e,
	    reasons[_i].txt, NOW, NULL, 0), reasons[_i].act);
}
END_TEST

Suite *
sts_decide_suite(void)
{
	Suite *s = suite_create("sts_decide");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_sts_decide_domain_table, 0,
	    (int)(sizeof(domains) / sizeof(domains[0])));
	tcase_add_test(tc, test_sts_decide_domain_long);
	tcase_add_loop_test(tc, test_sts_decide_txt_table, 0,
	    (int)(sizeof(txts) / sizeof(txts[0])));
	tcase_add_loop_test(tc, test_sts_decide_every_case, 0,
	    (int)(N_STATES * N_AGES * N_FAILS * N_FAIL_IDS * N_TXT_IDS));
	tcase_add_loop_test(tc, test_sts_decide_reasons, 0,
	    (int)(sizeof(reasons) / sizeof(reasons[0])));
	suite_add_tcase(s, tc);
	return s;
}
