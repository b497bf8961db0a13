#!/bin/bash
# t_tls_postfix: TLS and SMTP AUTH end to end against a real Postfix (the
# lab's, with a throwaway CA from lab_ca, STARTTLS on 25, submission on
# 587, smtps on 465, Cyrus SASL PLAIN/LOGIN) and smtp-sink: certificate
# and name verification, tls_verify off, "tls starttls" against a server
# without STARTTLS, implicit TLS, AUTH PLAIN and LOGIN with the secret from
# a file or a command, a wrong password, a password file others can read,
# no credentials without TLS, no secret in the -v transcript, a pipelined
# transaction with a refused recipient over TLS+AUTH, and --serverinfo.
# Each case checks the exit status, the stderr line and what arrived, byte
# for byte.
#
# An assertion whose failure is a known carrier bug (not a test problem)
# says "CARRIER BUG" in its message; see the notes next to it.
# shellcheck disable=SC2015 # "A && ok || fail": ok always succeeds
. "$(dirname "$0")/common.sh"

PW=c0rrect-h0rse_St4ple       # alice's password (never in a transcript)
USER=alice

lab_ca "$T/ca" || exit 1
CA=$T/ca/ca.pem

# pf: STARTTLS on 25 (server.pem), submission 587, smtps 465; on 587 and
# 465 bad@example.org is refused with 550 (case 12).
pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
LAB_POSTFIX_TLS=$T/ca LAB_POSTFIX_SASL="$USER:$PW" \
	LAB_POSTFIX_MAIN_CF='mua_recipient_restrictions = check_recipient_access inline:{{bad@example.org = 550 5.1.1 no such user here}}, permit_sasl_authenticated, reject' \
	postfix_start "$pf" 25 || exit 1

# pf2: serves wrong.pem (DNS:wrong.example only): STARTTLS on 2525, which
# also offers AUTH without TLS (smtpd_tls_auth_only = no), smtps on 2465.
pf2=$T/pf2
cleanup_hooks+=("postfix_stop $pf2")
LAB_POSTFIX_TLS=$T/ca LAB_POSTFIX_SASL="$USER:$PW" \
	LAB_POSTFIX_SUBMISSION_PORT=0 LAB_POSTFIX_SMTPS_PORT=2465 \
	LAB_POSTFIX_MAIN_CF="smtpd_tls_chain_files = $T/ca/wrong.key, $T/ca/wrong.pem
smtpd_tls_auth_only = no" \
	postfix_start "$pf2" 2525 || exit 1

# smtp-sink: no STARTTLS (case 5)
cleanup_hooks+=("sink_stop $T/sink")
sink_start "$T/sink" 2500 -d "$T/sink/dump/%H%M%S." || exit 1

# ------------------------------------------------------------ helpers

# conf NAME LINE... : a carrier.conf in $T/NAME.conf
conf() {
	local name=$1
	shift
	# a mail domain of the test's own: the host's name may have no dot
	printf '%s\n' "domain example.org" "$@" >"$T/$name.conf"
}

# input SUBJECT : the message on stdin for the next run, and $T/want, what
# must arrive (the same bytes: LF lines in, LF lines in the Maildir).  It
# has every header field a submission program might add when missing.
input() {
	printf '%s\n' 'From: Lab <sender@example.net>' 'To: lab@example.org' \
		'Date: Sun, 29 Nov 2026 00:00:00 +0000' \
		"Message-ID: <$(echo "$1" | tr -c 'a-z0-9\n' -)@lab.example.net>" \
		"Subject: $1" '' '.leading dot' '..two dots' $'h\303\251llo w\303\266rld' \
		'last line' >"$T/in"
	cp "$T/in" "$T/want"
}

# arrived PF N LOCAL WHAT : wait until PF delivered N messages in all,
# then LOCAL@example.org must hold exactly $T/want.
arrived() {
	local p=$1 n=$2 lp=$3 what=$4
	if ! postfix_wait "$p" "$n"; then
		fail "$what: not delivered to $lp@example.org"
		return
	fi
	postfix_msg "$p" example.org "$lp" >"$T/got" || { fail "$what: no message for $lp"; return; }
	expect_same "$T/got" "$T/want" "$what"
}

# expect_transcript REGEX WHAT / expect_no_transcript REGEX WHAT: on
# stderr (the -v transcript), a line matches / no line matches.
expect_no_transcript() {
	if grep -qE -- "$1" "$T/err"; then
		fail "$2: transcript has /$1/: $(grep -E -- "$1" "$T/err" | head -3)"
	else ok "$2"; fi
}

# one_line REGEX WHAT : stderr is exactly one line, matching REGEX
one_line() {
	if [ "$(wc -l <"$T/err")" -eq 1 ] && grep -qE -- "$1" "$T/err"; then ok "$2: one stderr line"
	else fail "$2: want one line matching /$1/, stderr: $(cat "$T/err")"; fi
}

# no_secret WHAT : the transcript in $T/err holds neither the password nor
# any base64 form of it (PLAIN's "authzid\0user\0pass", LOGIN's
# base64(pass), at any 3-byte alignment), and shows the masks instead.
no_secret() {
	local found
	found=$(python3 - "$T/err" "$USER" "$PW" <<'EOF'
import base64, sys
err, user, pw = open(sys.argv[1], "rb").read(), sys.argv[2].encode(), sys.argv[3].encode()
needles = {"password": pw,
           "base64 PLAIN": base64.b64encode(b"\0" + user + b"\0" + pw),
           "base64 PLAIN with authzid": base64.b64encode(user + b"\0" + user + b"\0" + pw),
           "base64 password": base64.b64encode(pw)}
# the password inside any longer base64 text: at each alignment k, the
# characters that encode bits of the password only
for k in range(3):
    b = base64.b64encode(b"x" * k + pw)
    needles["base64 password, offset %d" % k] = b[-(-8 * k // 6):8 * (k + len(pw)) // 6]
for name, n in needles.items():
    if n and n in err:
        print(name)
EOF
)
	if [ -z "$found" ]; then ok "$1: no password or base64 of it in the transcript"
	else fail "$1: the transcript shows the secret ($(echo "$found" | tr '\n' ',' ))"; fi
}

n1=0 # messages pf delivered so far
n2=0 # messages pf2 delivered so far
never=() # recipients that must get nothing (checked at the end)

# ------------------------------------------------------------ 1. STARTTLS
# relay.test in /etc/hosts (this test's private mount namespace only),
# else the address with tls_server_name.
relay1=127.0.0.1:25
conf c1 "tls_ca_file $CA"
if [ "$(readlink /proc/self/ns/mnt)" != "${HOST_MNTNS:-}" ] &&
	printf '127.0.0.1 localhost relay.test\n::1 localhost\n' >"$T/hosts" &&
	mount --bind "$T/hosts" /etc/hosts; then
	cleanup_hooks+=("umount /etc/hosts 2>/dev/null")
	relay1=relay.test:25
else
	echo "note: no private mount namespace; relay.test via tls_server_name"
	conf c1 "tls_ca_file $CA" "tls_server_name relay.test"
fi
input "case 1 starttls"
run_carrier -v -C "$T/c1.conf" -R "$relay1" c1@example.org
expect_rc 0 "1. STARTTLS to $relay1, verified against the test CA"
expect_err_line '^-> STARTTLS$' "1. transcript shows STARTTLS"
expect_err_line '^<- 220 2\.0\.0 Ready to start TLS$' "1. Postfix agreed"
expect_err_line '^-- TLS: TLSv1\.3 .*verified name relay\.test' "1. TLS note: TLSv1.3, verified name relay.test"
[ "$(grep -c '^-> EHLO ' "$T/err")" -eq 2 ] && ok "1. EHLO sent twice" ||
	fail "1. EHLO sent $(grep -c '^-> EHLO ' "$T/err") times"
# order: STARTTLS, the TLS note, EHLO again, then the transaction
order=$(grep -nE '^(-> (EHLO|STARTTLS|MAIL)|-- TLS:)' "$T/err" | sed -E 's/^[0-9]+:(-> |-- )//; s/ .*//; s/:$//' | tr '\n' ' ')
[ "$order" = "EHLO STARTTLS TLS EHLO MAIL " ] && ok "1. EHLO, STARTTLS, TLS, EHLO, MAIL in that order" ||
	fail "1. order of the dialogue: $order"
sed -n '1,/^-> STARTTLS$/p' "$T/err" | grep -q '^<- 250[ -]AUTH' &&
	fail "1. AUTH offered before TLS" || ok "1. AUTH not offered before TLS (smtpd_tls_auth_only)"
n1=$((n1 + 1))
arrived "$pf" "$n1" c1 "1. message over STARTTLS"

# ------------------------------------------------------------ 2. wrong CA
conf c2 "tls_ca_file $T/ca/other-ca.pem"
input "case 2 wrong ca"
run_carrier -C "$T/c2.conf" -R 127.0.0.1:25 c2@example.org
expect_rc 75 "2. certificate from an untrusted CA"
one_line '^carrier: \[127\.0\.0\.1\]:25: TLS handshake failed: certificate verification failed: .*\(1 recipient not delivered; not queued: the spool: /var/spool/carrier[^ ]*: [^)]*\)$' \
	"2. certificate verification failure named"
never+=(c2)

# ------------------------------------------------------------ 3. wrong name
# (a) Postfix serves wrong.pem (DNS:wrong.example): the relay is 127.0.0.1
conf c3 "tls_ca_file $CA"
input "case 3 wrong name"
run_carrier -C "$T/c3.conf" -R 127.0.0.1:2525 c3a@example.org
expect_rc 75 "3a. certificate for wrong.example, relay 127.0.0.1"
one_line "^carrier: \[127\.0\.0\.1\]:2525: TLS handshake failed: .*name .?127\.0\.0\.1.? not present in server certificate .*\(1 recipient not delivered; not queued: the spool: /var/spool/carrier[^ ]*: [^)]*\)$" \
	"3a. name mismatch named"
never+=(c3a)
# (b) tls_server_name that the (good) certificate does not show
conf c3b "tls_ca_file $CA" "tls_server_name nope.example"
run_carrier -C "$T/c3b.conf" -R 127.0.0.1:25 c3b@example.org
expect_rc 75 "3b. tls_server_name not in the certificate"
one_line "^carrier: \[127\.0\.0\.1\]:25: TLS handshake failed: .*name .?nope\.example.? not present in server certificate .*\(1 recipient not delivered; not queued: the spool: /var/spool/carrier[^ ]*: [^)]*\)$" \
	"3b. name mismatch named"
never+=(c3b)

# ------------------------------------------------------------ 4. no verify
conf c4 "tls_ca_file $T/ca/other-ca.pem" "tls_verify off"
input "case 4 tls_verify off"
run_carrier -v -C "$T/c4.conf" -R 127.0.0.1:25 c4@example.org
expect_rc 0 "4. tls_verify off with the wrong CA"
expect_err_line '^-- TLS: TLSv1\.[23] .*certificate not verified' "4. TLS note says the certificate was not verified"
expect_no_transcript 'verified name' "4. no 'verified name' claimed"
n1=$((n1 + 1))
arrived "$pf" "$n1" c4 "4. message with tls_verify off"

# ------------------------------------------------------------ 5. starttls required
conf c5 "tls starttls"
input "case 5 starttls required"
run_carrier -v -C "$T/c5.conf" -R 127.0.0.1:2500 c5@example.org
expect_rc 75 "5. tls starttls against smtp-sink (no STARTTLS)"
expect_err_line '^carrier: \[127\.0\.0\.1\]:2500: the server does not offer STARTTLS, which "tls starttls" requires \(1 recipient not delivered; not queued: the spool: /var/spool/carrier[^ ]*: [^)]*\)$' \
	"5. says the server does not offer STARTTLS"
expect_no_transcript '^-> (MAIL|RCPT|DATA|BDAT|AUTH|STARTTLS)' "5. nothing sent after EHLO but QUIT"
[ -z "$(ls -A "$T/sink/dump")" ] && ok "5. smtp-sink received no transaction" ||
	fail "5. smtp-sink dumped: $(ls "$T/sink/dump")"

# ------------------------------------------------------------ 6. implicit TLS
printf '%s\n' "$PW" >"$T/pw"
chmod 600 "$T/pw"
# A configuration's credentials go only to the relay it names (-R naming
# the same one keeps them).
conf auth "relay 127.0.0.1:587" "tls_ca_file $CA" "auth_user $USER" "auth_password_file $T/pw"
conf auth465 "relay 127.0.0.1:465" "tls_ca_file $CA" "auth_user $USER" "auth_password_file $T/pw"
input "case 6a implicit 465"
run_carrier -v -C "$T/auth465.conf" -R 127.0.0.1:465 c6a@example.org
expect_rc 0 "6a. -R 127.0.0.1:465, tls auto: implicit TLS, AUTH PLAIN"
first=$(grep -vE '^-- (connecting|configuration )' "$T/err" | head -1)
[[ $first == "-- TLS: TLSv1.3 "*"verified name 127.0.0.1"* ]] && ok "6a. TLS before the greeting" ||
	fail "6a. first line after connecting: $first"
expect_no_transcript '^-> STARTTLS' "6a. no STARTTLS inside implicit TLS"
expect_err_line '^-> AUTH PLAIN <credentials>$' "6a. AUTH PLAIN shown masked"
expect_err_line '^<- 235 ' "6a. Postfix accepted the login"
no_secret "6a"
n1=$((n1 + 1))
arrived "$pf" "$n1" c6a "6a. message over implicit TLS + AUTH PLAIN"

# tls implicit on another port (pf2's smtps, 2465, serving wrong.pem: the
# name to check is wrong.example)
conf c6b "relay 127.0.0.1:2465" "tls implicit" "tls_ca_file $CA" "tls_server_name wrong.example" \
	"auth_user $USER" "auth_password_file $T/pw"
input "case 6b tls implicit 2465"
run_carrier -v -C "$T/c6b.conf" -R 127.0.0.1:2465 c6b@example.org
expect_rc 0 "6b. tls implicit on port 2465"
expect_err_line '^-- TLS: TLSv1\.3 .*verified name wrong\.example' "6b. verified name wrong.example (tls_server_name)"
expect_err_line '^<- 235 ' "6b. Postfix accepted the login"
no_secret "6b"
n2=$((n2 + 1))
arrived "$pf2" "$n2" c6b "6b. message over tls implicit on 2465"

# ------------------------------------------------------------ 7. submission
input "case 7 plain"
run_carrier -v -C "$T/auth.conf" -R 127.0.0.1:587 c7p@example.org
expect_rc 0 "7. 587: STARTTLS + AUTH PLAIN, password file mode 600"
expect_err_line '^-> STARTTLS$' "7. STARTTLS on 587"
expect_err_line '^-> AUTH PLAIN <credentials>$' "7. AUTH PLAIN shown masked"
expect_err_line '^-- authenticated as alice with PLAIN' "7. note: authenticated with PLAIN"
no_secret "7 PLAIN"
cp "$T/err" "$T/err.7p"
n1=$((n1 + 1))
arrived "$pf" "$n1" c7p "7. message via submission, AUTH PLAIN"

conf login "relay 127.0.0.1:587" "tls_ca_file $CA" "auth_user $USER" "auth_password_file $T/pw" "auth_mechanism login"
input "case 7 login"
run_carrier -v -C "$T/login.conf" -R 127.0.0.1:587 c7l@example.org
expect_rc 0 "7. 587: STARTTLS + AUTH LOGIN (auth_mechanism login)"
expect_err_line '^-> AUTH LOGIN$' "7. AUTH LOGIN sent"
expect_err_line '^<- 334 UGFzc3dvcmQ6$' "7. Postfix asked for the password"
expect_err_line '^-> <password>$' "7. the password line is masked"
no_secret "7 LOGIN"
n1=$((n1 + 1))
arrived "$pf" "$n1" c7l "7. message via submission, AUTH LOGIN"
postfix_log "$pf" | grep -q "sasl_method=LOGIN, sasl_username=alice@" && ok "7. Postfix logged the LOGIN" ||
	fail "7. no sasl_method=LOGIN in the Postfix log"

chmod 640 "$T/pw"
input "case 7 mode 640"
run_carrier -C "$T/auth.conf" -R 127.0.0.1:587 c7g@example.org
expect_rc 0 "7. password file mode 640 accepted"
n1=$((n1 + 1))
arrived "$pf" "$n1" c7g "7. message with a mode 640 password file"
chmod 600 "$T/pw"

printf 'not-the-password\n' >"$T/badpw"
chmod 600 "$T/badpw"
conf bad "relay 127.0.0.1:587" "tls_ca_file $CA" "auth_user $USER" "auth_password_file $T/badpw"
input "case 7 wrong password"
run_carrier -v -C "$T/bad.conf" -R 127.0.0.1:587 c7w@example.org
expect_rc 75 "7. wrong password"
# One line that names the refused mechanism and quotes Postfix's reply
# verbatim: "carrier: [127.0.0.1]:587 said after AUTH PLAIN: 535 5.7.8
# Error: authentication failed: authentication failure (1 recipient ...)".
grep '^carrier:' "$T/err" | grep -qE 'said after AUTH PLAIN: 535 ' &&
	ok "7. stderr names the refused mechanism" ||
	fail "7. stderr does not say 'after AUTH PLAIN: 535': $(grep '^carrier:' "$T/err")"
grep '^carrier:' "$T/err" | grep -qE '535 5\.7\.8 Error: authentication failed: authentication failure \(1 recipient not delivered; not queued: the spool: /var/spool/carrier[^ ]*: [^)]*\)$' &&
	ok "7. stderr quotes Postfix's 535 reply verbatim" ||
	fail "7. Postfix's reply \"535 5.7.8 Error: authentication failed: authentication failure\" is not quoted verbatim: $(grep '^carrier:' "$T/err")"
[ "$(grep -c '^carrier:' "$T/err")" -eq 1 ] && ok "7. one error line" ||
	fail "7. error lines: $(grep '^carrier:' "$T/err")"
expect_no_transcript '^-> (MAIL|RCPT|BDAT|DATA)' "7. nothing sent after the refused AUTH"
no_secret "7 wrong password"
never+=(c7w)

# ------------------------------------------------------------ 8. mode 644
printf '%s\n' "$PW" >"$T/pw644"
chmod 644 "$T/pw644"
conf c8 "relay 127.0.0.1:587" "tls_ca_file $CA" "auth_user $USER" "auth_password_file $T/pw644"
input "case 8 mode 644"
run_carrier -v -C "$T/c8.conf" -R 127.0.0.1:587 c8@example.org
expect_rc 78 "8. password file mode 644 (EX_CONFIG)"
expect_err_line "^carrier: .*${T//./\\.}/pw644: refused: .*mode 644" "8. message names the file and its mode"
expect_no_transcript '^-> (AUTH|MAIL|RCPT|BDAT|DATA)' "8. no AUTH, nothing sent"
never+=(c8)

# ------------------------------------------------------------ 9. command
conf c9 "relay 127.0.0.1:587" "tls_ca_file $CA" "auth_user $USER" "auth_password_command printf '%s\\n' '$PW'"
input "case 9 password command"
run_carrier -v -C "$T/c9.conf" -R 127.0.0.1:587 c9@example.org
expect_rc 0 "9. auth_password_command"
expect_err_line '^<- 235 ' "9. Postfix accepted the login"
no_secret "9"
n1=$((n1 + 1))
arrived "$pf" "$n1" c9 "9. message with the secret from a command"

# ------------------------------------------------------------ 10. no TLS
# "tls off" with credentials contradicts itself: refused when the file is
# read (78, naming file:line), before any connection; the real reason,
# "tls off", not "the server offers no STARTTLS" (587 offers it).
conf c10 "relay 127.0.0.1:587" "tls off" "auth_user $USER" "auth_password_file $T/pw"
input "case 10 tls off"
run_carrier -v -C "$T/c10.conf" -R 127.0.0.1:587 c10@example.org
expect_rc 78 "10. credentials with tls off"
expect_err_line "^carrier: ${T//./\\.}/c10\.conf:3: \"tls off\" with auth_user: credentials are never sent without TLS \(auth_allow_plaintext yes would allow it\)$" "10. refused at load, naming file:line"
expect_no_transcript '^(-- connecting|-> )' "10. no connection, nothing sent"
never+=(c10)

# pf2's 2525 offers AUTH without TLS: still refused unless allowed
conf c10b "relay 127.0.0.1:2525" "tls off" "auth_user $USER" "auth_password_file $T/pw"
run_carrier -v -C "$T/c10b.conf" -R 127.0.0.1:2525 c10b@example.org
expect_rc 78 "10b. server offering AUTH in plaintext, tls off"
expect_err_line '"tls off" with auth_user: credentials are never sent without TLS' "10b. refused"
expect_no_transcript '^-> (AUTH|MAIL)' "10b. no AUTH sent in plaintext"
never+=(c10b)
conf c10c "relay 127.0.0.1:2525" "tls off" "auth_user $USER" "auth_password_file $T/pw" "auth_allow_plaintext yes"
input "case 10c plaintext allowed"
run_carrier -v -C "$T/c10c.conf" -R 127.0.0.1:2525 c10c@example.org
expect_rc 0 "10c. auth_allow_plaintext yes: AUTH without TLS"
expect_no_transcript '^(-> STARTTLS|-- TLS:)' "10c. no TLS"
expect_err_line '^-> AUTH PLAIN <credentials>$' "10c. AUTH PLAIN (masked)"
no_secret "10c"
n2=$((n2 + 1))
arrived "$pf2" "$n2" c10c "10c. message after a plaintext AUTH"

# ------------------------------------------------------------ 12. pipelining
input "case 12 partial"
run_carrier -v -C "$T/auth.conf" -R 127.0.0.1:587 r1@example.org bad@example.org r3@example.org
expect_rc 67 "12. one of three recipients refused over TLS+AUTH"
[ "$(grep -c '^carrier:' "$T/err")" -eq 1 ] && ok "12. one error line" ||
	fail "12. error lines: $(grep '^carrier:' "$T/err")"
expect_err_line '^carrier: bad@example\.org: \[127\.0\.0\.1\]:587 said after RCPT TO: 550 5\.1\.1 .*no such user here$' \
	"12. the refused recipient named with Postfix's reply"
grep -E '^carrier:' "$T/err" | grep -qE 'r1@|r3@' && fail "12. an accepted recipient reported as failed"
# pipelined: MAIL and the three RCPTs leave before any reply is read
env=$(grep -A3 '^-> MAIL FROM:' "$T/err" | tr '\n' '|')
if [[ $env == "-> MAIL FROM:<"*"|-> RCPT TO:<r1@example.org>|-> RCPT TO:<bad@example.org>|-> RCPT TO:<r3@example.org>|" ]]; then
	ok "12. MAIL and three RCPTs pipelined (no reply read between them)"
else fail "12. not pipelined: $env"; fi
no_secret "12"
n1=$((n1 + 2))
arrived "$pf" "$n1" r1 "12. r1 got the message"
arrived "$pf" "$n1" r3 "12. r3 got the message"
never+=(bad)

# ------------------------------------------------------------ 13. serverinfo
run_carrier --serverinfo -R 127.0.0.1:587 -C "$T/auth.conf"
expect_rc 0 "13. --serverinfo on 587"
if grep -qE '^certificate: subject: /O=carrier lab/CN=localhost$' "$T/out"; then ok "13. certificate subject"
else fail "13. no certificate subject: $(cat "$T/out")"; fi
grep -qE '^TLS: .*TLSv1\.3 .*verified name 127\.0\.0\.1 \(STARTTLS offered\)$' "$T/out" &&
	ok "13. STARTTLS offered, verified" || fail "13. TLS line: $(grep '^TLS' "$T/out")"
grep -qE '^AUTH: +PLAIN LOGIN$' "$T/out" && ok "13. AUTH mechanisms PLAIN LOGIN" ||
	fail "13. AUTH line: $(grep '^AUTH' "$T/out")"
grep -qE '^certificate: issuer: /O=carrier lab/CN=carrier lab CA$' "$T/out" && ok "13. certificate issuer" ||
	fail "13. issuer: $(grep issuer "$T/out")"
[ -s "$T/err" ] && fail "13. stderr not empty: $(cat "$T/err")"

# ------------------------------------------------------------ nothing else
# Everything accepted has arrived (waited for above); give a wrongly
# accepted message time to show up, then count.
sleep 0.5
postfix_sort "$pf"
postfix_sort "$pf2"
for r in "${never[@]}"; do
	if [ -e "$pf/mail/example.org/$r" ] || [ -e "$pf2/mail/example.org/$r" ]; then
		fail "$r@example.org got a message"
	fi
done
have1=$(find "$pf/mail" -path '*/new/*' -type f | wc -l)
have2=$(find "$pf2/mail" -path '*/new/*' -type f | wc -l)
[ "$have1" -eq "$n1" ] && [ "$have2" -eq "$n2" ] && ok "nothing delivered for the failed cases ($n1 + $n2 messages in all)" ||
	fail "delivered $have1 + $have2 messages, want $n1 + $n2"
finish
