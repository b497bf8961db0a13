/* SPDX-License-Identifier: ISC */
/*
 * log.c: the -v transcript on stderr and sanitising of untrusted text
 * (see log.h).  Depends on nothing but libc.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "log.h"

#define LOG_LINE_MAX	2048

static int verbose_level;
static FILE *log_file;

void
log_set_file(FILE *fp)
{
	log_file = fp;
}

void
log_set_verbose(int level)
{
	verbose_level = level;
}

int
log_verbose(void)
{
	return verbose_level > 0 || log_file != NULL;
}

size_t
log_sanitize(char *dst, size_t size, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0, start[4] = { 0, 0, 0, 0 };

	if (size == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		size_t need = (c >= 0x20 && c < 0x7f) || c == '\t' ? 1 : 4;

		if (o + need + 1 > size) {
			/* "..." after whole characters, not half an escape */
			size_t k;

			for (k = 0; k < 4 && o + 4 > size; k++)
				o = start[k];
			if (o + 4 <= size) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memmove(start + 1, start, 3 * sizeof(start[0]));
		start[0] = o;
		if (need == 1)
			dst[o++] = (char)c;
		else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		}
	}
	dst[o] = '\0';
	return o;
}

void
log_transcript(int dir, const char *line, size_t len)
{
	char clean[LOG_LINE_MAX];
	const char *arrow = dir == '>' ? "->" : dir == '<' ? "<-" : "--";

	if (!log_verbose())
		return;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	log_sanitize(clean, sizeof(clean), line, len);
	if (verbose_level > 0)
		(void)fprintf(stderr, "%s %s\n", arrow, clean);
	if (log_file != NULL)
		(void)fprintf(log_file, "%s %s\n", arrow, clean);
}

void
log_note(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;

	if (!log_verbose())
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_transcript('-', buf, strlen(buf));
}

void
log_warnx(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX], clean[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_sanitize(clean, sizeof(clean), buf, strlen(buf));
	(void)fprintf(stderr, "carrier: %s\n", clean);
	if (log_file != NULL)
		(void)fprintf(log_file, "-- warning: %s\n", clean);
}
