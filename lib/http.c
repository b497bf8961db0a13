/* SPDX-License-Identifier: ISC */
/*
 * http.c: the HTTP/1.1 response parser (see http.h for what it takes
 * and refuses).  Depends on compat only.
 *
 * A state machine fed any split of the input: the line states gather
 * a line (to its LF) in r->line, the body states copy octets.  So that
 * the result does not depend on the split, every cap is checked at the
 * octet that crosses it, as if the input came one octet at a time.
 * Characters are classified by hand in ASCII, never by the locale.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "http.h"

enum state {
	ST_STATUS = 0,		/* the status line */
	ST_FIELDS,		/* the header section */
	ST_LENGTH,		/* a body of Content-Length octets */
	ST_CLOSE,		/* a body up to the end of the stream */
	ST_CHUNK_SIZE,		/* a chunk-size line */
	ST_CHUNK_DATA,		/* a chunk's data */
	ST_CHUNK_END,		/* the CRLF after it */
	ST_TRAILER,		/* the trailer section */
	ST_DONE,
	ST_TOOBIG,
	ST_BAD
};

/* The fields met in one response (r->seen). */
#define SEEN_LENGTH	0x1
#define SEEN_CHUNKED	0x2
#define SEEN_TYPE	0x4
#define SEEN_LOCATION	0x8

#define HEX_DIGITS	16	/* a chunk size's digits (no leading 0) */

static enum http_result	bad(struct http_resp *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	tchar(int);
static int	blank(int);
static int	caseeq(const char *, size_t, const char *);
static size_t	token(const char *, size_t);
static int	take_line(struct http_resp *, const char *, size_t,
		    size_t *);
static enum http_result	status_line(struct http_resp *, const char *,
		    size_t);
static enum http_result	media_type(struct http_resp *, const char *,
		    size_t);
static enum http_result	field(struct http_resp *, const char *, size_t,
		    int);
static enum http_result	field_line(struct http_resp *, int);
static enum http_result	head_end(struct http_resp *);
static enum http_result	chunk_size(struct http_resp *);
static enum http_result	line_state(struct http_resp *);
static enum http_result	take_body(struct http_resp *, const char *, size_t,
		    size_t *);

static enum http_result
bad(struct http_resp *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	r->state = ST_BAD;
	return HTTP_BAD;
}

/* tchar of RFC 9110 5.6.2 */
static int
tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Whether the n octets at s are word (lowercase) but for ASCII case. */
static int
caseeq(const char *s, size_t n, const char *word)
{
	size_t i;
	char c;

	if (n != strlen(word))
		return 0;
	for (i = 0; i < n; i++) {
		c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') :
		    s[i];
		if (c != word[i])
			return 0;
	}
	return 1;
}

/* The length of the token at the start of the n octets at s. */
static size_t
token(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && tchar((unsigned char)s[i]); i++)
		continue;
	return i;
}

void
http_init(struct http_resp *r, char *body, size_t bodymax)
{
	memset(r, 0, sizeof(*r));
	r->body = body;
	r->bodymax = bodymax;
	r->state = ST_STATUS;
}

/*
 * Takes the octets of a line from buf[*pos..len) into r->line, its LF
 * included, and counts them against the cap of the section (the header
 * section, or the chunked framing).  1: a line is complete in r->line
 * (r->linelen octets, its end off); 0: all taken, no LF yet; -1: a cap
 * was crossed or a CR stands alone (r->why set).  Whichever cap is
 * crossed first, octet by octet, is the one reported.
 */
static int
take_line(struct http_resp *r, const char *buf, size_t len, size_t *pos)
{
	const char *lf;
	size_t avail = len - *pos, n, take, room, cap, *count, left;
	int head = r->state == ST_STATUS || r->state == ST_FIELDS;

	count = head ? &r->head : &r->framed;
	cap = head ? HTTP_HEAD_MAX : HTTP_FRAMING_MAX;
	lf = memchr(buf + *pos, '\n', avail);
	n = lf != NULL ? (size_t)(lf - (buf + *pos)) : avail;
	take = lf != NULL ? n + 1 : n;
	room = sizeof(r->line) - r->linelen;
	left = cap - *count;
	if (n > room && room < left) {
		bad(r, "a line over %d octets", HTTP_LINE_MAX);
		return -1;
	}
	if (take > left) {
		if (head)
			bad(r, "a header section over %d octets",
			    HTTP_HEAD_MAX);
		else
			bad(r, "chunked framing over %d octets",
			    HTTP_FRAMING_MAX);
		return -1;
	}
	memcpy(r->line + r->linelen, buf + *pos, n);
	r->linelen += n;
	*count += take;
	*pos += take;
	r->got = 1;
	if (lf == NULL)
		return 0;
	if (r->linelen > 0 && r->line[r->linelen - 1] == '\r')
		r->linelen--;
	if (r->linelen > HTTP_LINE_MAX) {
		bad(r, "a line over %d octets", HTTP_LINE_MAX);
		return -1;
	}
	if (memchr(r->line, '\r', r->linelen) != NULL) {
		bad(r, "a CR without LF");
		return -1;
	}
	return 1;
}

/* "HTTP/1." DIGIT SP 3DIGIT [SP reason-phrase] */
static enum http_result
status_line(struct http_resp *r, const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	if (n < 12 || memcmp(s, "HTTP/", 5) != 0)
		return bad(r, "no status line");
	if (s[5] != '1' || s[6] != '.' || s[7] < '0' || s[7] > '9')
		return bad(r, "not HTTP/1.x");
	if (s[8] != ' ' || s[9] < '1' || s[9] > '5' || s[10] < '0' ||
	    s[10] > '9' || s[11] < '0' || s[11] > '9' ||
	    (n > 12 && s[12] != ' '))
		return bad(r, "a malformed status line");
	for (i = 13; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 ? c != '\t' : c == 0x7f)
			return bad(r, "a control character in the reason");
	}
	r->minor = s[7] - '0';
	r->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	return HTTP_MORE;
}

/* media-type = type "/" subtype parameters (RFC 9110 8.3.1) */
static enum http_result
media_type(struct http_resp *r, const char *v, size_t n)
{
	size_t t, s, i;

	t = token(v, n);
	if (t == 0 || t == n || v[t] != '/')
		return bad(r, "a malformed Content-Type");
	s = token(v + t + 1, n - t - 1);
	if (s == 0)
		return bad(r, "a malformed Content-Type");
	for (i = t + 1 + s; i < n && blank((unsigned char)v[i]); i++)
		continue;
	if (i < n && v[i] != ';')
		return bad(r, "a malformed Content-Type");
	if (t + 1 + s >= sizeof(r->media_type))
		return bad(r, "a media type over %zu octets",
		    sizeof(r->media_type) - 1);
	for (i = 0; i < t + 1 + s; i++)
		r->media_type[i] = v[i] >= 'A' && v[i] <= 'Z' ?
		    (char)(v[i] - 'A' + 'a') : v[i];
	r->media_type[i] = '\0';
	return HTTP_MORE;
}

/*
 * A whole field line (n octets at s, folds joined): checked, and taken
 * when it is one the caller needs (not in a trailer).
 */
static enum http_result
field(struct http_resp *r, const char *s, size_t n, int trailer)
{
	const char *v;
	size_t name, vlen, i;
	uint64_t len = 0;
	unsigned char c;

	name = token(s, n);
	if (name == 0 || name == n || s[name] != ':')
		return bad(r, "a malformed field name");
	v = s + name + 1;
	vlen = n - name - 1;
	while (vlen > 0 && blank((unsigned char)v[0])) {
		v++;
		vlen--;
	}
	while (vlen > 0 && blank((unsigned char)v[vlen - 1]))
		vlen--;
	for (i = 0; i < vlen; i++) {
		c = (unsigned char)v[i];
		if (c < 0x20 ? c != '\t' : c == 0x7f)
			return bad(r, "a control character in a field");
	}
	if (trailer)
		return HTTP_MORE;
	if (caseeq(s, name, "content-length")) {
		if (vlen == 0)
			return bad(r, "a malformed Content-Length");
		for (i = 0; i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9')
				return bad(r, "a malformed Content-Length");
			c = (unsigned char)(v[i] - '0');
			len = len > (UINT64_MAX - c) / 10 ? UINT64_MAX :
			    len * 10 + c;
		}
		if ((r->seen & SEEN_LENGTH) && len != r->length)
			return bad(r, "two Content-Length values");
		r->seen |= SEEN_LENGTH;
		r->has_length = 1;
		r->length = len;
	} else if (caseeq(s, name, "transfer-encoding")) {
		if (r->seen & SEEN_CHUNKED)
			return bad(r, "Transfer-Encoding twice");
		if (!caseeq(v, vlen, "chunked"))
			return bad(r, "a transfer coding other than chunked");
		r->seen |= SEEN_CHUNKED;
	} else if (caseeq(s, name, "content-type")) {
		if (r->seen & SEEN_TYPE)
			return bad(r, "Content-Type twice");
		r->seen |= SEEN_TYPE;
		return media_type(r, v, vlen);
	} else if (caseeq(s, name, "location") &&
	    !(r->seen & SEEN_LOCATION)) {
		r->seen |= SEEN_LOCATION;
		i = vlen < sizeof(r->location) ? vlen :
		    sizeof(r->location) - 1;
		memcpy(r->location, v, i);
		r->location[i] = '\0';
	}
	return HTTP_MORE;
}

/*
 * The line in r->line, in the header or trailer section: a fold joins
 * the field waiting in r->field; any other line first ends that field.
 * An empty line ends the section: HTTP_HEAD (or HTTP_MORE after an
 * interim response), HTTP_DONE after a trailer.
 */
static enum http_result
field_line(struct http_resp *r, int trailer)
{
	enum http_result res;
	size_t i = 0;

	if (r->linelen > 0 && blank((unsigned char)r->line[0])) {
		if (r->fieldlen == 0)
			return bad(r, "a line beginning with a blank");
		while (i < r->linelen && blank((unsigned char)r->line[i]))
			i++;
		if (r->fieldlen + 1 + r->linelen - i > sizeof(r->field))
			return bad(r, "a folded field over %d octets",
			    HTTP_LINE_MAX);
		r->field[r->fieldlen++] = ' ';
		memcpy(r->field + r->fieldlen, r->line + i, r->linelen - i);
		r->fieldlen += r->linelen - i;
		return HTTP_MORE;
	}
	if (r->fieldlen > 0 && (res = field(r, r->field, r->fieldlen,
	    trailer)) != HTTP_MORE)
		return res;
	r->fieldlen = r->linelen;
	memcpy(r->field, r->line, r->linelen);
	if (r->linelen > 0)
		return HTTP_MORE;
	if (trailer) {
		r->state = ST_DONE;
		return HTTP_DONE;
	}
	return head_end(r);
}

/* The empty line after a response's fields. */
static enum http_result
head_end(struct http_resp *r)
{
	if (r->status < 200) {
		if (r->status == 101)
			return bad(r, "101 (Switching Protocols) unasked");
		/* an interim response: the final one follows */
		r->seen = r->has_length = 0;
		r->length = 0;
		r->media_type[0] = r->location[0] = '\0';
		r->state = ST_STATUS;
		return HTTP_MORE;
	}
	if (r->status == 204 || r->status == 304) {
		r->framing = HTTP_NO_BODY;
		r->state = ST_DONE;
	} else if (r->seen & SEEN_CHUNKED) {
		if (r->minor == 0)
			return bad(r, "Transfer-Encoding in HTTP/1.0");
		r->framing = HTTP_BY_CHUNKS;
		r->state = ST_CHUNK_SIZE;
	} else if (r->has_length) {
		r->framing = HTTP_BY_LENGTH;
		r->left = r->length;
		r->state = r->length > r->bodymax ? ST_TOOBIG :
		    r->length == 0 ? ST_DONE : ST_LENGTH;
	} else {
		r->framing = HTTP_BY_CLOSE;
		r->state = ST_CLOSE;
	}
	return HTTP_HEAD;
}

/* chunk-size [chunk-ext] (RFC 9112 7.1, 7.1.1) */
static enum http_result
chunk_size(struct http_resp *r)
{
	const char *s = r->line;
	size_t n = r->linelen, i, digits = 0;
	uint64_t size = 0;
	unsigned char c;
	int d;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			break;
		if (size > 0 || d > 0)
			digits++;
		size = digits > HEX_DIGITS ? UINT64_MAX :
		    size * 16 + (unsigned int)d;
	}
	if (i == 0)
		return bad(r, "a malformed chunk size");
	while (i < n && blank((unsigned char)s[i]))
		i++;
	if (i < n && s[i] != ';')
		return bad(r, "a malformed chunk size");
	for (; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 ? c != '\t' : c == 0x7f)
			return bad(r, "a control character in a chunk "
			    "extension");
	}
	if (size == 0) {
		r->state = ST_TRAILER;
		return HTTP_MORE;
	}
	if (size > r->bodymax - r->bodylen) {
		r->state = ST_TOOBIG;
		return HTTP_TOOBIG;
	}
	r->left = size;
	r->state = ST_CHUNK_DATA;
	return HTTP_MORE;
}

/* The line in r->line, in the state that gathered it. */
static enum http_result
line_state(struct http_resp *r)
{
	enum http_result res;

	switch (r->state) {
	case ST_STATUS:
		if ((res = status_line(r, r->line, r->linelen)) != HTTP_MORE)
			return res;
		r->fieldlen = 0;
		r->state = ST_FIELDS;
		return HTTP_MORE;
	case ST_FIELDS:
		return field_line(r, 0);
	case ST_CHUNK_SIZE:
		return chunk_size(r);
	case ST_CHUNK_END:
		if (r->linelen != 0)
			return bad(r, "chunk data longer than its size");
		r->state = ST_CHUNK_SIZE;
		return HTTP_MORE;
	default:	/* ST_TRAILER */
		return field_line(r, 1);
	}
}

/* Body octets from buf[*pos..len), in a body state. */
static enum http_result
take_body(struct http_resp *r, const char *buf, size_t len, size_t *pos)
{
	size_t n = len - *pos, room = r->bodymax - r->bodylen;

	if (r->state != ST_CLOSE && n > r->left)
		n = (size_t)r->left;
	if (n > room) {
		/* only by close: the others were checked against room */
		memcpy(r->body + r->bodylen, buf + *pos, room);
		r->bodylen += room;
		*pos += room;
		r->state = ST_TOOBIG;
		return HTTP_TOOBIG;
	}
	memcpy(r->body + r->bodylen, buf + *pos, n);
	r->bodylen += n;
	*pos += n;
	r->got = r->got || n > 0;
	if (r->state == ST_CLOSE)
		return HTTP_MORE;
	r->left -= n;
	if (r->left > 0)
		return HTTP_MORE;
	if (r->state == ST_LENGTH) {
		r->state = ST_DONE;
		return HTTP_DONE;
	}
	r->state = ST_CHUNK_END;
	return HTTP_MORE;
}

enum http_result
http_feed(struct http_resp *r, const char *buf, size_t len, size_t *used)
{
	enum http_result res = HTTP_MORE;
	size_t pos = 0;
	int l;

	*used = 0;
	if (r->state == ST_DONE)
		return HTTP_DONE;
	if (r->state == ST_TOOBIG)
		return HTTP_TOOBIG;
	if (r->state == ST_BAD)
		return HTTP_BAD;
	while (res == HTTP_MORE && pos < len) {
		if (r->state == ST_LENGTH || r->state == ST_CLOSE ||
		    r->state == ST_CHUNK_DATA) {
			res = take_body(r, buf, len, &pos);
			continue;
		}
		if ((l = take_line(r, buf, len, &pos)) == -1)
			return HTTP_BAD;
		if (l == 0)
			break;
		res = line_state(r);
		r->linelen = 0;
	}
	*used = pos;
	return res;
}

enum http_result
http_end(struct http_resp *r)
{
	switch (r->state) {
	case ST_DONE:
		return HTTP_DONE;
	case ST_TOOBIG:
		return HTTP_TOOBIG;
	case ST_BAD:
		return HTTP_BAD;
	case ST_CLOSE:
		r->state = ST_DONE;
		return HTTP_DONE;
	case ST_STATUS:
	case ST_FIELDS:
		return bad(r, r->got ? "cut in the header section" :
		    "no response");
	default:
		return bad(r, "cut in the body");
	}
}
