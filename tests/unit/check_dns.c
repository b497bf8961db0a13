/* SPDX-License-Identifier: ISC */
/*
 * check_dns.c: lookups through glibc's resolver against a fake DNS
 * server of the test's own, a thread answering on 127.0.0.1 (UDP, and
 * TCP on the same port for answers too large for UDP), the resolver
 * pointed at it after dns_open: nothing depends on the host's
 * resolv.conf but its timeout and attempts, which the deadlines cut.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <resolv.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "compat.h"
#include "monotime.h"
#include "dnspkt.h"
#include "tlsa.h"
#include "dns.h"

enum fake_mode {
	FAKE_MX,		/* two MX records */
	FAKE_NXDOMAIN,
	FAKE_SERVFAIL,
	FAKE_REFUSED,
	FAKE_FORMERR,
	FAKE_LAME,		/* NOERROR, no records, neither RA nor AA */
	FAKE_SILENT,		/* never answers */
	FAKE_NODATA,		/* NOERROR, RA, no records */
	FAKE_V4ONLY,		/* AAAA: NODATA; A: 192.0.2.1 */
	FAKE_V6SILENT,		/* AAAA: no answer; A: 192.0.2.1 */
	FAKE_BADMX,		/* an MX whose rdata runs past its name */
	FAKE_BIG,		/* UDP: TC; TCP: 300 MX records */
	FAKE_SECURE,		/* AD set: A 192.0.2.1, AAAA NODATA, TLSA
				   3 1 1 and a PKIX-EE record */
	FAKE_INSECURE		/* as FAKE_SECURE, AD clear */
};

#define FAKE_ASKED	8

static struct fake {
	int		 udp, tcp;
	struct sockaddr_in sin;
	enum fake_mode	 mode;
	pthread_t	 thread;
	atomic_int	 stop;
	int		 queries;	/* read once the thread is joined */
	int		 tcpqueries;
	char		 asked[FAKE_ASKED][NS_MAXDNAME + 8]; /* "name/type" */
	struct dnspkt	 reply;
} fake;

static struct dns d;

/* The reply to query q in fake.reply: 0, or -1 for none. */
static int
fake_answer(const unsigned char *q, size_t qlen, int tcp)
{
	static const int rcodes[] = {
		[FAKE_NXDOMAIN] = ns_r_nxdomain,
		[FAKE_SERVFAIL] = ns_r_servfail,
		[FAKE_REFUSED] = ns_r_refused,
		[FAKE_FORMERR] = ns_r_formerr,
	};
	struct dnspkt *p = &fake.reply;
	char name[NS_MAXDNAME];
	int k, type, rcode = 0;

	k = dn_expand(q, q + qlen, q + NS_HFIXEDSZ, name, sizeof(name));
	if (k < 0 || NS_HFIXEDSZ + (size_t)k + 4 > qlen)
		return -1;
	type = q[NS_HFIXEDSZ + k] << 8 | q[NS_HFIXEDSZ + k + 1];
	if (fake.queries < FAKE_ASKED)
		(void)snprintf(fake.asked[fake.queries],
		    sizeof(fake.asked[0]), "%s/%d", name, type);
	fake.queries++;
	if (fake.mode == FAKE_SILENT ||
	    (fake.mode == FAKE_V6SILENT && type == ns_t_aaaa))
		return -1;
	if ((size_t)fake.mode < sizeof(rcodes) / sizeof(rcodes[0]))
		rcode = rcodes[fake.mode];
	if (dnspkt_reply(p, q, qlen, rcode) == -1)
		return -1;
	switch (fake.mode) {
	case FAKE_MX:
		dnspkt_mx(p, name, 20, "mx2.example.org");
		dnspkt_mx(p, name, 10, "mx1.example.org");
		break;
	case FAKE_LAME:
		p->buf[3] &= 0x7f;
		break;
	case FAKE_V4ONLY:
	case FAKE_V6SILENT:
		if (type == ns_t_a)
			dnspkt_addr(p, name, "192.0.2.1");
		break;
	case FAKE_BADMX:
		dnspkt_rr(p, name, ns_t_mx, "\0\12\2mx\0\0", 7);
		break;
	case FAKE_SECURE:
	case FAKE_INSECURE:
		if (fake.mode == FAKE_SECURE)
			p->buf[3] |= 0x20;	/* AD */
		if (type == ns_t_a)
			dnspkt_addr(p, name, "192.0.2.1");
		if (type == TLSA_TYPE && strncmp(name, "_25._tcp.mx1.", 13) ==
		    0) {
			unsigned char rd[3 + 32];

			memset(rd, 0xab, sizeof(rd));
			rd[0] = 3, rd[1] = 1, rd[2] = 1;
			dnspkt_rr(p, name, TLSA_TYPE, rd, sizeof(rd));
			rd[0] = 1;
			dnspkt_rr(p, name, TLSA_TYPE, rd, sizeof(rd));
		} else if (type == TLSA_TYPE && strncmp(name, "_25._tcp.gone.",
		    14) == 0)
			p->buf[3] = (unsigned char)((p->buf[3] & 0xf0) |
			    ns_r_nxdomain);
		else if (type == TLSA_TYPE && strncmp(name, "_25._tcp.bogus.",
		    15) == 0) {
			p->buf[3] = (unsigned char)((p->buf[3] & 0xd0) |
			    ns_r_servfail);	/* no AD with SERVFAIL */
		}
		break;
	case FAKE_BIG:
		if (!tcp)
			p->buf[2] |= 0x02;	/* TC */
		for (k = 0; tcp && k < 300; k++) {
			char mx[64];

			(void)snprintf(mx, sizeof(mx), "mx%d.example.org", k);
			dnspkt_mx(p, name, (unsigned int)(1000 - k), mx);
		}
		break;
	default:
		break;
	}
	return 0;
}

/* One query over TCP (RFC 1035 4.2.2: a 2-octet length first). */
static void
fake_tcp(void)
{
	unsigned char q[512], len[2];
	struct timeval tv = { 2, 0 };
	size_t qlen;
	int fd;

	if ((fd = accept(fake.tcp, NULL, NULL)) == -1)
		return;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (recv(fd, len, 2, MSG_WAITALL) == 2) {
		qlen = (size_t)(len[0] << 8 | len[1]);
		if (qlen <= sizeof(q) && recv(fd, q, qlen, MSG_WAITALL) ==
		    (ssize_t)qlen && fake_answer(q, qlen, 1) == 0) {
			fake.tcpqueries++;
			len[0] = (unsigned char)(fake.reply.len >> 8);
			len[1] = (unsigned char)fake.reply.len;
			(void)write(fd, len, 2);
			(void)write(fd, fake.reply.buf, fake.reply.len);
		}
	}
	close(fd);
}

static void *
fake_run(void *arg)
{
	struct pollfd pfd[2];
	struct sockaddr_in from;
	socklen_t fromlen;
	unsigned char q[512];
	ssize_t k;

	(void)arg;
	pfd[0].fd = fake.udp;
	pfd[1].fd = fake.tcp;
	pfd[0].events = pfd[1].events = POLLIN;
	while (!atomic_load(&fake.stop)) {
		if (poll(pfd, 2, 20) <= 0)
			continue;
		if (pfd[1].revents & POLLIN)
			fake_tcp();
		if (!(pfd[0].revents & POLLIN))
			continue;
		fromlen = sizeof(from);
		k = recvfrom(fake.udp, q, sizeof(q), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (k > 0 && fake_answer(q, (size_t)k, 0) == 0)
			(void)sendto(fake.udp, fake.reply.buf, fake.reply.len,
			    0, (struct sockaddr *)&from, fromlen);
	}
	return NULL;
}

/* A UDP socket on 127.0.0.1, an ephemeral port, into fake.sin. */
static int
fake_udp(void)
{
	socklen_t len = sizeof(fake.sin);
	int fd;

	memset(&fake.sin, 0, sizeof(fake.sin));
	fake.sin.sin_family = AF_INET;
	fake.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_DGRAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&fake.sin,
	    sizeof(fake.sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&fake.sin, &len),
	    0);
	return fd;
}

/* Opens d, its every server the address in fake.sin. */
static void
dns_at_fake(void)
{
	int i;

	ck_assert_int_eq(dns_open(&d), 0);
	if (d.res.nscount < 1)
		d.res.nscount = 1;
	for (i = 0; i < d.res.nscount; i++)
		d.res.nsaddr_list[i] = fake.sin;
}

static void
fake_start(enum fake_mode mode)
{
	int tries, one = 1;

	memset(&fake, 0, sizeof(fake));
	fake.mode = mode;
	/* TCP on the UDP port too; another port if that one is taken. */
	for (tries = 0; tries < 20; tries++) {
		fake.udp = fake_udp();
		ck_assert_int_ne(fake.tcp = socket(AF_INET, SOCK_STREAM, 0),
		    -1);
		(void)setsockopt(fake.tcp, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (bind(fake.tcp, (struct sockaddr *)&fake.sin,
		    sizeof(fake.sin)) == 0)
			break;
		close(fake.tcp);
		close(fake.udp);
	}
	ck_assert_int_lt(tries, 20);
	ck_assert_int_eq(listen(fake.tcp, 4), 0);
	atomic_store(&fake.stop, 0);
	ck_assert_int_eq(pthread_create(&fake.thread, NULL, fake_run, NULL),
	    0);
	dns_at_fake();
}

static void
fake_stop(void)
{
	atomic_store(&fake.stop, 1);
	ck_assert_int_eq(pthread_join(fake.thread, NULL), 0);
	close(fake.udp);
	close(fake.tcp);
	dns_close(&d);
}

static struct dns_mx mx[DNSMSG_MX_MAX];
static struct dns_addr addrs[DNSMSG_ADDR_MAX];

START_TEST(test_dns_mx_answered)
{
	struct carrier_error err;
	size_t n;
	int nullmx, retrans, retry;

	fake_start(FAKE_MX);
	retrans = d.res.retrans;
	retry = d.res.retry;
	ck_assert_int_eq(dns_mx(&d, "Example.ORG.", monotime_ms() + 5000,
	    mx, DNSMSG_MX_MAX, &n, &nullmx, &err), CARRIER_OK);
	/* The system's timeout and attempts, put back. */
	ck_assert_int_eq(d.res.retrans, retrans);
	ck_assert_int_eq(d.res.retry, retry);
	fake_stop();
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(nullmx, 0);
	ck_assert_uint_eq(mx[0].pref, 10);
	ck_assert_str_eq(mx[0].name, "mx1.example.org");
	ck_assert_uint_eq(mx[1].pref, 20);
	ck_assert_str_eq(mx[1].name, "mx2.example.org");
	ck_assert_int_eq(fake.queries, 1);
	ck_assert_str_eq(fake.asked[0], "Example.ORG/15");
}
END_TEST

/* The name asked as given: no search list, even when one is set. */
START_TEST(test_dns_mx_no_search)
{
	struct carrier_error err;
	size_t n;
	int nullmx;

	fake_start(FAKE_MX);
	(void)strlcpy(d.res.defdname, "bogus.test", sizeof(d.res.defdname));
	d.res.dnsrch[0] = d.res.defdname;
	d.res.dnsrch[1] = NULL;
	d.res.ndots = 5;
	d.res.options |= RES_DEFNAMES | RES_DNSRCH;
	ck_assert_int_eq(dns_mx(&d, "mailhost", monotime_ms() + 5000, mx,
	    DNSMSG_MX_MAX, &n, &nullmx, &err), CARRIER_OK);
	ck_assert_int_eq(dns_mx(&d, "example.org", monotime_ms() + 5000, mx,
	    DNSMSG_MX_MAX, &n, &nullmx, &err), CARRIER_OK);
	fake_stop();
	ck_assert_int_eq(fake.queries, 2);
	ck_assert_str_eq(fake.asked[0], "mailhost/15");
	ck_assert_str_eq(fake.asked[1], "example.org/15");
}
END_TEST

/* Failures, each asked with a deadline far off: classed at once. */
static const struct {
	enum fake_mode	 mode;
	int		 addrs;		/* dns_addrs, both families */
	const char	*name;
	enum carrier_status status;
	const char	*enhanced;
	const char	*text;
	int		 queries;	/* 0: glibc's retries, any number */
} fails[] = {
	{ FAKE_NXDOMAIN, 0, "nosuch.example", CARRIER_PERM, "5.1.2",
	    "domain nosuch.example not found (NXDOMAIN)", 1 },
	{ FAKE_SERVFAIL, 0, "example.org", CARRIER_TEMP, "4.4.3",
	    "cannot look up the MX of example.org: the DNS server said "
	    "SERVFAIL", 0 },
	{ FAKE_REFUSED, 0, "example.org", CARRIER_TEMP, "4.4.3",
	    "cannot look up the MX of example.org: the DNS server said "
	    "REFUSED", 0 },
	{ FAKE_FORMERR, 0, "example.org", CARRIER_TEMP, "4.4.3",
	    "cannot look up the MX of example.org: the DNS server said "
	    "FORMERR", 1 },
	{ FAKE_LAME, 0, "example.org", CARRIER_TEMP, "4.4.3",
	    "cannot look up the MX of example.org: the DNS server sent an "
	    "empty answer without recursion (lame)", 0 },
	{ FAKE_BADMX, 0, "example.org", CARRIER_TEMP, "4.4.3",
	    "cannot look up the MX of example.org: malformed DNS answer "
	    "(malformed MX record)", 1 },
	{ FAKE_NXDOMAIN, 1, "nosuch.example.org", CARRIER_PERM, "5.4.4",
	    "host nosuch.example.org not found (NXDOMAIN)", 1 },
	{ FAKE_SERVFAIL, 1, "mx.example.org", CARRIER_TEMP, "4.4.3",
	    "cannot look up the IPv4 addresses of mx.example.org: the DNS "
	    "server said SERVFAIL", 0 },
};

START_TEST(test_dns_fail_table)
{
	struct carrier_error err;
	size_t n = 9;
	int nullmx = 9;
	int64_t t0;
	enum carrier_status st;

	fake_start(fails[_i].mode);
	t0 = monotime_ms();
	if (fails[_i].addrs)
		st = dns_addrs(&d, fails[_i].name, DNS_WANT_V4 | DNS_WANT_V6,
		    t0 + 20000, addrs, DNSMSG_ADDR_MAX, &n, &err);
	else
		st = dns_mx(&d, fails[_i].name, t0 + 20000, mx,
		    DNSMSG_MX_MAX, &n, &nullmx, &err);
	ck_assert_int_lt(monotime_ms() - t0, 1000);
	fake_stop();
	ck_assert_int_eq(st, fails[_i].status);
	ck_assert_uint_eq(n, 0);
	if (!fails[_i].addrs)
		ck_assert_int_eq(nullmx, 0);
	ck_assert_int_eq(err.status, fails[_i].status);
	ck_assert_int_eq(err.phase, PHASE_RESOLVE);
	ck_assert_int_eq(err.code, 0);
	ck_assert_str_eq(err.enhanced, fails[_i].enhanced);
	ck_assert_str_eq(err.text, fails[_i].text);
	if (fails[_i].queries != 0)
		ck_assert_int_eq(fake.queries, fails[_i].queries);
	else
		ck_assert_int_ge(fake.queries, 1);
}
END_TEST

START_TEST(test_dns_mx_nodata)
{
	struct carrier_error err;
	size_t n = 9;
	int nullmx = 9;

	fake_start(FAKE_NODATA);
	ck_assert_int_eq(dns_mx(&d, "example.org", monotime_ms() + 5000, mx,
	    DNSMSG_MX_MAX, &n, &nullmx, &err), CARRIER_OK);
	fake_stop();
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(nullmx, 0);
}
END_TEST

/*
 * Silent servers, each tried 5 s twice by the resolver's settings: the
 * deadline bounds the query.  Three servers and 2.5 s: two asked once
 * for 1 s each (glibc would take 2 * (5 + 3 + 6) s), the third left out.
 */
static const struct {
	int		 nscount;
	int		 deadline;
	int		 least, most;	/* ms the lookup takes */
	const char	*text;		/* how it begins */
	int		 queries;
} silent[] = {
	{ 1, 1500, 900, 1600, "cannot look up the MX of example.org: no "
	    "answer from the DNS server in 1.", 1 },
	{ 3, 2500, 1900, 2600, "cannot look up the MX of example.org: no "
	    "answer from 2 DNS servers in 2.", 2 },
};

START_TEST(test_dns_mx_silent_table)
{
	struct carrier_error err;
	size_t n;
	int nullmx;
	int64_t t0, took;

	fake_start(FAKE_SILENT);
	d.res.nscount = silent[_i].nscount;
	d.res.retrans = 5;
	d.res.retry = 2;
	d.res.nsaddr_list[1] = d.res.nsaddr_list[2] = fake.sin;
	t0 = monotime_ms();
	ck_assert_int_eq(dns_mx(&d, "example.org", t0 + silent[_i].deadline,
	    mx, DNSMSG_MX_MAX, &n, &nullmx, &err), CARRIER_TEMP);
	took = monotime_ms() - t0;
	/* The resolver's settings, put back. */
	ck_assert_int_eq(d.res.nscount, silent[_i].nscount);
	ck_assert_int_eq(d.res.retrans, 5);
	ck_assert_int_eq(d.res.retry, 2);
	fake_stop();
	ck_assert_int_ge(took, silent[_i].least);
	ck_assert_int_le(took, silent[_i].most);
	ck_assert_str_eq(err.enhanced, "4.4.3");
	ck_assert_msg(strncmp(err.text, silent[_i].text,
	    strlen(silent[_i].text)) == 0, "%s", err.text);
	ck_assert_int_eq(fake.queries, silent[_i].queries);
}
END_TEST

START_TEST(test_dns_mx_out_of_time)
{
	struct carrier_error err;
	size_t n;
	int nullmx;
	int64_t t0;

	fake_start(FAKE_MX);
	t0 = monotime_ms();
	ck_assert_int_eq(dns_mx(&d, "example.org", t0 + 500, mx,
	    DNSMSG_MX_MAX, &n, &nullmx, &err), CARRIER_TEMP);
	ck_assert_int_eq(dns_mx(&d, "example.org", t0 - 1, mx,
	    DNSMSG_MX_MAX, &n, &nullmx, &err), CARRIER_TEMP);
	ck_assert_int_lt(monotime_ms() - t0, 100);
	fake_stop();
	ck_assert_str_eq(err.text, "DNS lookup of the MX of example.org ran "
	    "out of time");
	ck_assert_str_eq(err.enhanced, "4.4.3");
	ck_assert_int_eq(fake.queries, 0);
}
END_TEST

/* Too large for UDP: glibc asks again over TCP, into 64 KiB. */
START_TEST(test_dns_mx_big_over_tcp)
{
	struct carrier_error err;
	size_t n;
	int nullmx;

	fake_start(FAKE_BIG);
	ck_assert_int_eq(dns_mx(&d, "example.org", monotime_ms() + 5000, mx,
	    DNSMSG_MX_MAX, &n, &nullmx, &err), CARRIER_OK);
	fake_stop();
	ck_assert_int_eq(fake.tcpqueries, 1);
	ck_assert_uint_eq(n, DNSMSG_MX_MAX);
	ck_assert_uint_eq(mx[0].pref, 701);
	ck_assert_str_eq(mx[0].name, "mx299.example.org");
	ck_assert_uint_eq(mx[DNSMSG_MX_MAX - 1].pref, 764);
}
END_TEST

/* Nothing listens: the kernel's port unreachable, at once. */
START_TEST(test_dns_mx_refused_port)
{
	struct carrier_error err;
	size_t n;
	int nullmx;
	int64_t t0;

	close(fake_udp());
	dns_at_fake();
	t0 = monotime_ms();
	ck_assert_int_eq(dns_mx(&d, "example.org", t0 + 5000, mx,
	    DNSMSG_MX_MAX, &n, &nullmx, &err), CARRIER_TEMP);
	ck_assert_int_lt(monotime_ms() - t0, 1000);
	dns_close(&d);
	ck_assert_str_eq(err.text, "cannot look up the MX of example.org: "
	    "no DNS server reachable (connection refused)");
}
END_TEST

START_TEST(test_dns_bad_name)
{
	struct carrier_error err;
	char name[300];
	size_t n;
	int nullmx;

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	fake_start(FAKE_MX);
	ck_assert_int_eq(dns_mx(&d, name, monotime_ms() + 5000, mx,
	    DNSMSG_MX_MAX, &n, &nullmx, &err), CARRIER_PERM);
	ck_assert_int_eq(dns_mx(&d, "", monotime_ms() + 5000, mx,
	    DNSMSG_MX_MAX, &n, &nullmx, &err), CARRIER_PERM);
	ck_assert_str_eq(err.text, "domain  is not a valid DNS name");
	ck_assert_int_eq(dns_addrs(&d, "a..b", DNS_WANT_V4 | DNS_WANT_V6,
	    monotime_ms() + 5000, addrs, DNSMSG_ADDR_MAX, &n, &err),
	    CARRIER_PERM);
	ck_assert_str_eq(err.text, "host a..b is not a valid DNS name");
	ck_assert_str_eq(err.enhanced, "5.4.4");
	fake_stop();
	ck_assert_int_eq(fake.queries, 0);
}
END_TEST

START_TEST(test_dns_addrs_v4_only)
{
	struct carrier_error err;
	char text[INET6_ADDRSTRLEN];
	size_t n;

	fake_start(FAKE_V4ONLY);
	ck_assert_int_eq(dns_addrs(&d, "mx.example.org",
	    DNS_WANT_V4 | DNS_WANT_V6, monotime_ms() + 5000, addrs,
	    DNSMSG_ADDR_MAX, &n, &err), CARRIER_OK);
	fake_stop();
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(addrs[0].family, AF_INET);
	ck_assert_ptr_nonnull(inet_ntop(AF_INET, addrs[0].addr, text,
	    sizeof(text)));
	ck_assert_str_eq(text, "192.0.2.1");
	ck_assert_int_eq(fake.queries, 2);
	ck_assert_str_eq(fake.asked[0], "mx.example.org/28");
	ck_assert_str_eq(fake.asked[1], "mx.example.org/1");
}
END_TEST

/* One family only: one query. */
START_TEST(test_dns_addrs_want)
{
	struct carrier_error err;
	size_t n;

	fake_start(FAKE_V4ONLY);
	ck_assert_int_eq(dns_addrs(&d, "mx.example.org", DNS_WANT_V6,
	    monotime_ms() + 5000, addrs, DNSMSG_ADDR_MAX, &n, &err),
	    CARRIER_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(dns_addrs(&d, "mx.example.org", DNS_WANT_V4,
	    monotime_ms() + 5000, addrs, DNSMSG_ADDR_MAX, &n, &err),
	    CARRIER_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(dns_addrs(&d, "mx.example.org", DNS_WANT_V4,
	    monotime_ms() + 5000, addrs, 0, &n, &err), CARRIER_OK);
	ck_assert_uint_eq(n, 0);
	fake_stop();
	ck_assert_int_eq(fake.queries, 3);
	ck_assert_str_eq(fake.asked[0], "mx.example.org/28");
	ck_assert_str_eq(fake.asked[1], "mx.example.org/1");
}
END_TEST

/* A server that drops AAAA queries: half the time, then the A. */
START_TEST(test_dns_addrs_v6_silent)
{
	struct carrier_error err;
	size_t n;
	int64_t t0, took;

	fake_start(FAKE_V6SILENT);
	t0 = monotime_ms();
	ck_assert_int_eq(dns_addrs(&d, "mx.example.org",
	    DNS_WANT_V4 | DNS_WANT_V6, t0 + 2500, addrs, DNSMSG_ADDR_MAX, &n,
	    &err), CARRIER_OK);
	took = monotime_ms() - t0;
	fake_stop();
	ck_assert_int_ge(took, 900);
	ck_assert_int_lt(took, 1500);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(addrs[0].family, AF_INET);
	ck_assert_int_eq(fake.queries, 2);
}
END_TEST

/* Whose AD bit counts: loopback servers, listed ones, trust-ad. */
START_TEST(test_dns_trust)
{
	const char *list[] = { "2001:db8::53", "192.0.2.53" };
	struct sockaddr_in far;
	char why[128];

	fake_start(FAKE_SECURE);
	d.res.options &= ~RES_TRUSTAD;
	ck_assert_int_eq(dns_trust(&d, NULL, 0, why, sizeof(why)), 1);
	ck_assert(d.res.options & RES_TRUSTAD);
	far = fake.sin;
	far.sin_addr.s_addr = htonl(0xc0000235);	/* 192.0.2.53 */
	d.res.nsaddr_list[d.res.nscount > 1 ? 1 : 0] = far;
	d.res.options &= ~RES_TRUSTAD;
	ck_assert_int_eq(dns_trust(&d, NULL, 0, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "the DNS server 192.0.2.53 is not on this host "
	    "nor in trusted_resolvers");
	ck_assert(!(d.res.options & RES_TRUSTAD));
	ck_assert_int_eq(dns_trust(&d, list, 1, why, sizeof(why)), 0);
	ck_assert_int_eq(dns_trust(&d, list, 2, why, sizeof(why)), 1);
	/* the system's own "options trust-ad" */
	d.res.options |= RES_TRUSTAD;
	ck_assert_int_eq(dns_trust(&d, NULL, 0, why, sizeof(why)), 1);
	fake_stop();
}
END_TEST

/* The AD bit of a trusted server's replies, per lookup. */
START_TEST(test_dns_ad)
{
	struct carrier_error err;
	struct tlsa *t = calloc(TLSA_MAX, sizeof(*t));
	size_t n;

	ck_assert_ptr_nonnull(t);
	fake_start(_i ? FAKE_INSECURE : FAKE_SECURE);
	ck_assert_int_eq(dns_trust(&d, NULL, 0, NULL, 0), 1);
	ck_assert_int_eq(dns_addrs(&d, "mx1.example.org", DNS_WANT_V4 |
	    DNS_WANT_V6, monotime_ms() + 5000, addrs, DNSMSG_ADDR_MAX, &n,
	    &err), CARRIER_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(d.ad, !_i);
	ck_assert_int_eq(dns_tlsa(&d, "mx1.example.org", monotime_ms() + 5000,
	    t, TLSA_MAX, &n, &err), CARRIER_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(d.ad, !_i);
	ck_assert_uint_eq(t[0].usage, 3);
	ck_assert_uint_eq(t[0].len, 32);
	ck_assert_int_eq(tlsa_usable(&t[0]), 1);
	ck_assert_int_eq(tlsa_usable(&t[1]), 0);
	/* no records: the name does not exist, or has none */
	ck_assert_int_eq(dns_tlsa(&d, "gone.example.org", monotime_ms() +
	    5000, t, TLSA_MAX, &n, &err), CARRIER_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(dns_tlsa(&d, "mx2.example.org", monotime_ms() + 5000,
	    t, TLSA_MAX, &n, &err), CARRIER_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(d.ad, !_i);
	/* SERVFAIL (bogus, to a validating resolver): temporary */
	ck_assert_int_eq(dns_tlsa(&d, "bogus.example.org", monotime_ms() +
	    5000, t, TLSA_MAX, &n, &err), CARRIER_TEMP);
	ck_assert_int_eq(d.ad, 0);
	ck_assert_str_eq(err.text, "cannot look up the TLSA records of "
	    "_25._tcp.bogus.example.org: the DNS server said SERVFAIL");
	ck_assert_str_eq(err.enhanced, "4.4.3");
	/* an AD bit from a server not trusted counts for nothing */
	d.trusted = 0;
	ck_assert_int_eq(dns_tlsa(&d, "mx1.example.org", monotime_ms() + 5000,
	    t, TLSA_MAX, &n, &err), CARRIER_OK);
	ck_assert_int_eq(d.ad, 0);
	fake_stop();
	free(t);
}
END_TEST

START_TEST(test_dns_close_twice)
{
	struct dns d2;

	ck_assert_int_eq(dns_open(&d2), 0);
	ck_assert_int_eq(d2.open, 1);
	dns_close(&d2);
	ck_assert_int_eq(d2.open, 0);
	dns_close(&d2);
	dns_close(NULL);
}
END_TEST

Suite *
dns_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_dns_mx_answered);
	tcase_add_test(tc, test_dns_mx_no_search);
	tcase_add_loop_test(tc, test_dns_fail_table, 0,
	    sizeof(fails) / sizeof(fails[0]));
	tcase_add_test(tc, test_dns_mx_nodata);
	tcase_add_loop_test(tc, test_dns_mx_silent_table, 0,
	    sizeof(silent) / sizeof(silent[0]));
	tcase_add_test(tc, test_dns_mx_out_of_time);
	tcase_add_test(tc, test_dns_mx_big_over_tcp);
	tcase_add_test(tc, test_dns_mx_refused_port);
	tcase_add_test(tc, test_dns_bad_name);
	tcase_add_test(tc, test_dns_addrs_v4_only);
	tcase_add_test(tc, test_dns_addrs_want);
	tcase_add_test(tc, test_dns_addrs_v6_silent);
	tcase_add_test(tc, test_dns_trust);
	tcase_add_loop_test(tc, test_dns_ad, 0, 2);
	tcase_add_test(tc, test_dns_close_twice);
	suite_add_tcase(s, tc);
	return s;
}
