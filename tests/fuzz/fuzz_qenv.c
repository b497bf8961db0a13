/* SPDX-License-Identifier: ISC */
/*
 * fuzz_qenv.c: libFuzzer harness for the queue's envelope file reader.
 * Checks: a refusal always says why; what is read writes back to a file
 * that reads the same again (the writer and the reader agree), and the
 * id read is safe in a file name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qenv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carrier_envelope env, again;
	struct qenv q, q2;
	char why[256] = "", *text, *text2;
	size_t len, len2;

	if (envelope_init(&env) == -1 || envelope_init(&again) == -1)
		abort();
	if (qenv_parse((const char *)data, size, &q, &env, why,
	    sizeof(why)) == -1) {
		if (why[0] == '\0')
			abort();
		goto out;
	}
	if (!qenv_id_ok(q.id))
		abort();
	if ((text = qenv_format(&q, &env, &len)) == NULL)
		abort();
	if (qenv_parse(text, len, &q2, &again, why, sizeof(why)) == -1 ||
	    (text2 = qenv_format(&q2, &again, &len2)) == NULL)
		abort();
	if (len != len2 || memcmp(text, text2, len) != 0)
		abort();
	free(text);
	free(text2);
out:
	envelope_free(&env);
	envelope_free(&again);
	return 0;
}
