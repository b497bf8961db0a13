/* SPDX-License-Identifier: ISC */
/* check_conf.c: the configuration parser, relay and duration syntax. */
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
	{ "tls_verify maybe\n", "t:1: invalid tls_verify \"maybe\" "
	    "(expected yes or no)" },
};

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
	suite_add_tcase(s, tc);
	return s;
}
