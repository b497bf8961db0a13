/* SPDX-License-Identifier: ISC */
/*
 * route.c: the hosts to try for a recipient domain (route.h).
 * Depends on dns (MX, A, AAAA and TLSA lookups), dnsmsg (names), tlsa
 * (which records are usable), net (the order of addresses, literals),
 * monotime, status.
 *
 * The DNS budget: dns_timeout is for all of a domain's lookups together
 * (the MX query, then each host's AAAA and A as it is reached), so a
 * domain whose name servers are slow cannot hold a delivery longer than
 * that in DNS, however many MX hosts it lists.
 */
#include <sys/random.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "log.h"
#include "monotime.h"
#include "tlsa.h"
#include "route.h"

static enum carrier_status literal(struct route *, const char *,
		    struct carrier_error *);
static void	shuffle_equal(struct route *);
static void	host_init(struct route_host *, const char *, unsigned int);
static int64_t	dns_start(const struct route *, int64_t *);
static void	dns_spent(struct route *, int64_t);
static int	name_is_address(const char *);

const char *
route_kind_name(enum route_kind k)
{
	static const char *const names[] = { "relay", "MX", "implicit MX",
	    "address literal" };

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/* A host of the route, its addresses not looked up yet. */
static void
host_init(struct route_host *h, const char *name, unsigned int pref)
{
	(void)strlcpy(h->name, name, sizeof(h->name));
	h->pref = pref;
	h->looked_up = 0;
	h->secure = 0;
	h->naddr = 0;
}

/* user@[192.0.2.1] or user@[IPv6:2001:db8::1]: that address. */
static enum carrier_status
literal(struct route *r, const char *domain, struct carrier_error *err)
{
	char text[DNSMSG_NAME_MAX];
	const char *p = domain + 1;
	size_t len = strlen(p);
	struct route_host *h = &r->host[0];

	r->kind = ROUTE_LITERAL;
	host_init(h, "", 0);
	if (len < 2 || p[len - 1] != ']' || len - 1 >= sizeof(text))
		goto bad;
	memcpy(text, p, len - 1);
	text[len - 1] = '\0';
	if (strncasecmp(text, "IPv6:", 5) == 0) {
		if (net_parse_addr(text + 5, &h->addr[0]) != 0 ||
		    h->addr[0].family != AF_INET6)
			goto bad;
	} else if (net_parse_addr(text, &h->addr[0]) != 0 ||
	    h->addr[0].family != AF_INET)
		goto bad;
	/* the address as the name: messages show "[address]:port" */
	(void)net_addr_str(&h->addr[0], h->name, sizeof(h->name));
	h->naddr = 1;
	h->looked_up = 1;
	r->nhost = 1;
	return CARRIER_OK;
bad:
	status_set(err, CARRIER_PERM, PHASE_RESOLVE, "invalid address "
	    "literal %s", domain);
	(void)strlcpy(err->enhanced, "5.1.2", sizeof(err->enhanced));
	return CARRIER_PERM;
}

/* A uniform random number below n (n > 0). */
static size_t
random_below(size_t n)
{
	uint32_t x;

	if (getrandom(&x, sizeof(x), 0) != (ssize_t)sizeof(x))
		x = (uint32_t)monotime_ms();
	return (size_t)(x % n);
}

/* Equal preferences in a random order (RFC 5321 5.1), each run apart. */
static void
shuffle_equal(struct route *r)
{
	struct route_host tmp;
	size_t a, b, i, j;

	for (a = 0; a < r->nhost; a = b) {
		for (b = a + 1; b < r->nhost && r->host[b].pref ==
		    r->host[a].pref; b++)
			;
		for (i = b - 1; i > a; i--) {	/* Fisher-Yates */
			j = a + random_below(i - a + 1);
			if (j == i)
				continue;
			tmp = r->host[i];
			r->host[i] = r->host[j];
			r->host[j] = tmp;
		}
	}
}

/* An MX that names an address, not a host: RFC 5321 5.1 says unusable. */
static int
name_is_address(const char *name)
{
	struct dns_addr a;

	return net_parse_addr(name, &a) == 0;
}

/* What is left of the domain's DNS budget, as a deadline from now. */
static int64_t
dns_start(const struct route *r, int64_t *now)
{
	*now = monotime_ms();
	return *now + (r->dns_left > 0 ? r->dns_left : 0);
}

/* Takes what a lookup begun at start took from the budget. */
static void
dns_spent(struct route *r, int64_t start)
{
	r->dns_left -= monotime_ms() - start;
}

enum carrier_status
route_lookup(const struct route_opts *o, const char *domain,
    struct route *r, struct carrier_error *err)
{
	static struct dns_mx mx[DNSMSG_MX_MAX];
	enum carrier_status st;
	int64_t start;
	size_t n = 0, i;
	int nullmx = 0;

	/* not all of r: its hosts are set as they are added */
	r->kind = ROUTE_RELAY;
	r->nhost = 0;
	r->skipped = 0;
	r->dns.open = 0;
	r->dns_left = 0;
	r->mx_secure = 0;
	(void)strlcpy(r->untrusted, "no DNS lookups", sizeof(r->untrusted));
	r->opts = *o;
	if (strlcpy(r->domain, domain, sizeof(r->domain)) >=
	    sizeof(r->domain)) {
		status_set(err, CARRIER_PERM, PHASE_RESOLVE, "domain name "
		    "too long");
		return CARRIER_PERM;
	}
	if (o->relay_host != NULL && o->relay_host[0] != '\0') {
		r->kind = ROUTE_RELAY;
		host_init(&r->host[0], o->relay_host, 0);
		r->nhost = 1;
		return CARRIER_OK;
	}
	if (domain[0] == '[')
		return literal(r, domain, err);
	r->dns_left = (int64_t)o->dns_timeout * 1000;
	if (dns_open(&r->dns) == -1)
		return status_set(err, CARRIER_TEMP, PHASE_RESOLVE, "cannot "
		    "set up the resolver: %s", strerror(errno));
	(void)dns_trust(&r->dns, o->trusted, o->ntrusted, r->untrusted,
	    sizeof(r->untrusted));
	st = dns_mx(&r->dns, domain, dns_start(r, &start), mx, DNSMSG_MX_MAX,
	    &n, &nullmx, err);
	dns_spent(r, start);
	r->mx_secure = st == CARRIER_OK && r->dns.ad;
	if (st != CARRIER_OK)
		return st;
	if (nullmx && n > 0)	/* RFC 7505 3: not with others; use those */
		log_note("%s: a null MX beside other MX records, ignored",
		    domain);
	else if (nullmx) {
		status_set(err, CARRIER_PERM, PHASE_RESOLVE, "%s accepts no "
		    "mail: its MX record is the null MX (RFC 7505)", domain);
		(void)strlcpy(err->enhanced, "5.1.10", sizeof(err->enhanced));
		return CARRIER_PERM;
	}
	if (n == 0) {
		r->kind = ROUTE_IMPLICIT;
		host_init(&r->host[0], domain, 0);
		r->nhost = 1;
		return CARRIER_OK;
	}
	r->kind = ROUTE_MX;
	for (i = 0; i < n && r->nhost < ROUTE_HOSTS_MAX; i++) {
		if (name_is_address(mx[i].name) ||
		    !dnsmsg_name_ok(mx[i].name)) {
			log_note("%s: MX %u %s skipped: not a host name "
			    "(RFC 5321 5.1)", domain, mx[i].pref, mx[i].name);
			r->skipped++;
			continue;
		}
		host_init(&r->host[r->nhost++], mx[i].name, mx[i].pref);
	}
	if (r->nhost == 0) {
		status_set(err, CARRIER_PERM, PHASE_RESOLVE, "no usable MX "
		    "host for %s: its MX records name addresses, not hosts "
		    "(RFC 5321 5.1)", domain);
		(void)strlcpy(err->enhanced, "5.4.4", sizeof(err->enhanced));
		return CARRIER_PERM;
	}
	shuffle_equal(r);
	return CARRIER_OK;
}

enum carrier_status
route_addrs(struct route *r, size_t i, struct carrier_error *err)
{
	struct route_host *h = &r->host[i];
	enum carrier_status st;
	int64_t start;
	int want = DNS_WANT_V4 | DNS_WANT_V6;

	if (r->kind == ROUTE_RELAY || (h->looked_up && h->naddr > 0))
		return CARRIER_OK;
	if (r->opts.family == NET_ONLY_V4)
		want = DNS_WANT_V4;
	else if (r->opts.family == NET_ONLY_V6)
		want = DNS_WANT_V6;
	h->looked_up = 1;
	h->naddr = 0;
	st = dns_addrs(&r->dns, h->name, want, dns_start(r, &start), h->addr,
	    DNSMSG_ADDR_MAX, &h->naddr, err);
	dns_spent(r, start);
	h->secure = st == CARRIER_OK && r->dns.ad;
	if (st == CARRIER_OK)
		h->naddr = net_order(h->addr, h->naddr, r->opts.prefer,
		    r->opts.family);
	if (st == CARRIER_OK && h->naddr > 0)
		return CARRIER_OK;
	if (r->kind == ROUTE_IMPLICIT && st != CARRIER_TEMP) {
		status_set(err, CARRIER_PERM, PHASE_RESOLVE, "%s has no MX "
		    "record and no %saddress", r->domain, want ==
		    DNS_WANT_V4 ? "IPv4 " : want == DNS_WANT_V6 ? "IPv6 " :
		    "");
		(void)strlcpy(err->enhanced, "5.1.2", sizeof(err->enhanced));
		return CARRIER_PERM;
	}
	if (st == CARRIER_OK || st == CARRIER_PERM) {
		/* an MX host that does not resolve: the next one may */
		status_set(err, CARRIER_TEMP, PHASE_RESOLVE, "MX host %s %s",
		    h->name, st == CARRIER_PERM ? "not found" : want ==
		    DNS_WANT_V4 ? "has no IPv4 address" : want == DNS_WANT_V6 ?
		    "has no IPv6 address" : "has no address");
		(void)strlcpy(err->enhanced, "4.4.3", sizeof(err->enhanced));
	}
	return CARRIER_TEMP;
}

enum route_dane
route_dane(struct route *r, size_t i, struct tlsa *t, size_t max, size_t *n,
    char *why, size_t whylen, struct carrier_error *err)
{
	const struct route_host *h = &r->host[i];
	enum carrier_status st;
	int64_t start;
	size_t k, usable = 0;

	*n = 0;
	if (r->kind == ROUTE_RELAY || r->kind == ROUTE_LITERAL) {
		(void)snprintf(why, whylen, "not an MX host");
		return ROUTE_DANE_NONE;
	}
	if (!r->dns.trusted) {
		(void)snprintf(why, whylen, "DNSSEC not believed: %s",
		    r->untrusted);
		return ROUTE_DANE_NONE;
	}
	if (!h->secure) {
		(void)snprintf(why, whylen, "the address records of %s are "
		    "not DNSSEC-validated", h->name);
		return ROUTE_DANE_NONE;
	}
	st = dns_tlsa(&r->dns, h->name, dns_start(r, &start), t, max, n, err);
	dns_spent(r, start);
	if (st != CARRIER_OK) {
		(void)snprintf(why, whylen, "the TLSA lookup failed: %s",
		    err->text);
		return ROUTE_DANE_FAIL;
	}
	if (*n == 0) {
		(void)snprintf(why, whylen, "no TLSA records at _25._tcp.%s%s",
		    h->name, r->dns.ad ? " (validated denial)" : "");
		return ROUTE_DANE_NONE;
	}
	if (!r->dns.ad) {
		(void)snprintf(why, whylen, "the TLSA records of _25._tcp.%s "
		    "are not DNSSEC-validated", h->name);
		*n = 0;
		return ROUTE_DANE_NONE;
	}
	for (k = 0; k < *n; k++)
		usable += tlsa_usable(&t[k]) != 0;
	(void)snprintf(why, whylen, "%zu TLSA record%s at _25._tcp.%s, "
	    "DNSSEC-validated, %zu usable", *n, *n == 1 ? "" : "s", h->name,
	    usable);
	return usable > 0 ? ROUTE_DANE_MATCH : ROUTE_DANE_ENCRYPT;
}

int
route_sts(struct route *r, char *id, size_t idsize, char *why, size_t whylen)
{
	struct carrier_error err;
	int64_t start;
	int found = 0;

	if (idsize > 0)
		id[0] = '\0';
	if (r->kind == ROUTE_RELAY || r->kind == ROUTE_LITERAL) {
		(void)snprintf(why, whylen, "not an MX route");
		return 0;
	}
	status_clear(&err);
	if (dns_sts(&r->dns, r->domain, dns_start(r, &start), &found, id,
	    idsize, why, whylen, &err) != CARRIER_OK)
		(void)snprintf(why, whylen, "%s", err.text);
	dns_spent(r, start);
	return found;
}

void
route_close(struct route *r)
{
	if (r->kind != ROUTE_RELAY && r->kind != ROUTE_LITERAL)
		dns_close(&r->dns);
}
