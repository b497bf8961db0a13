/* SPDX-License-Identifier: ISC */
/*
 * conn_tls.c: TLS for struct conn through libtls, loaded on first use
 * with dlopen(3) (see conn_tls.h).  The function pointer types come from
 * <tls.h>, so they cannot drift from the library's.  In DANE mode the
 * handshake leaves the certificate to dane_check(), which reaches the
 * libcrypto behind libtls through conn_tls_sym().
 * Depends on conn, status, log, dane.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dlfcn.h>
#include <stddef.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <tls.h>

#include "config.h"
#include "compat.h"
#include "log.h"
#include "status.h"
#include "dane.h"
#include "conn.h"
#include "conn_tls.h"

#ifndef TLS_SONAME
#define TLS_SONAME	"libtls.so"
#endif

#define FN(name)	__typeof__(&tls_##name) name
struct libtls {
	void	*handle;
	FN(init);
	FN(config_new);
	FN(config_free);
	FN(config_error);
	FN(config_set_ca_file);
	FN(config_set_ca_path);
	FN(config_set_keypair_file);
	FN(config_insecure_noverifycert);
	FN(config_insecure_noverifyname);
	FN(client);
	FN(configure);
	FN(connect_socket);
	FN(handshake);
	FN(read);
	FN(write);
	FN(close);
	FN(free);
	FN(error);
	FN(conn_version);
	FN(conn_cipher);
	FN(conn_session_resumed);
	FN(peer_cert_provided);
	FN(peer_cert_subject);
	FN(peer_cert_issuer);
	FN(peer_cert_hash);
	FN(peer_cert_notbefore);
	FN(peer_cert_notafter);
	FN(peer_cert_chain_pem);
};
#undef FN

#define SYM(name)	{ "tls_" #name, offsetof(struct libtls, name) }
static const struct {
	const char	*name;
	size_t		 off;
} syms[] = {
	SYM(init), SYM(config_new), SYM(config_free), SYM(config_error),
	SYM(config_set_ca_file), SYM(config_set_ca_path),
	SYM(config_set_keypair_file), SYM(config_insecure_noverifycert),
	SYM(config_insecure_noverifyname), SYM(client), SYM(configure),
	SYM(connect_socket), SYM(handshake), SYM(read), SYM(write),
	SYM(close), SYM(free), SYM(error), SYM(conn_version),
	SYM(conn_cipher), SYM(conn_session_resumed),
	SYM(peer_cert_provided), SYM(peer_cert_subject),
	SYM(peer_cert_issuer), SYM(peer_cert_hash),
	SYM(peer_cert_notbefore), SYM(peer_cert_notafter),
	SYM(peer_cert_chain_pem),
};
#undef SYM

static struct libtls lt;

struct tls_state {
	struct tls	*ctx;
	int		 verified;
	char		 name[256];
	char		 dane[DANE_DESC_MAX];	/* DANE mode: its outcome */
	int		 acked;	/* data came: no more TCP_QUICKACK */
};

static ssize_t	tls_conn_read(struct conn *, void *, size_t);
static ssize_t	tls_conn_write(struct conn *, const void *, size_t);
static int	want(struct conn *, ssize_t);
static int	cert_error(const char *);
static enum carrier_status dane_verify(struct tls *,
		    const struct conn_tls_opts *, char *, size_t, int *,
		    struct carrier_error *);

static const struct conn_ops tls_ops = { tls_conn_read, tls_conn_write };
static struct tls_state state;	/* one TLS session per process at a time */

const char *
conn_tls_package(const char *soname, char *buf, size_t size)
{
	const char *so = strstr(soname, ".so.");
	int n;

	if (so == NULL)
		return soname;
	n = snprintf(buf, size, "%.*s%s", (int)(so - soname), soname, so + 4);
	return n < 0 || (size_t)n >= size ? soname : buf;
}

int
conn_tls_load(char *why, size_t whylen)
{
	char pkg[64];
	void *sym;
	size_t i;

	if (lt.handle != NULL)
		return 0;
	if ((lt.handle = dlopen(TLS_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		(void)snprintf(why, whylen, "cannot load %s (on Debian, install "
		    "the package %s): %s", TLS_SONAME, conn_tls_package(
		    TLS_SONAME, pkg, sizeof(pkg)), dlerror());
		return -1;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if ((sym = dlsym(lt.handle, syms[i].name)) == NULL) {
			(void)snprintf(why, whylen, "%s lacks %s", TLS_SONAME,
			    syms[i].name);
			(void)dlclose(lt.handle);
			memset(&lt, 0, sizeof(lt));
			return -1;
		}
		/* POSIX: a function's address converts through void * */
		memcpy((char *)&lt + syms[i].off, &sym, sizeof(sym));
	}
	if (lt.init() != 0) {
		(void)snprintf(why, whylen, "tls_init failed");
		return -1;
	}
	return 0;
}

void *
conn_tls_sym(const char *name)
{
	char why[256];

	if (conn_tls_load(why, sizeof(why)) != 0)
		return NULL;
	return dlsym(lt.handle, name);
}

/* Maps a libtls return value to read/write semantics (see conn_ops). */
static int
want(struct conn *c, ssize_t n)
{
	if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
		c->want = n == TLS_WANT_POLLIN ? POLLIN : POLLOUT;
		errno = EAGAIN;
		return -1;
	}
	errno = EPROTO;
	return -1;
}

/*
 * A read.  Until the first data comes, each time it must wait, the
 * kernel is asked to send its pending ACK now (TCP_QUICKACK): a TLS 1.3
 * server sends its session tickets right after the handshake, and one
 * that writes its next reply under Nagle's algorithm (Postfix's smtpd
 * does) holds that reply until the tickets are acknowledged, which a
 * delayed ACK puts off by 40 ms: a send through Postfix took 24 or 68
 * ms, at random, before this (make bench-tls-mx).
 */
static ssize_t
tls_conn_read(struct conn *c, void *buf, size_t len)
{
	struct tls_state *t = c->ctx;
	ssize_t n = lt.read(t->ctx, buf, len);
	int one = 1;

	if (n > 0)
		t->acked = 1;
	else if (n == TLS_WANT_POLLIN && !t->acked)
		(void)setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof(one));
	return n >= 0 ? n : want(c, n);
}

/*
 * A failed write: when the server has hung up (an RST came, so the
 * socket polls POLLHUP), it is ECONNRESET as on a plain connection, and
 * the caller reads what the server said before (a refusal of the text).
 * libtls itself leaves errno 0 there.
 */
static ssize_t
tls_conn_write(struct conn *c, const void *buf, size_t len)
{
	struct tls_state *t = c->ctx;
	struct pollfd p;
	ssize_t n = lt.write(t->ctx, buf, len);

	if (n >= 0 || n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT)
		return n >= 0 ? n : want(c, n);
	p.fd = c->fd;
	p.events = POLLIN;
	p.revents = 0;
	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)) != 0) {
		errno = ECONNRESET;
		return -1;
	}
	return want(c, n);
}

/*
 * Whether libtls's handshake error is about the peer's certificate: the
 * chain did not verify ("certificate verification failed: ...") or the
 * name is not in it ("name `x' not present in server certificate"), as
 * LibreSSL's and LibreTLS's libtls word them.
 */
static int
cert_error(const char *e)
{
	return e != NULL && (strstr(e, "certificate verification failed") !=
	    NULL || strstr(e, "not present in server certificate") != NULL);
}

/*
 * DANE mode, after the handshake: the peer's chain against the TLSA
 * records (RFC 7672 3); the outcome said in desc (desclen octets), and
 * *verified 1 when a record matched.  With none of them usable the
 * session is only encrypted (RFC 7672 2.2), and libcrypto is not even
 * looked at.
 */
static enum carrier_status
dane_verify(struct tls *ctx, const struct conn_tls_opts *o, char *desc,
    size_t desclen, int *verified, struct carrier_error *err)
{
	struct dane_match m;
	const uint8_t *pem;
	size_t len = 0;
	char why[STATUS_TEXT_MAX];
	int r;

	if (dane_usable(o->tlsa, o->ntlsa) == 0) {
		(void)strlcpy(desc, "DANE: no usable TLSA record, encrypted "
		    "only", desclen);
		return CARRIER_OK;
	}
	if ((pem = lt.peer_cert_chain_pem(ctx, &len)) == NULL) {
		r = 0;
		(void)strlcpy(why, "the server sent no certificate",
		    sizeof(why));
	} else
		r = dane_check(conn_tls_sym, (const char *)pem, len, o->tlsa,
		    o->ntlsa, o->dane_names, o->ndane_names, &m, why,
		    sizeof(why));
	if (r == 1) {
		(void)dane_describe(&m, desc, desclen);
		*verified = 1;
		return CARRIER_OK;
	}
	if (r == 0 && o->cert_failed != NULL)
		*o->cert_failed = 1;
	return status_set(err, CARRIER_TEMP, PHASE_CONNECT, "TLS: %s", why);
}

enum carrier_status
conn_tls_start(struct conn *c, const struct conn_tls_opts *o,
    struct carrier_error *err)
{
	struct tls_config *cfg = NULL;
	struct tls *ctx = NULL;
	char why[256], dane[DANE_DESC_MAX] = "";
	int r, verify = o->verify && o->ntlsa == 0, verified = verify;

	if (conn_pending(c) > 0)
		return status_set(err, CARRIER_TEMP, PHASE_CONNECT,
		    "protocol error: the server sent data before the TLS "
		    "handshake");
	if (conn_tls_load(why, sizeof(why)) != 0)
		return status_set(err, CARRIER_TEMP, PHASE_CONNECT,
		    "TLS unavailable: %s", why);
	if ((cfg = lt.config_new()) == NULL)
		goto nomem;
	/* DANE mode: the records are the trust anchors, not the CAs */
	if (o->ntlsa == 0 && (o->ca_file != NULL ?
	    lt.config_set_ca_file(cfg, o->ca_file) != 0 :
	    lt.config_set_ca_path(cfg, o->ca_path != NULL ? o->ca_path :
	    CONN_TLS_CA_PATH) != 0)) {
		status_set(err, CARRIER_TEMP, PHASE_CONNECT, "TLS: %s",
		    lt.config_error(cfg));
		goto fail;
	}
	if (o->cert_file != NULL && lt.config_set_keypair_file(cfg,
	    o->cert_file, o->key_file != NULL ? o->key_file :
	    o->cert_file) != 0) {
		status_set(err, CARRIER_TEMP, PHASE_CONNECT, "TLS client "
		    "certificate: %s", lt.config_error(cfg));
		goto fail;
	}
	if (!verify) {	/* DANE mode too: dane_verify() checks */
		lt.config_insecure_noverifycert(cfg);
		lt.config_insecure_noverifyname(cfg);
	} else if (o->server_name == NULL)
		lt.config_insecure_noverifyname(cfg);
	if ((ctx = lt.client()) == NULL)
		goto nomem;
	if (lt.configure(ctx, cfg) != 0 || lt.connect_socket(ctx, c->fd,
	    o->server_name) != 0) {
		status_set(err, CARRIER_TEMP, PHASE_CONNECT, "TLS: %s",
		    lt.error(ctx));
		goto fail;
	}
	while ((r = lt.handshake(ctx)) != 0) {
		if (r != TLS_WANT_POLLIN && r != TLS_WANT_POLLOUT) {
			const char *e = lt.error(ctx);

			status_set(err, CARRIER_TEMP, PHASE_CONNECT,
			    "TLS handshake failed: %s", e);
			if (o->cert_failed != NULL && verify &&
			    cert_error(e))
				*o->cert_failed = 1;
			goto fail;
		}
		if (conn_wait(c, r == TLS_WANT_POLLIN ? POLLIN : POLLOUT) ==
		    -1) {
			status_set(err, CARRIER_TEMP, PHASE_CONNECT,
			    "TLS handshake: %s", strerror(errno));
			goto fail;
		}
	}
	if (o->ntlsa > 0 && dane_verify(ctx, o, dane, sizeof(dane),
	    &verified, err) != CARRIER_OK)
		goto fail;
	lt.config_free(cfg);	/* the context keeps what it needs */
	memset(&state, 0, sizeof(state));
	state.ctx = ctx;
	state.verified = verified;
	(void)strlcpy(state.dane, dane, sizeof(state.dane));
	if (o->server_name != NULL)
		(void)strlcpy(state.name, o->server_name, sizeof(state.name));
	c->ctx = &state;
	c->ops = &tls_ops;
	log_note("TLS: %s", conn_tls_describe(c, why, sizeof(why)));
	return CARRIER_OK;
nomem:
	status_set(err, CARRIER_TEMP, PHASE_LOCAL, "TLS: %s",
	    strerror(ENOMEM));
fail:
	if (ctx != NULL)
		lt.free(ctx);
	if (cfg != NULL)
		lt.config_free(cfg);
	return err->status;
}

int
conn_tls_active(const struct conn *c)
{
	return c->ops == &tls_ops;
}

char *
conn_tls_describe(const struct conn *c, char *buf, size_t size)
{
	const struct tls_state *t = c->ctx;

	if (!conn_tls_active(c)) {
		(void)strlcpy(buf, "no TLS", size);
		return buf;
	}
	if (t->dane[0] != '\0') {
		(void)snprintf(buf, size, "%s %s, %s%s",
		    lt.conn_version(t->ctx), lt.conn_cipher(t->ctx), t->dane,
		    lt.conn_session_resumed(t->ctx) ? ", resumed" : "");
		return buf;
	}
	(void)snprintf(buf, size, "%s %s, %s%s%s", lt.conn_version(t->ctx),
	    lt.conn_cipher(t->ctx), t->verified ? (t->name[0] != '\0' ?
	    "verified name " : "verified chain, no name") :
	    "certificate not verified", t->verified ? t->name : "",
	    lt.conn_session_resumed(t->ctx) ? ", resumed" : "");
	return buf;
}

char *
conn_tls_peer(const struct conn *c, char *buf, size_t size)
{
	const struct tls_state *t = c->ctx;
	char nb[32] = "?", na[32] = "?";
	time_t tb, ta;
	struct tm tm;

	if (!conn_tls_active(c) || !lt.peer_cert_provided(t->ctx)) {
		(void)strlcpy(buf, "no certificate", size);
		return buf;
	}
	if ((tb = lt.peer_cert_notbefore(t->ctx)) != -1 &&
	    gmtime_r(&tb, &tm) != NULL)
		(void)strftime(nb, sizeof(nb), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if ((ta = lt.peer_cert_notafter(t->ctx)) != -1 &&
	    gmtime_r(&ta, &tm) != NULL)
		(void)strftime(na, sizeof(na), "%Y-%m-%d %H:%M:%S UTC", &tm);
	(void)snprintf(buf, size, "subject: %s\nissuer: %s\n"
	    "valid: %s to %s\nhash: %s", lt.peer_cert_subject(t->ctx),
	    lt.peer_cert_issuer(t->ctx), nb, na, lt.peer_cert_hash(t->ctx));
	return buf;
}

void
conn_tls_close(struct conn *c)
{
	struct tls_state *t = c->ctx;
	int r, tries = 0;

	if (!conn_tls_active(c))
		return;
	/* a close_notify, but never a long wait for the peer's */
	conn_set_timeout(c, 1000);
	while ((r = lt.close(t->ctx)) == TLS_WANT_POLLIN ||
	    r == TLS_WANT_POLLOUT) {
		if (++tries > 4 || conn_wait(c, r == TLS_WANT_POLLIN ?
		    POLLIN : POLLOUT) == -1)
			break;
	}
	lt.free(t->ctx);
	t->ctx = NULL;
	c->ctx = NULL;
	c->ops = NULL;
}
