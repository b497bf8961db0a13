/* SPDX-License-Identifier: ISC */
/*
 * spool.c: the queue's directory (see spool.h).  Depends on qenv (the
 * id and size limits) and nothing above it.
 *
 * Layout of the spool (default /var/spool/carrier):
 *
 *	tmp/		messages being read in (unlinked O_TMPFILE files)
 *			and envelope files being written (ID.e.PID; one
 *			a kill left is removed when a day old)
 *	queue/ID.d	a message's data: the canonical text as read in,
 *			then the header section as sent appended at its
 *			end (qenv.h says where each part lies); written
 *			once, never changed
 *	queue/ID.e	its envelope file (qenv.c documents the format);
 *			replaced whole by rename, never edited
 *	sts/DOMAIN	an MTA-STS policy cached (sts_cache.c documents
 *			the format); replaced whole by rename
 *
 * The spool belongs to root and carrier's group (mode 2770 when carrier
 * is installed set-group-ID, priv.h).  A data file is mode 600, its
 * submitter's: no other user can read the mail, even through carrier;
 * an envelope is mode 640, so mailq shows every message.
 *	corrupt/	entries that could not be read, set aside
 *
 * The rules:
 * - A message enters the queue when its envelope file appears: the data
 *   file is synced and linked in first, then the envelope is written to
 *   tmp/, synced, renamed into queue/, and queue/ is synced.  A kill at
 *   any point leaves either no envelope (the message was not accepted;
 *   an orphan data file is removed by the next queue run) or a whole
 *   one.
 * - It leaves when its envelope is unlinked (the data goes after it);
 *   a queue run syncs queue/ once after its removals, not after each: a
 *   removal lost to a power loss only sends that message again, the
 *   same duplicate as a kill between the server's reply and the
 *   removal, which SMTP cannot avoid.
 * - Whoever sends or changes a message holds flock(LOCK_EX) on its data
 *   file, which never changes inode, so two runners never send one
 *   message; the submitting process takes the lock before the link.
 *   After taking the lock a runner reads the envelope again: it may be
 *   gone (another runner finished it) or newer.  mailq's "*" finds the
 *   lock in /proc/locks, as a user who may not open the data file must.
 * - An entry that cannot be read is moved into corrupt/ under its lock,
 *   the data file first: an envelope without its data in queue/ (a kill
 *   between the two moves) is set aside in its turn by the next run,
 *   while a data file without its envelope would be removed.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "qenv.h"
#include "spool.h"

static int	name(char *, size_t, const char *, const char *);
static int	no_data(struct spool *, const char *);
static int	move_aside(struct spool *, const char *, const char *);
static void	reap(struct spool *, const char *);
static int	tmp_envelope(const char *);
static void	reap_tmp(struct spool *, time_t, time_t);
static int	cmp_ids(const void *, const void *);
static void	held_read(struct spool *);
static int	cmp_ino(const void *, const void *);

int
spool_subdir(int dirfd, const char *dir)
{
	struct stat st;
	int fd;

	if ((fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1 || errno != ENOENT)
		return fd;
	if (fstat(dirfd, &st) == -1)
		return -1;
	if (st.st_uid != geteuid() && geteuid() != 0) {
		errno = ENOENT;	/* for make install, or root, to make */
		return -1;
	}
	if (mkdirat(dirfd, dir, 0770) == -1 && errno != EEXIST)
		return -1;
	if ((fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1 || fchmod(fd, (st.st_mode & 07000) |
	    0770) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

int
spool_open(struct spool *sp, const char *path)
{
	static const char *const dirs[] = { "tmp", "queue", "corrupt" };
	int *fds[] = { &sp->tmpfd, &sp->queuefd, &sp->corruptfd };
	size_t i;
	int e;

	sp->dirfd = sp->tmpfd = sp->queuefd = sp->corruptfd = -1;
	sp->held = NULL;
	sp->nheld = 0;
	sp->held_read = 0;
	(void)strlcpy(sp->failed, path, sizeof(sp->failed));
	if (strlcpy(sp->path, path, sizeof(sp->path)) >= sizeof(sp->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((sp->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		goto fail;
	for (i = 0; i < 3; i++) {
		(void)snprintf(sp->failed, sizeof(sp->failed), "%s/%s", path,
		    dirs[i]);
		if ((*fds[i] = spool_subdir(sp->dirfd, dirs[i])) == -1)
			goto fail;
	}
	sp->failed[0] = '\0';
	return 0;
fail:
	e = errno;
	spool_close(sp);
	errno = e;
	return -1;
}

void
spool_close(struct spool *sp)
{
	int *fds[] = { &sp->dirfd, &sp->tmpfd, &sp->queuefd, &sp->corruptfd };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] != -1)
			(void)close(*fds[i]);
		*fds[i] = -1;
	}
	free(sp->held);
	sp->held = NULL;
	sp->nheld = 0;
	sp->held_read = 0;
}

int
spool_tmpfile(const char *path)
{
	char dir[SPOOL_PATH_MAX + 8];

	if ((size_t)snprintf(dir, sizeof(dir), "%s/tmp", path) >=
	    sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
#ifdef O_TMPFILE
	return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#else
	errno = EOPNOTSUPP;
	return -1;
#endif
}

void
spool_new_id(char *id, size_t size)
{
	static unsigned int seq;
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	/* seconds, microseconds, then what tells processes apart */
	(void)snprintf(id, size, "%09llX%05lX%05X%X",
	    (unsigned long long)ts.tv_sec, ts.tv_nsec / 1000,
	    (unsigned int)getpid() & 0xfffff, seq++ & 0xf);
}

/* "ID" + suffix into buf. */
static int
name(char *buf, size_t size, const char *id, const char *suffix)
{
	if (!qenv_id_ok(id) || (size_t)snprintf(buf, size, "%s%s", id,
	    suffix) >= size) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
spool_link_data(struct spool *sp, int fd, char *id, size_t size)
{
	char proc[64], file[QENV_ID_MAX + 4];
	int tries;

	if (fsync(fd) == -1)
		return -1;
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (tries = 0; tries < 100; tries++) {
		spool_new_id(id, size);
		if (name(file, sizeof(file), id, ".d") == -1)
			return -1;
		/* AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH */
		if (linkat(AT_FDCWD, proc, sp->queuefd, file,
		    AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int
spool_replace(int tmpfd, const char *tmp, int dirfd, const char *file,
    const char *text, size_t len)
{
	ssize_t n;
	size_t off = 0;
	int fd, e;

	if ((fd = openat(tmpfd, tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0640)) == -1)
		return -1;
	if (fchmod(fd, 0640) == -1)	/* whatever the umask: for mailq */
		goto fail;
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(tmpfd, tmp, dirfd, file) == -1)
		goto fail;
	return fsync(dirfd);
fail:
	e = errno;
	if (fd != -1)
		(void)close(fd);
	(void)unlinkat(tmpfd, tmp, 0);
	errno = e;
	return -1;
}

int
spool_write_env(struct spool *sp, const char *id, const char *text,
    size_t len)
{
	char tmp[QENV_ID_MAX + 32], file[QENV_ID_MAX + 4];

	if (name(file, sizeof(file), id, ".e") == -1)
		return -1;
	(void)snprintf(tmp, sizeof(tmp), "%s.e.%ld", id, (long)getpid());
	return spool_replace(sp->tmpfd, tmp, sp->queuefd, file, text, len);
}

char *
spool_read_env(struct spool *sp, const char *id, size_t *len)
{
	char file[QENV_ID_MAX + 4], *buf = NULL;
	struct stat st;
	ssize_t n;
	size_t off = 0;
	int fd, e;

	if (name(file, sizeof(file), id, ".e") == -1 ||
	    (fd = openat(sp->queuefd, file, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode) || (unsigned long long)st.st_size >
	    QENV_FILE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (off < (size_t)st.st_size) {
		if ((n = read(fd, buf + off, (size_t)st.st_size - off)) ==
		    -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;	/* shorter than it was: what is there */
		off += (size_t)n;
	}
	(void)close(fd);
	buf[off] = '\0';
	*len = off;
	return buf;
fail:
	e = errno;
	free(buf);
	(void)close(fd);
	errno = e;
	return NULL;
}

int
spool_lock(struct spool *sp, const char *id)
{
	char file[QENV_ID_MAX + 4];
	int fd, e;

	if (name(file, sizeof(file), id, ".d") == -1)
		return -1;
	if ((fd = openat(sp->queuefd, file, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			errno = no_data(sp, id);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		e = errno;
		(void)close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * Why queue/ID.d is not there: ENOENT when the envelope is gone too (the
 * message left the queue: spool_remove takes the envelope first),
 * EWOULDBLOCK when the data file is in corrupt/ under another process's
 * lock (it is setting the message aside: the envelope follows), else
 * ENODATA (the envelope has no data file: a kill between
 * spool_set_aside's two moves, or damage).
 */
static int
no_data(struct spool *sp, const char *id)
{
	char file[QENV_ID_MAX + 4];
	int fd, busy;

	(void)snprintf(file, sizeof(file), "%s.e", id);
	if (faccessat(sp->queuefd, file, F_OK, AT_SYMLINK_NOFOLLOW) == -1)
		return ENOENT;
	file[strlen(file) - 1] = 'd';
	if ((fd = openat(sp->corruptfd, file, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return ENODATA;
	busy = flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	(void)close(fd);
	return busy ? EWOULDBLOCK : ENODATA;
}

int
spool_locks_parse(const char *line, struct spool_lockline *l)
{
	char mode[8];

	/* a waiter's "->" stops the match at FLOCK, "<none>" at MAJOR */
	if (sscanf(line, "%*u: FLOCK %*s %7s %ld %x:%x:%llu", mode, &l->pid,
	    &l->major, &l->minor, &l->ino) != 5)
		return 0;
	return strcmp(mode, "WRITE") == 0 || strcmp(mode, "READ") == 0;
}

static int
cmp_ino(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Reads into sp->held the inodes of the flock(2) locks that /proc/locks
 * shows on queue/'s file system.  /proc/locks names the device as the
 * kernel knows the file system, which stat(2) does not always give
 * (btrfs gives each subvolume a device of its own, overlayfs a file the
 * device of its layer): a shared lock on queue/ itself, found by this
 * process's pid and queue/'s inode, shows the name used; without that
 * line, queue/'s st_dev.  held_read becomes 1, or -1 (spool_busy then
 * probes each file) when /proc/locks cannot be read or holds over
 * SPOOL_HELD_MAX flock(2) locks.
 */
static void
held_read(struct spool *sp)
{
	struct spool_lockline l, *v = NULL, *nv;
	struct stat dir;
	char line[256];
	FILE *fp = NULL;
	size_t n = 0, cap = 0, i;
	unsigned int dmaj, dmin;
	int locked;

	sp->held_read = -1;
	if (fstat(sp->queuefd, &dir) == -1)
		return;
	dmaj = major(dir.st_dev);
	dmin = minor(dir.st_dev);
	locked = flock(sp->queuefd, LOCK_SH | LOCK_NB) == 0;
	if ((fp = fopen("/proc/locks", "re")) == NULL)
		goto out;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (!spool_locks_parse(line, &l))
			continue;
		if (locked && l.pid == (long)getpid() && l.ino == dir.st_ino) {
			dmaj = l.major;
			dmin = l.minor;
			continue;
		}
		if (n == SPOOL_HELD_MAX)
			goto out;
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				goto out;
			v = nv;
		}
		v[n++] = l;
	}
	if (ferror(fp) ||
	    (sp->held = calloc(n > 0 ? n : 1, sizeof(*sp->held))) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (v[i].major == dmaj && v[i].minor == dmin)
			sp->held[sp->nheld++] = v[i].ino;
	qsort(sp->held, sp->nheld, sizeof(*sp->held), cmp_ino);
	sp->held_read = 1;
out:
	if (fp != NULL)
		(void)fclose(fp);
	if (locked)
		(void)flock(sp->queuefd, LOCK_UN);
	free(v);
}

int
spool_busy(struct spool *sp, const char *id)
{
	char file[QENV_ID_MAX + 4];
	unsigned long long ino;
	struct stat st;
	int fd;

	if (sp->held_read == 0)
		held_read(sp);
	if (sp->held_read == -1) {
		/* the probe: it cannot open another user's data file */
		if ((fd = spool_lock(sp, id)) != -1) {
			(void)close(fd);
			return 0;
		}
		return errno == EWOULDBLOCK ? 1 : -1;
	}
	if (name(file, sizeof(file), id, ".d") == -1 ||
	    fstatat(sp->queuefd, file, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	ino = st.st_ino;
	return bsearch(&ino, sp->held, sp->nheld, sizeof(*sp->held),
	    cmp_ino) != NULL;
}

int
spool_remove(struct spool *sp, const char *id)
{
	char file[QENV_ID_MAX + 4];

	if (name(file, sizeof(file), id, ".e") == -1 ||
	    unlinkat(sp->queuefd, file, 0) == -1)
		return -1;
	file[strlen(file) - 1] = 'd';
	if (unlinkat(sp->queuefd, file, 0) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

int
spool_sync(struct spool *sp)
{
	return fsync(sp->queuefd);
}

int
spool_set_aside(struct spool *sp, const char *id)
{
	/*
	 * The data first, each move synced before the next: a kill (or a
	 * power loss) between the two leaves an envelope without data in
	 * queue/, which the next run sets aside as well (spool_lock:
	 * ENODATA).  The other order would leave a data file without an
	 * envelope, which spool_list removes as an orphan once no one
	 * holds its lock: the message would be lost, its envelope alone
	 * in corrupt/.
	 */
	if (move_aside(sp, id, ".d") == -1 || move_aside(sp, id, ".e") == -1)
		return -1;
	return 0;
}

/* Moves queue/ID+suffix into corrupt/, if it is there, and syncs both. */
static int
move_aside(struct spool *sp, const char *id, const char *suffix)
{
	char file[QENV_ID_MAX + 4];

	if (name(file, sizeof(file), id, suffix) == -1)
		return -1;
	if (renameat(sp->queuefd, file, sp->corruptfd, file) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fsync(sp->corruptfd) == -1)
		return -1;
	return fsync(sp->queuefd);
}

/*
 * Removes data file ID.d if it has no envelope and nobody holds its
 * lock.  Its submitter takes the lock before the link and holds it
 * until the envelope is in, and a runner holds it from before it
 * unlinks the envelope until after it unlinks the data: a data file
 * that is unlocked and has no envelope has no living writer (a kill
 * between the link and the envelope, or between a runner's two
 * unlinks, left it) and no one will ever send it.
 */
static void
reap(struct spool *sp, const char *id)
{
	char file[QENV_ID_MAX + 4];
	int fd;

	(void)snprintf(file, sizeof(file), "%s.e", id);
	if (faccessat(sp->queuefd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
	    errno != ENOENT || (fd = spool_lock(sp, id)) == -1)
		return;
	/* locked: no envelope can appear now but from another link */
	if (faccessat(sp->queuefd, file, F_OK, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno == ENOENT) {
		file[strlen(file) - 1] = 'd';
		(void)unlinkat(sp->queuefd, file, 0);
	}
	(void)close(fd);
}

/* Whether name is that of an envelope being written: "ID.e.PID". */
static int
tmp_envelope(const char *name)
{
	char id[QENV_ID_MAX];
	const char *p;
	size_t len;

	if ((p = strstr(name, ".e.")) == NULL || (len = (size_t)(p - name)) >=
	    sizeof(id))
		return 0;
	memcpy(id, name, len);
	id[len] = '\0';
	p += 3;
	return qenv_id_ok(id) && *p != '\0' && strspn(p, "0123456789") ==
	    strlen(p);
}

/*
 * Removes the envelope files in tmp/ not written to for max_age seconds:
 * a kill inside spool_write_env left them (a write takes milliseconds),
 * and no one else would ever remove them.
 */
static void
reap_tmp(struct spool *sp, time_t now, time_t max_age)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	if ((fd = dup(sp->tmpfd)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		if (tmp_envelope(de->d_name) && fstatat(sp->tmpfd, de->d_name,
		    &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    now - st.st_mtime > max_age)
			(void)unlinkat(sp->tmpfd, de->d_name, 0);
	(void)closedir(d);
}

static int
cmp_ids(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
spool_list(struct spool *sp, time_t max_age, char ***ids, size_t *n)
{
	struct dirent *de;
	char **v = NULL, **nv, id[QENV_ID_MAX];
	size_t cap = 0, len;
	time_t now = time(NULL);
	DIR *d;
	int fd, e;

	*ids = NULL;
	*n = 0;
	if ((fd = dup(sp->queuefd)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return -1;
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 3 || len - 2 >= sizeof(id) ||
		    de->d_name[len - 2] != '.')
			continue;
		memcpy(id, de->d_name, len - 2);
		id[len - 2] = '\0';
		if (!qenv_id_ok(id))
			continue;
		if (de->d_name[len - 1] == 'd') {
			if (max_age >= 0)
				reap(sp, id);
			continue;
		}
		if (de->d_name[len - 1] != 'e')
			continue;
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				goto fail;
			v = nv;
		}
		if ((v[*n] = strdup(id)) == NULL)
			goto fail;
		++*n;
	}
	if (errno != 0)
		goto fail;
	(void)closedir(d);
	if (max_age >= 0)
		reap_tmp(sp, now, max_age);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_ids);
	*ids = v;
	return 0;
fail:
	e = errno;
	(void)closedir(d);
	spool_free_ids(v, *n);
	*n = 0;
	errno = e;
	return -1;
}

void
spool_free_ids(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}
