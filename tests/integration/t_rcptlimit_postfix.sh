#!/bin/bash
# t_rcptlimit_postfix: a real Postfix that takes at most 2 recipients per
# transaction (smtpd_recipient_limit = 2) answers the others "452 4.5.3
# too many recipients".  RFC 5321 4.5.3.1.10: the client sends those in
# another transaction.  Every one of 5 recipients gets the message, byte
# for byte, and carrier exits 0:
#   - a small message, sent with BDAT and QUIT in the envelope's write,
#     needs a new connection for the rest (3 connections);
#   - a large one (over 256 KiB: the envelope's replies come first) goes
#     on in the same connection (1 connection, 3 transactions).
. "$(dirname "$0")/common.sh"
hermetic_conf

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
LAB_POSTFIX_MAIN_CF='smtpd_recipient_limit = 2' postfix_start "$pf" 25 || exit 1
rcpts=(r1@example.org r2@example.org r3@example.org r4@example.org r5@example.org)
n=0
count() { grep -c "$1" "$pf/maillog"; }

check_all() {	# WHAT: each recipient got exactly $T/in
	local r
	n=$((n + 5))
	postfix_wait "$pf" "$n" || fail "$1: not every recipient got the message"
	for r in "${rcpts[@]}"; do
		postfix_msg "$pf" example.org "${r%@*}" >"$T/got" || { fail "$1: ${r%@*}"; continue; }
		cmp -s "$T/got" "$T/in" || fail "$1: ${r%@*} got other bytes"
	done
	rm -rf "$pf/mail/example.org"/r?
	n=0
}

# send WHAT WANT_CONNS: $T/in to the 5, in 3 transactions over WANT_CONNS
# connections.
# The sessions before (postfix_start's own probe of the greeting
# included) are all in the log first: Postfix logs through its own
# daemon, a moment later, so a probe's "connect from" logged after c0
# was read would count as one of carrier's.
settled() {
	local i
	for i in $(seq 50); do
		[ "$(count ': connect from')" -ge 1 ] &&
			[ "$(count ': connect from')" = "$(count ': disconnect from')" ] && return 0
		sleep 0.1
	done
	fail "the mail log does not settle: $(count ': connect from') connects, $(count ': disconnect from') disconnects"
}

send() {
	local c0 t0 conns txns
	settled
	c0=$(count ': connect from') t0=$(count 'nrcpt=')
	run_carrier -R 127.0.0.1 "${rcpts[@]}"
	expect_rc 0 "$1, 5 recipients, 2 per transaction"
	[ -s "$T/err" ] && fail "$1: stderr: $(cat "$T/err")"
	check_all "$1"
	conns=$(( $(count ': connect from') - c0 )) txns=$(( $(count 'nrcpt=') - t0 ))
	[ "$conns" -eq "$2" ] && [ "$txns" -eq 3 ] && ok "$1: $txns transactions in $conns connection(s)" ||
		fail "$1: $txns transactions in $conns connections, want 3 in $2"
}

printf '%sSubject: small\n\nto five\n' "$HDRS" >"$T/in"
send "small message" 3
{ printf '%sSubject: large\n\n' "$HDRS"; head -c 400000 /dev/urandom | base64 -w 76; } >"$T/in"
send "large message" 1

finish
