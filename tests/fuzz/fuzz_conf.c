/* SPDX-License-Identifier: ISC */
/*
 * fuzz_conf.c: libFuzzer harness for the configuration parser and the
 * relay syntax.  Checks: an error always has a reason naming the file
 * and line, and no control character but TAB (what it shows of the
 * text is escaped); a parsed relay host is never empty; timeouts stay positive;
 * conf_dump() of what parsed fits its buffer and ends in a line end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dump[32768];
	struct conf c;
	char err[512] = "", host[CONF_HOST_MAX], relay[300];
	unsigned int port;
	size_t i, n;

	conf_defaults(&c);
	if (conf_parse(&c, "f", (const char *)data, size, err,
	    sizeof(err)) == -1) {
		if (strncmp(err, "f:", 2) != 0)
			abort();
		for (i = 0; err[i] != '\0'; i++)
			if (((unsigned char)err[i] < 0x20 && err[i] != '\t') ||
			    err[i] == 0x7f)
				abort();
	} else {
		if (c.timeout == 0 || c.connect_timeout == 0 ||
		    c.greeting_timeout == 0)
			abort();
		if (c.relay_port > 65535)
			abort();
		n = conf_dump(&c, dump, sizeof(dump));
		if (n >= sizeof(dump) || n != strlen(dump) || n == 0 ||
		    dump[n - 1] != '\n')
			abort();
	}
	if (size < sizeof(relay)) {
		memcpy(relay, data, size);
		relay[size] = '\0';
		if (conf_parse_relay(relay, host, sizeof(host), &port, err,
		    sizeof(err)) == 0 && (host[0] == '\0' || port > 65535))
			abort();
	}
	return 0;
}
