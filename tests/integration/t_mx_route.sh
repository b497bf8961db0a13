#!/bin/bash
# t_mx_route: direct MX delivery (no relay) routes each domain by its DNS
# records, served by a real nsd (tests/lab/dns.sh) to real Postfix
# instances listening on port 25 of 127.0.0.2, 127.0.0.3 and [::2]:
#   - the lowest preference first (the records listed the other way);
#     the envelope, and one mail log line naming relay=<mx>[addr]:25;
#   - the next MX when the first refuses the connection;
#   - equal preferences spread across sends (20 sends, both MX hosts get
#     some: all on one by chance is 2^-19);
#   - no MX: the domain's own address (implicit MX, RFC 5321 5.1);
#   - null MX (RFC 7505) and NXDOMAIN: permanent, nothing connects;
#   - SERVFAIL: temporary, 75 without a spool, queued with one;
#   - an MX with an IPv6 address only;
#   - -R or a configured relay: not one DNS query (dnsmasq's query log);
#   - -bv: the route of each recipient, sending nothing.
# Each message is checked where it landed, byte for byte, and that
# nothing arrived anywhere else.
. "$(dirname "$0")/common.sh"
# shellcheck source=../lab/dns.sh
. "$top/tests/lab/dns.sh"
dns_need

dns_zone "$T/dns" test <<'EOF'
; lowest preference first (listed highest first)
order       MX 20 mx2.order
order       MX 10 mx1.order
mx1.order   A  127.0.0.2
mx2.order   A  127.0.0.3
; the first MX refuses: nothing listens on 127.0.0.4
refuse      MX 10 mx1.refuse
refuse      MX 20 mx2.refuse
mx1.refuse  A  127.0.0.4
mx2.refuse  A  127.0.0.3
; two MX hosts of equal preference
equal       MX 10 mxa.equal
equal       MX 10 mxb.equal
mxa.equal   A  127.0.0.2
mxb.equal   A  127.0.0.3
; no MX: the domain's own address
implicit    A  127.0.0.3
; a null MX; the A record beside it must not be used
null        MX 0 .
null        A  127.0.0.2
; an MX with an IPv6 address only
v6          MX 10 mx.v6
mx.v6       AAAA ::2
EOF
dns_zone_broken "$T/dns" broken.test
cleanup_hooks+=("dns_stop $T/dns")
dns_start "$T/dns" || exit 1
dns_resolv_conf "$T/dns" 'options timeout:1 attempts:1'

# The DNS answers what each case below relies on.
dns_answer() {	# NAME TYPE WANT...: the answer, lines joined by "; "
	local name=$1 type=$2 got
	shift 2
	got=$(dns_query "$name" "$type" | paste -sd';' | sed 's/;/; /g')
	[ "$got" = "$*" ] && ok "DNS: $name $type: $got" || fail "DNS: $name $type: $got, want $*"
}
dns_answer order.test MX 'rcode NOERROR; MX 20 mx2.order.test.; MX 10 mx1.order.test.'
dns_answer implicit.test MX 'rcode NOERROR'
dns_answer null.test MX 'rcode NOERROR; MX 0 .'
dns_answer nx.test MX 'rcode NXDOMAIN'
dns_answer broken.test MX 'rcode SERVFAIL'
dns_answer mx.v6.test A 'rcode NOERROR'

mx_postfix p2 127.0.0.2 || exit 1
mx_postfix p3 127.0.0.3 || exit 1
mx_postfix p6 ::2 || exit 1
lab_syn_watch '*' && lab_syn_watch 127.0.0.4 || exit 1
sender=s@example.net
mx_conf 'connect_timeout 2'

# 1. The lowest preference first; with a second recipient at an
# implicit MX, and the mail log captured: one line per recipient, each
# naming its own MX host.
cleanup_hooks+=("lab_syslog_stop $T/syslog")
lab_syslog_start "$T/syslog" || exit 1
mx_conf 'connect_timeout 2' 'syslog mail'
CARRIER_WRAP=$T/syslog/wrap mx_send "lowest preference" order@order.test imp1@implicit.test
lab_syslog_stop "$T/syslog"
expect_rc 0 "MX 10 and 20"
[ ! -s "$T/err" ] && ok "nothing on stderr" || fail "stderr: $(cat "$T/err")"
mx_arrived p2 order.test order "MX 10 before MX 20"
mx_arrived p3 implicit.test imp1 "beside it, an implicit MX"
mx_nowhere "MX 10 and 20, and an implicit MX"
[ "$(wc -l <"$T/syslog/log")" = 2 ] && ok "two log lines" || fail "log: $(cat "$T/syslog/log")"
ere() { sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"; }	# TEXT as an ERE
log_line() {	# RCPT RELAY: the line for RCPT names RELAY, sent
	grep -qE "^<22>.* carrier\[[0-9]+\]: from=<s@example\.net>, to=<$(ere "$1")>, .*relay=$(ere "$2"), .*dsn=2\.0\.0, status=sent \(250 " \
		"$T/syslog/log" && ok "log: $1 relay=$2" || fail "log: no line for $1 with relay=$2: $(cat "$T/syslog/log")"
}
log_line order@order.test 'mx1.order.test[127.0.0.2]:25'
log_line imp1@implicit.test 'implicit.test[127.0.0.3]:25'
mx_conf 'connect_timeout 2'

# 2. The first MX refuses: the second.
mx_send "first refuses" first@refuse.test
expect_rc 0 "MX 10 refuses"
mx_landed p3 refuse.test first "MX 10 refused, MX 20 took it"
n=$(lab_syn_count 127.0.0.4)
[ "$n" -ge 1 ] && ok "MX 10 was tried first ($n SYN)" || fail "no connection tried to MX 10 (127.0.0.4)"
grep -q 'port 25' "$T/err" && fail "a refused MX with another one up: port 25 named: $(cat "$T/err")" ||
	ok "not called a blocked port 25"

# 3. Equal preferences: spread.
declare -A at=([p2]=0 [p3]=0)
for i in $(seq 20); do
	mx_send "equal $i" "eq$i@equal.test"
	[ "$rc" = 0 ] || { fail "equal $i: exit $rc: $(cat "$T/err")"; continue; }
	_lab_until 100 _mx_has_any "equal.test" "eq$i" p2 p3
	if _mx_has "$T/p2" equal.test "eq$i"; then pf=p2
	elif _mx_has "$T/p3" equal.test "eq$i"; then pf=p3
	else fail "equal $i: nothing arrived"; continue; fi
	at[$pf]=$((at[$pf] + 1))
	postfix_msg "$T/$pf" equal.test "eq$i" >"$T/got"
	cmp -s "$T/got" "$T/want" || fail "equal $i: the bytes at $pf differ"
done
echo "equal preferences: ${at[p2]} at mxa (127.0.0.2), ${at[p3]} at mxb (127.0.0.3)"
# Random order: all 20 on one host by chance is 2 * 2^-20 = 2^-19.
[ "${at[p2]}" -ge 1 ] && [ "${at[p3]}" -ge 1 ] && ok "both MX 10 hosts got some" ||
	fail "20 sends: ${at[p2]} at mxa, ${at[p3]} at mxb (not shuffled?)"
MX_WANT[p2]=$((MX_WANT[p2] + at[p2])) MX_WANT[p3]=$((MX_WANT[p3] + at[p3]))
mx_nowhere "equal preferences"

# 4. No MX: the domain's own A record.
mx_send "implicit MX" imp@implicit.test
expect_rc 0 "implicit MX"
mx_landed p3 implicit.test imp "A record, no MX"

# 5. Null MX: permanent, and the A record beside it is not used.
syn=$(lab_syn_count '*')
mx_send "null MX" nobody@null.test
expect_rc 68 "null MX (EX_NOHOST, carrier(8))"
expect_err_line '^carrier: null\.test accepts no mail: its MX record is the null MX \(RFC 7505\) \(1 recipient not delivered\)$' "null MX: said"
mx_no_connect "$syn" "null MX"
mx_nowhere "null MX"

# 6. NXDOMAIN: permanent.
mx_send "NXDOMAIN" nobody@nx.test
expect_rc 68 "NXDOMAIN"
expect_err_line '^carrier: domain nx\.test not found \(NXDOMAIN\) \(1 recipient not delivered\)$' "NXDOMAIN: said"
mx_no_connect "$syn" "NXDOMAIN"
mx_nowhere "NXDOMAIN"

# 7. SERVFAIL: temporary; without a spool 75, with one queued.
mx_send "SERVFAIL" later@broken.test
expect_rc 75 "SERVFAIL, no spool"
expect_err_line '^carrier: cannot look up the MX of broken\.test: the DNS server said SERVFAIL \(1 recipient not delivered; not queued: ' "SERVFAIL: said"
mkdir -m 700 "$T/spool"
mx_conf 'connect_timeout 2' "spool $T/spool"
mx_send "SERVFAIL" later@broken.test
expect_rc 0 "SERVFAIL, with a spool"
expect_err_line '^carrier: queued as [0-9A-Za-z]+, 1 recipient to be tried again: cannot look up the MX of broken\.test: the DNS server said SERVFAIL$' "SERVFAIL: queued"
"$CARRIER" -C "$T/conf" -bp >"$T/mailq" 2>&1
grep -q '^  *later@broken\.test$' "$T/mailq" && ok "mailq lists the recipient" || fail "mailq: $(cat "$T/mailq")"
mx_no_connect "$syn" "SERVFAIL"
mx_conf 'connect_timeout 2'

# 8. An MX with an IPv6 address only.
mx_send "IPv6 only" six@v6.test
expect_rc 0 "IPv6-only MX"
mx_landed p6 v6.test six "AAAA only, at [::2]"

# 8b. ip_version ipv4: the IPv6-only MX is not used, temporarily (the
# MX host "has no IPv4 address"), and nothing connects.
mx_conf 'connect_timeout 2' 'ip_version ipv4'
syn=$(lab_syn_count '*')
mx_send "IPv4 only" six4@v6.test
expect_rc 75 "ip_version ipv4, an IPv6-only MX"
grep -q 'MX host mx\.v6\.test has no IPv4 address' "$T/err" &&
	ok "ip_version ipv4: the MX host has no IPv4 address" ||
	fail "ip_version ipv4: $(cat "$T/err")"
mx_no_connect "$syn" "ip_version ipv4"

# 8c. source_address: connections come from that address.
mx_conf 'connect_timeout 2' 'source_address 127.0.0.9'
mx_send "source address" src@order.test
expect_rc 0 "source_address 127.0.0.9"
mx_landed p2 order.test src "sent from 127.0.0.9"
grep -q 'connect from [^ ]*\[127\.0\.0\.9\]' "$T/p2/maillog" &&
	ok "Postfix saw the connection from 127.0.0.9" ||
	fail "no connection from 127.0.0.9 in p2's log: $(grep 'connect from' "$T/p2/maillog" | tail -2)"
mx_conf 'connect_timeout 2'

# 9. -bv: the route of each recipient, the MX hosts in the order they
# would be tried, with their preferences and addresses; nothing sent.
syn=$(lab_syn_count '*')
"$CARRIER" -C "$T/conf" -bv order@order.test imp@implicit.test six@v6.test nobody@null.test \
	</dev/null >"$T/bv" 2>&1
rc=$?
expect_rc 68 "-bv with a null MX recipient"
tls='    TLS: DANE where the MX host publishes TLSA records under DNSSEC, else as tls_mx may (tls_mx dane)'
nodane() { echo "        TLS: not a DANE host (the address records of $1 are not DNSSEC-validated): as tls_mx may"; }
nosts() { echo "    MTA-STS policy of $1: none (no MTA-STS record)"; }
printf '%s\n' 'order@order.test... deliverable: mail exchangers of order.test:' \
	'    10 mx1.order.test' '        127.0.0.2' "$(nodane mx1.order.test)" \
	'    20 mx2.order.test' '        127.0.0.3' "$(nodane mx2.order.test)" "$tls" \
	"$(nosts order.test)" \
	'imp@implicit.test... deliverable: implicit MX of implicit.test:' \
	'    implicit.test' '        127.0.0.3' "$(nodane implicit.test)" "$tls" \
	"$(nosts implicit.test)" \
	'six@v6.test... deliverable: mail exchangers of v6.test:' \
	'    10 mx.v6.test' '        ::2' "$(nodane mx.v6.test)" "$tls" \
	"$(nosts v6.test)" \
	'nobody@null.test... undeliverable: null.test accepts no mail: its MX record is the null MX (RFC 7505)' \
	>"$T/bv.want"
expect_same "$T/bv" "$T/bv.want" "-bv: the routes"
mx_no_connect "$syn" "-bv"

# 10. A relay (-R, or "relay" in the configuration): not one DNS query.
# nsd cannot log queries: dnsmasq, which can, answers on 127.0.0.53.
dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=nobody \
	--listen-address=127.0.0.53 --bind-interfaces --port=53 --pid-file= \
	--mx-host=rq.test,mx.rq.test,10 --host-record=mx.rq.test,127.0.0.2 \
	--log-facility="$T/dnsmasq.log" --log-queries &
dnsmasq=$!
cleanup_hooks+=("kill $dnsmasq 2>/dev/null")
_lab_until 50 _lab_listening 127.0.0.53 53 || fail "dnsmasq did not start"
dns_resolv_conf "$T/dns" 'nameserver 127.0.0.53' 'options timeout:1 attempts:1'
lines() { wc -l <"$T/dnsmasq.log"; }
mx_send "MX through dnsmasq" mx@rq.test
expect_rc 0 "no relay: MX from dnsmasq"
mx_landed p2 rq.test mx "MX from dnsmasq"
grep -q 'query\[MX\] rq\.test' "$T/dnsmasq.log" && ok "dnsmasq logged the MX query" ||
	fail "no MX query in dnsmasq's log: $(cat "$T/dnsmasq.log")"
n=$(lines)
mx_send "-R given" -R 127.0.0.3:25 relayed@rq.test
expect_rc 0 "-R 127.0.0.3:25"
mx_landed p3 rq.test relayed "-R: to the relay"
mx_conf 'connect_timeout 2' 'relay 127.0.0.3:25'
mx_send "relay configured" conf@rq.test
expect_rc 0 "relay in carrier.conf"
mx_landed p3 rq.test conf "relay in the configuration: to the relay"
sleep 0.2
tail -n +$((n + 1)) "$T/dnsmasq.log" | grep 'query\[' >"$T/queries"
grep -q 'query\[MX\]' "$T/queries" && fail "an MX query with a relay set: $(cat "$T/queries")" ||
	ok "no MX query with a relay set"
[ ! -s "$T/queries" ] && ok "with a relay: not one DNS query" || fail "with a relay: $(cat "$T/queries")"

finish
