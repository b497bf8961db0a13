/* SPDX-License-Identifier: ISC */
/*
 * fuzz_addrlist.c: libFuzzer harness for addrlist_parse().  The input is
 * one header field body.  Besides the sanitizers' checks, it aborts when
 * an invariant of addrlist.h breaks: an error with entries left or no
 * reason; an empty addr or display name; a qualified addr that
 * addr_check_mailbox() refuses; a bare local part over ADDR_LOCAL_MAX; a
 * control character other than HTAB in a display name; or an addr whose
 * normal form does not parse back to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "addrlist.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_entry(const struct addrlist_entry *e)
{
	struct addrlist again = { 0 };
	char why[128];
	const char *d;

	if (e->addr == NULL || e->addr[0] == '\0')
		abort();
	if (e->qualified &&
	    addr_check_mailbox(e->addr, why, sizeof(why)) != 0)
		abort();
	if (!e->qualified && strlen(e->addr) > ADDR_LOCAL_MAX)
		abort();
	if (e->display != NULL) {
		if (e->display[0] == '\0' ||
		    strlen(e->display) > ADDRLIST_DISPLAY_MAX)
			abort();
		for (d = e->display; *d != '\0'; d++)
			if (((unsigned char)*d < 0x20 && *d != '\t') ||
			    *d == 0x7f)
				abort();
	}
	if (addrlist_parse(&again, e->addr, strlen(e->addr), why,
	    sizeof(why)) != 0 || again.n != 1 ||
	    strcmp(again.v[0].addr, e->addr) != 0 ||
	    again.v[0].qualified != e->qualified ||
	    again.v[0].display != NULL)
		abort();
	addrlist_free(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addrlist list = { 0 };
	char err[128];
	size_t i;

	err[0] = '\0';
	if (addrlist_parse(&list, (const char *)data, size, err,
	    sizeof(err)) != 0) {
		if (list.n != 0 || err[0] == '\0')
			abort();
		addrlist_free(&list);
		return 0;
	}
	if (list.n > ADDRLIST_MAX || list.n > list.cap)
		abort();
	for (i = 0; i < list.n; i++)
		check_entry(&list.v[i]);
	addrlist_free(&list);
	return 0;
}
