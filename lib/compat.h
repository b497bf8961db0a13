/* SPDX-License-Identifier: ISC */
/*
 * compat.h: declarations of the functions configure found missing; their
 * implementations live in lib/compat/ and are built only when needed.
 */
#ifndef CARRIER_COMPAT_H
#define CARRIER_COMPAT_H

#include <stddef.h>

#include "config.h"

#ifndef HAVE_STRLCPY
size_t	strlcpy(char *, const char *, size_t);
#endif
#ifndef HAVE_STRLCAT
size_t	strlcat(char *, const char *, size_t);
#endif
#ifndef HAVE_REALLOCARRAY
void	*reallocarray(void *, size_t, size_t);
#endif
#ifndef HAVE_EXPLICIT_BZERO
void	explicit_bzero(void *, size_t);
#endif

#endif
