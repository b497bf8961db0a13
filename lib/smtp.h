/* SPDX-License-Identifier: ISC */
/*
 * smtp.h: the SMTP client protocol (RFC 5321) over a struct conn.
 *
 * A session is: smtp_greeting, smtp_hello, then smtp_transaction for each
 * message, then smtp_quit.  Each step waits at most the session's timeout
 * for each reply (RFC 5321 4.5.3.2), and returns CARRIER_OK or the
 * failure that stopped it, in err.
 *
 * With PIPELINING (RFC 2920), MAIL, the RCPTs and DATA leave in one write
 * (in groups of at most SMTP_PIPELINE_MAX commands) and the replies are
 * matched to them in order; without it, one command per round trip.
 * With CHUNKING (RFC 3030) the text goes as one "BDAT n LAST" chunk,
 * undotted; with PIPELINING too, a message of up to SMTP_BDAT_EAGER
 * octets leaves in the same write as the envelope.
 */
#ifndef CARRIER_SMTP_H
#define CARRIER_SMTP_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "conn_tls.h"
#include "envelope.h"
#include "message.h"
#include "smtp_reply.h"
#include "status.h"

/*
 * A command line with its CRLF: RFC 5321 4.5.3.1.4's 512, plus the 500
 * RFC 3461 5 allows for NOTIFY and ORCPT (and the 100 for RET and ENVID).
 * The longest carrier makes: RCPT with a 254-octet address, all three
 * NOTIFY values and ORCPT (xtext triples at most the 64-octet local
 * part) is 699; MAIL with SIZE, BODY, SMTPUTF8, RET and a 100-octet
 * ENVID all escaped is 632.
 */
#define SMTP_CMD_MAX		1012
#define SMTP_PIPELINE_MAX	256	/* commands per pipelined write */
#define SMTP_AUTH_LINE_MAX	12288	/* RFC 4954 4, with CRLF */
#define SMTP_BDAT_EAGER		(256 * 1024)	/* send with the envelope */

/* Extensions the server offered in its EHLO reply. */
enum smtp_ext {
	SMTP_EXT_PIPELINING	= 1 << 0,
	SMTP_EXT_8BITMIME	= 1 << 1,
	SMTP_EXT_SIZE		= 1 << 2,
	SMTP_EXT_DSN		= 1 << 3,
	SMTP_EXT_SMTPUTF8	= 1 << 4,
	SMTP_EXT_CHUNKING	= 1 << 5,
	SMTP_EXT_STARTTLS	= 1 << 6,
	SMTP_EXT_ENHANCED	= 1 << 7,
	SMTP_EXT_AUTH		= 1 << 8
};

struct smtp_session {
	struct conn		*conn;
	unsigned int		 timeout_ms;	/* each reply, each write */
	unsigned int		 dot_timeout_ms; /* the reply to the text's end
						   (smtp_init: timeout_ms) */
	char			 helo[256];
	char			 peer[STATUS_HOST_MAX];
	int			 esmtp;		/* EHLO was accepted */
	unsigned int		 ext;		/* enum smtp_ext bits */
	uint64_t		 size_max;	/* SIZE limit; 0 = none */
	char			 auth[256];	/* AUTH mechanisms offered */
	unsigned int		 turns;		/* sent, then waited */
	uint64_t		 out_mark;	/* conn->bytes_out then */
	int			 last;		/* no transaction follows */
	int			 quit_sent;	/* QUIT went with the text */
	int			 text_broke;	/* the server hung up while
						   the text was being sent */
	struct smtp_reply	 reply;		/* the last reply */
};

/* Sets up s on a connected conn, naming the peer for messages. */
void	smtp_init(struct smtp_session *s, struct conn *conn,
	    const char *helo, unsigned int timeout_ms, const char *peer);

/* Reads the greeting: 220 is ok, 5xx permanent, anything else temporary. */
enum carrier_status smtp_greeting(struct smtp_session *s,
	    struct carrier_error *err);

/* EHLO, falling back to HELO when EHLO is refused with 5xx. */
enum carrier_status smtp_hello(struct smtp_session *s,
	    struct carrier_error *err);

/*
 * Parses one EHLO reply line after the first (a keyword and its
 * parameters) into s->ext and s->size_max.
 */
void	smtp_parse_ehlo_line(struct smtp_session *s, const char *line,
	    size_t len);

/*
 * Sends one message to every recipient of env whose result is not yet
 * final (done == 0).  text is the message (message.h); info describes
 * it (info->size is the octets of text; dot_lines may count too many,
 * never too few).  Each recipient's result and done flag are set:
 * accepted (CARRIER_OK), refused by RCPT, or failed with the
 * transaction.  Returns CARRIER_OK when the transaction ran to its end
 * (recipients may still have been refused: see their results), or when
 * every recipient was refused before anything after the last RCPT
 * failed (a hang-up, or no reply to DATA or BDAT: nothing was to be
 * sent then; no QUIT follows); else the failure that stopped it (also
 * written to each recipient it decided): a refused MAIL, or a refused
 * text, rather than the hang-up after it.
 * With s->last set and PIPELINING offered, QUIT follows the text in the
 * same write.
 */
enum carrier_status smtp_transaction(struct smtp_session *s,
	    struct carrier_envelope *env, const struct message_text *text,
	    const struct message_info *info, struct carrier_error *err);

/*
 * STARTTLS (RFC 3207): sends the command and, on 220, runs the TLS
 * handshake with opts.  The server's capabilities are forgotten: the
 * caller must send EHLO again (smtp_hello).  A refusal or a failed
 * handshake is temporary (PHASE_STARTTLS or PHASE_TLS).
 */
enum carrier_status smtp_starttls(struct smtp_session *s,
	    const struct conn_tls_opts *opts, struct carrier_error *err);

/*
 * Buffers one command line of up to SMTP_AUTH_LINE_MAX octets (CRLF
 * added).  The transcript shows shown instead of line when shown is not
 * NULL, so credentials never appear.  Returns 0 or -1/errno.
 */
int	smtp_command_raw(struct smtp_session *s, const char *line, size_t len,
	    const char *shown);

/* Sends what is buffered and reads one reply into s->reply. */
enum carrier_status smtp_read_reply(struct smtp_session *s,
	    enum carrier_phase phase, struct carrier_error *err);

/* Fills err from a refusing reply in s->reply; returns its class. */
enum carrier_status smtp_reply_error(struct smtp_session *s,
	    enum carrier_phase phase, struct carrier_error *err);

/*
 * RSET, and its reply: whether a connection kept open since the last
 * transaction still serves.  Returns CARRIER_OK on 2xx, else the failure
 * (a hang-up, a refusal) in err.
 */
enum carrier_status smtp_rset(struct smtp_session *s,
	    struct carrier_error *err);

/*
 * Sends QUIT (unless it went with the message text: s->last) without
 * waiting for the reply, as Postfix does; errors are ignored.
 */
void	smtp_quit(struct smtp_session *s);

#endif
