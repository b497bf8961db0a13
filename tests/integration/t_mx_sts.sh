#!/bin/bash
# t_mx_sts: MTA-STS for MX delivery (RFC 8461), with the default tls_mx
# (dane): the "_mta-sts" TXT records served by nsd through a validating
# unbound (tests/lab/dnssec.sh), the policies by an HTTPS server in the
# test's namespace (sts_server.py, on 127.0.0.8:443, a certificate of
# the lab's CA, which tls_ca_file names), real Postfix instances as the
# MX hosts, the policy cache in the spool:
#   - enforce, the MX in the policy, its certificate verified for its
#     name: delivered, tls=sts; a second message uses the cached policy
#     (one fetch in all);
#   - enforce, the MX not in the policy: not delivered, queued, the
#     policy named; enforce, a certificate for another name: queued,
#     no second try without verifying;
#   - testing, the MX not in the policy: delivered, what enforce would
#     refuse said;
#   - the policy server down, nothing cached: delivered as without
#     MTA-STS; down with a cached policy (a new TXT id asks for a
#     fetch): the cached policy still holds;
#   - a cached policy past its max_age, the server down: it no longer
#     applies;
#   - a DANE host of a domain with a policy that does not list it: DANE
#     wins, delivered, tls=dane;
#   - -bv shows the policy and whether each MX matches it.
. "$(dirname "$0")/common.sh"
# shellcheck source=../lab/dns.sh
. "$top/tests/lab/dns.sh"
# shellcheck source=../lab/dnssec.sh
. "$top/tests/lab/dnssec.sh"
dnssec_need

names=()
for d in good bad cert testing down short; do
	names+=("DNS:mta-sts.$d.sts.test" "DNS:mx.$d.sts.test")
done
lab_ca "$T/ca" "${names[@]}" DNS:mta-sts.dane.test DNS:mx.dane.test || exit 1
# zone_sts BAD_ID: the sts.test zone, bad.sts.test's TXT id BAD_ID
zone_sts() {
	{
		for d in good bad cert testing down short; do
			printf '%-16s MX  10 mx.%s\n' "$d" "$d"
			printf '%-16s TXT "v=STSv1; id=%s1"\n' "_mta-sts.$d" "$d"
			[ "$d" = down ] || printf '%-16s A   127.0.0.8\n' "mta-sts.$d"
		done
		printf '%s\n' 'mx.good A 127.0.0.2' 'mx.bad A 127.0.0.2' \
			'mx.cert A 127.0.0.3' 'mx.testing A 127.0.0.2' \
			'mx.down A 127.0.0.2' 'mx.short A 127.0.0.2' \
			'mta-sts.down A 127.0.0.9'
	} | sed "s/id=bad1/id=$1/" | dns_zone "$T/dns" sts.test
}
zone_sts bad1 || exit 1
dns_zone "$T/dns" dane.test <<EOF
@               MX   10 mx
mx              A    127.0.0.2
_25._tcp.mx     TLSA $(tlsa_rdata "$T/ca/server.pem" 3 1 1)
_mta-sts        TXT  "v=STSv1; id=x1"
mta-sts         A    127.0.0.8
EOF
dnssec_sign "$T/dns" dane.test || exit 1
cleanup_hooks+=("resolver_stop $T/dns" "dns_stop $T/dns")
dns_start "$T/dns" || exit 1
resolver_start "$T/dns" || exit 1
dnssec_resolv_conf "$T/dns"

# the policies
mkdir -p "$T/policies"
policy() {  # HOST MODE MAX_AGE MX...
	local host=$1 mode=$2 age=$3
	shift 3
	{
		printf 'version: STSv1\r\nmode: %s\r\n' "$mode"
		printf 'mx: %s\r\n' "$@"
		printf 'max_age: %s\r\n' "$age"
	} >"$T/policies/$host"
}
policy mta-sts.good.sts.test enforce 86400 mx.good.sts.test
policy mta-sts.bad.sts.test enforce 86400 mx.other.sts.test '*.elsewhere.test'
policy mta-sts.cert.sts.test enforce 86400 mx.cert.sts.test
policy mta-sts.testing.sts.test testing 86400 mx.other.sts.test
policy mta-sts.short.sts.test enforce 1 mx.other.sts.test
policy mta-sts.dane.test enforce 86400 mx.other.dane.test
sts_up() {
	rm -f "$T/sts.ready"
	"$LAB_PYTHON" "$top/tests/integration/sts_server.py" 127.0.0.8 443 \
		"$T/ca/server.pem" "$T/ca/server.key" "$T/policies" "$T/sts.log" \
		"$T/sts.ready" 2>"$T/sts.err" &
	echo $! >"$T/sts.pid"
	_lab_until 100 test -e "$T/sts.ready" || {
		echo "the policy server did not start: $(cat "$T/sts.err")"
		exit 1
	}
}
sts_down() { [ -f "$T/sts.pid" ] && kill "$(cat "$T/sts.pid")" 2>/dev/null; rm -f "$T/sts.pid"; sleep 0.2; }
lab_lo_addr 127.0.0.8 && lab_lo_addr 127.0.0.9 || exit 1
cleanup_hooks+=("sts_down")
sts_up
# fetches HOST: how many times the policy of HOST was asked for
fetches() { grep -c "^GET $1 " "$T/sts.log" 2>/dev/null; }

export LAB_POSTFIX_SUBMISSION_PORT=0 LAB_POSTFIX_SMTPS_PORT=0
LAB_POSTFIX_TLS=$T/ca mx_postfix p2 127.0.0.2 || exit 1
LAB_POSTFIX_TLS=$T/ca \
	LAB_POSTFIX_MAIN_CF="smtpd_tls_chain_files = $T/ca/wrong.key, $T/ca/wrong.pem" \
	mx_postfix p3 127.0.0.3 || exit 1
sender=s@example.net
mkdir -m 700 "$T/spool"
cleanup_hooks+=("lab_syslog_stop $T/syslog")
lab_syslog_start "$T/syslog" || exit 1
send() { CARRIER_WRAP=$T/syslog/wrap mx_send "$@"; }
logged() {  # RCPT ERE WHAT
	grep -E "to=<$1>.*$2" "$T/syslog/log" >/dev/null && ok "$3: mail log" ||
		fail "$3: no log line for $1 matching '$2': $(grep "to=<$1>" "$T/syslog/log")"
}
queued() {  # ERE WHAT: queued, the reason matching ERE
	expect_rc 0 "$2"
	expect_err_line "^carrier: queued as [0-9A-Za-z]+, 1 recipient to be tried again: $1" "$2: queued, the reason said"
}
mx_conf 'syslog mail' "tls_ca_file $T/ca/ca.pem" "spool $T/spool"

# 1. enforce, the MX listed: verified TLS, tls=sts; then from the cache.
send "enforce" -v g1@good.sts.test
expect_rc 0 "enforce, the MX in the policy"
mx_landed p2 good.sts.test g1 "enforce: delivered"
expect_err_line '^-- MTA-STS policy of good\.sts\.test: .*fetched: mode enforce, max_age 86400' "enforce: -v: fetched"
expect_err_line '^-- mx\.good\.sts\.test: MTA-STS policy of good\.sts\.test in mode enforce: mx\.good\.sts\.test matches it: STARTTLS required, the certificate verified for the MX name$' "enforce: -v: the host matches"
expect_err_line '^-- TLS: TLSv1\.[23] .*verified name mx\.good\.sts\.test' "enforce: -v: the name verified"
logged g1@good.sts.test ' tls=sts, .*status=sent' "enforce"
[ -f "$T/spool/sts/good.sts.test" ] && ok "enforce: the policy cached in the spool" ||
	fail "enforce: no cache file: $(ls -A "$T/spool/sts" 2>&1)"
send "enforce, cached" -v g2@good.sts.test
expect_rc 0 "enforce, the policy cached"
mx_landed p2 good.sts.test g2 "enforce, cached: delivered"
[ "$(fetches mta-sts.good.sts.test)" = 1 ] && ok "enforce, cached: one fetch for two messages" ||
	fail "enforce, cached: $(fetches mta-sts.good.sts.test) fetches"

# 2. enforce, the MX not listed: not used, queued.
send "not in the policy" b1@bad.sts.test
queued 'mx\.bad\.sts\.test: MX host mx\.bad\.sts\.test is not in the MTA-STS policy of bad\.sts\.test \(mode enforce, mx mx\.other\.sts\.test, \*\.elsewhere\.test\)$' "enforce, the MX not in the policy"
mx_nowhere "enforce, the MX not in the policy"
logged b1@bad.sts.test ' tls=sts, .*status=deferred' "enforce, the MX not in the policy"

# 3. enforce, a certificate for another name: queued, one handshake.
send "wrong certificate" c1@cert.sts.test
queued 'mx\.cert\.sts\.test\[127\.0\.0\.3\]:25: TLS handshake failed: name .mx\.cert\.sts\.test. not present in server certificate$' "enforce, a certificate for another name"
mx_nowhere "enforce, a certificate for another name"
n=$(grep -c 'TLS connection established from\|SSL_accept error' "$T/p3/maillog")
[ "$n" -le 1 ] && ok "enforce, another name: no second try without verifying" ||
	fail "enforce, another name: $n TLS attempts at p3"

# 4. testing: delivered anyway, what enforce would refuse said.
send "testing" -v t1@testing.sts.test
expect_rc 0 "testing, the MX not in the policy"
mx_landed p2 testing.sts.test t1 "testing: delivered"
expect_err_line '^-- mx\.testing\.sts\.test: MTA-STS policy of testing\.sts\.test in mode testing: mx\.testing\.sts\.test matches none of its mx patterns \(mx\.other\.sts\.test\): enforce would refuse it; as tls_mx may$' "testing: -v: what enforce would do"
logged t1@testing.sts.test ' tls=may, .*status=sent' "testing"

# 5. the policy server unreachable, nothing cached: as without MTA-STS.
send "server down" -v d1@down.sts.test
expect_rc 0 "the policy host does not answer, nothing cached"
mx_landed p2 down.sts.test d1 "server down, no cache: delivered"
expect_err_line '^-- MTA-STS policy of down\.sts\.test: .*https://mta-sts\.down\.sts\.test/\.well-known/mta-sts\.txt' "server down: -v: the fetch failure named"

# 6. A max_age of 1 s: refused while cached; once expired, with the
# server down, no longer applied.
send "short max_age" s1@short.sts.test
queued 'mx\.short\.sts\.test: MX host mx\.short\.sts\.test is not in the MTA-STS policy of short\.sts\.test' "max_age 1, while cached"
mx_nowhere "max_age 1, while cached"
sts_down
sleep 1.5
send "expired" -v s2@short.sts.test
expect_rc 0 "max_age 1, expired, the server down"
mx_landed p2 short.sts.test s2 "expired: delivered as without MTA-STS"

# 7. The server down and a new TXT id (a fetch is due): the cached
# policy of bad.sts.test still holds.
zone_sts bad2 && dns_start "$T/dns" && resolver_start "$T/dns" || exit 1
send "fetch fails, cache kept" -v b2@bad.sts.test
queued 'mx\.bad\.sts\.test: MX host mx\.bad\.sts\.test is not in the MTA-STS policy of bad\.sts\.test' "a fetch that fails, a cached policy"
expect_err_line '^-- MTA-STS policy of bad\.sts\.test: .*not fetched: the cached policy .*applies' "fetch fails: -v: the cache said to apply"
mx_nowhere "fetch fails, cache kept"
sts_up

# 8. DANE wins over a policy that does not list the host.
send "DANE wins" d2@dane.test
expect_rc 0 "a DANE host, an MTA-STS policy without it"
mx_landed p2 dane.test d2 "DANE wins: delivered"
logged d2@dane.test ' tls=dane, .*status=sent' "DANE wins"

# 9. -bv: the policy, and each MX against it.
run_carrier -C "$T/conf" -bv g3@good.sts.test b3@bad.sts.test
grep -qE '^    MTA-STS policy of good\.sts\.test: ' "$T/out" && ok "-bv: the policy of good.sts.test" ||
	fail "-bv: no policy line: $(cat "$T/out")"
grep -qE '^        TLS: MTA-STS policy of bad\.sts\.test in mode enforce: mx\.bad\.sts\.test matches none of its mx patterns' "$T/out" &&
	ok "-bv: the MX not in the policy" || fail "-bv: $(cat "$T/out")"

finish
