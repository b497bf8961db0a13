/* SPDX-License-Identifier: ISC */
/*
 * fuzz_http.c: libFuzzer harness for the HTTP/1.1 response parser.  The
 * input is one response, fed whole, one octet at a time, and in pieces
 * of uneven sizes, then ended (http_end).  Checks: the three runs agree
 * on everything (result, status, framing, fields kept, body, reason),
 * as http.h promises whatever the split; no call takes more than it was
 * given, and one that asks for more took everything; HTTP_HEAD comes at
 * most once, and before any HTTP_DONE; the body stays within its
 * buffer, and a body by Content-Length is complete; a media type kept
 * is lowercase "type/subtype"; a refusal says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define BODY_MAX	512

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct run {
	struct http_resp	r;
	char			body[BODY_MAX];
	enum http_result	res;
};

static void	feed(struct run *, const char *, size_t, size_t);
static void	check(const struct run *);
static void	same(const struct run *, const struct run *);

/*
 * Feeds the input in pieces of step octets (0: uneven sizes, 1 to 13),
 * then ends it.
 */
static void
feed(struct run *u, const char *data, size_t size, size_t step)
{
	size_t pos = 0, n, used, k = 0;
	int heads = 0;

	http_init(&u->r, u->body, sizeof(u->body));
	for (;;) {
		n = step != 0 ? step : 1 + (k++ * 7) % 13;
		if (n > size - pos)
			n = size - pos;
		u->res = http_feed(&u->r, data + pos, n, &used);
		if (used > n)
			abort();
		pos += used;
		if (u->res == HTTP_HEAD) {
			if (++heads > 1)
				abort();
			continue;
		}
		if (u->res != HTTP_MORE) {
			if (u->res == HTTP_DONE && heads != 1)
				abort();
			return;
		}
		if (used != n)
			abort();
		if (pos == size) {
			u->res = http_end(&u->r);
			if (u->res == HTTP_DONE && heads != 1)
				abort();
			return;
		}
	}
}

static void
check(const struct run *u)
{
	const struct http_resp *r = &u->r;
	const char *p;

	if (r->bodylen > BODY_MAX || r->body != u->body)
		abort();
	if (u->res == HTTP_BAD && r->why[0] == '\0')
		abort();
	if (u->res == HTTP_DONE && r->framing == HTTP_BY_LENGTH &&
	    r->bodylen != r->length)
		abort();
	if (u->res == HTTP_DONE && (r->status < 200 || r->status > 599))
		abort();
	if (memchr(r->media_type, '\0', sizeof(r->media_type)) == NULL ||
	    memchr(r->location, '\0', sizeof(r->location)) == NULL)
		abort();
	if (r->media_type[0] != '\0') {
		if ((p = strchr(r->media_type, '/')) == NULL ||
		    p == r->media_type || p[1] == '\0')
			abort();
		for (p = r->media_type; *p != '\0'; p++)
			if ((*p >= 'A' && *p <= 'Z') || *p <= ' ' || *p == ';')
				abort();
	}
}

static void
same(const struct run *a, const struct run *b)
{
	if (a->res != b->res || a->r.status != b->r.status ||
	    a->r.minor != b->r.minor || a->r.framing != b->r.framing ||
	    a->r.has_length != b->r.has_length ||
	    a->r.length != b->r.length || a->r.bodylen != b->r.bodylen ||
	    memcmp(a->body, b->body, a->r.bodylen) != 0 ||
	    strcmp(a->r.media_type, b->r.media_type) != 0 ||
	    strcmp(a->r.location, b->r.location) != 0)
		abort();
	if (a->res == HTTP_BAD && strcmp(a->r.why, b->r.why) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, octets, uneven;

	feed(&whole, (const char *)data, size, size > 0 ? size : 1);
	feed(&octets, (const char *)data, size, 1);
	feed(&uneven, (const char *)data, size, 0);
	check(&whole);
	check(&octets);
	check(&uneven);
	same(&whole, &octets);
	same(&whole, &uneven);
	return 0;
}
