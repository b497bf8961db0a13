/* SPDX-License-Identifier: ISC */
/*
 * policy.c: the failure policy of a hop (policy.h).
 * Depends on status.
 *
 * To an MX, a host that fails before the transaction could decide
 * anything is passed over: no address answering, a greeting that is not
 * 220 (421 and 5xx included, as Postfix's smtp_skip_5xx_greeting), EHLO
 * and HELO refused, STARTTLS refused where TLS is required, a handshake
 * that fails, and a MAIL FROM answered with 4xx (that server cannot take
 * the message now; another may).  A 5xx to MAIL FROM is final: every MX
 * of a domain answers for the same mail system.  RCPT replies are each
 * recipient's own outcome, and what fails after the recipients were
 * accepted (DATA, the text, the reply to its end) is final as well: the
 * next host must not get a second copy of a message the first may hold.
 * To a relay every failure is final.
 */
#include <errno.h>
#include <stddef.h>

#include "policy.h"

static enum policy_action tls_failed(const struct policy_tls *, int);

const char *
policy_action_name(enum policy_action a)
{
	static const char *const names[] = { "done", "next host",
	    "this host again in plaintext", "this host again, unverified",
	    "final" };

	if ((size_t)a >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[a];
}

/* The handshake (or STARTTLS itself) failed. */
static enum policy_action
tls_failed(const struct policy_tls *tls, int cert_failed)
{
	if (tls == NULL)
		return POLICY_NEXT_HOST;
	if (cert_failed && !tls->verify_required && !tls->retried_unverified)
		return POLICY_RETRY_UNVERIFIED;
	if (tls->opportunistic && !tls->retried_plain)
		return POLICY_RETRY_PLAIN;
	return POLICY_NEXT_HOST;
}

enum policy_action
policy_after(enum policy_hop hop, const struct carrier_error *err,
    int cert_failed, const struct policy_tls *tls)
{
	if (err->status == CARRIER_OK)
		return POLICY_DONE;
	if (hop == POLICY_RELAY)
		return POLICY_FINAL;
	switch (err->phase) {
	case PHASE_RESOLVE:	/* this host's addresses */
	case PHASE_CONNECT:
	case PHASE_GREETING:
	case PHASE_EHLO:
	case PHASE_HELO:
		return POLICY_NEXT_HOST;
	case PHASE_STARTTLS:
		/* refused, or a hang-up: plaintext if the policy allows */
		if (tls != NULL && tls->opportunistic && !tls->retried_plain)
			return POLICY_RETRY_PLAIN;
		return POLICY_NEXT_HOST;
	case PHASE_TLS:
		return tls_failed(tls, cert_failed);
	case PHASE_MAIL:
		return err->status == CARRIER_TEMP ? POLICY_NEXT_HOST :
		    POLICY_FINAL;
	default:
		return POLICY_FINAL;
	}
}

int
policy_blocked_errno(int errnum)
{
	return errnum == ECONNREFUSED || errnum == ETIMEDOUT ||
	    errnum == EHOSTUNREACH || errnum == ENETUNREACH;
}
