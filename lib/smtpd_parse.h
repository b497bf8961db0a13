/* SPDX-License-Identifier: ISC */
/*
 * smtpd_parse.h: the arguments of the MAIL and RCPT commands that smtpd
 * serves (RFC 5321 4.1.2): the path, then ESMTP parameters: SIZE (RFC
 * 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531), and the DSN ones (RFC
 * 3461: RET, ENVID, NOTIFY, ORCPT, with xtext values).  Pure functions on
 * strings; the replies they suggest carry enhanced status codes.
 */
#ifndef CARRIER_SMTPD_PARSE_H
#define CARRIER_SMTPD_PARSE_H

#include <stddef.h>

#include "envelope.h"

#define SMTPD_PARSE_KEY_MAX	32	/* a parameter's keyword, with NUL */
#define SMTPD_PARSE_VALUE_MAX	512	/* a parameter's value, with NUL */

/*
 * Takes the address of a path from *pp: "<addr>", "<>" (addr ""),
 * "<@a,@b:addr>" (the source route is dropped), or, leniently, a bare
 * address up to the next space; spaces before it are skipped (clients
 * write "MAIL FROM: <a@b>").  A quoted local part may hold spaces and
 * ">".  The address goes into addr (size octets, NUL-terminated).
 * Returns 0 with *pp just after the path, or -1 with a short reason in
 * *why (a static string): no closing ">", text after it, a control
 * character, or an address that does not fit.
 */
int	smtpd_parse_path(const char **pp, char *addr, size_t size,
	    const char **why);

/*
 * Splits the next ESMTP parameter "keyword[=value]" off *pp (spaces
 * before it skipped) into key (ksize octets) and val (vsize octets; ""
 * without a value).  A keyword is letters, digits and '-' (not first);
 * a value is printable ASCII without '=' or space.  Returns 1 with *pp
 * after it, 0 when none is left, -1 on bad syntax or a part too long.
 */
int	smtpd_parse_param(const char **pp, char *key, size_t ksize,
	    char *val, size_t vsize);

/*
 * Decodes RFC 3461 xtext ("+HH" for a byte, otherwise '!'..'~' but '+'
 * and '=') into dst (size octets, NUL-terminated).  Returns 0, or -1
 * when s is not xtext or does not fit.
 */
int	smtpd_parse_xtext(const char *s, char *dst, size_t size);

/*
 * Applies one MAIL parameter: SIZE (digits; no limit is enforced here),
 * BODY=7BIT or 8BITMIME, SMTPUTF8, RET=FULL|HDRS into env->ret,
 * ENVID=xtext (printable ASCII once decoded, 1 to ENVELOPE_ENVID_MAX
 * octets) into env->envid; RET or ENVID twice is an error.  Returns 0,
 * or the reply code (501 bad value, 555 unknown parameter or BODY type)
 * with its text, enhanced code first, in why.
 */
int	smtpd_parse_mail_param(struct carrier_envelope *env,
	    const char *key, const char *val, char *why, size_t whylen);

/*
 * Applies one RCPT parameter: NOTIFY (envelope_parse_notify(); once)
 * into *notify; ORCPT=addr-type;xtext checked and dropped.  Returns 0,
 * or the reply code (501, 555) with its text in why.
 */
int	smtpd_parse_rcpt_param(const char *key, const char *val,
	    unsigned int *notify, char *why, size_t whylen);

#endif
