#!/bin/bash
# selftest.sh - exercises tests/lab/lab.sh end to end: private network
# namespace, Postfix on 127.0.0.1 and [::1], byte-exact delivery to two
# domains, envelope sender, smtp-sink fault injection, lab_ca, Postfix
# with STARTTLS, submission and smtps and SMTP AUTH (Cyrus SASL), clean
# shutdown; the DNSSEC lab of dnssec.sh (signed zones in nsd, unbound
# validating, tlsa_rdata).
# Exit 0 = pass, 77 = skipped (not root / no namespaces), 1 = failure.
# Talks to loopback addresses only.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab.sh
. "$here/lab.sh"
# shellcheck source=dns.sh
. "$here/dns.sh"
# shellcheck source=dnssec.sh
. "$here/dnssec.sh"

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
	postfix_stop "$T/pft"
	postfix_stop "$T/pfs"
	sink_stop "$T/sink"
	resolver_stop "$T/dns"
	dns_stop "$T/dns"
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

# -------------------------------------------------------------- TLS + SASL
# tsmtp HOST PORT plain|starttls|implicit [options] : one SMTP session with
# Python's smtplib, checking the certificate against --ca for --name;
# prints one line per step ("ehlo 250 starttls=yes auth=PLAIN LOGIN",
# "tls verified TLSv1.3", "auth 235", "rcpt 554", ...).
tsmtp() {
	timeout 20 python3 - "$@" <<'EOF'
import argparse, smtplib, socket, ssl, sys
p = argparse.ArgumentParser()
p.add_argument("host"); p.add_argument("port", type=int); p.add_argument("mode")
p.add_argument("--ca"); p.add_argument("--name")
p.add_argument("--auth", nargs=3, metavar=("USER", "PASS", "MECH"))
p.add_argument("--mail"); p.add_argument("--rcpt", action="append", default=[])
p.add_argument("--msg")
a = p.parse_args()
ctx = ssl.create_default_context(cafile=a.ca)
def ehlo(s, what):
    code, _ = s.ehlo("selftest.invalid")
    print(what, code, "starttls=%s" % ("yes" if s.has_extn("starttls") else "no"),
          "auth=%s" % (s.esmtp_features.get("auth", "").strip() or "-"))
def tlsinfo(sock):
    print("tls verified", sock.version(), "subject=%s" % dict(x[0] for x in sock.getpeercert()["subject"]).get("commonName"))
try:
    if a.mode == "implicit":
        raw = socket.create_connection((a.host, a.port), timeout=10)
        s = smtplib.SMTP(timeout=10)
        s.sock = ctx.wrap_socket(raw, server_hostname=a.name or a.host)
        code, _ = s.getreply()
        print("greeting", code)
        tlsinfo(s.sock)
    else:
        s = smtplib.SMTP(a.host, a.port, timeout=10)
        print("greeting 220")
    ehlo(s, "ehlo")
    if a.mode == "starttls":
        code, _ = s.docmd("STARTTLS")
        print("starttls", code)
        if code != 220:
            sys.exit(0)
        s.sock = ctx.wrap_socket(s.sock, server_hostname=a.name or a.host)
        s.file = None
        s.helo_resp = s.ehlo_resp = None
        s.esmtp_features = {}
        s.does_esmtp = False
        tlsinfo(s.sock)
        ehlo(s, "ehlo2")
    if a.auth:
        s.user, s.password = a.auth[0], a.auth[1]
        mech = a.auth[2].upper()
        try:
            code, _ = s.auth(mech, getattr(s, "auth_" + mech.lower()))
        except smtplib.SMTPAuthenticationError as e:
            code = e.smtp_code
        print("auth", code)
    if a.mail is not None:
        code, _ = s.docmd("MAIL FROM:<%s>" % a.mail)
        print("mail", code)
        ok = 0
        for r in a.rcpt:
            code, _ = s.docmd("RCPT TO:<%s>" % r)
            print("rcpt", code)
            ok += code < 400
        if ok and a.msg:
            code, _ = s.docmd("DATA")
            if code == 354:
                data = open(a.msg, "rb").read()
                lines = data.split(b"\r\n")
                if lines[-1] == b"":
                    lines.pop()
                out = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in lines)
                s.send(out + b".\r\n")
                code, _ = s.getreply()
            print("data", code)
    s.quit()
except ssl.SSLCertVerificationError as e:
    print("tls-error", e.verify_message)
except (OSError, smtplib.SMTPException) as e:
    print("error", type(e).__name__, e)
EOF
}

# expect_lines WHAT FILE LINE... : ok if FILE has each LINE (whole line)
expect_lines() {
	local what=$1 file=$2 l miss=''
	shift 2
	for l in "$@"; do
		grep -qxF -- "$l" "$file" || miss="$miss [$l]"
	done
	if [ -z "$miss" ]; then ok "$what"; else fail "$what: missing$miss; got: $(tr '\n' '|' <"$file")"; fi
}

t0=$EPOCHREALTIME
if lab_ca "$T/ca"; then
	ok "lab_ca in $(awk "BEGIN{printf \"%.2f\", $EPOCHREALTIME - $t0}") s"
else
	fail "lab_ca"
fi
for f in ca.pem ca.key server.pem server.key wrong.pem wrong.key other-ca.pem; do
	[ -s "$T/ca/$f" ] || fail "lab_ca made no $f"
done
check "lab_ca: keys are mode 600" test "$(stat -c %a "$T/ca/server.key" "$T/ca/ca.key" | sort -u)" = 600
verifies() { openssl verify -purpose sslserver -CAfile "$1" "$2" >/dev/null 2>&1; }
check "lab_ca: server.pem verifies against ca.pem" verifies "$T/ca/ca.pem" "$T/ca/server.pem"
check "lab_ca: wrong.pem verifies against ca.pem" verifies "$T/ca/ca.pem" "$T/ca/wrong.pem"
if verifies "$T/ca/other-ca.pem" "$T/ca/server.pem"; then
	fail "server.pem verifies against other-ca.pem"
else ok "lab_ca: server.pem does not verify against other-ca.pem"; fi
san=$(openssl x509 -in "$T/ca/server.pem" -noout -ext subjectAltName | tail -n +2 | tr -d ' ')
check "lab_ca: default names ($san)" test "$san" = "DNS:localhost,DNS:relay.test,IPAddress:127.0.0.1,IPAddress:0:0:0:0:0:0:0:1"
san=$(openssl x509 -in "$T/ca/wrong.pem" -noout -ext subjectAltName | tail -n +2 | tr -d ' ')
check "lab_ca: wrong.pem names only wrong.example" test "$san" = "DNS:wrong.example"
# shellcheck disable=SC2016 # $1 is for the inner shell
check "lab_ca: EC P-256 keys" bash -c 'openssl pkey -in "$1" -noout -text | grep -q "NIST CURVE: P-256"' - "$T/ca/server.key"
lab_ca "$T/ca2" mx.example 192.0.2.1 >/dev/null &&
	san=$(openssl x509 -in "$T/ca2/server.pem" -noout -subject -ext subjectAltName | tr -d ' \n')
check "lab_ca with names ($san)" test "$san" = "subject=O=carrierlab,CN=mx.exampleX509v3SubjectAlternativeName:DNS:mx.example,IPAddress:192.0.2.1"

tport=$(lab_free_port) subport=$(lab_free_port) tlsport=$(lab_free_port)
while [ "$subport" = "$tport" ]; do subport=$(lab_free_port); done
while [ "$tlsport" = "$tport" ] || [ "$tlsport" = "$subport" ]; do tlsport=$(lab_free_port); done
t0=$EPOCHREALTIME
if LAB_POSTFIX_TLS=$T/ca LAB_POSTFIX_SASL='alice:s3cr:et bob@example.org:bobpw' \
	LAB_POSTFIX_SUBMISSION_PORT=$subport LAB_POSTFIX_SMTPS_PORT=$tlsport \
	postfix_start "$T/pft" "$tport"; then
	ok "postfix_start with TLS and SASL (ports $tport, $subport, $tlsport) in $(awk "BEGIN{printf \"%.2f\", $EPOCHREALTIME - $t0}") s"
	printf 'Subject: over TLS\r\n\r\n.dot\r\nbody\r\n' >"$T/msgt"
	printf 'Subject: over TLS\n\n.dot\nbody\n' >"$T/wantt"
	ca=(--ca "$T/ca/ca.pem")

	# port: STARTTLS offered, AUTH only after it, no AUTH needed to send
	tsmtp 127.0.0.1 "$tport" starttls "${ca[@]}" --name relay.test --mail s@example.net \
		--rcpt t1@example.org --msg "$T/msgt" >"$T/d" 2>&1
	expect_lines "port $tport: STARTTLS, no AUTH before TLS, PLAIN LOGIN after, certificate verified for relay.test, sent without AUTH" "$T/d" \
		"ehlo 250 starttls=yes auth=-" "starttls 220" "tls verified TLSv1.3 subject=localhost" \
		"ehlo2 250 starttls=no auth=PLAIN LOGIN" "mail 250" "rcpt 250" "data 250"
	tsmtp 127.0.0.1 "$tport" plain --mail s@example.net --rcpt t2@example.org --msg "$T/msgt" >"$T/d" 2>&1
	expect_lines "port $tport: plaintext still accepted (security level may)" "$T/d" "rcpt 250" "data 250"
	tsmtp 127.0.0.1 "$tport" starttls --ca "$T/ca/other-ca.pem" --name relay.test >"$T/d" 2>&1
	expect_lines "a client trusting other-ca.pem refuses the certificate" "$T/d" "tls-error unable to get local issuer certificate"
	tsmtp 127.0.0.1 "$tport" starttls "${ca[@]}" --name wrong.example >"$T/d" 2>&1
	if grep -q '^tls-error .*mismatch' "$T/d"; then ok "the certificate does not name wrong.example"; else fail "name check: $(tr '\n' '|' <"$T/d")"; fi

	# submission: TLS required, then AUTH required
	tsmtp 127.0.0.1 "$subport" plain --mail s@example.net --rcpt x@example.org >"$T/d" 2>&1
	expect_lines "submission: no AUTH offered and MAIL refused before STARTTLS" "$T/d" "ehlo 250 starttls=yes auth=-" "mail 530"
	tsmtp 127.0.0.1 "$subport" starttls "${ca[@]}" --name localhost --mail s@example.net --rcpt x@example.org >"$T/d" 2>&1
	expect_lines "submission: RCPT refused without AUTH" "$T/d" "ehlo2 250 starttls=no auth=PLAIN LOGIN" "rcpt 554"
	tsmtp 127.0.0.1 "$subport" starttls "${ca[@]}" --name 127.0.0.1 --auth alice 's3cr:et' plain \
		--mail s@example.net --rcpt t3@example.org --msg "$T/msgt" >"$T/d" 2>&1
	expect_lines "submission: AUTH PLAIN as alice (realm $LAB_SASL_REALM), certificate verified for 127.0.0.1, sent" "$T/d" "auth 235" "rcpt 250" "data 250"
	tsmtp 127.0.0.1 "$subport" starttls "${ca[@]}" --auth alice 's3cr:et' login \
		--mail s@example.net --rcpt t4@example.org --msg "$T/msgt" >"$T/d" 2>&1
	expect_lines "submission: AUTH LOGIN as alice, sent" "$T/d" "auth 235" "data 250"
	tsmtp 127.0.0.1 "$subport" starttls "${ca[@]}" --auth bob@example.org bobpw plain >"$T/d" 2>&1
	expect_lines "submission: AUTH as bob@example.org (own realm)" "$T/d" "auth 235"
	tsmtp 127.0.0.1 "$subport" starttls "${ca[@]}" --auth alice wrong plain \
		--mail s@example.net --rcpt x@example.org >"$T/d" 2>&1
	expect_lines "submission: a wrong password gets 535, and no RCPT" "$T/d" "auth 535" "rcpt 554"

	# smtps: TLS from the first byte
	tsmtp 127.0.0.1 "$tlsport" implicit "${ca[@]}" --name localhost --auth alice 's3cr:et' plain \
		--mail s@example.net --rcpt t5@example.org --msg "$T/msgt" >"$T/d" 2>&1
	expect_lines "smtps: implicit TLS, AUTH PLAIN, sent" "$T/d" "tls verified TLSv1.3 subject=localhost" \
		"ehlo 250 starttls=no auth=PLAIN LOGIN" "auth 235" "data 250"
	tsmtp 127.0.0.1 "$tlsport" implicit "${ca[@]}" --mail s@example.net --rcpt x@example.org >"$T/d" 2>&1
	expect_lines "smtps: RCPT refused without AUTH" "$T/d" "rcpt 554"

	check "5 messages delivered over TLS" postfix_wait "$T/pft" 5
	for r in t1 t2 t3 t4 t5; do
		postfix_msg "$T/pft" example.org "$r" >"$T/got" 2>&1
		if cmp -s "$T/got" "$T/wantt"; then ok "the message to $r arrived byte for byte"; else
			fail "message to $r differs: $(od -c "$T/got" | head -5)"
		fi
	done
	check "the log shows SASL logins as alice@$LAB_SASL_REALM" grep -q "sasl_method=LOGIN, sasl_username=alice@$LAB_SASL_REALM" "$T/pft/maillog"
	tmpid=$(cat "$T/pft/master.pid")
	check "tlsmgr runs" test -n "$(pgrep -g "$tmpid" -x tlsmgr)"
	check "postfix_stop (TLS instance)" postfix_stop "$T/pft"
	check "no TLS instance processes left" test -z "$(pgrep -g "$tmpid")"
	for p in "$tport" "$subport" "$tlsport"; do
		check "port $p closed" test -z "$(ss -Hltn "sport = :$p")"
	done
else
	fail "postfix_start with TLS and SASL"
fi

# SASL without TLS: AUTH offered in plaintext on the one port
if LAB_POSTFIX_SASL='carol:pw' postfix_start "$T/pfs" "$tport"; then
	tsmtp 127.0.0.1 "$tport" plain --auth carol pw plain >"$T/d" 2>&1
	expect_lines "SASL without TLS: AUTH PLAIN offered and accepted in plaintext" "$T/d" \
		"ehlo 250 starttls=no auth=PLAIN LOGIN" "auth 235"
	check "no submission port without TLS" test -z "$(ss -Hltn "sport = :587")"
	postfix_stop "$T/pfs"
else
	fail "postfix_start with SASL only"
fi

# -------------------------------------------------------------- DNSSEC
# dnssec.sh: a signed zone (an A, a TLSA, a bogus TLSA), unsigned
# siblings, an unsigned parent and a broken zone, all in nsd; unbound
# validating with the signed zone's trust anchor only; tlsa_rdata against Python's own DER
# walk.  Skipped (not failed) without nsd, unbound or the ldns tools.

# tlsa_want CERT USAGE : the TLSA RDATA of CERT for each selector and
# matching type, "USAGE S M HEX" a line, computed with Python alone (the
# SubjectPublicKeyInfo found by walking the certificate's DER).
tlsa_want() {
	"$LAB_PYTHON" - "$@" <<'EOF'
import hashlib, ssl, sys
der = ssl.PEM_cert_to_DER_cert(open(sys.argv[1]).read())
def tlv(off):  # (tag, value start, value end) of the DER element at off
    tag, n, off = der[off], der[off + 1], off + 2
    if n & 0x80:
        n, off = int.from_bytes(der[off:off + (n & 0x7F)], "big"), off + (n & 0x7F)
    return tag, off, off + n
_, tbs, _ = tlv(tlv(0)[1])  # Certificate { tbsCertificate { ...
fields, off = [], tbs
for _ in range(7):
    tag, start, end = tlv(off)
    fields.append(der[off:end])
    off = end
if fields[0][0] == 0xA0:  # [0] version
    fields.pop(0)
# serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
for sel, data in ((0, der), (1, fields[5])):
    for mt, h in ((0, data.hex()), (1, hashlib.sha256(data).hexdigest()),
                  (2, hashlib.sha512(data).hexdigest())):
        print(sys.argv[2], sel, mt, h)
EOF
}

# dq_is WHAT SERVER NAME TYPE WANT... : dnssec_query's lines, joined by
# "; ", are WANT
dq_is() {
	local what=$1 server=$2 name=$3 type=$4 got want
	shift 4
	got=$(dnssec_query "$name" "$type" "$server" 2>&1 | paste -sd';' | sed 's/;/; /g')
	want=$(printf '%s; ' "$@")
	want=${want%; }
	if [ "$got" = "$want" ]; then ok "$what: $got"; else fail "$what: $got, want $want"; fi
}

# refused WHAT CMD... : ok if CMD fails (its stderr dropped)
refused() {
	local what=$1
	shift
	if "$@" 2>/dev/null; then fail "$what"; else ok "$what"; fi
}

selftest_dnssec() {
	local d=$T/dns cert usage u r311 t0 upid npid tall=$EPOCHREALTIME
	for cert in server.pem:3 ca.pem:2; do
		usage=${cert#*:} cert=${cert%:*}
		tlsa_want "$T/ca/$cert" "$usage" >"$T/tlsa.want"
		for u in 0/0 0/1 0/2 1/0 1/1 1/2; do
			tlsa_rdata "$T/ca/$cert" "$usage" "${u%/*}" "${u#*/}"
		done >"$T/tlsa.got"
		if cmp -s "$T/tlsa.got" "$T/tlsa.want"; then
			ok "tlsa_rdata $cert $usage S M: the DER and hashes that Python computes"
		else fail "tlsa_rdata $cert: $(diff "$T/tlsa.want" "$T/tlsa.got" | tr '\n' '|')"; fi
	done
	check "tlsa_rdata: 64 hex digits for SHA-256, 128 for SHA-512" test \
		"$(awk '$3 != 0 { printf "%d:%d ", $3, length($4) }' "$T/tlsa.got")" = "1:64 2:128 1:64 2:128 "
	r311=$(tlsa_rdata "$T/ca/server.pem" 3 1 1)
	refused "tlsa_rdata refuses selector 2" tlsa_rdata "$T/ca/server.pem" 3 2 1
	refused "tlsa_rdata fails without a certificate" tlsa_rdata "$T/nothing.pem" 3 1 1

	t0=$EPOCHREALTIME
	dns_zone "$d" dane.test <<EOF
@             MX   10 mx
mx            A    127.0.0.2
_25._tcp.mx   TLSA $r311
mx2           A    127.0.0.3
_25._tcp.mx2  TLSA $r311
EOF
	dns_zone "$d" plain.test <<EOF
mx            A    127.0.0.4
_25._tcp.mx   TLSA $r311
EOF
	dns_zone "$d" test <<'EOF'
a             A    127.0.0.5
EOF
	dns_zone_broken "$d" broken.test
	check "dnssec_sign dane.test, _25._tcp.mx2 bogus" dnssec_sign "$d" dane.test _25._tcp.mx2
	ok "signed in $(ms_since "$t0") ms"
	check "the signed zone has two DNSKEYs (KSK 257, ZSK 256) and RRSIGs" test \
		"$(awk '$4 == "DNSKEY" { print $5 } $4 == "RRSIG" { n++ } END { print (n > 10) }' "$d/dane.test.zone" | sort | tr '\n' ' ')" = "1 256 257 "
	check "dane.test.ds: the KSK's DS, SHA-256" grep -Eq '^dane\.test\.[[:space:]]+IN[[:space:]]+DS[[:space:]]+[0-9]+ 13 2 [0-9a-f]{64}$' "$d/dane.test.ds"
	refused "dnssec_sign refuses a signed zone" dnssec_sign "$d" dane.test
	dns_zone "$d" bad.test <<<'x A 127.0.0.9'
	refused "dnssec_sign fails for a BOGUS_OWNER without records" dnssec_sign "$d" bad.test nothing
	check "... leaving bad.test unsigned, without a trust anchor" \
		test ! -e "$d/bad.test.ds" -a -z "$(grep RRSIG "$d/bad.test.zone")"
	cp "$d/dane.test.unsigned" "$d/dane.test.zone"
	check "dnssec_sign dane.test again (after a new zone file)" dnssec_sign "$d" dane.test _25._tcp.mx2

	t0=$EPOCHREALTIME
	if ! dns_start "$d" || ! resolver_start "$d"; then
		fail "dns_start and resolver_start"
		return
	fi
	ok "nsd and unbound (127.0.0.53) answer, in $(ms_since "$t0") ms"
	dq_is "nsd serves the signed TLSA (no AD: authoritative)" 127.0.0.1 _25._tcp.mx.dane.test TLSA \
		"rcode NOERROR" "flags qr aa rd" "TLSA $r311"
	dq_is "signed A: AD" 127.0.0.53 mx.dane.test A "rcode NOERROR" "flags qr rd ra ad" "A 127.0.0.2"
	dq_is "signed TLSA: AD" 127.0.0.53 _25._tcp.mx.dane.test TLSA "rcode NOERROR" "flags qr rd ra ad" "TLSA $r311"
	dq_is "signed NXDOMAIN: AD" 127.0.0.53 nx.dane.test A "rcode NXDOMAIN" "flags qr rd ra ad"
	dq_is "signed NODATA: AD" 127.0.0.53 mx.dane.test AAAA "rcode NOERROR" "flags qr rd ra ad"
	dq_is "bogus TLSA: SERVFAIL" 127.0.0.53 _25._tcp.mx2.dane.test TLSA "rcode SERVFAIL" "flags qr rd ra"
	dq_is "the A beside a bogus name: AD" 127.0.0.53 mx2.dane.test A "rcode NOERROR" "flags qr rd ra ad" "A 127.0.0.3"
	dq_is "unsigned sibling zone: no AD, no SERVFAIL" 127.0.0.53 _25._tcp.mx.plain.test TLSA \
		"rcode NOERROR" "flags qr rd ra" "TLSA $r311"
	dq_is "unsigned NXDOMAIN: no AD" 127.0.0.53 nx.plain.test A "rcode NXDOMAIN" "flags qr rd ra"
	dq_is "unsigned parent zone: no AD" 127.0.0.53 a.test A "rcode NOERROR" "flags qr rd ra" "A 127.0.0.5"
	dq_is "a name in no zone: REFUSED" 127.0.0.53 www.example.com A "rcode REFUSED" "flags qr aa rd ra"
	dq_is "a broken zone: SERVFAIL" 127.0.0.53 x.broken.test A "rcode SERVFAIL" "flags qr rd ra"
	check "without the AD bit in the query, no AD (RFC 6840 5.7)" test \
		"$("$LAB_PYTHON" "$LAB_DIR/dnsq.py" -f -s 127.0.0.53 mx.dane.test A | paste -sd' ')" = "rcode NOERROR flags qr rd ra A 127.0.0.2"
	check "dns_query's output has no flags line" test \
		"$(dns_query mx.dane.test A 127.0.0.53 | paste -sd' ')" = "rcode NOERROR A 127.0.0.2"
	check "unbound.log: the query" grep -q 'info: 127\.0\.0\.1 _25\._tcp\.mx\.dane\.test\. TLSA IN$' "$d/unbound.log"
	check "unbound.log: why the bogus name failed" \
		grep -q 'validation failure <_25\._tcp\.mx2\.dane\.test\. TLSA IN>: signature crypto failed' "$d/unbound.log"
	upid=$(cat "$d/unbound.pid") npid=$(cat "$d/nsd.pid")
	check "resolver_stop" resolver_stop "$d"
	check "dns_stop" dns_stop "$d"
	check "unbound and nsd are gone" test -z "$(ps -o pid= -p "$upid,$npid")"
	check "port 53 closed" test -z "$(ss -Hlun 'sport = :53')$(ss -Hltn 'sport = :53')"
	echo "the DNSSEC lab checks took $(ms_since "$tall") ms"
}

if why=$(dnssec_tools); then
	selftest_dnssec
else
	echo "SKIP: the DNSSEC lab: $why"
fi

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
