#!/bin/bash
# t_intake_postfix: message intake and the sendmail command line, through
# a real Postfix: the header fix-ups (From, Date, Message-ID added; Bcc
# removed; bare names qualified in the envelope and in the header), -t
# and the Resent- block, -F (RFC 2047), refused injections, messages
# without a header, limits, and the modes -bv, -bp, -q, newaliases.
. "$(dirname "$0")/common.sh"

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
postfix_start "$pf" 25 || exit 1
printf 'relay 127.0.0.1:25\ndomain example.org\n' >"$T/conf"
C=(-C "$T/conf")
# a user other than root (cases 9 and 17) may use -C only for a file
# the system config allows
etc_carrier_conf "allow_config $T/conf" || { echo "SKIP: no private mount namespace"; exit 77; }
n=0	# messages expected in the Maildirs so far
arrived() { n=$((n + $1)); postfix_wait "$pf" "$n" || fail "only some of $n messages arrived"; }
field() { grep -m1 -i "^$1:" "$2" | sed 's/\r$//'; }

# 1. The foundation issue's example: the body arrives intact, dots and
#    all, and the missing From, Date and Message-ID are added.
printf 'Subject: hi\n\nbody\n.\n..x\n' >"$T/in"
run_carrier "${C[@]}" -i a@example.org b@example.org
expect_rc 0 "the issue's example"
arrived 2
postfix_msg "$pf" example.org a >"$T/got"
printf 'body\n.\n..x\n' >"$T/want"
sed '1,/^$/d' "$T/got" >"$T/got_body"
expect_same "$T/got_body" "$T/want" "body intact"
head -1 "$T/got" | grep -q '^Subject: hi$' && ok "the caller's fields come first" || fail "first line: $(head -1 "$T/got")"
field From "$T/got" | grep -qE '^From: .*<?root@example\.org>?$' && ok "From added: $(field From "$T/got")" || fail "From: $(field From "$T/got")"
field Date "$T/got" | grep -qE '^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}$' &&
	ok "Date added" || fail "Date: $(field Date "$T/got")"
field Message-ID "$T/got" | grep -qE '^Message-ID: <[^@<>]+@example\.org>$' && ok "Message-ID added" ||
	fail "Message-ID: $(field Message-ID "$T/got")"
[ "$(postfix_envelope_sender "$pf" example.org a)" = root@example.org ] && ok "sender root@example.org" ||
	fail "sender: $(postfix_envelope_sender "$pf" example.org a)"

# 2. -t: To, Cc and Bcc (groups, display names, comments), plus an
#    argument recipient; Bcc never leaves.
printf '%sTo: "Alice A." <ta@example.org>, group: tb@example.org (Bee);\nCc: tc@example.org\nBcc: td@example.org\nSubject: t\n\nbody\n' "$HDRS" >"$T/in"
run_carrier "${C[@]}" -t te@example.org
expect_rc 0 "-t"
arrived 5
for u in ta tb tc td te; do
	postfix_msg "$pf" example.org $u >"$T/got_$u" 2>/dev/null || fail "$u@example.org got nothing"
done
grep -qi '^Bcc:' "$T/got_td" && fail "Bcc was sent" || ok "Bcc removed"
grep -q '^To: "Alice A." <ta@example.org>, group: tb@example.org (Bee);$' "$T/got_ta" &&
	ok "To sent as written" || fail "To: $(field To "$T/got_ta")"

# 3. The Resent- block wins over To/Cc when present.
printf '%sTo: old@example.org\nResent-To: ra@example.org\nResent-Bcc: rb@example.org\nSubject: r\n\nbody\n' "$HDRS" >"$T/in"
run_carrier "${C[@]}" -t
expect_rc 0 "-t with Resent-"
arrived 2
[ -e "$pf/mail/example.org/old" ] && fail "old@example.org got a resent message" || ok "To ignored for Resent-"
postfix_msg "$pf" example.org rb | grep -qi '^Resent-Bcc' && fail "Resent-Bcc sent" || ok "Resent-Bcc removed"

# 4. Bare names, as cron and mdadm send them: qualified in the envelope
#    and in From/To/Cc alike.
printf 'From: root (Cron Daemon)\nTo: root\nCc: postmaster, x@example.net\nSubject: cron\n\nout\n' >"$T/in"
run_carrier "${C[@]}" -t
expect_rc 0 "bare names with -t"
arrived 3
postfix_msg "$pf" example.org root >"$T/got"
grep -q '^From: root@example.org (Cron Daemon)$' "$T/got" && ok "From qualified, comment kept" || fail "From: $(field From "$T/got")"
grep -q '^To: root@example.org$' "$T/got" && ok "To qualified" || fail "To: $(field To "$T/got")"
grep -q '^Cc: postmaster@example.org, x@example.net$' "$T/got" && ok "Cc qualified" || fail "Cc: $(field Cc "$T/got")"
# Comments, display names and folding stay where they were written.
printf 'From: Cron (the daemon) <root> (job 3)\nTo: cm (a) (b),\n\tcn (ops)\nSubject: c2\n\nout\n' >"$T/in"
run_carrier "${C[@]}" -t
expect_rc 0 "bare names with comments"
arrived 2
postfix_msg "$pf" example.org cm >"$T/got"
grep -q '^From: Cron (the daemon) <root@example.org> (job 3)$' "$T/got" &&
	ok "From qualified, comments kept" || fail "From: $(field From "$T/got")"
[ "$(grep -A1 '^To:' "$T/got" | tr -d '\r')" = "$(printf 'To: cm@example.org (a) (b),\n\tcn@example.org (ops)')" ] &&
	ok "To qualified, comments and fold kept" || fail "To: $(grep -A1 '^To:' "$T/got")"

# 5. cron's own invocation; -F with a non-ASCII name (RFC 2047).
printf 'Subject: c\n\nx\n' >"$T/in"
run_carrier "${C[@]}" -FCronDaemon -i -B8BITMIME -oem root
expect_rc 0 "cron's flags"
arrived 1
run_carrier "${C[@]}" -F 'Jürgen Müller' -f jm@example.net fx@example.org
expect_rc 0 "-F non-ASCII"
arrived 1
postfix_msg "$pf" example.org fx >"$T/got"
grep -q '^From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <jm@example.net>$' "$T/got" &&
	ok "-F encoded" || fail "From: $(field From "$T/got")"

# 6. Injection through -f, -F or a recipient is refused; nothing is sent.
before=$n
run_carrier "${C[@]}" -f $'x@example.net\r\nRCPT TO:<evil@example.org>' v@example.org
expect_rc 65 "-f with CRLF"
run_carrier "${C[@]}" -F $'Eve\nBcc: evil@example.org' v@example.org
expect_rc 65 "-F with LF"
run_carrier "${C[@]}" $'v@example.org\r\nDATA' 
expect_rc 65 "recipient with CRLF"
printf '%sTo: <unterminated@example.org\nSubject: x\n\nb\n' "$HDRS" >"$T/in"
run_carrier "${C[@]}" -t
expect_rc 65 "garbage in To"
expect_err_line 'the To: header' "the error names the header"
printf '%sSubject: none\n\nb\n' "$HDRS" >"$T/in"
run_carrier "${C[@]}" -t
expect_rc 64 "-t without recipients"
sleep 0.3
[ "$(find "$pf/mail" -path '*/new/*' -type f | wc -l)" -eq "$before" ] && ok "nothing sent for refused input" ||
	fail "refused input was sent"

# 7. A body without a header, an mbox "From " line, limits, folding.
printf 'just a body line\nanother\n' >"$T/in"
run_carrier "${C[@]}" nohdr@example.org
expect_rc 0 "no header at all"
arrived 1
postfix_msg "$pf" example.org nohdr >"$T/got"
sed '1,/^$/d' "$T/got" >"$T/got_body"
printf 'just a body line\nanother\n' >"$T/want"
expect_same "$T/got_body" "$T/want" "a headerless body becomes the body"
printf 'From someone Sat Nov 28 10:00:00 2026\n%sSubject: mbox\n\nb\n' "$HDRS" >"$T/in"
run_carrier "${C[@]}" mbox@example.org
expect_rc 0 "mbox From line"
arrived 1
postfix_msg "$pf" example.org mbox | grep -q '^From someone' && fail "mbox From line sent" || ok "mbox From line dropped"
{ printf '%sSubject: long\nX-Long:' "$HDRS"; for _ in $(seq 300); do printf ' word%04d' 1; done; printf '\n\nb\n'; } >"$T/in"
run_carrier "${C[@]}" fold@example.org
expect_rc 0 "a 2700-octet header line"
arrived 1
awk 'length > 998 { bad = 1 } END { exit bad }' <(postfix_msg "$pf" example.org fold) && ok "folded to 998" || fail "a line over 998 arrived"
{ printf '%sSubject: long\nX-Long: ' "$HDRS"; head -c 2000 /dev/zero | tr '\0' x; printf '\n\nb\n'; } >"$T/in"
run_carrier "${C[@]}" nofold@example.org
expect_rc 65 "an unfoldable header line"
{ printf '%s' "$HDRS"; for i in $(seq 20000); do printf 'X-Filler-%05d: %070d\n' "$i" 0; done; printf '\nb\n'; } >"$T/in"
run_carrier "${C[@]}" huge@example.org
expect_rc 65 "a header section over 1 MiB"
expect_err_line 'header section is larger than' "named"

# 7b. Empty standard input: a message of added header fields only.
: >"$T/in"
run_carrier "${C[@]}" empty@example.org
expect_rc 0 "empty stdin"
arrived 1
postfix_msg "$pf" example.org empty >"$T/got"
grep -q '^Message-ID: ' "$T/got" && [ "$(sed '1,/^$/d' "$T/got" | wc -c)" -eq 0 ] &&
	ok "empty message: header only" || fail "empty message: $(cat "$T/got")"

# 7c. 8-bit text goes with BODY=8BITMIME and arrives as it was.
printf '%sSubject: 8bit\n\ncaf\xc3\xa9 cr\xc3\xa8me\n' "$HDRS" >"$T/in"
run_carrier "${C[@]}" -v eight@example.org
expect_rc 0 "8-bit body"
expect_err_line '^-> MAIL FROM:<root@example.org> .*BODY=8BITMIME' "BODY=8BITMIME declared"
arrived 1
postfix_msg "$pf" example.org eight >"$T/got"
expect_same "$T/got" "$T/in" "8-bit message"

# 8. The other modes: nothing is sent, and each says what it did.
before=$n
run_carrier "${C[@]}" -bv root v2@example.org
expect_rc 0 "-bv"
grep -q '^root@example.org... deliverable: relay 127.0.0.1:25$' "$T/out" && ok "-bv qualifies and routes" || fail "-bv: $(cat "$T/out")"
run_carrier "${C[@]}" -bv -R '[::1]:2525' v3@example.org
grep -qF 'v3@example.org... deliverable: relay [::1]:2525' "$T/out" && ok "-bv writes an IPv6 relay in brackets" || fail "-bv IPv6: $(cat "$T/out")"
# no spool (the default, which is not there): --run-queue, what cron
# and the timer run, is silent; -q and -q30m say so (t_queue_cli)
run_carrier "${C[@]}" --run-queue
expect_rc 0 "--run-queue"
[ -s "$T/out" ] || [ -s "$T/err" ] && fail "--run-queue printed something (cron would mail it)" || ok "--run-queue silent"
run_carrier "${C[@]}" -q
expect_rc 78 "-q"
expect_err_line '^carrier: no spool /var/spool/carrier: No such file or directory; nothing to deliver$' "-q"
run_carrier "${C[@]}" -q30m
expect_rc 78 "-q30m"
run_carrier "${C[@]}" -bp
expect_rc 0 "-bp"
grep -q 'queue is empty' "$T/out" && ok "-bp" || fail "-bp: $(cat "$T/out")"
ln -sf "$CARRIER" "$T/mailq"; ln -sf "$CARRIER" "$T/newaliases"
"$T/mailq" -C "$T/conf" >"$T/out" 2>&1; rc=$?
expect_rc 0 "mailq by name"
"$T/newaliases" -C "$T/conf" >"$T/out" 2>&1; rc=$?
expect_rc 0 "newaliases by name"
grep -q 'read directly' "$T/out" && ok "newaliases explains" || fail "newaliases: $(cat "$T/out")"
run_carrier "${C[@]}" -Z v@example.org
expect_rc 64 "unknown flag"
expect_err_line '^usage:' "usage line"
sleep 0.3
[ "$(find "$pf/mail" -path '*/new/*' -type f | wc -l)" -eq "$before" ] && ok "no mode sent mail" || fail "a mode sent mail"

# 8b. One bad entry in the aliases file is skipped with a warning naming
#    file:line, the other names still map; newaliases (-bi) says so and
#    fails, and passes once the file is good.
printf 'ops: ops1@example.org\nroot admin@example.org\n  more@example.org\nwww-data: web@example.org\n' >"$T/aliases_1bad"
printf 'relay 127.0.0.1:25\ndomain example.org\naliases %s\n' "$T/aliases_1bad" >"$T/aconf"
printf '%sSubject: a\n\nb\n' "$HDRS" >"$T/in"
run_carrier -C "$T/aconf" www-data ops
expect_rc 0 "a bad entry in the aliases file"
arrived 2
[ -e "$pf/mail/example.org/web" ] && [ -e "$pf/mail/example.org/ops1" ] && ok "the other aliases still map" ||
	fail "www-data or ops not aliased: $(ls "$pf/mail/example.org")"
expect_err_line "^carrier: $T/aliases_1bad:2: expected ':' after the alias name, entry skipped$" "a bad alias entry named"
run_carrier -C "$T/aconf" -bi
expect_rc 78 "-bi, a bad entry"
expect_err_line "^carrier: $T/aliases_1bad:2: expected ':' after the alias name, entry skipped$" "-bi names the bad entry"
expect_err_line "^carrier: $T/aliases_1bad: 1 bad entry skipped, 2 aliases$" "-bi counts"
sed -i 2,3d "$T/aliases_1bad"
run_carrier -C "$T/aconf" -bi
expect_rc 0 "-bi, a good file"
grep -qF "$T/aliases_1bad: 2 aliases" "$T/out" && ok "-bi counts the aliases" || fail "-bi: $(cat "$T/out")"

# 9. -X: the SMTP transcript appended to a file.
printf '%sSubject: x\n\nb\n' "$HDRS" >"$T/in"
run_carrier "${C[@]}" -X "$T/xlog" xl@example.org
expect_rc 0 "-X"
arrived 1
grep -q '^-> RCPT TO:<xl@example.org>' "$T/xlog" && ok "-X transcript" || fail "-X: $(cat "$T/xlog" 2>&1)"
[ "$(stat -c %a "$T/xlog")" = 600 ] && ok "-X file made mode 600" || fail "-X file mode $(stat -c %a "$T/xlog")"
#    A symbolic link is not followed; a caller other than root may not
#    use -X at all (it would write text the caller chose: CVE-2016-10033).
ln -s "$T/xlog" "$T/xlink"
run_carrier "${C[@]}" -X "$T/xlink" xl2@example.org
expect_rc 73 "-X through a symbolic link"
expect_err_line "^carrier: -X $T/xlink: Too many levels of symbolic links$" "-X through a symbolic link"
chmod 755 "$T" && chmod 644 "$T/conf" "$T/in"
setpriv --reuid 54321 --regid 54321 --clear-groups "$CARRIER" "${C[@]}" -X "$T/xphp" xl3@example.org <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 64 "-X by a user other than root"
expect_err_line '^carrier: -X is for root only' "-X by a user other than root"
[ -e "$T/xphp" ] && fail "-X made a file for another user" || ok "-X made no file for another user"

# 10. Aliases: bare names and names at the local domain expand through
#     the aliases file (recursively); -n turns that off; an alias with
#     only a pipe is refused before anything is sent.
printf 'root: admin@example.net, op\npostmaster: root\nop: op\npipe: |/bin/cat\n' >"$T/aliases"
printf 'relay 127.0.0.1:25\ndomain example.org\naliases %s\n' "$T/aliases" >"$T/aconf"
printf '%sSubject: alias\n\nb\n' "$HDRS" >"$T/in"
run_carrier -C "$T/aconf" postmaster
expect_rc 0 "postmaster -> root -> admin@example.net, op"
arrived 2
[ -d "$pf/mail/example.net/admin" ] && [ -d "$pf/mail/example.org/op" ] && ok "alias targets got it" ||
	fail "alias targets: $(ls -R "$pf/mail" | tr '\n' ' ')"
run_carrier -C "$T/aconf" root@example.org
expect_rc 0 "root@<mail domain> goes through aliases too"
arrived 2
run_carrier -C "$T/aconf" -n root
expect_rc 0 "-n: no aliasing"
arrived 1
[ -d "$pf/mail/example.org/root" ] && ok "-n delivered to root@example.org" || fail "-n: root got nothing"
before=$n
run_carrier -C "$T/aconf" pipe
expect_rc 65 "an alias to a pipe only"
expect_err_line 'recipient pipe: its alias has only targets carrier cannot deliver' "pipe alias named"

# 12. from and rewrite_from: a local From becomes the configured sender,
#     display name kept; a foreign From is left alone.
printf 'relay 127.0.0.1:25\ndomain example.org\nfrom alerts@example.net\nrewrite_from yes\n' >"$T/fconf"
printf 'From: root (Cron Daemon)\nTo: rw@example.org\nSubject: rw\n\nb\n' >"$T/in"
run_carrier -C "$T/fconf" -t
expect_rc 0 "rewrite_from"
arrived 1
[ "$(postfix_envelope_sender "$pf" example.org rw)" = alerts@example.net ] && ok "envelope sender from 'from'" ||
	fail "sender: $(postfix_envelope_sender "$pf" example.org rw)"
postfix_msg "$pf" example.org rw | grep -q '^From: alerts@example.net (Cron Daemon)$' && ok "local From rewritten" ||
	fail "From: $(postfix_msg "$pf" example.org rw | grep -m1 '^From:')"
printf 'From: Someone <someone@example.com>\nTo: rw2@example.org\nSubject: rw\n\nb\n' >"$T/in"
run_carrier -C "$T/fconf" -t
expect_rc 0 "rewrite_from, foreign From"
arrived 1
postfix_msg "$pf" example.org rw2 | grep -q '^From: Someone <someone@example.com>$' && ok "foreign From kept" ||
	fail "From: $(postfix_msg "$pf" example.org rw2 | grep -m1 '^From:')"

# 11. Cron output with a 5000-octet line and a NUL: the body is re-encoded
#     quoted-printable, losslessly; nothing arrives longer than 998.
{ printf 'From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@h> job\n\nstart\n'
  head -c 5000 /dev/zero | tr '\0' y; printf '\nnul:\0:end\nutf8: caf\xc3\xa9 = 1\n'; } >"$T/in"
cp "$T/in" "$T/cronmsg"
run_carrier "${C[@]}" -i qp@example.org
expect_rc 0 "long line and NUL"
arrived 1
postfix_msg "$pf" example.org qp >"$T/got"
grep -qi '^Content-Transfer-Encoding: quoted-printable$' "$T/got" && ok "quoted-printable" || fail "no QP header: $(head -20 "$T/got")"
grep -qi '^Content-Type: text/plain; charset=utf-8$' "$T/got" && ok "charset utf-8" || fail "Content-Type: $(field Content-Type "$T/got")"
awk 'length > 998 { bad = 1 } END { exit bad }' "$T/got" && ok "no line over 998" || fail "a long line arrived"
python3 -c '
import quopri, sys
got = open(sys.argv[1], "rb").read().split(b"\n\n", 1)[1]
want = open(sys.argv[2], "rb").read().split(b"\n\n", 1)[1]
sys.exit(0 if quopri.decodestring(got) == want else 1)' "$T/got" "$T/cronmsg" &&
	ok "the decoded body equals the input" || fail "QP body does not decode to the input"

# 13. Recipient arguments and -f in the forms sendmail and Postfix take:
#     an address list per argument (cron hands a comma-separated MAILTO
#     over as one), angle brackets, a display name.
printf '%sSubject: forms\n\nb\n' "$HDRS" >"$T/in"
run_carrier "${C[@]}" -i -f 'The Sender <fs@example.net>' 'fa@example.org, fb@example.org' '<fc@example.org>' 'Dee <fd@example.org>' fe
expect_rc 0 "address-list arguments"
arrived 5
for u in fa fb fc fd fe; do
	[ "$(postfix_envelope_sender "$pf" example.org $u)" = fs@example.net ] || fail "$u: sender $(postfix_envelope_sender "$pf" example.org $u)"
done
ok "five recipients from four arguments, sender from -f 'Name <addr>'"
run_carrier "${C[@]}" -i 'fa@example.org fb@example.org'
expect_rc 65 "two addresses without a comma"
expect_err_line "^carrier: invalid recipient \"fa@example.org fb@example.org\": expected ',' between addresses$" "two addresses without a comma"

# 14. -t with a Resent- block that has no Resent-To: the original To is
#     not mailed again (as Postfix: any Resent- field counts).
printf '%sTo: orig@example.org\nResent-From: fwd@example.org\nResent-Date: Sat, 28 Nov 2026 11:00:00 +0000\nSubject: r\n\nb\n' "$HDRS" >"$T/in"
run_carrier "${C[@]}" -t
expect_rc 64 "-t, Resent- without recipients"
expect_err_line 'no recipients in the arguments or the header' "-t, Resent- without recipients"

# 15. A field with a group is sent as it came, not flattened; a folded
#     and commented Content-Type still makes a long line quoted-printable.
{ printf 'From: root\nTo: Friends: gr1@example.org, gr2@example.org;, undisclosed-recipients:;\nContent-Type:\n text/plain (plain) ; charset=us-ascii\nSubject: g\n\n'
  head -c 1500 /dev/zero | tr '\0' z; echo; } >"$T/in"
run_carrier "${C[@]}" -t
expect_rc 0 "group field"
arrived 2
postfix_msg "$pf" example.org gr1 >"$T/got"
grep -q '^To: Friends: gr1@example.org, gr2@example.org;, undisclosed-recipients:;$' "$T/got" &&
	ok "group field unchanged" || fail "To: $(field To "$T/got")"
grep -q '^From: root@example.org$' "$T/got" && ok "From still qualified" || fail "From: $(field From "$T/got")"
grep -qi '^Content-Transfer-Encoding: quoted-printable$' "$T/got" && ok "folded Content-Type: re-encoded" ||
	fail "folded Content-Type: no QP"

# 16. -F too long for a From field: the address alone, not a refusal;
#     -I is -bi; an empty TMPDIR is /tmp.
printf 'Subject: f\n\nb\n' >"$T/in"
TMPDIR= run_carrier "${C[@]}" -i -F "$(head -c 1100 /dev/zero | tr '\0' a)" -f longname@example.org ln@example.org
expect_rc 0 "-F of 1100 octets, empty TMPDIR"
arrived 1
[ "$(field From <(postfix_msg "$pf" example.org ln))" = 'From: longname@example.org' ] && ok "From: the address alone" ||
	fail "From: $(postfix_msg "$pf" example.org ln | grep -m1 '^From:')"
run_carrier -I
expect_rc 0 "-I"
#     A NUL byte in a header field: a space, not the end of the field
#     (Postfix would keep only "Subject: nul").
printf 'Subject: nul\0here\n\nb\n' >"$T/in"
run_carrier "${C[@]}" -i nulhdr@example.org
expect_rc 0 "NUL in a header field"
arrived 1
[ "$(field Subject <(postfix_msg "$pf" example.org nulhdr))" = 'Subject: nul here' ] && ok "NUL in Subject became a space" ||
	fail "Subject: $(postfix_msg "$pf" example.org nulhdr | grep -a -m1 '^Subject:' | od -c | head -3)"
printf '%sSubject: obsolete flags\n\nb\n' "$HDRS" >"$T/in"
run_carrier "${C[@]}" -c -s -T 5d -M jvalue -Q -i ob@example.org
expect_rc 0 "-c, -s, -T, -M, -Q accepted"
arrived 1

# 17. A user without a passwd entry (a container's uid) can send with -f,
#     even when carrier adds the From field.
if command -v setpriv >/dev/null; then
	chmod 644 "$T/conf"
	chmod 755 "$T"
	printf 'Subject: nouser\n\nb\n' >"$T/in"
	setpriv --reuid 54321 --regid 54321 --clear-groups "$CARRIER" "${C[@]}" -i -f app@example.org nu@example.org <"$T/in" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 0 "uid without a name, -f given"
	arrived 1
	postfix_msg "$pf" example.org nu | grep -q '^From: app@example.org$' && ok "From from -f" ||
		fail "From: $(postfix_msg "$pf" example.org nu | grep -m1 '^From:')"
	setpriv --reuid 54321 --regid 54321 --clear-groups "$CARRIER" "${C[@]}" -i nu2@example.org <"$T/in" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 74 "uid without a name, no -f"
	expect_err_line '^carrier: user id 54321 has no name' "uid without a name, no -f"
else
	echo "skip: setpriv not installed (util-linux)"
fi

finish
