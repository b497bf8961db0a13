/* SPDX-License-Identifier: ISC */
/*
 * spool.h: the queue's directory and its files.  The layout and the
 * rules that keep it safe under kill -9 and concurrent runners are at
 * the top of spool.c.  Low-level: functions return 0 or -1 with errno,
 * like system calls.
 */
#ifndef CARRIER_SPOOL_H
#define CARRIER_SPOOL_H

#include <stddef.h>
#include <time.h>

#define SPOOL_DEFAULT	"/var/spool/carrier"
#define SPOOL_PATH_MAX	1024

#define SPOOL_HELD_MAX	65536	/* flock(2) locks taken from /proc/locks */

struct spool {
	char	path[SPOOL_PATH_MAX];
	int	dirfd;		/* the spool */
	int	tmpfd;		/* tmp/ */
	int	queuefd;	/* queue/ */
	int	corruptfd;	/* corrupt/ */
	char	failed[SPOOL_PATH_MAX + 16]; /* spool_open(): what failed */
	/* spool_busy(): the locks on queue/'s file system, read once */
	unsigned long long *held;	/* their inode numbers, sorted */
	size_t	nheld;
	int	held_read;	/* 0: not yet; 1: held; -1: flock probes */
};

/* A lock as a line of /proc/locks shows it (spool_locks_parse). */
struct spool_lockline {
	long			pid;	/* as /proc's pid namespace has it */
	unsigned int		major;	/* the file system's device */
	unsigned int		minor;
	unsigned long long	ino;	/* the file's inode number */
};

/*
 * Opens the spool at path, which must exist; its tmp/, queue/ and
 * corrupt/ are made (mode 770) when missing, if the spool is the
 * caller's or the caller is root.  Returns 0, or -1 with errno, the
 * directory that failed in sp->failed, and sp closed.
 */
int	spool_open(struct spool *sp, const char *path);

/*
 * Opens the subdirectory dir of the spool whose directory is dirfd,
 * making it (mode 770, whatever the umask, keeping the set-group-ID bit
 * it inherits) when it is missing and the spool is the caller's own or
 * the caller is root: a user must never own a directory of the shared
 * spool (else ENOENT).  For spool_open's and the MTA-STS cache's
 * (sts_cache.h).  Returns the fd, or -1 with errno.
 */
int	spool_subdir(int dirfd, const char *dir);

/* Closes what spool_open() opened (safe on a closed spool). */
void	spool_close(struct spool *sp);

/*
 * An unlinked read-write file in path/tmp (O_TMPFILE, so the file can
 * be linked into the queue later without a copy).  Returns the fd, or
 * -1 with errno (EOPNOTSUPP where the file system has no O_TMPFILE).
 */
int	spool_tmpfile(const char *path);

/* A new queue id into id (QENV_ID_MAX octets): time-ordered, unique. */
void	spool_new_id(char *id, size_t size);

/*
 * Makes fd, an unlinked file (spool_tmpfile) that the caller has
 * written and locked, the data file of a new message: syncs it and
 * links it into queue/ as ID.d under a fresh id, which it writes to id
 * (QENV_ID_MAX octets).  The directory is synced with the envelope
 * (spool_write_env).  Returns 0, or -1 with errno.
 */
int	spool_link_data(struct spool *sp, int fd, char *id, size_t size);

/*
 * Writes the len octets at text as the file named file in directory
 * dirfd, whole: to tmp in directory tmpfd (mode 640 whatever the umask,
 * a file of that name written over), synced, renamed over file, and
 * dirfd synced.  Returns 0, or -1 with errno (file is then as it was,
 * unless only the last sync failed; tmp is gone).  For the files that
 * are replaced, never edited: envelopes, the MTA-STS cache's entries.
 */
int	spool_replace(int tmpfd, const char *tmp, int dirfd, const char *file,
	    const char *text, size_t len);

/*
 * Writes an envelope file whole: to tmp/, synced, renamed over
 * queue/ID.e, and the queue directory synced (spool_replace).  Returns
 * 0, or -1 with errno (nothing in queue/ has changed then).
 */
int	spool_write_env(struct spool *sp, const char *id, const char *text,
	    size_t len);

/*
 * Reads queue/ID.e into a buffer the caller frees; its length in *len.
 * Returns NULL with errno (ENOENT: the message is gone; EFBIG: over
 * QENV_FILE_MAX).
 */
char	*spool_read_env(struct spool *sp, const char *id, size_t *len);

/*
 * Opens queue/ID.d and takes its lock without waiting.  Returns the fd
 * (the lock lasts until it is closed), or -1 with errno: EWOULDBLOCK
 * when another process holds the message (or is setting it aside),
 * ENOENT when it is gone, ENODATA when its envelope is there without
 * its data file (a kill part way through spool_set_aside, or damage: to
 * be set aside).
 */
int	spool_lock(struct spool *sp, const char *id);

/*
 * Whether another process holds the message's lock (mailq's "*"):
 * 1, 0, or -1 with errno.  The data file is not opened (it is mode 600,
 * its submitter's: another user's mailq could not): its inode is looked
 * up in the flock(2) locks of /proc/locks, read at the first call on sp
 * (once per listing; a lock taken after that is not seen).  Where
 * /proc/locks cannot be read, the file is opened to test its lock.
 */
int	spool_busy(struct spool *sp, const char *id);

/*
 * Parses one line of /proc/locks (proc(5)):
 *	ID: FLOCK  ADVISORY  WRITE PID MAJOR:MINOR:INODE START END
 * MAJOR and MINOR in hex (at least two digits: "fe:00", "103:1a2"),
 * INODE in decimal.  Returns 1 and fills *l for a flock(2) lock that is
 * held (READ or WRITE), else 0: a waiter's line ("ID: -> FLOCK ..."),
 * a POSIX, OFD or lease lock, a lock without an inode ("<none>"), or a
 * line of another form.
 */
int	spool_locks_parse(const char *line, struct spool_lockline *l);

/*
 * Removes a message: the envelope first (the message is done from that
 * moment), then the data.  The directory is not synced (spool_sync):
 * a removal that a power loss undoes sends the message once more, as a
 * kill between the server's reply and the removal would.  Returns 0,
 * or -1 with errno.
 */
int	spool_remove(struct spool *sp, const char *id);

/* Syncs queue/ (after removals).  Returns 0, or -1 with errno. */
int	spool_sync(struct spool *sp);

/*
 * Moves a message's files that exist into corrupt/, for a person to
 * look at: the data file, then the envelope, each move synced, so that
 * no kill leaves the data without its envelope in queue/ (spool_list
 * would remove it).  The caller holds the message's lock.  Returns 0,
 * or -1 with errno (the data may be in corrupt/ already, the envelope
 * still in queue/).
 */
int	spool_set_aside(struct spool *sp, const char *id);

/*
 * The ids of the messages in queue/ (those with an envelope), sorted
 * (by arrival); data files without an envelope that no one holds
 * locked (left by a kill between the link and the envelope, or between
 * a runner's two unlinks), and envelope files in tmp/ not written to
 * for max_age seconds (left by a kill during their write), are removed
 * on the way, unless max_age is negative (a listing changes nothing).
 * *ids is an array the caller frees with spool_free_ids().  Returns 0, or -1 with errno.
 */
int	spool_list(struct spool *sp, time_t max_age, char ***ids, size_t *n);

void	spool_free_ids(char **ids, size_t n);

#endif
