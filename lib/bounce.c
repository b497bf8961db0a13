/* SPDX-License-Identifier: ISC */
/*
 * bounce.c: delivery status notifications (see bounce.h): RFC 3464
 * fields in an RFC 6522 multipart/report, from the null sender's
 * MAILER-DAEMON, marked Auto-Submitted: auto-replied (RFC 3834).
 * Depends on envelope, status, log (sanitising), identity (Date,
 * Message-ID) and smtpd_parse (xtext decoding).
 *
 * One function makes the report, twice: a first pass writes nothing and
 * looks at what the parts hold (8-bit octets; the boundary, which must
 * not appear in them), a second writes it through a small buffer.  The
 * original is read with pread in bounded chunks both times, so memory
 * does not grow with its size.  The boundary is random; one found in
 * the content is replaced and the content looked at again.
 *
 * Every text from a server or from the queue file is sanitised (control
 * characters as \xHH, TAB as a space) and bounded, so no field or line
 * nears 998 octets and nothing can end a line or add a field.  An
 * address with 8-bit octets (SMTPUTF8) is written as it is, with the
 * address type "utf-8" in a message/global-delivery-status part (RFC
 * 6533).  An ORCPT ("type;xtext") is decoded for Original-Recipient;
 * when the decoded address is not printable ASCII, the xtext is kept.
 *
 * Status when the server gave no enhanced code (RFC 3463): a reply's
 * class ("5.0.0", "4.0.0"), but a 4xx reply of a recipient given up
 * (expired) is 4.4.7, delivery time expired.  Without a reply, by the
 * phase it failed in (phase_status[] below): 4.4.1 no answer (connect),
 * 4.4.2 bad connection (the link broke in a dialogue), 4.4.3 routing
 * (lookup) or 5.4.4 unable to route, 4.7.5/5.7.5 TLS, 4.7.0/5.7.0 AUTH,
 * 4.3.0 local trouble, 4.4.7 an expiry with no other cause.
 */
#include <sys/random.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "log.h"
#include "status.h"
#include "envelope.h"
#include "identity.h"
#include "smtpd_parse.h"
#include "bounce.h"

#define BOUNCE_BUF		8192	/* the write buffer */
#define BOUNCE_CHUNK		16384	/* one pread of the original */
#define BOUNCE_VALUE_MAX	900	/* a field's value, a text line */
#define BOUNCE_WRAP		76	/* where text and fields fold */
#define BOUNCE_BOUNDARY_MAX	64
#define BOUNCE_TRIES		8	/* boundaries tried */

/* The parts, each with its own record of 8-bit octets. */
enum section { SEC_HEAD, SEC_TEXT, SEC_STATUS, SEC_ORIG, SEC_COUNT };

struct out {
	int		 fd;		/* -1: the look-ahead pass */
	int		 werr;		/* errno of a failed write, or 0 */
	int		 rerr;		/* errno of a failed read, or 0 */
	enum section	 sec;
	int		 eight[SEC_COUNT];	/* from the look-ahead */
	int		 seen8[SEC_COUNT];	/* in this pass */
	int		 found;		/* the boundary is in the content */
	char		 boundary[BOUNCE_BOUNDARY_MAX];
	size_t		 blen;
	char		 tail[BOUNCE_BOUNDARY_MAX];
	size_t		 tlen;
	size_t		 len;
	char		 buf[BOUNCE_BUF];
};

/* What the report is about, worked out once. */
struct report {
	const struct bounce_params	*p;
	const struct carrier_envelope	*env;
	const struct bounce_original	*orig;
	int				 full;	/* the whole message */
	int				 head8;	/* 8-bit octets in its head */
};

static void	out_raw(struct out *, const char *, size_t);
static void	out_put(struct out *, const char *, size_t);
static void	out_str(struct out *, const char *);
static void	out_fmt(struct out *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	out_flush(struct out *);
static void	out_look(struct out *, const char *, size_t);
static void	out_field(struct out *, const char *, const char *);
static void	out_wrap(struct out *, const char *, const char *);
static void	wrap(struct out *, const char *, size_t, const char *);
static void	new_boundary(struct out *, unsigned int);
static void	report(struct out *, const struct report *);
static void	report_head(struct out *, const struct report *);
static void	report_text(struct out *, const struct report *);
static void	text_rcpt(struct out *, const struct report *,
		    const struct carrier_rcpt *);
static void	report_status(struct out *, const struct report *);
static void	status_rcpt(struct out *, const struct report *,
		    const struct carrier_rcpt *);
static void	report_original(struct out *, const struct report *);
static void	part_start(struct out *, enum section, const char *,
		    const char *);
static void	rcpt_status(enum bounce_kind, const struct carrier_error *,
		    char *, size_t);
static int	valid_enhanced(const char *);
static int	remote_mta(const char *, char *, size_t);
static int	original_rcpt(const char *, char *, size_t);
static void	original_msgid(const char *, size_t, char *, size_t);
static void	sanitize(char *, size_t, const char *, int);
static int	has_8bit(const char *, size_t);
static int	printable(const char *);
static int	valid_name(const char *);
static void	clean_error(const struct carrier_error *,
		    struct carrier_error *);
static size_t	count_wanted(enum bounce_kind,
		    const struct carrier_envelope *);

/* Status by phase when no server replied: temporary, permanent. */
static const struct {
	const char	*temp, *perm;
} phase_status[PHASE_COUNT] = {
	[PHASE_NONE] = { "4.4.7", "5.0.0" },
	[PHASE_USAGE] = { "4.3.5", "5.3.5" },
	[PHASE_CONFIG] = { "4.3.5", "5.3.5" },
	[PHASE_INPUT] = { "4.6.0", "5.6.0" },
	[PHASE_LOCAL] = { "4.3.0", "5.3.0" },
	[PHASE_RESOLVE] = { "4.4.3", "5.4.4" },
	[PHASE_CONNECT] = { "4.4.1", "5.4.4" },
	[PHASE_GREETING] = { "4.4.2", "5.4.0" },
	[PHASE_EHLO] = { "4.4.2", "5.4.0" },
	[PHASE_HELO] = { "4.4.2", "5.4.0" },
	[PHASE_STARTTLS] = { "4.7.5", "5.7.5" },
	[PHASE_TLS] = { "4.7.5", "5.7.5" },
	[PHASE_AUTH] = { "4.7.0", "5.7.0" },
	[PHASE_MAIL] = { "4.4.2", "5.4.0" },
	[PHASE_RCPT] = { "4.4.2", "5.4.0" },
	[PHASE_DATA] = { "4.4.2", "5.4.0" },
	[PHASE_BODY] = { "4.4.2", "5.4.0" },
	[PHASE_DOT] = { "4.4.2", "5.4.0" },
	[PHASE_QUIT] = { "4.4.2", "5.4.0" },
};

int
bounce_wanted(enum bounce_kind kind, const struct carrier_rcpt *r)
{
	unsigned int bit;

	if (r->notify & ENVELOPE_NOTIFY_NEVER)
		return 0;
	if (kind == BOUNCE_FAILED) {
		if (r->state != ENVELOPE_BOUNCED)
			return 0;
		bit = ENVELOPE_NOTIFY_FAILURE;
	} else {
		if (r->state != ENVELOPE_DEFERRED)
			return 0;
		bit = ENVELOPE_NOTIFY_DELAY;
	}
	return r->notify == 0 || (r->notify & bit) != 0;
}

enum carrier_status
bounce_write(int out_fd, const struct bounce_params *p,
    const struct carrier_envelope *env, const struct bounce_original *orig,
    int *eightbit, struct carrier_error *err)
{
	struct out o;
	struct report r;
	unsigned int try;
	int i;

	*eightbit = 0;
	if (env->sender[0] == '\0')
		return status_set(err, CARRIER_PERM, PHASE_NONE,
		    "no report to the null sender");
	if (count_wanted(p->kind, env) == 0)
		return status_set(err, CARRIER_PERM, PHASE_NONE,
		    "no recipient to report");
	if (!valid_name(p->domain) || !valid_name(p->reporting_mta))
		return status_set(err, CARRIER_PERM, PHASE_CONFIG,
		    "bad mail domain or host name for a report");
	for (i = 0; env->sender[i] != '\0'; i++)
		if ((unsigned char)env->sender[i] < ' ' ||
		    env->sender[i] == 0x7f || env->sender[i] == '<' ||
		    env->sender[i] == '>' || i == BOUNCE_VALUE_MAX)
			return status_set(err, CARRIER_PERM, PHASE_INPUT,
			    "the sender cannot be written in a header");
	r.p = p;
	r.env = env;
	r.orig = orig;
	/* a delay warning returns the header only (RFC 3461 4.3) */
	r.full = p->kind == BOUNCE_FAILED && (env->ret == ENVELOPE_RET_FULL ||
	    (env->ret == ENVELOPE_RET_NONE && orig->len <= BOUNCE_RETURN_MAX &&
	    orig->headlen <= BOUNCE_RETURN_MAX - orig->len));
	r.head8 = orig->headlen > 0 && has_8bit(orig->head, orig->headlen);

	memset(&o, 0, sizeof(o));
	for (try = 0;; try++) {
		if (try == BOUNCE_TRIES)
			return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
			    "no MIME boundary found for the report");
		new_boundary(&o, try);
		o.fd = -1;
		o.found = o.rerr = 0;
		memset(o.seen8, 0, sizeof(o.seen8));
		report(&o, &r);
		if (o.rerr != 0)
			return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
			    "reading the message for a report: %s",
			    strerror(o.rerr));
		if (!o.found)
			break;
	}
	memcpy(o.eight, o.seen8, sizeof(o.eight));
	o.fd = out_fd;
	o.len = 0;
	report(&o, &r);
	out_flush(&o);
	if (o.rerr != 0)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
		    "reading the message for a report: %s", strerror(o.rerr));
	if (o.werr != 0)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
		    "writing a report: %s", strerror(o.werr));
	*eightbit = has_8bit(env->sender, strlen(env->sender));
	for (i = 0; i < SEC_COUNT; i++)
		*eightbit |= o.eight[i];
	return CARRIER_OK;
}

static size_t
count_wanted(enum bounce_kind kind, const struct carrier_envelope *env)
{
	size_t i, n = 0;

	for (i = 0; i < env->nrcpts; i++)
		if (bounce_wanted(kind, &env->rcpts[i]))
			n++;
	return n;
}

/* A host or domain name for a header: printable, nothing special. */
static int
valid_name(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 255)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("-._[]:", *s) == NULL)
			return 0;
	return 1;
}

/* A random boundary (something that differs per try without it). */
static void
new_boundary(struct out *o, unsigned int try)
{
	unsigned char r[16] = { 0 };
	size_t i, n;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		unsigned long x = (unsigned long)time(NULL) ^
		    (unsigned long)getpid() * 2654435761u ^ try * 40503u;

		memcpy(r, &x, sizeof(x) < sizeof(r) ? sizeof(x) : sizeof(r));
	}
	n = (size_t)snprintf(o->boundary, sizeof(o->boundary),
	    "=_carrier_%u_", try);
	for (i = 0; i < sizeof(r); i++)
		n += (size_t)snprintf(o->boundary + n, sizeof(o->boundary) - n,
		    "%02x", r[i]);
	o->blen = n;
	o->tlen = 0;
}

/* The whole report; the same octets in both passes. */
static void
report(struct out *o, const struct report *r)
{
	const char *status_type = o->eight[SEC_STATUS] ?
	    "message/global-delivery-status" : "message/delivery-status";

	report_head(o, r);
	part_start(o, SEC_TEXT, "Notification", o->eight[SEC_TEXT] ?
	    "text/plain; charset=utf-8" : "text/plain; charset=us-ascii");
	report_text(o, r);
	part_start(o, SEC_STATUS, "Delivery report", status_type);
	report_status(o, r);
	/* an internationalised header: RFC 6532 3.7, RFC 6533 6.3 */
	if (r->full)
		part_start(o, SEC_ORIG, "Returned message", r->head8 ?
		    "message/global" : "message/rfc822");
	else
		part_start(o, SEC_ORIG, "Returned message header", r->head8 ?
		    "message/global-headers" : "text/rfc822-headers");
	report_original(o, r);
	o->sec = SEC_HEAD;
	out_raw(o, "\r\n--", 4);
	out_raw(o, o->boundary, o->blen);
	out_raw(o, "--\r\n", 4);
}

static void
report_head(struct out *o, const struct report *r)
{
	const struct bounce_params *p = r->p;
	char date[64], mid[512], orig_id[BOUNCE_VALUE_MAX];
	int i, any8 = 0;

	for (i = SEC_TEXT; i < SEC_COUNT; i++)
		any8 |= o->eight[i];
	o->sec = SEC_HEAD;
	out_fmt(o, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n",
	    p->domain);
	out_str(o, "To: <");
	out_str(o, r->env->sender);
	out_str(o, ">\r\n");
	out_str(o, p->kind == BOUNCE_FAILED ?
	    "Subject: Undelivered Mail Returned to Sender\r\n" :
	    "Subject: Delayed Mail (still being retried)\r\n");
	out_fmt(o, "Date: %s\r\n", identity_date(p->now, date, sizeof(date)));
	out_fmt(o, "Message-ID: %s\r\n", identity_message_id(p->domain, mid,
	    sizeof(mid)));
	/* RFC 3834 3.1.5: a reply to the original */
	original_msgid(r->orig->head, r->orig->headlen, orig_id,
	    sizeof(orig_id));
	if (orig_id[0] != '\0') {
		out_fmt(o, "In-Reply-To: %s\r\n", orig_id);
		out_fmt(o, "References: %s\r\n", orig_id);
	}
	out_str(o, "Auto-Submitted: auto-replied\r\n");
	out_str(o, "MIME-Version: 1.0\r\n");
	out_fmt(o, "Content-Type: multipart/report; report-type=%s;\r\n",
	    o->eight[SEC_STATUS] ? "global-delivery-status" :
	    "delivery-status");
	out_raw(o, "\tboundary=\"", 11);
	out_raw(o, o->boundary, o->blen);
	out_raw(o, "\"\r\n", 3);
	if (any8)
		out_str(o, "Content-Transfer-Encoding: 8bit\r\n");
	out_str(o, "\r\nThis is a MIME-encapsulated message.\r\n");
}

/* The delimiter and a part's header; cte when the part is 8-bit. */
static void
part_start(struct out *o, enum section sec, const char *desc,
    const char *type)
{
	o->sec = SEC_HEAD;
	out_raw(o, "\r\n--", 4);
	out_raw(o, o->boundary, o->blen);
	out_raw(o, "\r\n", 2);
	out_fmt(o, "Content-Description: %s\r\n", desc);
	out_fmt(o, "Content-Type: %s\r\n", type);
	if (o->eight[sec])
		out_str(o, "Content-Transfer-Encoding: 8bit\r\n");
	out_str(o, "\r\n");
	o->sec = sec;
	o->tlen = 0;
}

static void
report_text(struct out *o, const struct report *r)
{
	const struct bounce_params *p = r->p;
	char date[64], line[BOUNCE_VALUE_MAX], qid[64];
	size_t i;

	out_fmt(o, "This is the mail system at host %s.\r\n\r\n",
	    p->reporting_mta);
	if (p->kind == BOUNCE_FAILED)
		out_wrap(o, "", "Your message could not be delivered to the "
		    "recipients below. This is a permanent failure: the mail "
		    "system will not try again.");
	else {
		out_wrap(o, "", "This is a warning only: no action is needed "
		    "on your part.");
		out_str(o, "\r\n");
		(void)snprintf(line, sizeof(line), "Your message has not yet "
		    "been delivered to the recipients below. The mail system "
		    "will keep trying until %s. If it still cannot deliver it "
		    "by then, you will get another message.",
		    identity_date(p->expires, date, sizeof(date)));
		out_wrap(o, "", line);
	}
	out_str(o, "\r\n");
	for (i = 0; i < r->env->nrcpts; i++)
		if (bounce_wanted(p->kind, &r->env->rcpts[i]))
			text_rcpt(o, r, &r->env->rcpts[i]);
	sanitize(qid, sizeof(qid), p->queue_id != NULL ? p->queue_id : "",
	    0);
	(void)snprintf(line, sizeof(line), "The message was accepted on "
	    "%s%s%s%s.", identity_date(p->arrival, date, sizeof(date)),
	    qid[0] != '\0' ? " (queue id " : "", qid,
	    qid[0] != '\0' ? ")" : "");
	out_wrap(o, "", line);
	if (r->full)
		out_wrap(o, "", "The message is attached.");
	else if (p->kind == BOUNCE_DELAYED)
		out_wrap(o, "", "Its header is attached.");
	else if (r->env->ret == ENVELOPE_RET_HDRS)
		out_wrap(o, "", "Only its header is attached, as asked "
		    "(RET=HDRS).");
	else
		out_wrap(o, "", "Only its header is attached: the whole "
		    "message is too large to return.");
}

/* "addr" on a line, then the reply or reason, indented. */
static void
text_rcpt(struct out *o, const struct report *r,
    const struct carrier_rcpt *rc)
{
	struct carrier_error e;
	char addr[BOUNCE_VALUE_MAX / 2], why[BOUNCE_VALUE_MAX];

	sanitize(addr, sizeof(addr), rc->addr, 1);
	out_wrap(o, "  ", addr);
	clean_error(&rc->result, &e);
	(void)status_format(&e, why, sizeof(why));
	if (why[0] == '\0')
		(void)strlcpy(why, "no reason was recorded", sizeof(why));
	out_wrap(o, "    ", why);
	if (r->p->kind == BOUNCE_FAILED && rc->result.status != CARRIER_PERM)
		out_wrap(o, "    ", "(given up: it could not be delivered "
		    "before the message expired)");
	out_str(o, "\r\n");
}

static void
report_status(struct out *o, const struct report *r)
{
	const struct bounce_params *p = r->p;
	char v[BOUNCE_VALUE_MAX], date[64];
	size_t i;

	/* in the order of RFC 3464 2.2's grammar */
	if (r->env->envid[0] != '\0') {
		/* printable ASCII as it is (RFC 3461 6.3), else xtext */
		if (printable(r->env->envid))
			(void)strlcpy(v, r->env->envid, sizeof(v));
		else if (envelope_xtext(r->env->envid, v, sizeof(v)) == -1)
			sanitize(v, sizeof(v), r->env->envid, 0);
		out_field(o, "Original-Envelope-Id", v);
	}
	(void)snprintf(v, sizeof(v), "dns; %s", p->reporting_mta);
	out_field(o, "Reporting-MTA", v);
	out_field(o, "Arrival-Date", identity_date(p->arrival, date,
	    sizeof(date)));
	if (p->queue_id != NULL && p->queue_id[0] != '\0') {
		sanitize(v, 128, p->queue_id, 0);
		out_field(o, "X-Carrier-Queue-ID", v);
	}
	for (i = 0; i < r->env->nrcpts; i++)
		if (bounce_wanted(p->kind, &r->env->rcpts[i]))
			status_rcpt(o, r, &r->env->rcpts[i]);
}

/* One per-recipient block, after its empty line. */
static void
status_rcpt(struct out *o, const struct report *r,
    const struct carrier_rcpt *rc)
{
	const struct bounce_params *p = r->p;
	struct carrier_error e;
	char v[BOUNCE_VALUE_MAX], addr[BOUNCE_VALUE_MAX / 2], date[64];

	out_str(o, "\r\n");
	if (rc->orcpt != NULL && original_rcpt(rc->orcpt, v, sizeof(v)) == 0)
		out_field(o, "Original-Recipient", v);
	sanitize(addr, sizeof(addr), rc->addr, 1);
	(void)snprintf(v, sizeof(v), "%s; %s", has_8bit(addr, strlen(addr)) ?
	    "utf-8" :
	    "rfc822", addr);
	out_field(o, "Final-Recipient", v);
	out_field(o, "Action", p->kind == BOUNCE_FAILED ? "failed" :
	    "delayed");
	rcpt_status(p->kind, &rc->result, v, sizeof(v));
	out_field(o, "Status", v);
	clean_error(&rc->result, &e);
	if (e.code != 0) {
		if (remote_mta(e.host, addr, sizeof(addr)) == 0) {
			(void)snprintf(v, sizeof(v), "dns; %s", addr);
			out_field(o, "Remote-MTA", v);
		}
		(void)snprintf(v, sizeof(v), "smtp; %d%s%s %s", e.code,
		    e.enhanced[0] != '\0' ? " " : "", e.enhanced, e.text);
		out_field(o, "Diagnostic-Code", v);
	}
	out_field(o, "Last-Attempt-Date", identity_date(p->now, date,
	    sizeof(date)));
	if (p->kind == BOUNCE_DELAYED)
		out_field(o, "Will-Retry-Until", identity_date(p->expires,
		    date, sizeof(date)));
}

/* The original: head, then (message/rfc822) the body, in chunks. */
static void
report_original(struct out *o, const struct report *r)
{
	const struct bounce_original *g = r->orig;
	char chunk[BOUNCE_CHUNK];
	unsigned long long off = g->off, left = g->len;
	ssize_t n;

	out_put(o, g->head, g->headlen);
	if (!r->full)
		return;
	while (left > 0 && o->rerr == 0 && o->werr == 0) {
		n = pread(g->fd, chunk, left < sizeof(chunk) ? (size_t)left :
		    sizeof(chunk), (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->rerr = n == 0 ? EIO : errno;	/* EIO: shorter */
			return;
		}
		out_put(o, chunk, (size_t)n);
		off += (unsigned long long)n;
		left -= (unsigned long long)n;
	}
}

/*
 * The recipient's Status: the server's enhanced code, else one derived
 * from the reply or the phase (see the top of this file).
 */
static void
rcpt_status(enum bounce_kind kind, const struct carrier_error *e,
    char *dst, size_t size)
{
	const char *s;

	/* the server's code, when of the class of its reply (RFC 3463 2) */
	if (valid_enhanced(e->enhanced) && e->enhanced[0] != '2' &&
	    (e->code == 0 || e->enhanced[0] - '0' == e->code / 100))
		s = e->enhanced;
	else if (e->code >= 500 && e->code <= 599)
		s = "5.0.0";
	else if (e->code >= 400 && e->code <= 499)
		s = kind == BOUNCE_FAILED ? "4.4.7" : "4.0.0";
	else if (e->phase < 0 || e->phase >= PHASE_COUNT)
		s = e->status == CARRIER_PERM ? "5.0.0" : "4.0.0";
	else if (e->status == CARRIER_PERM)
		s = phase_status[e->phase].perm;
	else if (kind == BOUNCE_DELAYED && e->phase == PHASE_NONE)
		s = "4.0.0";
	else
		s = phase_status[e->phase].temp;
	(void)strlcpy(dst, s, size);
}

/* "class.subject.detail" (RFC 3463): 2, 4 or 5, then 1-3 digits twice. */
static int
valid_enhanced(const char *s)
{
	int part, n;

	if (*s != '2' && *s != '4' && *s != '5')
		return 0;
	s++;
	for (part = 0; part < 2; part++) {
		if (*s++ != '.')
			return 0;
		for (n = 0; isdigit((unsigned char)*s); n++, s++)
			;
		if (n < 1 || n > 3)
			return 0;
	}
	return *s == '\0';
}

/* The host of "name[addr]:port" or "[addr]:port" for Remote-MTA. */
static int
remote_mta(const char *host, char *dst, size_t size)
{
	size_t i, n;

	if (host[0] == '[') {
		n = strcspn(host, "]");
		if (host[n] != ']')
			return -1;
		n++;
	} else
		n = strcspn(host, "[:");
	if (n == 0 || n >= size)
		return -1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)host[i]) &&
		    strchr("-._:[]", host[i]) == NULL)
			return -1;
	memcpy(dst, host, n);
	dst[n] = '\0';
	return 0;
}

/*
 * An ORCPT "type;xtext" as Original-Recipient's "type; address", the
 * address decoded, or the xtext itself when the decoded one is not
 * printable ASCII.  Returns -1 when orcpt is not an ORCPT value.
 */
static int
original_rcpt(const char *orcpt, char *dst, size_t size)
{
	char addr[BOUNCE_VALUE_MAX / 2];
	const char *use = addr;
	size_t i, tl = strcspn(orcpt, ";");
	int n;

	if (tl == 0 || tl > 32 || orcpt[tl] != ';')
		return -1;
	for (i = 0; i < tl; i++)
		if (!isalnum((unsigned char)orcpt[i]) && orcpt[i] != '-')
			return -1;
	if (smtpd_parse_xtext(orcpt + tl + 1, addr, sizeof(addr)) == -1 ||
	    addr[0] == '\0')
		return -1;
	if (!printable(addr))
		use = orcpt + tl + 1;
	n = snprintf(dst, size, "%.*s; %s", (int)tl, orcpt, use);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * The original's Message-ID from its header (folds undone, blanks
 * dropped) into dst, when it is "<...>" in printable ASCII that fits;
 * else "".
 */
static void
original_msgid(const char *head, size_t len, char *dst, size_t size)
{
	const char *nl;
	size_t i = 0, o = 0;
	unsigned char c;

	dst[0] = '\0';
	if (len == 0)
		return;
	while (len - i <= 11 || strncasecmp(head + i, "Message-ID:", 11) != 0) {
		if ((nl = memchr(head + i, '\n', len - i)) == NULL)
			return;
		i = (size_t)(nl - head) + 1;
	}
	for (i += 11; i < len; i++) {
		c = (unsigned char)head[i];
		if (c == '\n' && (i + 1 == len || (head[i + 1] != ' ' &&
		    head[i + 1] != '\t')))
			break;		/* the field's end */
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c > '~' || c < ' ' || o + 1 >= size) {
			o = 0;
			break;
		}
		dst[o++] = (char)c;
	}
	if (o < 3 || dst[0] != '<' || dst[o - 1] != '>')
		o = 0;
	dst[o] = '\0';
}

/*
 * Copies src into dst: as it is when keep8 and it holds no control
 * characters (an address, 8-bit octets being UTF-8) and fits; else
 * through log_sanitize() (\xHH escapes, "..." when too long) with TAB
 * as a space.
 */
static void
sanitize(char *dst, size_t size, const char *src, int keep8)
{
	size_t i, n = strlen(src);

	for (i = 0; keep8 && i < n; i++)
		if ((unsigned char)src[i] < ' ' || src[i] == 0x7f)
			keep8 = 0;
	if (keep8 && n < size) {
		memcpy(dst, src, n + 1);
		return;
	}
	n = log_sanitize(dst, size, src, n);
	for (i = 0; i < n; i++)
		if (dst[i] == '\t')
			dst[i] = ' ';
}

/* Whether s is printable ASCII, space included. */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s > '~')
			return 0;
	return 1;
}

static int
has_8bit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* A copy of e fit to be written: every text sanitised. */
static void
clean_error(const struct carrier_error *e, struct carrier_error *c)
{
	*c = *e;
	sanitize(c->host, sizeof(c->host), e->host, 0);
	sanitize(c->step, sizeof(c->step), e->step, 0);
	sanitize(c->text, sizeof(c->text), e->text, 0);
	if (!valid_enhanced(e->enhanced))
		c->enhanced[0] = '\0';
	if (c->code < 200 || c->code > 599)
		c->code = 0;
}

/*
 * "Name: value" folded at spaces near BOUNCE_WRAP columns (a fold is
 * CRLF and the space it replaces); the value is bounded, so no line
 * nears 998 octets even where it cannot fold.
 */
static void
out_field(struct out *o, const char *name, const char *value)
{
	char prefix[64];

	(void)snprintf(prefix, sizeof(prefix), "%s: ", name);
	out_str(o, prefix);
	wrap(o, " ", strlen(prefix), value);
}

/* Text in lines of about BOUNCE_WRAP columns, each starting indent. */
static void
out_wrap(struct out *o, const char *indent, const char *text)
{
	out_str(o, indent);
	wrap(o, indent, strlen(indent), text);
}

/*
 * Writes the words of text (at most BOUNCE_VALUE_MAX octets of it) on
 * the line begun at column col, breaking before a word that would pass
 * BOUNCE_WRAP: the line then continues with cont; ends with CRLF.
 */
static void
wrap(struct out *o, const char *cont, size_t col, const char *text)
{
	size_t w, total = 0, clen = strlen(cont);
	int first = 1;

	while (*text == ' ')
		text++;
	while (*text != '\0' && total < BOUNCE_VALUE_MAX) {
		w = strcspn(text, " ");
		if (w > BOUNCE_VALUE_MAX - total)
			w = BOUNCE_VALUE_MAX - total;
		if (!first && col + 1 + w > BOUNCE_WRAP) {
			out_str(o, "\r\n");
			out_str(o, cont);
			col = clen;
		} else if (!first) {
			out_put(o, " ", 1);
			col++;
		}
		out_put(o, text, w);
		col += w;
		total += w + 1;
		text += w;
		first = 0;
		while (*text == ' ')
			text++;
	}
	out_str(o, "\r\n");
}

static void
out_fmt(struct out *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	out_put(o, buf, (size_t)n < sizeof(buf) ? (size_t)n :
	    sizeof(buf) - 1);
}

static void
out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* Content: looked at, then written. */
static void
out_put(struct out *o, const char *s, size_t n)
{
	out_look(o, s, n);
	out_raw(o, s, n);
}

/* Records 8-bit octets and the boundary in what a part holds. */
static void
out_look(struct out *o, const char *s, size_t n)
{
	char win[2 * BOUNCE_BOUNDARY_MAX];
	size_t i, keep = o->blen - 1, k = n < keep ? n : keep;

	if (o->fd != -1 || o->sec == SEC_HEAD || n == 0)
		return;
	if (!o->seen8[o->sec] && has_8bit(s, n))
		o->seen8[o->sec] = 1;
	memcpy(win, o->tail, o->tlen);
	memcpy(win + o->tlen, s, k);
	if (memmem(win, o->tlen + k, o->boundary, o->blen) != NULL ||
	    memmem(s, n, o->boundary, o->blen) != NULL)
		o->found = 1;
	if (n >= keep) {
		memcpy(o->tail, s + n - keep, keep);
		o->tlen = keep;
	} else {
		i = o->tlen + n > keep ? o->tlen + n - keep : 0;
		memmove(o->tail, win + i, o->tlen + n - i);
		o->tlen = o->tlen + n - i;
	}
}

/* Buffers n octets for the fd (nothing in the look-ahead pass). */
static void
out_raw(struct out *o, const char *s, size_t n)
{
	size_t k;

	if (o->fd == -1)
		return;
	while (n > 0 && o->werr == 0) {
		if (o->len == sizeof(o->buf))
			out_flush(o);
		k = sizeof(o->buf) - o->len;
		if (k > n)
			k = n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

static void
out_flush(struct out *o)
{
	size_t off = 0;
	ssize_t n;

	while (off < o->len && o->werr == 0) {
		n = write(o->fd, o->buf + off, o->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			o->werr = n == 0 ? EIO : errno;
		else
			off += (size_t)n;
	}
	o->len = 0;
}
