#!/bin/bash
# t_queue_postfix: the queue against a real Postfix.  A relay that is
# down: the message is queued (exit 0, a notice naming the queue id),
# mailq shows it, -q delivers it byte for byte once the relay is up and
# the queue is empty after.  -odq queues without trying; --run-queue
# sends what is due.  A recipient greylisted until the lifetime ends,
# and one that is put off (4xx) then refused (5xx): exactly one
# delivery status notification each, read with Python's email package.
# A corrupt envelope is set aside.  Two runners on one queue: every
# message delivered exactly once.
. "$(dirname "$0")/common.sh"

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf" "sink_stop $T/sink")
# grey@ is put off, dead@ refused, every other recipient accepted
LAB_POSTFIX_MAIN_CF='smtpd_recipient_restrictions = check_recipient_access inline:{ { grey@example.org = 450 4.2.0 greylisted }, { dead@example.org = 550 5.1.1 no such user } }, permit_mynetworks, reject' \
	postfix_start "$pf" 25 || exit 1

spool=$T/spool
mkdir -p "$spool"
conf() {
	printf 'spool %s\nsyslog off\ndomain example.net\nqueue_backoff_min 1s\n%s' "$spool" "${1:-}" >"$T/conf"
}
conf
delivered=0
# arrived N WHAT: Postfix holds N messages in all now.
arrived() {
	delivered=$((delivered + $1))
	postfix_wait "$pf" "$delivered" || fail "$2: Postfix did not get $delivered messages"
}
queued_ids() { find "$spool/queue" -name '*.e' -printf '%f\n' | sed 's/\.e$//' | sort; }

# 1. The relay is down: queued, exit 0, one notice on stderr.
printf '%sSubject: later\n\nkept for later\n' "$HDRS" >"$T/in"
run_carrier -C "$T/conf" -R 127.0.0.1:26 -f s@example.net later@example.org
expect_rc 0 "relay down: queued"
expect_err_line '^carrier: queued as [0-9A-Za-z]+, 1 recipient to be tried again: .*127\.0\.0\.1.*:26.*refused' "relay down"
id=$(queued_ids)
[ "$(echo "$id" | wc -w)" = 1 ] && ok "one message in the queue" || fail "queue holds: $id"
grep -q "queued as $id," "$T/err" && ok "the notice names the queue id" || fail "notice: $(cat "$T/err")"
[ -z "$(ls -A "$spool/tmp")" ] && ok "nothing left in tmp/" || fail "tmp/: $(ls -A "$spool/tmp")"

"$CARRIER" -C "$T/conf" -bp >"$T/mailq" 2>&1
grep -q "^$id  *[0-9][0-9]* .* s@example.net$" "$T/mailq" && ok "mailq: id, size, date, sender" ||
	fail "mailq: $(cat "$T/mailq")"
grep -q '^  *(.*127\.0\.0\.1.*refused)$' "$T/mailq" && ok "mailq: the reason" || fail "mailq reason: $(cat "$T/mailq")"
grep -q '^  *later@example.org$' "$T/mailq" && ok "mailq: the recipient" || fail "mailq rcpt: $(cat "$T/mailq")"
grep -q '^-- 1 Kbytes in 1 Request.$' "$T/mailq" && ok "mailq: the total" || fail "mailq total: $(cat "$T/mailq")"

# still down: a run keeps it, with its attempts counted
"$CARRIER" -C "$T/conf" -R 127.0.0.1:26 -q >"$T/out" 2>&1
[ "$(queued_ids)" = "$id" ] && ok "-q with the relay still down keeps it" || fail "after a failed run: $(queued_ids)"
grep -q '^rcpt deferred 2 ' "$spool/queue/$id.e" && ok "two attempts recorded" ||
	fail "envelope: $(grep '^rcpt' "$spool/queue/$id.e")"

# up: -q delivers it, byte for byte, and the queue is empty
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/out" 2>&1
rc=$?
expect_rc 0 "-q with the relay up"
arrived 1 "the queued message"
printf '%sSubject: later\n\nkept for later\n' "$HDRS" >"$T/want"
postfix_msg "$pf" example.org later >"$T/got"
expect_same "$T/got" "$T/want" "the queued message arrived as it was"
[ "$(postfix_envelope_sender "$pf" example.org later)" = s@example.net ] && ok "its envelope sender" ||
	fail "envelope sender: $(postfix_envelope_sender "$pf" example.org later)"
[ -z "$(ls -A "$spool/queue")" ] && ok "the queue is empty" || fail "queue/: $(ls -A "$spool/queue")"
"$CARRIER" -C "$T/conf" -bp >"$T/mailq" 2>&1
[ "$(cat "$T/mailq")" = "Mail queue is empty" ] && ok "mailq: empty" || fail "mailq: $(cat "$T/mailq")"

# 2. -odq: queued, nothing sent; --run-queue sends it.
printf '%sSubject: odq\n\nqueued only\n' "$HDRS" >"$T/in"
run_carrier -C "$T/conf" -R 127.0.0.1:25 -odq odq@example.org
expect_rc 0 "-odq"
[ ! -s "$T/err" ] && ok "-odq says nothing" || fail "-odq stderr: $(cat "$T/err")"
sleep 0.3
[ "$(_lab_count_msgs "$pf")" = "$delivered" ] && ok "-odq sent nothing" || fail "-odq delivered"
[ "$(queued_ids | wc -l)" = 1 ] && ok "-odq: in the queue" || fail "-odq queue: $(queued_ids)"
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 --run-queue >"$T/out" 2>&1
arrived 1 "--run-queue"
[ -z "$(queued_ids)" ] && ok "--run-queue emptied the queue" || fail "queue: $(queued_ids)"

# 3. Greylisted until the lifetime ends: one DSN, a real multipart/report.
conf 'queue_lifetime 2s
'
printf '%sSubject: grey\n\ngreylisted body\n' "$HDRS" >"$T/in"
run_carrier -C "$T/conf" -R 127.0.0.1:25 -f owner@example.org grey@example.org
expect_rc 0 "greylisted: queued"
expect_err_line 'queued as .* 450 4\.2\.0 ' "greylisted"
sleep 2.2
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/out" 2>&1
arrived 1 "the DSN for the expired message"
[ -z "$(queued_ids)" ] && ok "expired: out of the queue" || fail "queue: $(queued_ids)"
f=$(_lab_msg_file "$pf" example.org owner) && ok "the DSN went to the sender" || fail "no DSN for owner@"
python3 - "$f" grey@example.org failed <<'EOF' >"$T/dsn" 2>&1
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
assert m.get_content_type() == "multipart/report", m.get_content_type()
assert m.get_param("report-type") == "delivery-status"
parts = list(m.iter_parts())
assert len(parts) == 3, len(parts)
assert parts[0].get_content_type() == "text/plain"
assert parts[1].get_content_type() == "message/delivery-status"
assert parts[2].get_content_type() in ("message/rfc822", "text/rfc822-headers")
blocks = parts[1].get_payload()
rcpt = blocks[1]
assert rcpt["Final-Recipient"].lower() == "rfc822; " + sys.argv[2], rcpt["Final-Recipient"]
assert rcpt["Action"] == sys.argv[3], rcpt["Action"]
assert rcpt["Status"].startswith("5.") or rcpt["Status"].startswith("4."), rcpt["Status"]
assert m["Auto-Submitted"].startswith("auto-replied")
print("ok", rcpt["Status"])
EOF
grep -q '^ok' "$T/dsn" && ok "DSN parses: multipart/report, 3 parts, Final-Recipient, Action failed" ||
	fail "DSN: $(cat "$T/dsn")"
sender=$(postfix_envelope_sender "$pf" example.org owner)
[ -z "$sender" ] && ok "the DSN has the null sender" || fail "DSN sender: '$sender'"

# 4. Put off (4xx) by a sink, then refused (5xx) by Postfix: one DSN.
conf
sink_start "$T/sink" 2526 -r RCPT || fail "sink did not start"
printf '%sSubject: dead\n\nto a dead address\n' "$HDRS" >"$T/in"
run_carrier -C "$T/conf" -R 127.0.0.1:2526 -f owner2@example.org dead@example.org
sink_stop "$T/sink"
expect_rc 0 "4xx: queued"
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/out" 2>&1
arrived 1 "the DSN for the refused recipient"
f=$(_lab_msg_file "$pf" example.org owner2) && ok "one DSN to owner2" || fail "no DSN for owner2@"
grep -q '550 5.1.1' "$f" && ok "the DSN gives Postfix's 550" || fail "DSN lacks the 550"
[ -z "$(queued_ids)" ] && ok "the bounced message left the queue" || fail "queue: $(queued_ids)"

# 5. A corrupt envelope: mailq says so, -q sets it aside, nothing crashes.
printf 'carrier-queue 1\nid ZZZ\n' >"$spool/queue/ZZZ.e"
printf 'data' >"$spool/queue/ZZZ.d"
"$CARRIER" -C "$T/conf" -bp >"$T/mailq" 2>&1
grep -q '^ZZZ .*unreadable' "$T/mailq" && ok "mailq shows the corrupt entry" || fail "mailq: $(cat "$T/mailq")"
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/out" 2>&1
rc=$?
expect_rc 0 "-q over a corrupt entry"
[ -f "$spool/corrupt/ZZZ.e" ] && [ -f "$spool/corrupt/ZZZ.d" ] && [ -z "$(queued_ids)" ] &&
	ok "the corrupt entry is in corrupt/" || fail "corrupt/: $(ls "$spool/corrupt") queue/: $(ls "$spool/queue")"

# 6. -bs: a message put off is queued, and the reply to "." says so.
printf 'EHLO client.example\r\nMAIL FROM:<bs@example.net>\r\nRCPT TO:<bs@example.org>\r\nDATA\r\n%sSubject: bs\r\n\r\nvia -bs\r\n.\r\nQUIT\r\n' \
	"$(printf '%s' "$HDRS" | sed 's/$/\r/')" >"$T/in"
run_carrier -C "$T/conf" -R 127.0.0.1:26 -bs
expect_rc 0 "-bs with the relay down"
id=$(queued_ids)
grep -q "^250 2.0.0 Ok: queued as $id"$'\r'"\$" "$T/out" && ok "-bs: 250 queued as $id" ||
	fail "-bs replies: $(tr -d '\r' <"$T/out")"
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/qout" 2>&1
arrived 1 "the message queued by -bs"
[ -z "$(queued_ids)" ] && ok "-bs message delivered by -q" || fail "queue: $(queued_ids)"

# 7. Two runners on one queue: each message delivered exactly once.
n=${QUEUE_RACE_N:-1000}
for i in $(seq 1 "$n"); do
	printf '%sSubject: race %d\n\nrace\n' "$HDRS" "$i" | "$CARRIER" -C "$T/conf" -odq "race$i@example.org" ||
		fail "race $i: not queued"
done
[ "$(queued_ids | wc -l)" = "$n" ] && ok "$n messages queued" || fail "queued: $(queued_ids | wc -l)"
start=${EPOCHREALTIME/./}
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/r1" 2>&1 &
p1=$!
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/r2" 2>&1 &
p2=$!
wait $p1 $p2
us=$(( ${EPOCHREALTIME/./} - start ))
echo "two runners flushed $n messages in $((us / 1000)) ms"
postfix_wait "$pf" $((delivered + n)) 120 || fail "not all $n race messages arrived"
delivered=$((delivered + n))
sleep 1
[ "$(_lab_count_msgs "$pf")" = "$delivered" ] && ok "no message twice ($delivered in all)" ||
	fail "Postfix holds $(_lab_count_msgs "$pf"), want $delivered"
[ -z "$(queued_ids)" ] && ok "the queue is empty after both runs" || fail "left: $(queued_ids | wc -l)"

# 8. -qI, -qR and -qS take only the messages they name; -odb queues and
#    sends from a detached process; delay_warning tells the sender once.
conf 'delay_warning 1s
'
for w in one two three; do
	printf '%sSubject: sel %s\n\nsel\n' "$HDRS" "$w" >"$T/in"
	run_carrier -C "$T/conf" -odq -f "s$w@example.net" "r$w@example.org"
done
[ "$(queued_ids | wc -l)" = 3 ] && ok "three queued for the selections" || fail "queue: $(queued_ids | wc -l)"
id2=$(grep -l '^sender stwo@example.net$' "$spool"/queue/*.e | xargs -n1 basename | sed 's/\.e$//')
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -qRrONE@example >"$T/out" 2>&1
arrived 1 "-qR"
[ -e "$pf/mail/example.org/rone" ] && [ "$(queued_ids | wc -l)" = 2 ] && ok "-qR took the one recipient it names (any case)" ||
	fail "-qR: $(ls "$pf/mail/example.org") queue $(queued_ids | wc -l)"
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -qI"${id2:4:12}" >"$T/out" 2>&1
arrived 1 "-qI"
[ -e "$pf/mail/example.org/rtwo" ] && [ "$(queued_ids | wc -l)" = 1 ] && ok "-qI took the message whose id it names" ||
	fail "-qI: $(ls "$pf/mail/example.org") queue $(queued_ids | wc -l)"
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -qSnobody@ >"$T/out" 2>&1
sleep 0.3
[ "$(queued_ids | wc -l)" = 1 ] && ok "-qS of a sender with no message takes none" || fail "-qS took one"
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -qSsthree@ >"$T/out" 2>&1
arrived 1 "-qS"
[ -z "$(queued_ids)" ] && ok "-qS took the sender's message" || fail "-qS: queue $(queued_ids)"
printf '%sSubject: odb\n\nin the background\n' "$HDRS" >"$T/in"
run_carrier -C "$T/conf" -R 127.0.0.1:25 -odb odb@example.org
expect_rc 0 "-odb"
arrived 1 "-odb's detached delivery"
sleep 0.3
[ -z "$(queued_ids)" ] && ok "-odb: delivered and out of the queue" || fail "-odb: queue $(queued_ids)"
printf '%sSubject: slow\n\nwaits\n' "$HDRS" >"$T/in"
run_carrier -C "$T/conf" -R 127.0.0.1:25 -f waiter@example.org grey@example.org
expect_rc 0 "greylisted, with delay_warning 1s"
sleep 1.2
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/out" 2>&1
arrived 1 "the delay warning"
f=$(_lab_msg_file "$pf" example.org waiter) && grep -q '^Action: delayed' "$f" &&
	ok "the sender is told of the delay (Action: delayed)" || fail "no delay warning for waiter@"
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/out" 2>&1
sleep 0.5
[ "$(_lab_count_msgs "$pf")" = "$delivered" ] && ok "the delay warning is sent once" || fail "a second warning"
[ "$(queued_ids | wc -l)" = 1 ] && ok "the delayed message still waits" || fail "queue: $(queued_ids | wc -l)"
rm -f "$spool"/queue/*
conf

# 9. One connection for a run: the second message follows the first on
#    it with no RSET (the server took the first and said nothing since).
for w in a b; do
	printf '%sSubject: reuse %s\n\nreuse\n' "$HDRS" "$w" | "$CARRIER" -C "$T/conf" -odq "reuse$w@example.org"
done
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q -v >"$T/out" 2>"$T/qv"
arrived 2 "two messages on one connection"
[ "$(grep -c '^-- connecting to' "$T/qv")" = 1 ] && ok "one connection for the run" ||
	fail "connections: $(grep -c '^-- connecting to' "$T/qv")"
[ "$(grep -c '^-> MAIL FROM' "$T/qv")" = 2 ] && ! grep -q '^-> RSET' "$T/qv" &&
	ok "two transactions, no RSET between them" || fail "transcript: $(grep '^->' "$T/qv" | cut -c1-40)"

# 10. A flood of failures: a run sends at most 100 reports; the rest wait,
#    done, for the next run.
for i in $(seq 1 101); do
	printf '%sSubject: flood %d\n\nflood\n' "$HDRS" "$i" |
		"$CARRIER" -C "$T/conf" -odq -f "flood$i@example.org" dead@example.org || fail "flood $i: not queued"
done
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/out" 2>&1
postfix_wait "$pf" $((delivered + 100)) 60 || fail "the first run's 100 reports did not arrive"
delivered=$((delivered + 100))
sleep 1
[ "$(_lab_count_msgs "$pf")" = "$delivered" ] && ok "the first run sent 100 reports" ||
	fail "the first run sent $(( $(_lab_count_msgs "$pf") - delivered + 100 ))"
[ "$(queued_ids | wc -l)" = 1 ] && ok "one message waits for its report" || fail "queue: $(queued_ids | wc -l)"
"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/out" 2>&1
arrived 1 "the held report"
[ -z "$(queued_ids)" ] && ok "the next run sent the held report" || fail "queue: $(queued_ids)"

finish
