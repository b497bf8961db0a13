/* SPDX-License-Identifier: ISC */
/*
 * tlspolicy.c: the TLS an MX host gets (see tlspolicy.h).  Depends on
 * route (the DANE state of a host, the MTA-STS record), sts_discover
 * (the policy), sts (its mx patterns), conf (the levels), hop (the
 * hop's TLS fields), net (source addresses), monotime, log.
 *
 * The order, for a domain at level dane:
 *  1. A DANE host (validated usable TLSA records) gets DANE: STARTTLS
 *     and a certificate that matches; the MTA-STS policy is not looked
 *     at for it (RFC 8461 2: DANE wins).
 *  2. Else, with an MTA-STS policy in mode enforce: only hosts the
 *     policy's mx patterns match are used, with STARTTLS and a
 *     certificate verified for the MX name (RFC 8461 4.1, 4.2; the
 *     system's CAs or tls_ca_file).  In mode testing the same checks
 *     are made and what would fail is noted, and the host gets "may".
 *  3. Else "may".
 */
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <time.h>

#include "compat.h"
#include "log.h"
#include "monotime.h"
#include "net.h"
#include "tlsa.h"
#include "tlspolicy.h"

static int	sts_host(const struct route *, size_t,
		    const struct tlspolicy_sts *, struct hop *,
		    struct policy_tls *, char *, size_t,
		    struct carrier_error *);
static void	mx_list(const struct sts_policy *, char *, size_t);

/* The TLSA records of the host being tried (one at a time). */
static struct tlsa dane_tlsa[TLSA_MAX];

enum conf_tls_mx
tlspolicy_level(const struct carrier_options *opts, const char *domain)
{
	return conf_tls_mx_for(opts->tls_domains, opts->ntls_domains, domain,
	    opts->tls_mx);
}

void
tlspolicy_sts(const struct carrier_options *opts, struct route *r,
    struct tlspolicy_sts *s)
{
	struct sts_discover_opts d;
	struct dns_addr src4, src6;
	struct carrier_error err;
	char why[256];
	int found;

	s->applies = 0;
	s->note[0] = '\0';
	if ((r->kind != ROUTE_MX && r->kind != ROUTE_IMPLICIT) ||
	    tlspolicy_level(opts, r->domain) != CONF_TLS_MX_DANE)
		return;	/* (no memset of the 8 KiB policy for a relay) */
	memset(s, 0, sizeof(s[0]));
	found = route_sts(r, s->id, sizeof(s->id), why, sizeof(why));
	memset(&d, 0, sizeof(d));
	d.spool = opts->spool;
	d.now = time(NULL);
	d.fetch.deadline = monotime_ms() + (int64_t)opts->dns_timeout * 1000;
	d.fetch.connect_ms = opts->connect_timeout * 1000;
	d.fetch.family = r->opts.family;
	if (opts->source4 != NULL && net_parse_addr(opts->source4, &src4) == 0)
		d.fetch.src4 = &src4;
	if (opts->source6 != NULL && net_parse_addr(opts->source6, &src6) == 0)
		d.fetch.src6 = &src6;
	d.fetch.ca_file = opts->tls_ca_file;
	d.fetch.ca_path = opts->tls_ca_path;
	if (found)
		hop_done();	/* a fetch may come: one TLS session a time */
	status_clear(&err);
	s->source = sts_discover(r->domain, found ? s->id : NULL, &d,
	    &s->policy, s->note, sizeof(s->note), &err);
	if (err.status != CARRIER_OK) {	/* why the fetch failed */
		(void)strlcat(s->note, " (", sizeof(s->note));
		(void)strlcat(s->note, err.text, sizeof(s->note));
		(void)strlcat(s->note, ")", sizeof(s->note));
	}
	if (!found && s->source == STS_SOURCE_NONE)
		(void)snprintf(s->note, sizeof(s->note), "MTA-STS policy of "
		    "%s: none (%.200s)", r->domain, why);
	s->applies = s->source != STS_SOURCE_NONE &&
	    (s->policy.mode == STS_ENFORCE || s->policy.mode == STS_TESTING);
}

/* The policy's mx patterns, "a, b, ...", into buf. */
static void
mx_list(const struct sts_policy *p, char *buf, size_t size)
{
	size_t k;

	buf[0] = '\0';
	for (k = 0; k < p->nmx; k++) {
		if (k > 0)
			(void)strlcat(buf, ", ", size);
		(void)strlcat(buf, p->mx[k], size);
	}
}

/*
 * Host i under the domain's MTA-STS policy (step 2 above): 0 with the
 * hop's TLS set (enforce), 1 for "may" (testing), -1 when the host is
 * not to be used (enforce, no pattern matches it).
 */
static int
sts_host(const struct route *r, size_t i, const struct tlspolicy_sts *s,
    struct hop *hop, struct policy_tls *pt, char *desc, size_t desclen,
    struct carrier_error *err)
{
	static char required[DNSMSG_NAME_MAX + 64];
	const char *host = r->host[i].name;
	char mx[512];
	int match = sts_mx_match(&s->policy, host);

	mx_list(&s->policy, mx, sizeof(mx));
	if (s->policy.mode == STS_TESTING) {
		if (match)
			(void)snprintf(desc, desclen, "MTA-STS policy of %s in "
			    "mode testing: %s matches it; as tls_mx may (a "
			    "certificate that does not verify is noted: "
			    "enforce would refuse it)", r->domain, host);
		else
			(void)snprintf(desc, desclen, "MTA-STS policy of %s in "
			    "mode testing: %s matches none of its mx patterns "
			    "(%s): enforce would refuse it; as tls_mx may",
			    r->domain, host, mx);
		hop->sts_testing = 1;
		return 1;	/* may */
	}
	if (!match) {
		(void)snprintf(desc, desclen, "MTA-STS policy of %s in mode "
		    "enforce: %s matches none of its mx patterns (%s): not "
		    "used", r->domain, host, mx);
		status_set(err, CARRIER_TEMP, PHASE_TLS, "MX host %s is not in "
		    "the MTA-STS policy of %s (mode enforce, mx %s)", host,
		    r->domain, mx);
		(void)strlcpy(err->enhanced, "4.7.5", sizeof(err->enhanced));
		(void)strlcpy(err->host, host, sizeof(err->host));
		(void)strlcpy(err->tls, "sts", sizeof(err->tls));
		return -1;
	}
	(void)snprintf(desc, desclen, "MTA-STS policy of %s in mode "
	    "enforce: %s matches it: STARTTLS required, the certificate "
	    "verified for the MX name", r->domain, host);
	hop->tls = HOP_TLS_REQUIRED;
	hop->verify = 1;
	hop->policy = "sts";
	(void)snprintf(required, sizeof(required), "the MTA-STS policy of %s "
	    "(mode enforce)", r->domain);
	hop->required_by = required;
	pt->verify_required = 1;
	return 0;
}

int
tlspolicy_hop(const struct carrier_options *opts, struct route *r,
    size_t i, const struct tlspolicy_sts *sts, struct hop *hop,
    struct policy_tls *pt, char *desc, size_t desclen,
    struct carrier_error *err)
{
	static char required[DNSMSG_NAME_MAX + 64];
	enum conf_tls_mx level = tlspolicy_level(opts, r->domain);
	enum route_dane dane;
	char why[256];
	size_t n;
	int rc;

	desc[0] = '\0';
	if (level == CONF_TLS_MX_DANE) {
		hop->policy = "dane";
		switch ((dane = route_dane(r, i, dane_tlsa, TLSA_MAX, &n, why,
		    sizeof(why), err))) {
		case ROUTE_DANE_FAIL:
			(void)snprintf(desc, desclen, "DANE: %s: this host is "
			    "skipped for now", why);
			(void)strlcpy(err->host, hop->host, sizeof(err->host));
			(void)strlcpy(err->tls, "dane", sizeof(err->tls));
			return -1;
		case ROUTE_DANE_MATCH:
		case ROUTE_DANE_ENCRYPT:
			(void)snprintf(desc, desclen, "DANE: %s: STARTTLS "
			    "required, %s", why, dane == ROUTE_DANE_MATCH ?
			    "the certificate must match a usable record" :
			    "not authenticated (RFC 7672 2.2)");
			hop->tls = HOP_TLS_REQUIRED;
			pt->verify_required = 1;	/* no try without */
			hop->tlsa = dane_tlsa;
			hop->ntlsa = n;
			hop->nnames = 0;
			hop->names[hop->nnames++] = hop->host;
			/* the domain too, when its MX records are signed
			   (RFC 7672 3.2.2) */
			if (r->mx_secure && strcasecmp(r->domain, hop->host) !=
			    0)
				hop->names[hop->nnames++] = r->domain;
			(void)snprintf(required, sizeof(required), "DANE "
			    "(TLSA records at _25._tcp.%s)", hop->host);
			hop->required_by = required;
			return 0;
		default:
			break;
		}
		level = CONF_TLS_MX_MAY;
		if (sts != NULL && sts->applies) {
			if ((rc = sts_host(r, i, sts, hop, pt, desc, desclen,
			    err)) != 1)
				return rc;
		} else
			(void)snprintf(desc, desclen, "not a DANE host (%s): "
			    "as tls_mx may", why);
	}
	hop->policy = conf_tls_mx_names[level];
	switch (level) {
	case CONF_TLS_MX_NONE:
		hop->tls = HOP_TLS_NONE;
		break;
	case CONF_TLS_MX_ENCRYPT:
		hop->tls = HOP_TLS_REQUIRED;
		hop->required_by = "\"tls_mx encrypt\"";
		break;
	case CONF_TLS_MX_VERIFY:
		hop->tls = HOP_TLS_REQUIRED;
		hop->verify = 1;
		hop->required_by = "\"tls_mx verify\"";
		pt->verify_required = 1;
		break;
	default:	/* may: verified if it can be, else logged */
		hop->tls = HOP_TLS_MAY;
		hop->verify = 1;
		pt->opportunistic = 1;
		break;
	}
	return 0;
}
