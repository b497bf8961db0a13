/* SPDX-License-Identifier: ISC */
/*
 * smtp.c: the SMTP client protocol (see smtp.h).
 *
 * Failure classes, as the caller sees them:
 *   - a reply of 4xx, a timeout, a lost connection or a protocol error
 *     from the server: CARRIER_TEMP (a retry may work);
 *   - a reply of 5xx: CARRIER_PERM for what it refused;
 *   - a message larger than the server's SIZE limit: CARRIER_PERM.
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
static int	command(struct smtp_session *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static enum carrier_status send_body(struct smtp_session *, int,
		    struct carrier_error *);
static void	decide(struct carrier_envelope *, const int *,
		    const struct carrier_error *);

void
smtp_init(struct smtp_session *s, struct conn *conn, const char *helo,
    unsigned int timeout_ms, const char *peer)
{
	memset(s, 0, sizeof(*s));
	s->conn = conn;
	s->timeout_ms = timeout_ms;
	(void)strlcpy(s->helo, helo, sizeof(s->helo));
	(void)strlcpy(s->peer, peer, sizeof(s->peer));
	smtp_reply_init(&s->reply);
}

/* Fills err for an I/O failure (errno e) in phase. */
static enum carrier_status
io_error(struct smtp_session *s, int e, enum carrier_phase phase,
    struct carrier_error *err)
{
	const char *what = status_phase_name(phase);
	char secs[32];

	(void)strlcpy(err->host, s->peer, sizeof(err->host));
	if (s->timeout_ms % 1000 == 0)
		(void)snprintf(secs, sizeof(secs), "%u s", s->timeout_ms / 1000);
	else
		(void)snprintf(secs, sizeof(secs), "%u ms", s->timeout_ms);
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
	return status_set(err, CARRIER_TEMP, phase, "%s: %s", what,
	    strerror(e));
}

enum carrier_status
smtp_read_reply(struct smtp_session *s, enum carrier_phase phase,
    struct carrier_error *err)
{
	char line[CONN_LINE_MAX + 1], why[128], clean[160];
	size_t len;
	int r;

	if (s->conn->wlen > 0)
		s->turns++;	/* we spoke, now we wait: one client turn */
	if (conn_flush(s->conn) == -1)
		return io_error(s, errno, phase, err);
	conn_set_timeout(s->conn, s->timeout_ms);
	smtp_reply_init(&s->reply);
	do {
		if (conn_getline(s->conn, line, sizeof(line), &len) == -1)
			return io_error(s, errno, phase, err);
		log_transcript('<', line, len);
		if ((r = smtp_reply_feed(&s->reply, line, len, why,
		    sizeof(why))) == -1) {
			log_sanitize(clean, sizeof(clean), line, len);
			(void)strlcpy(err->host, s->peer, sizeof(err->host));
			return status_set(err, CARRIER_TEMP, phase,
			    "protocol error during %s: %s: \"%s\"",
			    status_phase_name(phase), why, clean);
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
		errno = EMSGSIZE;
		return -1;
	}
	log_transcript('>', buf, (size_t)n);
	buf[n++] = '\r';
	buf[n++] = '\n';
	return conn_write(s->conn, buf, (size_t)n);
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
		/* every line after the first names an extension */
		for (p = strchr(s->reply.text, '\n'); p != NULL; p = nl) {
			p++;
			nl = strchr(p, '\n');
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

size_t
smtp_dot_stuff(int *bol, const char *in, size_t len, char *out)
{
	size_t i, o = 0;
	int b = *bol;

	for (i = 0; i < len; i++) {
		if (b && in[i] == '.')
			out[o++] = '.';
		out[o++] = in[i];
		b = in[i] == '\n';
	}
	*bol = b;
	return o;
}

/* Streams the canonical message from msgfd, dot-stuffed, then ".". */
static enum carrier_status
send_body(struct smtp_session *s, int msgfd, struct carrier_error *err)
{
	static char in[SMTP_BODY_CHUNK], out[2 * SMTP_BODY_CHUNK];
	off_t off = 0;
	ssize_t n;
	size_t olen;
	int bol = 1;

	log_note("(message text)");
	for (;;) {
		n = pread(msgfd, in, sizeof(in), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
			    "reading the saved message: %s", strerror(errno));
		if (n == 0)
			break;
		off += n;
		olen = smtp_dot_stuff(&bol, in, (size_t)n, out);
		conn_set_timeout(s->conn, s->timeout_ms);
		if (conn_write(s->conn, out, olen) == -1)
			return io_error(s, errno, PHASE_BODY, err);
	}
	/* the canonical form is empty or ends in CRLF */
	if (command(s, ".") == -1)
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
		env->rcpts[i].done = 1;
	}
}

enum carrier_status
smtp_transaction(struct smtp_session *s, struct carrier_envelope *env,
    int msgfd, const struct message_info *info, struct carrier_error *err)
{
	enum carrier_status st;
	struct carrier_error ok;
	char params[128] = "";
	int *accepted = NULL, utf8, pipe = s->ext & SMTP_EXT_PIPELINING;
	size_t i, next = 0, todo = 0, nacc = 0, inflight;
	int mail_ok = 0, data_ok = 0, mail_sent = 0;

	for (i = 0; i < env->nrcpts; i++)
		todo += !env->rcpts[i].done;
	if (todo == 0)
		return CARRIER_OK;
	if ((accepted = calloc(env->nrcpts, sizeof(*accepted))) == NULL) {
		st = status_set(err, CARRIER_TEMP, PHASE_LOCAL, "%s",
		    strerror(errno));
		goto fail_all;
	}
	if ((s->ext & SMTP_EXT_SIZE) && s->size_max > 0 &&
	    info->size > s->size_max) {
		(void)strlcpy(err->host, s->peer, sizeof(err->host));
		st = status_set(err, CARRIER_PERM, PHASE_MAIL, "message of "
		    "%llu octets exceeds the server's limit of %llu",
		    (unsigned long long)info->size,
		    (unsigned long long)s->size_max);
		goto fail_all;
	}
	utf8 = addr_is_utf8(env->sender);
	for (i = 0; i < env->nrcpts; i++)
		utf8 |= addr_is_utf8(env->rcpts[i].addr);
	if (utf8 && !(s->ext & SMTP_EXT_SMTPUTF8)) {
		(void)strlcpy(err->host, s->peer, sizeof(err->host));
		st = status_set(err, CARRIER_PERM, PHASE_MAIL, "the server "
		    "does not offer SMTPUTF8, needed for a non-ASCII address");
		goto fail_all;
	}
	if (s->ext & SMTP_EXT_SIZE)
		(void)snprintf(params, sizeof(params), " SIZE=%llu",
		    (unsigned long long)info->size);
	if (info->eightbit && (s->ext & SMTP_EXT_8BITMIME))
		(void)strlcat(params, " BODY=8BITMIME", sizeof(params));
	if (utf8)
		(void)strlcat(params, " SMTPUTF8", sizeof(params));

	/*
	 * Commands go out in groups: MAIL and RCPTs (and DATA after the
	 * last RCPT) up to SMTP_PIPELINE_MAX per write with PIPELINING,
	 * one at a time without; then the group's replies are read in order.
	 */
	while (next < env->nrcpts || !mail_sent) {
		size_t first = next, group = 0;
		int with_mail = !mail_sent, with_data;

		if (with_mail) {
			if (command(s, "MAIL FROM:<%s>%s", env->sender,
			    params) == -1) {
				st = io_error(s, errno, PHASE_MAIL, err);
				goto fail_all;
			}
			mail_sent = 1;
			group++;
		}
		while (next < env->nrcpts && (pipe ?
		    group < SMTP_PIPELINE_MAX : group == 0)) {
			if (!env->rcpts[next].done) {
				if (command(s, "RCPT TO:<%s>",
				    env->rcpts[next].addr) == -1) {
					st = io_error(s, errno, PHASE_RCPT,
					    err);
					goto fail_all;
				}
				group++;
			}
			next++;
		}
		while (next < env->nrcpts && env->rcpts[next].done)
			next++;
		with_data = next >= env->nrcpts && pipe;
		if (with_data && command(s, "DATA") == -1) {
			st = io_error(s, errno, PHASE_DATA, err);
			goto fail_all;
		}
		inflight = group;
		if (with_mail) {
			inflight--;
			if ((st = smtp_read_reply(s, PHASE_MAIL, err)) !=
			    CARRIER_OK)
				goto fail_all;
			mail_ok = s->reply.code / 100 == 2;
			if (!mail_ok) {
				smtp_reply_error(s, PHASE_MAIL, err);
				if (!pipe) {
					st = err->status;
					goto fail_all;
				}
			}
		}
		for (i = first; inflight > 0; i++) {
			struct carrier_rcpt *r = &env->rcpts[i];

			if (r->done)
				continue;
			inflight--;
			if ((st = smtp_read_reply(s, PHASE_RCPT, err)) !=
			    CARRIER_OK)
				goto fail_all;
			if (!mail_ok)
				continue;	/* the MAIL error decides */
			if (s->reply.code / 100 == 2) {
				accepted[i] = 1;
				nacc++;
				continue;
			}
			smtp_reply_error(s, PHASE_RCPT, &r->result);
			r->done = 1;
		}
		if (with_data) {
			if ((st = smtp_read_reply(s, PHASE_DATA, err)) !=
			    CARRIER_OK)
				goto fail_all;
			data_ok = s->reply.code == 354;
		}
	}
	if (!mail_ok) {
		/* pipelined MAIL refused: its error is everyone's */
		st = err->status;
		if (data_ok)
			goto abort_data;
		goto fail_all;
	}
	if (nacc == 0) {
		/* every recipient refused; a 354 anyway gets an empty "." */
		if (data_ok)
			goto abort_data;
		st = CARRIER_OK;
		goto out;
	}
	if (!pipe) {
		if (command(s, "DATA") == -1) {
			st = io_error(s, errno, PHASE_DATA, err);
			goto fail_acc;
		}
		if ((st = smtp_read_reply(s, PHASE_DATA, err)) != CARRIER_OK)
			goto fail_acc;
		data_ok = s->reply.code == 354;
	}
	if (!data_ok) {
		st = smtp_reply_error(s, PHASE_DATA, err);
		goto fail_acc;
	}
	if ((st = send_body(s, msgfd, err)) != CARRIER_OK)
		goto fail_acc;
	if ((st = smtp_read_reply(s, PHASE_DOT, err)) != CARRIER_OK)
		goto fail_acc;
	if (s->reply.code / 100 != 2) {
		st = smtp_reply_error(s, PHASE_DOT, err);
		goto fail_acc;
	}
	status_clear(&ok);
	(void)strlcpy(ok.host, s->peer, sizeof(ok.host));
	ok.phase = PHASE_DOT;
	ok.code = s->reply.code;
	(void)strlcpy(ok.enhanced, s->reply.enhanced, sizeof(ok.enhanced));
	smtp_reply_summary(&s->reply, ok.text, sizeof(ok.text));
	decide(env, accepted, &ok);
	st = CARRIER_OK;
	goto out;

abort_data:
	/* a server that said 354 with nothing to accept: end the data */
	if (command(s, ".") == 0)
		(void)smtp_read_reply(s, PHASE_DOT, &ok);
	if (!mail_ok)
		goto fail_all;
	st = CARRIER_OK;
	goto out;
fail_acc:
	decide(env, accepted, err);
	goto out;
fail_all:
	for (i = 0; i < env->nrcpts; i++) {
		if (env->rcpts[i].done)
			continue;
		env->rcpts[i].result = *err;
		env->rcpts[i].done = 1;
	}
out:
	free(accepted);
	return st;
}

void
smtp_quit(struct smtp_session *s)
{
	struct carrier_error ignored;
	unsigned int t = s->timeout_ms;

	status_clear(&ignored);
	if (command(s, "QUIT") == -1)
		return;
	/* do not wait long for a goodbye */
	s->timeout_ms = t < 5000 ? t : 5000;
	(void)smtp_read_reply(s, PHASE_QUIT, &ignored);
	s->timeout_ms = t;
}
