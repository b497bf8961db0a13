#!/bin/bash
# t_relay_postfix: sends through a real Postfix with -R and with the
# config file; checks what arrived byte for byte, the envelope sender,
# default ports, IPv6, the lone-dot rule and line-end normalisation.
. "$(dirname "$0")/common.sh"
hermetic_conf

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
postfix_start "$pf" 25 || exit 1

# 1. The issue's example: -i, two recipients, dots intact.
printf '%sSubject: hi\n\nbody\n.\n..x\n' "$HDRS" >"$T/in"
run_carrier -i -R 127.0.0.1:25 a@example.org b@example.org
expect_rc 0 "two recipients through Postfix"
postfix_wait "$pf" 2 || fail "Postfix did not deliver 2 messages"
printf '%sSubject: hi\n\nbody\n.\n..x\n' "$HDRS" >"$T/want"
postfix_msg "$pf" example.org a >"$T/got_a"
postfix_msg "$pf" example.org b >"$T/got_b"
expect_same "$T/got_a" "$T/want" "a@example.org got the message"
expect_same "$T/got_b" "$T/want" "b@example.org got the message"
[ -s "$T/err" ] && fail "stderr not empty on success: $(cat "$T/err")"
# the Received field carrier adds: by this host, the user, the date
f=$(_lab_msg_file "$pf" example.org a)
grep -qE "^Received: by $(hostname | sed 's/\./\\./g')[^ ]* \(carrier, uid 0\); [A-Z][a-z]{2}, [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [-+][0-9]{4}$" "$f" &&
	ok "Received: by this host (carrier, uid 0); date" || fail "Received: $(grep -n '^Received:' "$f")"

# 2. Without -i a lone "." ends the input, as sendmail does.
printf '%sSubject: dot\n\nline1\n.\nline2\n' "$HDRS" >"$T/in"
run_carrier -R 127.0.0.1 -f sender@example.net dot@example.org
expect_rc 0 "lone dot ends input without -i"
postfix_wait "$pf" 3 || fail "no third message"
printf '%sSubject: dot\n\nline1\n' "$HDRS" >"$T/want"
postfix_msg "$pf" example.org dot >"$T/got"
expect_same "$T/got" "$T/want" "input ended at the lone dot"
sender=$(postfix_envelope_sender "$pf" example.org dot)
[ "$sender" = "sender@example.net" ] && ok "envelope sender from -f" ||
	fail "envelope sender is '$sender'"

# 3. CRLF, bare CR and a missing final newline all arrive as lines
#    (the lab's Postfix rejects bare LF, so each LF here was a CRLF).
printf '%sSubject: ends\r\n\r\ncrlf\r\nbare cr\rlast' "$HDRS" >"$T/in"
run_carrier -oi -R 127.0.0.1:0 -r other@example.net ends@example.org
expect_rc 0 "mixed line ends, -R host:0, -r"
postfix_wait "$pf" 4 || fail "no fourth message"
printf '%sSubject: ends\n\ncrlf\nbare cr\nlast\n' "$HDRS" >"$T/want"
postfix_msg "$pf" example.org ends >"$T/got"
expect_same "$T/got" "$T/want" "line ends normalised"
sender=$(postfix_envelope_sender "$pf" example.org ends)
[ "$sender" = "other@example.net" ] && ok "envelope sender from -r" ||
	fail "envelope sender is '$sender'"

# 4. The relay from the config file; -R overrides it.
printf 'relay 127.0.0.1:25\ntimeout 30s\ndomain example.org\n' >"$T/conf"
printf '%sSubject: conf\n\nfrom conf\n' "$HDRS" >"$T/in"
run_carrier -C "$T/conf" conf@example.org
expect_rc 0 "relay from -C file"
printf 'relay 127.0.0.1:1\ndomain example.org\n' >"$T/conf2"
run_carrier -C "$T/conf2" -R 127.0.0.1:25 conf2@example.org
expect_rc 0 "-R overrides the config relay"
postfix_wait "$pf" 6 || fail "config sends did not arrive"
postfix_msg "$pf" example.org conf2 >"$T/got"
printf '%sSubject: conf\n\nfrom conf\n' "$HDRS" >"$T/want"
expect_same "$T/got" "$T/want" "message via -R over config"

# 5. IPv6: [::1]:port to a Postfix listening on ::1.
pf6=$T/pf6
cleanup_hooks+=("postfix_stop $pf6")
postfix_start "$pf6" 2525 ::1 || exit 1
printf '%sSubject: v6\n\nover ipv6\n' "$HDRS" >"$T/in"
run_carrier -R '[::1]:2525' v6@example.org
expect_rc 0 "IPv6 relay [::1]:2525"
postfix_wait "$pf6" 1 || fail "no IPv6 delivery"
printf '%sSubject: v6\n\nover ipv6\n' "$HDRS" >"$T/want"
postfix_msg "$pf6" example.org v6 >"$T/got"
expect_same "$T/got" "$T/want" "IPv6 message"

# 6. -v shows the dialogue on stderr, and nothing on stdout.
printf '%sSubject: v\n\nverbose\n' "$HDRS" >"$T/in"
run_carrier -v -R 127.0.0.1:25 verbose@example.org
expect_rc 0 "-v send"
expect_err_line '^-> EHLO ' "transcript shows EHLO"
expect_err_line '^<- 250[ -]' "transcript shows replies"
expect_err_line '^-> RCPT TO:<verbose@example.org>$' "transcript shows RCPT"
[ -s "$T/out" ] && fail "stdout not empty with -v"

finish
