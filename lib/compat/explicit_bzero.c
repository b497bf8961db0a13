/* SPDX-License-Identifier: ISC */
/*
 * explicit_bzero: zero a buffer (a secret after use) in a way the
 * compiler may not remove as a dead store: memset through a volatile
 * pointer to it, then a barrier that says the memory was read.
 */
#include <string.h>

#include "../compat.h"

static void	*(*const volatile memset_v)(void *, int, size_t) = memset;

void
explicit_bzero(void *p, size_t n)
{
	memset_v(p, 0, n);
#if defined(__GNUC__)
	__asm__ __volatile__("" : : "r"(p) : "memory");
#endif
}
