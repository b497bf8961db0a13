/* SPDX-License-Identifier: ISC */
/*
 * qenv.c: the queue's envelope file (see qenv.h).  Depends on envelope,
 * status, message.
 *
 * Format, version 1.  Text, one record per line, each line a keyword
 * and fields separated by single spaces, lines ending in LF.  Every
 * string field is encoded: the empty string as ".", anything else as
 * RFC 3461 xtext (octets outside '!'..'~', '+' and '=' as "+HH"), and a
 * string whose xtext would be "." as "+2E"; so no field holds a blank
 * or a line end.  The lines, in this order:
 *
 *	carrier-queue 1
 *	id ID				[0-9A-Za-z], also the file names
 *	arrival SECONDS			since the epoch
 *	uid UID				the submitting user, -1: unknown
 *	flags N				QENV_* bits, decimal
 *	sender ADDR			"." is the null sender
 *	dsn RET ENVID SMTPUTF8 NOTIFY	RET none|full|hdrs; SMTPUTF8 0|1;
 *					NOTIFY the default ENVELOPE_NOTIFY_*
 *	text HEADOFF HEADLEN BODYOFF BODYLEN
 *	info SIZE LINES LONG LONGEST 8BIT HEAD8BIT NUL DOTLINES
 *	msgid MSGID
 *	rcpt STATE ATTEMPTS NEXT NOTIFY ADDR ORCPT STATUS PHASE CODE ENH
 *	     HOST STEP TEXT		(one line per recipient)
 *	end NRCPTS
 *
 * STATE is pending|deferred|delivered|bounced; NEXT the next try in
 * seconds since the epoch; ORCPT "." when none; STATUS ok|temp|perm,
 * PHASE a word of phase_words[] below, CODE the reply code (0: none),
 * ENH, HOST, STEP and TEXT the last outcome's fields.  The "end" line,
 * with the count of recipient lines, shows the file is whole.  A file
 * is never edited: the queue writes a new one and renames it over the
 * old.  A reader refuses another version, an unknown keyword, a
 * missing, repeated or misplaced line and a count that does not match.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "qenv.h"

#define QENV_FIELDS_MAX	16

static const char *const state_words[] = {
	"pending", "deferred", "delivered", "bounced"
};
static const char *const status_words[] = { "ok", "temp", "perm" };
static const char *const ret_words[] = { "none", "full", "hdrs" };
static const char *const phase_words[PHASE_COUNT] = {
	"none", "usage", "config", "input", "local", "resolve", "connect",
	"greeting", "ehlo", "helo", "starttls", "tls", "auth", "mail", "rcpt",
	"data", "body", "dot", "quit", "expired"
};

static int	put(FILE *, const char *);
static int	word(const char *, const char *const *, size_t, int *);
static int	decode(const char *, char *, size_t);
static int	number(const char *, uint64_t, uint64_t *);
static int	numbers(char *const *, size_t, uint64_t, uint64_t *);
static int	split(char *, char **, size_t);
static int	parse_rcpt(char *const *, size_t, struct carrier_envelope *,
		    char *, size_t);

int
qenv_id_ok(const char *id)
{
	size_t n;

	n = strspn(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz");
	return n > 0 && n < QENV_ID_MAX && id[n] == '\0';
}

/* Writes " " and s encoded (see the top of the file). */
static int
put(FILE *fp, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	if (putc(' ', fp) == EOF)
		return -1;
	if (s == NULL || *s == '\0')
		return putc('.', fp) == EOF ? -1 : 0;
	if (strcmp(s, ".") == 0)
		return fputs("+2E", fp) == EOF ? -1 : 0;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c > ' ' && c <= '~' && c != '+' && c != '=') {
			if (putc(c, fp) == EOF)
				return -1;
		} else if (putc('+', fp) == EOF ||
		    putc(hex[c >> 4], fp) == EOF ||
		    putc(hex[c & 15], fp) == EOF)
			return -1;
	}
	return 0;
}

char *
qenv_format(const struct qenv *q, const struct carrier_envelope *env,
    size_t *len)
{
	const struct message_info *in = &q->info;
	char *buf = NULL;
	size_t i;
	FILE *fp;
	int bad = 0;

	if (!qenv_id_ok(q->id) || env->ret > ENVELOPE_RET_HDRS) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < env->nrcpts; i++)
		if (env->rcpts[i].state > ENVELOPE_BOUNCED ||
		    env->rcpts[i].result.status > CARRIER_PERM ||
		    env->rcpts[i].result.phase >= PHASE_COUNT) {
			errno = EINVAL;
			return NULL;
		}
	if ((fp = open_memstream(&buf, len)) == NULL)
		return NULL;
	bad |= fprintf(fp, "carrier-queue %d\nid %s\narrival %lld\nuid %ld\n"
	    "flags %u\nsender", QENV_VERSION, q->id, (long long)q->arrival,
	    q->uid, q->flags) < 0;
	bad |= put(fp, env->sender);
	bad |= fprintf(fp, "\ndsn %s", ret_words[env->ret]) < 0;
	bad |= put(fp, env->envid);
	bad |= fprintf(fp, " %d %u\ntext %" PRIu64 " %" PRIu64 " %" PRIu64
	    " %" PRIu64 "\ninfo %" PRIu64 " %" PRIu64 " %" PRIu64 " %zu %d "
	    "%d %d %" PRIu64 "\nmsgid", env->smtputf8 != 0, env->notify,
	    q->head_off, q->head_len, q->body_off, q->body_len, in->size,
	    in->lines, in->long_lines, in->longest, in->eightbit != 0,
	    in->head_eightbit != 0, in->nul != 0, in->dot_lines) < 0;
	bad |= put(fp, q->msgid);
	for (i = 0; i < env->nrcpts && !bad; i++) {
		const struct carrier_rcpt *r = &env->rcpts[i];
		const struct carrier_error *e = &r->result;

		bad |= fprintf(fp, "\nrcpt %s %u %lld %u",
		    state_words[r->state], r->attempts,
		    (long long)r->next_try, r->notify) < 0;
		bad |= put(fp, r->addr);
		bad |= put(fp, r->orcpt);
		bad |= fprintf(fp, " %s %s %d", status_words[e->status],
		    phase_words[e->phase], e->code) < 0;
		bad |= put(fp, e->enhanced);
		bad |= put(fp, e->host);
		bad |= put(fp, e->step);
		bad |= put(fp, e->text);
	}
	bad |= fprintf(fp, "\nend %zu\n", env->nrcpts) < 0;
	if (fclose(fp) == EOF)
		bad = 1;
	if (bad) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	return buf;
}

/* The index of s in words[n] into *out; 0, or -1 when it is none. */
static int
word(const char *s, const char *const *words, size_t n, int *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, words[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	return -1;
}

/* Decodes field s into dst (size octets); 0, or -1 if malformed. */
static int
decode(const char *s, char *dst, size_t size)
{
	size_t o = 0;
	unsigned int v;

	if (strcmp(s, ".") == 0)
		s = "";
	for (; *s != '\0'; s++) {
		if (o + 1 >= size)
			return -1;
		if (*s != '+') {
			dst[o++] = *s;
			continue;
		}
		if (sscanf(s + 1, "%2X", &v) != 1 || v == 0 ||
		    strspn(s + 1, "0123456789ABCDEF") < 2)
			return -1;
		dst[o++] = (char)v;
		s += 2;
	}
	dst[o] = '\0';
	return 0;
}

/* A decimal number of at most max into *out; 0, or -1. */
static int
number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s) ||
	    (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s != '\0'; s++) {
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* n numbers, each at most max. */
static int
numbers(char *const *f, size_t n, uint64_t max, uint64_t *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (number(f[i], max, &out[i]) == -1)
			return -1;
	return 0;
}

/*
 * Splits line at single spaces into at most max fields; returns their
 * count, or -1 when there are more, or an empty one.
 */
static int
split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		if (n == max || *p == '\0' || *p == ' ')
			return -1;
		f[n++] = p;
		if ((p = strchr(p, ' ')) == NULL)
			return (int)n;
		*p++ = '\0';
	}
}

/* One "rcpt" line's fields (after the keyword) into a new recipient. */
static int
parse_rcpt(char *const *f, size_t n, struct carrier_envelope *env,
    char *why, size_t whylen)
{
	char addr[4096], orcpt[4096];
	struct carrier_rcpt *r;
	struct carrier_error *e;
	uint64_t v[3], notify;
	int state, status, phase;
	size_t before = env->nrcpts;

	if (n != 13 || word(f[0], state_words, 4, &state) == -1 ||
	    numbers(f + 1, 1, UINT32_MAX, &v[0]) == -1 ||
	    numbers(f + 2, 1, INT64_MAX, &v[1]) == -1 ||
	    number(f[3], 0xff, &notify) == -1 ||
	    decode(f[4], addr, sizeof(addr)) == -1 || addr[0] == '\0' ||
	    decode(f[5], orcpt, sizeof(orcpt)) == -1 ||
	    word(f[6], status_words, 3, &status) == -1 ||
	    word(f[7], phase_words, PHASE_COUNT, &phase) == -1 ||
	    number(f[8], 599, &v[2]) == -1) {
		(void)snprintf(why, whylen, "a malformed recipient line");
		return -1;
	}
	if (envelope_add_rcpt(env, addr) == -1) {
		(void)snprintf(why, whylen, "recipient %zu: %s", before + 1,
		    strerror(errno));
		return -1;
	}
	if (env->nrcpts == before) {
		(void)snprintf(why, whylen, "recipient %zu is a repeat",
		    before + 1);
		return -1;
	}
	r = &env->rcpts[before];
	e = &r->result;
	r->state = (enum envelope_state)state;
	r->attempts = (unsigned int)v[0];
	r->next_try = (time_t)v[1];
	r->notify = (unsigned int)notify;
	if (orcpt[0] != '\0' && (r->orcpt = strdup(orcpt)) == NULL) {
		(void)snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	e->status = (enum carrier_status)status;
	e->phase = (enum carrier_phase)phase;
	e->code = (int)v[2];
	if (decode(f[9], e->enhanced, sizeof(e->enhanced)) == -1 ||
	    decode(f[10], e->host, sizeof(e->host)) == -1 ||
	    decode(f[11], e->step, sizeof(e->step)) == -1 ||
	    decode(f[12], e->text, sizeof(e->text)) == -1) {
		(void)snprintf(why, whylen, "recipient %zu: a malformed "
		    "reply field", before + 1);
		return -1;
	}
	return 0;
}

/* The keywords in the order they must come; "rcpt" repeats. */
enum line { L_MAGIC, L_ID, L_ARRIVAL, L_UID, L_FLAGS, L_SENDER, L_DSN,
	L_TEXT, L_INFO, L_MSGID, L_RCPT, L_END };

static const char *const line_words[] = {
	"carrier-queue", "id", "arrival", "uid", "flags", "sender", "dsn",
	"text", "info", "msgid", "rcpt", "end"
};

/* The fields each line takes after its keyword. */
static const size_t line_fields[] = { 1, 1, 1, 1, 1, 1, 4, 4, 8, 1, 13, 1 };

int
qenv_parse(const char *text, size_t len, struct qenv *q,
    struct carrier_envelope *env, char *why, size_t whylen)
{
	char *copy, *line, *next, *f[QENV_FIELDS_MAX];
	char addr[4096];
	uint64_t v[8];
	size_t lineno = 0;
	enum line want = L_MAGIC;
	int n, kw, ret, rc = -1;

	memset(q, 0, sizeof(*q));
	if (len > QENV_FILE_MAX || memchr(text, '\0', len) != NULL) {
		(void)snprintf(why, whylen, "not an envelope file");
		return -1;
	}
	if ((copy = malloc(len + 1)) == NULL) {
		(void)snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy; *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) == NULL) {
			(void)snprintf(why, whylen, "line %zu: truncated",
			    lineno);
			goto out;
		}
		*next++ = '\0';
		if (want > L_END) {
			(void)snprintf(why, whylen, "line %zu: after the end",
			    lineno);
			goto out;
		}
		if ((n = split(line, f, QENV_FIELDS_MAX)) < 1 ||
		    word(f[0], line_words, L_END + 1, &kw) == -1 ||
		    (kw != (int)want && !(want == L_RCPT && kw == L_END)) ||
		    (size_t)n - 1 != line_fields[kw]) {
			(void)snprintf(why, whylen, "line %zu: expected \"%s\"",
			    lineno, line_words[want]);
			goto out;
		}
		switch ((enum line)kw) {
		case L_MAGIC:
			if (number(f[1], 1000, v) == -1 ||
			    v[0] != QENV_VERSION) {
				(void)snprintf(why, whylen, "version %.16s, "
				    "not %d", f[1], QENV_VERSION);
				goto out;
			}
			break;
		case L_ID:
			if (!qenv_id_ok(f[1]))
				goto bad;
			(void)strlcpy(q->id, f[1], sizeof(q->id));
			break;
		case L_ARRIVAL:
			if (number(f[1], INT64_MAX, v) == -1)
				goto bad;
			q->arrival = (time_t)v[0];
			break;
		case L_UID:
			if (strcmp(f[1], "-1") == 0)
				q->uid = -1;
			else if (number(f[1], INT32_MAX, v) == -1)
				goto bad;
			else
				q->uid = (long)v[0];
			break;
		case L_FLAGS:
			if (number(f[1], 0xffff, v) == -1)
				goto bad;
			q->flags = (unsigned int)v[0];
			break;
		case L_SENDER:
			if (decode(f[1], addr, sizeof(addr)) == -1 ||
			    envelope_set_sender(env, addr) == -1)
				goto bad;
			break;
		case L_DSN:
			if (word(f[1], ret_words, 3, &ret) == -1 ||
			    decode(f[2], env->envid, sizeof(env->envid)) ==
			    -1 || numbers(f + 3, 2, 0xff, v) == -1 ||
			    v[0] > 1)
				goto bad;
			env->ret = (enum envelope_ret)ret;
			env->smtputf8 = (int)v[0];
			env->notify = (unsigned int)v[1];
			break;
		case L_TEXT:
			if (numbers(f + 1, 4, INT64_MAX, v) == -1)
				goto bad;
			q->head_off = v[0];
			q->head_len = v[1];
			q->body_off = v[2];
			q->body_len = v[3];
			break;
		case L_INFO:
			if (numbers(f + 1, 8, INT64_MAX, v) == -1 ||
			    v[3] > SIZE_MAX || v[4] > 1 || v[5] > 1 ||
			    v[6] > 1)
				goto bad;
			q->info.size = v[0];
			q->info.lines = v[1];
			q->info.long_lines = v[2];
			q->info.longest = (size_t)v[3];
			q->info.eightbit = (int)v[4];
			q->info.head_eightbit = (int)v[5];
			q->info.nul = (int)v[6];
			q->info.dot_lines = v[7];
			break;
		case L_MSGID:
			if (decode(f[1], q->msgid, sizeof(q->msgid)) == -1)
				goto bad;
			break;
		case L_RCPT:
			if (parse_rcpt(f + 1, (size_t)n - 1, env, why,
			    whylen) == -1)
				goto where;
			continue;	/* more may follow */
		case L_END:
			if (number(f[1], ENVELOPE_RCPT_MAX, v) == -1 ||
			    v[0] != env->nrcpts) {
				(void)snprintf(why, whylen, "line %zu: %zu "
				    "recipients, not %.16s", lineno,
				    env->nrcpts, f[1]);
				goto out;
			}
			break;
		}
		want = kw == L_MSGID ? L_RCPT : (enum line)(kw + 1);
	}
	if (want <= L_END) {
		(void)snprintf(why, whylen, "truncated before \"%s\"",
		    line_words[want]);
		goto out;
	}
	rc = 0;
	goto out;
bad:
	(void)snprintf(why, whylen, "a malformed \"%s\" line",
	    line_words[want]);
where:
	{
		char inner[256];

		(void)strlcpy(inner, why, sizeof(inner));
		(void)snprintf(why, whylen, "line %zu: %s", lineno, inner);
	}
out:
	free(copy);
	return rc;
}
