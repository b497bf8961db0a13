/* SPDX-License-Identifier: ISC */
/*
 * check_dane.c: certificate chains against TLSA records, and
 * conn_tls_start() in DANE mode against openssl s_server.
 *
 * The certificates are made at test time with the openssl command (EC
 * P-256, quick) in a directory of their own: a CA, an intermediate
 * under it, a leaf for mx.dane.test under that, an expired leaf, and a
 * stranger: a leaf under another CA.  The records' data are openssl's
 * own DER and digests of them (openssl x509 -outform DER, openssl pkey
 * -outform DER, openssl dgst), so dane.c's encodings and digests are
 * checked against a computation of their own.  Everything is skipped,
 * with the reason printed, when libtls (and so libcrypto) cannot be
 * loaded or there is no openssl command.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "compat.h"
#include "status.h"
#include "tlsa.h"
#include "dane.h"
#include "conn.h"
#include "conn_tls.h"

#define NAME		"mx.dane.test"
#define RECS_MAX	5
#define NAMES_MAX	3
#define PEM_MAX		16384

/*
 * The certificates: <c>.pem and .key; <c>.0 its DER, <c>.1 its SPKI's
 * (from its key), and the SHA2-256 and SHA2-512 of those in sha256 and
 * sha512 (openssl dgst -r: "hex *file" lines), all of openssl's making.
 * ca and other are CAs, int is under ca, leaf (for NAME, serverAuth)
 * and expired (a day past) are under int, stranger (for NAME) is under
 * other.  req -x509 cannot make the expired one (no -days -1).
 */
static const char gen[] =
    "set -e\n"
    "printf '[req]\\ndistinguished_name=dn\\n[dn]\\n' >req.cnf\n"
    /* every openssl command reads this, not the host's openssl.cnf */
    "export OPENSSL_CONF=$PWD/req.cnf\n"
    "ca='-addext basicConstraints=critical,CA:TRUE "
    "-addext keyUsage=critical,keyCertSign'\n"
    "leaf='-addext subjectAltName=DNS:" NAME " "
    "-addext extendedKeyUsage=serverAuth'\n"
    "printf 'subjectAltName=DNS:" NAME "\\n"
    "extendedKeyUsage=serverAuth\\n' >leaf.ext\n"
    "new() { k=$1; shift; openssl req -config req.cnf -newkey ec "
    "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $k.key "
    "-subj /CN=$k \"$@\"; }\n"
    "cert() { c=$1 i=$2; shift 2; new $c -x509 "
    "${i:+-CA $i.pem -CAkey $i.key} -days 30 -out $c.pem \"$@\"; }\n"
    "cert ca '' $ca\n"
    "cert other '' $ca\n"
    "cert int ca $ca\n"
    "cert leaf int $leaf\n"
    "cert stranger other $leaf\n"
    "new expired | openssl x509 -req -CA int.pem -CAkey int.key "
    "-days -1 -extfile leaf.ext -out expired.pem\n"
    "for c in ca other int leaf expired stranger; do\n"
    "  openssl x509 -in $c.pem -outform DER -out $c.0\n"
    "  openssl pkey -in $c.key -pubout -outform DER -out $c.1\n"
    "done\n"
    "openssl dgst -sha256 -r *.0 *.1 >sha256\n"
    "openssl dgst -sha512 -r *.0 *.1 >sha512\n";

static char dir[] = "/tmp/check_dane.XXXXXX";
static char skip[256];		/* why everything is skipped, or "" */
static pid_t server = -1;	/* openssl s_server, leaf and int */
static int server_port;

/* A record: usage, selector, matching type, its data's file. */
struct rec {
	unsigned char	 u, s, m;
	const char	*data;	/* "" for none (len 0, malformed) */
};

static const struct {
	const char	*chain;		/* the certificates sent, leaf first */
	struct rec	 recs[RECS_MAX];
	const char	*names[NAMES_MAX];
	int		 want;
	size_t		 index;		/* when 1 */
	int		 depth;
	const char	*name;
	const char	*why;		/* when 0: in the reason */
	const char	*hex_of;	/* and this file's octets in hex */
} cases[] = {
	/* DANE-EE(3): every selector and matching type */
	{ "leaf int", { { 3, 0, 0, "leaf.0" } }, { NAME }, 1, 0, 0, "",
	    NULL, NULL },
	{ "leaf int", { { 3, 0, 1, "leaf.0.1" } }, { NAME }, 1, 0, 0, "",
	    NULL, NULL },
	{ "leaf int", { { 3, 0, 2, "leaf.0.2" } }, { NAME }, 1, 0, 0, "",
	    NULL, NULL },
	{ "leaf int", { { 3, 1, 0, "leaf.1" } }, { NAME }, 1, 0, 0, "",
	    NULL, NULL },
	{ "leaf int", { { 3, 1, 1, "leaf.1.1" } }, { NAME }, 1, 0, 0, "",
	    NULL, NULL },
	{ "leaf", { { 3, 1, 2, "leaf.1.2" } }, { NAME }, 1, 0, 0, "",
	    NULL, NULL },
	/* another leaf's: the reason shows the leaf's SPKI SHA2-256 */
	{ "leaf int", { { 3, 1, 1, "stranger.1.1" } }, { NAME }, 0, 0, 0, "",
	    "certificate matches none of the 1 usable TLSA record (3 1 1 ",
	    "leaf.1.1" },
	/* DANE-EE: no date (3.1.1), no name, and the leaf only */
	{ "expired int", { { 3, 1, 1, "expired.1.1" } }, { NAME }, 1, 0, 0,
	    "", NULL, NULL },
	{ "leaf int", { { 3, 0, 1, "leaf.0.1" } }, { "other.example" }, 1,
	    0, 0, "", NULL, NULL },
	{ "leaf int", { { 3, 0, 1, "leaf.0.1" } }, { NULL }, 1, 0, 0, "",
	    NULL, NULL },
	{ "leaf int", { { 3, 0, 1, "int.0.1" } }, { NAME }, 0, 0, 0, "",
	    "; leaf Cert SHA2-256 is ", "leaf.0.1" },
	/* DANE-TA(2): the root or the intermediate, in every form */
	{ "leaf int ca", { { 2, 0, 1, "ca.0.1" } }, { NAME }, 1, 0, 2, NAME,
	    NULL, NULL },
	{ "leaf int", { { 2, 0, 1, "int.0.1" } }, { NAME }, 1, 0, 1, NAME,
	    NULL, NULL },
	{ "leaf int ca", { { 2, 0, 1, "int.0.1" } }, { NAME }, 1, 0, 1, NAME,
	    NULL, NULL },
	{ "leaf int", { { 2, 1, 1, "int.1.1" } }, { NAME }, 1, 0, 1, NAME,
	    NULL, NULL },
	{ "leaf int", { { 2, 0, 0, "int.0" } }, { NAME }, 1, 0, 1, NAME,
	    NULL, NULL },
	{ "leaf int ca", { { 2, 1, 2, "ca.1.2" } }, { NAME }, 1, 0, 2, NAME,
	    NULL, NULL },
	{ "leaf int ca", { { 2, 1, 0, "ca.1" } }, { NAME }, 1, 0, 2, NAME,
	    NULL, NULL },
	/* out of order, the root first: the chain is built all the same */
	{ "leaf ca int", { { 2, 0, 1, "ca.0.1" } }, { NAME }, 1, 0, 2, NAME,
	    NULL, NULL },
	/* the names: any of them, a final dot ignored */
	{ "leaf int", { { 2, 0, 1, "int.0.1" } },
	    { "example.net", NAME "." }, 1, 0, 1, NAME, NULL, NULL },
	{ "leaf int", { { 2, 0, 1, "int.0.1" } },
	    { "other.example", "dane.test", "x." NAME }, 0, 0, 0, "",
	    "and the chain verifies, but the leaf certificate is for none "
	    "of: other.example, dane.test, x." NAME, NULL },
	{ "leaf int", { { 2, 0, 1, "int.0.1" } }, { NULL }, 0, 0, 0, "",
	    "is for none of: (no name)", NULL },
	/* DANE-TA checks dates, and signatures */
	{ "expired int", { { 2, 0, 1, "int.0.1" } }, { NAME }, 0, 0, 0, "",
	    "DANE-TA record 2 0 1 ", NULL },
	{ "expired int", { { 2, 0, 1, "int.0.1" } }, { NAME }, 0, 0, 0, "",
	    "matches the chain's certificate at depth 1, but the chain does "
	    "not verify to it: certificate has expired (at depth 0)", NULL },
	{ "stranger int", { { 2, 0, 1, "int.0.1" } }, { NAME }, 0, 0, 0, "",
	    "but the chain does not verify to it: unable to get local "
	    "issuer certificate (at depth 0)", NULL },
	{ "stranger other", { { 2, 0, 1, "other.0.1" } }, { NAME }, 1, 0, 1,
	    NAME, NULL, NULL },
	/* a record matching no certificate sent */
	{ "leaf int ca", { { 2, 0, 1, "other.0.1" } }, { NAME }, 0, 0, 0, "",
	    "; the chain's last certificate (depth 2) Cert SHA2-256 is ",
	    "ca.0.1" },
	{ "leaf int", { { 2, 1, 1, "ca.1.1" } }, { NAME }, 0, 0, 0, "",
	    "; the chain's last certificate (depth 1) SPKI SHA2-256 is ",
	    "int.1.1" },
	/* the server must send its trust anchor; the leaf is none */
	{ "leaf", { { 2, 0, 1, "int.0.1" } }, { NAME }, 0, 0, 0, "",
	    "; the server sent its leaf certificate alone, no trust anchor",
	    NULL },
	{ "leaf int", { { 2, 0, 1, "leaf.0.1" } }, { NAME }, 0, 0, 0, "",
	    "matches none of the 1 usable TLSA record (2 0 1 ", NULL },
	/* PKIX-TA(0), PKIX-EE(1) and the unknown are not usable */
	{ "leaf int ca", { { 0, 0, 1, "ca.0.1" }, { 1, 1, 1, "leaf.1.1" } },
	    { NAME }, 0, 0, 0, "", "no usable TLSA record", NULL },
	{ "leaf int", { { 1, 1, 1, "leaf.1.1" }, { 3, 1, 1, "leaf.1.1" } },
	    { NAME }, 1, 1, 0, "", NULL, NULL },
	{ "leaf int", { { 3, 2, 1, "leaf.1.1" }, { 3, 1, 3, "leaf.1.1" },
	    { 4, 1, 1, "leaf.1.1" }, { 3, 1, 1, "" },
	    { 2, 0, 1, "int.0.1" } }, { NAME }, 1, 4, 1, NAME, NULL, NULL },
	{ "leaf int", { { 3, 2, 1, "leaf.1.1" }, { 3, 1, 1, "" } },
	    { NAME }, 0, 0, 0, "", "no usable TLSA record", NULL },
	/* RFC 7671 9: beside a SHA2-512 record of the same usage and
	   selector, a SHA2-256 one is not used; of another, it is */
	{ "leaf int", { { 3, 1, 1, "leaf.1.1" }, { 3, 1, 2, "stranger.1.2" } },
	    { NAME }, 0, 0, 0, "", "matches none of the 2 usable", NULL },
	{ "leaf int", { { 3, 1, 1, "leaf.1.1" }, { 3, 0, 2, "stranger.0.2" } },
	    { NAME }, 1, 0, 0, "", NULL, NULL },
	{ "leaf int", { { 3, 1, 1, "stranger.1.1" }, { 3, 1, 2, "leaf.1.2" } },
	    { NAME }, 1, 1, 0, "", NULL, NULL },
	/* the first that matches, past those that do not */
	{ "leaf int", { { 3, 1, 1, "stranger.1.1" },
	    { 2, 1, 1, "int.1.1" } }, { NAME }, 1, 1, 1, NAME, NULL, NULL },
	{ "expired int", { { 2, 0, 1, "int.0.1" },
	    { 3, 1, 1, "expired.1.1" } }, { NAME }, 1, 1, 0, "", NULL, NULL },
	{ "leaf int", { { 3, 1, 1, "stranger.1.1" },
	    { 3, 1, 2, "stranger.1.2" }, { 2, 0, 1, "other.0.1" },
	    { 2, 1, 1, "leaf.1.1" } }, { NAME }, 0, 0, 0, "",
	    "certificate matches none of the 4 usable TLSA records (3 1 1 ",
	    NULL },
	{ "leaf int", { { 3, 1, 1, "stranger.1.1" },
	    { 3, 1, 2, "stranger.1.2" }, { 2, 0, 1, "other.0.1" },
	    { 2, 1, 1, "leaf.1.1" } }, { NAME }, 0, 0, 0, "",
	    "..., ...); leaf SPKI SHA2-256 is ", "leaf.1.1" },
};

/* dir/name read into buf: its length. */
static size_t
file_read(const char *name, void *buf, size_t size)
{
	char path[256];
	ssize_t n;
	int fd;

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, name),
	    (int)sizeof(path));
	ck_assert_msg((fd = open(path, O_RDONLY)) != -1, "%s: %s", path,
	    strerror(errno));
	n = read(fd, buf, size);
	ck_assert_int_ge(n, 0);
	ck_assert_int_lt(n, (ssize_t)size);
	(void)close(fd);
	return (size_t)n;
}

/*
 * A record's data: "leaf.1" is the file's octets, "leaf.1.2" its
 * SHA2-512 (.1: SHA2-256) as openssl dgst wrote it.  Its length.
 */
static size_t
data_read(const char *name, unsigned char *buf, size_t size)
{
	char list[4096], want[32], *p;
	const char *mtype = strchr(name, '.');
	size_t n, i;
	unsigned int x;

	if (mtype == NULL || (mtype = strchr(mtype + 1, '.')) == NULL)
		return file_read(name, buf, size);
	n = file_read(mtype[1] == '1' ? "sha256" : "sha512", list,
	    sizeof(list));
	list[n] = '\0';
	ck_assert_int_lt(snprintf(want, sizeof(want), " *%.*s\n",
	    (int)(mtype - name), name), (int)sizeof(want));
	ck_assert_msg((p = strstr(list, want)) != NULL, "no %s", name);
	while (p > list && p[-1] != '\n')
		p--;
	n = strcspn(p, " ") / 2;
	ck_assert_uint_le(n, size);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sscanf(p + 2 * i, "%2x", &x), 1);
		buf[i] = (unsigned char)x;
	}
	return n;
}

/* The PEM of the certificates named in spec ("leaf int"), in order. */
static size_t
chain_make(const char *spec, char *pem, size_t size)
{
	char name[32];
	const char *p = spec;
	size_t len = 0, n;

	while (*p != '\0') {
		n = strcspn(p, " ");
		ck_assert_int_lt(snprintf(name, sizeof(name), "%.*s.pem",
		    (int)n, p), (int)sizeof(name));
		len += file_read(name, pem + len, size - len);
		p += n + (p[n] == ' ');
	}
	pem[len] = '\0';
	return len;
}

/* The records of r[] up to the first without data: their number. */
static size_t
records_make(const struct rec *r, size_t max, struct tlsa *t)
{
	size_t n;

	for (n = 0; n < max && r[n].data != NULL; n++) {
		memset(&t[n], 0, sizeof(t[n]));
		t[n].usage = r[n].u;
		t[n].selector = r[n].s;
		t[n].mtype = r[n].m;
		if (r[n].data[0] != '\0')
			t[n].len = data_read(r[n].data, t[n].data,
			    sizeof(t[n].data));
	}
	return n;
}

static size_t
names_count(const char *const *names, size_t max)
{
	size_t n = 0;

	while (n < max && names[n] != NULL)
		n++;
	return n;
}

/* A record's data (see data_read) in hex. */
static void
data_hex(const char *name, char *buf, size_t size)
{
	unsigned char d[64];
	size_t i, n = data_read(name, d, sizeof(d));

	ck_assert_uint_lt(2 * n, size);
	for (i = 0; i < n; i++)
		(void)snprintf(buf + 2 * i, 3, "%02x", d[i]);
	buf[2 * n] = '\0';
}

/* Whether to skip (setup said why). */
static int
skipped(void)
{
	return skip[0] != '\0';
}

/* A free port on 127.0.0.1 (free when asked: the server takes it). */
static int
port_free(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port;

	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM, 0), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	(void)close(fd);
	return port;
}

/* A socket connected to the server, or -1. */
static int
server_connect(void)
{
	struct sockaddr_in sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)server_port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/*
 * openssl s_server with leaf and int, in -www mode (it reads no
 * commands), until teardown; up when it accepts (within 5 s).
 */
static void
server_start(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char accept[32];
	int fd, i, null;

	server_port = port_free();
	(void)snprintf(accept, sizeof(accept), "127.0.0.1:%d", server_port);
	ck_assert_int_ne(server = fork(), -1);
	if (server == 0) {
		if (chdir(dir) == -1 ||
		    (null = open("/dev/null", O_RDWR)) == -1 ||
		    dup2(null, 0) == -1 || dup2(null, 1) == -1 ||
		    dup2(null, 2) == -1)
			_exit(127);
		(void)setenv("OPENSSL_CONF", "req.cnf", 1);
		execlp("openssl", "openssl", "s_server", "-accept", accept,
		    "-cert", "leaf.pem", "-key", "leaf.key", "-cert_chain",
		    "int.pem", "-www", "-quiet", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 250; i++) {
		if ((fd = server_connect()) != -1) {
			(void)close(fd);
			return;
		}
		(void)nanosleep(&ts, NULL);
	}
	ck_abort_msg("openssl s_server did not start on %s", accept);
}

static void
setup(void)
{
	char cmd[sizeof(gen) + 256], why[256];

	if (conn_tls_load(why, sizeof(why)) != 0)
		(void)snprintf(skip, sizeof(skip), "%s", why);
	else if (system("command -v openssl >/dev/null 2>&1") != 0)
		(void)strlcpy(skip, "no openssl command", sizeof(skip));
	if (skip[0] != '\0') {
		printf("check_dane: the tests of chains skipped: %s\n", skip);
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(cmd, sizeof(cmd), "cd %s && { %s} >gen.log 2>&1 || "
	    "{ cat gen.log; exit 1; }", dir, gen);
	ck_assert_int_eq(system(cmd), 0);
	server_start();
}

static void
teardown(void)
{
	char cmd[64];

	if (server > 0) {
		(void)kill(server, SIGTERM);
		(void)waitpid(server, NULL, 0);
		server = -1;
	}
	if (skip[0] == '\0') {
		(void)snprintf(cmd, sizeof(cmd), "rm -rf -- %s", dir);
		(void)system(cmd);
	}
}

START_TEST(test_dane_check_table)
{
	static struct tlsa t[RECS_MAX];
	struct dane_match m;
	char pem[PEM_MAX], why[512], h[129];
	size_t len, n;
	int r;

	if (skipped())
		return;
	len = chain_make(cases[_i].chain, pem, sizeof(pem));
	n = records_make(cases[_i].recs, RECS_MAX, t);
	r = dane_check(conn_tls_sym, pem, len, t, n, cases[_i].names,
	    names_count(cases[_i].names, NAMES_MAX), &m, why, sizeof(why));
	ck_assert_msg(r == cases[_i].want, "case %d: %d, why: %s", _i, r,
	    why);
	if (r == 1) {
		ck_assert_str_eq(why, "");
		ck_assert_uint_eq(m.index, cases[_i].index);
		ck_assert_uint_eq(m.usage, t[m.index].usage);
		ck_assert_uint_eq(m.selector, t[m.index].selector);
		ck_assert_uint_eq(m.mtype, t[m.index].mtype);
		ck_assert_int_eq(m.depth, cases[_i].depth);
		ck_assert_str_eq(m.name, cases[_i].name);
		return;
	}
	ck_assert_uint_eq(m.index, 0);
	ck_assert_int_eq(m.depth, 0);
	ck_assert_msg(strstr(why, cases[_i].why) != NULL,
	    "case %d: why: %s", _i, why);
	if (cases[_i].hex_of != NULL) {
		data_hex(cases[_i].hex_of, h, sizeof(h));
		ck_assert_msg(strstr(why, h) != NULL, "case %d: no %s in %s",
		    _i, h, why);
	}
}
END_TEST

/* The chains that cannot be read: -1, whatever the records. */
static const struct {
	const char	*before;	/* text, then the chain */
	const char	*chain;		/* "" for none */
	const char	*after;
	const char	*why;
} bad[] = {
	{ "", "", "", "no certificate in the chain" },
	{ "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
	    "", "", "no certificate in the chain" },
	{ "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	    "leaf int", "", "certificate 0 of the chain does not decode" },
	{ "", "leaf int", "-----BEGIN CERTIFICATE-----\nMIIB",
	    "certificate 2 of the chain does not decode" },
	{ "", "leaf", "-----BEGIN CERTIFICATE-----\n!!!!\n"
	    "-----END CERTIFICATE-----\n",
	    "certificate 1 of the chain does not decode" },
};

START_TEST(test_dane_check_bad_chain)
{
	struct tlsa t[1];
	struct dane_match m;
	char pem[PEM_MAX], why[256];
	const char *const names[] = { NAME };
	size_t len;

	if (skipped())
		return;
	len = strlcpy(pem, bad[_i].before, sizeof(pem));
	if (bad[_i].chain[0] != '\0')
		len += chain_make(bad[_i].chain, pem + len, sizeof(pem) - len);
	len = strlcat(pem, bad[_i].after, sizeof(pem));
	ck_assert_uint_lt(len, sizeof(pem));
	(void)records_make((const struct rec[]){ { 3, 1, 1, "leaf.1.1" } },
	    1, t);
	memset(&m, 0xaa, sizeof(m));
	ck_assert_int_eq(dane_check(conn_tls_sym, pem, len, t, 1, names, 1,
	    &m, why, sizeof(why)), -1);
	ck_assert_str_eq(why, bad[_i].why);
	ck_assert_uint_eq(m.index, 0);
	/* with no usable record, the chain is not read */
	t[0].usage = TLSA_PKIX_EE;
	ck_assert_int_eq(dane_check(conn_tls_sym, pem, len, t, 1, names, 1,
	    &m, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "no usable TLSA record");
}
END_TEST

/* Text before, between and after the certificates is passed over. */
START_TEST(test_dane_check_text_around)
{
	struct tlsa t[1];
	struct dane_match m;
	char pem[PEM_MAX], why[256];
	const char *const names[] = { NAME };
	size_t len;

	if (skipped())
		return;
	len = strlcpy(pem, "subject=CN = leaf\n", sizeof(pem));
	len += chain_make("leaf", pem + len, sizeof(pem) - len);
	len = strlcat(pem, "\nissuer=CN = ca\n", sizeof(pem));
	len += chain_make("int", pem + len, sizeof(pem) - len);
	len = strlcat(pem, "-----BEGIN PRIVATE KEY-----\nAAAA\n"
	    "-----END PRIVATE KEY-----\n", sizeof(pem));
	(void)records_make((const struct rec[]){ { 2, 0, 1, "int.0.1" } },
	    1, t);
	ck_assert_int_eq(dane_check(conn_tls_sym, pem, len, t, 1, names, 1,
	    &m, why, sizeof(why)), 1);
	ck_assert_int_eq(m.depth, 1);
}
END_TEST

START_TEST(test_dane_check_too_long)
{
	struct tlsa t[1];
	struct dane_match m;
	char *pem, one[PEM_MAX], why[256];
	size_t len, n, i;

	if (skipped())
		return;
	n = chain_make("int", one, sizeof(one));
	ck_assert_ptr_nonnull(pem = malloc(n * (DANE_CHAIN_MAX + 1)));
	for (len = 0, i = 0; i < DANE_CHAIN_MAX + 1; i++, len += n)
		memcpy(pem + len, one, n);
	(void)records_make((const struct rec[]){ { 3, 1, 1, "int.1.1" } },
	    1, t);
	ck_assert_int_eq(dane_check(conn_tls_sym, pem, len, t, 1, NULL, 0,
	    &m, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "more than 32 certificates in the chain");
	/* 32 are read (and the first, the leaf, matches) */
	ck_assert_int_eq(dane_check(conn_tls_sym, pem, len - n, t, 1, NULL,
	    0, &m, why, sizeof(why)), 1);
	ck_assert_int_eq(dane_check(conn_tls_sym, pem, DANE_PEM_MAX + 1, t,
	    1, NULL, 0, &m, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "certificate chain over 1048576 octets");
	free(pem);
}
END_TEST

/* conn_tls_sym, but without one function. */
static const char *missing;

static void *
sym_but_one(const char *name)
{
	return strcmp(name, missing) == 0 ? NULL : conn_tls_sym(name);
}

START_TEST(test_dane_check_no_function)
{
	struct tlsa t[1];
	struct dane_match m;
	char pem[PEM_MAX], why[256];
	size_t len;

	if (skipped())
		return;
	len = chain_make("leaf int", pem, sizeof(pem));
	(void)records_make((const struct rec[]){ { 3, 1, 1, "leaf.1.1" } },
	    1, t);
	missing = "X509_verify_cert";
	ck_assert_int_eq(dane_check(sym_but_one, pem, len, t, 1, NULL, 0, &m,
	    why, sizeof(why)), -1);
	ck_assert_str_eq(why, "libcrypto function X509_verify_cert not found");
	missing = "BIO_new_mem_buf";
	ck_assert_int_eq(dane_check(sym_but_one, pem, len, t, 1, NULL, 0, &m,
	    why, sizeof(why)), -1);
	ck_assert_str_eq(why, "libcrypto function BIO_new_mem_buf not found");
}
END_TEST

/* A short why is cut, never overrun (ASan watches). */
START_TEST(test_dane_check_short_why)
{
	struct tlsa t[2];
	struct dane_match m;
	char pem[PEM_MAX], why[16];
	const char *const names[] = { "other.example" };
	size_t len, n;

	if (skipped())
		return;
	len = chain_make("leaf int", pem, sizeof(pem));
	n = records_make((const struct rec[]){ { 3, 1, 1, "int.1.1" },
	    { 2, 0, 1, "int.0.1" } }, 2, t);
	ck_assert_int_eq(dane_check(conn_tls_sym, pem, len, t, 1, names, 1,
	    &m, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "certificate mat");
	ck_assert_int_eq(dane_check(conn_tls_sym, pem, len, t, n, names, 1,
	    &m, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "DANE-TA record ");
	ck_assert_int_eq(dane_check(conn_tls_sym, pem, len, t, n, names, 1,
	    &m, why, 0), 0);
	ck_assert_int_eq(dane_check(conn_tls_sym, "", 0, t, n, names, 1,
	    &m, why, 0), -1);
}
END_TEST

START_TEST(test_dane_usable_counts)
{
	static struct tlsa t[4];

	memset(t, 0, sizeof(t));
	ck_assert_uint_eq(dane_usable(t, 0), 0);
	t[0].usage = 3, t[0].selector = 1, t[0].mtype = 1, t[0].len = 32;
	t[1].usage = 1, t[1].selector = 1, t[1].mtype = 1, t[1].len = 32;
	t[2].usage = 2, t[2].selector = 0, t[2].mtype = 0, t[2].len = 1;
	t[3].usage = 3, t[3].selector = 1, t[3].mtype = 1, t[3].len = 0;
	ck_assert_uint_eq(dane_usable(t, 4), 2);
	ck_assert_uint_eq(dane_usable(t + 1, 1), 0);
}
END_TEST

static const struct {
	struct dane_match	 m;
	size_t			 size;
	const char		*want;
} describes[] = {
	{ { 0, 3, 1, 1, 0, "" }, DANE_DESC_MAX,
	    "DANE-EE(3) SPKI(1) SHA2-256(1) matched" },
	{ { 2, 3, 0, 0, 0, "" }, DANE_DESC_MAX,
	    "DANE-EE(3) Cert(0) Full(0) matched" },
	{ { 1, 2, 0, 1, 1, "mx.example" }, DANE_DESC_MAX,
	    "DANE-TA(2) Cert(0) SHA2-256(1) matched at depth 1, name "
	    "mx.example" },
	{ { 0, 2, 1, 2, 2, NAME }, DANE_DESC_MAX,
	    "DANE-TA(2) SPKI(1) SHA2-512(2) matched at depth 2, name " NAME },
	{ { 0, 9, 7, 5, 0, "" }, DANE_DESC_MAX, "?(9) ?(7) ?(5) matched" },
	{ { 0, 3, 1, 1, 0, "" }, 10, "DANE-EE(3" },
	{ { 0, 2, 1, 1, 1, NAME }, 40,
	    "DANE-TA(2) SPKI(1) SHA2-256(1) matched " },
};

START_TEST(test_dane_describe_table)
{
	char buf[DANE_DESC_MAX];

	ck_assert_str_eq(dane_describe(&describes[_i].m, buf,
	    describes[_i].size), describes[_i].want);
}
END_TEST

START_TEST(test_conn_tls_sym_libcrypto)
{
	if (skipped())
		return;
	ck_assert_ptr_nonnull(conn_tls_sym("X509_verify_cert"));
	ck_assert_ptr_nonnull(conn_tls_sym("EVP_Digest"));
	ck_assert_ptr_null(conn_tls_sym("carrier_no_such_function"));
}
END_TEST

/* conn_tls_start against the server (leaf, int): DANE and not. */
static const struct {
	struct rec	 recs[2];
	int		 verify;	/* without records: PKIX */
	const char	*ca;		/* its CA file */
	enum carrier_status want;
	const char	*text;		/* the description, or err's text */
	int		 cert_failed;
} starts[] = {
	{ { { 3, 1, 1, "leaf.1.1" } }, 0, NULL, CARRIER_OK,
	    ", DANE-EE(3) SPKI(1) SHA2-256(1) matched", 0 },
	{ { { 2, 0, 1, "int.0.1" } }, 1, "other.pem", CARRIER_OK,
	    ", DANE-TA(2) Cert(0) SHA2-256(1) matched at depth 1, name " NAME,
	    0 },
	{ { { 3, 1, 1, "stranger.1.1" }, { 2, 1, 1, "ca.1.1" } }, 0, NULL,
	    CARRIER_TEMP, "TLS: certificate matches none of the 2 usable "
	    "TLSA records (3 1 1 ", 1 },
	{ { { 1, 1, 1, "leaf.1.1" } }, 1, NULL, CARRIER_OK,
	    ", DANE: no usable TLSA record, encrypted only", 0 },
	/* without records, as before: PKIX, or nothing checked */
	{ { { 0 } }, 1, "ca.pem", CARRIER_OK, ", verified name " NAME, 0 },
	{ { { 0 } }, 1, "other.pem", CARRIER_TEMP,
	    "TLS handshake failed: ", 1 },
	{ { { 0 } }, 0, "other.pem", CARRIER_OK,
	    ", certificate not verified", 0 },
};

START_TEST(test_conn_tls_start_dane)
{
	static struct tlsa t[2];
	struct conn_tls_opts o;
	struct carrier_error err;
	struct conn c;
	const char *const names[] = { NAME };
	char ca[256], desc[512];
	int fd, cert_failed = 0;

	if (skipped())
		return;
	memset(&o, 0, sizeof(o));
	o.ntlsa = records_make(starts[_i].recs, 2, t);
	o.tlsa = t;
	o.dane_names = names;
	o.ndane_names = 1;
	o.server_name = NAME;
	o.verify = starts[_i].verify;
	o.cert_failed = &cert_failed;
	if (starts[_i].ca != NULL) {
		(void)snprintf(ca, sizeof(ca), "%s/%s", dir, starts[_i].ca);
		o.ca_file = ca;
	}
	ck_assert_int_ge(fd = server_connect(), 0);
	ck_assert_int_ne(fcntl(fd, F_SETFL, O_NONBLOCK), -1);
	conn_init(&c, fd);
	conn_set_timeout(&c, 10000);
	status_clear(&err);
	ck_assert_msg(conn_tls_start(&c, &o, &err) == starts[_i].want,
	    "case %d: %s", _i, err.text);
	ck_assert_int_eq(cert_failed, starts[_i].cert_failed);
	if (starts[_i].want == CARRIER_OK) {
		ck_assert(conn_tls_active(&c));
		(void)conn_tls_describe(&c, desc, sizeof(desc));
		ck_assert_msg(strstr(desc, starts[_i].text) != NULL &&
		    strncmp(desc, "TLSv1.", 6) == 0, "case %d: %s", _i, desc);
		conn_tls_close(&c);
	} else {
		ck_assert(!conn_tls_active(&c));
		ck_assert_int_eq(err.phase, PHASE_CONNECT);
		ck_assert_msg(strncmp(err.text, starts[_i].text,
		    strlen(starts[_i].text)) == 0, "case %d: %s", _i,
		    err.text);
	}
	conn_close(&c);
}
END_TEST

Suite *
dane_suite(void)
{
	Suite *s = suite_create("dane");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_dane_check_table, 0,
	    sizeof(cases) / sizeof(cases[0]));
	tcase_add_loop_test(tc, test_dane_check_bad_chain, 0,
	    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_dane_check_text_around);
	tcase_add_test(tc, test_dane_check_too_long);
	tcase_add_test(tc, test_dane_check_no_function);
	tcase_add_test(tc, test_dane_check_short_why);
	tcase_add_test(tc, test_dane_usable_counts);
	tcase_add_loop_test(tc, test_dane_describe_table, 0,
	    sizeof(describes) / sizeof(describes[0]));
	tcase_add_test(tc, test_conn_tls_sym_libcrypto);
	tcase_add_loop_test(tc, test_conn_tls_start_dane, 0,
	    sizeof(starts) / sizeof(starts[0]));
	suite_add_tcase(s, tc);
	return s;
}
