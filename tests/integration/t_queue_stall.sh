#!/bin/bash
# t_queue_stall: a next hop that is down costs a queue run one try, not
# one per message.  20 messages queued with -odq, the relay a listener
# that takes the connection and never greets (greeting_timeout 2s): the
# run takes about one time-out, every message is still queued, one with
# the relay's failure and the rest "delivery temporarily suspended" (no
# attempt counted); then Postfix takes the relay's port and a run
# delivers each of the 20 exactly once.  A relay that refuses: 20
# messages cost one refused connection.  Direct delivery: a silent
# domain's messages wait after one try, another domain's are delivered
# in the same run.  Each run's time is printed.  The mail log: the
# lines of the messages held back, an envelope without its data file
# set aside, undeliverable reports removed at the end of their lifetime.
. "$(dirname "$0")/common.sh"

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf" "sink_stop $T/sink" 'stop_silent')
spool=$T/spool
mkdir -p "$spool"
printf 'spool %s\nsyslog off\ndomain example.net\ntimeout 10s\ngreeting_timeout 2s\nconnect_timeout 2s\n' \
	"$spool" >"$T/conf"
n=20

# A listener that never accepts: the kernel completes the handshake
# (the backlog), and nothing is ever said.
silent=()
start_silent() { # ADDR PORT
	python3 -c 'import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(128)
print("ready", flush=True)
time.sleep(600)' "$1" "$2" >"$T/silent.$2" 2>&1 &
	silent+=($!)
	wait_ready "$T/silent.$2" "the silent listener on $1:$2"
}
stop_silent() {
	local p
	for p in "${silent[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	silent=()
}
queued_ids() { find "$spool/queue" -name '*.e' -printf '%f\n' | sed 's/\.e$//' | sort; }
# queue_n N RCPT_PREFIX DOMAIN: N messages queued with -odq, Subject
# "stall I", to PREFIXI@DOMAIN
queue_n() {
	local i
	for i in $(seq 1 "$1"); do
		printf '%sSubject: stall %d\n\nbody %d\n' "$HDRS" "$i" "$i" |
			"$CARRIER" -C "$T/conf" -odq "$2$i@$3" || fail "message $i: not queued"
	done
}
ms=0
# timed_run WHAT ARGS...: a queue run, its stderr in $T/qv, its wall
# time in $ms
timed_run() {
	local what=$1 start
	shift
	start=${EPOCHREALTIME/./}
	"$CARRIER" -C "$T/conf" "$@" -q -v >"$T/qout" 2>"$T/qv"
	ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
	echo "$what: $ms ms"
}
# count_rcpts STATE ATTEMPTS: envelopes with a recipient line so
count_rcpts() { cat "$spool"/queue/*.e 2>/dev/null | grep -c "^rcpt $1 $2 "; }

# 1. A relay that never greets.
start_silent 127.0.0.1 2601
queue_n $n stall example.org
[ "$(queued_ids | wc -l)" = $n ] && ok "$n messages queued" || fail "queued: $(queued_ids | wc -l)"
timed_run "the run against a relay that never greets ($n messages, greeting_timeout 2s)" -R 127.0.0.1:2601
[ "$ms" -lt 6000 ] && ok "the run took $ms ms: one greeting time-out, not $n" ||
	fail "the run took $ms ms (3 time-outs are 6000)"
[ "$(queued_ids | wc -l)" = $n ] && ok "every message is still queued" ||
	fail "queued after the run: $(queued_ids | wc -l)"
[ "$(count_rcpts deferred 1)" = 1 ] && [ "$(count_rcpts deferred 0)" = $((n - 1)) ] &&
	ok "one attempt counted, $((n - 1)) messages not tried" ||
	fail "attempts: $(cat "$spool"/queue/*.e | grep '^rcpt' | cut -d' ' -f2,3 | sort | uniq -c)"
grep -q "queue run: $n messages taken, 1 tried, 0 delivered, 0 bounced, $n still queued ($((n - 1)) untried: hop down), 0 not yet due, " "$T/qv" &&
	ok "-v: $n taken, 1 tried, $n still queued" || fail "-v summary: $(grep 'queue run' "$T/qv")"
grep -qE '^-- 127\.0\.0\.1:2601 is down: for [0-9]+ s this run defers its other messages there' "$T/qv" &&
	ok "-v: the relay is down for the run" || fail "-v: no note of the relay down: $(grep '^--' "$T/qv")"
"$CARRIER" -C "$T/conf" -bp >"$T/mailq" 2>&1
[ "$(grep -c '(delivery temporarily suspended: .*127\.0\.0\.1.*:2601.*greeting' "$T/mailq")" = $((n - 1)) ] &&
	ok "mailq: $((n - 1)) messages suspended, with the relay's failure" ||
	fail "mailq: $(grep -c 'suspended' "$T/mailq") suspended: $(head -20 "$T/mailq")"
[ "$(grep -c '^ *(.*127\.0\.0\.1.*:2601.*greeting' "$T/mailq")" = $n ] &&
	ok "mailq: every message has the greeting's failure as its reason" ||
	fail "mailq reasons: $(grep '^ *(' "$T/mailq" | sort | uniq -c)"

# ... then Postfix on the relay's port: each message once.
stop_silent
postfix_start "$pf" 2601 || exit 1
timed_run "the run with Postfix as the relay ($n messages)" -R 127.0.0.1:2601
postfix_wait "$pf" $n 30 || fail "Postfix did not get $n messages"
sleep 1
[ "$(_lab_count_msgs "$pf")" = $n ] && ok "Postfix got $n messages" ||
	fail "Postfix holds $(_lab_count_msgs "$pf"), want $n"
postfix_sort "$pf"
for i in $(seq 1 $n); do
	f=$(find "$pf/mail/example.org/stall$i/new" -type f 2>/dev/null)
	[ "$(echo "$f" | grep -c .)" = 1 ] && grep -q "^Subject: stall $i$" "$f" ||
		fail "stall$i@example.org: $(echo "$f" | grep -c .) messages"
done
ok "each of the $n recipients got its one message"
[ -z "$(queued_ids)" ] && ok "the queue is empty" || fail "left: $(queued_ids | wc -l)"
postfix_stop "$pf"

# 2. A relay that refuses (the port closed): one refused connection.
queue_n $n refused example.org
timed_run "the run against a relay that refuses ($n messages)" -R 127.0.0.1:2602
[ "$ms" -lt 2000 ] && ok "the run took $ms ms for $n messages" || fail "the run took $ms ms"
[ "$(count_rcpts deferred 1)" = 1 ] && [ "$(count_rcpts deferred 0)" = $((n - 1)) ] &&
	ok "refused: one attempt counted, $((n - 1)) messages not tried" ||
	fail "attempts: $(cat "$spool"/queue/*.e | grep '^rcpt' | cut -d' ' -f2,3 | sort | uniq -c)"
grep -q "queue run: $n messages taken, 1 tried, " "$T/qv" && ok "-v: 1 tried" ||
	fail "-v summary: $(grep 'queue run' "$T/qv")"
[ "$(grep -c '^-- connecting to' "$T/qv")" = 1 ] && ok "one connection tried" ||
	fail "connections tried: $(grep -c '^-- connecting to' "$T/qv")"
rm -f "$spool"/queue/*

# 3. Direct delivery: [127.0.0.2] never greets, [127.0.0.4] is a sink.
#    The silent domain is tried once; the other's messages all go.
start_silent 127.0.0.2 25
LAB_SINK_ADDR=127.0.0.4 sink_start "$T/sink" 25 -c || fail "the sink did not start"
for i in 1 2 3 4 5; do
	queue_n 1 "dead$i-" '[127.0.0.2]'
	queue_n 1 "live$i-" '[127.0.0.4]'
done
timed_run "direct delivery, 5 messages to a silent host and 5 to a sink"
[ "$ms" -lt 6000 ] && ok "the run took $ms ms: one time-out" || fail "the run took $ms ms"
sleep 0.5
[ "$(sink_count "$T/sink")" = 5 ] && ok "the 5 messages to the live domain were delivered" ||
	fail "the sink took $(sink_count "$T/sink")"
[ "$(queued_ids | wc -l)" = 5 ] && grep -l '127\.0\.0\.2' "$spool"/queue/*.e | grep -c . | grep -qx 5 &&
	ok "the 5 to the silent domain are queued" || fail "queued: $(queued_ids | wc -l)"
[ "$(count_rcpts deferred 1)" = 1 ] && [ "$(count_rcpts deferred 0)" = 4 ] &&
	ok "the silent domain: one try, 4 suspended" ||
	fail "attempts: $(cat "$spool"/queue/*.e | grep '^rcpt' | cut -d' ' -f2,3 | sort | uniq -c)"
rm -f "$spool"/queue/*
sink_stop "$T/sink"

# 4. The mail log (a syslog daemon of the test's own): the lines of the
#    recipients held back, an envelope without its data file set aside,
#    and undeliverable reports removed at the end of their lifetime.
lab_syslog_start "$T/syslog" || exit 1
cleanup_hooks+=("lab_syslog_stop $T/syslog")
log=$T/syslog/log
# logged_run CONF_LINES: a run with the mail log on, the relay refusing
logged_run() {
	printf 'spool %s\ndomain example.net\n%s' "$spool" "${1:-}" >"$T/conf.log"
	"$T/syslog/wrap" "$CARRIER" -C "$T/conf.log" -R 127.0.0.1:2602 -q
	sleep 0.3
}
# log_has COUNT REGEX WHAT: COUNT lines of the log match REGEX (ERE)
log_has() {
	local got
	got=$(grep -cE -- "$2" "$log")
	[ "$got" = "$1" ] && ok "$3" || { fail "$3: $got lines, want $1; the log:"; cat "$log"; }
}
queue_n 3 logged example.org
logged_run
log_has 1 'relay=\[127\.0\.0\.1\]:2602, .*status=deferred \(.*refused\)$' \
	"the log: the message tried, deferred"
log_has 2 'relay=none, .*status=deferred \(delivery temporarily suspended: \[127\.0\.0\.1\]:2602: .*refused\)$' \
	"the log: two held back, relay=none, delivery temporarily suspended"
id=$(queued_ids | head -1)
rm "$spool/queue/$id.d"
logged_run
log_has 1 "$id: unreadable \(no data file\): moved to $spool/corrupt$" "the log: no data file, set aside"
[ -f "$spool/corrupt/$id.e" ] && ok "the envelope without data is in corrupt/" ||
	fail "corrupt/: $(ls "$spool/corrupt")"
# the two left expire: their reports are queued (the relay refuses),
# then expire in turn and leave, each with a line
sleep 1.1
logged_run 'queue_lifetime 1s
'
[ "$(grep -l '^flags 1$' "$spool"/queue/*.e | grep -c .)" = 2 ] && [ "$(queued_ids | wc -l)" = 2 ] &&
	ok "two reports queued, the originals gone" || fail "queue: $(queued_ids | wc -l)"
sleep 1.1
logged_run 'queue_lifetime 1s
'
log_has 2 ': the report to <root@example\.net> could not be delivered in 0 hours; removed from the queue: gave up after 0 hours' \
	"the log: the undeliverable reports removed at the end of their lifetime"
[ -z "$(queued_ids)" ] && ok "the queue is empty" || fail "left: $(queued_ids)"

finish
