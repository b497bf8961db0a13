/* SPDX-License-Identifier: ISC */
/* base64.c: RFC 4648 base64 (see base64.h).  Depends on nothing. */
#include <errno.h>
#include <string.h>

#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

long
base64_encode(const void *src, size_t len, char *dst, size_t size)
{
	const unsigned char *s = src;
	size_t i, o = 0;

	if (len > (size - 1) / 4 * 3 || BASE64_LEN(len) >= size) {
		errno = ENOSPC;
		return -1;
	}
	for (i = 0; i + 2 < len; i += 3) {
		dst[o++] = alphabet[s[i] >> 2];
		dst[o++] = alphabet[(s[i] & 3) << 4 | s[i + 1] >> 4];
		dst[o++] = alphabet[(s[i + 1] & 15) << 2 | s[i + 2] >> 6];
		dst[o++] = alphabet[s[i + 2] & 63];
	}
	if (i < len) {
		dst[o++] = alphabet[s[i] >> 2];
		if (i + 1 < len) {
			dst[o++] = alphabet[(s[i] & 3) << 4 | s[i + 1] >> 4];
			dst[o++] = alphabet[(s[i + 1] & 15) << 2];
		} else {
			dst[o++] = alphabet[(s[i] & 3) << 4];
			dst[o++] = '=';
		}
		dst[o++] = '=';
	}
	dst[o] = '\0';
	return (long)o;
}

long
base64_decode(const char *src, void *dst, size_t size)
{
	unsigned char *d = dst;
	unsigned int acc = 0;
	size_t o = 0, n = 0, pad = 0;
	const char *p;

	for (; *src != '\0'; src++) {
		if (*src == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (p = strchr(alphabet, *src)) == NULL)
			goto bad;
		acc = acc << 6 | (unsigned int)(p - alphabet);
		if (++n % 4 == 0) {
			if (o + 3 >= size)
				goto full;
			d[o++] = (unsigned char)(acc >> 16);
			d[o++] = (unsigned char)(acc >> 8);
			d[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (n % 4 == 1 || pad > 2 || (pad > 0 && (n + pad) % 4 != 0))
		goto bad;
	if (n % 4 != 0) {
		if (o + (n % 4 - 1) >= size)
			goto full;
		acc <<= 6 * (4 - n % 4);
		d[o++] = (unsigned char)(acc >> 16);
		if (n % 4 == 3)
			d[o++] = (unsigned char)(acc >> 8);
	}
	if (o >= size)
		goto full;
	d[o] = '\0';
	return (long)o;
bad:
	errno = EINVAL;
	return -1;
full:
	errno = ENOSPC;
	return -1;
}
