/* SPDX-License-Identifier: ISC */
/*
 * message.h: message intake and its canonical form.
 *
 * A message arrives as bytes (stdin) with any line endings.  Intake turns
 * it into the canonical form that the rest of carrier stores and sends:
 * every line ends in CRLF (LF, CRLF and bare CR are each one line end),
 * the last line is terminated, and nothing is dot-stuffed (the SMTP layer
 * stuffs on the fly for DATA; BDAT sends the canonical form as is).
 * Without MESSAGE_DOT_ENDS (sendmail -i), input ends only at end of file;
 * with it, a line holding a single "." also ends the input, as sendmail
 * does without -i.
 *
 * The normaliser is a streaming state machine: memory does not depend on
 * message size.
 */
#ifndef CARRIER_MESSAGE_H
#define CARRIER_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define MESSAGE_DOT_ENDS	0x01	/* a lone "." line ends input */

#define MESSAGE_LINE_MAX	998	/* RFC 5322 2.1.1, without CRLF */

/* What intake learned about a message, for the SMTP layer. */
struct message_info {
	uint64_t	size;		/* canonical octets (CRLF counted) */
	uint64_t	lines;
	uint64_t	long_lines;	/* lines over MESSAGE_LINE_MAX */
	size_t		longest;	/* octets, without CRLF */
	int		eightbit;	/* a byte >= 0x80 was seen */
	int		head_eightbit;	/* ... in the header (submit.c) */
	int		nul;		/* a NUL byte was seen */
	int		dot_ended;	/* input ended at a lone "." */
	uint64_t	dot_lines;	/* lines starting with "." */
};

/*
 * The text to send: head (the header section as edited, with its empty
 * line; may be empty) from memory, then len octets of fd from off (the
 * body, in canonical form).
 */
struct message_text {
	const char	*head;
	size_t		 headlen;
	int		 fd;
	uint64_t	 off;
	uint64_t	 len;
};

struct message_norm {
	unsigned int		flags;
	int			prev_cr;	/* last byte was CR */
	int			bol;		/* at the beginning of a line */
	int			pending_dot;	/* "." held back at bol */
	int			done;		/* lone "." seen: stop */
	size_t			linelen;
	struct message_info	info;
};

/* Starts a normaliser with MESSAGE_* flags. */
void	message_norm_init(struct message_norm *, unsigned int flags);

/*
 * Normalises up to inlen bytes of input into out, which must hold at
 * least 2 * inlen + 2 bytes (every byte may become CRLF).  Returns the
 * number of bytes written; *used says how much input was consumed
 * (less than inlen only when a lone "." ended the input: n->done).
 */
size_t	message_norm_feed(struct message_norm *n, const char *in,
	    size_t inlen, char *out, size_t *used);

/*
 * Ends the input: terminates an unterminated last line.  out must hold
 * 3 bytes.  Returns the number of bytes written.
 */
size_t	message_norm_finish(struct message_norm *n, char *out);

/*
 * Reads the message from in_fd until end of file (or a lone "." with
 * MESSAGE_DOT_ENDS) and writes its canonical form to out_fd, which is
 * left positioned at its end; where names out_fd's place in an error.
 * Fills info.  Returns CARRIER_OK, or a failure in err: PHASE_INPUT
 * (read error) or PHASE_LOCAL (write error, such as a full disk), both
 * temporary.
 */
enum carrier_status message_intake(int in_fd, int out_fd, const char *where,
	    unsigned int flags, struct message_info *info,
	    struct carrier_error *err);

#endif
