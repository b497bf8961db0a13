#!/bin/bash
# t_localfaults_postfix: local failures, through a real Postfix.
#   - A full disk where the message is kept (TMPDIR on a 64 KiB tmpfs):
#     while it is saved, while it is re-encoded, and in sendmail -bs.
#     Each gives a clear error naming the directory, nothing is sent,
#     and no file is left behind; the next message that fits goes.
#   - A missing TMPDIR.
#   - 1 MB of random bytes on stdin, with -i and without.
#   - kill -9 at 25 moments of a 4 MB send: whatever arrived is whole
#     and byte for byte what was sent, every send that exited 0 arrived,
#     and no temporary file is left.
. "$(dirname "$0")/common.sh"

if [ "$(readlink /proc/self/ns/mnt)" = "${HOST_MNTNS:-}" ]; then
	echo "SKIP: no private mount namespace for the small tmpfs"; exit 77
fi

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
postfix_start "$pf" 25 || exit 1
printf 'relay 127.0.0.1:25\ndomain example.org\n' >"$T/conf"
C=(-C "$T/conf")

full=$T/full
mkdir -p "$full" && mount -t tmpfs -o size=64k,mode=1777 tmpfs "$full" ||
	{ echo "SKIP: cannot mount a tmpfs"; exit 77; }
cleanup_hooks+=("umount $full 2>/dev/null")
n=0	# messages expected in the Maildirs so far
empty_dir() {	# DIR WHAT
	if [ -z "$(ls -A "$1")" ]; then ok "$2: nothing left in $1"
	else fail "$2: left in $1: $(ls -A "$1")"; fi
}
none_arrived() {	# WHAT
	sleep 0.3
	local have
	have=$(find "$pf/mail" -path '*/new/*' -type f 2>/dev/null | wc -l)
	if [ "$have" -eq "$n" ]; then ok "$1: nothing arrived"
	else fail "$1: $have messages in the Maildirs, want $n"; fi
}

# 1. The message does not fit while it is saved: exit 74 (EX_IOERR).
{ printf '%sSubject: too big\n\n' "$HDRS"; head -c 200000 /dev/zero | tr '\0' 'x' | fold -w 70; echo; } >"$T/in"
TMPDIR=$full run_carrier "${C[@]}" -i big@example.org
expect_rc 74 "full disk while saving"
expect_err_line "^carrier: saving the message in $full: No space left on device$" "full disk while saving"
none_arrived "full disk while saving"
empty_dir "$full" "full disk while saving"

# 2. It fits, but its quoted-printable form (lines over 998 octets) does
#    not fit beside it.
{ printf '%sSubject: long lines\n\n' "$HDRS"; for i in $(seq 24); do head -c 2000 /dev/zero | tr '\0' 'y'; echo; done; } >"$T/in"
TMPDIR=$full run_carrier "${C[@]}" -i long@example.org
expect_rc 74 "full disk while re-encoding"
expect_err_line "^carrier: re-encoding the message in $full: No space left on device$" "full disk while re-encoding"
none_arrived "full disk while re-encoding"
empty_dir "$full" "full disk while re-encoding"

# 3. The next message that fits goes, byte for byte.
printf '%sSubject: fits\n\nsmall\n' "$HDRS" >"$T/in"
TMPDIR=$full run_carrier "${C[@]}" -i small@example.org
expect_rc 0 "a message that fits"
n=$((n + 1))
postfix_wait "$pf" "$n" || fail "the small message did not arrive"
postfix_msg "$pf" example.org small >"$T/got"
expect_same "$T/got" "$T/in" "a message that fits"
empty_dir "$full" "after a send"

# 4. sendmail -bs: 451 for the message that does not fit, and the session
#    goes on to deliver the next one.
{
	printf 'EHLO c\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<bsbig@example.org>\r\nDATA\r\n'
	{ head -c 200000 /dev/zero | tr '\0' 'z' | fold -w 70; echo; } | sed 's/$/\r/'
	printf '.\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<bssmall@example.org>\r\nDATA\r\n'
	printf '%sSubject: bs\n\nsmall\n' "$HDRS" | sed 's/$/\r/'
	printf '.\r\nQUIT\r\n'
} >"$T/in"
TMPDIR=$full run_carrier "${C[@]}" -bs
expect_rc 0 "-bs session with a full disk"
tr -d '\r' <"$T/out" | grep -q '^452 4.3.1 Error: cannot save the message: No space left on device$' &&
	ok "-bs: 452 4.3.1 for the message that does not fit" || fail "-bs replies: $(tr -d '\r' <"$T/out")"
[ "$(tr -d '\r' <"$T/out" | grep -c '^250 2.0.0 Ok: ')" -eq 1 ] && ok "-bs: the next message accepted" ||
	fail "-bs replies: $(tr -d '\r' <"$T/out")"
n=$((n + 1))
postfix_wait "$pf" "$n" || fail "-bs: the small message did not arrive"
[ -e "$pf/mail/example.org/bsbig" ] && fail "-bs: the message that did not fit was sent" ||
	ok "-bs: nothing sent for the message that did not fit"
empty_dir "$full" "-bs"

# 5. A TMPDIR that does not exist.
printf '%sSubject: x\n\nx\n' "$HDRS" >"$T/in"
TMPDIR=$T/nonexistent run_carrier "${C[@]}" -i nodir@example.org
expect_rc 74 "missing TMPDIR"
expect_err_line "^carrier: cannot create a temporary file in $T/nonexistent: No such file or directory$" "missing TMPDIR"
none_arrived "missing TMPDIR"

# 6. Garbage on stdin: 1 MB from /dev/urandom, with -i and without (where
#    a lone "." line, should one occur, would end it).  It is all body (no
#    header field can start it), re-encoded quoted-printable for its NUL
#    bytes and long lines, and it decodes to the input with its line ends
#    made CRLF (and, without -i, up to a lone dot line).
# (a NUL first, so that no run of random bytes can start a header field)
{ printf '\0'; head -c 1000000 /dev/urandom; } >"$T/in"
for flags in -i ""; do
	n=$((n + 1))
	run_carrier "${C[@]}" $flags "garbage${flags:-_dot}@example.org"
	expect_rc 0 "1 MB of random bytes ${flags:-without -i}"
	postfix_wait "$pf" "$n" || fail "the random bytes did not arrive"
	postfix_msg "$pf" example.org "garbage${flags:-_dot}" >"$T/got"
	python3 - "$T/got" "$T/in" "${flags:-dot}" <<'PY' && ok "random bytes arrive and decode to the input (${flags:-without -i})" ||
import quopri, re, sys
got = open(sys.argv[1], "rb").read()
head, body = got.split(b"\n\n", 1)
assert re.search(rb"(?mi)^Content-Transfer-Encoding: quoted-printable$", head), "no QP"
assert max(len(l) for l in got.split(b"\n")) <= 998, "a line over 998"
want = re.sub(rb"\r\n|\r|\n", b"\n", open(sys.argv[2], "rb").read())
if not want.endswith(b"\n"):
    want += b"\n"
if sys.argv[3] == "dot":
    m = re.search(rb"(?m)^\.\n", want)
    if m:
        want = want[:m.start()]
dec = quopri.decodestring(body).replace(b"\r\n", b"\n")
sys.exit(0 if dec == want else 1)
PY
		fail "random bytes: the decoded body differs (${flags:-without -i})"
done

# 7. kill -9 at 25 moments, from before the connection to after the end
#    of data.  Each run has its own recipient and Subject.
work=$T/work
mkdir -p "$work"
head -c 3000000 /dev/urandom | base64 -w 76 >"$T/payload"
killed=0 done_ok=0
for i in $(seq 25); do
	{ printf '%sSubject: run %d\n\n' "$HDRS" "$i"; cat "$T/payload"; } >"$T/in.$i"
	TMPDIR=$work "$CARRIER" "${C[@]}" -i "k$i@example.org" <"$T/in.$i" >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '0.%03d' $((i * 4)))"	# 0.004 s steps, to 0.1 s
	kill -9 "$pid" 2>/dev/null
	wait "$pid"
	rc[$i]=$?
	case ${rc[$i]} in
	0) done_ok=$((done_ok + 1)) ;;
	137) killed=$((killed + 1)) ;;
	*) fail "kill -9 run $i: exit ${rc[$i]}" ;;
	esac
done 2>/dev/null	# bash's "Killed" notes
echo "kill -9: $killed runs killed, $done_ok finished first"
[ "$killed" -gt 0 ] && ok "kill -9: $killed runs killed" || fail "kill -9: no run was killed"
empty_dir "$work" "kill -9"
# give Postfix time for what was accepted, then look at every Maildir
postfix_wait "$pf" $((n + done_ok)) 30 || fail "kill -9: not every finished run arrived"
sleep 1
arrived=0 before=$failures
for i in $(seq 25); do
	if [ -d "$pf/mail/example.org/k$i/new" ] && [ -n "$(ls -A "$pf/mail/example.org/k$i/new")" ]; then
		arrived=$((arrived + 1))
		postfix_msg "$pf" example.org "k$i" >"$T/got" || { fail "kill -9 run $i: more than one copy"; continue; }
		cmp -s "$T/got" "$T/in.$i" || fail "kill -9 run $i (exit ${rc[$i]}): what arrived differs from what was sent"
	elif [ "${rc[$i]}" -eq 0 ]; then
		fail "kill -9 run $i exited 0 but nothing arrived"
	fi
done
echo "kill -9: $arrived messages arrived"
[ "$failures" -eq "$before" ] &&
	ok "kill -9: every message that arrived is whole ($arrived of 25; $done_ok exited 0)"

finish
