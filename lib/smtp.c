/* SPDX-License-Identifier: ISC */
/*
 * smtp.c: the SMTP client protocol (see smtp.h).
 *
 * Failure classes, as the caller sees them:
 *   - a reply of 4xx, a timeout, a lost connection or a protocol error
 *     from the server: CARRIER_TEMP (a retry may work);
 *   - a reply of 5xx: CARRIER_PERM for what it refused;
 *   - a message larger than the server's SIZE limit: CARRIER_PERM.
 * A server may refuse MAIL, or every RCPT, and hang up at once, before
 * it read the rest of a pipelined group: our write of that fails, but
 * its replies are still read, and the refusal is the outcome.
 * Depends on conn, envelope, message, smtp_reply, status, log.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "compat.h"
#include "addr.h"
#include "log.h"
#include "smtp.h"

#define SMTP_BODY_CHUNK	65536

static enum carrier_status io_error(struct smtp_session *, int,
		    enum carrier_phase, struct carrier_error *);
static enum carrier_status body_error(struct smtp_session *, int,
		    struct carrier_error *);
static int	hung_up(struct smtp_session *, int);
static int	command(struct smtp_session *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static enum carrier_status send_body(struct smtp_session *,
		    const struct message_text *, const struct message_info *,
		    struct carrier_error *);
static int	pipeline_quit(struct smtp_session *);
static enum carrier_status text_refused(struct smtp_session *,
		    enum carrier_status, struct carrier_error *);
static void	decide(struct carrier_envelope *, const int *,
		    const struct carrier_error *);
static void	decide_rest(struct carrier_envelope *,
		    const struct carrier_error *);

void
smtp_init(struct smtp_session *s, struct conn *conn, const char *helo,
    unsigned int timeout_ms, const char *peer)
{
	memset(s, 0, sizeof(*s));
	s->conn = conn;
	s->timeout_ms = timeout_ms;
	s->dot_timeout_ms = timeout_ms;
	(void)strlcpy(s->helo, helo, sizeof(s->helo));
	(void)strlcpy(s->peer, peer, sizeof(s->peer));
	smtp_reply_init(&s->reply);
}

/* The wait for a reply in phase (the one after the text has its own). */
static unsigned int
reply_ms(const struct smtp_session *s, enum carrier_phase phase)
{
	return phase == PHASE_DOT ? s->dot_timeout_ms : s->timeout_ms;
}

/* Fills err for an I/O failure (errno e) in phase. */
static enum carrier_status
io_error(struct smtp_session *s, int e, enum carrier_phase phase,
    struct carrier_error *err)
{
	const char *what = status_phase_name(phase);
	unsigned int ms = reply_ms(s, phase);
	char secs[32];

	(void)strlcpy(err->host, s->peer, sizeof(err->host));
	s->text_broke = phase == PHASE_BODY && (e == ECONNRESET || e == EPIPE);
	if (ms % 1000 == 0)
		(void)snprintf(secs, sizeof(secs), "%u s", ms / 1000);
	else
		(void)snprintf(secs, sizeof(secs), "%u ms", ms);
	if (e == ETIMEDOUT && phase == PHASE_GREETING)
		return status_set(err, CARRIER_TEMP, phase,
		    "timed out after %s waiting for the greeting", secs);
	if (e == ETIMEDOUT && phase == PHASE_BODY)
		return status_set(err, CARRIER_TEMP, phase,
		    "timed out after %s sending the message", secs);
	if (e == ETIMEDOUT)
		return status_set(err, CARRIER_TEMP, phase,
		    "timed out after %s waiting for the reply to %s",
		    secs, what);
	if ((e == ECONNRESET || e == EPIPE) && phase == PHASE_BODY)
		return status_set(err, CARRIER_TEMP, phase,
		    "connection closed by the server while sending the "
		    "message");
	if (e == ECONNRESET || e == EPIPE)
		return status_set(err, CARRIER_TEMP, phase,
		    "connection closed by the server during %s", what);
	if (e == EMSGSIZE)
		return status_set(err, CARRIER_TEMP, phase,
		    "protocol error during %s: reply line too long", what);
	if (e == E2BIG)
		return status_set(err, CARRIER_TEMP, phase,
		    "the %s command would be longer than the %d octets SMTP "
		    "allows", what, SMTP_CMD_MAX);
	return status_set(err, CARRIER_TEMP, phase, "%s: %s", what,
	    strerror(e));
}

/* Fills err for a failed send of the message text (errno e). */
static enum carrier_status
body_error(struct smtp_session *s, int e, struct carrier_error *err)
{
	if (e == EIO)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
		    "the saved message is shorter than expected");
	return io_error(s, e, PHASE_BODY, err);
}

/*
 * After a failed write (errno e): when the server hung up (EPIPE,
 * ECONNRESET), what it said before it did is still there to read (the
 * kernel keeps received data after an RST), and may be the outcome: a
 * refusal then a hang-up.  Drops the unsent output so the replies can be
 * read, and returns 1; 0 for any other failure.
 */
static int
hung_up(struct smtp_session *s, int e)
{
	if (e != EPIPE && e != ECONNRESET)
		return 0;
	conn_discard(s->conn);
	return 1;
}

enum carrier_status
smtp_read_reply(struct smtp_session *s, enum carrier_phase phase,
    struct carrier_error *err)
{
	char line[CONN_LINE_MAX + 1], why[128], clean[160];
	size_t len;
	int r;

	/*
	 * the flush of what was buffered runs under this reply's deadline;
	 * a server that hung up may have replied first: read on
	 */
	conn_set_timeout(s->conn, reply_ms(s, phase));
	if (conn_flush(s->conn) == -1 && !hung_up(s, errno))
		return io_error(s, errno, phase, err);
	if (s->conn->bytes_out != s->out_mark)
		s->turns++;	/* we spoke, now we wait: one client turn */
	s->out_mark = s->conn->bytes_out;
	smtp_reply_init(&s->reply);
	do {
		if (conn_getline(s->conn, line, sizeof(line), &len) == -1)
			return io_error(s, errno, phase, err);
		log_transcript('<', line, len);
		if ((r = smtp_reply_feed(&s->reply, line, len, why,
		    sizeof(why))) == -1) {
			log_sanitize(clean, sizeof(clean), line, len);
			(void)strlcpy(err->host, s->peer, sizeof(err->host));
			(void)status_set(err, CARRIER_TEMP, phase,
			    "protocol error during %s: %s: \"%s\"",
			    status_phase_name(phase), why, clean);
			err->protocol = 1;
			return CARRIER_TEMP;
		}
	} while (r == 0);
	/* 421: the server is closing the connection (RFC 5321 3.8) */
	if (s->reply.code == 421 && phase != PHASE_QUIT)
		return smtp_reply_error(s, phase, err);
	return CARRIER_OK;
}

enum carrier_status
smtp_reply_error(struct smtp_session *s, enum carrier_phase phase,
    struct carrier_error *err)
{
	char text[STATUS_TEXT_MAX];

	smtp_reply_summary(&s->reply, text, sizeof(text));
	err->status = s->reply.code >= 500 ? CARRIER_PERM : CARRIER_TEMP;
	err->phase = phase;
	err->code = s->reply.code;
	err->step[0] = '\0';
	err->protocol = 0;
	(void)strlcpy(err->enhanced, s->reply.enhanced,
	    sizeof(err->enhanced));
	(void)strlcpy(err->host, s->peer, sizeof(err->host));
	(void)strlcpy(err->text, text, sizeof(err->text));
	return err->status;
}

/* Formats and buffers one command (CRLF added).  0 or -1/errno. */
static int
command(struct smtp_session *s, const char *fmt, ...)
{
	char buf[SMTP_CMD_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf) - 2) {
		errno = E2BIG;
		return -1;
	}
	log_transcript('>', buf, (size_t)n);
	buf[n++] = '\r';
	buf[n++] = '\n';
	return conn_write(s->conn, buf, (size_t)n);
}

/*
 * After the message text: when this is the session's last transaction
 * and the server pipelines, QUIT goes in the same write (RFC 2920 lets
 * it end a group), saving the round trip a separate QUIT would cost.
 * 0 or -1/errno.
 */
static int
pipeline_quit(struct smtp_session *s)
{
	if (!s->last || !(s->ext & SMTP_EXT_PIPELINING))
		return 0;
	if (command(s, "QUIT") == -1)
		return -1;
	s->quit_sent = 1;
	return 0;
}

int
smtp_command_raw(struct smtp_session *s, const char *line, size_t len,
    const char *shown)
{
	if (len + 2 > SMTP_AUTH_LINE_MAX || memchr(line, '\n', len) != NULL ||
	    memchr(line, '\r', len) != NULL) {
		errno = EMSGSIZE;
		return -1;
	}
	if (shown != NULL)
		log_transcript('>', shown, strlen(shown));
	else
		log_transcript('>', line, len);
	if (conn_write(s->conn, line, len) == -1)
		return -1;
	return conn_write(s->conn, "\r\n", 2);
}

enum carrier_status
smtp_starttls(struct smtp_session *s, const struct conn_tls_opts *opts,
    struct carrier_error *err)
{
	enum carrier_status st;

	if (command(s, "STARTTLS") == -1)
		return io_error(s, errno, PHASE_STARTTLS, err);
	if ((st = smtp_read_reply(s, PHASE_STARTTLS, err)) != CARRIER_OK)
		return st;
	if (s->reply.code != 220) {
		smtp_reply_error(s, PHASE_STARTTLS, err);
		err->status = CARRIER_TEMP;
		return CARRIER_TEMP;
	}
	/* the old capabilities may have been forged: forget them */
	s->ext = 0;
	s->size_max = 0;
	s->auth[0] = '\0';
	s->esmtp = 0;
	conn_set_timeout(s->conn, s->timeout_ms);
	if ((st = conn_tls_start(s->conn, opts, err)) != CARRIER_OK) {
		(void)strlcpy(err->host, s->peer, sizeof(err->host));
		err->phase = PHASE_TLS;
	}
	return st;
}

enum carrier_status
smtp_greeting(struct smtp_session *s, struct carrier_error *err)
{
	enum carrier_status st;

	if ((st = smtp_read_reply(s, PHASE_GREETING, err)) != CARRIER_OK)
		return st;
	if (s->reply.code == 220)
		return CARRIER_OK;
	/* RFC 5321 says 220 or 554; any 5xx refuses, anything else is odd */
	smtp_reply_error(s, PHASE_GREETING, err);
	if (s->reply.code / 100 != 5)
		err->status = CARRIER_TEMP;
	return err->status;
}

void
smtp_parse_ehlo_line(struct smtp_session *s, const char *line, size_t len)
{
	static const struct {
		const char	*name;
		unsigned int	 bit;
	} exts[] = {
		{ "PIPELINING", SMTP_EXT_PIPELINING },
		{ "8BITMIME", SMTP_EXT_8BITMIME },
		{ "SIZE", SMTP_EXT_SIZE },
		{ "DSN", SMTP_EXT_DSN },
		{ "SMTPUTF8", SMTP_EXT_SMTPUTF8 },
		{ "CHUNKING", SMTP_EXT_CHUNKING },
		{ "STARTTLS", SMTP_EXT_STARTTLS },
		{ "ENHANCEDSTATUSCODES", SMTP_EXT_ENHANCED },
		{ "AUTH", SMTP_EXT_AUTH },
	};
	size_t i, kl = 0;
	uint64_t v = 0;

	while (kl < len && line[kl] != ' ' && line[kl] != '=')
		kl++;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (strlen(exts[i].name) != kl ||
		    strncasecmp(line, exts[i].name, kl) != 0)
			continue;
		s->ext |= exts[i].bit;
		if (exts[i].bit == SMTP_EXT_AUTH) {
			/* "AUTH PLAIN LOGIN" or the old "AUTH=PLAIN LOGIN" */
			size_t ml = len - kl - (kl < len);

			if (ml >= sizeof(s->auth))
				ml = sizeof(s->auth) - 1;
			memcpy(s->auth, line + kl + (kl < len), ml);
			s->auth[ml] = '\0';
			return;
		}
		if (exts[i].bit != SMTP_EXT_SIZE)
			return;
		/* "SIZE 10240000"; no number or 0 means no fixed limit */
		for (i = kl + 1; i < len && isdigit((unsigned char)line[i]);
		    i++) {
			if (v > (UINT64_MAX - 9) / 10)
				return;
			v = v * 10 + (uint64_t)(line[i] - '0');
		}
		s->size_max = v;
		return;
	}
}

enum carrier_status
smtp_hello(struct smtp_session *s, struct carrier_error *err)
{
	enum carrier_status st;
	const char *p, *nl;

	s->ext = 0;
	s->size_max = 0;
	s->auth[0] = '\0';
	if (command(s, "EHLO %s", s->helo) == -1)
		return io_error(s, errno, PHASE_EHLO, err);
	if ((st = smtp_read_reply(s, PHASE_EHLO, err)) != CARRIER_OK)
		return st;
	if (s->reply.code / 100 == 2) {
		s->esmtp = 1;
		/*
		 * every line after the first names an extension; of a reply
		 * too long to keep, the last line kept may be cut short
		 * ("SIZE 10" of "SIZE 10240000"): it is not read
		 */
		for (p = strchr(s->reply.text, '\n'); p != NULL; p = nl) {
			p++;
			nl = strchr(p, '\n');
			if (nl == NULL && s->reply.cut)
				break;
			smtp_parse_ehlo_line(s, p, nl != NULL ?
			    (size_t)(nl - p) : strlen(p));
		}
		return CARRIER_OK;
	}
	if (s->reply.code / 100 != 5)
		return smtp_reply_error(s, PHASE_EHLO, err);
	/* an old server: try HELO */
	if (command(s, "HELO %s", s->helo) == -1)
		return io_error(s, errno, PHASE_HELO, err);
	if ((st = smtp_read_reply(s, PHASE_HELO, err)) != CARRIER_OK)
		return st;
	if (s->reply.code / 100 == 2)
		return CARRIER_OK;
	return smtp_reply_error(s, PHASE_HELO, err);
}

/*
 * Writes len octets of canonical text dot-stuffed: a "." at the start of
 * a line goes as ".." (RFC 5321 4.5.2); *bol says whether p starts a
 * line, and is left saying whether the next octet would.
 */
static int
write_stuffed(struct smtp_session *s, const char *p, size_t len, int *bol)
{
	const char *nl;
	size_t pos, span;

	for (pos = 0; pos < len; pos += span) {
		if (*bol && p[pos] == '.' && conn_write(s->conn, ".", 1) == -1)
			return -1;
		nl = memchr(p + pos, '\n', len - pos);
		span = nl != NULL ? (size_t)(nl - (p + pos)) + 1 : len - pos;
		*bol = nl != NULL;
		if (conn_write(s->conn, p + pos, span) == -1)
			return -1;
	}
	return 0;
}

/*
 * Streams the text dot-stuffed, then "." (and QUIT when this is the
 * session's last transaction).  A body without a line starting with "."
 * goes as it is, by sendfile.
 */
static enum carrier_status
send_body(struct smtp_session *s, const struct message_text *t,
    const struct message_info *info, struct carrier_error *err)
{
	static char in[SMTP_BODY_CHUNK];
	uint64_t off = t->off, end = t->off + t->len;
	ssize_t n;
	int bol = 1;

	log_note("(message text, %llu octets)",
	    (unsigned long long)(t->headlen + t->len));
	conn_set_timeout(s->conn, s->timeout_ms);
	if (write_stuffed(s, t->head, t->headlen, &bol) == -1)
		return io_error(s, errno, PHASE_BODY, err);
	if (info->dot_lines == 0) {
		if (conn_sendfile(s->conn, t->fd, t->off, t->len) == -1)
			return body_error(s, errno, err);
		goto end;
	}
	while (off < end) {
		n = pread(t->fd, in, end - off < sizeof(in) ?
		    (size_t)(end - off) : sizeof(in), (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
			    "reading the saved message: %s", n == 0 ?
			    "shorter than expected" : strerror(errno));
		off += (uint64_t)n;
		conn_set_timeout(s->conn, s->timeout_ms);
		if (write_stuffed(s, in, (size_t)n, &bol) == -1)
			return io_error(s, errno, PHASE_BODY, err);
	}
end:
	if (command(s, ".") == -1 || pipeline_quit(s) == -1)
		return io_error(s, errno, PHASE_BODY, err);
	return CARRIER_OK;
}

/* Gives every recipient marked in pending the outcome e. */
static void
decide(struct carrier_envelope *env, const int *pending,
    const struct carrier_error *e)
{
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		if (!pending[i])
			continue;
		env->rcpts[i].result = *e;
		envelope_settle(&env->rcpts[i]);
	}
}

/* Gives every recipient not yet done the outcome e. */
static void
decide_rest(struct carrier_envelope *env, const struct carrier_error *e)
{
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		if (envelope_done(&env->rcpts[i]))
			continue;
		env->rcpts[i].result = *e;
		envelope_settle(&env->rcpts[i]);
	}
}

/*
 * The MAIL FROM parameters (SIZE, BODY, SMTPUTF8, RET, ENVID) into buf,
 * or a permanent failure when the server cannot take the message.
 */
static enum carrier_status
mail_params(struct smtp_session *s, const struct carrier_envelope *env,
    const struct message_info *info, char *buf, size_t size,
    struct carrier_error *err)
{
	char xt[3 * ENVELOPE_ENVID_MAX + 1], tmp[64];
	size_t i;
	int utf8 = addr_is_utf8(env->sender);

	buf[0] = '\0';
	(void)strlcpy(err->host, s->peer, sizeof(err->host));
	if ((s->ext & SMTP_EXT_SIZE) && s->size_max > 0 &&
	    info->size > s->size_max)
		return status_set(err, CARRIER_PERM, PHASE_MAIL, "message of "
		    "%llu octets exceeds the server's limit of %llu",
		    (unsigned long long)info->size,
		    (unsigned long long)s->size_max);
	for (i = 0; i < env->nrcpts; i++)
		utf8 |= !envelope_done(&env->rcpts[i]) &&
		    addr_is_utf8(env->rcpts[i].addr);
	if (utf8 && !(s->ext & SMTP_EXT_SMTPUTF8))
		return status_set(err, CARRIER_PERM, PHASE_MAIL, "the server "
		    "does not offer SMTPUTF8, needed for a non-ASCII address");
	if (s->ext & SMTP_EXT_SIZE) {
		(void)snprintf(tmp, sizeof(tmp), " SIZE=%llu",
		    (unsigned long long)info->size);
		(void)strlcat(buf, tmp, size);
	}
	if (info->eightbit && (s->ext & SMTP_EXT_8BITMIME))
		(void)strlcat(buf, " BODY=8BITMIME", size);
	/*
	 * Also when the client asked for it (-bs), or the header has raw
	 * UTF-8, and the server offers it; a server without it gets such a
	 * message anyway, as before SMTPUTF8 (the addresses are ASCII).
	 */
	if (utf8 || ((env->smtputf8 || info->head_eightbit) &&
	    (s->ext & SMTP_EXT_SMTPUTF8)))
		(void)strlcat(buf, " SMTPUTF8", size);
	if (s->ext & SMTP_EXT_DSN) {
		if (env->ret != ENVELOPE_RET_NONE)
			(void)strlcat(buf, env->ret == ENVELOPE_RET_FULL ?
			    " RET=FULL" : " RET=HDRS", size);
		if (env->envid[0] != '\0' &&
		    envelope_xtext(env->envid, xt, sizeof(xt)) == 0) {
			(void)strlcat(buf, " ENVID=", size);
			(void)strlcat(buf, xt, size);
		}
	}
	return CARRIER_OK;
}

/*
 * Buffers the RCPT command for r, with its DSN parameters when offered
 * and dsn (the caller asked for DSNs).
 */
static int
rcpt_command(struct smtp_session *s, const struct carrier_rcpt *r, int dsn)
{
	char notify[48] = "", orcpt[3 * ADDR_MAX + 16] = "";
	char xt[3 * ADDR_MAX + 1];

	if ((s->ext & SMTP_EXT_DSN) && r->notify != 0) {
		(void)strlcpy(notify, " NOTIFY=", sizeof(notify));
		if (r->notify & ENVELOPE_NOTIFY_NEVER)
			(void)strlcat(notify, "NEVER", sizeof(notify));
		if (r->notify & ENVELOPE_NOTIFY_SUCCESS)
			(void)strlcat(notify, "SUCCESS,", sizeof(notify));
		if (r->notify & ENVELOPE_NOTIFY_FAILURE)
			(void)strlcat(notify, "FAILURE,", sizeof(notify));
		if (r->notify & ENVELOPE_NOTIFY_DELAY)
			(void)strlcat(notify, "DELAY,", sizeof(notify));
		if (notify[strlen(notify) - 1] == ',')
			notify[strlen(notify) - 1] = '\0';	/* last comma */
	}
	/*
	 * ORCPT only serves DSNs: sent when the caller asked for them; a
	 * client's own (-bs) goes on unchanged (RFC 3461 4.2)
	 */
	if ((s->ext & SMTP_EXT_DSN) && r->orcpt != NULL)
		(void)snprintf(orcpt, sizeof(orcpt), " ORCPT=%s", r->orcpt);
	else if ((s->ext & SMTP_EXT_DSN) && dsn && !addr_is_utf8(r->addr) &&
	    envelope_xtext(r->addr, xt, sizeof(xt)) == 0)
		(void)snprintf(orcpt, sizeof(orcpt), " ORCPT=rfc822;%s", xt);
	return command(s, "RCPT TO:<%s>%s%s", r->addr, notify, orcpt);
}

/*
 * Sends BDAT with the whole canonical message as its one LAST chunk
 * (RFC 3030): no dot-stuffing, no 354 to wait for.  Leaves the reply
 * unread.  0, or -1 with errno (EIO: the saved message is shorter).
 */
static int
send_bdat(struct smtp_session *s, const struct message_text *t)
{
	uint64_t size = t->headlen + t->len;

	if (command(s, "BDAT %llu LAST", (unsigned long long)size) == -1)
		return -1;
	log_note("(message text, %llu octets)", (unsigned long long)size);
	conn_set_timeout(s->conn, s->timeout_ms);
	if (conn_write(s->conn, t->head, t->headlen) == -1 ||
	    conn_sendfile(s->conn, t->fd, t->off, t->len) == -1)
		return -1;
	return pipeline_quit(s);
}

/* What follows the last RCPT in the same write. */
enum tail { TAIL_NONE, TAIL_DATA, TAIL_BDAT };

struct txn {
	struct carrier_envelope	*env;
	int			*accepted;	/* per recipient */
	size_t			 nacc;
	int			 dsn;		/* DSN parameters wanted */
	int			 mail_sent;
	int			 mail_read;	/* its reply was read */
	int			 mail_ok;
	size_t			 next;		/* the next RCPT to send */
	size_t			 rcpts_read;	/* RCPT replies read */
	size_t			 deferred;	/* RCPTs left for another */
	int			 tail_ok;	/* 354, or the BDAT reply 2xx */
	struct carrier_error	 mail_err;
	struct carrier_error	 tail_err;
};

/* One pipelined group: what of it was buffered, whose replies are due. */
struct group {
	size_t			 first;		/* its first recipient */
	size_t			 count;		/* MAIL and RCPTs buffered */
	int			 with_mail;
	int			 with_tail;	/* the tail was begun */
	enum carrier_phase	 phase;		/* of the write that failed */
};

/*
 * Buffers one group, writing out full buffers on the way: MAIL the first
 * time, the RCPTs from t->next (up to SMTP_PIPELINE_MAX commands with
 * PIPELINING, one without), then the tail after the last RCPT.  0, or
 * -1 with errno; g says what was buffered before, and g->phase what
 * failed.
 */
static int
write_group(struct smtp_session *s, struct txn *t, const char *params,
    enum tail tail, const struct message_text *text, struct group *g)
{
	struct carrier_envelope *env = t->env;
	int pipe = s->ext & SMTP_EXT_PIPELINING;

	memset(g, 0, sizeof(*g));
	g->first = t->next;
	g->phase = PHASE_MAIL;
	if (!t->mail_sent) {
		if (command(s, "MAIL FROM:<%s>%s", env->sender, params) == -1)
			return -1;
		t->mail_sent = g->with_mail = 1;
		g->count++;
	}
	g->phase = PHASE_RCPT;
	for (; t->next < env->nrcpts && (pipe ?
	    g->count < SMTP_PIPELINE_MAX : g->count == 0); t->next++) {
		if (envelope_done(&env->rcpts[t->next]))
			continue;
		if (rcpt_command(s, &env->rcpts[t->next], t->dsn) == -1)
			return -1;
		g->count++;
	}
	while (t->next < env->nrcpts && envelope_done(&env->rcpts[t->next]))
		t->next++;
	if (t->next < env->nrcpts || tail == TAIL_NONE)
		return 0;
	g->with_tail = 1;
	g->phase = tail == TAIL_DATA ? PHASE_DATA : PHASE_BODY;
	return tail == TAIL_DATA ? command(s, "DATA") : send_bdat(s, text);
}

/*
 * Reads the replies to what write_group buffered, in order.  A refused
 * MAIL or RCPT is recorded in t, not returned: only I/O and protocol
 * failures end early.
 */
static enum carrier_status
read_group(struct smtp_session *s, struct txn *t, enum tail tail,
    const struct group *g, struct carrier_error *err)
{
	struct carrier_envelope *env = t->env;
	size_t i, inflight = g->count;
	enum carrier_status st;

	if (g->with_mail) {
		inflight--;
		if ((st = smtp_read_reply(s, PHASE_MAIL, err)) != CARRIER_OK)
			return st;
		t->mail_read = 1;
		if ((t->mail_ok = s->reply.code / 100 == 2) == 0)
			smtp_reply_error(s, PHASE_MAIL, &t->mail_err);
	}
	for (i = g->first; inflight > 0; i++) {
		struct carrier_rcpt *r = &env->rcpts[i];

		if (envelope_done(r))
			continue;
		inflight--;
		if ((st = smtp_read_reply(s, PHASE_RCPT, err)) != CARRIER_OK)
			return st;
		t->rcpts_read++;
		if (!t->mail_ok)
			continue;	/* the MAIL error decides */
		if (s->reply.code / 100 == 2) {
			t->accepted[i] = 1;
			t->nacc++;
			continue;
		}
		smtp_reply_error(s, PHASE_RCPT, &r->result);
		/*
		 * 452, and 552 taken as 452 (RFC 5321 4.5.3.1.10): too many
		 * recipients, or no room for this one now.  Left undone, for
		 * another transaction (carrier_deliver).
		 */
		if (s->reply.code == 452 || s->reply.code == 552) {
			r->result.status = CARRIER_TEMP;
			t->deferred++;
			continue;
		}
		envelope_settle(r);
	}
	if (g->with_tail) {
		enum carrier_phase ph = tail == TAIL_DATA ? PHASE_DATA :
		    PHASE_DOT;

		if ((st = smtp_read_reply(s, ph, err)) != CARRIER_OK)
			return st;
		t->tail_ok = tail == TAIL_DATA ? s->reply.code == 354 :
		    s->reply.code / 100 == 2;
		if (!t->tail_ok)
			smtp_reply_error(s, ph, &t->tail_err);
	}
	return CARRIER_OK;
}

/*
 * MAIL and the RCPTs, in groups (write_group), then the tail after the
 * last RCPT; each group's replies are read before the next is sent.
 * When a write fails because the server hung up, the replies it sent
 * before are still read (a refusal, then the hang-up: the refusal is the
 * outcome); the hang-up is the failure only when no reply says more.
 */
static enum carrier_status
send_envelope(struct smtp_session *s, struct txn *t, const char *params,
    enum tail tail, const struct message_text *text,
    struct carrier_error *err)
{
	struct carrier_envelope *env = t->env;
	struct group g;
	size_t i;
	enum carrier_status st;
	int e;

	t->dsn = env->ret != ENVELOPE_RET_NONE || env->envid[0] != '\0';
	for (i = 0; i < env->nrcpts && !t->dsn; i++)
		t->dsn = env->rcpts[i].notify != 0;
	while (t->next < env->nrcpts || !t->mail_sent) {
		e = 0;
		if (write_group(s, t, params, tail, text, &g) == -1) {
			e = errno;
			if (!hung_up(s, e))
				return g.phase == PHASE_BODY ?
				    body_error(s, e, err) :
				    io_error(s, e, g.phase, err);
		}
		st = read_group(s, t, tail, &g, err);
		/* after a hang-up, a reply (a 421) says more than it */
		if (st != CARRIER_OK && (e == 0 || err->code != 0))
			return st;
		if (e != 0)
			return io_error(s, e, g.phase, err);
		/* without PIPELINING, a refused MAIL ends it here */
		if (!t->mail_ok && !(s->ext & SMTP_EXT_PIPELINING))
			return CARRIER_OK;
	}
	return CARRIER_OK;
}

/* After DATA's 354: the dot-stuffed text, ".", and its reply. */
static enum carrier_status
finish_data(struct smtp_session *s, const struct message_text *text,
    const struct message_info *info, struct carrier_error *err)
{
	enum carrier_status st;

	if ((st = send_body(s, text, info, err)) != CARRIER_OK)
		return text_refused(s, st, err);
	if ((st = smtp_read_reply(s, PHASE_DOT, err)) != CARRIER_OK)
		return st;
	if (s->reply.code / 100 != 2)
		return smtp_reply_error(s, PHASE_DOT, err);
	return CARRIER_OK;
}

/*
 * The text could not go (st, err) because the server hung up: one that
 * refused the message part way (a size limit, malware found) may have
 * said so before it did, and that reply is the outcome.  Anything else
 * leaves st and err as they are.
 */
static enum carrier_status
text_refused(struct smtp_session *s, enum carrier_status st,
    struct carrier_error *err)
{
	struct carrier_error said;

	if (!s->text_broke)
		return st;
	s->text_broke = 0;
	conn_discard(s->conn);
	status_clear(&said);
	if (smtp_read_reply(s, PHASE_DOT, &said) != CARRIER_OK) {
		if (said.code == 0)
			return st;	/* nothing said: the hang-up */
		*err = said;		/* a 421 */
		return err->status;
	}
	if (s->reply.code / 100 == 2)
		return st;
	return smtp_reply_error(s, PHASE_DOT, err);
}

enum carrier_status
smtp_transaction(struct smtp_session *s, struct carrier_envelope *env,
    const struct message_text *text, const struct message_info *info,
    struct carrier_error *err)
{
	enum carrier_status st;
	struct carrier_error ok;
	struct txn t;
	char params[512];
	int pipe = s->ext & SMTP_EXT_PIPELINING;
	int bdat = (s->ext & SMTP_EXT_CHUNKING) != 0;
	enum tail tail = TAIL_NONE;
	size_t i, todo = 0;

	for (i = 0; i < env->nrcpts; i++)
		todo += !envelope_done(&env->rcpts[i]);
	if (todo == 0)
		return CARRIER_OK;
	s->text_broke = 0;
	memset(&t, 0, sizeof(t));
	t.env = env;
	if ((t.accepted = calloc(env->nrcpts, sizeof(*t.accepted))) == NULL) {
		st = status_set(err, CARRIER_TEMP, PHASE_LOCAL, "%s",
		    strerror(errno));
		goto fail_all;
	}
	if ((st = mail_params(s, env, info, params, sizeof(params), err)) !=
	    CARRIER_OK)
		goto fail_all;
	/* a small message rides with the envelope; a big one waits */
	if (pipe)
		tail = !bdat ? TAIL_DATA : info->size <= SMTP_BDAT_EAGER ?
		    TAIL_BDAT : TAIL_NONE;
	if ((st = send_envelope(s, &t, params, tail, text, err)) !=
	    CARRIER_OK) {
		/* a refused MAIL says more than the hang-up after it */
		if (t.mail_read && !t.mail_ok) {
			*err = t.mail_err;
			st = err->status;
			goto fail_all;
		}
		/* and a refusal of the text that went with the envelope */
		if (t.mail_ok && t.nacc > 0 && t.tail_err.code != 0) {
			*err = t.tail_err;
			st = err->status;
			goto fail_acc;
		}
		/* and so do refusals of every recipient: each has its own */
		if (!t.mail_ok || t.rcpts_read < todo || t.nacc > 0 ||
		    t.deferred > 0)
			goto fail_all;
		status_clear(err);
		s->quit_sent = 1;	/* the connection is not for more */
		st = CARRIER_OK;
		goto out;
	}
	/* recipients left for another transaction: no QUIT after this one */
	if (t.deferred > 0 && t.nacc > 0)
		s->last = 0;
	if (!t.mail_ok) {
		*err = t.mail_err;
		st = err->status;
		if (tail == TAIL_DATA && t.tail_ok)
			goto abort_data;
		goto fail_all;
	}
	if (t.nacc == 0) {
		/* every recipient refused; a 354 anyway gets an empty "." */
		st = CARRIER_OK;
		if (tail == TAIL_DATA && t.tail_ok)
			goto abort_data;
		goto out;
	}
	if (tail == TAIL_BDAT) {
		if (!t.tail_ok) {
			*err = t.tail_err;
			st = err->status;
			goto fail_acc;
		}
	} else if (bdat) {
		if (send_bdat(s, text) == -1) {
			st = text_refused(s, body_error(s, errno, err), err);
			goto fail_acc;
		}
		if ((st = smtp_read_reply(s, PHASE_DOT, err)) != CARRIER_OK)
			goto fail_acc;
		if (s->reply.code / 100 != 2) {
			st = smtp_reply_error(s, PHASE_DOT, err);
			goto fail_acc;
		}
	} else {
		if (tail == TAIL_NONE) {
			if (command(s, "DATA") == -1) {
				st = io_error(s, errno, PHASE_DATA, err);
				goto fail_acc;
			}
			if ((st = smtp_read_reply(s, PHASE_DATA, err)) !=
			    CARRIER_OK)
				goto fail_acc;
			if ((t.tail_ok = s->reply.code == 354) == 0)
				smtp_reply_error(s, PHASE_DATA, &t.tail_err);
		}
		if (!t.tail_ok) {
			*err = t.tail_err;
			st = err->status;
			goto fail_acc;
		}
		if ((st = finish_data(s, text, info, err)) != CARRIER_OK)
			goto fail_acc;
	}
	status_clear(&ok);
	(void)strlcpy(ok.host, s->peer, sizeof(ok.host));
	ok.phase = PHASE_DOT;
	ok.code = s->reply.code;
	(void)strlcpy(ok.enhanced, s->reply.enhanced, sizeof(ok.enhanced));
	smtp_reply_summary(&s->reply, ok.text, sizeof(ok.text));
	decide(env, t.accepted, &ok);
	st = CARRIER_OK;
	goto out;

abort_data:
	/* a server that said 354 with nothing to accept: end the data */
	if (command(s, ".") == 0)
		(void)smtp_read_reply(s, PHASE_DOT, &ok);
	if (!t.mail_ok)
		goto fail_all;
	goto out;
fail_acc:
	decide(env, t.accepted, err);
	goto out;
fail_all:
	decide_rest(env, err);
out:
	free(t.accepted);
	return st;
}

enum carrier_status
smtp_rset(struct smtp_session *s, struct carrier_error *err)
{
	enum carrier_status st;

	if (command(s, "RSET") == -1)
		return io_error(s, errno, PHASE_MAIL, err);
	if ((st = smtp_read_reply(s, PHASE_MAIL, err)) != CARRIER_OK)
		return st;
	if (s->reply.code / 100 != 2)
		return smtp_reply_error(s, PHASE_MAIL, err);
	return CARRIER_OK;
}

void
smtp_quit(struct smtp_session *s)
{
	/*
	 * QUIT, and no wait for its reply: the message was settled by the
	 * reply to its end, and a server's goodbye changes nothing (Postfix
	 * does the same: smtp_skip_quit_response).  Saves a round trip.
	 */
	if (!s->quit_sent && command(s, "QUIT") == 0)
		(void)conn_flush(s->conn);
	s->quit_sent = 1;
}
