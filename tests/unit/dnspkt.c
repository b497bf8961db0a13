/* SPDX-License-Identifier: ISC */
/* dnspkt.c: the tests' DNS message builder (see dnspkt.h). */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <resolv.h>
#include <string.h>

#include "tests.h"
#include "dnspkt.h"

static size_t	dnspkt_name(struct dnspkt *, const char *);
static void	dnspkt_rr_head(struct dnspkt *, const char *, int);
static void	dnspkt_rr_end(struct dnspkt *, size_t);

void
dnspkt_put16(struct dnspkt *p, size_t off, unsigned int v)
{
	ck_assert_uint_le(off + 2, sizeof(p->buf));
	p->buf[off] = (v >> 8) & 0xff;
	p->buf[off + 1] = v & 0xff;
}

/* Appends a name (compressed unless p->nocompress); its length. */
static size_t
dnspkt_name(struct dnspkt *p, const char *name)
{
	int k;

	k = dn_comp(name, p->buf + p->len, (int)(sizeof(p->buf) - p->len),
	    p->nocompress ? NULL : p->dnptrs,
	    p->nocompress ? NULL : &p->dnptrs[DNSPKT_PTRS - 1]);
	ck_assert_msg(k > 0, "dn_comp %s", name);
	p->len += (size_t)k;
	return (size_t)k;
}

void
dnspkt_answer(struct dnspkt *p, const char *qname, int qtype, int rcode)
{
	memset(p->dnptrs, 0, sizeof(p->dnptrs));
	p->dnptrs[0] = p->buf;
	p->nocompress = 0;
	memset(p->buf, 0, NS_HFIXEDSZ);
	dnspkt_put16(p, 0, 0x1234);
	p->buf[2] = 0x81;		/* QR, RD */
	p->buf[3] = 0x80 | (rcode & 0x0f);	/* RA */
	dnspkt_put16(p, 4, 1);
	p->len = NS_HFIXEDSZ;
	(void)dnspkt_name(p, qname);
	dnspkt_put16(p, p->len, (unsigned int)qtype);
	dnspkt_put16(p, p->len + 2, ns_c_in);
	p->len += 4;
}

int
dnspkt_reply(struct dnspkt *p, const unsigned char *q, size_t qlen,
    int rcode)
{
	int k;

	if (qlen < NS_HFIXEDSZ || q[4] != 0 || q[5] != 1)
		return -1;
	k = dn_skipname(q + NS_HFIXEDSZ, q + qlen);
	if (k < 0 || NS_HFIXEDSZ + (size_t)k + 4 > qlen)
		return -1;
	p->len = NS_HFIXEDSZ + (size_t)k + 4;
	memcpy(p->buf, q, p->len);
	memset(p->buf + 6, 0, 6);	/* no answer, authority, additional */
	p->buf[2] |= 0x80;
	p->buf[3] = 0x80 | (rcode & 0x0f);
	memset(p->dnptrs, 0, sizeof(p->dnptrs));
	p->dnptrs[0] = p->buf;
	p->dnptrs[1] = p->buf + NS_HFIXEDSZ;
	p->nocompress = 0;
	return 0;
}

/* Owner, type, class IN, TTL; the rdata length is left to fill. */
static void
dnspkt_rr_head(struct dnspkt *p, const char *owner, int type)
{
	(void)dnspkt_name(p, owner);
	ck_assert_uint_le(p->len + 10, sizeof(p->buf));
	dnspkt_put16(p, p->len, (unsigned int)type);
	dnspkt_put16(p, p->len + 2, ns_c_in);
	dnspkt_put16(p, p->len + 4, 0);
	dnspkt_put16(p, p->len + 6, 300);
	p->len += 10;
}

/* Fills in the rdata length of the record whose rdata began at start. */
static void
dnspkt_rr_end(struct dnspkt *p, size_t start)
{
	dnspkt_put16(p, start - 2, (unsigned int)(p->len - start));
	dnspkt_put16(p, 6, (p->buf[6] << 8 | p->buf[7]) + 1u);
}

void
dnspkt_rr(struct dnspkt *p, const char *owner, int type, const void *rdata,
    size_t rdlen)
{
	size_t start;

	dnspkt_rr_head(p, owner, type);
	start = p->len;
	ck_assert_uint_le(p->len + rdlen, sizeof(p->buf));
	memcpy(p->buf + p->len, rdata, rdlen);
	p->len += rdlen;
	dnspkt_rr_end(p, start);
}

void
dnspkt_mx(struct dnspkt *p, const char *owner, unsigned int pref,
    const char *exchange)
{
	size_t start;

	dnspkt_rr_head(p, owner, ns_t_mx);
	start = p->len;
	dnspkt_put16(p, p->len, pref);
	p->len += 2;
	(void)dnspkt_name(p, exchange);
	dnspkt_rr_end(p, start);
}

void
dnspkt_cname(struct dnspkt *p, const char *owner, const char *target)
{
	size_t start;

	dnspkt_rr_head(p, owner, ns_t_cname);
	start = p->len;
	(void)dnspkt_name(p, target);
	dnspkt_rr_end(p, start);
}

void
dnspkt_addr(struct dnspkt *p, const char *owner, const char *addr)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, addr, a) == 1)
		dnspkt_rr(p, owner, ns_t_a, a, 4);
	else {
		ck_assert_int_eq(inet_pton(AF_INET6, addr, a), 1);
		dnspkt_rr(p, owner, ns_t_aaaa, a, 16);
	}
}
