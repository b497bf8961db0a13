/* SPDX-License-Identifier: ISC */
/*
 * priv.c: the set-group-ID privilege (see priv.h).  Depends on nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "priv.h"

static gid_t	real_gid, set_gid;
static int	have;		/* set_gid is ours to take */
static int	depth;		/* priv_raise() calls not yet lowered */

int
priv_init(void)
{
	gid_t r, e, s;

	if (getresgid(&r, &e, &s) == -1)
		return -1;
	real_gid = r;
	if (e == r && s == r)
		return 0;	/* not set-group-ID */
	set_gid = e != r ? e : s;
	have = 1;
	return setresgid((gid_t)-1, r, set_gid);
}

int
priv_drop(void)
{
	if (!have)
		return 0;
	have = 0;
	depth = 0;
	return setresgid(real_gid, real_gid, real_gid);
}

int
priv_raise(void)
{
	if (!have)
		return 0;
	if (depth == 0 && setresgid((gid_t)-1, set_gid, (gid_t)-1) == -1)
		return -1;
	depth++;
	return 0;
}

void
priv_lower(void)
{
	int e = errno;

	if (!have || depth == 0)
		return;
	if (--depth == 0 && setresgid((gid_t)-1, real_gid, (gid_t)-1) == -1)
		abort();
	errno = e;
}

int
priv_active(void)
{
	return have;
}
