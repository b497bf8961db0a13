/* SPDX-License-Identifier: ISC */
/*
 * check_sts.c: MTA-STS parsing: TXT records, policy files (LF and CRLF,
 * missing and repeated fields, bad values, the size cap) and MX
 * matching against patterns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "compat.h"
#include "dnspkt.h"
#include "sts.h"
#include "sts_decide.h"

static const struct {
	const char	*txt;
	const char	*id;	/* NULL: refused */
	const char	*why;	/* the reason when refused, or NULL */
} txts[] = {
	{ "v=STSv1; id=20160831085700Z;", "20160831085700Z", NULL },
	{ "v=STSv1; id=20160831085700Z", "20160831085700Z", NULL },
	{ "v=STSv1;id=abc", "abc", NULL },
	{ "v=STSv1 ;\tid=abc ; ", "abc", NULL },
	{ "v=STSv1; id=abc; ext=v.1:x", "abc", NULL },
	{ "v=STSv1; foo_bar.x-y=1; id=A1", "A1", NULL },
	{ "v=STSv1; id=first; id=second", "first", NULL },
	{ "v=STSv1; id=12345678901234567890123456789012",
	    "12345678901234567890123456789012", NULL },
	{ "v=STSv1; id=123456789012345678901234567890123", NULL,
	    "id not 1 to 32 characters" },
	{ "v=STSv1; id=", NULL, "id not 1 to 32 characters" },
	{ "v=STSv1; id=a-b", NULL, "id not letters and digits" },
	{ "v=STSv1;", NULL, "no id" },
	{ "v=STSv1", NULL, "no id" },
	{ "v=STSv1; ext=1", NULL, "no id" },
	{ "v=STSv1; ID=abc", NULL, "no id" },
	{ "", NULL, "not an STSv1 record" },
	{ "v=STSv2; id=abc", NULL, "not an STSv1 record" },
	{ "v=stsv1; id=abc", NULL, "not an STSv1 record" },
	{ " v=STSv1; id=abc", NULL, "not an STSv1 record" },
	{ "id=abc; v=STSv1", NULL, "not an STSv1 record" },
	{ "v=STSv1x; id=abc", NULL, "fields not separated by \";\"" },
	{ "v=STSv1 id=abc", NULL, "fields not separated by \";\"" },
	{ "v=STSv1; id=abc ext=1", NULL, "fields not separated by \";\"" },
	{ "v=STSv1;; id=abc", NULL, "an empty field" },
	{ "v=STSv1; id", NULL, "a field without \"=\"" },
	{ "v=STSv1; id=abc; =x", NULL, "a malformed field" },
	{ "v=STSv1; id=abc; _x=1", NULL, "a malformed field" },
	{ "v=STSv1; id=abc; x=", NULL, "a malformed field" },
	{ "v=STSv1; id=abc; x=a=b", NULL, "a malformed field" },
	{ "v=STSv1; id=abc; "
	    "a23456789012345678901234567890123=1", NULL, "a malformed field" },
	{ "v=STSv1; id=abc; x=\x7f", NULL, "a malformed field" },
	{ "v=STSv1; id=abc; x=\xc3\xa9", NULL, "a malformed field" },
};

START_TEST(test_sts_parse_txt_table)
{
	char id[STS_ID_MAX], why[64];
	int r;

	r = sts_parse_txt(txts[_i].txt, strlen(txts[_i].txt), id, sizeof(id),
	    why, sizeof(why));
	if (txts[_i].id != NULL) {
		ck_assert_msg(r == 0, "\"%s\": %s", txts[_i].txt, why);
		ck_assert_str_eq(id, txts[_i].id);
	} else {
		ck_assert_msg(r == -1, "\"%s\" taken", txts[_i].txt);
		ck_assert_str_eq(why, txts[_i].why);
		ck_assert_str_eq(id, "");
	}
}
END_TEST

/* A NUL inside, the length honoured, no room for the id. */
START_TEST(test_sts_parse_txt_bounds)
{
	static const char nul[] = "v=STSv1; id=ab\0cd";
	char id[STS_ID_MAX], small[3], why[64];

	ck_assert_int_eq(sts_parse_txt(nul, sizeof(nul) - 1, id, sizeof(id),
	    why, sizeof(why)), -1);
	ck_assert_int_eq(sts_parse_txt(nul, 14, id, sizeof(id), why,
	    sizeof(why)), 0);
	ck_assert_str_eq(id, "ab");
	ck_assert_int_eq(sts_parse_txt("v=STSv1; id=abc", 15, small,
	    sizeof(small), why, sizeof(why)), -1);
	ck_assert_str_eq(why, "no room for the id");
	ck_assert_int_eq(sts_parse_txt("v=STSv1; id=ab", 14, small,
	    sizeof(small), NULL, 0), 0);
	ck_assert_str_eq(small, "ab");
}
END_TEST

#define GOOD	"version: STSv1\nmode: enforce\nmx: mail.example.com\n" \
		"max_age: 604800\n"

static const struct {
	const char	*text;
	int		 mode;		/* 0: refused */
	unsigned long	 max_age;
	const char	*mx;		/* the patterns, ","-joined, or why */
} policies[] = {
	{ GOOD, STS_ENFORCE, 604800, "mail.example.com" },
	/* RFC 8461 3.2's example. */
	{ "version: STSv1\nmode: enforce\nmx: mail.example.com\n"
	    "mx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800",
	    STS_ENFORCE, 604800,
	    "mail.example.com,*.example.net,backupmx.example.com" },
	{ "version: STSv1\r\nmode: testing\r\nmx: MX1.Example.COM\r\n"
	    "max_age: 86400\r\n", STS_TESTING, 86400, "mx1.example.com" },
	{ "version:STSv1\nmode:\t none \t\nmax_age: 0\n\n", STS_NONE, 0, "" },
	{ "mode: none\r\nmax_age: 31557600\r\nmx: a.example\r\n"
	    "version: STSv1", STS_NONE, 31557600, "a.example" },
	{ GOOD "mx: mail.example.com\nmx: MAIL.example.com\n", STS_ENFORCE,
	    604800, "mail.example.com" },
	/* Unknown keys ignored; the first of a repeated key wins. */
	{ GOOD "x-note: a remark, in words\nfoo.bar_1: caf\xc3\xa9\n",
	    STS_ENFORCE, 604800, "mail.example.com" },
	{ GOOD "mode: none\nmax_age: 1\nversion: STSv2\n", STS_ENFORCE,
	    604800, "mail.example.com" },
	{ GOOD "mode: bogus\nmax_age: x\n", STS_ENFORCE, 604800,
	    "mail.example.com" },
	{ "version: STSv1\nmode: enforce\nmx: mx-1.e-x.example\n"
	    "max_age: 0000000001\n", STS_ENFORCE, 1, "mx-1.e-x.example" },
	/* Refused. */
	{ "", 0, 0, "no version" },
	{ "mode: enforce\nmx: a.example\nmax_age: 1\n", 0, 0, "no version" },
	{ "version: STSv1\nmx: a.example\nmax_age: 1\n", 0, 0, "no mode" },
	{ "version: STSv1\nmode: enforce\nmx: a.example\n", 0, 0,
	    "no max_age" },
	{ "version: STSv1\nmode: enforce\nmax_age: 1\n", 0, 0, "no mx" },
	{ "version: STSv1\nmode: testing\nmax_age: 1\n", 0, 0, "no mx" },
	{ "version: STSv2\nmode: enforce\n", 0, 0,
	    "line 1: version not STSv1" },
	{ "version: stsv1\n", 0, 0, "line 1: version not STSv1" },
	{ "version: STSv1\nmode: Enforce\n", 0, 0,
	    "line 2: mode not enforce, testing or none" },
	{ "version: STSv1\nmode: report\n", 0, 0,
	    "line 2: mode not enforce, testing or none" },
	{ "max_age: 31557601\n", 0, 0, "line 1: max_age not 0 to 31557600" },
	{ "max_age: 99999999999\n", 0, 0,
	    "line 1: max_age not 0 to 31557600" },
	{ "max_age: -1\n", 0, 0, "line 1: max_age not 0 to 31557600" },
	{ "max_age: 1 day\n", 0, 0, "line 1: max_age not 0 to 31557600" },
	{ "max_age:\n", 0, 0, "line 1: max_age not 0 to 31557600" },
	{ "version: STSv1\nmode enforce\n", 0, 0, "line 2: no \":\"" },
	{ "version : STSv1\n", 0, 0, "line 1: a malformed field" },
	/* Keys are case sensitive: "Version" is another key, ignored. */
	{ "Version: STSv1\nmode: none\nmax_age: 1\n", 0, 0, "no version" },
	{ "x-note:\n", 0, 0, "line 1: a malformed field" },
	{ "x-note: a\tb\n", 0, 0, "line 1: a malformed field" },
	{ "x-note: a\rb\n", 0, 0, "line 1: a malformed field" },
	{ "version: STSv1\rmode: none\n", 0, 0, "line 1: version not STSv1" },
	{ "mx: *.\n", 0, 0, "line 1: a malformed mx pattern" },
	{ "mx: *\n", 0, 0, "line 1: a malformed mx pattern" },
	{ "mx:\n", 0, 0, "line 1: a malformed mx pattern" },
	{ "mx: a.*.example\n", 0, 0, "line 1: a malformed mx pattern" },
	{ "mx: **.example\n", 0, 0, "line 1: a malformed mx pattern" },
	{ "mx: mail.example.com.\n", 0, 0, "line 1: a malformed mx pattern" },
	{ "mx: -a.example\n", 0, 0, "line 1: a malformed mx pattern" },
	{ "mx: a-.example\n", 0, 0, "line 1: a malformed mx pattern" },
	{ "mx: a..example\n", 0, 0, "line 1: a malformed mx pattern" },
	{ "mx: a_b.example\n", 0, 0, "line 1: a malformed mx pattern" },
	{ "mx: a example\n", 0, 0, "line 1: a malformed mx pattern" },
	{ "mx: 192.0.2.1:25\n", 0, 0, "line 1: a malformed mx pattern" },
};

/* The patterns of p, ","-joined, in buf. */
static const char *
mx_join(const struct sts_policy *p, char *buf, size_t size)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < p->nmx; i++) {
		if (i > 0)
			ck_assert_uint_lt(strlcat(buf, ",", size), size);
		ck_assert_uint_lt(strlcat(buf, p->mx[i], size), size);
	}
	return buf;
}

START_TEST(test_sts_parse_policy_table)
{
	static struct sts_policy p;
	char why[64], list[512];
	int r;

	r = sts_parse_policy(policies[_i].text, strlen(policies[_i].text), &p,
	    why, sizeof(why));
	if (policies[_i].mode != 0) {
		ck_assert_msg(r == 0, "policy %d: %s", _i, why);
		ck_assert_int_eq(p.mode, policies[_i].mode);
		ck_assert_uint_eq(p.max_age, policies[_i].max_age);
		ck_assert_str_eq(mx_join(&p, list, sizeof(list)),
		    policies[_i].mx);
	} else {
		ck_assert_msg(r == -1, "policy %d taken", _i);
		ck_assert_str_eq(why, policies[_i].mx);
	}
}
END_TEST

/* The size cap, STS_MX_MAX patterns, a NUL, the longest name. */
START_TEST(test_sts_parse_policy_limits)
{
	static struct sts_policy p;
	static char big[STS_POLICY_MAX + 2];
	char why[64], line[300], name[254];
	size_t len, i = 1;
	int k;

	len = strlcpy(big, GOOD, sizeof(big));
	while (len < STS_POLICY_MAX - 1)
		big[len++] = i++ % 2 ? 'x' : '\n';
	ck_assert_int_eq(sts_parse_policy(big, len, &p, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "line 5: no \":\"");
	memset(big + sizeof(GOOD) - 1, '\n', sizeof(big) - sizeof(GOOD));
	ck_assert_int_eq(sts_parse_policy(big, STS_POLICY_MAX, &p, why,
	    sizeof(why)), 0);
	ck_assert_int_eq(sts_parse_policy(big, STS_POLICY_MAX + 1, &p, why,
	    sizeof(why)), -1);
	ck_assert_str_eq(why, "policy larger than 64 KiB");

	len = strlcpy(big, "version: STSv1\nmode: testing\nmax_age: 9\n",
	    sizeof(big));
	for (i = 0; i < STS_MX_MAX; i++) {
		k = snprintf(line, sizeof(line), "mx: mx%zu.example\n", i);
		ck_assert(k > 0 && (size_t)k < sizeof(line));
		ck_assert_uint_lt(strlcat(big, line, sizeof(big)), sizeof(big));
	}
	len = strlen(big);
	ck_assert_int_eq(sts_parse_policy(big, len, &p, why, sizeof(why)), 0);
	ck_assert_uint_eq(p.nmx, STS_MX_MAX);
	ck_assert_uint_lt(strlcat(big, "mx: one.more\n", sizeof(big)),
	    sizeof(big));
	ck_assert_int_eq(sts_parse_policy(big, strlen(big), &p, why,
	    sizeof(why)), -1);
	ck_assert_str_eq(why, "line 36: too many mx patterns");

	ck_assert_int_eq(sts_parse_policy(GOOD "x: a\0b\n", sizeof(GOOD) + 6,
	    &p, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "line 5: a malformed field");

	/* A name of 253 octets (labels of 63): taken, with "*." too. */
	memset(name, 'a', sizeof(name));
	for (i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = '\0';
	k = snprintf(big, sizeof(big), "version: STSv1\nmode: enforce\n"
	    "max_age: 1\nmx: %s\nmx: *.%s\n", name, name);
	ck_assert(k > 0 && (size_t)k < sizeof(big));
	ck_assert_int_eq(sts_parse_policy(big, (size_t)k, &p, why,
	    sizeof(why)), 0);
	ck_assert_uint_eq(p.nmx, 2);
	ck_assert_uint_eq(strlen(p.mx[1]), 255);
	ck_assert_int_eq(sts_mx_match(&p, name), 1);
	k = snprintf(big, sizeof(big), "mx: a%s\n", name);
	ck_assert_int_eq(sts_parse_policy(big, (size_t)k, &p, why,
	    sizeof(why)), -1);
	ck_assert_str_eq(why, "line 1: a malformed mx pattern");
}
END_TEST

static const struct {
	const char	*mx;
	int		 match;
} matches[] = {
	{ "mail.example.com", 1 },
	{ "MAIL.Example.Com", 1 },
	{ "mail.example.com.", 1 },
	{ "mail.example.com..", 0 },
	{ "mx.example.net", 1 },		/* *.example.net */
	{ "MX.EXAMPLE.NET.", 1 },
	{ "a.b.example.net", 0 },
	{ "example.net", 0 },
	{ ".example.net", 0 },
	{ "xexample.net", 0 },
	{ "mx.example.net.org", 0 },
	{ "other.example.com", 0 },
	{ "mail.example.co", 0 },
	{ "ail.example.com", 0 },
	{ "example.com", 0 },
	{ "backup.example.org", 1 },
	{ "*.example.net", 1 },	/* a label of its own: no wildcard in mx */
	{ "", 0 },
	{ ".", 0 },
};

START_TEST(test_sts_mx_match_table)
{
	static const char text[] = "version: STSv1\nmode: enforce\n"
	    "max_age: 1\nmx: mail.example.com\nmx: *.example.net\n"
	    "mx: Backup.Example.Org\n";
	static struct sts_policy p;
	char why[64];

	ck_assert_int_eq(sts_parse_policy(text, sizeof(text) - 1, &p, why,
	    sizeof(why)), 0);
	ck_assert_msg(sts_mx_match(&p, matches[_i].mx) == matches[_i].match,
	    "\"%s\"", matches[_i].mx);
}
END_TEST

/* RFC 8461 4.1's example, and a policy without patterns. */
START_TEST(test_sts_mx_match_rfc)
{
	static struct sts_policy p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(sts_mx_match(&p, "mail.example.com"), 0);
	p.nmx = 1;
	(void)strlcpy(p.mx[0], "*.example.com", sizeof(p.mx[0]));
	ck_assert_int_eq(sts_mx_match(&p, "mail.example.com"), 1);
	ck_assert_int_eq(sts_mx_match(&p, "example.com"), 0);
	ck_assert_int_eq(sts_mx_match(&p, "foo.bar.example.com"), 0);
}
END_TEST

/* A TXT record of the strings in strs (NULL-ended) into p. */
static void
txt_rr(struct dnspkt *p, const char *owner, const char *const *strs)
{
	unsigned char rd[2048];
	size_t len = 0, n;

	for (; *strs != NULL; strs++) {
		n = strlen(*strs);
		ck_assert_uint_le(n, 255);
		rd[len++] = (unsigned char)n;
		memcpy(rd + len, *strs, n);
		len += n;
	}
	dnspkt_rr(p, owner, STS_TXT_TYPE, rd, len);
}

/* RFC 8461 3.1: the records beginning "v=STSv1", exactly one of them. */
START_TEST(test_sts_txt_answer)
{
	static const char *const split[] = { "v=STSv1; id=2016", "0831Z;",
	    NULL };
	static const char *const spf[] = { "v=spf1 -all", NULL };
	static const char *const noid[] = { "v=STSv1; x=1", NULL };
	static const char *const other[] = { "v=STSv1; id=B", NULL };
	static struct dnspkt p;
	const char *q = "_mta-sts.example.org";
	char id[STS_ID_MAX], why[128];
	int found;

	/* two strings joined; an SPF record beside it discarded */
	dnspkt_answer(&p, q, STS_TXT_TYPE, 0);
	txt_rr(&p, q, spf);
	txt_rr(&p, q, split);
	ck_assert_int_eq(sts_txt_answer(p.buf, p.len, q, &found, id,
	    sizeof(id), why, sizeof(why)), DNSMSG_OK);
	ck_assert_int_eq(found, 1);
	ck_assert_str_eq(id, "20160831Z");
	/* two STSv1 records: no policy */
	txt_rr(&p, q, other);
	ck_assert_int_eq(sts_txt_answer(p.buf, p.len, q, &found, id,
	    sizeof(id), why, sizeof(why)), DNSMSG_OK);
	ck_assert_int_eq(found, 0);
	ck_assert_str_eq(why, "2 STSv1 records");
	/* none, or only other TXT records */
	dnspkt_answer(&p, q, STS_TXT_TYPE, 0);
	txt_rr(&p, q, spf);
	ck_assert_int_eq(sts_txt_answer(p.buf, p.len, q, &found, id,
	    sizeof(id), why, sizeof(why)), DNSMSG_OK);
	ck_assert_int_eq(found, 0);
	ck_assert_str_eq(why, "no STSv1 record");
	/* a malformed one */
	dnspkt_answer(&p, q, STS_TXT_TYPE, 0);
	txt_rr(&p, q, noid);
	ck_assert_int_eq(sts_txt_answer(p.buf, p.len, q, &found, id,
	    sizeof(id), why, sizeof(why)), DNSMSG_OK);
	ck_assert_int_eq(found, 0);
	ck_assert_str_eq(id, "");
	/* NXDOMAIN */
	dnspkt_answer(&p, q, STS_TXT_TYPE, 3);
	ck_assert_int_eq(sts_txt_answer(p.buf, p.len, q, &found, id,
	    sizeof(id), why, sizeof(why)), DNSMSG_NXDOMAIN);
	ck_assert_int_eq(found, 0);
	/* the record of another name is not the domain's */
	dnspkt_answer(&p, q, STS_TXT_TYPE, 0);
	txt_rr(&p, "_mta-sts.example.net", split);
	(void)sts_txt_answer(p.buf, p.len, q, &found, id, sizeof(id), why,
	    sizeof(why));
	ck_assert_int_eq(found, 0);
}
END_TEST

Suite *
sts_suite(void)
{
	Suite *s = suite_create("sts");
	TCase *tc = tcase_create("sts");

	tcase_add_loop_test(tc, test_sts_parse_txt_table, 0,
	    (int)(sizeof(txts) / sizeof(txts[0])));
	tcase_add_test(tc, test_sts_parse_txt_bounds);
	tcase_add_loop_test(tc, test_sts_parse_policy_table, 0,
	    (int)(sizeof(policies) / sizeof(policies[0])));
	tcase_add_test(tc, test_sts_parse_policy_limits);
	tcase_add_loop_test(tc, test_sts_mx_match_table, 0,
	    (int)(sizeof(matches) / sizeof(matches[0])));
	tcase_add_test(tc, test_sts_mx_match_rfc);
	tcase_add_test(tc, test_sts_txt_answer);
	suite_add_tcase(s, tc);
	return s;
}
