/* SPDX-License-Identifier: ISC */
/*
 * check_addrlist.c: RFC 5322 address lists, table-driven.  Realistic
 * cases after nullmailer's test/address-test.cc, msmtp's "address
 * madness" fixture (tests/test-header-handling.sh) and RFC 2822/5322
 * Appendix A; then hostile input.
 *
 * A result is written as the entries joined by ", ", each as
 * "display <addr>" for a qualified mailbox and "display {addr}" for a
 * bare local part, without "display " when there is none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "addr.h"
#include "addrlist.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;		/* NULL: an error */
	const char	*err;		/* the error */
} cases[] = {
	/* plain */
	{ "", 0, "", NULL },
	{ "   \t ", 0, "", NULL },
	{ "user@example.org", 0, "<user@example.org>", NULL },
	{ "  user@example.org  ", 0, "<user@example.org>", NULL },
	{ "a.b@c.d", 0, "<a.b@c.d>", NULL },
	{ "a@b.c,d@e.f", 0, "<a@b.c>, <d@e.f>", NULL },
	{ "a@x.test,\tb@y.test", 0, "<a@x.test>, <b@y.test>", NULL },
	{ "User@Example.ORG", 0, "<User@Example.ORG>", NULL },
	{ "Mary Smith <mary@x.test>", 0, "Mary Smith <mary@x.test>", NULL },
	{ "<y@a.b>", 0, "<y@a.b>", NULL },
	{ "x<y@a.b>", 0, "x <y@a.b>", NULL },
	{ "Some Name <from@example.com>", 0,
	    "Some Name <from@example.com>", NULL },
	{ "\"Mary Smith: Personal Account\" <smith@home.example>", 0,
	    "Mary Smith: Personal Account <smith@home.example>", NULL },
	{ "\"A; \\\"Quoted\\\" Name\" <to5@example.com>", 0,
	    "A; \"Quoted\" Name <to5@example.com>", NULL },
	{ "\"\" <a@x.test>", 0, "<a@x.test>", NULL },
	{ "John \"\" Smith <js@x.test>", 0, "John Smith <js@x.test>", NULL },
	{ "\"a@b\" <c@d.test>", 0, "a@b <c@d.test>", NULL },
	/* obs-phrase */
	{ "John Q. Public <jqp@x.test>", 0, "John Q. Public <jqp@x.test>",
	    NULL },
	{ "Joe Q.Public <john.q.public@example.com>", 0,
	    "Joe Q.Public <john.q.public@example.com>", NULL },
	/* RFC 2047 and RFC 6532 */
	{ "=?utf-8?B?VGVzdCDDnHNlcg==?= <to2@example.com>", 0,
	    "=?utf-8?B?VGVzdCDDnHNlcg==?= <to2@example.com>", NULL },
	{ "=?utf-8?Q?J._Doe?= <jd@x.test>", 0,
	    "=?utf-8?Q?J._Doe?= <jd@x.test>", NULL },
	{ "J\xc3\xbcrgen M\xc3\xbcller <j@x.test>", 0,
	    "J\xc3\xbcrgen M\xc3\xbcller <j@x.test>", NULL },
	{ "\"M\xc3\xbcller, J\xc3\xbcrgen\" <j@x.test>", 0,
	    "M\xc3\xbcller, J\xc3\xbcrgen <j@x.test>", NULL },
	{ "j\xc3\xbcrgen@b\xc3\xbc" "cher.example", 0,
	    "<j\xc3\xbcrgen@b\xc3\xbc" "cher.example>", NULL },
	{ "M\xfcller <m@x.test>", 0, "M\xfcller <m@x.test>", NULL },
	/* comments (nullmailer) */
	{ "(no addresses)", 0, "", NULL },
	{ "y@a.b(x)", 0, "<y@a.b>", NULL },
	{ "(j)y@a.b", 0, "<y@a.b>", NULL },
	{ "y(j)@a.b", 0, "<y@a.b>", NULL },
	{ "y@(j)a.b", 0, "<y@a.b>", NULL },
	{ "y@a(j).b", 0, "<y@a.b>", NULL },
	{ "y@a.(j)b", 0, "<y@a.b>", NULL },
	{ "a@b.c(j),d@e.f(k)", 0, "<a@b.c>, <d@e.f>", NULL },
	{ "(f\\)\\()a@b.c", 0, "<a@b.c>", NULL },
	{ "(f(g)h)a@b.c", 0, "<a@b.c>", NULL },
	{ "(a (b\\) c) d)x@y.test", 0, "<x@y.test>", NULL },
	{ "(a\r\n b)x@y.test", 0, "<x@y.test>", NULL },
	{ "John(middle)Smith <js@x.test>", 0, "John Smith <js@x.test>", NULL },
	{ "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
	    0, "Pete <pete@silly.test>", NULL },
	{ "a@b.c (comment) , d@e.f", 0, "<a@b.c>, <d@e.f>", NULL },
	/* quoted local parts */
	{ "\"e\"@c.d", 0, "<e@c.d>", NULL },
	{ "a.\"b\".c@d.e", 0, "<a.b.c@d.e>", NULL },
	{ "\"john\".\"doe\"@x.test", 0, "<john.doe@x.test>", NULL },
	{ "\"s\\'b\"@d.e", 0, "<s'b@d.e>", NULL },
	{ "\"s\\\"a\\\"b\"@d.e", 0, "<\"s\\\"a\\\"b\"@d.e>", NULL },
	{ "\"a b\"@x.test", 0, "<\"a b\"@x.test>", NULL },
	{ "\"a@b\"@x.test", 0, "<\"a@b\"@x.test>", NULL },
	{ "\"a..b\"@x.test", 0, "<\"a..b\"@x.test>", NULL },
	{ "\"\\\\\"@x.test", 0, "<\"\\\\\"@x.test>", NULL },
	{ "\"\"@x.test", 0, "<\"\"@x.test>", NULL },
	{ "\"a\r\n b\"@x.test", 0, "<\"a b\"@x.test>", NULL },
	/* domain literals */
	{ "user@[192.0.2.1]", 0, "<user@[192.0.2.1]>", NULL },
	{ "user@[IPv6:2001:db8::1]", 0, "<user@[IPv6:2001:db8::1]>", NULL },
	{ "user@[ 192.0.2.1 ]", 0, "<user@[192.0.2.1]>", NULL },
	{ "Lit <user@[192.0.2.1]>", 0, "Lit <user@[192.0.2.1]>", NULL },
	/* groups */
	{ "g: a@b.c, d@e.f;", 0, "<a@b.c>, <d@e.f>", NULL },
	{ "g h: a@b.c, d@e.f;", 0, "<a@b.c>, <d@e.f>", NULL },
	{ "g: ;", 0, "", NULL },
	{ "undisclosed-recipients:;", 0, "", NULL },
	{ "g: a@b.c(j);", 0, "<a@b.c>", NULL },
	{ "g:foo<a@b.c>;", 0, "foo <a@b.c>", NULL },
	{ "g: , a@x.test, ;", 0, "<a@x.test>", NULL },
	{ "g: a@x.test;, b@y.test", 0, "<a@x.test>, <b@y.test>", NULL },
	{ "a@x.test, g: b@y.test;, c@z.test", 0,
	    "<a@x.test>, <b@y.test>, <c@z.test>", NULL },
	{ "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
	    0, "Ed Jones <c@a.test>, <joe@where.test>, John <jdoe@one.test>",
	    NULL },
	{ "A Group(Some people)\r\n     :Chris Jones "
	    "<c@(Chris's host.)public.example>,\r\n         joe@example.org,"
	    "\r\n  John <jdoe@one.test> (my dear friend); (the end of the "
	    "group)", 0, "Chris Jones <c@public.example>, <joe@example.org>, "
	    "John <jdoe@one.test>", NULL },
	{ "(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;",
	    0, "", NULL },
	/* folding */
	{ "a@x.test,\r\n b@y.test", 0, "<a@x.test>, <b@y.test>", NULL },
	{ "a@x.test,\n\tb@y.test", 0, "<a@x.test>, <b@y.test>", NULL },
	{ "Mary\r\n Smith <mary@x.test>", 0, "Mary Smith <mary@x.test>",
	    NULL },
	{ "Mary Smith\r\n  \r\n          <mary@example.net>", 0,
	    "Mary Smith <mary@example.net>", NULL },
	{ "a@x.test\r\n", 0, "<a@x.test>", NULL },
	{ "a@x.test,\n", 0, "<a@x.test>", NULL },
	/* obsolete forms (RFC 5322 4.4, RFC 2822 A.6) */
	{ "<@a.example,@b.example:user@c.example>", 0, "<user@c.example>",
	    NULL },
	{ "f<@g.h:a@b.c>", 0, "f <a@b.c>", NULL },
	{ "<,@a.test,,@b.test:x@y.test>", 0, "<x@y.test>", NULL },
	{ "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
	    0, "Mary Smith <mary@example.net>, <jdoe@test.example>", NULL },
	{ "john . doe @ example.org", 0, "<john.doe@example.org>", NULL },
	{ "John Doe <jdoe@machine(comment).  example>", 0,
	    "John Doe <jdoe@machine.example>", NULL },
	{ "a@x.test, , b@y.test", 0, "<a@x.test>, <b@y.test>", NULL },
	{ ", a@x.test,", 0, "<a@x.test>", NULL },
	{ ",,,", 0, "", NULL },
	/* bare local names, as sendmail callers write them */
	{ "root", 0, "{root}", NULL },
	{ "www-data", 0, "{www-data}", NULL },
	{ "root (Cron Daemon)", 0, "{root}", NULL },
	{ "root, admin@x.test", 0, "{root}, <admin@x.test>", NULL },
	{ "Cron Daemon <root>", 0, "Cron Daemon {root}", NULL },
	{ "\"a b\"", 0, "{\"a b\"}", NULL },
	/* msmtp's "address madness", field by field */
	{ "to1@example.com,\n\t=?utf-8?B?VGVzdCDDnHNlcg==?= "
	    "<to2@example.com>, Some\n\tOne <to3@example.com>,", 0,
	    "<to1@example.com>, =?utf-8?B?VGVzdCDDnHNlcg==?= "
	    "<to2@example.com>, Some One <to3@example.com>", NULL },
	{ "to4, \"A; \\\"Quoted\\\" Name\" <to5@example.com>", 0,
	    "{to4}, A; \"Quoted\" Name <to5@example.com>", NULL },
	{ "A Group:Person 1 <to6@example.com>,to7@example.com,"
	    "SomeOne <to8@example.com>;", 0, "Person 1 <to6@example.com>, "
	    "<to7@example.com>, SomeOne <to8@example.com>", NULL },
	{ "Undisclosed recipients:;", 0, "", NULL },
	{ "\"A Person: Personal Account\" <to9@example.com>", 0,
	    "A Person: Personal Account <to9@example.com>", NULL },
	{ "Some(wonderful \\) chap) <to10(his account)@localhost(this host)>",
	    0, "Some <to10@localhost>", NULL },
	{ "A Group(Some people)\n     :Some Person "
	    "<to11@(their's host.)example.com>,\n              to12, \n"
	    "\t        Person <to13@localhost> (a friend); (the end of the "
	    "group)", 0, "Some Person <to11@example.com>, {to12}, "
	    "Person <to13@localhost>", NULL },
	{ "(Empty list)(start)Undisclosed recipients  :(nobody(that I "
	    "know))  ;", 0, "", NULL },
	/* errors */
	{ "<a@b.c", 0, NULL, "expected '>'" },
	{ "Joe <a@b.c, d@e.f", 0, NULL, "expected '>'" },
	{ "a@b.c>", 0, NULL, "unexpected '>'" },
	{ "<<a@b.c>>", 0, NULL, "expected address after '<'" },
	{ "<>", 0, NULL, "empty address <>" },
	{ "\"unterminated@x.test", 0, NULL, "unterminated quoted string" },
	{ "\"ends in a backslash\\", 0, NULL, "unterminated quoted string" },
	{ "(comment a@b.c", 0, NULL, "unbalanced parenthesis" },
	{ "(a (b) c a@b.c", 0, NULL, "unbalanced parenthesis" },
	{ "a@b.c) ", 0, NULL, "unbalanced parenthesis" },
	{ "a@[192.0.2.1", 0, NULL, "unterminated domain literal" },
	{ "a@[19[2.0.2.1]", 0, NULL, "'[' in a domain literal" },
	{ "a@x.test]", 0, NULL, "unexpected ']'" },
	{ "[192.0.2.1]", 0, NULL, "unexpected domain literal" },
	{ "a\\b@x.test", 0, NULL, "unexpected '\\'" },
	{ "a@b\x01" "c", 0, NULL, "control character" },
	{ "a\x7f@x.test", 0, NULL, "control character" },
	{ "\"a\x1b\"@x.test", 0, NULL, "control character" },
	{ "(a\\\x01)x@y.test", 0, NULL, "control character" },
	{ "a@b\0c", 5, NULL, "NUL byte" },
	{ "\"a\0\"@x.test", 11, NULL, "NUL byte" },
	{ "a@x.test,\rb@y.test", 0, NULL, "lone CR" },
	{ "a@x.test\r", 0, NULL, "lone CR" },
	{ "a@x.test,\r\nb@y.test", 0, NULL,
	    "line break not followed by white space" },
	{ "a@x.test\r\n\r\n", 0, NULL,
	    "line break not followed by white space" },
	{ "a@b.c d@e.f", 0, NULL, "expected ',' between addresses" },
	{ "Joe <a@b.c> <d@e.f>", 0, NULL, "unexpected '<'" },
	{ "a@b.c: d", 0, NULL, "unexpected ':'" },
	{ "John Smith", 0, NULL, "missing address (expected '<' or '@')" },
	{ "John Smith@x.test", 0, NULL, "invalid local part" },
	{ "a..b@x.test", 0, NULL, "invalid local part" },
	{ ".a@x.test", 0, NULL, "invalid local part" },
	{ "a.@x.test", 0, NULL, "invalid local part" },
	{ "\"a\tb\"@x.test", 0, NULL, "invalid local part" },
	{ "bad\xc3@example.org", 0, NULL, "invalid local part" },
	{ "@x.test", 0, NULL, "empty local part" },
	{ "a@", 0, NULL, "expected domain after '@'" },
	{ "a@\"b\"", 0, NULL, "expected domain after '@'" },
	{ "a@b..c", 0, NULL, "invalid domain" },
	{ "e@c.d.", 0, NULL, "invalid domain" },
	{ "a@-x.test", 0, NULL, "invalid domain" },
	{ "a@[192.0.2.300]", 0, NULL, "invalid domain" },
	{ "f<@g.h@i.j:a@b.c>", 0, NULL, "expected ':' after route" },
	{ "<@:a@b.c>", 0, NULL, "expected domain after '@'" },
	{ "g: a@x.test", 0, NULL, "unterminated group (expected ';')" },
	{ "a@x.test;", 0, NULL, "';' outside a group" },
	{ "g: h: a@x.test;;", 0, NULL, "group inside a group" },
	{ ": a@x.test;", 0, NULL, "group without a name" },
	{ "g: a@x.test; b@y.test", 0, NULL, "expected ',' after group" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "@x.test", 0, NULL, "local part longer than 64 octets" },
	{ "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""
	    "@x.test", 0, NULL, "local part longer than 64 octets" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    0, NULL, "local part longer than 64 octets" },
};

/* Writes list as the table does into buf. */
static void
render(const struct addrlist *list, char *buf, size_t size)
{
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < list->n; i++) {
		const struct addrlist_entry *e = &list->v[i];

		n = snprintf(buf + o, size - o, "%s%s%s%s%s%s",
		    i > 0 ? ", " : "",
		    e->display != NULL ? e->display : "",
		    e->display != NULL ? " " : "",
		    e->qualified ? "<" : "{", e->addr,
		    e->qualified ? ">" : "}");
		ck_assert_int_ge(n, 0);
		ck_assert_uint_lt((size_t)n, size - o);
		o += (size_t)n;
	}
}

/*
 * Every case is parsed from a copy of exactly len bytes, no NUL after
 * it, so that the sanitizer build catches any read past the end.
 */
START_TEST(test_addrlist_parse_table)
{
	struct addrlist list = { 0 };
	char got[1024], err[128] = "";
	size_t len = cases[_i].len != 0 ? cases[_i].len :
	    strlen(cases[_i].in);
	char *body = malloc(len > 0 ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(body);
	memcpy(body, cases[_i].in, len);
	rc = addrlist_parse(&list, body, len, err, sizeof(err));
	if (cases[_i].want != NULL) {
		ck_assert_msg(rc == 0, "\"%s\": failed: %s", cases[_i].in, err);
		render(&list, got, sizeof(got));
		ck_assert_msg(strcmp(got, cases[_i].want) == 0,
		    "\"%s\": got \"%s\", want \"%s\"", cases[_i].in, got,
		    cases[_i].want);
	} else {
		ck_assert_msg(rc == -1, "\"%s\": accepted", cases[_i].in);
		ck_assert_msg(strcmp(err, cases[_i].err) == 0,
		    "\"%s\": error \"%s\", want \"%s\"", cases[_i].in, err,
		    cases[_i].err);
		ck_assert_uint_eq(list.n, 0);
	}
	addrlist_free(&list);
	free(body);
}
END_TEST

/* Only len bytes count, whatever follows them. */
START_TEST(test_addrlist_parse_len_bounds)
{
	struct addrlist list = { 0 };
	const char *body = "a@x.test, b@y.test";
	char err[64];

	ck_assert_int_eq(addrlist_parse(&list, body, 8, err, sizeof(err)), 0);
	ck_assert_uint_eq(list.n, 1);
	ck_assert_str_eq(list.v[0].addr, "a@x.test");
	addrlist_free(&list);
	ck_assert_int_eq(addrlist_parse(&list, NULL, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(list.n, 0);
}
END_TEST

/* Successive fields append; a failed one appends nothing. */
START_TEST(test_addrlist_parse_appends_or_nothing)
{
	struct addrlist list = { 0 };
	const char *to = "a@x.test, Bee <b@y.test>";
	const char *bad = "c@z.test, d@w.test, <e@v.test";
	const char *cc = "g: root;";
	char err[64] = "";

	ck_assert_int_eq(addrlist_parse(&list, to, strlen(to), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(addrlist_parse(&list, bad, strlen(bad), err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "expected '>'");
	ck_assert_uint_eq(list.n, 2);
	ck_assert_int_eq(addrlist_parse(&list, cc, strlen(cc), err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(list.n, 3);
	ck_assert_str_eq(list.v[1].addr, "b@y.test");
	ck_assert_str_eq(list.v[1].display, "Bee");
	ck_assert_int_eq(list.v[1].qualified, 1);
	ck_assert_ptr_null(list.v[0].display);
	ck_assert_str_eq(list.v[2].addr, "root");
	ck_assert_int_eq(list.v[2].qualified, 0);
	addrlist_free(&list);
	ck_assert_ptr_null(list.v);
	ck_assert_uint_eq(list.n, 0);
	ck_assert_uint_eq(list.cap, 0);
}
END_TEST

/* The error is cut to errlen; errlen 0 writes nothing. */
START_TEST(test_addrlist_parse_err_truncated)
{
	struct addrlist list = { 0 };
	char err[8] = "xxxxxxx";

	ck_assert_int_eq(addrlist_parse(&list, "<a@b.c", 6, err, 5), -1);
	ck_assert_str_eq(err, "expe");
	ck_assert_int_eq(addrlist_parse(&list, "<a@b.c", 6, err, 0), -1);
	ck_assert_str_eq(err, "expe");
}
END_TEST

/* ADDRLIST_DEPTH_MAX nested comments pass; one more does not. */
START_TEST(test_addrlist_parse_deep_comments)
{
	struct addrlist list = { 0 };
	char body[2 * (ADDRLIST_DEPTH_MAX + 1) + 32], err[64];
	size_t depth, i, o;

	for (depth = ADDRLIST_DEPTH_MAX; depth <= ADDRLIST_DEPTH_MAX + 1;
	    depth++) {
		o = 0;
		for (i = 0; i < depth; i++)
			body[o++] = '(';
		for (i = 0; i < depth; i++)
			body[o++] = ')';
		memcpy(body + o, "a@x.test", 8);
		o += 8;
		ck_assert_int_eq(addrlist_parse(&list, body, o, err,
		    sizeof(err)), depth > ADDRLIST_DEPTH_MAX ? -1 : 0);
	}
	ck_assert_str_eq(err, "comments nested deeper than 64");
	ck_assert_uint_eq(list.n, 1);
	addrlist_free(&list);
}
END_TEST

/* Repeats unit n times into a new buffer, then appends tail. */
static char *
repeat(const char *unit, size_t n, const char *tail, size_t *len)
{
	size_t ul = strlen(unit), tl = strlen(tail), i;
	char *s = malloc(ul * n + tl + 1);

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	memcpy(s + n * ul, tail, tl + 1);
	*len = n * ul + tl;
	return s;
}

/* ADDRLIST_MAX addresses pass; one more fails, in one field or across. */
START_TEST(test_addrlist_parse_too_many)
{
	struct addrlist list = { 0 };
	char *s, err[64];
	size_t len;

	s = repeat("a@x.test, ", ADDRLIST_MAX + 1, "", &len);
	ck_assert_int_eq(addrlist_parse(&list, s, len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "more than 10000 addresses");
	ck_assert_uint_eq(list.n, 0);
	free(s);

	s = repeat("root,", ADDRLIST_MAX - 1, "", &len);
	ck_assert_int_eq(addrlist_parse(&list, s, len, err, sizeof(err)), 0);
	ck_assert_uint_eq(list.n, ADDRLIST_MAX - 1);
	ck_assert_int_eq(addrlist_parse(&list, "a@x, b@y", 8, err,
	    sizeof(err)), -1);
	ck_assert_uint_eq(list.n, ADDRLIST_MAX - 1);
	ck_assert_int_eq(addrlist_parse(&list, "a@x", 3, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(list.n, ADDRLIST_MAX);
	free(s);
	addrlist_free(&list);
}
END_TEST

/* A display name of ADDRLIST_DISPLAY_MAX octets passes; one more not. */
START_TEST(test_addrlist_parse_display_max)
{
	struct addrlist list = { 0 };
	char *s, err[64];
	size_t len;

	s = repeat("a", ADDRLIST_DISPLAY_MAX, " <a@x.test>", &len);
	ck_assert_int_eq(addrlist_parse(&list, s, len, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(list.v[0].display), ADDRLIST_DISPLAY_MAX);
	free(s);
	s = repeat("a", ADDRLIST_DISPLAY_MAX + 1, " <a@x.test>", &len);
	ck_assert_int_eq(addrlist_parse(&list, s, len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "display name longer than 1024 octets");
	free(s);
	/* a group name is not kept, so its length does not matter */
	s = repeat("g ", 4000, ": a@x.test;", &len);
	ck_assert_int_eq(addrlist_parse(&list, s, len, err, sizeof(err)), 0);
	ck_assert_uint_eq(list.n, 2);
	free(s);
	addrlist_free(&list);
}
END_TEST

/* 254 octets pass (addr_check_mailbox's limit); 255 do not. */
START_TEST(test_addrlist_parse_addr_max)
{
	struct addrlist list = { 0 };
	char body[400], err[64];
	size_t i;

	/* 64 + 1 + 189 = 254, as four labels of 47 and dots */
	memset(body, 'l', 64);
	body[64] = '@';
	for (i = 65; i < 254; i++)
		body[i] = (i - 65) % 48 == 47 ? '.' : 'd';
	ck_assert_int_eq(addrlist_parse(&list, body, 254, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(strlen(list.v[0].addr), 254);
	body[254] = 'd';
	ck_assert_int_eq(addrlist_parse(&list, body, 255, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "address longer than 254 octets");
	memset(body + 65, 'd', 256);
	ck_assert_int_eq(addrlist_parse(&list, body, 321, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "domain longer than 255 octets");
	ck_assert_uint_eq(list.n, 1);
	addrlist_free(&list);
}
END_TEST

/*
 * Megabytes of hostile input are rejected or read in one pass; the
 * test's timeout would catch a parser that is not linear.
 */
START_TEST(test_addrlist_parse_long_input)
{
	static const struct {
		const char	*unit;
		const char	*tail;
		int		 rc;
	} big[] = {
		{ "(", "", -1 },		/* too deep at once */
		{ "()", "a@x.test", 0 },
		{ "(x) ", "", 0 },
		{ ",", "", 0 },
		{ " \r\n", " a@x.test", 0 },
		{ "<", "", -1 },
		{ "a ", "<a@x.test>", -1 },	/* display name too long */
		{ "a.", "a@x.test", -1 },	/* local part too long */
		{ "a.", "", -1 },
		{ "x@", "", -1 },
		{ "g:", "", -1 },
		{ "\\\"", "", -1 },
	};
	struct addrlist list = { 0 };
	char *s, err[64], *q;
	size_t len, i;

	for (i = 0; i < NELEM(big); i++) {
		s = repeat(big[i].unit, 1 << 20, big[i].tail, &len);
		ck_assert_msg(addrlist_parse(&list, s, len, err,
		    sizeof(err)) == big[i].rc, "\"%s\" x 2^20", big[i].unit);
		free(s);
	}
	/* one unterminated quoted string, literal, comment of 4 MB */
	s = repeat("a", 4 << 20, "", &len);
	for (q = "\"[("; *q != '\0'; q++) {
		s[0] = *q;
		ck_assert_int_eq(addrlist_parse(&list, s, len, err,
		    sizeof(err)), -1);
	}
	free(s);
	ck_assert_uint_eq(list.n, 2);
	addrlist_free(&list);
}
END_TEST

/* The normal form of every accepted case parses to itself. */
START_TEST(test_addrlist_parse_normal_form_stable)
{
	struct addrlist list = { 0 }, again = { 0 };
	char err[128], why[128];
	size_t i, len;

	for (i = 0; i < NELEM(cases); i++) {
		if (cases[i].want == NULL)
			continue;
		len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].in);
		ck_assert_int_eq(addrlist_parse(&list, cases[i].in, len, err,
		    sizeof(err)), 0);
	}
	for (i = 0; i < list.n; i++) {
		const struct addrlist_entry *e = &list.v[i];

		if (e->qualified)
			ck_assert_msg(addr_check_mailbox(e->addr, why,
			    sizeof(why)) == 0, "%s: %s", e->addr, why);
		ck_assert_int_eq(addrlist_parse(&again, e->addr,
		    strlen(e->addr), err, sizeof(err)), 0);
		ck_assert_uint_eq(again.n, 1);
		ck_assert_str_eq(again.v[0].addr, e->addr);
		ck_assert_int_eq(again.v[0].qualified, e->qualified);
		addrlist_free(&again);
	}
	addrlist_free(&list);
}
END_TEST

/*
 * Where each addr-spec stands in the body, comments, display names,
 * quotes, routes and folding around it excluded: a field is rewritten
 * there and keeps all else.
 */
static const struct {
	const char	*in;
	const char	*spans[4];	/* each entry's body[start, end) */
} spans[] = {
	{ "root (Cron Daemon), a@b.example (x (y)), Jo <c@d.example> "
	  "(ignored), e@f.example", { "root", "a@b.example", "c@d.example",
	  "e@f.example" } },
	{ " Cron (the daemon) <root> (job 3)", { "root" } },
	{ "(a) \"x y\" . z (b) @ h (c)", { "\"x y\" . z (b) @ h" } },
	{ "<@r1,@r2:u@[192.0.2.1]>,\r\n\tbare", { "u@[192.0.2.1]",
	  "bare" } },
};

START_TEST(test_addrlist_parse_spans)
{
	const char *in = spans[_i].in;
	struct addrlist l;
	char why[64];
	size_t j;

	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(addrlist_parse(&l, in, strlen(in), why,
	    sizeof(why)), 0);
	for (j = 0; j < l.n; j++) {
		ck_assert_ptr_nonnull(spans[_i].spans[j]);
		ck_assert_uint_eq(l.v[j].end - l.v[j].start,
		    strlen(spans[_i].spans[j]));
		ck_assert_int_eq(memcmp(in + l.v[j].start, spans[_i].spans[j],
		    l.v[j].end - l.v[j].start), 0);
	}
	ck_assert(j == 4 || spans[_i].spans[j] == NULL);
	addrlist_free(&l);
}
END_TEST

Suite *
addrlist_suite(void)
{
	Suite *s = suite_create("addrlist");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_addrlist_parse_table, 0, NELEM(cases));
	tcase_add_test(tc, test_addrlist_parse_len_bounds);
	tcase_add_test(tc, test_addrlist_parse_appends_or_nothing);
	tcase_add_test(tc, test_addrlist_parse_err_truncated);
	tcase_add_test(tc, test_addrlist_parse_deep_comments);
	tcase_add_test(tc, test_addrlist_parse_too_many);
	tcase_add_test(tc, test_addrlist_parse_display_max);
	tcase_add_test(tc, test_addrlist_parse_addr_max);
	tcase_add_test(tc, test_addrlist_parse_long_input);
	tcase_add_test(tc, test_addrlist_parse_normal_form_stable);
	tcase_add_loop_test(tc, test_addrlist_parse_spans, 0,
	    sizeof(spans) / sizeof(spans[0]));
	suite_add_tcase(s, tc);
	return s;
}
