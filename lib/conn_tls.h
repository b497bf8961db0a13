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

struct tlsa;

struct conn_tls_opts {
	const char	*server_name;	/* SNI and the name checked */
	int		 verify;	/* check the chain and the name */
	const char	*ca_file;	/* PEM bundle; NULL: ca_path */
	const char	*ca_path;	/* hashed directory; NULL: default */
	const char	*cert_file;	/* client certificate, or NULL */
	const char	*key_file;	/* its key, or NULL */
	int		*cert_failed;	/* or NULL; set to 1 when the handshake
					   failed on the peer's certificate
					   (its chain or its name; in DANE
					   mode, no record matched) */
	/*
	 * DANE mode (RFC 7672), when ntlsa > 0: the server's TLSA records
	 * (the caller has them from a DNSSEC-validated answer), in place
	 * of verify, ca_file and ca_path.  The handshake does not check
	 * the certificate; then dane_check() does, with dane_names as the
	 * reference identifiers for DANE-TA(2) records (the MX host name,
	 * the TLSA base domain, ...; see dane.h).  A match makes the
	 * session verified; none fails the handshake (CARRIER_TEMP,
	 * "TLS: " and dane_check()'s reason).  When none of the records
	 * is usable, the session is encrypted without authentication
	 * (RFC 7672 2.2) and conn_tls_describe() says so.
	 */
	const struct tlsa *tlsa;
	size_t		 ntlsa;
	const char *const *dane_names;
	size_t		 ndane_names;
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
 * the certificate check that failed) in err, PHASE_CONNECT.  In DANE
 * mode (opts->ntlsa > 0) the certificate is checked as struct
 * conn_tls_opts says.  Only DANE mode with a usable record looks
 * libcrypto functions up (conn_tls_sym()); the other modes are as they
 * were without it.
 */
enum carrier_status conn_tls_start(struct conn *c,
	    const struct conn_tls_opts *opts, struct carrier_error *err);

/* Non-zero when c runs over TLS. */
int	conn_tls_active(const struct conn *c);

/*
 * One line about the session: "TLSv1.3 TLS_AES_256_GCM_SHA384, verified
 * name relay.example, resumed" into buf; in DANE mode, the match
 * instead of the name ("..., DANE-EE(3) SPKI(1) SHA2-256(1) matched",
 * dane_describe()'s words) or "DANE: no usable TLSA record, encrypted
 * only".  Returns buf.
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
