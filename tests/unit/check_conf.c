/* SPDX-License-Identifier: ISC */
/* check_conf.c: the configuration parser, relay and duration syntax. */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "tests.h"
#include "conf.h"
#include "maillog.h"

static const struct {
	const char	*in;
	const char	*host;	/* NULL: must fail */
	unsigned int	 port;
} relays[] = {
	{ "mail.example.org", "mail.example.org", 0 },
	{ "mail.example.org:587", "mail.example.org", 587 },
	{ "mail.example.org:0", "mail.example.org", 0 },
	{ "127.0.0.1:2525", "127.0.0.1", 2525 },
	{ "[::1]:2525", "::1", 2525 },
	{ "[::1]", "::1", 0 },
	{ "::1", "::1", 0 },
	{ "2001:db8::25", "2001:db8::25", 0 },
	{ "[2001:db8::25]:465", "2001:db8::25", 465 },
	{ "localhost:25", "localhost", 25 },
	{ "", NULL, 0 },
	{ ":25", NULL, 0 },
	{ "host:", NULL, 0 },
	{ "host:65536", NULL, 0 },
	{ "host:-1", NULL, 0 },
	{ "host:25x", NULL, 0 },
	{ "host:+25", NULL, 0 },
	{ "[::1", NULL, 0 },
	{ "[::1]x", NULL, 0 },
	{ "ho st:25", NULL, 0 },
	{ "host\n:25", NULL, 0 },
	{ "-host:25", NULL, 0 },
};

START_TEST(test_conf_parse_relay_table)
{
	char host[CONF_HOST_MAX] = "", err[256] = "";
	unsigned int port = 99;
	int rc;

	rc = conf_parse_relay(relays[_i].in, host, sizeof(host), &port, err,
	    sizeof(err));
	if (relays[_i].host == NULL) {
		ck_assert_msg(rc == -1, "\"%s\" accepted", relays[_i].in);
		ck_assert_str_ne(err, "");
		return;
	}
	ck_assert_msg(rc == 0, "\"%s\": %s", relays[_i].in, err);
	ck_assert_str_eq(host, relays[_i].host);
	ck_assert_uint_eq(port, relays[_i].port);
}
END_TEST

static const struct {
	const char	*in;
	int		 ok;
	unsigned int	 secs;
} durations[] = {
	{ "30", 1, 30 }, { "30s", 1, 30 }, { "5m", 1, 300 },
	{ "4h", 1, 14400 }, { "5d", 1, 432000 }, { "0", 0, 0 },
	{ "", 0, 0 }, { "m", 0, 0 }, { "5x", 0, 0 }, { "5mm", 0, 0 },
	{ "-5", 0, 0 }, { " 5", 0, 0 }, { "99999999999", 0, 0 },
	{ "50000d", 0, 0 }, { "24d", 1, 2073600 }, { "2073600", 1, 2073600 },
	{ "25d", 0, 0 }, { "2073601s", 0, 0 }, { "600h", 0, 0 },
};

START_TEST(test_conf_parse_duration_table)
{
	unsigned int secs = 0;
	int rc = conf_parse_duration(durations[_i].in, &secs);

	ck_assert_msg((rc == 0) == durations[_i].ok, "\"%s\"",
	    durations[_i].in);
	if (durations[_i].ok)
		ck_assert_uint_eq(secs, durations[_i].secs);
}
END_TEST

START_TEST(test_conf_parse_keys)
{
	struct conf c;
	char err[256];
	const char *text = "# comment\n\n  relay  smtp.example.org:587  \n"
	    "helo client.example.org\ntimeout 2m\nconnect_timeout 10\n"
	    "data_timeout 15m\nsyslog local5\n";

	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(&c, "t", text, strlen(text), err,
	    sizeof(err)), 0);
	ck_assert_str_eq(c.relay_host, "smtp.example.org");
	ck_assert_uint_eq(c.relay_port, 587);
	ck_assert_str_eq(c.helo, "client.example.org");
	ck_assert_uint_eq(c.timeout, 120);
	ck_assert_uint_eq(c.connect_timeout, 10);
	ck_assert_uint_eq(c.data_timeout, 900);
	ck_assert_int_eq(c.syslog_facility, LOG_LOCAL5);
	conf_defaults(&c);
	ck_assert_int_eq(c.syslog_facility, LOG_MAIL);
	ck_assert_int_eq(conf_parse(&c, "t", "syslog off\n", 11, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.syslog_facility, MAILLOG_OFF);
}
END_TEST

static const struct {
	const char	*text;
	const char	*err;	/* expected message */
} bad_confs[] = {
	{ "relay a.example\nbogus 1\n", "t:2: unknown key \"bogus\"" },
	{ "timeout\n", "t:1: \"timeout\" needs a value" },
	{ "timeout soon\n", "t:1: invalid duration \"soon\" (a number of "
	    "seconds, or with s, m, h or d; 1s to 24d)" },
	{ "relay a.example\nrelay b.example\n", "t:2: \"relay\" given twice" },
	{ "helo bad name\n", "t:1: invalid helo name \"bad name\"" },
	{ "relay a.example:99999\n", "t:1: invalid port in relay "
	    "\"a.example:99999\"" },
	{ "relay a\0b\n", "t:1: NUL byte" },
	{ "syslog kern\n", "t:1: invalid syslog \"kern\" (expected mail, "
	    "user, daemon, local0 to local7, or off)" },
	/* what is shown is escaped: no terminal escape gets through */
	{ "helo \033[2J\033]0;owned\007x\n", "t:1: invalid helo name "
	    "\"\\x1b[2J\\x1b]0;owned\\x07x\"" },
	{ "bo\033[1mgus 1\n", "t:1: not a configuration line (it does not "
	    "start with a key name)" },
	/* a file that is not a configuration: none of it is shown */
	{ "root:$y$j9T$F5Jx5fExrKuJdxlJ6TsZy/$Yd8Kq0:19000:0:99999:7:::\n",
	    "t:1: not a configuration line (it does not start with a key "
	    "name)" },
	{ "Passwort geheim\n", "t:1: not a configuration line (it does not "
	    "start with a key name)" },
	/* settings that contradict each other, at the line that does */
	{ "relay r.example\ntls off\nauth_user u\nauth_password_file /p\n",
	    "t:2: \"tls off\" with auth_user: credentials are never sent "
	    "without TLS (auth_allow_plaintext yes would allow it)" },
	{ "relay r.example\nauth_password_file /p\n", "t:2: "
	    "auth_password_file without auth_user" },
	{ "relay r.example\nauth_password_command pass x\n", "t:2: "
	    "auth_password_command without auth_user" },
	{ "relay r.example\nauth_mechanism login\n", "t:2: auth_mechanism "
	    "without auth_user" },
	{ "relay r.example\nauth_user u\n", "t:2: auth_user without "
	    "auth_password_file or auth_password_command" },
	{ "auth_user u\nauth_password_file /p\n", "t:1: auth_user without "
	    "relay: the credentials go only to the relay this file names" },
	{ "relay r.example\nauth_user u\nauth_password_file /p\n"
	    "auth_password_command pass x\n", "t:4: auth_password_command "
	    "and auth_password_file: give one of them" },
	{ "tls_client_key /k\n", "t:1: tls_client_key without "
	    "tls_client_cert" },
	{ "allow_config /etc/carrier rel/x\n", "t:1: allow_config: \"rel/x\" "
	    "is not an absolute path" },
	{ "tls_verify maybe\n", "t:1: invalid tls_verify \"maybe\" "
	    "(expected yes or no)" },
	/* direct MX delivery */
	{ "tls_mx danger\n", "t:1: invalid tls_mx \"danger\" (expected "
	    "dane, may, none, encrypt or verify)" },
	{ "tls_mx_domains bank.example\n", "t:1: tls_mx_domains: invalid "
	    "entry \"bank.example\" (expected domain=level or .parent=level)" },
	{ "tls_mx_domains a.example=verify b..example=may\n", "t:1: "
	    "tls_mx_domains: invalid entry \"b..example\" (expected "
	    "domain=level or .parent=level)" },
	{ "tls_mx_domains bank.example=strict\n", "t:1: tls_mx_domains: "
	    "invalid level \"strict\" for bank.example (expected dane, may, "
	    "none, encrypt or verify)" },
	{ "tls_mx_domains a.example=may A.example=none\n", "t:1: "
	    "tls_mx_domains: a.example is listed twice" },
	{ "trusted_resolvers 192.0.2.53 dns.example\n", "t:1: invalid "
	    "trusted_resolvers \"192.0.2.53 dns.example\" (expected up to 3 "
	    "IP addresses)" },
	{ "trusted_resolvers 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4\n",
	    "t:1: invalid trusted_resolvers \"192.0.2.1 192.0.2.2 192.0.2.3 "
	    "192.0.2.4\" (expected up to 3 IP addresses)" },
	{ "domain_concurrency 0\n", "t:1: invalid domain_concurrency \"0\" "
	    "(expected 1 to 64)" },
	{ "domain_concurrency 65\n", "t:1: invalid domain_concurrency "
	    "\"65\" (expected 1 to 64)" },
	{ "domain_concurrency -1\n", "t:1: invalid domain_concurrency "
	    "\"-1\" (expected 1 to 64)" },
	{ "domain_concurrency 4x\n", "t:1: invalid domain_concurrency "
	    "\"4x\" (expected 1 to 64)" },
	{ "dns_timeout 0\n", "t:1: invalid duration \"0\" (a number of "
	    "seconds, or with s, m, h or d; 1s to 24d)" },
	{ "source_address 192.0.2.1 192.0.2.2\n", "t:1: invalid "
	    "source_address \"192.0.2.1 192.0.2.2\" (expected an IPv4 "
	    "address, an IPv6 address, or one of each)" },
	{ "source_address mail.example\n", "t:1: invalid source_address "
	    "\"mail.example\" (expected an IPv4 address, an IPv6 address, or "
	    "one of each)" },
	{ "ip_version 4\n", "t:1: invalid ip_version \"4\" (expected any, "
	    "ipv4 or ipv6)" },
	{ "ip_prefer ipv5\n", "t:1: invalid ip_prefer \"ipv5\" (expected "
	    "ipv6, ipv4 or any)" },
};

/* Settings that only look alike a contradiction, accepted. */
static const char *const good_confs[] = {
	"relay r.example\ntls off\nauth_user u\nauth_password_file /p\n"
	    "auth_allow_plaintext yes\n",
	"relay r.example\nauth_user u\nauth_password_command pass x\n"
	    "auth_mechanism xoauth2\n",
	"tls_client_cert /c\ntls_client_key /k\n",
	"tls_client_cert /c\n",	/* the key in the same file */
	"allow_config /etc/carrier/ /srv/app/carrier.conf\n",
	"tls_mx verify\ndomain_concurrency 64\ndns_timeout 5s\n"
	    "domain_connect_timeout 1m\nsource_address 2001:db8::1 "
	    "192.0.2.1\nip_version ipv6\nip_prefer any\n",
	"tls_mx dane\ntls_mx_domains bank.example=verify, .corp.example="
	    "encrypt old.example=may\ntrusted_resolvers 192.0.2.53 "
	    "2001:db8::53\n",
};

/* tls_mx_domains: the exact name, else the longest parent, else tls_mx. */
START_TEST(test_conf_tls_mx_for)
{
	const char *text = "tls_mx_domains bank.example=verify "
	    ".example=encrypt .corp.example=none corp.example=may\n";
	struct conf c;
	char err[256] = "";

	conf_defaults(&c);
	ck_assert_int_eq(c.tls_mx, CONF_TLS_MX_DANE);
	ck_assert_int_eq(conf_parse(&c, "t", text, strlen(text), err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(c.ntls_domains, 4);
#define FOR(d)	conf_tls_mx_for(c.tls_domains, c.ntls_domains, d, c.tls_mx)
	ck_assert_int_eq(FOR("bank.example"), CONF_TLS_MX_VERIFY);
	ck_assert_int_eq(FOR("BANK.Example"), CONF_TLS_MX_VERIFY);
	ck_assert_int_eq(FOR("www.bank.example"), CONF_TLS_MX_ENCRYPT);
	ck_assert_int_eq(FOR("corp.example"), CONF_TLS_MX_MAY);
	ck_assert_int_eq(FOR("a.corp.example"), CONF_TLS_MX_NONE);
	ck_assert_int_eq(FOR("example"), CONF_TLS_MX_DANE);
	ck_assert_int_eq(FOR("xexample"), CONF_TLS_MX_DANE);
	ck_assert_int_eq(FOR("other.test"), CONF_TLS_MX_DANE);
#undef FOR
}
END_TEST

START_TEST(test_conf_parse_consistent)
{
	struct conf c;
	char err[256] = "";

	conf_defaults(&c);
	ck_assert_msg(conf_parse(&c, "t", good_confs[_i],
	    strlen(good_confs[_i]), err, sizeof(err)) == 0, "%s", err);
}
END_TEST

static const struct {
	const char	*host;
	unsigned int	 port;
	int		 tls;		/* the config's: 0 auto, 3 implicit */
	int		 same;
} relay_cases[] = {
	{ "smtp.example.org", 587, 0, 1 },
	{ "SMTP.Example.ORG", 587, 0, 1 },
	{ "smtp.example.org", 25, 0, 0 },
	{ "smtp.example.org", 0, 0, 0 },
	{ "evil.example", 587, 0, 0 },
	{ "127.0.0.1", 587, 0, 0 },
	{ "smtp.example.org", 587, 3, 1 },
	{ "smtp.example.org", 465, 3, 0 },
};

/* The configuration's relay, and only it, gets its credentials. */
START_TEST(test_conf_is_relay_table)
{
	struct conf c;
	char err[256] = "";
	const char *text = relay_cases[_i].tls == 3 ?
	    "relay smtp.example.org:587\ntls implicit\n" :
	    "relay smtp.example.org:587\n";

	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(&c, "t", text, strlen(text), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(conf_is_relay(&c, relay_cases[_i].host,
	    relay_cases[_i].port), relay_cases[_i].same);
}
END_TEST

START_TEST(test_conf_is_relay_default_port)
{
	struct conf c;
	char err[256] = "";

	conf_defaults(&c);
	ck_assert_int_eq(conf_is_relay(&c, "", 0), 0);	/* no relay */
	ck_assert_int_eq(conf_parse(&c, "t", "relay r.example\n", 16, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(conf_is_relay(&c, "r.example", 25), 1);
	ck_assert_int_eq(conf_is_relay(&c, "r.example", 0), 1);
	ck_assert_int_eq(conf_is_relay(&c, "r.example", 465), 0);
	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(&c, "t", "relay r.example\ntls implicit\n",
	    29, err, sizeof(err)), 0);
	ck_assert_int_eq(conf_is_relay(&c, "r.example", 465), 1);
	ck_assert_int_eq(conf_is_relay(&c, "r.example", 25), 0);
}
END_TEST

/* Whether the dump text has a line "key ..." or "# key (...)". */
static int
dump_has(const char *text, const char *key)
{
	const char *p;
	size_t n = strlen(key);

	for (p = text; *p != '\0'; p = strchr(p, '\n') + 1) {
		if (strncmp(p, "# ", 2) == 0 && strncmp(p + 2, key, n) == 0 &&
		    p[2 + n] == ' ' && p[3 + n] == '(')
			return 1;
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return 1;
		if (strchr(p, '\n') == NULL)
			break;
	}
	return 0;
}

/* A dump loads as a configuration, and that dumps the same text. */
static void
dump_reloads(const char *dump)
{
	static char again_out[8192];
	struct conf again;
	char err[256] = "";

	conf_defaults(&again);
	ck_assert_msg(conf_parse(&again, "dump", dump, strlen(dump), err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_lt(conf_dump(&again, again_out, sizeof(again_out)),
	    sizeof(again_out));
	ck_assert_str_eq(again_out, dump);
}

/*
 * conf_dump: every key of the parser's table, as a line or as a comment
 * saying it is not set, with the defaults and with a configuration that
 * sets many; what it shows parses again to the same settings; booleans
 * yes or no; never the auth_password_command, which may hold the
 * secret.
 */
START_TEST(test_conf_dump)
{
	const char *text = "relay [::1]:2525\ngreeting_timeout 10s\n"
	    "auth_user u\nauth_password_command pass show mail-S3cret\n"
	    "syslog local3\ntls implicit\ntls_mx encrypt\n"
	    "source_address 192.0.2.7 ::1\nip_prefer ipv4\n"
	    "tls_mx_domains B.example=verify .c.example=none\n"
	    "trusted_resolvers ::1 192.0.2.53\ntls_verify no\n"
	    "spool /var/spool/q2\nqueue_lifetime 2d\nqueue_backoff_min 1m\n"
	    "queue_backoff_max 2h\nqueue_reuse no\ndelay_warning 4h\n"
	    "auth_mechanism login\n";
	static char out[8192], def[8192];
	struct conf c, again;
	char err[256] = "";
	size_t i, n;

	ck_assert_uint_ge(conf_key_count(), 36);
	ck_assert_ptr_null(conf_key_name(conf_key_count()));
	conf_defaults(&c);
	ck_assert_uint_lt(conf_dump(&c, def, sizeof(def)), sizeof(def));
	ck_assert_uint_eq(c.greeting_timeout, 60);
	ck_assert_int_eq(conf_parse(&c, "t", text, strlen(text), err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(c.greeting_timeout, 10);
	ck_assert_uint_lt(conf_dump(&c, out, sizeof(out)), sizeof(out));
	for (i = 0; i < conf_key_count(); i++) {
		ck_assert_msg(dump_has(def, conf_key_name(i)),
		    "%s missing in the defaults:\n%s", conf_key_name(i), def);
		ck_assert_msg(dump_has(out, conf_key_name(i)),
		    "%s missing in:\n%s", conf_key_name(i), out);
	}
	/* the secret, and the command that may hold one: never shown */
	ck_assert_ptr_null(strstr(out, "S3cret"));
	ck_assert_ptr_null(strstr(out, "pass show"));
	ck_assert_ptr_nonnull(strstr(out, "\n# auth_password_command (set; "));
	ck_assert_ptr_nonnull(strstr(out, "relay [::1]:2525\n"));
	ck_assert_ptr_nonnull(strstr(out, "syslog local3\n"));
	ck_assert_ptr_nonnull(strstr(out, "tls_mx encrypt\n"));
	ck_assert_ptr_nonnull(strstr(out, "source_address 192.0.2.7 ::1\n"));
	ck_assert_ptr_nonnull(strstr(out, "ip_prefer ipv4\n"));
	ck_assert_ptr_nonnull(strstr(out, "tls_mx_domains b.example=verify "
	    ".c.example=none\n"));
	ck_assert_ptr_nonnull(strstr(out, "trusted_resolvers ::1 "
	    "192.0.2.53\n"));
	ck_assert_ptr_nonnull(strstr(out, "domain_concurrency 16\n"));
	ck_assert_ptr_nonnull(strstr(out, "\ntls_verify no\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nauth_allow_plaintext no\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nauth_mechanism login\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nspool /var/spool/q2\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nqueue_lifetime 172800s\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nqueue_backoff_min 60s\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nqueue_backoff_max 7200s\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nqueue_reuse no\n"));
	ck_assert_ptr_nonnull(strstr(out, "\ndelay_warning 14400s\n"));
	ck_assert_ptr_nonnull(strstr(def, "\ntls_verify yes\n"));
	ck_assert_ptr_nonnull(strstr(def, "\nspool /var/spool/carrier\n"));
	ck_assert_ptr_nonnull(strstr(def, "\nqueue_lifetime 432000s\n"));
	ck_assert_ptr_nonnull(strstr(def, "\nqueue_reuse yes\n"));
	ck_assert_ptr_nonnull(strstr(def, "\ndelay_warning off\n"));
	/* what is shown is a configuration: the same, but the command */
	conf_defaults(&again);
	ck_assert_msg(conf_parse(&again, "dump", out, strlen(out), err,
	    sizeof(err)) == -1, "parsed without its command");
	ck_assert_ptr_nonnull(strstr(err, ": auth_user without "
	    "auth_password_file or auth_password_command"));
	/*
	 * ... and without AUTH (--dump-config -R clears auth_user), the
	 * same settings, shown the same: no AUTH key left without it
	 */
	c.auth_user[0] = c.auth_password_command[0] = '\0';
	ck_assert_uint_lt(conf_dump(&c, out, sizeof(out)), sizeof(out));
	ck_assert_ptr_nonnull(strstr(out, "\n# auth_mechanism (not set"));
	dump_reloads(out);
	dump_reloads(def);
	/* cut to the buffer, and the length it needed said */
	n = strlen(out);
	ck_assert_uint_eq(conf_dump(&c, out, 10), n);
	ck_assert_uint_eq(strlen(out), 9);
}
END_TEST

/*
 * -C for a caller other than root: a file allow_config lists, or one
 * directly in a directory it lists, with symbolic links resolved.
 */
START_TEST(test_conf_allows)
{
	char dir[] = "/tmp/check_conf.XXXXXX", p[6][256];
	struct conf sys;
	int i, fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(p[0], sizeof(p[0]), "%s/ok", dir);
	(void)snprintf(p[1], sizeof(p[1]), "%s/ok/app.conf", dir);
	(void)snprintf(p[2], sizeof(p[2]), "%s/other.conf", dir);
	(void)snprintf(p[3], sizeof(p[3]), "%s/ok/link.conf", dir);
	(void)snprintf(p[4], sizeof(p[4]), "%s/ok/../other.conf", dir);
	(void)snprintf(p[5], sizeof(p[5]), "%s/one.conf", dir);
	ck_assert_int_eq(mkdir(p[0], 0700), 0);
	for (i = 1; i <= 5; i += 4) {
		ck_assert_int_ge(fd = open(p[i], O_WRONLY | O_CREAT, 0600), 0);
		(void)close(fd);
	}
	ck_assert_int_ge(fd = open(p[2], O_WRONLY | O_CREAT, 0600), 0);
	(void)close(fd);
	ck_assert_int_eq(symlink(p[2], p[3]), 0);
	conf_defaults(&sys);
	ck_assert_int_eq(conf_allows(&sys, p[1]), 0);	/* nothing allowed */
	(void)snprintf(sys.allow_config, sizeof(sys.allow_config),
	    "/nonexistent %s/ %s", p[0], p[5]);
	ck_assert_int_eq(conf_allows(&sys, p[1]), 1);
	ck_assert_int_eq(conf_allows(&sys, p[5]), 1);
	ck_assert_int_eq(conf_allows(&sys, p[2]), 0);
	ck_assert_int_eq(conf_allows(&sys, p[3]), 0);	/* leads out */
	ck_assert_int_eq(conf_allows(&sys, p[4]), 0);
	ck_assert_int_eq(conf_allows(&sys, "/nonexistent/x.conf"), 0);
	ck_assert_int_eq(conf_allows(&sys, "/etc/shadow"), 0);
	for (i = 5; i >= 1; i--)
		(void)unlink(p[i]);
	(void)rmdir(p[0]);
	(void)rmdir(dir);
}
END_TEST

START_TEST(test_conf_parse_errors_name_line)
{
	struct conf c;
	char err[256] = "";
	size_t len = strlen(bad_confs[_i].text);

	if (_i == 6)
		len = 10;	/* the NUL case */
	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(&c, "t", bad_confs[_i].text, len, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, bad_confs[_i].err);
}
END_TEST

START_TEST(test_conf_parse_long_line)
{
	static char text[CONF_LINE_MAX + 16];
	struct conf c;
	char err[256];

	memset(text, 'x', sizeof(text) - 1);
	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(&c, "t", text, sizeof(text) - 1, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t:1: line too long");
}
END_TEST

START_TEST(test_conf_load_missing)
{
	struct conf c;
	char err[256] = "";

	conf_defaults(&c);
	ck_assert_int_eq(conf_load(&c, "/nonexistent/carrier.conf", 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(conf_load(&c, "/nonexistent/carrier.conf", 1, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

START_TEST(test_conf_load_file)
{
	char path[] = "/tmp/check_conf.XXXXXX", err[256];
	struct conf c;
	int fd = mkstemp(path);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, "relay [::1]:2525\n", 17), 17);
	close(fd);
	conf_defaults(&c);
	ck_assert_int_eq(conf_load(&c, path, 1, err, sizeof(err)), 0);
	unlink(path);
	ck_assert_str_eq(c.relay_host, "::1");
	ck_assert_uint_eq(c.relay_port, 2525);
	ck_assert_uint_eq(c.timeout, CONF_TIMEOUT_DEFAULT);
	ck_assert_uint_eq(c.data_timeout, CONF_DATA_DEFAULT);
}
END_TEST

Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_conf_parse_relay_table, 0,
	    sizeof(relays) / sizeof(relays[0]));
	tcase_add_loop_test(tc, test_conf_parse_duration_table, 0,
	    sizeof(durations) / sizeof(durations[0]));
	tcase_add_test(tc, test_conf_parse_keys);
	tcase_add_loop_test(tc, test_conf_parse_errors_name_line, 0,
	    sizeof(bad_confs) / sizeof(bad_confs[0]));
	tcase_add_test(tc, test_conf_parse_long_line);
	tcase_add_test(tc, test_conf_load_missing);
	tcase_add_test(tc, test_conf_load_file);
	tcase_add_test(tc, test_conf_tls_mx_for);
	tcase_add_loop_test(tc, test_conf_parse_consistent, 0,
	    sizeof(good_confs) / sizeof(good_confs[0]));
	tcase_add_loop_test(tc, test_conf_is_relay_table, 0,
	    sizeof(relay_cases) / sizeof(relay_cases[0]));
	tcase_add_test(tc, test_conf_is_relay_default_port);
	tcase_add_test(tc, test_conf_allows);
	tcase_add_test(tc, test_conf_dump);
	suite_add_tcase(s, tc);
	return s;
}
