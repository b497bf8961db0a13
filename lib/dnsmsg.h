/* SPDX-License-Identifier: ISC */
/*
 * dnsmsg.h: strict parsing of DNS answers (RFC 1035 4.1, RFC 2181) for
 * MX, A and AAAA questions, and the records of another type handed to
 * a callback (dnsmsg_each); pure functions, no I/O.
 *
 * An answer is checked before anything is taken from it: the header
 * (QR set, opcode QUERY, exactly one question, and that question the one
 * asked: name, type, class IN), the section counts against the data (a
 * message longer or shorter than its counts say is refused), every name
 * (compression pointers in bounds and not looping, at most 255 octets),
 * and the rdata of the records taken (an MX is 2 octets and a name that
 * fills the rdata exactly; an A 4 octets, an AAAA 16).  Records of other
 * owners, types or classes are skipped.  A name in the answer section
 * reached from the question's name through CNAME records (RFC 1034
 * 3.6.2, at most DNSMSG_CNAME_MAX links) stands for the question's name.
 *
 * Names come out in presentation form (RFC 1035 5.1, as
 * ns_name_uncompress(3) writes it: a label's dot or other special
 * character escaped with a backslash, an unprintable octet as \DDD),
 * lowercased, without the trailing dot.
 */
#ifndef CARRIER_DNSMSG_H
#define CARRIER_DNSMSG_H

#include <stddef.h>

#define DNSMSG_NAME_MAX		256	/* a name in presentation form, NUL */
#define DNSMSG_MX_MAX		64	/* MX records kept of one answer */
#define DNSMSG_ADDR_MAX		32	/* addresses kept of one answer */
#define DNSMSG_CNAME_MAX	8	/* CNAME links followed in one answer */

struct dns_mx {
	unsigned int	pref;
	char		name[DNSMSG_NAME_MAX];
};

struct dns_addr {
	int		family;		/* AF_INET (4 octets used), AF_INET6 */
	unsigned char	addr[16];
};

enum dnsmsg_result {
	DNSMSG_OK = 0,		/* an answer: records, or none (NODATA) */
	DNSMSG_NXDOMAIN,	/* rcode 3: the name does not exist */
	DNSMSG_SERVFAIL,	/* rcode 2, or REFUSED, NOTIMP, FORMERR or
				 * another error rcode: try later */
	DNSMSG_BAD		/* not a well-formed answer to the question */
};

/*
 * Parses the len octets at pkt as the answer to an MX question for
 * qname (given with or without its trailing dot; case does not matter).
 *
 * On DNSMSG_OK, the MX records of qname, or of the name a CNAME chain in
 * the answer section leads to from qname, are in mx[0 .. *n - 1], sorted
 * by preference, equal preferences in answer order (the caller shuffles
 * them, RFC 5321 5.1); when the answer holds more than max, the max most
 * preferred are kept and the rest ignored (not an error).  A record that
 * repeats one kept (same preference and name) is dropped.  *n is 0 for
 * an answer without MX records (NODATA).  A null MX (RFC 7505: an MX
 * whose exchange is the root) sets *nullmx to 1 and is not put in mx;
 * the other records, if the answer has any beside it, still are (the
 * caller decides).  *nullmx is 0 otherwise.
 *
 * DNSMSG_NXDOMAIN and DNSMSG_SERVFAIL are the class of the answer's
 * rcode; why then gets the rcode's name ("NXDOMAIN", "SERVFAIL",
 * "REFUSED", "rcode 11").  DNSMSG_BAD: the answer is malformed, or not
 * an answer to that question, or an MX record of the name is malformed,
 * or its exchange is longer than DNSMSG_NAME_MAX - 1 in presentation
 * form, or the CNAME chain loops, forks or is longer than
 * DNSMSG_CNAME_MAX, or the answer is truncated (TC); why gets a short
 * reason.  *n and *nullmx are set whatever the result (0 but on OK).
 */
enum dnsmsg_result dnsmsg_mx(const unsigned char *pkt, size_t len,
	    const char *qname, struct dns_mx *mx, size_t max, size_t *n,
	    int *nullmx, char *why, size_t whylen);

/*
 * The same for an A (type ns_t_a, rdata of 4 octets) or AAAA (ns_t_aaaa,
 * 16 octets) question: the addresses of qname (following CNAMEs) into
 * a[0 .. *n - 1] in answer order, duplicates dropped, at most max (the
 * rest ignored).  An A or AAAA record of the name whose rdata has
 * another length makes the answer DNSMSG_BAD.  Another type is
 * DNSMSG_BAD (with why saying so).
 */
enum dnsmsg_result dnsmsg_addrs(const unsigned char *pkt, size_t len,
	    const char *qname, int type, struct dns_addr *a, size_t max,
	    size_t *n, char *why, size_t whylen);

/*
 * The generic form of the two above, for the types this module does
 * not read (the TLSA records of tlsa.h): checks pkt as the answer to a
 * question (qname, qtype, class IN) and follows CNAMEs as they do, then
 * calls fn(arg, rdata, rdlen) for each record of type qtype and class
 * IN of the name, in answer order, rdata pointing into pkt and not
 * checked (fn's job).  The results are dnsmsg_mx's; fn is called only
 * for an answer that passed the checks, but a record of the answer
 * section met later that does not parse still makes it DNSMSG_BAD:
 * the caller drops what fn kept when the result is not DNSMSG_OK.
 */
enum dnsmsg_result dnsmsg_each(const unsigned char *pkt, size_t len,
	    const char *qname, int qtype,
	    void (*fn)(void *, const unsigned char *, size_t), void *arg,
	    char *why, size_t whylen);

/*
 * The name of an rcode (RFC 1035 4.1.1 and its successors): "NOERROR",
 * "SERVFAIL", ..., "NOTZONE"; another as "rcode 12", written in buf.
 */
const char *dnsmsg_rcode_name(int rcode, char *buf, size_t size);

/*
 * The length of the DNS message at the start of buf (at most size
 * octets): the header and the records its four counts announce, as far
 * as they go.  0 when the counts run past size or a name in the way is
 * malformed.  For a reply whose length was lost (res_nquery(3) returns
 * -1 on NXDOMAIN or NODATA, the reply left in its buffer).
 */
size_t	dnsmsg_length(const unsigned char *buf, size_t size);

/*
 * Whether name is a syntactically valid host name (RFC 5321 2.3.5): 1
 * or 0.  Accepted: labels of 1 to 63 letters, digits, hyphens and
 * underscores (the underscore is not in the host name syntax but some
 * real names carry one: tolerated), no hyphen first or last in a label,
 * at most 253 octets in all, one trailing dot allowed.  Refused: the
 * empty name, the root ".", an empty label ("a..b"), any other
 * character (a backslash escape of the presentation form included), a
 * name whose last label is all digits (no top-level domain is), and
 * anything inet_aton(3) reads as an IPv4 address ("192.0.2.1",
 * "0x7f.1"): an MX must name a host, not an address (RFC 5321 5.1).
 */
int	dnsmsg_name_ok(const char *name);

#endif
