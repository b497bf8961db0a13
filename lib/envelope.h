/* SPDX-License-Identifier: ISC */
/*
 * envelope.h: the SMTP envelope: a sender and recipients, each recipient
 * with its own outcome, so one refusal never decides for the others.
 */
#ifndef CARRIER_ENVELOPE_H
#define CARRIER_ENVELOPE_H

#include <stddef.h>
#include <time.h>

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

/*
 * Where a recipient stands.  A delivery tries the pending ones and
 * settles each (envelope_settle); the queue keeps the state on disk and
 * makes a deferred recipient pending again when its next try is due.
 */
enum envelope_state {
	ENVELOPE_PENDING = 0,	/* to be tried */
	ENVELOPE_DEFERRED,	/* a temporary failure: to be tried again */
	ENVELOPE_DELIVERED,	/* accepted by the next hop */
	ENVELOPE_BOUNCED	/* failed for good */
};

struct carrier_rcpt {
	char			*addr;		/* owned */
	char			*orcpt;		/* owned: a DSN ORCPT value
						   ("rfc822;xtext") given by
						   a client (-bs), or NULL */
	unsigned int		 notify;	/* ENVELOPE_NOTIFY_* */
	struct carrier_error	result;		/* this recipient's outcome */
	enum envelope_state	state;
	unsigned int		attempts;	/* deliveries tried (queue) */
	time_t			next_try;	/* deferred: not before */
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

/*
 * Settles a recipient after a delivery: its state from result.status
 * (ok: delivered, temporary: deferred, permanent: bounced).
 */
void	envelope_settle(struct carrier_rcpt *);

/* Whether the recipient has an outcome already (is not pending). */
static inline int
envelope_done(const struct carrier_rcpt *r)
{
	return r->state != ENVELOPE_PENDING;
}

/* The recipients of env without an outcome yet (pending). */
size_t	envelope_open_count(const struct carrier_envelope *env);

/* Frees what the envelope owns; it may be initialised again. */
void	envelope_free(struct carrier_envelope *);

#endif
