/* SPDX-License-Identifier: ISC */
/*
 * envelope.h: the SMTP envelope: a sender and recipients, each recipient
 * with its own outcome, so one refusal never decides for the others.
 */
#ifndef CARRIER_ENVELOPE_H
#define CARRIER_ENVELOPE_H

#include <stddef.h>

#include "status.h"

#define ENVELOPE_RCPT_MAX	100000	/* a sanity cap, not a policy */

/* DSN (RFC 3461) NOTIFY bits; 0 = not said, the server's default. */
#define ENVELOPE_NOTIFY_NEVER	0x01
#define ENVELOPE_NOTIFY_SUCCESS	0x02
#define ENVELOPE_NOTIFY_FAILURE	0x04
#define ENVELOPE_NOTIFY_DELAY	0x08

/* DSN RET: how much of the message a bounce returns. */
enum envelope_ret { ENVELOPE_RET_NONE = 0, ENVELOPE_RET_FULL,
	ENVELOPE_RET_HDRS };

#define ENVELOPE_ENVID_MAX	100	/* RFC 3461 4.4 */

struct carrier_rcpt {
	char			*addr;		/* owned */
	char			*orcpt;		/* owned: a DSN ORCPT value
						   ("rfc822;xtext") given by
						   a client (-bs), or NULL */
	unsigned int		 notify;	/* ENVELOPE_NOTIFY_* */
	struct carrier_error	result;		/* this recipient's outcome */
	int			done;		/* result is final */
	int			logged;		/* in the mail log already */
};

struct carrier_envelope {
	char			*sender;	/* owned; "" = null sender */
	enum envelope_ret	 ret;		/* DSN RET, or none */
	char			 envid[ENVELOPE_ENVID_MAX + 1]; /* or "" */
	int			 smtputf8;	/* asked for (-bs MAIL FROM) */
	unsigned int		 notify;	/* default for new rcpts */
	struct carrier_rcpt	*rcpts;		/* owned */
	size_t			nrcpts;
	size_t			cap;
	size_t			*slot;		/* owned: rcpts by address, a
						   hash table of 1 + index
						   (0: empty) */
	size_t			nslot;		/* a power of two, or 0 */
};

/* An empty envelope with the null sender; returns 0 or -1 (ENOMEM). */
int	envelope_init(struct carrier_envelope *);

/* Replaces the sender with a copy of addr; 0 or -1 (ENOMEM). */
int	envelope_set_sender(struct carrier_envelope *, const char *addr);

/*
 * Appends a copy of addr as a recipient, unless it is already there
 * (compared exactly; a hash table keeps that O(1), so 100,000
 * recipients are no quadratic work).  Returns 0, or -1 with errno
 * ENOMEM or E2BIG.
 */
int	envelope_add_rcpt(struct carrier_envelope *, const char *addr);

/*
 * Parses a DSN NOTIFY list ("never", or any of "success", "failure",
 * "delay" joined by commas; case-insensitive) into ENVELOPE_NOTIFY_*
 * bits.  Returns 0, or -1 when it is not such a list.
 */
int	envelope_parse_notify(const char *s, unsigned int *bits);

/*
 * Writes s as RFC 3461 xtext (bytes outside '!'..'~', '+' and '=' as
 * "+HH") into dst.  Returns 0, or -1 if it does not fit.
 */
int	envelope_xtext(const char *s, char *dst, size_t size);

/* Frees what the envelope owns; it may be initialised again. */
void	envelope_free(struct carrier_envelope *);

#endif
