/* SPDX-License-Identifier: ISC */
/*
 * log.h: the -v transcript and sanitising of untrusted text.
 *
 * libcarrier never writes to stdout.  With verbose on, the SMTP dialogue
 * is written to stderr, one line per command or reply line, with
 * non-printable bytes escaped and credentials never shown.
 */
#ifndef CARRIER_LOG_H
#define CARRIER_LOG_H

#include <stddef.h>
#include <stdio.h>

/* Turns the transcript on (level > 0) or off. */
void	log_set_verbose(int level);

/*
 * Also appends the transcript to fp (sendmail -X), whether or not it is
 * shown on stderr; NULL stops that.
 */
void	log_set_file(FILE *fp);

/* Non-zero when the transcript is on. */
int	log_verbose(void);

/*
 * Writes one transcript line, "-> " for what we send (dir '>') or "<- "
 * for what we receive (dir '<'), or "-- " for notes (dir '-').  line need
 * not be NUL-terminated; a trailing CRLF is not shown.
 */
void	log_transcript(int dir, const char *line, size_t len);

/*
 * Writes a warning the user must see, "carrier: fmt", to stderr (and
 * to the -X file), verbose or not.
 */
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes a note line to the transcript ("-- fmt"); only when verbose. */
void	log_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copies len bytes of untrusted src into dst (size bytes, always
 * NUL-terminated), escaping anything but printable ASCII and TAB as
 * \xHH; a result that does not fit ends in "...".  Returns the length
 * written.
 */
size_t	log_sanitize(char *dst, size_t size, const char *src, size_t len);

#endif
