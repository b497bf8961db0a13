/* SPDX-License-Identifier: ISC */
/*
 * header.c: the header section in memory (see header.h).
 * Depends on compat.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "header.h"

static int	is_field_line(const char *, size_t);
static int	maybe_field(const char *, size_t);
static size_t	line_len(const char *, size_t);
static int	grow(struct header *);
static size_t	fold(const char *, size_t, char *, int *);

/* Length of the line at p (through its LF), or 0 if it has none. */
static size_t
line_len(const char *p, size_t len)
{
	const char *nl = memchr(p, '\n', len);

	return nl == NULL ? 0 : (size_t)(nl - p) + 1;
}

/* "Name:" with printable non-colon ASCII, blanks allowed before ':'. */
static int
is_field_line(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && p[i] > ' ' && p[i] <= '~' && p[i] != ':')
		i++;
	if (i == 0)
		return 0;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < len && p[i] == ':';
}

/*
 * Whether the unfinished line at p (n octets, no LF yet) may still turn
 * out a field line: its name goes on to the end (a name cannot be folded,
 * so one over HEADER_LINE_MAX is none), or blanks or ':' follow the
 * name.  When it cannot, the body starts there, however long it is.
 */
static int
maybe_field(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] > ' ' && p[i] <= '~' && p[i] != ':')
		i++;
	if (i > HEADER_LINE_MAX)
		return 0;
	if (i == n)
		return 1;
	if (i == 0)
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i == n || p[i] == ':';
}

int
header_section(const char *buf, size_t len, int at_eof, size_t *skip,
    size_t *hlen, size_t *body_off)
{
	size_t pos = 0, ll;

	*skip = 0;
	if (len >= 5 && memcmp(buf, "From ", 5) == 0) {
		if ((ll = line_len(buf, len)) == 0)
			return at_eof ? (*hlen = 0, *body_off = len, 1) :
			    len > HEADER_MAX ? -1 : 0;
		/* an mbox "From " line is dropped; "From : x" is a field */
		if (!is_field_line(buf, ll))
			pos = *skip = ll;
	}
	for (;;) {
		if (pos - *skip > HEADER_MAX)
			return -1;
		if (pos == len && at_eof) {
			*hlen = pos - *skip;	/* fields only, no body */
			*body_off = pos;
			return 1;
		}
		if (pos == len)		/* ends at a line end: need more */
			return len - *skip > HEADER_MAX ? -1 : 0;
		if ((ll = line_len(buf + pos, len - pos)) == 0) {
			if (at_eof)
				return -1;	/* canonical text ends in CRLF */
			/* an unfinished line: the body, if it cannot be a field */
			if (!(pos > *skip && (buf[pos] == ' ' ||
			    buf[pos] == '\t')) &&
			    !maybe_field(buf + pos, len - pos)) {
				*hlen = pos - *skip;
				*body_off = pos;
				return 1;
			}
			return len - *skip > HEADER_MAX ? -1 : 0;
		}
		if (ll == 2) {
			*hlen = pos - *skip;	/* the empty line */
			*body_off = pos + 2;
			return 1;
		}
		if (!is_field_line(buf + pos, ll) && !(pos > *skip &&
		    (buf[pos] == ' ' || buf[pos] == '\t'))) {
			*hlen = pos - *skip;	/* the body starts here */
			*body_off = pos;
			return 1;
		}
		pos += ll;
	}
}

static int
grow(struct header *h)
{
	struct header_field *f;
	size_t ncap;

	if (h->n < h->cap)
		return 0;
	ncap = h->cap == 0 ? 32 : h->cap * 2;
	if ((f = reallocarray(h->f, ncap, sizeof(*f))) == NULL)
		return -1;
	h->f = f;
	h->cap = ncap;
	return 0;
}

int
header_parse(struct header *h, const char *buf, size_t hlen)
{
	size_t pos = 0, start, ll;

	memset(h, 0, sizeof(*h));
	while (pos < hlen) {
		struct header_field *f;

		start = pos;
		pos += line_len(buf + pos, hlen - pos);
		while (pos < hlen && (buf[pos] == ' ' || buf[pos] == '\t') &&
		    (ll = line_len(buf + pos, hlen - pos)) > 0)
			pos += ll;
		if (h->n >= HEADER_FIELDS_MAX) {
			errno = E2BIG;
			goto fail;
		}
		if (grow(h) == -1)
			goto fail;
		f = &h->f[h->n];
		if ((f->text = malloc(pos - start + 1)) == NULL)
			goto fail;
		memcpy(f->text, buf + start, pos - start);
		f->text[pos - start] = '\0';
		f->len = pos - start;
		f->namelen = strcspn(f->text, ":");
		while (f->namelen > 0 && (f->text[f->namelen - 1] == ' ' ||
		    f->text[f->namelen - 1] == '\t'))
			f->namelen--;
		h->total += f->len;
		h->n++;
	}
	return 0;
fail:
	header_free(h);
	return -1;
}

long
header_find(const struct header *h, const char *name, size_t from)
{
	size_t i, nl = strlen(name);

	for (i = from; i < h->n; i++)
		if (h->f[i].namelen == nl &&
		    strncasecmp(h->f[i].text, name, nl) == 0)
			return (long)i;
	return -1;
}

const char *
header_value(const struct header *h, size_t i, size_t *len)
{
	const struct header_field *f = &h->f[i];
	size_t colon = strcspn(f->text, ":") + 1;

	*len = f->len - colon - 2;	/* without the final CRLF */
	return f->text + colon;
}

void
header_remove(struct header *h, size_t i)
{
	h->total -= h->f[i].len;
	free(h->f[i].text);
	memmove(&h->f[i], &h->f[i + 1], (h->n - i - 1) * sizeof(h->f[0]));
	h->n--;
}

int
header_put(struct header *h, long i, const char *name, const char *value)
{
	struct header_field nf;
	size_t nl = strlen(name), vl = strlen(value);
	size_t old = i >= 0 ? h->f[i].len : 0;

	/* The field replaced leaves before the new one is counted. */
	if (nl + vl + 4 > HEADER_MAX ||
	    h->total - old + nl + vl + 4 > HEADER_MAX) {
		errno = E2BIG;
		return -1;
	}
	if ((nf.text = malloc(nl + vl + 5)) == NULL)
		return -1;
	memcpy(nf.text, name, nl);
	memcpy(nf.text + nl, ": ", 2);
	memcpy(nf.text + nl + 2, value, vl);
	memcpy(nf.text + nl + 2 + vl, "\r\n", 3);
	nf.len = nl + vl + 4;
	nf.namelen = nl;
	if (i >= 0) {
		h->total -= h->f[i].len;
		free(h->f[i].text);
		h->f[i] = nf;
	} else {
		if (grow(h) == -1) {
			free(nf.text);
			return -1;
		}
		h->f[h->n++] = nf;
	}
	h->total += nf.len;
	return 0;
}

/*
 * Copies one physical line (len octets, without CRLF) to out, folding
 * it before blanks so no piece exceeds HEADER_LINE_MAX where a blank
 * allows; sets *long_left when a piece stays longer.  Returns the octets
 * written (CRLFs included).
 */
static size_t
fold(const char *line, size_t len, char *out, int *long_left)
{
	size_t o = 0, start = 0, i, cut;

	while (len - start > HEADER_LINE_MAX) {
		cut = 0;
		for (i = start + HEADER_LINE_MAX; i > start + 1; i--)
			if (line[i] == ' ' || line[i] == '\t') {
				cut = i;
				break;
			}
		if (cut == 0) {
			*long_left = 1;	/* nowhere to fold: left long */
			break;
		}
		memcpy(out + o, line + start, cut - start);
		o += cut - start;
		memcpy(out + o, "\r\n", 2);
		o += 2;
		start = cut;	/* the blank starts the continuation */
	}
	memcpy(out + o, line + start, len - start);
	o += len - start;
	memcpy(out + o, "\r\n", 2);
	return o + 2;
}

int
header_render(const struct header *h, char **out, size_t *len,
    int *long_left)
{
	size_t i, pos, ll, o = 0;
	char *buf;

	/* folding adds at most 2 octets per HEADER_LINE_MAX / 2 */
	*long_left = 0;
	if ((buf = malloc(h->total + h->total / 64 + 3)) == NULL)
		return -1;
	for (i = 0; i < h->n; i++) {
		const char *t = h->f[i].text;

		for (pos = 0; pos < h->f[i].len; pos += ll) {
			ll = line_len(t + pos, h->f[i].len - pos);
			if (ll == 0)
				ll = h->f[i].len - pos;
			o += fold(t + pos, ll >= 2 ? ll - 2 : 0, buf + o,
			    long_left);
		}
	}
	memcpy(buf + o, "\r\n", 2);
	*out = buf;
	*len = o + 2;
	return 0;
}

void
header_free(struct header *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->f[i].text);
	free(h->f);
	memset(h, 0, sizeof(*h));
}
