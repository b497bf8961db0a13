/* SPDX-License-Identifier: ISC */
/*
 * reallocarray: realloc(p, n * size) that fails with ENOMEM on overflow.
 */
#include <errno.h>
#include <stdlib.h>

#include "../compat.h"

void *
reallocarray(void *p, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, total);
}
