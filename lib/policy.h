/* SPDX-License-Identifier: ISC */
/*
 * policy.h: what a failure on the way to a next hop means, for every
 * kind of hop, in one place.
 *
 * deliver walks a route (route.h) host by host; after each step that
 * failed it asks policy_after() whether to try the same host another
 * way, the next host, or to stop with the failure as the outcome of the
 * recipients still open.  The rules follow Postfix's smtp(8) for an MX
 * hop (RFC 5321 5.1: "the first MX that answers and refuses does not end
 * the domain"), and keep a relay's failures final: a relay is the one
 * host there is.
 */
#ifndef CARRIER_POLICY_H
#define CARRIER_POLICY_H

#include "status.h"

enum policy_hop {
	POLICY_RELAY = 0,	/* the configured relay, or -R */
	POLICY_MX		/* a mail exchanger of the domain (or the
				   domain itself, or an address literal) */
};

enum policy_action {
	POLICY_DONE = 0,	/* the session ran: each recipient has its
				   own outcome (accepted, or refused by RCPT) */
	POLICY_NEXT_HOST,	/* this host failed before the transaction
				   decided anything: the next host */
	POLICY_RETRY_PLAIN,	/* the TLS handshake failed: this host again
				   without STARTTLS, once (opportunistic) */
	POLICY_RETRY_UNVERIFIED, /* the certificate did not verify: this
				   host again, TLS without verifying (logged) */
	POLICY_FINAL		/* the failure is the outcome of every
				   recipient still open */
};

/* What the TLS policy of the hop allows after a failure. */
struct policy_tls {
	int	opportunistic;	/* plaintext is acceptable (tls_mx may) */
	int	verify_required; /* a certificate must verify (tls_mx
				   verify) or match TLSA records (DANE) */
	int	retried_plain;	/* this host was tried in plaintext already */
	int	retried_unverified; /* ... and without verifying */
};

/*
 * The action after a step to a host of kind hop failed with err (err's
 * status CARRIER_OK: POLICY_DONE).  cert_failed says the TLS handshake
 * failed on the peer's certificate (chain or name), not on the protocol.
 * Pure.
 */
enum policy_action policy_after(enum policy_hop hop,
	    const struct carrier_error *err, int cert_failed,
	    const struct policy_tls *tls);

/* The action as words, for the -v transcript. */
const char	*policy_action_name(enum policy_action);

/*
 * Whether a connection failure err (PHASE_CONNECT) is the kind a
 * blocked port gives: refused at once, or no answer until the deadline
 * (not a name that does not resolve, not a TLS failure).  errnum is the
 * errno of the attempt.
 */
int	policy_blocked_errno(int errnum);

#endif
