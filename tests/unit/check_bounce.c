/* SPDX-License-Identifier: ISC */
/*
 * check_bounce.c: delivery status notifications: who is listed, what of
 * the original comes back, the fields RFC 3464 asks for, hostile server
 * text kept on its line, write failures, and the whole report read by
 * Python's email package (dsn_check.py).
 */
#include <sys/random.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "compat.h"
#include "status.h"
#include "envelope.h"
#include "identity.h"
#include "bounce.h"

#define T_ARRIVAL	1764000000	/* Nov 2025 */
#define T_NOW		(T_ARRIVAL + 86400)
#define T_EXPIRES	(T_ARRIVAL + 5 * 86400)

static const char head[] = "From: a@src.example\r\nTo: r@dst.example\r\n"
    "Subject: hello\r\nMessage-ID: <1@src.example>\r\n\r\n";

/*
 * getrandom(2) for the whole test binary: the kernel's, unless a test
 * fixes the octets, so that the report's boundary is known and can be
 * put in the content.  The test that fixes them sets them back: the
 * sanitizer run has every test in one process (CK_FORK=no).
 */
static int fixed_random = -1;

ssize_t
getrandom(void *buf, size_t len, unsigned int flags)
{
	if (fixed_random < 0)
		return syscall(SYS_getrandom, buf, len, flags);
	memset(buf, fixed_random, len);
	return (ssize_t)len;
}

/* The original in a temporary file: the body is n octets of fill. */
static void
original_make(struct bounce_original *o, size_t n, const char *fill)
{
	char path[] = "/tmp/check_bounce_XXXXXX";
	size_t i, fl = strlen(fill);
	int fd;

	ck_assert_int_ne(fd = mkstemp(path), -1);
	(void)unlink(path);	/* gone even if the test fails */
	for (i = 0; i + fl <= n; i += fl)
		ck_assert_int_eq(write(fd, fill, fl), (ssize_t)fl);
	if (i < n)
		ck_assert_int_eq(write(fd, fill, n - i), (ssize_t)(n - i));
	o->head = head;
	o->headlen = sizeof(head) - 1;
	o->fd = fd;
	o->off = 0;
	o->len = n;
}

static void
original_free(struct bounce_original *o)
{
	(void)close(o->fd);
}

static void
params_init(struct bounce_params *p, enum bounce_kind kind)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->reporting_mta = "host.src.example";
	p->domain = "src.example";
	p->queue_id = "Q1234";
	p->arrival = T_ARRIVAL;
	p->now = T_NOW;
	p->expires = T_EXPIRES;
}

/* Adds a recipient in state st with a reply (code 0: none). */
static struct carrier_rcpt *
rcpt_add(struct carrier_envelope *env, const char *addr,
    enum envelope_state st, unsigned int notify, int code, const char *enh,
    const char *text)
{
	struct carrier_rcpt *r;

	ck_assert_int_eq(envelope_add_rcpt(env, addr), 0);
	r = &env->rcpts[env->nrcpts - 1];
	r->state = st;
	r->notify = notify;
	r->result.status = st == ENVELOPE_BOUNCED && code >= 500 ?
	    CARRIER_PERM : CARRIER_TEMP;
	r->result.phase = code != 0 ? PHASE_RCPT : PHASE_CONNECT;
	r->result.code = code;
	(void)strlcpy(r->result.enhanced, enh, sizeof(r->result.enhanced));
	(void)strlcpy(r->result.host, "mx.dst.example[192.0.2.1]:25",
	    sizeof(r->result.host));
	(void)strlcpy(r->result.text, text, sizeof(r->result.text));
	return r;
}

/* One report's makings and what came of it. */
struct t {
	struct carrier_envelope	env;
	struct bounce_params	p;
	struct bounce_original	o;
	struct carrier_error	err;
	char			*out;	/* the report, NUL-terminated */
	size_t			len;
	int			eight;
	char			path[64];	/* where it was kept */
	int			kept;
};

/* A report of kind on an envelope from s@src.example, no recipients. */
static void
t_start(struct t *t, enum bounce_kind kind, size_t n, const char *fill)
{
	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(envelope_init(&t->env), 0);
	ck_assert_int_eq(envelope_set_sender(&t->env, "s@src.example"), 0);
	params_init(&t->p, kind);
	original_make(&t->o, n, fill);
}

static enum carrier_status
t_write(struct t *t, int fd)
{
	status_clear(&t->err);
	return bounce_write(fd, &t->p, &t->env, &t->o, &t->eight, &t->err);
}

/*
 * Writes the report into a temporary file and reads it back into
 * t->out; when keep, the file stays (t->path) until the next run or
 * t_end.
 */
static enum carrier_status
t_run(struct t *t, int keep)
{
	enum carrier_status st;
	off_t size;
	int fd;

	free(t->out);
	if (t->kept)
		(void)unlink(t->path);
	t->kept = keep;
	(void)strlcpy(t->path, "/tmp/check_bounce_out_XXXXXX",
	    sizeof(t->path));
	ck_assert_int_ne(fd = mkstemp(t->path), -1);
	st = t_write(t, fd);
	ck_assert_int_ne(size = lseek(fd, 0, SEEK_END), -1);
	ck_assert_ptr_nonnull(t->out = malloc((size_t)size + 1));
	ck_assert_int_eq(pread(fd, t->out, (size_t)size, 0), size);
	t->out[size] = '\0';
	t->len = (size_t)size;
	(void)close(fd);
	if (!keep)
		(void)unlink(t->path);
	return st;
}

/*
 * Runs dsn_check.py on the report kept by t_run(t, 1) with args (see
 * there); returns its wait status.
 */
static int
dsn_check(const struct t *t, const char *args)
{
	char cmd[512];

	(void)snprintf(cmd, sizeof(cmd), "python3 tests/unit/dsn_check.py "
	    "%s %s", t->path, args);
	return system(cmd);
}

static void
t_end(struct t *t)
{
	free(t->out);
	if (t->kept)
		(void)unlink(t->path);
	original_free(&t->o);
	envelope_free(&t->env);
}

/* CRLF ends every line, no CR or LF stands alone, no line over 998. */
static void
check_lines(const char *s, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r')
			ck_assert_msg(i + 1 < n && s[i + 1] == '\n',
			    "bare CR at %zu", i);
		if (s[i] != '\n')
			continue;
		ck_assert_msg(i > 0 && s[i - 1] == '\r', "bare LF at %zu", i);
		ck_assert_msg(i - 1 - start <= 998, "line of %zu octets",
		    i - 1 - start);
		start = i + 1;
	}
	ck_assert_uint_eq(start, n);	/* ends with CRLF */
}

/* Whether a line of s begins with prefix. */
static int
has_line(const char *s, const char *prefix)
{
	const char *p;
	size_t n = strlen(prefix);

	for (p = s; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, prefix, n) == 0)
			return 1;
	}
	return 0;
}

static const struct {
	enum bounce_kind	kind;
	enum envelope_state	state;
	unsigned int		notify;
	int			want;
} wanted[] = {
	{ BOUNCE_FAILED, ENVELOPE_BOUNCED, 0, 1 },
	{ BOUNCE_FAILED, ENVELOPE_BOUNCED, ENVELOPE_NOTIFY_NEVER, 0 },
	{ BOUNCE_FAILED, ENVELOPE_BOUNCED, ENVELOPE_NOTIFY_SUCCESS, 0 },
	{ BOUNCE_FAILED, ENVELOPE_BOUNCED, ENVELOPE_NOTIFY_FAILURE, 1 },
	{ BOUNCE_FAILED, ENVELOPE_BOUNCED, ENVELOPE_NOTIFY_DELAY, 0 },
	{ BOUNCE_FAILED, ENVELOPE_BOUNCED, ENVELOPE_NOTIFY_SUCCESS |
	    ENVELOPE_NOTIFY_FAILURE, 1 },
	{ BOUNCE_FAILED, ENVELOPE_DEFERRED, 0, 0 },
	{ BOUNCE_FAILED, ENVELOPE_DELIVERED, ENVELOPE_NOTIFY_FAILURE, 0 },
	{ BOUNCE_FAILED, ENVELOPE_PENDING, 0, 0 },
	{ BOUNCE_DELAYED, ENVELOPE_DEFERRED, 0, 1 },
	{ BOUNCE_DELAYED, ENVELOPE_DEFERRED, ENVELOPE_NOTIFY_DELAY, 1 },
	{ BOUNCE_DELAYED, ENVELOPE_DEFERRED, ENVELOPE_NOTIFY_FAILURE |
	    ENVELOPE_NOTIFY_DELAY, 1 },
	{ BOUNCE_DELAYED, ENVELOPE_DEFERRED, ENVELOPE_NOTIFY_FAILURE, 0 },
	{ BOUNCE_DELAYED, ENVELOPE_DEFERRED, ENVELOPE_NOTIFY_SUCCESS, 0 },
	{ BOUNCE_DELAYED, ENVELOPE_DEFERRED, ENVELOPE_NOTIFY_NEVER, 0 },
	{ BOUNCE_DELAYED, ENVELOPE_BOUNCED, ENVELOPE_NOTIFY_DELAY, 0 },
	{ BOUNCE_DELAYED, ENVELOPE_PENDING, 0, 0 },
};

/*
 * Each case alone, and then in a report beside one recipient that is
 * always listed: the case's recipient is listed exactly when wanted.
 */
START_TEST(test_bounce_wanted_table)
{
	struct t t;
	struct carrier_rcpt *r;

	t_start(&t, wanted[_i].kind, 100, "body\r\n");
	rcpt_add(&t.env, "always@dst.example", wanted[_i].kind ==
	    BOUNCE_FAILED ? ENVELOPE_BOUNCED : ENVELOPE_DEFERRED, 0, 550,
	    "5.1.1", "no");
	r = rcpt_add(&t.env, "case@dst.example", wanted[_i].state,
	    wanted[_i].notify, 550, "5.1.1", "no");
	ck_assert_int_eq(bounce_wanted(wanted[_i].kind, r), wanted[_i].want);
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	ck_assert(has_line(t.out, "Final-Recipient: rfc822; always@"));
	ck_assert_int_eq(has_line(t.out, "Final-Recipient: rfc822; case@"),
	    wanted[_i].want);
	ck_assert_int_eq(strstr(t.out, "  case@dst.example\r\n") != NULL,
	    wanted[_i].want);
	t_end(&t);
}
END_TEST

/*
 * Nothing wanted, the null sender, or a sender that cannot be written:
 * CARRIER_PERM, nothing written.
 */
START_TEST(test_bounce_write_nothing)
{
	struct t t;
	char long_sender[1000];
	const char *senders[] = { NULL, "a\r\nBcc: x@y", "a>b@x" };
	size_t i;

	t_start(&t, BOUNCE_FAILED, 10, "x");
	rcpt_add(&t.env, "a@dst.example", ENVELOPE_DELIVERED, 0, 250, "", "ok");
	rcpt_add(&t.env, "b@dst.example", ENVELOPE_BOUNCED,
	    ENVELOPE_NOTIFY_NEVER, 550, "5.1.1", "no");
	rcpt_add(&t.env, "c@dst.example", ENVELOPE_DEFERRED, 0, 451, "", "x");
	ck_assert_int_eq(t_run(&t, 0), CARRIER_PERM);
	ck_assert_uint_eq(t.len, 0);
	t.p.kind = BOUNCE_DELAYED;
	ck_assert_int_eq(envelope_set_sender(&t.env, ""), 0);
	ck_assert_int_eq(t_run(&t, 0), CARRIER_PERM);
	ck_assert_uint_eq(t.len, 0);
	/* a sender no header can hold */
	memset(long_sender, 'x', sizeof(long_sender) - 1);
	long_sender[sizeof(long_sender) - 1] = '\0';
	senders[0] = long_sender;
	for (i = 0; i < sizeof(senders) / sizeof(senders[0]); i++) {
		ck_assert_int_eq(envelope_set_sender(&t.env, senders[i]), 0);
		ck_assert_int_eq(t_run(&t, 0), CARRIER_PERM);
		ck_assert_int_eq(t.err.phase, PHASE_INPUT);
		ck_assert_uint_eq(t.len, 0);
	}
	ck_assert_int_eq(envelope_set_sender(&t.env, "s@src.example"), 0);
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	t_end(&t);
}
END_TEST

#define F	BOUNCE_FAILED
#define D	BOUNCE_DELAYED
static const struct {
	enum bounce_kind	kind;
	enum envelope_ret	ret;
	size_t			size;
	const char		*type;
	int			body;	/* the body's end is returned */
} rets[] = {
	{ F, ENVELOPE_RET_FULL, 200, "message/rfc822", 1 },
	{ F, ENVELOPE_RET_FULL, BOUNCE_RETURN_MAX + 1000, "message/rfc822", 1 },
	{ F, ENVELOPE_RET_HDRS, 200, "text/rfc822-headers", 0 },
	{ F, ENVELOPE_RET_HDRS, BOUNCE_RETURN_MAX + 1000,
	    "text/rfc822-headers", 0 },
	{ F, ENVELOPE_RET_NONE, 200, "message/rfc822", 1 },
	{ F, ENVELOPE_RET_NONE, BOUNCE_RETURN_MAX - sizeof(head) + 1,
	    "message/rfc822", 1 },
	{ F, ENVELOPE_RET_NONE, BOUNCE_RETURN_MAX - sizeof(head) + 2,
	    "text/rfc822-headers", 0 },
	{ F, ENVELOPE_RET_NONE, 3 * 1024 * 1024, "text/rfc822-headers", 0 },
	/* a delay warning: the header only, whatever RET says */
	{ D, ENVELOPE_RET_FULL, 200, "text/rfc822-headers", 0 },
	{ D, ENVELOPE_RET_NONE, 200, "text/rfc822-headers", 0 },
};
#undef F
#undef D

/* RET and the size decide what of the original comes back. */
START_TEST(test_bounce_write_ret)
{
	struct t t;
	char want[64], *end;

	t_start(&t, rets[_i].kind, rets[_i].size - 6,
	    "0123456789abcdef\r\n");
	t.env.ret = rets[_i].ret;
	rcpt_add(&t.env, "a@dst.example", rets[_i].kind == BOUNCE_FAILED ?
	    ENVELOPE_BOUNCED : ENVELOPE_DEFERRED, 0, 550, "5.1.1", "no");
	ck_assert_int_eq(write(t.o.fd, "LAST\r\n", 6), 6);
	t.o.len += 6;
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	check_lines(t.out, t.len);
	(void)snprintf(want, sizeof(want), "Content-Type: %s\r\n",
	    rets[_i].type);
	ck_assert_ptr_nonnull(strstr(t.out, want));
	ck_assert_ptr_nonnull(strstr(t.out, "Subject: hello\r\n"));
	ck_assert_int_eq(strstr(t.out, "LAST\r\n") != NULL, rets[_i].body);
	/* the original, then the closing delimiter */
	ck_assert_ptr_nonnull(end = strstr(t.out, rets[_i].body ?
	    "LAST\r\n\r\n--=_carrier_" : "<1@src.example>\r\n\r\n\r\n--"));
	ck_assert_int_eq(t.eight, 0);
	t_end(&t);
}
END_TEST

static const struct {
	const char	*orcpt;
	const char	*line;	/* NULL: no Original-Recipient */
} orcpts[] = {
	{ NULL, NULL },
	{ "rfc822;a@dst.example", "Original-Recipient: rfc822; a@dst.example" },
	{ "rfc822;a+2Bb@dst.example",
	    "Original-Recipient: rfc822; a+b@dst.example" },
	{ "RFC822;x+3Dy@old.example",
	    "Original-Recipient: RFC822; x=y@old.example" },
	/* decoded, a line break: the xtext as it came */
	{ "rfc822;e+0D+0AX-Injected:+20y@dst.example",
	    "Original-Recipient: rfc822; e+0D+0AX-Injected:+20y@dst.example" },
	{ "no-semicolon", NULL },
	{ "rfc822;bad+xtext", NULL },
	{ "rf c822;a@b", NULL },
};

START_TEST(test_bounce_write_orcpt)
{
	struct t t;
	struct carrier_rcpt *r;

	t_start(&t, BOUNCE_FAILED, 10, "x");
	r = rcpt_add(&t.env, "a@dst.example", ENVELOPE_BOUNCED, 0, 550, "5.1.1",
	    "no");
	if (orcpts[_i].orcpt != NULL)
		ck_assert_ptr_nonnull(r->orcpt = strdup(orcpts[_i].orcpt));
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	check_lines(t.out, t.len);
	if (orcpts[_i].line == NULL)
		ck_assert(!has_line(t.out, "Original-Recipient:"));
	else
		ck_assert_msg(has_line(t.out, orcpts[_i].line), "%s", t.out);
	ck_assert(!has_line(t.out, "X-Injected"));
	t_end(&t);
}
END_TEST

static const struct {
	enum bounce_kind	kind;
	enum carrier_status	status;
	enum carrier_phase	phase;
	int			code;
	const char		*enh;
	const char		*host;
	const char		*want_status;
	const char		*remote;	/* NULL: no Remote-MTA */
	const char		*diag;		/* NULL: no Diagnostic-Code */
} replies[] = {
	{ BOUNCE_FAILED, CARRIER_PERM, PHASE_RCPT, 550, "5.1.1",
	    "mx.dst.example[192.0.2.1]:25", "5.1.1",
	    "Remote-MTA: dns; mx.dst.example\r\n",
	    "Diagnostic-Code: smtp; 550 5.1.1 the text\r\n" },
	{ BOUNCE_FAILED, CARRIER_PERM, PHASE_DOT, 554, "",
	    "[2001:db8::1]:25", "5.0.0", "Remote-MTA: dns; [2001:db8::1]\r\n",
	    "Diagnostic-Code: smtp; 554 the text\r\n" },
	{ BOUNCE_FAILED, CARRIER_TEMP, PHASE_RCPT, 451, "", "mx.dst.example",
	    "4.4.7", "Remote-MTA: dns; mx.dst.example\r\n",
	    "Diagnostic-Code: smtp; 451 the text\r\n" },
	{ BOUNCE_FAILED, CARRIER_TEMP, PHASE_RCPT, 452, "4.2.2", "mx.x",
	    "4.2.2", "Remote-MTA: dns; mx.x\r\n",
	    "Diagnostic-Code: smtp; 452 4.2.2 the text\r\n" },
	{ BOUNCE_DELAYED, CARRIER_TEMP, PHASE_GREETING, 421, "", "mx.x",
	    "4.0.0", "Remote-MTA: dns; mx.x\r\n",
	    "Diagnostic-Code: smtp; 421 the text\r\n" },
	/* a server's enhanced code of the wrong class is not used */
	{ BOUNCE_FAILED, CARRIER_PERM, PHASE_RCPT, 550, "2.0.0", "mx.x",
	    "5.0.0", "Remote-MTA: dns; mx.x\r\n",
	    "Diagnostic-Code: smtp; 550 2.0.0 the text\r\n" },
	{ BOUNCE_FAILED, CARRIER_PERM, PHASE_RCPT, 550, "4.2.2", "mx.x",
	    "5.0.0", "Remote-MTA: dns; mx.x\r\n",
	    "Diagnostic-Code: smtp; 550 4.2.2 the text\r\n" },
	/* local failures: no reply, so no Remote-MTA, no Diagnostic-Code */
	{ BOUNCE_FAILED, CARRIER_TEMP, PHASE_CONNECT, 0, "",
	    "mx.dst.example[192.0.2.1]:25", "4.4.1", NULL, NULL },
	{ BOUNCE_DELAYED, CARRIER_TEMP, PHASE_CONNECT, 0, "", "", "4.4.1",
	    NULL, NULL },
	{ BOUNCE_FAILED, CARRIER_TEMP, PHASE_NONE, 0, "", "", "4.4.7", NULL,
	    NULL },
	{ BOUNCE_FAILED, CARRIER_PERM, PHASE_RESOLVE, 0, "", "", "5.4.4", NULL,
	    NULL },
	{ BOUNCE_DELAYED, CARRIER_TEMP, PHASE_RESOLVE, 0, "", "", "4.4.3",
	    NULL, NULL },
	{ BOUNCE_DELAYED, CARRIER_TEMP, PHASE_TLS, 0, "", "mx.x[192.0.2.1]:25",
	    "4.7.5", NULL, NULL },
	{ BOUNCE_DELAYED, CARRIER_TEMP, PHASE_BODY, 0, "", "mx.x", "4.4.2",
	    NULL, NULL },
	{ BOUNCE_FAILED, CARRIER_TEMP, PHASE_LOCAL, 0, "", "", "4.3.0", NULL,
	    NULL },
};

/* A server's reply against a local failure: Status, Remote-MTA, why. */
START_TEST(test_bounce_write_reply)
{
	struct t t;
	struct carrier_rcpt *r;
	char want[128];

	t_start(&t, replies[_i].kind, 10, "x");
	r = rcpt_add(&t.env, "a@dst.example", replies[_i].kind ==
	    BOUNCE_FAILED ? ENVELOPE_BOUNCED : ENVELOPE_DEFERRED, 0, 0, "",
	    "the text");
	r->result.status = replies[_i].status;
	r->result.phase = replies[_i].phase;
	r->result.code = replies[_i].code;
	(void)strlcpy(r->result.enhanced, replies[_i].enh,
	    sizeof(r->result.enhanced));
	(void)strlcpy(r->result.host, replies[_i].host,
	    sizeof(r->result.host));
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	check_lines(t.out, t.len);
	(void)snprintf(want, sizeof(want), "\r\nStatus: %s\r\n",
	    replies[_i].want_status);
	ck_assert_msg(strstr(t.out, want) != NULL, "%s not in %s", want,
	    t.out);
	if (replies[_i].remote != NULL)
		ck_assert_ptr_nonnull(strstr(t.out, replies[_i].remote));
	else
		ck_assert(!has_line(t.out, "Remote-MTA:"));
	if (replies[_i].diag != NULL)
		ck_assert_ptr_nonnull(strstr(t.out, replies[_i].diag));
	else
		ck_assert(!has_line(t.out, "Diagnostic-Code:"));
	/* the human-readable part names the reason either way */
	ck_assert_ptr_nonnull(strstr(t.out, "the text"));
	ck_assert_int_eq(has_line(t.out, "Action: failed"),
	    replies[_i].kind == BOUNCE_FAILED);
	ck_assert_int_eq(has_line(t.out, "Action: delayed"),
	    replies[_i].kind == BOUNCE_DELAYED);
	ck_assert_int_eq(has_line(t.out, "Will-Retry-Until: "),
	    replies[_i].kind == BOUNCE_DELAYED);
	ck_assert_int_eq(strstr(t.out, "given up") != NULL,
	    replies[_i].kind == BOUNCE_FAILED &&
	    replies[_i].status == CARRIER_TEMP);
	t_end(&t);
}
END_TEST

/*
 * A server's text with line breaks, control characters and 500 octets,
 * and an unsanitised one (as a queue file could hold): one line each,
 * every line within 998 octets, nothing injected.
 */
START_TEST(test_bounce_write_hostile)
{
	struct t t;
	struct carrier_rcpt *r;
	char text[STATUS_TEXT_MAX];
	size_t i;

	t_start(&t, BOUNCE_FAILED, 10, "x");
	r = rcpt_add(&t.env, "a@dst.example", ENVELOPE_BOUNCED, 0, 550, "5.1.1",
	    "no\r\nX-Injected: yes\r\n\r\n--x\x01\x1b[2J\x7f\tend");
	(void)strlcpy(r->result.host, "mx\r\nX-Injected: host[1]",
	    sizeof(r->result.host));
	for (i = 0; i < 500; i++)
		text[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
	memcpy(text + 100, "\r\nX-Injected: long", 18);
	memset(text + 300, 'z', 200);	/* 200 octets without a space */
	text[500] = '\0';
	rcpt_add(&t.env, "b@dst.example", ENVELOPE_BOUNCED, 0, 554, "5.7.1",
	    text);
	r = rcpt_add(&t.env, "c@dst.example", ENVELOPE_BOUNCED, 0, 550, "", "");
	memset(r->result.text, 'q', sizeof(r->result.text) - 1);
	memset(r->result.host, 'h', sizeof(r->result.host) - 1);
	t.p.queue_id = "Q\r\nX-Injected: qid";
	ck_assert_int_eq(t_run(&t, 1), CARRIER_OK);
	/* a mail reader sees 3 recipients, no more blocks or fields */
	ck_assert_int_eq(dsn_check(&t,
	    "failed 3 message/rfc822 a@dst.example=5.1.1 "
	    "b@dst.example=5.7.1 c@dst.example=5.0.0"), 0);
	check_lines(t.out, t.len);
	ck_assert(!has_line(t.out, "X-Injected"));
	ck_assert(!has_line(t.out, "--x"));
	ck_assert_ptr_null(memchr(t.out, '\x1b', t.len));
	ck_assert_ptr_null(memchr(t.out, '\x01', t.len));
	ck_assert_ptr_null(memchr(t.out, '\x7f', t.len));
	ck_assert_ptr_nonnull(strstr(t.out, "\\x0d\\x0aX-Injected: yes"));
	ck_assert_ptr_nonnull(strstr(t.out, "zzzzzzzzzzzzzzzzzzzz"));
	ck_assert_int_eq(t.eight, 0);
	t_end(&t);
}
END_TEST

/* 8-bit octets in the original (or the sender) set *eightbit. */
START_TEST(test_bounce_write_8bit)
{
	struct t t;

	t_start(&t, BOUNCE_FAILED, 1000, "caf\xc3\xa9\r\n");
	t.env.ret = ENVELOPE_RET_FULL;
	rcpt_add(&t.env, "a@dst.example", ENVELOPE_BOUNCED, 0, 550, "5.1.1",
	    "no");
	ck_assert_int_eq(t_run(&t, 1), CARRIER_OK);
	ck_assert_int_eq(t.eight, 1);
	ck_assert_ptr_nonnull(strstr(t.out, "Content-Type: message/rfc822\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"));
	ck_assert_int_eq(dsn_check(&t,
	    "failed 1 message/rfc822 a@dst.example=5.1.1"), 0);
	ck_assert_ptr_nonnull(strstr(t.out, "boundary=\"=_carrier_0_"));
	ck_assert_ptr_nonnull(strstr(t.out, "\"\r\nContent-Transfer-Encoding: "
	    "8bit\r\n"));
	ck_assert_ptr_nonnull(strstr(t.out, "report-type=delivery-status;"));
	/* only the header comes back: 7-bit */
	t.env.ret = ENVELOPE_RET_HDRS;
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	ck_assert_int_eq(t.eight, 0);
	ck_assert_ptr_null(strstr(t.out, "8bit"));
	/* a UTF-8 recipient: utf-8 address type, global delivery status */
	t.env.rcpts[0].addr[0] = '\xc3';
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	ck_assert_int_eq(t.eight, 1);
	ck_assert_ptr_nonnull(strstr(t.out,
	    "report-type=global-delivery-status"));
	ck_assert_ptr_nonnull(strstr(t.out, "Content-Type: "
	    "message/global-delivery-status\r\n"));
	ck_assert(has_line(t.out, "Final-Recipient: utf-8; \xc3@dst.example"));
	ck_assert_ptr_nonnull(strstr(t.out, "charset=utf-8"));
	check_lines(t.out, t.len);
	/* a UTF-8 header (RFC 6532): message/global, global headers */
	t.o.head = "Subject: caf\xc3\xa9\r\n\r\n";
	t.o.headlen = strlen(t.o.head);
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	ck_assert_ptr_nonnull(strstr(t.out, "Content-Type: "
	    "message/global-headers\r\nContent-Transfer-Encoding: 8bit\r\n"));
	t.env.ret = ENVELOPE_RET_FULL;
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	ck_assert_ptr_nonnull(strstr(t.out, "Content-Type: message/global\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"));
	t_end(&t);
}
END_TEST

/*
 * The boundary appears nowhere in the content: the original holds
 * lines that look like delimiters, and the report still parses (the
 * Python check) with its 3 parts.
 */
START_TEST(test_bounce_write_boundary)
{
	struct t t;
	char *b, *e, boundary[80];
	const char *s;
	size_t n;

	t_start(&t, BOUNCE_FAILED, 5000,
	    "--=_carrier_0_\r\n--=_carrier_1_--\r\n");
	t.env.ret = ENVELOPE_RET_FULL;
	rcpt_add(&t.env, "a@dst.example", ENVELOPE_BOUNCED, 0, 550, "5.1.1",
	    "--=_carrier_0_");
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	ck_assert_ptr_nonnull(b = strstr(t.out, "boundary=\""));
	b += 10;
	ck_assert_ptr_nonnull(e = strchr(b, '"'));
	ck_assert_uint_lt((size_t)(e - b), sizeof(boundary));
	memcpy(boundary, b, (size_t)(e - b));
	boundary[e - b] = '\0';
	for (n = 0, s = t.out; (s = strstr(s, boundary)) != NULL; s++)
		n++;
	ck_assert_uint_eq(n, 5);	/* the parameter, 3 parts, the end */
	t_end(&t);
}
END_TEST

/*
 * The boundary found in the content is replaced: the random octets
 * fixed, the content holds the first tries' boundaries (one across two
 * reads of the original, one in a server's text); with every try's
 * boundary there, no report.
 */
START_TEST(test_bounce_write_boundary_taken)
{
	static const char hex[] = "abababababababababababababababab";
	struct t t;
	struct carrier_rcpt *r;
	char taken[8][64], *body;
	size_t n = 40000, i;
	int fd;

	fixed_random = 0xab;
	for (i = 0; i < 8; i++)
		(void)snprintf(taken[i], sizeof(taken[i]), "=_carrier_%zu_%s",
		    i, hex);
	t_start(&t, BOUNCE_FAILED, 0, "x");
	t.env.ret = ENVELOPE_RET_FULL;
	r = rcpt_add(&t.env, "a@dst.example", ENVELOPE_BOUNCED, 0, 550,
	    "5.1.1", "");
	(void)snprintf(r->result.text, sizeof(r->result.text), "x %s",
	    taken[1]);
	ck_assert_ptr_nonnull(body = malloc(n));
	memset(body, 'b', n);
	for (i = 0; i + 2 < n; i += 100)
		memcpy(body + i, "\r\n", 2);
	memcpy(body + 16384 - 20, taken[0], strlen(taken[0]));
	memcpy(body + 30000, taken[2], strlen(taken[2]));
	fd = t.o.fd;
	ck_assert_int_eq(pwrite(fd, body, n, 0), (ssize_t)n);
	t.o.len = n;
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	ck_assert_ptr_nonnull(strstr(t.out, "boundary=\"=_carrier_3_abab"));
	ck_assert_ptr_nonnull(strstr(t.out, "\r\n--=_carrier_3_"));
	/* every boundary taken: a temporary failure, nothing written */
	for (i = 3; i < 8; i++)
		memcpy(body + 1000 + 100 * i, taken[i], strlen(taken[i]));
	ck_assert_int_eq(pwrite(fd, body, n, 0), (ssize_t)n);
	ck_assert_int_eq(t_run(&t, 0), CARRIER_TEMP);
	ck_assert_int_eq(t.err.phase, PHASE_LOCAL);
	ck_assert_uint_eq(t.len, 0);
	free(body);
	t_end(&t);
	fixed_random = -1;
}
END_TEST

static const struct {
	const char	*head;
	const char	*id;	/* NULL: no In-Reply-To, no References */
} msgids[] = {
	{ "Subject: x\r\nMessage-ID: <1@src.example>\r\n\r\n",
	    "<1@src.example>" },
	{ "message-id:\r\n\t<2@src.example> \r\nSubject: x\r\n\r\n",
	    "<2@src.example>" },
	{ "Message-ID: <3@src.example>\r\n\r\n", "<3@src.example>" },
	{ "Subject: x\r\n\r\n", NULL },
	{ "", NULL },
	{ "Message-ID: <caf\xc3\xa9@src.example>\r\n\r\n", NULL },
	{ "Message-ID: 4@src.example\r\n\r\n", NULL },
	{ "Message-ID: <5@src.example> (a comment)\r\n\r\n", NULL },
	{ "X-Message-ID: <6@src.example>\r\n\r\n", NULL },
};

/* The report answers the original's Message-ID (RFC 3834 3.1.5). */
START_TEST(test_bounce_write_msgid)
{
	struct t t;
	char want[128];

	t_start(&t, BOUNCE_FAILED, 10, "x");
	rcpt_add(&t.env, "a@dst.example", ENVELOPE_BOUNCED, 0, 550, "5.1.1",
	    "no");
	t.o.head = msgids[_i].head;
	t.o.headlen = strlen(msgids[_i].head);
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	check_lines(t.out, t.len);
	if (msgids[_i].id == NULL) {
		ck_assert(!has_line(t.out, "In-Reply-To:"));
		ck_assert(!has_line(t.out, "References:"));
	} else {
		(void)snprintf(want, sizeof(want), "\r\nIn-Reply-To: %s\r\n"
		    "References: %s\r\n", msgids[_i].id, msgids[_i].id);
		ck_assert_ptr_nonnull(strstr(t.out, want));
	}
	t_end(&t);
}
END_TEST

/* A failing write: CARRIER_TEMP, PHASE_LOCAL. */
START_TEST(test_bounce_write_fails)
{
	struct t t;
	int fd, pfd[2];

	t_start(&t, BOUNCE_FAILED, 30000, "0123456789\r\n");
	rcpt_add(&t.env, "a@dst.example", ENVELOPE_BOUNCED, 0, 550, "5.1.1",
	    "no");
	ck_assert_int_ne(fd = open("/dev/full", O_WRONLY), -1);
	ck_assert_int_eq(t_write(&t, fd), CARRIER_TEMP);
	ck_assert_int_eq(t.err.phase, PHASE_LOCAL);
	ck_assert_ptr_nonnull(strstr(t.err.text, strerror(ENOSPC)));
	(void)close(fd);
	(void)signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(pfd), 0);
	(void)close(pfd[0]);
	ck_assert_int_eq(t_write(&t, pfd[1]), CARRIER_TEMP);
	ck_assert_int_eq(t.err.phase, PHASE_LOCAL);
	ck_assert_ptr_nonnull(strstr(t.err.text, strerror(EPIPE)));
	(void)close(pfd[1]);
	/* a queued body shorter than recorded: a read failure */
	t.o.len += 100;
	ck_assert_int_ne(fd = open("/dev/null", O_WRONLY), -1);
	ck_assert_int_eq(t_write(&t, fd), CARRIER_TEMP);
	ck_assert_int_eq(t.err.phase, PHASE_LOCAL);
	ck_assert_ptr_nonnull(strstr(t.err.text, "reading"));
	(void)close(fd);
	t_end(&t);
}
END_TEST

/* A delay warning says that no action is needed, and until when. */
START_TEST(test_bounce_write_delayed_text)
{
	struct t t;
	char date[64], want[128];

	t_start(&t, BOUNCE_DELAYED, 10, "x");
	rcpt_add(&t.env, "a@dst.example", ENVELOPE_DEFERRED, 0, 451, "4.3.0",
	    "try later");
	ck_assert_int_eq(t_run(&t, 0), CARRIER_OK);
	ck_assert_ptr_nonnull(strstr(t.out, "no action is needed"));
	ck_assert_ptr_nonnull(strstr(t.out, "Subject: Delayed Mail"));
	(void)snprintf(want, sizeof(want), "\r\nWill-Retry-Until: %s\r\n",
	    identity_date(T_EXPIRES, date, sizeof(date)));
	ck_assert_ptr_nonnull(strstr(t.out, want));
	ck_assert_ptr_nonnull(strstr(t.out, "451 4.3.0 try later"));
	ck_assert_ptr_nonnull(strstr(t.out, "Q1234"));
	t_end(&t);
}
END_TEST

/* Python's email package reads the report as RFC 3464 and 6522 say. */
START_TEST(test_bounce_write_python)
{
	struct t t;
	struct carrier_rcpt *r;

	t_start(&t, BOUNCE_FAILED, 300, "body line\r\n");
	strlcpy(t.env.envid, "QuEuE-42", sizeof(t.env.envid));
	r = rcpt_add(&t.env, "a@dst.example", ENVELOPE_BOUNCED, 0, 550, "5.1.1",
	    "no such user");
	ck_assert_ptr_nonnull(r->orcpt = strdup("rfc822;A@dst.example"));
	r = rcpt_add(&t.env, "b@dst.example", ENVELOPE_BOUNCED, 0, 0, "", "");
	r->result.phase = PHASE_CONNECT;
	(void)strlcpy(r->result.text, "connect: Connection timed out",
	    sizeof(r->result.text));
	rcpt_add(&t.env, "c@dst.example", ENVELOPE_DELIVERED, 0, 250, "", "ok");
	rcpt_add(&t.env, "d@dst.example", ENVELOPE_BOUNCED, 0, 554, "",
	    "bad\r\nX: y");
	ck_assert_int_eq(t_run(&t, 1), CARRIER_OK);
	ck_assert(has_line(t.out, "Original-Envelope-Id: QuEuE-42"));
	ck_assert_int_eq(dsn_check(&t,
	    "failed 3 message/rfc822 a@dst.example=5.1.1 b@dst.example=4.4.1 "
	    "d@dst.example=5.0.0"), 0);
	/* and the checker can fail: a wrong expectation */
	ck_assert_int_ne(dsn_check(&t,
	    "failed 3 message/rfc822 a@dst.example=5.1.2 2>/dev/null"), 0);
	/* a delay warning, headers only */
	t.env.ret = ENVELOPE_RET_HDRS;
	t.env.rcpts[0].state = ENVELOPE_DEFERRED;
	params_init(&t.p, BOUNCE_DELAYED);
	ck_assert_int_eq(t_run(&t, 1), CARRIER_OK);
	ck_assert_int_eq(dsn_check(&t,
	    "delayed 1 text/rfc822-headers a@dst.example=5.1.1"), 0);
	t_end(&t);
}
END_TEST

Suite *
bounce_suite(void)
{
	Suite *s = suite_create("bounce");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_bounce_wanted_table, 0,
	    sizeof(wanted) / sizeof(wanted[0]));
	tcase_add_test(tc, test_bounce_write_nothing);
	tcase_add_loop_test(tc, test_bounce_write_ret, 0,
	    sizeof(rets) / sizeof(rets[0]));
	tcase_add_loop_test(tc, test_bounce_write_orcpt, 0,
	    sizeof(orcpts) / sizeof(orcpts[0]));
	tcase_add_loop_test(tc, test_bounce_write_reply, 0,
	    sizeof(replies) / sizeof(replies[0]));
	tcase_add_test(tc, test_bounce_write_hostile);
	tcase_add_test(tc, test_bounce_write_8bit);
	tcase_add_test(tc, test_bounce_write_boundary);
	tcase_add_test(tc, test_bounce_write_boundary_taken);
	tcase_add_loop_test(tc, test_bounce_write_msgid, 0,
	    sizeof(msgids) / sizeof(msgids[0]));
	tcase_add_test(tc, test_bounce_write_fails);
	tcase_add_test(tc, test_bounce_write_delayed_text);
	tcase_add_test(tc, test_bounce_write_python);
	suite_add_tcase(s, tc);
	return s;
}
