#!/bin/bash
# t_hardening_sink: carrier called by a hostile or careless caller, and
# the rough edges a new user hits (issue 13), against smtp-sink:
#   - descriptors 0-2 closed: the -v transcript never goes into the SMTP
#     connection, and a closed stdin is refused (66), not an empty mail
#   - ulimit -f: EFBIG named, exit 74, not death by SIGXFSZ
#   - 100,001 recipients: the limit named, exit 64
#   - core dumps off (limit 0, not dumpable) before a secret is read
#   - --foo is named; --relay HOST works like --relay=HOST
# The system config, /etc/carrier.conf, is the test's own: /etc is an
# overlay (in the test's private mount namespace) whose upper layer is a
# tmpfs, so nothing of the host's /etc config is read or written.
. "$(dirname "$0")/common.sh"

if [ "$(readlink /proc/self/ns/mnt)" = "${HOST_MNTNS:-}" ]; then
	echo "SKIP: no private mount namespace for the test's /etc"; exit 77
fi
ov=$T/ov
mkdir -p "$ov" && mount -t tmpfs -o mode=755 tmpfs "$ov" &&
	mkdir -p "$ov/up" "$ov/work" ||
	{ echo "SKIP: cannot mount a tmpfs"; exit 77; }
cleanup_hooks+=("umount $ov 2>/dev/null")
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$ov/up,workdir=$ov/work" /etc ||
	{ echo "SKIP: cannot mount an overlay on /etc"; exit 77; }
cleanup_hooks=("umount /etc 2>/dev/null" "${cleanup_hooks[@]}")
: >"$T/aliases"
# sysconf TEXT: the system config (/etc/carrier.conf), with the test's
# aliases file and mail domain so that no other /etc file is read
sysconf() {
	printf 'aliases %s\ndomain example.org\n%s' "$T/aliases" "$1" >/etc/carrier.conf
	chmod 644 /etc/carrier.conf
}

port=2525
sysconf "relay 127.0.0.1:$port
"
sink_start "$T/sink" $port -d "$T/sink/dump/%s.%M." || exit 1
cleanup_hooks+=("sink_stop $T/sink")
dumps() { cat "$T"/sink/dump/* 2>/dev/null; }
clear_dumps() { rm -f "$T"/sink/dump/*; }

printf 'Subject: hardening\n\nthe body\n' >"$T/in"

# 1. stderr closed with -v: the transcript must not become SMTP commands.
clear_dumps
"$CARRIER" -v -f s@example.org fd2@example.org <"$T/in" >"$T/out" 2>&-
rc=$?
expect_rc 0 "stderr closed, -v"
sleep 0.3
if dumps | grep -q 'the body' && ! dumps | grep -qE '^(->|<-|--) '; then
	ok "stderr closed: the message arrived, no transcript in the dialogue"
else
	fail "stderr closed: what the sink got: $(dumps | head -20)"
fi
grep -qiE 'unrecogni|command not' "$T/sink/sink.log" &&
	fail "the sink saw bad commands: $(tail -5 "$T/sink/sink.log")" ||
	ok "stderr closed: the sink saw no bad command"

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
pub=$T/pub && mkdir -p "$pub" && chmod 1777 "$pub"
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

finish
