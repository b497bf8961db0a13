/* SPDX-License-Identifier: ISC */
/*
 * tlsa.h: DANE TLSA records (RFC 6698 2.1) and which of them SMTP can
 * use (RFC 7672 3.1); the TLSA answer to a DNS question; pure
 * functions, no I/O, no crypto.
 *
 * Nothing calls this module yet: it is used by the DANE support to come
 * (the lookup under a deadline, the DNSSEC status, the check of the
 * server's certificate against the records), which does the I/O and
 * the digests.
 *
 * A record's data is copied into it (up to TLSA_DATA_MAX octets), so
 * records outlive the answer they came from; a struct tlsa is about
 * 4 KiB, keep arrays of them off small stacks.
 */
#ifndef CARRIER_TLSA_H
#define CARRIER_TLSA_H

#include <stddef.h>
#include <stdint.h>

#include "dnsmsg.h"

#define TLSA_TYPE	52	/* the TLSA RR type (RFC 6698 7.1) */
#define TLSA_DATA_MAX	4096	/* certificate association data kept */
#define TLSA_MAX	16	/* records kept of one answer (a suggestion) */

/* RFC 6698 2.1.1, 2.1.2, 2.1.3; the usage names are RFC 7672's. */
enum tlsa_usage {
	TLSA_PKIX_TA = 0, TLSA_PKIX_EE = 1, TLSA_DANE_TA = 2, TLSA_DANE_EE = 3
};
enum tlsa_selector { TLSA_CERT = 0, TLSA_SPKI = 1 };
enum tlsa_mtype { TLSA_FULL = 0, TLSA_SHA256 = 1, TLSA_SHA512 = 2 };

struct tlsa {
	uint8_t		usage;		/* an enum tlsa_usage, or another */
	uint8_t		selector;	/* an enum tlsa_selector, or another */
	uint8_t		mtype;		/* an enum tlsa_mtype, or another */
	size_t		len;		/* octets in data; 0: malformed */
	unsigned char	data[TLSA_DATA_MAX];
};

/*
 * Parses the len octets at rdata as the RDATA of a TLSA record (RFC
 * 6698 2.1: certificate usage, selector, matching type, one octet
 * each, then the certificate association data) into t.
 *
 * Returns 0, or -1 with a short reason in why (whylen octets; none
 * when 0) when the RDATA is shorter than 4 octets (no data), when the
 * data of a SHA2-256 record is not 32 octets or of a SHA2-512 record
 * not 64, or when the data is longer than TLSA_DATA_MAX (a full
 * certificate that large is not kept).  Values no RFC defines are not
 * an error: such a record parses, and tlsa_usable() says 0 for it.  On
 * -1, t has the three fields read (0 for those missing) and len 0.
 */
int	tlsa_parse_rdata(const unsigned char *rdata, size_t len,
	    struct tlsa *t, char *why, size_t whylen);

/*
 * Whether an SMTP client may use t (RFC 7672 3.1): 1 for usage DANE-TA
 * (2) or DANE-EE (3) with selector Cert (0) or SPKI (1) and matching
 * type Full (0), SHA2-256 (1) or SHA2-512 (2), its data of the length
 * its matching type needs; 0 for PKIX-TA (0) and PKIX-EE (1) (RFC 7672
 * 3.1.3), for values no RFC defines, and for a malformed record (len 0).
 */
int	tlsa_usable(const struct tlsa *t);

/*
 * Parses the len octets at pkt as the answer to a TLSA question for
 * qname ("_25._tcp.mx.example.com": port, protocol and host, RFC 7672
 * 2.2), checked as dnsmsg_mx() checks an answer (header, question,
 * counts, names, CNAMEs followed; see dnsmsg.h).
 *
 * On DNSMSG_OK, the TLSA records of the name are in t[0 .. *n - 1] in
 * answer order: every one, usable or not, malformed ones included
 * (len 0, so unusable), since RFC 7672 tells "no records" (opportunistic
 * TLS) from "records, none usable" (TLS still required, without
 * authentication).  When there are more than max, usable ones take the
 * place of unusable ones kept, and the rest are ignored.
 * *ad is the header's AD bit (the resolver validated the answer with
 * DNSSEC) on DNSMSG_OK and DNSMSG_NXDOMAIN (a denial is secure or not
 * too), 0 otherwise.  The other results and why are dnsmsg_mx's; *n is
 * 0 on them.
 */
enum dnsmsg_result tlsa_parse_answer(const unsigned char *pkt, size_t len,
	    const char *qname, struct tlsa *t, size_t max, size_t *n, int *ad,
	    char *why, size_t whylen);

#endif
