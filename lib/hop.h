/* SPDX-License-Identifier: ISC */
/*
 * hop.h: one SMTP session with one host of a route: connect (to the
 * addresses route found, or to the relay by name), the greeting, EHLO,
 * TLS as the hop's policy says, AUTH to the relay only, then the message
 * to every open recipient of an envelope.  deliver walks a route and
 * calls hop_session() for each host it tries; policy.h says what a
 * failure means.  Internal to libcarrier.
 */
#ifndef CARRIER_HOP_H
#define CARRIER_HOP_H

#include <stddef.h>

#include "dnsmsg.h"
#include "tlsa.h"
#include "net.h"
#include "policy.h"
#include "route.h"
#include "carrier.h"

#define HOP_TRIES_MAX	DNSMSG_ADDR_MAX	/* addresses of one host */

/* TLS to a host, for one attempt. */
enum hop_tls {
	HOP_TLS_RELAY = 0,	/* the relay's policy: opts->tls, tls_* */
	HOP_TLS_NONE,		/* plaintext (tls_mx none, or a retry) */
	HOP_TLS_MAY,		/* STARTTLS when offered */
	HOP_TLS_REQUIRED	/* STARTTLS, or the host fails */
};

struct hop {
	enum policy_hop		 kind;
	const char		*host;	/* name: SNI, the name verified, and
					   messages */
	unsigned int		 port;
	int			 implicit_tls;
	const struct dns_addr	*addr;	/* connect to these; NULL: resolve
					   host (the relay) */
	size_t			 naddr;
	enum hop_tls		 tls;
	int			 verify; /* HOP_TLS_MAY/REQUIRED: check the
					   certificate */
	const char		*policy; /* an MX host's TLS policy for the
					   log: "dane", "may", ... (NULL:
					   the relay) */
	const char		*required_by; /* what requires TLS, for
					   messages: "\"tls_mx verify\"" */
	int			 sts_testing; /* an MTA-STS policy in mode
					   testing would judge this host */
	const struct tlsa	*tlsa;	/* DANE: the records to match */
	size_t			 ntlsa;
	const char		*names[2]; /* DANE-TA: the names the
					   certificate may have */
	size_t			 nnames;
	int64_t			 deadline; /* for connecting (0: none) */

	/* what happened, for the caller */
	struct net_try		 tries[HOP_TRIES_MAX];
	size_t			 ntries;
	int			 connected; /* a connection was made */
	int			 cert_failed; /* the certificate failed */
};

/*
 * One session with hop (or the connection kept open to it: opts->reuse)
 * for the open recipients of env: transactions while a server that took
 * some recipients put others off (452) and the connection is open, then
 * QUIT, or the connection kept.  Each recipient's result is set and
 * settled when the session got that far; when it failed before (no
 * connection, a refused greeting, TLS), the recipients stay open and err
 * says why, for policy_after().  Returns the failure that ended the
 * session, or CARRIER_OK.
 */
enum carrier_status hop_session(const struct carrier_options *opts,
	    struct hop *hop, struct carrier_envelope *env,
	    const struct carrier_message *msg, struct carrier_error *err);

/* What route_lookup() needs of opts (route.h). */
void	hop_route_options(const struct carrier_options *opts,
	    struct route_opts *ro);

/* The relay as a hop: the port and implicit TLS by the policy. */
void	hop_relay(const struct carrier_options *opts, struct hop *hop);

/* Closes the connection hop_session() kept open, if there is one. */
void	hop_done(void);

/*
 * Forgets the kept connection without closing it: a forked child must
 * not speak on its parent's connection.
 */
void	hop_forget(void);

/* carrier_probe() on a hop (connects, TLS, EHLO; no AUTH, no mail). */
enum carrier_status hop_probe(const struct carrier_options *opts,
	    struct hop *hop, struct carrier_probe *p,
	    struct carrier_error *err);

#endif
