/* SPDX-License-Identifier: ISC */
/*
 * fuzz_dane.c: libFuzzer harness for dane_check() on a certificate
 * chain of PEM text: the input, as a server's chain, against usable
 * records of every usage and selector (their data matches no
 * certificate, so every certificate read is encoded, hashed, and
 * described in the reason).  libcrypto is the one libtls is linked
 * with (conn_tls_sym); without libtls the harness does nothing.
 * Checks: the result is -1, 0 or 1 and the same with a short reason
 * buffer, a reason for every -1 and 0, none for 1 and the match
 * zeroed otherwise; no records usable: 0 without reading the chain.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsa.h"
#include "dane.h"
#include "conn_tls.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct tlsa recs[4];
static const char *const names[] = { "mx.example", "example." };

static void
recs_make(void)
{
	static const uint8_t kinds[][3] = {
		{ 3, 1, 1 }, { 2, 0, 1 }, { 2, 1, 2 }, { 3, 0, 0 }
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		memset(&recs[i], 0, sizeof(recs[i]));
		recs[i].usage = kinds[i][0];
		recs[i].selector = kinds[i][1];
		recs[i].mtype = kinds[i][2];
		recs[i].len = kinds[i][2] == 2 ? 64 : kinds[i][2] == 1 ?
		    32 : 5;
		memset(recs[i].data, 0xa5, recs[i].len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded = -1;
	struct dane_match m;
	char why[512], shortwhy[8];
	int r;

	if (loaded == -1) {
		loaded = conn_tls_load(why, sizeof(why)) == 0;
		recs_make();
	}
	if (!loaded)
		return 0;
	r = dane_check(conn_tls_sym, (const char *)data, size, recs, 4,
	    names, 2, &m, why, sizeof(why));
	if (r < -1 || r > 1 || strlen(why) >= sizeof(why) ||
	    (r != 1 && why[0] == '\0') || (r == 1 && why[0] != '\0') ||
	    (r != 1 && (m.index != 0 || m.depth != 0 || m.name[0] != '\0')))
		abort();
	if (dane_check(conn_tls_sym, (const char *)data, size, recs, 4,
	    names, 2, &m, shortwhy, sizeof(shortwhy)) != r ||
	    strlen(shortwhy) >= sizeof(shortwhy))
		abort();
	recs[0].usage = TLSA_PKIX_EE;
	r = dane_check(conn_tls_sym, (const char *)data, size, recs, 1,
	    names, 2, &m, why, sizeof(why));
	recs[0].usage = TLSA_DANE_EE;
	if (r != 0 || strcmp(why, "no usable TLSA record") != 0)
		abort();
	return 0;
}
