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
#include <limits.h>
#include <poll.h>
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
static void	put_clean(struct line *, const char *, const char *, size_t);
static void	put_reason(struct line *, const struct carrier_error *);
static long long now_ms(void);
static int	open_socket(const char *, int);
static int	wait_room(const struct maillog *);
static size_t	send_dgram(struct maillog *);
static size_t	send_stream(struct maillog *);
static void	flush(struct maillog *);
static void	stamp(char *, size_t);

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

const char *
maillog_facility_name(int facility)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].facility == facility)
			return facilities[i].name;
	return "?";
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

/*
 * Appends label and untrusted s with every control byte escaped, s cut
 * to at most max octets as written (escapes take four): no one field can
 * crowd the status out of the line.
 */
static void
put_clean(struct line *l, const char *label, const char *s, size_t max)
{
	char clean[MAILLOG_FIELD_MAX + 1];

	if (max > MAILLOG_FIELD_MAX)
		max = MAILLOG_FIELD_MAX;
	(void)log_sanitize(clean, max + 1, s, strlen(s));
	put(l, "%s%s", label, clean);
}

/* " (550 5.1.1 text, in reply to RCPT TO)", or " (text)" */
static void
put_reason(struct line *l, const struct carrier_error *e)
{
	if (e->code != 0) {
		put(l, " (%d%s%s", e->code, e->enhanced[0] != '\0' ? " " : "",
		    e->enhanced);
		put_clean(l, " ", e->text, MAILLOG_FIELD_MAX);
		if (e->status != CARRIER_OK)
			put(l, ", in reply to %s", e->step[0] != '\0' ?
			    e->step : status_phase_name(e->phase));
		put(l, ")");
	} else {
		put_clean(l, " (", e->text, MAILLOG_FIELD_MAX);
		put(l, ")");
	}
}

/*
 * The class of an outcome as the log says it: a configuration error
 * (the caller got EX_CONFIG) is neither temporary nor the recipient's.
 */
static const char *
status_word(const struct carrier_error *e, const char *failed)
{
	if (e->status == CARRIER_OK)
		return "sent";
	if (e->phase == PHASE_CONFIG)
		return "config-error";
	return e->status == CARRIER_TEMP ? "tempfail" : failed;
}

size_t
maillog_format(char *buf, size_t size, const struct maillog_msg *m,
    const char *rcpt, const struct carrier_error *r)
{
	struct line l = { buf, size, 0 };
	int inq = m->queue_id != NULL && m->queue_id[0] != '\0';

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (inq)
		put_clean(&l, "", m->queue_id, 64);
	put_clean(&l, inq ? ": from=<" : "from=<", m->sender,
	    MAILLOG_ADDR_SHOWN);
	put_clean(&l, ">, to=<", rcpt, MAILLOG_ADDR_SHOWN);
	put(&l, ">");
	if (m->uid >= 0)
		put(&l, ", uid=%ld", m->uid);
	if (m->msgid != NULL && m->msgid[0] != '\0')
		put_clean(&l, ", msgid=", m->msgid, MAILLOG_MSGID_SHOWN);
	put_clean(&l, ", relay=", r->host[0] != '\0' ? r->host : "none",
	    STATUS_HOST_MAX);
	if (r->tls[0] != '\0')
		put_clean(&l, ", tls=", r->tls, sizeof(r->tls));
	if (m->delay_ms >= 0)
		put(&l, ", delay=%lld.%02lld", m->delay_ms / 1000,
		    m->delay_ms % 1000 / 10);
	if (m->size > 0)
		put(&l, ", size=%llu", (unsigned long long)m->size);
	if (r->enhanced[0] != '\0')
		put_clean(&l, ", dsn=", r->enhanced, STATUS_ENH_MAX);
	put(&l, ", status=%s", r->phase == PHASE_EXPIRED ? "expired" :
	    inq && r->status == CARRIER_TEMP ? "deferred" :
	    status_word(r, inq ? "bounced" : "failed"));
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
	/* the sender may not be known yet: then no from= at all */
	if (m->sender[0] != '\0')
		put_clean(&l, "from=<", m->sender, MAILLOG_ADDR_SHOWN);
	put(&l, "%s", m->sender[0] != '\0' ? ">, " : "");
	if (m->uid >= 0)
		put(&l, "uid=%ld, ", m->uid);
	put(&l, "status=%s", err->phase == PHASE_CONFIG ? "config-error" :
	    "refused");
	put_reason(&l, err);
	return l.len;
}

int
maillog_priority(const struct carrier_error *e)
{
	if (e->status == CARRIER_OK)
		return LOG_INFO;
	return e->status == CARRIER_TEMP && e->phase != PHASE_CONFIG ?
	    LOG_WARNING : LOG_ERR;
}

static long long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "Mmm dd hh:mm:ss", local time, in English whatever the locale. */
static void
stamp(char *buf, size_t size)
{
	static const char month[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL || tm.tm_mon < 0 ||
	    tm.tm_mon > 11) {
		buf[0] = '\0';
		return;
	}
	(void)snprintf(buf, size, "%s %2d %02d:%02d:%02d", month[tm.tm_mon],
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A socket of type connected to the syslog socket at path; -1/errno. */
static int
open_socket(const char *path, int type)
{
	struct sockaddr_un sun;
	int fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	saved = errno;
	(void)close(fd);
	errno = saved;
	return -1;
}

int
maillog_open(struct maillog *l, const char *path, int facility,
    const char *tag, int timeout_ms)
{
	char when[32];

	l->fd = -1;
	l->stream = 0;
	l->facility = facility;
	l->n = l->sent = l->dropped = 0;
	l->deadline_ms = now_ms() + timeout_ms;
	if (facility == MAILLOG_OFF)
		return 0;
	if (path == NULL)
		path = MAILLOG_PATH;
	if ((l->fd = open_socket(path, SOCK_DGRAM)) == -1 &&
	    errno == EPROTOTYPE) {
		l->fd = open_socket(path, SOCK_STREAM);
		l->stream = 1;
	}
	if (l->fd == -1)
		return -1;
	stamp(when, sizeof(when));
	(void)snprintf(l->prefix, sizeof(l->prefix), "%s %s[%ld]: ", when,
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
	if (l->stream)
		l->len[l->n]++;		/* the NUL that ends it */
	if (++l->n == MAILLOG_BATCH)
		flush(l);
}

/* Waits for room in the socket until the deadline: 0, or -1 (none). */
static int
wait_room(const struct maillog *l)
{
	long long left = l->deadline_ms - now_ms();
	struct pollfd pfd;
	int r;

	if (left <= 0)
		return -1;
	pfd.fd = l->fd;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
	if (r == -1 && errno == EINTR)
		return 0;
	return r > 0 ? 0 : -1;
}

/* The held lines as datagrams; returns how many the daemon took. */
static size_t
send_dgram(struct maillog *l)
{
	struct mmsghdr mm[MAILLOG_BATCH];
	struct iovec iov[MAILLOG_BATCH];
	size_t i, done = 0;
	int r;

	memset(mm, 0, sizeof(mm));
	for (i = 0; i < l->n; i++) {
		iov[i].iov_base = l->frame[i];
		iov[i].iov_len = l->len[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	/* never blocking: a full queue is waited for with the deadline */
	while (done < l->n) {
		r = sendmmsg(l->fd, mm + done, (unsigned int)(l->n - done),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r > 0)
			done += (size_t)r;
		else if (r == -1 && errno == EINTR)
			continue;
		else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) ||
		    wait_room(l) == -1)
			break;
	}
	return done;
}

/*
 * The held lines on a stream; returns how many went whole.  A line cut
 * short by the deadline ends the log: what followed it would be garbled.
 */
static size_t
send_stream(struct maillog *l)
{
	size_t i, off;
	ssize_t r;

	for (i = 0; i < l->n; i++) {
		for (off = 0; off < l->len[i]; ) {
			r = send(l->fd, l->frame[i] + off, l->len[i] - off,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			if (r > 0)
				off += (size_t)r;
			else if (r == -1 && errno == EINTR)
				continue;
			else if (r == 0 || (errno != EAGAIN &&
			    errno != EWOULDBLOCK) || wait_room(l) == -1)
				break;
		}
		if (off < l->len[i]) {
			(void)close(l->fd);
			l->fd = -1;
			return i;
		}
	}
	return i;
}

/* Sends the held lines; a daemon not reading by the deadline loses them. */
static void
flush(struct maillog *l)
{
	size_t done = 0;

	if (l->fd != -1)
		done = l->stream ? send_stream(l) : send_dgram(l);
	l->sent += done;
	l->dropped += l->n - done;
	l->n = 0;
}

size_t
maillog_close(struct maillog *l)
{
	if (l->n > 0)
		flush(l);
	if (l->fd != -1)
		(void)close(l->fd);
	l->fd = -1;
	return l->dropped;
}
