/* SPDX-License-Identifier: ISC */
/*
 * dane.c: a TLS server's certificate chain against TLSA records (see
 * dane.h), with the libcrypto functions the caller's lookup finds.
 * OpenSSL's headers are not used (libtls-dev does not bring them, and
 * nothing here is linked against libcrypto): the prototypes below are
 * OpenSSL 3's with its structures left incomplete, and the two
 * constants are its values, which its ABI keeps.
 * Depends on tlsa, text, compat.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "text.h"
#include "tlsa.h"
#include "dane.h"

/* OpenSSL's X509_V_FLAG_PARTIAL_CHAIN: a trust anchor need not be a root */
#define DANE_FLAG_PARTIAL_CHAIN		0x80000UL
/* OpenSSL's X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS: "*" only as a label */
#define DANE_FLAG_NO_PARTIAL_WILDCARDS	0x4U
#define DANE_PEM_BEGIN	"-----BEGIN CERTIFICATE-----"
#define DANE_MD_MAX	64	/* a SHA2-512 digest */
#define DANE_HEX_SHOWN	4	/* octets of a record's data in a reason */
#define DANE_RECS_SHOWN	3	/* records listed in a reason */

struct bio_st;
struct engine_st;
struct evp_md_st;
struct stack_st;
struct x509_st;
struct x509_store_st;
struct x509_store_ctx_st;

/* The libcrypto functions used, under their own names. */
struct crypto {
	struct bio_st	*(*BIO_new_mem_buf)(const void *, int);
	int		 (*BIO_free)(struct bio_st *);
	struct x509_st	*(*PEM_read_bio_X509)(struct bio_st *,
			    struct x509_st **, void *, void *);
	void		 (*X509_free)(struct x509_st *);
	/* the DER of a certificate, of an X509_PUBKEY */
	int		 (*i2d_X509)(const void *, unsigned char **);
	const void	*(*X509_get_X509_PUBKEY)(const struct x509_st *);
	int		 (*i2d_X509_PUBKEY)(const void *, unsigned char **);
	const struct evp_md_st *(*EVP_sha256)(void);
	const struct evp_md_st *(*EVP_sha512)(void);
	int		 (*EVP_Digest)(const void *, size_t, unsigned char *,
			    unsigned int *, const struct evp_md_st *,
			    struct engine_st *);
	struct x509_store_st *(*X509_STORE_new)(void);
	void		 (*X509_STORE_free)(struct x509_store_st *);
	int		 (*X509_STORE_add_cert)(struct x509_store_st *,
			    struct x509_st *);
	struct x509_store_ctx_st *(*X509_STORE_CTX_new)(void);
	void		 (*X509_STORE_CTX_free)(struct x509_store_ctx_st *);
	int		 (*X509_STORE_CTX_init)(struct x509_store_ctx_st *,
			    struct x509_store_st *, struct x509_st *,
			    struct stack_st *);
	int		 (*X509_STORE_CTX_set_default)(
			    struct x509_store_ctx_st *, const char *);
	void		 (*X509_STORE_CTX_set_flags)(
			    struct x509_store_ctx_st *, unsigned long);
	int		 (*X509_verify_cert)(struct x509_store_ctx_st *);
	int		 (*X509_STORE_CTX_get_error)(
			    const struct x509_store_ctx_st *);
	int		 (*X509_STORE_CTX_get_error_depth)(
			    const struct x509_store_ctx_st *);
	struct stack_st	*(*X509_STORE_CTX_get0_chain)(
			    const struct x509_store_ctx_st *);
	const char	*(*X509_verify_cert_error_string)(long);
	int		 (*X509_check_host)(struct x509_st *, const char *,
			    size_t, unsigned int, char **);
	struct stack_st	*(*OPENSSL_sk_new_null)(void);
	int		 (*OPENSSL_sk_push)(struct stack_st *, const void *);
	int		 (*OPENSSL_sk_num)(const struct stack_st *);
	void		 (*OPENSSL_sk_free)(struct stack_st *);
	void		 (*ERR_clear_error)(void);
};

#define FN(name)	{ #name, offsetof(struct crypto, name) }
static const struct {
	const char	*name;
	size_t		 off;
} fns[] = {
	FN(BIO_new_mem_buf), FN(BIO_free), FN(PEM_read_bio_X509),
	FN(X509_free), FN(i2d_X509), FN(X509_get_X509_PUBKEY),
	FN(i2d_X509_PUBKEY), FN(EVP_sha256), FN(EVP_sha512), FN(EVP_Digest),
	FN(X509_STORE_new), FN(X509_STORE_free), FN(X509_STORE_add_cert),
	FN(X509_STORE_CTX_new), FN(X509_STORE_CTX_free),
	FN(X509_STORE_CTX_init), FN(X509_STORE_CTX_set_default),
	FN(X509_STORE_CTX_set_flags), FN(X509_verify_cert),
	FN(X509_STORE_CTX_get_error), FN(X509_STORE_CTX_get_error_depth),
	FN(X509_STORE_CTX_get0_chain), FN(X509_verify_cert_error_string),
	FN(X509_check_host), FN(OPENSSL_sk_new_null), FN(OPENSSL_sk_push),
	FN(OPENSSL_sk_num), FN(OPENSSL_sk_free), FN(ERR_clear_error),
};
#undef FN

/* A certificate of the chain and its two DER forms, by selector. */
struct cert {
	struct x509_st	*x;
	unsigned char	*der[2];	/* TLSA_CERT, TLSA_SPKI */
	size_t		 len[2];
};

/* One dane_check(). */
struct check {
	struct crypto		 lc;
	struct cert		 c[DANE_CHAIN_MAX];	/* c[0]: the leaf */
	size_t			 nc;
	const char *const	*names;
	size_t			 nnames;
	char			*why;
	size_t			 whylen;
	int			 ta_failed;	/* why says how a DANE-TA
						   record failed */
};

static int	fail(struct check *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	crypto_load(void *(*)(const char *), struct check *);
static size_t	pem_blocks(const char *, size_t);
static int	der(int (*)(const void *, unsigned char **), const void *,
		    unsigned char **, size_t *);
static int	chain_read(struct check *, const char *, size_t);
static void	chain_free(struct check *);
static int	data_match(struct check *, const struct tlsa *,
		    const struct cert *);
static void	hex(char *, size_t, const unsigned char *, size_t);
static char	*record_text(const struct tlsa *, char *, size_t);
static int	name_match(const struct check *, struct dane_match *);
static int	verify_to(struct check *, const struct tlsa *, size_t,
		    struct dane_match *);
static int	match_ta(struct check *, const struct tlsa *,
		    struct dane_match *);
static int	weaker(const struct tlsa *, size_t, size_t);
static void	none_matched(struct check *, const struct tlsa *, size_t,
		    size_t);
static const char *usage_name(unsigned int);
static const char *selector_name(unsigned int);
static const char *mtype_name(unsigned int);

/* The reason in why (cut to fit), and -1. */
static int
fail(struct check *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(k->why, k->whylen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
crypto_load(void *(*sym)(const char *), struct check *k)
{
	void *p;
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		if ((p = sym(fns[i].name)) == NULL)
			return fail(k, "libcrypto function %s not found",
			    fns[i].name);
		/* POSIX: a function's address converts through void * */
		memcpy((char *)&k->lc + fns[i].off, &p, sizeof(p));
	}
	return 0;
}

/* How many PEM certificates the text holds, by their first lines. */
static size_t
pem_blocks(const char *pem, size_t len)
{
	const char *p = pem, *end = pem + len;
	size_t n = 0;

	while ((p = memmem(p, (size_t)(end - p), DANE_PEM_BEGIN,
	    sizeof(DANE_PEM_BEGIN) - 1)) != NULL) {
		n++;
		p += sizeof(DANE_PEM_BEGIN) - 1;
	}
	return n;
}

/* obj's DER by i2d into a buffer of ours: 0, or -1. */
static int
der(int (*i2d)(const void *, unsigned char **), const void *obj,
    unsigned char **out, size_t *len)
{
	unsigned char *p;
	int n;

	if (obj == NULL || (n = i2d(obj, NULL)) <= 0 ||
	    (*out = malloc((size_t)n)) == NULL)
		return -1;
	p = *out;	/* i2d moves p past what it wrote */
	if (i2d(obj, &p) != n) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

static int
chain_read(struct check *k, const char *pem, size_t len)
{
	struct crypto *lc = &k->lc;
	struct bio_st *bio;
	struct x509_st *x;
	size_t blocks, i;

	if (len > DANE_PEM_MAX)
		return fail(k, "certificate chain over %d octets",
		    DANE_PEM_MAX);
	if ((blocks = pem_blocks(pem, len)) == 0)
		return fail(k, "no certificate in the chain");
	if (blocks > DANE_CHAIN_MAX)
		return fail(k, "more than %d certificates in the chain",
		    DANE_CHAIN_MAX);
	if ((bio = lc->BIO_new_mem_buf(pem, (int)len)) == NULL)
		return fail(k, "out of memory");
	while (k->nc < blocks &&
	    (x = lc->PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		k->c[k->nc++].x = x;
	(void)lc->BIO_free(bio);
	if (k->nc != blocks)
		return fail(k, "certificate %zu of the chain does not decode",
		    k->nc);
	for (i = 0; i < k->nc; i++)
		if (der(lc->i2d_X509, k->c[i].x, &k->c[i].der[TLSA_CERT],
		    &k->c[i].len[TLSA_CERT]) == -1 ||
		    der(lc->i2d_X509_PUBKEY, lc->X509_get_X509_PUBKEY(
		    k->c[i].x), &k->c[i].der[TLSA_SPKI],
		    &k->c[i].len[TLSA_SPKI]) == -1)
			return fail(k, "cannot encode certificate %zu of the "
			    "chain", i);
	return 0;
}

static void
chain_free(struct check *k)
{
	size_t i;

	for (i = 0; i < k->nc; i++) {
		free(k->c[i].der[TLSA_CERT]);
		free(k->c[i].der[TLSA_SPKI]);
		k->lc.X509_free(k->c[i].x);
	}
	k->nc = 0;
}

/* Whether c matches t's data (t usable): 1, 0, or -1 (no digest). */
static int
data_match(struct check *k, const struct tlsa *t, const struct cert *c)
{
	unsigned char md[DANE_MD_MAX];
	unsigned int mdlen = 0;
	const unsigned char *d = c->der[t->selector];
	size_t len = c->len[t->selector];

	if (t->mtype == TLSA_FULL)
		return len == t->len && memcmp(d, t->data, len) == 0;
	if (k->lc.EVP_Digest(d, len, md, &mdlen, t->mtype == TLSA_SHA256 ?
	    k->lc.EVP_sha256() : k->lc.EVP_sha512(), NULL) != 1)
		return fail(k, "libcrypto cannot hash a certificate");
	return mdlen == t->len && memcmp(md, t->data, mdlen) == 0;
}

/* len octets as hex digits into buf (cut to fit). */
static void
hex(char *buf, size_t size, const unsigned char *d, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < len; i++)
		text_append(buf, size, &n, "%02x", d[i]);
}

/* "2 0 1 77f0b2c4...": the record with the start of its data. */
static char *
record_text(const struct tlsa *t, char *buf, size_t size)
{
	char h[2 * DANE_HEX_SHOWN + 1];

	hex(h, sizeof(h), t->data, t->len < DANE_HEX_SHOWN ? t->len :
	    DANE_HEX_SHOWN);
	(void)snprintf(buf, size, "%u %u %u %s%s", t->usage, t->selector,
	    t->mtype, h, t->len > DANE_HEX_SHOWN ? "..." : "");
	return buf;
}

/*
 * Whether the leaf is a certificate for one of the names (RFC 7672
 * 3.2.3): 1 with the name in m, or 0.
 */
static int
name_match(const struct check *k, struct dane_match *m)
{
	size_t i, len;

	for (i = 0; i < k->nnames; i++) {
		if (k->names[i] == NULL)
			continue;
		len = strlen(k->names[i]);
		if (len > 0 && k->names[i][len - 1] == '.')
			len--;
		if (len == 0 || len >= sizeof(m->name))
			continue;
		if (k->lc.X509_check_host(k->c[0].x, k->names[i], len,
		    DANE_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1) {
			memcpy(m->name, k->names[i], len);
			m->name[len] = '\0';
			return 1;
		}
	}
	return 0;
}

/*
 * Verifies the leaf up to the chain's certificate ta (which t matched)
 * as the only trust anchor, the rest of the chain as intermediates,
 * then its name.  1 with m filled, 0 (the first such failure said in
 * why), or -1.
 */
static int
verify_to(struct check *k, const struct tlsa *t, size_t ta,
    struct dane_match *m)
{
	struct crypto *lc = &k->lc;
	struct x509_store_st *store = NULL;
	struct x509_store_ctx_st *ctx = NULL;
	struct stack_st *rest = NULL;
	char rec[64];
	size_t i, len = 0;
	int r = -1;

	if ((store = lc->X509_STORE_new()) == NULL ||
	    (ctx = lc->X509_STORE_CTX_new()) == NULL ||
	    (rest = lc->OPENSSL_sk_new_null()) == NULL ||
	    lc->X509_STORE_add_cert(store, k->c[ta].x) != 1)
		goto out;
	for (i = 1; i < k->nc; i++)
		if (i != ta && lc->OPENSSL_sk_push(rest, k->c[i].x) <= 0)
			goto out;
	/* "ssl_server": the purposes a TLS server's chain must have */
	if (lc->X509_STORE_CTX_init(ctx, store, k->c[0].x, rest) != 1 ||
	    lc->X509_STORE_CTX_set_default(ctx, "ssl_server") != 1)
		goto out;
	lc->X509_STORE_CTX_set_flags(ctx, DANE_FLAG_PARTIAL_CHAIN);
	r = 0;
	if (lc->X509_verify_cert(ctx) != 1) {
		if (!k->ta_failed)
			(void)snprintf(k->why, k->whylen, "DANE-TA record %s "
			    "matches the chain's certificate at depth %zu, "
			    "but the chain does not verify to it: %s (at "
			    "depth %d)", record_text(t, rec, sizeof(rec)), ta,
			    lc->X509_verify_cert_error_string(
			    lc->X509_STORE_CTX_get_error(ctx)),
			    lc->X509_STORE_CTX_get_error_depth(ctx));
		k->ta_failed = 1;
		goto out;
	}
	if (name_match(k, m)) {
		m->depth = lc->OPENSSL_sk_num(
		    lc->X509_STORE_CTX_get0_chain(ctx)) - 1;
		r = 1;
		goto out;
	}
	if (!k->ta_failed) {
		text_append(k->why, k->whylen, &len, "DANE-TA record %s "
		    "matches the chain's certificate at depth %zu and the "
		    "chain verifies, but the leaf certificate is for none of:",
		    record_text(t, rec, sizeof(rec)), ta);
		for (i = 0; i < k->nnames; i++)
			text_append(k->why, k->whylen, &len, "%s %s",
			    i > 0 ? "," : "", k->names[i] != NULL ?
			    k->names[i] : "(null)");
		if (k->nnames == 0)
			text_append(k->why, k->whylen, &len, " (no name)");
	}
	k->ta_failed = 1;
out:
	if (r == -1)
		(void)fail(k, "out of memory verifying the chain");
	if (ctx != NULL)
		lc->X509_STORE_CTX_free(ctx);
	if (store != NULL)
		lc->X509_STORE_free(store);
	if (rest != NULL)
		lc->OPENSSL_sk_free(rest);
	return r;
}

/*
 * A DANE-TA record t against the chain's certificates above the leaf
 * (RFC 7672 3.1.2: the server sends its trust anchor): 1, 0 or -1 as
 * verify_to().
 */
static int
match_ta(struct check *k, const struct tlsa *t, struct dane_match *m)
{
	size_t i;
	int r;

	for (i = 1; i < k->nc; i++) {
		if ((r = data_match(k, t, &k->c[i])) == 0)
			continue;
		if (r == -1 || (r = verify_to(k, t, i, m)) != 0)
			return r;
	}
	return 0;
}

/*
 * Why nothing matched, when no DANE-TA record came close: the usable
 * records (the first few), and the digest of the certificate the first
 * of them is about, in its selector's form, for the record to compare.
 */
static void
none_matched(struct check *k, const struct tlsa *t, size_t n,
    size_t usable)
{
	const struct tlsa *first = NULL;
	const struct cert *c;
	unsigned char md[DANE_MD_MAX];
	unsigned int mdlen = 0;
	char rec[64], h[2 * DANE_MD_MAX + 1];
	size_t i, shown = 0, len = 0;

	text_append(k->why, k->whylen, &len, "certificate matches none of "
	    "the %zu usable TLSA record%s (", usable, usable == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		if (!tlsa_usable(&t[i]))
			continue;
		if (first == NULL)
			first = &t[i];
		if (shown++ < DANE_RECS_SHOWN)
			text_append(k->why, k->whylen, &len, "%s%s",
			    shown > 1 ? ", " : "",
			    record_text(&t[i], rec, sizeof(rec)));
	}
	text_append(k->why, k->whylen, &len, "%s)",
	    shown > DANE_RECS_SHOWN ? ", ..." : "");
	if (first == NULL)	/* usable > 0: not so */
		return;
	if (first->usage == TLSA_DANE_TA && k->nc == 1) {
		text_append(k->why, k->whylen, &len, "; the server sent its "
		    "leaf certificate alone, no trust anchor");
		return;
	}
	i = first->usage == TLSA_DANE_EE ? 0 : k->nc - 1;
	c = &k->c[i];
	if (k->lc.EVP_Digest(c->der[first->selector], c->len[first->selector],
	    md, &mdlen, k->lc.EVP_sha256(), NULL) != 1)
		return;
	hex(h, sizeof(h), md, mdlen);
	if (i == 0)
		text_append(k->why, k->whylen, &len, "; leaf %s SHA2-256 is %s",
		    selector_name(first->selector), h);
	else
		text_append(k->why, k->whylen, &len, "; the chain's last "
		    "certificate (depth %zu) %s SHA2-256 is %s", i,
		    selector_name(first->selector), h);
}

/*
 * Whether record i is a SHA2-256 one beside a usable SHA2-512 record
 * of the same usage and selector: RFC 7671 9's digest agility, so that
 * a weaker digest cannot match where the zone offers a stronger one.
 */
static int
weaker(const struct tlsa *t, size_t n, size_t i)
{
	size_t j;

	if (t[i].mtype != TLSA_SHA256)
		return 0;
	for (j = 0; j < n; j++)
		if (t[j].mtype == TLSA_SHA512 && t[j].usage == t[i].usage &&
		    t[j].selector == t[i].selector && tlsa_usable(&t[j]))
			return 1;
	return 0;
}

size_t
dane_usable(const struct tlsa *t, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += tlsa_usable(&t[i]) ? 1 : 0;
	return k;
}

int
dane_check(void *(*sym)(const char *), const char *chain_pem, size_t len,
    const struct tlsa *t, size_t n, const char *const *names,
    size_t nnames, struct dane_match *m, char *why, size_t whylen)
{
	struct check *k;
	size_t i, usable;
	int r = 0;

	memset(m, 0, sizeof(*m));
	if (whylen > 0)
		why[0] = '\0';
	if ((usable = dane_usable(t, n)) == 0) {
		(void)snprintf(why, whylen, "no usable TLSA record");
		return 0;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		(void)snprintf(why, whylen, "out of memory");
		return -1;
	}
	k->names = names;
	k->nnames = nnames;
	k->why = why;
	k->whylen = whylen;
	if (crypto_load(sym, k) == -1) {
		free(k);
		return -1;
	}
	if (chain_read(k, chain_pem, len) == -1) {
		r = -1;
		goto out;
	}
	for (i = 0; i < n && r == 0; i++) {
		if (!tlsa_usable(&t[i]) || weaker(t, n, i))
			continue;
		if (t[i].usage == TLSA_DANE_EE)
			r = data_match(k, &t[i], &k->c[0]);
		else
			r = match_ta(k, &t[i], m);
		if (r == 1) {
			m->index = i;
			m->usage = t[i].usage;
			m->selector = t[i].selector;
			m->mtype = t[i].mtype;
		}
	}
	if (r == 1 && whylen > 0)
		why[0] = '\0';
	else if (r == 0 && !k->ta_failed)
		none_matched(k, t, n, usable);
	if (r != 1)
		memset(m, 0, sizeof(*m));
out:
	chain_free(k);
	k->lc.ERR_clear_error();
	free(k);
	return r;
}

static const char *
usage_name(unsigned int u)
{
	static const char *const names[] = {
		"PKIX-TA", "PKIX-EE", "DANE-TA", "DANE-EE"
	};

	return u < sizeof(names) / sizeof(names[0]) ? names[u] : "?";
}

static const char *
selector_name(unsigned int s)
{
	return s == TLSA_CERT ? "Cert" : s == TLSA_SPKI ? "SPKI" : "?";
}

static const char *
mtype_name(unsigned int mt)
{
	static const char *const names[] = { "Full", "SHA2-256", "SHA2-512" };

	return mt < sizeof(names) / sizeof(names[0]) ? names[mt] : "?";
}

char *
dane_describe(const struct dane_match *m, char *buf, size_t size)
{
	int n;

	n = snprintf(buf, size, "%s(%u) %s(%u) %s(%u) matched",
	    usage_name(m->usage), m->usage, selector_name(m->selector),
	    m->selector, mtype_name(m->mtype), m->mtype);
	if (m->usage == TLSA_DANE_TA && n > 0 && (size_t)n < size)
		(void)snprintf(buf + n, size - (size_t)n,
		    " at depth %d, name %s", m->depth, m->name);
	return buf;
}
