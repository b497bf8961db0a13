/* SPDX-License-Identifier: ISC */
/*
 * deliver.c: the delivery core (carrier_deliver in carrier.h).  The
 * recipients still open are grouped by route: with a relay, one group
 * for all of them and no MX lookup; with none, one group per recipient
 * domain.  Each group's route (route.h) is walked host by host, one
 * session at a time (hop.h), until a host takes the transaction;
 * policy.h says what each failure means.  Several groups are delivered
 * at once, each in a forked child (at most domain_concurrency), which
 * hands its recipients' outcomes back over a pipe as fixed-size records
 * (struct fan_record: no pointers), so one domain's slow or dead MX
 * never holds up another's.  The parent writes the mail log.
 *
 * When no address of any MX host of a domain answered, because each was
 * refused at once or stayed silent until its connect deadline, the
 * failure says that outbound port 25 is probably blocked and how to set
 * a relay: a temporary failure, queued like any other.
 * Depends on route, hop, policy, net, envelope, status.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "log.h"
#include "monotime.h"
#include "hop.h"
#include "policy.h"
#include "route.h"
#include "tlspolicy.h"
#include "carrier.h"

/* One recipient's outcome, from a child to the parent. */
struct fan_record {
	uint32_t		index;	/* in the envelope */
	uint32_t		state;	/* enum envelope_state */
	uint32_t		answered; /* a host of its route answered on
					   port 25 */
	struct carrier_error	result;
};

/* The recipients of one route. */
struct group {
	char		 domain[DNSMSG_NAME_MAX];	/* "": the relay */
	size_t		*idx;		/* into env->rcpts */
	size_t		 n;
	int		 answered;	/* a host of its route answered */
};

/* Where the blocked-port diagnosis begins in a failure's text. */
#define BLOCKED_NOTE	": outbound port 25 is probably blocked"

/* A domain's connections, for the blocked-port diagnosis. */
struct reach {
	int	 answered;	/* some address connected */
	int	 blocked;	/* every failure refused or silent */
	size_t	 tried;		/* addresses tried */
	int64_t	 start;
	char	 hosts[STATUS_TEXT_MAX / 2];	/* "mx[addr] refused, ..." */
};

static enum carrier_status outcome(const struct carrier_envelope *);
static int	domain_of(const char *, char *, size_t);
static int	group_rcpts(const struct carrier_options *,
		    struct carrier_envelope *, struct group **, size_t *);
static void	groups_free(struct group *, size_t);
static int	mx_hop(const struct carrier_options *, struct route *,
		    size_t, const struct tlspolicy_sts *, int64_t, struct hop *,
		    struct policy_tls *, struct carrier_error *);
static void	reach_note(struct reach *, const struct hop *);
static void	reach_error(const struct reach *, const struct route *,
		    const struct carrier_options *, struct carrier_error *);
static void	stamp(struct carrier_envelope *, struct carrier_error *,
		    const char *);
static void	sub_reset(struct carrier_envelope *);
static void	settle_open(struct carrier_envelope *,
		    const struct carrier_error *);
static enum policy_action try_host(const struct carrier_options *,
		    struct hop *, struct policy_tls *,
		    struct carrier_envelope *, const struct carrier_message *,
		    struct carrier_error *);
static enum carrier_status walk(const struct carrier_options *,
		    struct route *, const struct tlspolicy_sts *,
		    struct carrier_envelope *, const struct carrier_message *,
		    int *, struct carrier_error *);
static enum carrier_status deliver_group(const struct carrier_options *,
		    struct group *, struct carrier_envelope *,
		    const struct carrier_message *, struct carrier_error *);
static void	unblock(const struct group *, size_t,
		    struct carrier_envelope *);
static void	fan_out(const struct carrier_options *, struct group *,
		    size_t, struct carrier_envelope *,
		    const struct carrier_message *);

/* The worst outcome among the recipients. */
static enum carrier_status
outcome(const struct carrier_envelope *env)
{
	enum carrier_status worst = CARRIER_OK;
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		enum carrier_status st = env->rcpts[i].result.status;

		if (st == CARRIER_PERM || (st == CARRIER_TEMP &&
		    worst == CARRIER_OK))
			worst = st;
	}
	return worst;
}

/* The domain of addr, lowercased, into buf: 0, or -1 (none, too long). */
static int
domain_of(const char *addr, char *buf, size_t size)
{
	const char *at = strrchr(addr, '@');
	size_t i, len;

	if (at == NULL || (len = strlen(at + 1)) == 0 || len >= size)
		return -1;
	for (i = 0; i <= len; i++)
		buf[i] = (char)tolower((unsigned char)at[1 + i]);
	return 0;
}

/*
 * The open recipients by route: one group with a relay, else one per
 * domain, in the order of first appearance.  A recipient without a
 * domain fails at once.  Returns 0, or -1 when memory ran out.
 */
static int
group_rcpts(const struct carrier_options *opts,
    struct carrier_envelope *env, struct group **out, size_t *nout)
{
	struct group *g = NULL;
	char domain[DNSMSG_NAME_MAX];
	size_t i, k, ng = 0;
	int relay = opts->relay_host != NULL && opts->relay_host[0] != '\0';

	*out = NULL;
	*nout = 0;
	for (i = 0; i < env->nrcpts; i++) {
		struct carrier_rcpt *r = &env->rcpts[i];

		if (envelope_done(r))
			continue;
		if (relay)
			domain[0] = '\0';
		else if (domain_of(r->addr, domain, sizeof(domain)) == -1) {
			status_set(&r->result, CARRIER_PERM, PHASE_INPUT,
			    "no domain to deliver to in %s", r->addr);
			envelope_settle(r);
			continue;
		}
		for (k = 0; k < ng && strcmp(g[k].domain, domain) != 0; k++)
			;
		if (k == ng) {
			struct group *ng2 = reallocarray(g, ng + 1, sizeof(*g));

			if (ng2 == NULL)
				goto nomem;
			g = ng2;
			memset(&g[ng], 0, sizeof(g[ng]));
			(void)strlcpy(g[ng].domain, domain,
			    sizeof(g[ng].domain));
			if ((g[ng].idx = calloc(env->nrcpts,
			    sizeof(size_t))) == NULL)
				goto nomem;
			ng++;
		}
		g[k].idx[g[k].n++] = i;
	}
	*out = g;
	*nout = ng;
	return 0;
nomem:
	groups_free(g, ng);
	return -1;
}

static void
groups_free(struct group *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(g[i].idx);
	free(g);
}

/*
 * Host i of an MX route as a hop, its TLS as tlspolicy_hop() says for
 * the domain (sts: its MTA-STS state).  Returns 0, or -1 when the host
 * must be skipped (err says why).
 */
static int
mx_hop(const struct carrier_options *opts, struct route *r, size_t i,
    const struct tlspolicy_sts *sts, int64_t deadline, struct hop *hop,
    struct policy_tls *pt, struct carrier_error *err)
{
	char desc[TLSPOLICY_NOTE_MAX];
	int rc;

	memset(hop, 0, sizeof(*hop));
	memset(pt, 0, sizeof(*pt));
	hop->kind = POLICY_MX;
	hop->host = r->host[i].name;
	hop->port = CARRIER_SMTP_PORT;
	hop->addr = r->host[i].addr;
	hop->naddr = r->host[i].naddr;
	hop->deadline = deadline;
	rc = tlspolicy_hop(opts, r, i, sts, hop, pt, desc, sizeof(desc), err);
	if (desc[0] != '\0')
		log_note("%s: %s", hop->host, desc);
	return rc;
}

/* Adds what hop's connect found to the domain's record. */
static void
reach_note(struct reach *rc, const struct hop *hop)
{
	char a[64], item[128];
	size_t i, len;

	if (hop->connected)
		rc->answered = 1;
	for (i = 0; i < hop->ntries; i++) {
		const struct net_try *t = &hop->tries[i];

		rc->tried++;
		if (!policy_blocked_errno(t->err))
			rc->blocked = 0;
		if (t->err == 0 || t->err == ECANCELED)
			continue;
		(void)net_addr_str(&t->addr, a, sizeof(a));
		(void)snprintf(item, sizeof(item), "%s%s[%s] %s",
		    rc->hosts[0] != '\0' ? ", " : "", strcmp(hop->host, a) ==
		    0 ? "" : hop->host, a,
		    t->err == ETIMEDOUT ? "silent" : t->err == ECONNREFUSED ?
		    "refused" : "unreachable");
		len = strlen(rc->hosts);
		if (len + strlen(item) < sizeof(rc->hosts) - 4)
			(void)strlcat(rc->hosts, item, sizeof(rc->hosts));
		else if (strstr(rc->hosts, ", ...") == NULL)
			(void)strlcat(rc->hosts, ", ...", sizeof(rc->hosts));
	}
}

/* The failure of a domain none of whose addresses answered on port 25. */
static void
reach_error(const struct reach *rc, const struct route *r,
    const struct carrier_options *opts, struct carrier_error *err)
{
	int64_t secs = (monotime_ms() - rc->start + 500) / 1000;

	status_clear(err);
	status_set(err, CARRIER_TEMP, PHASE_CONNECT, "no mail server of %s "
	    "answered on port 25 (%s; %lld s in all, %u s for each address)"
	    BLOCKED_NOTE " by this network; send "
	    "through a relay instead: \"relay host:port\" in carrier.conf, "
	    "or -R host:port", r->domain, rc->hosts, (long long)secs,
	    opts->connect_timeout);
	(void)strlcpy(err->enhanced, "4.4.1", sizeof(err->enhanced));
}

/* The TLS policy that held (NULL: none, the relay) into the outcomes. */
static void
stamp(struct carrier_envelope *sub, struct carrier_error *err,
    const char *policy)
{
	size_t i;

	if (policy == NULL)
		policy = "";
	(void)strlcpy(err->tls, policy, sizeof(err->tls));
	for (i = 0; i < sub->nrcpts; i++)
		(void)strlcpy(sub->rcpts[i].result.tls, policy,
		    sizeof(sub->rcpts[i].result.tls));
}

/* Every recipient of sub open again, for another host. */
static void
sub_reset(struct carrier_envelope *sub)
{
	size_t i;

	for (i = 0; i < sub->nrcpts; i++) {
		sub->rcpts[i].state = ENVELOPE_PENDING;
		status_clear(&sub->rcpts[i].result);
	}
}

/* The recipients still open take err, unless a reply decided already. */
static void
settle_open(struct carrier_envelope *env, const struct carrier_error *err)
{
	size_t i;

	for (i = 0; i < env->nrcpts; i++) {
		struct carrier_rcpt *r = &env->rcpts[i];

		if (envelope_done(r))
			continue;
		if (r->result.status == CARRIER_OK)
			r->result = *err;
		envelope_settle(r);
	}
}

/*
 * Sessions with one host until policy says more than "this host again
 * another way": TLS verified, then not, then plaintext, as allowed.
 */
static enum policy_action
try_host(const struct carrier_options *opts, struct hop *hop,
    struct policy_tls *pt, struct carrier_envelope *sub,
    const struct carrier_message *msg, struct carrier_error *err)
{
	enum policy_action act;
	size_t left;

	for (;;) {
		sub_reset(sub);
		hop->ntries = 0;
		hop->connected = 0;
		hop->cert_failed = 0;
		status_clear(err);
		(void)hop_session(opts, hop, sub, msg, err);
		act = policy_after(hop->kind, err, hop->cert_failed,
		    hop->kind == POLICY_MX ? pt : NULL);
		if (act == POLICY_RETRY_UNVERIFIED) {
			log_note("%s: %s; trying again without verifying "
			    "(tls_mx may)%s", err->host, err->text,
			    hop->sts_testing ? "; MTA-STS mode testing: "
			    "enforce would refuse this host" : "");
			hop->verify = 0;
			pt->retried_unverified = 1;
		} else if (act == POLICY_RETRY_PLAIN) {
			log_note("%s: %s; trying again without TLS (tls_mx "
			    "may)", err->host, err->text);
			hop->tls = HOP_TLS_NONE;
			pt->retried_plain = 1;
		} else
			break;
	}
	/* another connection for recipients put off after QUIT went */
	while (act == POLICY_DONE) {
		left = envelope_open_count(sub);
		if (left == 0 || left == sub->nrcpts)
			break;
		(void)hop_session(opts, hop, sub, msg, err);
		if (envelope_open_count(sub) == left)
			break;
	}
	return act;
}

/*
 * Walks r's hosts (sts: the domain's MTA-STS state, for their TLS)
 * for the open recipients of sub until one takes the
 * transaction.  Every recipient of sub is settled.  Returns the failure
 * that decided for all of them (err), or CARRIER_OK when the session
 * ran (each recipient has its own outcome).
 */
static enum carrier_status
walk(const struct carrier_options *opts, struct route *r,
    const struct tlspolicy_sts *sts, struct carrier_envelope *sub,
    const struct carrier_message *msg, int *answered,
    struct carrier_error *err)
{
	static struct hop hop;
	struct policy_tls pt;
	struct carrier_error last;
	struct reach rc;
	enum policy_action act = POLICY_NEXT_HOST;
	int64_t deadline;
	size_t i;

	memset(&rc, 0, sizeof(rc));
	rc.blocked = 1;
	rc.start = monotime_ms();
	deadline = rc.start + (int64_t)opts->domain_connect_timeout * 1000;
	status_clear(&last);
	for (i = 0; i < r->nhost; i++) {
		if (r->kind == ROUTE_RELAY) {
			hop_relay(opts, &hop);
			memset(&pt, 0, sizeof(pt));
		} else {
			if (route_addrs(r, i, &last) != CARRIER_OK) {
				if (last.status == CARRIER_PERM)
					break;
				continue;
			}
			if (mx_hop(opts, r, i, sts, deadline, &hop, &pt,
			    &last) == -1) {
				log_note("%s: %s; next host", hop.host,
				    last.text);
				continue;
			}
		}
		act = try_host(opts, &hop, &pt, sub, msg, err);
		stamp(sub, err, hop.policy);
		reach_note(&rc, &hop);
		*answered |= rc.answered;
		if (act != POLICY_NEXT_HOST)
			break;
		last = *err;
		log_note("%s: %s; next host", err->host[0] != '\0' ? err->host :
		    hop.host, err->text);
	}
	if (act == POLICY_DONE) {
		settle_open(sub, err);
		status_clear(err);
		return CARRIER_OK;
	}
	if (act != POLICY_FINAL) {	/* no host took it */
		if (r->kind != ROUTE_RELAY && !rc.answered && rc.tried > 0 &&
		    rc.blocked)
			reach_error(&rc, r, opts, err);
		else
			*err = last;
		sub_reset(sub);
	}
	settle_open(sub, err);
	return err->status;
}

/*
 * Delivers group g of env: its route, then the walk, on a sub-envelope
 * of the group's recipients (the strings are env's own).  Every
 * recipient of the group is settled.  Returns the failure that decided
 * for all of them, or CARRIER_OK.
 */
static enum carrier_status
deliver_group(const struct carrier_options *opts, struct group *g,
    struct carrier_envelope *env, const struct carrier_message *msg,
    struct carrier_error *err)
{
	static struct route r;
	static struct tlspolicy_sts sts;
	struct route_opts ro;
	struct carrier_envelope sub;
	enum carrier_status st;
	size_t k;

	sub = *env;
	sub.slot = NULL;
	sub.nslot = 0;
	sub.nrcpts = sub.cap = g->n;
	if ((sub.rcpts = calloc(g->n, sizeof(*sub.rcpts))) == NULL) {
		status_set(err, CARRIER_TEMP, PHASE_LOCAL, "%s",
		    strerror(ENOMEM));
		for (k = 0; k < g->n; k++) {
			env->rcpts[g->idx[k]].result = *err;
			envelope_settle(&env->rcpts[g->idx[k]]);
		}
		return CARRIER_TEMP;
	}
	for (k = 0; k < g->n; k++)
		sub.rcpts[k] = env->rcpts[g->idx[k]];
	hop_route_options(opts, &ro);
	if ((st = route_lookup(&ro, g->domain, &r, err)) == CARRIER_OK) {
		tlspolicy_sts(opts, &r, &sts);
		if (sts.note[0] != '\0')
			log_note("%s", sts.note);
		st = walk(opts, &r, &sts, &sub, msg, &g->answered, err);
	} else {
		sub_reset(&sub);
		settle_open(&sub, err);
	}
	route_close(&r);
	for (k = 0; k < g->n; k++) {
		env->rcpts[g->idx[k]].result = sub.rcpts[k].result;
		env->rcpts[g->idx[k]].state = sub.rcpts[k].state;
	}
	free(sub.rcpts);
	return st;
}

/* A child delivering group g: its outcomes on fd, then _exit. */
static void
child(const struct carrier_options *opts, struct group *g,
    struct carrier_envelope *env, const struct carrier_message *msg,
    int fd)
{
	struct carrier_error err;
	struct fan_record rec;
	size_t k;

	hop_forget();	/* the parent's kept connection is the parent's */
	(void)deliver_group(opts, g, env, msg, &err);
	for (k = 0; k < g->n; k++) {
		memset(&rec, 0, sizeof(rec));
		rec.index = (uint32_t)g->idx[k];
		rec.state = (uint32_t)env->rcpts[g->idx[k]].state;
		rec.answered = (uint32_t)g->answered;
		rec.result = env->rcpts[g->idx[k]].result;
		if (write(fd, &rec, sizeof(rec)) != (ssize_t)sizeof(rec))
			_exit(1);
	}
	_exit(0);
}

/* A record from a child into env: only an index of its group counts. */
static void
take_record(const struct fan_record *rec, struct group *g,
    struct carrier_envelope *env, unsigned char *seen)
{
	size_t k;

	for (k = 0; k < g->n; k++)
		if (g->idx[k] == rec->index && !seen[k])
			break;
	if (k == g->n || rec->state > ENVELOPE_BOUNCED)
		return;
	seen[k] = 1;
	g->answered |= rec->answered != 0;
	env->rcpts[rec->index].result = rec->result;
	env->rcpts[rec->index].result.text[STATUS_TEXT_MAX - 1] = '\0';
	env->rcpts[rec->index].result.host[STATUS_HOST_MAX - 1] = '\0';
	env->rcpts[rec->index].result.enhanced[STATUS_ENH_MAX - 1] = '\0';
	env->rcpts[rec->index].result.step[sizeof(rec->result.step) - 1] =
	    '\0';
	env->rcpts[rec->index].state = (enum envelope_state)rec->state;
}

struct kid {
	pid_t		 pid;
	int		 fd;
	size_t		 g;
	unsigned char	*seen;		/* per recipient of the group */
	size_t		 have;		/* bytes of rec */
	struct fan_record rec;
};

/* Starts a child for group gi; 0, or -1 (it ran here instead). */
static int
start_kid(const struct carrier_options *opts, struct group *groups,
    size_t gi, struct carrier_envelope *env,
    const struct carrier_message *msg, struct kid *k)
{
	struct carrier_error err;
	int p[2];

	memset(k, 0, sizeof(*k));
	k->g = gi;
	k->fd = -1;
	if ((k->seen = calloc(groups[gi].n, 1)) == NULL ||
	    pipe2(p, O_CLOEXEC) == -1)
		goto here;
	(void)fflush(stderr);
	if ((k->pid = fork()) == -1) {
		(void)close(p[0]);
		(void)close(p[1]);
		goto here;
	}
	if (k->pid == 0) {
		(void)close(p[0]);
		child(opts, &groups[gi], env, msg, p[1]);
	}
	(void)close(p[1]);
	k->fd = p[0];
	return 0;
here:
	free(k->seen);
	k->seen = NULL;
	(void)deliver_group(opts, &groups[gi], env, msg, &err);
	return -1;
}

/* A child's pipe is at its end: what it did not say is temporary. */
static void
end_kid(struct kid *k, struct group *groups, struct carrier_envelope *env)
{
	struct carrier_error err;
	const struct group *g = &groups[k->g];
	int status = 0;
	size_t i;

	(void)close(k->fd);
	k->fd = -1;
	while (waitpid(k->pid, &status, 0) == -1 && errno == EINTR)
		;
	for (i = 0; i < g->n; i++) {
		if (k->seen[i])
			continue;
		status_clear(&err);
		status_set(&err, CARRIER_TEMP, PHASE_LOCAL, "the delivery "
		    "process for %s ended without a result (%s %d)",
		    g->domain, WIFSIGNALED(status) ? "signal" : "status",
		    WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status));
		env->rcpts[g->idx[i]].result = err;
		envelope_settle(&env->rcpts[g->idx[i]]);
	}
	free(k->seen);
	k->seen = NULL;
}

/* Reads what k's child wrote; at the end of its pipe, end_kid. */
static void
read_kid(struct kid *k, struct group *groups, struct carrier_envelope *env)
{
	ssize_t n;

	n = read(k->fd, (char *)&k->rec + k->have, sizeof(k->rec) - k->have);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		end_kid(k, groups, env);
		return;
	}
	k->have += (size_t)n;
	if (k->have < sizeof(k->rec))
		return;
	take_record(&k->rec, &groups[k->g], env, k->seen);
	k->have = 0;
}

/*
 * The groups at once, at most domain_concurrency children at a time,
 * each group's outcomes read back into env as they come.
 */
static void
fan_out(const struct carrier_options *opts, struct group *groups,
    size_t ngroups, struct carrier_envelope *env,
    const struct carrier_message *msg)
{
	struct kid kids[CONF_CONCURRENCY_MAX];
	struct pollfd pfd[CONF_CONCURRENCY_MAX];
	size_t next = 0, nkids = 0, i, limit = opts->domain_concurrency;

	if (limit > CONF_CONCURRENCY_MAX)
		limit = CONF_CONCURRENCY_MAX;
	while (next < ngroups || nkids > 0) {
		while (nkids < limit && next < ngroups)
			if (start_kid(opts, groups, next++, env, msg,
			    &kids[nkids]) == 0)
				nkids++;
		if (nkids == 0)
			continue;
		for (i = 0; i < nkids; i++) {
			pfd[i].fd = kids[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, nkids, -1) == -1 && errno != EINTR)
			break;
		for (i = 0; i < nkids; i++)
			if (pfd[i].revents != 0)
				read_kid(&kids[i], groups, env);
		for (i = 0; i < nkids; )	/* drop the ended */
			if (kids[i].fd == -1)
				kids[i] = kids[--nkids];
			else
				i++;
	}
	for (i = 0; i < nkids; i++)	/* poll failed: collect them */
		while (kids[i].fd != -1)
			read_kid(&kids[i], groups, env);
}

/*
 * A domain none of whose MX hosts answered on port 25 is not a sign of a
 * blocked port when another domain's did in the same delivery: its
 * failure keeps the hosts and times, without the diagnosis.
 */
static void
unblock(const struct group *groups, size_t ngroups,
    struct carrier_envelope *env)
{
	size_t i;
	char *p;

	for (i = 0; i < ngroups && !groups[i].answered; i++)
		;
	if (i == ngroups)
		return;
	for (i = 0; i < env->nrcpts; i++)
		if (env->rcpts[i].result.phase == PHASE_CONNECT &&
		    (p = strstr(env->rcpts[i].result.text, BLOCKED_NOTE)) !=
		    NULL)
			*p = '\0';
}

enum carrier_status
carrier_deliver(const struct carrier_options *opts,
    struct carrier_envelope *env, const struct carrier_message *msg,
    struct carrier_error *err)
{
	struct group *groups;
	size_t ngroups, i;

	status_clear(err);
	if (group_rcpts(opts, env, &groups, &ngroups) == -1) {
		status_set(err, CARRIER_TEMP, PHASE_LOCAL, "%s",
		    strerror(ENOMEM));
		settle_open(env, err);
	} else if (ngroups == 1)	/* the session's failure: err */
		(void)deliver_group(opts, &groups[0], env, msg, err);
	else if (opts->domain_concurrency <= 1) {
		struct carrier_error gerr;

		for (i = 0; i < ngroups; i++)
			(void)deliver_group(opts, &groups[i], env, msg, &gerr);
	} else
		fan_out(opts, groups, ngroups, env, msg);
	unblock(groups, ngroups, env);
	groups_free(groups, ngroups);
	if (opts->log_later)
		carrier_log_settled(opts, env, msg);
	else
		carrier_log_outcomes(opts, env, msg);
	return outcome(env);
}

void
carrier_deliver_done(void)
{
	hop_done();
}

enum carrier_status
carrier_probe(const struct carrier_options *opts, struct carrier_probe *p,
    struct carrier_error *err)
{
	struct hop hop;

	memset(p, 0, sizeof(*p));
	status_clear(err);
	if (opts->relay_host == NULL || opts->relay_host[0] == '\0')
		return status_set(err, CARRIER_PERM, PHASE_CONFIG, "no relay "
		    "to ask: set \"relay\" in carrier.conf or use -R");
	hop_relay(opts, &hop);
	return hop_probe(opts, &hop, p, err);
}
