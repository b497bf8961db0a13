/* SPDX-License-Identifier: ISC */
/*
 * smtp_reply.c: SMTP reply parsing (see smtp_reply.h).
 * Depends on log (sanitising).
 */
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "log.h"
#include "smtp_reply.h"

static size_t	enhanced_len(const char *, size_t, int);
static int	bad(char *, size_t, const char *);

void
smtp_reply_init(struct smtp_reply *r)
{
	r->code = 0;
	r->enhanced[0] = '\0';
	r->text[0] = '\0';
	r->textlen = 0;
	r->nlines = 0;
	r->done = 0;
	r->cut = 0;
}

static int
bad(char *why, size_t whylen, const char *reason)
{
	(void)strlcpy(why, reason, whylen);
	return -1;
}

/*
 * Length of an enhanced status code "C.SSS.DDD" at the start of s whose
 * class C matches the reply's first digit, followed by a space or the
 * end; 0 if there is none.
 */
static size_t
enhanced_len(const char *s, size_t len, int cls)
{
	size_t i = 0, part, digits;

	if (len < 5 || s[0] != '0' + cls || s[1] != '.')
		return 0;
	i = 2;
	for (part = 0; part < 2; part++) {
		for (digits = 0; i < len && s[i] >= '0' && s[i] <= '9';
		    i++)
			digits++;
		if (digits == 0 || digits > 3)
			return 0;
		if (part == 0) {
			if (i >= len || s[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < len && s[i] != ' ')
		return 0;
	return i;
}

int
smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len,
    char *why, size_t whylen)
{
	const char *text;
	size_t tlen, elen, room;
	int code, last;

	if (r->done)
		smtp_reply_init(r);
	if (len < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '5' || line[2] < '0' || line[2] > '9')
		return bad(why, whylen, "malformed reply code");
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return bad(why, whylen, "malformed reply separator");
	if (memchr(line, '\0', len) != NULL)
		return bad(why, whylen, "NUL byte in reply");
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->nlines > 0 && code != r->code)
		return bad(why, whylen, "reply code changed inside a reply");
	if (++r->nlines > SMTP_REPLY_LINES)
		return bad(why, whylen, "reply has too many lines");
	r->code = code;
	last = len == 3 || line[3] == ' ';
	text = len > 4 ? line + 4 : "";
	tlen = len > 4 ? len - 4 : 0;
	if (r->nlines == 1 && (elen = enhanced_len(text, tlen,
	    line[0] - '0')) > 0 && elen < sizeof(r->enhanced)) {
		memcpy(r->enhanced, text, elen);
		r->enhanced[elen] = '\0';
	}
	/* keep the text, '\n' between lines, as room allows */
	room = sizeof(r->text) - 1 - r->textlen;
	if (r->nlines > 1 && room > 0) {
		r->text[r->textlen++] = '\n';
		room--;
	}
	if (tlen > room) {
		tlen = room;
		r->cut = 1;
	}
	memcpy(r->text + r->textlen, text, tlen);
	r->textlen += tlen;
	r->text[r->textlen] = '\0';
	r->done = last;
	return last;
}

char *
smtp_reply_summary(const struct smtp_reply *r, char *buf, size_t size)
{
	const char *t = r->text;
	size_t len = strcspn(t, "\n"), elen = strlen(r->enhanced);

	if (elen > 0 && len >= elen && strncmp(t, r->enhanced, elen) == 0) {
		t += elen;
		len -= elen;
		while (len > 0 && *t == ' ')
			t++, len--;
	}
	log_sanitize(buf, size, t, len);
	return buf;
}
