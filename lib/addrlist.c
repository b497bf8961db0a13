/* SPDX-License-Identifier: ISC */
/*
 * addrlist.c: RFC 5322 address-list parser (see addrlist.h).
 *
 * A lexer turns the field body into tokens -- atoms, quoted strings,
 * domain literals and the specials "<>@,:;." -- skipping CFWS (white
 * space, folding, nested comments) and noting whether any came before a
 * token.  The parser reads the tokens with one of look-ahead and never
 * goes back, so the whole parse is linear in the input.
 *
 * The grammar's one ambiguity is that a run of words may turn out to be
 * a display name, a group name or a local part.  The words are therefore
 * collected into both forms at once, and the token after them decides:
 * '<' makes them a display name, ':' a group name, '@' a local part, and
 * ',' ';' or the end a bare local part ("root").  The obsolete forms of
 * RFC 5322 4.4 fall out of this: CFWS around dots, phrases with dots,
 * empty list elements; obs-route is read and dropped.
 *
 * Every mailbox found is put in its normal form (addrlist.h) and then
 * checked with addr_check_mailbox(), so what this module returns is what
 * the envelope code accepts.  Depends on addr.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "addr.h"
#include "addrlist.h"

#define STR(x)	#x
#define XSTR(x)	STR(x)

enum tok {
	TOK_END,
	TOK_ATOM,
	TOK_QUOTED,
	TOK_LITERAL,
	TOK_DOT,
	TOK_LT,
	TOK_GT,
	TOK_AT,
	TOK_COMMA,
	TOK_COLON,
	TOK_SEMI
};

/* What to say when a token turns up where it may not. */
static const char *const tok_unexpected[] = {
	"unexpected end",
	"unexpected word",
	"unexpected quoted string",
	"unexpected domain literal",
	"unexpected '.'",
	"unexpected '<'",
	"unexpected '>'",
	"unexpected '@'",
	"unexpected ','",
	"unexpected ':'",
	"unexpected ';'"
};
_Static_assert(sizeof(tok_unexpected) / sizeof(tok_unexpected[0]) ==
    TOK_SEMI + 1, "tok_unexpected[] and enum tok differ");

/* A fixed buffer that notes, rather than does, any growth past size. */
struct sbuf {
	char	*s;
	size_t	 n;
	size_t	 size;
	int	 over;
};

struct parser {
	const char	*p;		/* the field body */
	size_t		 len;
	size_t		 pos;
	enum tok	 tok;		/* the look-ahead token */
	const char	*ts;		/* its text; inside the quotes or */
	size_t		 tn;		/* brackets for a string or literal */
	size_t		 tstart;	/* where it starts in p */
	size_t		 pend;		/* where the token before it ends */
	size_t		 wstart;	/* where the words collected start */
	int		 sp;		/* CFWS came before it */
	const char	*why;		/* the error */
	int		 nomem;		/* ...was malloc's */
	int		 ingroup;
	size_t		 items;		/* words and dots collected */
	int		 localok;	/* they read word *("." word) */
	struct sbuf	 disp;		/* the words as a phrase */
	struct sbuf	 local;		/* the words as a local part */
	struct sbuf	 dom;
	char		 whybuf[64];
	char		 dispbuf[ADDRLIST_DISPLAY_MAX];
	char		 localbuf[ADDR_LOCAL_MAX];
	char		 dombuf[ADDR_DOMAIN_MAX];
};

static int	fail(struct parser *, const char *);
static int	nomem(struct parser *);
static int	is_atext(unsigned char);
static int	is_ctl(unsigned char);
static int	bad_byte(struct parser *, unsigned char);
static int	lex_fold(struct parser *);
static int	lex_pair(struct parser *, const char *);
static int	lex_comment(struct parser *);
static int	lex_cfws(struct parser *);
static int	lex_delimited(struct parser *, char, const char *);
static int	lex_next(struct parser *);
static void	sb_reset(struct sbuf *);
static void	sb_add(struct sbuf *, const char *, size_t);
static void	sb_addc(struct sbuf *, char);
static void	sb_text(struct sbuf *, enum tok, const char *, size_t);
static int	is_dot_atom(const char *, size_t);
static size_t	format_local(char *, const char *, size_t);
static int	check_entry(struct parser *, const char *, int);
static int	list_add(struct parser *, struct addrlist *, int, int);
static int	parse_words(struct parser *, int);
static int	parse_domain(struct parser *);
static int	parse_route(struct parser *);
static int	parse_angle(struct parser *, struct addrlist *);
static int	parse_address(struct parser *, struct addrlist *);
static int	parse_list(struct parser *, struct addrlist *);

static int
fail(struct parser *st, const char *why)
{
	st->why = why;
	return -1;
}

static int
nomem(struct parser *st)
{
	st->nomem = 1;
	return fail(st, "out of memory");
}

/* atext (RFC 5322 3.2.3), and any byte >= 0x80 (RFC 6532 3.2). */
static int
is_atext(unsigned char c)
{
	if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Control characters, HTAB excepted; CR and LF are dealt with apart. */
static int
is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static int
bad_byte(struct parser *st, unsigned char c)
{
	if (c == '\0')
		return fail(st, "NUL byte");
	if (c == '\r' || c == '\n')
		return fail(st, "line break in a quoted-pair");
	return fail(st, "control character");
}

/*
 * At a CR or LF: takes a line break that folds (is followed by SP or
 * HTAB) or ends the body.
 */
static int
lex_fold(struct parser *st)
{
	size_t n = 1;

	if (st->p[st->pos] == '\r') {
		if (st->pos + 1 >= st->len || st->p[st->pos + 1] != '\n')
			return fail(st, "lone CR");
		n = 2;
	}
	if (st->pos + n < st->len && st->p[st->pos + n] != ' ' &&
	    st->p[st->pos + n] != '\t')
		return fail(st, "line break not followed by white space");
	st->pos += n;
	return 0;
}

/* At a backslash: takes a quoted-pair; end is the error at the end. */
static int
lex_pair(struct parser *st, const char *end)
{
	unsigned char c;

	if (st->pos + 1 >= st->len)
		return fail(st, end);
	c = (unsigned char)st->p[st->pos + 1];
	if (is_ctl(c))
		return bad_byte(st, c);
	st->pos += 2;
	return 0;
}

/* At '(': skips a comment and the comments nested in it. */
static int
lex_comment(struct parser *st)
{
	size_t depth = 0;
	unsigned char c;

	while (st->pos < st->len) {
		c = (unsigned char)st->p[st->pos];
		if (c == '\\') {
			if (lex_pair(st, "unbalanced parenthesis") == -1)
				return -1;
			continue;
		}
		if (c == '\r' || c == '\n') {
			if (lex_fold(st) == -1)
				return -1;
			continue;
		}
		if (c == '(' && ++depth > ADDRLIST_DEPTH_MAX)
			return fail(st, "comments nested deeper than "
			    XSTR(ADDRLIST_DEPTH_MAX));
		if (c == ')' && --depth == 0) {
			st->pos++;
			return 0;
		}
		if (is_ctl(c))
			return bad_byte(st, c);
		st->pos++;
	}
	return fail(st, "unbalanced parenthesis");
}

/* Skips CFWS, setting st->sp if there was any. */
static int
lex_cfws(struct parser *st)
{
	char c;

	st->sp = 0;
	while (st->pos < st->len) {
		c = st->p[st->pos];
		if (c == ' ' || c == '\t')
			st->pos++;
		else if (c == '\r' || c == '\n') {
			if (lex_fold(st) == -1)
				return -1;
		} else if (c == '(') {
			if (lex_comment(st) == -1)
				return -1;
		} else
			break;
		st->sp = 1;
	}
	return 0;
}

/*
 * At '"' or '[': takes a quoted string or a domain literal up to close,
 * leaving its inside (still encoded) in st->ts, st->tn.
 */
static int
lex_delimited(struct parser *st, char close, const char *unterminated)
{
	size_t start = ++st->pos;
	unsigned char c;

	while (st->pos < st->len) {
		c = (unsigned char)st->p[st->pos];
		if (c == (unsigned char)close) {
			st->ts = st->p + start;
			st->tn = st->pos++ - start;
			return 0;
		}
		if (c == '\\') {
			if (lex_pair(st, unterminated) == -1)
				return -1;
			continue;
		}
		if (c == '\r' || c == '\n') {
			if (lex_fold(st) == -1)
				return -1;
			continue;
		}
		if (close == ']' && c == '[')
			return fail(st, "'[' in a domain literal");
		if (is_ctl(c))
			return bad_byte(st, c);
		st->pos++;
	}
	return fail(st, unterminated);
}

/* Reads the next token into st->tok. */
static int
lex_next(struct parser *st)
{
	unsigned char c;
	size_t start;

	st->pend = st->pos;
	if (lex_cfws(st) == -1)
		return -1;
	st->tstart = st->pos;
	if (st->pos >= st->len) {
		st->tok = TOK_END;
		return 0;
	}
	c = (unsigned char)st->p[st->pos];
	st->ts = st->p + st->pos;
	st->tn = 1;
	switch (c) {
	case '"':
		st->tok = TOK_QUOTED;
		return lex_delimited(st, '"', "unterminated quoted string");
	case '[':
		st->tok = TOK_LITERAL;
		return lex_delimited(st, ']', "unterminated domain literal");
	case '.':
		st->tok = TOK_DOT;
		break;
	case '<':
		st->tok = TOK_LT;
		break;
	case '>':
		st->tok = TOK_GT;
		break;
	case '@':
		st->tok = TOK_AT;
		break;
	case ',':
		st->tok = TOK_COMMA;
		break;
	case ':':
		st->tok = TOK_COLON;
		break;
	case ';':
		st->tok = TOK_SEMI;
		break;
	case ')':
		return fail(st, "unbalanced parenthesis");
	case ']':
		return fail(st, "unexpected ']'");
	case '\\':
		return fail(st, "unexpected '\\'");
	default:
		if (!is_atext(c))
			return bad_byte(st, c);
		start = st->pos;
		while (st->pos < st->len &&
		    is_atext((unsigned char)st->p[st->pos]))
			st->pos++;
		st->tok = TOK_ATOM;
		st->tn = st->pos - start;
		return 0;
	}
	st->pos++;
	return 0;
}

static void
sb_reset(struct sbuf *sb)
{
	sb->n = 0;
	sb->over = 0;
}

static void
sb_add(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->over || n > sb->size - sb->n) {
		sb->over = 1;
		return;
	}
	memcpy(sb->s + sb->n, s, n);
	sb->n += n;
}

static void
sb_addc(struct sbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

/*
 * Appends a token's text: an atom as it is; the inside of a quoted
 * string or literal decoded (quoted-pairs, and the line breaks of
 * folding removed; in a literal, all white space removed).  The lexer
 * has checked that every backslash has its pair within n.
 */
static void
sb_text(struct sbuf *sb, enum tok tok, const char *s, size_t n)
{
	size_t i;

	if (tok != TOK_QUOTED && tok != TOK_LITERAL) {
		sb_add(sb, s, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '\r' || s[i] == '\n')
			continue;
		else if (tok == TOK_LITERAL && (s[i] == ' ' || s[i] == '\t'))
			continue;
		sb_addc(sb, s[i]);
	}
}

static int
is_dot_atom(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i - 1] == '.' :
		    !is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/*
 * Writes the local part s (n decoded octets) to dst, which has room for
 * 2 * n + 3: as it is if it is a dot-atom, else quoted.  Returns the
 * length written, without the NUL written after it.
 */
static size_t
format_local(char *dst, const char *s, size_t n)
{
	size_t i, o = 0;

	if (is_dot_atom(s, n)) {
		memcpy(dst, s, n);
		o = n;
	} else {
		dst[o++] = '"';
		for (i = 0; i < n; i++) {
			if (s[i] == '"' || s[i] == '\\')
				dst[o++] = '\\';
			dst[o++] = s[i];
		}
		dst[o++] = '"';
	}
	dst[o] = '\0';
	return o;
}

/*
 * Checks a formatted address with addr_check_mailbox(); a bare local
 * part is checked the same way, with a stand-in domain.
 */
static int
check_entry(struct parser *st, const char *addr, int qualified)
{
	char tmp[ADDR_LOCAL_MAX + sizeof("@localhost")];
	int n;

	if (!qualified) {
		n = snprintf(tmp, sizeof(tmp), "%s@localhost", addr);
		if (n < 0 || (size_t)n >= sizeof(tmp))
			return fail(st, "local part longer than "
			    XSTR(ADDR_LOCAL_MAX) " octets");
		addr = tmp;
	}
	if (addr_check_mailbox(addr, st->whybuf, sizeof(st->whybuf)) == -1)
		return fail(st, st->whybuf);
	return 0;
}

/*
 * Appends the mailbox collected in st->local (and st->dom if qualified,
 * st->disp if withdisp) to list; its addr-spec spans st->wstart up to
 * the end of the token before the look-ahead.
 */
static int
list_add(struct parser *st, struct addrlist *list, int qualified,
    int withdisp)
{
	char addr[2 * ADDR_LOCAL_MAX + 3 + ADDR_DOMAIN_MAX + 1];
	struct addrlist_entry *e, *v;
	size_t n, cap;

	if (!st->localok)
		return fail(st, "invalid local part");
	if (st->local.over)
		return fail(st, "local part longer than "
		    XSTR(ADDR_LOCAL_MAX) " octets");
	if (qualified && st->dom.over)
		return fail(st, "domain longer than "
		    XSTR(ADDR_DOMAIN_MAX) " octets");
	if (withdisp && st->disp.over)
		return fail(st, "display name longer than "
		    XSTR(ADDRLIST_DISPLAY_MAX) " octets");
	if (list->n >= ADDRLIST_MAX)
		return fail(st, "more than " XSTR(ADDRLIST_MAX) " addresses");

	n = format_local(addr, st->local.s, st->local.n);
	if (qualified) {
		addr[n++] = '@';
		memcpy(addr + n, st->dom.s, st->dom.n);
		addr[n + st->dom.n] = '\0';
	}
	if (check_entry(st, addr, qualified) == -1)
		return -1;

	if (list->n == list->cap) {
		cap = list->cap == 0 ? 16 : list->cap * 2;
		if (cap > ADDRLIST_MAX)
			cap = ADDRLIST_MAX;
		if ((v = reallocarray(list->v, cap, sizeof(*v))) == NULL)
			return nomem(st);
		list->v = v;
		list->cap = cap;
	}
	e = &list->v[list->n];
	e->qualified = qualified;
	e->display = NULL;
	e->start = st->wstart;
	e->end = st->pend;
	if ((e->addr = strdup(addr)) == NULL)
		return nomem(st);
	if (withdisp && st->disp.n > 0 &&
	    (e->display = strndup(st->disp.s, st->disp.n)) == NULL) {
		free(e->addr);
		return nomem(st);
	}
	list->n++;
	return 0;
}

/*
 * Collects the words and dots up to the next other token: as a local
 * part into st->local (decoded, CFWS dropped), and with wantdisp as a
 * phrase into st->disp (words joined by one space where CFWS separated
 * them); sets st->items and st->localok.
 */
static int
parse_words(struct parser *st, int wantdisp)
{
	int word, prevword = 0;
	size_t mark;

	st->items = 0;
	st->localok = 1;
	st->wstart = st->tstart;
	sb_reset(&st->local);
	if (wantdisp)
		sb_reset(&st->disp);
	while (st->tok == TOK_ATOM || st->tok == TOK_QUOTED ||
	    st->tok == TOK_DOT) {
		word = st->tok != TOK_DOT;
		if (word == prevword)	/* two words, two dots, a first dot */
			st->localok = 0;
		if (wantdisp) {
			mark = st->disp.n;
			if (st->sp && mark > 0)
				sb_addc(&st->disp, ' ');
			sb_text(&st->disp, st->tok, st->ts, st->tn);
			if (st->disp.n == mark + 1 && st->sp && mark > 0)
				st->disp.n = mark;	/* "" added nothing */
		}
		sb_text(&st->local, st->tok, st->ts, st->tn);
		prevword = word;
		st->items++;
		if (lex_next(st) == -1)
			return -1;
	}
	if (st->items > 0 && !prevword)
		st->localok = 0;		/* a last dot */
	return 0;
}

/* Reads a domain (dot-atom, obs-domain or literal) into st->dom. */
static int
parse_domain(struct parser *st)
{
	sb_reset(&st->dom);
	if (st->tok == TOK_LITERAL) {
		sb_addc(&st->dom, '[');
		sb_text(&st->dom, st->tok, st->ts, st->tn);
		sb_addc(&st->dom, ']');
		return lex_next(st);
	}
	if (st->tok != TOK_ATOM)
		return fail(st, "expected domain after '@'");
	for (;;) {
		sb_add(&st->dom, st->ts, st->tn);
		if (lex_next(st) == -1)
			return -1;
		if (st->tok != TOK_DOT)
			return 0;
		sb_addc(&st->dom, '.');
		if (lex_next(st) == -1)
			return -1;
		if (st->tok != TOK_ATOM)
			return fail(st, "invalid domain");
	}
}

/*
 * After '<', at '@' or ',': reads and drops an obs-route,
 * *(CFWS / ",") "@" domain *("," [CFWS] ["@" domain]) ":".
 */
static int
parse_route(struct parser *st)
{
	int domains = 0;

	for (;;) {
		if (st->tok == TOK_COMMA) {
			if (lex_next(st) == -1)
				return -1;
			continue;
		}
		if (st->tok == TOK_COLON && domains > 0)
			return lex_next(st);
		if (st->tok != TOK_AT)
			return fail(st, "invalid route");
		if (lex_next(st) == -1 || parse_domain(st) == -1)
			return -1;
		domains++;
		if (st->tok != TOK_COMMA && st->tok != TOK_COLON)
			return fail(st, "expected ':' after route");
	}
}

/* At '<': reads an angle-addr; the display name is in st->disp. */
static int
parse_angle(struct parser *st, struct addrlist *list)
{
	int qualified = 0;

	if (lex_next(st) == -1)
		return -1;
	if ((st->tok == TOK_AT || st->tok == TOK_COMMA) &&
	    parse_route(st) == -1)
		return -1;
	if (parse_words(st, 0) == -1)
		return -1;
	if (st->items == 0)
		return fail(st, st->tok == TOK_GT ? "empty address <>" :
		    "expected address after '<'");
	if (st->tok == TOK_AT) {
		if (lex_next(st) == -1 || parse_domain(st) == -1)
			return -1;
		qualified = 1;
	}
	if (st->tok != TOK_GT)
		return fail(st, "expected '>'");
	if (list_add(st, list, qualified, 1) == -1)
		return -1;
	return lex_next(st);
}

/*
 * Reads one element of the list that is not empty: a mailbox, or the
 * start of a group ("name:").
 */
static int
parse_address(struct parser *st, struct addrlist *list)
{
	if (parse_words(st, 1) == -1)
		return -1;
	switch (st->tok) {
	case TOK_LT:
		if (parse_angle(st, list) == -1)
			return -1;
		break;
	case TOK_COLON:
		if (st->ingroup)
			return fail(st, "group inside a group");
		if (st->items == 0)
			return fail(st, "group without a name");
		st->ingroup = 1;
		list->groups++;
		return lex_next(st);
	case TOK_AT:
		if (st->items == 0)
			return fail(st, "empty local part");
		if (lex_next(st) == -1 || parse_domain(st) == -1 ||
		    list_add(st, list, 1, 0) == -1)
			return -1;
		break;
	case TOK_COMMA:
	case TOK_SEMI:
	case TOK_END:
		/* a bare local part; items > 0 as the list is not empty */
		if (!st->localok)
			return fail(st, "missing address (expected '<' or "
			    "'@')");
		if (list_add(st, list, 0, 0) == -1)
			return -1;
		break;
	default:
		return fail(st, tok_unexpected[st->tok]);
	}
	switch (st->tok) {
	case TOK_COMMA:
	case TOK_SEMI:
	case TOK_END:
		return 0;
	case TOK_ATOM:
	case TOK_QUOTED:
		return fail(st, "expected ',' between addresses");
	default:
		return fail(st, tok_unexpected[st->tok]);
	}
}

static int
parse_list(struct parser *st, struct addrlist *list)
{
	if (lex_next(st) == -1)
		return -1;
	for (;;) {
		switch (st->tok) {
		case TOK_END:
			if (st->ingroup)
				return fail(st, "unterminated group "
				    "(expected ';')");
			return 0;
		case TOK_COMMA:
			if (lex_next(st) == -1)
				return -1;
			break;
		case TOK_SEMI:
			if (!st->ingroup)
				return fail(st, "';' outside a group");
			st->ingroup = 0;
			if (lex_next(st) == -1)
				return -1;
			if (st->tok != TOK_COMMA && st->tok != TOK_END)
				return fail(st, "expected ',' after group");
			break;
		default:
			if (parse_address(st, list) == -1)
				return -1;
			break;
		}
	}
}

int
addrlist_parse(struct addrlist *list, const char *body, size_t len,
    char *err, size_t errlen)
{
	struct parser st;
	size_t n0 = list->n, g0 = list->groups;
	struct addrlist_entry *e;

	memset(&st, 0, sizeof(st));
	st.p = body;
	st.len = len;
	st.disp.s = st.dispbuf;
	st.disp.size = sizeof(st.dispbuf);
	st.local.s = st.localbuf;
	st.local.size = sizeof(st.localbuf);
	st.dom.s = st.dombuf;
	st.dom.size = sizeof(st.dombuf);
	if (parse_list(&st, list) == 0)
		return 0;

	while (list->n > n0) {
		e = &list->v[--list->n];
		free(e->addr);
		free(e->display);
	}
	list->groups = g0;
	if (errlen > 0)
		(void)strlcpy(err, st.why, errlen);
	if (st.nomem)
		errno = ENOMEM;
	return -1;
}

void
addrlist_free(struct addrlist *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		free(list->v[i].addr);
		free(list->v[i].display);
	}
	free(list->v);
	list->v = NULL;
	list->n = 0;
	list->cap = 0;
}
