#!/bin/bash
# t_faults_sink: fault injection with Postfix's smtp-sink (4xx/5xx at the
# greeting, MAIL, RCPT, DATA and end of data; disconnects; a server that
# never answers) and a scripted server for a disconnect in mid-message.
# Checks the exit status and the stderr line for each.
. "$(dirname "$0")/common.sh"

printf 'Subject: fault\n\nbody\n' >"$T/in"
port=2525
hermetic_conf

# sink_case OPTIONS EXIT STDERR_REGEX WHAT [RCPTS...]
sink_case() {
	local opts=$1 want=$2 re=$3 what=$4
	shift 4
	[ $# -gt 0 ] || set -- a@example.org
	# shellcheck disable=SC2086 # opts is a word list on purpose
	sink_start "$T/sink" $port $opts || { fail "$what: sink did not start"; return; }
	run_carrier -R 127.0.0.1:$port "$@"
	sink_stop "$T/sink"
	expect_rc "$want" "$what"
	if [ -z "$re" ]; then
		[ -s "$T/err" ] && fail "$what: stderr not empty: $(cat "$T/err")"
	else
		expect_err_line "$re" "$what"
	fi
}

sink_case "" 0 '' "plain sink accepts"
sink_case "-p" 0 '' "sink without PIPELINING (lockstep)" a@example.org b@example.org
sink_case "-f CONNECT" 69 'said after the greeting: 5[0-9][0-9]' "5xx greeting"
sink_case "-r CONNECT" 75 'said after the greeting: 4[0-9][0-9]' "4xx greeting"
sink_case "-f EHLO,HELO" 69 'said after HELO: 5[0-9][0-9]' "EHLO and HELO refused"
sink_case "-f EHLO" 0 '' "EHLO refused, HELO works"
sink_case "-f MAIL" 69 'said after MAIL FROM: 5[0-9][0-9].*\(2 recipients not delivered\)' "5xx to MAIL" a@example.org b@example.org
sink_case "-r MAIL" 75 'said after MAIL FROM: 4[0-9][0-9]' "4xx to MAIL"
sink_case "-f RCPT" 67 '^carrier: b@example.org: \[127.0.0.1\]:2525 said after RCPT TO: 5[0-9][0-9]' "5xx to every RCPT" a@example.org b@example.org
sink_case "-r RCPT" 75 '^carrier: a@example.org: .* said after RCPT TO: 4[0-9][0-9]' "4xx to RCPT"
sink_case "-f DATA" 69 'said after DATA: 5[0-9][0-9]' "5xx to DATA"
sink_case "-r DATA" 75 'said after DATA: 4[0-9][0-9]' "4xx to DATA"
sink_case "-f ." 69 'said after end of data: 5[0-9][0-9]' "5xx to the final dot"
sink_case "-r ." 75 'said after end of data: 4[0-9][0-9]' "4xx to the final dot"
sink_case "-q ." 75 'connection closed by the server during end of data' "disconnect after the dot"
sink_case "-Q RCPT" 75 'said after RCPT TO: 421' "421 and disconnect at RCPT"
sink_case "-q MAIL" 75 'connection closed by the server during MAIL FROM' "disconnect at MAIL"

# A server that accepts and never speaks: the configured timeout, named.
printf 'timeout 2s\n' >"$T/conf"
sink_start "$T/sink" $port -W CONNECT:30 || fail "sink did not start"
start=${EPOCHREALTIME/./}
run_carrier -C "$T/conf" -R 127.0.0.1:$port a@example.org
took=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
sink_stop "$T/sink"
expect_rc 75 "silent server"
expect_err_line 'timed out after 2 s waiting for the greeting' "silent server"
# 2 s, not 2 s plus a QUIT to a server that is not listening
[ $took -ge 1900 ] && [ $took -le 3000 ] && ok "gave up after ${took} ms" ||
	fail "took ${took} ms for a 2 s timeout"

# A server that stops replying after the message text.
# start_hostile MODE: a scripted server on $port; waits until it listens
# (its output file is emptied first, here, so the "ready" of an earlier
# server of the same mode cannot fool us).
start_hostile() {
	local out=$T/hs.$1.out
	: >"$out"
	python3 "$top/tests/integration/hostile_server.py" "$1" $port >"$out" &
	hs=$!
	cleanup_hooks+=("kill $hs 2>/dev/null")
	for _ in $(seq 100); do grep -q ready "$out" 2>/dev/null && return 0; sleep 0.05; done
	fail "hostile server $1 did not start"
}
# The wait for that reply is data_timeout (RFC 5321 4.5.3.2.6: 10
# minutes by default), not timeout.
printf 'timeout 1s\ndata_timeout 3s\n' >"$T/conf"
start_hostile mute-data
start=${EPOCHREALTIME/./}
run_carrier -C "$T/conf" -R 127.0.0.1:$port a@example.org
took=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
expect_rc 75 "no reply to the final dot"
expect_err_line 'timed out after 3 s waiting for the reply to end of data' "no reply to the dot"
[ $took -ge 2900 ] && [ $took -le 4500 ] && ok "data_timeout: gave up after ${took} ms" ||
	fail "took ${took} ms for data_timeout 3s (timeout 1s)"
kill $hs 2>/dev/null; wait $hs 2>/dev/null

# --serverinfo prints what the server says with its control bytes
# escaped, the AUTH line included: no escape sequence reaches a terminal.
start_hostile escapes
printf 'tls off\n' >"$T/conf"
run_carrier -C "$T/conf" -R 127.0.0.1:$port --serverinfo
expect_rc 0 "--serverinfo, a server sending escapes"
if grep -q $'\x1b' "$T/out"; then fail "an escape byte reached stdout: $(od -c "$T/out" | head -5)"
else ok "no escape byte on stdout"; fi
grep -q '^AUTH: *PLAIN \\x1b\[31mRED$' "$T/out" && ok "AUTH line escaped" || fail "AUTH line: $(grep AUTH "$T/out")"
expect_err_line '^carrier: warning: \[127\.0\.0\.1\]:[0-9]+ offers AUTH without TLS: a password sent to it could be read' "--serverinfo: AUTH without TLS"
# smtp-sink offers AUTH too, unless -a; over TLS (t_tls_postfix) no
# warning either.
sink_start "$T/sink" $port -a || fail "sink -a did not start"
run_carrier -C "$T/conf" -R 127.0.0.1:$port --serverinfo
sink_stop "$T/sink"
expect_rc 0 "--serverinfo, no AUTH"
[ -s "$T/err" ] && fail "--serverinfo without AUTH: stderr: $(cat "$T/err")" || ok "--serverinfo without AUTH: no warning"
kill $hs 2>/dev/null; wait $hs 2>/dev/null

# An SSH server where SMTP was expected: a protocol error (76), not a
# temporary failure (75).
start_hostile ssh
run_carrier -R 127.0.0.1:$port a@example.org
expect_rc 76 "an SSH banner for a greeting"
expect_err_line 'protocol error during the greeting: .*SSH-2\.0-OpenSSH_9\.2' "an SSH banner"
wait $hs 2>/dev/null

# A server that hangs up in the middle of a 4 MB message.
head -c 3000000 /dev/urandom | base64 >"$T/big"
{ printf 'Subject: big\n\n'; cat "$T/big"; } >"$T/in"
start_hostile midbody
run_carrier -R 127.0.0.1:$port a@example.org
expect_rc 75 "disconnect in mid-message"
expect_err_line 'connection closed by the server while sending the message|during sending the message' "disconnect in mid-message"
wait $hs 2>/dev/null

# A server that refuses the pipelined group (MAIL, or every RCPT) and
# hangs up without reading the rest: its refusal is the outcome (69, 67),
# not the hang-up that breaks our write of the rest (75).  The text is
# just under SMTP_BDAT_EAGER (256 KiB), so it goes with the envelope
# ("BDAT n LAST"); send and receive buffers are small, as over a long
# path, so the write is still going when the server hangs up (a large
# buffer takes it all at once, and the race is lost only now and then).
# HOW: close (the kernel answers the unread rest with an RST), rst
# (SO_LINGER 0), half (shutdown, then the server reads on).
{ printf '%s' "$HDRS"; printf 'Subject: eager\n\n'; head -c 185000 /dev/urandom | base64 -w 76; } >"$T/in"
wmem=$(sysctl -n net.ipv4.tcp_wmem)
sysctl -qw net.ipv4.tcp_wmem="4096 16384 16384" || fail "cannot set net.ipv4.tcp_wmem"
# refuse_case MODE EXIT STDERR_REGEX [RCPTS...]
refuse_case() {
	local mode=$1 want=$2 re=$3
	shift 3
	start_hostile "$mode"
	run_carrier -R 127.0.0.1:$port "$@"
	wait $hs 2>/dev/null
	expect_rc "$want" "$mode"
	expect_err_line "$re" "$mode"
	if grep -q 'connection closed' "$T/err"; then
		fail "$mode: the hang-up reported: $(cat "$T/err")"
	fi
}
for how in close rst half; do
	refuse_case refuse-mail-$how 69 '^carrier: \[127\.0\.0\.1\]:2525 said after MAIL FROM: 554 5\.7\.1 sender refused by policy \(2 recipients not delivered\)$' a@example.org b@example.org
	refuse_case refuse-rcpt-$how 67 '^carrier: b@example\.org: \[127\.0\.0\.1\]:2525 said after RCPT TO: 550 5\.1\.1 no such user here$' a@example.org b@example.org
	grep -q '^carrier: a@example\.org: .* said after RCPT TO: 550 5\.1\.1' "$T/err" &&
		ok "refuse-rcpt-$how: a@example.org refused too" ||
		fail "refuse-rcpt-$how: no line for a@example.org: $(cat "$T/err")"
	# without CHUNKING the text waits for 354: the group is MAIL, 255
	# long RCPTs (67 KB) and DATA, too much for the buffers at once
	long=$(printf '%050d' 0)
	rcpts=()
	for i in $(seq 255); do
		rcpts+=("u$i.${long}@${long//0/a}.${long//0/b}.${long//0/c}.example.org")
	done
	refuse_case refuse-mail-$how-nochunking 69 '^carrier: \[127\.0\.0\.1\]:2525 said after MAIL FROM: 554 5\.7\.1 sender refused by policy \(255 recipients not delivered\)$' "${rcpts[@]}"
	refuse_case refuse-rcpt-$how-nochunking 67 '^carrier: u255\.0+@a+\.b+\.c+\.example\.org: \[127\.0\.0\.1\]:2525 said after RCPT TO: 550 5\.1\.1 no such user here$' "${rcpts[@]}"
done
# A server that refuses the text part way (552 after 64 KiB of a 4 MB
# message, after BDAT or after 354) and hangs up: the 552 is the
# outcome (69), not the broken write.
# Both a text that goes with the envelope (BDAT in the same write) and
# one sent after the replies (4 MB).
cp "$T/in" "$T/in.eager"
{ printf '%s' "$HDRS"; printf 'Subject: too big\n\n'; head -c 3000000 /dev/urandom | base64 -w 76; } >"$T/in.4m"
for f in in.eager in.4m; do
	cp "$T/$f" "$T/in"
	for how in close rst; do
		for c in "" -nochunking; do
			refuse_case refuse-text-$how$c 69 '^carrier: \[127\.0\.0\.1\]:2525 said after end of data: 552 5\.3\.4 message too big for this server \(1 recipient not delivered\)$' a@example.org
			# a 421 before the hang-up is its reason (75 either way)
			refuse_case refuse-text421-$how$c 75 '^carrier: \[127\.0\.0\.1\]:2525 said after end of data: 421 4\.3\.2 shutting down \(1 recipient not delivered; not queued: the spool: /var/spool/carrier[^ ]*: [^)]*\)$' a@example.org
		done
	done
done
# The same over implicit TLS.  libtls leaves errno 0 after a write the
# hang-up broke; the socket's POLLHUP tells carrier it was the server,
# and OpenSSL still reads the reply that came before.
if lab_ca "$T/ca" >/dev/null 2>&1; then
	export HOSTILE_TLS_CERT=$T/ca/server.pem HOSTILE_TLS_KEY=$T/ca/server.key
	printf 'tls implicit\ntls_ca_file %s\n' "$T/ca/ca.pem" >"$T/tls.conf"
	for how in close rst; do
		cp "$T/in.eager" "$T/in"
		refuse_case refuse-mail-$how-tls 69 '^carrier: \[127\.0\.0\.1\]:2525 said after MAIL FROM: 554 5\.7\.1 sender refused by policy \(2 recipients not delivered\)$' -C "$T/tls.conf" a@example.org b@example.org
		refuse_case refuse-rcpt-$how-tls 67 '^carrier: b@example\.org: \[127\.0\.0\.1\]:2525 said after RCPT TO: 550 5\.1\.1 no such user here$' -C "$T/tls.conf" a@example.org b@example.org
		for f in in.eager in.4m; do
			cp "$T/$f" "$T/in"
			for c in "" -nochunking; do
				refuse_case refuse-text-$how$c-tls 69 '^carrier: \[127\.0\.0\.1\]:2525 said after end of data: 552 5\.3\.4 message too big for this server \(1 recipient not delivered\)$' -C "$T/tls.conf" a@example.org
			done
		done
	done
else
	fail "lab_ca: cannot make the TLS test certificates"
fi
cp "$T/in.eager" "$T/in"
sysctl -qw net.ipv4.tcp_wmem="$wmem"

# Nothing listening: refused connection, temporary, named.
run_carrier -R 127.0.0.1:1 a@example.org
expect_rc 75 "connection refused"
expect_err_line '^carrier: \[127.0.0.1\]:1: cannot connect: Connection refused' "connection refused"

finish
