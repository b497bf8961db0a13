/* SPDX-License-Identifier: ISC */
/*
 * fuzz_sts.c: libFuzzer harness for MTA-STS parsing.  The input is
 * parsed as an "_mta-sts" TXT record and as a policy file.  Checks: a
 * record taken begins with "v=STSv1" and its id is 1 to 32 letters and
 * digits, a record refused leaves the id empty; a policy taken has a
 * mode, a max_age in range, mx patterns unless its mode is none, at
 * most STS_MX_MAX, each lowercase, once, and matched by a host name
 * made from it (itself, in capitals and with a trailing dot; for
 * "*.rest", "x.rest"); a reason for every failure.  The
 * input, NUL-terminated, is also matched against the policy's patterns,
 * and read as the DNS answer to an "_mta-sts" TXT question
 * (sts_txt_answer): a record found only in an answer that parsed, with
 * an id.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts.h"
#include "sts_decide.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_txt(const char *, size_t);
static void	check_policy(const char *, size_t);
static void	check_pattern(const struct sts_policy *, const char *);

static void
check_txt(const char *data, size_t size)
{
	char id[STS_ID_MAX], why[128];
	size_t i, n;

	why[0] = '\0';
	if (sts_parse_txt(data, size, id, sizeof(id), why, sizeof(why)) ==
	    -1) {
		if (id[0] != '\0' || why[0] == '\0')
			abort();
		return;
	}
	n = strnlen(id, sizeof(id));
	if (size < 7 || memcmp(data, "v=STSv1", 7) != 0 || n == 0 ||
	    n >= sizeof(id))
		abort();
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= '0' && id[i] <= '9')))
			abort();
}

/* The pattern pat of p, and host names made from it. */
static void
check_pattern(const struct sts_policy *p, const char *pat)
{
	char name[STS_MX_LEN + 2];
	size_t i, n;

	n = strnlen(pat, STS_MX_LEN);
	if (n == 0 || n == STS_MX_LEN)
		abort();
	for (i = 0; i < n; i++)
		if ((pat[i] >= 'A' && pat[i] <= 'Z') || pat[i] < 0x21 ||
		    pat[i] > 0x7e)
			abort();
	if (pat[0] == '*') {
		if (n < 3 || pat[1] != '.')
			abort();
		if (snprintf(name, sizeof(name), "x.%s", pat + 2) < 0 ||
		    sts_mx_match(p, name) != 1)
			abort();
		return;
	}
	if (sts_mx_match(p, pat) != 1)
		abort();
	for (i = 0; i < n; i++)
		name[i] = pat[i] >= 'a' && pat[i] <= 'z' ?
		    (char)(pat[i] - 'a' + 'A') : pat[i];
	name[n] = '.';
	name[n + 1] = '\0';
	if (sts_mx_match(p, name) != 1)
		abort();
}

static void
check_policy(const char *data, size_t size)
{
	static struct sts_policy p;
	static char str[STS_MX_LEN];
	char why[128];
	size_t i, j;

	why[0] = '\0';
	if (sts_parse_policy(data, size, &p, why, sizeof(why)) == -1) {
		if (why[0] == '\0')
			abort();
		return;
	}
	if (p.mode < STS_ENFORCE || p.mode > STS_NONE ||
	    p.max_age > STS_MAX_AGE_MAX || p.nmx > STS_MX_MAX ||
	    (p.mode != STS_NONE && p.nmx == 0) || size > STS_POLICY_MAX)
		abort();
	for (i = 0; i < p.nmx; i++) {
		check_pattern(&p, p.mx[i]);
		for (j = 0; j < i; j++)
			if (strcmp(p.mx[i], p.mx[j]) == 0)
				abort();
	}
	i = size < sizeof(str) - 1 ? size : sizeof(str) - 1;
	memcpy(str, data, i);
	str[i] = '\0';
	(void)sts_mx_match(&p, str);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[STS_ID_MAX], why[128];
	int found;

	check_txt((const char *)data, size);
	check_policy((const char *)data, size);
	/* and as the DNS answer to the TXT question */
	if (sts_txt_answer(data, size, "_mta-sts.example.org", &found, id,
	    sizeof(id), why, sizeof(why)) != DNSMSG_OK && found)
		abort();
	if (found && (id[0] == '\0' || strnlen(id, sizeof(id)) ==
	    sizeof(id)))
		abort();
	return 0;
}
