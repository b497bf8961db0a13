/* SPDX-License-Identifier: ISC */
/* check_main.c: runs every unit suite; exits non-zero on any failure. */
#include <stdlib.h>

#include "tests.h"

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(addr_suite());
	srunner_add_suite(sr, addrlist_suite());
	srunner_add_suite(sr, aliases_suite());
	srunner_add_suite(sr, base64_suite());
	srunner_add_suite(sr, bounce_suite());
	srunner_add_suite(sr, compat_suite());
	srunner_add_suite(sr, cred_suite());
	srunner_add_suite(sr, dns_suite());
	srunner_add_suite(sr, dnsmsg_suite());
	srunner_add_suite(sr, smtp_auth_suite());
	srunner_add_suite(sr, conf_suite());
	srunner_add_suite(sr, conn_suite());
	srunner_add_suite(sr, conn_tls_suite());
	srunner_add_suite(sr, dane_suite());
	srunner_add_suite(sr, envelope_suite());
	srunner_add_suite(sr, file_suite());
	srunner_add_suite(sr, header_suite());
	srunner_add_suite(sr, http_suite());
	srunner_add_suite(sr, identity_suite());
	srunner_add_suite(sr, log_suite());
	srunner_add_suite(sr, maillog_suite());
	srunner_add_suite(sr, message_suite());
	srunner_add_suite(sr, net_suite());
	srunner_add_suite(sr, policy_suite());
	srunner_add_suite(sr, qp_suite());
	srunner_add_suite(sr, route_suite());
	srunner_add_suite(sr, qenv_suite());
	srunner_add_suite(sr, qhop_suite());
	srunner_add_suite(sr, queue_suite());
	srunner_add_suite(sr, spool_suite());
	srunner_add_suite(sr, smtp_reply_suite());
	srunner_add_suite(sr, smtp_suite());
	srunner_add_suite(sr, smtpd_suite());
	srunner_add_suite(sr, smtpd_parse_suite());
	srunner_add_suite(sr, sts_suite());
	srunner_add_suite(sr, sts_cache_suite());
	srunner_add_suite(sr, sts_decide_suite());
	srunner_add_suite(sr, sts_discover_suite());
	srunner_add_suite(sr, sts_fetch_suite());
	srunner_add_suite(sr, tlsa_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
