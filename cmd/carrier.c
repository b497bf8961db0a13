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
#include <errno.h>
#include <fcntl.h>
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
#include "log.h"
#include "carrier.h"
#include "smtpd.h"

enum arg { ARG_NONE, ARG_REQUIRED, ARG_ATTACHED };

enum mode {
	MODE_DELIVER,		/* -bm, the default */
	MODE_MAILQ,		/* -bp, mailq */
	MODE_VERIFY,		/* -bv */
	MODE_NEWALIASES,	/* -bi, newaliases */
	MODE_QUEUE,		/* -q */
	MODE_SERVERINFO,	/* --serverinfo */
	MODE_SMTP		/* -bs */
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
		    const struct carrier_error *);
static int	config_error(const struct cli *, struct carrier_options *,
		    const char *);
static int	setup(struct cli *, struct conf *, struct carrier_options *);
static int	send_mail(struct cli *, const struct carrier_options *);
static void	alias_warning(void *, const char *);
static int	newaliases(const struct carrier_options *);
static int	verify(struct cli *, const struct carrier_options *);
static int	serverinfo(const struct carrier_options *);
static int	smtp_mode(const struct carrier_options *);
static void	print_lines(const char *, const char *);

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
	(void)fprintf(stderr, "usage: %s [-imntvGU] [-B type] [-bm|p|s|v|i] "
	    "[-C file] [-F name] [-f sender]\n"
	    "       [-N dsn] [-o option] [-R host[:port] | -R full|hdrs] "
	    "[-r sender] [-V envid]\n"
	    "       [-X file] [--relay=host[:port]] [--] [recipient ...]\n"
	    "       %s -q[time]\n"
	    "       %s [-C file] [-R host[:port]] --serverinfo\n"
	    "See carrier(8) for every option.\n", progname, progname,
	    progname);
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

static int
opt_q(struct cli *cli, const char *arg)
{
	(void)arg;	/* -q30m, -qR..., -qI...: all mean "run the queue" */
	cli->mode = MODE_QUEUE;
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

/* sendmail's -oX options: -oi and -oA honoured, the rest accepted. */
static int
opt_o(struct cli *cli, const char *arg)
{
	if (strcmp(arg, "i") == 0)
		return opt_i(cli, NULL);
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
			(void)printf("carrier %s\n", CARRIER_VERSION);
			exit(0);
		}
		if (strcmp(p, "--help") == 0) {
			(void)usage(NULL);
			exit(0);
		}
		if (strcmp(p, "--serverinfo") == 0) {
			cli->mode = MODE_SERVERINFO;
			continue;
		}
		if (strncmp(p, "--relay=", 8) == 0) {
			cli->relay = p + 8;
			continue;
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
 */
static int
report(const struct carrier_envelope *env, const struct carrier_error *err)
{
	char line[STATUS_HOST_MAX + STATUS_TEXT_MAX + 64];
	const struct carrier_error *first_perm = NULL, *first_temp = NULL;
	size_t i, failed = 0;

	for (i = 0; i < env->nrcpts; i++) {
		const struct carrier_error *r = &env->rcpts[i].result;

		if (r->status == CARRIER_OK)
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
	if (err->status != CARRIER_OK)
		(void)fprintf(stderr, "%s: %s (%zu recipient%s not "
		    "delivered)\n", progname,
		    status_format(err, line, sizeof(line)), failed,
		    failed == 1 ? "" : "s");
	if (first_perm != NULL)
		return exit_code(first_perm);
	if (first_temp != NULL)
		return exit_code(first_temp);
	return EX_OK;
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
	char why[256];

	conf_defaults(conf);
	if (conf_load(conf, cli->conf_path != NULL ? cli->conf_path :
	    CONF_PATH_DEFAULT, cli->conf_path != NULL, why,
	    sizeof(why)) != 0)
		return config_error(cli, opts, why);
	carrier_options_init(opts);
	carrier_options_from_conf(opts, conf);
	if (cli->relay != NULL) {
		if (conf_parse_relay(cli->relay, relay_host,
		    sizeof(relay_host), &relay_port, why, sizeof(why)) != 0)
			return usage("-R: %s (or full, hdrs: DSN RET)", why);
		opts->relay_host = relay_host;
		opts->relay_port = relay_port;
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
	int fd;

	if (getuid() != 0)
		return usage("-X is for root only (the file would hold text "
		    "the caller chose); -v writes the transcript to standard "
		    "error");
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1 || (fp = fdopen(fd, "a")) == NULL) {
		(void)fprintf(stderr, "%s: -X %s: %s\n", progname, path,
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
	(void)carrier_deliver(opts, &env, &msg, &err);
	rc = report(&env, &err);
	carrier_message_close(&msg);
	envelope_free(&env);
	return rc;
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
	char err[512];
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
	(void)printf("%s: %s: %zu aliases; read directly at each send, "
	    "there is no database to rebuild\n", progname, opts->aliases, n);
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
		else {
			(void)printf("%s... undeliverable: no relay "
			    "configured (direct MX delivery is not in this "
			    "version)\n", env.rcpts[i].addr);
			rc = EX_CONFIG;
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

int
main(int argc, char **argv)
{
	struct carrier_options opts;
	struct conf conf;
	struct cli cli;
	const char *base = "carrier";
	int rc;

	(void)signal(SIGPIPE, SIG_IGN);
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
	log_set_verbose(cli.verbose);
	if ((rc = setup(&cli, &conf, &opts)) != 0)
		return rc;
	switch (cli.mode) {
	case MODE_MAILQ:
		(void)printf("Mail queue is empty\n");
		return EX_OK;
	case MODE_QUEUE:
		return EX_OK;	/* nothing is ever queued: nothing to run */
	case MODE_NEWALIASES:
		return newaliases(&opts);
	case MODE_VERIFY:
		return verify(&cli, &opts);
	case MODE_SERVERINFO:
		return serverinfo(&opts);
	case MODE_SMTP:
		return smtp_mode(&opts);
	case MODE_DELIVER:
		break;
	}
	return send_mail(&cli, &opts);
}
