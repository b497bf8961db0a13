/* SPDX-License-Identifier: ISC */
/*
 * check_tlsa.c: TLSA records: the RDATA of every length class, which
 * records are usable for SMTP, and TLSA answers made with dnspkt.h
 * (the AD bit, CNAMEs, malformed records kept as unusable, more records
 * than room).
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>

#include <string.h>

#include "tests.h"
#include "compat.h"
#include "dnspkt.h"
#include "dnsmsg.h"
#include "tlsa.h"

#define QNAME	"_25._tcp.mx.example.org"

static const struct {
	unsigned char	 usage, selector, mtype;
	size_t		 dlen;		/* data octets after the three */
	size_t		 rdlen;		/* the RDATA's length, if < 3 */
	const char	*why;		/* NULL: taken */
} rdatas[] = {
	{ 3, 1, 1, 32, 0, NULL },
	{ 2, 0, 1, 32, 0, NULL },
	{ 3, 1, 2, 64, 0, NULL },
	{ 3, 0, 0, 1, 0, NULL },
	{ 2, 1, 0, 294, 0, NULL },
	{ 3, 0, 0, TLSA_DATA_MAX, 0, NULL },
	{ 0, 0, 1, 32, 0, NULL },		/* PKIX: parses, unusable */
	{ 4, 2, 9, 5, 0, NULL },		/* unknown values too */
	{ 255, 255, 255, 100, 0, NULL },
	{ 0, 0, 0, 0, 0, "no certificate association data" },
	{ 3, 0, 0, 0, 1, "no certificate association data" },
	{ 3, 1, 0, 0, 2, "no certificate association data" },
	{ 3, 1, 1, 0, 0, "no certificate association data" },
	{ 3, 1, 1, 31, 0, "SHA2-256 data not 32 octets" },
	{ 3, 1, 1, 33, 0, "SHA2-256 data not 32 octets" },
	{ 3, 1, 1, 64, 0, "SHA2-256 data not 32 octets" },
	{ 3, 1, 2, 63, 0, "SHA2-512 data not 64 octets" },
	{ 3, 1, 2, 65, 0, "SHA2-512 data not 64 octets" },
	{ 3, 1, 2, 32, 0, "SHA2-512 data not 64 octets" },
	{ 3, 0, 0, TLSA_DATA_MAX + 1, 0,
	    "certificate association data over 4096 octets" },
	{ 9, 9, 9, TLSA_DATA_MAX + 1, 0,
	    "certificate association data over 4096 octets" },
};

/* An RDATA: the three octets, then dlen octets counting up. */
static size_t
rdata_make(unsigned char *buf, size_t size, unsigned int usage,
    unsigned int selector, unsigned int mtype, size_t dlen)
{
	size_t i;

	ck_assert_uint_le(3 + dlen, size);
	buf[0] = (unsigned char)usage;
	buf[1] = (unsigned char)selector;
	buf[2] = (unsigned char)mtype;
	for (i = 0; i < dlen; i++)
		buf[3 + i] = (unsigned char)(i * 7 + 1);
	return 3 + dlen;
}

START_TEST(test_tlsa_parse_rdata_table)
{
	static unsigned char buf[TLSA_DATA_MAX + 8];
	static struct tlsa t;
	char why[64];
	size_t len;

	len = rdata_make(buf, sizeof(buf), rdatas[_i].usage,
	    rdatas[_i].selector, rdatas[_i].mtype, rdatas[_i].dlen);
	if (rdatas[_i].rdlen > 0)
		len = rdatas[_i].rdlen;
	memset(&t, 0xaa, sizeof(t));
	if (rdatas[_i].why == NULL) {
		ck_assert_msg(tlsa_parse_rdata(buf, len, &t, why,
		    sizeof(why)) == 0, "rdata %d: %s", _i, why);
		ck_assert_uint_eq(t.len, rdatas[_i].dlen);
		ck_assert_mem_eq(t.data, buf + 3, t.len);
	} else {
		ck_assert_int_eq(tlsa_parse_rdata(buf, len, &t, why,
		    sizeof(why)), -1);
		ck_assert_str_eq(why, rdatas[_i].why);
		ck_assert_uint_eq(t.len, 0);
		ck_assert_int_eq(tlsa_usable(&t), 0);
	}
	ck_assert_uint_eq(t.usage, len > 0 ? rdatas[_i].usage : 0);
	ck_assert_uint_eq(t.selector, len > 1 ? rdatas[_i].selector : 0);
	ck_assert_uint_eq(t.mtype, len > 2 ? rdatas[_i].mtype : 0);
}
END_TEST

static const struct {
	unsigned char	usage, selector, mtype;
	size_t		len;
	int		usable;
} usables[] = {
	{ 3, 1, 1, 32, 1 },		/* DANE-EE SPKI SHA2-256 */
	{ 3, 0, 1, 32, 1 },
	{ 3, 1, 2, 64, 1 },
	{ 3, 0, 0, 900, 1 },
	{ 2, 1, 1, 32, 1 },		/* DANE-TA */
	{ 2, 0, 2, 64, 1 },
	{ 2, 0, 0, 1, 1 },
	{ 0, 0, 1, 32, 0 },		/* PKIX-TA */
	{ 0, 1, 1, 32, 0 },
	{ 1, 1, 1, 32, 0 },		/* PKIX-EE */
	{ 1, 0, 0, 900, 0 },
	{ 4, 1, 1, 32, 0 },		/* unknown usage */
	{ 255, 1, 1, 32, 0 },
	{ 3, 2, 1, 32, 0 },		/* unknown selector */
	{ 3, 255, 1, 32, 0 },
	{ 3, 1, 3, 32, 0 },		/* unknown matching type */
	{ 3, 1, 255, 32, 0 },
	{ 3, 1, 1, 0, 0 },		/* malformed: no data */
	{ 3, 1, 0, 0, 0 },
	{ 3, 1, 1, 31, 0 },		/* lengths set by hand */
	{ 3, 1, 2, 32, 0 },
	{ 3, 1, 0, TLSA_DATA_MAX + 1, 0 },
};

START_TEST(test_tlsa_usable_table)
{
	static struct tlsa t;

	memset(&t, 0, sizeof(t));
	t.usage = usables[_i].usage;
	t.selector = usables[_i].selector;
	t.mtype = usables[_i].mtype;
	t.len = usables[_i].len;
	ck_assert_msg(tlsa_usable(&t) == usables[_i].usable, "%u %u %u %zu",
	    t.usage, t.selector, t.mtype, t.len);
}
END_TEST

static struct dnspkt pkt;
static struct tlsa recs[TLSA_MAX];

/* Appends a TLSA record of qname to pkt. */
static void
add_tlsa(const char *owner, unsigned int usage, unsigned int selector,
    unsigned int mtype, size_t dlen)
{
	unsigned char buf[TLSA_DATA_MAX + 8];
	size_t len;

	len = rdata_make(buf, sizeof(buf), usage, selector, mtype, dlen);
	dnspkt_rr(&pkt, owner, TLSA_TYPE, buf, len);
}

START_TEST(test_tlsa_parse_answer_records)
{
	char why[64];
	size_t n = 99;
	int ad = 7;

	dnspkt_answer(&pkt, QNAME, TLSA_TYPE, ns_r_noerror);
	pkt.buf[3] |= 0x20;		/* AD */
	add_tlsa(QNAME, 3, 1, 1, 32);
	add_tlsa("_25._tcp.other.example.org", 3, 1, 1, 32);
	add_tlsa(QNAME, 1, 1, 1, 32);
	add_tlsa(QNAME, 3, 1, 1, 20);		/* malformed: kept */
	dnspkt_addr(&pkt, QNAME, "192.0.2.1");	/* another type */
	add_tlsa("_25._TCP.MX.Example.ORG", 2, 0, 2, 64);
	ck_assert_int_eq(tlsa_parse_answer(pkt.buf, pkt.len, QNAME ".", recs,
	    TLSA_MAX, &n, &ad, why, sizeof(why)), DNSMSG_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(ad, 1);
	ck_assert_uint_eq(recs[0].usage, 3);
	ck_assert_uint_eq(recs[0].len, 32);
	ck_assert_uint_eq(recs[0].data[1], 8);
	ck_assert_int_eq(tlsa_usable(&recs[0]), 1);
	ck_assert_uint_eq(recs[1].usage, 1);
	ck_assert_int_eq(tlsa_usable(&recs[1]), 0);
	ck_assert_uint_eq(recs[2].len, 0);
	ck_assert_uint_eq(recs[2].mtype, 1);
	ck_assert_int_eq(tlsa_usable(&recs[2]), 0);
	ck_assert_uint_eq(recs[3].usage, 2);
	ck_assert_uint_eq(recs[3].len, 64);
	ck_assert_int_eq(tlsa_usable(&recs[3]), 1);

	/* The same without AD: taken, not validated. */
	pkt.buf[3] &= (unsigned char)~0x20;
	ck_assert_int_eq(tlsa_parse_answer(pkt.buf, pkt.len, QNAME, recs,
	    TLSA_MAX, &n, &ad, why, sizeof(why)), DNSMSG_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(ad, 0);

	/* Room for two: the usable one replaces an unusable one. */
	ck_assert_int_eq(tlsa_parse_answer(pkt.buf, pkt.len, QNAME, recs, 2,
	    &n, &ad, why, sizeof(why)), DNSMSG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(recs[0].usage, 3);
	ck_assert_uint_eq(recs[1].usage, 2);
	ck_assert_int_eq(tlsa_usable(&recs[1]), 1);
	ck_assert_int_eq(tlsa_parse_answer(pkt.buf, pkt.len, QNAME, recs, 0,
	    &n, &ad, why, sizeof(why)), DNSMSG_OK);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_tlsa_parse_answer_cname)
{
	char why[64];
	size_t n;
	int ad;

	dnspkt_answer(&pkt, QNAME, TLSA_TYPE, ns_r_noerror);
	pkt.buf[3] |= 0x20;
	dnspkt_cname(&pkt, QNAME, "_25._tcp.mx.example.net");
	add_tlsa(QNAME, 3, 1, 1, 32);		/* of the alias: not taken */
	add_tlsa("_25._tcp.mx.example.net", 3, 0, 1, 32);
	ck_assert_int_eq(tlsa_parse_answer(pkt.buf, pkt.len, QNAME, recs,
	    TLSA_MAX, &n, &ad, why, sizeof(why)), DNSMSG_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(recs[0].selector, 0);
	ck_assert_int_eq(ad, 1);
}
END_TEST

/*
 * Answers without records, AD set: NODATA (no records, securely),
 * NXDOMAIN (keeps its AD bit), SERVFAIL and REFUSED (none).
 */
static const struct {
	int			 rcode;
	enum dnsmsg_result	 res;
	int			 ad;
	const char		*why;
} empties[] = {
	{ ns_r_noerror, DNSMSG_OK, 1, "" },
	{ ns_r_nxdomain, DNSMSG_NXDOMAIN, 1, "NXDOMAIN" },
	{ ns_r_servfail, DNSMSG_SERVFAIL, 0, "SERVFAIL" },
	{ ns_r_refused, DNSMSG_SERVFAIL, 0, "REFUSED" },
};

START_TEST(test_tlsa_parse_answer_empty)
{
	char why[64];
	size_t n = 99;
	int ad = 7;

	dnspkt_answer(&pkt, QNAME, TLSA_TYPE, empties[_i].rcode);
	pkt.buf[3] |= 0x20;
	ck_assert_int_eq(tlsa_parse_answer(pkt.buf, pkt.len, QNAME, recs,
	    TLSA_MAX, &n, &ad, why, sizeof(why)), empties[_i].res);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(ad, empties[_i].ad);
	ck_assert_str_eq(why, empties[_i].why);
}
END_TEST

START_TEST(test_tlsa_parse_answer_bad)
{
	char why[64];
	size_t n, len;
	int ad;

	/* An answer to another question. */
	dnspkt_answer(&pkt, QNAME, ns_t_mx, ns_r_noerror);
	pkt.buf[3] |= 0x20;
	ck_assert_int_eq(tlsa_parse_answer(pkt.buf, pkt.len, QNAME, recs,
	    TLSA_MAX, &n, &ad, why, sizeof(why)), DNSMSG_BAD);
	ck_assert_str_eq(why, "the question is not the one asked");
	ck_assert_int_eq(ad, 0);
	ck_assert_int_eq(tlsa_parse_answer(pkt.buf, pkt.len, "mx.example.org",
	    recs, TLSA_MAX, &n, &ad, why, sizeof(why)), DNSMSG_BAD);

	/* Every prefix of a good answer. */
	dnspkt_answer(&pkt, QNAME, TLSA_TYPE, ns_r_noerror);
	add_tlsa(QNAME, 3, 1, 1, 32);
	add_tlsa(QNAME, 2, 1, 2, 64);
	for (len = 0; len < pkt.len; len++) {
		n = 99;
		ck_assert_int_eq(tlsa_parse_answer(pkt.buf, len, QNAME, recs,
		    TLSA_MAX, &n, &ad, why, sizeof(why)), DNSMSG_BAD);
		ck_assert_uint_eq(n, 0);
		ck_assert_str_ne(why, "");
	}
	/* Counts past the data: nothing kept. */
	dnspkt_answer(&pkt, QNAME, TLSA_TYPE, ns_r_noerror);
	add_tlsa(QNAME, 3, 1, 1, 32);
	dnspkt_rr(&pkt, QNAME, ns_t_a, "\xc0\x00\x02\x01", 4);
	dnspkt_put16(&pkt, 6, 3);	/* an answer more than there is */
	ck_assert_int_eq(tlsa_parse_answer(pkt.buf, pkt.len, QNAME, recs,
	    TLSA_MAX, &n, &ad, why, sizeof(why)), DNSMSG_BAD);
	ck_assert_uint_eq(n, 0);
}
END_TEST

Suite *
tlsa_suite(void)
{
	Suite *s = suite_create("tlsa");
	TCase *tc = tcase_create("tlsa");

	tcase_add_loop_test(tc, test_tlsa_parse_rdata_table, 0,
	    (int)(sizeof(rdatas) / sizeof(rdatas[0])));
	tcase_add_loop_test(tc, test_tlsa_usable_table, 0,
	    (int)(sizeof(usables) / sizeof(usables[0])));
	tcase_add_test(tc, test_tlsa_parse_answer_records);
	tcase_add_test(tc, test_tlsa_parse_answer_cname);
	tcase_add_loop_test(tc, test_tlsa_parse_answer_empty, 0,
	    (int)(sizeof(empties) / sizeof(empties[0])));
	tcase_add_test(tc, test_tlsa_parse_answer_bad);
	suite_add_tcase(s, tc);
	return s;
}
