/* SPDX-License-Identifier: ISC */
/*
 * sts.h: MTA-STS (RFC 8461) parsing: the "_mta-sts" TXT record, the
 * policy file, and the match of an MX host against a policy's mx
 * patterns; pure functions, no I/O.
 *
 * Nothing calls this module yet: it is used by the MTA-STS support to
 * come (DNS lookup of the TXT record, HTTPS fetch of the policy, the
 * policy cache), which does the I/O.
 *
 * The syntax is RFC 8461's ABNF (3.1, 3.2), keys and fixed values case
 * sensitive as its %s"..." strings are.  Unknown fields are ignored
 * (after a check of their syntax), as 3.2 requires.
 */
#ifndef CARRIER_STS_H
#define CARRIER_STS_H

#include <stddef.h>

#define STS_ID_MAX	33	/* an id: 1 to 32 letters and digits, NUL */
#define STS_MX_MAX	32	/* mx patterns kept of one policy */
#define STS_MX_LEN	256	/* a pattern ("*." and a name), NUL */
#define STS_POLICY_MAX	65536	/* the size cap of RFC 8461 3.3 */
#define STS_MAX_AGE_MAX	31557600UL	/* RFC 8461 3.2: a year */

enum sts_mode {
	STS_ENFORCE = 1,	/* refuse hosts that fail (RFC 8461 5) */
	STS_TESTING,		/* report only */
	STS_NONE		/* as if there were no policy */
};

struct sts_policy {
	int		mode;		/* an enum sts_mode */
	unsigned long	max_age;	/* seconds, 0 .. STS_MAX_AGE_MAX */
	size_t		nmx;
	char		mx[STS_MX_MAX][STS_MX_LEN];
};

/*
 * Parses the len octets at txt as an "_mta-sts" TXT record (RFC 8461
 * 3.1; the strings of a record of several already concatenated by the
 * caller): "v=STSv1" first, then fields after ";" delimiters with
 * optional blanks (space, tab) around them, a final ";" allowed.  "id="
 * and 1 to 32 letters and digits is required; an unknown field must be
 * name=value (a name of a letter or digit and up to 31 letters, digits,
 * "_", "-", "."; a value of printable characters but "=" and ";") and is
 * ignored.  Of two id fields the first counts (as for the policy, 3.2).
 *
 * Returns 0 with the id in id (idsize octets, at least STS_ID_MAX), or
 * -1 with id empty and a short reason in why (whylen octets; none when
 * 0).  Blanks at the end of the record are ignored.  A
 * record that does not begin with "v=STSv1" fails with the reason "not
 * an STSv1 record", by which the caller can discard it among several
 * TXT records (3.1).  A NUL octet in the record is an error.
 */
int	sts_parse_txt(const char *txt, size_t len, char *id, size_t idsize,
	    char *why, size_t whylen);

/*
 * Parses the len octets at text (at most STS_POLICY_MAX) as an MTA-STS
 * policy file (RFC 8461 3.2) into p.  Lines "key: value" (blanks
 * allowed after the colon and at the end of the line, none before the
 * colon) end in LF or CRLF, the last one's end optional; empty lines
 * are skipped (the ABNF has none, but a final blank line is common).
 * Required: "version: STSv1", "mode: " enforce, testing or none,
 * "max_age: " 1 to 10 digits worth 0 .. STS_MAX_AGE_MAX, and at least
 * one "mx: " unless the mode is none.  An mx pattern is a host name
 * (RFC 5321 Domain: labels of letters, digits and hyphens, no hyphen
 * first or last, 1 to 63 octets, at most 253 in all, no trailing dot),
 * optionally after "*."; patterns are kept lowercased, in order, a
 * repeat dropped, at most STS_MX_MAX (more is an error).  Unknown keys
 * are ignored once their line checks (the key as in sts_parse_txt, a
 * value of printable characters, spaces inside, octets from 0x80
 * accepted as UTF-8 without further checks).  A key other than mx seen
 * twice: the first counts and the later lines are ignored, values
 * unchecked (RFC 8461 3.2: "all entries except for the first SHALL be
 * ignored").
 *
 * Returns 0, or -1 with a short reason in why (p is then undefined).
 */
int	sts_parse_policy(const char *text, size_t len, struct sts_policy *p,
	    char *why, size_t whylen);

/*
 * Whether the MX host name mx (any case, a trailing dot ignored) matches
 * one of p's mx patterns (RFC 8461 4.1): a name equal to the pattern
 * but for case, or, for a pattern "*.rest", a name of exactly one more
 * label than rest ("*.example.com" matches "mail.example.com", neither
 * "example.com" nor "a.b.example.com").  1 or 0.
 */
int	sts_mx_match(const struct sts_policy *p, const char *mx);

#endif
