/* SPDX-License-Identifier: ISC */
/* file.h: reading a small file (configuration, aliases) whole. */
#ifndef CARRIER_FILE_H
#define CARRIER_FILE_H

#include <stddef.h>

/*
 * Reads the regular file path, of at most max octets, into a new
 * NUL-terminated buffer (*text, the caller frees it; length in *len; a
 * file that shrinks while read gives what there is).  Returns 0, or -1
 * with errno (ENOENT when there is no such file, EFBIG when it is
 * larger than max, EINVAL when it is not a regular file) and
 * "path: reason" in err, the path escaped (log_sanitize): it may come
 * from the command line, and err is shown on a terminal.
 */
int	file_read(const char *path, size_t max, char **text, size_t *len,
	    char *err, size_t errlen);

/*
 * As file_read(), from fd (an open file, read from its current offset,
 * left open), named name in err: for a file that must be read from the
 * descriptor that was checked, not opened again by its path.
 */
int	file_read_fd(int fd, const char *name, size_t max, char **text,
	    size_t *len, char *err, size_t errlen);

#endif
