/* SPDX-License-Identifier: ISC */
/*
 * fuzz_smtpd_parse.c: libFuzzer harness for the MAIL and RCPT argument
 * parsers (smtpd_parse.h).  The input is the text after "MAIL FROM:" or
 * "RCPT TO:" (up to its first NUL, as smtpd never passes one).  Besides
 * the sanitizers' checks, it aborts when an invariant breaks: a path
 * that does not fit or holds a control character; a failure without a
 * reason; *pp not advancing on success; a keyword or value outside its
 * syntax; an xtext that does not encode back to itself; a reply code
 * other than 0, 501, 555, or one without its text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "addr.h"
#include "smtpd_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_code(int code, const char *why)
{
	if (code != 0 && code != 501 && code != 555)
		abort();
	if (code != 0 && strncmp(why, "5.5.4 ", 6) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carrier_envelope env;
	char *in, addr[ADDR_MAX + 1], key[SMTPD_PARSE_KEY_MAX];
	char val[SMTPD_PARSE_VALUE_MAX], dec[SMTPD_PARSE_VALUE_MAX];
	char enc[3 * SMTPD_PARSE_VALUE_MAX + 1], why[128];
	const char *p, *start, *reason = NULL;
	unsigned int notify = 0;
	size_t i;
	int r;

	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	p = in;
	if (smtpd_parse_path(&p, addr, sizeof(addr), &reason) == -1) {
		if (reason == NULL || reason[0] == '\0')
			abort();
		free(in);
		return 0;
	}
	if (p <= in || strlen(addr) > ADDR_MAX)
		abort();
	for (i = 0; addr[i] != '\0'; i++)
		if ((unsigned char)addr[i] < 0x20 || addr[i] == 0x7f)
			abort();
	if (envelope_init(&env) == -1)
		abort();
	for (;;) {
		start = p;
		if ((r = smtpd_parse_param(&p, key, sizeof(key), val,
		    sizeof(val))) != 1)
			break;
		if (p <= start || key[0] == '\0' || key[0] == '-')
			abort();
		for (i = 0; val[i] != '\0'; i++)
			if ((unsigned char)val[i] < 0x21 ||
			    (unsigned char)val[i] > 0x7e || val[i] == '=')
				abort();
		/* envelope_xtext() encodes what smtpd_parse_xtext() reads */
		if (smtpd_parse_xtext(val, dec, sizeof(dec)) == 0 &&
		    envelope_xtext(dec, enc, sizeof(enc)) == 0 &&
		    (smtpd_parse_xtext(enc, dec, sizeof(dec)) != 0 ||
		    (strchr(val, '+') == NULL && strcmp(enc, val) != 0)))
			abort();
		why[0] = '\0';
		check_code(smtpd_parse_mail_param(&env, key, val, why,
		    sizeof(why)), why);
		why[0] = '\0';
		check_code(smtpd_parse_rcpt_param(key, val, &notify, why,
		    sizeof(why)), why);
		if (strlen(env.envid) > ENVELOPE_ENVID_MAX)
			abort();
	}
	if (r != 0 && r != -1)
		abort();
	envelope_free(&env);
	free(in);
	return 0;
}
