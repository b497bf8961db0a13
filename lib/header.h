/* SPDX-License-Identifier: ISC */
/*
 * header.h: the header section of a message, held in memory for editing.
 *
 * A message in canonical form (message.h) starts with its header section:
 * header fields ("Name: value" lines, each possibly folded onto lines that
 * start with a space or tab), then an empty line, then the body.  The
 * section also ends, without an empty line, at the first line that is
 * neither a field nor a continuation: that line starts the body, as in
 * sendmail and Postfix.  A first line "From " (an mbox separator) is not
 * a field and is dropped.  The section is at most HEADER_MAX octets.
 */
#ifndef CARRIER_HEADER_H
#define CARRIER_HEADER_H

#include <stddef.h>

#define HEADER_MAX		(1024 * 1024)
#define HEADER_FIELDS_MAX	10000
#define HEADER_LINE_MAX		998	/* RFC 5322 2.1.1, without CRLF */

struct header_field {
	char	*text;		/* owned: "Name: value\r\n" with folds */
	size_t	 len;
	size_t	 namelen;	/* "Name" (trailing blanks excluded) */
};

struct header {
	struct header_field	*f;
	size_t			 n, cap;
	size_t			 total;		/* octets of all fields */
};

/*
 * Finds the header section at the start of canonical text buf (len
 * octets; at_eof when buf holds the whole message).  Returns 1 with
 * *skip (octets before the first field: a dropped "From " line), *hlen
 * (octets of the fields) and *body_off (where the body starts) set; 0
 * when buf must hold more to tell; -1 when the section exceeds
 * HEADER_MAX.
 */
int	header_section(const char *buf, size_t len, int at_eof, size_t *skip,
	    size_t *hlen, size_t *body_off);

/* Parses hlen octets of fields (as header_section found them) into h.
 * Returns 0, or -1 (ENOMEM, E2BIG: too many fields). */
int	header_parse(struct header *h, const char *buf, size_t hlen);

/* Index of the next field named name (case-insensitive) at or after
 * from, or -1. */
long	header_find(const struct header *h, const char *name, size_t from);

/* The field's body: what follows the colon, folds included (CRLF and
 * WSP), without the final CRLF; length in *len. */
const char *header_value(const struct header *h, size_t i, size_t *len);

/* Removes field i. */
void	header_remove(struct header *h, size_t i);

/*
 * Appends "name: value\r\n" (value may hold folds), or replaces field i
 * with it when i >= 0.  Returns 0, or -1 (ENOMEM, E2BIG).
 */
int	header_put(struct header *h, long i, const char *name,
	    const char *value);

/*
 * Renders the fields and the empty line that ends the section into a
 * new buffer (*out, owned by the caller; length in *len).  Lines longer
 * than HEADER_LINE_MAX are folded before a blank where there is one;
 * *long_left says whether a line had none and stays long.  Returns 0,
 * or -1 (ENOMEM).
 */
int	header_render(const struct header *h, char **out, size_t *len,
	    int *long_left);

void	header_free(struct header *h);

#endif
