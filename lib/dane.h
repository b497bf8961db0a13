/* SPDX-License-Identifier: ISC */
/*
 * dane.h: a TLS server's certificate chain checked against its DANE
 * TLSA records (RFC 6698), as RFC 7672 3 has an SMTP client use them:
 * a DANE-EE(3) record matches the leaf certificate alone, with no name
 * and no date checked (3.1.1); a DANE-TA(2) record matches a trust
 * anchor the server sent in its chain, and the leaf must verify up to
 * it and bear one of the reference identifiers (3.1.2, 3.2.2); PKIX-TA(0)
 * and PKIX-EE(1) records, and the rest tlsa_usable() refuses, count for
 * nothing (3.1.3).
 *
 * The DER encodings, digests and the chain's verification are OpenSSL's
 * libcrypto, reached through a lookup of its functions by name that the
 * caller passes (in carrier, conn_tls_sym(): the libcrypto the dlopen'd
 * libtls is linked with, never a second copy).  So this module links
 * against nothing, maps nothing a plaintext send does not need, and
 * keeps no state.
 */
#ifndef CARRIER_DANE_H
#define CARRIER_DANE_H

#include <stddef.h>
#include <stdint.h>

#include "tlsa.h"

#define DANE_NAME_MAX	256	/* a reference identifier, NUL */
#define DANE_CHAIN_MAX	32	/* certificates of one chain */
#define DANE_PEM_MAX	(1024 * 1024)	/* octets of PEM of one chain */
#define DANE_DESC_MAX	320	/* dane_describe()'s longest line, NUL */

/* Which record matched, and how. */
struct dane_match {
	size_t	index;		/* t[index] of dane_check() */
	uint8_t	usage;		/* its usage, selector, matching type */
	uint8_t	selector;
	uint8_t	mtype;
	int	depth;		/* DANE-EE: 0; DANE-TA: the trust anchor's
				   depth in the verified chain (1: the
				   leaf's issuer) */
	char	name[DANE_NAME_MAX]; /* DANE-TA: the names[] entry the leaf
				   matched (no final dot); DANE-EE: "" */
};

/* How many of the records t[0 .. n - 1] tlsa_usable() accepts. */
size_t	dane_usable(const struct tlsa *t, size_t n);

/*
 * Checks the certificate chain the server presented, chain_pem (len
 * octets of PEM, the leaf first, as libtls's tls_peer_cert_chain_pem()
 * gives it; text outside the certificates' blocks is passed over; at
 * most DANE_CHAIN_MAX certificates and DANE_PEM_MAX octets), against
 * the TLSA records t[0 .. n - 1] in their order: the first usable one
 * that matches decides.  sym looks a libcrypto function up by its name
 * ("X509_verify_cert"): its address, or NULL; conn_tls_sym() does.
 *
 * DANE-EE(3): the leaf's DER (selector Cert(0)) or its
 * SubjectPublicKeyInfo's DER (SPKI(1)) is the record's data (matching
 * type Full(0)) or hashes to it (SHA2-256(1), SHA2-512(2)).  Neither
 * its names nor its dates are checked.
 * DANE-TA(2): a certificate of the chain other than the leaf (the
 * server must send its trust anchor, RFC 7672 3.1.2) matches the record
 * the same way; the leaf verifies up to that certificate, the only
 * trust anchor, through the rest of the chain in any order (signatures,
 * validity dates, the trust anchor's included, CA and TLS server
 * purposes: OpenSSL's X509_verify_cert() with a partial chain allowed);
 * and the leaf is a certificate for one of names[0 .. nnames - 1] (the
 * reference identifiers of RFC 7672 3.2.2, the caller's choice: the MX
 * host name, the TLSA base domain, ...; compared by OpenSSL's
 * X509_check_host(): subjectAltName DNS names, else the common name; a
 * wildcard only as a whole leftmost label; a final dot ignored).  With
 * nnames 0 no DANE-TA record can match.
 *
 * Returns 1 when a record matched, why "" and m saying which.  Returns
 * 0 when none did, with the reason an administrator can act on in why
 * (whylen octets, cut to fit): "no usable TLSA record" when none of the
 * n is usable (the chain is not read then; RFC 7672 2.2 leaves such a
 * session encrypted without authentication, the caller's business); the
 * verification error (such as "certificate has expired (at depth 0)")
 * or the names when a DANE-TA record matched a certificate of the
 * chain but the chain did not verify to it or the name was not the
 * leaf's; else the usable records (the first few, their data cut) and
 * the SHA2-256 of the certificate the first of them is about, in its
 * selector's form: the leaf for DANE-EE, the chain's last certificate
 * for DANE-TA ("...; leaf SPKI SHA2-256 is 5c1e...").  Returns -1,
 * with the reason in why, when sym lacks a function or the chain
 * cannot be read (no certificate in it, a block that does not decode,
 * too many).  m is zeroed unless 1.
 *
 * Everything is freed before the return, and libcrypto's error queue
 * left empty (libssl reads the state of a connection from there).  The
 * functions are looked up at each call (about 30 dlsym(3) calls): no
 * state is kept.
 */
int	dane_check(void *(*sym)(const char *name), const char *chain_pem,
	    size_t len, const struct tlsa *t, size_t n,
	    const char *const *names, size_t nnames, struct dane_match *m,
	    char *why, size_t whylen);

/*
 * The match as one line, the record's fields with their names ("?" for
 * a value no RFC names): "DANE-EE(3) SPKI(1) SHA2-256(1) matched", or
 * "DANE-TA(2) Cert(0) SHA2-256(1) matched at depth 1, name mx.example",
 * into buf (size octets, cut to fit; DANE_DESC_MAX is enough).  Returns
 * buf.
 */
char	*dane_describe(const struct dane_match *m, char *buf, size_t size);

#endif
