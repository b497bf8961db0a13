/* SPDX-License-Identifier: ISC */
/*
 * check_route.c: the routes that need no DNS: the relay (one host, no
 * lookup) and address literals.  The MX routes are tested against a real
 * DNS server in tests/integration/t_mx_route.sh.
 */
#include <arpa/inet.h>
#include <string.h>

#include "tests.h"
#include "route.h"

static struct route r;

START_TEST(test_route_lookup_relay)
{
	struct route_opts o;
	struct carrier_error err;

	memset(&o, 0, sizeof(o));
	o.relay_host = "smtp.example.org";
	o.relay_port = 587;
	status_clear(&err);
	ck_assert_int_eq(route_lookup(&o, "example.net", &r, &err),
	    CARRIER_OK);
	ck_assert_int_eq(r.kind, ROUTE_RELAY);
	ck_assert_uint_eq(r.nhost, 1);
	ck_assert_str_eq(r.host[0].name, "smtp.example.org");
	ck_assert_int_eq(route_addrs(&r, 0, &err), CARRIER_OK);
	ck_assert_uint_eq(r.host[0].naddr, 0);	/* the connect resolves it */
	route_close(&r);
}
END_TEST

static const struct {
	const char	*domain;
	enum carrier_status st;
	int		 family;
	const char	*name;
} literals[] = {
	{ "[192.0.2.1]", CARRIER_OK, AF_INET, "192.0.2.1" },
	{ "[IPv6:2001:db8::25]", CARRIER_OK, AF_INET6, "2001:db8::25" },
	{ "[ipv6:::1]", CARRIER_OK, AF_INET6, "::1" },
	{ "[2001:db8::25]", CARRIER_PERM, 0, NULL },	/* needs "IPv6:" */
	{ "[IPv6:192.0.2.1]", CARRIER_PERM, 0, NULL },
	{ "[192.0.2]", CARRIER_PERM, 0, NULL },
	{ "[192.0.2.1", CARRIER_PERM, 0, NULL },
	{ "[]", CARRIER_PERM, 0, NULL },
	{ "[", CARRIER_PERM, 0, NULL },
};

START_TEST(test_route_lookup_literal)
{
	struct route_opts o;
	struct carrier_error err;
	enum carrier_status st;

	memset(&o, 0, sizeof(o));
	o.dns_timeout = 1;
	status_clear(&err);
	st = route_lookup(&o, literals[_i].domain, &r, &err);
	ck_assert_msg(st == literals[_i].st, "%s: %d (%s)",
	    literals[_i].domain, st, err.text);
	if (st == CARRIER_OK) {
		ck_assert_int_eq(r.kind, ROUTE_LITERAL);
		ck_assert_uint_eq(r.nhost, 1);
		ck_assert_uint_eq(r.host[0].naddr, 1);
		ck_assert_int_eq(r.host[0].addr[0].family, literals[_i].family);
		ck_assert_str_eq(r.host[0].name, literals[_i].name);
		ck_assert_int_eq(route_addrs(&r, 0, &err), CARRIER_OK);
	} else {
		ck_assert_int_eq(err.phase, PHASE_RESOLVE);
		ck_assert_str_eq(err.enhanced, "5.1.2");
		ck_assert_ptr_nonnull(strstr(err.text, "invalid address "
		    "literal"));
	}
	route_close(&r);
}
END_TEST

START_TEST(test_route_kind_name)
{
	ck_assert_str_eq(route_kind_name(ROUTE_RELAY), "relay");
	ck_assert_str_eq(route_kind_name(ROUTE_MX), "MX");
	ck_assert_str_eq(route_kind_name(ROUTE_IMPLICIT), "implicit MX");
	ck_assert_str_eq(route_kind_name(ROUTE_LITERAL), "address literal");
	ck_assert_str_eq(route_kind_name((enum route_kind)42), "?");
}
END_TEST

Suite *
route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_route_lookup_relay);
	tcase_add_loop_test(tc, test_route_lookup_literal, 0,
	    sizeof(literals) / sizeof(literals[0]));
	tcase_add_test(tc, test_route_kind_name);
	suite_add_tcase(s, tc);
	return s;
}
