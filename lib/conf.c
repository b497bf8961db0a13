/* SPDX-License-Identifier: ISC */
/*
 * conf.c: the configuration file parser (format in conf.h; keys in
 * carrier.conf(5)).  Keys are a table of name and handler; the file is
 * read whole (it is small and capped) and parsed line by line, then
 * checked for settings that contradict each other.
 * Depends on addr (host name checks) and log (escaping what is shown).
 */

#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "compat.h"
#include "addr.h"
#include "conf.h"
#include "file.h"
#include "log.h"
#include "maillog.h"
#include "text.h"

#define CONF_FILE_MAX	(256 * 1024)

struct conf_key {
	const char	*name;
	int		(*set)(struct conf *, const char *, char *, size_t);
};

static int	set_relay(struct conf *, const char *, char *, size_t);
static int	set_helo(struct conf *, const char *, char *, size_t);
static int	set_timeout(struct conf *, const char *, char *, size_t);
static int	set_data_timeout(struct conf *, const char *, char *, size_t);
static int	set_greeting_timeout(struct conf *, const char *, char *,
		    size_t);
static int	set_connect_timeout(struct conf *, const char *, char *,
		    size_t);
static int	set_queue_lifetime(struct conf *, const char *, char *,
		    size_t);
static int	set_backoff_min(struct conf *, const char *, char *, size_t);
static int	set_backoff_max(struct conf *, const char *, char *, size_t);
static int	set_delay_warning(struct conf *, const char *, char *,
		    size_t);
static int	set_queue_reuse(struct conf *, const char *, char *, size_t);
static int	set_tls_mx(struct conf *, const char *, char *, size_t);
static int	set_domain_concurrency(struct conf *, const char *, char *,
		    size_t);
static int	set_dns_timeout(struct conf *, const char *, char *, size_t);
static int	set_domain_connect_timeout(struct conf *, const char *,
		    char *, size_t);
static int	set_source_address(struct conf *, const char *, char *,
		    size_t);
static int	set_tls_mx_domains(struct conf *, const char *, char *,
		    size_t);
static int	set_trusted_resolvers(struct conf *, const char *, char *,
		    size_t);
static int	set_ip_version(struct conf *, const char *, char *, size_t);
static int	set_ip_prefer(struct conf *, const char *, char *, size_t);
static int	pick(const char *const *, size_t, const char *, int *);
static int	choice(const char *, const char *const *, size_t,
		    const char *, const char *, int *, char *, size_t);
static int	check_host(const char *);
static int	set_tls(struct conf *, const char *, char *, size_t);
static int	set_tls_verify(struct conf *, const char *, char *, size_t);
static int	set_auth_plain(struct conf *, const char *, char *, size_t);
static int	set_auth_mech(struct conf *, const char *, char *, size_t);
static int	set_string(char *, size_t, const char *, char *, size_t);
static int	set_path(char *, size_t, const char *, char *, size_t);
static int	parse_bool(const char *, int *);
static int	parse_line(struct conf *, char *, unsigned int, char *,
		    size_t);
static int	key_name_ok(const char *);
static unsigned int relay_port(const struct conf *, unsigned int);
static int	check(const struct conf *, const char *, char *, size_t);
static int	contradiction(const struct conf *, const char *, const char *,
		    char *, size_t, const char *, ...)
		    __attribute__((format(printf, 6, 7)));

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
CONF_PATH_KEY(spool)
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

/* Blank-separated absolute paths: files, or directories of files. */
static int
set_allow_config(struct conf *c, const char *v, char *err, size_t errlen)
{
	const char *p;
	size_t n;

	for (p = v; *p != '\0'; p += n) {
		p += strspn(p, " \t");
		if ((n = strcspn(p, " \t")) > 0 && *p != '/') {
			(void)snprintf(err, errlen, "allow_config: \"%.*s\" is "
			    "not an absolute path", (int)(n > 64 ? 64 : n), p);
			return -1;
		}
	}
	return set_string(c->allow_config, sizeof(c->allow_config), v, err,
	    errlen);
}

static const struct conf_key conf_keys[] = {
	{ "relay",		set_relay },
	{ "helo",		set_helo },
	{ "timeout",		set_timeout },
	{ "connect_timeout",	set_connect_timeout },
	{ "data_timeout",	set_data_timeout },
	{ "greeting_timeout",	set_greeting_timeout },
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
	{ "spool",		set_spool },
	{ "queue_lifetime",	set_queue_lifetime },
	{ "queue_backoff_min",	set_backoff_min },
	{ "queue_backoff_max",	set_backoff_max },
	{ "delay_warning",	set_delay_warning },
	{ "queue_reuse",	set_queue_reuse },
	{ "allow_config",	set_allow_config },
	{ "tls_mx",		set_tls_mx },
	{ "tls_mx_domains",	set_tls_mx_domains },
	{ "trusted_resolvers",	set_trusted_resolvers },
	{ "domain_concurrency",	set_domain_concurrency },
	{ "dns_timeout",	set_dns_timeout },
	{ "domain_connect_timeout", set_domain_connect_timeout },
	{ "source_address",	set_source_address },
	{ "ip_version",		set_ip_version },
	{ "ip_prefer",		set_ip_prefer },
};
_Static_assert(sizeof(conf_keys) / sizeof(conf_keys[0]) <= CONF_KEYS_MAX,
    "struct conf's seen and line hold CONF_KEYS_MAX keys");

size_t
conf_key_count(void)
{
	return sizeof(conf_keys) / sizeof(conf_keys[0]);
}

const char *
conf_key_name(size_t i)
{
	return i < conf_key_count() ? conf_keys[i].name : NULL;
}

void
conf_defaults(struct conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->timeout = CONF_TIMEOUT_DEFAULT;
	conf->connect_timeout = CONF_CONNECT_DEFAULT;
	conf->data_timeout = CONF_DATA_DEFAULT;
	conf->greeting_timeout = CONF_GREETING_DEFAULT;
	conf->tls = CONF_TLS_AUTO;
	conf->tls_verify = 1;
	conf->syslog_facility = LOG_MAIL;
	(void)strlcpy(conf->spool, CONF_SPOOL_DEFAULT, sizeof(conf->spool));
	conf->queue_lifetime = CONF_LIFETIME_DEFAULT;
	conf->backoff_min = CONF_BACKOFF_MIN_DEFAULT;
	conf->backoff_max = CONF_BACKOFF_MAX_DEFAULT;
	conf->queue_reuse = 1;
	conf->domain_concurrency = CONF_CONCURRENCY_DEFAULT;
	conf->dns_timeout = CONF_DNS_DEFAULT;
	conf->domain_connect_timeout = CONF_DOMAIN_CONNECT_DEFAULT;
	conf->ip_prefer = CONF_IP_V6;	/* RFC 8305 4 */
	conf->tls_mx = CONF_TLS_MX_DANE;
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
set_queue_lifetime(struct conf *conf, const char *v, char *err,
    size_t errlen)
{
	return duration(&conf->queue_lifetime, v, err, errlen);
}

static int
set_backoff_min(struct conf *conf, const char *v, char *err, size_t errlen)
{
	return duration(&conf->backoff_min, v, err, errlen);
}

static int
set_backoff_max(struct conf *conf, const char *v, char *err, size_t errlen)
{
	return duration(&conf->backoff_max, v, err, errlen);
}

static int
set_queue_reuse(struct conf *c, const char *v, char *err, size_t errlen)
{
	if (parse_bool(v, &c->queue_reuse) == 0)
		return 0;
	(void)snprintf(err, errlen, "invalid queue_reuse \"%.64s\" "
	    "(expected yes or no)", v);
	return -1;
}

/* The index of v in words (n of them), into *out: 0, or -1. */
static int
pick(const char *const *words, size_t n, const char *v, int *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v, words[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	return -1;
}

const char *const conf_tls_mx_names[] = { "may", "none", "encrypt",
    "verify", "dane" };
#define TLS_MX_WORDS	"dane, may, none, encrypt or verify"
const char *const conf_ip_names[] = { "any", "ipv4", "ipv6" };

/* One of words (n), into *out (left as it is when v is none of them). */
static int
choice(const char *key, const char *const *words, size_t n,
    const char *expected, const char *v, int *out, char *err, size_t errlen)
{
	if (pick(words, n, v, out) == 0)
		return 0;
	(void)snprintf(err, errlen, "invalid %s \"%.64s\" (expected %s)", key,
	    v, expected);
	return -1;
}

static int
set_tls_mx(struct conf *c, const char *v, char *err, size_t errlen)
{
	int i = 0, rc;

	rc = choice("tls_mx", conf_tls_mx_names, 5, TLS_MX_WORDS, v, &i, err,
	    errlen);
	c->tls_mx = (enum conf_tls_mx)i;
	return rc;
}

static int
set_domain_concurrency(struct conf *c, const char *v, char *err,
    size_t errlen)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno != 0 ||
	    n < 1 || n > CONF_CONCURRENCY_MAX) {
		(void)snprintf(err, errlen, "invalid domain_concurrency "
		    "\"%.64s\" (expected 1 to %d)", v, CONF_CONCURRENCY_MAX);
		return -1;
	}
	c->domain_concurrency = (unsigned int)n;
	return 0;
}

static int
set_dns_timeout(struct conf *c, const char *v, char *err, size_t errlen)
{
	return duration(&c->dns_timeout, v, err, errlen);
}

static int
set_domain_connect_timeout(struct conf *c, const char *v, char *err,
    size_t errlen)
{
	return duration(&c->domain_connect_timeout, v, err, errlen);
}

/* One IPv4 address, one IPv6 address, or one of each. */
static int
set_source_address(struct conf *c, const char *v, char *err, size_t errlen)
{
	unsigned char bin[16];
	char word[64];
	const char *p;
	size_t n;
	int have[2] = { 0, 0 }, v6;

	for (p = v; *p != '\0'; p += n) {
		p += strspn(p, " \t");
		if ((n = strcspn(p, " \t")) == 0)
			break;
		if (n >= sizeof(word))
			goto bad;
		memcpy(word, p, n);
		word[n] = '\0';
		v6 = inet_pton(AF_INET6, word, bin) == 1;
		if ((!v6 && inet_pton(AF_INET, word, bin) != 1) || have[v6]++)
			goto bad;
		(void)strlcpy(c->source_address[v6], word,
		    sizeof(c->source_address[v6]));
	}
	return 0;
bad:
	(void)snprintf(err, errlen, "invalid source_address \"%.64s\" "
	    "(expected an IPv4 address, an IPv6 address, or one of each)", v);
	return -1;
}

/* The next blank- or comma-separated word of *p into word; its length. */
static size_t
next_word(const char **p, char *word, size_t size)
{
	size_t n;

	*p += strspn(*p, " \t,");
	n = strcspn(*p, " \t,");
	if (n < size) {
		memcpy(word, *p, n);
		word[n] = '\0';
	}
	*p += n;
	return n;
}

/* "example.org=verify .corp.example=encrypt ...", at most 32 entries. */
static int
set_tls_mx_domains(struct conf *c, const char *v, char *err, size_t errlen)
{
	struct conf_tls_domain *d;
	char word[CONF_HOST_MAX + 16], *eq, *q;
	size_t n, i;
	int level;

	c->ntls_domains = 0;
	while ((n = next_word(&v, word, sizeof(word))) > 0) {
		if (n >= sizeof(word) || (eq = strchr(word, '=')) == NULL)
			goto bad;
		*eq++ = '\0';
		for (q = word; *q != '\0'; q++)
			*q = (char)tolower((unsigned char)*q);
		q = word[0] == '.' ? word + 1 : word;
		if (addr_check_domain(q, strlen(q)) != 0)
			goto bad;
		if (pick(conf_tls_mx_names, 5, eq, &level) == -1) {
			(void)snprintf(err, errlen, "tls_mx_domains: invalid "
			    "level \"%.32s\" for %.64s (expected %s)", eq, word,
			    TLS_MX_WORDS);
			return -1;
		}
		for (i = 0; i < c->ntls_domains; i++)
			if (strcmp(c->tls_domains[i].name, word) == 0) {
				(void)snprintf(err, errlen, "tls_mx_domains: "
				    "%.64s is listed twice", word);
				return -1;
			}
		if (c->ntls_domains == CONF_TLS_DOMAINS_MAX) {
			(void)snprintf(err, errlen, "tls_mx_domains: more than "
			    "%d domains", CONF_TLS_DOMAINS_MAX);
			return -1;
		}
		d = &c->tls_domains[c->ntls_domains++];
		(void)strlcpy(d->name, word, sizeof(d->name));
		d->level = (enum conf_tls_mx)level;
	}
	return 0;
bad:
	(void)snprintf(err, errlen, "tls_mx_domains: invalid entry \"%.64s\" "
	    "(expected domain=level or .parent=level)", word);
	return -1;
}

enum conf_tls_mx
conf_tls_mx_for(const struct conf_tls_domain *domains, size_t n,
    const char *domain, enum conf_tls_mx dflt)
{
	size_t i, len = strlen(domain), best = 0, nl;
	enum conf_tls_mx level = dflt;

	for (i = 0; i < n; i++) {
		const char *name = domains[i].name;

		nl = strlen(name);
		if (name[0] != '.') {
			if (strcasecmp(name, domain) == 0)
				return domains[i].level;
		} else if (len > nl && nl > best &&
		    strcasecmp(domain + len - nl, name) == 0) {
			best = nl;
			level = domains[i].level;
		}
	}
	return level;
}

/* Up to three addresses of DNS servers whose AD bit is believed. */
static int
set_trusted_resolvers(struct conf *c, const char *v, char *err,
    size_t errlen)
{
	unsigned char bin[16];
	char word[64];
	const char *all = v;
	size_t n, k = 0;

	memset(c->trusted_resolvers, 0, sizeof(c->trusted_resolvers));
	while ((n = next_word(&v, word, sizeof(word))) > 0) {
		if (n >= sizeof(word) || (inet_pton(AF_INET, word, bin) != 1 &&
		    inet_pton(AF_INET6, word, bin) != 1) ||
		    k == CONF_RESOLVERS_MAX) {
			(void)snprintf(err, errlen, "invalid trusted_resolvers "
			    "\"%.64s\" (expected up to %d IP addresses)", all,
			    CONF_RESOLVERS_MAX);
			return -1;
		}
		(void)strlcpy(c->trusted_resolvers[k++], word,
		    sizeof(c->trusted_resolvers[0]));
	}
	return 0;
}

static int
set_ip_version(struct conf *c, const char *v, char *err, size_t errlen)
{
	int i = 0, rc;

	rc = choice("ip_version", conf_ip_names, 3, "any, ipv4 or ipv6", v, &i,
	    err, errlen);
	c->ip_version = (enum conf_ip)i;
	return rc;
}

static int
set_ip_prefer(struct conf *c, const char *v, char *err, size_t errlen)
{
	int i = 0, rc;

	rc = choice("ip_prefer", conf_ip_names, 3, "ipv6, ipv4 or any", v, &i,
	    err, errlen);
	c->ip_prefer = (enum conf_ip)i;
	return rc;
}

/* "off", or a duration */
static int
set_delay_warning(struct conf *conf, const char *v, char *err,
    size_t errlen)
{
	if (strcmp(v, "off") == 0) {
		conf->delay_warning = 0;
		return 0;
	}
	return duration(&conf->delay_warning, v, err, errlen);
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

static int
set_greeting_timeout(struct conf *conf, const char *v, char *err,
    size_t errlen)
{
	return duration(&conf->greeting_timeout, v, err, errlen);
}

/*
 * Whether key looks like a key name (lower case letters, digits, '_'),
 * so that an unknown one may be shown: a line of a file that is not a
 * configuration (a password hash) does not.
 */
static int
key_name_ok(const char *key)
{
	size_t n = strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_");

	return n > 0 && n <= 32 && key[n] == '\0';
}

/* Parses one NUL-terminated line (modified in place), line lineno. */
static int
parse_line(struct conf *conf, char *line, unsigned int lineno, char *err,
    size_t errlen)
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
		if (conf->seen & (1ULL << i)) {
			(void)snprintf(err, errlen, "\"%.64s\" given twice", key);
			return -1;
		}
		if (*val == '\0') {
			(void)snprintf(err, errlen, "\"%.64s\" needs a value",
			    key);
			return -1;
		}
		conf->seen |= 1ULL << i;
		conf->line[i] = lineno;
		return conf_keys[i].set(conf, val, err, errlen);
	}
	if (key_name_ok(key))
		(void)snprintf(err, errlen, "unknown key \"%.64s\"", key);
	else
		(void)snprintf(err, errlen, "not a configuration line (it "
		    "does not start with a key name)");
	return -1;
}

/* The index of key in conf_keys (it is there). */
static size_t
key_index(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++)
		if (strcmp(key, conf_keys[i].name) == 0)
			break;
	return i;
}

/* Whether key was set by the text parsed last. */
static int
key_set(const struct conf *conf, const char *key)
{
	return (conf->seen & (1ULL << key_index(key))) != 0;
}

/* Fills err with "name:line: why", line that of key; returns -1. */
static int
contradiction(const struct conf *conf, const char *name, const char *key,
    char *err, size_t errlen, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	(void)snprintf(err, errlen, "%s:%u: %s", name,
	    conf->line[key_index(key)], why);
	return -1;
}

/* Settings that contradict each other: see conf_parse() in conf.h. */
static int
check(const struct conf *c, const char *name, char *err, size_t errlen)
{
	static const char *const needs_user[] = { "auth_password_file",
	    "auth_password_command", "auth_mechanism",
	    "auth_allow_plaintext" };
	size_t i;

	for (i = 0; i < sizeof(needs_user) / sizeof(needs_user[0]); i++)
		if (key_set(c, needs_user[i]) && c->auth_user[0] == '\0')
			return contradiction(c, name, needs_user[i], err,
			    errlen, "%s without auth_user", needs_user[i]);
	if (c->auth_password_file[0] != '\0' &&
	    c->auth_password_command[0] != '\0')
		return contradiction(c, name, "auth_password_command", err,
		    errlen, "auth_password_command and auth_password_file: "
		    "give one of them");
	if (c->auth_user[0] != '\0' && c->auth_password_file[0] == '\0' &&
	    c->auth_password_command[0] == '\0')
		return contradiction(c, name, "auth_user", err, errlen,
		    "auth_user without auth_password_file or "
		    "auth_password_command");
	if (c->auth_user[0] != '\0' && c->relay_host[0] == '\0')
		return contradiction(c, name, "auth_user", err, errlen,
		    "auth_user without relay: the credentials go only to the "
		    "relay this file names");
	if (c->auth_user[0] != '\0' && c->tls == CONF_TLS_OFF &&
	    !c->auth_allow_plaintext)
		return contradiction(c, name, "tls", err, errlen, "\"tls off\" "
		    "with auth_user: credentials are never sent without TLS "
		    "(auth_allow_plaintext yes would allow it)");
	/* the key defaults to the certificate's file, not the reverse */
	if (c->tls_client_key[0] != '\0' && c->tls_client_cert[0] == '\0')
		return contradiction(c, name, "tls_client_key", err, errlen,
		    "tls_client_key without tls_client_cert");
	return 0;
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
		if (parse_line(conf, line, lineno, why, sizeof(why)) != 0) {
			/* the value shown may hold anything: escaped */
			log_sanitize(line, sizeof(line), why, strlen(why));
			(void)snprintf(err, errlen, "%s:%u: %s", name, lineno,
			    line);
			return -1;
		}
		pos += ll + (nl != NULL);
	}
	return check(conf, name, err, errlen);
}

/* The string keys as conf_dump() shows them, and what unset means. */
static const struct {
	const char	*key;
	size_t		 off;
	const char	*unset;
} dump_strings[] = {
	{ "helo", offsetof(struct conf, helo), "this host's name" },
	{ "tls_ca_file", offsetof(struct conf, tls_ca_file), "tls_ca_path" },
	{ "tls_ca_path", offsetof(struct conf, tls_ca_path), "/etc/ssl/certs" },
	{ "tls_client_cert", offsetof(struct conf, tls_client_cert), "none" },
	{ "tls_client_key", offsetof(struct conf, tls_client_key),
	    "the certificate's file" },
	{ "tls_server_name", offsetof(struct conf, tls_server_name),
	    "the relay host" },
	{ "auth_user", offsetof(struct conf, auth_user), "no AUTH" },
	{ "auth_password_file", offsetof(struct conf, auth_password_file),
	    "none" },
	{ "auth_mechanism", offsetof(struct conf, auth_mechanism),
	    "PLAIN, else LOGIN" },
	{ "domain", offsetof(struct conf, domain),
	    "/etc/mailname, else this host's full name" },
	{ "from", offsetof(struct conf, from), "the user at the mail domain" },
	{ "aliases", offsetof(struct conf, aliases), CONF_ALIASES_DEFAULT },
	{ "allow_config", offsetof(struct conf, allow_config),
	    "-C for root only" },
	{ "spool", offsetof(struct conf, spool), "no queue" },
};

size_t
conf_dump(const struct conf *c, char *buf, size_t size)
{
	static const char *const tls[] = { "auto", "off", "starttls",
	    "implicit" };
	const char *v, *br;
	size_t len = 0, i;

	if (size > 0)
		buf[0] = '\0';
	br = strchr(c->relay_host, ':') != NULL ? "[]" : "\0\0";
	if (c->relay_host[0] == '\0')
		text_append(buf, size, &len, "# relay (not set)\n");
	else
		text_append(buf, size, &len, "relay %.1s%s%.1s:%u\n", br, c->relay_host,
		    br + 1, relay_port(c, c->relay_port));
	text_append(buf, size, &len, "timeout %us\nconnect_timeout %us\n"
	    "greeting_timeout %us\ndata_timeout %us\ntls %s\ntls_verify %s\n"
	    "rewrite_from %s\nsyslog %s\n", c->timeout, c->connect_timeout,
	    c->greeting_timeout, c->data_timeout, tls[c->tls], c->tls_verify ?
	    "yes" : "no", c->rewrite_from ? "yes" : "no",
	    maillog_facility_name(c->syslog_facility));
	/* an AUTH key without auth_user would not load again */
	if (c->auth_user[0] != '\0')
		text_append(buf, size, &len, "auth_allow_plaintext %s\n",
		    c->auth_allow_plaintext ? "yes" : "no");
	else
		text_append(buf, size, &len, "# auth_allow_plaintext (not "
		    "set: no AUTH)\n");
	for (i = 0; i < sizeof(dump_strings) / sizeof(dump_strings[0]); i++) {
		v = (const char *)c + dump_strings[i].off;
		if (dump_strings[i].off == offsetof(struct conf,
		    auth_mechanism) && c->auth_user[0] == '\0')
			v = "";
		if (v[0] != '\0')
			text_append(buf, size, &len, "%s %s\n", dump_strings[i].key, v);
		else
			text_append(buf, size, &len, "# %s (not set: %s)\n",
			    dump_strings[i].key, dump_strings[i].unset);
	}
	text_append(buf, size, &len, "queue_lifetime %us\nqueue_backoff_min "
	    "%us\nqueue_backoff_max %us\nqueue_reuse %s\n", c->queue_lifetime,
	    c->backoff_min, c->backoff_max, c->queue_reuse ? "yes" : "no");
	if (c->delay_warning == 0)
		text_append(buf, size, &len, "delay_warning off\n");
	else
		text_append(buf, size, &len, "delay_warning %us\n",
		    c->delay_warning);
	text_append(buf, size, &len, "tls_mx %s\ndomain_concurrency %u\n"
	    "dns_timeout %us\ndomain_connect_timeout %us\nip_version %s\n"
	    "ip_prefer %s\n", conf_tls_mx_names[c->tls_mx],
	    c->domain_concurrency, c->dns_timeout, c->domain_connect_timeout,
	    conf_ip_names[c->ip_version], conf_ip_names[c->ip_prefer]);
	if (c->ntls_domains == 0)
		text_append(buf, size, &len, "# tls_mx_domains (not set: "
		    "tls_mx for every domain)\n");
	else {
		text_append(buf, size, &len, "tls_mx_domains");
		for (i = 0; i < c->ntls_domains; i++)
			text_append(buf, size, &len, " %s=%s",
			    c->tls_domains[i].name,
			    conf_tls_mx_names[c->tls_domains[i].level]);
		text_append(buf, size, &len, "\n");
	}
	if (c->trusted_resolvers[0][0] == '\0')
		text_append(buf, size, &len, "# trusted_resolvers (not set: "
		    "loopback resolvers only)\n");
	else {
		text_append(buf, size, &len, "trusted_resolvers");
		for (i = 0; i < CONF_RESOLVERS_MAX; i++)
			if (c->trusted_resolvers[i][0] != '\0')
				text_append(buf, size, &len, " %s",
				    c->trusted_resolvers[i]);
		text_append(buf, size, &len, "\n");
	}
	if (c->source_address[0][0] != '\0' || c->source_address[1][0] != '\0')
		text_append(buf, size, &len, "source_address %s%s%s\n",
		    c->source_address[0], c->source_address[0][0] != '\0' &&
		    c->source_address[1][0] != '\0' ? " " : "",
		    c->source_address[1]);
	else
		text_append(buf, size, &len, "# source_address (not set: the "
		    "system's choice)\n");
	/* a command may carry its secret in its arguments */
	text_append(buf, size, &len, "# auth_password_command (%s)\n",
	    c->auth_password_command[0] != '\0' ? "set; not shown, it may "
	    "hold a secret" : "not set: none");
	return len;
}

int
conf_allows(const struct conf *sys, const char *path)
{
	char real[PATH_MAX], entry[PATH_MAX], word[CONF_PATH_MAX];
	const char *p, *slash;
	struct stat st;
	size_t n, dirlen;

	if (realpath(path, real) == NULL)
		return 0;
	slash = strrchr(real, '/');
	dirlen = slash == real ? 1 : (size_t)(slash - real);
	for (p = sys->allow_config; *p != '\0'; p += n) {
		p += strspn(p, " \t");
		if ((n = strcspn(p, " \t")) == 0 || n >= sizeof(word))
			continue;
		memcpy(word, p, n);
		word[n] = '\0';
		if (realpath(word, entry) == NULL || stat(entry, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode) ? strlen(entry) == dirlen &&
		    strncmp(entry, real, dirlen) == 0 :
		    strcmp(entry, real) == 0)
			return 1;
	}
	return 0;
}

/* The port a relay is reached on: port, or the default for tls. */
static unsigned int
relay_port(const struct conf *conf, unsigned int port)
{
	if (port != 0)
		return port;
	return conf->tls == CONF_TLS_IMPLICIT ? 465 : 25;
}

int
conf_is_relay(const struct conf *conf, const char *host, unsigned int port)
{
	return conf->relay_host[0] != '\0' &&
	    strcasecmp(conf->relay_host, host) == 0 &&
	    relay_port(conf, conf->relay_port) == relay_port(conf, port);
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
