/* SPDX-License-Identifier: ISC */
/*
 * maillog.h: the mail log, one syslog line per recipient outcome.
 *
 * The lines go to the local syslog socket (/dev/log: journald, rsyslog,
 * busybox syslogd) as RFC 3164 datagrams, "<PRI>Mmm dd hh:mm:ss
 * TAG[PID]: text", MAILLOG_BATCH lines per sendmmsg(2) call (to a
 * stream socket, as some syslog-ng setups have, each ends in a NUL, as
 * glibc sends them).  No syslog daemon means no log and no error: a
 * mail is never held up by its log.  A daemon that stops reading, or
 * reads slowly, holds carrier up at most MAILLOG_WAIT_MS in all; the
 * lines it did not take by then are dropped.
 *
 * A recipient's line (carrier.8, LOGGING, has the words):
 *   [QUEUEID: ]from=<s>, to=<r>, uid=N, msgid=<id>,
 *   relay=host[addr]:port, [tls=dane, ]delay=0.25, size=2048,
 *   dsn=2.0.0, status=sent (250 2.0.0 Ok: ...)
 * tls= is the TLS policy that held for an MX host (carrier.8, DIRECT
 * DELIVERY): dane, may, encrypt, verify or none.
 * status is sent, tempfail, failed, or config-error for a failure in
 * PHASE_CONFIG (no relay, a bad config or aliases file, an unreadable
 * secret: the caller got EX_CONFIG, not a temporary failure); for a
 * queued message (a queue id) deferred, bounced, or expired when its
 * lifetime ran out.
 * Every field that comes from the caller or a server is sanitised: no
 * control byte (a line break would forge a log line) reaches the log.
 */
#ifndef CARRIER_MAILLOG_H
#define CARRIER_MAILLOG_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define MAILLOG_OFF		(-1)	/* the facility "off" */
#define MAILLOG_PATH		"/dev/log"
#define MAILLOG_TAG_DEFAULT	"carrier"
#define MAILLOG_TAG_MAX		32	/* octets of -L tag */
#define MAILLOG_LINE_MAX	2048	/* a line, without the frame */
#define MAILLOG_MSGID_MAX	256	/* a Message-ID kept for the log */
#define MAILLOG_WAIT_MS		1000	/* the longest wait for the daemon */
#define MAILLOG_FIELD_MAX	600	/* octets of one field, as written */
#define MAILLOG_ADDR_SHOWN	300	/* ... of an address */
#define MAILLOG_MSGID_SHOWN	200	/* ... of a Message-ID */

/* What the lines of one message share. */
struct maillog_msg {
	const char	*sender;	/* "" = the null sender */
	const char	*msgid;		/* the Message-ID field, or NULL */
	uint64_t	 size;		/* octets sent, 0 = not known */
	long		 uid;		/* the submitting user, or -1 */
	long long	 delay_ms;	/* since intake began, or -1 */
	const char	*queue_id;	/* NULL or "": not queued */
};

/*
 * The facility named name ("mail", "user", "daemon", "local0".."local7")
 * as its LOG_* value, MAILLOG_OFF for "off", or -2 for anything else.
 */
int	maillog_facility(const char *name);

/* The name of a facility maillog_facility() returns; "?" for others. */
const char *maillog_facility_name(int facility);

/*
 * Whether tag may be a syslog tag: 1 to MAILLOG_TAG_MAX octets of
 * printable ASCII without blanks, ':', '[' or ']'.
 */
int	maillog_tag_ok(const char *tag);

/*
 * Writes the line for recipient rcpt with outcome result into buf (size
 * octets, NUL-terminated; a line that does not fit is cut).  Returns the
 * line's length.
 */
size_t	maillog_format(char *buf, size_t size, const struct maillog_msg *m,
	    const char *rcpt, const struct carrier_error *result);

/*
 * Writes a line that is about no recipient (a message refused before
 * delivery: "from=<s>, uid=N, status=refused (text)") into buf.
 */
size_t	maillog_format_refused(char *buf, size_t size,
	    const struct maillog_msg *m, const struct carrier_error *err);

/*
 * The syslog priority of an outcome: LOG_INFO sent, LOG_WARNING
 * temporary, LOG_ERR permanent or a configuration error (PHASE_CONFIG,
 * whatever its class: an administrator must act).
 */
int	maillog_priority(const struct carrier_error *);

#define MAILLOG_BATCH		32	/* lines per sendmmsg(2) */
#define MAILLOG_FRAME_MAX	(MAILLOG_LINE_MAX + 64)

/* An open log; lines are held until a batch is full or it is closed. */
struct maillog {
	int		 fd;		/* -1: no daemon, or off */
	int		 stream;	/* a SOCK_STREAM socket */
	int		 facility;
	char		 prefix[64];	/* "Mmm dd hh:mm:ss tag[pid]: " */
	long long	 deadline_ms;	/* CLOCK_MONOTONIC, the last wait */
	size_t		 n;		/* lines held */
	size_t		 len[MAILLOG_BATCH];
	char		 frame[MAILLOG_BATCH][MAILLOG_FRAME_MAX];
	size_t		 sent;		/* lines the daemon took */
	size_t		 dropped;	/* lines it did not */
};

/*
 * Opens the log: connects to the syslog socket at path (NULL:
 * MAILLOG_PATH) for facility (MAILLOG_OFF: nothing is logged) and tag,
 * and sets the deadline for the daemon to timeout_ms from now.  Returns
 * 0, or -1 with errno (ENOENT, ECONNREFUSED: no daemon); either way l
 * may be given lines and must be closed.
 */
int	maillog_open(struct maillog *l, const char *path, int facility,
	    const char *tag, int timeout_ms);

/* Adds a line (NUL-terminated) at priority prio (LOG_INFO, ...). */
void	maillog_add(struct maillog *l, int prio, const char *line);

/*
 * Sends what is held and closes the socket.  Returns the number of lines
 * dropped (no daemon, or one that did not read in time).
 */
size_t	maillog_close(struct maillog *l);

#endif
