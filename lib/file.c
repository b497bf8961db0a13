/* SPDX-License-Identifier: ISC */
/*
 * file.c: reading a small file whole (see file.h).  Depends on log.h,
 * to escape the file's name in messages: it may come from the command
 * line.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "file.h"

#define SHOWN_MAX	1024	/* the name escaped, in a message */

static void	say(char *, size_t, const char *, const char *);

/* Writes "name: what" to err, the name escaped. */
static void
say(char *err, size_t errlen, const char *name, const char *what)
{
	char shown[SHOWN_MAX];

	log_sanitize(shown, sizeof(shown), name, strlen(name));
	(void)snprintf(err, errlen, "%s: %s", shown, what);
}

int
file_read(const char *path, size_t max, char **text, size_t *len,
    char *err, size_t errlen)
{
	int fd, rc, e;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		e = errno;
		say(err, errlen, path, strerror(e));
		errno = e;
		return -1;
	}
	rc = file_read_fd(fd, path, max, text, len, err, errlen);
	e = errno;
	(void)close(fd);
	errno = e;
	return rc;
}

int
file_read_fd(int fd, const char *name, size_t max, char **text, size_t *len,
    char *err, size_t errlen)
{
	struct stat sb;
	char *buf = NULL, what[128];
	size_t got = 0;
	ssize_t n;
	int e;

	*text = NULL;
	*len = 0;
	if (fstat(fd, &sb) == -1) {
		e = errno;
		say(err, errlen, name, strerror(e));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		e = EINVAL;
		say(err, errlen, name, "not a regular file");
		goto fail;
	}
	if ((unsigned long long)sb.st_size > max) {
		e = EFBIG;
		(void)snprintf(what, sizeof(what), "larger than %zu octets",
		    max);
		say(err, errlen, name, what);
		goto fail;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		e = errno;
		say(err, errlen, name, strerror(e));
		goto fail;
	}
	while (got < (size_t)sb.st_size) {
		n = read(fd, buf + got, (size_t)sb.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			e = errno;
			(void)snprintf(what, sizeof(what), "read: %s",
			    strerror(e));
			say(err, errlen, name, what);
			goto fail;
		}
		if (n == 0)
			break;		/* it shrank: what there is */
		got += (size_t)n;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return 0;
fail:
	free(buf);
	errno = e;
	return -1;
}
