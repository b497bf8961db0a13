/* SPDX-License-Identifier: ISC */
/*
 * dns.c: MX and address lookups under a deadline (see dns.h).  Depends
 * on dnsmsg (parsing), status (the error record) and monotime (the
 * clock); libresolv does the asking.
 *
 * Classing.  res_nquery(3) returns the reply's length when it has
 * records; otherwise -1 and the resolver's own h_errno
 * (res->res_h_errno): HOST_NOT_FOUND (NXDOMAIN), NO_DATA (no records)
 * and NO_RECOVERY (FORMERR and other error rcodes) leave the reply in
 * the buffer, whose length dnsmsg_length recovers (the buffer is
 * cleared before each query, so nothing of an older reply is read), so
 * that every reply is classed by dnsmsg; TRY_AGAIN is a failure whatever
 * the buffer holds (glibc has asked every server, each answering
 * SERVFAIL, REFUSED or NOTIMP, or an empty reply without RA or AA, or
 * nothing): the last reply's rcode, if any, only words the error.
 *
 * The deadline.  glibc 2.36's res_send asks each of the nscount servers
 * in turn, retry times over ("attempts" in resolv.conf); over UDP it
 * waits for server i at most T(i) whole seconds, where T(0) = retrans
 * ("timeout") and T(i) = max(1, (retrans << i) / nscount) for i > 0.
 * A query thus takes at most retry * (T(0) + ... + T(nscount - 1))
 * seconds, plus what sending and parsing take.  Before each query,
 * retry, then retrans, then nscount (the first servers are kept) are
 * lowered, never raised, until that bound fits in the time left; the
 * smallest query, one try of one server for 1 s, needs DNS_MIN_MS, and
 * with less left the lookup fails at once, as out of time.  The
 * system's values are put back after each query.  What this does not
 * bound:
 *  - a truncated UDP reply (TC) makes glibc ask the same server again
 *    over TCP, and there connect(2) and read(2) have no time-out: a
 *    server that accepts and then says nothing holds the query (the
 *    kernel ends a connect that gets no answer after about two minutes;
 *    nothing ends the read).  "options use-vc" does the same for every
 *    query.  Only a child process or a thread could bound that.
 *  - glibc measures its waits on CLOCK_REALTIME: a step of the wall
 *    clock lengthens or shortens them.
 *
 * DNSSEC.  carrier does not validate: it believes the AD bit of a
 * resolver it trusts (dns_trust).  glibc clears the bit in every reply
 * unless RES_TRUSTAD is set, and with it set asks with the AD bit,
 * which is all a validating resolver needs to report (RFC 6840 5.7); the
 * DO bit (RES_USE_DNSSEC) is not asked for: the signatures would only
 * make the replies larger.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>

#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "status.h"
#include "monotime.h"
#include "dnsmsg.h"
#include "tlsa.h"
#include "sts.h"
#include "sts_decide.h"
#include "dns.h"

#define DNS_BUF		65536	/* glibc's MAXPACKET: any DNS message */
#define DNS_MIN_MS	1000	/* the shortest query glibc can make */
#define DNS_WHY_MAX	160

/* One lookup: what is asked and how its failures are worded. */
struct dns_ask {
	const char	*name;
	int		 type;
	const char	*what;	/* "the MX", "the IPv6 addresses" */
	const char	*kind;	/* "domain", "host": NXDOMAIN's subject */
	const char	*enh;	/* NXDOMAIN's enhanced status code */
};

static int	dns_worst(int, int, int);
static void	dns_clamp(struct __res_state *, int64_t);
static int	dns_query(struct dns *, const struct dns_ask *, int64_t,
		    size_t *, struct carrier_error *);
static void	dns_noreply(const struct dns_ask *, int, int, int64_t, int,
		    struct carrier_error *);
static enum carrier_status dns_result(const struct dns_ask *,
		    enum dnsmsg_result, const char *, struct carrier_error *);
static enum carrier_status dns_temp(const struct dns_ask *,
		    struct carrier_error *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	dns_family(struct dns *, const struct dns_ask *, int64_t,
		    struct dns_addr *, size_t, size_t *,
		    struct carrier_error *);

/* The reply of the last query (single-threaded: see dns.h). */
static unsigned char dns_buf[DNS_BUF];

int
dns_open(struct dns *d)
{
	memset(d, 0, sizeof(*d));
	errno = 0;
	if (res_ninit(&d->res) == -1) {
		if (errno == 0)
			errno = ENOMEM;
		return -1;
	}
	/* No search list (res_nquery has none anyway), no debug output. */
	d->res.options &= ~(RES_DEFNAMES | RES_DNSRCH | RES_DEBUG);
	d->open = 1;
	return 0;
}

/* Whether sa is a loopback address or one of trusted (n). */
static int
dns_trusted(const struct sockaddr *sa, const char *const *trusted, size_t n,
    char *text, size_t size)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	size_t i;

	text[0] = '\0';
	if (sa->sa_family == AF_INET) {
		if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127)
			return 1;
		(void)inet_ntop(AF_INET, &sin->sin_addr, text, (socklen_t)size);
	} else if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return 1;
		(void)inet_ntop(AF_INET6, &sin6->sin6_addr, text,
		    (socklen_t)size);
	} else
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char bin[16];

		if (sa->sa_family == AF_INET && inet_pton(AF_INET, trusted[i],
		    bin) == 1 && memcmp(bin, &sin->sin_addr, 4) == 0)
			return 1;
		if (sa->sa_family == AF_INET6 && inet_pton(AF_INET6,
		    trusted[i], bin) == 1 && memcmp(bin, &sin6->sin6_addr,
		    16) == 0)
			return 1;
	}
	return 0;
}

int
dns_trust(struct dns *d, const char *const *trusted, size_t n, char *why,
    size_t whylen)
{
	char text[INET6_ADDRSTRLEN];
	const struct sockaddr *sa;
	int i;

	if (whylen > 0)
		why[0] = '\0';
	d->trusted = 0;
	if (!d->open)
		return 0;
	if (d->res.options & RES_TRUSTAD) {	/* options trust-ad */
		d->trusted = 1;
		return 1;
	}
	for (i = 0; i < d->res.nscount && i < MAXNS; i++) {
		/* glibc keeps IPv6 servers in _u._ext, the IPv4 slot empty */
		sa = d->res.nsaddr_list[i].sin_family == AF_INET ?
		    (const struct sockaddr *)&d->res.nsaddr_list[i] :
		    (const struct sockaddr *)d->res._u._ext.nsaddrs[i];
		if (sa == NULL || !dns_trusted(sa, trusted, n, text,
		    sizeof(text))) {
			(void)snprintf(why, whylen, "the DNS server %s is not "
			    "on this host nor in trusted_resolvers",
			    text[0] != '\0' ? text : "(unknown)");
			return 0;
		}
	}
	if (d->res.nscount < 1)
		return 0;
	d->res.options |= RES_TRUSTAD;
	d->trusted = 1;
	return 1;
}

void
dns_close(struct dns *d)
{
	if (d == NULL || !d->open)
		return;
	res_nclose(&d->res);
	d->open = 0;
}

/* glibc's longest UDP query, in seconds (see the top of this file). */
static int
dns_worst(int retrans, int retry, int nscount)
{
	int i, t, sum = 0;

	for (i = 0; i < nscount; i++) {
		t = retrans << i;
		if (i > 0)
			t /= nscount;
		sum += t > 0 ? t : 1;
	}
	return sum * retry;
}

/* Lowers retry, retrans, nscount until a query fits in left ms. */
static void
dns_clamp(struct __res_state *res, int64_t left)
{
	if (res->retry < 1)
		res->retry = 1;
	if (res->retry > RES_MAXRETRY)
		res->retry = RES_MAXRETRY;
	if (res->retrans < 1)
		res->retrans = 1;
	if (res->retrans > RES_MAXRETRANS)
		res->retrans = RES_MAXRETRANS;
	if (res->nscount > MAXNS)
		res->nscount = MAXNS;
	while ((int64_t)dns_worst(res->retrans, res->retry, res->nscount) *
	    1000 > left) {
		if (res->retry > 1)
			res->retry--;
		else if (res->retrans > 1)
			res->retrans--;
		else if (res->nscount > 1)
			res->nscount--;
		else
			break;
	}
}

static enum carrier_status
dns_temp(const struct dns_ask *ask, struct carrier_error *err,
    const char *fmt, ...)
{
	char why[DNS_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);	/* cut is fine */
	va_end(ap);
	(void)status_set(err, CARRIER_TEMP, PHASE_RESOLVE,
	    "cannot look up %s of %s: %s", ask->what, ask->name, why);
	(void)strlcpy(err->enhanced, "4.4.3", sizeof(err->enhanced));
	return CARRIER_TEMP;
}

/* Maps dnsmsg's class of a reply (why: its words) to a status. */
static enum carrier_status
dns_result(const struct dns_ask *ask, enum dnsmsg_result res,
    const char *why, struct carrier_error *err)
{
	switch (res) {
	case DNSMSG_OK:
		return CARRIER_OK;
	case DNSMSG_NXDOMAIN:
		(void)status_set(err, CARRIER_PERM, PHASE_RESOLVE,
		    "%s %s not found (NXDOMAIN)", ask->kind, ask->name);
		(void)strlcpy(err->enhanced, ask->enh, sizeof(err->enhanced));
		return CARRIER_PERM;
	case DNSMSG_SERVFAIL:
		return dns_temp(ask, err, "the DNS server said %s", why);
	default:
		return dns_temp(ask, err, "malformed DNS answer (%s)", why);
	}
}

/*
 * Words the failure of a query that left no reply to parse: h_errno
 * herr, errno errnum, after ms milliseconds, nservers asked.
 */
static void
dns_noreply(const struct dns_ask *ask, int herr, int errnum, int64_t ms,
    int nservers, struct carrier_error *err)
{
	char rbuf[16], servers[32];
	int rcode = dns_buf[3] & 0x0f;

	if (herr == TRY_AGAIN && (dns_buf[2] & 0x80) && rcode != 0)
		(void)dns_temp(ask, err, "the DNS server said %s",
		    dnsmsg_rcode_name(rcode, rbuf, sizeof(rbuf)));
	else if (herr == TRY_AGAIN && (dns_buf[2] & 0x80))
		(void)dns_temp(ask, err, "the DNS server sent an empty "
		    "answer without recursion (lame)");
	else if (herr == TRY_AGAIN && errnum == ECONNREFUSED)
		(void)dns_temp(ask, err, "no DNS server reachable "
		    "(connection refused)");
	else if (herr == TRY_AGAIN) {
		if (nservers > 1)
			(void)snprintf(servers, sizeof(servers),
			    "%d DNS servers", nservers);
		else
			(void)strlcpy(servers, "the DNS server",
			    sizeof(servers));
		(void)dns_temp(ask, err, "no answer from %s in %lld.%lld s",
		    servers, (long long)(ms / 1000),
		    (long long)(ms % 1000 / 100));
	} else if (herr == NETDB_INTERNAL)
		(void)dns_temp(ask, err, "resolver error: %s",
		    strerror(errnum));
	else
		(void)dns_temp(ask, err, "resolver error (%s)",
		    hstrerror(herr));
}

/*
 * Asks ask->name, ask->type before deadline.  0: a reply of *len
 * octets in dns_buf, or *len = 0 for an answer without records whose
 * reply is lost; -1: err is filled.
 */
static int
dns_query(struct dns *d, const struct dns_ask *ask, int64_t deadline,
    size_t *len, struct carrier_error *err)
{
	unsigned char wire[NS_MAXCDNAME];
	int retrans, retry, nscount, k, herr, errnum, used;
	int64_t start, left;

	*len = 0;
	if (d == NULL || !d->open) {
		(void)dns_temp(ask, err, "the resolver is not open");
		return -1;
	}
	if (ask->name[0] == '\0' || strcmp(ask->name, ".") == 0 ||
	    ns_name_pton(ask->name, wire, sizeof(wire)) == -1) {
		(void)status_set(err, CARRIER_PERM, PHASE_RESOLVE,
		    "%s %s is not a valid DNS name", ask->kind, ask->name);
		(void)strlcpy(err->enhanced, ask->enh, sizeof(err->enhanced));
		return -1;
	}
	start = monotime_ms();
	left = deadline - start;
	if (left < DNS_MIN_MS) {
		(void)status_set(err, CARRIER_TEMP, PHASE_RESOLVE,
		    "DNS lookup of %s of %s ran out of time", ask->what,
		    ask->name);
		(void)strlcpy(err->enhanced, "4.4.3", sizeof(err->enhanced));
		return -1;
	}
	retrans = d->res.retrans;
	retry = d->res.retry;
	nscount = d->res.nscount;
	dns_clamp(&d->res, left);
	used = d->res.nscount;
	memset(dns_buf, 0, sizeof(dns_buf));
	errno = 0;
	k = res_nquery(&d->res, ask->name, ns_c_in, ask->type, dns_buf,
	    (int)sizeof(dns_buf));
	errnum = errno;
	herr = d->res.res_h_errno;
	d->res.retrans = retrans;
	d->res.retry = retry;
	d->res.nscount = nscount;
	if (k > 0 && (size_t)k <= sizeof(dns_buf)) {
		*len = (size_t)k;
		d->ad &= d->trusted && (dns_buf[3] & 0x20) != 0;
		return 0;
	}
	if (k < 0 && (herr == HOST_NOT_FOUND || herr == NO_DATA ||
	    herr == NO_RECOVERY)) {
		*len = dnsmsg_length(dns_buf, sizeof(dns_buf));
		d->ad &= *len > 0 && d->trusted && (dns_buf[3] & 0x20) != 0;
		if (*len > 0 || herr == NO_DATA)
			return 0;
		if (herr == HOST_NOT_FOUND) {
			(void)dns_result(ask, DNSMSG_NXDOMAIN, "", err);
			return -1;
		}
	}
	dns_noreply(ask, herr, errnum, monotime_ms() - start, used, err);
	return -1;
}

enum carrier_status
dns_mx(struct dns *d, const char *domain, int64_t deadline,
    struct dns_mx *mx, size_t max, size_t *n, int *nullmx,
    struct carrier_error *err)
{
	const struct dns_ask ask = {
		domain, ns_t_mx, "the MX", "domain", "5.1.2"
	};
	char why[DNS_WHY_MAX];
	enum dnsmsg_result res;
	size_t len;

	*n = 0;
	*nullmx = 0;
	d->ad = 1;
	if (dns_query(d, &ask, deadline, &len, err) == -1)
		return err->status;
	if (len == 0)
		return CARRIER_OK;
	res = dnsmsg_mx(dns_buf, len, domain, mx, max, n, nullmx, why,
	    sizeof(why));
	return dns_result(&ask, res, why, err);
}

/*
 * One family's query for dns_addrs: its addresses appended to a (room
 * for max), *n advanced.  1 when answered, 0 when not (err filled,
 * TEMP or PERM).
 */
static int
dns_family(struct dns *d, const struct dns_ask *ask, int64_t deadline,
    struct dns_addr *a, size_t max, size_t *n, struct carrier_error *err)
{
	char why[DNS_WHY_MAX];
	enum dnsmsg_result res;
	size_t len, got;

	if (dns_query(d, ask, deadline, &len, err) == -1)
		return 0;
	if (len == 0)
		return 1;
	res = dnsmsg_addrs(dns_buf, len, ask->name, ask->type, a + *n,
	    max - *n, &got, why, sizeof(why));
	if (dns_result(ask, res, why, err) != CARRIER_OK)
		return 0;
	*n += got;
	return 1;
}

enum carrier_status
dns_addrs(struct dns *d, const char *host, int want, int64_t deadline,
    struct dns_addr *a, size_t max, size_t *n, struct carrier_error *err)
{
	const struct dns_ask v6 = {
		host, ns_t_aaaa, "the IPv6 addresses", "host", "5.4.4"
	}, v4 = {
		host, ns_t_a, "the IPv4 addresses", "host", "5.4.4"
	};
	struct carrier_error e;
	int64_t now, sub;
	int answered = 0, secure = 1;

	*n = 0;
	status_clear(&e);
	d->ad = 1;
	if (want & DNS_WANT_V6) {
		sub = deadline;
		if (want & DNS_WANT_V4) {
			now = monotime_ms();
			sub = now + (deadline - now) / 2;
			if (sub - now < DNS_MIN_MS)
				sub = now + DNS_MIN_MS;
			if (sub > deadline)
				sub = deadline;
		}
		answered = dns_family(d, &v6, sub, a, max, n, &e);
		if (!answered && e.status == CARRIER_PERM)
			goto fail;
		secure = answered && d->ad;
	}
	if ((want & DNS_WANT_V4) && !(answered && *n >= max)) {
		d->ad = 1;
		if (dns_family(d, &v4, deadline, a, max, n, &e)) {
			secure = (answered ? secure : 1) && d->ad;
			answered = 1;
		} else if (e.status == CARRIER_PERM)
			goto fail;
	}
	d->ad = secure;
	if (answered || !(want & (DNS_WANT_V4 | DNS_WANT_V6)))
		return CARRIER_OK;
fail:
	d->ad = 0;
	*err = e;
	*n = 0;
	return e.status;
}

enum carrier_status
dns_tlsa(struct dns *d, const char *host, int64_t deadline, struct tlsa *t,
    size_t max, size_t *n, struct carrier_error *err)
{
	char name[DNSMSG_NAME_MAX + 16], why[DNS_WHY_MAX];
	const struct dns_ask ask = {
		name, TLSA_TYPE, "the TLSA records", "host", "4.4.3"
	};
	enum dnsmsg_result res;
	size_t len;
	int ad = 0;

	*n = 0;
	d->ad = 1;
	(void)snprintf(name, sizeof(name), "_25._tcp.%s", host);
	if (dns_query(d, &ask, deadline, &len, err) == -1) {
		d->ad = 0;
		if (err->status != CARRIER_PERM)
			return err->status;
		if (strstr(err->text, "(NXDOMAIN)") != NULL) {
			status_clear(err);	/* no such name: no records */
			return CARRIER_OK;
		}
		/* a name too long for the prefix: the host cannot be DANE */
		(void)strlcpy(why, err->text, sizeof(why));
		return dns_temp(&ask, err, "%s", why);
	}
	if (len == 0) {
		d->ad = 0;	/* NODATA whose reply is lost: not validated */
		return CARRIER_OK;
	}
	res = tlsa_parse_answer(dns_buf, len, name, t, max, n, &ad, why,
	    sizeof(why));
	d->ad &= ad;
	if (res == DNSMSG_NXDOMAIN) {
		*n = 0;
		return CARRIER_OK;
	}
	if (res != DNSMSG_OK)
		d->ad = 0;
	return dns_result(&ask, res, why, err);
}

enum carrier_status
dns_sts(struct dns *d, const char *domain, int64_t deadline, int *found,
    char *id, size_t idsize, char *why, size_t whylen,
    struct carrier_error *err)
{
	char name[DNSMSG_NAME_MAX + 16];
	const struct dns_ask ask = {
		name, STS_TXT_TYPE, "the MTA-STS record", "domain", "4.4.3"
	};
	enum dnsmsg_result res;
	size_t len;

	*found = 0;
	if (idsize > 0)
		id[0] = '\0';
	(void)snprintf(why, whylen, "no MTA-STS record");
	(void)snprintf(name, sizeof(name), "_mta-sts.%s", domain);
	if (dns_query(d, &ask, deadline, &len, err) == -1) {
		if (err->status != CARRIER_PERM)
			return err->status;
		status_clear(err);	/* NXDOMAIN, or no such name */
		return CARRIER_OK;
	}
	if (len == 0)
		return CARRIER_OK;
	res = sts_txt_answer(dns_buf, len, name, found, id, idsize, why,
	    whylen);
	if (res == DNSMSG_NXDOMAIN) {
		(void)snprintf(why, whylen, "no MTA-STS record");
		return CARRIER_OK;
	}
	return dns_result(&ask, res, why, err);
}
