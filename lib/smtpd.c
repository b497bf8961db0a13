/* SPDX-License-Identifier: ISC */
/*
 * smtpd.c: the SMTP server dialogue of sendmail -bs (see smtpd.h).
 *
 * A session is a loop: read a command line, find its verb in a table,
 * reply.  The transaction (MAIL, the RCPTs) is kept in a struct
 * carrier_envelope holding the addresses as carrier_recipients() made
 * them (qualified, aliases expanded) with their DSN parameters.  After
 * DATA, the text, its dot-stuffing undone, goes through the intake
 * normaliser (message.h) into an unlinked temporary file as it arrives,
 * so it is written once, in the form that is sent; that file and the
 * envelope (the recipients are already in it, so they are not looked
 * up twice) go to carrier_submit_message(), then to the delivery step.
 * Those calls share one carrier_cache for the session: the mail domain
 * file and the aliases file are read once, not at each RCPT.
 *
 * I/O is done here, not through conn: the descriptors belong to the
 * caller (usually pipes it shares with us), so they are left blocking
 * (O_NONBLOCK belongs to the open file, which the parent shares), and
 * every read and write first waits with poll(2) for the deadline.  A
 * command line has at most SMTPD_LINE_MAX octets; a line of data has no
 * limit here (the text is copied in pieces): carrier_submit_message()
 * deals with long lines.
 *
 * Depends on submit and deliver (carrier.h), smtpd_parse, addr,
 * envelope, message, identity, log, status, conn (the clock).
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "compat.h"
#include "monotime.h"
#include "addr.h"
#include "conn.h"
#include "identity.h"
#include "log.h"
#include "message.h"
#include "smtpd.h"
#include "smtpd_parse.h"

#define SMTPD_IBUF	16384	/* input; more than a command line */
#define SMTPD_OBUF	4096	/* replies held while pipelining */
#define SMTPD_FBUF	65536	/* the message text, on its way to disk */
#define SMTPD_FEED	8192	/* at most this much per normaliser call */

/* A recipient the message reached: accepted, or put off and queued. */
#define ACCEPTED(r, queued) ((envelope_done(r) && \
	(r)->result.status == CARRIER_OK) || ((queued) != NULL && \
	(r)->state == ENVELOPE_DEFERRED))

enum smtpd_state {
	SMTPD_IDLE,		/* no transaction (HELO is optional) */
	SMTPD_MAIL,		/* MAIL accepted */
	SMTPD_RCPT,		/* a RCPT accepted too: DATA may come */
	SMTPD_DATA,		/* reading the message text */
	SMTPD_STATE_COUNT
};

static const char *const state_names[SMTPD_STATE_COUNT] = {
	[SMTPD_IDLE] = "idle",
	[SMTPD_MAIL] = "after MAIL",
	[SMTPD_RCPT] = "after RCPT",
	[SMTPD_DATA] = "in the message text",
};

struct session {
	const struct smtpd_params *p;
	int64_t			 timeout_ms;	/* 0: none */
	enum smtpd_state	 state;
	char			 host[256];	/* our name */
	char			 client[256];	/* its HELO or EHLO name */
	int			 esmtp;		/* it said EHLO */
	unsigned int		 errors;	/* refused commands */
	unsigned int		 rcpt_tries;	/* RCPTs in this transaction */
	int			 write_failed;	/* a reply could not go */
	struct carrier_cache	*cache;		/* the files policy reads */
	struct carrier_envelope	 env;		/* the transaction */
	char			 line[SMTPD_LINE_MAX + 1];
	char			 in[SMTPD_IBUF];
	size_t			 ipos, ilen;
	int			 line_crlf;	/* the last command line
						   ended in CRLF */
	char			 out[SMTPD_OBUF];
	size_t			 olen;
	int			 fd;		/* the message text, or -1 */
	int			 ferr;		/* errno of a failed save */
	struct timespec		 arrived;	/* DATA began */
	struct message_norm	 norm;		/* the text's intake */
	char			 fbuf[SMTPD_FBUF];	/* normalised text */
	size_t			 flen;
};

struct command {
	const char	*verb;
	int		(*fn)(struct session *, const char *);
};

static int64_t	deadline(const struct session *);
static int	flush_out(struct session *);
static int	fill(struct session *);
static int	get_line(struct session *, size_t *);
static int	reply_line(struct session *, int, int, const char *);
static int	reply(struct session *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	refuse(struct session *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	reset_txn(struct session *);
static void	save(struct session *, const char *, size_t);
static void	save_flush(struct session *);
static int	read_data(struct session *);
static void	enhanced_for(const struct carrier_error *, int, char *,
		    size_t);
static int	reply_failure(struct session *, int,
		    const struct carrier_error *);
static const char *deliver(struct session *, struct carrier_message *,
		    struct carrier_error *);
static int	reply_outcome(struct session *, const struct carrier_error *,
		    const char *);
static int	finish_message(struct session *);
static int	add_rcpts(struct session *, struct carrier_envelope *);
static int	cmd_helo(struct session *, const char *);
static int	cmd_ehlo(struct session *, const char *);
static int	cmd_mail(struct session *, const char *);
static int	cmd_rcpt(struct session *, const char *);
static int	cmd_data(struct session *, const char *);
static int	cmd_rset(struct session *, const char *);
static int	cmd_noop(struct session *, const char *);
static int	cmd_quit(struct session *, const char *);
static int	cmd_vrfy(struct session *, const char *);
static int	cmd_help(struct session *, const char *);
static int	cmd_unimplemented(struct session *, const char *);
static int	dispatch(struct session *, size_t);
static enum carrier_status io_failure(struct session *, int,
		    struct carrier_error *);

/*
 * The commands.  Each returns 0 to go on, 1 after QUIT, -1 with errno
 * when the client cannot be read or written.
 */
static const struct command commands[] = {
	{ "HELO", cmd_helo },
	{ "EHLO", cmd_ehlo },
	{ "MAIL", cmd_mail },
	{ "RCPT", cmd_rcpt },
	{ "DATA", cmd_data },
	{ "RSET", cmd_rset },
	{ "NOOP", cmd_noop },
	{ "QUIT", cmd_quit },
	{ "VRFY", cmd_vrfy },
	{ "HELP", cmd_help },
	{ "EXPN", cmd_unimplemented },
	{ "ETRN", cmd_unimplemented },
	{ "TURN", cmd_unimplemented },
	{ "ATRN", cmd_unimplemented },
	{ "BDAT", cmd_unimplemented },
	{ "AUTH", cmd_unimplemented },
	{ "STARTTLS", cmd_unimplemented },
	{ "SEND", cmd_unimplemented },
	{ "SOML", cmd_unimplemented },
	{ "SAML", cmd_unimplemented },
};

/* Input and output. */

static int64_t
deadline(const struct session *s)
{
	return s->timeout_ms == 0 ? 0 : monotime_ms() + s->timeout_ms;
}

/*
 * Writes out the replies held, PIPE_BUF octets at a time (a blocking
 * write of that much to a pipe that polled writable does not block).
 */
static int
flush_out(struct session *s)
{
	int64_t when = deadline(s);
	size_t off = 0, n;
	ssize_t w;

	while (off < s->olen) {
		n = s->olen - off < PIPE_BUF ? s->olen - off : PIPE_BUF;
		if (conn_poll(s->p->out_fd, POLLOUT, when) == -1)
			goto fail;
		w = write(s->p->out_fd, s->out + off, n);
		if (w == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			goto fail;
		}
		off += (size_t)w;
	}
	s->olen = 0;
	return 0;
fail:
	s->write_failed = 1;
	return -1;
}

/*
 * Reads more input, after writing out the replies held (RFC 2920: never
 * wait for the client with replies unsent).  Returns 0, or -1 with
 * errno: ECONNRESET at end of input, ETIMEDOUT, or read's.
 */
static int
fill(struct session *s)
{
	ssize_t n;

	if (flush_out(s) == -1)
		return -1;
	if (s->ipos > 0) {
		memmove(s->in, s->in + s->ipos, s->ilen - s->ipos);
		s->ilen -= s->ipos;
		s->ipos = 0;
	}
	if (s->ilen == sizeof(s->in)) {
		errno = ENOBUFS;	/* the callers never let it fill */
		return -1;
	}
	for (;;) {
		if (conn_poll(s->p->in_fd, POLLIN, deadline(s)) == -1)
			return -1;
		n = read(s->p->in_fd, s->in + s->ilen, sizeof(s->in) - s->ilen);
		if (n > 0) {
			s->ilen += (size_t)n;
			return 0;
		}
		if (n == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

/*
 * Reads one command line, ended by LF or CRLF, into s->line without
 * them.  Returns 0; 1 when the line was longer than SMTPD_LINE_MAX (it
 * is skipped whole); -1 with errno (see fill).
 */
static int
get_line(struct session *s, size_t *len)
{
	const char *start, *nl;
	size_t n;
	int toolong = 0;

	for (;;) {
		nl = memchr(s->in + s->ipos, '\n', s->ilen - s->ipos);
		if (nl != NULL)
			break;
		if (s->ilen - s->ipos > SMTPD_LINE_MAX + 1) {
			toolong = 1;	/* drop what came so far */
			s->ipos = s->ilen;
		}
		if (fill(s) == -1)
			return -1;
	}
	start = s->in + s->ipos;
	n = (size_t)(nl - start);
	s->ipos += n + 1;
	s->line_crlf = n > 0 && nl[-1] == '\r';
	if (s->line_crlf)
		n--;
	if (toolong || n > SMTPD_LINE_MAX)
		return 1;
	memcpy(s->line, start, n);
	s->line[n] = '\0';
	*len = n;
	return 0;
}

/*
 * Holds one reply line, "code text" (more: "code-text"), for writing.
 * The text is cut to fit SMTPD_REPLY_MAX (deliberately: it may quote a
 * long reply of the relay) and any control or 8-bit byte becomes '?'.
 */
static int
reply_line(struct session *s, int code, int more, const char *text)
{
	char line[SMTPD_REPLY_MAX];
	size_t n, i;
	int r;

	r = snprintf(line, sizeof(line) - 2, "%03d%c%s", code, more ? '-' :
	    ' ', text);
	if (r < 0)
		return -1;
	n = (size_t)r < sizeof(line) - 2 ? (size_t)r : sizeof(line) - 3;
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] >= 0x7f)
			line[i] = '?';
	log_note("smtpd -> %.*s", (int)n, line);
	line[n++] = '\r';
	line[n++] = '\n';
	if (s->olen + n > sizeof(s->out) && flush_out(s) == -1)
		return -1;
	memcpy(s->out + s->olen, line, n);
	s->olen += n;
	return 0;
}

static int
reply(struct session *s, int code, const char *fmt, ...)
{
	char text[SMTPD_REPLY_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);	/* cut: see above */
	va_end(ap);
	return reply_line(s, code, 0, text);
}

/* A reply refusing a command: counted against SMTPD_ERRORS_MAX. */
static int
refuse(struct session *s, int code, const char *fmt, ...)
{
	char text[SMTPD_REPLY_MAX];
	va_list ap;

	s->errors++;
	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);	/* cut: see above */
	va_end(ap);
	return reply_line(s, code, 0, text);
}

/* Ends the transaction, if any (RSET, HELO, EHLO, after "."). */
static void
reset_txn(struct session *s)
{
	envelope_free(&s->env);
	s->state = SMTPD_IDLE;
	s->rcpt_tries = 0;
	if (s->fd != -1)
		(void)close(s->fd);
	s->fd = -1;
}

/* The message text. */

/* Writes out the text held; a failure is kept in s->ferr. */
static void
save_flush(struct session *s)
{
	size_t off = 0;
	ssize_t w;

	while (off < s->flen && s->ferr == 0) {
		w = write(s->fd, s->fbuf + off, s->flen - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			s->ferr = w == 0 ? EIO : errno;
		else
			off += (size_t)w;
	}
	s->flen = 0;
}

/*
 * Adds n octets of text (dot-stuffing undone) through the normaliser;
 * after a failure the rest is read but not kept.
 */
static void
save(struct session *s, const char *p, size_t n)
{
	size_t k, used;

	while (n > 0 && s->ferr == 0) {
		k = n < SMTPD_FEED ? n : SMTPD_FEED;
		/* the normaliser may double what it is given */
		if (sizeof(s->fbuf) - s->flen < 2 * k + 2)
			save_flush(s);
		s->flen += message_norm_feed(&s->norm, p, k,
		    s->fbuf + s->flen, &used);
		p += k;
		n -= k;
	}
}

/*
 * Reads the text after 354 to the line ".", undoing the dot-stuffing
 * (RFC 5321 4.5.2), and saves it (see save).  After "DATA<CRLF>" only
 * CRLF ends a line, for the end and the stuffing alike, so a bare-LF
 * "." in the text cannot end it (SMTP smuggling); after "DATA<LF>" a
 * bare LF does too.  Returns 0, or -1 with errno (see fill).
 */
static int
read_data(struct session *s)
{
	const char *p, *nl;
	size_t avail, n;
	int bol = 1, last_cr = 0, strict = s->line_crlf;

	for (;;) {
		p = s->in + s->ipos;
		avail = s->ilen - s->ipos;
		/* at a line start, enough to tell ".", ".." and the rest */
		if (avail == 0 || (bol && avail < 3 &&
		    memchr(p, '\n', avail) == NULL)) {
			if (fill(s) == -1)
				return -1;
			continue;
		}
		if (bol && p[0] == '.') {
			if ((!strict && p[1] == '\n') ||
			    (p[1] == '\r' && p[2] == '\n')) {
				s->ipos += p[1] == '\n' ? 2 : 3;
				return 0;
			}
			s->ipos++;	/* a stuffed dot */
			p++;
			avail--;
		}
		nl = memchr(p, '\n', avail);
		n = nl != NULL ? (size_t)(nl - p) + 1 : avail;
		save(s, p, n);
		s->ipos += n;
		/* after "DATA<CRLF>", only a CRLF starts a line (RFC 5321
		 * 4.1.1.4) */
		bol = nl != NULL && (!strict || (nl > p ? nl[-1] == '\r' :
		    last_cr));
		last_cr = n > 0 && p[n - 1] == '\r';
	}
}

/* Replies to ".". */

/*
 * The enhanced status code of class cls (4 or 5) for a failure: the
 * relay's when it has one of that class, else one for the phase.
 */
static void
enhanced_for(const struct carrier_error *e, int cls, char *buf,
    size_t size)
{
	const char *detail;

	if (e->enhanced[0] == '0' + cls) {
		(void)strlcpy(buf, e->enhanced, size);
		return;
	}
	switch (e->phase) {
	case PHASE_CONFIG:
		detail = "3.5";		/* system incorrectly configured */
		break;
	case PHASE_LOCAL:
		detail = "3.0";
		break;
	case PHASE_INPUT:
		detail = cls == 5 ? "6.0" : "3.0";	/* bad content */
		break;
	case PHASE_RESOLVE:
		detail = "4.3";		/* routing server failure */
		break;
	case PHASE_CONNECT:
	case PHASE_GREETING:
		detail = "4.1";		/* no answer from host */
		break;
	case PHASE_STARTTLS:
	case PHASE_TLS:
	case PHASE_AUTH:
		detail = "7.0";
		break;
	default:
		detail = "0.0";
		break;
	}
	(void)snprintf(buf, size, "%d.%s", cls, detail);
}

/* One line: the failure of the whole message, 451 or 554 by class. */
static int
reply_failure(struct session *s, int code, const struct carrier_error *e)
{
	char enh[STATUS_ENH_MAX], text[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];

	enhanced_for(e, code / 100, enh, sizeof(enh));
	return reply(s, code, "%s %s", enh, status_format(e, text,
	    sizeof(text)));
}

/*
 * The reply to "." after the delivery step: 250 when every recipient
 * was accepted; else one line for a failure that ended the session, or
 * one line per failed recipient and a count (see smtpd.h).
 */
static int
reply_outcome(struct session *s, const struct carrier_error *err,
    const char *queued)
{
	const struct carrier_envelope *env = &s->env;
	const struct carrier_rcpt *r;
	char enh[STATUS_ENH_MAX], renh[STATUS_ENH_MAX];
	char text[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];
	size_t i, failed = 0, shown = 0, len;
	int code = 554;

	for (i = 0; i < env->nrcpts; i++) {
		r = &env->rcpts[i];
		if (ACCEPTED(r, queued))
			continue;
		failed++;
		if (!envelope_done(r) || r->result.status == CARRIER_TEMP)
			code = 451;	/* a retry may reach it */
	}
	if (failed == 0) {
		r = &env->rcpts[0];
		if (queued != NULL)
			return reply(s, 250, "2.0.0 Ok: queued as %s", queued);
		if (r->result.code == 0)
			return reply(s, 250, "2.0.0 Ok: delivered");
		return reply(s, 250, "2.0.0 Ok: %s", status_format(&r->result,
		    text, sizeof(text)));
	}
	if (err->status != CARRIER_OK && failed == env->nrcpts &&
	    queued == NULL)
		return reply_failure(s, err->status == CARRIER_TEMP ? 451 :
		    code, err);
	(void)snprintf(enh, sizeof(enh), "%d.0.0", code / 100);
	for (i = 0; i < env->nrcpts && shown < SMTPD_REPLY_RCPTS; i++) {
		r = &env->rcpts[i];
		if (ACCEPTED(r, queued))
			continue;
		shown++;
		/* the relay's code for this one, in the reply's class */
		if (envelope_done(r))
			enhanced_for(&r->result, code / 100, renh,
			    sizeof(renh));
		else
			(void)strlcpy(renh, enh, sizeof(renh));
		(void)snprintf(text, sizeof(text), "%s <%s>: ", renh, r->addr);
		len = strlen(text);
		if (envelope_done(r))
			(void)status_format(&r->result, text + len,
			    sizeof(text) - len);
		else
			(void)strlcpy(text + len, "not sent", sizeof(text) -
			    len);
		if (reply_line(s, code, 1, text) == -1)
			return -1;
	}
	if (failed == env->nrcpts)
		return reply(s, code, "%s %s%zu recipient%s failed; the "
		    "message was not delivered", enh, failed > shown ?
		    "(more not shown) " : "", failed, failed == 1 ? "" : "s");
	return reply(s, code, "%s %s%zu of %zu recipients failed; the message "
	    "went to the others: sending it again would duplicate it for "
	    "them", enh, failed > shown ? "(more not shown) " : "", failed,
	    env->nrcpts);
}

/*
 * Delivers the message; what is put off goes to the queue.  Returns the
 * queue id (in msg), or NULL when nothing was queued.
 */
static const char *
deliver(struct session *s, struct carrier_message *msg,
    struct carrier_error *err)
{
	struct carrier_options o = *s->p->opts;
	struct carrier_error qerr;
	size_t deferred;

	o.log_later = 1;
	(void)(s->p->deliver != NULL ? s->p->deliver : carrier_deliver)(&o,
	    &s->env, msg, err);
	if (carrier_queue_deferred(&o, &s->env, msg, &deferred, &qerr) !=
	    CARRIER_OK) {
		log_note("smtpd: %s", qerr.text);
		return NULL;
	}
	return deferred > 0 ? msg->queue_id : NULL;
}

/*
 * After the final ".": the saved text to carrier_submit_message() with
 * the transaction's envelope, then to the delivery step, then the
 * reply.  The transaction ends.
 */
static int
finish_message(struct session *s)
{
	const struct carrier_options *opts = s->p->opts;
	struct carrier_submit sub;
	struct carrier_message msg;
	struct carrier_error err;
	char sender[ADDR_MAX + 2];
	enum carrier_status st;
	int rc;

	status_clear(&err);
	s->flen += message_norm_finish(&s->norm, s->fbuf + s->flen);
	save_flush(s);
	if (s->ferr == ENOSPC || s->ferr == EDQUOT) {
		/* RFC 5321 4.2.2 and RFC 3463: no room, for now */
		rc = reply(s, 452, "4.3.1 Error: cannot save the message: %s",
		    strerror(s->ferr));
		reset_txn(s);
		return rc;
	}
	if (s->ferr != 0) {
		rc = reply(s, 451, "4.3.0 Error: cannot save the message: %s",
		    strerror(s->ferr));
		reset_txn(s);
		return rc;
	}
	log_note("smtpd: message text of %llu octets for %zu recipient%s",
	    (unsigned long long)s->norm.info.size, s->env.nrcpts,
	    s->env.nrcpts == 1 ? "" : "s");
	memset(&msg, 0, sizeof(msg));
	msg.fd = s->fd;		/* msg owns it now */
	s->fd = -1;
	msg.file_size = s->norm.info.size;
	msg.info = s->norm.info;
	msg.arrived = s->arrived;
	/* a copy: carrier_submit_message() sets env->sender from it */
	(void)strlcpy(sender, s->env.sender, sizeof(sender));
	memset(&sub, 0, sizeof(sub));
	sub.sender = sender;
	sub.cache = s->cache;
	sub.client = s->client;		/* "" without HELO: "unknown" */
	sub.esmtp = s->esmtp;
	st = carrier_submit_message(opts, &sub, &msg, &s->env, &err);
	if (st != CARRIER_OK) {
		carrier_log_refused(opts, &s->env, &err);
		rc = reply_failure(s, st == CARRIER_TEMP ||
		    err.phase == PHASE_CONFIG ? 451 : 554, &err);
	} else {
		/* the outcome is each recipient's, as reply_outcome reads it */
		rc = reply_outcome(s, &err, deliver(s, &msg, &err));
	}
	carrier_message_close(&msg);
	reset_txn(s);
	return rc;
}

/* The commands. */

static int
cmd_helo(struct session *s, const char *arg)
{
	if (arg[0] == '\0')
		return refuse(s, 501, "5.5.4 Syntax: HELO hostname");
	reset_txn(s);
	(void)strlcpy(s->client, arg, sizeof(s->client));
	s->esmtp = 0;
	return reply(s, 250, "%s", s->host);
}

static int
cmd_ehlo(struct session *s, const char *arg)
{
	static const char *const ext[] = { "PIPELINING", "SIZE", "8BITMIME",
	    "SMTPUTF8", "DSN", "ENHANCEDSTATUSCODES" };
	size_t i;

	if (arg[0] == '\0')
		return refuse(s, 501, "5.5.4 Syntax: EHLO hostname");
	reset_txn(s);
	(void)strlcpy(s->client, arg, sizeof(s->client));
	s->esmtp = 1;
	if (reply_line(s, 250, 1, s->host) == -1)
		return -1;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (reply_line(s, 250, i + 1 < sizeof(ext) / sizeof(ext[0]),
		    ext[i]) == -1)
			return -1;
	return 0;
}

static int
cmd_mail(struct session *s, const char *arg)
{
	struct carrier_submit sub;
	struct carrier_error err;
	char addr[ADDR_MAX + 1], key[SMTPD_PARSE_KEY_MAX];
	char val[SMTPD_PARSE_VALUE_MAX], why_buf[128];
	const char *p = arg + 5, *why;
	int r;

	if (s->state != SMTPD_IDLE)
		return refuse(s, 503, "5.5.1 Error: nested MAIL command");
	if (strncasecmp(arg, "FROM:", 5) != 0)
		return refuse(s, 501, "5.5.4 Syntax: MAIL FROM:<address>");
	if (smtpd_parse_path(&p, addr, sizeof(addr), &why) == -1)
		return refuse(s, 501, "5.1.7 Bad sender address syntax: %s",
		    why);
	reset_txn(s);
	if (envelope_init(&s->env) == -1)
		return reply(s, 451, "4.3.0 Error: %s", strerror(errno));
	while ((r = smtpd_parse_param(&p, key, sizeof(key), val,
	    sizeof(val))) == 1)
		if ((r = smtpd_parse_mail_param(&s->env, key, val, why_buf,
		    sizeof(why_buf))) != 0) {
			reset_txn(s);
			return refuse(s, r, "%s", why_buf);
		}
	if (r == -1) {
		reset_txn(s);
		return refuse(s, 501, "5.5.4 Bad MAIL parameter syntax");
	}
	memset(&sub, 0, sizeof(sub));
	sub.sender = addr;
	sub.cache = s->cache;
	status_clear(&err);
	if (carrier_recipients(s->p->opts, &sub, &s->env, &err) !=
	    CARRIER_OK) {
		reset_txn(s);
		if (err.status == CARRIER_TEMP || err.phase == PHASE_CONFIG)
			return reply_failure(s, 451, &err);
		return refuse(s, 553, "5.1.7 %s", err.text);
	}
	s->state = SMTPD_MAIL;
	return reply(s, 250, "2.1.0 Ok");
}

/*
 * Adds the recipients that carrier_recipients() made of one RCPT (more
 * than one for an alias) to the transaction, with their NOTIFY.
 */
static int
add_rcpts(struct session *s, struct carrier_envelope *tmp)
{
	size_t i, before;

	if (s->env.nrcpts + tmp->nrcpts > SMTPD_RCPT_MAX)
		return reply(s, 452, "4.5.3 Error: too many recipients");
	for (i = 0; i < tmp->nrcpts; i++) {
		before = s->env.nrcpts;
		if (envelope_add_rcpt(&s->env, tmp->rcpts[i].addr) == -1)
			return reply(s, 451, "4.3.0 Error: %s",
			    strerror(errno));
		if (s->env.nrcpts > before) {
			s->env.rcpts[before].notify = tmp->rcpts[i].notify;
			s->env.rcpts[before].orcpt = tmp->rcpts[i].orcpt;
			tmp->rcpts[i].orcpt = NULL;	/* moved */
		}
	}
	s->state = SMTPD_RCPT;
	return reply(s, 250, "2.1.5 Ok");
}

static int
cmd_rcpt(struct session *s, const char *arg)
{
	struct carrier_envelope tmp;
	struct carrier_submit sub;
	struct carrier_error err;
	char addr[ADDR_MAX + 1], key[SMTPD_PARSE_KEY_MAX];
	char val[SMTPD_PARSE_VALUE_MAX], why_buf[128];
	char orcpt[SMTPD_PARSE_VALUE_MAX] = "";
	char *rcpts[1];
	const char *p = arg + 3, *why;
	unsigned int notify = 0;
	size_t i;
	int r;

	if (s->state != SMTPD_MAIL && s->state != SMTPD_RCPT)
		return refuse(s, 503, "5.5.1 Error: need MAIL command");
	if (strncasecmp(arg, "TO:", 3) != 0)
		return refuse(s, 501, "5.5.4 Syntax: RCPT TO:<address>");
	s->rcpt_tries++;
	if (smtpd_parse_path(&p, addr, sizeof(addr), &why) == -1)
		return refuse(s, 501, "5.1.3 Bad recipient address syntax: "
		    "%s", why);
	if (addr[0] == '\0')
		return refuse(s, 501, "5.1.3 Bad recipient address syntax: "
		    "empty address");
	while ((r = smtpd_parse_param(&p, key, sizeof(key), val,
	    sizeof(val))) == 1)
		if ((r = smtpd_parse_rcpt_param(key, val, &notify, why_buf,
		    sizeof(why_buf))) != 0)
			return refuse(s, r, "%s", why_buf);
		else if (strcasecmp(key, "ORCPT") == 0) {
			/* RFC 3461 4.2: passed on as it came, once */
			if (orcpt[0] != '\0')
				return refuse(s, 501, "5.5.4 Bad ORCPT "
				    "parameter");
			(void)strlcpy(orcpt, val, sizeof(orcpt));
		}
	if (r == -1)
		return refuse(s, 501, "5.5.4 Bad RCPT parameter syntax");
	if (envelope_init(&tmp) == -1)
		return reply(s, 451, "4.3.0 Error: %s", strerror(errno));
	tmp.notify = notify;
	rcpts[0] = addr;
	memset(&sub, 0, sizeof(sub));
	sub.flags = CARRIER_SUBMIT_ONE;
	sub.sender = "";	/* checked at MAIL already */
	sub.rcpts = rcpts;
	sub.nrcpts = 1;
	sub.cache = s->cache;
	status_clear(&err);
	if (carrier_recipients(s->p->opts, &sub, &tmp, &err) != CARRIER_OK) {
		envelope_free(&tmp);
		/* refused all the same: counted, or a client may loop */
		s->errors++;
		if (err.status == CARRIER_TEMP || err.phase == PHASE_CONFIG)
			return reply_failure(s, 451, &err);
		return reply(s, 553, "5.1.3 %s", err.text);
	}
	/* the original recipient of every address this one became */
	for (i = 0; i < tmp.nrcpts && orcpt[0] != '\0'; i++)
		if ((tmp.rcpts[i].orcpt = strdup(orcpt)) == NULL) {
			envelope_free(&tmp);
			return reply(s, 451, "4.3.0 Error: %s",
			    strerror(errno));
		}
	r = add_rcpts(s, &tmp);
	envelope_free(&tmp);
	return r;
}

static int
cmd_data(struct session *s, const char *arg)
{
	if (arg[0] != '\0')
		return refuse(s, 501, "5.5.4 Syntax: DATA");
	if (s->state == SMTPD_IDLE)
		return refuse(s, 503, "5.5.1 Error: need MAIL command");
	if (s->state == SMTPD_MAIL && s->rcpt_tries > 0)
		return refuse(s, 554, "5.5.1 Error: no valid recipients");
	if (s->state == SMTPD_MAIL)
		return refuse(s, 503, "5.5.1 Error: need RCPT command");
	if ((s->fd = carrier_tmpfile(s->p->opts)) == -1)
		return reply(s, 451, "4.3.0 Error: cannot make a temporary "
		    "file: %s", strerror(errno));
	s->flen = 0;
	s->ferr = 0;
	(void)clock_gettime(CLOCK_REALTIME, &s->arrived);
	message_norm_init(&s->norm, 0);
	if (reply(s, 354, "End data with <CR><LF>.<CR><LF>") == -1)
		return -1;
	s->state = SMTPD_DATA;
	if (read_data(s) == -1)
		return -1;
	return finish_message(s);
}

static int
cmd_rset(struct session *s, const char *arg)
{
	if (arg[0] != '\0')
		return refuse(s, 501, "5.5.4 Syntax: RSET");
	reset_txn(s);
	return reply(s, 250, "2.0.0 Ok");
}

static int
cmd_noop(struct session *s, const char *arg)
{
	(void)arg;
	return reply(s, 250, "2.0.0 Ok");
}

static int
cmd_quit(struct session *s, const char *arg)
{
	(void)arg;
	if (reply(s, 221, "2.0.0 Bye") == -1)
		return -1;
	return 1;
}

static int
cmd_vrfy(struct session *s, const char *arg)
{
	if (arg[0] == '\0')
		return refuse(s, 501, "5.5.4 Syntax: VRFY address");
	return reply(s, 252, "2.0.0 Cannot VRFY; send the message and "
	    "carrier will try to deliver it");
}

static int
cmd_help(struct session *s, const char *arg)
{
	(void)arg;
	if (reply_line(s, 214, 1, "2.0.0 carrier: sendmail -bs, SMTP on "
	    "standard input; see carrier(8)") == -1)
		return -1;
	return reply_line(s, 214, 0, "2.0.0 Commands: HELO EHLO MAIL RCPT "
	    "DATA RSET NOOP QUIT VRFY HELP");
}

static int
cmd_unimplemented(struct session *s, const char *arg)
{
	(void)arg;
	return refuse(s, 502, "5.5.1 Error: command not implemented");
}

/* Finds the command line's verb in the table and runs it. */
static int
dispatch(struct session *s, size_t len)
{
	char *line = s->line;
	const char *arg;
	size_t vl, k;

	if (memchr(line, '\0', len) != NULL)
		return refuse(s, 500, "5.5.2 Error: NUL byte in command");
	/* trailing blanks, and stray CRs ("NOOP\r\r\n") */
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
	    line[len - 1] == '\r'))
		line[--len] = '\0';
	log_note("smtpd <- %s", line);
	if (len == 0)
		return refuse(s, 500, "5.5.2 Error: bad syntax");
	vl = strcspn(line, " ");
	for (arg = line + vl; *arg == ' '; arg++)
		;
	for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strlen(commands[k].verb) == vl &&
		    strncasecmp(line, commands[k].verb, vl) == 0)
			return commands[k].fn(s, arg);
	return refuse(s, 500, "5.5.2 Error: command not recognized");
}

/* err for a session ended by an I/O failure with errno e. */
static enum carrier_status
io_failure(struct session *s, int e, struct carrier_error *err)
{
	const char *where = s->state == SMTPD_DATA ? " in the middle of the "
	    "message text (it was dropped)" : s->state != SMTPD_IDLE ?
	    " in the middle of a transaction" : "";

	if (s->write_failed)
		return status_set(err, CARRIER_TEMP, PHASE_INPUT, "cannot "
		    "write a reply to the client: %s", strerror(e));
	if (e == ETIMEDOUT)
		return status_set(err, CARRIER_TEMP, PHASE_INPUT, "timed out "
		    "after %lld s waiting for the client%s",
		    (long long)(s->timeout_ms / 1000), where);
	if (e == ECONNRESET)
		return status_set(err, CARRIER_TEMP, PHASE_INPUT, "the client "
		    "ended the session without QUIT%s", where);
	return status_set(err, CARRIER_TEMP, PHASE_INPUT, "reading from the "
	    "client: %s", strerror(e));
}

enum carrier_status
smtpd_run(const struct smtpd_params *p, struct carrier_error *err)
{
	struct session *s;
	enum carrier_status st;
	size_t len;
	int rc, e;

	status_clear(err);
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->cache = carrier_cache_new()) == NULL) {
		free(s);
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL, "%s",
		    strerror(errno));
	}
	s->p = p;
	s->fd = -1;
	s->timeout_ms = (int64_t)p->opts->timeout * 1000;
	(void)identity_helo(p->opts->helo, s->host, sizeof(s->host));
	rc = reply(s, 220, "%s ESMTP carrier", s->host);
	while (rc == 0) {
		rc = get_line(s, &len);
		if (rc == 1)
			rc = refuse(s, 500, "5.5.2 Error: line too long");
		else if (rc == 0)
			rc = dispatch(s, len);
		if (rc == 0 && s->errors >= SMTPD_ERRORS_MAX) {
			(void)reply(s, 421, "4.7.0 %s Error: too many errors",
			    s->host);
			rc = 2;
		}
	}
	e = errno;
	if (rc == -1)
		st = io_failure(s, e, err);
	else {
		if (flush_out(s) == -1 && rc != 1)
			st = io_failure(s, errno, err);
		else if (rc == 2)
			st = status_set(err, CARRIER_TEMP, PHASE_INPUT, "too "
			    "many refused commands (%u)", s->errors);
		else
			st = CARRIER_OK;
	}
	log_note("smtpd: session ended %s (%s)", st == CARRIER_OK ?
	    "with QUIT" : "without QUIT", state_names[s->state]);
	reset_txn(s);
	carrier_cache_free(s->cache);
	free(s);
	return st;
}
