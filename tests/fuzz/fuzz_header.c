/* SPDX-License-Identifier: ISC */
/*
 * fuzz_header.c: libFuzzer harness for finding, parsing, editing and
 * rendering the header section.  Checks: the section found lies within
 * the input; parsing it gives fields whose texts add up to it; a
 * rendered header ends with the empty line and, unless a line could not
 * be folded, has no line over 998 octets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct header h;
	size_t skip, hlen, body, i, total = 0, len, run = 0;
	char *out;
	int rc, long_left;

	rc = header_section((const char *)data, size, 1, &skip, &hlen, &body);
	if (rc != 1)
		return 0;
	if (skip + hlen > size || body > size || body < skip + hlen)
		abort();
	if (header_parse(&h, (const char *)data + skip, hlen) == -1)
		return 0;
	for (i = 0; i < h.n; i++)
		total += h.f[i].len;
	if (total != hlen || total != h.total)
		abort();
	if (h.n > 0)
		header_remove(&h, 0);
	(void)header_put(&h, -1, "X-Fuzz", "a b c");
	if (header_find(&h, "X-Fuzz", 0) < 0)
		abort();
	if (header_render(&h, &out, &len, &long_left) == 0) {
		if (len < 2 || memcmp(out + len - 2, "\r\n", 2) != 0)
			abort();
		for (i = 0; i < len && !long_left; i++) {
			if (out[i] == '\n')
				run = 0;
			else if (++run > HEADER_LINE_MAX + 1)
				abort();
		}
		free(out);
	}
	header_free(&h);
	return 0;
}
