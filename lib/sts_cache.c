/* SPDX-License-Identifier: ISC */
/*
 * sts_cache.c: the MTA-STS policy cache (see sts_cache.h).  Depends on
 * spool (its sts/ directory), sts (the policy's parser) and sts_decide
 * (the domain's name, the entry).
 *
 * Format, version 1.  Text, lines ending in LF, each a keyword and its
 * fields separated by single spaces, in this order:
 *
 *	carrier-sts 1
 *	domain DOMAIN		lowercase, also the file's name
 *	id ID			the TXT record's id the policy was fetched
 *				under; "-": no policy, only a failure
 *	fetched SECONDS		when, since the epoch (0 without a policy)
 *	expires SECONDS		fetched + the policy's max_age (0 without)
 *	failed SECONDS ID	the last fetch that failed since, and the
 *				TXT id it was for; "0 -": none
 *	policy LENGTH		then LENGTH octets to the end of the file:
 *				the policy as fetched (0 without one)
 *
 * The policy is kept as fetched, not as its parsed fields: the one
 * parser (sts_parse_policy) checks it again at every read, so a damaged
 * file cannot pass for what a fetch would have refused; a person who
 * reads the file sees what the domain published; and a field that
 * struct sts_policy may gain needs no new version of the format.  The
 * cost is a parse of at most 64 KiB per read, microseconds.  LENGTH
 * must match what follows exactly, so a cut file is seen.  A reader
 * refuses another version, a missing, unknown or misplaced line, a
 * number that is not 0 or 1 to 18 digits without a leading 0, an id
 * that is not 1 to 32 letters and digits, and a domain other than the
 * file's name.
 *
 * A file is written to .tmp.PID in the same directory (no domain has
 * that name: a label is never empty), synced, renamed over DOMAIN, and
 * the directory synced (spool_replace).  A kill during the write
 * leaves .tmp.PID behind, replaced by the next write of a process with
 * that pid; no reader looks at it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "sts.h"
#include "sts_decide.h"
#include "spool.h"
#include "sts_cache.h"

#define CACHE_VERSION	"1"
#define HEAD_MAX	(512 + STS_DOMAIN_MAX)	/* the lines before the
						   policy */
#define NUMBER_DIGITS	18			/* fits any int64_t */

/* A file read whole, and where its policy lies. */
struct file {
	char	*buf;
	size_t	 len;
	size_t	 pos;		/* the parser's, then the policy's start */
	dev_t	 dev;		/* which file it was */
	ino_t	 ino;
};

static int	line(struct file *, const char *, const char **, size_t *);
static int	number(const char *, size_t, time_t *);
static int	id(const char *, size_t, char *);
static int	parse(struct file *, const char *, struct sts_cached *);
static int	read_file(struct sts_cache *, const char *, struct file *);
static int	load(struct sts_cache *, const char *, time_t,
		    struct sts_cached *, struct file *);
static int	store(struct sts_cache *, const struct sts_cached *,
		    const char *, size_t);

int
sts_cache_open(struct sts_cache *c, const char *spool)
{
	int fd, e;

	c->dirfd = -1;
	if ((fd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	c->dirfd = spool_subdir(fd, STS_CACHE_DIR);
	e = errno;
	(void)close(fd);
	errno = e;
	return c->dirfd == -1 ? -1 : 0;
}

void
sts_cache_close(struct sts_cache *c)
{
	if (c->dirfd != -1)
		(void)close(c->dirfd);
	c->dirfd = -1;
}

/* The next line, "key value": the value at *v (*vlen octets), or -1. */
static int
line(struct file *f, const char *key, const char **v, size_t *vlen)
{
	const char *s = f->buf + f->pos, *lf;
	size_t klen = strlen(key), n;

	if ((lf = memchr(s, '\n', f->len - f->pos)) == NULL)
		return -1;
	n = (size_t)(lf - s);
	if (n <= klen + 1 || memcmp(s, key, klen) != 0 || s[klen] != ' ')
		return -1;
	*v = s + klen + 1;
	*vlen = n - klen - 1;
	f->pos += n + 1;
	return 0;
}

/* 0, or 1 to NUMBER_DIGITS digits without a leading 0. */
static int
number(const char *s, size_t n, time_t *t)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > NUMBER_DIGITS || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*t = (time_t)v;
	return 0;
}

/* An id (1 to 32 letters and digits) into out, or "-" as "". */
static int
id(const char *s, size_t n, char *out)
{
	size_t i;

	out[0] = '\0';
	if (n == 1 && s[0] == '-')
		return 0;
	if (n == 0 || n >= STS_ID_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/*
 * Parses f (the format above) for the domain name into e; f->pos is
 * left at the policy.  0, or -1 when it does not read.
 */
static int
parse(struct file *f, const char *name, struct sts_cached *e)
{
	const char *v, *sp;
	size_t n;
	time_t plen;
	char why[8];

	if (line(f, "carrier-sts", &v, &n) == -1 ||
	    n != strlen(CACHE_VERSION) || memcmp(v, CACHE_VERSION, n) != 0 ||
	    line(f, "domain", &v, &n) == -1 || n != strlen(name) ||
	    memcmp(v, name, n) != 0 ||
	    line(f, "id", &v, &n) == -1 || id(v, n, e->id) == -1 ||
	    line(f, "fetched", &v, &n) == -1 ||
	    number(v, n, &e->fetched) == -1 ||
	    line(f, "expires", &v, &n) == -1 ||
	    number(v, n, &e->expires) == -1 ||
	    line(f, "failed", &v, &n) == -1 ||
	    (sp = memchr(v, ' ', n)) == NULL ||
	    number(v, (size_t)(sp - v), &e->failed) == -1 ||
	    id(sp + 1, n - (size_t)(sp - v) - 1, e->failed_id) == -1 ||
	    line(f, "policy", &v, &n) == -1 || number(v, n, &plen) == -1 ||
	    (size_t)plen != f->len - f->pos)
		return -1;
	if ((e->failed == 0) != (e->failed_id[0] == '\0'))
		return -1;
	if (e->id[0] == '\0')
		return e->fetched == 0 && e->expires == 0 && plen == 0 ? 0 :
		    -1;
	if (e->expires < e->fetched || plen == 0 ||
	    sts_parse_policy(f->buf + f->pos, (size_t)plen, &e->policy, why,
	    sizeof(why)) == -1)
		return -1;
	return 0;
}

/*
 * Reads the file name whole into f (f->buf allocated, NUL-terminated).
 * 1: read; 2: too large to read; 0: none, or not one to trust (a
 * symbolic link, not a regular file, another user's); -1: errno.
 */
static int
read_file(struct sts_cache *c, const char *name, struct file *f)
{
	struct stat st;
	ssize_t n;
	int fd, e;

	memset(f, 0, sizeof(*f));
	if ((fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return errno == ENOENT || errno == ELOOP ? 0 : -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 &&
	    st.st_uid != geteuid()) || st.st_size > STS_CACHE_FILE_MAX) {
		(void)close(fd);
		return S_ISREG(st.st_mode) && st.st_size >
		    STS_CACHE_FILE_MAX ? 2 : 0;
	}
	if ((f->buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (f->len < (size_t)st.st_size) {
		if ((n = read(fd, f->buf + f->len, (size_t)st.st_size -
		    f->len)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;	/* shorter than it was: the parse sees it */
		f->len += (size_t)n;
	}
	f->buf[f->len] = '\0';
	(void)close(fd);
	return 1;
fail:
	e = errno;
	free(f->buf);
	f->buf = NULL;
	(void)close(fd);
	errno = e;
	return -1;
}

/*
 * Reads and parses the entry of the domain name into e (e->domain set,
 * not name itself, the rest zero), the file left in f (f->buf NULL when
 * there is none to use).  A file that does not read is removed, if it
 * is still the one read.  The state, or -1 with errno.
 */
static int
load(struct sts_cache *c, const char *name, time_t now,
    struct sts_cached *e, struct file *f)
{
	struct stat st;
	int r;

	if ((r = read_file(c, name, f)) == 0 || r == -1)
		return r == 0 ? STS_CACHE_NONE : -1;
	if (r == 2 || parse(f, name, e) == -1) {
		if (fstatat(c->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_dev == f->dev && st.st_ino == f->ino)
			(void)unlinkat(c->dirfd, name, 0);
		free(f->buf);
		f->buf = NULL;
		memset(e, 0, sizeof(*e));	/* what parse set */
		(void)strlcpy(e->domain, name, sizeof(e->domain));
		return STS_CACHE_NONE;
	}
	if (e->id[0] == '\0')
		return e->state = STS_CACHE_NONE;
	return e->state = now < e->expires ? STS_CACHE_FRESH :
	    STS_CACHE_EXPIRED;
}

/* Writes entry e with the policy text (len octets; none when 0). */
static int
store(struct sts_cache *c, const struct sts_cached *e, const char *text,
    size_t len)
{
	char *buf, tmp[32];
	int n, r, err;

	if (e->fetched < 0 || e->expires < 0 || e->failed < 0) {
		errno = EINVAL;	/* the format has no sign */
		return -1;
	}
	if ((buf = malloc(HEAD_MAX + len)) == NULL)
		return -1;
	n = snprintf(buf, HEAD_MAX, "carrier-sts %s\ndomain %s\nid %s\n"
	    "fetched %lld\nexpires %lld\nfailed %lld %s\npolicy %zu\n",
	    CACHE_VERSION, e->domain, e->id[0] != '\0' ? e->id : "-",
	    (long long)e->fetched, (long long)e->expires,
	    (long long)e->failed, e->failed != 0 ? e->failed_id : "-", len);
	if (n < 0 || n >= HEAD_MAX) {
		free(buf);
		errno = EOVERFLOW;
		return -1;
	}
	memcpy(buf + n, text, len);
	(void)snprintf(tmp, sizeof(tmp), ".tmp.%ld", (long)getpid());
	r = spool_replace(c->dirfd, tmp, c->dirfd, e->domain, buf,
	    (size_t)n + len);
	err = errno;
	free(buf);
	errno = err;
	return r;
}

int
sts_cache_get(struct sts_cache *c, const char *domain, time_t now,
    struct sts_cached *e)
{
	struct file f;
	char name[STS_DOMAIN_MAX];
	int r;

	memset(e, 0, sizeof(*e));
	if (sts_decide_domain(domain, name, sizeof(name)) == -1) {
		errno = EINVAL;
		return -1;
	}
	(void)strlcpy(e->domain, name, sizeof(e->domain));
	r = load(c, name, now, e, &f);
	free(f.buf);
	return r;
}

int
sts_cache_put(struct sts_cache *c, const char *domain, const char *txt_id,
    time_t fetched, const char *text, size_t len)
{
	struct sts_cached e;
	char why[8];

	memset(&e, 0, sizeof(e));
	if (sts_decide_domain(domain, e.domain, sizeof(e.domain)) == -1 ||
	    id(txt_id, strlen(txt_id), e.id) == -1 || e.id[0] == '\0' ||
	    len == 0 || sts_parse_policy(text, len, &e.policy, why,
	    sizeof(why)) == -1) {
		errno = EINVAL;
		return -1;
	}
	e.fetched = fetched;
	e.expires = fetched + (time_t)(e.policy.max_age < STS_MAX_AGE_MAX ?
	    e.policy.max_age : STS_MAX_AGE_MAX);
	return store(c, &e, text, len);
}

int
sts_cache_failed(struct sts_cache *c, const char *domain,
    const char *txt_id, time_t now)
{
	struct sts_cached e;
	struct file f;
	char name[STS_DOMAIN_MAX], failed_id[STS_ID_MAX];
	int r, err;

	memset(&e, 0, sizeof(e));
	if (sts_decide_domain(domain, name, sizeof(name)) == -1 ||
	    id(txt_id, strlen(txt_id), failed_id) == -1 ||
	    failed_id[0] == '\0' || now <= 0) {
		errno = EINVAL;
		return -1;
	}
	(void)strlcpy(e.domain, name, sizeof(e.domain));
	if ((r = load(c, name, now, &e, &f)) == -1)
		return -1;
	e.failed = now;
	(void)strlcpy(e.failed_id, failed_id, sizeof(e.failed_id));
	if (f.buf == NULL || e.id[0] == '\0')
		r = store(c, &e, "", 0);
	else
		r = store(c, &e, f.buf + f.pos, f.len - f.pos);
	err = errno;
	free(f.buf);
	errno = err;
	return r;
}

int
sts_cache_remove(struct sts_cache *c, const char *domain)
{
	char name[STS_DOMAIN_MAX];

	if (sts_decide_domain(domain, name, sizeof(name)) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (unlinkat(c->dirfd, name, 0) == -1)
		return errno == ENOENT ? 0 : -1;
	return fsync(c->dirfd);
}
