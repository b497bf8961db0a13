/* SPDX-License-Identifier: ISC */
/*
 * sts_fetch.c: the HTTPS fetch of an MTA-STS policy (see sts_fetch.h).
 * Depends on net and net_connect (the lookup, Happy Eyeballs), conn and
 * conn_tls (I/O under the deadline, TLS), http (the response), sts (the
 * policy), sts_decide (the domain's name), monotime and status.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "compat.h"
#include "monotime.h"
#include "status.h"
#include "http.h"
#include "sts.h"
#include "sts_decide.h"
#include "conn.h"
#include "conn_tls.h"
#include "net.h"
#include "sts_fetch.h"

#define USER_AGENT	"carrier/" PACKAGE_VERSION
#define READ_CHUNK	4096
#define TLS_FAILED	"TLS handshake failed: "
#define HOST_MAX	(8 + STS_DOMAIN_MAX)	/* "mta-sts." domain, NUL */
#define HOSTPORT_MAX	12			/* ":" port, NUL */
#define URL_MAX		(8 + HOST_MAX + HOSTPORT_MAX + \
			    sizeof(STS_FETCH_PATH))

/* What one fetch is about, for its messages. */
struct fetch {
	char		 domain[STS_DOMAIN_MAX];
	char		 host[HOST_MAX];
	char		 url[URL_MAX];
	unsigned int	 port;
	char		 hostport[HOSTPORT_MAX];	/* ":port"; "": 443 */
	int64_t		 start;
};

static int	names(struct fetch *, const char *, unsigned int);
static enum carrier_status	fail(struct carrier_error *,
		    const struct fetch *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static enum carrier_status	io_fail(struct carrier_error *,
		    const struct fetch *, const char *);
static enum carrier_status	request(struct conn *, const struct fetch *,
		    struct carrier_error *);
static enum carrier_status	check_head(const struct http_resp *,
		    const struct fetch *, struct carrier_error *);
static enum carrier_status	response(struct conn *, const struct fetch *,
		    struct http_resp *, struct carrier_error *);
static enum carrier_status	http_part(struct conn *, const struct fetch *,
		    struct sts_policy *, char *, size_t, size_t *,
		    struct carrier_error *);
static int	open_socket(const struct fetch *, const struct sts_fetch_opts *,
		    struct carrier_error *);
static enum carrier_status	start_tls(struct conn *, const struct fetch *,
		    const struct sts_fetch_opts *, struct carrier_error *);

/* The host and URL of domain's policy; -1 when it is not a name. */
static int
names(struct fetch *f, const char *domain, unsigned int port)
{
	f->port = port == 0 ? STS_FETCH_PORT : port;
	f->hostport[0] = '\0';
	if (f->port != STS_FETCH_PORT)
		(void)snprintf(f->hostport, sizeof(f->hostport), ":%u",
		    f->port);
	if (sts_decide_domain(domain, f->domain, sizeof(f->domain)) == -1) {
		(void)strlcpy(f->domain, domain, sizeof(f->domain));
		(void)strlcpy(f->url, "-", sizeof(f->url));
		return -1;
	}
	(void)snprintf(f->host, sizeof(f->host), "mta-sts.%s", f->domain);
	(void)snprintf(f->url, sizeof(f->url), "https://%s%s%s", f->host,
	    f->hostport, STS_FETCH_PATH);
	return 0;
}

/*
 * Fills err: CARRIER_TEMP, "MTA-STS policy of DOMAIN: URL: " and the
 * text, no host (the URL names it).  fmt's arguments may point into
 * err->text.
 */
static enum carrier_status
fail(struct carrier_error *err, const struct fetch *f, const char *fmt, ...)
{
	char text[STATUS_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	err->host[0] = '\0';
	return status_set(err, CARRIER_TEMP, PHASE_RESOLVE,
	    "MTA-STS policy of %s: %s: %s", f->domain, f->url, text);
}

/* A failed read or write (errno): a time-out says how long it ran. */
static enum carrier_status
io_fail(struct carrier_error *err, const struct fetch *f, const char *what)
{
	if (errno == ETIMEDOUT)
		return fail(err, f, "timed out after %.1f s",
		    (double)(monotime_ms() - f->start) / 1000.0);
	return fail(err, f, "%s: %s", what, strerror(errno));
}

static enum carrier_status
request(struct conn *c, const struct fetch *f, struct carrier_error *err)
{
	char req[512 + HOST_MAX];
	int n;

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s%s\r\n"
	    "User-Agent: %s\r\nConnection: close\r\n\r\n", STS_FETCH_PATH,
	    f->host, f->hostport, USER_AGENT);
	if (n < 0 || (size_t)n >= sizeof(req))
		return fail(err, f, "request too long");
	if (conn_write(c, req, (size_t)n) == -1 || conn_flush(c) == -1)
		return io_fail(err, f, "cannot send the request");
	return CARRIER_OK;
}

/* RFC 8461 3.3: a 200, not a redirect, text/plain (the size: http.c). */
static enum carrier_status
check_head(const struct http_resp *r, const struct fetch *f,
    struct carrier_error *err)
{
	if (r->status >= 300 && r->status < 400)
		return fail(err, f, "HTTP %d redirect to %s, not followed",
		    r->status, r->location[0] != '\0' ? r->location :
		    "nowhere");
	if (r->status != 200)
		return fail(err, f, "HTTP %d", r->status);
	if (strcmp(r->media_type, "text/plain") != 0)
		return fail(err, f, "not text/plain (%s)",
		    r->media_type[0] != '\0' ? r->media_type :
		    "no Content-Type");
	return CARRIER_OK;
}

/*
 * Reads the response into r until its body is complete, checking its
 * header section on the way.
 */
static enum carrier_status
response(struct conn *c, const struct fetch *f, struct http_resp *r,
    struct carrier_error *err)
{
	char buf[READ_CHUNK];
	enum http_result res = HTTP_MORE;
	enum carrier_status st;
	size_t pos = 0, len = 0, used;
	ssize_t n;

	for (;;) {
		switch (res) {
		case HTTP_MORE:		/* it took all: read on */
			if ((n = conn_read(c, buf, sizeof(buf))) == -1 &&
			    errno == EPROTO && r->framing == HTTP_BY_CLOSE)
				return fail(err, f, "a TLS error in a body "
				    "delimited by the close (without a TLS "
				    "close_notify it may be cut: RFC 9112 "
				    "9.8)");
			if (n == -1)
				return io_fail(err, f, "cannot read");
			if (n == 0) {
				res = http_end(r);	/* never HTTP_MORE */
				continue;
			}
			pos = 0;
			len = (size_t)n;
			break;
		case HTTP_HEAD:
			if ((st = check_head(r, f, err)) != CARRIER_OK)
				return st;
			break;
		case HTTP_DONE:
			return CARRIER_OK;
		case HTTP_TOOBIG:
			return fail(err, f, "over %zu octets", r->bodymax);
		case HTTP_BAD:
			return fail(err, f, "malformed HTTP response: %s",
			    r->why);
		}
		res = http_feed(r, buf + pos, len - pos, &used);
		pos += used;
	}
}

static enum carrier_status
http_part(struct conn *c, const struct fetch *f, struct sts_policy *p,
    char *text, size_t size, size_t *len, struct carrier_error *err)
{
	struct http_resp r;
	enum carrier_status st;
	char why[128];

	*len = 0;
	http_init(&r, text, size < STS_POLICY_MAX ? size : STS_POLICY_MAX);
	if ((st = request(c, f, err)) != CARRIER_OK ||
	    (st = response(c, f, &r, err)) != CARRIER_OK)
		return st;
	if (sts_parse_policy(text, r.bodylen, p, why, sizeof(why)) == -1)
		return fail(err, f, "policy: %s", why);
	*len = r.bodylen;
	status_clear(err);
	return CARRIER_OK;
}

enum carrier_status
sts_fetch_http(struct conn *c, const char *domain, unsigned int port,
    int64_t start, struct sts_policy *p, char *text, size_t size,
    size_t *len, struct carrier_error *err)
{
	struct fetch f;

	*len = 0;
	f.start = start;
	if (names(&f, domain, port) == -1)
		return fail(err, &f, "not a domain name");
	return http_part(c, &f, p, text, size, len, err);
}

/* The lookup and the connection: a socket, or -1 with err set. */
static int
open_socket(const struct fetch *f, const struct sts_fetch_opts *o,
    struct carrier_error *err)
{
	struct dns_addr a[NET_ADDRS_MAX];
	struct net_opts no;
	size_t n;
	int fd;

	if (net_resolve(f->host, o->family, o->deadline, a, NET_ADDRS_MAX,
	    &n, err) != CARRIER_OK) {
		fail(err, f, "%s", err->text);
		return -1;
	}
	n = net_order(a, n, NET_PREFER_V6, o->family);
	memset(&no, 0, sizeof(no));
	no.connect_ms = o->connect_ms;
	no.deadline = o->deadline;
	no.src4 = o->src4;
	no.src6 = o->src6;
	if ((fd = net_connect_addrs(f->host, a, n, f->port, &no, NULL, NULL,
	    err)) == -1)
		fail(err, f, "%s", err->text);
	return fd;
}

/* TLS with the certificate verified for f->host (RFC 8461 3.3). */
static enum carrier_status
start_tls(struct conn *c, const struct fetch *f,
    const struct sts_fetch_opts *o, struct carrier_error *err)
{
	struct conn_tls_opts t;
	const char *why;
	int cert_failed = 0;

	memset(&t, 0, sizeof(t));
	t.server_name = f->host;
	t.verify = 1;
	t.ca_file = o->ca_file;
	t.ca_path = o->ca_path;
	t.cert_failed = &cert_failed;
	if (conn_tls_start(c, &t, err) == CARRIER_OK)
		return CARRIER_OK;
	why = err->text;
	if (cert_failed) {
		if (strncmp(why, TLS_FAILED, strlen(TLS_FAILED)) == 0)
			why += strlen(TLS_FAILED);
		return fail(err, f, "certificate: %s", why);
	}
	if (o->deadline != 0 && monotime_ms() >= o->deadline)
		return fail(err, f, "timed out after %.1f s",
		    (double)(monotime_ms() - f->start) / 1000.0);
	return fail(err, f, "%s", why);
}

enum carrier_status
sts_fetch(const char *domain, const struct sts_fetch_opts *o,
    struct sts_policy *p, char *text, size_t size, size_t *len,
    struct carrier_error *err)
{
	struct fetch f;
	struct conn c;
	enum carrier_status st;
	int fd;

	*len = 0;
	f.start = monotime_ms();
	if (names(&f, domain, o->port) == -1)
		return fail(err, &f, "not a domain name");
	if ((fd = open_socket(&f, o, err)) == -1)
		return err->status;
	conn_init(&c, fd);
	c.deadline = o->deadline;
	if ((st = start_tls(&c, &f, o, err)) == CARRIER_OK) {
		st = http_part(&c, &f, p, text, size, len, err);
		conn_tls_close(&c);
	}
	conn_close(&c);
	return st;
}
