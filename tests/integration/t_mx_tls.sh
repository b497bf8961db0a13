#!/bin/bash
# t_mx_tls: STARTTLS to MX hosts, against a real DNS server (nsd) and
# real Postfix instances offering STARTTLS on port 25 with certificates
# from a throwaway CA (lab_ca), which no system trust store holds:
#   - by default (tls_mx may: opportunistic) a certificate that does not
#     verify still gets the message, over TLS (Postfix's log says so),
#     and the -v transcript says the certificate was not verified;
#   - tls_mx verify with the test CA (tls_ca_file): delivered, the name
#     verified (the control for the next two);
#   - tls_mx verify with another CA, or a certificate for another name:
#     not delivered, temporary (75; queued with a spool);
#   - an MX whose TLS handshake fails (it offers only TLS 1.0/1.1): the
#     message goes to it in plaintext, the next MX untried (as Postfix
#     does; carrier.conf(5), tls_mx).
. "$(dirname "$0")/common.sh"
# shellcheck source=../lab/dns.sh
. "$top/tests/lab/dns.sh"
dns_need

dns_zone "$T/dns" test <<'EOF'
; Postfix with a certificate for mx.tls.test
tls          MX 10 mx.tls
mx.tls       A  127.0.0.2
; Postfix with a certificate for wrong.example
wrongname    MX 10 mx.wrongname
mx.wrongname A  127.0.0.3
; MX 10's TLS handshake fails; MX 20 is mx.tls's Postfix
badtls       MX 10 mx1.badtls
badtls       MX 20 mx2.badtls
mx1.badtls   A  127.0.0.4
mx2.badtls   A  127.0.0.2
EOF
cleanup_hooks+=("dns_stop $T/dns")
dns_start "$T/dns" || exit 1
dns_resolv_conf "$T/dns" 'options timeout:1 attempts:1'

lab_ca "$T/ca" DNS:mx.tls.test DNS:mx2.badtls.test || exit 1
export LAB_POSTFIX_TLS=$T/ca LAB_POSTFIX_SUBMISSION_PORT=0 LAB_POSTFIX_SMTPS_PORT=0
mx_postfix p2 127.0.0.2 || exit 1
LAB_POSTFIX_MAIN_CF="smtpd_tls_chain_files = $T/ca/wrong.key, $T/ca/wrong.pem" \
	mx_postfix p3 127.0.0.3 || exit 1
LAB_POSTFIX_MAIN_CF='smtpd_tls_protocols = !SSLv2, !SSLv3, !TLSv1.2, !TLSv1.3' \
	mx_postfix p4 127.0.0.4 || exit 1
unset LAB_POSTFIX_TLS
lab_syn_watch 127.0.0.4 && lab_syn_watch 127.0.0.2 || exit 1
sender=s@example.net

# tls_in_log NAME N WHAT: Postfix NAME logged N TLS sessions in all
tls_in_log() {
	local n
	n=$(grep -c 'TLS connection established from' "$T/$1/maillog")
	[ "$n" = "$2" ] && ok "$3: $n TLS session(s) in all in $1's log" || fail "$3: $n TLS sessions in $1's log, want $2"
}

# 1. Opportunistic: the certificate does not verify (the test CA is in
# no trust store), delivered anyway, over TLS, and -v says so.
mx_conf
mx_send "opportunistic" -v t1@tls.test
expect_rc 0 "default: an MX certificate that does not verify"
mx_landed p2 tls.test t1 "default: delivered over unverified TLS"
tls_in_log p2 1 "default"
# -v: verified first; on failure the session made again without the check
issuer='certificate verification failed: unable to get local issuer certificate'
unverified() {	# HOST ADDR WHAT [REASON]: HOST, ADDR, REASON as EREs
	expect_err_line "^-- $1\\[$2\\]:25: TLS handshake failed: ${4:-$issuer}; trying again without verifying \\(tls_mx may\\)\$" "$3: -v: the certificate did not verify"
	expect_err_line '^-- TLS: TLSv1\.[23] [A-Z0-9_]+, certificate not verified$' "$3: -v: TLS, the certificate not verified"
	expect_err_line "^-- $1\\[$2\\]:25: TLS without a verified certificate \\(tls_mx may\\)\$" "$3: -v: said again"
}
unverified 'mx\.tls\.test' '127\.0\.0\.2' "default"
mx_conf 'tls_mx may' "tls_ca_file $T/ca/other-ca.pem"
mx_send "tls_mx may" -v t2@tls.test
expect_rc 0 "tls_mx may, another CA"
mx_landed p2 tls.test t2 "tls_mx may: delivered over unverified TLS"
tls_in_log p2 2 "tls_mx may"
unverified 'mx\.tls\.test' '127\.0\.0\.2' "tls_mx may"
mx_conf 'tls_mx may' "tls_ca_file $T/ca/ca.pem"
mx_send "wrong name, may" -v w1@wrongname.test
expect_rc 0 "tls_mx may, the test CA, a certificate for another name"
mx_landed p3 wrongname.test w1 "tls_mx may, another name: delivered"
# (the name is checked after the handshake: Postfix saw two complete)
tls_in_log p3 2 "tls_mx may, another name"
unverified 'mx\.wrongname\.test' '127\.0\.0\.3' "tls_mx may, another name" \
	"name .mx\\.wrongname\\.test. not present in server certificate"

# 2. tls_mx verify with the test CA: verified, delivered.
mx_conf 'tls_mx verify' "tls_ca_file $T/ca/ca.pem"
mx_send "verified" -v t3@tls.test
expect_rc 0 "tls_mx verify, the test CA"
mx_landed p2 tls.test t3 "tls_mx verify: delivered"
expect_err_line '^-- TLS: TLSv1\.[23] .*verified name mx\.tls\.test' "tls_mx verify: the name verified"

# 3. tls_mx verify, a certificate for another name: temporary.
mx_send "wrong name, verify" w2@wrongname.test
expect_rc 75 "tls_mx verify, a certificate for another name"
expect_err_line "^carrier: mx\\.wrongname\\.test\\[127\\.0\\.0\\.3\\]:25: TLS handshake failed: name .mx\\.wrongname\\.test. not present in server certificate \\(1 recipient not delivered; not queued: " "tls_mx verify, another name: said"
mx_nowhere "tls_mx verify, another name"

# 4. tls_mx verify, another CA: temporary; queued with a spool.
mkdir -m 700 "$T/spool"
mx_conf 'tls_mx verify' "tls_ca_file $T/ca/other-ca.pem" "spool $T/spool"
mx_send "another CA, verify" t4@tls.test
expect_rc 0 "tls_mx verify, another CA, with a spool"
expect_err_line '^carrier: queued as [0-9A-Za-z]+, 1 recipient to be tried again: mx\.tls\.test\[127\.0\.0\.2\]:25: TLS handshake failed: certificate verification failed: unable to get local issuer certificate$' "tls_mx verify, another CA: queued, the reason named"
mx_nowhere "tls_mx verify, another CA"

# 5. MX 10's handshake fails: tried once more there without TLS, as
# Postfix does (carrier.conf(5), tls_mx may); MX 20 not tried.
syn2=$(lab_syn_count 127.0.0.2)
mx_conf
mx_send "handshake fails" -v b1@badtls.test
expect_rc 0 "MX 10's TLS handshake fails"
mx_landed p4 badtls.test b1 "MX 10's handshake failed: MX 10 again, in plaintext"
[ "$(lab_syn_count 127.0.0.4)" = 2 ] && ok "two connections to MX 10" ||
	fail "$(lab_syn_count 127.0.0.4) SYNs to MX 10, want 2 (TLS, then plaintext)"
[ "$(lab_syn_count 127.0.0.2)" = "$syn2" ] && ok "MX 20 not tried" || fail "MX 20 was tried"
grep -q 'SSL_accept error' "$T/p4/maillog" && ok "MX 10 logged the failed handshake" ||
	fail "no failed handshake in MX 10's log: $(tail -5 "$T/p4/maillog")"
tls_in_log p4 0 "MX 10, the second time"


finish
