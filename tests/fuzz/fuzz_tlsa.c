/* SPDX-License-Identifier: ISC */
/*
 * fuzz_tlsa.c: libFuzzer harness for TLSA parsing.  The input is parsed
 * as a TLSA RDATA, and as a DNS message: the answer to a TLSA question
 * for "_25._tcp.mx.example.org" and for the name in its own question
 * (when that name reads).  Checks: an RDATA taken has its data copied
 * and a length its matching type allows, one refused has len 0 and a
 * reason; tlsa_usable() never says 1 for a usage other than 2 and 3; an
 * answer keeps at most max records, none on failure, the AD bit only
 * on OK and NXDOMAIN and as the header has it, and with room for two
 * keeps at least as many usable ones as there are (up to two).
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>

#include <resolv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsmsg.h"
#include "tlsa.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_rdata(const uint8_t *, size_t);
static void	check_answer(const uint8_t *, size_t, const char *);
static size_t	count_usable(const struct tlsa *, size_t);

static struct tlsa recs[TLSA_MAX], few[2];

static void
check_rdata(const uint8_t *data, size_t size)
{
	static struct tlsa t;
	char why[128];

	why[0] = '\0';
	if (tlsa_parse_rdata(data, size, &t, why, sizeof(why)) == -1) {
		if (t.len != 0 || why[0] == '\0' || tlsa_usable(&t))
			abort();
		return;
	}
	if (t.len == 0 || t.len != size - 3 || t.len > TLSA_DATA_MAX ||
	    memcmp(t.data, data + 3, t.len) != 0 ||
	    (t.mtype == TLSA_SHA256 && t.len != 32) ||
	    (t.mtype == TLSA_SHA512 && t.len != 64))
		abort();
	if (tlsa_usable(&t) && t.usage != TLSA_DANE_TA &&
	    t.usage != TLSA_DANE_EE)
		abort();
}

static size_t
count_usable(const struct tlsa *t, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += tlsa_usable(&t[i]) ? 1 : 0;
	return k;
}

static void
check_answer(const uint8_t *data, size_t size, const char *qname)
{
	enum dnsmsg_result r, r2;
	char why[128];
	size_t n, nfew, usable;
	int ad, adfew;

	why[0] = '\0';
	r = tlsa_parse_answer(data, size, qname, recs, TLSA_MAX, &n, &ad, why,
	    sizeof(why));
	if (n > TLSA_MAX || (r != DNSMSG_OK && n != 0) ||
	    (r != DNSMSG_OK && why[0] == '\0') ||
	    (ad && r != DNSMSG_OK && r != DNSMSG_NXDOMAIN) ||
	    (ad && !(data[3] & 0x20)) ||
	    (r == DNSMSG_OK && dnsmsg_length(data, size) != size))
		abort();
	usable = count_usable(recs, n);
	r2 = tlsa_parse_answer(data, size, qname, few, 2, &nfew, &adfew, NULL,
	    0);
	if (r2 != r || adfew != ad || nfew != (n < 2 ? n : 2) ||
	    (n < TLSA_MAX && count_usable(few, nfew) <
	    (usable < 2 ? usable : 2)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char own[NS_MAXDNAME];
	const char *names[2] = { "_25._tcp.mx.example.org", NULL };
	size_t i;

	check_rdata(data, size);
	if (size > NS_HFIXEDSZ && dn_expand(data, data + size,
	    data + NS_HFIXEDSZ, own, sizeof(own)) > 0)
		names[1] = own;
	for (i = 0; i < 2 && names[i] != NULL; i++)
		check_answer(data, size, names[i]);
	return 0;
}
