/* SPDX-License-Identifier: ISC */
/*
 * carrier: the sendmail-compatible front end.  Parses the command line
 * (one table, sendmail's getopt conventions), reads the configuration,
 * hands the message and envelope to libcarrier, reports each failed
 * recipient on stderr and maps the outcome to a sysexits(3) status, all
 * in one place (exit_code).  No protocol code lives here.
 *
 * Answers to the names carrier, sendmail and mailq (argv[0]).
 */
#include "config.h"	/* first: it says whether <sys/prctl.h> is there */

#include <sys/resource.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "compat.h"
#include "addr.h"
#include "aliases.h"
#include "conf.h"
#include "conn_tls.h"
#include "file.h"
#include "log.h"
#include "priv.h"
#include "carrier.h"
#include "smtpd.h"

#ifndef TLS_SONAME
#define TLS_SONAME	"libtls.so"	/* as conn_tls.c loads it */
#endif

#define SHOWN_MAX	1024	/* a path escaped (log_sanitize) */

enum arg { ARG_NONE, ARG_REQUIRED, ARG_ATTACHED };

enum mode {
	MODE_DELIVER,		/* -bm, the default */
	MODE_MAILQ,		/* -bp, mailq */
	MODE_VERIFY,		/* -bv */
	MODE_NEWALIASES,	/* -bi, newaliases */
	MODE_QUEUE,		/* -q, -q30m, --run-queue */
	MODE_SERVERINFO,	/* --serverinfo */
	MODE_SMTP,		/* -bs */
	MODE_VERSION,		/* --version */
	MODE_DUMP		/* --dump-config */
};

struct cli {
	enum mode	 mode;
	const char	*conf_path;
	const char	*relay;		/* -R host[:port] */
	const char	*sender;	/* -f / -r */
	const char	*fullname;	/* -F */
	const char	*envid;		/* -V, DSN ENVID */
	const char	*aliases;	/* -oA */
	const char	*xfile;		/* -X */
	const char	*syslog_tag;	/* -L */
	unsigned int	 notify;	/* -N, DSN NOTIFY bits */
	enum envelope_ret ret;		/* -R full|hdrs, DSN RET */
	unsigned int	 msg_flags;
	enum { OD_INTERACTIVE, OD_BACKGROUND, OD_QUEUE } od; /* -od */
	struct carrier_queue_select qsel;	/* -q, -qI, -qR, -qS */
	unsigned int	 qinterval;	/* -q30m: seconds; 0: one run */
	int		 run_queue;	/* --run-queue (the timer, cron) */
	int		 verbose;
	int		 noalias;	/* -n */
	char		**rcpts;
	int		 nrcpts;
};

struct option {
	char		 letter;
	enum arg	 arg;
	int		(*fn)(struct cli *, const char *);
};

static int	opt_b(struct cli *, const char *);
static int	opt_B(struct cli *, const char *);
static int	opt_F(struct cli *, const char *);
static int	opt_h(struct cli *, const char *);
static int	opt_n(struct cli *, const char *);
static int	opt_q(struct cli *, const char *);
static int	opt_t(struct cli *, const char *);
static int	opt_X(struct cli *, const char *);
static int	opt_ignore(struct cli *, const char *);
static int	opt_I(struct cli *, const char *);
static int	opt_L(struct cli *, const char *);
static int	open_xfile(const char *);
static int	opt_C(struct cli *, const char *);
static int	opt_f(struct cli *, const char *);
static int	opt_i(struct cli *, const char *);
static int	opt_N(struct cli *, const char *);
static int	opt_V(struct cli *, const char *);
static int	opt_o(struct cli *, const char *);
static int	opt_R(struct cli *, const char *);
static int	opt_v(struct cli *, const char *);
static int	parse_args(struct cli *, int, char **);
static int	usage(const char *, ...) __attribute__((format(printf, 1, 2)));
static int	exit_code(const struct carrier_error *);
static int	report(const struct carrier_envelope *,
		    const struct carrier_error *, int, const char *);
static int	check_conf_path(const struct cli *, struct carrier_options *,
		    const char *, char *);
static int	conf_from_file(const struct cli *, struct conf *,
		    struct carrier_options *);
static int	setup(struct cli *, struct conf *, struct carrier_options *);
static int	send_mail(struct cli *, const struct carrier_options *);
static int	deliver(struct cli *, const struct carrier_options *,
		    struct carrier_envelope *, struct carrier_message *,
		    struct carrier_error *);
static pid_t	detach(void);
static void	background_run(const struct carrier_options *,
		    struct carrier_message *);
static int	no_spool(const struct carrier_options *);
static int	queue_mode(struct cli *, const struct carrier_options *);
static int	list_one(const struct carrier_queue_entry *, void *);
static int	mailq(const struct carrier_options *);
static int	config_error(const struct cli *, struct carrier_options *,
		    const char *);
static void	alias_warning(void *, const char *);
static int	newaliases(const struct carrier_options *);
static int	verify(struct cli *, const struct carrier_options *);
static int	serverinfo(const struct carrier_options *);
static int	smtp_mode(const struct carrier_options *);
static void	print_lines(const char *, const char *);
static int	std_fds(void);
static const char *conf_shown(const struct cli *, char *, size_t);
static int	version(const struct cli *);
static int	dump_config(const struct cli *, const struct conf *,
		    const struct carrier_options *);
static void	no_core(void);

static const char *progname = "carrier";

/*
 * Every classic sendmail option, as carrier treats it; see carrier(8).
 * opt_ignore marks options that mean nothing for carrier and are
 * accepted so that callers keep working.
 */
static const struct option options[] = {
	{ 'A', ARG_REQUIRED, opt_ignore },	/* submit.cf or sendmail.cf */
	{ 'B', ARG_REQUIRED, opt_B },	/* body type */
	{ 'b', ARG_REQUIRED, opt_b },	/* mode */
	{ 'C', ARG_REQUIRED, opt_C },	/* configuration file */
	{ 'c', ARG_NONE, opt_ignore },	/* obsolete: hold expensive mail */
	{ 'D', ARG_REQUIRED, opt_ignore },	/* debug log file */
	{ 'd', ARG_ATTACHED, opt_ignore },	/* debug levels */
	{ 'e', ARG_REQUIRED, opt_ignore },	/* error mode */
	{ 'F', ARG_REQUIRED, opt_F },	/* full name */
	{ 'f', ARG_REQUIRED, opt_f },	/* envelope sender */
	{ 'G', ARG_NONE, opt_ignore },	/* relayed (gateway) submission */
	{ 'h', ARG_REQUIRED, opt_h },	/* hop count */
	{ 'I', ARG_NONE, opt_I },	/* -bi */
	{ 'i', ARG_NONE, opt_i },	/* a lone "." does not end input */
	{ 'L', ARG_REQUIRED, opt_L },	/* syslog tag */
	{ 'M', ARG_REQUIRED, opt_ignore },	/* macro definition */
	{ 'm', ARG_NONE, opt_ignore },	/* me too */
	{ 'N', ARG_REQUIRED, opt_N },	/* DSN NOTIFY */
	{ 'n', ARG_NONE, opt_n },	/* no aliasing */
	{ 'O', ARG_REQUIRED, opt_ignore },	/* long option */
	{ 'o', ARG_REQUIRED, opt_o },	/* -oX option */
	{ 'p', ARG_REQUIRED, opt_ignore },	/* protocol and host */
	{ 'Q', ARG_ATTACHED, opt_ignore },	/* quarantine */
	{ 'q', ARG_ATTACHED, opt_q },	/* queue run */
	{ 'R', ARG_REQUIRED, opt_R },	/* relay, or DSN RET full|hdrs */
	{ 'r', ARG_REQUIRED, opt_f },	/* obsolete -f */
	{ 's', ARG_NONE, opt_ignore },	/* obsolete: keep "From " lines */
	{ 'T', ARG_REQUIRED, opt_ignore },	/* obsolete: queue timeout */
	{ 't', ARG_NONE, opt_t },	/* recipients from the header */
	{ 'U', ARG_NONE, opt_ignore },	/* initial user submission */
	{ 'V', ARG_REQUIRED, opt_V },	/* DSN ENVID */
	{ 'v', ARG_NONE, opt_v },	/* transcript on stderr */
	{ 'X', ARG_REQUIRED, opt_X },	/* transcript to a file */
};

static int
usage(const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		(void)fprintf(stderr, "%s: ", progname);
		va_start(ap, fmt);
		(void)vfprintf(stderr, fmt, ap);
		va_end(ap);
		(void)fputc('\n', stderr);
	}
	/* the SYNOPSIS of carrier(8), in its order */
	(void)fprintf(stderr, "usage: %s [-imntvGU] [-B type] [-bm|p|s|v|i] "
	    "[-C file] [-F name]\n"
	    "       [-f sender] [-h count] [-L tag] [-N dsn] [-oApath] "
	    "[-o option]\n"
	    "       [-R host[:port] | -R full|hdrs] [-r sender] [-V envid] "
	    "[-X file]\n"
	    "       [--relay[=]host[:port]] [--] [recipient ...]\n"
	    "       %s -q[time]\n"
	    "       %s [-C file] [-R host[:port]] --serverinfo | "
	    "--dump-config\n"
	    "       %s --version | --help\n"
	    "See carrier(8) for every option.\n", progname, progname,
	    progname, progname);
	return EX_USAGE;
}

static int
opt_b(struct cli *cli, const char *arg)
{
	if (strcmp(arg, "m") == 0)
		cli->mode = MODE_DELIVER;
	else if (strcmp(arg, "p") == 0)
		cli->mode = MODE_MAILQ;
	else if (strcmp(arg, "v") == 0)
		cli->mode = MODE_VERIFY;
	else if (strcmp(arg, "i") == 0)
		cli->mode = MODE_NEWALIASES;
	else if (strcmp(arg, "s") == 0)
		cli->mode = MODE_SMTP;
	else if (strcmp(arg, "d") == 0 || strcmp(arg, "D") == 0)
		return usage("-b%s: carrier is not a daemon and does not "
		    "listen for mail", arg);
	else
		return usage("-b%s is not supported", arg);
	return 0;
}

/* -I: sendmail's older name for -bi */
static int
opt_I(struct cli *cli, const char *arg)
{
	(void)arg;
	cli->mode = MODE_NEWALIASES;
	return 0;
}

static int
opt_B(struct cli *cli, const char *arg)
{
	(void)cli;
	/* carrier sees for itself whether the text is 8-bit */
	if (strcasecmp(arg, "7BIT") == 0 || strcasecmp(arg, "8BITMIME") == 0)
		return 0;
	return usage("-B %s: expected 7BIT or 8BITMIME", arg);
}

static int
opt_F(struct cli *cli, const char *arg)
{
	cli->fullname = arg;
	return 0;
}

static int
opt_h(struct cli *cli, const char *arg)
{
	char *end;

	(void)cli;
	errno = 0;
	(void)strtoul(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0)
		return usage("-h %s: expected a hop count", arg);
	return 0;
}

static int
opt_ignore(struct cli *cli, const char *arg)
{
	(void)cli;
	(void)arg;
	return 0;
}

/* A tag syslog cannot take keeps "carrier": no mail is refused for it. */
static int
opt_L(struct cli *cli, const char *arg)
{
	cli->syslog_tag = maillog_tag_ok(arg) ? arg : NULL;
	return 0;
}

static int
opt_n(struct cli *cli, const char *arg)
{
	(void)arg;
	cli->noalias = 1;
	return 0;
}

/*
 * -q: every queued message now; -qIid, -qRrcpt, -qSsender: those that
 * match, now; -q30m: a run every 30 minutes, each honouring the
 * back-off; -qf: -q (in the foreground, as carrier always is).
 */
static int
opt_q(struct cli *cli, const char *arg)
{
	cli->mode = MODE_QUEUE;
	cli->qsel.all = 1;
	if (arg == NULL || arg[0] == '\0' || strcmp(arg, "f") == 0)
		return 0;
	if (arg[1] == '\0' && strchr("IRS", arg[0]) != NULL)
		return usage("-q%s needs a value (-q%sVALUE)", arg, arg);
	switch (arg[0]) {
	case 'I':
		cli->qsel.id = arg + 1;
		return 0;
	case 'R':
		cli->qsel.rcpt = arg + 1;
		return 0;
	case 'S':
		cli->qsel.sender = arg + 1;
		return 0;
	}
	if (conf_parse_duration(arg, &cli->qinterval) != 0)
		return usage("-q%s: expected -q, -qI, -qR, -qS or an interval "
		    "such as -q30m", arg);
	cli->qsel.all = 0;
	return 0;
}

static int
opt_t(struct cli *cli, const char *arg)
{
	(void)arg;
	cli->msg_flags |= CARRIER_SUBMIT_T;
	return 0;
}

static int
opt_X(struct cli *cli, const char *arg)
{
	cli->xfile = arg;
	return 0;
}

static int
opt_C(struct cli *cli, const char *arg)
{
	cli->conf_path = arg;
	return 0;
}

static int
opt_f(struct cli *cli, const char *arg)
{
	cli->sender = arg;
	return 0;
}

static int
opt_i(struct cli *cli, const char *arg)
{
	(void)arg;
	cli->msg_flags &= ~MESSAGE_DOT_ENDS;
	return 0;
}

/*
 * sendmail's -oX options: -oi, -oA and -od (delivery mode) honoured, the
 * rest accepted.
 */
static int
opt_o(struct cli *cli, const char *arg)
{
	if (strcmp(arg, "i") == 0)
		return opt_i(cli, NULL);
	if (arg[0] == 'd') {
		if (strcmp(arg, "di") == 0 || strcmp(arg, "d") == 0)
			cli->od = OD_INTERACTIVE;
		else if (strcmp(arg, "db") == 0)
			cli->od = OD_BACKGROUND;
		else if (strcmp(arg, "dq") == 0 || strcmp(arg, "dd") == 0)
			cli->od = OD_QUEUE;
		else
			return usage("-o%s: expected -odi, -odb, -odq or -odd",
			    arg);
	}
	if (arg[0] == 'A') {
		if (arg[1] != '/')
			return usage("-oA needs an absolute path");
		cli->aliases = arg + 1;
	}
	return 0;
}

static int
opt_N(struct cli *cli, const char *arg)
{
	if (envelope_parse_notify(arg, &cli->notify) != 0)
		return usage("-N %s: expected never, or success, failure "
		    "and delay joined by commas", arg);
	return 0;
}

/*
 * -R is sendmail's DSN RET (full, hdrs; msmtp also takes headers) and
 * carrier's relay: the three words mean RET, anything else a relay.
 */
static int
opt_R(struct cli *cli, const char *arg)
{
	if (strcasecmp(arg, "full") == 0)
		cli->ret = ENVELOPE_RET_FULL;
	else if (strcasecmp(arg, "hdrs") == 0 ||
	    strcasecmp(arg, "headers") == 0)
		cli->ret = ENVELOPE_RET_HDRS;
	else
		cli->relay = arg;
	return 0;
}

static int
opt_V(struct cli *cli, const char *arg)
{
	const char *p;

	for (p = arg; *p != '\0'; p++)
		if (*p < '!' || *p > '~')
			break;
	if (*p != '\0' || p == arg || strlen(arg) > ENVELOPE_ENVID_MAX)
		return usage("-V: an envelope id is 1 to %d printable ASCII "
		    "characters", ENVELOPE_ENVID_MAX);
	cli->envid = arg;
	return 0;
}

static int
opt_v(struct cli *cli, const char *arg)
{
	(void)arg;
	cli->verbose++;
	return 0;
}

/* sendmail's getopt rules: clustered letters, "-xARG" or "-x ARG". */
static int
parse_args(struct cli *cli, int argc, char **argv)
{
	const struct option *o;
	const char *p, *arg;
	size_t k;
	int i, rc;

	for (i = 1; i < argc; i++) {
		p = argv[i];
		if (strcmp(p, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(p, "--version") == 0) {
			cli->mode = MODE_VERSION;
			continue;
		}
		if (strcmp(p, "--dump-config") == 0) {
			cli->mode = MODE_DUMP;
			continue;
		}
		if (strcmp(p, "--help") == 0) {
			(void)usage(NULL);
			exit(0);
		}
		if (strcmp(p, "--run-queue") == 0) {
			cli->mode = MODE_QUEUE;	/* one run, back-off kept */
			cli->run_queue = 1;
			continue;
		}
		if (strcmp(p, "--serverinfo") == 0) {
			cli->mode = MODE_SERVERINFO;
			continue;
		}
		if (strncmp(p, "--relay=", 8) == 0) {
			cli->relay = p + 8;
			continue;
		}
		if (strcmp(p, "--relay") == 0) {
			if (++i >= argc)
				return usage("option --relay needs a value");
			cli->relay = argv[i];
			continue;
		}
		if (strncmp(p, "--", 2) == 0) {
			char shown[64];

			log_sanitize(shown, sizeof(shown), p, strlen(p));
			return usage("unknown option %s", shown);
		}
		if (p[0] != '-' || p[1] == '\0')
			break;
		for (p++; *p != '\0'; p++) {
			for (o = NULL, k = 0; k < sizeof(options) /
			    sizeof(options[0]); k++)
				if (options[k].letter == *p)
					o = &options[k];
			if (o == NULL)
				return usage("unknown option -%c", *p);
			arg = NULL;
			if (o->arg != ARG_NONE && p[1] != '\0')
				arg = p + 1;
			else if (o->arg == ARG_REQUIRED) {
				if (++i >= argc)
					return usage("option -%c needs a "
					    "value", *p);
				arg = argv[i];
			}
			if ((rc = o->fn(cli, arg)) != 0)
				return rc;
			if (o->arg != ARG_NONE)
				break;
		}
	}
	cli->rcpts = argv + i;
	cli->nrcpts = argc - i;
	return 0;
}

/* The sysexits(3) status for one failure: the only such mapping. */
static int
exit_code(const struct carrier_error *e)
{
	int perm = e->status == CARRIER_PERM;

	if (e->protocol && !perm)
		return EX_PROTOCOL;	/* a reply that is not SMTP */
	switch (e->phase) {
	case PHASE_USAGE:
		return EX_USAGE;
	case PHASE_CONFIG:
		return EX_CONFIG;
	case PHASE_INPUT:
		return perm ? EX_DATAERR : EX_IOERR;
	case PHASE_LOCAL:
		return EX_IOERR;
	case PHASE_RESOLVE:
		return perm ? EX_NOHOST : EX_TEMPFAIL;
	case PHASE_RCPT:
		return perm ? EX_NOUSER : EX_TEMPFAIL;
	default:
		return perm ? EX_UNAVAILABLE : EX_TEMPFAIL;
	}
}

/*
 * Writes one line per failed recipient (or one line for a failure of the
 * whole session) and returns the exit status: that of the first
 * permanent failure, else EX_TEMPFAIL-like of the first temporary one.
 * Recipients in the queue (deferred, with queued set) are no failure:
 * the caller has said so.  notq (or NULL) says why the deferred ones
 * could not be queued: on the session's line, else a line of its own.
 */
static int
report(const struct carrier_envelope *env, const struct carrier_error *err,
    int queued, const char *notq)
{
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];
	const struct carrier_error *first_perm = NULL, *first_temp = NULL;
	size_t i, failed = 0;

	for (i = 0; i < env->nrcpts; i++) {
		const struct carrier_error *r = &env->rcpts[i].result;

		if (r->status == CARRIER_OK || (queued &&
		    env->rcpts[i].state == ENVELOPE_DEFERRED))
			continue;
		failed++;
		if (r->status == CARRIER_PERM && first_perm == NULL)
			first_perm = r;
		if (r->status == CARRIER_TEMP && first_temp == NULL)
			first_temp = r;
		if (err->status == CARRIER_OK)
			(void)fprintf(stderr, "%s: %s: %s\n", progname,
			    env->rcpts[i].addr,
			    status_format(r, line, sizeof(line)));
	}
	if (err->status != CARRIER_OK && failed > 0)
		(void)fprintf(stderr, "%s: %s (%zu recipient%s not "
		    "delivered%s%s)\n", progname,
		    status_format(err, line, sizeof(line)), failed,
		    failed == 1 ? "" : "s", notq != NULL ? "; " : "",
		    notq != NULL ? notq : "");
	else if (notq != NULL)
		(void)fprintf(stderr, "%s: %s\n", progname, notq);
	if (first_perm != NULL)
		return exit_code(first_perm);
	if (first_temp != NULL)
		return exit_code(first_temp);
	return EX_OK;
}

/*
 * -C from a caller other than root: only a file that the system
 * configuration's allow_config lists (as Postfix's
 * alternate_config_directories), else EX_NOPERM.  A file of the
 * caller's choosing could run any auth_password_command, or send the
 * mail elsewhere (a web application passing on an attacker's argument,
 * as in CVE-2016-10033).  What is checked is the path resolved, written
 * to real (PATH_MAX octets) for the caller to open: opening the path
 * given again would follow a symbolic link the caller may have changed
 * since.  shown: the path escaped.  Returns 0 or the exit status.
 */
static int
check_conf_path(const struct cli *cli, struct carrier_options *opts,
    const char *shown, char *real)
{
	struct conf sys;
	char why[256];

	conf_defaults(&sys);
	if (conf_load(&sys, CONF_PATH_DEFAULT, 0, why, sizeof(why)) != 0)
		return config_error(cli, opts, why);
	if (realpath(cli->conf_path, real) != NULL && conf_allows(&sys, real))
		return 0;
	(void)fprintf(stderr, "%s: -C %s: not allowed: only root may name a "
	    "configuration file that allow_config in %s does not list\n",
	    progname, shown, CONF_PATH_DEFAULT);
	return EX_NOPERM;
}

/*
 * Whether fd is the file at path, a path without links: a directory on
 * the way that was swapped for a link after the check would lead the
 * open elsewhere, and the kernel's name for what was opened says so.
 * Without /proc the open's O_NOFOLLOW alone stands.
 */
static int
opened_as(int fd, const char *path)
{
	char link[64], got[PATH_MAX];
	ssize_t n;

	(void)snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, got, sizeof(got) - 1)) == -1)
		return errno == ENOENT;
	got[n] = '\0';
	return strcmp(got, path) == 0;
}

/*
 * -C file: read through one descriptor, for a caller other than root
 * the resolved path that check_conf_path allowed, opened without
 * following a link.  The caller chose the name: messages escape it.
 */
static int
conf_from_file(const struct cli *cli, struct conf *conf,
    struct carrier_options *opts)
{
	char real[PATH_MAX], shown[SHOWN_MAX], why[SHOWN_MAX + 256];
	const char *path = cli->conf_path;
	char *text;
	size_t len;
	int fd, rc, flags = O_RDONLY | O_CLOEXEC;

	log_sanitize(shown, sizeof(shown), path, strlen(path));
	/* root, or what is read without -C anyway: no check */
	if (getuid() != 0 && strcmp(path, CONF_PATH_DEFAULT) != 0) {
		if ((rc = check_conf_path(cli, opts, shown, real)) != 0)
			return rc;
		path = real;
		flags |= O_NOFOLLOW;
	}
	if ((fd = open(path, flags)) == -1) {
		(void)snprintf(why, sizeof(why), "%s: %s", shown,
		    strerror(errno));
		return config_error(cli, opts, why);
	}
	if (path == real && !opened_as(fd, real)) {
		(void)close(fd);
		(void)fprintf(stderr, "%s: -C %s: not allowed: the path "
		    "changed while it was checked\n", progname, shown);
		return EX_NOPERM;
	}
	rc = file_read_fd(fd, cli->conf_path, CONF_FILE_MAX, &text, &len, why,
	    sizeof(why));
	(void)close(fd);
	if (rc == -1)
		return config_error(cli, opts, why);
	rc = conf_parse(conf, shown, text, len, why, sizeof(why));
	free(text);
	return rc == 0 ? 0 : config_error(cli, opts, why);
}

/*
 * A configuration that cannot be loaded: said on stderr and, as the
 * administrator must act, in the mail log with its defaults.
 */
static int
config_error(const struct cli *cli, struct carrier_options *opts,
    const char *why)
{
	struct carrier_envelope env = { 0 };
	struct carrier_error err;

	(void)fprintf(stderr, "%s: %s\n", progname, why);
	carrier_options_init(opts);
	opts->syslog_tag = cli->syslog_tag;
	(void)status_set(&err, CARRIER_PERM, PHASE_CONFIG, "%s", why);
	carrier_log_refused(opts, &env, &err);
	return EX_CONFIG;
}

/* Reads the configuration and applies the command line over it. */
static int
setup(struct cli *cli, struct conf *conf, struct carrier_options *opts)
{
	static char relay_host[CONF_HOST_MAX];
	unsigned int relay_port;
	char why[256], shown[SHOWN_MAX];
	int rc;

	conf_defaults(conf);
	if (cli->conf_path != NULL) {
		if ((rc = conf_from_file(cli, conf, opts)) != 0)
			return rc;
	} else if (conf_load(conf, CONF_PATH_DEFAULT, 0, why,
	    sizeof(why)) != 0)
		return config_error(cli, opts, why);
	log_note("configuration %s", conf_shown(cli, shown, sizeof(shown)));
	carrier_options_init(opts);
	carrier_options_from_conf(opts, conf);
	if (cli->relay != NULL) {
		if (conf_parse_relay(cli->relay, relay_host,
		    sizeof(relay_host), &relay_port, why, sizeof(why)) != 0)
			return usage("-R: %s (or full, hdrs: DSN RET)", why);
		opts->relay_host = relay_host;
		opts->relay_port = relay_port;
		/* the credentials go only to the relay their file names */
		if (opts->auth_user != NULL && !conf_is_relay(conf, relay_host,
		    relay_port)) {
			(void)fprintf(stderr, "%s: -R names another relay than "
			    "the configuration's: no AUTH, its credentials are "
			    "not sent there\n", progname);
			opts->auth_user = NULL;
			opts->auth_password_file = NULL;
			opts->auth_password_command = NULL;
		}
	}
	if (cli->aliases != NULL)
		opts->aliases = cli->aliases;
	if (cli->noalias)
		opts->aliases = NULL;
	opts->syslog_tag = cli->syslog_tag;
	if (cli->xfile != NULL)
		return open_xfile(cli->xfile);
	return 0;
}

/*
 * The configuration file read, escaped (-C names it) into buf, with a
 * note when it is not there.
 */
static const char *
conf_shown(const struct cli *cli, char *buf, size_t size)
{
	const char *path = cli->conf_path != NULL ? cli->conf_path :
	    CONF_PATH_DEFAULT;
	size_t n;

	n = log_sanitize(buf, size, path, strlen(path));
	if (access(path, F_OK) != 0)
		(void)strlcpy(buf + n, " (not there: the defaults)", size - n);
	return buf;
}

/* --version: the version, the libtls it would load, the config file. */
static int
version(const struct cli *cli)
{
	char why[256], shown[SHOWN_MAX];

	(void)printf("carrier %s\n", CARRIER_VERSION);
	if (conn_tls_load(why, sizeof(why)) == 0)
		(void)printf("libtls: %s\n", TLS_SONAME);
	else
		(void)printf("libtls: none, no TLS (%s)\n", why);
	(void)printf("configuration: %s\n", conf_shown(cli, shown,
	    sizeof(shown)));
	return EX_OK;
}

/*
 * --dump-config: the settings in effect (the file, then -R, -oA and -n
 * over it) as carrier.conf lines; never a secret (conf_dump).
 */
static int
dump_config(const struct cli *cli, const struct conf *conf,
    const struct carrier_options *opts)
{
	static struct conf c;
	static char text[16384];
	char shown[SHOWN_MAX];

	c = *conf;
	if (opts->relay_host != NULL) {
		(void)strlcpy(c.relay_host, opts->relay_host,
		    sizeof(c.relay_host));
		c.relay_port = opts->relay_port;
	}
	if (opts->auth_user == NULL) {	/* none, or not for this relay */
		c.auth_user[0] = '\0';
		c.auth_password_file[0] = '\0';
		c.auth_password_command[0] = '\0';
	}
	if (opts->aliases != NULL)
		(void)strlcpy(c.aliases, opts->aliases, sizeof(c.aliases));
	(void)printf("# carrier %s: the settings in effect, from %s\n",
	    CARRIER_VERSION, conf_shown(cli, shown, sizeof(shown)));
	if (conf_dump(&c, text, sizeof(text)) >= sizeof(text))
		return EX_SOFTWARE;
	(void)fputs(text, stdout);
	if (opts->aliases == NULL)
		(void)printf("# -n: no aliases file is read\n");
	return EX_OK;
}

/*
 * -X: the transcript appended to a file, for root only.  The transcript
 * holds text the caller chooses (-f, recipients, -bs commands), so -X
 * would let a program that passes on untrusted input to sendmail (PHP's
 * mail() fifth argument, CVE-2016-10033) write a script anywhere it may
 * write; Postfix and Exim ignore -X for that reason.  -v shows the same.
 * No symbolic link is followed, and a new file is made mode 600.
 */
static int
open_xfile(const char *path)
{
	FILE *fp;
	char shown[SHOWN_MAX];
	int fd;

	if (getuid() != 0)
		return usage("-X is for root only (the file would hold text "
		    "the caller chose); -v writes the transcript to standard "
		    "error");
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1 || (fp = fdopen(fd, "a")) == NULL) {
		log_sanitize(shown, sizeof(shown), path, strlen(path));
		(void)fprintf(stderr, "%s: -X %s: %s\n", progname, shown,
		    strerror(errno));
		if (fd != -1)
			(void)close(fd);
		return EX_CANTCREAT;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	log_set_file(fp);
	return 0;
}

static int
send_mail(struct cli *cli, const struct carrier_options *opts)
{
	struct carrier_envelope env = { 0 };
	struct carrier_message msg = { .fd = -1 };
	struct carrier_submit sub;
	struct carrier_error err;
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];
	int rc;

	status_clear(&err);
	if (cli->nrcpts == 0 && !(cli->msg_flags & CARRIER_SUBMIT_T))
		return usage("no recipients given (and no -t)");
	if (envelope_init(&env) == -1) {
		(void)fprintf(stderr, "%s: %s\n", progname, strerror(errno));
		return EX_OSERR;
	}
	env.ret = cli->ret;
	env.notify = cli->notify;
	if (cli->envid != NULL)
		(void)strlcpy(env.envid, cli->envid, sizeof(env.envid));
	memset(&sub, 0, sizeof(sub));
	sub.flags = cli->msg_flags;
	sub.sender = cli->sender;
	sub.fullname = cli->fullname;
	sub.rcpts = cli->rcpts;
	sub.nrcpts = (size_t)cli->nrcpts;
	if (carrier_submit(opts, &sub, STDIN_FILENO, &msg, &env, &err) !=
	    CARRIER_OK) {
		(void)fprintf(stderr, "%s: %s\n", progname,
		    status_format(&err, line, sizeof(line)));
		carrier_log_refused(opts, &env, &err);
		envelope_free(&env);
		return exit_code(&err);
	}
	rc = deliver(cli, opts, &env, &msg, &err);
	carrier_message_close(&msg);
	envelope_free(&env);
	return rc;
}

/*
 * Tries the message now (-odi), or puts it in the queue first (-odq;
 * -odb, then tried by a detached child); recipients put off are queued.
 * Returns the exit status: 0 once every recipient was accepted or is
 * safe in the queue.
 */
static int
deliver(struct cli *cli, const struct carrier_options *opts,
    struct carrier_envelope *env, struct carrier_message *msg,
    struct carrier_error *err)
{
	struct carrier_options o = *opts;
	struct carrier_error qerr;
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];
	size_t i, deferred = 0;

	o.log_later = 1;
	status_clear(&qerr);
	if (cli->od != OD_INTERACTIVE) {
		if (carrier_queue_add(&o, env, msg, 0, &qerr) != CARRIER_OK) {
			(void)fprintf(stderr, "%s: %s\n", progname,
			    status_format(&qerr, line, sizeof(line)));
			return EX_TEMPFAIL;	/* not kept: try again */
		}
		if (cli->od == OD_BACKGROUND)
			background_run(&o, msg);
		return EX_OK;
	}
	(void)carrier_deliver(&o, env, msg, err);
	if (carrier_queue_deferred(&o, env, msg, &deferred, &qerr) !=
	    CARRIER_OK)
		return report(env, err, 0, qerr.text);
	if (deferred > 0) {
		const struct carrier_error *why = err;

		for (i = 0; err->status == CARRIER_OK && i < env->nrcpts; i++)
			if (env->rcpts[i].state == ENVELOPE_DEFERRED) {
				why = &env->rcpts[i].result;
				break;
			}
		(void)fprintf(stderr, "%s: queued as %s, %zu recipient%s to "
		    "be tried again: %s\n", progname, msg->queue_id,
		    deferred, deferred == 1 ? "" : "s",
		    status_format(why, line, sizeof(line)));
	}
	return report(env, err, deferred > 0, NULL);
}

/*
 * Forks a child detached from the caller: a session of its own, and
 * /dev/null on descriptors 0-2.  A caller that reads carrier's output
 * through a pipe, as $(...) does, waits until every process holding the
 * pipe has closed it, so a child that kept the caller's descriptors
 * would hold it for its whole run.  /dev/null is opened before the fork:
 * without it there is no child, never one with the caller's
 * descriptors.  Returns as fork(2) does (-1 with errno).
 */
static pid_t
detach(void)
{
	pid_t pid;
	int fd, e;

	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	(void)fflush(NULL);	/* nothing buffered is written twice */
	if ((pid = fork()) != 0) {
		e = errno;
		(void)close(fd);
		errno = e;
		return pid;
	}
	(void)setsid();
	/* dup2 leaves the copies without close-on-exec */
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		(void)close(fd);
	return 0;
}

/*
 * -odb: the message is in the queue; a detached child tries it now,
 * and the caller goes on at once.
 */
static void
background_run(const struct carrier_options *opts,
    struct carrier_message *msg)
{
	struct carrier_queue_select sel;
	struct carrier_queue_stats st;
	struct carrier_error err;
	char id[QENV_ID_MAX];

	(void)strlcpy(id, msg->queue_id, sizeof(id));
	carrier_message_close(msg);	/* its lock: the child's to take */
	if (detach() != 0)
		return;	/* the caller (no child: the next run) */
	memset(&sel, 0, sizeof(sel));
	sel.all = 1;
	sel.id = id;
	(void)carrier_queue_run(opts, &sel, &st, &err);
	_exit(0);
}

/* Whether the spool directory is not there at all. */
static int
no_spool(const struct carrier_options *opts)
{
	return opts->spool != NULL && access(opts->spool, F_OK) == -1 &&
	    errno == ENOENT;
}

/*
 * -q, -q30m, --run-queue: runs the queue once, or every interval (as
 * sendmail, in a detached process unless -v keeps it in the
 * foreground).  Without a spool there is nothing to run.  A person who
 * typed -q is told so (EX_CONFIG): a -q that says nothing reassures
 * falsely.  --run-queue, which the systemd timer and the cron line run
 * every 5 minutes, stays silent, so a system without a spool is not
 * mailed an error each time.
 */
static int
queue_mode(struct cli *cli, const struct carrier_options *opts)
{
	struct carrier_queue_stats st;
	struct carrier_error err;
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];
	char shown[SHOWN_MAX];
	pid_t pid;

	if (no_spool(opts)) {
		log_sanitize(shown, sizeof(shown), opts->spool,
		    strlen(opts->spool));
		if (cli->run_queue) {
			log_note("no spool %s: nothing to deliver", shown);
			return EX_OK;
		}
		(void)fprintf(stderr, "%s: no spool %s: %s; nothing to "
		    "deliver\n", progname, shown, strerror(ENOENT));
		return EX_CONFIG;
	}
	if (cli->qinterval > 0 && !cli->verbose) {
		if ((pid = detach()) == -1) {
			(void)fprintf(stderr, "%s: cannot start the queue "
			    "runner: %s\n", progname, strerror(errno));
			return EX_OSERR;
		}
		if (pid > 0)
			return EX_OK;
	}
	for (;;) {
		if (no_spool(opts))
			;	/* gone since the start: nothing to run */
		else if (carrier_queue_run(opts, &cli->qsel, &st, &err) !=
		    CARRIER_OK) {
			(void)fprintf(stderr, "%s: %s\n", progname,
			    status_format(&err, line, sizeof(line)));
			if (cli->qinterval == 0)
				return exit_code(&err);
		} else if (cli->verbose)
			(void)fprintf(stderr, "%s: queue run: %zu messages "
			    "taken, %zu tried, %zu delivered, %zu bounced, "
			    "%zu still queued (%zu untried: hop down), %zu not "
			    "yet due, %zu busy, %zu set aside\n",
			    progname, st.seen, st.tried, st.delivered,
			    st.bounced, st.deferred, st.suspended, st.notdue,
			    st.busy, st.corrupt);
		if (cli->qinterval == 0)
			return EX_OK;
		(void)sleep(cli->qinterval);
	}
}

/* What mailq adds up while it prints. */
struct listing {
	unsigned long long	bytes;
	size_t			n;
};

/* One message in mailq's form (Postfix's: id, size, arrival, sender,
 * then each recipient still to deliver with its last reason). */
static int
list_one(const struct carrier_queue_entry *e, void *arg)
{
	struct listing *l = arg;
	char when[64], clean[1024], reason[STATUS_HOST_MAX + STATUS_TEXT_MAX +
	    64];
	struct tm tm;
	time_t t;
	size_t i;

	if (l->n++ == 0)
		(void)printf("-Queue ID----------- --Size-- ----Arrival "
		    "Time---- -Sender/Recipient-------\n");
	if (e->q == NULL) {
		log_sanitize(clean, sizeof(clean), e->corrupt,
		    strlen(e->corrupt));
		(void)printf("%-20s  (unreadable: %s; the next queue run sets it "
		    "aside)\n\n", e->id, clean);
		return 0;
	}
	t = e->q->arrival;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%a %b %e %H:%M:%S", &tm) == 0)
		(void)strlcpy(when, "?", sizeof(when));
	l->bytes += e->q->info.size;
	log_sanitize(clean, sizeof(clean), e->env->sender,
	    strlen(e->env->sender));
	(void)printf("%-20s%c%8llu %s  %s\n", e->id, e->busy ? '*' : ' ',
	    (unsigned long long)e->q->info.size, when, clean[0] != '\0' ?
	    clean : "MAILER-DAEMON");
	for (i = 0; i < e->env->nrcpts; i++) {
		const struct carrier_rcpt *r = &e->env->rcpts[i];

		if (r->state == ENVELOPE_DELIVERED)
			continue;
		if (r->state == ENVELOPE_PENDING)
			(void)strlcpy(reason, "not tried yet", sizeof(reason));
		else
			(void)status_format(&r->result, reason,
			    sizeof(reason));
		log_sanitize(clean, sizeof(clean), reason, strlen(reason));
		(void)printf("%*s(%s%s)\n", 52, "", r->state ==
		    ENVELOPE_BOUNCED ? "undeliverable: " : "", clean);
		log_sanitize(clean, sizeof(clean), r->addr, strlen(r->addr));
		(void)printf("%*s%s\n", 52, "", clean);
	}
	(void)printf("\n");
	return 0;
}

/* -bp, mailq: the queue, as Postfix's mailq shows it. */
static int
mailq(const struct carrier_options *opts)
{
	struct listing l = { 0, 0 };
	struct carrier_error err;
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64], shown[SHOWN_MAX];

	if (no_spool(opts)) {
		/* true, but say why: a failure would not have been kept */
		log_sanitize(shown, sizeof(shown), opts->spool,
		    strlen(opts->spool));
		(void)printf("Mail queue is empty\n");
		(void)fprintf(stderr, "%s: there is no spool %s: nothing can "
		    "be queued (see carrier(8), THE QUEUE)\n", progname,
		    shown);
		return EX_OK;
	}
	if (carrier_queue_list(opts, list_one, &l, &err) != CARRIER_OK) {
		(void)fprintf(stderr, "%s: %s\n", progname,
		    status_format(&err, line, sizeof(line)));
		return exit_code(&err);
	}
	if (l.n == 0)
		(void)printf("Mail queue is empty\n");
	else
		(void)printf("-- %llu Kbytes in %zu Request%s.\n",
		    (l.bytes + 1023) / 1024, l.n, l.n == 1 ? "" : "s");
	return EX_OK;
}

static void
alias_warning(void *arg, const char *msg)
{
	(void)arg;
	log_warnx("%s", msg);
}

/*
 * -bi, newaliases: checks the aliases file, which is read directly at
 * each send (there is no database to build); EX_CONFIG when it cannot
 * be read or has entries a send would skip, each named on stderr.
 */
static int
newaliases(const struct carrier_options *opts)
{
	struct aliases *a;
	char err[512], shown[SHOWN_MAX];
	size_t n, bad;

	if (opts->aliases == NULL) {
		(void)printf("%s: no aliases file\n", progname);
		return EX_OK;
	}
	if (aliases_load(&a, opts->aliases, alias_warning, NULL, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		return errno == ENOMEM ? EX_OSERR : EX_CONFIG;
	}
	n = aliases_count(a);
	bad = aliases_errors(a);
	aliases_free(a);
	if (bad > 0) {
		log_warnx("%s: %zu bad entr%s skipped, %zu aliases",
		    opts->aliases, bad, bad == 1 ? "y" : "ies", n);
		return EX_CONFIG;
	}
	/* -oA names the file: escaped, as log_warnx escapes the rest */
	log_sanitize(shown, sizeof(shown), opts->aliases,
	    strlen(opts->aliases));
	(void)printf("%s: %s: %zu aliases; read directly at each send, "
	    "there is no database to rebuild\n", progname, shown, n);
	return EX_OK;
}

/* -bv: where each recipient would go, without sending anything. */
static int
verify(struct cli *cli, const struct carrier_options *opts)
{
	struct carrier_envelope env = { 0 };
	struct carrier_submit sub;
	struct carrier_error err;
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];
	static char text[8192];
	size_t i;
	int rc = EX_OK;

	if (cli->nrcpts == 0)
		return usage("-bv: no recipients given");
	if (envelope_init(&env) == -1)
		return EX_OSERR;
	memset(&sub, 0, sizeof(sub));
	sub.sender = cli->sender;
	sub.rcpts = cli->rcpts;
	sub.nrcpts = (size_t)cli->nrcpts;
	if (carrier_recipients(opts, &sub, &env, &err) != CARRIER_OK) {
		(void)fprintf(stderr, "%s: %s\n", progname,
		    status_format(&err, line, sizeof(line)));
		envelope_free(&env);
		return exit_code(&err);
	}
	for (i = 0; i < env.nrcpts; i++) {
		if (opts->relay_host != NULL)
			(void)printf("%s... deliverable: relay %s%s%s:%u\n",
			    env.rcpts[i].addr,
			    strchr(opts->relay_host, ':') != NULL ? "[" : "",
			    opts->relay_host,
			    strchr(opts->relay_host, ':') != NULL ? "]" : "",
			    opts->relay_port != 0 ? opts->relay_port :
			    opts->tls == CONF_TLS_IMPLICIT ? 465 : 25);
		else if (carrier_route_describe(opts, env.rcpts[i].addr,
		    cli->verbose > 0, text, sizeof(text), &err) ==
		    CARRIER_OK)
			(void)printf("%s... deliverable: %s", env.rcpts[i].addr,
			    text);
		else {
			(void)printf("%s... undeliverable: %s\n%s",
			    env.rcpts[i].addr, status_format(&err, line,
			    sizeof(line)), text);
			if (rc == EX_OK || err.status == CARRIER_PERM)
				rc = exit_code(&err);
		}
	}
	envelope_free(&env);
	return rc;
}

/* Prints text line by line, sanitised, each after prefix. */
static void
print_lines(const char *prefix, const char *text)
{
	char clean[1024];
	size_t len;

	while (*text != '\0') {
		len = strcspn(text, "\n");
		log_sanitize(clean, sizeof(clean), text, len);
		(void)printf("%s%s\n", prefix, clean);
		text += len + (text[len] == '\n');
	}
}

/* --serverinfo: what the relay offers, on stdout. */
static int
serverinfo(const struct carrier_options *opts)
{
	struct carrier_probe p;
	struct carrier_error err;
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];
	const char *nl;

	if (carrier_probe(opts, &p, &err) != CARRIER_OK) {
		(void)fprintf(stderr, "%s: %s\n", progname,
		    status_format(&err, line, sizeof(line)));
		return exit_code(&err);
	}
	(void)printf("server:      %s\n", p.peer);
	print_lines("greeting:    ", p.greeting);
	(void)printf("TLS:         %s%s\n", p.tls, p.starttls_offered ?
	    " (STARTTLS offered)" : "");
	if (strcmp(p.cert, "no certificate") != 0)
		print_lines("certificate: ", p.cert);
	if (p.size_max > 0)
		(void)printf("size limit:  %llu octets (%.1f MiB)\n",
		    p.size_max, (double)p.size_max / 1048576.0);
	/* the server's words: escaped, as every line of theirs is */
	print_lines("AUTH:        ", p.auth[0] != '\0' ? p.auth :
	    "(none offered)");
	if (p.auth[0] != '\0' && !p.tls_active)
		log_warnx("warning: %s offers AUTH without TLS: a password "
		    "sent to it could be read on the way (carrier sends none "
		    "without TLS unless auth_allow_plaintext is yes)", p.peer);
	nl = strchr(p.ehlo, '\n');
	print_lines("extension:   ", nl != NULL ? nl + 1 : "");
	return EX_OK;
}

/*
 * -bs: an SMTP dialogue on standard input and output.  Each message's
 * outcome is told in the dialogue; the exit status says only whether
 * the client ended it with QUIT (0) or not (EX_TEMPFAIL: a message may
 * have been left unfinished, or a reply unread).
 */
static int
smtp_mode(const struct carrier_options *opts)
{
	struct smtpd_params p;
	struct carrier_error err;
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];

	memset(&p, 0, sizeof(p));
	p.opts = opts;
	p.in_fd = STDIN_FILENO;
	p.out_fd = STDOUT_FILENO;
	if (smtpd_run(&p, &err) == CARRIER_OK)
		return EX_OK;
	(void)fprintf(stderr, "%s: -bs: %s\n", progname,
	    status_format(&err, line, sizeof(line)));
	return EX_TEMPFAIL;
}

/*
 * Opens /dev/null on each of descriptors 0-2 that is closed: else the
 * next file or socket opened takes its number, and the -v transcript
 * goes into the SMTP connection, or the message is read from carrier's
 * own temporary file.  Returns the closed ones as bits (1 << fd), or -1.
 */
static int
std_fds(void)
{
	int fd, closed = 0;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		closed |= 1 << fd;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
	}
	return closed;
}

/*
 * No core dump, and no reading of this process's memory by others of
 * its user (ptrace, /proc/pid/mem): it may hold the AUTH secret.
 */
static void
no_core(void)
{
	struct rlimit rl = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &rl);
#ifdef HAVE_SYS_PRCTL_H
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

int
main(int argc, char **argv)
{
	struct carrier_options opts;
	struct conf conf;
	struct cli cli;
	const char *base = "carrier";
	int rc, closed;

	if ((closed = std_fds()) == -1)
		return EX_OSERR;
	no_core();
	if (priv_init() == -1) {
		(void)fprintf(stderr, "%s: setresgid: %s\n", progname,
		    strerror(errno));
		return EX_OSERR;
	}
	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGXFSZ, SIG_IGN);	/* a write past ulimit -f: EFBIG */
	memset(&cli, 0, sizeof(cli));
	cli.msg_flags = MESSAGE_DOT_ENDS;
	if (argc > 0 && argv[0] != NULL) {
		base = strrchr(argv[0], '/');
		base = base != NULL ? base + 1 : argv[0];
	}
	if (strcmp(base, "sendmail") == 0)
		progname = "sendmail";
	else if (strcmp(base, "mailq") == 0)
		cli.mode = MODE_MAILQ;
	else if (strcmp(base, "newaliases") == 0)
		cli.mode = MODE_NEWALIASES;
	if ((rc = parse_args(&cli, argc, argv)) != 0)
		return rc;
	/* a configuration of the caller's: never with carrier's group */
	if (cli.conf_path != NULL && getuid() != 0 && priv_drop() == -1) {
		(void)fprintf(stderr, "%s: setresgid: %s\n", progname,
		    strerror(errno));
		return EX_OSERR;
	}
	if (cli.mode == MODE_VERSION)
		return version(&cli);
	if ((closed & 1) && (cli.mode == MODE_DELIVER || cli.mode ==
	    MODE_SMTP)) {
		(void)fprintf(stderr, "%s: standard input is closed: no "
		    "message to read (for an empty message, give /dev/null)\n",
		    progname);
		return EX_NOINPUT;
	}
	log_set_verbose(cli.verbose);
	if ((rc = setup(&cli, &conf, &opts)) != 0)
		return rc;
	switch (cli.mode) {
	case MODE_MAILQ:
		return mailq(&opts);
	case MODE_QUEUE:
		return queue_mode(&cli, &opts);
	case MODE_NEWALIASES:
		return newaliases(&opts);
	case MODE_VERIFY:
		return verify(&cli, &opts);
	case MODE_SERVERINFO:
		return serverinfo(&opts);
	case MODE_SMTP:
		return smtp_mode(&opts);
	case MODE_DUMP:
		return dump_config(&cli, &conf, &opts);
	case MODE_VERSION:	/* done above */
	case MODE_DELIVER:
		break;
	}
	return send_mail(&cli, &opts);
}
