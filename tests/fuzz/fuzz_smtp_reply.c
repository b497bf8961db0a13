/* SPDX-License-Identifier: ISC */
/*
 * fuzz_smtp_reply.c: libFuzzer harness for the SMTP reply parser and
 * EHLO capability parsing.  The input is split into lines at LF; each
 * line is fed to smtp_reply_feed as a server would send it.  Checks: a
 * complete reply has a valid code, text stays NUL-terminated within its
 * buffer, the enhanced code matches the class, summaries are printable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"
#include "smtp_reply.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply r;
	struct smtp_session s;
	char why[128], sum[256];
	size_t pos = 0, len, linelen, i;
	const uint8_t *nl;
	int rc;

	smtp_reply_init(&r);
	memset(&s, 0, sizeof(s));
	while (pos < size) {
		nl = memchr(data + pos, '\n', size - pos);
		linelen = nl != NULL ? (size_t)(nl - (data + pos)) :
		    size - pos;
		len = linelen;
		if (len > 0 && data[pos + len - 1] == '\r')
			len--;
		rc = smtp_reply_feed(&r, (const char *)data + pos, len, why,
		    sizeof(why));
		if (rc == -1 && why[0] == '\0')
			abort();
		if (rc == 1) {
			if (r.code < 200 || r.code > 559)
				abort();
			if (r.textlen != strlen(r.text) ||
			    r.textlen >= sizeof(r.text))
				abort();
			if (r.enhanced[0] != '\0' &&
			    r.enhanced[0] != '0' + r.code / 100)
				abort();
			smtp_reply_summary(&r, sum, sizeof(sum));
			for (i = 0; sum[i] != '\0'; i++)
				if ((unsigned char)sum[i] < 0x20 &&
				    sum[i] != '\t')
					abort();
		}
		smtp_parse_ehlo_line(&s, (const char *)data + pos, len);
		if (strlen(s.auth) >= sizeof(s.auth))
			abort();
		pos += linelen + (nl != NULL);
	}
	return 0;
}
