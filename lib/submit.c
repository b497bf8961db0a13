/* SPDX-License-Identifier: ISC */
/*
 * submit.c: taking a message from the caller (carrier_message_read in
 * carrier.h).  The message goes into an unlinked temporary file: it can
 * then be sent any number of times (several hosts, several domains)
 * without holding it in memory.
 * Depends on message, status.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "carrier.h"

static int	open_tmp(const char *);

void
carrier_options_init(struct carrier_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->timeout = CONF_TIMEOUT_DEFAULT;
	opts->connect_timeout = CONF_CONNECT_DEFAULT;
	opts->tls = CONF_TLS_AUTO;
	opts->tls_verify = 1;
}

#define OR_NULL(s)	((s)[0] != '\0' ? (s) : NULL)

void
carrier_options_from_conf(struct carrier_options *o, const struct conf *c)
{
	o->relay_host = OR_NULL(c->relay_host);
	o->relay_port = c->relay_port;
	o->helo = OR_NULL(c->helo);
	o->timeout = c->timeout;
	o->connect_timeout = c->connect_timeout;
	o->tls = c->tls;
	o->tls_verify = c->tls_verify;
	o->tls_ca_file = OR_NULL(c->tls_ca_file);
	o->tls_ca_path = OR_NULL(c->tls_ca_path);
	o->tls_client_cert = OR_NULL(c->tls_client_cert);
	o->tls_client_key = OR_NULL(c->tls_client_key);
	o->tls_server_name = OR_NULL(c->tls_server_name);
	o->auth_user = OR_NULL(c->auth_user);
	o->auth_password_file = OR_NULL(c->auth_password_file);
	o->auth_password_command = OR_NULL(c->auth_password_command);
	o->auth_mechanism = OR_NULL(c->auth_mechanism);
	o->auth_allow_plaintext = c->auth_allow_plaintext;
}

/* An unlinked read-write file in dir; -1/errno on failure. */
static int
open_tmp(const char *dir)
{
	char path[4096];
	int fd;

#if HAVE_DECL_O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL))
		return fd;
#endif
	if ((size_t)snprintf(path, sizeof(path), "%s/carrier.XXXXXX", dir) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	(void)unlink(path);
	return fd;
}

enum carrier_status
carrier_message_read(const struct carrier_options *opts, int in_fd,
    unsigned int flags, struct carrier_message *msg,
    struct carrier_error *err)
{
	const char *dir = opts->tmpdir;
	enum carrier_status st;

	if (dir == NULL && (dir = getenv("TMPDIR")) == NULL)
		dir = "/tmp";
	memset(msg, 0, sizeof(*msg));
	if ((msg->fd = open_tmp(dir)) == -1)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
		    "cannot create a temporary file in %s: %s", dir,
		    strerror(errno));
	st = message_intake(in_fd, msg->fd, flags, &msg->info, err);
	if (st != CARRIER_OK) {
		(void)close(msg->fd);
		msg->fd = -1;
	}
	return st;
}

void
carrier_message_close(struct carrier_message *msg)
{
	if (msg->fd != -1)
		(void)close(msg->fd);
	msg->fd = -1;
}
