#!/bin/bash
# t_hardening_sink: carrier called by a hostile or careless caller, and
# the rough edges a new user hits (issue 13), against smtp-sink:
#   - descriptors 0-2 closed: the -v transcript never goes into the SMTP
#     connection, and a closed stdin is refused (66), not an empty mail
#   - ulimit -f: EFBIG named, exit 74, not death by SIGXFSZ
#   - 100,001 recipients: the limit named, exit 64
#   - core dumps off (limit 0, not dumpable) before a secret is read
#   - --foo is named; --relay HOST works like --relay=HOST
#   - -C from a user: only files allow_config lists (else 77); the
#     system's credentials never go to a host -R names
#   - -v, --version and --dump-config say what was read (no secret);
#     config errors escaped, nothing shown of a file that is not one
#   - a mail domain without a dot is warned about; greeting_timeout
#   - paths the caller names (-C, -oA) escaped wherever they are shown;
#     -C through a link into an allowed directory reads the file there
#   - stdout closed: -bs replies and -bv lines never land in a file or
#     socket opened later
#   - --help lists the options of carrier(8)'s SYNOPSIS
# The system config, /etc/carrier.conf, is the test's own (see
# etc_carrier_conf in common.sh): nothing of the host's is read.
. "$(dirname "$0")/common.sh"

etc_carrier_conf "" || { echo "SKIP: no private mount namespace for the test's /etc"; exit 77; }
# a directory every user may read: carrier runs as a user too
pub=$T/pub && mkdir -p "$pub" && chmod 755 "$T" && chmod 1777 "$pub"
: >"$pub/aliases"
chmod 644 "$pub/aliases"
# sysconf TEXT: the system config (/etc/carrier.conf), with the test's
# aliases file and mail domain so that no other /etc file is read
sysconf() {
	etc_carrier_conf "$(printf 'aliases %s\ndomain example.org\n%s' "$pub/aliases" "$1")"
}

port=2525
sysconf "relay 127.0.0.1:$port
"
sink_start "$T/sink" $port -d "$T/sink/dump/%s.%M." || exit 1
cleanup_hooks+=("sink_stop $T/sink")
dumps() { cat "$T"/sink/dump/* 2>/dev/null; }
clear_dumps() { rm -f "$T"/sink/dump/*; }
# arrived_clean WHAT TEXT REGEX: the sink got a message with TEXT and no
# line matching REGEX (what carrier wrote on a descriptor it should not
# have), and saw no bad command
arrived_clean() {
	sleep 0.3
	if dumps | grep -q "$2" && ! dumps | grep -qE "$3"; then
		ok "$1: the message arrived, nothing else in the dialogue"
	else
		fail "$1: what the sink got: $(dumps | head -20)"
	fi
	grep -qiE 'unrecogni|command not' "$T/sink/sink.log" &&
		fail "$1: the sink saw bad commands: $(tail -5 "$T/sink/sink.log")" ||
		ok "$1: the sink saw no bad command"
}

printf 'Subject: hardening\n\nthe body\n' >"$T/in"

# 1. stderr closed with -v: the transcript must not become SMTP commands.
clear_dumps
"$CARRIER" -v -f s@example.org fd2@example.org <"$T/in" >"$T/out" 2>&-
rc=$?
expect_rc 0 "stderr closed, -v"
arrived_clean "stderr closed, -v" 'the body' '^(->|<-|--) '

# --serverinfo opens no file before its socket, which took descriptor 2
"$CARRIER" -v --serverinfo <"$T/in" >"$T/out" 2>&-
rc=$?
expect_rc 0 "stderr closed, -v --serverinfo"
if grep -q '^server: *\[127.0.0.1\]:2525' "$T/out" &&
	grep -q '^extension: *PIPELINING' "$T/out"; then
	ok "stderr closed, -v --serverinfo: the server's answers"
else
	fail "stderr closed, -v --serverinfo: $(cat "$T/out")"
fi

# 2. stdin closed: refused, nothing sent (an empty message is sent only
# when the caller gives one, as /dev/null).
clear_dumps
"$CARRIER" -f s@example.org fd0@example.org <&- >"$T/out" 2>"$T/err"
rc=$?
expect_rc 66 "stdin closed"
expect_err_line '^carrier: standard input is closed: no message to read' "stdin closed"
sleep 0.3
[ -z "$(dumps)" ] && ok "stdin closed: nothing sent" || fail "stdin closed: sent: $(dumps)"
"$CARRIER" -f s@example.org null@example.org </dev/null >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "stdin /dev/null: an empty message"

# 3. ulimit -f smaller than the message: EFBIG said, 74, nothing sent.
clear_dumps
head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 70 >"$T/big"
(ulimit -f 64; exec "$CARRIER" -f s@example.org big@example.org) <"$T/big" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 74 "ulimit -f"
expect_err_line '^carrier: saving the message in .*: File too large \(larger than the file size limit, ulimit -f\)' "ulimit -f"
sleep 0.3
[ -z "$(dumps)" ] && ok "ulimit -f: nothing sent" || fail "ulimit -f: sent: $(dumps | head -3)"

# 4. 100,001 recipients (11 lists of 10,000, as a MAILTO may give them).
clear_dumps
args=()
for i in $(seq 0 10); do
	args+=("$(seq -f "%g@x$i.io" 1 10000 | paste -sd,)")
done
"$CARRIER" -f s@example.org "${args[@]}" <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 64 "100,001 recipients"
expect_err_line '^carrier: too many recipients: carrier takes at most 100000 a message' "100,001 recipients"
[ -z "$(dumps)" ] && ok "100,001 recipients: nothing sent" || fail "100,001 recipients: sent"
unset args

# 5. No core dump and no ptrace of a process that may hold the AUTH
# secret: the password command (run as a user, not root) sees its
# parent carrier with a core size limit of 0 and not dumpable (then the
# same user cannot read its /proc/pid/environ, as it could before).
printf '#!/bin/sh\ngrep "^Max core file size" /proc/$PPID/limits >%s/core\nhead -c 1 /proc/$PPID/environ | wc -c >%s/environ\necho secret\n' "$pub" "$pub" >"$pub/pw.sh"
chmod 755 "$pub/pw.sh"
sysconf "relay 127.0.0.1:$port
auth_user u
auth_password_command exec $pub/pw.sh
"
(ulimit -c unlimited; exec setpriv --reuid 54321 --regid 54321 --clear-groups \
	"$CARRIER" -f s@example.org core@example.org) <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 75 "AUTH to a server without TLS: refused before the secret is sent"
if grep -qE '^Max core file size +0 +0 ' "$pub/core" 2>/dev/null; then
	ok "the core size limit is 0 while the secret is read"
else
	fail "core limit while the secret is read: $(cat "$pub/core" 2>&1)"
fi
[ "$(cat "$pub/environ" 2>/dev/null)" = 0 ] && ok "carrier is not dumpable" ||
	fail "carrier is dumpable: its user read $(cat "$pub/environ" 2>&1) octet(s) of its environ"

# 6. Long options: an unknown one is named; --relay takes its value after
# a space too.
"$CARRIER" --foo a@example.org <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 64 "--foo"
expect_err_line '^carrier: unknown option --foo$' "--foo"
sysconf ""
clear_dumps
"$CARRIER" --relay 127.0.0.1:$port -f s@example.org spaced@example.org <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "--relay HOST"
sleep 0.3
dumps | grep -q 'spaced@example.org' && ok "--relay HOST: sent there" || fail "--relay HOST: not sent"
"$CARRIER" -f s@example.org --relay >"$T/out" 2>"$T/err" <"$T/in"
rc=$?
expect_rc 64 "--relay without a value"
expect_err_line '^carrier: option --relay needs a value$' "--relay without a value"

# 7. -C from a caller other than root: only what allow_config lists.
cat >"$pub/mark.sh" <<EOF2
#!/bin/sh
touch $pub/ran
echo secret
EOF2
chmod 755 "$pub/mark.sh"
asuser() { setpriv --reuid 54321 --regid 54321 --clear-groups "$CARRIER" "$@" <"$T/in" >"$T/out" 2>"$T/err"; rc=$?; }
printf 'relay 127.0.0.1:2526\naliases %s\nauth_user x\nauth_password_command exec %s\n' \
	"$pub/aliases" "$pub/mark.sh" >"$pub/priv.conf"
mkdir -p "$pub/allowed"
printf 'relay 127.0.0.1:%s\naliases %s\ndomain example.org\n' $port "$pub/aliases" >"$pub/allowed/app.conf"
chmod 644 "$pub/priv.conf" "$pub/allowed/app.conf"
sysconf "relay 127.0.0.1:$port
"
clear_dumps; rm -f "$pub/ran"
asuser -C "$pub/priv.conf" -f s@example.org c1@example.net
expect_rc 77 "-C by a user, no allow_config"
expect_err_line "^carrier: -C ${pub//./\\.}/priv\.conf: not allowed: only root may name a configuration file that allow_config in /etc/carrier\.conf does not list$" "-C by a user"
[ ! -e "$pub/ran" ] && ok "-C by a user: its auth_password_command did not run" ||
	fail "-C by a user: its auth_password_command ran"
sysconf "relay 127.0.0.1:$port
allow_config $pub/allowed/
"
asuser -C "$pub/allowed/../priv.conf" -f s@example.org c2@example.net
expect_rc 77 "-C by a user, a path out of the allowed directory"
[ ! -e "$pub/ran" ] && ok "-C .. : nothing ran" || fail "-C ..: its auth_password_command ran"
ln -sf "$pub/priv.conf" "$pub/allowed/link.conf"
asuser -C "$pub/allowed/link.conf" -f s@example.org c3@example.net
expect_rc 77 "-C by a user, a link out of the allowed directory"
sleep 0.3
[ -z "$(dumps)" ] && ok "refused -C: nothing sent" || fail "refused -C: sent: $(dumps | head -3)"
asuser -C /etc/carrier.conf -f s@example.org c5@example.net
expect_rc 0 "-C /etc/carrier.conf by a user: what is read without -C"
asuser -C "$pub/allowed/app.conf" -f s@example.org c4@example.net
expect_rc 0 "-C by a user, a file in an allowed directory"
sleep 0.3
dumps | grep -q 'c4@example.net' && ok "allowed -C: sent" || fail "allowed -C: not sent"

# 8. The system's credentials go only to the system's relay: a host
# that -R names gets none (the secret is not even read), the system's
# relay does (smtp-sink answers AUTH with 250, not 235: 75).
sink_start "$T/sink2" 2526 -d "$T/sink2/dump/%s.%M." || fail "second sink did not start"
cleanup_hooks+=("sink_stop $T/sink2")
sysconf "relay 127.0.0.1:$port
auth_user u
auth_password_command exec $pub/mark.sh
auth_allow_plaintext yes
"
clear_dumps; rm -f "$pub/ran"
asuser -v -R 127.0.0.1:2526 -f s@example.org other@example.net
expect_rc 0 "-R another host, system credentials"
expect_err_line '^carrier: -R names another relay than the configuration.s: no AUTH, its credentials are not sent there$' "-R another host: said"
grep -q '^-> AUTH' "$T/err" && fail "-R another host: AUTH sent" || ok "-R another host: no AUTH"
[ ! -e "$pub/ran" ] && ok "-R another host: the secret was not read" ||
	fail "-R another host: auth_password_command ran"
sleep 0.3
cat "$T"/sink2/dump/* 2>/dev/null | grep -q 'other@example.net' && ok "-R another host: sent there" ||
	fail "-R another host: not sent"
asuser -R 127.0.0.1:$port -f s@example.org same@example.net
expect_rc 75 "-R the system's relay, system credentials"
expect_err_line 'said after AUTH PLAIN' "-R the system's relay: AUTH sent"
[ -e "$pub/ran" ] && ok "-R the system's relay: the secret was read" ||
	fail "-R the system's relay: auth_password_command did not run"

# 9. What carrier read: -v names the configuration, --version shows the
# libtls it loads and the configuration path, --dump-config the settings
# in effect and never a secret.
printf 'relay 127.0.0.1:%s\naliases %s\ndomain example.org\n' $port "$pub/aliases" >"$T/root.conf"
"$CARRIER" -v -C "$T/root.conf" -f s@example.org v@example.net <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "-v"
expect_err_line "^-- configuration ${T//./\\.}/root\.conf$" "-v names the configuration"
"$CARRIER" --version >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "--version"
if [ "$(sed -n 1p "$T/out")" = "carrier 0.1.0" ] &&
	grep -qE '^libtls: libtls\.so\.[0-9]+$' "$T/out" &&
	grep -qx 'configuration: /etc/carrier.conf' "$T/out"; then
	ok "--version: version, libtls, configuration"
else
	fail "--version: $(cat "$T/out")"
fi
sysconf "relay 127.0.0.1:$port
auth_user u
auth_password_command printf '%s\n' hunter2-secret
auth_allow_plaintext yes
"
"$CARRIER" --dump-config >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "--dump-config"
grep -qx "relay 127.0.0.1:$port" "$T/out" && grep -qx 'auth_user u' "$T/out" &&
	grep -qx 'greeting_timeout 60s' "$T/out" &&
	grep -qx '# auth_password_command (set; not shown, it may hold a secret)' "$T/out" &&
	ok "--dump-config: the settings" || fail "--dump-config: $(cat "$T/out")"
grep -q hunter2 "$T/out" && fail "--dump-config shows the secret" || ok "--dump-config: no secret"
"$CARRIER" --dump-config -R 127.0.0.1:2526 >"$T/out" 2>"$T/err"
grep -qx 'relay 127.0.0.1:2526' "$T/out" && grep -qx '# auth_user (not set: no AUTH)' "$T/out" &&
	ok "--dump-config -R: the relay, and no AUTH for it" || fail "--dump-config -R: $(cat "$T/out")"

# 10. Config errors: escaped, and nothing of a file that is not one.
printf 'helo \033]0;owned\007\033[2J\n' >"$T/esc.conf"
"$CARRIER" -C "$T/esc.conf" a@example.net <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 78 "escape sequences in the configuration"
grep -q $'\033' "$T/err" && fail "an escape sequence reached stderr" ||
	expect_err_line '^carrier: .*esc\.conf:1: invalid helo name "\\x1b]0;owned\\x07\\x1b\[2J"$' "escaped"
printf 'root:$y$j9T$F5Jx5fExrKuJd/$Yd8Kq0pHash:19000:0:99999:7:::\n' >"$T/shadow"
"$CARRIER" -C "$T/shadow" a@example.net <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 78 "-C a shadow file"
grep -qE 'Yd8Kq0|j9T|root:' "$T/err" && fail "-C a shadow file: its content shown: $(cat "$T/err")" ||
	expect_err_line 'shadow:1: not a configuration line' "-C a shadow file: nothing of it shown"

# 11. A mail domain that is not fully qualified is warned about; a relay
# that never greets holds carrier greeting_timeout, not timeout.
printf 'relay 127.0.0.1:%s\naliases %s\ndomain vm\n' $port "$pub/aliases" >"$T/vm.conf"
clear_dumps
"$CARRIER" -C "$T/vm.conf" -f root cron <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "domain vm"
expect_err_line '^carrier: warning: the mail domain "vm" is not fully qualified \(root@vm\); set domain in carrier\.conf, or /etc/mailname$' "domain vm: warned"
[ "$(grep -c warning "$T/err")" = 1 ] && ok "domain vm: one warning" || fail "domain vm: $(cat "$T/err")"
"$CARRIER" -C "$T/root.conf" -f root cron <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "domain example.org"
[ -s "$T/err" ] && fail "domain example.org: stderr: $(cat "$T/err")" || ok "domain example.org: no warning"
sink_start "$T/sink3" 2527 -W CONNECT:30 || fail "silent sink did not start"
cleanup_hooks+=("sink_stop $T/sink3")
printf 'relay 127.0.0.1:2527\naliases %s\ndomain example.org\ntimeout 20s\ngreeting_timeout 2s\n' "$pub/aliases" >"$T/silent.conf"
start=${EPOCHREALTIME/./}
"$CARRIER" -C "$T/silent.conf" -f s@example.org a@example.net <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
took=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
expect_rc 75 "a relay that never greets"
expect_err_line 'timed out after 2 s waiting for the greeting' "greeting_timeout 2s, timeout 20s"
[ $took -ge 1900 ] && [ $took -le 4000 ] && ok "gave up after ${took} ms" ||
	fail "took ${took} ms for greeting_timeout 2s"

# 12. Paths the caller names are shown escaped: -C (a file that is not
# there, and a bad line: conf's "name:line:" prefix), -oA (newaliases,
# a bad entry), --version.  A terminal must never get the ESC.
esc=$'\033[2J'
# escaped WHAT FILE REGEX: no ESC octet in FILE, and a line matching REGEX
escaped() {
	if grep -q $'\033' "$2"; then fail "$1: an ESC reached the terminal: $(cat -v "$2")"
	elif grep -qE -- "$3" "$2"; then ok "$1: escaped"
	else fail "$1: $(cat -v "$2") does not match /$3/"; fi
}
Tre=${T//./\\.}
"$CARRIER" -C "$T/${esc}none" a@example.net <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 78 "-C with an ESC, no such file"
escaped "-C with an ESC, no such file" "$T/err" "^carrier: $Tre/\\\\x1b\[2Jnone: No such file or directory$"
printf 'bogus line\n' >"$T/${esc}bad.conf"
"$CARRIER" -C "$T/${esc}bad.conf" a@example.net <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 78 "-C with an ESC, a bad line"
escaped "-C with an ESC, a bad line" "$T/err" "^carrier: $Tre/\\\\x1b\[2Jbad\.conf:1: unknown key \"bogus\"$"
"$CARRIER" -C "$T/${esc}none" --version >"$T/out" 2>"$T/err"
escaped "--version -C with an ESC" "$T/out" "^configuration: $Tre/\\\\x1b\[2Jnone \(not there: the defaults\)$"
"$CARRIER" -oA"$T/${esc}aliases" -bi >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "-oA with an ESC, no such file"
escaped "-oA with an ESC, no such file" "$T/out" "^carrier: $Tre/\\\\x1b\[2Jaliases: 0 aliases; "
printf 'root\n' >"$T/${esc}aliases"
"$CARRIER" -oA"$T/${esc}aliases" -bi >"$T/out" 2>"$T/err"
rc=$?
expect_rc 78 "-oA with an ESC, a bad entry"
escaped "-oA with an ESC, a bad entry" "$T/err" "^carrier: $Tre/\\\\x1b\[2Jaliases:1: expected ':' after the alias name, entry skipped$"

# 13. -C by a user through a link into an allowed directory: the path
# resolved is checked, and that file is read (its relay gets the mail).
sysconf "relay 127.0.0.1:2526
allow_config $pub/allowed/
"
ln -sf "$pub/allowed/app.conf" "$pub/to-app.conf"
clear_dumps
asuser -C "$pub/to-app.conf" -f s@example.org linked@example.net
expect_rc 0 "-C by a user, a link into the allowed directory"
sleep 0.3
dumps | grep -q 'linked@example.net' && ok "-C through a link: the allowed file was read" ||
	fail "-C through a link: not sent to app.conf's relay"

# 14. stdout closed: it is /dev/null before anything else is opened, so
# what carrier writes there goes nowhere: -bs's replies (not an error,
# nor into the relay's socket), -bv's answer (not into the -X file).
sysconf "relay 127.0.0.1:$port
"
clear_dumps
printf 'EHLO client.example\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<bs1@example.net>\r\nDATA\r\nSubject: closed stdout\r\n\r\nreplies go nowhere\r\n.\r\nQUIT\r\n' >"$T/bs.in"
"$CARRIER" -bs <"$T/bs.in" >&- 2>"$T/err"
rc=$?
expect_rc 0 "-bs, stdout closed"
[ ! -s "$T/err" ] && ok "-bs, stdout closed: nothing on stderr" || fail "-bs, stdout closed: $(cat "$T/err")"
arrived_clean "-bs, stdout closed" 'replies go nowhere' '^(220|250|354|221)[ -]'
# -X opens its file after the start: on descriptor 1, were it free,
# and -bv's answer would be written into it
rm -f "$T/xlog"
"$CARRIER" -X "$T/xlog" -bv bv@example.net <"$T/in" >&- 2>"$T/err"
rc=$?
expect_rc 0 "-bv -X, stdout closed"
[ ! -s "$T/err" ] && ok "-bv -X, stdout closed: nothing on stderr" || fail "-bv -X, stdout closed: $(cat "$T/err")"
grep -q 'deliverable' "$T/xlog" 2>/dev/null &&
	fail "-bv -X, stdout closed: its answer went into the -X file: $(cat "$T/xlog")" ||
	ok "-bv -X, stdout closed: nothing in the -X file"

# 15. The usage lists what carrier(8)'s SYNOPSIS does, -h, -L and -oA
# included.
"$CARRIER" --help >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "--help"
for opt in '[-h count]' '[-L tag]' '[-oApath]' '[-X file]' '[-R host[:port] | -R full|hdrs]'; do
	grep -qF -- "$opt" "$T/err" && ok "--help lists $opt" || fail "--help does not list $opt: $(cat "$T/err")"
done

finish
