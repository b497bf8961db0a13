/* SPDX-License-Identifier: ISC */
/*
 * deliver.c: the delivery core (carrier_deliver in carrier.h): picks the
 * next hop, runs one SMTP session to it and collects each recipient's
 * outcome.  With a relay, every recipient goes to the relay and no MX
 * lookup is made.
 * Depends on net, conn, smtp, envelope, status.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "addr.h"
#include "conn.h"
#include "log.h"
#include "net.h"
#include "smtp.h"
#include "carrier.h"

static void	default_helo(char *, size_t);
static enum carrier_status session(const struct carrier_options *,
		    const char *, unsigned int, struct carrier_envelope *,
		    const struct carrier_message *, struct carrier_error *);
static enum carrier_status outcome(const struct carrier_envelope *);
static int	in_step(const struct carrier_error *);

/* This host's name, as gethostname(2) has it (no DNS lookup). */
static void
default_helo(char *buf, size_t size)
{
	if (gethostname(buf, size) == -1 || buf[size - 1] != '\0' ||
	    addr_check_domain(buf, strlen(buf)) != 0)
		(void)strlcpy(buf, "localhost", size);
}

/*
 * Whether the server is still in step after the failure err: it refused
 * with a reply (not 421, which closes) rather than falling silent,
 * hanging up or garbling, so a QUIT will be read.
 */
static int
in_step(const struct carrier_error *err)
{
	return err->code != 0 && err->code != 421;
}

/* One connection to host:port, one transaction, QUIT. */
static enum carrier_status
session(const struct carrier_options *opts, const char *host,
    unsigned int port, struct carrier_envelope *env,
    const struct carrier_message *msg, struct carrier_error *err)
{
	static struct conn conn;
	struct smtp_session s;
	char helo[256] = "";
	enum carrier_status st;
	size_t i;
	int fd;

	if (opts->helo != NULL && opts->helo[0] != '\0')
		(void)strlcpy(helo, opts->helo, sizeof(helo));
	else
		default_helo(helo, sizeof(helo));
	fd = net_connect(host, port, opts->connect_timeout * 1000, err);
	if (fd == -1) {
		st = err->status;
		goto fail;
	}
	conn_init(&conn, fd);
	smtp_init(&s, &conn, helo, opts->timeout * 1000, err->host);
	if ((st = smtp_greeting(&s, err)) != CARRIER_OK ||
	    (st = smtp_hello(&s, err)) != CARRIER_OK) {
		if (in_step(err))
			smtp_quit(&s);
		conn_close(&conn);
		goto fail;
	}
	st = smtp_transaction(&s, env, msg->fd, &msg->info, err);
	if (st == CARRIER_OK || in_step(err))
		smtp_quit(&s);
	conn_close(&conn);
	return st;
fail:
	for (i = 0; i < env->nrcpts; i++) {
		if (env->rcpts[i].done)
			continue;
		env->rcpts[i].result = *err;
		env->rcpts[i].done = 1;
	}
	return st;
}

/* The worst outcome among the recipients. */
static enum carrier_status
outcome(const struct carrier_envelope *env)
{
	enum carrier_status worst = CARRIER_OK;
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		enum carrier_status st = env->rcpts[i].result.status;

		if (st == CARRIER_PERM || (st == CARRIER_TEMP &&
		    worst == CARRIER_OK))
			worst = st;
	}
	return worst;
}

enum carrier_status
carrier_deliver(const struct carrier_options *opts,
    struct carrier_envelope *env, const struct carrier_message *msg,
    struct carrier_error *err)
{
	status_clear(err);
	if (opts->relay_host == NULL || opts->relay_host[0] == '\0') {
		size_t i;

		/* direct MX delivery comes with the MX resolver */
		status_set(err, CARRIER_TEMP, PHASE_CONFIG, "no relay "
		    "configured, and direct MX delivery is not available "
		    "in this version: set \"relay host:port\" in "
		    "carrier.conf or use -R host:port");
		for (i = 0; i < env->nrcpts; i++)
			if (!env->rcpts[i].done) {
				env->rcpts[i].result = *err;
				env->rcpts[i].done = 1;
			}
		return CARRIER_TEMP;
	}
	(void)session(opts, opts->relay_host, opts->relay_port != 0 ?
	    opts->relay_port : CARRIER_SMTP_PORT, env, msg, err);
	return outcome(env);
}
