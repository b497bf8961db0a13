/* SPDX-License-Identifier: ISC */
/*
 * addr.c: envelope address checks (see addr.h).  The grammar is RFC 5321
 * 4.1.2 with RFC 6531's UTF-8 extension: a byte >= 0x80 may appear where
 * atext may, but only as part of a well-formed UTF-8 sequence.
 * Depends on nothing but libc.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "addr.h"

static int	is_atext(unsigned char);
static size_t	utf8_seq(const unsigned char *, size_t);
static int	check_dot_string(const char *, size_t);
static int	check_quoted(const char *, size_t);
static int	check_literal(const char *, size_t);
static int	fail(char *, size_t, const char *);

static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Length of the well-formed UTF-8 sequence at s (0 if malformed). */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int
check_dot_string(const char *s, size_t len)
{
	size_t i = 0, n;
	int atom = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (atom == 0)
				return -1;	/* leading or double dot */
			atom = 0;
			i++;
		} else if (c >= 0x80) {
			if ((n = utf8_seq((const unsigned char *)s + i,
			    len - i)) == 0)
				return -1;
			atom++;
			i += n;
		} else if (is_atext(c)) {
			atom++;
			i++;
		} else
			return -1;
	}
	return atom == 0 ? -1 : 0;	/* empty or trailing dot */
}

static int
check_quoted(const char *s, size_t len)
{
	size_t i, n;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return -1;
	for (i = 1; i < len - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			/* quoted-pair: backslash then printable ASCII */
			if (++i >= len - 1 || (unsigned char)s[i] < 0x20 ||
			    (unsigned char)s[i] > 0x7e)
				return -1;
		} else if (c >= 0x80) {
			if ((n = utf8_seq((const unsigned char *)s + i,
			    len - 1 - i)) == 0)
				return -1;
			i += n - 1;
		} else if (c < 0x20 || c == 0x7f || c == '"')
			return -1;
	}
	return 0;
}

static int
check_literal(const char *s, size_t len)
{
	char buf[64];
	unsigned char bin[16];

	if (len < 3 || len - 2 >= sizeof(buf) || s[len - 1] != ']')
		return -1;
	memcpy(buf, s + 1, len - 2);
	buf[len - 2] = '\0';
	if (strncasecmp(buf, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, buf + 5, bin) == 1 ? 0 : -1;
	return inet_pton(AF_INET, buf, bin) == 1 ? 0 : -1;
}

int
addr_check_domain(const char *d, size_t len)
{
	size_t i = 0, label = 0, n;

	if (len == 0 || len > ADDR_DOMAIN_MAX)
		return -1;
	if (d[0] == '[')
		return check_literal(d, len);
	while (i < len) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (label == 0 || d[i - 1] == '-')
				return -1;
			label = 0;
			i++;
			continue;
		}
		if (c >= 0x80) {
			if ((n = utf8_seq((const unsigned char *)d + i,
			    len - i)) == 0)
				return -1;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_')
			n = 1;
		else if (c == '-' && label > 0)
			n = 1;
		else
			return -1;
		label += n;
		i += n;
		if (label > 63)
			return -1;
	}
	/* a trailing dot (root) is not allowed in a mailbox domain */
	return label == 0 || d[len - 1] == '-' ? -1 : 0;
}

static int
fail(char *why, size_t whylen, const char *reason)
{
	if (whylen > 0)
		(void)strlcpy(why, reason, whylen);
	return -1;
}

int
addr_check_mailbox(const char *addr, char *why, size_t whylen)
{
	const char *at;
	size_t len = strlen(addr), local;

	if (len == 0)
		return fail(why, whylen, "empty address");
	if (len > ADDR_MAX)
		return fail(why, whylen, "address longer than 254 octets");
	if ((at = strrchr(addr, '@')) == NULL)
		return fail(why, whylen, "no domain (expected local@domain)");
	local = (size_t)(at - addr);
	if (local == 0)
		return fail(why, whylen, "empty local part");
	if (local > ADDR_LOCAL_MAX)
		return fail(why, whylen, "local part longer than 64 octets");
	if (addr[0] == '"' ? check_quoted(addr, local) != 0 :
	    check_dot_string(addr, local) != 0)
		return fail(why, whylen, "invalid local part");
	if (addr_check_domain(at + 1, len - local - 1) != 0)
		return fail(why, whylen, "invalid domain");
	return 0;
}

const char *
addr_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at == NULL ? NULL : at + 1;
}

int
addr_is_utf8(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}
