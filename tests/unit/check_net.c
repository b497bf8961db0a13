/* SPDX-License-Identifier: ISC */
/*
 * check_net.c: address parsing and order (tables), literal lookups, and
 * Happy Eyeballs against listeners on loopback only: 127.0.0.1 listens,
 * 127.0.0.2 refuses (a bound socket that does not listen), and
 * 127.0.0.3 and 127.0.0.4 are silent: listeners with a backlog of 0
 * whose queue one un-accepted connection fills, so that the kernel
 * drops further SYNs (tcp_abort_on_overflow 0, the default), as a
 * black-holed path would.  All four on the same port; no name is looked
 * up (t_resolve does that against a real DNS server).
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
#include "log.h"
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

/* The loopback set-up: see the top of the file. */
static unsigned int port;
static int good = -1, refuser = -1, silent[2] = { -1, -1 };
static int filler[2] = { -1, -1 };

/* A TCP socket (with flags) of ip's family, and ss for ip:p. */
static int
sock_for(const char *ip, unsigned int p, int flags,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct dns_addr a;
	int fd;

	ck_assert_int_eq(net_parse_addr(ip, &a), 0);
	*len = net_sockaddr(&a, p, ss);
	fd = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	ck_assert_int_ne(fd, -1);
	return fd;
}

/* A TCP socket bound to ip:p, listening (backlog >= 0) or not; -1. */
static int
sock_at(const char *ip, unsigned int p, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = sock_for(ip, p, 0, &ss, &len);

	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    (backlog >= 0 && listen(fd, backlog) == -1)) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

static void
close_all(void)
{
	int *fds[] = { &good, &refuser, &silent[0], &silent[1], &filler[0],
	    &filler[1] };
	size_t i;

	for (i = 0; i < NELEM(fds); i++) {
		if (*fds[i] != -1)
			(void)close(*fds[i]);
		*fds[i] = -1;
	}
}

/* A connect to ip:port; its socket once connected, or poll's answer. */
static int
probe(const char *ip, int wait_ms, int *ready)
{
	struct sockaddr_storage ss;
	struct pollfd pfd;
	socklen_t len;
	int fd = sock_for(ip, port, SOCK_NONBLOCK, &ss, &len);

	if (connect(fd, (struct sockaddr *)&ss, len) == -1)
		ck_assert_int_eq(errno, EINPROGRESS);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	*ready = poll(&pfd, 1, wait_ms);
	return fd;
}

static void
setup(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int tries, ready, fd, i;
	const char *silent_ip[2] = { "127.0.0.3", "127.0.0.4" };

	for (tries = 0; tries < 50; tries++) {
		close_all();
		good = sock_at("127.0.0.1", 0, 16);
		ck_assert_int_ne(good, -1);
		ck_assert_int_eq(getsockname(good, (struct sockaddr *)&sin,
		    &sl), 0);
		port = ntohs(sin.sin_port);
		refuser = sock_at("127.0.0.2", port, -1);
		silent[0] = sock_at(silent_ip[0], port, 0);
		silent[1] = sock_at(silent_ip[1], port, 0);
		if (refuser != -1 && silent[0] != -1 && silent[1] != -1)
			break;
	}
	ck_assert(refuser != -1 && silent[0] != -1 && silent[1] != -1);
	for (i = 0; i < 2; i++) {
		/* the one connection the queue takes... */
		filler[i] = probe(silent_ip[i], 1000, &ready);
		ck_assert_int_eq(ready, 1);
		/* ...and the SYN after it is dropped */
		fd = probe(silent_ip[i], 50, &ready);
		ck_assert_msg(ready == 0, "%s:%u answers with its queue full",
		    silent_ip[i], port);
		(void)close(fd);
	}
}

static void
teardown(void)
{
	close_all();
}

/* The last connect_to(): its options, outcome and time. */
static struct net_opts o;
static struct carrier_error err;
static struct net_try tries[8];
static size_t ntries;
static int64_t ms;

/* Options for connect_to(): connect_ms, and a deadline from now (0: none). */
static void
opts(unsigned int connect_ms, int64_t deadline_in)
{
	memset(&o, 0, sizeof(o));
	o.connect_ms = connect_ms;
	o.deadline = deadline_in != 0 ? monotime_ms() + deadline_in : 0;
}

/* Connects to the addresses given as text, on port; the fd, or -1. */
static int
connect_to(const char *name, const char *const *ips)
{
	struct dns_addr a[8];
	size_t n;
	int64_t t0;
	int fd;

	for (n = 0; ips[n] != NULL; n++)
		ck_assert_int_eq(net_parse_addr(ips[n], &a[n]), 0);
	status_clear(&err);
	ntries = 99;
	t0 = monotime_ms();
	fd = net_connect_addrs(name, a, n, port, &o, tries, &ntries, &err);
	ms = monotime_ms() - t0;
	return fd;
}

/* The tries' errors are want[0..n), in order. */
static void
expect_tries(const int *want, size_t n)
{
	size_t i;

	ck_assert_uint_eq(ntries, n);
	for (i = 0; i < n; i++)
		ck_assert_msg(tries[i].err == want[i], "try %zu: %s, not %s",
		    i, strerror(tries[i].err), strerror(want[i]));
}

/* err->host is name[ip]:port. */
static void
expect_host(const char *name, const char *ip)
{
	char want[64];

	(void)snprintf(want, sizeof(want), "%s[%s]:%u", name, ip, port);
	ck_assert_str_eq(err.host, want);
}

START_TEST(test_net_connect_addrs_one)
{
	const char *ips[] = { "127.0.0.1", NULL };
	const int want[] = { 0 };
	char buf[INET6_ADDRSTRLEN];
	socklen_t sl = sizeof(int);
	int fd, fl, nodelay = 0;

	opts(2000, 0);
	ck_assert_int_ne((fd = connect_to(NULL, ips)), -1);
	expect_tries(want, NELEM(want));
	ck_assert_str_eq(net_addr_str(&tries[0].addr, buf, sizeof(buf)),
	    "127.0.0.1");
	expect_host("", "127.0.0.1");
	ck_assert_int_ne((fl = fcntl(fd, F_GETFL)), -1);
	ck_assert(fl & O_NONBLOCK);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay,
	    &sl), 0);
	ck_assert_int_ne(nodelay, 0);
	(void)close(fd);

	ck_assert_int_ne((fd = connect_to("mx.example", ips)), -1);
	expect_host("mx.example", "127.0.0.1");
	(void)close(fd);
}
END_TEST

/*
 * Happy Eyeballs on loopback: each try's error, how long it all took,
 * and the error (NULL: connected) with the address err->host names.
 */
static const struct {
	const char	*name;		/* the peer's name, or NULL */
	const char	*ips[3];
	unsigned int	 connect_ms;
	int64_t		 deadline_in;	/* ms from now; 0: none */
	int		 want[3];	/* each try's err */
	size_t		 ntries;
	unsigned int	 first_ms;	/* the first try took as long */
	int64_t		 ms_min, ms_max;
	const char	*text;
	const char	*host;
} eyeballs[] = {
	/* a refusal starts the next address at once, not after 250 ms */
	{ NULL, { "127.0.0.2", "127.0.0.1" }, 5000, 0,
	    { ECONNREFUSED, 0 }, 2, 0, 0, NET_HE_DELAY_MS - 50,
	    NULL, "127.0.0.1" },
	/* a silent address holds the good one back 250 ms, no more */
	{ "mx.example", { "127.0.0.3", "127.0.0.1" }, 5000, 0,
	    { ECANCELED, 0 }, 2, NET_HE_DELAY_MS - 10,
	    NET_HE_DELAY_MS - 10, 1500, NULL, "127.0.0.1" },
	/* all silent: the attempts overlap, 500 + 250 ms, not 2 x 500 */
	{ NULL, { "127.0.0.3", "127.0.0.4" }, 500, 5000,
	    { ETIMEDOUT, ETIMEDOUT }, 2, 490, 500 + NET_HE_DELAY_MS - 10,
	    2 * 500 - 1, "connection timed out after 1 s", "127.0.0.4" },
	/* the deadline ends the attempts before their connect_ms */
	{ NULL, { "127.0.0.3", "127.0.0.4" }, 5000, 300,
	    { ETIMEDOUT, ETIMEDOUT }, 2, 290, 290, 1000,
	    "connection timed out after 1 s", "127.0.0.4" },
	/* a deadline past already: nothing is tried */
	{ NULL, { "127.0.0.3" }, 5000, -1, { 0 }, 0, 0, 0, 100,
	    "connection timed out: no time left", "127.0.0.3" },
	/* not all time-outs: the last failure (in time) says why */
	{ "mx.example", { "127.0.0.3", "127.0.0.2" }, 400, 0,
	    { ETIMEDOUT, ECONNREFUSED }, 2, 390, 390, 1000,
	    "cannot connect: Connection timed out", "127.0.0.3" },
	{ NULL, { "127.0.0.2" }, 400, 0, { ECONNREFUSED }, 1, 0, 0, 100,
	    "cannot connect: Connection refused", "127.0.0.2" },
	{ NULL, { NULL }, 400, 0, { 0 }, 0, 0, 0, 100,
	    "cannot connect: no address", NULL },
};

START_TEST(test_net_connect_addrs_table)
{
	int fd;

	opts(eyeballs[_i].connect_ms, eyeballs[_i].deadline_in);
	fd = connect_to(eyeballs[_i].name, eyeballs[_i].ips);
	expect_tries(eyeballs[_i].want, eyeballs[_i].ntries);
	if (eyeballs[_i].ntries > 0)
		ck_assert_uint_ge(tries[0].ms, eyeballs[_i].first_ms);
	ck_assert_int_ge(ms, eyeballs[_i].ms_min);
	ck_assert_int_le(ms, eyeballs[_i].ms_max);
	if (eyeballs[_i].host != NULL)
		expect_host(eyeballs[_i].name != NULL ? eyeballs[_i].name : "",
		    eyeballs[_i].host);
	if (eyeballs[_i].text == NULL) {
		ck_assert_int_ne(fd, -1);
		(void)close(fd);
		return;
	}
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(err.status, CARRIER_TEMP);
	ck_assert_int_eq(err.phase, PHASE_CONNECT);
	ck_assert_str_eq(err.text, eyeballs[_i].text);
}
END_TEST

/* The -v transcript: each start, each failure, each abandoned attempt. */
START_TEST(test_net_connect_addrs_transcript)
{
	const char *ips[] = { "127.0.0.2", "127.0.0.3", "127.0.0.1", NULL };
	char got[1024], want[1024];
	FILE *fp = tmpfile();
	size_t len;
	int fd;

	ck_assert_ptr_nonnull(fp);
	log_set_file(fp);
	opts(5000, 0);
	fd = connect_to("mx.example", ips);
	log_set_file(NULL);
	ck_assert_int_ne(fd, -1);
	(void)close(fd);
	rewind(fp);
	len = fread(got, 1, sizeof(got) - 1, fp);
	got[len] = '\0';
	(void)fclose(fp);
	(void)snprintf(want, sizeof(want),
	    "-- connecting to mx.example[127.0.0.2]:%u\n"
	    "-- mx.example[127.0.0.2]:%u: Connection refused\n"
	    "-- connecting to mx.example[127.0.0.3]:%u\n"
	    "-- connecting to mx.example[127.0.0.1]:%u\n"
	    "-- mx.example[127.0.0.3]:%u: abandoned, another address "
	    "connected\n", port, port, port, port, port);
	ck_assert_str_eq(got, want);
}
END_TEST

/* Whether binding an address not on the host is allowed. */
static int
nonlocal_bind(void)
{
	FILE *fp = fopen("/proc/sys/net/ipv4/ip_nonlocal_bind", "r");
	int c = '0';

	if (fp != NULL) {
		c = getc(fp);
		(void)fclose(fp);
	}
	return c == '1';
}

/* The source address is bound; one that is not local fails that try. */
START_TEST(test_net_connect_addrs_source)
{
	const char *ips[] = { "127.0.0.1", "127.0.0.1", NULL };
	const int want[] = { EADDRNOTAVAIL, EADDRNOTAVAIL };
	struct sockaddr_in peer;
	struct dns_addr src;
	socklen_t sl = sizeof(peer);
	char buf[INET6_ADDRSTRLEN];
	int fd, afd;

	opts(2000, 0);
	ck_assert_int_eq(net_parse_addr("127.0.0.5", &src), 0);
	o.src4 = &src;
	ck_assert_int_ne((fd = connect_to(NULL, ips)), -1);
	ck_assert_uint_eq(ntries, 1);
	afd = accept(good, (struct sockaddr *)&peer, &sl);
	ck_assert_int_ne(afd, -1);
	ck_assert_str_eq(inet_ntop(AF_INET, &peer.sin_addr, buf,
	    sizeof(buf)), "127.0.0.5");
	(void)close(afd);
	(void)close(fd);

	/* a local bind only: nothing leaves the host */
	if (nonlocal_bind())
		return;
	ck_assert_int_eq(net_parse_addr("192.0.2.1", &src), 0);
	ck_assert_int_eq(connect_to(NULL, ips), -1);
	expect_tries(want, NELEM(want));
	ck_assert_str_eq(err.text,
	    "cannot connect: Cannot assign requested address");
}
END_TEST

/* The relay: an address needs no lookup; errors as the tests expect. */
START_TEST(test_net_connect_relay)
{
	int fd;

	status_clear(&err);
	ck_assert_int_ne((fd = net_connect("127.0.0.1", port, 2000, &err)),
	    -1);
	expect_host("", "127.0.0.1");
	(void)close(fd);

	ck_assert_int_eq(net_connect("127.0.0.2", port, 2000, &err), -1);
	ck_assert_int_eq(err.status, CARRIER_TEMP);
	ck_assert_int_eq(err.phase, PHASE_CONNECT);
	ck_assert_str_eq(err.text, "cannot connect: Connection refused");
	expect_host("", "127.0.0.2");

	ck_assert_int_eq(net_connect("127.0.0.3", port, 500, &err), -1);
	ck_assert_str_eq(err.text, "connection timed out after 1 s");
}
END_TEST

Suite *
net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("core");
	TCase *lo = tcase_create("loopback");

	tcase_add_loop_test(tc, test_net_order_table, 0, NELEM(orders));
	tcase_add_loop_test(tc, test_net_parse_addr_table, 0,
	    NELEM(literals));
	tcase_add_test(tc, test_net_addr_str_odd);
	tcase_add_loop_test(tc, test_net_resolve_literal_table, 0,
	    NELEM(resolves));
	suite_add_tcase(s, tc);

	tcase_set_timeout(lo, 20);
	tcase_add_checked_fixture(lo, setup, teardown);
	tcase_add_test(lo, test_net_connect_addrs_one);
	tcase_add_loop_test(lo, test_net_connect_addrs_table, 0,
	    NELEM(eyeballs));
	tcase_add_test(lo, test_net_connect_addrs_transcript);
	tcase_add_test(lo, test_net_connect_addrs_source);
	tcase_add_test(lo, test_net_connect_relay);
	suite_add_tcase(s, lo);
	return s;
}
