/* SPDX-License-Identifier: ISC */
/*
 * smtp_reply.h: strict parsing of SMTP replies (RFC 5321 4.2), with
 * enhanced status codes (RFC 2034, RFC 3463).
 *
 * A reply is one or more lines "DDD-text" ending with "DDD text" (or a
 * bare "DDD").  The code's digits are checked (2-5, 0-5, 0-9), every line
 * of a reply must carry the same code, and a reply has at most
 * SMTP_REPLY_LINES lines.  The text is kept, lines joined with '\n', up
 * to SMTP_REPLY_TEXT_MAX octets (the rest is dropped, not an error, and
 * cut says so: the last line kept may be part of a line).
 */
#ifndef CARRIER_SMTP_REPLY_H
#define CARRIER_SMTP_REPLY_H

#include <stddef.h>

#define SMTP_REPLY_LINES	256
#define SMTP_REPLY_TEXT_MAX	4096

struct smtp_reply {
	int		code;		/* 0 until the first line */
	char		enhanced[16];	/* "2.1.0", or "" */
	char		text[SMTP_REPLY_TEXT_MAX];
	size_t		textlen;
	unsigned int	nlines;
	int		done;
	int		cut;		/* text lost for want of room */
};

/* Empties r for a new reply. */
void	smtp_reply_init(struct smtp_reply *r);

/*
 * Adds one reply line (len bytes, without CRLF).  Returns 1 when the
 * reply is complete, 0 when more lines follow, -1 when the line is
 * malformed (bad code, code change inside a reply, too many lines, NUL
 * byte); then a reason is in why.
 */
int	smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len,
	    char *why, size_t whylen);

/*
 * The first line of the text, without the enhanced code, sanitised, in
 * buf.  Returns buf.
 */
char	*smtp_reply_summary(const struct smtp_reply *r, char *buf,
	    size_t size);

#endif
