#!/bin/bash
# t_mx_faults: direct MX delivery when MX hosts fail, against a real DNS
# server (nsd) and real Postfix instances and smtp-sinks on port 25 of
# their own loopback addresses, with nftables black-holing some of them:
#   - the first MX drops SYNs: the next one, after connect_timeout;
#   - a 5xx greeting, a 421 greeting, EHLO and HELO refused: the next MX
#     each time; a 5xx to RCPT is final (the next MX is not tried);
#   - a broken AAAA beside a working A (nothing listens; SYNs dropped):
#     delivered through the A, quickly, the AAAA tried first (Happy
#     Eyeballs);
#   - three domains at once, one of them down: the other two delivered,
#     the third temporary (75, or queued), each on its own; a black-holed
#     domain does not hold up the others (they are delivered while it is
#     still being tried);
#   - a greylisting MX (450 to RCPT): queued; a queue run after the
#     greylisting is lifted delivers it;
#   - blocked port 25 (every MX address refuses; all SYNs dropped):
#     temporary, and stderr says outbound port 25 is probably blocked,
#     names the MX hosts and how to set a relay; -bv -v shows port 25
#     of each MX address refused or answering.
# Times are printed; the assertions on them have wide margins.
. "$(dirname "$0")/common.sh"
# shellcheck source=../lab/dns.sh
. "$top/tests/lab/dns.sh"
dns_need

dns_zone "$T/dns" test <<'EOF'
; the first MX black-holed (127.0.0.5)
drop        MX 10 mx1.drop
drop        MX 20 mx2.drop
mx1.drop    A  127.0.0.5
mx2.drop    A  127.0.0.3
; a 5xx greeting, a 421 greeting, EHLO and HELO refused, then Postfix
hops        MX 10 greet5.hops
hops        MX 20 greet4.hops
hops        MX 30 ehlo.hops
hops        MX 40 ok.hops
greet5.hops A  127.0.0.10
greet4.hops A  127.0.0.11
ehlo.hops   A  127.0.0.12
ok.hops     A  127.0.0.3
; MX 10 refuses the recipient (550): final
rcpt5       MX 10 mx1.rcpt5
rcpt5       MX 20 mx2.rcpt5
mx1.rcpt5   A  127.0.0.2
mx2.rcpt5   A  127.0.0.3
; a broken AAAA beside a working A: nothing listens on ::3; ::4 dropped
refused6    MX 10 mx.refused6
mx.refused6 AAAA ::3
mx.refused6 A  127.0.0.3
dropped6    MX 10 mx.dropped6
mx.dropped6 AAAA ::4
mx.dropped6 A  127.0.0.3
; three domains, the third down (nothing on 127.0.0.6)
one         MX 10 mx.one
mx.one      A  127.0.0.2
two         MX 10 mx.two
mx.two      A  127.0.0.3
down        MX 10 mx.down
mx.down     A  127.0.0.6
; greylisting
grey        MX 10 mx.grey
mx.grey     A  127.0.0.7
; every MX address refuses (or, dropped, is silent)
blocked     MX 10 mx1.blocked
blocked     MX 20 mx2.blocked
mx1.blocked A  127.0.0.8
mx2.blocked A  127.0.0.9
EOF
cleanup_hooks+=("dns_stop $T/dns")
dns_start "$T/dns" || exit 1
dns_resolv_conf "$T/dns" 'options timeout:1 attempts:1'
lab_lo_addr ::3 ::4 || exit 1

LAB_POSTFIX_MAIN_CF='smtpd_recipient_restrictions = check_recipient_access inline:{{nouser@rcpt5.test = 550 5.1.1 no such user}}, permit_mynetworks, reject' \
	mx_postfix p2 127.0.0.2 || exit 1
mx_postfix p3 127.0.0.3 || exit 1
LAB_POSTFIX_MAIN_CF='smtpd_recipient_restrictions = check_recipient_access inline:{{grey@grey.test = 450 4.7.1 greylisted, try again later}}, permit_mynetworks, reject' \
	mx_postfix p7 127.0.0.7 || exit 1
# smtp-sink: 500 greeting; 421 greeting and hang-up; EHLO, HELO 500
for s in "10 -f connect" "11 -Q connect" "12 -f ehlo,helo"; do
	read -r n opt cmds <<<"$s"
	cleanup_hooks+=("sink_stop $T/sink$n")
	LAB_SINK_ADDR=127.0.0.$n sink_start "$T/sink$n" 25 "$opt" "$cmds" || exit 1
done
for a in 127.0.0.5 127.0.0.10 127.0.0.11 127.0.0.12 127.0.0.6 127.0.0.8 127.0.0.9 ::3 ::4 '*'; do
	lab_syn_watch "$a" || exit 1
done
# tried ADDR WHAT: a connection was tried to ADDR:25
tried() {
	local n
	n=$(lab_syn_count "$1")
	[ "$n" -ge 1 ] && ok "$2: $1 tried ($n SYN)" || fail "$2: no connection tried to $1"
}
sender=s@example.net
mkdir -m 700 "$T/spool"

# 1. The first MX drops SYNs: the second, after connect_timeout.
lab_tcp_drop 127.0.0.5 || exit 1
mx_conf 'connect_timeout 2'
mx_send "MX 10 black-holed" d@drop.test
echo "MX 10 black-holed, connect_timeout 2: delivered through MX 20 in $took ms"
expect_rc 0 "MX 10 drops SYNs"
mx_landed p3 drop.test d "MX 10 silent, MX 20 took it"
tried 127.0.0.5 "MX 10 black-holed"
[ "$took" -ge 1900 ] && [ "$took" -lt 6000 ] && ok "gave MX 10 its connect_timeout of 2 s, not more ($took ms)" ||
	fail "took $took ms with MX 10 black-holed and connect_timeout 2"

# 2. A 5xx greeting, a 421 greeting, EHLO and HELO refused: on to the
# next MX each time.
mx_send "three bad MX hosts" h@hops.test
expect_rc 0 "5xx greeting, 421 greeting, EHLO refused"
mx_landed p3 hops.test h "MX 40 after three bad ones"
tried 127.0.0.10 "5xx greeting"
tried 127.0.0.11 "421 greeting"
tried 127.0.0.12 "EHLO and HELO refused"

# 3. 550 to RCPT from MX 10: final, MX 20 not tried.
syn=$(lab_syn_count '*')
mx_send "refused recipient" nouser@rcpt5.test
expect_rc 67 "550 to RCPT"
expect_err_line '^carrier: nouser@rcpt5\.test: mx1\.rcpt5\.test\[127\.0\.0\.2\]:25 said after RCPT TO: 550 5\.1\.1 <nouser@rcpt5\.test>: Recipient address rejected: no such user$' "the refusal named"
n=$(($(lab_syn_count '*') - syn))
[ "$n" = 1 ] && ok "one connection, to MX 10 only" || fail "$n SYNs after a 550 to RCPT from MX 10"
mx_nowhere "550 to RCPT"

# 4. A broken AAAA beside a working A: delivered through the A, quickly.
mx_conf 'connect_timeout 10'
mx_send "AAAA refused" r6@refused6.test
echo "AAAA refused, A works: $took ms ($(lab_syn_count ::3) SYN to [::3])"
expect_rc 0 "AAAA refused, A works"
mx_landed p3 refused6.test r6 "AAAA refused: through the A"
tried ::3 "AAAA refused: the AAAA tried too"
lab_tcp_drop ::4 || exit 1
mx_send "AAAA black-holed" d6@dropped6.test
echo "AAAA black-holed, A works, connect_timeout 10: $took ms ($(lab_syn_count ::4) SYN to [::4])"
expect_rc 0 "AAAA black-holed, A works"
mx_landed p3 dropped6.test d6 "AAAA black-holed: through the A"
tried ::4 "AAAA black-holed: the AAAA tried too"
# IPv6 first, the A 250 ms later (carrier(8), RFC 8305): not before
[ "$took" -ge 250 ] && ok "AAAA black-holed: the A not tried before 250 ms (IPv6 first)" ||
	fail "AAAA black-holed: delivered in $took ms, under the 250 ms an IPv6 attempt gets first"
[ "$took" -lt 3000 ] && ok "AAAA black-holed: the A used at once, not after connect_timeout ($took ms)" ||
	fail "AAAA black-holed: took $took ms (connect_timeout 10)"

# 5. Three domains, one down (refused): the other two delivered, the
# third temporary; without a spool 75, with one queued.
mx_conf 'connect_timeout 2'
mx_send "three domains" a@one.test b@two.test c@down.test
expect_rc 75 "one domain of three down, no spool"
expect_err_line '^carrier: c@down\.test: no mail server of down\.test answered on port 25 \(mx\.down\.test\[127\.0\.0\.6\] refused; [0-9]+ s in all, 2 s for each address\)$' "the domain down named"
grep -E 'a@one\.test|b@two\.test' "$T/err" && fail "a delivered recipient named on stderr" || ok "only the one down named"
# one.test's and two.test's MX hosts took the message on port 25 in this
# very run: port 25 is not blocked, and carrier should not say it is.
not_blocked() {	# WHAT
	grep 'port 25 is probably blocked' "$T/err" >/dev/null &&
		fail "$1: port 25 called blocked while two other MX hosts answered on it in the same run" ||
		ok "$1: port 25 not called blocked while other MX hosts answered on it"
}
not_blocked "three domains"
mx_arrived p2 one.test a "three domains: one.test"
mx_arrived p3 two.test b "three domains: two.test"
mx_nowhere "three domains: the other two"
mx_conf 'connect_timeout 2' "spool $T/spool"
mx_send "three domains, queued" c2@down.test a2@one.test b2@two.test
expect_rc 0 "one domain of three down, with a spool"
expect_err_line '^carrier: queued as [0-9A-Za-z]+, 1 recipient to be tried again: no mail server of down\.test answered on port 25 \(mx\.down\.test\[127\.0\.0\.6\] refused; [0-9]+ s in all, 2 s for each address\)$' "the domain down queued"
not_blocked "three domains, queued"
mx_arrived p2 one.test a2 "three domains, queued: one.test"
mx_arrived p3 two.test b2 "three domains, queued: two.test"
mx_nowhere "three domains, queued: the other two"
"$CARRIER" -C "$T/conf" -bp >"$T/mailq" 2>&1
grep -q '^  *c2@down\.test$' "$T/mailq" && ! grep -qE '[ab]2@' "$T/mailq" &&
	ok "mailq: only the recipient at the domain down" || fail "mailq: $(cat "$T/mailq")"
rm -rf "$T/spool" && mkdir -m 700 "$T/spool"

# The domain down black-holed, named first, connect_timeout 4: the
# other two arrive while carrier still waits for it.
lab_tcp_drop 127.0.0.6 || exit 1
mx_conf 'connect_timeout 4'
printf '%sSubject: %s\n\nsent for: %s\n' "$HDRS" "concurrent" "concurrent" >"$T/in"
cp "$T/in" "$T/want"
t0=$EPOCHREALTIME
"$CARRIER" -C "$T/conf" -f "$sender" c3@down.test a3@one.test b3@two.test <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
if _lab_until 30 _mx_has "$T/p2" one.test a3 && _lab_until 30 _mx_has "$T/p3" two.test b3; then
	arrived=$(ms_since "$t0")
	kill -0 $pid 2>/dev/null && ok "one.test and two.test delivered in $arrived ms, carrier still trying down.test" ||
		fail "carrier was done before the others arrived ($arrived ms)"
else
	fail "one.test and two.test not delivered within 3 s of the start (connect_timeout 4 for down.test)"
fi
wait $pid
rc=$?
echo "three domains, one black-holed (connect_timeout 4): carrier took $(ms_since "$t0") ms"
expect_rc 75 "one domain of three black-holed"
mx_arrived p2 one.test a3 "concurrent: one.test"
mx_arrived p3 two.test b3 "concurrent: two.test"
mx_nowhere "concurrent: the other two"
lab_tcp_undrop

# 6. Greylisting (450 to RCPT): queued; delivered by a queue run once
# the greylisting is lifted.
mx_conf 'connect_timeout 2' "spool $T/spool" 'queue_backoff_min 1s'
mx_send "greylisted" grey@grey.test
expect_rc 0 "greylisted: queued"
expect_err_line '^carrier: queued as [0-9A-Za-z]+, 1 recipient to be tried again: mx\.grey\.test\[127\.0\.0\.7\]:25 said after RCPT TO: 450 4\.7\.1 <grey@grey\.test>: Recipient address rejected: greylisted, try again later$' "greylisted: the 450 named"
mx_nowhere "greylisted"
cp "$T/want" "$T/want.grey"
postfix_stop "$T/p7" && postfix_start "$T/p7" 25 127.0.0.7 || exit 1
"$CARRIER" -C "$T/conf" -q >"$T/out" 2>&1
rc=$?
expect_rc 0 "queue run after the greylisting"
cp "$T/want.grey" "$T/want"
mx_landed p7 grey.test grey "greylisting lifted: delivered by -q"
[ -d "$T/spool/queue" ] && [ -z "$(ls -A "$T/spool/queue")" ] && ok "the queue is empty" ||
	fail "queue/: $(ls -A "$T/spool/queue" 2>&1)"

# 7. Blocked port 25: every MX address refuses; then every SYN dropped.
# blocked_said HOW SECS WHAT: stderr says port 25 is probably blocked,
# names the hosts (HOW: refused or silent), the connect_timeout (SECS)
# and how to send through a relay.
blocked_said() {
	expect_err_line "no mail server of blocked\\.test answered on port 25 \\(mx1\\.blocked\\.test\\[127\\.0\\.0\\.8\\] $1, mx2\\.blocked\\.test\\[127\\.0\\.0\\.9\\] $1; [0-9]+ s in all, $2 s for each address\\): outbound port 25 is probably blocked by this network; send through a relay instead: \"relay host:port\" in carrier\\.conf, or -R host:port" "$3"
}
mx_conf 'connect_timeout 2'
mx_send "every MX refuses" x@blocked.test
expect_rc 75 "every MX refuses, no spool"
blocked_said refused 2 "every MX refuses: port 25 called blocked, the hosts, the relay"
tried 127.0.0.8 "every MX refuses"
tried 127.0.0.9 "every MX refuses"
# -bv -v probes port 25 of each MX address, sending nothing (tls_mx
# may: t_mx_route and t_mx_dane show what dane adds to -bv)
mx_conf 'connect_timeout 2' 'tls_mx may'
"$CARRIER" -C "$T/conf" -bv -v x@blocked.test d@drop.test </dev/null >"$T/bv" 2>"$T/err"
rc=$?
expect_rc 0 "-bv -v"
sed -E 's/connected in [0-9]+ ms/connected in N ms/' "$T/bv" >"$T/bv.got"
tls='    TLS: STARTTLS when offered; a certificate that does not verify is logged, not refused (tls_mx may)'
printf '%s\n' 'x@blocked.test... deliverable: mail exchangers of blocked.test:' \
	'    10 mx1.blocked.test' '        127.0.0.8 (port 25: Connection refused)' \
	'    20 mx2.blocked.test' '        127.0.0.9 (port 25: Connection refused)' "$tls" \
	'd@drop.test... deliverable: mail exchangers of drop.test:' \
	'    10 mx1.drop.test' '        127.0.0.5 (port 25: Connection refused)' \
	'    20 mx2.drop.test' '        127.0.0.3 (port 25 answers: connected in N ms)' "$tls" >"$T/bv.want"
expect_same "$T/bv.got" "$T/bv.want" "-bv -v: port 25 of each MX address"
lab_tcp_drop '*' 25 || exit 1
mx_conf 'connect_timeout 1' "spool $T/spool"
mx_send "every SYN dropped" y@blocked.test
echo "every SYN to port 25 dropped, connect_timeout 1, two MX hosts: $took ms"
expect_rc 0 "every SYN dropped, with a spool: queued"
expect_err_line '^carrier: queued as [0-9A-Za-z]+, 1 recipient to be tried again' "every SYN dropped: queued"
blocked_said silent 1 "every SYN dropped: port 25 called blocked, the hosts, the relay"
lab_tcp_undrop
mx_nowhere "blocked port 25"

finish
