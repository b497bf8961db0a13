/* SPDX-License-Identifier: ISC */
/*
 * http.h: a parser of one HTTP/1.1 response (RFC 9112), fed the octets
 * as they arrive; pure, no I/O.  It serves the MTA-STS policy fetch
 * (sts_fetch.h): one GET with "Connection: close" whose answer is small,
 * so every part of the response has a cap and the body goes into the
 * caller's buffer.
 *
 * The input is hostile, so the grammar is checked and anything
 * ambiguous is refused rather than guessed at:
 * - Lines end in CRLF, or in a bare LF (RFC 9112 2.2 lets a recipient
 *   take one); a CR anywhere else in a line is refused, and so is any
 *   line longer than HTTP_LINE_MAX.
 * - The status line is "HTTP/1." DIGIT, SP, three digits (100 to 599),
 *   then SP and a reason phrase of visible characters, blanks and
 *   octets from 0x80, or nothing (RFC 9112 4; the SP before an empty
 *   reason may be missing).  Interim 1xx responses are read and skipped
 *   (RFC 9110 15.2); 101 (a protocol switch never asked for) is
 *   refused.  No empty line may come before the status line.
 * - A field line is a token, ":" right after it (no blank: RFC 9112
 *   5.1), and a value of visible characters, blanks and octets from
 *   0x80 (RFC 9110 5.5: no NUL, no other control character), the
 *   blanks around it dropped.  A line beginning with a blank continues
 *   the previous field (obs-fold: replaced by one SP, RFC 9112 5.2);
 *   right after the status line it is refused (RFC 9112 2.2).
 * - Content-Length is digits (a larger value than fits counts as
 *   UINT64_MAX); it may repeat with the same value, a list ("1, 1") is
 *   refused.  Transfer-Encoding must be exactly "chunked" (any case,
 *   once): no other coding was asked for; it overrides Content-Length
 *   (RFC 9112 6.3) and is refused in an HTTP/1.0 response (RFC 9112
 *   6.1).  Content-Type twice is refused; its media type must be
 *   token "/" token, then nothing or ";" and parameters (RFC 9110
 *   8.3.1), kept lowercased.  The first Location is kept.  Other fields
 *   are checked and ignored.
 * - The body (RFC 9112 6.3): none for 204 and 304; else chunked when
 *   Transfer-Encoding says so, else Content-Length octets, else up to
 *   the end of the stream.  A chunk size is hexadecimal digits; a chunk
 *   extension (";" and visible characters or blanks) is ignored, and so
 *   are trailer fields once checked as fields (RFC 9112 7.1).
 *
 * The caps: HTTP_LINE_MAX a line, HTTP_HEAD_MAX the header section
 * (interim responses' included), HTTP_FRAMING_MAX the chunked coding's
 * own octets (size lines, line ends, trailer), and the caller's buffer
 * the body.
 */
#ifndef CARRIER_HTTP_H
#define CARRIER_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_LINE_MAX		4096	/* a line, its end excluded */
#define HTTP_HEAD_MAX		16384	/* the header section, line ends in */
#define HTTP_FRAMING_MAX	65536	/* chunk lines and trailer */
#define HTTP_VALUE_MAX		256	/* media type and Location kept, NUL */
#define HTTP_WHY_MAX		96

enum http_result {
	HTTP_MORE = 0,	/* every octet given was taken: feed more */
	HTTP_HEAD,	/* the final response's header section is complete */
	HTTP_DONE,	/* the body is complete */
	HTTP_TOOBIG,	/* the body is larger than the caller's buffer */
	HTTP_BAD	/* not a well-formed response: why says how */
};

/* How the body is delimited. */
enum http_framing {
	HTTP_NO_BODY = 1,	/* 204, 304 */
	HTTP_BY_LENGTH,		/* Content-Length */
	HTTP_BY_CHUNKS,		/* Transfer-Encoding: chunked */
	HTTP_BY_CLOSE		/* the end of the stream */
};

/*
 * One response.  What it says is set once http_feed() has returned
 * HTTP_HEAD; the fields after "state" are the parser's own.
 */
struct http_resp {
	int		 minor;		/* HTTP/1.minor */
	int		 status;	/* 100 .. 599 */
	int		 framing;	/* enum http_framing */
	int		 has_length;	/* Content-Length was there */
	uint64_t	 length;	/* its value */
	char		 media_type[HTTP_VALUE_MAX]; /* "text/plain"; "" none */
	char		 location[HTTP_VALUE_MAX];  /* cut to fit; "" none */
	char		*body;		/* the caller's buffer */
	size_t		 bodymax;	/* its size */
	size_t		 bodylen;	/* the body so far */
	char		 why[HTTP_WHY_MAX];	/* for HTTP_BAD */

	int		 state;
	int		 seen;		/* the fields met, a bit each */
	int		 got;		/* any octet at all */
	size_t		 head;		/* header section octets so far */
	size_t		 framed;	/* chunked framing octets so far */
	uint64_t	 left;		/* of the body, or of the chunk */
	size_t		 linelen;
	size_t		 fieldlen;	/* a field line waiting for its folds */
	char		 line[HTTP_LINE_MAX + 1];	/* + its CR */
	char		 field[HTTP_LINE_MAX];
};

/* Makes r ready for a response whose body goes into body (bodymax). */
void	http_init(struct http_resp *r, char *body, size_t bodymax);

/*
 * Parses the len octets at buf, the next part of the response; *used
 * says how many were taken.  HTTP_MORE: all were, feed what follows (or
 * call http_end at the end of the stream).  HTTP_HEAD, once: the final
 * response's status and fields are set and *used stops at the end of
 * its header section; the caller looks at them and, to read the body,
 * feeds the rest.  HTTP_DONE: the body is complete, in r->body
 * (r->bodylen octets); what follows it is not taken.  HTTP_TOOBIG: the
 * body (by Content-Length, a chunk size or what came) is over bodymax;
 * with a Content-Length that says so, on the first call after
 * HTTP_HEAD.  HTTP_BAD: r->why says what is wrong.  After HTTP_DONE,
 * HTTP_TOOBIG or HTTP_BAD every call returns the same, taking nothing.
 * The result does not depend on how the input is split.
 */
enum http_result http_feed(struct http_resp *r, const char *buf, size_t len,
	    size_t *used);

/*
 * The end of the stream: HTTP_DONE when it ends a body delimited by
 * it, or after a complete one; otherwise HTTP_BAD ("no response", "cut
 * in the header section", "cut in the body"), or the result already
 * reached.
 */
enum http_result http_end(struct http_resp *r);

#endif
