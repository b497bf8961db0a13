/* SPDX-License-Identifier: ISC */
/*
 * outcome.c: the mail log of a delivery (carrier_log_outcomes and
 * carrier_log_refused in carrier.h): one line per recipient, or one for
 * a message refused before delivery, through maillog.
 * Depends on maillog, envelope, status.
 */
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "maillog.h"
#include "carrier.h"

static void	message_fields(const struct carrier_envelope *,
		    const struct carrier_message *, struct maillog_msg *);

static void	log_lines(const struct carrier_options *,
		    struct carrier_envelope *, const struct carrier_message *,
		    int);

static struct maillog ml;	/* 67 KB of batch: not on the stack */

/* What every line of the message says: sender, user, size, delay. */
static void
message_fields(const struct carrier_envelope *env,
    const struct carrier_message *msg, struct maillog_msg *m)
{
	struct timespec now;

	m->sender = env->sender != NULL ? env->sender : "";
	m->uid = msg != NULL && msg->queue_id[0] != '\0' ? msg->queue_uid :
	    (long)getuid();
	m->msgid = NULL;
	m->size = 0;
	m->delay_ms = -1;
	m->queue_id = NULL;
	if (msg == NULL)
		return;
	m->queue_id = msg->queue_id;
	m->msgid = msg->msgid;
	m->size = msg->info.size;
	if (msg->arrived.tv_sec != 0 &&
	    clock_gettime(CLOCK_REALTIME, &now) == 0) {
		long long d = ((long long)now.tv_sec - msg->arrived.tv_sec) *
		    1000 + (now.tv_nsec - msg->arrived.tv_nsec) / 1000000;

		m->delay_ms = d < 0 ? 0 : d;
	}
}

void
carrier_log_outcomes(const struct carrier_options *opts,
    struct carrier_envelope *env, const struct carrier_message *msg)
{
	log_lines(opts, env, msg, 0);
}

void
carrier_log_settled(const struct carrier_options *opts,
    struct carrier_envelope *env, const struct carrier_message *msg)
{
	log_lines(opts, env, msg, 1);
}

/* The lines of recipients not logged yet; not of deferred ones with
 * settled_only. */
static void
log_lines(const struct carrier_options *opts, struct carrier_envelope *env,
    const struct carrier_message *msg, int settled_only)
{
	struct maillog_msg m;
	char line[MAILLOG_LINE_MAX];
	size_t i;

	if (opts->syslog_facility == MAILLOG_OFF)
		return;
	for (i = 0; i < env->nrcpts; i++)
		if (!env->rcpts[i].logged && !(settled_only &&
		    env->rcpts[i].result.status == CARRIER_TEMP))
			break;
	if (i == env->nrcpts)
		return;		/* no line to write: no socket */
	/* no daemon: nothing to write lines for */
	if (maillog_open(&ml, NULL, opts->syslog_facility, opts->syslog_tag,
	    MAILLOG_WAIT_MS) == -1)
		return;
	message_fields(env, msg, &m);
	for (i = 0; i < env->nrcpts && ml.fd != -1; i++) {
		struct carrier_rcpt *r = &env->rcpts[i];

		if (r->logged || (settled_only &&
		    r->result.status == CARRIER_TEMP))
			continue;
		r->logged = 1;

		(void)maillog_format(line, sizeof(line), &m, r->addr,
		    &r->result);
		maillog_add(&ml, maillog_priority(&r->result), line);
	}
	(void)maillog_close(&ml);
}

void
carrier_log_refused(const struct carrier_options *opts,
    const struct carrier_envelope *env, const struct carrier_error *err)
{
	struct maillog_msg m;
	char line[MAILLOG_LINE_MAX];

	if (opts->syslog_facility == MAILLOG_OFF)
		return;
	if (maillog_open(&ml, NULL, opts->syslog_facility, opts->syslog_tag,
	    MAILLOG_WAIT_MS) == -1)
		return;
	message_fields(env, NULL, &m);
	(void)maillog_format_refused(line, sizeof(line), &m, err);
	maillog_add(&ml, maillog_priority(err), line);
	(void)maillog_close(&ml);
}
