/* SPDX-License-Identifier: ISC */
/*
 * submit.c: taking a message from the caller (carrier_message_read in
 * carrier.h).  The message goes into an unlinked temporary file: it can
 * then be sent any number of times (several hosts, several domains)
 * without holding it in memory.
 * Depends on message, status.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "addr.h"
#include "addrlist.h"
#include "aliases.h"
#include "base64.h"
#include "header.h"
#include "identity.h"
#include "log.h"
#include "priv.h"
#include "qp.h"
#include "spool.h"
#include "carrier.h"

struct policy;

static int	open_tmp(const char *);
static int	message_file(const struct carrier_options *, char *, size_t);
static const char *tmp_dir(const struct carrier_options *);
static int	is_local(struct policy *, const char *, int);

void
carrier_options_init(struct carrier_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->timeout = CONF_TIMEOUT_DEFAULT;
	opts->connect_timeout = CONF_CONNECT_DEFAULT;
	opts->data_timeout = CONF_DATA_DEFAULT;
	opts->greeting_timeout = CONF_GREETING_DEFAULT;
	opts->tls = CONF_TLS_AUTO;
	opts->tls_verify = 1;
	opts->syslog_facility = LOG_MAIL;
	opts->queue_lifetime = CONF_LIFETIME_DEFAULT;
	opts->backoff_min = CONF_BACKOFF_MIN_DEFAULT;
	opts->backoff_max = CONF_BACKOFF_MAX_DEFAULT;
	opts->queue_reuse = 1;
	opts->domain_concurrency = CONF_CONCURRENCY_DEFAULT;
	opts->dns_timeout = CONF_DNS_DEFAULT;
	opts->domain_connect_timeout = CONF_DOMAIN_CONNECT_DEFAULT;
	opts->ip_prefer = CONF_IP_V6;
	opts->tls_mx = CONF_TLS_MX_DANE;
}

#define OR_NULL(s)	((s)[0] != '\0' ? (s) : NULL)

void
carrier_options_from_conf(struct carrier_options *o, const struct conf *c)
{
	o->relay_host = OR_NULL(c->relay_host);
	o->relay_port = c->relay_port;
	o->helo = OR_NULL(c->helo);
	o->timeout = c->timeout;
	o->connect_timeout = c->connect_timeout;
	o->data_timeout = c->data_timeout;
	o->greeting_timeout = c->greeting_timeout;
	o->tls = c->tls;
	o->tls_verify = c->tls_verify;
	o->tls_ca_file = OR_NULL(c->tls_ca_file);
	o->tls_ca_path = OR_NULL(c->tls_ca_path);
	o->tls_client_cert = OR_NULL(c->tls_client_cert);
	o->tls_client_key = OR_NULL(c->tls_client_key);
	o->tls_server_name = OR_NULL(c->tls_server_name);
	o->auth_user = OR_NULL(c->auth_user);
	o->auth_password_file = OR_NULL(c->auth_password_file);
	o->auth_password_command = OR_NULL(c->auth_password_command);
	o->auth_mechanism = OR_NULL(c->auth_mechanism);
	o->auth_allow_plaintext = c->auth_allow_plaintext;
	o->domain = OR_NULL(c->domain);
	o->mailname = CONF_MAILNAME;
	o->from = OR_NULL(c->from);
	o->rewrite_from = c->rewrite_from;
	o->aliases = c->aliases[0] != '\0' ? c->aliases : CONF_ALIASES_DEFAULT;
	o->syslog_facility = c->syslog_facility;
	o->spool = OR_NULL(c->spool);
	o->queue_lifetime = c->queue_lifetime;
	o->backoff_min = c->backoff_min;
	o->backoff_max = c->backoff_max;
	o->delay_warning = c->delay_warning;
	o->queue_reuse = c->queue_reuse;
	o->tls_mx = c->tls_mx;
	o->tls_domains = c->tls_domains;
	o->ntls_domains = c->ntls_domains;
	for (o->ntrusted = 0; o->ntrusted < CONF_RESOLVERS_MAX &&
	    c->trusted_resolvers[o->ntrusted][0] != '\0'; o->ntrusted++)
		o->trusted[o->ntrusted] = c->trusted_resolvers[o->ntrusted];
	o->domain_concurrency = c->domain_concurrency;
	o->dns_timeout = c->dns_timeout;
	o->domain_connect_timeout = c->domain_connect_timeout;
	o->source4 = OR_NULL(c->source_address[0]);
	o->source6 = OR_NULL(c->source_address[1]);
	o->ip_version = c->ip_version;
	o->ip_prefer = c->ip_prefer;
}

/* Where temporary files go: opts->tmpdir, $TMPDIR, or /tmp. */
static const char *
tmp_dir(const struct carrier_options *opts)
{
	const char *dir = opts->tmpdir;

	/* an empty TMPDIR is no TMPDIR */
	if (dir == NULL && ((dir = getenv("TMPDIR")) == NULL ||
	    dir[0] == '\0'))
		dir = "/tmp";
	return dir;
}

/* An unlinked read-write file in dir; -1/errno on failure. */
static int
open_tmp(const char *dir)
{
	char path[4096];
	int fd, e;

#if HAVE_DECL_O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL))
		return fd;
#endif
	if ((size_t)snprintf(path, sizeof(path), "%s/carrier.XXXXXX", dir) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	if (unlink(path) == -1) {
		e = errno;
		(void)close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * A file for the message: in the spool's tmp/ where carrier may write
 * (so a temporary failure links it into the queue without a copy),
 * else in the temporary directory.
 */
int
carrier_tmpfile(const struct carrier_options *opts)
{
	char where[SPOOL_PATH_MAX + 8];

	return message_file(opts, where, sizeof(where));
}

/* carrier_tmpfile(), and the directory it is in (for messages). */
static int
message_file(const struct carrier_options *opts, char *where, size_t size)
{
	int fd;

	if (opts->spool != NULL) {
		(void)priv_raise();
		fd = spool_tmpfile(opts->spool);
		priv_lower();
		if (fd != -1) {
			(void)snprintf(where, size, "%s/tmp", opts->spool);
			return fd;
		}
	}
	(void)strlcpy(where, tmp_dir(opts), size);
	return open_tmp(where);
}

enum carrier_status
carrier_message_read(const struct carrier_options *opts, int in_fd,
    unsigned int flags, struct carrier_message *msg,
    struct carrier_error *err)
{
	char dir[SPOOL_PATH_MAX + 8];
	enum carrier_status st;

	memset(msg, 0, sizeof(*msg));
	(void)clock_gettime(CLOCK_REALTIME, &msg->arrived);
	if ((msg->fd = message_file(opts, dir, sizeof(dir))) == -1)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
		    "cannot create a temporary file in %s: %s", dir,
		    strerror(errno));
	st = message_intake(in_fd, msg->fd, dir, flags, &msg->info, err);
	if (st != CARRIER_OK) {
		(void)close(msg->fd);
		msg->fd = -1;
	}
	msg->file_size = msg->info.size;
	return st;
}

void
carrier_message_close(struct carrier_message *msg)
{
	if (msg->fd != -1)
		(void)close(msg->fd);
	msg->fd = -1;
	free(msg->head);
	msg->head = NULL;
	msg->headlen = 0;
}

/*
 * The header policy: what carrier_submit() does between reading the
 * message and handing it to the delivery core.
 */

#define SUBMIT_HEAD_CHUNK	16384

/* What the policy reads from files (see carrier.h). */
struct carrier_cache {
	struct identity	 id;		/* the mail domain, if known */
	int		 id_tried;
	struct aliases	*aliases;	/* loaded when needed */
	int		 aliases_tried, aliases_failed;
	char		 aliases_err[512];	/* why it failed */
	int		 domain_warned;	/* a domain without a dot was named */
};

struct policy {
	const struct carrier_options	*opts;
	const struct carrier_submit	*sub;
	struct identity			 id;
	struct carrier_cache		*cache;	/* sub->cache, else &own */
	struct carrier_cache		 own;	/* this call's alone */
};

struct carrier_cache *
carrier_cache_new(void)
{
	return calloc(1, sizeof(struct carrier_cache));
}

void
carrier_cache_free(struct carrier_cache *cache)
{
	if (cache == NULL)
		return;
	aliases_free(cache->aliases);
	free(cache);
}

/*
 * Reads the header section from the start of msg's file into h and sets
 * msg->body_off.  A header section over HEADER_MAX is refused.
 */
static enum carrier_status
read_head(struct carrier_message *msg, struct header *h,
    struct carrier_error *err)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, skip, hlen, body;
	ssize_t n;
	int rc = 0;

	while (rc == 0) {
		if (len == cap) {
			/* doubled: header_section reads from the start again */
			cap = cap == 0 ? SUBMIT_HEAD_CHUNK : 2 * cap;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				return status_set(err, CARRIER_TEMP,
				    PHASE_LOCAL, "%s", strerror(errno));
			}
			buf = nb;
		}
		n = pread(msg->fd, buf + len, cap - len, (off_t)len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
			    "reading the saved message: %s", strerror(errno));
		}
		len += (size_t)n;
		rc = header_section(buf, len, len == msg->file_size, &skip,
		    &hlen, &body);
		if (rc == 0 && len == msg->file_size)
			rc = -1;	/* cannot happen: canonical text */
	}
	if (rc == -1) {
		free(buf);
		return status_set(err, CARRIER_PERM, PHASE_INPUT, "the header "
		    "section is larger than %d octets", HEADER_MAX);
	}
	rc = header_parse(h, buf + skip, hlen);
	free(buf);
	if (rc == -1 && errno == E2BIG)
		return status_set(err, CARRIER_PERM, PHASE_INPUT, "the header "
		    "section has more than %d fields", HEADER_FIELDS_MAX);
	if (rc == -1)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL, "the header "
		    "section: %s", strerror(errno));
	msg->body_off = body;
	return CARRIER_OK;
}

/*
 * Whether addr is local: a bare name, or one at the mail domain (when
 * known without a DNS lookup), localhost, or this host's name.
 */
static int
is_local(struct policy *p, const char *addr, int qualified)
{
	const char *d = addr_domain(addr), *md;
	char host[256];

	if (!qualified || d == NULL)
		return 1;
	if (((md = identity_domain_known(&p->id)) != NULL &&
	    strcasecmp(d, md) == 0) ||
	    strcasecmp(d, "localhost") == 0 ||
	    strcasecmp(d, "localhost.localdomain") == 0)
		return 1;
	return strcasecmp(d, identity_hostname(host, sizeof(host))) == 0;
}

/*
 * Whether addr is the user's own: the login as its local part, at a
 * local domain or at the mail domain if that is already known (never a
 * lookup of its own).
 */
static int
own_address(struct policy *p, const char *addr)
{
	const char *d = addr_domain(addr);
	size_t n = strlen(p->id.user);

	if (d == NULL || (size_t)(d - addr) != n + 1 ||
	    strncasecmp(addr, p->id.user, n) != 0)
		return 0;
	return is_local(p, addr, 1) ||
	    (p->id.have_domain && strcasecmp(d, p->id.domain) == 0);
}

/* local@domain for a bare local name, else addr as it is. */
static int
qualify(struct policy *p, const char *addr, int qualified, char *out,
    size_t size)
{
	const char *d;
	int n;

	if (qualified)
		n = snprintf(out, size, "%s", addr);
	else {
		d = identity_domain(&p->id);
		n = snprintf(out, size, "%s@%s", addr, d);
		/* root@vm: most relays refuse it, or its bounce goes nowhere */
		if (strchr(d, '.') == NULL && !p->cache->domain_warned) {
			p->cache->domain_warned = 1;
			log_warnx("warning: the mail domain \"%s\" is not "
			    "fully qualified (%s@%s); set domain in "
			    "carrier.conf, or /etc/mailname", d, addr, d);
		}
	}
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Adds one final address (qualified, checked) to the envelope. */
static enum carrier_status
add_final(struct policy *p, struct carrier_envelope *env, const char *addr,
    int qualified, const char *where, struct carrier_error *err)
{
	char full[ADDR_MAX + 2], why[128];

	if (qualify(p, addr, qualified, full, sizeof(full)) == -1 ||
	    addr_check_mailbox(full, why, sizeof(why)) != 0)
		return status_set(err, CARRIER_PERM, PHASE_INPUT, "invalid "
		    "recipient \"%.200s\"%s%s: %s", addr, where[0] ? " in " :
		    "", where, why);
	if (envelope_add_rcpt(env, full) == -1)
		return errno == E2BIG ? status_set(err, CARRIER_PERM,
		    PHASE_USAGE, "too many recipients: carrier takes at most "
		    "%d a message (send it in parts)", ENVELOPE_RCPT_MAX) :
		    status_set(err, CARRIER_TEMP, PHASE_LOCAL, "%s",
		    strerror(errno));
	return CARRIER_OK;
}

/* Shows what the aliases file makes carrier skip or ignore. */
static void
alias_warning(void *arg, const char *msg)
{
	(void)arg;
	log_warnx("%s", msg);
}

/*
 * The aliases table, loaded the first time a local name needs it; NULL
 * for none, or with err set when it could not be loaded.
 */
static struct aliases *
aliases_table(struct policy *p, struct carrier_error *err)
{
	struct carrier_cache *c = p->cache;

	if (!c->aliases_tried) {
		c->aliases_tried = 1;
		c->aliases_failed = p->opts->aliases != NULL &&
		    aliases_load(&c->aliases, p->opts->aliases, alias_warning,
		    NULL, c->aliases_err, sizeof(c->aliases_err)) == -1;
	}
	if (c->aliases_failed)
		status_set(err, CARRIER_PERM, PHASE_CONFIG, "%s",
		    c->aliases_err);
	return c->aliases;
}

/*
 * Adds one recipient.  A local one (a bare name, or one at the mail
 * domain, localhost or this host) goes through the aliases file first;
 * bare names are qualified with the mail domain.
 */
static enum carrier_status
add_rcpt(struct policy *p, struct carrier_envelope *env, const char *addr,
    int qualified, const char *where, struct carrier_error *err)
{
	struct addrlist list;
	struct aliases *a;
	enum carrier_status st = CARRIER_OK;
	char local[ADDR_LOCAL_MAX + 1], why[256];
	size_t j, skipped = 0, ll;
	const char *at;

	if (!is_local(p, addr, qualified))
		return add_final(p, env, addr, qualified, where, err);
	status_clear(err);
	if ((a = aliases_table(p, err)) == NULL) {
		if (err->status != CARRIER_OK)
			return err->status;
		return add_final(p, env, addr, qualified, where, err);
	}
	at = qualified ? strrchr(addr, '@') : NULL;
	ll = at != NULL ? (size_t)(at - addr) : strlen(addr);
	if (ll == 0 || ll >= sizeof(local) || addr[0] == '"')
		return add_final(p, env, addr, qualified, where, err);
	memcpy(local, addr, ll);
	local[ll] = '\0';
	memset(&list, 0, sizeof(list));
	if (aliases_expand(a, local, &list, &skipped, why, sizeof(why)) ==
	    -1) {
		addrlist_free(&list);	/* it may have grown before failing */
		return status_set(err, CARRIER_PERM, PHASE_CONFIG, "%s", why);
	}
	if (list.n == 0)
		st = status_set(err, CARRIER_PERM, PHASE_INPUT, "recipient "
		    "%.200s: its alias has only targets carrier cannot deliver "
		    "to (%zu command, file or :include: target%s)", addr,
		    skipped, skipped == 1 ? "" : "s");
	for (j = 0; j < list.n && st == CARRIER_OK; j++) {
		/* a name that stays itself keeps the domain it was given */
		if (!list.v[j].qualified && strcasecmp(list.v[j].addr,
		    local) == 0 && qualified)
			st = add_final(p, env, addr, 1, where, err);
		else
			st = add_final(p, env, list.v[j].addr,
			    list.v[j].qualified, where, err);
	}
	addrlist_free(&list);
	return st;
}

/* -t: recipients from To, Cc, Bcc, or the Resent- ones if any. */
static enum carrier_status
rcpts_from_header(struct policy *p, const struct header *h,
    struct carrier_envelope *env, struct carrier_error *err)
{
	static const char *const plain[] = { "To", "Cc", "Bcc" };
	static const char *const resent[] = { "Resent-To", "Resent-Cc",
	    "Resent-Bcc" };
	const char *const *names = plain;
	struct addrlist list;
	enum carrier_status st;
	const char *v;
	char why[128];
	size_t k, j, vl;
	long i;

	/* any Resent- field means a resent message (as Postfix has it) */
	for (j = 0; j < h->n && names == plain; j++)
		if (strncasecmp(h->f[j].text, "Resent-", 7) == 0)
			names = resent;
	for (k = 0; k < 3; k++) {
		for (i = header_find(h, names[k], 0); i >= 0;
		    i = header_find(h, names[k], (size_t)i + 1)) {
			memset(&list, 0, sizeof(list));
			v = header_value(h, (size_t)i, &vl);
			if (addrlist_parse(&list, v, vl, why,
			    sizeof(why)) == -1) {
				addrlist_free(&list);
				return status_set(err, CARRIER_PERM,
				    PHASE_INPUT, "the %s: header: %s",
				    names[k], why);
			}
			for (j = 0; j < list.n; j++) {
				st = add_rcpt(p, env, list.v[j].addr,
				    list.v[j].qualified, names[k], err);
				if (st != CARRIER_OK) {
					addrlist_free(&list);
					return st;
				}
			}
			addrlist_free(&list);
		}
	}
	return CARRIER_OK;
}

/*
 * A display name as an RFC 5322 phrase: atoms as they are, other ASCII
 * as a quoted string, non-ASCII as RFC 2047 encoded words.
 */
static int
phrase(const char *name, char *out, size_t size)
{
	size_t i, o = 0, len = strlen(name), chunk;
	int ascii = 1, plain = 1;
	long n;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 0x80)
			ascii = 0;
		else if (!isalnum(c) && c != ' ' && strchr("!#$%&'*+-/=?^_`"
		    "{|}~", c) == NULL)
			plain = 0;
	}
	if (ascii && plain)
		return strlcpy(out, name, size) < size ? 0 : -1;
	if (ascii) {
		if (o + 1 >= size)
			return -1;
		out[o++] = '"';
		for (i = 0; i < len; i++) {
			if (o + 3 >= size)
				return -1;
			if (name[i] == '"' || name[i] == '\\')
				out[o++] = '\\';
			out[o++] = name[i];
		}
		out[o++] = '"';
		out[o] = '\0';
		return 0;
	}
	/* encoded words of at most 75 octets: 45 octets of text each,
	 * never splitting a UTF-8 sequence */
	for (i = 0; i < len; i += chunk) {
		chunk = len - i < 45 ? len - i : 45;
		while (i + chunk < len && chunk > 0 &&
		    ((unsigned char)name[i + chunk] & 0xc0) == 0x80)
			chunk--;
		if (chunk == 0)		/* not UTF-8 after all: cut anywhere */
			chunk = len - i < 45 ? len - i : 45;
		if (o + 13 >= size)
			return -1;
		memcpy(out + o, i > 0 ? " =?UTF-8?B?" : "=?UTF-8?B?",
		    i > 0 ? 11 : 10);
		o += i > 0 ? 11 : 10;
		if ((n = base64_encode(name + i, chunk, out + o, size - o)) ==
		    -1 || o + (size_t)n + 3 > size)
			return -1;
		o += (size_t)n;
		memcpy(out + o, "?=", 3);
		o += 2;
	}
	return 0;
}

/* "phrase <addr>", or "addr" without a display name. */
static int
mailbox(const char *display, const char *addr, char *out, size_t size)
{
	char ph[1024];
	int n;

	if (display == NULL || display[0] == '\0')
		return strlcpy(out, addr, size) < size ? 0 : -1;
	if (phrase(display, ph, sizeof(ph)) == -1)
		return -1;
	n = snprintf(out, size, "%s <%s>", ph, addr);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* A field's new value, grown by doubling (a header is at most 1 MiB). */
struct splice {
	char	*s;
	size_t	 len, cap;
};

/* Appends n octets of s, NUL-terminated.  0, or -1 (ENOMEM). */
static int
splice_add(struct splice *sp, const char *s, size_t n)
{
	size_t cap;
	char *ns;

	if (n >= sp->cap - sp->len) {
		for (cap = sp->cap == 0 ? 256 : sp->cap; n >= cap - sp->len;)
			cap *= 2;
		if ((ns = realloc(sp->s, cap)) == NULL)
			return -1;
		sp->s = ns;
		sp->cap = cap;
	}
	memcpy(sp->s + sp->len, s, n);
	sp->len += n;
	sp->s[sp->len] = '\0';
	return 0;
}

/*
 * Rewrites an address header field whose list holds a bare local name:
 * each bare name is qualified (and, for From with rewrite_from, a local
 * sender's address replaced by the configured from) where it stands, so
 * display names, comments and folding stay as written.  Other fields
 * stay untouched, byte for byte, and so does a field with a group in
 * it: a group's members are not qualified (as before).
 */
static enum carrier_status
fix_field(struct policy *p, struct header *h, size_t i,
    int is_from, struct carrier_error *err)
{
	struct addrlist list;
	struct addrlist_entry *e;
	const char *v, *add, *add2;
	char why[128], name[64];
	struct splice value = { NULL, 0, 0 };
	size_t j, vl, from, keep, nl;
	int change = 0, rc = 0;

	memset(&list, 0, sizeof(list));
	v = header_value(h, i, &vl);
	if (addrlist_parse(&list, v, vl, why, sizeof(why)) == -1 ||
	    list.groups > 0) {
		addrlist_free(&list);
		return CARRIER_OK;	/* not ours to judge: sent as is */
	}
	from = vl > 0 && v[0] == ' ';	/* header_put writes ": " */
	for (j = 0; j < list.n && rc == 0; j++) {
		e = &list.v[j];
		if (is_from && p->opts->rewrite_from && p->opts->from != NULL &&
		    is_local(p, e->addr, e->qualified)) {
			keep = e->start;	/* the address goes */
			add = p->opts->from;
			add2 = "";
		} else if (!e->qualified) {
			keep = e->end;		/* "@domain" follows it */
			add = "@";
			add2 = identity_domain(&p->id);
		} else
			continue;
		if (splice_add(&value, v + from, keep - from) == -1 ||
		    splice_add(&value, add, strlen(add)) == -1 ||
		    splice_add(&value, add2, strlen(add2)) == -1)
			rc = -1;
		from = e->end;
		change = 1;
	}
	addrlist_free(&list);
	if (rc == 0 && change)
		rc = splice_add(&value, v + from, vl - from);
	if (rc == 0 && change) {
		nl = h->f[i].namelen < sizeof(name) - 1 ?
		    h->f[i].namelen : sizeof(name) - 1;
		memcpy(name, h->f[i].text, nl);
		name[nl] = '\0';
		rc = header_put(h, (long)i, name, value.s);
	}
	free(value.s);
	if (rc == -1)
		return status_set(err, CARRIER_PERM, PHASE_INPUT,
		    "the header section: %s", strerror(errno));
	return CARRIER_OK;
}

/*
 * The first token of a MIME field's value (v, *len octets): folding,
 * blanks and comments before it skipped, and it ends at a blank, a line
 * end, a comment or ';' (RFC 2045 5.1, 6.1).  *len becomes its length.
 */
static const char *
mime_token(const char *v, size_t *len)
{
	size_t n = *len, k = 0;
	int depth = 0;

	while (n > 0 && (depth > 0 || strchr(" \t\r\n(", *v) != NULL)) {
		if (*v == '(')
			depth++;
		else if (*v == ')' && depth > 0)
			depth--;
		else if (*v == '\\' && depth > 0 && n > 1)
			v++, n--;
		v++, n--;
	}
	while (k < n && strchr(" \t\r\n(;", v[k]) == NULL)
		k++;
	*len = k;
	return v;
}

/*
 * Whether the body may be re-encoded: not MIME, or a single text part
 * in 7bit or 8bit (no encoding of its own).
 */
static int
qp_eligible(const struct header *h)
{
	const char *v;
	size_t vl;
	long i;

	if ((i = header_find(h, "Content-Type", 0)) >= 0) {
		v = header_value(h, (size_t)i, &vl);
		v = mime_token(v, &vl);
		if (vl < 5 || strncasecmp(v, "text/", 5) != 0)
			return 0;
	}
	if ((i = header_find(h, "Content-Transfer-Encoding", 0)) >= 0) {
		v = header_value(h, (size_t)i, &vl);
		v = mime_token(v, &vl);
		if (!(vl == 4 && (strncasecmp(v, "7bit", 4) == 0 ||
		    strncasecmp(v, "8bit", 4) == 0)))
			return 0;
	}
	return 1;
}

/* Whether the body has a line over 998 octets or a NUL byte. */
static int
body_needs_qp(const struct carrier_message *msg)
{
	static char buf[SUBMIT_HEAD_CHUNK];
	uint64_t off = msg->body_off;
	size_t run = 0, i;
	ssize_t n;

	while (off < msg->file_size) {
		n = pread(msg->fd, buf, sizeof(buf), (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] == '\0')
				return 1;
			if (buf[i] == '\n')
				run = 0;
			else if (++run > HEADER_LINE_MAX + 1)	/* + the CR */
				return 1;
		}
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Re-encodes the body quoted-printable (lossless: every line then fits
 * in 76 octets, NUL bytes become =00) into a new temporary file, and
 * says so in the header.
 */
static enum carrier_status
qp_body(const struct carrier_options *opts, struct carrier_message *msg,
    struct header *h, struct carrier_error *err)
{
	uint64_t size;
	int fd;

	if ((fd = carrier_tmpfile(opts)) == -1)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL, "cannot "
		    "create a temporary file in %s: %s", tmp_dir(opts),
		    strerror(errno));
	if (qp_encode_fd(msg->fd, msg->body_off, fd, &size) == -1) {
		(void)close(fd);
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL, "re-encoding "
		    "the message in %s: %s", tmp_dir(opts), strerror(errno));
	}
	if ((header_find(h, "MIME-Version", 0) < 0 && header_put(h, -1,
	    "MIME-Version", "1.0") == -1) ||
	    (header_find(h, "Content-Type", 0) < 0 && header_put(h, -1,
	    "Content-Type", msg->info.eightbit ? "text/plain; charset=utf-8" :
	    "text/plain; charset=us-ascii") == -1) ||
	    header_put(h, header_find(h, "Content-Transfer-Encoding", 0),
	    "Content-Transfer-Encoding", "quoted-printable") == -1) {
		(void)close(fd);
		return status_set(err, CARRIER_PERM, PHASE_INPUT, "the header "
		    "section: %s", strerror(errno));
	}
	(void)close(msg->fd);
	msg->fd = fd;
	msg->body_off = 0;
	msg->file_size = size;
	msg->info.long_lines = 0;
	msg->info.nul = 0;
	msg->info.dot_lines = 1;	/* unknown now: stuff to be safe */
	return CARRIER_OK;
}

/*
 * The Message-ID field's value, unfolded and trimmed, into dst for the
 * mail log ("" when there is none); the log sanitises it.
 */
static void
keep_msgid(const struct header *h, char *dst, size_t size)
{
	const char *v;
	long i;
	size_t len, o = 0;

	dst[0] = '\0';
	if ((i = header_find(h, "Message-ID", 0)) < 0)
		return;
	v = header_value(h, (size_t)i, &len);
	for (; len > 0 && o + 1 < size; v++, len--) {
		if (*v == '\r' || *v == '\n' || ((*v == ' ' || *v == '\t') &&
		    (o == 0 || dst[o - 1] == ' ')))
			continue;
		dst[o++] = *v == '\t' ? ' ' : *v;
	}
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}

/* A HELO name fit for the Received field: a domain or address literal. */
static int
trace_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-_:[]") == n;
}

/*
 * Puts the Received trace field (RFC 5321 4.4) before the header:
 * "Received: by HOST (carrier, uid N); DATE" for a submission on
 * stdin, "Received: from HELO by HOST (carrier, uid N) with ESMTP;
 * DATE" for one over -bs.  No "for": it would show a Bcc recipient.
 */
static enum carrier_status
add_received(struct policy *p, struct carrier_message *msg,
    struct carrier_error *err)
{
	const char *client = p->sub->client;
	char host[256], date[64], line[700], *head;
	int n;

	(void)identity_helo(p->opts->helo, host, sizeof(host));
	(void)identity_date(time(NULL), date, sizeof(date));
	if (client == NULL)
		n = snprintf(line, sizeof(line), "Received: by %s (carrier, "
		    "uid %lu); %s\r\n", host, (unsigned long)getuid(), date);
	else
		n = snprintf(line, sizeof(line), "Received: from %s by %s "
		    "(carrier, uid %lu) with %s; %s\r\n",
		    trace_name_ok(client) ? client : "unknown", host,
		    (unsigned long)getuid(), p->sub->esmtp ? "ESMTP" : "SMTP",
		    date);
	if (n < 0 || (size_t)n >= sizeof(line))
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL, "the "
		    "Received field does not fit");
	if ((head = malloc((size_t)n + msg->headlen + 1)) == NULL)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL, "%s",
		    strerror(errno));
	memcpy(head, line, (size_t)n);
	memcpy(head + n, msg->head, msg->headlen);
	head[(size_t)n + msg->headlen] = '\0';
	free(msg->head);
	msg->head = head;
	msg->headlen += (size_t)n;
	return CARRIER_OK;
}

/* Adds what RFC 5322 requires and the caller left out. */
static enum carrier_status
add_missing(struct policy *p, struct header *h, const char *sender,
    struct carrier_error *err)
{
	char value[1400], from[ADDR_MAX + 2], why[128];
	const char *name, *domain;

	if (header_find(h, "From", 0) < 0) {
		/*
		 * The user's own address (for the null sender), and the
		 * user's own name only beside it.  With -f the user need not
		 * be in passwd (a container's arbitrary uid): -f alone is
		 * enough then.
		 */
		name = p->sub->fullname;
		from[0] = '\0';
		if (identity_user(&p->id, why, sizeof(why)) == 0) {
			if (sender[0] == '\0' && qualify(p, p->id.user, 0,
			    from, sizeof(from)) == -1)
				return status_set(err, CARRIER_PERM,
				    PHASE_USAGE, "the user name and mail domain "
				    "make too long an address");
			if (name == NULL && (sender[0] == '\0' ||
			    own_address(p, sender)))
				name = p->id.fullname;
		} else if (sender[0] == '\0')
			return status_set(err, CARRIER_TEMP, PHASE_LOCAL,
			    "%s", why);
		if (sender[0] != '\0')
			(void)strlcpy(from, sender, sizeof(from));
		/* a name too long for the field: the address alone */
		if ((mailbox(name, from, value, sizeof(value)) == -1 &&
		    mailbox(NULL, from, value, sizeof(value)) == -1) ||
		    header_put(h, -1, "From", value) == -1)
			goto fail;
	}
	if (header_find(h, "Date", 0) < 0 && (header_put(h, -1, "Date",
	    identity_date(time(NULL), value, sizeof(value))) == -1))
		goto fail;
	/*
	 * The Message-ID's domain: the mail domain if known without DNS,
	 * else the sender's, and the host's looked-up name only when the
	 * sender has none (the null sender).
	 */
	if (header_find(h, "Message-ID", 0) < 0) {
		if ((domain = identity_domain_known(&p->id)) == NULL &&
		    (domain = addr_domain(sender)) == NULL)
			domain = identity_domain(&p->id);
		if (header_put(h, -1, "Message-ID", identity_message_id(
		    domain, value, sizeof(value))) == -1)
			goto fail;
	}
	return CARRIER_OK;
fail:
	return status_set(err, CARRIER_TEMP, PHASE_LOCAL, "adding a header "
	    "field: %s", strerror(errno));
}

/* A -f or -F value must not smuggle in header fields or commands. */
static int
clean_value(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/*
 * The one mailbox of s ("a@b", "<a@b>", "Name <a@b>", a bare name) as
 * list->v[0] (list to addrlist_free()); -1 with a reason for anything
 * else.
 */
static int
one_address(const char *s, struct addrlist *list, char *why, size_t whylen)
{
	memset(list, 0, sizeof(*list));
	if (addrlist_parse(list, s, strlen(s), why, whylen) == -1)
		return -1;
	if (list->n != 1) {
		(void)snprintf(why, whylen, "%s", list->n == 0 ? "no address" :
		    "more than one address");
		return -1;
	}
	return 0;
}

/*
 * One recipient argument: an address list, as sendmail and Postfix take
 * it ("a@b", "<a@b>", "Name <a@b>, c@d", a bare name; a comma-separated
 * MAILTO reaches cron's sendmail as one argument).
 */
static enum carrier_status
add_argument(struct policy *p, struct carrier_envelope *env, const char *arg,
    struct carrier_error *err)
{
	struct addrlist list;
	enum carrier_status st = CARRIER_OK;
	char why[128] = "";
	size_t k;

	if (!clean_value(arg))
		return status_set(err, CARRIER_PERM, PHASE_INPUT,
		    "invalid recipient: control characters");
	memset(&list, 0, sizeof(list));
	if (addrlist_parse(&list, arg, strlen(arg), why, sizeof(why)) == -1 ||
	    list.n == 0) {
		addrlist_free(&list);
		return status_set(err, CARRIER_PERM, PHASE_INPUT, "invalid "
		    "recipient \"%.200s\": %s", arg, list.n == 0 &&
		    why[0] == '\0' ? "no address" : why);
	}
	/* an SMTP RCPT names one mailbox (RFC 5321 4.1.1.3) */
	if ((p->sub->flags & CARRIER_SUBMIT_ONE) && (list.n != 1 ||
	    list.groups > 0)) {
		addrlist_free(&list);
		return status_set(err, CARRIER_PERM, PHASE_INPUT, "invalid "
		    "recipient \"%.200s\": more than one address", arg);
	}
	for (k = 0; k < list.n && st == CARRIER_OK; k++)
		st = add_rcpt(p, env, list.v[k].addr, list.v[k].qualified, "",
		    err);
	addrlist_free(&list);
	return st;
}

/* The envelope sender: -f, else the configured from, else user@domain. */
static enum carrier_status
pick_sender(struct policy *p, struct carrier_envelope *env,
    struct carrier_error *err)
{
	const char *f = p->sub->sender;
	char addr[ADDR_MAX + 2], why[128] = "";
	struct addrlist list = { 0 };

	if (f != NULL && (f[0] == '\0' || strcmp(f, "<>") == 0))
		addr[0] = '\0';		/* the null sender */
	else if (f != NULL) {
		/* "a@b", "<a@b>" or "Name <a@b>", as sendmail takes them */
		int bad = !clean_value(f) || one_address(f, &list, why,
		    sizeof(why)) == -1 || qualify(p, list.v[0].addr,
		    list.v[0].qualified, addr, sizeof(addr)) == -1 ||
		    addr_check_mailbox(addr, why, sizeof(why)) != 0;

		addrlist_free(&list);
		if (bad)
			return status_set(err, CARRIER_PERM, PHASE_INPUT,
			    "invalid sender \"%.200s\"%s%s", f, why[0] != '\0' ?
			    ": " : "", why);
	} else if (p->opts->from != NULL)
		(void)strlcpy(addr, p->opts->from, sizeof(addr));
	else if (identity_user(&p->id, why, sizeof(why)) == -1)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL, "%s", why);
	else if (qualify(p, p->id.user, 0, addr, sizeof(addr)) == -1)
		return status_set(err, CARRIER_PERM, PHASE_USAGE, "the user "
		    "name and mail domain make too long an address");
	if (envelope_set_sender(env, addr) == -1)
		return status_set(err, CARRIER_TEMP, PHASE_LOCAL, "%s",
		    strerror(errno));
	return CARRIER_OK;
}

/* The identity, the sender and the argument recipients. */
static enum carrier_status
start_policy(struct policy *p, const struct carrier_options *opts,
    const struct carrier_submit *sub, struct carrier_envelope *env,
    struct carrier_error *err)
{
	enum carrier_status st;
	size_t j;

	p->opts = opts;
	p->sub = sub;
	memset(&p->own, 0, sizeof(p->own));
	p->cache = sub->cache != NULL ? sub->cache : &p->own;
	if (sub->fullname != NULL && !clean_value(sub->fullname))
		return status_set(err, CARRIER_PERM, PHASE_INPUT, "invalid "
		    "full name: control characters in -F");
	identity_init(&p->id, opts->domain, opts->mailname);
	if (sub->cache != NULL) {
		/* the mail domain file read once; the rest as in a new call */
		if (!p->cache->id_tried) {
			p->cache->id = p->id;
			(void)identity_domain_known(&p->cache->id);
			p->cache->id_tried = 1;
		}
		p->id = p->cache->id;
	}
	if ((st = pick_sender(p, env, err)) != CARRIER_OK)
		return st;
	for (j = 0; j < sub->nrcpts; j++)
		if ((st = add_argument(p, env, sub->rcpts[j], err)) !=
		    CARRIER_OK)
			return st;
	return CARRIER_OK;
}

/* Frees what start_policy() loaded for this call alone. */
static void
end_policy(struct policy *p)
{
	aliases_free(p->own.aliases);
	p->own.aliases = NULL;
}

enum carrier_status
carrier_recipients(const struct carrier_options *opts,
    const struct carrier_submit *sub, struct carrier_envelope *env,
    struct carrier_error *err)
{
	struct policy p;
	enum carrier_status st;

	st = start_policy(&p, opts, sub, env, err);
	end_policy(&p);
	return st;
}

/* The header policy on a message read into msg, after start_policy(). */
static enum carrier_status
apply_policy(struct policy *p, struct carrier_message *msg,
    struct carrier_envelope *env, struct carrier_error *err)
{
	static const char *const addr_fields[] = { "From", "To", "Cc",
	    "Reply-To", "Sender", "Resent-From", "Resent-To", "Resent-Cc",
	    "Resent-Sender" };
	const struct carrier_submit *sub = p->sub;
	struct header h;
	enum carrier_status st;
	size_t k;
	long i;
	int long_left;

	memset(&h, 0, sizeof(h));
	if ((st = read_head(msg, &h, err)) != CARRIER_OK)
		goto out;
	if ((sub->flags & CARRIER_SUBMIT_T) &&
	    (st = rcpts_from_header(p, &h, env, err)) != CARRIER_OK)
		goto out;
	if (env->nrcpts == 0) {
		st = status_set(err, CARRIER_PERM, PHASE_USAGE, "no "
		    "recipients%s", (sub->flags & CARRIER_SUBMIT_T) ?
		    " in the arguments or the header" : " given");
		goto out;
	}
	/*
	 * A NUL byte has no place in a header field, and relays cut the
	 * field there (Postfix keeps "Subject: a" of "Subject: a<NUL>b"): a
	 * space keeps the rest of it.
	 */
	for (k = 0; k < h.n; k++) {
		char *z;

		while ((z = memchr(h.f[k].text, '\0', h.f[k].len)) != NULL)
			*z = ' ';
	}
	/* Bcc is for the envelope only */
	while ((i = header_find(&h, "Bcc", 0)) >= 0)
		header_remove(&h, (size_t)i);
	while ((i = header_find(&h, "Resent-Bcc", 0)) >= 0)
		header_remove(&h, (size_t)i);
	for (k = 0; k < sizeof(addr_fields) / sizeof(addr_fields[0]); k++)
		for (i = header_find(&h, addr_fields[k], 0); i >= 0;
		    i = header_find(&h, addr_fields[k], (size_t)i + 1))
			if ((st = fix_field(p, &h, (size_t)i,
			    strcasecmp(addr_fields[k], "From") == 0, err)) !=
			    CARRIER_OK)
				goto out;
	if ((st = add_missing(p, &h, env->sender, err)) != CARRIER_OK)
		goto out;
	keep_msgid(&h, msg->msgid, sizeof(msg->msgid));
	/* long lines or NUL in a plain text body: quoted-printable */
	if ((msg->info.long_lines > 0 || msg->info.nul) && qp_eligible(&h) &&
	    body_needs_qp(msg) && (st = qp_body(p->opts, msg, &h, err)) !=
	    CARRIER_OK)
		goto out;
	if (header_render(&h, &msg->head, &msg->headlen, &long_left) == -1) {
		st = status_set(err, CARRIER_TEMP, PHASE_LOCAL, "%s",
		    strerror(errno));
		goto out;
	}
	if (long_left) {
		st = status_set(err, CARRIER_PERM, PHASE_INPUT, "a header "
		    "line is longer than %d octets and has no blank to fold "
		    "it at", HEADER_LINE_MAX);
		goto out;
	}
	if ((st = add_received(p, msg, err)) != CARRIER_OK)
		goto out;
	msg->info.size = msg->headlen + msg->file_size - msg->body_off;
	/* raw UTF-8 in header fields asks for SMTPUTF8 (RFC 6532) */
	for (k = 0; k < msg->headlen && !msg->info.head_eightbit; k++)
		msg->info.head_eightbit = (unsigned char)msg->head[k] >= 0x80;
	st = CARRIER_OK;
out:
	header_free(&h);
	return st;
}

enum carrier_status
carrier_submit(const struct carrier_options *opts,
    const struct carrier_submit *sub, int in_fd, struct carrier_message *msg,
    struct carrier_envelope *env, struct carrier_error *err)
{
	struct policy p;
	enum carrier_status st;

	memset(msg, 0, sizeof(*msg));
	msg->fd = -1;
	/* a bad -f, -F or recipient is refused before stdin is read */
	if ((st = start_policy(&p, opts, sub, env, err)) == CARRIER_OK &&
	    (st = carrier_message_read(opts, in_fd, sub->flags, msg, err)) ==
	    CARRIER_OK)
		st = apply_policy(&p, msg, env, err);
	end_policy(&p);
	if (st != CARRIER_OK)
		carrier_message_close(msg);
	return st;
}

enum carrier_status
carrier_submit_message(const struct carrier_options *opts,
    const struct carrier_submit *sub, struct carrier_message *msg,
    struct carrier_envelope *env, struct carrier_error *err)
{
	struct policy p;
	enum carrier_status st;

	if ((st = start_policy(&p, opts, sub, env, err)) == CARRIER_OK)
		st = apply_policy(&p, msg, env, err);
	end_policy(&p);
	if (st != CARRIER_OK)
		carrier_message_close(msg);
	return st;
}
