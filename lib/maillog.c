/* SPDX-License-Identifier: ISC */
/*
 * maillog.c: the mail log (see maillog.h): a recipient's outcome as one
 * line, and a small syslog client that sends a batch of lines in one
 * system call and never waits long for the daemon.
 *
 * Wire format (RFC 3164, as glibc's syslog(3) writes it to /dev/log):
 * one datagram per line, "<PRI>Mmm dd hh:mm:ss TAG[PID]: TEXT", where
 * PRI = facility | severity and the time is local.  glibc's syslog(3)
 * is not used: it opens a new socket for every line while no daemon
 * listens, and blocks without a limit when one stops reading.
 * Depends on log (sanitising) and status.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "log.h"
#include "maillog.h"

/* A line being written: the buffer, its size and how much is used. */
struct line {
	char	*buf;
	size_t	 size;
	size_t	 len;
};

static void	put(struct line *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	put_clean(struct line *, const char *, const char *);
static void	put_common(struct line *, const struct maillog_msg *);
static void	put_reason(struct line *, const struct carrier_error *);
static long long now_ms(void);
static void	flush(struct maillog *);

static const struct {
	const char	*name;
	int		 facility;
} facilities[] = {
	{ "mail", LOG_MAIL }, { "user", LOG_USER }, { "daemon", LOG_DAEMON },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	{ "off", MAILLOG_OFF },
};

int
maillog_facility(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcmp(name, facilities[i].name) == 0)
			return facilities[i].facility;
	return -2;
}

int
maillog_tag_ok(const char *tag)
{
	size_t n = tag != NULL ? strlen(tag) : 0;

	if (n == 0 || n > MAILLOG_TAG_MAX)
		return 0;
	for (; *tag != '\0'; tag++)
		if (*tag <= ' ' || *tag >= 0x7f || *tag == ':' ||
		    *tag == '[' || *tag == ']')
			return 0;
	return 1;
}

/* Appends formatted text; what does not fit is cut. */
static void
put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len + 1 >= l->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->len += (size_t)n < l->size - l->len ? (size_t)n :
	    l->size - l->len - 1;
}

/* Appends label and untrusted s with every control byte escaped. */
static void
put_clean(struct line *l, const char *label, const char *s)
{
	put(l, "%s", label);
	if (l->len + 1 < l->size)
		l->len += log_sanitize(l->buf + l->len, l->size - l->len, s,
		    strlen(s));
}

static void
put_common(struct line *l, const struct maillog_msg *m)
{
	put_clean(l, "from=<", m->sender);
	put(l, ">");
}

/* " (550 5.1.1 text, in reply to RCPT TO)", or " (text)" */
static void
put_reason(struct line *l, const struct carrier_error *e)
{
	if (e->code != 0) {
		put(l, " (%d%s%s", e->code, e->enhanced[0] != '\0' ? " " : "",
		    e->enhanced);
		put_clean(l, " ", e->text);
		if (e->status != CARRIER_OK)
			put(l, ", in reply to %s", e->step[0] != '\0' ?
			    e->step : status_phase_name(e->phase));
		put(l, ")");
	} else {
		put_clean(l, " (", e->text);
		put(l, ")");
	}
}

size_t
maillog_format(char *buf, size_t size, const struct maillog_msg *m,
    const char *rcpt, const struct carrier_error *r)
{
	static const char *const word[] = { "sent", "tempfail", "failed" };
	struct line l = { buf, size, 0 };

	if (size == 0)
		return 0;
	buf[0] = '\0';
	put_common(&l, m);
	put_clean(&l, ", to=<", rcpt);
	put(&l, ">");
	if (m->uid >= 0)
		put(&l, ", uid=%ld", m->uid);
	if (m->msgid != NULL && m->msgid[0] != '\0')
		put_clean(&l, ", msgid=", m->msgid);
	put_clean(&l, ", relay=", r->host[0] != '\0' ? r->host : "none");
	if (m->delay_ms >= 0)
		put(&l, ", delay=%lld.%02lld", m->delay_ms / 1000,
		    m->delay_ms % 1000 / 10);
	if (m->size > 0)
		put(&l, ", size=%llu", (unsigned long long)m->size);
	if (r->enhanced[0] != '\0')
		put_clean(&l, ", dsn=", r->enhanced);
	put(&l, ", status=%s", word[r->status]);
	put_reason(&l, r);
	return l.len;
}

size_t
maillog_format_refused(char *buf, size_t size, const struct maillog_msg *m,
    const struct carrier_error *err)
{
	struct line l = { buf, size, 0 };

	if (size == 0)
		return 0;
	buf[0] = '\0';
	put_common(&l, m);
	if (m->uid >= 0)
		put(&l, ", uid=%ld", m->uid);
	put(&l, ", status=refused");
	put_reason(&l, err);
	return l.len;
}

int
maillog_priority(enum carrier_status st)
{
	return st == CARRIER_OK ? LOG_INFO : st == CARRIER_TEMP ?
	    LOG_WARNING : LOG_ERR;
}

static long long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
maillog_open(struct maillog *l, const char *path, int facility,
    const char *tag, int timeout_ms)
{
	struct sockaddr_un sun;
	struct tm tm;
	time_t now = time(NULL);
	char stamp[32];

	l->fd = -1;
	l->facility = facility;
	l->n = l->sent = l->dropped = 0;
	l->deadline_ms = now_ms() + timeout_ms;
	if (facility == MAILLOG_OFF)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path != NULL ? path : MAILLOG_PATH,
	    sizeof(sun.sun_path)) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(l->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int saved = errno;

		(void)close(l->fd);
		l->fd = -1;
		errno = saved;
		return -1;
	}
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		stamp[0] = '\0';
	(void)snprintf(l->prefix, sizeof(l->prefix), "%s %s[%ld]: ", stamp,
	    tag != NULL && maillog_tag_ok(tag) ? tag : MAILLOG_TAG_DEFAULT,
	    (long)getpid());
	return 0;
}

void
maillog_add(struct maillog *l, int prio, const char *line)
{
	int n;

	if (l->facility == MAILLOG_OFF)
		return;
	if (l->fd == -1) {
		l->dropped++;
		return;
	}
	n = snprintf(l->frame[l->n], MAILLOG_FRAME_MAX, "<%d>%s%s",
	    l->facility | prio, l->prefix, line);
	if (n < 0)
		return;
	l->len[l->n] = (size_t)n < MAILLOG_FRAME_MAX ? (size_t)n :
	    MAILLOG_FRAME_MAX - 1;
	if (++l->n == MAILLOG_BATCH)
		flush(l);
}

/*
 * Sends the held lines, as many per call as the socket takes, until the
 * deadline; a daemon that is not reading by then loses the rest.
 */
static void
flush(struct maillog *l)
{
	struct mmsghdr mm[MAILLOG_BATCH];
	struct iovec iov[MAILLOG_BATCH];
	size_t i, done = 0;

	memset(mm, 0, sizeof(mm));
	for (i = 0; i < l->n; i++) {
		iov[i].iov_base = l->frame[i];
		iov[i].iov_len = l->len[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < l->n && l->fd != -1) {
		long long left = l->deadline_ms - now_ms();
		struct timeval tv;
		int r;

		if (left <= 0)
			break;
		tv.tv_sec = (time_t)(left / 1000);
		tv.tv_usec = (suseconds_t)(left % 1000 * 1000);
		if (setsockopt(l->fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
		    sizeof(tv)) == -1)
			break;
		r = sendmmsg(l->fd, mm + done, (unsigned int)(l->n - done),
		    0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	l->sent += done;
	l->dropped += l->n - done;
	l->n = 0;
}

size_t
maillog_close(struct maillog *l)
{
	if (l->n > 0) {
		if (l->fd != -1)
			flush(l);
		else
			l->dropped += l->n;
	}
	l->n = 0;
	if (l->fd != -1)
		(void)close(l->fd);
	l->fd = -1;
	return l->dropped;
}
