/* SPDX-License-Identifier: ISC */
/*
 * verify.c: where the mail for a recipient would go, in words, for
 * sendmail -bv (carrier_route_describe in carrier.h): the relay, or the
 * MX hosts of the domain with their preferences and addresses and the
 * TLS policy that applies; with probing, whether port 25 of each address
 * answers (a connect, then close: no SMTP, no mail).
 * Depends on route, tlspolicy (the TLS of each host), net, status.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "monotime.h"
#include "net.h"
#include "route.h"
#include "hop.h"
#include "tlspolicy.h"
#include "text.h"
#include "carrier.h"

static void	probe(const struct carrier_options *, const struct route_host *,
		    size_t, char *, size_t, size_t *);
static const char *tls_words(enum conf_tls_mx);
static void	tls_line(const struct carrier_options *, struct route *,
		    size_t, const struct tlspolicy_sts *, char *, size_t,
		    size_t *);

/* Whether port 25 of address j of h answers: a connect, nothing sent. */
static void
probe(const struct carrier_options *opts, const struct route_host *h,
    size_t j, char *buf, size_t size, size_t *len)
{
	struct carrier_error err;
	struct net_opts no;
	struct net_try t;
	size_t nt = 0;
	int64_t start = monotime_ms();
	int fd;

	memset(&no, 0, sizeof(no));
	memset(&t, 0, sizeof(t));
	no.connect_ms = opts->connect_timeout * 1000;
	status_clear(&err);
	fd = net_connect_addrs(h->name, &h->addr[j], 1, CARRIER_SMTP_PORT,
	    &no, &t, &nt, &err);
	if (fd != -1) {
		(void)close(fd);
		text_append(buf, size, len, " (port 25 answers: connected in %lld "
		    "ms)", (long long)(monotime_ms() - start));
	} else if (t.err == ETIMEDOUT)
		text_append(buf, size, len, " (port 25: no answer in %u s)",
		    opts->connect_timeout);
	else
		text_append(buf, size, len, " (port 25: %s)", strerror(nt > 0 ?
		    t.err : errno));
}

static const char *
tls_words(enum conf_tls_mx m)
{
	switch (m) {
	case CONF_TLS_MX_NONE:
		return "never (tls_mx none)";
	case CONF_TLS_MX_ENCRYPT:
		return "STARTTLS required, the certificate not checked "
		    "(tls_mx encrypt)";
	case CONF_TLS_MX_VERIFY:
		return "STARTTLS required, the certificate verified for the "
		    "MX name (tls_mx verify)";
	case CONF_TLS_MX_DANE:
		return "DANE where the MX host publishes TLSA records under "
		    "DNSSEC, else as tls_mx may (tls_mx dane)";
	default:
		return "STARTTLS when offered; a certificate that does not "
		    "verify is logged, not refused (tls_mx may)";
	}
}

/* The TLS host i of r would get, one line (tlspolicy_hop). */
static void
tls_line(const struct carrier_options *opts, struct route *r, size_t i,
    const struct tlspolicy_sts *sts, char *buf, size_t size, size_t *len)
{
	char desc[TLSPOLICY_NOTE_MAX];
	struct carrier_error err;
	struct policy_tls pt;
	struct hop hop;

	memset(&hop, 0, sizeof(hop));
	memset(&pt, 0, sizeof(pt));
	hop.host = r->host[i].name;
	status_clear(&err);
	(void)tlspolicy_hop(opts, r, i, sts, &hop, &pt, desc, sizeof(desc),
	    &err);
	if (desc[0] != '\0')
		text_append(buf, size, len, "        TLS: %s\n", desc);
}

enum carrier_status
carrier_route_describe(const struct carrier_options *opts, const char *rcpt,
    int probing, char *buf, size_t size, struct carrier_error *err)
{
	static struct route r;
	static struct tlspolicy_sts sts;
	struct route_opts ro;
	enum carrier_status st;
	const char *at = strrchr(rcpt, '@');
	enum conf_tls_mx level;
	char a[64];
	size_t len = 0, i, j;

	if (size > 0)
		buf[0] = '\0';
	status_clear(err);
	if (at == NULL || at[1] == '\0')
		return status_set(err, CARRIER_PERM, PHASE_INPUT, "no domain "
		    "to deliver to in %s", rcpt);
	hop_route_options(opts, &ro);
	ro.relay_host = NULL;	/* the route without one */
	if ((st = route_lookup(&ro, at + 1, &r, err)) != CARRIER_OK)
		goto out;
	text_append(buf, size, &len, "%s of %s:\n", r.kind == ROUTE_MX ?
	    "mail exchangers" : route_kind_name(r.kind), r.domain);
	level = tlspolicy_level(opts, r.domain);
	tlspolicy_sts(opts, &r, &sts);
	for (i = 0; i < r.nhost; i++) {
		struct carrier_error herr;

		status_clear(&herr);
		if (r.kind == ROUTE_MX)
			text_append(buf, size, &len, "    %u %s", r.host[i].pref,
			    r.host[i].name);
		else
			text_append(buf, size, &len, "    %s", r.host[i].name);
		if (route_addrs(&r, i, &herr) != CARRIER_OK) {
			text_append(buf, size, &len, ": %s\n", herr.text);
			if (herr.status == CARRIER_PERM) {
				*err = herr;
				st = CARRIER_PERM;
				goto out;
			}
			continue;
		}
		text_append(buf, size, &len, "\n");
		for (j = 0; j < r.host[i].naddr; j++) {
			text_append(buf, size, &len, "        %s", net_addr_str(
			    &r.host[i].addr[j], a, sizeof(a)));
			if (probing)
				probe(opts, &r.host[i], j, buf, size, &len);
			text_append(buf, size, &len, "\n");
		}
		if (level == CONF_TLS_MX_DANE)
			tls_line(opts, &r, i, &sts, buf, size, &len);
	}
	if (r.skipped > 0)
		text_append(buf, size, &len, "    (%zu MX record%s naming an address "
		    "skipped: RFC 5321 5.1)\n", r.skipped, r.skipped == 1 ?
		    "" : "s");
	text_append(buf, size, &len, "    TLS: %s%s\n", tls_words(level),
	    level != opts->tls_mx ? ", from tls_mx_domains" : "");
	if (sts.note[0] != '\0')
		text_append(buf, size, &len, "    %s\n", sts.note);
	if (level == CONF_TLS_MX_DANE && r.kind != ROUTE_LITERAL &&
	    !r.dns.trusted)
		text_append(buf, size, &len, "    DNSSEC: not believed: %s; "
		    "DANE needs a validating resolver on this host, or one "
		    "named in trusted_resolvers\n", r.untrusted);
out:
	route_close(&r);
	return st;
}
