/* SPDX-License-Identifier: ISC */
/*
 * text.c: formatted text appended to a bounded buffer (text.h).
 * Depends on nothing.
 */
#include <stdarg.h>
#include <stdio.h>

#include "text.h"

void
text_append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*len < size ? buf + *len : NULL, *len < size ?
	    size - *len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
}
