/* SPDX-License-Identifier: ISC */
/*
 * conf.c: the configuration file parser (format in conf.h; keys in
 * carrier.conf(5)).  Keys are a table of name and handler; the file is
 * read whole (it is small and capped) and parsed line by line.
 * Depends on addr (host name checks).
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "compat.h"
#include "addr.h"
#include "conf.h"
#include "file.h"
#include "maillog.h"

#define CONF_FILE_MAX	(256 * 1024)

struct conf_key {
	const char	*name;
	int		(*set)(struct conf *, const char *, char *, size_t);
};

static int	set_relay(struct conf *, const char *, char *, size_t);
static int	set_helo(struct conf *, const char *, char *, size_t);
static int	set_timeout(struct conf *, const char *, char *, size_t);
static int	set_data_timeout(struct conf *, const char *, char *, size_t);
static int	set_connect_timeout(struct conf *, const char *, char *,
		    size_t);
static int	check_host(const char *);
static int	set_tls(struct conf *, const char *, char *, size_t);
static int	set_tls_verify(struct conf *, const char *, char *, size_t);
static int	set_auth_plain(struct conf *, const char *, char *, size_t);
static int	set_auth_mech(struct conf *, const char *, char *, size_t);
static int	set_string(char *, size_t, const char *, char *, size_t);
static int	set_path(char *, size_t, const char *, char *, size_t);
static int	parse_bool(const char *, int *);
static int	parse_line(struct conf *, char *, char *, size_t);

/* Keys whose value is a path or a string, stored as is. */
#define CONF_PATH_KEY(key) \
static int \
set_##key(struct conf *c, const char *v, char *err, size_t errlen) \
{ \
	return set_path(c->key, sizeof(c->key), v, err, errlen); \
}
CONF_PATH_KEY(tls_ca_file)
CONF_PATH_KEY(tls_ca_path)
CONF_PATH_KEY(tls_client_cert)
CONF_PATH_KEY(tls_client_key)
CONF_PATH_KEY(auth_password_file)
CONF_PATH_KEY(aliases)
#undef CONF_PATH_KEY

static int
set_tls_server_name(struct conf *c, const char *v, char *err, size_t errlen)
{
	if (check_host(v) != 0) {
		(void)snprintf(err, errlen, "invalid host name \"%.64s\"", v);
		return -1;
	}
	return set_string(c->tls_server_name, sizeof(c->tls_server_name), v,
	    err, errlen);
}

static int
set_domain(struct conf *c, const char *v, char *err, size_t errlen)
{
	if (v[0] == '[' || addr_check_domain(v, strlen(v)) != 0) {
		(void)snprintf(err, errlen, "invalid domain \"%.64s\"", v);
		return -1;
	}
	return set_string(c->domain, sizeof(c->domain), v, err, errlen);
}

static int
set_from(struct conf *c, const char *v, char *err, size_t errlen)
{
	char why[128];

	if (addr_check_mailbox(v, why, sizeof(why)) != 0) {
		(void)snprintf(err, errlen, "invalid from \"%.64s\": %s", v,
		    why);
		return -1;
	}
	return set_string(c->from, sizeof(c->from), v, err, errlen);
}

static int
set_rewrite_from(struct conf *c, const char *v, char *err, size_t errlen)
{
	if (parse_bool(v, &c->rewrite_from) == 0)
		return 0;
	(void)snprintf(err, errlen, "invalid rewrite_from \"%.64s\" "
	    "(expected yes or no)", v);
	return -1;
}

static int
set_syslog(struct conf *c, const char *v, char *err, size_t errlen)
{
	int f = maillog_facility(v);

	if (f != -2) {
		c->syslog_facility = f;
		return 0;
	}
	(void)snprintf(err, errlen, "invalid syslog \"%.64s\" (expected "
	    "mail, user, daemon, local0 to local7, or off)", v);
	return -1;
}

static int
set_auth_user(struct conf *c, const char *v, char *err, size_t errlen)
{
	return set_string(c->auth_user, sizeof(c->auth_user), v, err, errlen);
}

static int
set_auth_password_command(struct conf *c, const char *v, char *err,
    size_t errlen)
{
	return set_string(c->auth_password_command,
	    sizeof(c->auth_password_command), v, err, errlen);
}

static const struct conf_key conf_keys[] = {
	{ "relay",		set_relay },
	{ "helo",		set_helo },
	{ "timeout",		set_timeout },
	{ "connect_timeout",	set_connect_timeout },
	{ "data_timeout",	set_data_timeout },
	{ "tls",		set_tls },
	{ "tls_verify",		set_tls_verify },
	{ "tls_ca_file",	set_tls_ca_file },
	{ "tls_ca_path",	set_tls_ca_path },
	{ "tls_client_cert",	set_tls_client_cert },
	{ "tls_client_key",	set_tls_client_key },
	{ "tls_server_name",	set_tls_server_name },
	{ "auth_user",		set_auth_user },
	{ "auth_password_file",	set_auth_password_file },
	{ "auth_password_command", set_auth_password_command },
	{ "auth_mechanism",	set_auth_mech },
	{ "auth_allow_plaintext", set_auth_plain },
	{ "domain",		set_domain },
	{ "from",		set_from },
	{ "rewrite_from",	set_rewrite_from },
	{ "aliases",		set_aliases },
	{ "syslog",		set_syslog },
};

void
conf_defaults(struct conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->timeout = CONF_TIMEOUT_DEFAULT;
	conf->connect_timeout = CONF_CONNECT_DEFAULT;
	conf->data_timeout = CONF_DATA_DEFAULT;
	conf->tls = CONF_TLS_AUTO;
	conf->tls_verify = 1;
	conf->syslog_facility = LOG_MAIL;
}

static int
set_string(char *dst, size_t size, const char *v, char *err, size_t errlen)
{
	if (strlcpy(dst, v, size) >= size) {
		(void)snprintf(err, errlen, "value longer than %zu octets",
		    size - 1);
		return -1;
	}
	return 0;
}

static int
set_path(char *dst, size_t size, const char *v, char *err, size_t errlen)
{
	if (v[0] != '/') {
		(void)snprintf(err, errlen, "\"%.64s\" is not an absolute "
		    "path", v);
		return -1;
	}
	return set_string(dst, size, v, err, errlen);
}

static int
parse_bool(const char *v, int *out)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "yes") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(v, "off") == 0 || strcmp(v, "no") == 0) {
		*out = 0;
		return 0;
	}
	return -1;
}

static int
set_tls(struct conf *c, const char *v, char *err, size_t errlen)
{
	static const char *const modes[] = { "auto", "off", "starttls",
	    "implicit" };
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(v, modes[i]) == 0) {
			c->tls = (enum conf_tls)i;
			return 0;
		}
	(void)snprintf(err, errlen, "invalid tls \"%.64s\" (expected auto, "
	    "off, starttls or implicit)", v);
	return -1;
}

static int
set_tls_verify(struct conf *c, const char *v, char *err, size_t errlen)
{
	if (parse_bool(v, &c->tls_verify) == 0)
		return 0;
	(void)snprintf(err, errlen, "invalid tls_verify \"%.64s\" (expected "
	    "yes or no)", v);
	return -1;
}

static int
set_auth_plain(struct conf *c, const char *v, char *err, size_t errlen)
{
	if (parse_bool(v, &c->auth_allow_plaintext) == 0)
		return 0;
	(void)snprintf(err, errlen, "invalid auth_allow_plaintext \"%.64s\" "
	    "(expected yes or no)", v);
	return -1;
}

static int
set_auth_mech(struct conf *c, const char *v, char *err, size_t errlen)
{
	static const char *const mechs[] = { "plain", "login", "xoauth2",
	    "oauthbearer" };
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (strcasecmp(v, mechs[i]) == 0)
			return set_string(c->auth_mechanism,
			    sizeof(c->auth_mechanism), v, err, errlen);
	(void)snprintf(err, errlen, "invalid auth_mechanism \"%.64s\" "
	    "(expected plain, login, xoauth2 or oauthbearer)", v);
	return -1;
}

int
conf_parse_duration(const char *s, unsigned int *seconds)
{
	unsigned long long v = 0, mult = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > UINT_MAX)
			return -1;
	}
	switch (*p) {
	case '\0':
		break;
	case 's':
		p++;
		break;
	case 'm':
		mult = 60, p++;
		break;
	case 'h':
		mult = 3600, p++;
		break;
	case 'd':
		mult = 86400, p++;
		break;
	default:
		return -1;
	}
	if (*p != '\0' || v == 0 || v * mult > CONF_DURATION_MAX)
		return -1;
	*seconds = (unsigned int)(v * mult);
	return 0;
}

/* A host name, an IPv4 address, or an IPv6 address (bracketless). */
static int
check_host(const char *h)
{
	unsigned char bin[16];

	if (inet_pton(AF_INET6, h, bin) == 1)
		return 0;
	return addr_check_domain(h, strlen(h));
}

int
conf_parse_relay(const char *s, char *host, size_t hostlen,
    unsigned int *port, char *err, size_t errlen)
{
	const char *h = s, *colon = NULL, *end;
	size_t hl;
	char *ep;
	unsigned long p = 0;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL)
			goto bad;
		h = s + 1;
		hl = (size_t)(end - h);
		if (end[1] == ':')
			colon = end + 1;
		else if (end[1] != '\0')
			goto bad;
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') != NULL) {
		colon = NULL;	/* a bare IPv6 address, no port */
		hl = strlen(s);
	} else
		hl = colon != NULL ? (size_t)(colon - s) : strlen(s);
	if (hl == 0 || hl >= hostlen)
		goto bad;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (colon != NULL && colon[1] != '\0') {
		errno = 0;
		p = strtoul(colon + 1, &ep, 10);
		if (*ep != '\0' || errno != 0 || p > 65535 ||
		    !isdigit((unsigned char)colon[1])) {
			(void)snprintf(err, errlen,
			    "invalid port in relay \"%.200s\"", s);
			return -1;
		}
	} else if (colon != NULL)
		goto bad;
	if (check_host(host) != 0)
		goto bad;
	*port = (unsigned int)p;
	return 0;
bad:
	(void)snprintf(err, errlen, "invalid relay \"%.200s\" "
	    "(expected host, host:port or [address]:port)", s);
	return -1;
}

static int
set_relay(struct conf *conf, const char *v, char *err, size_t errlen)
{
	return conf_parse_relay(v, conf->relay_host, sizeof(conf->relay_host),
	    &conf->relay_port, err, errlen);
}

static int
set_helo(struct conf *conf, const char *v, char *err, size_t errlen)
{
	if (addr_check_domain(v, strlen(v)) != 0 ||
	    strlcpy(conf->helo, v, sizeof(conf->helo)) >= sizeof(conf->helo)) {
		(void)snprintf(err, errlen, "invalid helo name \"%.64s\"", v);
		return -1;
	}
	return 0;
}

/* The setters of the durations: one parser, one message. */
static int
duration(unsigned int *out, const char *v, char *err, size_t errlen)
{
	if (conf_parse_duration(v, out) != 0) {
		(void)snprintf(err, errlen, "invalid duration \"%.64s\" "
		    "(a number of seconds, or with s, m, h or d; 1s to 24d)",
		    v);
		return -1;
	}
	return 0;
}

static int
set_timeout(struct conf *conf, const char *v, char *err, size_t errlen)
{
	return duration(&conf->timeout, v, err, errlen);
}

static int
set_connect_timeout(struct conf *conf, const char *v, char *err,
    size_t errlen)
{
	return duration(&conf->connect_timeout, v, err, errlen);
}

static int
set_data_timeout(struct conf *conf, const char *v, char *err, size_t errlen)
{
	return duration(&conf->data_timeout, v, err, errlen);
}

/* Parses one NUL-terminated line (modified in place). */
static int
parse_line(struct conf *conf, char *line, char *err, size_t errlen)
{
	char *key, *val, *end;
	size_t i, klen;

	for (key = line; *key == ' ' || *key == '\t'; key++)
		;
	if (*key == '\0' || *key == '#')
		return 0;
	end = key + strlen(key);
	while (end > key && isspace((unsigned char)end[-1]))
		*--end = '\0';
	klen = strcspn(key, " \t");
	for (val = key + klen; *val == ' ' || *val == '\t'; val++)
		;
	key[klen] = '\0';
	for (i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		if (strcmp(key, conf_keys[i].name) != 0)
			continue;
		if (conf->seen & (1u << i)) {
			(void)snprintf(err, errlen, "\"%.64s\" given twice", key);
			return -1;
		}
		if (*val == '\0') {
			(void)snprintf(err, errlen, "\"%.64s\" needs a value",
			    key);
			return -1;
		}
		conf->seen |= 1u << i;
		return conf_keys[i].set(conf, val, err, errlen);
	}
	(void)snprintf(err, errlen, "unknown key \"%.64s\"", key);
	return -1;
}

int
conf_parse(struct conf *conf, const char *name, const char *text,
    size_t len, char *err, size_t errlen)
{
	char line[CONF_LINE_MAX], why[256];
	size_t pos = 0, ll;
	unsigned int lineno = 0;
	const char *nl;

	conf->seen = 0;
	while (pos < len) {
		lineno++;
		nl = memchr(text + pos, '\n', len - pos);
		ll = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		if (ll >= sizeof(line)) {
			(void)snprintf(err, errlen, "%s:%u: line too long",
			    name, lineno);
			return -1;
		}
		memcpy(line, text + pos, ll);
		line[ll] = '\0';
		if (memchr(line, '\0', ll) != NULL) {
			(void)snprintf(err, errlen, "%s:%u: NUL byte",
			    name, lineno);
			return -1;
		}
		if (parse_line(conf, line, why, sizeof(why)) != 0) {
			(void)snprintf(err, errlen, "%s:%u: %s", name, lineno,
			    why);
			return -1;
		}
		pos += ll + (nl != NULL);
	}
	return 0;
}

int
conf_load(struct conf *conf, const char *path, int must_exist, char *err,
    size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	if (file_read(path, CONF_FILE_MAX, &text, &len, err, errlen) == -1)
		return errno == ENOENT && !must_exist ? 0 : -1;
	rc = conf_parse(conf, path, text, len, err, errlen);
	free(text);
	return rc;
}
