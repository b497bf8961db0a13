/* SPDX-License-Identifier: ISC */
/*
 * smtpd.h: the server side of SMTP (RFC 5321) on a pair of file
 * descriptors, for sendmail -bs: a local program (symfony/mailer's
 * default transport, SwiftMailer) spawns carrier and speaks SMTP to it
 * over its standard input and output.
 *
 * The dialogue: a "220 host ESMTP carrier" greeting; EHLO (offering
 * PIPELINING, SIZE, 8BITMIME, SMTPUTF8, DSN, ENHANCEDSTATUSCODES; never
 * STARTTLS or AUTH: the peer is a local process) or HELO; MAIL FROM with
 * SIZE, BODY=7BIT|8BITMIME, SMTPUTF8, RET and ENVID; RCPT TO with
 * NOTIFY and ORCPT; DATA; RSET, NOOP, VRFY (252), HELP, QUIT.  Every
 * reply but the greeting, EHLO/HELO and 354 carries an enhanced status
 * code (RFC 3463).  Replies end in CRLF; commands may end in CRLF or a
 * bare LF.  Replies are held while more pipelined commands are waiting
 * and written out before any wait for input (RFC 2920).
 *
 * Policy is libcarrier's, not this module's: the sender and each
 * recipient are checked at MAIL and RCPT by carrier_recipients(), so a
 * bare name is qualified with the mail domain and a local name goes
 * through the aliases file, exactly as on the command line; the message
 * is then taken by carrier_submit_message() (never with -t: the
 * recipients are the RCPTs) and sent by carrier_deliver().  The mail
 * domain file and the aliases file are read once per session, when first
 * needed (a change to them is seen by the next session).  MAIL is
 * accepted without HELO, as Postfix and sendmail do by default.  A
 * non-ASCII address is accepted without the SMTPUTF8 parameter
 * (symfony/mailer never sends it); whether the relay can take it is
 * decided at delivery.  ORCPT is checked and dropped: carrier sends its
 * own ORCPT, the recipient as given.
 *
 * The reply to the final "." comes after the relay's: nothing is queued
 * in this version, so 250 means the relay accepted the message for
 * every recipient.  Otherwise it is 451 (a temporary failure: a retry
 * may work) or 554 (permanent), with the relay's reply in the text.  A
 * recipient that the relay refuses only at delivery (after its RCPT was
 * accepted here) cannot be reported on its own after DATA, so then the
 * reply is 451 if any recipient failed temporarily, else 554, with one
 * line per failed recipient (at most SMTPD_REPLY_RCPTS) and a last line
 * saying how many recipients did get the message: a client that sends
 * again would duplicate it for those.
 */
#ifndef CARRIER_SMTPD_H
#define CARRIER_SMTPD_H

#include "carrier.h"

#define SMTPD_LINE_MAX		4096	/* a command line, without CRLF */
#define SMTPD_REPLY_MAX		512	/* a reply line, with CRLF */
#define SMTPD_RCPT_MAX		1000	/* recipients per message */
#define SMTPD_ERRORS_MAX	100	/* refused commands per session */
#define SMTPD_REPLY_RCPTS	10	/* failed recipients named after "." */

struct smtpd_params {
	const struct carrier_options	*opts;
	int				 in_fd;	/* commands and data */
	int				 out_fd; /* replies */
	/*
	 * The delivery step, with carrier_deliver()'s contract; NULL is
	 * carrier_deliver() itself (tests give their own).
	 */
	enum carrier_status	(*deliver)(const struct carrier_options *,
				    struct carrier_envelope *,
				    const struct carrier_message *,
				    struct carrier_error *);
};

/*
 * Runs one SMTP session on p->in_fd and p->out_fd (pipes, sockets or a
 * terminal; they are left blocking and open).  SIGPIPE should be
 * ignored, as carrier does: a client that stops reading would kill the
 * process otherwise.  Each wait for a command,
 * a line of data or a write may take up to p->opts->timeout seconds (0:
 * no limit).  Messages are kept in unlinked files in p->opts->tmpdir
 * (NULL: $TMPDIR, else /tmp) while they are sent.
 *
 * Returns CARRIER_OK when the client ended the session with QUIT.
 * Otherwise CARRIER_TEMP, with err (phase PHASE_INPUT) saying why: end
 * of input without QUIT (a message in progress, if any, is dropped
 * without a reply), a timeout, a read or write error, or too many
 * refused commands (SMTPD_ERRORS_MAX; the client is told 421).  The
 * outcome of each message is told in the dialogue only.
 */
enum carrier_status smtpd_run(const struct smtpd_params *p,
	    struct carrier_error *err);

#endif
