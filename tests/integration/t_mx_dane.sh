#!/bin/bash
# t_mx_dane: DANE for MX hosts (RFC 7672), against zones signed at test
# time (ldns) served by nsd, a real validating resolver (unbound) with
# trust anchors for the signed zones only, and real Postfix instances
# with certificates from a throwaway CA (lab_ca) that no trust store
# holds; carrier runs with its default tls_mx (dane):
#   - DANE-EE (3 1 1) matching the server's key: delivered, over TLS,
#     tls=dane in the mail log, -v says what matched;
#   - DANE-TA (2 0 1) naming the CA, which the server sends in its
#     chain: delivered;
#   - a TLSA record that matches nothing: not delivered to that MX,
#     temporary; with a second MX whose record matches, delivered there;
#   - a DANE host without STARTTLS (as when an attacker strips it): not
#     delivered, nothing sent in plaintext, temporary;
#   - a TLSA answer whose signature does not verify (bogus: unbound says
#     SERVFAIL): the host is skipped, no connection made, temporary;
#   - an unsigned zone, whose TLSA record matches nothing: ignored,
#     delivered over opportunistic TLS (tls=may);
#   - tls_mx_domains: a domain set to "may" ignores its TLSA records.
. "$(dirname "$0")/common.sh"
# shellcheck source=../lab/dns.sh
. "$top/tests/lab/dns.sh"
# shellcheck source=../lab/dnssec.sh
. "$top/tests/lab/dnssec.sh"
dnssec_need

lab_ca "$T/ca" DNS:mx.ee.dane.test DNS:mx.ta.dane.test DNS:mx2.next.dane.test \
	DNS:mx.strip.dane.test DNS:mx.plain.test DNS:mx.may.dane.test || exit 1
ee=$(tlsa_rdata "$T/ca/server.pem" 3 1 1) &&
	ta=$(tlsa_rdata "$T/ca/ca.pem" 2 0 1) &&
	wrong=$(tlsa_rdata "$T/ca/wrong.pem" 3 1 1) || exit 1
dns_zone "$T/dns" dane.test <<EOF
; p2: Postfix with server.pem, its chain ending in ca.pem
ee              MX   10 mx.ee
mx.ee           A    127.0.0.2
_25._tcp.mx.ee  TLSA $ee
ta              MX   10 mx.ta
mx.ta           A    127.0.0.2
_25._tcp.mx.ta  TLSA $ta
; the record names another key: nothing matches
mismatch        MX   10 mx.mismatch
mx.mismatch     A    127.0.0.2
_25._tcp.mx.mismatch TLSA $wrong
; MX 10 does not match; MX 20 does
next            MX   10 mx1.next
next            MX   20 mx2.next
mx1.next        A    127.0.0.2
_25._tcp.mx1.next TLSA $wrong
mx2.next        A    127.0.0.2
_25._tcp.mx2.next TLSA $ee
; p4: Postfix without STARTTLS
strip           MX   10 mx.strip
mx.strip        A    127.0.0.4
_25._tcp.mx.strip TLSA $ee
; the TLSA answer fails validation; nothing listens on 127.0.0.5
bogus           MX   10 mx.bogus
mx.bogus        A    127.0.0.5
_25._tcp.mx.bogus TLSA $ee
; tls_mx_domains says may: the record that matches nothing is ignored
may             MX   10 mx.may
mx.may          A    127.0.0.2
_25._tcp.mx.may TLSA $wrong
EOF
dnssec_sign "$T/dns" dane.test _25._tcp.mx.bogus || exit 1
dns_zone "$T/dns" plain.test <<EOF
; unsigned: the record that matches nothing means nothing
@               MX   10 mx
mx              A    127.0.0.2
_25._tcp.mx     TLSA $wrong
EOF
cleanup_hooks+=("resolver_stop $T/dns" "dns_stop $T/dns")
dns_start "$T/dns" || exit 1
resolver_start "$T/dns" || exit 1
dnssec_resolv_conf "$T/dns"

export LAB_POSTFIX_SUBMISSION_PORT=0 LAB_POSTFIX_SMTPS_PORT=0
LAB_POSTFIX_TLS=$T/ca \
	LAB_POSTFIX_MAIN_CF="smtpd_tls_chain_files = $T/ca/server.key, $T/ca/server.pem, $T/ca/ca.pem" \
	mx_postfix p2 127.0.0.2 || exit 1
mx_postfix p4 127.0.0.4 || exit 1
lab_lo_addr 127.0.0.5 || exit 1
lab_syn_watch 127.0.0.5 && lab_syn_watch 127.0.0.4 || exit 1
sender=s@example.net
cleanup_hooks+=("lab_syslog_stop $T/syslog")
lab_syslog_start "$T/syslog" || exit 1

# expect_out_line ERE WHAT: stdout has a line matching ERE
expect_out_line() {
	grep -qE -- "$1" "$T/out" && ok "$2: stdout matches" ||
		fail "$2: stdout does not match /$1/: $(cat "$T/out")"
}
# tls_sessions NAME: Postfix NAME's TLS sessions so far, once its log
# stops growing (it is written a little after the session)
tls_sessions() {
	local n prev=-1 i
	for i in $(seq 1 30); do
		n=$(grep -c 'TLS connection established from' "$T/$1/maillog")
		[ "$n" = "$prev" ] && break
		prev=$n
		sleep 0.1
	done
	echo "$n"
}
# logged RCPT ERE WHAT: the mail log has RCPT's line matching ERE
logged() {
	grep -E "to=<$1>.*$2" "$T/syslog/log" >/dev/null && ok "$3: mail log" ||
		fail "$3: no log line for $1 matching '$2': $(grep "to=<$1>" "$T/syslog/log")"
}
send() { CARRIER_WRAP=$T/syslog/wrap mx_send "$@"; }

# 1. DANE-EE: delivered over TLS, the match said, tls=dane logged.
mx_conf 'syslog mail'
send "DANE-EE" -v e1@ee.dane.test
expect_rc 0 "DANE-EE 3 1 1"
mx_landed p2 ee.dane.test e1 "DANE-EE: delivered"
[ "$(tls_sessions p2)" = 1 ] && ok "DANE-EE: over TLS" || fail "DANE-EE: $(tls_sessions p2) TLS sessions"
expect_err_line '^-- mx\.ee\.dane\.test: DANE: 1 TLSA record at _25\._tcp\.mx\.ee\.dane\.test, DNSSEC-validated, 1 usable: STARTTLS required, the certificate must match a usable record$' "DANE-EE: -v: the records"
expect_err_line '^-- TLS: TLSv1\.[23] .*DANE-EE\(3\).*matched' "DANE-EE: -v: matched"
logged e1@ee.dane.test ' tls=dane, .*status=sent' "DANE-EE"

# 2. DANE-TA: the CA in the server's chain, the name checked.
send "DANE-TA" -v t1@ta.dane.test
expect_rc 0 "DANE-TA 2 0 1"
mx_landed p2 ta.dane.test t1 "DANE-TA: delivered"
expect_err_line '^-- TLS: TLSv1\.[23] .*DANE-TA\(2\).*matched' "DANE-TA: -v: matched"
logged t1@ta.dane.test ' tls=dane, .*status=sent' "DANE-TA"

# 3. A record that matches nothing: temporary, not delivered.
before=$(tls_sessions p2)
send "mismatch" m1@mismatch.dane.test
expect_rc 75 "TLSA mismatch"
expect_err_line '^carrier: mx\.mismatch\.dane\.test\[127\.0\.0\.2\]:25: .*TLSA' "TLSA mismatch: the records named"
mx_nowhere "TLSA mismatch"
[ "$(tls_sessions p2)" = $((before + 1)) ] && ok "TLSA mismatch: one handshake, no second try" ||
	fail "TLSA mismatch: $(($(tls_sessions p2) - before)) TLS sessions, want 1"
logged m1@mismatch.dane.test ' tls=dane, .*status=tempfail' "TLSA mismatch"

# 4. MX 10 does not match, MX 20 does: delivered by MX 20.
send "next MX" -v n1@next.dane.test
expect_rc 0 "MX 10 mismatch, MX 20 matches"
mx_landed p2 next.dane.test n1 "next MX: delivered"
expect_err_line '^-- mx1\.next\.dane\.test\[127\.0\.0\.2\]:25: .*; next host$' "next MX: MX 10 passed over"

# 5. STARTTLS stripped on a DANE host: refused, nothing in plaintext.
send "stripped" s1@strip.dane.test
expect_rc 75 "a DANE host without STARTTLS"
expect_err_line '^carrier: mx\.strip\.dane\.test\[127\.0\.0\.4\]:25: the server does not offer STARTTLS, which DANE \(TLSA records at _25\._tcp\.mx\.strip\.dane\.test\) requires' "stripped: said"
mx_nowhere "stripped"
grep -q 'MAIL FROM\|from=<s@example.net>' "$T/p4/maillog" &&
	fail "stripped: a transaction reached p4: $(grep -c 'from=<' "$T/p4/maillog")" ||
	ok "stripped: no MAIL FROM reached the host"

# 6. A bogus TLSA answer: the host skipped before any connection.
send "bogus" b1@bogus.dane.test
expect_rc 75 "a bogus TLSA answer"
expect_err_line '^carrier: mx\.bogus\.dane\.test: cannot look up the TLSA records of _25\._tcp\.mx\.bogus\.dane\.test: the DNS server said SERVFAIL' "bogus: said"
[ "$(lab_syn_count 127.0.0.5)" = 0 ] && ok "bogus: no connection to the host" ||
	fail "bogus: $(lab_syn_count 127.0.0.5) SYNs to the host"
grep -q 'validation failure <_25._tcp.mx.bogus.dane.test. TLSA' "$T/dns/unbound.log" &&
	ok "bogus: unbound found the signature bad" || fail "bogus: no validation failure in unbound's log"
logged b1@bogus.dane.test ' tls=dane, .*status=tempfail' "bogus"

# 7. An unsigned zone: its TLSA record ignored; opportunistic TLS.
send "unsigned" -v u1@plain.test
expect_rc 0 "an unsigned zone with a TLSA record that matches nothing"
mx_landed p2 plain.test u1 "unsigned: delivered"
expect_err_line '^-- mx\.plain\.test: not a DANE host \(the address records of mx\.plain\.test are not DNSSEC-validated\): as tls_mx may$' "unsigned: -v: why"
logged u1@plain.test ' tls=may, .*status=sent' "unsigned"

# 8. tls_mx_domains: may for may.dane.test, its records not used.
mx_conf 'syslog mail' 'tls_mx_domains may.dane.test=may'
send "tls_mx_domains" y1@may.dane.test
expect_rc 0 "tls_mx_domains may.dane.test=may"
mx_landed p2 may.dane.test y1 "tls_mx_domains: delivered"
logged y1@may.dane.test ' tls=may, .*status=sent' "tls_mx_domains"

# 9. -bv: a DANE host, a bogus one, an unsigned one.
run_carrier -C "$T/conf" -bv e2@ee.dane.test b2@bogus.dane.test u2@plain.test
expect_out_line '^        TLS: DANE: 1 TLSA record at _25\._tcp\.mx\.ee\.dane\.test, DNSSEC-validated, 1 usable: STARTTLS required' "-bv: the DANE host"
expect_out_line '^        TLS: DANE: the TLSA lookup failed: .*SERVFAIL: this host is skipped for now$' "-bv: the bogus host"
expect_out_line '^        TLS: not a DANE host \(the address records of mx\.plain\.test are not DNSSEC-validated\): as tls_mx may$' "-bv: the unsigned host"

finish
