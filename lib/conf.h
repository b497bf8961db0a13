/* SPDX-License-Identifier: ISC */
/*
 * conf.h: the configuration file, /etc/carrier.conf by default.
 *
 * Format: one "key value" per line; leading and trailing blanks ignored;
 * '#' starts a comment line; blank lines ignored; a key may appear once
 * (a repeat is an error, so a forgotten earlier line never silently
 * wins).  Unknown keys are an error naming file:line.  Durations are
 * plain seconds or take a unit: "30s", "5m", "4h", "5d".
 * Keys and defaults are listed in carrier.conf(5).
 */
#ifndef CARRIER_CONF_H
#define CARRIER_CONF_H

#include <stddef.h>

#define CONF_PATH_DEFAULT	"/etc/carrier.conf"
#define CONF_LINE_MAX		4096
#define CONF_FILE_MAX		(256 * 1024)	/* octets in a file */
#define CONF_HOST_MAX		256
#define CONF_TIMEOUT_DEFAULT	300	/* seconds, each SMTP phase */
#define CONF_CONNECT_DEFAULT	30	/* seconds, each address */
#define CONF_GREETING_DEFAULT	60	/* seconds, the server's greeting (a
					   cron job is not held 5 minutes) */
#define CONF_DATA_DEFAULT	600	/* seconds, the reply to the text's end
					   (RFC 5321 4.5.3.2.6) */
#define CONF_DURATION_MAX	(24 * 86400)	/* in ms, fits an int */

#define CONF_PATH_MAX		1024
#define CONF_KEYS_MAX		64	/* bits of struct conf's seen */
#define CONF_ALIASES_DEFAULT	"/etc/aliases"
#define CONF_MAILNAME		"/etc/mailname"
#define CONF_SPOOL_DEFAULT	"/var/spool/carrier"
#define CONF_LIFETIME_DEFAULT	(5 * 86400)	/* seconds in the queue */
#define CONF_BACKOFF_MIN_DEFAULT 300		/* Postfix's minimal */
#define CONF_BACKOFF_MAX_DEFAULT 3600
#define CONF_CONCURRENCY_DEFAULT 16	/* domains delivered at once */
#define CONF_CONCURRENCY_MAX	64
#define CONF_DNS_DEFAULT	30	/* seconds, one domain's lookups */
#define CONF_DOMAIN_CONNECT_DEFAULT 120	/* seconds, all of a domain's
					   addresses */

enum conf_tls {
	CONF_TLS_AUTO = 0,	/* implicit on 465, else STARTTLS if offered */
	CONF_TLS_OFF,
	CONF_TLS_STARTTLS,	/* required */
	CONF_TLS_IMPLICIT
};

/* TLS to MX hosts (tls_mx, tls_mx_domains). */
enum conf_tls_mx {
	CONF_TLS_MX_MAY = 0,	/* STARTTLS when offered; a certificate that
				   does not verify is logged, not fatal */
	CONF_TLS_MX_NONE,	/* never TLS */
	CONF_TLS_MX_ENCRYPT,	/* STARTTLS required, not verified */
	CONF_TLS_MX_VERIFY,	/* STARTTLS required, chain and name */
	CONF_TLS_MX_DANE	/* DANE where the MX host publishes TLSA
				   records under DNSSEC (RFC 7672), else
				   may (the default) */
};

#define CONF_TLS_DOMAINS_MAX	32	/* entries of tls_mx_domains */
#define CONF_RESOLVERS_MAX	3	/* trusted_resolvers (MAXNS) */

/* One entry of tls_mx_domains: "example.org=verify". */
struct conf_tls_domain {
	char		 name[CONF_HOST_MAX];	/* lowercase; ".example.org":
						   its subdomains */
	enum conf_tls_mx level;
};

/* Address families for connections (ip_version, ip_prefer). */
enum conf_ip { CONF_IP_ANY = 0, CONF_IP_V4, CONF_IP_V6 };

struct conf {
	char		relay_host[CONF_HOST_MAX];	/* "" = no relay */
	unsigned int	relay_port;		/* 0 = default port */
	char		helo[CONF_HOST_MAX];	/* "" = the host's FQDN */
	unsigned int	timeout;		/* seconds */
	unsigned int	connect_timeout;	/* seconds */
	unsigned int	data_timeout;		/* seconds */
	unsigned int	greeting_timeout;	/* seconds; timeout if less */
	enum conf_tls	tls;
	int		tls_verify;		/* default on */
	char		tls_ca_file[CONF_PATH_MAX];
	char		tls_ca_path[CONF_PATH_MAX];
	char		tls_client_cert[CONF_PATH_MAX];
	char		tls_client_key[CONF_PATH_MAX];
	char		tls_server_name[CONF_HOST_MAX];
	char		auth_user[CONF_HOST_MAX];
	char		auth_password_file[CONF_PATH_MAX];
	char		auth_password_command[CONF_LINE_MAX];
	char		auth_mechanism[32];
	int		auth_allow_plaintext;	/* default off */
	char		domain[CONF_HOST_MAX];	/* "" = /etc/mailname, FQDN */
	char		from[CONF_HOST_MAX];	/* "" = user@domain */
	int		rewrite_from;		/* local From: -> from */
	char		aliases[CONF_PATH_MAX];	/* "" = /etc/aliases */
	int		syslog_facility;	/* LOG_MAIL; MAILLOG_OFF */
	char		spool[CONF_PATH_MAX];	/* the queue's directory */
	unsigned int	queue_lifetime;		/* seconds */
	unsigned int	backoff_min;		/* seconds */
	unsigned int	backoff_max;		/* seconds */
	unsigned int	delay_warning;		/* seconds; 0: off */
	int		queue_reuse;		/* one connection per run */
	enum conf_tls_mx tls_mx;
	struct conf_tls_domain tls_domains[CONF_TLS_DOMAINS_MAX];
	size_t		ntls_domains;
	char		trusted_resolvers[CONF_RESOLVERS_MAX][64];
	unsigned int	domain_concurrency;	/* 1 to CONF_CONCURRENCY_MAX */
	unsigned int	dns_timeout;		/* seconds */
	unsigned int	domain_connect_timeout;	/* seconds */
	char		source_address[2][64];	/* IPv4 and/or IPv6, "" */
	enum conf_ip	ip_version;		/* only this family */
	enum conf_ip	ip_prefer;		/* first; ANY: as found */
	char		allow_config[CONF_LINE_MAX];	/* -C files for
					   non-root callers: paths, blanks */
	unsigned long long seen;		/* keys set, internal */
	unsigned int	line[CONF_KEYS_MAX];	/* where each was, internal */
};

/* The words of tls_mx and of ip_version/ip_prefer, by enum value. */
extern const char *const conf_tls_mx_names[];
extern const char *const conf_ip_names[];

/*
 * The tls_mx level for domain (no trailing dot, any case): the entry of
 * domains (n of them) naming it exactly, else the longest ".parent"
 * entry it is under, else dflt.
 */
enum conf_tls_mx conf_tls_mx_for(const struct conf_tls_domain *domains,
	    size_t n, const char *domain, enum conf_tls_mx dflt);

/* Fills conf with the defaults of a machine with no config file. */
void	conf_defaults(struct conf *);

/*
 * Reads path into conf (on top of what is there).  A missing file is
 * fine when must_exist is 0.  Returns 0, or -1 with "file:line: reason"
 * in err.
 */
int	conf_load(struct conf *conf, const char *path, int must_exist,
	    char *err, size_t errlen);

/*
 * Parses config text (len bytes, need not be NUL-terminated) named name
 * in messages, then rejects settings that contradict each other (AUTH
 * keys without auth_user or without a relay, a secret from both a file
 * and a command, auth_user with "tls off" unless auth_allow_plaintext,
 * a client key without its certificate).  Returns 0 or -1 with the
 * reason in err, "name:line: ...".  What err shows of the text is
 * escaped (no control character reaches a terminal), and a line that
 * does not start with a key name is not shown at all (the file may not
 * be a configuration: -C /etc/shadow must not print a password hash).
 */
int	conf_parse(struct conf *conf, const char *name, const char *text,
	    size_t len, char *err, size_t errlen);

/*
 * Parses a relay "host", "host:port", "[v6addr]", "[v6addr]:port" or a
 * bare IPv6 address; port 0 or none means the default.  Returns 0, or
 * -1 with the reason in err.
 */
int	conf_parse_relay(const char *s, char *host, size_t hostlen,
	    unsigned int *port, char *err, size_t errlen);

/*
 * The settings of conf as carrier.conf lines, every key of the table
 * conf_key_name() walks (one not set as a comment "# key (...)"), into
 * buf (size octets, NUL-terminated; cut when it does not fit); booleans
 * as yes or no, durations in seconds.  Never a secret:
 * auth_password_command, which may hold one, is shown only as set.
 * Returns the length it needed.
 */
size_t	conf_dump(const struct conf *conf, char *buf, size_t size);

/* The number of keys carrier.conf knows. */
size_t	conf_key_count(void);

/* The name of key i (0 to conf_key_count() - 1), or NULL past the end. */
const char *conf_key_name(size_t i);

/*
 * Whether a caller other than root may read its configuration from path
 * (-C), by the system configuration sys: path, with its symbolic links
 * resolved, is one of the files of sys->allow_config or directly in one
 * of its directories (as Postfix's alternate_config_directories).
 * Returns 1 or 0 (no such file, nothing allowed).
 */
int	conf_allows(const struct conf *sys, const char *path);

/*
 * Whether the relay host:port (port 0: the default) is the relay conf
 * names, so its AUTH credentials may be sent there.
 */
int	conf_is_relay(const struct conf *conf, const char *host,
	    unsigned int port);

/*
 * Parses a duration: digits with an optional unit s, m, h or d.
 * Returns 0 and the value in seconds, or -1 (garbage, zero, over
 * CONF_DURATION_MAX).
 */
int	conf_parse_duration(const char *s, unsigned int *seconds);

#endif
