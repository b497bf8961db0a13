/* SPDX-License-Identifier: ISC */
/*
 * fuzz_smtpd.c: libFuzzer harness for a whole "sendmail -bs" session
 * (smtpd_run): the input is everything a client writes, commands and
 * message text.  The delivery step is a fake that refuses some
 * recipients.  Besides the sanitizers' checks, it aborts when an
 * invariant breaks: an envelope address with a control character (an
 * injection into the relay's dialogue); a message text that is not in
 * canonical form (a CR or LF that is not part of a CRLF); a reply line
 * that is not "ddd" then a space or "-", ending in CRLF.
 */
#include <sys/mman.h>

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "smtpd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_addr(const char *a)
{
	for (; *a != '\0'; a++)
		if ((unsigned char)*a < 0x20 || *a == 0x7f)
			abort();
}

/* Canonical text: CR only before LF, LF only after CR. */
static void
check_text(const char *t, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (t[i] == '\r' && (i + 1 == len || t[i + 1] != '\n'))
			abort();
		if (t[i] == '\n' && (i == 0 || t[i - 1] != '\r'))
			abort();
	}
}

static enum carrier_status
fake_deliver(const struct carrier_options *o, struct carrier_envelope *env,
    const struct carrier_message *msg, struct carrier_error *e)
{
	static char text[1 << 20];
	uint64_t len = msg->file_size - msg->body_off;
	ssize_t n;
	size_t i;

	(void)o;
	status_clear(e);
	check_addr(env->sender);
	for (i = 0; i < env->nrcpts; i++) {
		check_addr(env->rcpts[i].addr);
		env->rcpts[i].result.status = i % 3 == 0 ? CARRIER_OK :
		    i % 3 == 1 ? CARRIER_TEMP : CARRIER_PERM;
		env->rcpts[i].result.code = i % 3 == 0 ? 250 : i % 3 == 1 ?
		    451 : 550;
		envelope_settle(&env->rcpts[i]);
	}
	check_text(msg->head, msg->headlen);
	if (len <= sizeof(text)) {
		n = pread(msg->fd, text, (size_t)len, (off_t)msg->body_off);
		if (n != (ssize_t)len)
			abort();
		check_text(text, (size_t)len);
	}
	return CARRIER_OK;
}

/* Every reply line: three digits, a space or "-", text, CRLF. */
static void
check_replies(int fd)
{
	static char out[1 << 20];
	off_t end = lseek(fd, 0, SEEK_END);
	ssize_t n;
	size_t i, start = 0;

	if (end <= 0 || end > (off_t)sizeof(out))
		return;
	if ((n = pread(fd, out, (size_t)end, 0)) != (ssize_t)end)
		abort();
	for (i = 0; i < (size_t)n; i++) {
		if (out[i] != '\n')
			continue;
		if (i - start < 5 || out[i - 1] != '\r' ||
		    out[start] < '2' || out[start] > '5' ||
		    (out[start + 3] != ' ' && out[start + 3] != '-'))
			abort();
		start = i + 1;
	}
	if (start != (size_t)n)
		abort();	/* a reply line without its CRLF */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct carrier_options opts;
	struct smtpd_params p;
	struct carrier_error err;
	int in, out;

	(void)signal(SIGPIPE, SIG_IGN);
	if ((in = memfd_create("in", 0)) == -1 ||
	    (out = memfd_create("out", 0)) == -1)
		abort();
	if (write(in, data, size) != (ssize_t)size || lseek(in, 0,
	    SEEK_SET) != 0)
		abort();
	carrier_options_init(&opts);
	opts.helo = "mx.test";
	opts.domain = "example.org";
	opts.aliases = NULL;
	opts.mailname = NULL;
	opts.timeout = 2;
	opts.syslog_facility = MAILLOG_OFF;
	memset(&p, 0, sizeof(p));
	p.opts = &opts;
	p.in_fd = in;
	p.out_fd = out;
	p.deliver = fake_deliver;
	(void)smtpd_run(&p, &err);
	check_replies(out);
	(void)close(in);
	(void)close(out);
	return 0;
}
