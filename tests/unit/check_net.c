/* SPDX-License-Identifier: ISC */
/*
 * check_net.c: address parsing and connection order, table-driven, and
 * literal lookups (names are t_resolve's, against a real DNS server).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "monotime.h"
#include "net.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* net_order: addresses as text, "x" for a family neither v4 nor v6. */
static const struct {
	enum net_prefer	 prefer;
	enum net_family	 only;
	const char	*in[8];
	const char	*want[8];
} orders[] = {
	{ NET_PREFER_V6, NET_ANY,
	    { "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2",
	    "2001:db8::3" },
	    { "2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2",
	    "2001:db8::3" } },
	{ NET_PREFER_V4, NET_ANY,
	    { "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2",
	    "2001:db8::3" },
	    { "192.0.2.1", "2001:db8::1", "192.0.2.2", "2001:db8::2",
	    "2001:db8::3" } },
	{ NET_PREFER_V6, NET_ANY,
	    { "2001:db8::1", "2001:db8::2", "192.0.2.1", "192.0.2.2",
	    "192.0.2.3" },
	    { "2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2",
	    "192.0.2.3" } },
	{ NET_PREFER_V4, NET_ANY,
	    { "2001:db8::1", "192.0.2.1", "2001:db8::2" },
	    { "192.0.2.1", "2001:db8::1", "2001:db8::2" } },
	{ NET_PREFER_NONE, NET_ANY,
	    { "192.0.2.1", "192.0.2.2", "2001:db8::1", "192.0.2.3" },
	    { "192.0.2.1", "192.0.2.2", "2001:db8::1", "192.0.2.3" } },
	{ NET_PREFER_V6, NET_ONLY_V4,
	    { "192.0.2.1", "2001:db8::1", "192.0.2.2", "2001:db8::2" },
	    { "192.0.2.1", "192.0.2.2" } },
	{ NET_PREFER_V4, NET_ONLY_V6,
	    { "192.0.2.1", "2001:db8::1", "192.0.2.2", "2001:db8::2" },
	    { "2001:db8::1", "2001:db8::2" } },
	{ NET_PREFER_NONE, NET_ONLY_V6,
	    { "2001:db8::2", "192.0.2.1", "2001:db8::1" },
	    { "2001:db8::2", "2001:db8::1" } },
	{ NET_PREFER_V6, NET_ANY,
	    { "192.0.2.3", "192.0.2.1", "192.0.2.2" },
	    { "192.0.2.3", "192.0.2.1", "192.0.2.2" } },
	{ NET_PREFER_V4, NET_ANY,
	    { "2001:db8::1" }, { "2001:db8::1" } },
	{ NET_PREFER_V6, NET_ONLY_V6,
	    { "192.0.2.1", "192.0.2.2" }, { NULL } },
	{ NET_PREFER_V6, NET_ANY, { NULL }, { NULL } },
	{ NET_PREFER_NONE, NET_ANY,
	    { "x", "192.0.2.1", "x", "2001:db8::1" },
	    { "192.0.2.1", "2001:db8::1" } },
};

START_TEST(test_net_order_table)
{
	struct dns_addr a[8];
	char buf[INET6_ADDRSTRLEN];
	size_t n, i, want;

	for (n = 0; n < NELEM(orders[_i].in) && orders[_i].in[n] != NULL;
	    n++) {
		if (strcmp(orders[_i].in[n], "x") == 0) {
			memset(&a[n], 0, sizeof(a[n]));
			a[n].family = AF_UNIX;
		} else
			ck_assert_int_eq(net_parse_addr(orders[_i].in[n],
			    &a[n]), 0);
	}
	for (want = 0; want < NELEM(orders[_i].want) &&
	    orders[_i].want[want] != NULL; want++)
		continue;
	n = net_order(a, n, orders[_i].prefer, orders[_i].only);
	ck_assert_uint_eq(n, want);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(net_addr_str(&a[i], buf, sizeof(buf)),
		    orders[_i].want[i]);
}
END_TEST

/* Literals and their canonical text; NULL: rejected. */
static const struct {
	const char	*in;
	int		 family;
	const char	*want;
} literals[] = {
	{ "127.0.0.1", AF_INET, "127.0.0.1" },
	{ "192.0.2.255", AF_INET, "192.0.2.255" },
	{ "0.0.0.0", AF_INET, "0.0.0.0" },
	{ "::1", AF_INET6, "::1" },
	{ "::", AF_INET6, "::" },
	{ "2001:db8::1", AF_INET6, "2001:db8::1" },
	{ "2001:0DB8:0:0:0:0:0:1", AF_INET6, "2001:db8::1" },
	{ "::ffff:192.0.2.1", AF_INET6, "::ffff:192.0.2.1" },
	{ "fe80::1:2:3:4", AF_INET6, "fe80::1:2:3:4" },
	{ "", 0, NULL },
	{ "1.2.3", 0, NULL },
	{ "127.1", 0, NULL },
	{ "256.1.1.1", 0, NULL },
	{ "1.2.3.4 ", 0, NULL },
	{ " 1.2.3.4", 0, NULL },
	{ "1.2.3.4.5", 0, NULL },
	{ "[::1]", 0, NULL },
	{ "::1%lo", 0, NULL },
	{ "1::2::3", 0, NULL },
	{ "2001:db8::g", 0, NULL },
	{ "example.org", 0, NULL },
	{ "IPv6:::1", 0, NULL },
};

START_TEST(test_net_parse_addr_table)
{
	struct dns_addr a, b;
	char buf[INET6_ADDRSTRLEN];

	if (literals[_i].want == NULL) {
		ck_assert_int_eq(net_parse_addr(literals[_i].in, &a), -1);
		return;
	}
	ck_assert_int_eq(net_parse_addr(literals[_i].in, &a), 0);
	ck_assert_int_eq(a.family, literals[_i].family);
	ck_assert_str_eq(net_addr_str(&a, buf, sizeof(buf)),
	    literals[_i].want);
	/* and back */
	ck_assert_int_eq(net_parse_addr(buf, &b), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
}
END_TEST

START_TEST(test_net_addr_str_odd)
{
	struct dns_addr a;
	char buf[INET6_ADDRSTRLEN], small[8];

	ck_assert_int_eq(net_parse_addr(NULL, &a), -1);
	memset(&a, 0, sizeof(a));
	ck_assert_str_eq(net_addr_str(&a, buf, sizeof(buf)), "?");
	ck_assert_int_eq(net_parse_addr("2001:db8::1", &a), 0);
	ck_assert_str_eq(net_addr_str(&a, small, sizeof(small)), "?");
	ck_assert_int_eq(net_parse_addr("1.2.3.4", &a), 0);
	ck_assert_str_eq(net_addr_str(&a, small, sizeof(small)), "1.2.3.4");
}
END_TEST

/*
 * Literals resolve without a lookup: even with a deadline long past,
 * in any form getaddrinfo takes as numeric.
 */
static const struct {
	const char	*host;
	enum net_family	 family;
	enum carrier_status st;
	const char	*want;		/* the address, or the error */
} resolves[] = {
	{ "127.0.0.1", NET_ANY, CARRIER_OK, "127.0.0.1" },
	{ "127.0.0.1", NET_ONLY_V4, CARRIER_OK, "127.0.0.1" },
	{ "127.1", NET_ANY, CARRIER_OK, "127.0.0.1" },
	{ "::1", NET_ANY, CARRIER_OK, "::1" },
	{ "::1", NET_ONLY_V6, CARRIER_OK, "::1" },
	{ "2001:db8::1", NET_ANY, CARRIER_OK, "2001:db8::1" },
	{ "::1", NET_ONLY_V4, CARRIER_PERM, "address ::1 is not IPv4" },
	{ "127.0.0.1", NET_ONLY_V6, CARRIER_PERM,
	    "address 127.0.0.1 is not IPv6" },
};

START_TEST(test_net_resolve_literal_table)
{
	struct carrier_error err;
	struct dns_addr a[4];
	char buf[INET6_ADDRSTRLEN];
	size_t n = 99;

	status_clear(&err);
	ck_assert_int_eq(net_resolve(resolves[_i].host, resolves[_i].family,
	    1, a, NELEM(a), &n, &err), resolves[_i].st);
	if (resolves[_i].st != CARRIER_OK) {
		ck_assert_uint_eq(n, 0);
		ck_assert_int_eq(err.phase, PHASE_RESOLVE);
		ck_assert_str_eq(err.text, resolves[_i].want);
		return;
	}
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(net_addr_str(&a[0], buf, sizeof(buf)),
	    resolves[_i].want);
}
END_TEST

Suite *
net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_net_order_table, 0, NELEM(orders));
	tcase_add_loop_test(tc, test_net_parse_addr_table, 0,
	    NELEM(literals));
	tcase_add_test(tc, test_net_addr_str_odd);
	tcase_add_loop_test(tc, test_net_resolve_literal_table, 0,
	    NELEM(resolves));
	suite_add_tcase(s, tc);

	return s;
}
