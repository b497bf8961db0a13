/* SPDX-License-Identifier: ISC */
/*
 * identity.h: who is sending and from where: the local user, the mail
 * domain that qualifies bare names, and fresh Date and Message-ID values.
 */
#ifndef CARRIER_IDENTITY_H
#define CARRIER_IDENTITY_H

#include <stddef.h>
#include <time.h>

struct identity {
	const char	*conf_domain;	/* configured; NULL or "": none */
	const char	*mailname;	/* Debian's /etc/mailname, or NULL */
	int		 have_user, have_domain, tried_known;
	char		 user[64];	/* login name of the real user id */
	char		 fullname[256];	/* GECOS full name, or "" */
	char		 domain[256];	/* the mail domain */
};

/*
 * Starts id; nothing is looked up until asked for, so a message that
 * needs neither costs no passwd or DNS lookup.
 */
void	identity_init(struct identity *id, const char *domain,
	    const char *mailname);

/*
 * The login name and full name of the real user id (fills id->user and
 * id->fullname once).  Returns 0, or -1 with the reason in err.
 */
int	identity_user(struct identity *id, char *err, size_t errlen);

/*
 * The mail domain: the configured one, else the first line of mailname,
 * else this host's fully qualified name (a DNS lookup, only then), else
 * its plain name.  Computed once.
 */
const char *identity_domain(struct identity *id);

/*
 * The mail domain if it costs no DNS lookup (configured, or from
 * mailname), else NULL.
 */
const char *identity_domain_known(struct identity *id);

/* An RFC 5322 date-time for t in local time: "Sat, 28 Nov 2026
 * 23:55:11 +0000".  Returns buf. */
char	*identity_date(time_t t, char *buf, size_t size);

/*
 * This host's name as gethostname(2) gives it (no DNS lookup), when it
 * is a valid domain name and fits in size; else "localhost".  Returns
 * buf.
 */
char	*identity_hostname(char *buf, size_t size);

/*
 * The name carrier goes by (EHLO, the -bs greeting, Received fields):
 * helo (the configured one) when it is set and fits in size, else
 * identity_hostname().  Returns buf.
 */
char	*identity_helo(const char *helo, char *buf, size_t size);

/*
 * This host's fully qualified name: identity_hostname(), or when that
 * is a bare name, its canonical name (getaddrinfo, AI_CANONNAME: the
 * hosts file, then the DNS) looked up for IDENTITY_LOOKUP_MS at most;
 * the bare name when none is found.  The EHLO name to an MX host, which
 * may refuse a name that is not fully qualified.  Returns buf.
 */
char	*identity_fqdn(char *buf, size_t size);

/* A new unique Message-ID value, "<...@domain>".  Returns buf. */
char	*identity_message_id(const char *domain, char *buf, size_t size);

#endif
