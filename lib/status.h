/* SPDX-License-Identifier: ISC */
/*
 * status.h: the outcome of anything that touches a delivery.
 *
 * Every function that can fail a delivery returns an enum carrier_status
 * and fills a caller-provided struct carrier_error: the class (temporary
 * or permanent), the phase it happened in, the server's reply code and
 * enhanced status code when there was a reply, and a sanitised text.
 * When in doubt a failure is temporary: a queued message can be retried,
 * a lost one cannot.
 */
#ifndef CARRIER_STATUS_H
#define CARRIER_STATUS_H

#include <stdarg.h>

enum carrier_status {
	CARRIER_OK = 0,		/* done: accepted by the next hop */
	CARRIER_TEMP,		/* try again later */
	CARRIER_PERM		/* will never work as it stands */
};

/* Where a failure happened; status_phase_name() gives the words. */
enum carrier_phase {
	PHASE_NONE = 0,
	PHASE_USAGE,		/* bad command line */
	PHASE_CONFIG,		/* bad configuration */
	PHASE_INPUT,		/* unusable message or address */
	PHASE_LOCAL,		/* local I/O: temporary file, memory */
	PHASE_RESOLVE,		/* looking up the next hop */
	PHASE_CONNECT,
	PHASE_GREETING,
	PHASE_EHLO,
	PHASE_HELO,
	PHASE_STARTTLS,		/* the STARTTLS command */
	PHASE_TLS,		/* the TLS handshake */
	PHASE_AUTH,
	PHASE_MAIL,
	PHASE_RCPT,
	PHASE_DATA,		/* the DATA command and its 354 */
	PHASE_BODY,		/* sending the message text */
	PHASE_DOT,		/* the reply to the end of data */
	PHASE_QUIT,
	PHASE_EXPIRED,		/* the queue's lifetime ran out */
	PHASE_COUNT
};

#define STATUS_ENH_MAX	16	/* "5.123.456" with room */
#define STATUS_HOST_MAX	320	/* "name[address]:port" */
#define STATUS_TEXT_MAX	512

struct carrier_error {
	enum carrier_status	status;
	enum carrier_phase	phase;
	int			code;	/* SMTP reply code, or 0 */
	char			enhanced[STATUS_ENH_MAX]; /* "5.1.1" or "" */
	char			host[STATUS_HOST_MAX];	/* peer, or "" */
	char			step[24];	/* the exact command, e.g.
						 * "AUTH PLAIN"; "" = phase */
	char			text[STATUS_TEXT_MAX];	/* sanitised */
	int			protocol; /* the peer broke the protocol:
						 * a reply that does not parse
						 * (EX_PROTOCOL to a caller) */
	char			tls[8];	/* the TLS policy that held for an MX
						 * host, for the log ("dane",
						 * "sts", "may", ...); "" */
};

/* Resets an error record to "no error". */
void	status_clear(struct carrier_error *);

/*
 * Fills err with a failure of the given class in the given phase, without
 * a reply code and not a protocol error; the text is formatted from fmt
 * and sanitised.  Keeps err->host.  Returns status, so callers can
 * "return status_set(...)".
 */
enum carrier_status status_set(struct carrier_error *err,
	    enum carrier_status status, enum carrier_phase phase,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The phase as words for messages: "RCPT TO", "the greeting", ... */
const char	*status_phase_name(enum carrier_phase);

/*
 * Formats err as one line without a newline, e.g.
 * "mx.example[192.0.2.1]:25 said after RCPT TO: 550 5.1.1 no such user".
 * Returns buf.
 */
char	*status_format(const struct carrier_error *err, char *buf,
	    size_t size);

#endif
