/* SPDX-License-Identifier: ISC */
/*
 * message.c: intake of a message into its canonical form (see
 * message.h for the form).  Depends on status.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "message.h"

#define MESSAGE_CHUNK	65536

static void	line_end(struct message_norm *);
static int	write_all(int, const char *, size_t);

void
message_norm_init(struct message_norm *n, unsigned int flags)
{
	memset(n, 0, sizeof(*n));
	n->flags = flags;
	n->bol = 1;
}

static void
line_end(struct message_norm *n)
{
	n->info.lines++;
	n->info.size += n->linelen + 2;
	if (n->linelen > MESSAGE_LINE_MAX)
		n->info.long_lines++;
	if (n->linelen > n->info.longest)
		n->info.longest = n->linelen;
	n->linelen = 0;
	n->bol = 1;
}

size_t
message_norm_feed(struct message_norm *n, const char *in, size_t inlen,
    char *out, size_t *used)
{
	size_t i, o = 0;

	for (i = 0; i < inlen && !n->done; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\n' && n->prev_cr) {
			n->prev_cr = 0;		/* the LF of a CRLF */
			continue;
		}
		n->prev_cr = c == '\r';
		if (n->pending_dot) {
			n->pending_dot = 0;
			if (c == '\r' || c == '\n') {
				n->done = 1;	/* a lone "." line */
				n->info.dot_ended = 1;
				n->prev_cr = 0;
				i++;
				/* swallow the LF of ".\r\n" if it is here */
				if (c == '\r' && i < inlen && in[i] == '\n')
					i++;
				break;
			}
			out[o++] = '.';
			n->linelen++;
		}
		if (c == '\r' || c == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
			line_end(n);
			continue;
		}
		if (n->bol && c == '.' && (n->flags & MESSAGE_DOT_ENDS)) {
			n->bol = 0;
			n->pending_dot = 1;
			continue;
		}
		n->bol = 0;
		if (c >= 0x80)
			n->info.eightbit = 1;
		else if (c == '\0')
			n->info.nul = 1;
		out[o++] = (char)c;
		n->linelen++;
	}
	*used = i;
	return o;
}

size_t
message_norm_finish(struct message_norm *n, char *out)
{
	size_t o = 0;

	if (n->done)
		return 0;
	if (n->pending_dot) {
		/* "." then end of file: the same as a lone "." line */
		n->pending_dot = 0;
		n->done = 1;
		n->info.dot_ended = 1;
		return 0;
	}
	if (!n->bol) {
		out[o++] = '\r';
		out[o++] = '\n';
		line_end(n);
	}
	n->done = 1;
	return o;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

enum carrier_status
message_intake(int in_fd, int out_fd, unsigned int flags,
    struct message_info *info, struct carrier_error *err)
{
	static char in[MESSAGE_CHUNK], out[2 * MESSAGE_CHUNK + 3];
	struct message_norm n;
	size_t used, olen;
	ssize_t r;

	message_norm_init(&n, flags);
	while (!n.done) {
		if ((r = read(in_fd, in, sizeof(in))) == -1) {
			if (errno == EINTR)
				continue;
			return status_set(err, CARRIER_TEMP, PHASE_INPUT,
			    "reading the message: %s", strerror(errno));
		}
		if (r == 0)
			olen = message_norm_finish(&n, out);
		else
			olen = message_norm_feed(&n, in, (size_t)r, out, &used);
		if (write_all(out_fd, out, olen) == -1)
			return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
			    "saving the message: %s", strerror(errno));
	}
	*info = n.info;
	return CARRIER_OK;
}
