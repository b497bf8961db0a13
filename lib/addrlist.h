/* SPDX-License-Identifier: ISC */
/*
 * addrlist.h: RFC 5322 address lists (section 3.4, the obsolete forms of
 * section 4.4, UTF-8 per RFC 6532), for sendmail -t: the recipients in
 * To/Cc/Bcc (or Resent-To/Cc/Bcc) and the author in From.
 */
#ifndef CARRIER_ADDRLIST_H
#define CARRIER_ADDRLIST_H

#include <stddef.h>

/* Plain numbers: the error texts are made from them. */
#define ADDRLIST_MAX		10000	/* addresses in one list */
#define ADDRLIST_DISPLAY_MAX	1024	/* octets of one display name */
#define ADDRLIST_DEPTH_MAX	64	/* nesting of comments */

/*
 * One mailbox of a list.
 *
 * addr is the addr-spec in a normal form: CFWS and folding removed, an
 * obsolete route (<@a,@b:user@c>) dropped, the local part written
 * unquoted when its content is a dot-atom ("a"."b" and "a.b" give a.b)
 * and else as one quoted-string with only '"' and '\' escaped; the
 * domain as written (case kept, CFWS around its dots removed), a domain
 * literal with its white space removed ("[ 192.0.2.1 ]" gives
 * [192.0.2.1]).  A qualified addr passes addr_check_mailbox().  A
 * mailbox without a domain ("root", "Cron Daemon <root>") is just the
 * local part, at most ADDR_LOCAL_MAX octets, with qualified 0; it may
 * still contain '@' inside quotes, so test qualified, not for an '@'.
 *
 * display is the display name of a name-addr, or NULL when there is
 * none or it is empty: quotes and quoted-pairs decoded, comments
 * dropped, folding removed, words joined by one space where CFWS
 * separated them.  RFC 2047 encoded-words are left as they are.  Bytes
 * >= 0x80 are passed on unchecked (UTF-8 per RFC 6532, or legacy 8-bit
 * text).  A comment after a bare addr-spec ("root (Cron Daemon)") is not
 * a display name; comments are not kept (start and end say where the
 * address is, so a caller can keep all else).
 */
struct addrlist_entry {
	char	*addr;		/* owned */
	char	*display;	/* owned, or NULL */
	int	 qualified;	/* 1 if the mailbox had "@domain" */
	size_t	 start, end;	/* the addr-spec as written in the body:
				 * from its first word (a quoted string's
				 * opening quote) to the end of its last
				 * token, without the comments around it,
				 * so a field can be rewritten with
				 * everything else kept */
};

/* A list of mailboxes; start from a zeroed struct. */
struct addrlist {
	struct addrlist_entry	*v;
	size_t			 n;
	size_t			 cap;
	size_t			 groups;	/* groups seen, empty ones too */
};

/*
 * Parses len bytes of body, a header field body (unfolded or not: CRLF
 * or bare LF followed by SP or HTAB is folding; one line break may end
 * it; no NUL terminator needed, nothing past len is read), as an
 * address-list, groups and the obsolete syntax allowed.  Appends every
 * mailbox to list in order, the members of groups included; group names
 * are not kept (groups only counts them), and an empty group
 * ("undisclosed-recipients:;") or an empty list adds nothing.  A
 * mailbox without a domain is accepted bare or in angle brackets ("root", "Cron Daemon <root>").  Some mailers
 * also take the following, but here they are errors: addresses
 * separated by white space only ("a@x b@y"), a group without its ';',
 * a route without commas ("<@a@b:u@c>"), a domain with a final dot.
 *
 * Returns 0; or -1 with nothing appended and a short reason in err
 * (errlen bytes, NUL-terminated and maybe truncated; untouched on
 * success), for: a syntax error ("expected '>'", "unterminated quoted
 * string", "unbalanced parenthesis", "expected ',' between addresses"),
 * a NUL byte, a control character other than HTAB, a CR or LF that is
 * not folding, comments nested deeper than ADDRLIST_DEPTH_MAX, a mailbox
 * that fails addr_check_mailbox() (lengths included), a display name
 * over ADDRLIST_DISPLAY_MAX octets, more than ADDRLIST_MAX entries in
 * list (counting those already there), or memory exhausted (errno
 * ENOMEM).  Runs in time linear in len.
 */
int	addrlist_parse(struct addrlist *list, const char *body, size_t len,
	    char *err, size_t errlen);

/* Frees every entry and the array; list is left zeroed, ready for reuse. */
void	addrlist_free(struct addrlist *list);

#endif
