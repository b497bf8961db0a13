/* SPDX-License-Identifier: ISC */
/*
 * status.c: the error record every delivery step fills (see status.h).
 * Depends on log (for sanitising text).
 */
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "log.h"
#include "status.h"

static const char *const phase_names[PHASE_COUNT] = {
	[PHASE_NONE] = "delivery",
	[PHASE_USAGE] = "the command line",
	[PHASE_CONFIG] = "the configuration",
	[PHASE_INPUT] = "reading the message",
	[PHASE_LOCAL] = "local I/O",
	[PHASE_RESOLVE] = "the host lookup",
	[PHASE_CONNECT] = "connect",
	[PHASE_GREETING] = "the greeting",
	[PHASE_EHLO] = "EHLO",
	[PHASE_HELO] = "HELO",
	[PHASE_STARTTLS] = "STARTTLS",
	[PHASE_TLS] = "the TLS handshake",
	[PHASE_AUTH] = "AUTH",
	[PHASE_MAIL] = "MAIL FROM",
	[PHASE_RCPT] = "RCPT TO",
	[PHASE_DATA] = "DATA",
	[PHASE_BODY] = "sending the message",
	[PHASE_DOT] = "end of data",
	[PHASE_QUIT] = "QUIT",
	[PHASE_EXPIRED] = "the queue lifetime",
};

void
status_clear(struct carrier_error *err)
{
	memset(err, 0, sizeof(*err));
}

enum carrier_status
status_set(struct carrier_error *err, enum carrier_status status,
    enum carrier_phase phase, const char *fmt, ...)
{
	char raw[STATUS_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(raw, sizeof(raw), fmt, ap);	/* truncation is fine */
	va_end(ap);
	err->status = status;
	err->phase = phase;
	err->code = 0;
	err->enhanced[0] = '\0';
	err->step[0] = '\0';
	err->protocol = 0;
	log_sanitize(err->text, sizeof(err->text), raw, strlen(raw));
	return status;
}

const char *
status_phase_name(enum carrier_phase phase)
{
	if (phase < 0 || phase >= PHASE_COUNT)
		return "delivery";
	return phase_names[phase];
}

char *
status_format(const struct carrier_error *err, char *buf, size_t size)
{
	const char *sep = err->host[0] != '\0' ? ": " : "";

	if (err->code != 0)
		(void)snprintf(buf, size, "%s%s%s after %s: %d%s%s %s",
		    err->host, err->host[0] != '\0' ? " said" : "",
		    err->host[0] != '\0' ? "" : "server said",
		    err->step[0] != '\0' ? err->step :
		    status_phase_name(err->phase), err->code,
		    err->enhanced[0] != '\0' ? " " : "", err->enhanced,
		    err->text);
	else
		(void)snprintf(buf, size, "%s%s%s", err->host, sep, err->text);
	return buf;
}
