#!/bin/bash
# selftest.sh - exercises tests/lab/lab.sh end to end: private network
# namespace, Postfix on 127.0.0.1 and [::1], byte-exact delivery to two
# domains, envelope sender, smtp-sink fault injection, clean shutdown.
# Exit 0 = pass, 77 = skipped (not root / no namespaces), 1 = failure.
# Talks to loopback addresses only.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab.sh
. "$here/lab.sh"

lab_need_root
[ -n "${LAB_IN_NETNS:-}" ] || export SELFTEST_HOST_NETNS
SELFTEST_HOST_NETNS=${SELFTEST_HOST_NETNS:-$(readlink /proc/self/ns/net)}
lab_netns "$@"
lab_fetch || exit 1

passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { # check WHAT CMD... : ok if CMD succeeds
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

T=$(lab_mktemp) || exit 1
cleanup() {
	postfix_stop "$T/pf"
	postfix_stop "$T/pf6"
	sink_stop "$T/sink"
	rm -rf "$T"
}
trap cleanup EXIT

# smtp HOST PORT MSGFILE FROM RCPT... : one lock-step SMTP transaction;
# MSGFILE holds the DATA content, CRLF lines, not dot-stuffed.  Prints one
# line per reply: "<what> <code>".
smtp() {
	timeout 20 python3 - "$@" <<'EOF'
import socket, sys
host, port, msgfile, sender, rcpts = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
s = socket.create_connection((host, port), timeout=10)
f = s.makefile("rb")
def reply(what):
    while True:
        line = f.readline()
        if not line:
            print(what, "EOF")
            sys.exit(0)
        if line[3:4] != b"-":
            break
    code = int(line[:3])
    print(what, code)
    return code
def cmd(what, text):
    s.sendall(text.encode() + b"\r\n")
    return reply(what)
reply("greeting")
cmd("EHLO", "EHLO selftest.invalid")
cmd("MAIL", "MAIL FROM:<%s>" % sender)
accepted = 0
for r in rcpts:
    if cmd("RCPT", "RCPT TO:<%s>" % r) < 400:
        accepted += 1
if accepted and cmd("DATA", "DATA") == 354:
    data = open(msgfile, "rb").read()
    lines = data.split(b"\r\n")
    if lines[-1] == b"":
        lines.pop()
    out = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in lines)
    # a message that ends without CRLF (bare-LF test) still needs CRLF.CRLF
    s.sendall(out + b".\r\n")
    reply("DOT")
cmd("QUIT", "QUIT")
EOF
}

# -------------------------------------------------------------- namespace
if [ "$(readlink /proc/self/ns/net)" != "$SELFTEST_HOST_NETNS" ] &&
	[ "$(ip -o link show | awk -F': ' '{print $2}')" = lo ]; then
	ok "running in a private network namespace with only lo"
else
	fail "not in a private network namespace: $(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')"
fi

port=$(lab_free_port)
case $port in '' | *[!0-9]*) fail "lab_free_port printed '$port'" ;; *) ok "lab_free_port: $port" ;; esac

# -------------------------------------------------------------- postfix
t0=$EPOCHREALTIME
if postfix_start "$T/pf" "$port"; then
	t1=$EPOCHREALTIME
	ok "postfix_start on 127.0.0.1:$port in $(awk "BEGIN{printf \"%.2f\", $t1 - $t0}") s"
else
	fail "postfix_start"
	exit 1
fi
check "master.pid is the master's pid" test "$(ps -o comm= -p "$(cat "$T/pf/master.pid")")" = master

# What a client might send: its own Received field (folded), a client
# Return-Path and Bcc (Postfix drops those by default), no Date/Message-ID
# (Postfix would add them for local clients), lines starting with dots,
# "From " (mbox would quote it), a lone CR, 8-bit UTF-8, tabs, trailing
# blanks, a folded field, a 3000-byte field and a 5000-byte line (Postfix
# splits long lines into records) and empty last lines.
long=$(printf 'x%.0s' $(seq 5000))
longh=$(printf 'h%.0s' $(seq 3000))
printf '%s\r\n' \
	'Received: from client.invalid by client.invalid;' \
	'	Mon, 1 Jan 2024 00:00:00 +0000' \
	'Return-Path: <client-supplied@example.net>' \
	'From: Sender <sender@example.net>' \
	'To: a@example.org, b@example.com' \
	'Bcc: hidden@example.org' \
	'Subject: =?UTF-8?Q?selftest?=' \
	'X-Tab:	value with trailing blanks   ' \
	"X-Long: $longh" \
	'X-Folded: a' '  b' '	c' \
	'' \
	'.leading dot' \
	'..two dots' \
	'.' \
	'From the start of a line' \
	$'lone\rCR inside' \
	'h€llo wörld' \
	"$long" \
	'' '' >"$T/msg"
# Maildir files have LF line ends: expect CRLF -> LF, the lone CR kept
python3 -c '
import sys
d = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
open(sys.argv[2], "wb").write(d)' "$T/msg" "$T/want"

smtp 127.0.0.1 "$port" "$T/msg" sender@example.net a@example.org B@Example.COM >"$T/dialog" 2>&1
if grep -qx 'DOT 250' "$T/dialog"; then ok "SMTP transaction to two domains accepted"; else fail "SMTP transaction: $(tr '\n' ' ' <"$T/dialog")"; fi

check "postfix_wait sees 2 deliveries" postfix_wait "$T/pf" 2
check "Maildir example.org/a exists" test -d "$T/pf/mail/example.org/a/new"
check "Maildir example.com/b exists (lower-cased)" test -d "$T/pf/mail/example.com/b/new"
for box in "example.org a" "example.com b"; do
	# shellcheck disable=SC2086 # two words on purpose
	postfix_msg "$T/pf" $box >"$T/got" 2>"$T/err"
	if cmp -s "$T/got" "$T/want"; then
		ok "postfix_msg $box is byte-for-byte what was sent (CRLF -> LF)"
	else
		fail "postfix_msg $box differs: $(cat "$T/err")"
		diff <(od -c "$T/want") <(od -c "$T/got") | head -20
	fi
	# shellcheck disable=SC2086
	check "postfix_envelope_sender $box" test "$(postfix_envelope_sender "$T/pf" $box)" = sender@example.net
done
# shellcheck disable=SC2016 # $1 is for the inner shell
check "the Maildir file itself has LF line ends (no CR before LF)" \
	bash -c '! grep -q $'"'"'\r$'"'"' "$1"/mail/example.org/a/new/*' - "$T/pf"
check "Delivered-To keeps the recipient's case" \
	grep -q '^Delivered-To: B@Example.COM$' "$T/pf/mail/example.com/b/new/"*

# single recipient (Received gets a "for <...>" line), null sender, no body
printf 'Subject: only headers\r\n' >"$T/msg2"
smtp 127.0.0.1 "$port" "$T/msg2" "" solo@example.org >"$T/dialog" 2>&1
check "null-sender message accepted" grep -qx 'DOT 250' "$T/dialog"
check "postfix_wait sees 3 deliveries" postfix_wait "$T/pf" 3
check "postfix_msg of a header-only message" test "$(postfix_msg "$T/pf" example.org solo)" = "Subject: only headers"
check "postfix_envelope_sender prints nothing for <>" test -z "$(postfix_envelope_sender "$T/pf" example.org solo)"

# the lab rejects bare LF (so LF in a Maildir file always was CRLF)
printf 'Subject: bare\r\n\r\nbare\nLF\r\n' >"$T/msg3"
smtp 127.0.0.1 "$port" "$T/msg3" sender@example.net bare@example.org >"$T/dialog" 2>&1
if grep -q '^DOT 5' "$T/dialog"; then ok "bare LF in DATA is rejected with 5xx"; else fail "bare LF: $(tr '\n' ' ' <"$T/dialog")"; fi

t0=$EPOCHREALTIME
if postfix_wait "$T/pf" 4 1 2>/dev/null; then fail "postfix_wait for a 4th message should time out"; else
	ok "postfix_wait times out (1 s) and returns 1 ($(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t0}") s)"
fi
if postfix_msg "$T/pf" example.org nobody-here 2>/dev/null; then
	fail "postfix_msg should fail for an empty mailbox"
else
	ok "postfix_msg fails for an empty mailbox"
fi

# -------------------------------------------------------------- IPv6
port6=$(lab_free_port)
if postfix_start "$T/pf6" "$port6" ::1; then
	ok "postfix_start on [::1]:$port6"
	printf 'Subject: v6\r\n\r\nover IPv6\r\n' >"$T/msg6"
	smtp ::1 "$port6" "$T/msg6" six@example.net v6@example.org >"$T/dialog" 2>&1
	check "IPv6 transaction accepted" grep -qx 'DOT 250' "$T/dialog"
	check "IPv6 delivery" postfix_wait "$T/pf6" 1
	check "IPv6 message intact" test "$(postfix_msg "$T/pf6" example.org v6)" = "$(printf 'Subject: v6\n\nover IPv6')"
	check "Received shows the IPv6 client" grep -q 'IPv6:::1' "$T/pf6/mail/example.org/v6/new/"*
else
	fail "postfix_start on [::1]"
fi

# -------------------------------------------------------------- smtp-sink
sport=$(lab_free_port)
printf 'Subject: sink\r\n\r\nx\r\n' >"$T/msgs"
if sink_start "$T/sink" "$sport" -f RCPT; then
	ok "sink_start -f RCPT"
	smtp 127.0.0.1 "$sport" "$T/msgs" s@example.net r@example.org >"$T/dialog" 2>&1
	if grep -q '^RCPT 5' "$T/dialog"; then ok "smtp-sink -f RCPT answers RCPT with 5xx"; else fail "sink -f RCPT: $(tr '\n' ' ' <"$T/dialog")"; fi
else
	fail "sink_start -f RCPT"
fi
if sink_start "$T/sink" "$sport" -r RCPT; then
	smtp 127.0.0.1 "$sport" "$T/msgs" s@example.net r@example.org >"$T/dialog" 2>&1
	if grep -q '^RCPT 4' "$T/dialog"; then ok "smtp-sink -r RCPT answers RCPT with 4xx (soft)"; else fail "sink -r RCPT: $(tr '\n' ' ' <"$T/dialog")"; fi
else
	fail "sink_start -r RCPT"
fi
if sink_start "$T/sink" "$sport" -d "$T/sink/dump/%M%S."; then
	smtp 127.0.0.1 "$sport" "$T/msgs" s@example.net r@example.org >"$T/dialog" 2>&1
	check "smtp-sink accepts a message" grep -qx 'DOT 250' "$T/dialog"
	# shellcheck disable=SC2016 # $1 is for the inner shell
	check "smtp-sink -d dumped it" bash -c 'grep -q "^X-Rcpt-Args: <r@example.org>" "$1"/sink/dump/*' - "$T"
else
	fail "sink_start -d"
fi
spid=$(cat "$T/sink/sink.pid")

# -------------------------------------------------------------- shutdown
mpid=$(cat "$T/pf/master.pid")
mpid6=$(cat "$T/pf6/master.pid")
check "master has children (smtpd, qmgr, ...)" test -n "$(pgrep -g "$mpid")"
check "postfix_stop" postfix_stop "$T/pf"
check "postfix_stop [::1] instance" postfix_stop "$T/pf6"
check "sink_stop" sink_stop "$T/sink"
check "postfix_stop again is a no-op" postfix_stop "$T/pf"
left=$(pgrep -g "$mpid,$mpid6" 2>/dev/null; pgrep -f "$T/" 2>/dev/null; ps -o pid= -p "$spid" 2>/dev/null)
if [ -z "$left" ]; then ok "no lab processes left"; else
	fail "processes left: $(ps -o pid,args -p "$(echo "$left" | tr '\n' ',' | sed 's/,$//')")"
fi
check "port $port closed" test -z "$(ss -Hltn "sport = :$port")"
check "pid files removed" test ! -e "$T/pf/master.pid" -a ! -e "$T/sink/sink.pid"

echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
