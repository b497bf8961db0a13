/* SPDX-License-Identifier: ISC */
/*
 * dnsmsg.c: DNS answer parsing (see dnsmsg.h) on libresolv's
 * ns_initparse(3), ns_parserr(3) and ns_name_uncompress(3).  Depends on
 * compat only.
 *
 * ns_initparse, ns_parserr and ns_skiprr are the only functions carrier
 * takes from libresolv (the rest of the resolver is in libc since glibc
 * 2.34): it is loaded with dlopen(3) when the first answer is parsed, as
 * libtls is at the first TLS session, so that a send through a relay
 * named by its address never maps it (its load was 0.1 ms of each such
 * send).
 *
 * ns_initparse checks that the four sections fill the message exactly
 * (it skips names without following their pointers); ns_parserr expands
 * a record's owner (bounds, loops, 255 octets) and checks that its rdata
 * lies inside the message; what a record's rdata says is checked here.
 * Names are compared in presentation form, lowercased: ns_name_ntop(3)
 * writes one spelling for each name (its escapes are fixed), and DNS
 * names compare without regard to ASCII case (RFC 1035 2.3.3).
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "dnsmsg.h"

/* libresolv's answer parser, loaded at first use (resolv_load). */
static struct {
	int	 tried;
	char	 error[160];	/* why it could not be loaded */
	int	(*initparse)(const unsigned char *, int, ns_msg *);
	int	(*parserr)(ns_msg *, ns_sect, int, ns_rr *);
	int	(*skiprr)(const unsigned char *, const unsigned char *,
		    ns_sect, int);
} resolv;

/* A name as ns_name_ntop writes it, long escapes and all. */
#define DNSMSG_PNAME	NS_MAXDNAME

static enum dnsmsg_result dnsmsg_open(ns_msg *, const unsigned char *,
		    size_t, const char *, int, char *, char *, size_t);
static int	dnsmsg_norm(const char *, char *);
static int	dnsmsg_question(ns_msg *, const char *, int);
static enum dnsmsg_result dnsmsg_chase(ns_msg *, char *, char *, size_t);
static int	dnsmsg_next(ns_msg *, int *, int, const char *, ns_rr *);
static int	dnsmsg_rdname(ns_msg *, const ns_rr *, size_t, char *);
static void	dnsmsg_mx_add(struct dns_mx *, size_t, size_t *,
		    unsigned int, const char *);
static int	dnsmsg_addr_add(struct dns_addr *, size_t, size_t *, int,
		    const unsigned char *);
static void	dnsmsg_lower(char *);
static enum dnsmsg_result dnsmsg_bad(char *, size_t, const char *);
static int	resolv_load(void);
static unsigned int dnsmsg_get16(const unsigned char *);

static enum dnsmsg_result
dnsmsg_bad(char *why, size_t whylen, const char *reason)
{
	if (whylen > 0)
		(void)strlcpy(why, reason, whylen);
	return DNSMSG_BAD;
}

/*
 * Loads libresolv's parser once: 0, or -1 with resolv.error set (a
 * system without the C library's libresolv cannot parse an answer).
 */
static int
resolv_load(void)
{
	void *h;

	if (resolv.tried)
		return resolv.initparse != NULL ? 0 : -1;
	resolv.tried = 1;
	if ((h = dlopen(RESOLV_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		(void)snprintf(resolv.error, sizeof(resolv.error), "%s",
		    dlerror());
		return -1;
	}
	/* POSIX's way from a data pointer to a function pointer */
	*(void **)&resolv.parserr = dlsym(h, "ns_parserr");
	*(void **)&resolv.skiprr = dlsym(h, "ns_skiprr");
	*(void **)&resolv.initparse = dlsym(h, "ns_initparse");
	if (resolv.parserr == NULL || resolv.skiprr == NULL ||
	    resolv.initparse == NULL) {
		(void)snprintf(resolv.error, sizeof(resolv.error), "%s: no "
		    "ns_initparse, ns_parserr or ns_skiprr", RESOLV_SONAME);
		resolv.initparse = NULL;
		return -1;
	}
	return 0;
}

/* A 16-bit field in network order (ns_get16). */
static unsigned int
dnsmsg_get16(const unsigned char *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static void
dnsmsg_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

const char *
dnsmsg_rcode_name(int rcode, char *buf, size_t size)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE"
	};

	if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	(void)snprintf(buf, size, "rcode %d", rcode);
	return buf;
}

/*
 * The name at offset off of the rdata of rr (ns_name_uncompress'd and
 * lowercased into name, DNSMSG_PNAME octets), which must end the rdata
 * exactly.  0, or -1 when it does not.
 */
static int
dnsmsg_rdname(ns_msg *msg, const ns_rr *rr, size_t off, char *name)
{
	int k;

	if (off >= ns_rr_rdlen(*rr))
		return -1;
	k = ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg),
	    ns_rr_rdata(*rr) + off, name, DNSMSG_PNAME);
	if (k < 0 || off + (size_t)k != ns_rr_rdlen(*rr))
		return -1;
	dnsmsg_lower(name);
	return 0;
}

/*
 * qname in the form names are compared in, into target (DNSMSG_PNAME
 * octets): 0, or -1 when it is not a name.
 */
static int
dnsmsg_norm(const char *qname, char *target)
{
	unsigned char wire[NS_MAXCDNAME];

	if (ns_name_pton(qname, wire, sizeof(wire)) == -1 ||
	    ns_name_ntop(wire, target, DNSMSG_PNAME) == -1)
		return -1;
	dnsmsg_lower(target);
	return 0;
}

/* Whether the question is the one asked: one, of target, qtype, IN. */
static int
dnsmsg_question(ns_msg *msg, const char *target, int qtype)
{
	ns_rr rr;

	if (ns_msg_count(*msg, ns_s_qd) != 1 ||
	    resolv.parserr(msg, ns_s_qd, 0, &rr) == -1)
		return 0;
	dnsmsg_lower(rr.name);
	return strcmp(rr.name, target) == 0 && (int)ns_rr_type(rr) == qtype &&
	    ns_rr_class(rr) == ns_c_in;
}

/*
 * Opens pkt as the answer to (qname, qtype): checks all but the records
 * and follows the CNAME chain from qname; its end is in target
 * (DNSMSG_PNAME octets).
 */
static enum dnsmsg_result
dnsmsg_open(ns_msg *msg, const unsigned char *pkt, size_t len,
    const char *qname, int qtype, char *target, char *why, size_t whylen)
{
	char rbuf[16];
	const char *rname;
	unsigned int flags;
	int rcode;

	if (whylen > 0)
		why[0] = '\0';
	if (dnsmsg_norm(qname, target) == -1)
		return dnsmsg_bad(why, whylen, "the name asked is not a name");
	if (len < NS_HFIXEDSZ)
		return dnsmsg_bad(why, whylen, "shorter than a DNS header");
	if (len > NS_MAXMSG)
		return dnsmsg_bad(why, whylen, "longer than a DNS message");
	if (resolv_load() == -1)
		return dnsmsg_bad(why, whylen, resolv.error);
	if (resolv.initparse(pkt, (int)len, msg) == -1)
		return dnsmsg_bad(why, whylen, "malformed message");
	/* the header's flags: QR, opcode, TC and rcode (RFC 1035 4.1.1) */
	flags = dnsmsg_get16(pkt + 2);
	if ((flags & 0x8000) == 0 || (flags >> 11 & 0xf) != ns_o_query)
		return dnsmsg_bad(why, whylen, "not the answer to a query");
	rcode = (int)(flags & 0xf);
	rname = dnsmsg_rcode_name(rcode, rbuf, sizeof(rbuf));
	/* A server that cannot parse a query may not copy its question. */
	if (rcode != ns_r_noerror && rcode != ns_r_nxdomain &&
	    ns_msg_count(*msg, ns_s_qd) == 0) {
		(void)strlcpy(why, rname, whylen);
		return DNSMSG_SERVFAIL;
	}
	if (!dnsmsg_question(msg, target, qtype))
		return dnsmsg_bad(why, whylen,
		    "the question is not the one asked");
	if (rcode != ns_r_noerror) {
		(void)strlcpy(why, rname, whylen);
		return rcode == ns_r_nxdomain ? DNSMSG_NXDOMAIN :
		    DNSMSG_SERVFAIL;
	}
	if (flags & 0x0200)
		return dnsmsg_bad(why, whylen, "truncated answer (TC)");
	return dnsmsg_chase(msg, target, why, whylen);
}

/*
 * The next record of the answer section, from record *i on, of the
 * given type, class IN and owner, into rr: 1; 0 at the end of the
 * section; -1 when a record does not parse.  *i is left after it.
 */
static int
dnsmsg_next(ns_msg *msg, int *i, int type, const char *owner, ns_rr *rr)
{
	while (*i < ns_msg_count(*msg, ns_s_an)) {
		if (resolv.parserr(msg, ns_s_an, (*i)++, rr) == -1)
			return -1;
		if ((int)ns_rr_type(*rr) != type || ns_rr_class(*rr) != ns_c_in)
			continue;
		dnsmsg_lower(rr->name);
		if (strcmp(rr->name, owner) == 0)
			return 1;
	}
	return 0;
}

/*
 * Follows the CNAME records of the answer section from target (RFC 1034
 * 3.6.2: the chain may come in any order), at most DNSMSG_CNAME_MAX
 * links; target is left at the chain's end.
 */
static enum dnsmsg_result
dnsmsg_chase(ns_msg *msg, char *target, char *why, size_t whylen)
{
	char chain[DNSMSG_CNAME_MAX + 1][DNSMSG_PNAME];
	char next[DNSMSG_PNAME];
	ns_rr rr;
	int i, r, found;
	size_t links, k;

	(void)strlcpy(chain[0], target, DNSMSG_PNAME);
	for (links = 0;; links++) {
		found = 0;
		i = 0;
		while ((r = dnsmsg_next(msg, &i, ns_t_cname, target, &rr)) ==
		    1) {
			if (found)
				return dnsmsg_bad(why, whylen,
				    "two CNAME records for one name");
			if (dnsmsg_rdname(msg, &rr, 0, next) == -1)
				return dnsmsg_bad(why, whylen,
				    "malformed CNAME record");
			found = 1;
		}
		if (r == -1)
			return dnsmsg_bad(why, whylen, "malformed record");
		if (!found)
			return DNSMSG_OK;
		for (k = 0; k <= links; k++)
			if (strcmp(chain[k], next) == 0)
				return dnsmsg_bad(why, whylen, "CNAME loop");
		if (links == DNSMSG_CNAME_MAX)
			return dnsmsg_bad(why, whylen, "CNAME chain too long");
		(void)strlcpy(chain[links + 1], next, DNSMSG_PNAME);
		(void)strlcpy(target, next, DNSMSG_PNAME);
	}
}

/*
 * Puts (pref, name) into mx, sorted by pref, after the records of equal
 * pref, keeping the max most preferred; a repeat is dropped.
 */
static void
dnsmsg_mx_add(struct dns_mx *mx, size_t max, size_t *n, unsigned int pref,
    const char *name)
{
	size_t i, pos;

	for (i = 0; i < *n; i++)
		if (mx[i].pref == pref && strcmp(mx[i].name, name) == 0)
			return;
	for (pos = *n; pos > 0 && mx[pos - 1].pref > pref; pos--)
		;
	if (pos >= max)
		return;
	if (*n == max)
		(*n)--;
	memmove(&mx[pos + 1], &mx[pos], (*n - pos) * sizeof(mx[0]));
	mx[pos].pref = pref;
	(void)strlcpy(mx[pos].name, name, sizeof(mx[pos].name));
	(*n)++;
}

enum dnsmsg_result
dnsmsg_mx(const unsigned char *pkt, size_t len, const char *qname,
    struct dns_mx *mx, size_t max, size_t *n, int *nullmx, char *why,
    size_t whylen)
{
	char target[DNSMSG_PNAME], name[DNSMSG_PNAME];
	enum dnsmsg_result res;
	ns_msg msg;
	ns_rr rr;
	int i, r;

	*n = 0;
	*nullmx = 0;
	res = dnsmsg_open(&msg, pkt, len, qname, ns_t_mx, target, why,
	    whylen);
	if (res != DNSMSG_OK)
		return res;
	i = 0;
	while ((r = dnsmsg_next(&msg, &i, ns_t_mx, target, &rr)) == 1) {
		if (dnsmsg_rdname(&msg, &rr, NS_INT16SZ, name) == -1)
			goto bad;
		if (strcmp(name, ".") == 0) {
			*nullmx = 1;
			continue;
		}
		if (strlen(name) >= DNSMSG_NAME_MAX)
			goto bad;
		dnsmsg_mx_add(mx, max, n, dnsmsg_get16(ns_rr_rdata(rr)), name);
	}
	if (r == -1) {
		*n = 0;
		*nullmx = 0;
		return dnsmsg_bad(why, whylen, "malformed record");
	}
	return DNSMSG_OK;
bad:
	*n = 0;
	*nullmx = 0;
	return dnsmsg_bad(why, whylen, "malformed MX record");
}

/* Appends an address not yet in a, when there is room; -1 when not. */
static int
dnsmsg_addr_add(struct dns_addr *a, size_t max, size_t *n, int family,
    const unsigned char *addr)
{
	size_t i, alen = family == AF_INET ? 4 : 16;

	for (i = 0; i < *n; i++)
		if (a[i].family == family && memcmp(a[i].addr, addr,
		    alen) == 0)
			return 0;
	if (*n >= max)
		return -1;
	memset(&a[*n], 0, sizeof(a[*n]));
	a[*n].family = family;
	memcpy(a[*n].addr, addr, alen);
	(*n)++;
	return 0;
}

enum dnsmsg_result
dnsmsg_addrs(const unsigned char *pkt, size_t len, const char *qname,
    int type, struct dns_addr *a, size_t max, size_t *n, char *why,
    size_t whylen)
{
	char target[DNSMSG_PNAME];
	enum dnsmsg_result res;
	ns_msg msg;
	ns_rr rr;
	int i, r, family;
	size_t alen;

	*n = 0;
	if (type == ns_t_a) {
		family = AF_INET;
		alen = 4;
	} else if (type == ns_t_aaaa) {
		family = AF_INET6;
		alen = 16;
	} else
		return dnsmsg_bad(why, whylen, "not an address type");
	res = dnsmsg_open(&msg, pkt, len, qname, type, target, why, whylen);
	if (res != DNSMSG_OK)
		return res;
	i = 0;
	while ((r = dnsmsg_next(&msg, &i, type, target, &rr)) == 1) {
		if (ns_rr_rdlen(rr) != alen) {
			*n = 0;
			return dnsmsg_bad(why, whylen, type == ns_t_a ?
			    "malformed A record" : "malformed AAAA record");
		}
		(void)dnsmsg_addr_add(a, max, n, family, ns_rr_rdata(rr));
	}
	if (r == -1) {
		*n = 0;
		return dnsmsg_bad(why, whylen, "malformed record");
	}
	return DNSMSG_OK;
}

enum dnsmsg_result
dnsmsg_each(const unsigned char *pkt, size_t len, const char *qname,
    int qtype, void (*fn)(void *, const unsigned char *, size_t), void *arg,
    char *why, size_t whylen)
{
	char target[DNSMSG_PNAME];
	enum dnsmsg_result res;
	ns_msg msg;
	ns_rr rr;
	int i, r;

	res = dnsmsg_open(&msg, pkt, len, qname, qtype, target, why, whylen);
	if (res != DNSMSG_OK)
		return res;
	i = 0;
	while ((r = dnsmsg_next(&msg, &i, qtype, target, &rr)) == 1)
		fn(arg, ns_rr_rdata(rr), ns_rr_rdlen(rr));
	if (r == -1)
		return dnsmsg_bad(why, whylen, "malformed record");
	return DNSMSG_OK;
}

size_t
dnsmsg_length(const unsigned char *buf, size_t size)
{
	const unsigned char *p, *eom;
	int sect, count, k;

	if (size < NS_HFIXEDSZ || resolv_load() == -1)
		return 0;
	if (size > NS_MAXMSG)
		size = NS_MAXMSG;
	eom = buf + size;
	p = buf + NS_HFIXEDSZ;
	for (sect = 0; sect < ns_s_max; sect++) {
		count = buf[4 + 2 * sect] << 8 | buf[5 + 2 * sect];
		if (count == 0)
			continue;
		k = resolv.skiprr(p, eom, (ns_sect)sect, count);
		if (k < 0)
			return 0;
		p += k;
	}
	return (size_t)(p - buf);
}

int
dnsmsg_name_ok(const char *name)
{
	struct in_addr ia;
	size_t len, i, label = 0;
	int digits = 1;
	char c;

	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || name[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		c = name[i];
		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return 0;
			label = 0;
			digits = 1;
			continue;
		}
		if (c == '-' && label == 0)
			return 0;
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_')
			return 0;
		if (c < '0' || c > '9')
			digits = 0;
		if (++label > 63)
			return 0;
	}
	return !digits && inet_aton(name, &ia) == 0;
}
