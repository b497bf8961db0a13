/* SPDX-License-Identifier: ISC */
/*
 * check_dnsmsg.c: DNS answer parsing, on answers captured from a real
 * server and on answers made by hand (dnspkt.h), hostile ones included.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <stdio.h>
#include <string.h>

#include "tests.h"
#include "compat.h"
#include "dnspkt.h"
#include "dnsmsg.h"

/*
 * Captured from dnsmasq 2.90 (Debian 12), started as
 *	dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts \
 *	    --port=53531 --listen-address=127.0.0.1 --bind-interfaces \
 *	    --mx-host=example.org,mx2.example.org,20 \
 *	    --mx-host=example.org,mx1.example.org,10 \
 *	    --mx-host=example.org,mx3.example.org,10 \
 *	    --host-record=mx1.example.org,192.0.2.1,2001:db8::1 \
 *	    --host-record=mx2.example.org,192.0.2.2 \
 *	    --cname=mail.example.org,mx1.example.org
 * and asked over UDP by a few lines of Python (id 0x1234, RD): cap_mx is
 * the answer to "example.org MX" (three MX, the addresses of two in the
 * additional section), cap_a to "mail.example.org A" and cap_aaaa to
 * "mail.example.org AAAA" (a CNAME, then the address), cap_refused to
 * "nosuch.example.org MX" (REFUSED: dnsmasq is not that zone's server).
 */
static const unsigned char cap_mx[] = {
	0x12, 0x34, 0x85, 0x80, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03,
	0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x6f, 0x72, 0x67,
	0x00, 0x00, 0x0f, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x13, 0x00, 0x0a, 0x03, 0x6d, 0x78, 0x33, 0x07,
	0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x6f, 0x72, 0x67, 0x00,
	0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13,
	0x00, 0x0a, 0x03, 0x6d, 0x78, 0x31, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70,
	0x6c, 0x65, 0x03, 0x6f, 0x72, 0x67, 0x00, 0xc0, 0x0c, 0x00, 0x0f, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13, 0x00, 0x14, 0x03, 0x6d, 0x78,
	0x32, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x6f, 0x72,
	0x67, 0x00, 0xc0, 0x4a, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x04, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x4a, 0x00, 0x1c, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x69,
	0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xc0, 0x00,
	0x02, 0x02,
};
static const unsigned char cap_a[] = {
	0x12, 0x34, 0x85, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x6d, 0x61, 0x69, 0x6c, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
	0x65, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c,
	0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x03, 0x6d,
	0x78, 0x31, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x6f,
	0x72, 0x67, 0x00, 0xc0, 0x2e, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01,
};
static const unsigned char cap_aaaa[] = {
	0x12, 0x34, 0x85, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x6d, 0x61, 0x69, 0x6c, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
	0x65, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x1c, 0x00, 0x01, 0xc0, 0x0c,
	0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x03, 0x6d,
	0x78, 0x31, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x6f,
	0x72, 0x67, 0x00, 0xc0, 0x2e, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
};
static const unsigned char cap_refused[] = {
	0x12, 0x34, 0x81, 0x85, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x6e, 0x6f, 0x73, 0x75, 0x63, 0x68, 0x07, 0x65, 0x78, 0x61, 0x6d,
	0x70, 0x6c, 0x65, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x0f, 0x00, 0x01,
};

static struct dnspkt pkt;
static struct dns_mx mx[DNSMSG_MX_MAX];
static struct dns_addr addrs[DNSMSG_ADDR_MAX];

/* The MX list as "10 a,20 b" in buf. */
static const char *
mx_list(const struct dns_mx *m, size_t n, char *buf, size_t size)
{
	size_t i, len = 0;
	int k;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		k = snprintf(buf + len, size - len, "%s%u %s", i ? "," : "",
		    m[i].pref, m[i].name);
		ck_assert(k > 0 && (size_t)k < size - len);
		len += (size_t)k;
	}
	return buf;
}

/* The addresses as "192.0.2.1,2001:db8::1" in buf. */
static const char *
addr_list(const struct dns_addr *a, size_t n, char *buf, size_t size)
{
	char one[INET6_ADDRSTRLEN];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(inet_ntop(a[i].family, a[i].addr, one,
		    sizeof(one)));
		if (i > 0)
			ck_assert_uint_lt(strlcat(buf, ",", size), size);
		ck_assert_uint_lt(strlcat(buf, one, size), size);
	}
	return buf;
}

/* dnsmsg_mx on pkt for qname: the result, and the list in list. */
static enum dnsmsg_result
mx_of(const char *qname, size_t max, char *list, size_t size, int *nullmx,
    char *why, size_t whylen)
{
	enum dnsmsg_result r;
	size_t n = 99;

	r = dnsmsg_mx(pkt.buf, pkt.len, qname, mx, max, &n, nullmx, why,
	    whylen);
	ck_assert_uint_le(n, max);
	if (r != DNSMSG_OK)
		ck_assert_uint_eq(n, 0);
	mx_list(mx, n, list, size);
	return r;
}

/*
 * mx_of for "example.org", max DNSMSG_MX_MAX: BAD expected, with why
 * (any reason when NULL).
 */
static void
mx_bad(const char *want_why)
{
	char list[256], why[128];
	int nullmx;

	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), DNSMSG_BAD);
	if (want_why != NULL)
		ck_assert_str_eq(why, want_why);
	else
		ck_assert_str_ne(why, "");
}

START_TEST(test_dnsmsg_mx_captured)
{
	char list[256], why[64];
	size_t n;
	int nullmx;

	ck_assert_int_eq(dnsmsg_mx(cap_mx, sizeof(cap_mx), "example.org", mx,
	    DNSMSG_MX_MAX, &n, &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(mx_list(mx, n, list, sizeof(list)),
	    "10 mx3.example.org,10 mx1.example.org,20 mx2.example.org");
	ck_assert_int_eq(nullmx, 0);
	/* The same with a trailing dot and another case. */
	ck_assert_int_eq(dnsmsg_mx(cap_mx, sizeof(cap_mx), "Example.ORG.",
	    mx, 2, &n, &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(mx_list(mx, n, list, sizeof(list)),
	    "10 mx3.example.org,10 mx1.example.org");
	/* Another name asked. */
	ck_assert_int_eq(dnsmsg_mx(cap_mx, sizeof(cap_mx), "example.com",
	    mx, DNSMSG_MX_MAX, &n, &nullmx, why, sizeof(why)), DNSMSG_BAD);
	ck_assert_str_eq(why, "the question is not the one asked");
}
END_TEST

START_TEST(test_dnsmsg_addrs_captured)
{
	char list[256], why[64];
	size_t n;

	ck_assert_int_eq(dnsmsg_addrs(cap_a, sizeof(cap_a),
	    "mail.example.org", ns_t_a, addrs, DNSMSG_ADDR_MAX, &n, why,
	    sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(addr_list(addrs, n, list, sizeof(list)),
	    "192.0.2.1");
	ck_assert_int_eq(dnsmsg_addrs(cap_aaaa, sizeof(cap_aaaa),
	    "mail.example.org", ns_t_aaaa, addrs, DNSMSG_ADDR_MAX, &n, why,
	    sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(addr_list(addrs, n, list, sizeof(list)),
	    "2001:db8::1");
	/* The A answer is not an answer to an AAAA question. */
	ck_assert_int_eq(dnsmsg_addrs(cap_a, sizeof(cap_a),
	    "mail.example.org", ns_t_aaaa, addrs, DNSMSG_ADDR_MAX, &n, why,
	    sizeof(why)), DNSMSG_BAD);
	ck_assert_int_eq(dnsmsg_addrs(cap_a, sizeof(cap_a),
	    "mail.example.org", ns_t_mx, addrs, DNSMSG_ADDR_MAX, &n, why,
	    sizeof(why)), DNSMSG_BAD);
	ck_assert_str_eq(why, "not an address type");
}
END_TEST

START_TEST(test_dnsmsg_mx_captured_refused)
{
	char why[64];
	size_t n;
	int nullmx;

	ck_assert_int_eq(dnsmsg_mx(cap_refused, sizeof(cap_refused),
	    "nosuch.example.org", mx, DNSMSG_MX_MAX, &n, &nullmx, why,
	    sizeof(why)), DNSMSG_SERVFAIL);
	ck_assert_str_eq(why, "REFUSED");
}
END_TEST

/* Every prefix of a good answer is refused, and so is a longer one. */
static const struct {
	const unsigned char	*pkt;
	size_t			 len;
	const char		*qname;
	int			 type;
} whole[] = {
	{ cap_mx, sizeof(cap_mx), "example.org", ns_t_mx },
	{ cap_a, sizeof(cap_a), "mail.example.org", ns_t_a },
	{ cap_aaaa, sizeof(cap_aaaa), "mail.example.org", ns_t_aaaa },
	{ cap_refused, sizeof(cap_refused), "nosuch.example.org", ns_t_mx },
};

START_TEST(test_dnsmsg_truncated_every_length)
{
	unsigned char buf[512];
	char why[64];
	size_t len, n;
	int nullmx;
	enum dnsmsg_result r;

	memcpy(buf, whole[_i].pkt, whole[_i].len);
	buf[whole[_i].len] = 0;
	for (len = 0; len <= whole[_i].len + 1; len++) {
		if (whole[_i].type == ns_t_mx)
			r = dnsmsg_mx(buf, len, whole[_i].qname, mx,
			    DNSMSG_MX_MAX, &n, &nullmx, why, sizeof(why));
		else
			r = dnsmsg_addrs(buf, len, whole[_i].qname,
			    whole[_i].type, addrs, DNSMSG_ADDR_MAX, &n, why,
			    sizeof(why));
		if (len == whole[_i].len)
			ck_assert_int_ne(r, DNSMSG_BAD);
		else {
			ck_assert_msg(r == DNSMSG_BAD, "length %zu: %d", len,
			    r);
			ck_assert_uint_eq(n, 0);
			ck_assert_str_ne(why, "");
		}
	}
}
END_TEST

START_TEST(test_dnsmsg_length)
{
	unsigned char buf[1024];

	memset(buf, 0xff, sizeof(buf));
	memcpy(buf, whole[_i].pkt, whole[_i].len);
	ck_assert_uint_eq(dnsmsg_length(buf, sizeof(buf)), whole[_i].len);
	ck_assert_uint_eq(dnsmsg_length(buf, whole[_i].len), whole[_i].len);
	ck_assert_uint_eq(dnsmsg_length(buf, whole[_i].len - 1), 0);
	ck_assert_uint_eq(dnsmsg_length(buf, 11), 0);
}
END_TEST

START_TEST(test_dnsmsg_mx_sorted_stable)
{
	char list[256], why[64];
	int nullmx;

	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_mx(&pkt, "example.org", 20, "A.example.org");
	dnspkt_mx(&pkt, "EXAMPLE.org", 10, "b.example.net");
	dnspkt_mx(&pkt, "example.org", 20, "c.example.org");
	dnspkt_addr(&pkt, "example.org", "192.0.2.9");
	dnspkt_mx(&pkt, "other.example.org", 1, "x.example.org");
	dnspkt_mx(&pkt, "example.org", 5, "d.Example.org.");
	dnspkt_mx(&pkt, "example.org", 10, "e.example.org");
	dnspkt_mx(&pkt, "example.org", 10, "b.example.net");
	dnspkt_mx(&pkt, "example.org", 65535, "f.example.org");
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(list, "5 d.example.org,10 b.example.net,"
	    "10 e.example.org,20 a.example.org,20 c.example.org,"
	    "65535 f.example.org");
	ck_assert_str_eq(why, "");
	/* Without compression: the same. */
	pkt.nocompress = 1;
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	pkt.nocompress = 1;
	dnspkt_mx(&pkt, "example.org", 20, "a.example.org");
	dnspkt_mx(&pkt, "example.org", 10, "b.example.net");
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(list, "10 b.example.net,20 a.example.org");
	/* max: the most preferred kept, in order. */
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_mx(&pkt, "example.org", 30, "a.example.org");
	dnspkt_mx(&pkt, "example.org", 10, "b.example.org");
	dnspkt_mx(&pkt, "example.org", 20, "c.example.org");
	dnspkt_mx(&pkt, "example.org", 10, "d.example.org");
	dnspkt_mx(&pkt, "example.org", 10, "e.example.org");
	ck_assert_int_eq(mx_of("example.org", 2, list, sizeof(list),
	    &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(list, "10 b.example.org,10 d.example.org");
	ck_assert_int_eq(mx_of("example.org", 0, list, sizeof(list),
	    &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(list, "");
}
END_TEST

/* Names come out in presentation form: escapes kept, case folded. */
START_TEST(test_dnsmsg_mx_presentation)
{
	char list[256], why[64];
	int nullmx;

	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_rr(&pkt, "example.org", ns_t_mx,
	    "\0\12\3a.B\7example\3or.\0", 19);
	dnspkt_rr(&pkt, "example.org", ns_t_mx, "\0\24\2\001\\\0", 6);
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(list, "10 a\\.b.example.or\\.,20 \\001\\\\");
	ck_assert_int_eq(dnsmsg_name_ok("a\\.b.example.or\\."), 0);
}
END_TEST

START_TEST(test_dnsmsg_mx_huge)
{
	char name[64], why[64];
	struct dns_mx big[DNSMSG_MX_MAX + 1];
	size_t i, n;
	int nullmx;

	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	for (i = 0; i < 300; i++) {
		(void)snprintf(name, sizeof(name), "mx%zu.example.org", i);
		dnspkt_mx(&pkt, "example.org", (unsigned int)(300 - i), name);
	}
	ck_assert_uint_gt(pkt.len, 512);
	big[DNSMSG_MX_MAX].pref = 12345;
	ck_assert_int_eq(dnsmsg_mx(pkt.buf, pkt.len, "example.org", big,
	    DNSMSG_MX_MAX, &n, &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_uint_eq(n, DNSMSG_MX_MAX);
	ck_assert_uint_eq(big[DNSMSG_MX_MAX].pref, 12345);
	for (i = 0; i < n; i++) {
		(void)snprintf(name, sizeof(name), "mx%zu.example.org",
		    299 - i);
		ck_assert_uint_eq(big[i].pref, i + 1);
		ck_assert_str_eq(big[i].name, name);
	}
}
END_TEST

START_TEST(test_dnsmsg_mx_cname_chain)
{
	char list[256], why[64];
	int nullmx;

	/* In any order: records first, the links reversed. */
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_mx(&pkt, "c.example.net", 10, "mx.example.net");
	dnspkt_mx(&pkt, "example.org", 5, "stale.example.org");
	dnspkt_cname(&pkt, "B.example.net", "c.example.net");
	dnspkt_cname(&pkt, "example.org", "b.example.net");
	dnspkt_mx(&pkt, "b.example.net", 5, "stale.example.net");
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(list, "10 mx.example.net");
	/* A chain that ends at a name without records: none. */
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_cname(&pkt, "example.org", "b.example.net");
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(list, "");
}
END_TEST

START_TEST(test_dnsmsg_cname_bad)
{
	char name[64], next[64];
	int i;

	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_cname(&pkt, "example.org", "example.org");
	mx_bad("CNAME loop");
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_cname(&pkt, "example.org", "a.example.net");
	dnspkt_cname(&pkt, "a.example.net", "b.example.net");
	dnspkt_cname(&pkt, "b.example.net", "A.example.net");
	dnspkt_mx(&pkt, "b.example.net", 10, "mx.example.net");
	mx_bad("CNAME loop");
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_cname(&pkt, "example.org", "a.example.net");
	dnspkt_cname(&pkt, "example.org", "b.example.net");
	mx_bad("two CNAME records for one name");
	/* DNSMSG_CNAME_MAX links are followed, not one more. */
	for (i = DNSMSG_CNAME_MAX; i <= DNSMSG_CNAME_MAX + 1; i++) {
		dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
		(void)strlcpy(name, "example.org", sizeof(name));
		for (int k = 0; k < i; k++) {
			(void)snprintf(next, sizeof(next), "c%d.example.net",
			    k);
			dnspkt_cname(&pkt, name, next);
			(void)strlcpy(name, next, sizeof(name));
		}
		dnspkt_mx(&pkt, name, 10, "mx.example.net");
		if (i == DNSMSG_CNAME_MAX) {
			char list[256], why[64];
			int nullmx;

			ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX,
			    list, sizeof(list), &nullmx, why, sizeof(why)),
			    DNSMSG_OK);
			ck_assert_str_eq(list, "10 mx.example.net");
		} else
			mx_bad("CNAME chain too long");
	}
	/* A CNAME whose rdata runs past its name. */
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_rr(&pkt, "example.org", ns_t_cname, "\1a\0\0", 4);
	mx_bad("malformed CNAME record");
}
END_TEST

START_TEST(test_dnsmsg_mx_null)
{
	char list[256], why[64];
	int nullmx;

	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_mx(&pkt, "example.org", 0, ".");
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(list, "");
	ck_assert_int_eq(nullmx, 1);
	/* Beside other records (RFC 7505 3 forbids it): the caller sees. */
	dnspkt_mx(&pkt, "example.org", 10, "mx.example.org");
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(list, "10 mx.example.org");
	ck_assert_int_eq(nullmx, 1);
}
END_TEST

START_TEST(test_dnsmsg_mx_nodata)
{
	char list[256], why[64];
	int nullmx = -1;
	size_t at;

	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(list, "");
	ck_assert_int_eq(nullmx, 0);
	/* Records of another type or class only. */
	dnspkt_addr(&pkt, "example.org", "192.0.2.1");
	at = pkt.len;
	dnspkt_mx(&pkt, "example.org", 10, "mx.example.org");
	ck_assert_uint_eq(pkt.buf[at + 3], ns_t_mx);
	pkt.buf[at + 5] = ns_c_chaos;		/* the MX's class */
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(list, "");
}
END_TEST

static const struct {
	int		 rcode;
	enum dnsmsg_result res;
	const char	*why;
} rcodes[] = {
	{ ns_r_nxdomain, DNSMSG_NXDOMAIN, "NXDOMAIN" },
	{ ns_r_servfail, DNSMSG_SERVFAIL, "SERVFAIL" },
	{ ns_r_refused, DNSMSG_SERVFAIL, "REFUSED" },
	{ ns_r_formerr, DNSMSG_SERVFAIL, "FORMERR" },
	{ ns_r_notimpl, DNSMSG_SERVFAIL, "NOTIMP" },
	{ 11, DNSMSG_SERVFAIL, "rcode 11" },
	{ 15, DNSMSG_SERVFAIL, "rcode 15" },
};

START_TEST(test_dnsmsg_rcode)
{
	char list[256], why[64];
	int nullmx;
	size_t n;

	dnspkt_answer(&pkt, "example.org", ns_t_mx, rcodes[_i].rcode);
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), rcodes[_i].res);
	ck_assert_str_eq(why, rcodes[_i].why);
	ck_assert_int_eq(dnsmsg_addrs(pkt.buf, pkt.len, "example.org",
	    ns_t_aaaa, addrs, DNSMSG_ADDR_MAX, &n, why, sizeof(why)),
	    DNSMSG_BAD);
	/* The rcode stands even when truncated. */
	pkt.buf[2] |= 0x02;
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), rcodes[_i].res);
	/* Without the question: an error stands, NXDOMAIN does not. */
	pkt.len = NS_HFIXEDSZ;
	pkt.buf[5] = 0;
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)),
	    rcodes[_i].res == DNSMSG_NXDOMAIN ? DNSMSG_BAD : DNSMSG_SERVFAIL);
}
END_TEST

/* A one-MX answer to example.org with its byte at off set to v. */
static void
mx_poke(size_t off, unsigned char v)
{
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_mx(&pkt, "example.org", 10, "mx.example.org");
	ck_assert_uint_lt(off, pkt.len);
	pkt.buf[off] = v;
}

START_TEST(test_dnsmsg_mx_header_bad)
{
	/* Layout: header 0-11, question 12-28, MX owner 29-30, type 31-32,
	 * class 33-34, TTL 35-38, rdlength 39-40, pref 41-42, name 43-.. */
	mx_poke(2, 0x01);			/* QR clear */
	mx_bad("not the answer to a query");
	mx_poke(2, 0x81 | (ns_o_update << 3));
	mx_bad("not the answer to a query");
	mx_poke(2, 0x83);			/* TC */
	mx_bad("truncated answer (TC)");
	mx_poke(5, 2);				/* two questions */
	mx_bad("malformed message");
	mx_poke(7, 2);				/* ancount past the data */
	mx_bad("malformed message");
	mx_poke(7, 0);				/* data past the counts */
	mx_bad("malformed message");
	mx_poke(11, 1);				/* arcount */
	mx_bad("malformed message");
	mx_poke(13, 'x');			/* question name */
	mx_bad("the question is not the one asked");
	mx_poke(26, ns_t_a);			/* question type */
	mx_bad("the question is not the one asked");
	mx_poke(28, ns_c_chaos);		/* question class */
	mx_bad("the question is not the one asked");
}
END_TEST

START_TEST(test_dnsmsg_mx_names_bad)
{
	mx_poke(30, 29);			/* owner points at itself */
	mx_bad("malformed record");
	mx_poke(29, 0xff);			/* owner out of bounds */
	mx_bad("malformed record");
	mx_poke(29, 0x80);			/* label type 10 */
	mx_bad("malformed message");
	/* The exchange's first label turned into a pointer to itself. */
	mx_poke(43, 0xc0);
	pkt.buf[44] = 43;
	mx_bad("malformed MX record");
	mx_poke(44, 0xff);			/* pointer past the end */
	pkt.buf[43] = 0xff;
	mx_bad("malformed MX record");
	/* The question name pointing forward, into a loop. */
	mx_poke(12, 0xc0);
	pkt.buf[13] = 29;
	mx_bad(NULL);
}
END_TEST

/*
 * MX rdata of preference 10 and a name of nlab labels of len octets c
 * into rd (300 octets); its length.
 */
static size_t
long_name(unsigned char *rd, int nlab, int len, int c)
{
	size_t at = 2;
	int i;

	rd[0] = 0;
	rd[1] = 10;
	for (i = 0; i < nlab; i++) {
		ck_assert_uint_lt(at + 1 + (size_t)len, 300);
		rd[at] = (unsigned char)len;
		memset(rd + at + 1, c, (size_t)len);
		at += 1 + (size_t)len;
	}
	rd[at++] = 0;
	return at;
}

START_TEST(test_dnsmsg_mx_rdata_bad)
{
	unsigned char rd[300];
	char list[512], why[64];
	int nullmx;

	mx_poke(40, pkt.buf[40] + 1);		/* rdlength past the name */
	mx_bad("malformed message");
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_rr(&pkt, "example.org", ns_t_mx, "\0\12\2mx\0\0", 7);
	mx_bad("malformed MX record");
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_rr(&pkt, "example.org", ns_t_mx, "\0\12\2mx", 5);
	mx_bad("malformed MX record");
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_rr(&pkt, "example.org", ns_t_mx, "\0\12", 2);
	mx_bad("malformed MX record");
	/* 249 octets of name, more than 255 chars in presentation form. */
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_rr(&pkt, "example.org", ns_t_mx, rd, long_name(rd, 4, 61, '.'));
	mx_bad("malformed MX record");
	/* 256 octets: not a name. */
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_rr(&pkt, "example.org", ns_t_mx, rd, long_name(rd, 5, 50, 'a'));
	mx_bad("malformed MX record");
	/* 253 octets, 251 chars: the longest name there is. */
	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	dnspkt_rr(&pkt, "example.org", ns_t_mx, rd, long_name(rd, 4, 62, 'a'));
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, sizeof(why)), DNSMSG_OK);
	ck_assert_uint_eq(strlen(list), 3 + 251);
}
END_TEST

START_TEST(test_dnsmsg_addrs_built)
{
	char list[512], why[64];
	size_t n;

	dnspkt_answer(&pkt, "mx.example.org", ns_t_aaaa, ns_r_noerror);
	dnspkt_cname(&pkt, "mx.example.org", "host.example.net");
	dnspkt_addr(&pkt, "host.example.net", "2001:db8::2");
	dnspkt_addr(&pkt, "host.example.net", "192.0.2.7");
	dnspkt_addr(&pkt, "mx.example.org", "2001:db8::99");
	dnspkt_addr(&pkt, "other.example.net", "2001:db8::98");
	dnspkt_addr(&pkt, "HOST.example.net", "2001:db8::1");
	dnspkt_addr(&pkt, "host.example.net", "2001:db8::2");
	dnspkt_addr(&pkt, "host.example.net", "2001:db8::3");
	ck_assert_int_eq(dnsmsg_addrs(pkt.buf, pkt.len, "mx.example.org",
	    ns_t_aaaa, addrs, DNSMSG_ADDR_MAX, &n, why, sizeof(why)),
	    DNSMSG_OK);
	ck_assert_str_eq(addr_list(addrs, n, list, sizeof(list)),
	    "2001:db8::2,2001:db8::1,2001:db8::3");
	ck_assert_int_eq(dnsmsg_addrs(pkt.buf, pkt.len, "mx.example.org",
	    ns_t_aaaa, addrs, 2, &n, why, sizeof(why)), DNSMSG_OK);
	ck_assert_str_eq(addr_list(addrs, n, list, sizeof(list)),
	    "2001:db8::2,2001:db8::1");
	/* An AAAA of 15 octets: the whole answer is refused. */
	dnspkt_rr(&pkt, "host.example.net", ns_t_aaaa,
	    "0123456789abcde", 15);
	ck_assert_int_eq(dnsmsg_addrs(pkt.buf, pkt.len, "mx.example.org",
	    ns_t_aaaa, addrs, DNSMSG_ADDR_MAX, &n, why, sizeof(why)),
	    DNSMSG_BAD);
	ck_assert_str_eq(why, "malformed AAAA record");
	ck_assert_uint_eq(n, 0);
	/* ... but of another owner it is skipped. */
	dnspkt_answer(&pkt, "mx.example.org", ns_t_a, ns_r_noerror);
	dnspkt_rr(&pkt, "x.example.org", ns_t_a, "12345", 5);
	dnspkt_addr(&pkt, "mx.example.org", "192.0.2.1");
	ck_assert_int_eq(dnsmsg_addrs(pkt.buf, pkt.len, "mx.example.org",
	    ns_t_a, addrs, DNSMSG_ADDR_MAX, &n, why, sizeof(why)),
	    DNSMSG_OK);
	ck_assert_str_eq(addr_list(addrs, n, list, sizeof(list)),
	    "192.0.2.1");
	ck_assert_int_eq(addrs[0].family, AF_INET);
	dnspkt_rr(&pkt, "mx.example.org", ns_t_a, "123", 3);
	ck_assert_int_eq(dnsmsg_addrs(pkt.buf, pkt.len, "mx.example.org",
	    ns_t_a, addrs, DNSMSG_ADDR_MAX, &n, why, sizeof(why)),
	    DNSMSG_BAD);
	ck_assert_str_eq(why, "malformed A record");
}
END_TEST

START_TEST(test_dnsmsg_qname_bad)
{
	char list[256], why[64], name[300];
	int nullmx;

	dnspkt_answer(&pkt, "example.org", ns_t_mx, ns_r_noerror);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_int_eq(mx_of(name, DNSMSG_MX_MAX, list, sizeof(list),
	    &nullmx, why, sizeof(why)), DNSMSG_BAD);
	ck_assert_str_eq(why, "the name asked is not a name");
	/* A short why is cut, and none at all is fine. */
	mx_poke(2, 0x01);
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, why, 4), DNSMSG_BAD);
	ck_assert_str_eq(why, "not");
	ck_assert_int_eq(mx_of("example.org", DNSMSG_MX_MAX, list,
	    sizeof(list), &nullmx, NULL, 0), DNSMSG_BAD);
}
END_TEST

static const struct {
	const char	*name;
	int		 ok;
} names[] = {
	{ "mx.example.org", 1 },
	{ "mx.example.org.", 1 },
	{ "MX-1.Example.ORG", 1 },
	{ "localhost", 1 },
	{ "_mx._tcp.example.org", 1 },
	{ "a_b.example.org", 1 },
	{ "1.2.3.example.org", 1 },
	{ "123.example", 1 },
	{ "x--y.example", 1 },
	{ "xn--bcher-kva.example", 1 },
	{ "0x7g.example", 1 },
	{ "", 0 },
	{ ".", 0 },
	{ "..", 0 },
	{ "a..b", 0 },
	{ ".example.org", 0 },
	{ "example.org..", 0 },
	{ "-mx.example.org", 0 },
	{ "mx-.example.org", 0 },
	{ "mx.example.org-", 0 },
	{ "mx.example.-org", 0 },
	{ "mx example.org", 0 },
	{ "mx\\.example.org", 0 },
	{ "mx.exa\\032mple.org", 0 },
	{ "m\xc3\xa9l.example", 0 },
	{ "mx@example.org", 0 },
	{ "[192.0.2.1]", 0 },
	{ "192.0.2.1", 0 },
	{ "192.0.2.1.", 0 },
	{ "2001:db8::1", 0 },
	{ "127.1", 0 },
	{ "0x7f.1", 0 },
	{ "0x7f000001", 0 },
	{ "017700000001", 0 },
	{ "example.123", 0 },
	/* 63 octets in a label, not 64. */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".org", 1 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".org", 0 },
};

START_TEST(test_dnsmsg_name_ok_table)
{
	ck_assert_msg(dnsmsg_name_ok(names[_i].name) == names[_i].ok,
	    "\"%s\": not %d", names[_i].name, names[_i].ok);
}
END_TEST

START_TEST(test_dnsmsg_name_ok_length)
{
	char name[300];
	size_t i;

	/* 253 octets (labels of 49), with a trailing dot too; 254. */
	for (i = 0; i < sizeof(name); i++)
		name[i] = i % 50 == 49 ? '.' : 'a';
	name[253] = '\0';
	ck_assert_int_eq(dnsmsg_name_ok(name), 1);
	name[253] = '.';
	name[254] = '\0';
	ck_assert_int_eq(dnsmsg_name_ok(name), 1);
	name[253] = 'a';
	ck_assert_int_eq(dnsmsg_name_ok(name), 0);
}
END_TEST

/* dnsmsg_each's callback: counts the records and their octets. */
static void
each_count(void *arg, const unsigned char *rdata, size_t rdlen)
{
	size_t *count = arg;

	ck_assert_ptr_nonnull(rdata);
	count[0]++;
	count[1] += rdlen;
}

/* The records of a type, handed over raw; not on a bad answer. */
START_TEST(test_dnsmsg_each)
{
	size_t count[2] = { 0, 0 };
	char why[64];

	ck_assert_int_eq(dnsmsg_each(cap_mx, sizeof(cap_mx), "example.org",
	    ns_t_mx, each_count, count, why, sizeof(why)), DNSMSG_OK);
	ck_assert_uint_eq(count[0], 3);
	ck_assert_uint_eq(count[1], 3 * 19);	/* pref, a 17-octet name */
	count[0] = count[1] = 0;
	ck_assert_int_eq(dnsmsg_each(cap_a, sizeof(cap_a), "mail.example.org",
	    ns_t_a, each_count, count, why, sizeof(why)), DNSMSG_OK);
	ck_assert_uint_eq(count[0], 1);
	ck_assert_uint_eq(count[1], 4);
	ck_assert_int_eq(dnsmsg_each(cap_a, sizeof(cap_a), "mail.example.org",
	    ns_t_aaaa, each_count, count, why, sizeof(why)), DNSMSG_BAD);
	ck_assert_int_eq(dnsmsg_each(cap_refused, sizeof(cap_refused),
	    "nosuch.example.org", ns_t_mx, each_count, count, why,
	    sizeof(why)), DNSMSG_SERVFAIL);
	ck_assert_uint_eq(count[0], 1);
}
END_TEST

Suite *
dnsmsg_suite(void)
{
	Suite *s = suite_create("dnsmsg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dnsmsg_mx_captured);
	tcase_add_test(tc, test_dnsmsg_addrs_captured);
	tcase_add_test(tc, test_dnsmsg_mx_captured_refused);
	tcase_add_loop_test(tc, test_dnsmsg_truncated_every_length, 0,
	    sizeof(whole) / sizeof(whole[0]));
	tcase_add_loop_test(tc, test_dnsmsg_length, 0,
	    sizeof(whole) / sizeof(whole[0]));
	tcase_add_test(tc, test_dnsmsg_mx_sorted_stable);
	tcase_add_test(tc, test_dnsmsg_mx_presentation);
	tcase_add_test(tc, test_dnsmsg_mx_huge);
	tcase_add_test(tc, test_dnsmsg_mx_cname_chain);
	tcase_add_test(tc, test_dnsmsg_cname_bad);
	tcase_add_test(tc, test_dnsmsg_mx_null);
	tcase_add_test(tc, test_dnsmsg_mx_nodata);
	tcase_add_loop_test(tc, test_dnsmsg_rcode, 0,
	    sizeof(rcodes) / sizeof(rcodes[0]));
	tcase_add_test(tc, test_dnsmsg_mx_header_bad);
	tcase_add_test(tc, test_dnsmsg_mx_names_bad);
	tcase_add_test(tc, test_dnsmsg_mx_rdata_bad);
	tcase_add_test(tc, test_dnsmsg_addrs_built);
	tcase_add_test(tc, test_dnsmsg_qname_bad);
	tcase_add_loop_test(tc, test_dnsmsg_name_ok_table, 0,
	    sizeof(names) / sizeof(names[0]));
	tcase_add_test(tc, test_dnsmsg_name_ok_length);
	tcase_add_test(tc, test_dnsmsg_each);
	suite_add_tcase(s, tc);
	return s;
}
