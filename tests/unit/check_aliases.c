/* SPDX-License-Identifier: ISC */
/*
 * check_aliases.c: the aliases(5) file, table-driven.  Realistic files
 * first (Debian's defaults from exim4-config and postfix), then the
 * format's corners, recursion, the unsupported targets, errors with
 * their line numbers, and the limits.
 *
 * An expansion is written as the entries joined by ", ", "<addr>" for
 * an address and "{name}" for a local name, as in check_addrlist.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "compat.h"
#include "addrlist.h"
#include "aliases.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define A10		"aaaaaaaaaa"

/* /etc/aliases as exim4-config installs it, root set by debconf. */
#define DEBIAN_EXIM \
	"# /etc/aliases\n" \
	"mailer-daemon: postmaster\n" \
	"postmaster: root\n" \
	"nobody: root\n" \
	"hostmaster: root\n" \
	"usenet: root\n" \
	"news: root\n" \
	"webmaster: root\n" \
	"www: root\n" \
	"ftp: root\n" \
	"abuse: root\n" \
	"noc: root\n" \
	"security: root\n" \
	"root: admin@example.org\n"

/* A bad entry between two good ones. */
#define BAD_ENTRY \
	"a: x@y.test\nroot: <bad\n  more@y.test\nb: z@y.test\n"

/* /etc/aliases as the postfix package installs it. */
#define DEBIAN_POSTFIX \
	"# See man 5 aliases for format\n" \
	"postmaster:    root\n"

static const struct {
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	const char	*name;		/* expanded; NULL: the entry is
					 * skipped with a warning */
	const char	*want;		/* the expansion, or the warning
					 * (", entry skipped" follows) */
	size_t		 skipped;
	size_t		 warnings;	/* at load and expansion */
} cases[] = {
	/* real files */
	{ DEBIAN_EXIM, 0, "mailer-daemon", "<admin@example.org>", 0, 0 },
	{ DEBIAN_EXIM, 0, "MAILER-DAEMON", "<admin@example.org>", 0, 0 },
	{ DEBIAN_EXIM, 0, "root", "<admin@example.org>", 0, 0 },
	{ DEBIAN_EXIM, 0, "www-data", "{www-data}", 0, 0 },
	{ DEBIAN_EXIM, 0, "Www-Data", "{Www-Data}", 0, 0 },
	{ DEBIAN_POSTFIX, 0, "postmaster", "{root}", 0, 0 },
	{ DEBIAN_POSTFIX, 0, "root", "{root}", 0, 0 },
	/* lines */
	{ "", 0, "root", "{root}", 0, 0 },
	{ "# only\n\n   \n\t# comments\n", 0, "root", "{root}", 0, 0 },
	{ "root: a@x.test, b@y.test, admin", 0, "root",
	    "<a@x.test>, <b@y.test>, {admin}", 0, 0 },
	{ "staff: a@x.test,\n  b@x.test,\n\tc@x.test\nother: o@x.test\n", 0,
	    "staff", "<a@x.test>, <b@x.test>, <c@x.test>", 0, 0 },
	{ "staff: a@x.test,\n# a note\n  # another\n  b@x.test\n", 0, "staff",
	    "<a@x.test>, <b@x.test>", 0, 0 },
	{ "staff: a@x.test,\n\n  b@x.test\n", 0, "staff",
	    "<a@x.test>, <b@x.test>", 0, 0 },
	{ "staff:\n  a@x.test\n", 0, "staff", "<a@x.test>", 0, 0 },
	{ "root: a@x.test,\r\n  b@x.test\r\nx: y\r\n", 0, "root",
	    "<a@x.test>, <b@x.test>", 0, 0 },
	{ "root: a@x.test", 0, "root", "<a@x.test>", 0, 0 },
	{ "root : a@x.test\n", 0, "root", "<a@x.test>", 0, 0 },
	{ "root:a@x.test,b@x.test,\n", 0, "root", "<a@x.test>, <b@x.test>",
	    0, 0 },
	{ "root: a@x.test, , b@x.test,", 0, "root", "<a@x.test>, <b@x.test>",
	    0, 0 },
	/* names */
	{ "\"a b\": x@y.test\n", 0, "\"a b\"", "<x@y.test>", 0, 0 },
	{ "\"a:b\": x@y.test\n", 0, "\"a:b\"", "<x@y.test>", 0, 0 },
	{ "\"root\": x@y.test\n", 0, "root", "<x@y.test>", 0, 0 },
	{ "Root: x@y.test\n", 0, "rOOT", "<x@y.test>", 0, 0 },
	{ "root: x@y.test\n", 0, "\"ROOT\"", "<x@y.test>", 0, 0 },
	{ "first.last: f@y.test\n", 0, "First.Last", "<f@y.test>", 0, 0 },
	{ "j\xc3\xbcrgen: j@y.test\n", 0, "j\xc3\xbcrgen", "<j@y.test>", 0,
	    0 },
	/* targets */
	{ "root: Admin <admin@x.test>\n", 0, "root", "<admin@x.test>", 0, 0 },
	{ "root: admin@x.test (the admin)\n", 0, "root", "<admin@x.test>", 0,
	    0 },
	{ "root: \"john doe\"@x.test, \"a,b\"@x.test\n", 0, "root",
	    "<\"john doe\"@x.test>, <\"a,b\"@x.test>", 0, 0 },
	{ "root: (a, b) c@x.test, Name (x, y) <d@x.test>\n", 0, "root",
	    "<c@x.test>, <d@x.test>", 0, 0 },
	{ "root: <@a.test,@b.test:u@c.test>, v@c.test\n", 0, "root",
	    "<u@c.test>, <v@c.test>", 0, 0 },
	{ "root: Admin\n", 0, "root", "{Admin}", 0, 0 },
	{ "root: Admin\nadmin: a@x.test\n", 0, "root", "<a@x.test>", 0, 0 },
	/* recursion */
	{ "root: admin\nadmin: ops\nops: o@x.test\n", 0, "root", "<o@x.test>",
	    0, 0 },
	{ "ops: o@x.test\nadmin: ops\nroot: admin, r@x.test\n", 0, "root",
	    "<o@x.test>, <r@x.test>", 0, 0 },
	{ "root: root, admin@x.test\n", 0, "root", "{root}, <admin@x.test>",
	    0, 0 },
	{ "root: admin@x.test, ROOT\n", 0, "root", "<admin@x.test>, {ROOT}",
	    0, 0 },
	{ "a: b\nb: a\n", 0, "a", "{a}", 0, 1 },
	{ "a: b\nb: a\n", 0, "b", "{b}", 0, 1 },
	{ "a: b, x@y.test\nb: a, z@y.test\n", 0, "a",
	    "{a}, <z@y.test>, <x@y.test>", 0, 1 },
	{ "a: b\nb: c\nc: b, c@y.test\n", 0, "a", "{b}, <c@y.test>", 0, 1 },
	{ "root: ops, dev\nops: shared\ndev: shared, d@x.test\n"
	    "shared: s@x.test\n", 0, "root", "<s@x.test>, <d@x.test>", 0, 0 },
	/* duplicates */
	{ "root: a@x.test, a@X.TEST, A@x.test, a@x.test\n", 0, "root",
	    "<a@x.test>, <A@x.test>", 0, 0 },
	{ "root: ops, dev\nops: a@x.test\ndev: a@x.test, b@x.test\n", 0,
	    "root", "<a@x.test>, <b@x.test>", 0, 0 },
	{ "root: admin, Admin, ADMIN\n", 0, "root", "{admin}", 0, 0 },
	{ "root: a@x.test\nroot: b@x.test\n", 0, "root", "<a@x.test>", 0,
	    1 },
	{ "root: a@x.test\nROOT: b@x.test\n\"root\": c@x.test\n", 0, "root",
	    "<a@x.test>", 0, 2 },
	/* \name */
	{ "root: \\root, admin@x.test\n", 0, "root", "{root}, <admin@x.test>",
	    0, 0 },
	{ "root: \\admin\nadmin: a@x.test\n", 0, "root", "{admin}", 0, 0 },
	{ "root: \\a@x.test\n", 0, "root", "<a@x.test>", 0, 0 },
	/* unsupported targets */
	{ "root: |/usr/bin/procmail, admin@x.test\n", 0, "root",
	    "<admin@x.test>", 1, 1 },
	{ "root: \"|/usr/bin/vacation root\", a@x.test\n", 0, "root",
	    "<a@x.test>", 1, 1 },
	{ "root: \"|/bin/foo a,b\", c@x.test\n", 0, "root", "<c@x.test>", 1,
	    1 },
	{ "root: |/bin/foo <in (x, c@x.test\n", 0, "root", "<c@x.test>", 1,
	    1 },
	{ "nobody: /dev/null\n", 0, "nobody", "", 1, 1 },
	{ "list: :include:/etc/mail/list, :INCLUDE: /x\n", 0, "list", "", 2,
	    2 },
	{ "root: admin\nadmin: |/bin/cat, \"/var/log/a b\", a@x.test\n", 0,
	    "root", "<a@x.test>", 2, 2 },
	{ "a: c\nb: c\nc: |/bin/cat\n", 0, "a", "", 1, 1 },
	/* errors, with their line: the entry is skipped (see below) */
	{ "root admin@x.test\n", 0, NULL,
	    "t:1: expected ':' after the alias name", 0, 0 },
	{ "root\n", 0, NULL, "t:1: expected ':' after the alias name", 0,
	    0 },
	{ "a: b\nroot:\n", 0, NULL, "t:2: alias root has no targets", 0, 0 },
	{ "root:   \t\n", 0, NULL, "t:1: alias root has no targets", 0, 0 },
	{ "root: (just a comment)\n", 0, NULL,
	    "t:1: alias root has no targets", 0, 0 },
	{ ": x@y.test\n", 0, NULL, "t:1: empty alias name", 0, 0 },
	{ "\"root: x@y.test\n", 0, NULL, "t:1: unterminated quoted alias name",
	    0, 0 },
	{ "root@x.test: a@y.test\n", 0, NULL,
	    "t:1: invalid alias name: a domain is not allowed", 0, 0 },
	{ "a<b: a@y.test\n", 0, NULL, "t:1: invalid alias name: "
	    "expected '>'", 0, 0 },
	{ "a b: a@y.test\n", 0, NULL,
	    "t:1: expected ':' after the alias name", 0, 0 },
	{ "  root: x@y.test\n", 0, NULL,
	    "t:1: continuation line without an alias above it", 0, 0 },
	{ "# c\nroot: a@x.test,\n  <bad\n", 0, NULL,
	    "t:3: alias root: expected '>'", 0, 0 },
	{ "root: a@x.test,\n  b@@x.test,\n  c@x.test\n", 0, NULL,
	    "t:2: alias root: expected domain after '@'", 0, 0 },
	{ "root: a@x.test,\n# c\n  b@x.test, \x7f,\n  c@x.test\n", 0, NULL,
	    "t:3: alias root: control character", 0, 0 },
	{ "a: x@y.test\n\n# c\nb: <x\n", 0, NULL,
	    "t:4: alias b: expected '>'", 0, 0 },
	{ "a: x@y.test\nroot: x@y.test,\n\n  \"unterminated\n", 0, NULL,
	    "t:4: alias root: unterminated quoted string", 0, 0 },
	{ "root: a@x.test,\n \"|/bin/cat, b@x.test\n", 0, NULL,
	    "t:2: alias root: unterminated quoted string", 0, 0 },
	{ "root: a@x.test b@x.test\n", 0, NULL,
	    "t:1: alias root: expected ',' between addresses", 0, 0 },
	{ "root: a@x.test # the admin\n", 0, NULL,
	    "t:1: alias root: expected ',' between addresses", 0, 0 },
	{ "root: a\x01" "b\n", 0, NULL, "t:1: alias root: control character",
	    0, 0 },
	{ "x: y\nroot: a\0b\n", 15, NULL, "t:2: NUL byte", 0, 0 },
	{ "root: a@x..test\n", 0, NULL, "t:1: alias root: invalid domain", 0,
	    0 },
	{ "root: a\rb\n", 0, NULL, "t:1: alias root: lone CR", 0, 0 },
	{ "a: b\nroot: " A10 A10 A10 A10 A10 A10 "aaaaa\n", 0, NULL,
	    "t:2: alias root: local part longer than 64 octets", 0, 0 },
	{ "a: b\nroot: " A10 A10 A10 A10 A10 A10 "aaaa\n", 0, "root",
	    "{" A10 A10 A10 A10 A10 A10 "aaaa}", 0, 0 },
	/* a bad entry, continuation lines and all, leaves the rest */
	{ BAD_ENTRY, 0, "a", "<x@y.test>", 0, 1 },
	{ BAD_ENTRY, 0, "b", "<z@y.test>", 0, 1 },
	{ BAD_ENTRY, 0, "root", "{root}", 0, 1 },
	{ "  lost@y.test\n  more@y.test\nb: z@y.test\n", 0, "b",
	    "<z@y.test>", 0, 1 },
	{ "b: z@y.test\n\0: x\n  more@y.test\nroot: r@y.test\n", 46, "root",
	    "<r@y.test>", 0, 1 },
};

/* Collects the warnings, one per line. */
struct warnings {
	char	buf[4096];
	size_t	n;
};

static void
collect(void *arg, const char *msg)
{
	struct warnings *w = arg;
	size_t len = strlen(w->buf);

	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_null(strchr(msg, '\n'));
	(void)snprintf(w->buf + len, sizeof(w->buf) - len, "%s\n", msg);
	w->n++;
}

/* Writes list from entry first on as the table does into buf. */
static void
render(const struct addrlist *list, size_t first, char *buf, size_t size)
{
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
	for (i = first; i < list->n; i++) {
		const struct addrlist_entry *e = &list->v[i];

		ck_assert_ptr_null(e->display);
		n = snprintf(buf + o, size - o, "%s%s%s%s", i > first ?
		    ", " : "", e->qualified ? "<" : "{", e->addr,
		    e->qualified ? ">" : "}");
		ck_assert_int_ge(n, 0);
		ck_assert_uint_lt((size_t)n, size - o);
		o += (size_t)n;
	}
}

/* Parses text (from an exact-size copy, no NUL after it). */
static int
parse(struct aliases **a, const char *text, size_t len, struct warnings *w,
    char *err, size_t errlen)
{
	char *copy = malloc(len > 0 ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	rc = aliases_parse_buffer(a, "t", copy, len, collect, w, err,
	    errlen);
	free(copy);
	return rc;
}

START_TEST(test_aliases_expand_table)
{
	struct aliases *a = NULL;
	struct addrlist out = { 0 };
	struct warnings w = { "", 0 };
	char got[1024], err[256] = "";
	size_t len = cases[_i].len != 0 ? cases[_i].len :
	    strlen(cases[_i].text), skipped = 99, i;
	const char *p;
	int rc;

	rc = parse(&a, cases[_i].text, len, &w, err, sizeof(err));
	ck_assert_msg(rc == 0, "\"%s\": failed: %s", cases[_i].text, err);
	if (cases[_i].name == NULL) {
		(void)snprintf(got, sizeof(got), "%s, entry skipped\n",
		    cases[_i].want);
		ck_assert_msg(strcmp(w.buf, got) == 0,
		    "\"%s\": warning \"%s\", want \"%s\"", cases[_i].text,
		    w.buf, got);
		ck_assert_uint_eq(aliases_errors(a), 1);
		aliases_free(a);
		return;
	}
	for (i = 0, p = w.buf; (p = strstr(p, ", entry skipped\n")) != NULL;
	    p++)
		i++;
	ck_assert_uint_eq(aliases_errors(a), i);
	rc = aliases_expand(a, cases[_i].name, &out, &skipped, err,
	    sizeof(err));
	ck_assert_msg(rc == 0, "\"%s\": expand %s failed: %s", cases[_i].text,
	    cases[_i].name, err);
	render(&out, 0, got, sizeof(got));
	ck_assert_msg(strcmp(got, cases[_i].want) == 0,
	    "\"%s\": %s gives \"%s\", want \"%s\"", cases[_i].text,
	    cases[_i].name, got, cases[_i].want);
	ck_assert_uint_eq(skipped, cases[_i].skipped);
	ck_assert_msg(w.n == cases[_i].warnings, "\"%s\": warnings:\n%s",
	    cases[_i].text, w.buf);
	addrlist_free(&out);
	aliases_free(a);
}
END_TEST

/* The texts of the three warnings. */
START_TEST(test_aliases_expand_warning_texts)
{
	static const char text[] =
	    "root: |/usr/bin/procmail -a \"$EXT\", admin\n"
	    "admin: ops, \\admin\n"
	    "ops: admin\n"
	    "# again\n"
	    "Admin: someone@x.test\n"
	    "tab: \"|/bin/a\tb\"\n";
	struct aliases *a;
	struct addrlist out = { 0 };
	struct warnings w = { "", 0 };
	char err[128], got[256];

	ck_assert_int_eq(parse(&a, text, strlen(text), &w, err, sizeof(err)),
	    0);
	ck_assert_str_eq(w.buf, "t:5: duplicate alias admin ignored, the one "
	    "at line 2 is used\n");
	ck_assert_uint_eq(aliases_count(a), 4);
	ck_assert_int_eq(aliases_expand(a, "root", &out, NULL, err,
	    sizeof(err)), 0);
	render(&out, 0, got, sizeof(got));
	ck_assert_str_eq(got, "{admin}");
	ck_assert_int_eq(aliases_expand(a, "tab", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_str_eq(w.buf, "t:5: duplicate alias admin ignored, the one "
	    "at line 2 is used\n"
	    "alias root: |/usr/bin/procmail -a \"$EXT\" not supported, "
	    "skipped\n"
	    "alias ops: loops back to admin, delivering to admin\n"
	    "alias tab: \"|/bin/a\tb\" not supported, skipped\n");
	addrlist_free(&out);
	aliases_free(a);
}
END_TEST

/* No callback: the same results, nothing called. */
START_TEST(test_aliases_parse_buffer_no_callback)
{
	static const char text[] = "root: a@x.test\nroot: b@x.test\n"
	    "x: |/bin/cat, a\na: x\n";
	struct aliases *a;
	struct addrlist out = { 0 };
	char err[128];
	size_t skipped;

	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, strlen(text),
	    NULL, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(a, "x", &out, &skipped, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(skipped, 1);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_str_eq(out.v[0].addr, "x");
	addrlist_free(&out);
	aliases_free(a);
}
END_TEST

/* Only len bytes count. */
START_TEST(test_aliases_parse_buffer_len_bounds)
{
	static const char text[] = "root: a@x.test, b@x.test";
	struct aliases *a;
	struct addrlist out = { 0 };
	char err[128], got[128];

	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, 14, NULL, NULL,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(a, "root", &out, NULL, err,
	    sizeof(err)), 0);
	render(&out, 0, got, sizeof(got));
	ck_assert_str_eq(got, "<a@x.test>");
	addrlist_free(&out);
	aliases_free(a);
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", NULL, 0, NULL, NULL,
	    err, sizeof(err)), 0);
	ck_assert_uint_eq(aliases_count(a), 0);
	aliases_free(a);
}
END_TEST

/* Writes len bytes of text to a new file in a new directory. */
static void
tmpfile_write(char *dir, char *path, size_t pathlen, const char *text,
    size_t len)
{
	int fd, n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	n = snprintf(path, pathlen, "%s/aliases", dir);
	ck_assert(n > 0 && (size_t)n < pathlen);
	if (text == NULL)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

static void
tmpfile_remove(const char *dir, const char *path)
{
	(void)unlink(path);
	ck_assert_int_eq(rmdir(dir), 0);
}

START_TEST(test_aliases_load_file)
{
	char dir[] = "/tmp/check_aliases.XXXXXX", path[64], err[256];
	struct aliases *a;
	struct addrlist out = { 0 };
	struct warnings w = { "", 0 };
	char got[128];

	tmpfile_write(dir, path, sizeof(path), DEBIAN_EXIM "root: dup\n",
	    strlen(DEBIAN_EXIM "root: dup\n"));
	ck_assert_int_eq(aliases_load(&a, path, collect, &w, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(aliases_count(a), 13);
	ck_assert_int_eq(aliases_expand(a, "abuse", &out, NULL, err,
	    sizeof(err)), 0);
	render(&out, 0, got, sizeof(got));
	ck_assert_str_eq(got, "<admin@example.org>");
	ck_assert_uint_eq(w.n, 1);
	ck_assert_ptr_nonnull(strstr(w.buf, "/aliases:15: duplicate alias "
	    "root ignored, the one at line 14 is used"));
	addrlist_free(&out);
	aliases_free(a);
	tmpfile_remove(dir, path);
}
END_TEST

/* A missing file is an empty table: every name is itself. */
START_TEST(test_aliases_load_missing)
{
	char dir[] = "/tmp/check_aliases.XXXXXX", path[64], err[128] = "";
	struct aliases *a;
	struct addrlist out = { 0 };

	tmpfile_write(dir, path, sizeof(path), NULL, 0);
	ck_assert_int_eq(aliases_load(&a, path, NULL, NULL, err,
	    sizeof(err)), 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(aliases_count(a), 0);
	ck_assert_int_eq(aliases_expand(a, "Root", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_str_eq(out.v[0].addr, "Root");
	ck_assert_int_eq(out.v[0].qualified, 0);
	addrlist_free(&out);
	aliases_free(a);
	tmpfile_remove(dir, path);
}
END_TEST

/*
 * A file error names the file and fails; a syntax error names the file
 * and the line, and only its entry is skipped.
 */
START_TEST(test_aliases_load_errors)
{
	char dir[] = "/tmp/check_aliases.XXXXXX", path[64], err[256], want[128];
	struct aliases *a = (struct aliases *)1;
	struct warnings w = { "", 0 };

	tmpfile_write(dir, path, sizeof(path), "a: b\nc d\n", 9);
	ck_assert_int_eq(aliases_load(&a, path, collect, &w, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(aliases_count(a), 1);
	ck_assert_uint_eq(aliases_errors(a), 1);
	aliases_free(a);
	(void)snprintf(want, sizeof(want), "%s:2: expected ':' after the "
	    "alias name, entry skipped\n", path);
	ck_assert_str_eq(w.buf, want);
	ck_assert_int_eq(aliases_load(&a, dir, NULL, NULL, err,
	    sizeof(err)), -1);
	(void)snprintf(want, sizeof(want), "%s: not a regular file", dir);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(a);
	tmpfile_remove(dir, path);
}
END_TEST

/* ALIASES_FILE_MAX octets load; one more is refused before reading. */
START_TEST(test_aliases_load_huge)
{
	char dir[] = "/tmp/check_aliases.XXXXXX", path[64], err[256], want[128];
	struct aliases *a;
	struct addrlist out = { 0 };
	char *text;
	size_t i;
	int fd;

	text = malloc(ALIASES_FILE_MAX);
	ck_assert_ptr_nonnull(text);
	memset(text, '#', ALIASES_FILE_MAX);
	for (i = 63; i < ALIASES_FILE_MAX; i += 64)
		text[i] = '\n';
	memcpy(text + ALIASES_FILE_MAX - 16, "\nroot: a@x.test\n", 16);
	tmpfile_write(dir, path, sizeof(path), text, ALIASES_FILE_MAX);
	ck_assert_int_eq(aliases_load(&a, path, NULL, NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(a, "root", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(out.v[0].addr, "a@x.test");
	addrlist_free(&out);
	aliases_free(a);

	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 64 << 20), 0);	/* sparse */
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(aliases_load(&a, path, NULL, NULL, err,
	    sizeof(err)), -1);
	(void)snprintf(want, sizeof(want), "%s: larger than 4194304 octets",
	    path);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(aliases_parse_buffer(&a, "big", text,
	    (size_t)ALIASES_FILE_MAX + 1, NULL, NULL, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "big: larger than 4194304 octets");
	free(text);
	tmpfile_remove(dir, path);
}
END_TEST

/*
 * A line of ALIASES_LINE_MAX octets passes (CRLF not counted); a longer
 * one is skipped with the rest of its entry.
 */
START_TEST(test_aliases_parse_buffer_line_max)
{
	size_t size = ALIASES_LINE_MAX + 32, n;
	char *text = malloc(size), err[128];
	struct aliases *a;
	struct warnings w = { "", 0 };

	ck_assert_ptr_nonnull(text);
	memcpy(text, "root: a@x.test", 14);
	n = ALIASES_LINE_MAX;
	memset(text + 14, ' ', n - 14);
	memcpy(text + n, "\r\nx: y\n", 7);
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, n + 7, NULL,
	    NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(aliases_count(a), 2);
	aliases_free(a);
	text[n] = ' ';
	memcpy(text + n + 1, "\n x@y.test\nx: y\n", 16);
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, n + 17, collect,
	    &w, err, sizeof(err)), 0);
	ck_assert_str_eq(w.buf, "t:1: line longer than 8192 octets, entry "
	    "skipped\n");
	ck_assert_uint_eq(aliases_count(a), 1);	/* x, not root */
	ck_assert_uint_eq(aliases_errors(a), 1);
	aliases_free(a);
	free(text);
}
END_TEST

/* Appends "prefix<i>" for i in [from, to) joined by sep to text. */
static void
append_names(char *text, size_t size, const char *prefix, size_t from,
    size_t to, const char *suffix, const char *sep)
{
	size_t i, len;
	int n;

	for (i = from; i < to; i++) {
		len = strlen(text);
		n = snprintf(text + len, size - len, "%s%s%zu%s",
		    i > from ? sep : "", prefix, i, suffix);
		ck_assert(n > 0 && (size_t)n < size - len);
	}
}

/*
 * A chain of ALIASES_DEPTH_MAX aliases expands; one more fails, and out
 * is left as it was.
 */
START_TEST(test_aliases_expand_depth_max)
{
	char text[4096] = "", err[128];
	struct aliases *a;
	struct addrlist out = { 0 };
	size_t i;
	int n;

	for (i = 0; i < ALIASES_DEPTH_MAX; i++) {
		n = snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "n%zu: n%zu\n", i, i + 1);
		ck_assert(n > 0);
	}
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, strlen(text),
	    NULL, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(a, "n0", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_str_eq(out.v[0].addr, "n32");
	aliases_free(a);

	(void)strlcat(text, "n32: end@x.test\n", sizeof(text));
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, strlen(text),
	    NULL, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(a, "n1", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_str_eq(out.v[1].addr, "end@x.test");
	ck_assert_int_eq(aliases_expand(a, "N0", &out, NULL, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "alias N0: aliases nested deeper than 32 "
	    "(at n32)");
	ck_assert_uint_eq(out.n, 2);
	addrlist_free(&out);
	aliases_free(a);
}
END_TEST

/*
 * ALIASES_TARGETS_MAX targets in an entry load, one more does not; an
 * expansion adding more than ALIASES_TARGETS_MAX fails and appends
 * nothing, duplicates not counted.
 */
START_TEST(test_aliases_expand_targets_max)
{
	size_t size = 64 * 1024;
	char *text = malloc(size), err[128];
	struct aliases *a;
	struct addrlist out = { 0 };
	struct warnings w = { "", 0 };

	ck_assert_ptr_nonnull(text);
	(void)strlcpy(text, "big: ", size);
	append_names(text, size, "u", 0, ALIASES_TARGETS_MAX, "@x.test",
	    ",\n ");
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, strlen(text),
	    NULL, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(a, "big", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(out.n, ALIASES_TARGETS_MAX);
	addrlist_free(&out);
	aliases_free(a);

	(void)strlcat(text, ", one@more.test", size);
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, strlen(text),
	    collect, &w, err, sizeof(err)), 0);
	ck_assert_str_eq(w.buf, "t:1000: alias big: more than 1000 targets, "
	    "entry skipped\n");
	ck_assert_uint_eq(aliases_count(a), 0);
	aliases_free(a);

	(void)strlcpy(text, "root: a, b, c\na: ", size);
	append_names(text, size, "u", 0, 600, "@x.test", ", ");
	(void)strlcat(text, "\nb: ", size);
	append_names(text, size, "u", 0, 600, "@x.test", ", ");
	(void)strlcat(text, "\nc: ", size);
	append_names(text, size, "u", 400, 1000, "@x.test", ", ");
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, strlen(text),
	    NULL, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(a, "root", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(out.n, 1000);
	ck_assert_int_eq(aliases_expand(a, "root", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(out.n, 1000);
	addrlist_free(&out);
	aliases_free(a);

	(void)strlcat(text, ", last@x.test", size);
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, strlen(text),
	    NULL, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(a, "other", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(a, "root", &out, NULL, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "alias root: more than 1000 targets");
	ck_assert_uint_eq(out.n, 1);
	ck_assert_str_eq(out.v[0].addr, "other");
	addrlist_free(&out);
	aliases_free(a);
	free(text);
}
END_TEST

/*
 * An entry of a million continuation lines and ALIASES_TARGETS_MAX
 * targets loads in linear time; the line of an error is found.
 */
START_TEST(test_aliases_parse_buffer_many_lines)
{
	size_t size = ALIASES_FILE_MAX, len, i;
	char *text = malloc(size), err[128];
	struct aliases *a;
	struct warnings w = { "", 0 };
	int n;

	ck_assert_ptr_nonnull(text);
	len = strlcpy(text, "big: a@x.test", size);
	for (i = 0; i < 1000000; i++) {
		memcpy(text + len, "\n ,", 3);
		len += 3;
	}
	for (i = 1; i < ALIASES_TARGETS_MAX; i++) {
		n = snprintf(text + len, size - len, "\n u%zu@x.test,", i);
		ck_assert(n > 0 && (size_t)n < size - len);
		len += (size_t)n;
	}
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, len, NULL, NULL,
	    err, sizeof(err)), 0);
	ck_assert_uint_eq(aliases_count(a), 1);
	aliases_free(a);
	memcpy(text + len, "\n <x", 4);
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, len + 4, collect,
	    &w, err, sizeof(err)), 0);
	ck_assert_str_eq(w.buf, "t:1001001: alias big: expected '>', entry "
	    "skipped\n");
	ck_assert_uint_eq(aliases_count(a), 0);
	aliases_free(a);
	free(text);
}
END_TEST

/* Entries already in out are not added again; the rest is appended. */
START_TEST(test_aliases_expand_appends)
{
	static const char text[] = "root: admin, a@X.test, b@x.test\n"
	    "postmaster: root, p@x.test\n";
	struct aliases *a;
	struct addrlist out = { 0 };
	char err[128], got[256];
	size_t skipped = 7;

	ck_assert_int_eq(addrlist_parse(&out, "ADMIN, a@x.TEST", 15, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, strlen(text),
	    NULL, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(a, "root", &out, &skipped, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(skipped, 0);
	ck_assert_int_eq(aliases_expand(a, "postmaster", &out, &skipped, err,
	    sizeof(err)), 0);
	render(&out, 0, got, sizeof(got));
	ck_assert_str_eq(got, "{ADMIN}, <a@x.TEST>, <b@x.test>, <p@x.test>");
	addrlist_free(&out);
	aliases_free(a);
}
END_TEST

/* The name must be one local part; a NULL table has no aliases. */
START_TEST(test_aliases_expand_name)
{
	static const struct {
		const char	*name;
		const char	*err;
	} bad[] = {
		{ "root@example.org", "not a local name: a domain is not "
		    "allowed" },
		{ "", "not a local name: empty name" },
		{ "(x)", "not a local name: empty name" },
		{ "a, b", "not a local name: more than one name" },
		{ "a b", "not a local name: missing address (expected '<' "
		    "or '@')" },
		{ "a\nb", "not a local name: line break not followed by white "
		    "space" },
	};
	struct addrlist out = { 0 };
	char err[128], got[256];
	size_t i, skipped = 3;

	for (i = 0; i < NELEM(bad); i++) {
		ck_assert_int_eq(aliases_expand(NULL, bad[i].name, &out,
		    &skipped, err, sizeof(err)), -1);
		ck_assert_str_eq(err, bad[i].err);
		ck_assert_uint_eq(skipped, 0);
	}
	ck_assert_uint_eq(out.n, 0);
	ck_assert_int_eq(aliases_expand(NULL, "Root", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(NULL, " root (the admin)", &out, NULL,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(NULL, "\"a b\"", &out, NULL, err,
	    sizeof(err)), 0);
	render(&out, 0, got, sizeof(got));
	ck_assert_str_eq(got, "{Root}, {\"a b\"}");
	ck_assert_uint_eq(aliases_count(NULL), 0);
	aliases_free(NULL);
	addrlist_free(&out);
}
END_TEST

/* A full out: the expansion fails and leaves it alone. */
START_TEST(test_aliases_expand_out_full)
{
	static const char text[] = "root: a@x.test, b@x.test\n";
	struct aliases *a;
	struct addrlist out = { 0 };
	char *s, err[128];
	size_t i;

	s = malloc(ADDRLIST_MAX * 8);
	ck_assert_ptr_nonnull(s);
	s[0] = '\0';
	append_names(s, ADDRLIST_MAX * 8, "u", 0, ADDRLIST_MAX - 1, "", ",");
	ck_assert_int_eq(addrlist_parse(&out, s, strlen(s), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, strlen(text),
	    NULL, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(aliases_expand(a, "root", &out, NULL, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "alias root: more than 10000 recipients");
	ck_assert_uint_eq(out.n, ADDRLIST_MAX - 1);
	for (i = 0; i < out.n; i += 1111)
		ck_assert_int_eq(out.v[i].qualified, 0);
	ck_assert_int_eq(aliases_expand(a, "u17", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(out.n, ADDRLIST_MAX - 1);
	addrlist_free(&out);
	aliases_free(a);
	free(s);
}
END_TEST

/* Many entries: the hash table grows and finds every one. */
START_TEST(test_aliases_expand_many_entries)
{
	size_t size = 4 << 20, i, len = 0;
	char *text = malloc(size), err[128], name[32], want[32];
	struct aliases *a;
	struct addrlist out = { 0 };
	int n;

	ck_assert_ptr_nonnull(text);
	for (i = 0; i < 100000; i++) {
		n = snprintf(text + len, size - len, "User%zu: u%zu@x.test\n",
		    i, i);
		ck_assert(n > 0 && (size_t)n < size - len);
		len += (size_t)n;
	}
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", text, len, NULL,
	    NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(aliases_count(a), 100000);
	for (i = 0; i < 100000; i += 997) {
		(void)snprintf(name, sizeof(name), "user%zu", i);
		(void)snprintf(want, sizeof(want), "u%zu@x.test", i);
		ck_assert_int_eq(aliases_expand(a, name, &out, NULL, err,
		    sizeof(err)), 0);
		ck_assert_str_eq(out.v[out.n - 1].addr, want);
	}
	ck_assert_int_eq(aliases_expand(a, "user100000", &out, NULL, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(out.v[out.n - 1].addr, "user100000");
	addrlist_free(&out);
	aliases_free(a);
	free(text);
}
END_TEST

/* The error is cut to errlen; errlen 0 writes nothing. */
START_TEST(test_aliases_parse_buffer_err_truncated)
{
	struct aliases *a;
	char err[8] = "xxxxxxx";

	ck_assert_int_eq(aliases_parse_buffer(&a, "t", "root",
	    (size_t)ALIASES_FILE_MAX + 1, NULL, NULL, err, 5), -1);
	ck_assert_str_eq(err, "t: l");
	ck_assert_int_eq(aliases_parse_buffer(&a, "t", "root",
	    (size_t)ALIASES_FILE_MAX + 1, NULL, NULL, err, 0), -1);
	ck_assert_str_eq(err, "t: l");
}
END_TEST

/*
 * The file's name is escaped where a message shows it (-oA names the
 * file, and the message reaches a terminal): an entry's warning, the
 * size error, the load's file error.
 */
START_TEST(test_aliases_parse_buffer_name_escaped)
{
	const char *name = "/tmp/\033[2Jx";
	struct aliases *a;
	struct warnings w = { "", 0 };
	char err[256], dir[] = "/tmp/\033[2Jaliases.XXXXXX";

	ck_assert_int_eq(aliases_parse_buffer(&a, name, "c d\n", 4, collect,
	    &w, err, sizeof(err)), 0);
	ck_assert_str_eq(w.buf, "/tmp/\\x1b[2Jx:1: expected ':' after the "
	    "alias name, entry skipped\n");
	aliases_free(a);
	ck_assert_int_eq(aliases_parse_buffer(&a, name, "root",
	    (size_t)ALIASES_FILE_MAX + 1, NULL, NULL, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/tmp/\\x1b[2Jx: larger than 4194304 octets");
	/* a directory of that name: file_read's error */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(aliases_load(&a, dir, NULL, NULL, err, sizeof(err)),
	    -1);
	ck_assert_ptr_null(strchr(err, '\033'));
	ck_assert_ptr_nonnull(strstr(err, "/tmp/\\x1b[2J"));
	ck_assert_ptr_nonnull(strstr(err, ": not a regular file"));
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *
aliases_suite(void)
{
	Suite *s = suite_create("aliases");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_aliases_expand_table, 0, NELEM(cases));
	tcase_add_test(tc, test_aliases_expand_warning_texts);
	tcase_add_test(tc, test_aliases_parse_buffer_no_callback);
	tcase_add_test(tc, test_aliases_parse_buffer_len_bounds);
	tcase_add_test(tc, test_aliases_load_file);
	tcase_add_test(tc, test_aliases_load_missing);
	tcase_add_test(tc, test_aliases_load_errors);
	tcase_add_test(tc, test_aliases_load_huge);
	tcase_add_test(tc, test_aliases_parse_buffer_line_max);
	tcase_add_test(tc, test_aliases_parse_buffer_many_lines);
	tcase_add_test(tc, test_aliases_expand_depth_max);
	tcase_add_test(tc, test_aliases_expand_targets_max);
	tcase_add_test(tc, test_aliases_expand_appends);
	tcase_add_test(tc, test_aliases_expand_name);
	tcase_add_test(tc, test_aliases_expand_out_full);
	tcase_add_test(tc, test_aliases_expand_many_entries);
	tcase_add_test(tc, test_aliases_parse_buffer_err_truncated);
	tcase_add_test(tc, test_aliases_parse_buffer_name_escaped);
	suite_add_tcase(s, tc);
	return s;
}
