/* SPDX-License-Identifier: ISC */
/*
 * smtp_auth.c: SMTP AUTH client mechanisms (see smtp_auth.h).
 * Depends on smtp, base64, status, log.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "base64.h"
#include "log.h"
#include "smtp_auth.h"

#define AUTH_RAW_MAX	(SMTP_AUTH_SECRET_MAX + 1024)
#define AUTH_B64_MAX	(BASE64_LEN(AUTH_RAW_MAX) + 1)

static int	offered(const struct smtp_session *, const char *);
static enum carrier_status send_b64(struct smtp_session *, const char *,
		    const void *, size_t, const char *, struct carrier_error *);
static enum carrier_status fail(struct smtp_session *, const char *,
		    struct carrier_error *);

/* Whether the EHLO AUTH line lists mech (case-insensitive word). */
static int
offered(const struct smtp_session *s, const char *mech)
{
	const char *p = s->auth;
	size_t ml = strlen(mech), wl;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		wl = strcspn(p, " ");
		if (wl == ml && strncasecmp(p, mech, ml) == 0)
			return 1;
		p += wl;
	}
	return 0;
}

const char *
smtp_auth_pick(const struct smtp_session *s, const struct smtp_auth *a)
{
	static const char *const names[] = { "PLAIN", "LOGIN", "XOAUTH2",
	    "OAUTHBEARER" };
	size_t i;

	if (a->mechanism != NULL && a->mechanism[0] != '\0') {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcasecmp(a->mechanism, names[i]) == 0)
				return offered(s, names[i]) ? names[i] : NULL;
		return NULL;
	}
	if (offered(s, "PLAIN"))
		return "PLAIN";
	if (offered(s, "LOGIN"))
		return "LOGIN";
	return NULL;
}

/* A refused exchange: the server's reply, verbatim, in err; temporary. */
static enum carrier_status
fail(struct smtp_session *s, const char *mech, struct carrier_error *err)
{
	if (s->reply.code != 0 && s->reply.done) {
		smtp_reply_error(s, PHASE_AUTH, err);
		(void)snprintf(err->step, sizeof(err->step), "AUTH %s", mech);
	}
	err->status = CARRIER_TEMP;
	return CARRIER_TEMP;
}

/*
 * Sends prefix followed by base64(raw) as one line (the transcript shows
 * prefix and shown) and reads the reply.
 */
static enum carrier_status
send_b64(struct smtp_session *s, const char *prefix, const void *raw,
    size_t rawlen, const char *shown, struct carrier_error *err)
{
	static char line[AUTH_B64_MAX + 64];
	char show[64];
	size_t pl = strlen(prefix);
	enum carrier_status st;
	long n;

	memcpy(line, prefix, pl);
	if ((n = base64_encode(raw, rawlen, line + pl, sizeof(line) - pl)) ==
	    -1)
		return status_set(err, CARRIER_TEMP, PHASE_AUTH,
		    "credentials too long");
	(void)snprintf(show, sizeof(show), "%s%s", prefix, shown);
	if (smtp_command_raw(s, line, pl + (size_t)n, show) == -1) {
		explicit_bzero(line, sizeof(line));
		return status_set(err, CARRIER_TEMP, PHASE_AUTH, "AUTH: %s",
		    strerror(errno));
	}
	explicit_bzero(line, sizeof(line));
	st = smtp_read_reply(s, PHASE_AUTH, err);
	/* the line went out with the reply's flush: no copy stays behind */
	if (s->conn->wlen == 0)
		explicit_bzero(s->conn->wbuf, sizeof(s->conn->wbuf));
	return st;
}

enum carrier_status
smtp_auth(struct smtp_session *s, const struct smtp_auth *a,
    struct carrier_error *err)
{
	static char raw[AUTH_RAW_MAX];
	char prefix[32];
	const char *mech = smtp_auth_pick(s, a);
	enum carrier_status st = CARRIER_TEMP;
	size_t ul = strlen(a->user), sl = strlen(a->secret);
	int n = 0;

	(void)strlcpy(err->host, s->peer, sizeof(err->host));
	if (mech == NULL)
		return status_set(err, CARRIER_TEMP, PHASE_AUTH, "the server "
		    "offers no usable AUTH mechanism (offered: \"%s\"%s%s)",
		    s->auth, a->mechanism != NULL && a->mechanism[0] ?
		    ", configured: " : "", a->mechanism != NULL ?
		    a->mechanism : "");
	if (ul + sl + 256 > sizeof(raw))
		return status_set(err, CARRIER_TEMP, PHASE_AUTH,
		    "credentials too long");
	s->reply.code = 0;
	if (strcmp(mech, "PLAIN") == 0) {
		/* authzid NUL authcid NUL password */
		raw[0] = '\0';
		memcpy(raw + 1, a->user, ul + 1);
		memcpy(raw + 2 + ul, a->secret, sl);
		st = send_b64(s, "AUTH PLAIN ", raw, ul + sl + 2,
		    "<credentials>", err);
	} else if (strcmp(mech, "LOGIN") == 0) {
		if (smtp_command_raw(s, "AUTH LOGIN", 10, NULL) == -1) {
			st = status_set(err, CARRIER_TEMP, PHASE_AUTH,
			    "AUTH: %s", strerror(errno));
			goto out;
		}
		if ((st = smtp_read_reply(s, PHASE_AUTH, err)) != CARRIER_OK)
			goto out;
		if (s->reply.code != 334)
			goto refused;
		if ((st = send_b64(s, "", a->user, ul, "<user name>", err)) !=
		    CARRIER_OK)
			goto out;
		if (s->reply.code != 334)
			goto refused;
		st = send_b64(s, "", a->secret, sl, "<password>", err);
	} else {
		if (strcmp(mech, "XOAUTH2") == 0)
			n = snprintf(raw, sizeof(raw), "user=%s\001auth=Bearer "
			    "%s\001\001", a->user, a->secret);
		else
			n = snprintf(raw, sizeof(raw), "n,a=%s,\001host=%s\001"
			    "port=%u\001auth=Bearer %s\001\001", a->user,
			    a->host != NULL ? a->host : "", a->port, a->secret);
		if (n < 0 || (size_t)n >= sizeof(raw)) {
			st = status_set(err, CARRIER_TEMP, PHASE_AUTH,
			    "credentials too long");
			goto out;
		}
		(void)snprintf(prefix, sizeof(prefix), "AUTH %s ", mech);
		st = send_b64(s, prefix, raw, (size_t)n, "<token>", err);
		if (st == CARRIER_OK && s->reply.code == 334) {
			/* an error in JSON: answer to get the final reply */
			if (smtp_command_raw(s, strcmp(mech, "XOAUTH2") == 0 ?
			    "" : "AQ==", strcmp(mech, "XOAUTH2") == 0 ? 0 : 4,
			    NULL) == -1) {
				st = status_set(err, CARRIER_TEMP, PHASE_AUTH,
				    "AUTH: %s", strerror(errno));
				goto out;
			}
			st = smtp_read_reply(s, PHASE_AUTH, err);
		}
	}
	if (st != CARRIER_OK)
		goto out;
	if (s->reply.code == 235) {
		log_note("authenticated as %s with %s", a->user, mech);
		st = CARRIER_OK;
		goto out;
	}
refused:
	st = fail(s, mech, err);
out:
	explicit_bzero(raw, sizeof(raw));
	return st == CARRIER_OK ? st : (err->status = CARRIER_TEMP);
}
