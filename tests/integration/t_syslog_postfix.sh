#!/bin/bash
# t_syslog_postfix: the mail log.  carrier runs with its own /dev (a
# private mount namespace) whose /dev/log is a test syslog daemon
# (syslog_listen.py); a real Postfix takes one recipient and refuses
# another.  Each recipient gets one line with the RFC 3164 frame,
# facility and severity, tag, sender, uid, Message-ID, relay, size,
# DSN code and the server's reply (Postfix's queue ID for the accepted
# one).  -L and "syslog" choose the tag and facility; "syslog off", no
# daemon and a daemon that stops reading never hold a mail up.
. "$(dirname "$0")/common.sh"
hermetic_conf

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
LAB_POSTFIX_MAIN_CF='smtpd_recipient_restrictions = check_recipient_access inline:{{bad@example.org = 550 5.1.1 no such user here}}, permit_mynetworks, reject' \
	postfix_start "$pf" 25 || exit 1

# A /dev with the devices carrier may open, and the daemon's socket.
dev=$T/dev
mkdir -p "$dev"
for d in null zero full random urandom; do
	: >"$dev/$d"
	mount --bind "/dev/$d" "$dev/$d" || { fail "bind /dev/$d"; finish; }
	cleanup_hooks+=("umount $dev/$d")
done
ln -s /proc/self/fd "$dev/fd"
cat >"$T/wrap" <<'WRAP'
#!/bin/sh
# runs "$@" with $FAKE_DEV as /dev
exec unshare -m --propagation private sh -c 'mount --rbind "$0" /dev && exec "$@"' "$FAKE_DEV" "$@"
WRAP
chmod +x "$T/wrap"
export FAKE_DEV=$dev CARRIER_WRAP=$T/wrap
listener=
cleanup_hooks+=('[ -n "$listener" ] && kill "$listener" 2>/dev/null')

listen() {	# [--stall]: a daemon on $dev/log writing to $T/log
	stop_listen
	rm -f "$T/log" "$T/log.ready"
	python3 "$top/tests/integration/syslog_listen.py" "$dev/log" "$T/log" "$@" &
	listener=$!
	for _ in $(seq 100); do [ -e "$T/log.ready" ] && return 0; sleep 0.05; done
	fail "the syslog listener did not start"
}
stop_listen() {
	[ -n "$listener" ] || return 0
	kill "$listener" 2>/dev/null
	wait "$listener" 2>/dev/null
	listener=
	rm -f "$dev/log"
}
log_line() {	# REGEX WHAT: $T/log has a line matching REGEX (ERE)
	if grep -qE -- "$1" "$T/log"; then ok "$2"
	else fail "$2: no log line matches /$1/; log:"; cat "$T/log"; fi
}

printf '%sSubject: logged\n\nlog me\n' "$HDRS" >"$T/in"
size=$(( $(wc -c <"$T/in") + $(wc -l <"$T/in") ))	# CRLF on the wire

# 1. One line per recipient, as sent and as refused.
listen
run_carrier -R 127.0.0.1 -f sender@example.net good@example.org bad@example.org
expect_rc 67 "one of two refused"
postfix_wait "$pf" 1 || fail "good@example.org got nothing"
sleep 0.2
stop_listen
[ "$(wc -l <"$T/log")" -eq 2 ] && ok "two log lines" || fail "log: $(cat "$T/log")"
# the size sent: the input with CRLF, and the Received field carrier adds
rl=$(grep -m1 '(carrier, uid ' "$(_lab_msg_file "$pf" example.org good)" | wc -c)
size=$((size + rl + 1))
qid=$(grep -oE 'postfix/cleanup\[[0-9]+\]: [0-9A-F]+: message-id=<test.1@example.net>' "$pf/maillog" | tail -1 | awk '{print $2}')
qid=${qid%:}
[ -n "$qid" ] || fail "no queue ID in Postfix's log"
ts='[A-Z][a-z]{2} [ 1-3][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}'
log_line "^<22>$ts carrier\[[0-9]+\]: from=<sender@example.net>, to=<good@example.org>, uid=0, msgid=<test.1@example.net>, relay=\[127.0.0.1\]:25, delay=[0-9]+\.[0-9]{2}, size=$size, dsn=2\.0\.0, status=sent \(250 2\.0\.0 Ok: [0-9]+ bytes queued as $qid\)$" \
	"the accepted recipient: mail.info, Postfix's queue ID"
log_line "^<19>$ts carrier\[[0-9]+\]: from=<sender@example.net>, to=<bad@example.org>, uid=0, msgid=<test.1@example.net>, relay=\[127.0.0.1\]:25, delay=[0-9.]+, size=$size, dsn=5\.1\.1, status=failed \(550 5\.1\.1 <bad@example.org>: Recipient address rejected: no such user here, in reply to RCPT TO\)$" \
	"the refused recipient: mail.err, the reply"

# 2. -L sets the tag; one syslog cannot take keeps "carrier".
listen
run_carrier -L cron-mail -R 127.0.0.1 good@example.org
expect_rc 0 "-L cron-mail"
run_carrier -L 'bad tag:' -R 127.0.0.1 good@example.org
expect_rc 0 "-L with a blank and a colon still sends"
sleep 0.2
stop_listen
log_line '^<22>.{15} cron-mail\[[0-9]+\]: from=<root@' "-L cron-mail is the tag"
log_line '^<22>.{15} carrier\[[0-9]+\]: from=<root@' "a bad -L tag falls back to carrier"

# 3. The facility from carrier.conf; "off" logs nothing.
listen
printf 'relay 127.0.0.1\nsyslog local3\n' >"$T/conf"
run_carrier -C "$T/conf" good@example.org
expect_rc 0 "syslog local3"
printf 'relay 127.0.0.1\nsyslog off\n' >"$T/conf"
run_carrier -C "$T/conf" good@example.org
expect_rc 0 "syslog off"
sleep 0.2
stop_listen
log_line '^<158>.* status=sent ' "local3.info is <158>"
[ "$(wc -l <"$T/log")" -eq 1 ] && ok "syslog off: no line" || fail "log: $(cat "$T/log")"
printf 'relay 127.0.0.1\nsyslog kern\n' >"$T/conf"
run_carrier -C "$T/conf" good@example.org
expect_rc 78 "syslog kern is a configuration error"
expect_err_line 'conf:2: invalid syslog "kern"' "the error names the line"

# 3b. A configuration error is logged, as the administrator must act
#     (the caller gets 78): at mail.err, status=config-error, with the
#     facility's default when the file itself is bad, and when it is the
#     system's, read to check a user's -C.
listen
printf 'relay 127.0.0.1\nrely 127.0.0.1\n' >"$T/conf"
run_carrier -C "$T/conf" good@example.org
expect_rc 78 "an unknown key"
printf 'domain example.org\nrelay 127.0.0.1\nauth_user u\nauth_password_file %s/none\n' "$T" >"$T/conf"
run_carrier -C "$T/conf" good@example.org
expect_rc 78 "an AUTH password file that is not there"
# a bad system config, met when a user's -C is checked against it
etc_carrier_conf 'rely 127.0.0.1
' || fail "cannot make /etc/carrier.conf"
CARRIER_WRAP="$T/wrap setpriv --reuid 54321 --regid 54321 --clear-groups" run_carrier -C "$T/conf" good@example.org
expect_rc 78 "a bad /etc/carrier.conf, -C by a user"
expect_err_line '^carrier: /etc/carrier\.conf:1: unknown key "rely"$' "a bad /etc/carrier.conf, -C by a user"
hermetic_conf
sleep 0.2
stop_listen
log_line "^<19>.{15} carrier\[[0-9]+\]: uid=0, status=config-error \($T/conf:2: .*rely.*\)$" \
	"a bad config file: mail.err, config-error"
log_line '^<19>.{15} carrier\[[0-9]+\]: from=<root@example.org>, to=<good@example.org>, .*status=config-error \(.*/none' \
	"no password file: mail.err, config-error"
log_line '^<19>.{15} carrier\[[0-9]+\]: uid=54321, status=config-error \(/etc/carrier\.conf:1: unknown key "rely"\)$' \
	"a bad /etc/carrier.conf met by a user's -C: mail.err, config-error"
[ "$(wc -l <"$T/log")" -eq 3 ] && ok "config errors: one line each" || fail "log: $(cat "$T/log")"

# 4. A temporary failure (nobody on the port) and a refused message.
listen
port=$(lab_free_port)
run_carrier -R "127.0.0.1:$port" good@example.org
expect_rc 75 "relay port closed"
: >"$T/in.empty"
cp "$T/in" "$T/in.keep"
printf 'Subject: nobody\n\nno To\n' >"$T/in"
run_carrier -t -R 127.0.0.1
expect_rc 64 "-t without recipients"
cp "$T/in.keep" "$T/in"
sleep 0.2
stop_listen
log_line "^<20>.* to=<good@example.org>, uid=0, msgid=<test.1@example.net>, relay=.*:$port, delay=[0-9.]+, size=$size, status=tempfail \(.*[Cc]onnection refused.*\)$" \
	"connection refused: mail.warning, tempfail"
log_line '^<19>.* carrier\[[0-9]+\]: from=<root@[^>]*>, uid=0, status=refused \(.*recipient.*\)$' \
	"a message refused at intake"
[ "$(wc -l <"$T/log")" -eq 2 ] && ok "one line each" || fail "log: $(cat "$T/log")"

# 5. sendmail -bs logs what it delivers, with -L.
listen
long=$(printf 'x%.0s' $(seq 1200))
printf 'EHLO client.example\r\nMAIL FROM:<bs@example.net>\r\nRCPT TO:<good@example.org>\r\nRCPT TO:<bad@example.org>\r\nDATA\r\n%s\r\n.\r\nMAIL FROM:<bs2@example.net>\r\nRCPT TO:<good@example.org>\r\nDATA\r\nX-Long: %s\r\n\r\nunfoldable\r\n.\r\nQUIT\r\n' \
	"$(printf '%sSubject: bs\n\nvia -bs' "$HDRS" | sed 's/$/\r/')" "$long" >"$T/in"
run_carrier -bs -L bs-tag -R 127.0.0.1
expect_rc 0 "-bs session"
cp "$T/in.keep" "$T/in"
sleep 0.2
stop_listen
log_line '^<22>.{15} bs-tag\[[0-9]+\]: from=<bs@example.net>, to=<good@example.org>, .* status=sent \(250 ' "-bs: the accepted recipient"
log_line '^<19>.{15} bs-tag\[[0-9]+\]: from=<bs@example.net>, to=<bad@example.org>, .* status=failed \(550 5\.1\.1 ' "-bs: the refused one"
log_line '^<19>.{15} bs-tag\[[0-9]+\]: from=<bs2@example.net>, uid=0, status=refused \(a header line is longer than 998 octets' "-bs: a message refused before delivery"
[ "$(wc -l <"$T/log")" -eq 3 ] && ok "-bs: three lines" || fail "-bs log: $(cat "$T/log")"

# 6. No daemon: no line, no error, the mail goes.
rm -f "$dev/log"
run_carrier -R 127.0.0.1 good@example.org
expect_rc 0 "no syslog daemon"
[ -s "$T/err" ] && fail "stderr without a daemon: $(cat "$T/err")"

# 7. A daemon that stops reading, or reads slowly, holds carrier up a
#    second in all, no more; the mail goes and the lines that fit are
#    kept.
sink=$T/sink
sport=$(lab_free_port)
cleanup_hooks+=("sink_stop $sink")
sink_start "$sink" "$sport" || exit 1
for i in $(seq 3000); do echo "r$i@example.org"; done >"$T/rcpts"
for how in --stall "--slow 0.3"; do
	# shellcheck disable=SC2086 # two words for --slow
	listen $how
	t0=$(date +%s%N)
	run_carrier -R "127.0.0.1:$sport" $(cat "$T/rcpts")
	t1=$(date +%s%N)
	expect_rc 0 "3000 recipients, a daemon $how"
	ms=$(( (t1 - t0) / 1000000 ))
	[ "$ms" -lt 2500 ] && ok "$how: done in $ms ms" || fail "$how: took $ms ms"
	stop_listen
	n=$(wc -l <"$T/log")
	[ "$n" -gt 0 ] && [ "$n" -lt 3000 ] && ok "$how: $n of 3000 lines kept, the rest dropped" ||
		fail "$how: $n lines"
done

# 8. A stream socket at /dev/log (syslog-ng's unix-stream) gets the
#    lines too, each ended by a NUL.
listen --stream
run_carrier -R 127.0.0.1 good@example.org bad@example.org
expect_rc 67 "a stream syslog socket"
sleep 0.3
stop_listen
log_line '^<22>.{15} carrier\[[0-9]+\]: from=<root@[^>]*>, to=<good@example.org>, .* status=sent ' "stream: the accepted recipient"
log_line '^<19>.{15} carrier\[[0-9]+\]: from=<root@[^>]*>, to=<bad@example.org>, .* status=failed ' "stream: the refused one"
[ "$(wc -l <"$T/log")" -eq 2 ] && ok "stream: two lines" || fail "stream log: $(cat "$T/log")"

finish
