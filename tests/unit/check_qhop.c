/* SPDX-License-Identifier: ISC */
/*
 * check_qhop.c: which failures take a next hop down for a queue run
 * (temporary, before any transaction), the memory of the hops that are
 * down (case-insensitive, the first failure kept, for the hold time
 * only, bounded), and the outcome of a recipient deferred for a hop
 * that is down.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests.h"
#include "compat.h"
#include "qhop.h"

static const struct {
	enum carrier_status	status;
	enum carrier_phase	phase;
	int			want;
} site_cases[] = {
	{ CARRIER_TEMP, PHASE_RESOLVE, 1 },
	{ CARRIER_TEMP, PHASE_CONNECT, 1 },
	{ CARRIER_TEMP, PHASE_GREETING, 1 },	/* none, or 421 */
	{ CARRIER_TEMP, PHASE_EHLO, 1 },
	{ CARRIER_TEMP, PHASE_HELO, 1 },
	{ CARRIER_TEMP, PHASE_STARTTLS, 1 },
	{ CARRIER_TEMP, PHASE_TLS, 1 },
	{ CARRIER_TEMP, PHASE_AUTH, 1 },
	/* the message's or a recipient's own */
	{ CARRIER_TEMP, PHASE_MAIL, 0 },
	{ CARRIER_TEMP, PHASE_RCPT, 0 },
	{ CARRIER_TEMP, PHASE_DATA, 0 },
	{ CARRIER_TEMP, PHASE_BODY, 0 },
	{ CARRIER_TEMP, PHASE_DOT, 0 },
	{ CARRIER_TEMP, PHASE_LOCAL, 0 },
	{ CARRIER_TEMP, PHASE_CONFIG, 0 },
	/* permanent: bounced, not put off */
	{ CARRIER_PERM, PHASE_GREETING, 0 },
	{ CARRIER_PERM, PHASE_RESOLVE, 0 },
	{ CARRIER_OK, PHASE_NONE, 0 },
};

START_TEST(test_qhop_site_failure)
{
	struct carrier_error e;

	status_clear(&e);
	e.status = site_cases[_i].status;
	e.phase = site_cases[_i].phase;
	ck_assert_msg(qhop_site_failure(&e) == site_cases[_i].want,
	    "case %d: %s", _i, status_phase_name(e.phase));
}
END_TEST

static void
failure(struct carrier_error *e, enum carrier_phase phase, int code,
    const char *text)
{
	status_clear(e);
	(void)strlcpy(e->host, "relay.example[192.0.2.1]:25", sizeof(e->host));
	(void)status_set(e, CARRIER_TEMP, phase, "%s", text);
	e->code = code;
	(void)strlcpy(e->enhanced, code != 0 ? "4.3.2" : "",
	    sizeof(e->enhanced));
}

START_TEST(test_qhop_find_add)
{
	struct qhop h;
	struct carrier_error a, b;
	char key[QHOP_KEY_MAX + 1];

	qhop_init(&h, 300000);
	failure(&a, PHASE_CONNECT, 0, "Connection refused");
	failure(&b, PHASE_GREETING, 421, "busy");
	ck_assert_ptr_null(qhop_find(&h, "example.org", 1000));
	ck_assert_int_eq(qhop_add(&h, "Example.ORG", &a, 1000), 0);
	ck_assert_ptr_nonnull(qhop_find(&h, "example.org", 1000));
	ck_assert_str_eq(qhop_find(&h, "EXAMPLE.org", 2000)->text,
	    "Connection refused");
	/* down already: its first failure stands */
	ck_assert_int_eq(qhop_add(&h, "example.org", &b, 3000), 0);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_int_eq(qhop_find(&h, "example.org", 3000)->phase,
	    PHASE_CONNECT);
	ck_assert_ptr_null(qhop_find(&h, "example.net", 3000));
	ck_assert_int_eq(qhop_add(&h, "relay.example:587", &b, 3000), 0);
	ck_assert_int_eq(qhop_find(&h, "relay.example:587", 3000)->code, 421);
	memset(key, 'a', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	ck_assert_int_eq(qhop_add(&h, key, &a, 3000), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	qhop_free(&h);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_ptr_null(qhop_find(&h, "example.org", 3000));
}
END_TEST

/* Down for the hold time, then tried again; down again, anew. */
START_TEST(test_qhop_hold)
{
	struct qhop h;
	struct carrier_error a, b;

	qhop_init(&h, 300000);
	failure(&a, PHASE_CONNECT, 0, "Connection refused");
	failure(&b, PHASE_GREETING, 421, "busy");
	ck_assert_int_eq(qhop_add(&h, "example.org", &a, 10000), 0);
	ck_assert_ptr_nonnull(qhop_find(&h, "example.org", 309999));
	ck_assert_ptr_null(qhop_find(&h, "example.org", 310000));
	ck_assert_int_eq(qhop_add(&h, "example.org", &b, 320000), 0);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_int_eq(qhop_find(&h, "example.org", 619999)->code, 421);
	ck_assert_ptr_null(qhop_find(&h, "example.org", 620000));
	qhop_free(&h);
	/* no hold time: never down */
	qhop_init(&h, 0);
	ck_assert_int_eq(qhop_add(&h, "example.org", &a, 10000), 0);
	ck_assert_ptr_null(qhop_find(&h, "example.org", 10000));
	qhop_free(&h);
}
END_TEST

START_TEST(test_qhop_add_bounded)
{
	struct qhop h;
	struct carrier_error a;
	char key[32];
	size_t i;

	qhop_init(&h, 300000);
	failure(&a, PHASE_CONNECT, 0, "Connection timed out");
	for (i = 0; i < QHOP_MAX; i++) {
		(void)snprintf(key, sizeof(key), "d%zu.example", i);
		ck_assert_int_eq(qhop_add(&h, key, &a, 0), 0);
	}
	ck_assert_int_eq(qhop_add(&h, "one.more.example", &a, 0), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_ptr_null(qhop_find(&h, "one.more.example", 0));
	ck_assert_ptr_nonnull(qhop_find(&h, "d0.example", 0));
	ck_assert_ptr_nonnull(qhop_find(&h, "d255.example", 0));
	ck_assert_uint_le(h.cap, QHOP_MAX);
	qhop_free(&h);
}
END_TEST

START_TEST(test_qhop_suspended)
{
	struct carrier_error why, out;
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];

	failure(&why, PHASE_GREETING, 421, "too busy");
	why.protocol = 1;
	qhop_suspended(&why, &out);
	ck_assert_int_eq(out.status, CARRIER_TEMP);
	ck_assert_int_eq(out.phase, PHASE_GREETING);
	ck_assert_int_eq(out.code, 0);
	ck_assert_int_eq(out.protocol, 0);
	ck_assert_str_eq(out.host, "");
	ck_assert_str_eq(out.enhanced, "4.3.2");
	ck_assert_str_eq(out.text, QHOP_SUSPENDED "relay.example[192.0.2.1]:25 "
	    "said after the greeting: 421 4.3.2 too busy");
	ck_assert_str_eq(status_format(&out, line, sizeof(line)), out.text);
	failure(&why, PHASE_CONNECT, 0, "Connection refused");
	qhop_suspended(&why, &out);
	ck_assert_str_eq(out.text, QHOP_SUSPENDED
	    "relay.example[192.0.2.1]:25: Connection refused");
	ck_assert_str_eq(out.enhanced, "");
}
END_TEST

Suite *
qhop_suite(void)
{
	Suite *s = suite_create("qhop");
	TCase *tc = tcase_create("qhop");

	tcase_add_loop_test(tc, test_qhop_site_failure, 0,
	    (int)(sizeof(site_cases) / sizeof(site_cases[0])));
	tcase_add_test(tc, test_qhop_find_add);
	tcase_add_test(tc, test_qhop_hold);
	tcase_add_test(tc, test_qhop_add_bounded);
	tcase_add_test(tc, test_qhop_suspended);
	suite_add_tcase(s, tc);
	return s;
}
