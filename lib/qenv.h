/* SPDX-License-Identifier: ISC */
/*
 * qenv.h: the queue's envelope file, a record of one queued message:
 * its envelope (sender, DSN parameters, each recipient with its state,
 * attempts, next try and last reply) and where its text lies in the data
 * file.  Written and read by pure functions; the format is documented at
 * the top of qenv.c.
 */
#ifndef CARRIER_QENV_H
#define CARRIER_QENV_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "envelope.h"
#include "maillog.h"
#include "message.h"

#define QENV_VERSION	1
#define QENV_ID_MAX	32		/* a queue id, with its NUL */
#define QENV_FILE_MAX	(64UL << 20)	/* an envelope file's size cap */

/* Message flags. */
#define QENV_REPORT	0x01	/* a DSN carrier wrote: never bounced */
#define QENV_WARNED	0x02	/* the delay warning was sent */

/* What the queue keeps about a message beside its envelope. */
struct qenv {
	char			id[QENV_ID_MAX];
	time_t			arrival;	/* accepted (realtime) */
	long			uid;		/* who submitted it, or -1 */
	unsigned int		flags;		/* QENV_* */
	/* the text as sent: head_len octets at head_off of the data
	   file, then body_len octets at body_off */
	uint64_t		head_off, head_len;
	uint64_t		body_off, body_len;
	struct message_info	info;		/* what intake learned */
	char			msgid[MAILLOG_MSGID_MAX]; /* for the log */
};

/*
 * Whether id is a well-formed queue id: 1 to QENV_ID_MAX - 1 octets of
 * [0-9A-Za-z].  Such an id is safe in a file name.
 */
int	qenv_id_ok(const char *id);

/*
 * Writes q and env as an envelope file.  Returns the text in a buffer
 * the caller frees, its length in *len; or NULL with errno (ENOMEM;
 * EINVAL when q->id is not a queue id).
 */
char	*qenv_format(const struct qenv *q, const struct carrier_envelope *env,
	    size_t *len);

/*
 * Reads an envelope file of len octets into q and env (which the caller
 * has set up with envelope_init and frees, also on failure).  Returns
 * 0, or -1 with the reason in why (a wrong version, a malformed or
 * missing line, a truncated file, no memory).
 */
int	qenv_parse(const char *text, size_t len, struct qenv *q,
	    struct carrier_envelope *env, char *why, size_t whylen);

#endif
