/* SPDX-License-Identifier: ISC */
/*
 * envelope.c: sender and recipient list (see envelope.h).
 * Depends on status (the per-recipient outcome).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* FNV-1a, 64 bits. */
static uint64_t
hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The slot that holds addr, or the empty one where it would go. */
static size_t *
find_slot(const struct carrier_envelope *env, const char *addr)
{
	size_t mask = env->nslot - 1, i = (size_t)hash(addr) & mask;

	while (env->slot[i] != 0 &&
	    strcmp(env->rcpts[env->slot[i] - 1].addr, addr) != 0)
		i = (i + 1) & mask;
	return &env->slot[i];
}

/* Keeps the table at most half full for one more; 0 or -1 (ENOMEM). */
static int
grow_slots(struct carrier_envelope *env)
{
	size_t n, i, *old = env->slot;

	if (2 * (env->nrcpts + 1) <= env->nslot)
		return 0;
	for (n = 16; n < 4 * (env->nrcpts + 1); n *= 2)
		;
	if ((env->slot = calloc(n, sizeof(*env->slot))) == NULL) {
		env->slot = old;
		return -1;
	}
	env->nslot = n;
	for (i = 0; i < env->nrcpts; i++)
		*find_slot(env, env->rcpts[i].addr) = i + 1;
	free(old);
	return 0;
}

int
envelope_add_rcpt(struct carrier_envelope *env, const char *addr)
{
	struct carrier_rcpt *r;
	size_t ncap, *slot;

	if (grow_slots(env) == -1)
		return -1;
	if (*(slot = find_slot(env, addr)) != 0)
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
	r->notify = env->notify;
	if ((r->addr = strdup(addr)) == NULL)
		return -1;
	*slot = ++env->nrcpts;
	return 0;
}

size_t
envelope_open_count(const struct carrier_envelope *env)
{
	size_t i, n = 0;

	for (i = 0; i < env->nrcpts; i++)
		n += !envelope_done(&env->rcpts[i]);
	return n;
}

void
envelope_settle(struct carrier_rcpt *r)
{
	switch (r->result.status) {
	case CARRIER_OK:
		r->state = ENVELOPE_DELIVERED;
		break;
	case CARRIER_TEMP:
		r->state = ENVELOPE_DEFERRED;
		break;
	case CARRIER_PERM:
		r->state = ENVELOPE_BOUNCED;
		break;
	}
}

void
envelope_free(struct carrier_envelope *env)
{
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		free(env->rcpts[i].addr);
		free(env->rcpts[i].orcpt);
	}
	free(env->rcpts);
	free(env->slot);
	free(env->sender);
	memset(env, 0, sizeof(*env));
}

int
envelope_parse_notify(const char *s, unsigned int *bits)
{
	static const struct {
		const char	*name;
		unsigned int	 bit;
	} words[] = {
		{ "never", ENVELOPE_NOTIFY_NEVER },
		{ "success", ENVELOPE_NOTIFY_SUCCESS },
		{ "failure", ENVELOPE_NOTIFY_FAILURE },
		{ "delay", ENVELOPE_NOTIFY_DELAY },
	};
	unsigned int b = 0;
	size_t i, wl;

	for (;;) {
		wl = strcspn(s, ",");
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (wl == strlen(words[i].name) &&
			    strncasecmp(s, words[i].name, wl) == 0)
				break;
		if (i == sizeof(words) / sizeof(words[0]) ||
		    (b & words[i].bit))
			return -1;
		b |= words[i].bit;
		if (s[wl] == '\0')
			break;
		s += wl + 1;
	}
	/* NEVER stands alone */
	if ((b & ENVELOPE_NOTIFY_NEVER) && b != ENVELOPE_NOTIFY_NEVER)
		return -1;
	*bits = b;
	return 0;
}

int
envelope_xtext(const char *s, char *dst, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c > ' ' && c <= '~' && c != '+' && c != '=') {
			if (o + 2 > size)
				return -1;
			dst[o++] = (char)c;
		} else {
			if (o + 4 > size)
				return -1;
			dst[o++] = '+';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	if (o + 1 > size)
		return -1;
	dst[o] = '\0';
	return 0;
}
