#!/bin/bash
# t_partial_postfix: a real Postfix refuses one recipient of two (an
# access map answers 550 5.1.1).  The other still gets the message, the
# refused one is named on stderr with Postfix's reply, and the exit
# status is EX_NOUSER (67).
. "$(dirname "$0")/common.sh"
hermetic_conf

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
LAB_POSTFIX_MAIN_CF='smtpd_recipient_restrictions = check_recipient_access inline:{{bad@example.org = 550 5.1.1 no such user here}}, permit_mynetworks, reject' \
	postfix_start "$pf" 25 || exit 1

printf '%sSubject: partial\n\nfor good only\n' "$HDRS" >"$T/in"
run_carrier -R 127.0.0.1 good@example.org bad@example.org
expect_rc 67 "one of two recipients refused"
expect_err_line '^carrier: bad@example.org: \[127.0.0.1\]:25 said after RCPT TO: 550 5\.1\.1 .*no such user here$' "refused recipient named with the reply"
grep -q 'good@example.org' "$T/err" && fail "the accepted recipient is reported as failed"
[ "$(wc -l <"$T/err")" -eq 1 ] && ok "one stderr line" || fail "stderr: $(cat "$T/err")"
postfix_wait "$pf" 1 || fail "good@example.org got nothing"
printf '%sSubject: partial\n\nfor good only\n' "$HDRS" >"$T/want"
postfix_msg "$pf" example.org good >"$T/got"
expect_same "$T/got" "$T/want" "the accepted recipient's message"
[ -d "$pf/mail/example.org/bad" ] && fail "bad@example.org has a mailbox"

# Both refused: EX_NOUSER, two lines, no message at all.
run_carrier -R 127.0.0.1 bad@example.org
expect_rc 67 "the only recipient refused"
sleep 0.5
[ "$(find "$pf/mail" -type f -path '*/new/*' | wc -l)" -eq 1 ] && ok "nothing more delivered" || fail "unexpected delivery"

finish
