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

struct carrier_rcpt {
	char			*addr;		/* owned */
	struct carrier_error	result;		/* this recipient's outcome */
	int			done;		/* result is final */
};

struct carrier_envelope {
	char			*sender;	/* owned; "" = null sender */
	struct carrier_rcpt	*rcpts;		/* owned */
	size_t			nrcpts;
	size_t			cap;
};

/* An empty envelope with the null sender; returns 0 or -1 (ENOMEM). */
int	envelope_init(struct carrier_envelope *);

/* Replaces the sender with a copy of addr; 0 or -1 (ENOMEM). */
int	envelope_set_sender(struct carrier_envelope *, const char *addr);

/*
 * Appends a copy of addr as a recipient, unless it is already there
 * (compared exactly).  Returns 0, or -1 with errno ENOMEM or E2BIG.
 */
int	envelope_add_rcpt(struct carrier_envelope *, const char *addr);

/* Frees what the envelope owns; it may be initialised again. */
void	envelope_free(struct carrier_envelope *);

#endif
