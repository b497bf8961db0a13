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
#include "conf.h"
#include "log.h"
#include "carrier.h"

enum arg { ARG_NONE, ARG_REQUIRED, ARG_ATTACHED };

struct cli {
	const char	*conf_path;
	const char	*relay;		/* -R host[:port] */
	const char	*sender;	/* -f / -r */
	const char	*envid;		/* -V, DSN ENVID */
	unsigned int	 notify;	/* -N, DSN NOTIFY bits */
	enum envelope_ret ret;		/* -R full|hdrs, DSN RET */
	unsigned int	 msg_flags;
	int		 verbose;
	int		 serverinfo;	/* --serverinfo */
	char		**rcpts;
	int		 nrcpts;
};

struct option {
	char		 letter;
	enum arg	 arg;
	int		(*fn)(struct cli *, const char *);
};

static int	opt_b(struct cli *, const char *);
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
static int	send_mail(struct cli *);
static int	serverinfo(const struct carrier_options *);
static void	print_lines(const char *, const char *);

static const char *progname = "carrier";

/* The sendmail options carrier implements; see carrier(8). */
static const struct option options[] = {
	{ 'b', ARG_REQUIRED, opt_b },	/* mode */
	{ 'C', ARG_REQUIRED, opt_C },	/* configuration file */
	{ 'f', ARG_REQUIRED, opt_f },	/* envelope sender */
	{ 'i', ARG_NONE, opt_i },	/* a lone "." does not end input */
	{ 'N', ARG_REQUIRED, opt_N },	/* DSN NOTIFY */
	{ 'o', ARG_REQUIRED, opt_o },	/* -oX option */
	{ 'R', ARG_REQUIRED, opt_R },	/* relay, or DSN RET full|hdrs */
	{ 'r', ARG_REQUIRED, opt_f },	/* obsolete -f */
	{ 'V', ARG_REQUIRED, opt_V },	/* DSN ENVID */
	{ 'v', ARG_NONE, opt_v },	/* transcript on stderr */
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
	(void)fprintf(stderr, "usage: %s [-iv] [-C file] [-f sender] "
	    "[-N dsn] [-R host[:port] | -R full|hdrs] [-V envid]\n"
	    "       [--relay=host[:port]] [--] recipient ...\n"
	    "       %s [-C file] [-R host[:port]] --serverinfo\n", progname,
	    progname);
	return EX_USAGE;
}

static int
opt_b(struct cli *cli, const char *arg)
{
	(void)cli;
	if (strcmp(arg, "m") == 0)
		return 0;	/* deliver: the default */
	return usage("-b%s is not supported", arg);
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

static int
opt_o(struct cli *cli, const char *arg)
{
	if (strcmp(arg, "i") == 0)
		return opt_i(cli, NULL);
	return usage("-o%s is not supported", arg);
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
			cli->serverinfo = 1;
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

static int
send_mail(struct cli *cli)
{
	struct carrier_options opts;
	struct carrier_envelope env = { 0 };
	struct carrier_message msg = { .fd = -1 };
	struct carrier_error err;
	struct conf conf;
	char why[256], relay_host[CONF_HOST_MAX];
	unsigned int relay_port;
	int i, rc;

	status_clear(&err);
	conf_defaults(&conf);
	if (conf_load(&conf, cli->conf_path != NULL ? cli->conf_path :
	    CONF_PATH_DEFAULT, cli->conf_path != NULL, why,
	    sizeof(why)) != 0) {
		(void)fprintf(stderr, "%s: %s\n", progname, why);
		return EX_CONFIG;
	}
	carrier_options_init(&opts);
	carrier_options_from_conf(&opts, &conf);
	if (cli->relay != NULL) {
		if (conf_parse_relay(cli->relay, relay_host,
		    sizeof(relay_host), &relay_port, why, sizeof(why)) != 0)
			return usage("-R: %s (or full, hdrs: DSN RET)", why);
		opts.relay_host = relay_host;
		opts.relay_port = relay_port;
	}
	if (cli->serverinfo)
		return serverinfo(&opts);
	if (cli->nrcpts == 0)
		return usage("no recipients given");
	if (envelope_init(&env) == -1)
		goto nomem;
	env.ret = cli->ret;
	env.notify = cli->notify;
	if (cli->envid != NULL)
		(void)strlcpy(env.envid, cli->envid, sizeof(env.envid));
	if (cli->sender != NULL && cli->sender[0] != '\0' &&
	    strcmp(cli->sender, "<>") != 0) {
		if (addr_check_mailbox(cli->sender, why, sizeof(why)) != 0) {
			(void)fprintf(stderr, "%s: invalid sender \"%s\": "
			    "%s\n", progname, cli->sender, why);
			envelope_free(&env);
			return EX_DATAERR;
		}
		if (envelope_set_sender(&env, cli->sender) == -1)
			goto nomem;
	}
	for (i = 0; i < cli->nrcpts; i++) {
		if (addr_check_mailbox(cli->rcpts[i], why, sizeof(why)) != 0) {
			(void)fprintf(stderr, "%s: invalid recipient \"%s\": "
			    "%s\n", progname, cli->rcpts[i], why);
			envelope_free(&env);
			return EX_DATAERR;
		}
		if (envelope_add_rcpt(&env, cli->rcpts[i]) == -1)
			goto nomem;
	}
	if (carrier_message_read(&opts, STDIN_FILENO, cli->msg_flags, &msg,
	    &err) != CARRIER_OK) {
		(void)fprintf(stderr, "%s: %s\n", progname, err.text);
		envelope_free(&env);
		return exit_code(&err);
	}
	(void)carrier_deliver(&opts, &env, &msg, &err);
	rc = report(&env, &err);
	carrier_message_close(&msg);
	envelope_free(&env);
	return rc;
nomem:
	(void)fprintf(stderr, "%s: %s\n", progname, strerror(errno));
	envelope_free(&env);
	return EX_OSERR;
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
	(void)printf("AUTH:        %s\n", p.auth[0] != '\0' ? p.auth :
	    "(none offered)");
	nl = strchr(p.ehlo, '\n');
	print_lines("extension:   ", nl != NULL ? nl + 1 : "");
	return EX_OK;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	int rc;

	if (argc > 0 && argv[0] != NULL) {
		const char *base = strrchr(argv[0], '/');

		base = base != NULL ? base + 1 : argv[0];
		if (strcmp(base, "mailq") == 0) {
			(void)printf("Mail queue is empty (this version of "
			    "carrier delivers at once and never queues)\n");
			return EX_OK;
		}
		if (strcmp(base, "sendmail") == 0)
			progname = "sendmail";
	}
	(void)signal(SIGPIPE, SIG_IGN);
	memset(&cli, 0, sizeof(cli));
	cli.msg_flags = MESSAGE_DOT_ENDS;
	if ((rc = parse_args(&cli, argc, argv)) != 0)
		return rc;
	log_set_verbose(cli.verbose);
	return send_mail(&cli);
}
