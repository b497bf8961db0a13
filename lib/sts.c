/* SPDX-License-Identifier: ISC */
/*
 * sts.c: MTA-STS parsing (see sts.h): the "_mta-sts" TXT record (RFC
 * 8461 3.1), the policy file (3.2) and MX matching (4.1).  Depends on
 * compat only.  Nothing calls it yet: it is used by the MTA-STS support
 * to come.
 *
 * Characters are classified by hand in ASCII, never by the locale.
 * Note on RFC 8461's ABNF: its sts-policy-field lists sts-policy-term
 * where sts-policy-mx is meant (the mx line); the prose is followed.
 */
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "sts.h"

#define STS_VERSION	"v=STSv1"
#define STS_NAME_MAX	253	/* a host name, no trailing dot */
#define STS_LABEL_MAX	63
#define STS_EXT_NAME_MAX 32	/* an extension's name */
#define STS_AGE_DIGITS	10	/* max_age: 1*10 DIGIT */

/* The keys seen in a policy (a bit each). */
#define STS_SEEN_VERSION	0x1
#define STS_SEEN_MODE		0x2
#define STS_SEEN_MAX_AGE	0x4

static int	sts_fail(char *, size_t, const char *);
static int	sts_line_fail(char *, size_t, size_t, const char *);
static int	sts_alnum(int);
static int	sts_blank(int);
static char	sts_lower(char);
static int	sts_is(const char *, size_t, const char *);
static int	sts_ext_name_ok(const char *, size_t);
static int	sts_txt_value_ok(const char *, size_t);
static int	sts_policy_value_ok(const char *, size_t);
static int	sts_domain_ok(const char *, size_t);
static int	sts_txt_field(const char *, size_t, char *, size_t, int *,
		    char *, size_t);
static int	sts_txt_fields(const char *, size_t, size_t, char *, size_t,
		    char *, size_t);
static int	sts_mode(const char *, size_t);
static int	sts_max_age(const char *, size_t, unsigned long *);
static int	sts_mx_add(struct sts_policy *, const char *, size_t,
		    char *, size_t, size_t);
static int	sts_policy_line(struct sts_policy *, int *, const char *,
		    size_t, size_t, char *, size_t);
static int	sts_caseeq(const char *, const char *, size_t);

static int
sts_fail(char *why, size_t whylen, const char *reason)
{
	if (whylen > 0)
		(void)strlcpy(why, reason, whylen);
	return -1;
}

static int
sts_line_fail(char *why, size_t whylen, size_t lineno, const char *reason)
{
	if (whylen > 0)
		(void)snprintf(why, whylen, "line %zu: %s", lineno, reason);
	return -1;
}

static int
sts_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* WSP: space or tab. */
static int
sts_blank(int c)
{
	return c == ' ' || c == '\t';
}

static char
sts_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 'a' - 'A') : c;
}

/* Whether the n octets at s are the string word, exactly. */
static int
sts_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(s, word, n) == 0;
}

/* Whether the n octets at a and b are equal but for ASCII case. */
static int
sts_caseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sts_lower(a[i]) != sts_lower(b[i]))
			return 0;
	return 1;
}

/* sts-ext-name, sts-policy-ext-name: (ALPHA / DIGIT) *31(... "_-.") */
static int
sts_ext_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > STS_EXT_NAME_MAX || !sts_alnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!sts_alnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

/* sts-ext-value: 1*(%x21-3A / %x3C / %x3E-7E) */
static int
sts_txt_value_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == ';' || s[i] == '=')
			return 0;
	return 1;
}

/*
 * sts-policy-ext-value: visible characters (octets from 0x80 taken as
 * UTF-8), spaces inside; the caller has stripped the blanks around it.
 */
static int
sts_policy_value_ok(const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return s[0] != ' ' && s[n - 1] != ' ';
}

/* RFC 5321 Domain: Let-dig [Ldh-str] labels, no trailing dot. */
static int
sts_domain_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > STS_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (s[i] == '-' && label == 0)
			return 0;
		if (!sts_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
		if (++label > STS_LABEL_MAX)
			return 0;
	}
	return label > 0 && s[n - 1] != '-';
}

/*
 * One field of a TXT record (n octets at f, no blank or ";" in it): the
 * id into id (first one only, *haveid set), an extension checked.
 */
static int
sts_txt_field(const char *f, size_t n, char *id, size_t idsize,
    int *haveid, char *why, size_t whylen)
{
	const char *eq;
	size_t i, nlen, vlen;

	eq = memchr(f, '=', n);
	if (eq == NULL)
		return sts_fail(why, whylen, "a field without \"=\"");
	nlen = (size_t)(eq - f);
	vlen = n - nlen - 1;
	if (sts_is(f, nlen, "id")) {
		if (vlen == 0 || vlen > STS_ID_MAX - 1)
			return sts_fail(why, whylen,
			    "id not 1 to 32 characters");
		for (i = 0; i < vlen; i++)
			if (!sts_alnum((unsigned char)eq[1 + i]))
				return sts_fail(why, whylen,
				    "id not letters and digits");
		if (!*haveid) {
			if (idsize <= vlen)
				return sts_fail(why, whylen,
				    "no room for the id");
			memcpy(id, eq + 1, vlen);
			id[vlen] = '\0';
			*haveid = 1;
		}
		return 0;
	}
	if (!sts_ext_name_ok(f, nlen) || !sts_txt_value_ok(eq + 1, vlen))
		return sts_fail(why, whylen, "a malformed field");
	return 0;
}

/* The fields after "v=STSv1" (at txt + pos): the id into id. */
static int
sts_txt_fields(const char *txt, size_t len, size_t pos, char *id,
    size_t idsize, char *why, size_t whylen)
{
	size_t start;
	int haveid = 0;

	for (;;) {
		while (pos < len && sts_blank((unsigned char)txt[pos]))
			pos++;
		if (pos == len)
			break;
		if (txt[pos] != ';')
			return sts_fail(why, whylen,
			    "fields not separated by \";\"");
		pos++;
		while (pos < len && sts_blank((unsigned char)txt[pos]))
			pos++;
		if (pos == len)
			break;
		start = pos;
		while (pos < len && txt[pos] != ';' &&
		    !sts_blank((unsigned char)txt[pos]))
			pos++;
		if (pos == start)
			return sts_fail(why, whylen, "an empty field");
		if (sts_txt_field(txt + start, pos - start, id, idsize,
		    &haveid, why, whylen) == -1)
			return -1;
	}
	if (!haveid)
		return sts_fail(why, whylen, "no id");
	return 0;
}

int
sts_parse_txt(const char *txt, size_t len, char *id, size_t idsize,
    char *why, size_t whylen)
{
	size_t vlen = strlen(STS_VERSION);

	if (whylen > 0)
		why[0] = '\0';
	if (idsize > 0)
		id[0] = '\0';
	if (len < vlen || memcmp(txt, STS_VERSION, vlen) != 0)
		return sts_fail(why, whylen, "not an STSv1 record");
	if (sts_txt_fields(txt, len, vlen, id, idsize, why, whylen) == -1) {
		if (idsize > 0)
			id[0] = '\0';
		return -1;
	}
	return 0;
}

/* An enum sts_mode for the n octets at s, or 0. */
static int
sts_mode(const char *s, size_t n)
{
	if (sts_is(s, n, "enforce"))
		return STS_ENFORCE;
	if (sts_is(s, n, "testing"))
		return STS_TESTING;
	if (sts_is(s, n, "none"))
		return STS_NONE;
	return 0;
}

/* max_age: 1 to 10 digits, at most STS_MAX_AGE_MAX; 0 or -1. */
static int
sts_max_age(const char *s, size_t n, unsigned long *age)
{
	unsigned long long v = 0;
	size_t i;

	if (n == 0 || n > STS_AGE_DIGITS)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (v > STS_MAX_AGE_MAX)
		return -1;
	*age = (unsigned long)v;
	return 0;
}

/* Adds the mx pattern at s (n octets), lowercased, unless a repeat. */
static int
sts_mx_add(struct sts_policy *p, const char *s, size_t n, char *why,
    size_t whylen, size_t lineno)
{
	char pat[STS_MX_LEN];
	size_t i, skip = 0;

	if (n >= 2 && s[0] == '*' && s[1] == '.')
		skip = 2;
	if (!sts_domain_ok(s + skip, n - skip))
		return sts_line_fail(why, whylen, lineno,
		    "a malformed mx pattern");
	/* n <= 2 + STS_NAME_MAX < STS_MX_LEN */
	for (i = 0; i < n; i++)
		pat[i] = sts_lower(s[i]);
	pat[n] = '\0';
	for (i = 0; i < p->nmx; i++)
		if (strcmp(p->mx[i], pat) == 0)
			return 0;
	if (p->nmx == STS_MX_MAX)
		return sts_line_fail(why, whylen, lineno,
		    "too many mx patterns");
	memcpy(p->mx[p->nmx++], pat, n + 1);
	return 0;
}

/*
 * One line "key: value" (n octets at line, its end and trailing blanks
 * off) into p; *seen has the keys met before.
 */
static int
sts_policy_line(struct sts_policy *p, int *seen, const char *line,
    size_t n, size_t lineno, char *why, size_t whylen)
{
	const char *colon, *v;
	size_t klen, vlen;
	int bit = 0;

	colon = memchr(line, ':', n);
	if (colon == NULL)
		return sts_line_fail(why, whylen, lineno, "no \":\"");
	klen = (size_t)(colon - line);
	v = colon + 1;
	vlen = n - klen - 1;
	while (vlen > 0 && sts_blank((unsigned char)*v)) {
		v++;
		vlen--;
	}
	if (sts_is(line, klen, "mx"))
		return sts_mx_add(p, v, vlen, why, whylen, lineno);
	if (sts_is(line, klen, "version"))
		bit = STS_SEEN_VERSION;
	else if (sts_is(line, klen, "mode"))
		bit = STS_SEEN_MODE;
	else if (sts_is(line, klen, "max_age"))
		bit = STS_SEEN_MAX_AGE;
	else if (!sts_ext_name_ok(line, klen) ||
	    !sts_policy_value_ok(v, vlen))
		return sts_line_fail(why, whylen, lineno,
		    "a malformed field");
	if (bit == 0 || (*seen & bit))
		return 0;	/* unknown, or a repeat: ignored */
	*seen |= bit;
	if (bit == STS_SEEN_VERSION && !sts_is(v, vlen, "STSv1"))
		return sts_line_fail(why, whylen, lineno,
		    "version not STSv1");
	if (bit == STS_SEEN_MODE && (p->mode = sts_mode(v, vlen)) == 0)
		return sts_line_fail(why, whylen, lineno,
		    "mode not enforce, testing or none");
	if (bit == STS_SEEN_MAX_AGE && sts_max_age(v, vlen, &p->max_age) ==
	    -1)
		return sts_line_fail(why, whylen, lineno,
		    "max_age not 0 to 31557600");
	return 0;
}

int
sts_parse_policy(const char *text, size_t len, struct sts_policy *p,
    char *why, size_t whylen)
{
	const char *eol;
	size_t pos, end, next, lineno;
	int seen = 0;

	if (whylen > 0)
		why[0] = '\0';
	memset(p, 0, sizeof(*p));
	if (len > STS_POLICY_MAX)
		return sts_fail(why, whylen, "policy larger than 64 KiB");
	for (pos = 0, lineno = 1; pos < len; pos = next, lineno++) {
		eol = memchr(text + pos, '\n', len - pos);
		end = eol != NULL ? (size_t)(eol - text) : len;
		next = eol != NULL ? end + 1 : len;
		if (eol != NULL && end > pos && text[end - 1] == '\r')
			end--;
		while (end > pos && sts_blank((unsigned char)text[end - 1]))
			end--;
		if (end == pos)
			continue;
		if (sts_policy_line(p, &seen, text + pos, end - pos, lineno,
		    why, whylen) == -1)
			return -1;
	}
	if (!(seen & STS_SEEN_VERSION))
		return sts_fail(why, whylen, "no version");
	if (!(seen & STS_SEEN_MODE))
		return sts_fail(why, whylen, "no mode");
	if (!(seen & STS_SEEN_MAX_AGE))
		return sts_fail(why, whylen, "no max_age");
	if (p->mode != STS_NONE && p->nmx == 0)
		return sts_fail(why, whylen, "no mx");
	return 0;
}

int
sts_mx_match(const struct sts_policy *p, const char *mx)
{
	const char *dot, *pat;
	size_t len, plen, i;

	len = strlen(mx);
	if (len > 0 && mx[len - 1] == '.')
		len--;
	if (len == 0)
		return 0;
	dot = memchr(mx, '.', len);
	for (i = 0; i < p->nmx; i++) {
		pat = p->mx[i];
		plen = strlen(pat);
		if (pat[0] == '*') {
			/* "*." rest: one label, a dot, then rest. */
			if (dot != NULL && dot != mx &&
			    len - (size_t)(dot - mx) == plen - 1 &&
			    sts_caseeq(dot + 1, pat + 2, plen - 2))
				return 1;
		} else if (plen == len && sts_caseeq(mx, pat, len))
			return 1;
	}
	return 0;
}

