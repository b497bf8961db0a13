/* SPDX-License-Identifier: ISC */
/*
 * cred.h: reading an AUTH secret from a file or from a command's output.
 */
#ifndef CARRIER_CRED_H
#define CARRIER_CRED_H

#include <stddef.h>

/*
 * Reads the first line of path (without its line end) into buf.  The
 * file is refused when others may read or write it, or its group may
 * write it: a password others can read has leaked.  Returns 0, or -1
 * with the reason in err.
 */
int	cred_read_file(const char *path, char *buf, size_t size, char *err,
	    size_t errlen);

/*
 * Runs cmd with /bin/sh -c and reads the first line of its output (an
 * OAuth token, a password from a keyring) into buf.  The command must
 * exit 0 within timeout_ms; its stderr goes to ours.  Returns 0, or -1
 * with the reason in err.
 */
int	cred_run_command(const char *cmd, unsigned int timeout_ms, char *buf,
	    size_t size, char *err, size_t errlen);

#endif
