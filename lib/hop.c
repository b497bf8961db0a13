/* SPDX-License-Identifier: ISC */
/*
 * hop.c: one SMTP session with one host of a route (hop.h).
 *
 * TLS to the relay: implicit TLS with "tls implicit" or on port 465 with
 * "tls auto"; otherwise STARTTLS whenever offered ("tls starttls":
 * required, a server without it is a temporary failure).  Certificates
 * are verified unless tls_verify is off.  Credentials are never sent
 * without TLS unless auth_allow_plaintext says so.
 * TLS to an MX: as the hop says (tls_mx: STARTTLS when offered, or
 * required), the certificate checked against the MX name when the hop
 * asks; never AUTH.
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
#include "hop.h"

#define HOP_REUSE_MAX	1000	/* messages on one connection */

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
static void	tls_options(const struct carrier_options *,
		    const struct hop *, struct conn_tls_opts *);
static enum carrier_status secure(const struct carrier_options *,
		    struct hop *, struct smtp_session *,
		    struct carrier_error *);
static enum carrier_status load_secret(const struct carrier_options *,
		    char *, size_t, struct carrier_error *);
static enum carrier_status authenticate(const struct carrier_options *,
		    const struct hop *, struct smtp_session *, const char *,
		    struct carrier_error *);
static int	open_socket(const struct carrier_options *, struct hop *,
		    struct carrier_error *);
static enum carrier_status connect_hop(const struct carrier_options *,
		    struct hop *, struct conn *, struct smtp_session *,
		    struct carrier_error *);
static enum carrier_status greeting(const struct carrier_options *,
		    struct smtp_session *, struct carrier_error *);
static size_t	delivered(const struct carrier_envelope *);
static int	reuse(const struct carrier_options *, const struct hop *);
static enum carrier_status open_session(const struct carrier_options *,
		    struct hop *, struct smtp_session *, char *, size_t,
		    struct carrier_error *);

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

/*
 * The TLS settings for a hop: to the relay, verify its name unless told
 * another; to an MX, its name when the hop verifies.
 */
static void
tls_options(const struct carrier_options *o, const struct hop *hop,
    struct conn_tls_opts *t)
{
	memset(t, 0, sizeof(*t));
	t->ca_file = o->tls_ca_file;
	t->ca_path = o->tls_ca_path;
	if (hop->kind == POLICY_MX) {
		t->server_name = hop->host;
		t->verify = hop->verify;
		t->tlsa = hop->tlsa;
		t->ntlsa = hop->ntlsa;
		t->dane_names = hop->names;
		t->ndane_names = hop->nnames;
		return;
	}
	t->server_name = o->tls_server_name != NULL ? o->tls_server_name :
	    hop->host;
	t->verify = o->tls_verify;
	t->cert_file = o->tls_client_cert;
	t->key_file = o->tls_client_key;
}

/* TLS after the greeting: STARTTLS as the policy says, then EHLO again. */
static enum carrier_status
secure(const struct carrier_options *o, struct hop *hop,
    struct smtp_session *s, struct carrier_error *err)
{
	struct conn_tls_opts t;
	enum carrier_status st;
	int required;

	if (conn_tls_active(s->conn) || hop->tls == HOP_TLS_NONE ||
	    (hop->tls == HOP_TLS_RELAY && o->tls == CONF_TLS_OFF))
		return CARRIER_OK;
	required = hop->tls == HOP_TLS_REQUIRED ||
	    (hop->tls == HOP_TLS_RELAY && o->tls == CONF_TLS_STARTTLS);
	if (!(s->ext & SMTP_EXT_STARTTLS)) {
		if (!required)
			return CARRIER_OK;
		(void)strlcpy(err->host, s->peer, sizeof(err->host));
		return status_set(err, CARRIER_TEMP, PHASE_STARTTLS, "the "
		    "server does not offer STARTTLS, which %s requires",
		    hop->kind == POLICY_MX ? hop->required_by :
		    "\"tls starttls\"");
	}
	tls_options(o, hop, &t);
	t.cert_failed = &hop->cert_failed;
	if ((st = smtp_starttls(s, &t, err)) != CARRIER_OK)
		return st;
	if (hop->kind == POLICY_MX && !hop->verify && hop->ntlsa == 0)
		log_note("%s: TLS without a verified certificate (tls_mx %s)",
		    s->peer, hop->policy);
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

	if (o->auth_user == NULL || hop->kind != POLICY_RELAY)
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

/* The socket: to the relay by name, else to the addresses found. */
static int
open_socket(const struct carrier_options *opts, struct hop *hop,
    struct carrier_error *err)
{
	struct dns_addr src4, src6;
	struct net_opts no;
	int fd;

	if (hop->addr == NULL)
		return net_connect(hop->host, hop->port,
		    opts->connect_timeout * 1000, err);
	memset(&no, 0, sizeof(no));
	no.connect_ms = opts->connect_timeout * 1000;
	no.deadline = hop->deadline;
	if (opts->source4 != NULL && net_parse_addr(opts->source4, &src4) == 0)
		no.src4 = &src4;
	if (opts->source6 != NULL && net_parse_addr(opts->source6, &src6) == 0)
		no.src6 = &src6;
	fd = net_connect_addrs(hop->host, hop->addr, hop->naddr, hop->port,
	    &no, hop->tries, &hop->ntries, err);
	return fd;
}

/*
 * Connects to the hop and sets up conn and s on it, TLS first when the
 * hop wants implicit TLS.  On failure conn is closed and err says why.
 */
static enum carrier_status
connect_hop(const struct carrier_options *opts, struct hop *hop,
    struct conn *conn, struct smtp_session *s, struct carrier_error *err)
{
	struct conn_tls_opts t;
	char helo[256];
	enum carrier_status st;
	int fd;

	if (hop->kind == POLICY_MX && opts->helo == NULL)
		(void)identity_fqdn(helo, sizeof(helo));	/* RFC 5321 4.1.4 */
	else
		(void)identity_helo(opts->helo, helo, sizeof(helo));
	if ((fd = open_socket(opts, hop, err)) == -1)
		return err->status;
	hop->connected = 1;
	conn_init(conn, fd);
	smtp_init(s, conn, helo, opts->timeout * 1000, err->host);
	s->dot_timeout_ms = opts->data_timeout * 1000;
	if (!hop->implicit_tls)
		return CARRIER_OK;
	tls_options(opts, hop, &t);
	t.cert_failed = &hop->cert_failed;
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
	    hop->implicit_tls && kept.used < HOP_REUSE_MAX &&
	    (kept.clean ? conn_idle(&hop_conn) :
	    smtp_rset(&kept.s, &err) == CARRIER_OK))
		return 1;
	hop_done();
	return 0;
}

void
hop_done(void)
{
	if (!kept.open)
		return;
	smtp_quit(&kept.s);
	conn_tls_close(&hop_conn);
	conn_close(&hop_conn);
	kept.open = 0;
	kept.used = 0;
}

void
hop_forget(void)
{
	kept.open = 0;
	kept.used = 0;
}

/*
 * A new session on hop up to where MAIL may follow: connect, greeting,
 * EHLO, TLS, AUTH.  On failure the connection is closed (after QUIT
 * where the server is still in step) and err says why.
 */
static enum carrier_status
open_session(const struct carrier_options *opts, struct hop *hop,
    struct smtp_session *s, char *secret, size_t size,
    struct carrier_error *err)
{
	enum carrier_status st;

	if ((hop->kind == POLICY_RELAY &&
	    (st = load_secret(opts, secret, size, err)) != CARRIER_OK) ||
	    (st = connect_hop(opts, hop, &hop_conn, s, err)) != CARRIER_OK)
		return st;
	if ((st = greeting(opts, s, err)) != CARRIER_OK ||
	    (st = smtp_hello(s, err)) != CARRIER_OK ||
	    (st = secure(opts, hop, s, err)) != CARRIER_OK ||
	    (st = authenticate(opts, hop, s, secret, err)) != CARRIER_OK) {
		if (in_step(err) || err->phase == PHASE_CONFIG ||
		    (err->phase == PHASE_STARTTLS && err->code == 0) ||
		    (err->phase == PHASE_AUTH && err->code == 0))
			smtp_quit(s);
		conn_tls_close(&hop_conn);
		conn_close(&hop_conn);
	}
	return st;
}

enum carrier_status
hop_session(const struct carrier_options *opts, struct hop *hop,
    struct carrier_envelope *env, const struct carrier_message *msg,
    struct carrier_error *err)
{
	struct smtp_session s;
	struct message_text text;
	static char secret[SMTP_AUTH_SECRET_MAX];
	enum carrier_status st;
	size_t sent = delivered(env);

	if (reuse(opts, hop)) {
		s = kept.s;
		kept.open = 0;
		hop->connected = 1;
		(void)strlcpy(err->host, s.peer, sizeof(err->host));
	} else {
		st = open_session(opts, hop, &s, secret, sizeof(secret), err);
		if (opts->auth_user != NULL)	/* used: not kept */
			explicit_bzero(secret, sizeof(secret));
		if (st != CARRIER_OK)
			return st;
	}
	text.head = msg->head != NULL ? msg->head : "";
	text.headlen = msg->headlen;
	text.fd = msg->fd;
	text.off = msg->body_off;
	text.len = msg->file_size - msg->body_off;
	for (;;) {
		size_t left = envelope_open_count(env);

		/* smtp_transaction clears it for more */
		s.last = !opts->reuse;
		st = smtp_transaction(&s, env, &text, &msg->info, err);
		if (st != CARRIER_OK || s.quit_sent ||
		    envelope_open_count(env) == 0 ||
		    envelope_open_count(env) == left)
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
}

void
hop_route_options(const struct carrier_options *opts, struct route_opts *ro)
{
	memset(ro, 0, sizeof(*ro));
	ro->relay_host = opts->relay_host;
	ro->relay_port = opts->relay_port;
	ro->dns_timeout = opts->dns_timeout;
	ro->family = opts->ip_version == CONF_IP_V4 ? NET_ONLY_V4 :
	    opts->ip_version == CONF_IP_V6 ? NET_ONLY_V6 : NET_ANY;
	ro->prefer = opts->ip_prefer == CONF_IP_V4 ? NET_PREFER_V4 :
	    opts->ip_prefer == CONF_IP_V6 ? NET_PREFER_V6 : NET_PREFER_NONE;
	ro->trusted = opts->trusted;
	ro->ntrusted = opts->ntrusted;
}

void
hop_relay(const struct carrier_options *opts, struct hop *hop)
{
	memset(hop, 0, sizeof(*hop));
	hop->kind = POLICY_RELAY;
	hop->tls = HOP_TLS_RELAY;
	hop->host = opts->relay_host;
	hop->implicit_tls = opts->tls == CONF_TLS_IMPLICIT ||
	    (opts->tls == CONF_TLS_AUTO && opts->relay_port == 465);
	hop->port = opts->relay_port != 0 ? opts->relay_port :
	    opts->tls == CONF_TLS_IMPLICIT ? CARRIER_SMTPS_PORT :
	    CARRIER_SMTP_PORT;
}

enum carrier_status
hop_probe(const struct carrier_options *opts, struct hop *hop,
    struct carrier_probe *p, struct carrier_error *err)
{
	struct smtp_session s;
	enum carrier_status st;

	if ((st = connect_hop(opts, hop, &hop_conn, &s, err)) != CARRIER_OK)
		return st;
	(void)strlcpy(p->peer, s.peer, sizeof(p->peer));
	if ((st = greeting(opts, &s, err)) != CARRIER_OK)
		goto out;
	smtp_reply_summary(&s.reply, p->greeting, sizeof(p->greeting));
	if ((st = smtp_hello(&s, err)) != CARRIER_OK)
		goto out;
	p->starttls_offered = (s.ext & SMTP_EXT_STARTTLS) != 0;
	if ((st = secure(opts, hop, &s, err)) != CARRIER_OK)
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
