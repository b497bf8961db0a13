/* SPDX-License-Identifier: ISC */
/*
 * addr.h: envelope address checks (RFC 5321 4.1.2 Mailbox, with the
 * UTF-8 forms of RFC 6531).
 */
#ifndef CARRIER_ADDR_H
#define CARRIER_ADDR_H

#include <stddef.h>

#define ADDR_LOCAL_MAX	64	/* RFC 5321 4.5.3.1.1 */
#define ADDR_DOMAIN_MAX	255	/* RFC 5321 4.5.3.1.2 */
#define ADDR_MAX	254	/* a path is 256 with its angle brackets */

/*
 * Checks that addr is a usable envelope mailbox, "local@domain": a
 * dot-string or quoted-string local part, and a domain name or address
 * literal.  Returns 0 if so; -1 if not, with a short reason in why.
 */
int	addr_check_mailbox(const char *addr, char *why, size_t whylen);

/*
 * Checks a domain: LDH labels (UTF-8 allowed) of 1-63 octets, at most
 * 255 in all, or an address literal "[192.0.2.1]" / "[IPv6:...]".
 * Returns 0 if valid, -1 if not.
 */
int	addr_check_domain(const char *domain, size_t len);

/* The domain part of a checked mailbox (after the last '@'), or NULL. */
const char *addr_domain(const char *addr);

/* Non-zero when s contains a byte >= 0x80 (needs SMTPUTF8 on the wire). */
int	addr_is_utf8(const char *s);

#endif
