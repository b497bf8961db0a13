/* SPDX-License-Identifier: ISC */
/* tests.h: the Check suites, one per lib/ module; run by check_main.c. */
#ifndef CARRIER_TESTS_H
#define CARRIER_TESTS_H

#include <check.h>

Suite	*addr_suite(void);
Suite	*base64_suite(void);
Suite	*compat_suite(void);
Suite	*bounce_suite(void);
Suite	*cred_suite(void);
Suite	*dns_suite(void);
Suite	*dnsmsg_suite(void);
Suite	*smtp_auth_suite(void);
Suite	*addrlist_suite(void);
Suite	*aliases_suite(void);
Suite	*conf_suite(void);
Suite	*conn_suite(void);
Suite	*conn_tls_suite(void);
Suite	*dane_suite(void);
Suite	*envelope_suite(void);
Suite	*file_suite(void);
Suite	*header_suite(void);
Suite	*http_suite(void);
Suite	*identity_suite(void);
Suite	*log_suite(void);
Suite	*maillog_suite(void);
Suite	*message_suite(void);
Suite	*net_suite(void);
Suite	*policy_suite(void);
Suite	*qp_suite(void);
Suite	*route_suite(void);
Suite	*qenv_suite(void);
Suite	*qhop_suite(void);
Suite	*queue_suite(void);
Suite	*smtp_reply_suite(void);
Suite	*spool_suite(void);
Suite	*smtp_suite(void);
Suite	*smtpd_suite(void);
Suite	*smtpd_parse_suite(void);
Suite	*sts_suite(void);
Suite	*sts_cache_suite(void);
Suite	*sts_decide_suite(void);
Suite	*sts_discover_suite(void);
Suite	*sts_fetch_suite(void);
Suite	*tlsa_suite(void);

#endif
