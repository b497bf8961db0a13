/* SPDX-License-Identifier: ISC */
/* check_smtp_reply.c: strict reply parsing, hostile replies included. */
#include <string.h>

#include "tests.h"
#include "smtp_reply.h"

/* Each case: reply lines separated by '|'; expected result. */
static const struct {
	const char	*lines;
	int		 rc;		/* of the last feed */
	int		 code;
	const char	*enhanced;
	const char	*text;
} replies[] = {
	{ "250 ok", 1, 250, "", "ok" },
	{ "250 2.1.0 Ok", 1, 250, "2.1.0", "2.1.0 Ok" },
	{ "550 5.1.1 <x@y>: Recipient address rejected", 1, 550, "5.1.1",
	    "5.1.1 <x@y>: Recipient address rejected" },
	{ "250-mx.example|250-PIPELINING|250 SIZE 1000", 1, 250, "",
	    "mx.example\nPIPELINING\nSIZE 1000" },
	{ "220", 1, 220, "", "" },
	{ "354 End data with <CR><LF>.<CR><LF>", 1, 354, "", NULL },
	{ "421 4.3.2 shutting down", 1, 421, "4.3.2", NULL },
	{ "550 4.1.1 class mismatch", 1, 550, "", NULL },
	{ "250 2.1.0x not an enhanced code", 1, 250, "", NULL },
	{ "250 2.1234.0 too many digits", 1, 250, "", NULL },
	{ "250-first", 0, 250, "", "first" },
	{ "25 short", -1, 0, NULL, NULL },
	{ "", -1, 0, NULL, NULL },
	{ "abc text", -1, 0, NULL, NULL },
	{ "650 bad class", -1, 0, NULL, NULL },
	{ "160 bad class", -1, 0, NULL, NULL },
	{ "260 bad second digit", -1, 0, NULL, NULL },
	{ "250_bad separator", -1, 0, NULL, NULL },
	{ "250-a|251 code changed", -1, 0, NULL, NULL },
	{ "2500 four digits", -1, 0, NULL, NULL },
};

static int
feed_all(struct smtp_reply *r, const char *spec, char *why, size_t wl)
{
	char buf[512];
	const char *p = spec, *bar;
	int rc = -1;

	smtp_reply_init(r);
	for (;;) {
		size_t len;

		bar = strchr(p, '|');
		len = bar != NULL ? (size_t)(bar - p) : strlen(p);
		memcpy(buf, p, len);
		buf[len] = '\0';
		rc = smtp_reply_feed(r, buf, len, why, wl);
		if (rc == -1 || bar == NULL)
			return rc;
		p = bar + 1;
	}
}

START_TEST(test_smtp_reply_feed_table)
{
	struct smtp_reply r;
	char why[128] = "";
	int rc = feed_all(&r, replies[_i].lines, why, sizeof(why));

	ck_assert_msg(rc == replies[_i].rc, "\"%s\": rc %d (%s)",
	    replies[_i].lines, rc, why);
	if (rc == -1) {
		ck_assert_str_ne(why, "");
		return;
	}
	ck_assert_int_eq(r.code, replies[_i].code);
	if (replies[_i].enhanced != NULL)
		ck_assert_str_eq(r.enhanced, replies[_i].enhanced);
	if (replies[_i].text != NULL)
		ck_assert_str_eq(r.text, replies[_i].text);
}
END_TEST

START_TEST(test_smtp_reply_feed_nul)
{
	struct smtp_reply r;
	char why[64];

	smtp_reply_init(&r);
	ck_assert_int_eq(smtp_reply_feed(&r, "250 a\0b", 7, why, sizeof(why)),
	    -1);
}
END_TEST

START_TEST(test_smtp_reply_feed_too_many_lines)
{
	struct smtp_reply r;
	char why[64];
	unsigned int i;
	int rc = 0;

	smtp_reply_init(&r);
	for (i = 0; i <= SMTP_REPLY_LINES && rc == 0; i++)
		rc = smtp_reply_feed(&r, "250-x", 5, why, sizeof(why));
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(why, "reply has too many lines");
}
END_TEST

START_TEST(test_smtp_reply_feed_text_capped)
{
	static char line[2000];
	struct smtp_reply r;
	char why[64];
	int i, rc = 0;

	memset(line, 'y', sizeof(line));
	memcpy(line, "250-", 4);
	smtp_reply_init(&r);
	for (i = 0; i < 10; i++)
		rc = smtp_reply_feed(&r, line, sizeof(line), why, sizeof(why));
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(r.textlen, SMTP_REPLY_TEXT_MAX - 1);
	ck_assert_uint_eq(strlen(r.text), SMTP_REPLY_TEXT_MAX - 1);
	line[3] = ' ';
	ck_assert_int_eq(smtp_reply_feed(&r, line, sizeof(line), why,
	    sizeof(why)), 1);
}
END_TEST

START_TEST(test_smtp_reply_summary_strips_code)
{
	struct smtp_reply r;
	char why[64], buf[64];

	smtp_reply_init(&r);
	smtp_reply_feed(&r, "550-5.1.1 first\x1b[31m", 20, why, sizeof(why));
	smtp_reply_feed(&r, "550 5.1.1 second", 16, why, sizeof(why));
	ck_assert_str_eq(smtp_reply_summary(&r, buf, sizeof(buf)),
	    "first\\x1b[31m");
}
END_TEST

Suite *
smtp_reply_suite(void)
{
	Suite *s = suite_create("smtp_reply");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_smtp_reply_feed_table, 0,
	    sizeof(replies) / sizeof(replies[0]));
	tcase_add_test(tc, test_smtp_reply_feed_nul);
	tcase_add_test(tc, test_smtp_reply_feed_too_many_lines);
	tcase_add_test(tc, test_smtp_reply_feed_text_capped);
	tcase_add_test(tc, test_smtp_reply_summary_strips_code);
	suite_add_tcase(s, tc);
	return s;
}
