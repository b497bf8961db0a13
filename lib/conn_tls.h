/* SPDX-License-Identifier: ISC */
/*
 * conn_tls.h: TLS on a struct conn, through libtls.
 *
 * libtls (and OpenSSL behind it) is loaded with dlopen(3) the first time
 * TLS is needed, so a plaintext send never pays for mapping it.  After a
 * successful conn_tls_start() every conn_* read and write goes through
 * TLS, under the same deadlines.
 */
#ifndef CARRIER_CONN_TLS_H
#define CARRIER_CONN_TLS_H

#include <stddef.h>

#include "conn.h"
#include "status.h"

#define CONN_TLS_CA_PATH	"/etc/ssl/certs"

struct conn_tls_opts {
	const char	*server_name;	/* SNI and the name checked */
	int		 verify;	/* check the chain and the name */
	const char	*ca_file;	/* PEM bundle; NULL: ca_path */
	const char	*ca_path;	/* hashed directory; NULL: default */
	const char	*cert_file;	/* client certificate, or NULL */
	const char	*key_file;	/* its key, or NULL */
	int		*cert_failed;	/* or NULL; set to 1 when the handshake
					   failed on the peer's certificate
					   (its chain or its name) */
};

/*
 * Loads libtls if it is not loaded yet.  Returns 0, or -1 with the
 * reason in why; when the library is missing, the reason names the
 * Debian package that holds it (ldd does not show a dlopen'd library).
 */
int	conn_tls_load(char *why, size_t whylen);

/*
 * The address of the function (or object) name of the libcrypto libtls
 * is linked with, found by dlsym(3) through libtls's handle, which
 * searches its dependencies: for what libtls's API lacks (the digests
 * and chain verification of DANE, dane.c) without linking against
 * OpenSSL or loading a second copy.  Loads libtls first if needed.
 * NULL when libtls cannot be loaded or has no such symbol.
 */
void	*conn_tls_sym(const char *name);

/*
 * The Debian package name of the shared library soname, by Debian
 * policy 8.1 (lib<name><major>: "libtls.so.26" is in libtls26), into
 * buf (size octets, NUL-terminated).  Returns buf; soname itself when it
 * has no ".so." or buf is too small.
 */
const char *conn_tls_package(const char *soname, char *buf, size_t size);

/*
 * Runs a TLS client handshake on c's connected socket within c's
 * deadline, then switches c's I/O to TLS.  Nothing may be buffered for
 * reading (data sent before the handshake would be trusted as if it came
 * after).  Returns CARRIER_OK, or CARRIER_TEMP with the reason (such as
 * the certificate check that failed) in err, PHASE_CONNECT.
 */
enum carrier_status conn_tls_start(struct conn *c,
	    const struct conn_tls_opts *opts, struct carrier_error *err);

/* Non-zero when c runs over TLS. */
int	conn_tls_active(const struct conn *c);

/*
 * One line about the session: "TLSv1.3 TLS_AES_256_GCM_SHA384, verified
 * name relay.example, resumed" into buf.  Returns buf.
 */
char	*conn_tls_describe(const struct conn *c, char *buf, size_t size);

/*
 * The peer certificate: subject, issuer, validity and SHA-256 hash, one
 * item per line, into buf.  Returns buf.
 */
char	*conn_tls_peer(const struct conn *c, char *buf, size_t size);

/* Ends TLS (close_notify, briefly) and frees it; c's fd stays open. */
void	conn_tls_close(struct conn *c);

#endif
