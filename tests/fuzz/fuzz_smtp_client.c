/* SPDX-License-Identifier: ISC */
/*
 * fuzz_smtp_client.c: libFuzzer harness for the SMTP client against a
 * hostile server: the input (after its first byte) is everything the
 * server says, written in advance into a socketpair, whose server side
 * then shuts down.  The client runs a whole delivery: the greeting,
 * EHLO (HELO after a refusal), transactions while recipients are put
 * off (452), QUIT.
 *
 * Byte 0: bits 0-1 the number of recipients (1-3); bit 2 the message
 * has a line starting with "." (dot-stuffing); bit 3 no transaction
 * follows (s.last: QUIT pipelined).
 *
 * Besides the sanitizers' checks, it aborts when an invariant breaks:
 *   - a recipient accepted without a 2xx reply code;
 *   - a control character other than TAB in a result's text (the
 *     server's words are escaped before anyone shows them);
 *   - without CHUNKING, the message text sent though the server never
 *     said 354 (text sent as commands: the smuggling class of bugs).
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SCRIPT_MAX	(64 * 1024)

static const char body[] =
    "X-Fuzz-Text: 1\r\n\r\nbody\r\n.dot\r\nend\r\n";
static const char body_nodot[] =
    "X-Fuzz-Text: 1\r\n\r\nbody\r\nend\r\n";

static void
check_result(const struct carrier_error *e)
{
	const char *p;

	if (e->status == CARRIER_OK && e->code != 0 &&
	    (e->code < 200 || e->code > 299))
		abort();
	for (p = e->text; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			abort();
}

/* Whether the server said 354 at the start of some line. */
static int
said_354(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i + 3 <= n; i++)
		if ((i == 0 || s[i - 1] == '\n') && memcmp(s + i, "354", 3) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rcpts[] = { "a@x.example", "b@x.example",
	    "c@x.example" };
	static char out[1 << 18];
	struct conn c;
	struct smtp_session s;
	struct carrier_envelope env;
	struct carrier_error err;
	struct message_info info;
	struct message_text text;
	const char *msg;
	size_t nr, i, len, olen = 0;
	ssize_t n;
	int sv[2], fd, round, pending, rcvbuf = 1 << 20;
	enum carrier_status st;

	if (size < 1 || size - 1 > SCRIPT_MAX)
		return 0;
	(void)signal(SIGPIPE, SIG_IGN);
	nr = (size_t)(data[0] & 3) % 3 + 1;
	msg = data[0] & 4 ? body : body_nodot;
	len = strlen(msg);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	(void)setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof(rcvbuf));
	(void)setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof(rcvbuf));
	if (write(sv[1], data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	(void)shutdown(sv[1], SHUT_WR);
	(void)fcntl(sv[0], F_SETFL, O_NONBLOCK);
	if ((fd = memfd_create("fuzz", 0)) == -1 ||
	    write(fd, msg, len) != (ssize_t)len)
		abort();

	conn_init(&c, sv[0]);
	smtp_init(&s, &c, "client.example", 100, "[192.0.2.1]:25");
	s.dot_timeout_ms = 100;
	if (envelope_init(&env) == -1 ||
	    envelope_set_sender(&env, "s@x.example") == -1)
		abort();
	for (i = 0; i < nr; i++)
		if (envelope_add_rcpt(&env, rcpts[i]) == -1)
			abort();
	memset(&info, 0, sizeof(info));
	info.size = len;
	info.dot_lines = msg == body;
	text = (struct message_text){ "", 0, fd, 0, len };
	status_clear(&err);

	if (smtp_greeting(&s, &err) == CARRIER_OK &&
	    smtp_hello(&s, &err) == CARRIER_OK) {
		s.last = (data[0] & 8) != 0;
		/* as deliver does: again while recipients are put off */
		for (round = 0; round < 4; round++) {
			status_clear(&err);
			st = smtp_transaction(&s, &env, &text, &info, &err);
			check_result(&err);
			for (pending = 0, i = 0; i < env.nrcpts; i++) {
				check_result(&env.rcpts[i].result);
				pending |= !envelope_done(&env.rcpts[i]);
			}
			if (st != CARRIER_OK || !pending || s.quit_sent)
				break;
		}
		smtp_quit(&s);
	}
	check_result(&err);

	/* what the client sent */
	(void)shutdown(sv[0], SHUT_WR);
	while (olen < sizeof(out) - 1 &&
	    (n = read(sv[1], out + olen, sizeof(out) - 1 - olen)) > 0)
		olen += (size_t)n;
	out[olen] = '\0';
	if (!(s.ext & SMTP_EXT_CHUNKING) && strstr(out, "X-Fuzz-Text") &&
	    !said_354(data + 1, size - 1))
		abort();

	envelope_free(&env);
	conn_close(&c);
	(void)close(sv[1]);
	(void)close(fd);
	return 0;
}
