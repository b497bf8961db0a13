/* SPDX-License-Identifier: ISC */
/*
 * smtpd_parse.c: the arguments of MAIL and RCPT (see smtpd_parse.h).
 * Depends on envelope (the DSN fields and NOTIFY lists).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "smtpd_parse.h"

int
smtpd_parse_path(const char **pp, char *addr, size_t size, const char **why)
{
	const char *p = *pp, *start, *end;
	int quoted = 0;
	size_t i;

	while (*p == ' ')
		p++;
	if (*p != '<') {
		/* no angle brackets: accepted, as Postfix and sendmail do */
		start = p;
		p += strcspn(p, " ");
		end = p;
		if (end == start) {
			*why = "no address";
			return -1;
		}
	} else {
		if (*++p == '@') {
			/* a source route, "@a,@b:", is dropped */
			p += strcspn(p, ":>");
			if (*p++ != ':') {
				*why = "bad source route";
				return -1;
			}
		}
		for (start = p; *p != '\0'; p++) {
			if (quoted && *p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quoted = !quoted;
			else if (!quoted && *p == '>')
				break;
		}
		if (*p != '>') {
			*why = "no closing \">\"";
			return -1;
		}
		end = p++;
		if (*p != '\0' && *p != ' ') {
			*why = "text after \">\"";
			return -1;
		}
	}
	if ((size_t)(end - start) >= size) {
		*why = "address too long";
		return -1;
	}
	for (i = 0; start + i < end; i++) {
		if ((unsigned char)start[i] < 0x20 || start[i] == 0x7f) {
			*why = "control character in the address";
			return -1;
		}
		addr[i] = start[i];
	}
	addr[i] = '\0';
	*pp = p;
	return 0;
}

int
smtpd_parse_param(const char **pp, char *key, size_t ksize, char *val,
    size_t vsize)
{
	const char *p = *pp;
	size_t kl, vl, i;

	while (*p == ' ')
		p++;
	if (*p == '\0')
		return 0;
	kl = strcspn(p, "= ");
	vl = p[kl] == '=' ? strcspn(p + kl + 1, " ") : 0;
	if (kl == 0 || kl >= ksize || vl >= vsize ||
	    (p[kl] == '=' && vl == 0))
		return -1;
	for (i = 0; i < kl; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' &&
		    p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
		    (i > 0 && p[i] == '-')))
			return -1;
	memcpy(key, p, kl);
	key[kl] = '\0';
	p += kl;
	if (*p == '=')
		p++;
	for (i = 0; i < vl; i++)
		if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e ||
		    p[i] == '=')
			return -1;
	memcpy(val, p, vl);
	val[vl] = '\0';
	*pp = p + vl;
	return 1;
}

int
smtpd_parse_xtext(const char *s, char *dst, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *h1, *h2;
	size_t o = 0;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '+') {
			if (s[1] == '\0' || s[2] == '\0' ||
			    (h1 = strchr(hex, s[1])) == NULL ||
			    (h2 = strchr(hex, s[2])) == NULL)
				return -1;
			c = (unsigned char)((h1 - hex) << 4 | (h2 - hex));
			s += 2;
		} else if (c < '!' || c > '~' || c == '=')
			return -1;
		if (o + 1 >= size)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return 0;
}

int
smtpd_parse_mail_param(struct carrier_envelope *env, const char *key,
    const char *val, char *why, size_t whylen)
{
	char id[ENVELOPE_ENVID_MAX + 1];
	size_t i;

	if (strcasecmp(key, "SIZE") == 0) {
		for (i = 0; val[i] >= '0' && val[i] <= '9'; i++)
			;
		if (i == 0 || val[i] != '\0' || i > 20)
			goto bad;
	} else if (strcasecmp(key, "BODY") == 0) {
		if (strcasecmp(val, "7BIT") != 0 &&
		    strcasecmp(val, "8BITMIME") != 0) {
			(void)snprintf(why, whylen, "5.5.4 Unsupported BODY "
			    "type: %.40s", val);
			return 555;
		}
	} else if (strcasecmp(key, "SMTPUTF8") == 0) {
		if (val[0] != '\0')
			goto bad;
		env->smtputf8 = 1;
	} else if (strcasecmp(key, "RET") == 0) {
		if (env->ret != ENVELOPE_RET_NONE)
			goto bad;
		if (strcasecmp(val, "FULL") == 0)
			env->ret = ENVELOPE_RET_FULL;
		else if (strcasecmp(val, "HDRS") == 0)
			env->ret = ENVELOPE_RET_HDRS;
		else
			goto bad;
	} else if (strcasecmp(key, "ENVID") == 0) {
		if (env->envid[0] != '\0' || smtpd_parse_xtext(val, id,
		    sizeof(id)) == -1 || id[0] == '\0')
			goto bad;
		for (i = 0; id[i] != '\0'; i++)
			if ((unsigned char)id[i] < ' ' ||
			    (unsigned char)id[i] > '~')
				goto bad;
		(void)strlcpy(env->envid, id, sizeof(env->envid));
	} else {
		(void)snprintf(why, whylen, "5.5.4 Unsupported option: %.40s",
		    key);
		return 555;
	}
	return 0;
bad:
	(void)snprintf(why, whylen, "5.5.4 Bad %.40s parameter", key);
	return 501;
}

int
smtpd_parse_rcpt_param(const char *key, const char *val,
    unsigned int *notify, char *why, size_t whylen)
{
	char orcpt[SMTPD_PARSE_VALUE_MAX];
	size_t tl;

	if (strcasecmp(key, "NOTIFY") == 0) {
		if (*notify != 0 || envelope_parse_notify(val, notify) == -1)
			goto bad;
	} else if (strcasecmp(key, "ORCPT") == 0) {
		tl = strcspn(val, ";");
		if (tl == 0 || val[tl] != ';' || smtpd_parse_xtext(val + tl +
		    1, orcpt, sizeof(orcpt)) == -1 || orcpt[0] == '\0')
			goto bad;
	} else {
		(void)snprintf(why, whylen, "5.5.4 Unsupported option: %.40s",
		    key);
		return 555;
	}
	return 0;
bad:
	(void)snprintf(why, whylen, "5.5.4 Bad %.40s parameter", key);
	return 501;
}
