/* SPDX-License-Identifier: ISC */
/* check_addr.c: envelope address checks, table-driven. */
#include <string.h>

#include "tests.h"
#include "addr.h"

static const struct {
	const char	*addr;
	int		 ok;
} mailboxes[] = {
	{ "user@example.org", 1 },
	{ "first.last@example.org", 1 },
	{ "a+tag@sub.example.org", 1 },
	{ "!#$%&'*+-/=?^_`{|}~@example.org", 1 },
	{ "\"quoted local\"@example.org", 1 },
	{ "\"with\\\"escape\"@example.org", 1 },
	{ "user@[192.0.2.1]", 1 },
	{ "user@[IPv6:2001:db8::1]", 1 },
	{ "j\xc3\xbcrgen@b\xc3\xbc" "cher.example", 1 },	/* UTF-8 */
	{ "x@a-b.example", 1 },
	{ "root@localhost", 1 },
	{ "", 0 },
	{ "root", 0 },				/* no domain */
	{ "@example.org", 0 },
	{ "user@", 0 },
	{ ".user@example.org", 0 },
	{ "user.@example.org", 0 },
	{ "us..er@example.org", 0 },
	{ "us er@example.org", 0 },
	{ "user@exa mple.org", 0 },
	{ "user@-example.org", 0 },
	{ "user@example-.org", 0 },
	{ "user@example..org", 0 },
	{ "user@example.org.", 0 },
	{ "user\r\nRCPT TO:<x@y.z>@example.org", 0 },	/* injection */
	{ "user@example.org\r\n", 0 },
	{ "<user@example.org>", 0 },
	{ "user@[192.0.2.300]", 0 },
	{ "user@[IPv6:zz::1]", 0 },
	{ "\"unterminated@example.org", 0 },
	{ "\"ctl\x01\"@example.org", 0 },
	{ "bad\xc3(@example.org", 0 },		/* broken UTF-8 */
	{ "overlong\xc0\xaf@example.org", 0 },
	{ "surrogate\xed\xa0\x80@example.org", 0 },
	{ "a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".example", 0 },			/* 64-octet label */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "@example.org", 0 },		/* 65-octet local part */
};

START_TEST(test_addr_check_mailbox_table)
{
	char why[128] = "";
	int rc = addr_check_mailbox(mailboxes[_i].addr, why, sizeof(why));

	ck_assert_msg((rc == 0) == mailboxes[_i].ok, "\"%s\": got %d (%s)",
	    mailboxes[_i].addr, rc, why);
	if (!mailboxes[_i].ok)
		ck_assert_str_ne(why, "");
}
END_TEST

START_TEST(test_addr_check_mailbox_too_long)
{
	char addr[300], why[64];

	memset(addr, 'a', 60);
	addr[60] = '@';
	memset(addr + 61, 'b', 230);
	addr[291] = '\0';
	ck_assert_int_eq(addr_check_mailbox(addr, why, sizeof(why)), -1);
}
END_TEST

START_TEST(test_addr_domain_last_at)
{
	ck_assert_str_eq(addr_domain("\"a@b\"@c.example"), "c.example");
	ck_assert_ptr_null(addr_domain("root"));
}
END_TEST

START_TEST(test_addr_is_utf8_detects)
{
	ck_assert_int_eq(addr_is_utf8("plain@example.org"), 0);
	ck_assert_int_eq(addr_is_utf8("\xc3\xa9@example.org"), 1);
}
END_TEST

Suite *
addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_addr_check_mailbox_table, 0,
	    sizeof(mailboxes) / sizeof(mailboxes[0]));
	tcase_add_test(tc, test_addr_check_mailbox_too_long);
	tcase_add_test(tc, test_addr_domain_last_at);
	tcase_add_test(tc, test_addr_is_utf8_detects);
	suite_add_tcase(s, tc);
	return s;
}
