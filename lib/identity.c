/* SPDX-License-Identifier: ISC */
/*
 * identity.c: the local user, the mail domain, Date and Message-ID (see
 * identity.h).  Depends on addr.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "addr.h"
#include "identity.h"

static int	read_mailname(const char *, char *, size_t);
static void	host_domain(char *, size_t);
#define IDENTITY_LOOKUP_MS	2000	/* the FQDN lookup, in all */

static void	gecos_name(const struct passwd *, char *, size_t);

/* The first line of path, if it is a valid domain. */
static int
read_mailname(const char *path, char *buf, size_t size)
{
	char line[300];
	ssize_t n;
	int fd;

	if (path == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, line, sizeof(line) - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	line[strcspn(line, "\r\n \t")] = '\0';
	if (addr_check_domain(line, strlen(line)) != 0 ||
	    strlcpy(buf, line, size) >= size)
		return -1;
	return 0;
}

char *
identity_hostname(char *buf, size_t size)
{
	/* cleared first: gethostname may leave a long name unterminated */
	memset(buf, 0, size);
	if (size < 2 || gethostname(buf, size - 1) == -1 ||
	    buf[size - 2] != '\0' || addr_check_domain(buf, strlen(buf)) != 0)
		(void)strlcpy(buf, "localhost", size);
	return buf;
}

char *
identity_helo(const char *helo, char *buf, size_t size)
{
	if (helo != NULL && helo[0] != '\0' && strlcpy(buf, helo, size) < size)
		return buf;
	return identity_hostname(buf, size);
}

/*
 * This host's FQDN: gethostname, or its canonical name when bare.  The
 * lookup may go to DNS (a bare host name not in /etc/hosts), and the
 * resolver's own limits are 5 s a query, for each server and each
 * search domain: 40 s with two silent servers and two search domains.
 * So the lookup gets IDENTITY_LOOKUP_MS in all, and the plain name is
 * used after that.  The request outlives a lookup that timed out (its
 * thread still writes into it), so it is static, and a second lookup
 * while one is still running does not start another.
 */
/* The lookup with only the resolver's limits; the result stays static. */
static struct addrinfo *
plain_lookup(const char *host)
{
	static struct addrinfo *res;
	struct addrinfo hints;

	if (res != NULL)
		freeaddrinfo(res);
	res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		res = NULL;
	return res;
}

#if HAVE_GETADDRINFO_A
static struct {
	struct gaicb	 req;
	struct addrinfo	 hints;
	char		 host[256];
	int		 started;
} lookup;

static struct addrinfo *
canon_lookup(const char *host)
{
	struct gaicb *list[1] = { &lookup.req };
	const struct gaicb *wait[1] = { &lookup.req };
	struct sigevent sev;
	struct timespec now, end, left;

	if (lookup.started && gai_error(&lookup.req) == EAI_INPROGRESS)
		return NULL;
	if (lookup.started && lookup.req.ar_result != NULL)
		freeaddrinfo(lookup.req.ar_result);
	memset(&lookup, 0, sizeof(lookup));
	(void)strlcpy(lookup.host, host, sizeof(lookup.host));
	lookup.hints.ai_flags = AI_CANONNAME;
	lookup.hints.ai_socktype = SOCK_STREAM;
	lookup.req.ar_name = lookup.host;
	lookup.req.ar_request = &lookup.hints;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_NONE;
	/*
	 * no thread for it (RLIMIT_NPROC, a pids cgroup): the plain lookup;
	 * not marked started, since glibc leaves the request looking in
	 * progress
	 */
	if (getaddrinfo_a(GAI_NOWAIT, list, 1, &sev) != 0)
		return plain_lookup(host);
	lookup.started = 1;
	(void)clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += IDENTITY_LOOKUP_MS / 1000;
	end.tv_nsec += (IDENTITY_LOOKUP_MS % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	while (gai_error(&lookup.req) == EAI_INPROGRESS) {
		(void)clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			break;
		(void)gai_suspend(wait, 1, &left);
	}
	if (gai_error(&lookup.req) != 0) {
		(void)gai_cancel(&lookup.req);
		return NULL;
	}
	return lookup.req.ar_result;
}
#else
#define canon_lookup(host)	plain_lookup(host)
#endif

static void
host_domain(char *buf, size_t size)
{
	struct addrinfo *res;
	char host[256];

	(void)identity_hostname(host, sizeof(host));
	if (strchr(host, '.') == NULL && (res = canon_lookup(host)) != NULL &&
	    res->ai_canonname != NULL &&
	    strchr(res->ai_canonname, '.') != NULL &&
	    addr_check_domain(res->ai_canonname,
	    strlen(res->ai_canonname)) == 0)
		(void)strlcpy(host, res->ai_canonname, sizeof(host));
	(void)strlcpy(buf, host, size);
}

char *
identity_fqdn(char *buf, size_t size)
{
	static char fqdn[256];

	if (fqdn[0] == '\0')	/* once a process */
		host_domain(fqdn, sizeof(fqdn));
	(void)strlcpy(buf, fqdn, size);
	return buf;
}

/* The full name in GECOS: up to the first comma, '&' as the login. */
static void
gecos_name(const struct passwd *pw, char *buf, size_t size)
{
	const char *g = pw->pw_gecos != NULL ? pw->pw_gecos : "";
	size_t o = 0, i;

	for (; *g != '\0' && *g != ',' && o + 1 < size; g++) {
		if (*g != '&') {
			if ((unsigned char)*g >= 0x20)
				buf[o++] = *g;
			continue;
		}
		for (i = 0; pw->pw_name[i] != '\0' && o + 1 < size; i++)
			buf[o++] = i == 0 ? (char)toupper((unsigned char)
			    pw->pw_name[0]) : pw->pw_name[i];
	}
	buf[o] = '\0';
}

void
identity_init(struct identity *id, const char *domain, const char *mailname)
{
	memset(id, 0, sizeof(*id));
	id->conf_domain = domain;
	id->mailname = mailname;
}

int
identity_user(struct identity *id, char *err, size_t errlen)
{
	struct passwd *pw;

	if (id->have_user)
		return 0;
	errno = 0;
	if ((pw = getpwuid(getuid())) == NULL) {
		(void)snprintf(err, errlen, "user id %u has no name",
		    (unsigned)getuid());
		return -1;
	}
	if (strlcpy(id->user, pw->pw_name, sizeof(id->user)) >=
	    sizeof(id->user)) {
		(void)snprintf(err, errlen, "user name too long");
		return -1;
	}
	gecos_name(pw, id->fullname, sizeof(id->fullname));
	id->have_user = 1;
	return 0;
}

const char *
identity_domain_known(struct identity *id)
{
	if (id->have_domain)
		return id->domain;
	if (id->tried_known)
		return NULL;
	id->tried_known = 1;
	if (id->conf_domain != NULL && id->conf_domain[0] != '\0')
		(void)strlcpy(id->domain, id->conf_domain, sizeof(id->domain));
	else if (read_mailname(id->mailname, id->domain,
	    sizeof(id->domain)) != 0)
		return NULL;
	id->have_domain = 1;
	return id->domain;
}

const char *
identity_domain(struct identity *id)
{
	if (identity_domain_known(id) != NULL)
		return id->domain;
	host_domain(id->domain, sizeof(id->domain));
	id->have_domain = 1;
	return id->domain;
}

char *
identity_date(time_t t, char *buf, size_t size)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	long off;

	if (localtime_r(&t, &tm) == NULL)
		(void)gmtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	(void)snprintf(buf, size, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	return buf;
}

char *
identity_message_id(const char *domain, char *buf, size_t size)
{
	unsigned char r[8] = { 0 };
	struct tm tm;
	time_t t = time(NULL);

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != sizeof(r)) {
		/* fall back on something that still differs per message */
		unsigned long x = (unsigned long)t ^ (unsigned long)getpid() *
		    2654435761u ^ (unsigned long)(uintptr_t)&tm;

		memcpy(r, &x, sizeof(x) < sizeof(r) ? sizeof(x) : sizeof(r));
	}
	(void)gmtime_r(&t, &tm);
	(void)snprintf(buf, size, "<%04d%02d%02d%02d%02d%02d.%ld."
	    "%02x%02x%02x%02x%02x%02x%02x%02x@%s>", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (long)getpid(), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
	    domain);
	return buf;
}
