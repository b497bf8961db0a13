/* SPDX-License-Identifier: ISC */
/*
 * fuzz_dnsmsg.c: libFuzzer harness for DNS answer parsing.  The input is
 * a DNS message, parsed as the answer to MX, A and AAAA questions for
 * "example.org" and for the name in its own question (when that name
 * reads), so that inputs get past the question check.  Checks: n <= max
 * and nothing kept on failure; MX names NUL-terminated, non-empty,
 * printable, lowercase, without a trailing dot; preferences in order,
 * no record twice; the most preferred kept whatever max (a list kept
 * with max 3 begins the list kept with max DNSMSG_MX_MAX); addresses of
 * the family asked, none twice; a reason for every failure; an answer
 * taken is exactly as long as dnsmsg_length says.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/nameser.h>

#include <resolv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsmsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_mx(const uint8_t *, size_t, const char *);
static void	check_addrs(const uint8_t *, size_t, const char *, int);
static void	check_name(const char *);

/*
 * A name in presentation form: a final dot after an odd run of
 * backslashes is part of the last label, not the root's.
 */
static void
check_name(const char *name)
{
	size_t len, i, esc;

	len = strnlen(name, DNSMSG_NAME_MAX);
	if (len == 0 || len == DNSMSG_NAME_MAX)
		abort();
	for (esc = 0; esc + 1 < len && name[len - 2 - esc] == '\\'; esc++)
		;
	if (name[len - 1] == '.' && esc % 2 == 0)
		abort();
	for (i = 0; i < len; i++)
		if (name[i] < 0x21 || name[i] > 0x7e ||
		    (name[i] >= 'A' && name[i] <= 'Z'))
			abort();
}

static void
check_mx(const uint8_t *data, size_t size, const char *qname)
{
	static struct dns_mx mx[DNSMSG_MX_MAX], few[3];
	enum dnsmsg_result r, r2;
	char why[128];
	size_t n, nfew, i, j;
	int nullmx, nullfew;

	why[0] = '\0';
	r = dnsmsg_mx(data, size, qname, mx, DNSMSG_MX_MAX, &n, &nullmx, why,
	    sizeof(why));
	if (n > DNSMSG_MX_MAX || (r != DNSMSG_OK && (n != 0 || nullmx)) ||
	    (r != DNSMSG_OK && why[0] == '\0') ||
	    (r == DNSMSG_OK && dnsmsg_length(data, size) != size))
		abort();
	for (i = 0; i < n; i++) {
		check_name(mx[i].name);
		if (mx[i].pref > 65535 || (i > 0 && mx[i].pref < mx[i - 1].pref))
			abort();
		for (j = 0; j < i; j++)
			if (mx[j].pref == mx[i].pref &&
			    strcmp(mx[j].name, mx[i].name) == 0)
				abort();
	}
	r2 = dnsmsg_mx(data, size, qname, few, 3, &nfew, &nullfew, NULL, 0);
	if (r2 != r || nullfew != nullmx || nfew != (n < 3 ? n : 3))
		abort();
	for (i = 0; i < nfew; i++)
		if (few[i].pref != mx[i].pref ||
		    strcmp(few[i].name, mx[i].name) != 0)
			abort();
}

static void
check_addrs(const uint8_t *data, size_t size, const char *qname, int type)
{
	static struct dns_addr a[DNSMSG_ADDR_MAX];
	enum dnsmsg_result r;
	char why[128];
	size_t n, i, j;
	int family = type == ns_t_a ? AF_INET : AF_INET6;

	why[0] = '\0';
	r = dnsmsg_addrs(data, size, qname, type, a, DNSMSG_ADDR_MAX, &n, why,
	    sizeof(why));
	if (n > DNSMSG_ADDR_MAX || (r != DNSMSG_OK && n != 0) ||
	    (r != DNSMSG_OK && why[0] == '\0') ||
	    (r == DNSMSG_OK && dnsmsg_length(data, size) != size))
		abort();
	for (i = 0; i < n; i++) {
		if (a[i].family != family)
			abort();
		for (j = 0; j < i; j++)
			if (memcmp(a[j].addr, a[i].addr, sizeof(a[i].addr)) ==
			    0)
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char own[NS_MAXDNAME];
	const char *names[2] = { "example.org", NULL };
	size_t i;

	if (dnsmsg_length(data, size) > size)
		abort();
	if (size > NS_HFIXEDSZ && dn_expand(data, data + size,
	    data + NS_HFIXEDSZ, own, sizeof(own)) > 0)
		names[1] = own;
	for (i = 0; i < 2 && names[i] != NULL; i++) {
		check_mx(data, size, names[i]);
		check_addrs(data, size, names[i], ns_t_a);
		check_addrs(data, size, names[i], ns_t_aaaa);
	}
	return 0;
}
