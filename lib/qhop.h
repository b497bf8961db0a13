/* SPDX-License-Identifier: ISC */
/*
 * qhop.h: the next hops a queue run found down.  A delivery that fails
 * at the level of the site (no connection, a greeting that never comes
 * or says 421, EHLO, STARTTLS, the TLS handshake or AUTH failing, the
 * hop's name not resolving now) would fail the same way for every other
 * message to that hop, each after its own time-outs: as Postfix's queue
 * manager does with a dead destination, the run remembers the hop and
 * the failure, and defers its other messages for that hop without
 * trying them ("delivery temporarily suspended: ...").  As Postfix
 * revives a dead destination after its minimal back-off, a hop is down
 * for a set time (the queue's shortest back-off), then tried again by
 * the next message that goes there.  A next hop is named by its
 * caller: the relay as "host:port", else the recipient's domain
 * (compared without regard to case), the unit deliver groups
 * recipients by and walks the MX hosts of.  Pure (the caller gives the
 * time, on a monotonic clock); a run remembers at most QHOP_MAX hops.
 * Internal to libcarrier.
 */
#ifndef CARRIER_QHOP_H
#define CARRIER_QHOP_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define QHOP_MAX	256	/* hops one run remembers; past that, a hop
				   that is down costs each message its
				   time-outs, as with no memory at all */
#define QHOP_KEY_MAX	STATUS_HOST_MAX	/* a domain, or "host:port" */
#define QHOP_SUSPENDED	"delivery temporarily suspended: "

struct qhop_down {
	char			key[QHOP_KEY_MAX];
	struct carrier_error	why;	/* the failure that took it down */
	int64_t			since;	/* when, in ms */
};

struct qhop {
	struct qhop_down	*down;	/* owned */
	size_t			 n;
	size_t			 cap;
	int64_t			 hold;	/* ms a hop stays down */
};

/* An empty memory whose hops stay down hold_ms milliseconds each. */
void	qhop_init(struct qhop *h, int64_t hold_ms);

/* Frees what h holds; it is empty again, its hold time kept. */
void	qhop_free(struct qhop *h);

/*
 * Whether err is a failure of the next hop as a whole (temporary, in
 * the host lookup, the connect, the greeting, EHLO or HELO, STARTTLS,
 * the TLS handshake or AUTH: before any transaction), not of one
 * message or recipient (MAIL FROM, RCPT TO, the text, its reply).
 */
int	qhop_site_failure(const struct carrier_error *err);

/*
 * The failure that took hop key down, or NULL when it is not down at
 * time now (ms): never taken down, or down for its hold time already.
 */
const struct carrier_error *qhop_find(const struct qhop *h, const char *key,
	    int64_t now);

/*
 * Remembers hop key as down from time now (ms) with the failure why (a
 * hop down already keeps its first failure and time; one whose hold
 * time has passed takes the new ones).  Returns 0, or -1 with errno:
 * ENOSPC when QHOP_MAX hops are remembered already, ENAMETOOLONG for a
 * key of QHOP_KEY_MAX octets or more, ENOMEM.
 */
int	qhop_add(struct qhop *h, const char *key,
	    const struct carrier_error *why, int64_t now);

/*
 * The outcome of a recipient deferred without a try because its hop is
 * down with why: temporary, in why's phase with its enhanced code, no
 * host or reply of its own (the mail log says relay=none), the text
 * QHOP_SUSPENDED and why as status_format() gives it.
 */
void	qhop_suspended(const struct carrier_error *why,
	    struct carrier_error *out);

#endif
