/* SPDX-License-Identifier: ISC */
/* file.c: reading a small file whole (see file.h).  Depends on libc. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

int
file_read(const char *path, size_t max, char **text, size_t *len,
    char *err, size_t errlen)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, e;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		e = errno;
		(void)snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		e = errno;
		(void)snprintf(err, errlen, "%s: %s", path, strerror(e));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		e = EINVAL;
		(void)snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((unsigned long long)sb.st_size > max) {
		e = EFBIG;
		(void)snprintf(err, errlen, "%s: larger than %zu octets",
		    path, max);
		goto fail;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		e = errno;
		(void)snprintf(err, errlen, "%s: %s", path, strerror(e));
		goto fail;
	}
	while (got < (size_t)sb.st_size) {
		n = read(fd, buf + got, (size_t)sb.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			e = errno;
			(void)snprintf(err, errlen, "%s: read: %s", path,
			    strerror(e));
			goto fail;
		}
		if (n == 0)
			break;		/* it shrank: what there is */
		got += (size_t)n;
	}
	(void)close(fd);
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return 0;
fail:
	free(buf);
	(void)close(fd);
	errno = e;
	return -1;
}
