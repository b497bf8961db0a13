/* SPDX-License-Identifier: ISC */
/*
 * carrier.h: libcarrier, the delivery core behind the sendmail-compatible
 * front end.  See libcarrier(3).
 *
 * Use: carrier_options_init() (and carrier_options_from_conf()); set
 * the fields; envelope_init() (envelope.h); carrier_submit() takes the
 * message from the caller and fills the envelope; carrier_deliver();
 * read each recipient's result; carrier_message_close(); envelope_free().
 *
 * Nothing here exits or writes to stdout.  The caller must ignore
 * SIGPIPE (sendfile(2) and TLS writes have no MSG_NOSIGNAL).  Every call
 * that can fail a delivery returns CARRIER_OK, CARRIER_TEMP or
 * CARRIER_PERM and fills a struct carrier_error (status.h).
 */
#ifndef CARRIER_H
#define CARRIER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "status.h"
#include "conf.h"
#include "envelope.h"
#include "maillog.h"
#include "message.h"
#include "qenv.h"

#define CARRIER_VERSION		"0.1.0"
#define CARRIER_SMTP_PORT	25
#define CARRIER_SMTPS_PORT	465	/* implicit TLS, RFC 8314 */

struct carrier_options {
	const char	*relay_host;	/* NULL or "": none (the recipient
					   domains' MX hosts) */
	unsigned int	 relay_port;	/* 0: 25, or 465 with tls implicit */
	const char	*helo;		/* NULL = this host's name */
	unsigned int	 timeout;	/* seconds per SMTP phase */
	unsigned int	 connect_timeout; /* seconds per address */
	unsigned int	 data_timeout;	/* seconds for the reply to the end
					   of the text */
	unsigned int	 greeting_timeout; /* seconds for the greeting (no
					   more than timeout) */
	const char	*tmpdir;	/* where intake keeps the message */

	/* TLS to the relay (carrier.conf(5): tls, tls_*) */
	enum conf_tls	 tls;		/* CONF_TLS_AUTO by default */
	int		 tls_verify;	/* chain and name; default on */
	const char	*tls_ca_file;	/* NULL: tls_ca_path */
	const char	*tls_ca_path;	/* NULL: /etc/ssl/certs */
	const char	*tls_client_cert;
	const char	*tls_client_key;
	const char	*tls_server_name; /* NULL: the relay host */

	/* Direct delivery to MX hosts, with no relay (carrier.conf(5)) */
	enum conf_tls_mx tls_mx;	/* CONF_TLS_MX_DANE by default */
	const struct conf_tls_domain *tls_domains; /* tls_mx per domain */
	size_t		 ntls_domains;
	const char	*trusted[CONF_RESOLVERS_MAX]; /* trusted_resolvers:
					   DNSSEC believed (not loopback) */
	size_t		 ntrusted;
	unsigned int	 domain_concurrency; /* domains at once; 1: in turn */
	unsigned int	 dns_timeout;	/* seconds, one domain's lookups */
	unsigned int	 domain_connect_timeout; /* seconds, all addresses of
					   a domain (connect_timeout each) */
	const char	*source4;	/* bind IPv4 connections, or NULL */
	const char	*source6;	/* bind IPv6 connections, or NULL */
	enum conf_ip	 ip_version;	/* CONF_IP_ANY: both families */
	enum conf_ip	 ip_prefer;	/* tried first (CONF_IP_V6) */

	/* AUTH to the relay (carrier.conf(5): auth_*); NULL user: none */
	const char	*auth_user;
	const char	*auth_password_file;
	const char	*auth_password_command;
	const char	*auth_mechanism;	/* NULL: PLAIN, else LOGIN */
	int		 auth_allow_plaintext;	/* default off */

	/* Local mail (carrier.conf(5): domain, from, rewrite_from) */
	const char	*domain;	/* NULL: mailname, else the FQDN */
	const char	*mailname;	/* the file; NULL: none */
	const char	*from;		/* forced sender; NULL: user@domain */
	int		 rewrite_from;	/* local From: becomes from */
	const char	*aliases;	/* aliases(5) file; NULL: none */

	/* The mail log (carrier.conf(5): syslog; sendmail -L) */
	int		 syslog_facility; /* LOG_MAIL; MAILLOG_OFF: none */
	const char	*syslog_tag;	/* NULL: "carrier" */

	/* The queue (carrier.conf(5): spool, queue_*, delay_warning) */
	const char	*spool;		/* NULL: none (nothing is queued) */
	unsigned int	 queue_lifetime;	/* seconds, then bounced */
	unsigned int	 backoff_min;	/* seconds before the 2nd try */
	unsigned int	 backoff_max;	/* the longest wait between tries */
	unsigned int	 delay_warning;	/* seconds; 0: no warnings */
	int		 queue_reuse;	/* a queue run keeps its connection */
	int		 log_later;	/* carrier_deliver does not log
					   temporary outcomes: its caller
					   does, once it has queued them */
	int		 reuse;		/* carrier_deliver keeps the
					   connection open for the next
					   message (carrier_deliver_done) */
};

#define CARRIER_SUBMIT_T	0x100	/* -t: recipients from the header */
#define CARRIER_SUBMIT_ONE	0x200	/* each of rcpts is one address, not
					   a list (an SMTP RCPT) */

/*
 * What the submission policy reads from files, kept from one call to the
 * next: the mail domain from opts->mailname, and the aliases table (or
 * the failure to load it).  sendmail -bs keeps one per session, so a
 * session reads those files once, not at each MAIL, RCPT and message.
 * Opaque; see carrier_cache_new().
 */
struct carrier_cache;

/* What the caller said about a message (the command line). */
struct carrier_submit {
	unsigned int	 flags;		/* MESSAGE_DOT_ENDS, CARRIER_SUBMIT_T */
	const char	*sender;	/* -f; NULL: from, else user@domain */
	const char	*fullname;	/* -F; NULL: the user's GECOS name */
	char *const	*rcpts;		/* recipients given as arguments */
	size_t		 nrcpts;
	struct carrier_cache *cache;	/* NULL: the files read afresh */
	const char	*client;	/* -bs: the client's HELO or EHLO name
					   ("": none), for the Received field;
					   NULL: a submission on stdin */
	int		 esmtp;		/* -bs: the client said EHLO */
};

/*
 * A message read from the caller: its canonical text in an unlinked
 * temporary file, and what is sent: head (the header section as
 * edited, owned; NULL until edited) then the file from body_off.
 */
struct carrier_message {
	int			fd;	/* canonical form (message.h) */
	uint64_t		body_off;
	uint64_t		file_size;
	char			*head;
	size_t			headlen;
	struct message_info	info;	/* info.size: what is sent */
	struct timespec		arrived;	/* intake began (realtime) */
	char			msgid[MAILLOG_MSGID_MAX]; /* for the log */
	char			queue_id[QENV_ID_MAX];	/* "": not queued */
	long			queue_uid;	/* queued: who submitted it */
};

/* What a server offers, as carrier_probe() found it. */
struct carrier_probe {
	char		peer[STATUS_HOST_MAX];
	char		greeting[512];		/* first line of the 220 */
	char		ehlo[4096];		/* the EHLO reply, lines by \n */
	char		tls[256];		/* the TLS session, or "no TLS" */
	char		cert[2048];		/* the peer certificate */
	char		auth[256];		/* AUTH mechanisms offered */
	unsigned long long size_max;		/* SIZE limit, 0 = none */
	int		starttls_offered;	/* before TLS */
	int		tls_active;		/* the session ran over TLS */
};

/* Fills opts with the defaults (no relay, timeouts of carrier.conf(5)). */
void	carrier_options_init(struct carrier_options *opts);

/*
 * Fills opts from a parsed configuration (conf must outlive opts: the
 * strings are not copied).
 */
void	carrier_options_from_conf(struct carrier_options *opts,
	    const struct conf *conf);

/*
 * Reads a message from in_fd to end of file (or to a lone "." line with
 * MESSAGE_DOT_ENDS) into an unlinked file in opts->tmpdir (NULL: $TMPDIR,
 * else /tmp), in canonical form.  Memory use does not depend on the
 * message size.  Returns CARRIER_OK, or a temporary failure in err
 * (PHASE_INPUT: reading; PHASE_LOCAL: the file could not be made or
 * written).
 */
enum carrier_status carrier_message_read(const struct carrier_options *opts,
	    int in_fd, unsigned int flags, struct carrier_message *msg,
	    struct carrier_error *err);

/*
 * Takes a message from the caller: sets the envelope sender, adds the
 * recipients (arguments, and with -t the To/Cc/Bcc or Resent- fields),
 * reads the message (carrier_message_read), and edits its header: bare
 * names qualified with the mail domain in the envelope and in the
 * address fields, Bcc and Resent-Bcc removed, a missing From, Date and
 * Message-ID added, long header lines folded, local recipients expanded
 * through the aliases file, and a plain-text body with lines over 998
 * octets or NUL bytes re-encoded quoted-printable.  Recipients already
 * in env are kept (sendmail -bs adds them at each RCPT with
 * carrier_recipients() and passes none in sub).  Returns CARRIER_OK, or
 * the failure in err: PHASE_USAGE (no recipients), PHASE_INPUT (a bad
 * -f, -F or recipient, or an unusable message: permanent; a failed read
 * of the input: temporary), PHASE_CONFIG (the aliases file), PHASE_LOCAL.
 * On failure msg is closed.
 */
enum carrier_status carrier_submit(const struct carrier_options *opts,
	    const struct carrier_submit *sub, int in_fd,
	    struct carrier_message *msg, struct carrier_envelope *env,
	    struct carrier_error *err);

/*
 * carrier_submit() for a message its caller has already read into msg
 * in canonical form (fd, file_size and info set, as carrier_message_read
 * leaves them; sendmail -bs writes the text it receives that way).
 * sub->flags other than CARRIER_SUBMIT_T do not apply.  On failure msg
 * is closed.
 */
enum carrier_status carrier_submit_message(const struct carrier_options *opts,
	    const struct carrier_submit *sub, struct carrier_message *msg,
	    struct carrier_envelope *env, struct carrier_error *err);

/*
 * The first part of carrier_submit() alone: the sender and the argument
 * recipients, qualified and alias-expanded, into env; no message is read
 * (sendmail -bv, and -bs at each MAIL and RCPT).
 */
enum carrier_status carrier_recipients(const struct carrier_options *opts,
	    const struct carrier_submit *sub, struct carrier_envelope *env,
	    struct carrier_error *err);

/*
 * A new, empty cache for the cache field of struct carrier_submit; NULL
 * with errno ENOMEM when memory ran out.  Every call given the cache must
 * pass the same opts: what it holds was read with them.  The mail domain
 * file is read at the first call, the aliases file the first time a
 * local recipient needs it; a failure to load the aliases file is kept,
 * and each later call that needs the file fails the same way.  Free it
 * with carrier_cache_free() (NULL is fine).
 */
struct carrier_cache *carrier_cache_new(void);
void	carrier_cache_free(struct carrier_cache *cache);

/*
 * An unlinked read-write file for a message: in the spool's tmp/ where
 * carrier may write there (so a temporary failure links it into the
 * queue without a copy), else in opts->tmpdir, $TMPDIR or /tmp
 * (O_TMPFILE where the file system has it).  Returns the fd, or -1
 * with errno.
 */
int	carrier_tmpfile(const struct carrier_options *opts);

/* Closes the message's file. */
void	carrier_message_close(struct carrier_message *msg);

/*
 * Delivers msg to every recipient of env not yet done.  With a relay,
 * every recipient goes there.  Each recipient's result and done flag
 * are set.  Returns CARRIER_OK if every recipient was accepted; else the
 * worst outcome among them (CARRIER_PERM over CARRIER_TEMP), and err
 * describes the failure that ended the session, if one did (err->status
 * is CARRIER_OK when only some recipients were refused).  Each outcome
 * is logged (carrier_log_outcomes).
 */
enum carrier_status carrier_deliver(const struct carrier_options *opts,
	    struct carrier_envelope *env, const struct carrier_message *msg,
	    struct carrier_error *err);

/*
 * Closes (QUIT) the connection carrier_deliver() kept open with
 * opts->reuse, if there is one.  The next carrier_deliver() to the same
 * hop reuses such a connection: at once when the server took the last
 * message and has said nothing since (RFC 5321 4.1.4: MAIL may follow),
 * else after an RSET.  A different hop, a peer that spoke or hung up,
 * or an RSET that fails closes it first.
 */
void	carrier_deliver_done(void);

/*
 * Writes one mail log line per recipient of env not yet logged (its
 * result; its logged flag is set) to syslog with opts->syslog_facility
 * and opts->syslog_tag; msg (or NULL) gives the size, delay and
 * Message-ID.  No syslog daemon: nothing happens.
 */
void	carrier_log_outcomes(const struct carrier_options *opts,
	    struct carrier_envelope *env,
	    const struct carrier_message *msg);

/*
 * carrier_log_outcomes() without the recipients whose outcome is
 * temporary: those are logged once the caller has queued them (as
 * deferred, with the queue id) or could not.
 */
void	carrier_log_settled(const struct carrier_options *opts,
	    struct carrier_envelope *env,
	    const struct carrier_message *msg);

/* Logs a message refused before delivery (the sender, and err). */
void	carrier_log_refused(const struct carrier_options *opts,
	    const struct carrier_envelope *env,
	    const struct carrier_error *err);

/* carrier_queue_add() flags: QENV_REPORT (qenv.h), a report of ours. */

/*
 * Queues msg for the recipients of env that are pending (not tried:
 * sendmail -odq) or deferred (after carrier_deliver): its file is linked
 * into the spool's queue when it is in the spool's tmp/ (no copy), else
 * copied there; it is synced, and the envelope file written, synced and
 * renamed into place, before this returns.  Sets msg->queue_id; the
 * message's lock is held until msg is closed.  Returns CARRIER_OK once
 * the message is safe in the queue, else CARRIER_TEMP with PHASE_LOCAL
 * (no spool, a full disk: nothing was queued).
 */
enum carrier_status carrier_queue_add(const struct carrier_options *opts,
	    struct carrier_envelope *env, struct carrier_message *msg,
	    unsigned int flags, struct carrier_error *err);

/*
 * After carrier_deliver() with opts->log_later: queues msg for the
 * recipients it left deferred (carrier_queue_add), if any, then writes
 * the mail log of every recipient not logged yet (the deferred ones
 * with the queue id once queued).  Sets *deferred to their number.
 * Returns CARRIER_OK when none was deferred or they are safe in the
 * queue, else the failure to queue them in err.
 */
enum carrier_status carrier_queue_deferred(const struct carrier_options *opts,
	    struct carrier_envelope *env, struct carrier_message *msg,
	    size_t *deferred, struct carrier_error *err);

/* Which messages a queue run takes (sendmail -q, -qI, -qR, -qS). */
struct carrier_queue_select {
	int		 all;		/* 1: every message now; 0: those
					   whose back-off has run out */
	const char	*id;		/* a part of the queue id, or NULL */
	const char	*rcpt;		/* a part of a recipient still to
					   deliver (case-insensitive) */
	const char	*sender;	/* a part of the sender */
};

/* What a queue run did, in messages. */
struct carrier_queue_stats {
	size_t	seen;		/* selected */
	size_t	tried;		/* delivered to, or tried */
	size_t	delivered;	/* done, every recipient delivered */
	size_t	bounced;	/* done, some recipient bounced */
	size_t	deferred;	/* still queued after the run, tried or
				   suspended */
	size_t	suspended;	/* of those, not tried: every recipient
				   due went to a next hop the run had
				   found down */
	size_t	notdue;		/* still queued, nothing due yet */
	size_t	busy;		/* held by another process: skipped */
	size_t	corrupt;	/* set aside in corrupt/ */
	size_t	reports;	/* reports written to senders */
	size_t	held;		/* done, its report held for the next
				   run (a run sends 100 at most, or the
				   report could not be made or queued) */
};

/*
 * Runs the queue once: each selected message is locked (one another
 * process holds is skipped), its due recipients delivered, the outcome
 * recorded; a message whose recipients are all done leaves the queue,
 * after a report to the sender of those that bounced (never for the
 * null sender or a report); a report that cannot be made or queued now
 * keeps the message for the next run.  Recipients still deferred when
 * the lifetime has run out bounce (status=expired).  A next hop that
 * fails as a site (no connection, no greeting, TLS; qhop.h) is not
 * tried again by the run for opts->backoff_min seconds: its other
 * recipients are deferred without a try ("delivery temporarily
 * suspended: ...", no attempt counted).  An entry that cannot
 * be read (or has lost its data file) goes to corrupt/ with a log line.
 * Returns CARRIER_OK, or a failure to open or read the spool.
 */
enum carrier_status carrier_queue_run(const struct carrier_options *opts,
	    const struct carrier_queue_select *sel,
	    struct carrier_queue_stats *stats, struct carrier_error *err);

/* A message in the queue, as carrier_queue_list() shows it. */
struct carrier_queue_entry {
	const char			*id;
	const struct qenv		*q;	/* NULL: unreadable */
	const struct carrier_envelope	*env;	/* NULL: unreadable */
	const char			*corrupt; /* why it is unreadable */
	int				 busy;	/* being sent now */
};

/*
 * Calls fn for every message in the queue, oldest first, until fn
 * returns non-zero.  Returns CARRIER_OK, or a failure to read the spool.
 */
enum carrier_status carrier_queue_list(const struct carrier_options *opts,
	    int (*fn)(const struct carrier_queue_entry *, void *), void *arg,
	    struct carrier_error *err);

/*
 * Where the mail for rcpt goes without a relay, as lines for sendmail
 * -bv, into buf (size octets, NUL-terminated, cut when it does not fit):
 * the MX hosts of its domain with their preferences and addresses in
 * the order they would be tried (or the implicit MX, or the address
 * literal), and the TLS policy.  With probing, each address is
 * connected to on port 25 and closed (no SMTP) and the line says
 * whether it answered.  Returns CARRIER_OK, or the failure (the domain
 * does not exist, a null MX, the DNS failed) in err.
 */
enum carrier_status carrier_route_describe(const struct carrier_options *opts,
	    const char *rcpt, int probing, char *buf, size_t size,
	    struct carrier_error *err);

/*
 * Connects to the relay as carrier_deliver() would (TLS policy
 * included, no AUTH, no message), records what it offers in probe, and
 * says QUIT.  Returns CARRIER_OK, or the failure in err.
 */
enum carrier_status carrier_probe(const struct carrier_options *opts,
	    struct carrier_probe *probe, struct carrier_error *err);

#endif
