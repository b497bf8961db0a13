/* SPDX-License-Identifier: ISC */
/*
 * text.h: formatted text appended to a bounded buffer, for the reports
 * that are built piece by piece (conf_dump, -bv's route).
 */
#ifndef CARRIER_TEXT_H
#define CARRIER_TEXT_H

#include <stddef.h>

/*
 * Appends fmt's text at buf + *len (buf: size octets, always
 * NUL-terminated, the text cut where it does not fit) and adds its full
 * length to *len, so that *len says at the end what the whole text
 * needs.
 */
void	text_append(char *buf, size_t size, size_t *len, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

#endif
