/* SPDX-License-Identifier: ISC */
/*
 * check_sts_discover.c: MTA-STS discovery with a cache in a spool of
 * its own and a fetch that is a function of the test's: a first fetch
 * cached, the cache used while the id stays, a new id fetched, a
 * failure that keeps the cached policy (and is not retried for five
 * minutes), the refresh after a day, an expired policy never applied,
 * no TXT record, no cache, a cache that cannot be opened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "compat.h"
#include "status.h"
#include "sts.h"
#include "sts_decide.h"
#include "sts_cache.h"
#include "sts_fetch.h"
#include "sts_discover.h"

#define NOW	1700000000
#define ENFORCE	"version: STSv1\nmode: enforce\nmx: mx1.example.org\n" \
		"max_age: 604800\n"
#define TESTING	"version: STSv1\nmode: testing\nmx: mx2.example.org\n" \
		"max_age: 86400\n"
#define NONE	"version: STSv1\nmode: none\nmax_age: 3600\n"
#define FAILURE	"MTA-STS policy of example.org: " \
		"https://mta-sts.example.org/.well-known/mta-sts.txt: HTTP 404"

static char dir[] = "/tmp/check_sts_discover.XXXXXX";
static struct sts_discover_opts o;
static const char *serving;	/* the fake fetch's policy, NULL: fail */
static int fetches;

/* The fetch, as the test says: the policy served, or an HTTP 404. */
static enum carrier_status
fake_fetch(const char *domain, const struct sts_fetch_opts *fo,
    struct sts_policy *p, char *text, size_t size, size_t *len,
    struct carrier_error *err)
{
	char why[64];

	fetches++;
	ck_assert_str_eq(domain, "example.org");
	ck_assert_uint_ge(size, STS_POLICY_MAX);
	ck_assert_int_eq(fo->port, 8443);
	*len = 0;
	if (serving == NULL)
		return status_set(err, CARRIER_TEMP, PHASE_RESOLVE, "%s",
		    FAILURE);
	*len = strlen(serving);
	memcpy(text, serving, *len);
	ck_assert_int_eq(sts_parse_policy(text, *len, p, why, sizeof(why)),
	    0);
	return CARRIER_OK;
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(strcpy(dir,
	    "/tmp/check_sts_discover.XXXXXX")));
	memset(&o, 0, sizeof(o));
	o.spool = dir;
	o.now = NOW;
	o.fetch.port = 8443;
	o.fetch_fn = fake_fetch;
	serving = ENFORCE;
	fetches = 0;
}

static void
teardown(void)
{
	char cmd[128];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* One discovery at time now: the source; the note and err checked. */
static enum sts_source
discover(time_t now, const char *txt, struct sts_policy *p, char *note,
    size_t notelen, int failed)
{
	struct carrier_error err;
	enum sts_source src;

	o.now = now;
	src = sts_discover("Example.ORG", txt, &o, p, note, notelen, &err);
	if (failed) {
		ck_assert_int_eq(err.status, CARRIER_TEMP);
		ck_assert_str_eq(err.text, FAILURE);
	} else
		ck_assert_int_eq(err.status, CARRIER_OK);
	return src;
}

START_TEST(test_sts_discover_first_then_cached)
{
	struct sts_policy p;
	char note[256];

	ck_assert_int_eq(discover(NOW, "A", &p, note, sizeof(note), 0),
	    STS_SOURCE_FETCHED);
	ck_assert_str_eq(note, "MTA-STS policy of example.org: id A: no "
	    "cached policy; fetched: mode enforce, max_age 604800");
	ck_assert_int_eq(p.mode, STS_ENFORCE);
	ck_assert_int_eq(fetches, 1);
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(discover(NOW + 3600, "A", &p, note, sizeof(note),
	    0), STS_SOURCE_CACHE);
	ck_assert_str_eq(note, "MTA-STS policy of example.org: id A: the "
	    "cached policy applies (fetched 3600 s ago)");
	ck_assert_int_eq(p.mode, STS_ENFORCE);
	ck_assert_str_eq(p.mx[0], "mx1.example.org");
	ck_assert_int_eq(fetches, 1);
	/* no TXT record: the cached policy still applies */
	ck_assert_int_eq(discover(NOW + 7200, NULL, &p, NULL, 0, 0),
	    STS_SOURCE_CACHE);
	ck_assert_int_eq(fetches, 1);
}
END_TEST

/* A new id: fetched and cached; its failure keeps the old policy. */
START_TEST(test_sts_discover_new_id)
{
	struct sts_policy p;
	char note[256];

	ck_assert_int_eq(discover(NOW, "A", &p, NULL, 0, 0),
	    STS_SOURCE_FETCHED);
	serving = NULL;
	ck_assert_int_eq(discover(NOW + 10, "B", &p, note, sizeof(note), 1),
	    STS_SOURCE_FALLBACK);
	ck_assert_str_eq(note, "MTA-STS policy of example.org: id B: a new "
	    "policy (cached: id A); not fetched: the cached policy (id A) "
	    "applies");
	ck_assert_int_eq(p.mode, STS_ENFORCE);
	ck_assert_int_eq(fetches, 2);
	/* not tried again for five minutes */
	ck_assert_int_eq(discover(NOW + 10 + STS_RETRY_AFTER - 1, "B", &p,
	    NULL, 0, 0), STS_SOURCE_CACHE);
	ck_assert_int_eq(fetches, 2);
	serving = TESTING;
	ck_assert_int_eq(discover(NOW + 10 + STS_RETRY_AFTER, "B", &p, NULL,
	    0, 0), STS_SOURCE_FETCHED);
	ck_assert_int_eq(p.mode, STS_TESTING);
	ck_assert_int_eq(fetches, 3);
	ck_assert_int_eq(discover(NOW + 400, "B", &p, NULL, 0, 0),
	    STS_SOURCE_CACHE);
	ck_assert_int_eq(p.mode, STS_TESTING);
	ck_assert_int_eq(fetches, 3);
}
END_TEST

/* No cached policy and a failed fetch: none, and not retried at once. */
START_TEST(test_sts_discover_failure_without_cache)
{
	struct sts_policy p;
	char note[256];

	serving = NULL;
	ck_assert_int_eq(discover(NOW, "A", &p, note, sizeof(note), 1),
	    STS_SOURCE_NONE);
	ck_assert_str_eq(note, "MTA-STS policy of example.org: id A: no "
	    "cached policy; not fetched: no policy applies");
	ck_assert_int_eq(discover(NOW + 60, "A", &p, note, sizeof(note), 0),
	    STS_SOURCE_NONE);
	ck_assert_str_eq(note, "MTA-STS policy of example.org: id A: its "
	    "fetch failed 60 s ago");
	ck_assert_int_eq(fetches, 1);
	/* another id is tried at once */
	ck_assert_int_eq(discover(NOW + 60, "B", &p, NULL, 0, 1),
	    STS_SOURCE_NONE);
	ck_assert_int_eq(fetches, 2);
}
END_TEST

/* After a day the policy is fetched again; a failure keeps it. */
START_TEST(test_sts_discover_refresh)
{
	struct sts_policy p;
	struct sts_cache c;
	struct sts_cached e;

	ck_assert_int_eq(discover(NOW, "A", &p, NULL, 0, 0),
	    STS_SOURCE_FETCHED);
	serving = NULL;
	ck_assert_int_eq(discover(NOW + STS_REFRESH_AGE, "A", &p, NULL, 0, 1),
	    STS_SOURCE_FALLBACK);
	ck_assert_int_eq(p.mode, STS_ENFORCE);
	ck_assert_int_eq(fetches, 2);
	serving = NONE;
	ck_assert_int_eq(discover(NOW + STS_REFRESH_AGE + STS_RETRY_AFTER, "A",
	    &p, NULL, 0, 0), STS_SOURCE_FETCHED);
	ck_assert_int_eq(p.mode, STS_NONE);
	ck_assert_int_eq(sts_cache_open(&c, dir), 0);
	ck_assert_int_eq(sts_cache_get(&c, "example.org", NOW +
	    STS_REFRESH_AGE + STS_RETRY_AFTER, &e), STS_CACHE_FRESH);
	ck_assert_int_eq(e.fetched, NOW + STS_REFRESH_AGE + STS_RETRY_AFTER);
	ck_assert_int_eq(e.expires, e.fetched + 3600);
	ck_assert_int_eq(e.failed, 0);
	sts_cache_close(&c);
}
END_TEST

/* An expired policy is never applied, even when the fetch fails. */
START_TEST(test_sts_discover_expired)
{
	struct sts_policy p;
	char note[256];

	serving = TESTING;	/* max_age: a day */
	ck_assert_int_eq(discover(NOW, "A", &p, NULL, 0, 0),
	    STS_SOURCE_FETCHED);
	serving = NULL;
	ck_assert_int_eq(discover(NOW + 86400, "A", &p, note, sizeof(note),
	    1), STS_SOURCE_NONE);
	ck_assert_str_eq(note, "MTA-STS policy of example.org: id A: the "
	    "cached policy has expired; not fetched: no policy applies");
	ck_assert_int_eq(discover(NOW + 86401, NULL, &p, NULL, 0, 0),
	    STS_SOURCE_NONE);
	ck_assert_int_eq(fetches, 2);
}
END_TEST

/* Without a cache every discovery fetches; a broken one is noted. */
START_TEST(test_sts_discover_no_cache)
{
	struct sts_policy p;
	char note[256];

	o.spool = NULL;
	ck_assert_int_eq(discover(NOW, "A", &p, NULL, 0, 0),
	    STS_SOURCE_FETCHED);
	ck_assert_int_eq(discover(NOW, "A", &p, NULL, 0, 0),
	    STS_SOURCE_FETCHED);
	ck_assert_int_eq(discover(NOW, NULL, &p, NULL, 0, 0),
	    STS_SOURCE_NONE);
	ck_assert_int_eq(fetches, 2);
	o.spool = "/nonexistent/spool";
	ck_assert_int_eq(discover(NOW, "A", &p, note, sizeof(note), 0),
	    STS_SOURCE_FETCHED);
	ck_assert_str_eq(note, "MTA-STS policy of example.org: id A: no "
	    "cached policy (no cache: No such file or directory); fetched: "
	    "mode enforce, max_age 604800");
	ck_assert_int_eq(fetches, 3);
}
END_TEST

/* A domain that is no host name: none, no fetch, nothing written. */
START_TEST(test_sts_discover_bad_domain)
{
	struct carrier_error err;
	struct sts_policy p;
	char note[256];

	ck_assert_int_eq(sts_discover("../x", "A", &o, &p, note, sizeof(note),
	    &err), STS_SOURCE_NONE);
	ck_assert_str_eq(note, "MTA-STS policy of ../x: not a domain name");
	ck_assert_int_eq(err.status, CARRIER_OK);
	ck_assert_int_eq(fetches, 0);
}
END_TEST

Suite *
sts_discover_suite(void)
{
	Suite *s = suite_create("sts_discover");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sts_discover_first_then_cached);
	tcase_add_test(tc, test_sts_discover_new_id);
	tcase_add_test(tc, test_sts_discover_failure_without_cache);
	tcase_add_test(tc, test_sts_discover_refresh);
	tcase_add_test(tc, test_sts_discover_expired);
	tcase_add_test(tc, test_sts_discover_no_cache);
	tcase_add_test(tc, test_sts_discover_bad_domain);
	suite_add_tcase(s, tc);
	return s;
}
