/* SPDX-License-Identifier: ISC */
/*
 * deliver.c: the delivery core (carrier_deliver in carrier.h): picks the
 * next hop, runs one SMTP session to it with the TLS and AUTH policy of
 * carrier.conf(5), and collects each recipient's outcome.  With a relay,
 * every recipient goes to the relay and no MX lookup is made.
 *
 * TLS policy to a relay: implicit TLS with "tls implicit" or on port 465
 * with "tls auto"; otherwise STARTTLS whenever offered ("tls starttls":
 * required, a server without it is a temporary failure).  Certificates
 * are verified unless tls_verify is off.  Credentials are never sent
 * without TLS unless auth_allow_plaintext says so.
 * Depends on net, conn, conn_tls, smtp, smtp_auth, cred, identity,
 * envelope, status.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "conn.h"
#include "conn_tls.h"
#include "cred.h"
#include "identity.h"
#include "log.h"
#include "net.h"
#include "smtp.h"
#include "smtp_auth.h"
#include "carrier.h"

struct hop {
	const char	*host;
	unsigned int	 port;
	int		 implicit_tls;
};

#define DELIVER_REUSE_MAX	1000	/* messages on one connection */

static struct conn hop_conn;	/* the one connection (buffers: not on
				   the stack) */

/* The connection kept open after a message (opts->reuse). */
static struct {
	int			open;
	char			host[CONF_HOST_MAX];
	unsigned int		port;
	int			implicit_tls;
	unsigned int		used;	/* messages sent on it */
	int			clean;	/* its last transaction ended with
					   the server taking the message */
	struct smtp_session	s;
} kept;

static int	in_step(const struct carrier_error *);
static enum carrier_status secure(const struct carrier_options *,
		    const struct hop *, struct smtp_session *,
		    struct carrier_error *);
static enum carrier_status load_secret(const struct carrier_options *,
		    char *, size_t, struct carrier_error *);
static enum carrier_status authenticate(const struct carrier_options *,
		    const struct hop *, struct smtp_session *, const char *,
		    struct carrier_error *);
static enum carrier_status connect_hop(const struct carrier_options *,
		    const struct hop *, struct conn *, struct smtp_session *,
		    struct carrier_error *);
static enum carrier_status session(const struct carrier_options *,
		    const struct hop *, struct carrier_envelope *,
		    const struct carrier_message *, struct carrier_error *);
static enum carrier_status outcome(const struct carrier_envelope *);
static int	reuse(const struct carrier_options *, const struct hop *);
static void	relay_hop(const struct carrier_options *, struct hop *);
static enum carrier_status greeting(const struct carrier_options *,
		    struct smtp_session *, struct carrier_error *);
static void	tls_options(const struct carrier_options *,
		    const struct hop *, struct conn_tls_opts *);

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

/* The TLS settings for a hop: verify its name unless told another. */
static void
tls_options(const struct carrier_options *o, const struct hop *hop,
    struct conn_tls_opts *t)
{
	memset(t, 0, sizeof(*t));
	t->server_name = o->tls_server_name != NULL ? o->tls_server_name :
	    hop->host;
	t->verify = o->tls_verify;
	t->ca_file = o->tls_ca_file;
	t->ca_path = o->tls_ca_path;
	t->cert_file = o->tls_client_cert;
	t->key_file = o->tls_client_key;
}

/* TLS after the greeting: STARTTLS as the policy says, then EHLO again. */
static enum carrier_status
secure(const struct carrier_options *o, const struct hop *hop,
    struct smtp_session *s, struct carrier_error *err)
{
	struct conn_tls_opts t;
	enum carrier_status st;

	if (conn_tls_active(s->conn) || o->tls == CONF_TLS_OFF)
		return CARRIER_OK;
	if (!(s->ext & SMTP_EXT_STARTTLS)) {
		if (o->tls != CONF_TLS_STARTTLS)
			return CARRIER_OK;
		(void)strlcpy(err->host, s->peer, sizeof(err->host));
		return status_set(err, CARRIER_TEMP, PHASE_STARTTLS, "the "
		    "server does not offer STARTTLS, which \"tls starttls\" "
		    "requires");
	}
	tls_options(o, hop, &t);
	if ((st = smtp_starttls(s, &t, err)) != CARRIER_OK)
		return st;
	return smtp_hello(s, err);
}

/*
 * Reads the AUTH secret, before any connection is made: a password file
 * others can read is refused without a word to the server.
 */
static enum carrier_status
load_secret(const struct carrier_options *o, char *secret, size_t size,
    struct carrier_error *err)
{
	char why[256];
	int rc;

	if (o->auth_user == NULL)
		return CARRIER_OK;
	if (o->auth_password_command != NULL)
		rc = cred_run_command(o->auth_password_command,
		    o->timeout * 1000, secret, size, why, sizeof(why));
	else if (o->auth_password_file != NULL)
		rc = cred_read_file(o->auth_password_file, secret, size, why,
		    sizeof(why));
	else {
		(void)strlcpy(why, "auth_user is set, but neither "
		    "auth_password_file nor auth_password_command", sizeof(why));
		rc = -1;
	}
	if (rc == -1)
		return status_set(err, CARRIER_TEMP, PHASE_CONFIG, "%s", why);
	return CARRIER_OK;
}

static enum carrier_status
authenticate(const struct carrier_options *o, const struct hop *hop,
    struct smtp_session *s, const char *secret, struct carrier_error *err)
{
	struct smtp_auth a;

	if (o->auth_user == NULL)
		return CARRIER_OK;
	(void)strlcpy(err->host, s->peer, sizeof(err->host));
	if (!conn_tls_active(s->conn) && !o->auth_allow_plaintext)
		return status_set(err, CARRIER_TEMP, PHASE_AUTH, "refusing to "
		    "send credentials without TLS: %s (auth_allow_plaintext "
		    "yes would allow it)", o->tls == CONF_TLS_OFF ?
		    "\"tls off\" is configured" :
		    "the server offers no STARTTLS");
	memset(&a, 0, sizeof(a));
	a.user = o->auth_user;
	a.secret = secret;
	a.mechanism = o->auth_mechanism;
	a.host = hop->host;
	a.port = hop->port;
	return smtp_auth(s, &a, err);
}

/*
 * Connects to the hop and sets up conn and s on it, TLS first when the
 * hop wants implicit TLS.  On failure conn is closed and err says why.
 */
static enum carrier_status
connect_hop(const struct carrier_options *opts, const struct hop *hop,
    struct conn *conn, struct smtp_session *s, struct carrier_error *err)
{
	struct conn_tls_opts t;
	char helo[256];
	enum carrier_status st;
	int fd;

	(void)identity_helo(opts->helo, helo, sizeof(helo));
	fd = net_connect(hop->host, hop->port, opts->connect_timeout * 1000,
	    err);
	if (fd == -1)
		return err->status;
	conn_init(conn, fd);
	smtp_init(s, conn, helo, opts->timeout * 1000, err->host);
	s->dot_timeout_ms = opts->data_timeout * 1000;
	if (!hop->implicit_tls)
		return CARRIER_OK;
	tls_options(opts, hop, &t);
	conn_set_timeout(conn, opts->timeout * 1000);
	if ((st = conn_tls_start(conn, &t, err)) != CARRIER_OK) {
		err->phase = PHASE_TLS;
		conn_close(conn);
	}
	return st;
}

/*
 * The server's greeting, waited for greeting_timeout (or timeout, when
 * shorter): a relay that accepts and never speaks holds a cron job a
 * minute, not the five minutes of each later reply.
 */
static enum carrier_status
greeting(const struct carrier_options *opts, struct smtp_session *s,
    struct carrier_error *err)
{
	enum carrier_status st;

	if (opts->greeting_timeout != 0 && opts->greeting_timeout <
	    opts->timeout)
		s->timeout_ms = opts->greeting_timeout * 1000;
	st = smtp_greeting(s, err);
	s->timeout_ms = opts->timeout * 1000;
	return st;
}

/* The recipients delivered. */
static size_t
delivered(const struct carrier_envelope *env)
{
	size_t i, n = 0;

	for (i = 0; i < env->nrcpts; i++)
		n += env->rcpts[i].state == ENVELOPE_DELIVERED;
	return n;
}

/* The recipients without an outcome yet. */
static size_t
undone(const struct carrier_envelope *env)
{
	size_t i, n = 0;

	for (i = 0; i < env->nrcpts; i++)
		n += !envelope_done(&env->rcpts[i]);
	return n;
}

/* Whether the kept connection goes to hop, and still serves (RSET). */
static int
reuse(const struct carrier_options *opts, const struct hop *hop)
{
	struct carrier_error err;

	if (!kept.open)
		return 0;
	/*
	 * After a message the server took, the session is back where MAIL
	 * may follow (RFC 5321 4.1.4): a peer that said nothing since is
	 * taken as it is, with no round trip; else RSET, and its reply.
	 */
	if (opts->reuse && strcmp(kept.host, hop->host) == 0 &&
	    kept.port == hop->port && kept.implicit_tls ==
	    hop->implicit_tls && kept.used < DELIVER_REUSE_MAX &&
	    (kept.clean ? conn_idle(&hop_conn) :
	    smtp_rset(&kept.s, &err) == CARRIER_OK))
		return 1;
	carrier_deliver_done();
	return 0;
}

void
carrier_deliver_done(void)
{
	if (!kept.open)
		return;
	smtp_quit(&kept.s);
	conn_tls_close(&hop_conn);
	conn_close(&hop_conn);
	kept.open = 0;
	kept.used = 0;
}

/*
 * One connection to the hop (or the one kept open for it), and
 * transactions on it while a server that took some recipients put
 * others off (452: too many recipients) and the connection is still
 * open; then QUIT, or with opts->reuse the connection kept open.
 */
static enum carrier_status
session(const struct carrier_options *opts, const struct hop *hop,
    struct carrier_envelope *env, const struct carrier_message *msg,
    struct carrier_error *err)
{
	struct smtp_session s;
	struct message_text text;
	static char secret[SMTP_AUTH_SECRET_MAX];
	enum carrier_status st;
	size_t i, sent = delivered(env);

	if (reuse(opts, hop)) {
		s = kept.s;
		kept.open = 0;
		(void)strlcpy(err->host, s.peer, sizeof(err->host));
		goto send;
	}
	if ((st = load_secret(opts, secret, sizeof(secret), err)) !=
	    CARRIER_OK ||
	    (st = connect_hop(opts, hop, &hop_conn, &s, err)) != CARRIER_OK)
		goto fail;
	if ((st = greeting(opts, &s, err)) != CARRIER_OK ||
	    (st = smtp_hello(&s, err)) != CARRIER_OK ||
	    (st = secure(opts, hop, &s, err)) != CARRIER_OK ||
	    (st = authenticate(opts, hop, &s, secret, err)) != CARRIER_OK) {
		if (in_step(err) || err->phase == PHASE_CONFIG ||
		    (err->phase == PHASE_STARTTLS && err->code == 0) ||
		    (err->phase == PHASE_AUTH && err->code == 0))
			smtp_quit(&s);
		conn_tls_close(&hop_conn);
		conn_close(&hop_conn);
		goto fail;
	}
	if (opts->auth_user != NULL)	/* used: not kept */
		explicit_bzero(secret, sizeof(secret));
send:
	text.head = msg->head != NULL ? msg->head : "";
	text.headlen = msg->headlen;
	text.fd = msg->fd;
	text.off = msg->body_off;
	text.len = msg->file_size - msg->body_off;
	for (;;) {
		size_t left = undone(env);

		/* smtp_transaction clears it for more */
		s.last = !opts->reuse;
		st = smtp_transaction(&s, env, &text, &msg->info, err);
		if (st != CARRIER_OK || s.quit_sent || undone(env) == 0 ||
		    undone(env) == left)
			break;
	}
	if (st == CARRIER_OK && opts->reuse && !s.quit_sent) {
		/* open for the next message to this hop */
		kept.s = s;
		(void)strlcpy(kept.host, hop->host, sizeof(kept.host));
		kept.port = hop->port;
		kept.implicit_tls = hop->implicit_tls;
		kept.used++;
		kept.clean = delivered(env) > sent;
		kept.open = 1;
		return st;
	}
	kept.used = 0;
	if (st == CARRIER_OK || in_step(err))
		smtp_quit(&s);
	conn_tls_close(&hop_conn);
	conn_close(&hop_conn);
	return st;
fail:
	if (opts->auth_user != NULL)
		explicit_bzero(secret, sizeof(secret));
	for (i = 0; i < env->nrcpts; i++) {
		if (envelope_done(&env->rcpts[i]))
			continue;
		env->rcpts[i].result = *err;
		envelope_settle(&env->rcpts[i]);
	}
	return st;
}

/* The relay as a hop: implicit TLS and the default port by the policy. */
static void
relay_hop(const struct carrier_options *opts, struct hop *hop)
{
	hop->host = opts->relay_host;
	hop->implicit_tls = opts->tls == CONF_TLS_IMPLICIT ||
	    (opts->tls == CONF_TLS_AUTO && opts->relay_port == 465);
	hop->port = opts->relay_port != 0 ? opts->relay_port :
	    opts->tls == CONF_TLS_IMPLICIT ? CARRIER_SMTPS_PORT :
	    CARRIER_SMTP_PORT;
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
	struct hop hop;

	status_clear(err);
	if (opts->relay_host == NULL || opts->relay_host[0] == '\0') {
		size_t i;

		/* direct MX delivery comes with the MX resolver */
		status_set(err, CARRIER_TEMP, PHASE_CONFIG, "no relay "
		    "configured, and direct MX delivery is not available "
		    "in this version: set \"relay host:port\" in "
		    "carrier.conf or use -R host:port");
		for (i = 0; i < env->nrcpts; i++)
			if (!envelope_done(&env->rcpts[i])) {
				env->rcpts[i].result = *err;
				envelope_settle(&env->rcpts[i]);
			}
		carrier_log_outcomes(opts, env, msg);
		return CARRIER_TEMP;
	}
	relay_hop(opts, &hop);
	/* another connection for recipients put off after QUIT went */
	for (;;) {
		size_t i, left = undone(env);

		(void)session(opts, &hop, env, msg, err);
		if (undone(env) > 0 && undone(env) < left)
			continue;
		/* put off, and no further: their 4xx is their outcome */
		for (i = 0; i < env->nrcpts; i++)
			if (!envelope_done(&env->rcpts[i]))
				envelope_settle(&env->rcpts[i]);
		break;
	}
	if (opts->log_later)
		carrier_log_settled(opts, env, msg);
	else
		carrier_log_outcomes(opts, env, msg);
	return outcome(env);
}

enum carrier_status
carrier_probe(const struct carrier_options *opts, struct carrier_probe *p,
    struct carrier_error *err)
{
	struct smtp_session s;
	struct hop hop;
	enum carrier_status st;

	memset(p, 0, sizeof(*p));
	status_clear(err);
	if (opts->relay_host == NULL || opts->relay_host[0] == '\0')
		return status_set(err, CARRIER_PERM, PHASE_CONFIG, "no relay "
		    "to ask: set \"relay\" in carrier.conf or use -R");
	relay_hop(opts, &hop);
	if ((st = connect_hop(opts, &hop, &hop_conn, &s, err)) != CARRIER_OK)
		return st;
	(void)strlcpy(p->peer, s.peer, sizeof(p->peer));
	if ((st = greeting(opts, &s, err)) != CARRIER_OK)
		goto out;
	smtp_reply_summary(&s.reply, p->greeting, sizeof(p->greeting));
	if ((st = smtp_hello(&s, err)) != CARRIER_OK)
		goto out;
	p->starttls_offered = (s.ext & SMTP_EXT_STARTTLS) != 0;
	if ((st = secure(opts, &hop, &s, err)) != CARRIER_OK)
		goto out;
	(void)strlcpy(p->ehlo, s.reply.text, sizeof(p->ehlo));
	(void)strlcpy(p->auth, s.auth, sizeof(p->auth));
	p->size_max = s.size_max;
	p->tls_active = conn_tls_active(&hop_conn);
	conn_tls_describe(&hop_conn, p->tls, sizeof(p->tls));
	conn_tls_peer(&hop_conn, p->cert, sizeof(p->cert));
	smtp_quit(&s);
out:
	conn_tls_close(&hop_conn);
	conn_close(&hop_conn);
	return st;
}
