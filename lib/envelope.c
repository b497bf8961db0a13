/* SPDX-License-Identifier: ISC */
/*
 * envelope.c: sender and recipient list (see envelope.h).
 * Depends on status (the per-recipient outcome).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "envelope.h"

int
envelope_init(struct carrier_envelope *env)
{
	memset(env, 0, sizeof(*env));
	if ((env->sender = strdup("")) == NULL)
		return -1;
	return 0;
}

int
envelope_set_sender(struct carrier_envelope *env, const char *addr)
{
	char *copy;

	if ((copy = strdup(addr)) == NULL)
		return -1;
	free(env->sender);
	env->sender = copy;
	return 0;
}

int
envelope_add_rcpt(struct carrier_envelope *env, const char *addr)
{
	struct carrier_rcpt *r;
	size_t i, ncap;

	for (i = 0; i < env->nrcpts; i++)
		if (strcmp(env->rcpts[i].addr, addr) == 0)
			return 0;
	if (env->nrcpts >= ENVELOPE_RCPT_MAX) {
		errno = E2BIG;
		return -1;
	}
	if (env->nrcpts == env->cap) {
		ncap = env->cap == 0 ? 8 : env->cap * 2;
		r = reallocarray(env->rcpts, ncap, sizeof(*r));
		if (r == NULL)
			return -1;
		env->rcpts = r;
		env->cap = ncap;
	}
	r = &env->rcpts[env->nrcpts];
	memset(r, 0, sizeof(*r));
	if ((r->addr = strdup(addr)) == NULL)
		return -1;
	env->nrcpts++;
	return 0;
}

void
envelope_free(struct carrier_envelope *env)
{
	size_t i;

	for (i = 0; i < env->nrcpts; i++)
		free(env->rcpts[i].addr);
	free(env->rcpts);
	free(env->sender);
	memset(env, 0, sizeof(*env));
}
