/* SPDX-License-Identifier: ISC */
/*
 * check_qenv.c: the queue's envelope file: what is written reads back
 * the same, field for field; a damaged file is refused, never half-read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "compat.h"
#include "qenv.h"

static struct qenv q;
static struct carrier_envelope env;

/* A message with every field set, odd strings included. */
static void
sample(void)
{
	struct carrier_rcpt *r;

	memset(&q, 0, sizeof(q));
	(void)strlcpy(q.id, "19A3F2C4E5B6D7x0", sizeof(q.id));
	q.arrival = 1796000000;
	q.uid = 1000;
	q.flags = QENV_WARNED;
	q.head_off = 4096;
	q.head_len = 321;
	q.body_off = 200;
	q.body_len = 3896;
	q.info.size = 4217;
	q.info.lines = 80;
	q.info.long_lines = 1;
	q.info.longest = 1200;
	q.info.eightbit = 1;
	q.info.head_eightbit = 0;
	q.info.nul = 1;
	q.info.dot_lines = 3;
	(void)strlcpy(q.msgid, "<a.b@example.net>", sizeof(q.msgid));
	ck_assert_int_eq(envelope_init(&env), 0);
	ck_assert_int_eq(envelope_set_sender(&env,
	    "\"john doe\"@example.net"), 0);
	env.ret = ENVELOPE_RET_HDRS;
	(void)strlcpy(env.envid, "QQ+=1", sizeof(env.envid));
	env.smtputf8 = 1;
	env.notify = ENVELOPE_NOTIFY_FAILURE;
	ck_assert_int_eq(envelope_add_rcpt(&env, "a@example.org"), 0);
	ck_assert_int_eq(envelope_add_rcpt(&env, "j\xc3\xb6rg@b\xc3\xa4r.de"),
	    0);
	ck_assert_int_eq(envelope_add_rcpt(&env, "."), 0);
	r = &env.rcpts[0];
	r->state = ENVELOPE_DEFERRED;
	r->attempts = 3;
	r->next_try = 1796000900;
	r->orcpt = strdup("rfc822;a+40example.org");
	r->result.status = CARRIER_TEMP;
	r->result.phase = PHASE_RCPT;
	r->result.code = 450;
	(void)strlcpy(r->result.enhanced, "4.2.0", sizeof(r->result.enhanced));
	(void)strlcpy(r->result.host, "mx.example.org[192.0.2.1]:25",
	    sizeof(r->result.host));
	(void)strlcpy(r->result.text, "greylisted, try again in 5 minutes",
	    sizeof(r->result.text));
	r = &env.rcpts[1];
	r->state = ENVELOPE_BOUNCED;
	r->result.status = CARRIER_PERM;
	r->result.phase = PHASE_CONNECT;
	(void)strlcpy(r->result.step, "AUTH PLAIN", sizeof(r->result.step));
	(void)strlcpy(r->result.text, "tab\there, + and = and\x01",
	    sizeof(r->result.text));
	env.rcpts[2].state = ENVELOPE_DELIVERED;
}

static void
same_error(const struct carrier_error *a, const struct carrier_error *b)
{
	ck_assert_int_eq(a->status, b->status);
	ck_assert_int_eq(a->phase, b->phase);
	ck_assert_int_eq(a->code, b->code);
	ck_assert_str_eq(a->enhanced, b->enhanced);
	ck_assert_str_eq(a->host, b->host);
	ck_assert_str_eq(a->step, b->step);
	ck_assert_str_eq(a->text, b->text);
}

START_TEST(test_qenv_format_roundtrip)
{
	struct carrier_envelope got;
	struct qenv gq;
	char why[256], *text;
	size_t len, i;

	sample();
	ck_assert_ptr_nonnull(text = qenv_format(&q, &env, &len));
	ck_assert_uint_eq(strlen(text), len);
	ck_assert_ptr_null(strchr(text, '\t'));	/* every string encoded */
	ck_assert_int_eq(envelope_init(&got), 0);
	ck_assert_msg(qenv_parse(text, len, &gq, &got, why, sizeof(why)) ==
	    0, "%s", why);
	ck_assert_int_eq(memcmp(&gq, &q, sizeof(q)), 0);
	ck_assert_str_eq(got.sender, env.sender);
	ck_assert_int_eq(got.ret, env.ret);
	ck_assert_str_eq(got.envid, env.envid);
	ck_assert_int_eq(got.smtputf8, 1);
	ck_assert_uint_eq(got.notify, env.notify);
	ck_assert_uint_eq(got.nrcpts, env.nrcpts);
	for (i = 0; i < env.nrcpts; i++) {
		const struct carrier_rcpt *a = &got.rcpts[i], *b = &env.rcpts[i];

		ck_assert_str_eq(a->addr, b->addr);
		if (b->orcpt == NULL)
			ck_assert_ptr_null(a->orcpt);
		else
			ck_assert_str_eq(a->orcpt, b->orcpt);
		ck_assert_int_eq(a->state, b->state);
		ck_assert_uint_eq(a->attempts, b->attempts);
		ck_assert_int_eq(a->next_try, b->next_try);
		ck_assert_uint_eq(a->notify, b->notify);
		same_error(&a->result, &b->result);
	}
	free(text);
	envelope_free(&got);
	envelope_free(&env);
}
END_TEST

/* The null sender and no recipients: still a whole file. */
START_TEST(test_qenv_format_null_sender)
{
	struct carrier_envelope got;
	struct qenv gq;
	char why[256], *text;
	size_t len;

	memset(&q, 0, sizeof(q));
	(void)strlcpy(q.id, "A", sizeof(q.id));
	q.uid = -1;
	ck_assert_int_eq(envelope_init(&env), 0);
	ck_assert_ptr_nonnull(text = qenv_format(&q, &env, &len));
	ck_assert_ptr_nonnull(strstr(text, "\nsender .\n"));
	ck_assert_int_eq(envelope_init(&got), 0);
	ck_assert_msg(qenv_parse(text, len, &gq, &got, why, sizeof(why)) ==
	    0, "%s", why);
	ck_assert_str_eq(got.sender, "");
	ck_assert_int_eq(gq.uid, -1);
	ck_assert_uint_eq(got.nrcpts, 0);
	free(text);
	envelope_free(&got);
	envelope_free(&env);
}
END_TEST

START_TEST(test_qenv_format_bad_id)
{
	static const char *ids[] = { "", "a/b", "../x", "a b",
	    "a.b", "a\nb" };
	size_t i, len;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		memset(&q, 0, sizeof(q));
		(void)strlcpy(q.id, ids[i], sizeof(q.id));
		ck_assert_int_eq(envelope_init(&env), 0);
		errno = 0;
		ck_assert_ptr_null(qenv_format(&q, &env, &len));
		ck_assert_int_eq(errno, EINVAL);
		envelope_free(&env);
	}
}
END_TEST

/* Every proper prefix of a good file (a torn write) is refused. */
START_TEST(test_qenv_parse_truncated)
{
	struct carrier_envelope got;
	struct qenv gq;
	char why[256], *text;
	size_t len, cut;

	sample();
	ck_assert_ptr_nonnull(text = qenv_format(&q, &env, &len));
	for (cut = 0; cut < len; cut++) {
		ck_assert_int_eq(envelope_init(&got), 0);
		why[0] = '\0';
		ck_assert_msg(qenv_parse(text, cut, &gq, &got, why,
		    sizeof(why)) == -1, "a prefix of %zu octets was read",
		    cut);
		ck_assert_str_ne(why, "");
		envelope_free(&got);
	}
	free(text);
	envelope_free(&env);
}
END_TEST

/* Damage a good file in one place: refused, with a reason. */
static const struct {
	const char	*from, *to, *why;
} damage[] = {
	{ "carrier-queue 1\n", "carrier-queue 2\n", "version 2" },
	{ "\nid 19A3F2C4E5B6D7x0\n", "\nid ../etc\n", "line 2" },
	{ "\nuid 1000\n", "\nuid -2\n", "line 4" },
	{ "\nflags 2\n", "\nflags 2 3\n", "expected \"flags\"" },
	{ "\ndsn hdrs", "\ndsn some", "line 7" },
	{ "\nrcpt deferred 3", "\nrcpt late 3", "malformed recipient" },
	{ "\nrcpt deferred 3", "\nrcpt deferred -3", "malformed recipient" },
	{ " 450 ", " 650 ", "malformed recipient" },
	{ " temp rcpt ", " temp nowhere ", "malformed recipient" },
	{ "greylisted,+20try", "greylisted,+00try", "reply field" },
	{ "greylisted,+20try", "greylisted,+2try", "reply field" },
	{ "greylisted,+20try", "greylisted,+2etry", "reply field" },
	{ "\nend 3\n", "\nend 2\n", "recipients" },
	{ "\nend 3\n", "\nend 3\nend 3\n", "after the end" },
	{ "\nmsgid ", "\nmsgid  ", "expected \"msgid\"" },
	{ "\ntext ", "\ninfo ", "expected \"text\"" },
	{ "\nrcpt bounced", "\nrcpt delivered 0 0 0 a@example.org . ok "
	  "none 0 . . . .\nrcpt bounced", "repeat" },
};

START_TEST(test_qenv_parse_damaged)
{
	struct carrier_envelope got;
	struct qenv gq;
	char why[256], *text, *bad, *at;
	size_t len, blen, flen, tlen;

	sample();
	ck_assert_ptr_nonnull(text = qenv_format(&q, &env, &len));
	ck_assert_msg((at = strstr(text, damage[_i].from)) != NULL,
	    "sample lacks \"%s\"", damage[_i].from);
	flen = strlen(damage[_i].from);
	tlen = strlen(damage[_i].to);
	blen = len - flen + tlen;
	ck_assert_ptr_nonnull(bad = malloc(blen));
	memcpy(bad, text, (size_t)(at - text));
	memcpy(bad + (at - text), damage[_i].to, tlen);
	memcpy(bad + (at - text) + tlen, at + flen, len - (size_t)(at - text) -
	    flen);
	ck_assert_int_eq(envelope_init(&got), 0);
	ck_assert_int_eq(qenv_parse(bad, blen, &gq, &got, why, sizeof(why)),
	    -1);
	ck_assert_msg(strstr(why, damage[_i].why) != NULL, "why: %s", why);
	free(bad);
	free(text);
	envelope_free(&got);
	envelope_free(&env);
}
END_TEST

START_TEST(test_qenv_parse_nul)
{
	struct carrier_envelope got;
	struct qenv gq;
	char why[256];

	ck_assert_int_eq(envelope_init(&got), 0);
	ck_assert_int_eq(qenv_parse("carrier-queue 1\n\0", 17, &gq, &got, why,
	    sizeof(why)), -1);
	envelope_free(&got);
}
END_TEST

Suite *
qenv_suite(void)
{
	Suite *s = suite_create("qenv");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_qenv_format_roundtrip);
	tcase_add_test(tc, test_qenv_format_null_sender);
	tcase_add_test(tc, test_qenv_format_bad_id);
	tcase_add_test(tc, test_qenv_parse_truncated);
	tcase_add_loop_test(tc, test_qenv_parse_damaged, 0,
	    sizeof(damage) / sizeof(damage[0]));
	tcase_add_test(tc, test_qenv_parse_nul);
	suite_add_tcase(s, tc);
	return s;
}
