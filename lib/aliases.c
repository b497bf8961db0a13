/* SPDX-License-Identifier: ISC */
/*
 * aliases.c: the aliases(5) file (format and rules in aliases.h).
 *
 * The file is read whole (at most ALIASES_FILE_MAX octets) and cut into
 * logical lines: an entry's first line and its continuation lines,
 * joined in one buffer that remembers where each physical line began,
 * so that an error names the line it is on.  The name is read up to the
 * ':'; the rest is split into targets at the commas outside quotes,
 * comments and angle brackets, and each target is parsed with
 * addrlist_parse(), so names and targets take the normal form of
 * addrlist.h.
 *
 * The table is an array of entries, each a range of an array of
 * targets, with an open-addressing hash table (FNV-1a, linear probing)
 * from the lowercased name to the entry.  After the load, every local
 * target holds the index of the entry it names, so an expansion does no
 * lookups: it walks the graph depth first, marking each entry open
 * while it is on the stack and done after, which makes loops and
 * repeated names cost nothing and bounds the work by the size of the
 * table.  Final targets go through a hash set so that none is appended
 * twice.
 *
 * Depends on addrlist.h (and addr.h for its limits), log.h for
 * sanitising text put in messages.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "addr.h"
#include "addrlist.h"
#include "log.h"
#include "aliases.h"
#include "file.h"

#define STR(x)	#x
#define XSTR(x)	STR(x)

#define NOREF		((size_t)-1)
#define NAME_SIZE	(2 * ADDR_LOCAL_MAX + 4) /* a normal form and NUL */
#define SAN_SIZE	192		/* a sanitised text in a message */
#define MSG_SIZE	512

#define FNV_OFFSET	UINT64_C(14695981039346656037)
#define FNV_PRIME	UINT64_C(1099511628211)

enum kind {
	KIND_ADDR,		/* user@domain: final */
	KIND_LOCAL,		/* a local name, looked up */
	KIND_FINAL,		/* \name: a local name, not looked up */
	KIND_SKIP		/* |command, /file, :include:: skipped */
};

struct target {
	char		*text;	/* normal form; as written for KIND_SKIP */
	enum kind	 kind;
	size_t		 ref;	/* KIND_LOCAL: the entry it names, or NOREF */
};

struct alias {
	char		*name;	/* lowercased normal form */
	size_t		 first;	/* its targets: t[first .. first + n) */
	size_t		 n;
	unsigned int	 line;
};

struct aliases {
	struct alias	*v;
	size_t		 n;
	size_t		 cap;
	struct target	*t;
	size_t		 nt;
	size_t		 tcap;
	size_t		*slot;	/* entry index + 1; 0 is empty */
	size_t		 nslot;	/* a power of two, or 0 */
	void		(*warn)(void *, const char *);
	void		*arg;
	size_t		 errors;	/* entries skipped for errors */
};

/* Where a physical line starts in the logical line. */
struct seg {
	size_t		 off;
	unsigned int	 line;
};

struct parser {
	struct aliases	*a;
	char		 name[SAN_SIZE];	/* of the file, escaped */
	char		*buf;		/* the logical line, no NUL */
	size_t		 len;
	size_t		 cap;
	struct seg	*seg;
	size_t		 nseg;
	size_t		 segcap;
	char		 msg[MSG_SIZE];	/* the last error */
	int		 nomem;
};

enum state {
	STATE_NEW = 0,
	STATE_OPEN,		/* on the expansion stack */
	STATE_DONE
};

struct expand {
	const struct aliases	*a;
	const char		*top;	/* the name expanded, for messages */
	struct addrlist		*out;
	size_t			 n0;	/* out->n at the start */
	unsigned char		*state;	/* enum state, per entry */
	size_t			*set;	/* out index + 1; 0 is empty */
	size_t			 nset;	/* a power of two */
	size_t			 added;
	size_t			 skipped;
	size_t			 depth;
	char			*err;
	size_t			 errlen;
};

static int	is_blank(char);
static char	lower(char);
static void	lower_str(char *);
static int	prefix_ci(const char *, size_t, const char *);
static const char *san(char *, size_t, const char *, size_t);
static uint64_t	hash_name(const char *);
static size_t	table_find(const struct aliases *, const char *);
static int	table_grow(struct aliases *);
static int	table_insert(struct aliases *, size_t);
static void	warnf(const struct aliases *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	perr(struct parser *, unsigned int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	nomem(struct parser *);
static unsigned int seg_line(const struct parser *, size_t);
static int	line_append(struct parser *, const char *, size_t,
		    unsigned int, int);
static int	local_name(const char *, size_t, char *, size_t, char *,
		    size_t);
static int	is_unsupported(const char *, size_t);
static size_t	target_end(const char *, size_t, size_t, int *, int *);
static int	push_target(struct parser *, const char *, char *, enum kind,
		    unsigned int, size_t *);
static int	add_target(struct parser *, const char *, size_t, size_t,
		    int, size_t *);
static int	parse_targets(struct parser *, const char *, size_t);
static int	parse_name(struct parser *, char *, size_t, size_t *);
static int	parse_entry(struct parser *);
static int	entry_done(struct parser *);
static void	bad_line(struct parser *, unsigned int, const char *);
static void	skip_entry(struct parser *);
static void	resolve(struct aliases *);
static uint64_t	addr_hash(const char *, int);
static int	addr_same(const char *, int, const char *, int);
static int	xfail(struct expand *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	set_init(struct expand *);
static int	add_final(struct expand *, const char *, int);
static int	expand_alias(struct expand *, size_t);

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* ASCII only, whatever the locale. */
static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void
lower_str(char *s)
{
	for (; *s != '\0'; s++)
		*s = lower(*s);
}

/* Whether the n bytes at s start with p, ignoring ASCII case. */
static int
prefix_ci(const char *s, size_t n, const char *p)
{
	size_t i;

	for (i = 0; p[i] != '\0'; i++)
		if (i >= n || lower(s[i]) != lower(p[i]))
			return 0;
	return 1;
}

/* Sanitises n bytes of s into buf for a message; returns buf. */
static const char *
san(char *buf, size_t size, const char *s, size_t n)
{
	(void)log_sanitize(buf, size, s, n);
	return buf;
}

static uint64_t
hash_name(const char *s)
{
	uint64_t h = FNV_OFFSET;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * FNV_PRIME;
	return h;
}

/* The entry named key (lowercased), or NOREF. */
static size_t
table_find(const struct aliases *a, const char *key)
{
	size_t i, mask;

	if (a->nslot == 0)
		return NOREF;
	mask = a->nslot - 1;
	for (i = hash_name(key) & mask; a->slot[i] != 0; i = (i + 1) & mask)
		if (strcmp(a->v[a->slot[i] - 1].name, key) == 0)
			return a->slot[i] - 1;
	return NOREF;
}

/* Doubles the hash table (at least 64 slots) and rehashes. */
static int
table_grow(struct aliases *a)
{
	size_t *slot, nslot, i, j, mask;

	nslot = a->nslot == 0 ? 64 : a->nslot * 2;
	if ((slot = calloc(nslot, sizeof(*slot))) == NULL)
		return -1;
	mask = nslot - 1;
	for (i = 0; i < a->n; i++) {
		for (j = hash_name(a->v[i].name) & mask; slot[j] != 0;
		    j = (j + 1) & mask)
			;
		slot[j] = i + 1;
	}
	free(a->slot);
	a->slot = slot;
	a->nslot = nslot;
	return 0;
}

/* Adds entry idx (already in a->v, a->n counting it) to the hash. */
static int
table_insert(struct aliases *a, size_t idx)
{
	size_t j, mask;

	if (a->n * 2 > a->nslot)	/* keeps the load under a half */
		return table_grow(a);	/* which puts idx in too */
	mask = a->nslot - 1;
	for (j = hash_name(a->v[idx].name) & mask; a->slot[j] != 0;
	    j = (j + 1) & mask)
		;
	a->slot[j] = idx + 1;
	return 0;
}

static void
warnf(const struct aliases *a, const char *fmt, ...)
{
	char msg[MSG_SIZE];
	va_list ap;

	if (a == NULL || a->warn == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->warn(a->arg, msg);
}

/* Writes "name:line: reason" to st->msg; returns -1. */
static int
perr(struct parser *st, unsigned int line, const char *fmt, ...)
{
	/* room for the name (escaped: SAN_SIZE at most) and line */
	char why[MSG_SIZE - SAN_SIZE - 16];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	(void)snprintf(st->msg, sizeof(st->msg), "%s:%u: %s", st->name, line,
	    why);
	return -1;
}

/* Out of memory: the one error that ends the load. */
static int
nomem(struct parser *st)
{
	(void)snprintf(st->msg, sizeof(st->msg), "%s: out of memory",
	    st->name);
	st->nomem = 1;
	errno = ENOMEM;
	return -1;
}

/* The physical line of offset off in the logical line (a bsearch). */
static unsigned int
seg_line(const struct parser *st, size_t off)
{
	size_t lo = 0, hi = st->nseg, mid;	/* it is in [lo, hi) */

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (st->seg[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return st->seg[lo].line;
}

/*
 * Appends a physical line (n bytes, no line end) to the logical line;
 * fresh starts a new one.
 */
static int
line_append(struct parser *st, const char *s, size_t n, unsigned int line,
    int fresh)
{
	struct seg *seg;
	size_t cap;
	char *buf;

	if (fresh) {
		st->len = 0;
		st->nseg = 0;
	}
	if (st->nseg == st->segcap) {
		cap = st->segcap == 0 ? 8 : st->segcap * 2;
		if ((seg = reallocarray(st->seg, cap, sizeof(*seg))) == NULL)
			return nomem(st);
		st->seg = seg;
		st->segcap = cap;
	}
	if (n > st->cap - st->len) {
		/* the text is at most ALIASES_FILE_MAX: no overflow */
		cap = st->cap == 0 ? 256 : st->cap;
		while (cap - st->len < n)
			cap *= 2;
		if ((buf = realloc(st->buf, cap)) == NULL)
			return nomem(st);
		st->buf = buf;
		st->cap = cap;
	}
	st->seg[st->nseg].off = st->len;
	st->seg[st->nseg++].line = line;
	if (n > 0)
		memcpy(st->buf + st->len, s, n);
	st->len += n;
	return 0;
}

/*
 * Puts the normal form of s (n bytes), which must be one bare local
 * part, in dst.  Returns 0; or -1 with the reason in why, errno ENOMEM
 * if memory ran out.
 */
static int
local_name(const char *s, size_t n, char *dst, size_t size, char *why,
    size_t whylen)
{
	struct addrlist l = { 0 };
	int rc = -1, saved;

	errno = 0;
	if (addrlist_parse(&l, s, n, why, whylen) == 0) {
		if (l.n == 0)
			(void)strlcpy(why, "empty name", whylen);
		else if (l.n > 1)
			(void)strlcpy(why, "more than one name", whylen);
		else if (l.v[0].qualified)
			(void)strlcpy(why, "a domain is not allowed", whylen);
		else if (strlcpy(dst, l.v[0].addr, size) >= size)
			(void)strlcpy(why, "name too long", whylen);
		else
			rc = 0;
	}
	saved = errno;
	addrlist_free(&l);	/* a failed parse may leave an empty array */
	errno = saved;
	return rc;
}

/* "|command", "/file", ":include:/file", maybe in double quotes. */
static int
is_unsupported(const char *s, size_t n)
{
	if (n > 0 && s[0] == '"') {
		s++;
		n--;
	}
	return n > 0 && (s[0] == '|' || s[0] == '/' ||
	    prefix_ci(s, n, ":include:"));
}

/*
 * From the start of a target at p[i], finds the comma that ends it (or
 * n): the commas in quoted strings, in comments and between angle
 * brackets do not count; in an unsupported target (*skip set) only
 * quotes count, as "|cmd <in (x" is no address.  *open is set if it
 * ends inside a quoted string.
 */
static size_t
target_end(const char *p, size_t n, size_t i, int *skip, int *open)
{
	size_t paren = 0;
	int quote = 0, angle = 0;

	*skip = is_unsupported(p + i, n - i);
	for (; i < n; i++) {
		if (quote || paren > 0) {
			if (p[i] == '\\')
				i++;
			else if (quote && p[i] == '"')
				quote = 0;
			else if (!quote && p[i] == '(')
				paren++;
			else if (!quote && p[i] == ')')
				paren--;
			continue;
		}
		if (p[i] == '"')
			quote = 1;
		else if (*skip) {
			if (p[i] == ',')
				break;
		} else if (p[i] == '(')
			paren = 1;
		else if (p[i] == '<')
			angle = 1;
		else if (p[i] == '>')
			angle = 0;
		else if (p[i] == ',' && !angle)
			break;
	}
	*open = quote;
	return i < n ? i : n;
}

/*
 * Adds a target (taking text, from line) to the table; *count counts
 * the entry's.
 */
static int
push_target(struct parser *st, const char *key, char *text, enum kind kind,
    unsigned int line, size_t *count)
{
	struct aliases *a = st->a;
	struct target *t;
	size_t cap;
	char sk[SAN_SIZE];

	if (text == NULL)
		return nomem(st);
	if (*count >= ALIASES_TARGETS_MAX) {
		free(text);
		return perr(st, line, "alias %s: more "
		    "than " XSTR(ALIASES_TARGETS_MAX) " targets",
		    san(sk, sizeof(sk), key, strlen(key)));
	}
	if (a->nt == a->tcap) {
		cap = a->tcap == 0 ? 64 : a->tcap * 2;
		if ((t = reallocarray(a->t, cap, sizeof(*t))) == NULL) {
			free(text);
			return nomem(st);
		}
		a->t = t;
		a->tcap = cap;
	}
	t = &a->t[a->nt++];
	t->text = text;
	t->kind = kind;
	t->ref = NOREF;
	(*count)++;
	return 0;
}

/* Adds the target at buf[off], len bytes, of the entry key. */
static int
add_target(struct parser *st, const char *key, size_t off, size_t len,
    int skip, size_t *count)
{
	struct addrlist l = { 0 };
	const char *p = st->buf;
	char why[128], sk[SAN_SIZE];
	size_t i;
	unsigned int line;
	int final, oom, rc = 0;

	while (len > 0 && is_blank(p[off + len - 1]))
		len--;
	if (len == 0)
		return 0;
	line = seg_line(st, off);
	if (skip)
		return push_target(st, key, strndup(p + off, len), KIND_SKIP,
		    line, count);
	if ((final = p[off] == '\\')) {
		off++;
		len--;
	}
	errno = 0;
	if (addrlist_parse(&l, p + off, len, why, sizeof(why)) == -1) {
		oom = errno == ENOMEM;
		addrlist_free(&l);	/* an empty array may be left */
		if (oom)
			return nomem(st);
		return perr(st, line, "alias %s: %s",
		    san(sk, sizeof(sk), key, strlen(key)), why);
	}
	for (i = 0; i < l.n && rc == 0; i++) {
		rc = push_target(st, key, l.v[i].addr, l.v[i].qualified ?
		    KIND_ADDR : final ? KIND_FINAL : KIND_LOCAL, line, count);
		l.v[i].addr = NULL;	/* the table owns it, or it is freed */
	}
	addrlist_free(&l);
	return rc;
}

/* Reads the targets of entry key, from buf[pos] to the end. */
static int
parse_targets(struct parser *st, const char *key, size_t pos)
{
	size_t end, count = 0;
	char sk[SAN_SIZE];
	int skip, open;

	while (pos < st->len) {
		while (pos < st->len && is_blank(st->buf[pos]))
			pos++;
		if (pos >= st->len)
			break;
		end = target_end(st->buf, st->len, pos, &skip, &open);
		if (skip && open)	/* else addrlist_parse() says it */
			return perr(st, seg_line(st, pos), "alias %s: "
			    "unterminated quoted string",
			    san(sk, sizeof(sk), key, strlen(key)));
		if (add_target(st, key, pos, end - pos, skip, &count) == -1)
			return -1;
		pos = end + 1;
	}
	return 0;
}

/*
 * Reads the name at the start of the logical line into key (lowercased
 * normal form) and sets *pos just past the ':'.
 */
static int
parse_name(struct parser *st, char *key, size_t size, size_t *pos)
{
	const char *p = st->buf;
	size_t i = 0, n = st->len, end;
	char why[128];

	if (p[0] == '"') {
		for (i = 1; i < n && p[i] != '"'; i++)
			if (p[i] == '\\')
				i++;
		if (i >= n)
			return perr(st, seg_line(st, 0),
			    "unterminated quoted alias name");
		i++;
	} else
		while (i < n && p[i] != ':' && !is_blank(p[i]))
			i++;
	end = i;
	while (i < n && is_blank(p[i]))
		i++;
	if (i >= n || p[i] != ':')
		return perr(st, seg_line(st, i < n ? i : 0),
		    "expected ':' after the alias name");
	if (end == 0)
		return perr(st, seg_line(st, 0), "empty alias name");
	if (local_name(p, end, key, size, why, sizeof(why)) == -1) {
		if (errno == ENOMEM)
			return nomem(st);
		return perr(st, seg_line(st, 0), "invalid alias name: %s",
		    why);
	}
	lower_str(key);
	*pos = i + 1;
	return 0;
}

/* Parses the logical line in st->buf into an entry of the table. */
static int
parse_entry(struct parser *st)
{
	struct aliases *a = st->a;
	struct alias *v;
	char key[NAME_SIZE], sk[SAN_SIZE];
	size_t pos = 0, first = a->nt, old, cap;

	if (parse_name(st, key, sizeof(key), &pos) == -1 ||
	    parse_targets(st, key, pos) == -1)
		return -1;
	(void)san(sk, sizeof(sk), key, strlen(key));
	if (a->nt == first)
		return perr(st, st->seg[0].line, "alias %s has no targets",
		    sk);
	if ((old = table_find(a, key)) != NOREF) {
		warnf(a, "%s:%u: duplicate alias %s ignored, the one at "
		    "line %u is used", st->name, st->seg[0].line, sk,
		    a->v[old].line);
		while (a->nt > first)
			free(a->t[--a->nt].text);
		return 0;
	}
	if (a->n == a->cap) {
		cap = a->cap == 0 ? 32 : a->cap * 2;
		if ((v = reallocarray(a->v, cap, sizeof(*v))) == NULL)
			return nomem(st);
		a->v = v;
		a->cap = cap;
	}
	v = &a->v[a->n];
	if ((v->name = strdup(key)) == NULL)
		return nomem(st);
	v->first = first;
	v->n = a->nt - first;
	v->line = st->seg[0].line;
	a->n++;
	if (table_insert(a, a->n - 1) == -1)
		return nomem(st);	/* v stays, freed with the table */
	return 0;
}

/* Reports the error in st->msg: its entry is skipped. */
static void
skip_entry(struct parser *st)
{
	st->a->errors++;
	warnf(st->a, "%s, entry skipped", st->msg);
}

/*
 * Parses the logical line in st->buf; an entry with an error leaves
 * nothing in the table and is reported.  Returns -1 only when memory
 * ran out.
 */
static int
entry_done(struct parser *st)
{
	size_t first = st->a->nt;

	if (parse_entry(st) == 0)
		return 0;
	if (st->nomem)
		return -1;
	while (st->a->nt > first)
		free(st->a->t[--st->a->nt].text);
	skip_entry(st);
	return 0;
}

/* Reports physical line `line` as bad (why): its entry is skipped. */
static void
bad_line(struct parser *st, unsigned int line, const char *why)
{
	(void)perr(st, line, "%s", why);
	skip_entry(st);
}

/* Points every local target at the entry it names. */
static void
resolve(struct aliases *a)
{
	char key[NAME_SIZE];
	size_t i;

	for (i = 0; i < a->nt; i++) {
		if (a->t[i].kind != KIND_LOCAL ||
		    strlcpy(key, a->t[i].text, sizeof(key)) >= sizeof(key))
			continue;
		lower_str(key);
		a->t[i].ref = table_find(a, key);
	}
}

int
aliases_parse_buffer(struct aliases **out, const char *name,
    const char *text, size_t len, void (*warn)(void *, const char *),
    void *arg, char *err, size_t errlen)
{
	struct parser st;
	struct aliases *a;
	const char *s, *nl;
	size_t pos = 0, n, b;
	unsigned int line = 0;
	int inentry = 0, skipping = 0, rc = -1;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	/* -oA names the file: a terminal must not take it as commands */
	(void)san(st.name, sizeof(st.name), name, strlen(name));
	if (len > ALIASES_FILE_MAX) {
		(void)snprintf(err, errlen, "%s: larger than "
		    XSTR(ALIASES_FILE_MAX) " octets", st.name);
		return -1;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		(void)nomem(&st);
		(void)snprintf(err, errlen, "%s", st.msg);
		return -1;
	}
	a->warn = warn;
	a->arg = arg;
	st.a = a;
	while (pos < len) {
		line++;
		s = text + pos;
		nl = memchr(s, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - s) : len - pos;
		pos += n + (nl != NULL);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		for (b = 0; b < n && is_blank(s[b]); b++)
			;
		if (b == n || s[b] == '#')
			continue;		/* blank or comment */
		if (b == 0) {			/* an entry starts */
			if (inentry && entry_done(&st) == -1)
				goto out;
			inentry = skipping = 0;
		} else if (skipping)
			continue;		/* the rest of a bad entry */
		if (b > 0 && !inentry) {
			bad_line(&st, line, "continuation line without an "
			    "alias above it");
			skipping = 1;
			continue;
		}
		if (n > ALIASES_LINE_MAX || memchr(s, '\0', n) != NULL) {
			bad_line(&st, line, n > ALIASES_LINE_MAX ?
			    "line longer than " XSTR(ALIASES_LINE_MAX)
			    " octets" : "NUL byte");
			inentry = 0;
			skipping = 1;
			continue;
		}
		if (line_append(&st, s, n, line, b == 0) == -1)
			goto out;
		inentry = 1;
	}
	if (inentry && entry_done(&st) == -1)
		goto out;
	resolve(a);
	*out = a;
	a = NULL;
	rc = 0;
out:
	if (rc == -1)
		(void)snprintf(err, errlen, "%s", st.msg);
	aliases_free(a);
	free(st.buf);
	free(st.seg);
	return rc;
}

int
aliases_load(struct aliases **out, const char *path,
    void (*warn)(void *, const char *), void *arg, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	if (file_read(path, ALIASES_FILE_MAX, &text, &len, err, errlen) ==
	    -1) {
		if (errno != ENOENT)
			return -1;
		if (errlen > 0)
			err[0] = '\0';	/* no file: nothing to map */
		return aliases_parse_buffer(out, path, "", 0, warn, arg, err,
		    errlen);
	}
	rc = aliases_parse_buffer(out, path, text, len, warn, arg, err,
	    errlen);
	free(text);
	return rc;
}

/*
 * Hashes an out entry for the duplicate check: a local name folded to
 * lowercase, an address with its domain (after the last '@') folded.
 */
static uint64_t
addr_hash(const char *s, int qualified)
{
	const char *dom = qualified ? strrchr(s, '@') : NULL;
	uint64_t h = FNV_OFFSET ^ (uint64_t)(qualified != 0);
	const char *p;

	for (p = s; *p != '\0'; p++)
		h = (h ^ (unsigned char)(dom == NULL || p > dom ? lower(*p) :
		    *p)) * FNV_PRIME;
	return h;
}

/* Whether two out entries are the same, as addr_hash() sees them. */
static int
addr_same(const char *x, int xq, const char *y, int yq)
{
	const char *dx, *dy;
	size_t i;

	if ((xq != 0) != (yq != 0))
		return 0;
	dx = xq ? strrchr(x, '@') : NULL;
	dy = yq ? strrchr(y, '@') : NULL;
	if ((dx == NULL) != (dy == NULL) ||
	    (dx != NULL && dx - x != dy - y))
		return 0;
	for (i = 0; x[i] != '\0' && y[i] != '\0'; i++) {
		if (dx == NULL || x + i > dx) {
			if (lower(x[i]) != lower(y[i]))
				return 0;
		} else if (x[i] != y[i])
			return 0;
	}
	return x[i] == y[i];
}

static int
xfail(struct expand *x, const char *fmt, ...)
{
	char why[MSG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	(void)snprintf(x->err, x->errlen, "alias %s: %s", x->top, why);
	return -1;
}

/* Makes the duplicate set, holding what out has already. */
static int
set_init(struct expand *x)
{
	size_t want = 2 * (x->out->n + ALIASES_TARGETS_MAX + 1), i, j, mask;
	const struct addrlist_entry *e;

	x->nset = 64;
	while (x->nset < want)
		x->nset *= 2;
	if ((x->set = calloc(x->nset, sizeof(*x->set))) == NULL)
		return -1;
	mask = x->nset - 1;
	for (i = 0; i < x->out->n; i++) {
		e = &x->out->v[i];
		for (j = addr_hash(e->addr, e->qualified) & mask;
		    x->set[j] != 0; j = (j + 1) & mask)
			if (addr_same(x->out->v[x->set[j] - 1].addr,
			    x->out->v[x->set[j] - 1].qualified, e->addr,
			    e->qualified))
				break;
		if (x->set[j] == 0)
			x->set[j] = i + 1;
	}
	return 0;
}

/* Appends a final target to out unless it is there already. */
static int
add_final(struct expand *x, const char *text, int qualified)
{
	struct addrlist *out = x->out;
	struct addrlist_entry *v, *e;
	size_t j, mask = x->nset - 1, cap;

	for (j = addr_hash(text, qualified) & mask; x->set[j] != 0;
	    j = (j + 1) & mask) {
		e = &out->v[x->set[j] - 1];
		if (addr_same(e->addr, e->qualified, text, qualified))
			return 0;
	}
	if (x->added >= ALIASES_TARGETS_MAX)
		return xfail(x, "more than " XSTR(ALIASES_TARGETS_MAX)
		    " targets");
	if (out->n >= ADDRLIST_MAX)
		return xfail(x, "more than " XSTR(ADDRLIST_MAX)
		    " recipients");
	if (out->n == out->cap) {
		cap = out->cap == 0 ? 16 : out->cap * 2;
		if (cap > ADDRLIST_MAX)
			cap = ADDRLIST_MAX;
		if ((v = reallocarray(out->v, cap, sizeof(*v))) == NULL)
			return xfail(x, "out of memory");
		out->v = v;
		out->cap = cap;
	}
	e = &out->v[out->n];
	if ((e->addr = strdup(text)) == NULL)
		return xfail(x, "out of memory");
	e->display = NULL;
	e->start = e->end = 0;	/* not from a field */
	e->qualified = qualified;
	x->set[j] = ++out->n;
	x->added++;
	return 0;
}

/* Expands entry idx, depth first. */
static int
expand_alias(struct expand *x, size_t idx)
{
	const struct aliases *a = x->a;
	const struct alias *al = &a->v[idx];
	const struct target *t;
	char sn[SAN_SIZE], st[SAN_SIZE];
	size_t k;
	int rc = 0;

	if (x->depth >= ALIASES_DEPTH_MAX)
		return xfail(x, "aliases nested deeper than "
		    XSTR(ALIASES_DEPTH_MAX) " (at %s)",
		    san(sn, sizeof(sn), al->name, strlen(al->name)));
	x->state[idx] = STATE_OPEN;
	x->depth++;
	for (k = al->first; k < al->first + al->n && rc == 0; k++) {
		t = &a->t[k];
		switch (t->kind) {
		case KIND_SKIP:
			x->skipped++;
			warnf(a, "alias %s: %s not supported, skipped",
			    san(sn, sizeof(sn), al->name, strlen(al->name)),
			    san(st, sizeof(st), t->text, strlen(t->text)));
			break;
		case KIND_ADDR:
		case KIND_FINAL:
			rc = add_final(x, t->text, t->kind == KIND_ADDR);
			break;
		case KIND_LOCAL:
			if (t->ref == NOREF)
				rc = add_final(x, t->text, 0);
			else if (x->state[t->ref] == STATE_NEW)
				rc = expand_alias(x, t->ref);
			else if (x->state[t->ref] == STATE_OPEN) {
				if (t->ref != idx)
					warnf(a, "alias %s: loops back to %s, "
					    "delivering to %s",
					    san(sn, sizeof(sn), al->name,
					    strlen(al->name)),
					    san(st, sizeof(st), t->text,
					    strlen(t->text)), st);
				rc = add_final(x, t->text, 0);
			}
			break;
		}
	}
	x->depth--;
	x->state[idx] = STATE_DONE;
	return rc;
}

int
aliases_expand(const struct aliases *a, const char *name,
    struct addrlist *out, size_t *skipped, char *err, size_t errlen)
{
	struct expand x;
	struct addrlist_entry *e;
	char nf[NAME_SIZE], key[NAME_SIZE], why[128], top[SAN_SIZE];
	size_t idx;
	int rc = -1;

	if (skipped != NULL)
		*skipped = 0;
	if (local_name(name, strlen(name), nf, sizeof(nf), why,
	    sizeof(why)) == -1) {
		(void)snprintf(err, errlen, "not a local name: %s", why);
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.a = a;
	x.top = san(top, sizeof(top), nf, strlen(nf));
	x.out = out;
	x.n0 = out->n;
	x.err = err;
	x.errlen = errlen;
	if (out->n > ADDRLIST_MAX) {
		(void)xfail(&x, "more than " XSTR(ADDRLIST_MAX)
		    " recipients");
		return -1;
	}
	if (set_init(&x) == -1) {
		(void)xfail(&x, "out of memory");
		return -1;
	}
	(void)strlcpy(key, nf, sizeof(key));
	lower_str(key);
	if (a == NULL || (idx = table_find(a, key)) == NOREF)
		rc = add_final(&x, nf, 0);
	else if ((x.state = calloc(a->n, 1)) == NULL)
		(void)xfail(&x, "out of memory");
	else
		rc = expand_alias(&x, idx);
	if (rc == -1) {
		while (out->n > x.n0) {
			e = &out->v[--out->n];
			free(e->addr);
			free(e->display);
		}
	}
	if (rc == 0 && skipped != NULL)
		*skipped = x.skipped;
	free(x.state);
	free(x.set);
	return rc;
}

size_t
aliases_errors(const struct aliases *a)
{
	return a == NULL ? 0 : a->errors;
}

size_t
aliases_count(const struct aliases *a)
{
	return a != NULL ? a->n : 0;
}

void
aliases_free(struct aliases *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		free(a->v[i].name);
	for (i = 0; i < a->nt; i++)
		free(a->t[i].text);
	free(a->v);
	free(a->t);
	free(a->slot);
	free(a);
}
