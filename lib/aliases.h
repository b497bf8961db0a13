/* SPDX-License-Identifier: ISC */
/*
 * aliases.h: the aliases(5) file, /etc/aliases by default, as Postfix
 * and sendmail read it, for mapping bare local recipient names (root,
 * postmaster, www-data) to real addresses before relaying.
 *
 * Format, by physical lines (LF or CRLF):
 *
 *	name: target, target, ...
 *
 * A line whose first character is SP or HTAB continues the entry above
 * it; a blank line and a line whose first non-blank character is '#'
 * are ignored anywhere, between the lines of an entry included (as
 * Postfix does).  A '#' after other text is not a comment.  Blanks may
 * come before the ':'.
 *
 * The name is a local part without a domain, an atom or a quoted string
 * ("a b": ...), in the normal form of addrlist.h; names match
 * case-insensitively (ASCII).  Two entries with the same name: the first
 * is used and the others are reported to the warning callback, as
 * Postfix's newaliases does.
 *
 * The targets are split at the commas that are outside quotes,
 * comments and angle brackets.  A target is one of:
 *  - an address, "user@domain" (any mailbox form addrlist_parse()
 *    takes, "Admin <admin@example.org>" included; the display name is
 *    dropped): final, passed on as it is;
 *  - a local name ("admin"): looked up again, recursively; a name with
 *    no alias is final;
 *  - "\name": a local name that is final, not looked up (sendmail's and
 *    Postfix's way for "root: \root, admin@example.org");
 *  - "|command", "/file/path" or ":include:/path" (also in double
 *    quotes, as "|command with args"): kept, but as carrier only relays,
 *    never delivered: aliases_expand() skips them and reports each one.
 *
 * An entry with an error is skipped, whole, and reported to the warning
 * callback as "path:line: reason, entry skipped", as Postfix does: one
 * bad line does not stop the mail to every other name (the name of a
 * skipped entry then has no alias).  Such errors are: a line that is
 * not "name: targets", an entry with no target, a name with a domain, a
 * target that addrlist_parse() rejects, a NUL byte, too long a line,
 * too many targets in one entry, a continuation line with no entry
 * above it; aliases_errors() counts them.  Only too large a file, an
 * unreadable one and memory running out make aliases_load() fail.  The
 * backslash-newline
 * continuation of sendmail is not supported (a continuation line starts
 * with white space).
 */
#ifndef CARRIER_ALIASES_H
#define CARRIER_ALIASES_H

#include <stddef.h>

struct addrlist;

/* Plain numbers: the error texts are made from them. */
#define ALIASES_PATH_DEFAULT	"/etc/aliases"
#define ALIASES_FILE_MAX	4194304	/* octets in the file (4 MiB) */
#define ALIASES_LINE_MAX	8192	/* octets in one physical line */
#define ALIASES_DEPTH_MAX	32	/* aliases nested in one expansion */
#define ALIASES_TARGETS_MAX	1000	/* targets of one entry, and of one
					   expansion after removing
					   duplicates */

/* A loaded aliases file; opaque. */
struct aliases;

/*
 * Reads the aliases file path.  A missing file (ENOENT) is an empty
 * table.  warn, if not NULL, is called with arg and a one-line message
 * for each duplicate name, here as "path:line: duplicate alias NAME
 * ignored, the one at line N is used", and for each entry skipped for
 * an error (see above), and is kept for
 * aliases_expand(), so arg must live as long as the table.  In the
 * messages (warnings and errors), text from the file is sanitised with
 * log_sanitize(): printable ASCII and HTAB, other bytes as \xHH.
 *
 * Returns 0 and the table in *out (free it with aliases_free());
 * or -1 with *out NULL and "path: reason" in err
 * (errlen bytes, NUL-terminated, maybe truncated), errno ENOMEM when
 * memory ran out.
 */
int	aliases_load(struct aliases **out, const char *path,
	    void (*warn)(void *arg, const char *msg), void *arg,
	    char *err, size_t errlen);

/*
 * The same for the len bytes of text (no NUL terminator needed, nothing
 * past len read), named name in the messages (escaped: -oA names the
 * file, and a message reaches a terminal); len over ALIASES_FILE_MAX
 * is an error.  aliases_load() reads the file and calls this.
 */
int	aliases_parse_buffer(struct aliases **out, const char *name,
	    const char *text, size_t len,
	    void (*warn)(void *arg, const char *msg), void *arg,
	    char *err, size_t errlen);

/*
 * Expands the local name (no domain; stripping the local domain is the
 * caller's job) into its final targets, appended to out (see
 * addrlist.h): addresses with qualified 1, local names with qualified 0
 * and display NULL, in the order the file gives them, depth first.
 * name is taken in any form addrlist_parse() reads as one bare local
 * part ("root", "Root", "\"root\"").  a may be NULL: no aliases.
 *
 * A name with no alias expands to itself (as given, case kept); so does
 * a local target with no alias (as written in the file).  An alias
 * reached again while it is being expanded stops there and is kept as
 * a final local name: "root: root, admin@x" gives root and admin@x
 * (sendmail's rule, self-reference means delivery to the name); a
 * longer loop (a: b and b: a) is kept the same way, a giving a, and is
 * reported to the warning callback as "alias b: loops back to a,
 * delivering to a".  An alias reached again after its expansion adds
 * nothing more.  Targets are not appended twice, nor when out already
 * holds them: local names compare case-insensitively, addresses with
 * the local part exact and the domain case-insensitive.
 *
 * Each "|command", "/file" and ":include:" target met is skipped, is
 * reported to the warning callback as "alias NAME: TARGET not
 * supported, skipped" (TARGET sanitised), and counted in *skipped if
 * skipped is not NULL.  So an expansion may append nothing (root:
 * |/usr/bin/procmail): the caller must then not count the recipient as
 * delivered.
 *
 * Returns 0; or -1 with out as it was and a reason in err, for: name
 * not a local name, aliases nested deeper than ALIASES_DEPTH_MAX, more
 * than ALIASES_TARGETS_MAX targets from this expansion, more than
 * ADDRLIST_MAX entries in out, or memory exhausted (errno ENOMEM).
 * Takes time linear in the size of the table at worst; a lookup is a
 * hash table probe.
 */
int	aliases_expand(const struct aliases *a, const char *name,
	    struct addrlist *out, size_t *skipped, char *err, size_t errlen);

/* The number of entries skipped for errors at load; 0 for NULL. */
size_t	aliases_errors(const struct aliases *a);

/* The number of entries (distinct names) in a; 0 for NULL. */
size_t	aliases_count(const struct aliases *a);

/* Frees a and everything in it; NULL is fine. */
void	aliases_free(struct aliases *a);

#endif
