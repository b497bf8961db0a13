#!/bin/bash
# t_bs_postfix: sendmail -bs, an SMTP dialogue on standard input and
# output, as symfony/mailer's default transport uses it, relayed to a
# real Postfix.  A Python client runs "carrier -bs" with pipes and speaks
# SMTP to it: one session pipelining MAIL/RCPT/DATA for three messages
# (dot-stuffed and 8-bit text; the null sender, a bare name and DSN
# parameters; a recipient Postfix refuses at delivery, named after the
# final "."), then RSET, NOOP, QUIT; one session the way symfony does it
# (HELO, a round trip per command, the text then "\r\n.\r\n"); one that
# ends in the middle of the text; one without a relay (the MX lookup
# fails).  Every reply is
# compared, line by line, with its CRLF checked; the messages that
# arrived are compared byte for byte, with their envelope senders; the
# exit status and stderr of each session too.
. "$(dirname "$0")/common.sh"

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
LAB_POSTFIX_MAIN_CF='smtpd_recipient_restrictions = check_recipient_access inline:{{bad@example.org = 550 5.1.1 no such user here}}, permit_mynetworks, reject' \
	postfix_start "$pf" 25 || exit 1
printf 'relay 127.0.0.1:25\ndomain example.org\nhelo mx.lab.example\n' >"$T/conf"
printf 'domain example.org\nhelo mx.lab.example\n' >"$T/conf_norelay"

# The messages, as the client means them (LF line ends here; CRLF and
# dot-stuffing on the wire).
printf '%sTo: a@example.org, b@example.org\nSubject: first\n\n.\n..two dots\n.leading dot\nnon-ASCII: \303\251t\303\251\n. \nend\n' \
	"$HDRS" >"$T/msg1"
printf '%sTo: root\nSubject: second\n\nbody two\n' "$HDRS" >"$T/msg2"
printf '%sTo: good@example.org, bad@example.org\nSubject: third\n\nfor good only\n' "$HDRS" >"$T/msg3"
printf '%sTo: sym@example.org\nSubject: symfony\n\nHello\n.dot\nbye' "$HDRS" >"$T/msg4"
printf '%sTo: lost@example.org\nSubject: lost\n\nnever\n' "$HDRS" >"$T/msg5"

cat >"$T/client.py" <<'EOF'
import os, select, subprocess, sys

carrier, tdir = sys.argv[1], sys.argv[2]
log = open(os.path.join(tdir, 'replies'), 'w')


def text(name):
    with open(os.path.join(tdir, name), 'rb') as f:
        return f.read()


def stuffed(msg):
    """The DATA text: CRLF line ends, dot-stuffed, then "."."""
    out = b''
    for line in msg.split(b'\n')[:-1]:
        out += (b'.' + line if line.startswith(b'.') else line) + b'\r\n'
    return out + b'.\r\n'


class Session:
    def __init__(self, conf, *args):
        self.p = subprocess.Popen([carrier, '-C', os.path.join(tdir, conf),
                                   *args, '-bs'], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, bufsize=0)

    def send(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def reply(self):
        """One reply, every line checked to end in CRLF."""
        while True:
            r, _, _ = select.select([self.p.stdout], [], [], 60)
            if not r:
                sys.exit('timed out waiting for a reply')
            line = self.p.stdout.readline()
            if not line.endswith(b'\r\n') or b'\r' in line[:-2] \
                    or b'\n' in line[:-2]:
                sys.exit('bad reply line: %r' % line)
            line = line[:-2].decode('ascii')
            log.write(line + '\n')
            if len(line) < 4 or line[3] == ' ':
                return line

    def replies(self, n):
        for _ in range(n):
            self.reply()

    def end(self):
        self.p.stdin.close()
        rest = self.p.stdout.read()
        err = self.p.stderr.read().decode()
        rc = self.p.wait()
        log.write('== exit %d%s, stderr: %s\n' % (
            rc, ', unread: %r' % rest if rest else '', err.strip()))


# 1. Pipelining, three messages in one session; the transcript of what
#    carrier sends to Postfix goes to a file (-X).
s = Session('conf', '-X', os.path.join(tdir, 'xlog'))
s.reply()
s.send(b'EHLO client.example\r\n')
s.reply()
s.send(b'MAIL FROM:<sender@example.net> BODY=8BITMIME\r\n'
       b'RCPT TO:<a@example.org>\r\n'
       b'RCPT TO:<b@example.org> ORCPT=rfc822;Bee+40example.org\r\nDATA\r\n')
s.replies(4)
s.send(stuffed(text('msg1')))
s.reply()
s.send(b'MAIL FROM:<> RET=HDRS ENVID=id+2B2\r\n'
       b'RCPT TO:<root> NOTIFY=NEVER\r\nDATA\r\n')
s.replies(3)
s.send(stuffed(text('msg2')))
s.reply()
s.send(b'MAIL FROM:<sender@example.net>\r\nRCPT TO:<good@example.org>\r\n'
       b'RCPT TO:<bad@example.org>\r\nDATA\r\n')
s.replies(4)
s.send(stuffed(text('msg3')))
s.reply()
s.send(b'RSET\r\nNOOP\r\nQUIT\r\n')
s.replies(3)
s.end()

# 2. The way symfony/mailer does it: HELO, one command per round trip,
#    the text (no final line end) then "\r\n.\r\n".
s = Session('conf')
s.reply()
for cmd in (b'HELO client.example', b'MAIL FROM:<app@example.net>',
            b'RCPT TO:<sym@example.org>', b'DATA'):
    s.send(cmd + b'\r\n')
    s.reply()
s.send(stuffed(text('msg4') + b'\n')[:-5] + b'\r\n.\r\n')
s.reply()
s.send(b'QUIT\r\n')
s.reply()
s.end()

# 3. The client goes away in the middle of the text.
s = Session('conf')
s.reply()
s.send(b'EHLO client.example\r\nMAIL FROM:<a@example.net>\r\n'
       b'RCPT TO:<lost@example.org>\r\nDATA\r\n')
s.replies(4)
s.send(text('msg5').replace(b'\n', b'\r\n'))
s.end()

# 4. No relay, so the MX of example.org is looked up, and no DNS server
#    answers (the test's resolv.conf names 127.0.0.1, where none
#    listens): nothing can be sent, and the client is told (451).
s = Session('conf_norelay')
s.reply()
s.send(b'HELO client.example\r\nMAIL FROM:<a@example.net>\r\n'
       b'RCPT TO:<nowhere@example.org>\r\nDATA\r\n')
s.replies(4)
s.send(stuffed(text('msg5')))
s.reply()
s.send(b'QUIT\r\n')
s.reply()
s.end()
EOF

if ! python3 "$T/client.py" "$CARRIER" "$T" 2>"$T/client_err"; then
	fail "the client stopped: $(cat "$T/client_err")"
	cat "$T/replies"
	finish
fi
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
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: [127.0.0.1]:25 said after end of data: 250 2.0.0 Ok: N bytes queued as ID
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: [127.0.0.1]:25 said after end of data: 250 2.0.0 Ok: N bytes queued as ID
250 2.1.0 Ok
250 2.1.5 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
554-5.1.1 <bad@example.org>: [127.0.0.1]:25 said after RCPT TO: 550 5.1.1 <bad@example.org>: Recipient address rejected: no such user here
554 5.0.0 1 of 2 recipients failed; the message went to the others: sending it again would duplicate it for them
250 2.0.0 Ok
250 2.0.0 Ok
221 2.0.0 Bye
== exit 0, stderr: 
220 mx.lab.example ESMTP carrier
250 mx.lab.example
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: [127.0.0.1]:25 said after end of data: 250 2.0.0 Ok: N bytes queued as ID
221 2.0.0 Bye
== exit 0, stderr: 
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
354 End data with <CR><LF>.<CR><LF>
== exit 75, stderr: carrier: -bs: the client ended the session without QUIT in the middle of the message text (it was dropped)
220 mx.lab.example ESMTP carrier
250 mx.lab.example
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
451 4.4.3 cannot look up the MX of example.org: no DNS server reachable (connection refused)
221 2.0.0 Bye
== exit 0, stderr: 
EOF
expect_replies "$T/replies" "$T/want_replies" "every reply, every exit status: as expected"

postfix_wait "$pf" 5 || fail "only $(find "$pf/mail" -path '*/new/*' -type f | wc -l) of 5 messages arrived"
for rcpt in a b; do
	postfix_msg "$pf" example.org $rcpt >"$T/got1$rcpt"
	expect_same "$T/got1$rcpt" "$T/msg1" "message 1 to $rcpt@example.org"
	[ "$(postfix_envelope_sender "$pf" example.org $rcpt)" = sender@example.net ] &&
		ok "message 1 sender" || fail "message 1 sender: $(postfix_envelope_sender "$pf" example.org $rcpt)"
done
# the Received field carrier adds (RFC 5321 4.4), right after Postfix's
f=$(_lab_msg_file "$pf" example.org a)
grep -qE '^Received: from client\.example by mx\.lab\.example \(carrier, uid 0\) with ESMTP; [A-Z][a-z]{2}, [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [-+][0-9]{4}$' "$f" &&
	ok "Received: from the EHLO name, by the helo name, with ESMTP" || fail "Received: $(grep -n '^Received:' "$f")"
# the bare name is qualified in the envelope and in To:
sed 's/^To: root$/To: root@example.org/' "$T/msg2" >"$T/want2"
postfix_msg "$pf" example.org root >"$T/got2"
expect_same "$T/got2" "$T/want2" "message 2 to root, qualified"
[ -z "$(postfix_envelope_sender "$pf" example.org root)" ] && ok "message 2 has the null sender" ||
	fail "message 2 sender: $(postfix_envelope_sender "$pf" example.org root)"
postfix_msg "$pf" example.org good >"$T/got3"
expect_same "$T/got3" "$T/msg3" "message 3 to the accepted recipient"
[ -e "$pf/mail/example.org/bad" ] && fail "bad@example.org got a message" || ok "bad@example.org got nothing"
printf '\n' >>"$T/msg4"	# symfony's "\r\n." ends its last line
postfix_msg "$pf" example.org sym >"$T/got4"
expect_same "$T/got4" "$T/msg4" "message 4, symfony's way"
[ "$(postfix_envelope_sender "$pf" example.org sym)" = app@example.net ] && ok "message 4 sender" ||
	fail "message 4 sender: $(postfix_envelope_sender "$pf" example.org sym)"
sleep 0.3
for lost in lost nowhere; do
	[ -e "$pf/mail/example.org/$lost" ] && fail "$lost@example.org got a message" || ok "nothing for $lost@example.org"
done
[ "$(find "$pf/mail" -path '*/new/*' -type f | wc -l)" -eq 5 ] && ok "exactly 5 messages arrived" ||
	fail "$(find "$pf/mail" -path '*/new/*' -type f | wc -l) messages arrived, want 5"
# what carrier said to Postfix (-X): the DSN parameters of message 2
# passed on, ENVID decoded and encoded again
grep -qE '^-> MAIL FROM:<> SIZE=[0-9]+ RET=HDRS ENVID=id\+2B2$' "$T/xlog" && ok "RET and ENVID passed on" ||
	fail "MAIL for message 2: $(grep '^-> MAIL FROM:<>' "$T/xlog")"
grep -q '^-> RCPT TO:<root@example.org> NOTIFY=NEVER ORCPT=rfc822;root@example.org$' "$T/xlog" &&
	ok "NOTIFY passed on" || fail "RCPT for message 2: $(grep 'RCPT TO:<root' "$T/xlog")"
grep -q '^-> RCPT TO:<b@example.org> ORCPT=rfc822;Bee+40example.org$' "$T/xlog" &&
	ok "the client's ORCPT passed on as it came" || fail "RCPT for message 1: $(grep 'RCPT TO:<b@' "$T/xlog")"

# SMTP smuggling (Postfix's CVE-2023-51764): a caller that dot-stuffs
# only after CRLF, as symfony does, hands over a text with a bare-LF "."
# line and commands after it.  After "DATA<CRLF>" that is text: one
# message reaches Postfix, for the real recipient, with those lines in
# it; nothing for the smuggled one.
printf 'EHLO client.example\r\nMAIL FROM:<app@example.net>\r\nRCPT TO:<form@example.org>\r\nDATA\r\n%sSubject: contact form\r\n\r\nHello\n.\nMAIL FROM:<ceo@example.org>\nRCPT TO:<victim@example.org>\nDATA\nSubject: wire the money\n\nsmuggled\r\n.\r\nQUIT\r\n' \
	"$(printf '%s' "$HDRS" | sed 's/$/\r/')" >"$T/in"
run_carrier -C "$T/conf" -bs
expect_rc 0 "a text with a bare-LF dot line"
postfix_wait "$pf" 6 || fail "the contact form message did not arrive"
sleep 0.5
[ -e "$pf/mail/example.org/victim" ] && fail "the smuggled message was delivered" ||
	ok "no smuggled message"
printf '%sSubject: contact form\n\nHello\n.\nMAIL FROM:<ceo@example.org>\nRCPT TO:<victim@example.org>\nDATA\nSubject: wire the money\n\nsmuggled\n' \
	"$HDRS" >"$T/want6"
postfix_msg "$pf" example.org form >"$T/got6"
expect_same "$T/got6" "$T/want6" "the lines after the bare-LF dot are text"

finish
