/* SPDX-License-Identifier: ISC */
/*
 * fuzz_aliases.c: libFuzzer harness for aliases_parse_buffer() and
 * aliases_expand().  The input is an aliases file; when it loads, a few
 * fixed names and the names of its first entries are expanded.  Besides
 * the sanitizers' checks, it aborts when a promise of aliases.h breaks:
 * a failed load that returns a table or no reason; a warning that is
 * empty or holds a line break or a control character other than HTAB;
 * an expansion that fails without a reason or with entries appended;
 * one that appends more than ALIASES_TARGETS_MAX entries, an empty
 * addr, a display name, an address that addr_check_mailbox() refuses or
 * the same target twice; or a second expansion of the same name that
 * appends anything.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "addr.h"
#include "addrlist.h"
#include "aliases.h"

#define NAMES_MAX	4	/* entry names taken from the input */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
warn(void *arg, const char *msg)
{
	const char *p;

	(void)arg;
	if (msg == NULL || msg[0] == '\0')
		abort();
	for (p = msg; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') ||
		    (unsigned char)*p >= 0x7f)
			abort();
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The same target, as aliases.h defines it (domain case ignored). */
static int
same(const struct addrlist_entry *x, const struct addrlist_entry *y)
{
	const char *dx, *dy;
	size_t i;

	if (x->qualified != y->qualified)
		return 0;
	dx = x->qualified ? strrchr(x->addr, '@') : NULL;
	dy = y->qualified ? strrchr(y->addr, '@') : NULL;
	if (dx != NULL && dy != NULL && dx - x->addr != dy - y->addr)
		return 0;
	for (i = 0; x->addr[i] != '\0' && y->addr[i] != '\0'; i++) {
		if (dx == NULL || x->addr + i > dx) {
			if (lower(x->addr[i]) != lower(y->addr[i]))
				return 0;
		} else if (x->addr[i] != y->addr[i])
			return 0;
	}
	return x->addr[i] == y->addr[i];
}

static void
expand(const struct aliases *a, const char *name)
{
	struct addrlist out = { 0 };
	char err[256], why[128];
	size_t i, j, n, skipped;

	err[0] = '\0';
	if (aliases_expand(a, name, &out, &skipped, err, sizeof(err)) != 0) {
		if (out.n != 0 || err[0] == '\0')
			abort();
		addrlist_free(&out);	/* its array may be there */
		return;
	}
	if (out.n > ALIASES_TARGETS_MAX)
		abort();
	for (i = 0; i < out.n; i++) {
		if (out.v[i].addr == NULL || out.v[i].addr[0] == '\0' ||
		    out.v[i].display != NULL)
			abort();
		if (out.v[i].qualified && addr_check_mailbox(out.v[i].addr,
		    why, sizeof(why)) != 0)
			abort();
		for (j = 0; j < i; j++)
			if (same(&out.v[i], &out.v[j]))
				abort();
	}
	n = out.n;
	if (aliases_expand(a, name, &out, NULL, err, sizeof(err)) != 0 ||
	    out.n != n)
		abort();
	addrlist_free(&out);
}

/* Copies the first names before a ':' at the start of a line. */
static size_t
names(const char *s, size_t len, char v[][64], size_t max)
{
	size_t pos = 0, k = 0, i;

	while (pos < len && k < max) {
		for (i = pos; i < len && i - pos < 63 && s[i] != ':' &&
		    s[i] != '\n' && s[i] != '\0'; i++)
			;
		if (i < len && s[i] == ':' && i > pos) {
			memcpy(v[k], s + pos, i - pos);
			v[k++][i - pos] = '\0';
		}
		while (i < len && s[i] != '\n')
			i++;
		pos = i + 1;
	}
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "root", "postmaster", "a",
	    "MAILER-DAEMON" };
	struct aliases *a = (struct aliases *)&a;
	char err[256], v[NAMES_MAX][64];
	size_t i, n;

	err[0] = '\0';
	if (aliases_parse_buffer(&a, "f", (const char *)data, size, warn,
	    NULL, err, sizeof(err)) != 0) {
		if (a != NULL || err[0] == '\0')
			abort();
		return 0;
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		expand(a, fixed[i]);
	n = names((const char *)data, size, v, NAMES_MAX);
	for (i = 0; i < n; i++)
		expand(a, v[i]);
	aliases_free(a);
	return 0;
}
