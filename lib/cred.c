/* SPDX-License-Identifier: ISC */
/*
 * cred.c: AUTH secrets from a file or a command (see cred.h).
 * Depends on monotime (the clock).
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "monotime.h"
#include "priv.h"
#include "cred.h"

static int	first_line(char *, size_t, char *, size_t);

/* Cuts buf (len bytes) at its first line end; -1 if empty. */
static int
first_line(char *buf, size_t len, char *err, size_t errlen)
{
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		(void)snprintf(err, errlen, "empty secret");
		return -1;
	}
	return 0;
}

int
cred_read_file(const char *path, char *buf, size_t size, char *err,
    size_t errlen)
{
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd;

	/*
	 * O_NONBLOCK: a FIFO put there must not hold carrier up.  Opened
	 * with carrier's group, where it has one (a file mode 640 of that
	 * group is for carrier alone).
	 */
	(void)priv_raise();
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	priv_lower();
	if (fd == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		(void)snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_mode & (S_IRWXO | S_IWGRP)) {
		(void)snprintf(err, errlen, "%s: refused: others can read or "
		    "write it, or its group can write it (mode %03o; use "
		    "chmod 600 or 640)", path, (unsigned)st.st_mode & 0777);
		goto fail;
	}
	/*
	 * An access ACL can let named users or groups read what the mode
	 * bits keep from them (the group bits then show only its mask).
	 */
	if (fgetxattr(fd, "system.posix_acl_access", NULL, 0) > 0) {
		(void)snprintf(err, errlen, "%s: refused: it has an access "
		    "ACL, which may let others read it (remove it with "
		    "setfacl -b)", path);
		goto fail;
	}
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			(void)snprintf(err, errlen, "%s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	(void)close(fd);
	if (first_line(buf, len, err, errlen) == -1) {
		(void)snprintf(err, errlen, "%s: no secret in it", path);
		return -1;
	}
	return 0;
fail:
	(void)close(fd);
	return -1;
}

/* Reads what the pipe has now into buf (the rest is drained unkept). */
static int
take(int fd, char *buf, size_t size, size_t *len)
{
	char scratch[512];
	ssize_t n;

	if (*len < size - 1)
		n = read(fd, buf + *len, size - 1 - *len);
	else {
		n = read(fd, scratch, sizeof(scratch));
		explicit_bzero(scratch, sizeof(scratch));	/* unkept */
	}
	if (n == -1)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	if (n > 0 && *len < size - 1)
		*len += (size_t)n;
	return n > 0;
}

int
cred_run_command(const char *cmd, unsigned int timeout_ms, char *buf,
    size_t size, char *err, size_t errlen)
{
	struct pollfd fds[2];
	int64_t deadline = monotime_ms() + timeout_ms, left;
	size_t len = 0;
	pid_t pid;
	int p[2], status = -1, exited = 0, timed_out = 0;

	if (pipe2(p, O_CLOEXEC) == -1) {
		(void)snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		(void)snprintf(err, errlen, "fork: %s", strerror(errno));
		(void)close(p[0]);
		(void)close(p[1]);
		return -1;
	}
	if (pid == 0) {
		/*
		 * A group of its own, so a timeout ends the command's
		 * children too; stdin is not ours to hand on (it is the -bs
		 * client, or the rest of the caller's input).
		 */
		int null = open("/dev/null", O_RDONLY);

		(void)setpgid(0, 0);
		if (null == -1 || dup2(null, STDIN_FILENO) == -1 ||
		    dup2(p[1], STDOUT_FILENO) == -1)
			_exit(127);
		(void)signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	(void)setpgid(pid, pid);	/* either side may be first */
	(void)close(p[1]);
	fds[0].fd = p[0];
	fds[0].events = POLLIN;
	/* readable when the command exits; without it, a look every 20 ms */
#ifdef SYS_pidfd_open
	fds[1].fd = (int)syscall(SYS_pidfd_open, pid, 0);
#else
	fds[1].fd = -1;
#endif
	fds[1].events = POLLIN;
	/*
	 * Its output until it exits, all under the one deadline; not until
	 * end of file, which what it left running may hold off.
	 */
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;
			break;
		}
		if ((left = deadline - monotime_ms()) <= 0) {
			timed_out = 1;
			break;
		}
		if (fds[1].fd == -1 && left > 20)
			left = 20;
		if (poll(fds, 2, left > INT_MAX ? INT_MAX : (int)left) > 0 &&
		    (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 &&
		    take(p[0], buf, size, &len) != 1)
			fds[0].fd = -1;		/* end of its output */
	}
	/* what it wrote before it exited */
	while (exited && fds[0].fd != -1 && poll(fds, 1, 0) > 0 &&
	    take(p[0], buf, size, &len) == 1)
		;
	if (fds[1].fd != -1)
		(void)close(fds[1].fd);
	(void)close(p[0]);
	if (!exited) {
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	if (timed_out) {
		(void)snprintf(err, errlen, "auth_password_command timed out");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		(void)snprintf(err, errlen, "auth_password_command failed "
		    "(%s %d)", WIFEXITED(status) ? "exit" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	if (first_line(buf, len, err, errlen) == -1) {
		(void)snprintf(err, errlen, "auth_password_command printed "
		    "nothing");
		return -1;
	}
	return 0;
}
