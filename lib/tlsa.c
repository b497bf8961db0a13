/* SPDX-License-Identifier: ISC */
/*
 * tlsa.c: TLSA records (see tlsa.h): the RDATA of RFC 6698 2.1, which
 * records an SMTP client can use (RFC 7672 3.1), and the TLSA answer
 * to a question, its checks done by dnsmsg_each().  Depends on dnsmsg
 * and compat.  Nothing calls it yet: it is used by the DANE support to
 * come.
 */
#include <stdint.h>
#include <string.h>

#include "compat.h"
#include "dnsmsg.h"
#include "tlsa.h"

#define TLSA_FIXED	3	/* usage, selector, matching type */
#define TLSA_SHA256_LEN	32
#define TLSA_SHA512_LEN	64
/* The AD bit of DNSSEC: 0x20 of the header's 4th octet (RFC 1035's Z). */
#define TLSA_HDR_FLAGS	3
#define TLSA_HDR_AD	0x20

/* What dnsmsg_each hands the records to. */
struct tlsa_keep {
	struct tlsa	*t;
	size_t		 max;
	size_t		 n;
};

static int	tlsa_fail(char *, size_t, const char *);
static size_t	tlsa_digest_len(unsigned int);
static void	tlsa_keep_one(void *, const unsigned char *, size_t);

static int
tlsa_fail(char *why, size_t whylen, const char *reason)
{
	if (whylen > 0)
		(void)strlcpy(why, reason, whylen);
	return -1;
}

/* The data length a matching type needs: 32, 64, or 0 for any. */
static size_t
tlsa_digest_len(unsigned int mtype)
{
	if (mtype == TLSA_SHA256)
		return TLSA_SHA256_LEN;
	if (mtype == TLSA_SHA512)
		return TLSA_SHA512_LEN;
	return 0;
}

int
tlsa_parse_rdata(const unsigned char *rdata, size_t len, struct tlsa *t,
    char *why, size_t whylen)
{
	size_t dlen, need;

	if (whylen > 0)
		why[0] = '\0';
	t->usage = len > 0 ? rdata[0] : 0;
	t->selector = len > 1 ? rdata[1] : 0;
	t->mtype = len > 2 ? rdata[2] : 0;
	t->len = 0;
	if (len <= TLSA_FIXED)
		return tlsa_fail(why, whylen,
		    "no certificate association data");
	dlen = len - TLSA_FIXED;
	need = tlsa_digest_len(t->mtype);
	if (t->mtype == TLSA_SHA256 && dlen != need)
		return tlsa_fail(why, whylen, "SHA2-256 data not 32 octets");
	if (t->mtype == TLSA_SHA512 && dlen != need)
		return tlsa_fail(why, whylen, "SHA2-512 data not 64 octets");
	if (dlen > TLSA_DATA_MAX)
		return tlsa_fail(why, whylen,
		    "certificate association data over 4096 octets");
	memcpy(t->data, rdata + TLSA_FIXED, dlen);
	t->len = dlen;
	return 0;
}

int
tlsa_usable(const struct tlsa *t)
{
	size_t need;

	if (t->usage != TLSA_DANE_TA && t->usage != TLSA_DANE_EE)
		return 0;
	if (t->selector != TLSA_CERT && t->selector != TLSA_SPKI)
		return 0;
	if (t->mtype != TLSA_FULL && t->mtype != TLSA_SHA256 &&
	    t->mtype != TLSA_SHA512)
		return 0;
	need = tlsa_digest_len(t->mtype);
	return t->len > 0 && t->len <= TLSA_DATA_MAX &&
	    (need == 0 || t->len == need);
}

/*
 * Keeps one record (malformed ones too, len 0); when full, a usable
 * one takes the place of the first unusable one.
 */
static void
tlsa_keep_one(void *arg, const unsigned char *rdata, size_t rdlen)
{
	struct tlsa_keep *k = arg;
	struct tlsa one;
	size_t i;

	(void)tlsa_parse_rdata(rdata, rdlen, &one, NULL, 0);
	if (k->n < k->max) {
		memcpy(&k->t[k->n++], &one, sizeof(one));
		return;
	}
	if (!tlsa_usable(&one))
		return;
	for (i = 0; i < k->n; i++)
		if (!tlsa_usable(&k->t[i])) {
			memcpy(&k->t[i], &one, sizeof(one));
			return;
		}
}

enum dnsmsg_result
tlsa_parse_answer(const unsigned char *pkt, size_t len, const char *qname,
    struct tlsa *t, size_t max, size_t *n, int *ad, char *why,
    size_t whylen)
{
	struct tlsa_keep k;
	enum dnsmsg_result res;

	*n = 0;
	*ad = 0;
	k.t = t;
	k.max = max;
	k.n = 0;
	res = dnsmsg_each(pkt, len, qname, TLSA_TYPE, tlsa_keep_one, &k, why,
	    whylen);
	if (res == DNSMSG_OK || res == DNSMSG_NXDOMAIN)
		*ad = (pkt[TLSA_HDR_FLAGS] & TLSA_HDR_AD) != 0;
	if (res == DNSMSG_OK)
		*n = k.n;
	return res;
}
