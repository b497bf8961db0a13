/* SPDX-License-Identifier: ISC */
/* base64.h: RFC 4648 base64, for SMTP AUTH. */
#ifndef CARRIER_BASE64_H
#define CARRIER_BASE64_H

#include <stddef.h>

/* The encoded length of n bytes, without the NUL. */
#define BASE64_LEN(n)	(((n) + 2) / 3 * 4)

/*
 * Encodes len bytes of src into dst (size bytes, NUL-terminated).
 * Returns the encoded length, or -1 (ENOSPC) if dst is too small.
 */
long	base64_encode(const void *src, size_t len, char *dst, size_t size);

/*
 * Decodes NUL-terminated src into dst (size bytes; the result is also
 * NUL-terminated for convenience).  Returns the decoded length, or -1 on
 * bad input (EINVAL) or a too small dst (ENOSPC).
 */
long	base64_decode(const char *src, void *dst, size_t size);

#endif
