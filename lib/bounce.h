/* SPDX-License-Identifier: ISC */
/*
 * bounce.h: delivery status notifications (RFC 3464, RFC 6522
 * multipart/report) for the envelope sender: a failure ("bounce") when
 * recipients failed for good, or a delay warning while they are still
 * being retried.  The queue writes one with bounce_write() and submits
 * it through carrier's own submission path, from the null sender.
 */
#ifndef CARRIER_BOUNCE_H
#define CARRIER_BOUNCE_H

#include <stddef.h>
#include <time.h>

#include "status.h"
#include "envelope.h"

#define BOUNCE_RETURN_MAX	(50 * 1024)	/* octets of the original
						   returned without RET */

enum bounce_kind {
	BOUNCE_FAILED,		/* recipients in ENVELOPE_BOUNCED */
	BOUNCE_DELAYED		/* recipients in ENVELOPE_DEFERRED */
};

/* What a report says beside the envelope's recipients. */
struct bounce_params {
	enum bounce_kind kind;
	const char	*reporting_mta;	/* this host's name (Reporting-MTA) */
	const char	*domain;	/* the mail domain: From is
					   MAILER-DAEMON@domain */
	const char	*queue_id;	/* the message's queue id */
	time_t		 arrival;	/* when the message was accepted */
	time_t		 now;		/* Date, Last-Attempt-Date */
	time_t		 expires;	/* BOUNCE_DELAYED: when it is given
					   up (Will-Retry-Until) */
};

/* The original message, as it was sent: head, then the body in fd. */
struct bounce_original {
	const char	*head;		/* header section with its empty line */
	size_t		 headlen;
	int		 fd;		/* body from off, len octets; CRLF */
	unsigned long long off;
	unsigned long long len;
};

/*
 * Whether recipient r goes in a report of the given kind: its state is
 * the kind's, and its DSN NOTIFY allows it (not said: failures and
 * delays are reported; NEVER: none).
 */
int	bounce_wanted(enum bounce_kind kind, const struct carrier_rcpt *r);

/*
 * Writes the report to out_fd as a complete RFC 5322 message with CRLF
 * line ends, no line over 998 octets and nothing dot-stuffed: From
 * MAILER-DAEMON@domain, To the envelope sender, Subject, Date,
 * Message-ID, In-Reply-To and References (the original's Message-ID,
 * when it has one), Auto-Submitted: auto-replied, MIME-Version, then a
 * multipart/report; report-type=delivery-status with three parts: a
 * text/plain explanation naming each recipient and the reply that
 * decided it; a message/delivery-status (Reporting-MTA, Original-
 * Envelope-Id, Arrival-Date; per recipient Original-Recipient when an
 * ORCPT was given, Final-Recipient, Action failed or delayed, Status,
 * Remote-MTA and Diagnostic-Code smtp when a server answered,
 * Last-Attempt-Date, Will-Retry-Until for delays); and the original:
 * in a failure report, message/rfc822 (the whole message) when RET=FULL,
 * or with no RET when it is at most BOUNCE_RETURN_MAX octets;
 * text/rfc822-headers (its header only) otherwise, and always in a delay
 * warning.  Only recipients bounce_wanted() selects are listed.
 *
 * Status is the server's enhanced code, else one derived from its reply
 * or from the phase that failed (RFC 3463; the list is at the top of
 * bounce.c: 4.4.1 for a connect failure, 4.4.7 for a recipient given up
 * without another cause).  Addresses with 8-bit octets (SMTPUTF8) are
 * written as they are, typed "utf-8", in message/global-delivery-status
 * (RFC 6533); an original whose header holds 8-bit octets is returned as
 * message/global or message/global-headers.  Server texts are sanitised
 * and folded: no control characters, no line over 998 octets.
 *
 * Sets *eightbit when the report holds 8-bit octets (the original or an
 * address did): it then needs 8BITMIME, or SMTPUTF8 when the sender is
 * not ASCII.  The original is read with pread() in bounded chunks, twice
 * (once to choose a boundary that is not in it); its offset is left
 * alone.  A caller writing to a pipe or socket ignores SIGPIPE.  Returns
 * CARRIER_OK (err untouched), or CARRIER_TEMP with PHASE_LOCAL in err
 * when writing or reading failed (what was written is to be discarded),
 * or CARRIER_PERM when there is nothing to send: no recipient is wanted,
 * the sender is the null sender (never a bounce of a bounce) or cannot
 * be written in a header, or p->domain or p->reporting_mta is not a
 * host name (PHASE_CONFIG).
 */
enum carrier_status bounce_write(int out_fd, const struct bounce_params *p,
	    const struct carrier_envelope *env,
	    const struct bounce_original *orig, int *eightbit,
	    struct carrier_error *err);

#endif
