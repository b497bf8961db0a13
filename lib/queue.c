/* SPDX-License-Identifier: ISC */
/*
 * queue.c: the queue (carrier_queue_add, carrier_queue_run and
 * carrier_queue_list in carrier.h): a message some recipients of which
 * could not be delivered yet is kept in the spool (spool.c has the
 * layout, qenv.c the envelope file) and retried with exponential
 * back-off until its lifetime ends; then, or when a retry fails for
 * good, the sender gets one delivery status notification (bounce.c),
 * submitted and sent like any other message, from the null sender.
 * A run remembers the next hops it found down (qhop.h) and defers their
 * other messages without a try for the shortest back-off.
 * Depends on spool, qenv, qhop, bounce, deliver, hop (the relay's name),
 * submit, identity, envelope.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "log.h"
#include "monotime.h"
#include "priv.h"
#include "identity.h"
#include "qhop.h"
#include "spool.h"
#include "bounce.h"
#include "hop.h"
#include "carrier.h"

#define QUEUE_ORPHAN_AGE	86400	/* seconds before an envelope a
					   kill left in tmp/ is removed */
#define QUEUE_COPY_CHUNK	65536
#define QUEUE_REPORTS_MAX	100	/* reports one run sends; messages
					   whose report would pass it wait,
					   done, for the next run */

struct run {
	const struct carrier_options	*opts;	/* log_later set */
	const struct carrier_queue_select *sel;
	struct carrier_queue_stats	*stats;
	struct spool			 sp;
	time_t				 now;
	struct qhop			 down;	/* next hops found down */
	char				 relay[QHOP_KEY_MAX]; /* the relay as
						   a next hop ("host:port"),
						   or "": none */
};

static int	copy_file(int, int, uint64_t);
static int	link_data(struct spool *, struct carrier_message *, char *);
static int	keep_rcpts(const struct carrier_options *,
		    const struct carrier_envelope *, unsigned int, time_t,
		    struct carrier_envelope *);
static time_t	backoff(const struct carrier_options *, unsigned int);
static int	load_text(int, const struct qenv *, struct carrier_message *,
		    char *, size_t);
static int	selected(const struct carrier_queue_select *, const char *,
		    const struct carrier_envelope *);
static void	log_line(const struct carrier_options *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	set_aside(struct run *, const char *, const char *);
static void	expire(struct carrier_rcpt *, time_t, time_t);
static const char *next_hop(const struct run *, const char *);
static size_t	suspend(struct run *, struct carrier_envelope *,
		    unsigned char *);
static void	note_down(struct run *, const struct carrier_envelope *,
		    const unsigned char *);
static enum carrier_status report(struct run *, const struct qenv *,
		    const struct carrier_envelope *,
		    const struct carrier_message *, enum bounce_kind);
static enum carrier_status submit_report(struct run *, const struct qenv *,
		    const struct carrier_envelope *,
		    const struct carrier_message *, enum bounce_kind);
static int	take(struct run *, const char *, char **, size_t *);
static size_t	mark_due(struct run *, struct carrier_envelope *, int,
		    size_t *);
static void	deliver_due(struct run *, struct carrier_envelope *,
		    const struct carrier_message *, unsigned char *, size_t);
static void	retry_later(struct run *, struct carrier_envelope *,
		    const unsigned char *, const struct qenv *, int);
static void	log_reports_dropped(struct run *, const struct qenv *,
		    const struct carrier_envelope *);
static void	run_one(struct run *, const char *);
static enum carrier_status open_list(struct spool *, const char *, time_t,
		    char ***, size_t *, struct carrier_error *);

/* Copies len octets of in (from 0) to out; 0 or -1 with errno. */
static int
copy_file(int in, int out, uint64_t len)
{
	char buf[QUEUE_COPY_CHUNK];
	uint64_t off = 0;
	ssize_t n, w;
	size_t done;

	while (off < len) {
		n = pread(in, buf, len - off < sizeof(buf) ? (size_t)(len -
		    off) : sizeof(buf), (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;	/* shorter than it was */
			return -1;
		}
		for (done = 0; done < (size_t)n; done += (size_t)w)
			if ((w = pwrite(out, buf + done, (size_t)n - done,
			    (off_t)(off + done))) == -1) {
				if (errno != EINTR)
					return -1;
				w = 0;
			}
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Links msg's file (with its head appended) into the queue, locked,
 * under a new id; a file that cannot be linked (it is not in the
 * spool's tmp/) is copied into one that can.  Returns 0 or -1/errno.
 */
static int
link_data(struct spool *sp, struct carrier_message *msg, char *id)
{
	uint64_t total = msg->file_size + msg->headlen;
	ssize_t n;
	int fd, e;

	if (msg->headlen > 0 && ((n = pwrite(msg->fd, msg->head,
	    msg->headlen, (off_t)msg->file_size)) == -1 ||
	    (size_t)n != msg->headlen)) {
		if (n != -1)
			errno = ENOSPC;
		return -1;
	}
	if (flock(msg->fd, LOCK_EX) == 0 &&
	    spool_link_data(sp, msg->fd, id, QENV_ID_MAX) == 0)
		return 0;
	if ((fd = spool_tmpfile(sp->path)) == -1)
		return -1;
	if (copy_file(msg->fd, fd, total) == -1 ||
	    flock(fd, LOCK_EX) == -1 ||
	    spool_link_data(sp, fd, id, QENV_ID_MAX) == -1) {
		e = errno;
		(void)close(fd);
		errno = e;
		return -1;
	}
	(void)close(msg->fd);
	msg->fd = fd;
	return 0;
}

/* The wait before the try after attempt number n (1, 2, ...). */
static time_t
backoff(const struct carrier_options *opts, unsigned int n)
{
	unsigned long long d = opts->backoff_min;

	while (n-- > 1 && d < opts->backoff_max)
		d *= 2;
	return (time_t)(d < opts->backoff_max ? d : opts->backoff_max);
}

/*
 * Copies into kept the recipients still to be delivered: pending ones
 * as they are (due at once), deferred ones with their first try counted
 * and the next after the shortest back-off; with QENV_REPORT also the
 * bounced ones (a report that failed is kept, for mailq).
 */
static int
keep_rcpts(const struct carrier_options *opts,
    const struct carrier_envelope *env, unsigned int flags, time_t now,
    struct carrier_envelope *kept)
{
	size_t i;

	if (envelope_init(kept) == -1 ||
	    envelope_set_sender(kept, env->sender) == -1)
		return -1;
	kept->ret = env->ret;
	(void)strlcpy(kept->envid, env->envid, sizeof(kept->envid));
	kept->smtputf8 = env->smtputf8;
	kept->notify = env->notify;
	for (i = 0; i < env->nrcpts; i++) {
		const struct carrier_rcpt *r = &env->rcpts[i];
		struct carrier_rcpt *k;

		if (r->state == ENVELOPE_DELIVERED ||
		    (r->state == ENVELOPE_BOUNCED && !(flags & QENV_REPORT)))
			continue;
		if (envelope_add_rcpt(kept, r->addr) == -1)
			return -1;
		k = &kept->rcpts[kept->nrcpts - 1];
		if (r->orcpt != NULL && (k->orcpt = strdup(r->orcpt)) == NULL)
			return -1;
		k->notify = r->notify;
		k->result = r->result;
		k->state = r->state;
		k->attempts = r->attempts;
		k->next_try = r->next_try;
		if (r->state == ENVELOPE_DEFERRED) {
			k->attempts = r->attempts + 1;
			k->next_try = now + backoff(opts, k->attempts);
		}
	}
	return 0;
}

enum carrier_status
carrier_queue_add(const struct carrier_options *opts,
    struct carrier_envelope *env, struct carrier_message *msg,
    unsigned int flags, struct carrier_error *err)
{
	struct carrier_envelope kept = { 0 };
	struct spool sp;
	struct qenv q;
	char id[QENV_ID_MAX], file[QENV_ID_MAX + 4], *text = NULL;
	size_t len;
	time_t now = time(NULL);
	int linked = 0;

	if (opts->spool == NULL)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL, "not queued: "
		    "no spool is configured");
	(void)priv_raise();
	if (spool_open(&sp, opts->spool) == -1) {
		(void)status_set(err, CARRIER_TEMP, PHASE_LOCAL, "not queued: "
		    "the spool: %s: %s", sp.failed, strerror(errno));
		priv_lower();
		return CARRIER_TEMP;
	}
	memset(&q, 0, sizeof(q));
	if (keep_rcpts(opts, env, flags, now, &kept) == -1 ||
	    link_data(&sp, msg, id) == -1)
		goto fail;
	linked = 1;
	(void)strlcpy(q.id, id, sizeof(q.id));
	q.arrival = msg->arrived.tv_sec != 0 ? msg->arrived.tv_sec : now;
	q.uid = (long)getuid();
	q.flags = flags;
	q.head_off = msg->file_size;
	q.head_len = msg->headlen;
	q.body_off = msg->body_off;
	q.body_len = msg->file_size - msg->body_off;
	q.info = msg->info;
	(void)strlcpy(q.msgid, msg->msgid, sizeof(q.msgid));
	if ((text = qenv_format(&q, &kept, &len)) == NULL ||
	    spool_write_env(&sp, id, text, len) == -1)
		goto fail;
	free(text);
	envelope_free(&kept);
	spool_close(&sp);
	(void)strlcpy(msg->queue_id, id, sizeof(msg->queue_id));
	msg->queue_uid = q.uid;
	priv_lower();
	return CARRIER_OK;
fail:
	(void)status_set(err, CARRIER_TEMP, PHASE_LOCAL, "not queued: %s: %s",
	    opts->spool, strerror(errno));
	if (linked) {
		(void)snprintf(file, sizeof(file), "%s.d", id);
		(void)unlinkat(sp.queuefd, file, 0);
	}
	free(text);
	envelope_free(&kept);
	spool_close(&sp);
	priv_lower();
	return CARRIER_TEMP;
}

enum carrier_status
carrier_queue_deferred(const struct carrier_options *opts,
    struct carrier_envelope *env, struct carrier_message *msg,
    size_t *deferred, struct carrier_error *err)
{
	enum carrier_status st = CARRIER_OK;
	size_t i;

	status_clear(err);
	*deferred = 0;
	for (i = 0; i < env->nrcpts; i++)
		*deferred += env->rcpts[i].state == ENVELOPE_DEFERRED;
	if (*deferred > 0)
		st = carrier_queue_add(opts, env, msg, 0, err);
	carrier_log_outcomes(opts, env, msg);
	return st;
}

/* One line to the mail log that is about a message, not a recipient. */
static void
log_line(const struct carrier_options *opts, const char *fmt, ...)
{
	static struct maillog ml;
	char line[MAILLOG_LINE_MAX], raw[MAILLOG_LINE_MAX];
	va_list ap;

	if (opts->syslog_facility == MAILLOG_OFF)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	log_sanitize(line, sizeof(line), raw, strlen(raw));
	if (maillog_open(&ml, NULL, opts->syslog_facility, opts->syslog_tag,
	    MAILLOG_WAIT_MS) == -1)
		return;
	maillog_add(&ml, LOG_WARNING, line);
	(void)maillog_close(&ml);
}

/* Moves a message that cannot be read into corrupt/, and says so. */
static void
set_aside(struct run *r, const char *id, const char *why)
{
	r->stats->corrupt++;
	if (spool_set_aside(&r->sp, id) == -1)
		log_line(r->opts, "%s: unreadable (%s), and cannot be set "
		    "aside: %s", id, why, strerror(errno));
	else
		log_line(r->opts, "%s: unreadable (%s): moved to %s/corrupt",
		    id, why, r->sp.path);
}

/*
 * The message's text from its data file: head into msg->head, the body
 * where it lies.  Returns 0, or -1 with the reason in why.
 */
static int
load_text(int fd, const struct qenv *q, struct carrier_message *msg,
    char *why, size_t whylen)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) == -1 || q->head_off + q->head_len <
	    q->head_off || q->body_off + q->body_len < q->body_off ||
	    q->head_off + q->head_len > (uint64_t)st.st_size ||
	    q->body_off + q->body_len > (uint64_t)st.st_size ||
	    q->head_len > SIZE_MAX - 1) {
		(void)snprintf(why, whylen, "the data file is shorter than "
		    "its envelope says");
		return -1;
	}
	if ((msg->head = malloc((size_t)q->head_len + 1)) == NULL ||
	    (n = pread(fd, msg->head, (size_t)q->head_len,
	    (off_t)q->head_off)) == -1 || (uint64_t)n != q->head_len) {
		(void)snprintf(why, whylen, "reading the data file: %s",
		    strerror(errno));
		return -1;
	}
	msg->head[q->head_len] = '\0';
	msg->headlen = (size_t)q->head_len;
	msg->fd = fd;
	msg->body_off = q->body_off;
	msg->file_size = q->body_off + q->body_len;
	msg->info = q->info;
	msg->arrived.tv_sec = q->arrival;
	(void)strlcpy(msg->msgid, q->msgid, sizeof(msg->msgid));
	(void)strlcpy(msg->queue_id, q->id, sizeof(msg->queue_id));
	msg->queue_uid = q->uid;
	return 0;
}

/* Whether the message is one -qI, -qR and -qS ask for. */
static int
selected(const struct carrier_queue_select *sel, const char *id,
    const struct carrier_envelope *env)
{
	size_t i;

	if (sel->id != NULL && strstr(id, sel->id) == NULL)
		return 0;
	if (sel->sender != NULL && strcasestr(env->sender, sel->sender) ==
	    NULL)
		return 0;
	if (sel->rcpt == NULL)
		return 1;
	for (i = 0; i < env->nrcpts; i++)
		if (!envelope_done(&env->rcpts[i]) ||
		    env->rcpts[i].state == ENVELOPE_DEFERRED)
			if (strcasestr(env->rcpts[i].addr, sel->rcpt) != NULL)
				return 1;
	return 0;
}

/* A recipient whose time ran out: bounced, its last reply kept. */
static void
expire(struct carrier_rcpt *r, time_t arrival, time_t now)
{
	struct carrier_error last = r->result;
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];

	(void)status_format(&last, line, sizeof(line));
	(void)status_set(&r->result, CARRIER_PERM, PHASE_EXPIRED, "gave up "
	    "after %lld hours in the queue; the last try: %s",
	    (long long)(now - arrival) / 3600, line);
	(void)strlcpy(r->result.host, last.host, sizeof(r->result.host));
	(void)strlcpy(r->result.enhanced, "4.4.7", sizeof(r->result.enhanced));
	r->state = ENVELOPE_BOUNCED;
}

/*
 * The next hop of recipient addr as qhop.h names it: the relay, else
 * the recipient's domain; NULL when it has none (deliver refuses it).
 */
static const char *
next_hop(const struct run *r, const char *addr)
{
	const char *at;

	if (r->relay[0] != '\0')
		return r->relay;
	if ((at = strrchr(addr, '@')) == NULL || at[1] == '\0')
		return NULL;
	return at + 1;
}

/*
 * Defers, without a try, the pending recipients of env whose next hop
 * this run found down: each takes the hop's failure as "delivery
 * temporarily suspended: ..." and has held[i] set (held may be NULL).
 * Returns how many.
 */
static size_t
suspend(struct run *r, struct carrier_envelope *env, unsigned char *held)
{
	const struct carrier_error *why;
	const char *hop;
	size_t i, n = 0;
	int64_t now;

	if (r->down.n == 0)
		return 0;
	now = monotime_ms();
	for (i = 0; i < env->nrcpts; i++) {
		struct carrier_rcpt *rc = &env->rcpts[i];

		if (rc->state != ENVELOPE_PENDING ||
		    (hop = next_hop(r, rc->addr)) == NULL ||
		    (why = qhop_find(&r->down, hop, now)) == NULL)
			continue;
		qhop_suspended(why, &rc->result);
		rc->state = ENVELOPE_DEFERRED;
		if (held != NULL)
			held[i] = 1;
		n++;
	}
	return n;
}

/*
 * Remembers as down the next hop of each recipient of env that was
 * tried now (not logged yet, not held) and failed as a site does
 * (qhop_site_failure).  A hop the memory has no room for is tried again
 * by the next message, as it would be with no memory.
 */
static void
note_down(struct run *r, const struct carrier_envelope *env,
    const unsigned char *held)
{
	const char *hop;
	size_t i;
	int64_t now = monotime_ms();

	for (i = 0; i < env->nrcpts; i++) {
		const struct carrier_rcpt *rc = &env->rcpts[i];

		if (rc->logged || (held != NULL && held[i]) ||
		    rc->state != ENVELOPE_DEFERRED ||
		    !qhop_site_failure(&rc->result) ||
		    (hop = next_hop(r, rc->addr)) == NULL ||
		    qhop_find(&r->down, hop, now) != NULL)
			continue;
		if (qhop_add(&r->down, hop, &rc->result, now) == 0)
			log_note("%s is down: for %u s this run defers its "
			    "other messages there without trying them", hop,
			    r->opts->backoff_min);
	}
}

/*
 * Sends the sender a report of the given kind on env's recipients:
 * written, submitted from the null sender, delivered at once or queued
 * (a report that fails for good is kept, and never bounced).  Returns
 * CARRIER_OK when it is sent or queued, or there is nothing to send;
 * CARRIER_TEMP when it could not be made or queued now (a full disk,
 * no descriptors): the caller keeps the message and tries again at the
 * next run; CARRIER_PERM when it can never be made (logged).
 */
static enum carrier_status
report(struct run *r, const struct qenv *q,
    const struct carrier_envelope *env, const struct carrier_message *msg,
    enum bounce_kind kind)
{
	enum carrier_status st;

	priv_lower();	/* what needs the group takes it itself */
	st = submit_report(r, q, env, msg, kind);
	(void)priv_raise();
	return st;
}

/* report(), with the caller's privilege. */
static enum carrier_status
submit_report(struct run *r, const struct qenv *q,
    const struct carrier_envelope *env, const struct carrier_message *msg,
    enum bounce_kind kind)
{
	struct carrier_options quiet;
	struct carrier_envelope renv = { 0 };
	struct carrier_message rmsg = { .fd = -1 };
	struct carrier_submit sub;
	struct carrier_error err;
	struct bounce_params p;
	struct bounce_original orig;
	struct identity ident;
	enum carrier_status st;
	char host[256], *rcpts[1];
	size_t i;
	int fd, eightbit = 0, wanted = 0;

	status_clear(&err);
	for (i = 0; i < env->nrcpts; i++)
		wanted |= bounce_wanted(kind, &env->rcpts[i]);
	if (!wanted || env->sender[0] == '\0' || (q->flags & QENV_REPORT))
		return CARRIER_OK;
	identity_init(&ident, r->opts->domain, r->opts->mailname);
	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.reporting_mta = identity_helo(r->opts->helo, host, sizeof(host));
	p.domain = identity_domain(&ident);
	p.queue_id = q->id;
	p.arrival = q->arrival;
	p.now = r->now;
	p.expires = q->arrival + (time_t)r->opts->queue_lifetime;
	orig.head = msg->head;
	orig.headlen = msg->headlen;
	orig.fd = msg->fd;
	orig.off = msg->body_off;
	orig.len = msg->file_size - msg->body_off;
	if ((fd = carrier_tmpfile(r->opts)) == -1) {
		(void)status_set(&err, CARRIER_TEMP, PHASE_LOCAL, "a temporary "
		    "file: %s", strerror(errno));
		goto fail;
	}
	if (bounce_write(fd, &p, env, &orig, &eightbit, &err) != CARRIER_OK)
		goto fail;
	if (lseek(fd, 0, SEEK_SET) == -1 || envelope_init(&renv) == -1) {
		(void)status_set(&err, CARRIER_TEMP, PHASE_LOCAL, "%s",
		    strerror(errno));
		goto fail;
	}
	memset(&sub, 0, sizeof(sub));
	sub.sender = "";
	rcpts[0] = env->sender;
	sub.rcpts = rcpts;
	sub.nrcpts = 1;
	sub.flags = CARRIER_SUBMIT_ONE;
	if (carrier_submit(r->opts, &sub, fd, &rmsg, &renv, &err) !=
	    CARRIER_OK)
		goto fail;
	(void)close(fd);
	fd = -1;
	r->stats->reports++;
	/*
	 * Logged once queued or not, with deliver's lines off: a report
	 * kept (QENV_REPORT) then has its queue ID, the one mailq shows, in
	 * its line, and status=bounced, not failed.
	 */
	quiet = *r->opts;
	quiet.syslog_facility = MAILLOG_OFF;
	if (suspend(r, &renv, NULL) > 0)
		st = CARRIER_TEMP;	/* its hop is down: queued at once */
	else {
		st = carrier_deliver(&quiet, &renv, &rmsg, &err);
		note_down(r, &renv, NULL);
	}
	if (st != CARRIER_OK && carrier_queue_add(r->opts, &renv, &rmsg,
	    QENV_REPORT, &err) != CARRIER_OK) {
		log_line(r->opts, "%s: the report to <%s> is not sent, nor "
		    "queued: %s; the message stays queued for the next run to "
		    "try again", q->id, env->sender, err.text);
		st = CARRIER_TEMP;
	} else
		st = CARRIER_OK;
	carrier_log_outcomes(r->opts, &renv, &rmsg);
	carrier_message_close(&rmsg);
	envelope_free(&renv);
	return st;
fail:
	if (err.status == CARRIER_OK)	/* when unsure, temporary */
		(void)status_set(&err, CARRIER_TEMP, PHASE_LOCAL, "failed");
	if (err.status == CARRIER_TEMP)
		log_line(r->opts, "%s: no report to <%s> yet: %s; the message "
		    "stays queued for the next run to try again", q->id,
		    env->sender, err.text);
	else
		log_line(r->opts, "%s: no report to <%s>: %s", q->id,
		    env->sender, err.text);
	if (fd != -1)
		(void)close(fd);
	envelope_free(&renv);
	return err.status;
}

/*
 * Locks message id and reads its envelope into *text (the caller frees
 * it).  Returns the data file's fd, or -1 when the message is not taken
 * now: another process holds it, it is gone, it is set aside (its data
 * file is missing, or its envelope file is not a regular file, is too
 * large or is a link), or its envelope cannot be read now (ENOMEM, EIO,
 * EMFILE: logged, and left for the next run: a transient error is no
 * sign of a corrupt entry).
 */
static int
take(struct run *r, const char *id, char **text, size_t *len)
{
	int fd;

	if ((fd = spool_lock(&r->sp, id)) == -1) {
		if (errno == EWOULDBLOCK)
			r->stats->busy++;
		else if (errno == ENODATA)
			set_aside(r, id, "no data file");
		return -1;	/* ENOENT: gone, another runner's work */
	}
	if ((*text = spool_read_env(&r->sp, id, len)) != NULL)
		return fd;
	if (errno == EFBIG || errno == ELOOP)
		set_aside(r, id, strerror(errno));
	else if (errno != ENOENT)	/* gone: another runner's work */
		log_line(r->opts, "%s: cannot read its envelope now: %s; left "
		    "for the next run", id, strerror(errno));
	(void)close(fd);
	return -1;
}

/*
 * Makes pending the recipients of env whose try is due (all of them
 * with -q or once the message has expired); each of them is not logged
 * yet.  *waiting is set to the recipients still open.  Returns how many
 * are due.
 */
static size_t
mark_due(struct run *r, struct carrier_envelope *env, int expired,
    size_t *waiting)
{
	size_t i, due = 0;

	*waiting = 0;
	for (i = 0; i < env->nrcpts; i++) {
		struct carrier_rcpt *rc = &env->rcpts[i];

		rc->logged = 1;
		if (rc->state != ENVELOPE_PENDING &&
		    rc->state != ENVELOPE_DEFERRED)
			continue;
		++*waiting;
		if (r->sel->all || expired || rc->next_try <= r->now ||
		    rc->state == ENVELOPE_PENDING) {
			rc->state = ENVELOPE_PENDING;
			rc->logged = 0;
			due++;
		}
	}
	return due;
}

/*
 * Delivers the due recipients of env, but for those whose next hop is
 * down (suspend: held[i] is set for them; held may be NULL when no hop
 * is down), and remembers the hops it finds down.
 */
static void
deliver_due(struct run *r, struct carrier_envelope *env,
    const struct carrier_message *msg, unsigned char *held, size_t due)
{
	struct carrier_error err;

	if (suspend(r, env, held) == due) {
		r->stats->suspended++;
		return;
	}
	r->stats->tried++;
	priv_lower();	/* a server, maybe a command: not privileged */
	(void)carrier_deliver(r->opts, env, msg, &err);
	(void)priv_raise();
	note_down(r, env, held);
}

/*
 * The recipients of env deferred now: the next try after the back-off,
 * or bounced when the message has expired.  One held back because its
 * hop is down (held[i]) was not tried: its count of attempts, by which
 * its back-off grows, stays as its own tries left it, but its next try
 * still waits the back-off of that count, as Postfix does not count
 * such a deferral as an attempt but does put the next one off: tried
 * sooner, the hop would most likely be found down again.
 */
static void
retry_later(struct run *r, struct carrier_envelope *env,
    const unsigned char *held, const struct qenv *q, int expired)
{
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		struct carrier_rcpt *rc = &env->rcpts[i];

		if (rc->logged || rc->state != ENVELOPE_DEFERRED)
			continue;	/* not tried, or logged by deliver */
		if (held == NULL || !held[i])
			rc->attempts++;
		rc->next_try = r->now + backoff(r->opts, rc->attempts);
		if (expired)
			expire(rc, q->arrival, r->now);
	}
}

/*
 * A report of ours that could not be delivered leaves the queue at the
 * end of its lifetime: said in the mail log, as nothing else will.
 */
static void
log_reports_dropped(struct run *r, const struct qenv *q,
    const struct carrier_envelope *env)
{
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		const struct carrier_error *why = &env->rcpts[i].result;

		if (env->rcpts[i].state != ENVELOPE_BOUNCED)
			continue;
		/* an expiry's text names the host of the last try already */
		if (why->phase == PHASE_EXPIRED)
			(void)strlcpy(line, why->text, sizeof(line));
		else
			(void)status_format(why, line, sizeof(line));
		log_line(r->opts, "%s: the report to <%s> could not be "
		    "delivered in %lld hours; removed from the queue: %s",
		    q->id, env->rcpts[i].addr,
		    (long long)(r->now - q->arrival) / 3600, line);
	}
}

/* Takes one message: locks, reads, delivers what is due, records. */
static void
run_one(struct run *r, const char *id)
{
	struct carrier_envelope env = { 0 };
	struct carrier_message msg = { .fd = -1 };
	struct qenv q;
	char why[256], *text = NULL;
	unsigned char *held = NULL;
	size_t len, i, due, open_rcpts = 0, bounced = 0, waiting;
	int fd, expired;

	if ((fd = take(r, id, &text, &len)) == -1)
		return;
	if (envelope_init(&env) == -1)
		goto out;
	errno = 0;
	if (qenv_parse(text, len, &q, &env, why, sizeof(why)) == -1 ||
	    strcmp(q.id, id) != 0) {
		if (errno == ENOMEM)	/* no sign of a corrupt entry */
			log_line(r->opts, "%s: cannot read its envelope now: "
			    "%s; left for the next run", id, why);
		else
			set_aside(r, id, strcmp(q.id, id) != 0 &&
			    q.id[0] != '\0' ? "its envelope names another "
			    "message" : why);
		goto out;
	}
	if (!selected(r->sel, id, &env))
		goto out;
	r->stats->seen++;
	r->now = time(NULL);
	expired = r->now - q.arrival >= (time_t)r->opts->queue_lifetime;
	due = mark_due(r, &env, expired, &waiting);
	/* nothing due, unless an expired report, or a report held back */
	if (due == 0 && !(expired && (q.flags & QENV_REPORT)) &&
	    !(waiting == 0 && !(q.flags & QENV_REPORT))) {
		r->stats->notdue++;
		goto out;
	}
	if (load_text(fd, &q, &msg, why, sizeof(why)) == -1) {
		set_aside(r, id, why);
		goto out;
	}
	if (due > 0 && r->down.n > 0 && (held = calloc(env.nrcpts, 1)) ==
	    NULL)
		goto out;	/* no memory: the next run */
	if (due > 0)
		deliver_due(r, &env, &msg, held, due);
	retry_later(r, &env, held, &q, expired);
	carrier_log_outcomes(r->opts, &env, &msg);
	for (i = 0; i < env.nrcpts; i++) {
		open_rcpts += env.rcpts[i].state == ENVELOPE_DEFERRED;
		bounced += env.rcpts[i].state == ENVELOPE_BOUNCED;
	}
	r->stats->deferred += open_rcpts > 0;
	if (open_rcpts > 0 && r->opts->delay_warning > 0 &&
	    !(q.flags & QENV_WARNED) &&
	    r->now - q.arrival >= (time_t)r->opts->delay_warning &&
	    report(r, &q, &env, &msg, BOUNCE_DELAYED) != CARRIER_TEMP)
		q.flags |= QENV_WARNED;	/* else the next run tries again */
	if (open_rcpts == 0 && bounced > 0 && !(q.flags & QENV_REPORT) &&
	    r->stats->reports >= QUEUE_REPORTS_MAX) {
		/* a flood of bounces: this one waits for the next run */
		if (r->stats->held++ == 0)
			log_line(r->opts, "%s: %d reports in this run: the "
			    "rest wait for the next", id, QUEUE_REPORTS_MAX);
		open_rcpts = 1;		/* kept, as it is now */
	}
	if (open_rcpts == 0 && bounced > 0 &&
	    report(r, &q, &env, &msg, BOUNCE_FAILED) == CARRIER_TEMP) {
		r->stats->held++;	/* the report is tried next run */
		open_rcpts = 1;		/* kept, as it is now */
	}
	if (open_rcpts == 0 && !(q.flags & QENV_REPORT && bounced > 0 &&
	    !expired)) {
		if (q.flags & QENV_REPORT)
			log_reports_dropped(r, &q, &env);
		r->stats->bounced += bounced > 0;
		r->stats->delivered += bounced == 0;
		if (spool_remove(&r->sp, id) == -1)
			log_line(r->opts, "%s: done, but cannot be removed "
			    "from the queue: %s", id, strerror(errno));
		goto out;
	}
	free(text);
	if ((text = qenv_format(&q, &env, &len)) == NULL ||
	    spool_write_env(&r->sp, id, text, len) == -1)
		/* the old envelope stands: at worst a recipient is tried
		   again */
		log_line(r->opts, "%s: cannot record the outcome: %s", id,
		    strerror(errno));
out:
	free(held);
	free(text);
	free(msg.head);
	envelope_free(&env);
	(void)close(fd);
}

/*
 * Opens the spool and lists its messages, removing what kills left if
 * tidy_age is not negative (spool_list); on failure err says why.
 */
static enum carrier_status
open_list(struct spool *sp, const char *path, time_t tidy_age, char ***ids,
    size_t *n, struct carrier_error *err)
{
	if (spool_open(sp, path) == -1)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL, "the spool: "
		    "%s: %s", sp->failed, strerror(errno));
	if (spool_list(sp, tidy_age, ids, n) == -1) {
		(void)status_set(err, CARRIER_TEMP, PHASE_LOCAL, "reading "
		    "%s/queue: %s", path, strerror(errno));
		spool_close(sp);
		return CARRIER_TEMP;
	}
	return CARRIER_OK;
}

enum carrier_status
carrier_queue_run(const struct carrier_options *opts,
    const struct carrier_queue_select *sel, struct carrier_queue_stats *st,
    struct carrier_error *err)
{
	struct carrier_options o = *opts;
	struct hop relay;
	struct run r;
	char **ids;
	size_t n, i;

	memset(st, 0, sizeof(*st));
	status_clear(err);
	o.log_later = 1;
	o.reuse = o.queue_reuse;	/* one connection for the whole run */
	memset(&r, 0, sizeof(r));
	r.opts = &o;
	r.sel = sel;
	r.stats = st;
	/* down as long as the shortest back-off: Postfix's dead
	   destination is revived after its minimal_backoff_time */
	qhop_init(&r.down, (int64_t)o.backoff_min * 1000);
	if (o.relay_host != NULL && o.relay_host[0] != '\0') {
		hop_relay(&o, &relay);
		(void)snprintf(r.relay, sizeof(r.relay), "%s:%u", relay.host,
		    relay.port);
	}
	if (o.spool == NULL)
		return status_set(err, CARRIER_TEMP, PHASE_CONFIG, "no spool "
		    "is configured");
	(void)priv_raise();
	if (open_list(&r.sp, o.spool, QUEUE_ORPHAN_AGE, &ids, &n, err) !=
	    CARRIER_OK) {
		priv_lower();
		return CARRIER_TEMP;
	}
	for (i = 0; i < n; i++)
		run_one(&r, ids[i]);
	(void)spool_sync(&r.sp);	/* the removals, once */
	priv_lower();
	carrier_deliver_done();
	qhop_free(&r.down);
	spool_free_ids(ids, n);
	spool_close(&r.sp);
	return CARRIER_OK;
}

enum carrier_status
carrier_queue_list(const struct carrier_options *opts,
    int (*fn)(const struct carrier_queue_entry *, void *), void *arg,
    struct carrier_error *err)
{
	struct carrier_queue_entry e;
	struct carrier_envelope env;
	struct spool sp;
	struct qenv q;
	char **ids, *text, why[256];
	size_t n, i, len;
	int rc = 0;

	status_clear(err);
	if (opts->spool == NULL)
		return status_set(err, CARRIER_TEMP, PHASE_CONFIG, "no spool "
		    "is configured");
	(void)priv_raise();	/* the envelopes: group-readable */
	if (open_list(&sp, opts->spool, -1, &ids, &n, err) != CARRIER_OK) {
		priv_lower();
		return CARRIER_TEMP;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if ((text = spool_read_env(&sp, ids[i], &len)) == NULL)
			continue;	/* gone since the listing */
		if (envelope_init(&env) == -1) {
			free(text);
			break;
		}
		memset(&e, 0, sizeof(e));
		e.id = ids[i];
		if (qenv_parse(text, len, &q, &env, why, sizeof(why)) == 0) {
			e.q = &q;
			e.env = &env;
		} else
			e.corrupt = why;
		e.busy = spool_busy(&sp, ids[i]) == 1;
		rc = fn(&e, arg);
		free(text);
		envelope_free(&env);
	}
	spool_free_ids(ids, n);
	spool_close(&sp);
	priv_lower();
	return CARRIER_OK;
}
