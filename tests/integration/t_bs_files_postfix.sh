#!/bin/bash
# t_bs_files_postfix: sendmail -bs reads the mail name file and the
# aliases file once per session, not again at each RCPT (as it once did:
# 1000 RCPTs read a 1000-line aliases file 1000 times).  Under strace,
# one session of two messages with local and remote RCPTs opens the
# aliases file once and /etc/mailname at most once, and the aliases are
# expanded at every local RCPT (what arrived where, byte for byte); a
# session with an aliases file that cannot be used opens it once too, and
# refuses each local RCPT with the same 451 while the others go through.
. "$(dirname "$0")/common.sh"

command -v strace >/dev/null || { echo "SKIP: strace not installed"; exit 77; }
strace -f -o /dev/null true 2>/dev/null || { echo "SKIP: strace cannot trace here"; exit 77; }

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
postfix_start "$pf" 25 || exit 1
# no "domain": the mail domain would come from /etc/mailname; the
# recipients and header fields are all qualified or aliased to qualified
# addresses, so what that file says (or that there is none) changes no
# outcome here
printf 'root: ops\nops: ops1@example.org, ops2@example.org\nwww-data: web@example.org\npostmaster: pm@example.org\n' >"$T/aliases"
mkdir "$T/aliases_bad"	# unusable (a bad entry is only skipped)
printf 'relay 127.0.0.1:25\nhelo mx.lab.example\naliases %s\n' "$T/aliases" >"$T/conf"
printf 'relay 127.0.0.1:25\nhelo mx.lab.example\naliases %s\n' "$T/aliases_bad" >"$T/conf_bad"

printf '%sTo: team@example.org\nSubject: one\n\nfirst\n' "$HDRS" >"$T/msg1"
printf '%sTo: team@example.org\nSubject: two\n\nsecond\n' "$HDRS" >"$T/msg2"
printf '%sTo: team@example.org\nSubject: three\n\nthird\n' "$HDRS" >"$T/msg3"
crlf() { sed 's/$/\r/' "$1"; }
# opens TRACE PATH: how many times the traced process opened PATH
opens() { grep -F "\"$2\"" "$1" | grep -cE '^[0-9]+ +open(at)?\('; }

# session 1: two messages, 6 RCPTs (4 through the aliases file; ops is
# already there through root)
{
	printf 'EHLO client.example\r\nMAIL FROM:<app@example.net>\r\n'
	printf 'RCPT TO:<root>\r\nRCPT TO:<ops>\r\nRCPT TO:<direct1@example.org>\r\nDATA\r\n'
	crlf "$T/msg1"; printf '.\r\n'
	printf 'MAIL FROM:<app@example.net>\r\nRCPT TO:<postmaster>\r\n'
	printf 'RCPT TO:<www-data@localhost>\r\nRCPT TO:<direct2@example.org>\r\nDATA\r\n'
	crlf "$T/msg2"; printf '.\r\nQUIT\r\n'
} >"$T/in"
run_carrier_traced() { # TRACE ARGS...
	local trace=$1; shift
	strace -f -e trace=%file -o "$trace" "$CARRIER" "$@" <"$T/in" >"$T/out" 2>"$T/err"
	rc=$?
}
run_carrier_traced "$T/trace1" -C "$T/conf" -bs
expect_rc 0 "session 1"
[ -s "$T/err" ] && fail "session 1 stderr: $(cat "$T/err")" || ok "session 1: nothing on stderr"
cat >"$T/want_replies" <<'EOF'
220 mx.lab.example ESMTP carrier
250-mx.lab.example
250-PIPELINING
250-SIZE
250-8BITMIME
250-SMTPUTF8
250-DSN
250 ENHANCEDSTATUSCODES
250 2.1.0 Ok
250 2.1.5 Ok
250 2.1.5 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: [127.0.0.1]:25 said after end of data: 250 2.0.0 Ok: N bytes queued as ID
250 2.1.0 Ok
250 2.1.5 Ok
250 2.1.5 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: [127.0.0.1]:25 said after end of data: 250 2.0.0 Ok: N bytes queued as ID
221 2.0.0 Bye
EOF
expect_replies "$T/out" "$T/want_replies" "session 1: every reply as expected"

n_aliases=$(opens "$T/trace1" "$T/aliases")
n_mailname=$(opens "$T/trace1" /etc/mailname)
[ "$n_aliases" -eq 1 ] && ok "session 1: the aliases file opened once" ||
	fail "session 1: the aliases file opened $n_aliases times, want 1"
[ "$n_mailname" -le 1 ] && ok "session 1: /etc/mailname opened $n_mailname time(s)" ||
	fail "session 1: /etc/mailname opened $n_mailname times, want at most 1"

# what arrived where: message 1 to root's targets (ops's) and direct1,
# message 2 to postmaster's, www-data's and direct2
postfix_wait "$pf" 6 || fail "only $(find "$pf/mail" -path '*/new/*' -type f | wc -l) of 6 messages arrived"
for who in ops1 ops2 direct1; do
	postfix_msg "$pf" example.org $who >"$T/got1_$who"
	expect_same "$T/got1_$who" "$T/msg1" "message 1 to $who@example.org"
done
for who in pm web direct2; do
	postfix_msg "$pf" example.org $who >"$T/got2_$who"
	expect_same "$T/got2_$who" "$T/msg2" "message 2 to $who@example.org"
done
[ "$(find "$pf/mail" -path '*/new/*' -type f | wc -l)" -eq 6 ] && ok "exactly 6 deliveries" ||
	fail "$(find "$pf/mail" -path '*/new/*' -type f | wc -l) deliveries, want 6"

# session 2: the aliases file cannot be used: 451 for each local RCPT,
# the same reply each time; the remote one goes through
{
	printf 'HELO client.example\r\nMAIL FROM:<app@example.net>\r\n'
	printf 'RCPT TO:<root>\r\nRCPT TO:<direct3@example.org>\r\nRCPT TO:<postmaster@localhost>\r\nDATA\r\n'
	crlf "$T/msg3"; printf '.\r\nQUIT\r\n'
} >"$T/in"
run_carrier_traced "$T/trace2" -C "$T/conf_bad" -bs
expect_rc 0 "session 2"
cat >"$T/want_replies" <<EOF
220 mx.lab.example ESMTP carrier
250 mx.lab.example
250 2.1.0 Ok
451 4.3.5 $T/aliases_bad: not a regular file
250 2.1.5 Ok
451 4.3.5 $T/aliases_bad: not a regular file
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: [127.0.0.1]:25 said after end of data: 250 2.0.0 Ok: N bytes queued as ID
221 2.0.0 Bye
EOF
expect_replies "$T/out" "$T/want_replies" "session 2: every reply as expected"
n_aliases=$(opens "$T/trace2" "$T/aliases_bad")
[ "$n_aliases" -eq 1 ] && ok "session 2: the aliases file opened once" ||
	fail "session 2: the aliases file opened $n_aliases times, want 1"
postfix_wait "$pf" 7 || fail "message 3 did not arrive"
postfix_msg "$pf" example.org direct3 >"$T/got3"
expect_same "$T/got3" "$T/msg3" "message 3 to direct3@example.org"
sleep 0.3
[ "$(find "$pf/mail" -path '*/new/*' -type f | wc -l)" -eq 7 ] && ok "message 3 went nowhere else" ||
	fail "$(find "$pf/mail" -path '*/new/*' -type f | wc -l) deliveries, want 7"

finish
