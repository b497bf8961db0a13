/* SPDX-License-Identifier: ISC */
/*
 * smtp_auth.h: SMTP AUTH (RFC 4954) with PLAIN (RFC 4616), LOGIN,
 * XOAUTH2 and OAUTHBEARER (RFC 7628).
 *
 * Every failure is temporary: a refused password is a configuration
 * problem to fix, never a reason to bounce a message.  The transcript
 * shows "AUTH PLAIN <credentials>", never the credentials.
 */
#ifndef CARRIER_SMTP_AUTH_H
#define CARRIER_SMTP_AUTH_H

#include "smtp.h"

#define SMTP_AUTH_SECRET_MAX	8192	/* an OAuth token fits */

struct smtp_auth {
	const char	*user;
	const char	*secret;	/* password or OAuth bearer token */
	const char	*mechanism;	/* NULL or "": PLAIN, else LOGIN */
	const char	*host;		/* for OAUTHBEARER's host= */
	unsigned int	 port;		/* for OAUTHBEARER's port= */
};

/*
 * Picks the mechanism: a->mechanism if the server offers it, else PLAIN
 * or LOGIN as offered.  Returns its name, or NULL when none fits.
 */
const char *smtp_auth_pick(const struct smtp_session *s,
	    const struct smtp_auth *a);

/*
 * Authenticates.  Returns CARRIER_OK on 235; otherwise CARRIER_TEMP with
 * the reason in err (PHASE_AUTH): no usable mechanism, refused
 * credentials, a protocol or I/O error.
 */
enum carrier_status smtp_auth(struct smtp_session *s,
	    const struct smtp_auth *a, struct carrier_error *err);

#endif
