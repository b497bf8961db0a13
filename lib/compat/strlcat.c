/* SPDX-License-Identifier: ISC */
/*
 * strlcat: append a string to a sized buffer, always NUL-terminating it;
 * returns the length the result would have had, so truncation is detectable.
 */
#include <string.h>

#include "../compat.h"

size_t
strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	if (dlen == size)
		return size + strlen(src);
	return dlen + strlcpy(dst + dlen, src, size - dlen);
}
