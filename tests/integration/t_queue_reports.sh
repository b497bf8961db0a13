#!/bin/bash
# t_queue_reports: what the queue reports, against a real Postfix, with
# the mail log captured (a test syslog daemon on a /dev of the test's
# own, lab_syslog_start).
#  1. The mail log of a queued message: one line per recipient outcome,
#     each beginning with the queue ID the -odi notice named: deferred
#     (the send that queued it, a run that put it off again), sent (a
#     run), bounced (a 5xx found by a run, and the report's own line),
#     expired (the lifetime ran out).
#  2. A report that cannot be delivered (Postfix refuses its recipient)
#     is kept, its log line names its queue ID (status=bounced), mailq
#     marks it undeliverable, a run does not try it again (no
#     connection), it leaves at the end of its lifetime, and no report is
#     made about it.
#  3. A message from the null sender (-f '<>', -f '') that bounces: no
#     report, and out of the queue.
#  4. Back-off: --run-queue leaves a recipient alone until its next try
#     (no connection, no log line), -q tries it at once, --run-queue
#     tries it when its time has come, the wait doubles (2, 4, 8 s).
#  5. -odi with a spool: every recipient refused (5xx): exit 67, nothing
#     queued; one refused and one put off: exit 67 (carrier(8): the
#     first permanent failure) and only the one put off queued.
#  6. -q2s: detaches, delivers a message queued after it started within
#     two intervals, and SIGTERM stops it.
. "$(dirname "$0")/common.sh"

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf" "lab_syslog_stop $T/syslog")
# grey@ is put off, dead@, dead2@ and gone@ refused, the rest accepted
LAB_POSTFIX_MAIN_CF='smtpd_recipient_restrictions = check_recipient_access inline:{ { grey@example.org = 450 4.2.0 greylisted }, { dead@example.org = 550 5.1.1 no such user }, { dead2@example.org = 550 5.1.1 no such user }, { gone@example.org = 550 5.1.1 mailbox gone } }, permit_mynetworks, reject' \
	postfix_start "$pf" 25 || exit 1
lab_syslog_start "$T/syslog" || exit 1
export CARRIER_WRAP=$T/syslog/wrap
log=$T/syslog/log
lab_syn_watch 127.0.0.1 25 || exit 1

spool=$T/spool
mkdir -p "$spool"
conf() {
	printf 'spool %s\ndomain example.net\n%s' "$spool" "${1:-}" >"$T/conf"
}
conf 'queue_backoff_min 1s
'
delivered=0
# arrived N WHAT: Postfix holds N more messages now.
arrived() {
	delivered=$((delivered + $1))
	postfix_wait "$pf" "$delivered" || fail "$2: Postfix did not get $delivered messages"
}
# nothing_new WHAT: Postfix got no message since the last count.
nothing_new() {
	sleep 0.5
	[ "$(_lab_count_msgs "$pf")" = "$delivered" ] && ok "$1: Postfix got nothing" ||
		fail "$1: Postfix got $(( $(_lab_count_msgs "$pf") - delivered )) message(s)"
}
queued_ids() { find "$spool/queue" -name '*.e' -printf '%f\n' | sed 's/\.e$//' | sort; }
notice_id() { sed -n 's/^carrier: queued as \([0-9A-Za-z]*\), .*/\1/p' "$T/err"; }
syns() { lab_syn_count 127.0.0.1 25; }
# message SUBJECT MSGID: the input, a complete header with that Message-ID
message() {
	printf 'From: Test <test@example.net>\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <%s>\nSubject: %s\n\nbody of %s\n' \
		"$2" "$1" "$1" >"$T/in"
}

# log_mark: later log_new sees the lines logged from now on.
log_mark() { mark=$(wc -l <"$log"); }
# log_new N WHAT: exactly N lines were logged since log_mark (waited
# for up to 3 s, then a little more for any extra one); they are in
# $T/new.
log_new() {
	for _ in $(seq 30); do
		[ $(($(wc -l <"$log") - mark)) -ge "$1" ] && break
		sleep 0.1
	done
	sleep 0.2
	tail -n "+$((mark + 1))" "$log" >"$T/new"
	[ "$(wc -l <"$T/new")" -eq "$1" ] && ok "$2: $1 log line(s)" ||
		fail "$2: $(wc -l <"$T/new") log lines, want $1:"$'\n'"$(cat "$T/new")"
}
# new_line REGEX WHAT: one of the lines log_new found matches REGEX (ERE).
new_line() {
	if grep -qE -- "$1" "$T/new"; then ok "$2"
	else fail "$2: no log line matches /$1/; the lines:"; cat "$T/new"; fi
}
ts='[A-Z][a-z]{2} [ 1-3][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}'
pre="$ts carrier\[[0-9]+\]:"

# new_id: the queued messages that were not there at the last new_id
# (it runs in $(...): what it saw is kept in a file).
: >"$T/seen"
new_id() {
	queued_ids >"$T/seen.now"
	comm -13 "$T/seen" "$T/seen.now" | grep .
	mv "$T/seen.now" "$T/seen"
}
# envelope ID: the envelope file of queued message ID
envelope() { cat "$spool/queue/$1.e"; }
now_ms() { echo $(( ${EPOCHREALTIME/[.,]/} / 1000 )); }
# send_queued WHAT ARGS...: a send (-odi, -C $T/conf) whose one
# recipient is put off: exit 0, and the notice names the one message
# new in the queue ($id); its log line is in $T/new.
send_queued() {
	local what=$1
	shift
	log_mark
	run_carrier -C "$T/conf" -odi "$@"
	expect_rc 0 "$what: queued"
	id=$(notice_id)
	[ -n "$id" ] && [ "$(new_id)" = "$id" ] && ok "$what: the notice names the queued message" ||
		fail "$what: notice: $(cat "$T/err"); queue: $(queued_ids)"
	log_new 1 "$what: the send that queued"
}
delay='delay=[0-9]+\.[0-9]{2}'
relay='relay=\[127\.0\.0\.1\]:25'

# 1. The mail log of a queued message.
# 1a. Deferred at the send (the relay is down), deferred again by a run,
#     sent by a run: every line begins with the notice's queue ID.
message logged log.1@example.net
send_queued 1a -R 127.0.0.1:26 -f s@example.net later@example.org
expect_err_line '^carrier: queued as [0-9A-Za-z]+, 1 recipient to be tried again: \[127\.0\.0\.1\]:26: cannot connect: Connection refused$' \
	"1a: the -odi notice"
head="$pre $id: from=<s@example\.net>, to=<later@example\.org>, uid=0, msgid=<log\.1@example\.net>"
new_line "^<20>$head, relay=\[127\.0\.0\.1\]:26, $delay, size=[0-9]+, status=deferred \(cannot connect: Connection refused\)$" \
	"1a: the send: mail.warning, the queue ID, status=deferred"
size=$(sed -n 's/.*, size=\([0-9]*\), .*/\1/p' "$T/new")
log_mark
run_carrier -C "$T/conf" -R 127.0.0.1:26 -q
expect_rc 0 "1a: -q, the relay still down"
log_new 1 "1a: the run that put it off again"
new_line "^<20>$head, relay=\[127\.0\.0\.1\]:26, $delay, size=$size, status=deferred \(cannot connect: Connection refused\)$" \
	"1a: the run: status=deferred again, the same queue ID"
log_mark
run_carrier -C "$T/conf" -R 127.0.0.1:25 -q
expect_rc 0 "1a: -q, the relay up"
arrived 1 "1a: the queued message"
log_new 1 "1a: the run that sent it"
qid=$(sed -nE 's/.*postfix\/cleanup\[[0-9]+\]: ([0-9A-F]+): message-id=<log\.1@example\.net>$/\1/p' "$pf/maillog")
[ -n "$qid" ] || fail "1a: no queue ID in Postfix's log"
new_line "^<22>$head, $relay, $delay, size=$size, dsn=2\.0\.0, status=sent \(250 2\.0\.0 Ok: [0-9]+ bytes queued as $qid\)$" \
	"1a: the run: mail.info, status=sent, Postfix's queue ID"
# the size sent: the input with CRLF, and the Received field carrier adds
f=$(_lab_msg_file "$pf" example.org later)
want=$(( $(wc -c <"$T/in") + $(wc -l <"$T/in") + $(grep -m1 '(carrier, uid ' "$f" | wc -c) + 1 ))
[ "$size" = "$want" ] && ok "1a: size= is the size sent ($size)" || fail "1a: size=$size, want $want"
[ -z "$(queued_ids)" ] && ok "1a: the queue is empty" || fail "1a: queue: $(queued_ids)"

# 1b. A 5xx found by a run: status=bounced, then the report's own line
#     (from the null sender, sent at once).
message bounced log.2@example.net
send_queued 1b -R 127.0.0.1:26 -f owner@example.org dead@example.org
new_line "^<20>$pre $id: from=<owner@example\.org>, to=<dead@example\.org>, .* status=deferred \(cannot connect: " \
	"1b: the send: status=deferred"
log_mark
run_carrier -C "$T/conf" -R 127.0.0.1:25 -q
expect_rc 0 "1b: -q"
arrived 1 "1b: the report"
log_new 2 "1b: the run that found the 5xx"
new_line "^<19>$pre $id: from=<owner@example\.org>, to=<dead@example\.org>, uid=0, msgid=<log\.2@example\.net>, $relay, $delay, size=[0-9]+, dsn=5\.1\.1, status=bounced \(550 5\.1\.1 <dead@example\.org>: Recipient address rejected: no such user, in reply to RCPT TO\)$" \
	"1b: mail.err, the queue ID, status=bounced with the reply"
new_line "^<22>$pre from=<>, to=<owner@example\.org>, uid=0, msgid=<[^>]+@example\.net>, $relay, $delay, size=[0-9]+, dsn=2\.0\.0, status=sent \(250 2\.0\.0 Ok: " \
	"1b: the report's line: from=<>, to the sender, sent"
f=$(_lab_msg_file "$pf" example.org owner)
grep -qx "X-Carrier-Queue-ID: $id" "$f" && grep -qx 'Final-Recipient: rfc822; dead@example.org' "$f" &&
	grep -qx 'Status: 5.1.1' "$f" && ok "1b: the report names the queue ID and the recipient" ||
	fail "1b: the report: $(grep -E '^(X-Carrier|Final-Rec|Status)' "$f")"
mid=$(sed -n 's/^Message-ID: //p' "$f")
grep -qF "msgid=$mid," "$T/new" && ok "1b: the report's line has its Message-ID" || fail "1b: Message-ID $mid not logged"
[ -z "$(queued_ids)" ] && ok "1b: the queue is empty" || fail "1b: queue: $(queued_ids)"

# 1c. Put off (450) until the lifetime ran out: status=expired.
conf 'queue_backoff_min 1s
queue_lifetime 2s
'
message expired log.3@example.net
send_queued 1c -R 127.0.0.1:25 -f owner3@example.org grey@example.org
head="$pre $id: from=<owner3@example\.org>, to=<grey@example\.org>, uid=0, msgid=<log\.3@example\.net>, $relay, $delay, size=[0-9]+"
reply='450 4\.2\.0 <grey@example\.org>: Recipient address rejected: greylisted'
new_line "^<20>$head, dsn=4\.2\.0, status=deferred \($reply, in reply to RCPT TO\)$" \
	"1c: the send: status=deferred with the 450"
arrival=$(envelope "$id" | sed -n 's/^arrival //p')
while [ "$(date +%s)" -lt $((arrival + 2)) ]; do sleep 0.1; done
log_mark
run_carrier -C "$T/conf" -R 127.0.0.1:25 -q
expect_rc 0 "1c: -q after the lifetime"
arrived 1 "1c: the report"
log_new 2 "1c: the run that gave up"
new_line "^<19>$head, dsn=4\.4\.7, status=expired \(gave up after 0 hours in the queue; the last try: \[127\.0\.0\.1\]:25 said after RCPT TO: $reply\)$" \
	"1c: mail.err, the queue ID, status=expired, the last reply"
new_line "^<22>$pre from=<>, to=<owner3@example\.org>, .* status=sent \(250 " "1c: the report's line"
[ -z "$(queued_ids)" ] && ok "1c: the queue is empty" || fail "1c: queue: $(queued_ids)"

# 2. A report that cannot be delivered: Postfix refuses the sender's
#    address (gone@).  The report is kept, mailq marks it undeliverable,
#    runs leave it alone (no connection), it leaves the queue when its
#    lifetime ends, and no report is ever made about it.
conf 'queue_backoff_min 1s
queue_lifetime 3s
'
message unreported rep.1@example.net
run_carrier -C "$T/conf" -odq -f gone@example.org dead@example.org
expect_rc 0 "2: -odq"
orig=$(new_id) && ok "2: queued" || fail "2: nothing queued"
log_mark
run_carrier -C "$T/conf" -R 127.0.0.1:25 -q -v
expect_rc 0 "2: -q"
expect_err_line '^carrier: queue run: 1 messages taken, 1 tried, 0 delivered, 1 bounced, ' "2: -q: the original bounced"
nothing_new "2: the report refused"
rid=$(new_id)
[ -n "$rid" ] && [ "$(queued_ids)" = "$rid" ] && ok "2: the original left the queue, the report stays" ||
	fail "2: queue: $(queued_ids) (the original was $orig)"
envelope "$rid" >"$T/env"
grep -qx 'flags 1' "$T/env" && grep -qx 'sender \.' "$T/env" && grep -qx 'end 1' "$T/env" &&
	grep -q '^rcpt bounced 0 0 0 gone@example\.org \. perm rcpt 550 5\.1\.1 ' "$T/env" &&
	ok "2: kept as a report (flags 1), from the null sender, its recipient bounced" ||
	fail "2: the report's envelope: $(cat "$T/env")"
log_new 2 "2: the run"
new_line "^<19>$pre $orig: from=<gone@example\.org>, to=<dead@example\.org>, .* dsn=5\.1\.1, status=bounced \(550 " \
	"2: the original: status=bounced"
rmid=$(sed -n 's/^msgid //p' "$T/env" | sed 's/\./\\./g')
rline="from=<>, to=<gone@example\.org>, uid=0, msgid=$rmid, $relay, $delay, size=[0-9]+, dsn=5\.1\.1, status=%s \(550 5\.1\.1 <gone@example\.org>: Recipient address rejected: mailbox gone, in reply to RCPT TO\)$"
# shellcheck disable=SC2059 # the format is $rline
if grep -qE "^<19>$pre $(printf "$rline" failed)" "$T/new"; then
	# DEFECT: lib/queue.c submit_report() delivers the report with
	# log_later (carrier_deliver -> carrier_log_settled logs the 5xx at
	# once, without a queue ID), then carrier_queue_add() keeps it: the
	# ID that mailq shows is in no log line.
	fail "2: DEFECT: the kept report's line has no queue ID (status=failed, not '$rid: ... status=bounced'): the report mailq lists as $rid is in no log line"
else
	new_line "^<19>$pre $rid: $(printf "$rline" bounced)" "2: the report's line: its queue ID, status=bounced"
fi

"$CARRIER" -C "$T/conf" -bp >"$T/mailq" 2>&1
grep -qE "^$rid +[0-9]+ [A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3][0-9] [0-9:]{8}  MAILER-DAEMON$" "$T/mailq" &&
	ok "2: mailq: the report, from MAILER-DAEMON" || fail "2: mailq: $(cat "$T/mailq")"
grep -qxE ' {52}\(undeliverable: \[127\.0\.0\.1\]:25 said after RCPT TO: 550 5\.1\.1 <gone@example\.org>: Recipient address rejected: mailbox gone\)' "$T/mailq" &&
	grep -qxE ' {52}gone@example\.org' "$T/mailq" && grep -qx -- '-- 2 Kbytes in 1 Request.' "$T/mailq" &&
	ok "2: mailq: its recipient marked undeliverable, with the reply" || fail "2: mailq: $(cat "$T/mailq")"

# a run leaves it alone: no connection, no line, still queued
log_mark
s0=$(syns)
run_carrier -C "$T/conf" -R 127.0.0.1:25 -q -v
expect_rc 0 "2: -q again"
expect_err_line '^carrier: queue run: 1 messages taken, 0 tried, 0 delivered, 0 bounced, ' "2: -q again: nothing tried"
[ "$(syns)" = "$s0" ] && ok "2: -q again: no connection" || fail "2: -q again: $(( $(syns) - s0 )) connection(s)"
[ "$(queued_ids)" = "$rid" ] && ok "2: the report is still queued" || fail "2: queue: $(queued_ids)"
log_new 0 "2: -q again"

# its lifetime over: out of the queue, not tried, nothing about it
arrival=$(sed -n 's/^arrival //p' "$T/env")
while [ "$(date +%s)" -lt $((arrival + 3)) ]; do sleep 0.1; done
log_mark
s0=$(syns)
run_carrier -C "$T/conf" -R 127.0.0.1:25 -q -v
expect_rc 0 "2: -q after the report's lifetime"
[ "$(syns)" = "$s0" ] && ok "2: the expired report: no connection" || fail "2: the expired report: $(( $(syns) - s0 )) connection(s)"
[ -z "$(queued_ids)" ] && [ -z "$(ls -A "$spool/queue")" ] && ok "2: the expired report left the queue" ||
	fail "2: queue/: $(ls -A "$spool/queue")"
nothing_new "2: no report about the report"
sleep 0.2
! tail -n "+$((mark + 1))" "$log" | grep -q 'status=sent' && ok "2: no report sent about the report" ||
	fail "2: a report about the report: $(tail -n "+$((mark + 1))" "$log")"

# 3. The null sender (-f '<>', and -f ''): a message that bounces in a
#    run gets no report, and leaves the queue; its line has from=<>.
conf 'queue_backoff_min 1s
'
message null1 null.1@example.net
run_carrier -C "$T/conf" -odq -f '<>' dead@example.org
expect_rc 0 "3: -f '<>' -odq"
id1=$(new_id)
message null2 null.2@example.net
run_carrier -C "$T/conf" -odq -f '' dead@example.org
expect_rc 0 "3: -f '' -odq"
id2=$(new_id)
[ -n "$id1" ] && [ -n "$id2" ] && grep -qx 'sender \.' "$spool/queue/$id1.e" && grep -qx 'sender \.' "$spool/queue/$id2.e" &&
	ok "3: both queued, from the null sender" || fail "3: queue: $(grep -H '^sender' "$spool"/queue/*.e)"
log_mark
run_carrier -C "$T/conf" -R 127.0.0.1:25 -q -v
expect_rc 0 "3: -q"
expect_err_line '^carrier: queue run: 2 messages taken, 2 tried, 0 delivered, 2 bounced, 0 still queued \(0 untried: hop down\), 0 not yet due, 0 busy, 0 set aside$' \
	"3: -q: two bounced"
nothing_new "3: no report to the null sender"
[ -z "$(ls -A "$spool/queue")" ] && ok "3: both left the queue" || fail "3: queue/: $(ls -A "$spool/queue")"
log_new 2 "3: one line each, none for a report"
for n in 1 2; do
	i=$id1
	[ $n = 2 ] && i=$id2
	new_line "^<19>$pre $i: from=<>, to=<dead@example\.org>, uid=0, msgid=<null\.$n@example\.net>, $relay, $delay, size=[0-9]+, dsn=5\.1\.1, status=bounced \(550 5\.1\.1 <dead@example\.org>: Recipient address rejected: no such user, in reply to RCPT TO\)$" \
		"3: null.$n: from=<>, status=bounced"
done

# 4. Back-off: a recipient put off by a run waits queue_backoff_min (2 s)
#    and then twice as long; --run-queue leaves it alone until then (no
#    connection, no log line), -q tries it at once, and --run-queue
#    tries it once its time has come.
conf 'queue_backoff_min 2s
'
message backoff back.1@example.net
run_carrier -C "$T/conf" -odq -f b@example.org grey@example.org
expect_rc 0 "4: -odq"
id=$(new_id)
# run WHAT TRIED ARGS...: a queue run with -v; TRIED (0 or 1) messages
# tried, as many connections to Postfix and deferred log lines; the
# recipient's next try is then in $next, recorded the run's time
# before ($t0) and after ($t1).
run() {
	local what=$1 tried=$2 s0
	shift 2
	log_mark
	s0=$(syns)
	t0=$(date +%s)
	run_carrier -C "$T/conf" -R 127.0.0.1:25 -v "$@"
	t1=$(date +%s)
	expect_rc 0 "4: $what"
	expect_err_line "^carrier: queue run: 1 messages taken, $tried tried, 0 delivered, 0 bounced, $tried still queued \(0 untried: hop down\), $((1 - tried)) not yet due, 0 busy, " \
		"4: $what: $tried tried"
	[ $(($(syns) - s0)) = "$tried" ] && ok "4: $what: $tried connection(s)" ||
		fail "4: $what: $(($(syns) - s0)) connection(s), want $tried"
	log_new "$tried" "4: $what"
	[ "$tried" != 0 ] || [ "$t1" -lt "$next" ] ||
		fail "4: $what: the run ended at $t1, not before the next try ($next): too slow a machine for this test"
	[ "$tried" = 0 ] || new_line "^<20>$pre $id: from=<b@example\.org>, to=<grey@example\.org>, .* status=deferred \(450 " \
		"4: $what: status=deferred"
	next=$(grep '^rcpt ' "$spool/queue/$id.e" | cut -d' ' -f4)
	attempts=$(grep '^rcpt ' "$spool/queue/$id.e" | cut -d' ' -f3)
}
# next_in N WHAT: the recipient's next try is N s after the run
next_in() {
	[ "$next" -ge $((t0 + $1)) ] && [ "$next" -le $((t1 + $1)) ] &&
		ok "4: $2: next try in $1 s (attempt $attempts)" ||
		fail "4: $2: next try at $next, want $1 s after the run ($t0..$t1); attempts $attempts"
}
run "--run-queue, the message new" 1 --run-queue
next_in 2 "put off once"
[ "$attempts" = 1 ] || fail "4: attempts $attempts after the first try"
run "--run-queue again at once" 0 --run-queue
run "-q at once" 1 -q
next_in 4 "put off twice: the wait doubled"
[ "$attempts" = 2 ] || fail "4: attempts $attempts after the second try"
run "--run-queue before the next try" 0 --run-queue
while [ "$(date +%s)" -lt "$next" ]; do sleep 0.1; done
run "--run-queue at the next try" 1 --run-queue
next_in 8 "put off three times"
rm -f "$spool/queue/$id".*
new_id >/dev/null

# 5. -odi with a spool: a 5xx to RCPT for every recipient: exit 67
#    (EX_NOUSER), one line each on stderr, nothing queued.
conf 'queue_backoff_min 1s
'
message refused odi.1@example.net
log_mark
run_carrier -C "$T/conf" -odi -R 127.0.0.1:25 -f p@example.org dead@example.org dead2@example.org
expect_rc 67 "5: every recipient refused"
for r in dead dead2; do
	echo "carrier: $r@example.org: [127.0.0.1]:25 said after RCPT TO: 550 5.1.1 <$r@example.org>: Recipient address rejected: no such user"
done >"$T/want"
expect_same "$T/err" "$T/want" "5: stderr: one line per refused recipient"
[ -z "$(ls -A "$spool/queue")" ] && [ -z "$(ls -A "$spool/tmp")" ] && ok "5: nothing queued, nothing left in tmp/" ||
	fail "5: queue/: $(ls -A "$spool/queue") tmp/: $(ls -A "$spool/tmp")"
nothing_new "5: every recipient refused"
log_new 2 "5: every recipient refused"
for r in dead dead2; do
	new_line "^<19>$pre from=<p@example\.org>, to=<$r@example\.org>, uid=0, msgid=<odi\.1@example\.net>, $relay, $delay, size=[0-9]+, dsn=5\.1\.1, status=failed \(550 5\.1\.1 <$r@example\.org>: Recipient address rejected: no such user, in reply to RCPT TO\)$" \
		"5: $r@: no queue ID, status=failed"
done

# One refused (550), one put off (450): carrier(8) EXIT STATUS says the
# status of the first permanent failure, 67; THE QUEUE, that a 5xx is
# never queued: only grey@ is.
message mixed odi.2@example.net
log_mark
run_carrier -C "$T/conf" -odi -R 127.0.0.1:25 -f p@example.org dead@example.org grey@example.org
expect_rc 67 "5: one refused, one put off"
id=$(notice_id)
{
	echo "carrier: queued as $id, 1 recipient to be tried again: [127.0.0.1]:25 said after RCPT TO: 450 4.2.0 <grey@example.org>: Recipient address rejected: greylisted"
	echo "carrier: dead@example.org: [127.0.0.1]:25 said after RCPT TO: 550 5.1.1 <dead@example.org>: Recipient address rejected: no such user"
} >"$T/want"
expect_same "$T/err" "$T/want" "5: stderr: the notice, and the refused recipient"
[ -n "$id" ] && [ "$(new_id)" = "$id" ] && ok "5: the notice names the one queued message" ||
	fail "5: queue: $(queued_ids)"
grep '^rcpt \|^end ' "$spool/queue/$id.e" >"$T/rcpts"
[ "$(wc -l <"$T/rcpts")" = 2 ] && grep -q '^rcpt deferred 1 [0-9]* 0 grey@example\.org \. temp rcpt 450 4\.2\.0 ' "$T/rcpts" &&
	grep -qx 'end 1' "$T/rcpts" && ok "5: only the recipient put off is queued" || fail "5: envelope: $(cat "$T/rcpts")"
"$CARRIER" -C "$T/conf" -bp >"$T/mailq" 2>&1
grep -qxE ' {52}grey@example\.org' "$T/mailq" && ! grep -q 'dead@' "$T/mailq" &&
	ok "5: mailq: grey@ waits, dead@ is not there" || fail "5: mailq: $(cat "$T/mailq")"
log_new 2 "5: one refused, one put off"
new_line "^<19>$pre from=<p@example\.org>, to=<dead@example\.org>, uid=0, msgid=<odi\.2@example\.net>, .* status=failed \(550 " \
	"5: the refused one: no queue ID, status=failed"
new_line "^<20>$pre $id: from=<p@example\.org>, to=<grey@example\.org>, uid=0, msgid=<odi\.2@example\.net>, $relay, $delay, size=[0-9]+, dsn=4\.2\.0, status=deferred \(450 " \
	"5: the one put off: the queue ID, status=deferred"
rm -f "$spool/queue/$id".*
new_id >/dev/null

# 6. -q2s: the parent returns at once, a detached runner (its own
#    session, standard descriptors on /dev/null) delivers a message
#    queued after it started within two intervals, and SIGTERM ends it.
run_carrier -C "$T/conf" -q0s
expect_rc 64 "6: -q0s"
expect_err_line '^carrier: -q0s: expected -q, -qI, -qR, -qS or an interval such as -q30m$' "6: -q0s is refused"
cp "$T/conf" "$T/daemon.conf"
# daemon_pids: the carrier processes that run with $T/daemon.conf
daemon_pids() {
	local p exe
	exe=$(readlink -f "$CARRIER")
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$exe" ] &&
			tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qxF -- "$T/daemon.conf" &&
			echo "${p#/proc/}"
	done
}
dpid=
# shellcheck disable=SC2016 # expanded when the hook runs
cleanup_hooks+=('[ -z "$dpid" ] || kill "$dpid" 2>/dev/null')
t0=$(now_ms)
# (a runner that does not detach is stopped after 5 s: exit 124)
CARRIER_WRAP="timeout 5 $CARRIER_WRAP" run_carrier -C "$T/daemon.conf" -R 127.0.0.1:25 -q2s
ms=$(($(now_ms) - t0))
expect_rc 0 "6: -q2s"
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] && ok "6: -q2s says nothing" || fail "6: -q2s: $(cat "$T/out" "$T/err")"
[ "$ms" -lt 1000 ] && ok "6: -q2s returned at once ($ms ms)" || fail "6: -q2s took $ms ms to return"
for _ in $(seq 20); do
	dpid=$(daemon_pids)
	[ -n "$dpid" ] && break
	sleep 0.1
done
if [ "$(echo "$dpid" | wc -w)" = 1 ]; then
	ok "6: one runner left running"
	[ "$(ps -o sid= -p "$dpid" | tr -d ' ')" = "$dpid" ] && [ "$(ps -o ppid= -p "$dpid" | tr -d ' ')" = 1 ] &&
		ok "6: detached: a session of its own, its parent gone" ||
		fail "6: runner $dpid: $(ps -o pid,ppid,sid,args -p "$dpid")"
	[ "$(readlink "/proc/$dpid/fd/0")|$(readlink "/proc/$dpid/fd/1")|$(readlink "/proc/$dpid/fd/2")" = '/dev/null|/dev/null|/dev/null' ] &&
		ok "6: its standard descriptors are /dev/null" ||
		fail "6: its descriptors: $(ls -l "/proc/$dpid/fd/")"
else
	fail "6: runners: '$dpid'"
	dpid=
fi
message daemon daemon.1@example.net
run_carrier -C "$T/daemon.conf" -odq -f d@example.org daemon@example.org
expect_rc 0 "6: -odq while the runner runs"
id=$(new_id)
log_mark
t0=$(now_ms)
arrived 1 "6: the runner's delivery"
ms=$(($(now_ms) - t0))
[ "$ms" -lt 4500 ] && ok "6: delivered within two intervals ($ms ms)" || fail "6: delivered after $ms ms"
postfix_msg "$pf" example.org daemon >"$T/got"
expect_same "$T/got" "$T/in" "6: the message arrived as it was"
log_new 1 "6: the runner's run"
new_line "^<22>$ts carrier\[$dpid\]: $id: from=<d@example\.org>, to=<daemon@example\.org>, uid=0, msgid=<daemon\.1@example\.net>, $relay, $delay, size=[0-9]+, dsn=2\.0\.0, status=sent \(250 " \
	"6: the runner logged it, with the queue ID, status=sent"
[ -z "$(queued_ids)" ] && ok "6: the queue is empty" || fail "6: queue: $(queued_ids)"
if [ -n "$dpid" ]; then
	kill -TERM "$dpid"
	_lab_until 30 _lab_dead "$dpid" && ok "6: SIGTERM stopped the runner" || fail "6: the runner is still there after SIGTERM"
	[ -z "$(daemon_pids)" ] && ok "6: no runner left" || fail "6: runners left: $(daemon_pids)"
fi

finish
