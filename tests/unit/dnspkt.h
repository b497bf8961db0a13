/* SPDX-License-Identifier: ISC */
/*
 * dnspkt.h: a small DNS message builder for the tests of dnsmsg and dns
 * (answers made by hand, names compressed with dn_comp(3) unless asked
 * not to).  Every call fails the running test on a builder error.
 */
#ifndef CARRIER_DNSPKT_H
#define CARRIER_DNSPKT_H

#include <stddef.h>
#include <stdint.h>

#define DNSPKT_MAX	65536
#define DNSPKT_PTRS	128

struct dnspkt {
	unsigned char	buf[DNSPKT_MAX];
	size_t		len;
	unsigned char	*dnptrs[DNSPKT_PTRS];	/* for dn_comp */
	int		nocompress;
};

/*
 * A new answer to (qname, qtype, class IN): id 0x1234, QR, RD, RA set,
 * the rcode given, one question, no records yet.
 */
void	dnspkt_answer(struct dnspkt *p, const char *qname, int qtype,
	    int rcode);

/*
 * A new answer to the query q (qlen octets): its id and question copied
 * (its other records dropped), QR and RA set, the rcode given.  Returns
 * -1 when q is not a query with one question.
 */
int	dnspkt_reply(struct dnspkt *p, const unsigned char *q, size_t qlen,
	    int rcode);

/* Appends a record to the answer section (rdata as is). */
void	dnspkt_rr(struct dnspkt *p, const char *owner, int type,
	    const void *rdata, size_t rdlen);

/* Appends an MX (pref, exchange) or a CNAME, its name compressed. */
void	dnspkt_mx(struct dnspkt *p, const char *owner, unsigned int pref,
	    const char *exchange);
void	dnspkt_cname(struct dnspkt *p, const char *owner,
	    const char *target);

/* Appends an A or AAAA record of the address in text form. */
void	dnspkt_addr(struct dnspkt *p, const char *owner, const char *addr);

/* Sets a 16-bit field of the message at offset off. */
void	dnspkt_put16(struct dnspkt *p, size_t off, unsigned int v);

#endif
