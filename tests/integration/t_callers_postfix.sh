#!/bin/bash
# t_callers_postfix: the real programs that call /usr/sbin/sendmail, each
# pointed at the built carrier instead, delivering to a real Postfix:
# bsd-mailx, mailutils' mail, mutt, neomutt, git send-email, PHP mail(),
# logwatch, unattended-upgrades, anacron, at, sudo, and cron (run as the real
# cron runs its mailer: argv read from the cron binary, message shaped as
# its do_command.c writes it).  Each caller gets its own default flags (read
# from the program or its configuration, only the path replaced) and
# calls a wrapper that runs carrier with the test's configuration and
# records the argv it was given, what the caller wrote, and carrier's exit
# status.  For each: the caller's success, the argv, the envelope sender,
# which mailboxes got the message, its header fields and its body.
#
# The callers come from Debian (callers_fetch.sh): extracted with dpkg -x
# where installing would pull an MTA, else installed.  A caller that
# cannot be had is skipped with a "skip:" line, never silently.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lab/lab.sh
. "$here/../lab/lab.sh"
# shellcheck source=callers_fetch.sh
. "$here/callers_fetch.sh"
# apt needs the network: fetch before common.sh moves into the namespace
if [ -z "${LAB_IN_NETNS:-}" ] && [ "$(id -u)" = 0 ]; then
	callers_fetch
fi
. "$here/common.sh"

R=$(callers_root)
LIBS=$(echo "$R"/usr/lib/*-linux-gnu*)	# the multiarch directory of the libraries
PY=/usr/bin/python3	# the Debian python3 (with python3-apt), not one on PATH

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
postfix_start "$pf" 25 || exit 1
printf 'relay 127.0.0.1:25\ndomain example.org\n' >"$T/conf"
chmod 644 "$T/conf"
mkdir -p "$T/home" "$T/bin"
export HOME=$T/home LANG=C.UTF-8 TERM=dumb
unset MAILRC MAIL EMAIL REPLYTO

# The wrapper every caller runs as its sendmail: carrier with the test's
# configuration.  Each call gets a directory $T/calls/<pid>/ with argv
# (the arguments, shell-quoted, one line), in (what the caller wrote on
# stdin), err (carrier's stderr, also passed on) and rc (carrier's exit).
W=$T/bin/sendmail
cat >"$W" <<EOF
#!/bin/bash
d=$T/calls/\$\$
mkdir -p "\$d" || exit 75
a=\$(printf '%q ' "\$@")
printf '%s\n' "\${a% }" >"\$d/argv"
tee "\$d/in" | "$CARRIER" -C "$T/conf" "\$@" 2>"\$d/err"
rc=\${PIPESTATUS[1]}
cat "\$d/err" >&2
echo "\$rc" >"\$d/rc"
exit "\$rc"
EOF
chmod 755 "$W"
# callers run as users other than root too (cron): -C only for a file
# the system config allows
etc_carrier_conf "allow_config $T/conf" || { echo "SKIP: no private mount namespace"; exit 77; }

n=0	# messages expected in the Maildirs so far
arrived() { n=$((n + $1)); postfix_wait "$pf" "$n" || fail "only some of $n messages arrived"; }
field() { grep -m1 -i "^$1:" "$2" | sed 's/\r$//'; }
body() { sed '1,/^$/d' "$1"; }
hdr() { sed '/^$/q' "$1"; }
qp_decode() { "$PY" -c 'import quopri, sys; sys.stdout.buffer.write(quopri.decodestring(sys.stdin.buffer.read()))'; }
skip() { echo "skip: $*"; skipped+=("${1%%:*}"); }
skipped=()
argv_report=()

# calls_reset: forget earlier calls.  call_dir WHAT: sets $calld to the
# directory of the one call since calls_reset (fails otherwise).
calls_reset() { rm -rf "$T/calls"; mkdir -m 1777 "$T/calls"; }
call_dir() {
	local -a ds=("$T/calls"/*/)
	calld=
	if [ ! -d "${ds[0]}" ]; then fail "$1: sendmail was not called"; return 1; fi
	if [ ${#ds[@]} -ne 1 ]; then fail "$1: sendmail called ${#ds[@]} times"; return 1; fi
	calld=${ds[0]%/}
}
# expect_call WHAT WANT_ARGV: the one call had that argv, and carrier
# exited 0.
expect_call() {
	call_dir "$1" || return 1
	local got
	got=$(cat "$calld/argv")
	argv_report+=("$1: sendmail $got")
	[ "$got" = "$2" ] && ok "$1: argv: $got" || fail "$1: argv: got '$got', want '$2'"
	[ "$(cat "$calld/rc" 2>/dev/null)" = 0 ] && ok "$1: carrier exit 0" ||
		fail "$1: carrier exit $(cat "$calld/rc" 2>/dev/null); stderr: $(cat "$calld/err")"
	[ -s "$calld/err" ] && fail "$1: carrier wrote on stderr: $(cat "$calld/err")" || ok "$1: carrier silent on stderr"
}
# expect_sender WHAT MAILBOX WANT: the envelope sender of that message.
expect_sender() {
	local got
	got=$(postfix_envelope_sender "$pf" example.org "$2")
	[ "$got" = "$3" ] && ok "$1: envelope sender <$got>" || fail "$1: envelope sender <$got>, want <$3>"
}
# expect_boxes WHAT LOCAL...: each of LOCAL@example.org got one message
# (postfix_msg complains otherwise); saves it in $T/got_LOCAL.
boxes=()	# every mailbox that should have mail, for the check at the end
expect_boxes() {
	local what=$1 u
	shift
	for u in "$@"; do
		boxes+=("$u@example.org")
		postfix_msg "$pf" example.org "$u" >"$T/got_$u" || fail "$what: $u@example.org got nothing"
	done
}
# expect_field WHAT FILE ERE: a header line of FILE matches ERE.
expect_field() {
	if hdr "$2" | grep -qE -- "$3"; then ok "$1: $(hdr "$2" | grep -m1 -E -- "$3")"
	else fail "$1: no header line matches /$3/ in: $(hdr "$2" | tr '\n' '|')"; fi
}
expect_no_field() {
	if hdr "$2" | grep -qiE -- "^$3:"; then fail "$1: $3 arrived: $(hdr "$2" | grep -iE -- "^$3:")"
	else ok "$1: no $3 field"; fi
}
# expect_rfc5322 WHAT FILE: one From, one Date, one Message-ID arrived.
expect_rfc5322() {
	local f c good=1
	for f in From Date Message-ID; do
		c=$(hdr "$2" | grep -ci "^$f:")
		[ "$c" = 1 ] || { fail "$1: $c $f fields arrived"; good=0; }
	done
	[ "$good" = 1 ] && ok "$1: one From, Date, Message-ID each"
}
# expect_header_kept WHAT FILE: the header the caller wrote arrived as it
# was, less Bcc, plus only the From, Date or Message-ID it lacked.
expect_header_kept() {
	local f add=''
	[ -n "$calld" ] || return 0
	sed 's/\r$//; /^$/q' "$calld/in" | sed '/^$/d' | grep -vi '^Bcc:' >"$T/want_hdr"
	for f in From Date Message-ID; do
		grep -qi "^$f:" "$T/want_hdr" || add=$add${add:+|}$f
	done
	hdr "$2" | sed '/^$/d' | { if [ -n "$add" ]; then grep -viE "^($add):"; else cat; fi; } >"$T/got_hdr"
	expect_same "$T/got_hdr" "$T/want_hdr" "$1: header as the caller wrote it${add:+ (plus ${add//|/, })}"
}
# expect_body_sent WHAT FILE: the body that arrived is the one the caller
# wrote (line ends normalised).
expect_body_sent() {
	[ -n "$calld" ] || return 0
	sed '1,/^\r\{0,1\}$/d; s/\r$//' "$calld/in" >"$T/want_body"
	# carrier terminates an unterminated last line
	[ -s "$T/want_body" ] && [ "$(tail -c1 "$T/want_body" | od -An -c | tr -d ' ')" != '\n' ] && echo >>"$T/want_body"
	body "$2" >"$T/got_body"
	expect_same "$T/got_body" "$T/want_body" "$1: body as the caller wrote it"
}
# run_caller WHAT CMD...: runs a caller with stdin from $T/in; sets $rc,
# output in $T/out, $T/err.
run_caller() {
	local what=$1
	shift
	calls_reset
	"$@" <"$T/in" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 0 ] && ok "$what: exit 0" || fail "$what: exit $rc; stderr: $(head -c 2000 "$T/err")"
}
# have WHAT ID FILE...: the caller can run (fetched, not skipped).
have() {
	local what=$1 id=$2 v f
	shift 2
	v=CALLERS_SKIP_$id
	if [ -n "${!v:-}" ]; then skip "$what: ${!v}"; return 1; fi
	for f in "$@"; do
		[ -e "$f" ] || { skip "$what: $f not there (callers_fetch failed?)"; return 1; }
	done
	return 0
}
# ldd_ok WHAT BIN: every library BIN needs is found (with $LIBS).
ldd_ok() {
	local miss
	miss=$(LD_LIBRARY_PATH=$LIBS ldd "$2" 2>&1 | grep 'not found')
	[ -z "$miss" ] && return 0
	skip "$1: missing libraries: $(tr -s ' \t\n' ' ' <<<"$miss")"
	return 1
}

# ---------------------------------------------------------------- bsd-mailx
# mail(1) from bsd-mailx honours the "sendmail" variable (bsd-mailx(1)),
# set here in a mailrc named by MAILRC.  It passes -i -t (and -f with -r)
# and writes Bcc: into the message: carrier must take the recipients
# from the header and drop Bcc.
if have bsd-mailx bsdmailx "$R/usr/bin/bsd-mailx" && ldd_ok bsd-mailx "$R/usr/bin/bsd-mailx"; then
	printf 'set sendmail=%s\n' "$W" >"$T/mailrc"
	printf 'Daily report from bsd-mailx\nGrüße aus Köln\n.\nafter a lone dot\n' >"$T/in"
	run_caller bsd-mailx env MAILRC="$T/mailrc" LD_LIBRARY_PATH="$LIBS" "$R/usr/bin/bsd-mailx" \
		-s 'bsd-mailx: Bericht' -c bm-cc@example.org -b bm-bcc@example.org bm-to@example.org
	expect_call bsd-mailx "-i -t"
	arrived 3
	expect_boxes bsd-mailx bm-to bm-cc bm-bcc
	expect_sender bsd-mailx bm-to root@example.org
	expect_sender bsd-mailx bm-bcc root@example.org
	expect_field bsd-mailx "$T/got_bm-to" '^Subject: bsd-mailx: Bericht$'
	expect_field bsd-mailx "$T/got_bm-to" '^To: bm-to@example.org$'
	expect_field bsd-mailx "$T/got_bm-to" '^Cc: bm-cc@example.org$'
	expect_field bsd-mailx "$T/got_bm-to" '^From: (.*<root@example\.org>|root@example\.org)$'
	expect_no_field bsd-mailx "$T/got_bm-bcc" Bcc
	expect_rfc5322 bsd-mailx "$T/got_bm-to"
	expect_header_kept bsd-mailx "$T/got_bm-to"
	expect_body_sent bsd-mailx "$T/got_bm-to"

	# -r: the From field and -f
	printf 'with -r\n' >"$T/in"
	run_caller "bsd-mailx -r" env MAILRC="$T/mailrc" LD_LIBRARY_PATH="$LIBS" "$R/usr/bin/bsd-mailx" \
		-s 'from ops' -r 'Ops Team <ops@example.net>' -a 'X-Ticket: 4711' bm-r@example.org
	expect_call "bsd-mailx -r" "-i -t -f ops@example.net"
	arrived 1
	expect_boxes "bsd-mailx -r" bm-r
	expect_sender "bsd-mailx -r" bm-r ops@example.net
	expect_field "bsd-mailx -r" "$T/got_bm-r" '^From: Ops Team <ops@example.net>$'
	expect_field "bsd-mailx -r" "$T/got_bm-r" '^X-Ticket: 4711$'
fi

# ---------------------------------------------------------------- mailutils
# GNU mail: its "sendmail" variable is a mailer URL (sendmail://PATH);
# the mail domain comes from the mailutils configuration.  It passes
# -oi -f <user@domain> -t and writes no From field.
if have mailutils mailutils "$R/usr/bin/mail.mailutils" && ldd_ok mailutils "$R/usr/bin/mail.mailutils"; then
	printf 'address {\n  email-domain example.org;\n};\n' >"$T/mailutils.conf"
	printf 'Report from GNU mail\n.\nGrüße\n' >"$T/in"
	run_caller mailutils env LD_LIBRARY_PATH="$LIBS" "$R/usr/bin/mail.mailutils" \
		--config-file="$T/mailutils.conf" -n -E "set sendmail=sendmail://$W" \
		-s 'mailutils: report' -a 'Cc: mu-cc@example.org' -a 'Bcc: mu-bcc@example.org' mu-to@example.org
	expect_call mailutils "-oi -f root@example.org -t"
	arrived 3
	expect_boxes mailutils mu-to mu-cc mu-bcc
	expect_sender mailutils mu-to root@example.org
	expect_field mailutils "$T/got_mu-to" '^Subject: mailutils: report$'
	expect_field mailutils "$T/got_mu-to" '^To: <mu-to@example.org>$'
	expect_field mailutils "$T/got_mu-to" '^From: (.*<root@example\.org>|root@example\.org)$'
	expect_field mailutils "$T/got_mu-to" '^User-Agent: mail \(GNU Mailutils'
	expect_field mailutils "$T/got_mu-to" '^Message-ID: <[^<>@]+@example\.org>$'
	expect_no_field mailutils "$T/got_mu-bcc" Bcc
	expect_rfc5322 mailutils "$T/got_mu-to"
	expect_header_kept mailutils "$T/got_mu-to"
	expect_body_sent mailutils "$T/got_mu-to"

	printf 'as ops\n' >"$T/in"
	run_caller "mailutils -r" env LD_LIBRARY_PATH="$LIBS" "$R/usr/bin/mail.mailutils" \
		--config-file="$T/mailutils.conf" -n -E "set sendmail=sendmail://$W" \
		-s 'as ops' -r ops@example.net mu-r@example.org
	expect_call "mailutils -r" "-oi -f ops@example.net -t"
	arrived 1
	expect_boxes "mailutils -r" mu-r
	expect_sender "mailutils -r" mu-r ops@example.net
	expect_field "mailutils -r" "$T/got_mu-r" '^From: (.*<ops@example\.net>|ops@example\.net)$'
fi

# ------------------------------------------------------------ mutt, neomutt
# Their $sendmail default is "/usr/sbin/sendmail -oem -oi" (read from the
# program, only the path replaced); they add -B8BITMIME (use_8bitmime),
# -f (use_envelope_from) and "--" before the recipients, Bcc included,
# and write no Bcc field.
mutt_case() {
	local what=$1 bin=$2 p=$3 def flags
	def=$(LD_LIBRARY_PATH=$LIBS "$bin" -n -F /dev/null -Q sendmail 2>&1 | sed -n 's/^set //; s/^sendmail *= *"\(.*\)"$/\1/p')
	case $def in
	/usr/sbin/sendmail*) ok "$what: default sendmail=\"$def\"" ;;
	*) fail "$what: default sendmail is '$def'"; def="/usr/sbin/sendmail -oem -oi" ;;
	esac
	cat >"$T/${p}rc" <<-EOF
	set sendmail="$W${def#/usr/sbin/sendmail}"
	set from="Mutt User <$p-from@example.net>"
	set use_envelope_from=yes
	set use_8bitmime=yes
	set hostname=example.org
	set record=""
	set charset=utf-8
	set send_charset=utf-8
	EOF
	printf 'Hello from %s\nGrüße\n.\n..two dots\n' "$what" >"$T/in"
	run_caller "$what" env LD_LIBRARY_PATH="$LIBS" "$bin" -n -F "$T/${p}rc" \
		-s "$what: Grüße" -c "$p-cc@example.org" -b "$p-bcc@example.org" "$p-to@example.org"
	flags=${def#/usr/sbin/sendmail}
	flags=${flags# }
	expect_call "$what" "${flags:+$flags }-B8BITMIME -f $p-from@example.net -- $p-to@example.org $p-cc@example.org $p-bcc@example.org"
	arrived 3
	expect_boxes "$what" "$p-to" "$p-cc" "$p-bcc"
	expect_sender "$what" "$p-bcc" "$p-from@example.net"
	expect_field "$what" "$T/got_$p-to" "^From: Mutt User <$p-from@example.net>$"
	expect_field "$what" "$T/got_$p-to" "^To: $p-to@example.org$"
	expect_field "$what" "$T/got_$p-to" "^Subject: $what: =\\?utf-8\\?B\\?R3LDvMOfZQ==\\?=\$"
	expect_field "$what" "$T/got_$p-to" '^Content-Type: text/plain; charset=utf-8$'
	expect_no_field "$what" "$T/got_$p-bcc" Bcc
	expect_body_sent "$what" "$T/got_$p-to"
	expect_rfc5322 "$what" "$T/got_$p-to"
	expect_header_kept "$what" "$T/got_$p-to"
}
if have mutt mutt "$R/usr/bin/mutt" && ldd_ok mutt "$R/usr/bin/mutt"; then
	mutt_case mutt "$R/usr/bin/mutt" mt
fi
if have neomutt neomutt "$R/usr/bin/neomutt" && ldd_ok neomutt "$R/usr/bin/neomutt"; then
	mutt_case neomutt "$R/usr/bin/neomutt" nm
fi

# ---------------------------------------------------------- git send-email
# --smtp-server=<absolute path> makes git send-email run it as sendmail:
# -f <envelope sender> (with --envelope-sender) -i <recipients, Bcc
# included>.  The commit message has a lone "." line, the author a
# non-ASCII name (an RFC 2047 From).
if have "git send-email" git /usr/lib/git-core/git-send-email; then
	g=$T/repo
	export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME='Zoë Lovelace' GIT_AUTHOR_EMAIL=zoe@example.net \
		GIT_COMMITTER_NAME='Zoë Lovelace' GIT_COMMITTER_EMAIL=zoe@example.net
	if git init -q "$g" && git -C "$g" commit -q --allow-empty -m base &&
		printf 'hello\n' >"$g/f" && git -C "$g" add f &&
		git -C "$g" commit -q -m 'Add f: the patch subject' -m $'A body line.\n.\nAfter a lone dot.' &&
		git -C "$g" format-patch -q -1 -o "$T/patches" >/dev/null; then
		: >"$T/in"
		run_caller "git send-email" git -C "$g" send-email --confirm=never --quiet \
			--smtp-server="$W" --envelope-sender=auto --from='Zoë Lovelace <zoe@example.net>' \
			--to=git-list@example.org --cc=git-rev@example.org --bcc=git-bcc@example.org \
			--suppress-cc=all "$T/patches/"*.patch
		grep -q '^Sent \[PATCH\] Add f: the patch subject$' "$T/out" && ok "git send-email: says Sent" ||
			fail "git send-email: output: $(cat "$T/out")"
		expect_call "git send-email" "-f zoe@example.net -i git-list@example.org git-rev@example.org git-bcc@example.org"
		arrived 3
		expect_boxes "git send-email" git-list git-rev git-bcc
		expect_sender "git send-email" git-list zoe@example.net
		expect_field "git send-email" "$T/got_git-list" '^Subject: \[PATCH\] Add f: the patch subject$'
		expect_field "git send-email" "$T/got_git-list" '^From: =\?UTF-8\?q\?Zo=C3=AB=20Lovelace\?= <zoe@example.net>$'
		expect_field "git send-email" "$T/got_git-list" '^X-Mailer: git-send-email '
		expect_no_field "git send-email" "$T/got_git-bcc" Bcc
		expect_rfc5322 "git send-email" "$T/got_git-list"
		expect_header_kept "git send-email" "$T/got_git-list"
		expect_body_sent "git send-email" "$T/got_git-list"
		# the patch still applies from what arrived
		git -C "$g" checkout -q HEAD~1 && git -C "$g" am -q "$T/got_git-list" &&
			[ "$(git -C "$g" log -1 --format=%B)" = $'Add f: the patch subject\n\nA body line.\n.\nAfter a lone dot.' ] &&
			ok "git send-email: git am applies what arrived, commit message intact" ||
			fail "git send-email: git am of what arrived failed: $(git -C "$g" log -1 --format=%B 2>&1)"
	else
		fail "git send-email: could not make the test repository"
	fi
fi

# ---------------------------------------------------------------- PHP mail()
# mail() runs sendmail_path (default "/usr/sbin/sendmail -t -i", read from
# PHP, only the path replaced) through sh, writes To: and Subject: and the
# extra headers with CRLF, the body as given (LF here) and a final CRLF;
# a fifth argument is appended to the command line.
if have "PHP mail()" php /usr/bin/php; then
	def=$(php -r 'echo ini_get("sendmail_path");')
	case $def in
	/usr/sbin/sendmail*) ok "PHP: default sendmail_path=\"$def\"" ;;
	*) fail "PHP: default sendmail_path is '$def'"; def="/usr/sbin/sendmail -t -i" ;;
	esac
	sp="$W${def#/usr/sbin/sendmail}"
	: >"$T/in"
	# shellcheck disable=SC2016 # PHP code
	run_caller "PHP mail()" php -d "sendmail_path=$sp" -r '
		$ok = mail("php-to@example.org, Second <php-to2@example.org>", "PHP: Grüße",
			"Line one\nLine two\n.\nGrüße aus PHP",
			["From" => "Web App <app@example.net>", "Cc" => "php-cc@example.org",
			 "Bcc" => "php-bcc@example.org", "X-Mailer" => "PHP/" . PHP_VERSION]);
		echo $ok ? "sent\n" : "failed\n"; exit($ok ? 0 : 1);'
	flags=${def#/usr/sbin/sendmail}
	flags=${flags# }
	expect_call "PHP mail()" "$flags"
	arrived 4
	expect_boxes "PHP mail()" php-to php-to2 php-cc php-bcc
	expect_sender "PHP mail()" php-to root@example.org
	expect_field "PHP mail()" "$T/got_php-to" '^To: php-to@example.org, Second <php-to2@example.org>$'
	expect_field "PHP mail()" "$T/got_php-to" '^From: Web App <app@example.net>$'
	expect_field "PHP mail()" "$T/got_php-to" '^Subject: PHP: Grüße$'
	expect_no_field "PHP mail()" "$T/got_php-bcc" Bcc
	expect_rfc5322 "PHP mail()" "$T/got_php-to"
	expect_header_kept "PHP mail()" "$T/got_php-to"
	expect_body_sent "PHP mail()" "$T/got_php-to"

	# shellcheck disable=SC2016
	run_caller "PHP mail() -f" php -d "sendmail_path=$sp" -r '
		$ok = mail("php-f@example.org", "bounces", "b\n", "From: app@example.net", "-fbounce@example.net");
		exit($ok ? 0 : 1);'
	expect_call "PHP mail() -f" "${flags:+$flags }-fbounce@example.net"
	arrived 1
	expect_boxes "PHP mail() -f" php-f
	expect_sender "PHP mail() -f" php-f bounce@example.net

	# An HTML page as one line of 3,450 octets, as web applications send
	# it: over SMTP's 998, so carrier must re-encode (quoted-printable).
	# shellcheck disable=SC2016
	run_caller "PHP mail() HTML" php -d "sendmail_path=$sp" -r '
		$html = "<html><body>" . str_repeat("<p>Zeile für Zeile</p>", 150) . "</body></html>";
		$ok = mail("php-html@example.org", "HTML", $html, ["MIME-Version" => "1.0",
			"Content-Type" => "text/html; charset=UTF-8", "From" => "app@example.net"]);
		exit($ok ? 0 : 1);'
	expect_call "PHP mail() HTML" "$flags"
	arrived 1
	expect_boxes "PHP mail() HTML" php-html
	expect_field "PHP mail() HTML" "$T/got_php-html" '^Content-Type: text/html; charset=UTF-8$'
	expect_field "PHP mail() HTML" "$T/got_php-html" '^Content-Transfer-Encoding: quoted-printable$'
	awk 'length > 998 { bad = 1 } END { exit bad }' "$T/got_php-html" && ok "PHP mail() HTML: no line over 998 arrived" ||
		fail "PHP mail() HTML: a line over 998 octets arrived"
	sed '1,/^\r\{0,1\}$/d; s/\r$//' "$calld/in" >"$T/want_body"
	body "$T/got_php-html" | qp_decode >"$T/got_body"
	expect_same "$T/got_body" "$T/want_body" "PHP mail() HTML: body (decoded) as PHP wrote it"
fi

# ---------------------------------------------------------------- logwatch
# Debian's daily job runs "logwatch --output mail"; the mailer is
# dist.conf's "/usr/sbin/sendmail -t" (no -i), only the path replaced
# here.  MailTo with two addresses gives two To: fields; MailFrom is the
# bare name root.  The report has an 8-bit line and a line over 998
# octets (so carrier must re-encode the body: Content-Transfer-Encoding
# 8bit, text/plain).  logwatch reads its files from fixed paths: a copy of
# the script with only $BaseDir and $ConfigDir changed runs from the
# extracted package; a custom service (the documented way to add one)
# prints the log lines.  (logwatch lower-cases most configuration values,
# paths too, hence --logdir on the command line and Debian's TmpDir /tmp.)
lw_script=$R/usr/share/logwatch/scripts/logwatch.pl
if have logwatch logwatch "$lw_script"; then
	lw=$T/logwatch
	mkdir -p "$lw/conf/services" "$lw/conf/logfiles" "$lw/scripts/services" "$lw/log"
	sed -e "s|^my \$BaseDir = .*|my \$BaseDir = \"$R/usr/share/logwatch\";|" \
		-e "s|^my \$ConfigDir = .*|my \$ConfigDir = \"$lw\";|" "$lw_script" >"$lw/logwatch.pl"
	[ "$(diff "$lw_script" "$lw/logwatch.pl" | grep -c '^>')" = 2 ] || fail "logwatch: the path edit changed $(diff "$lw_script" "$lw/logwatch.pl" | grep -c '^>') lines"
	def=$(cat "$R/usr/share/logwatch/default.conf/logwatch.conf" "$R/usr/share/logwatch/dist.conf/logwatch.conf" |
		sed -n 's/^mailer *= *"\(.*\)"$/\1/p' | tail -1)
	case $def in
	/usr/sbin/sendmail*) ok "logwatch: Debian's mailer = \"$def\"" ;;
	*) fail "logwatch: mailer is '$def'"; def="/usr/sbin/sendmail -t" ;;
	esac
	cat >"$lw/conf/logwatch.conf" <<-EOF
	AppendVarLogToLogDirs = No
	AppendVarAdmToLogDirs = No
	MailTo = lw-admin lw-ops@example.org
	mailer = "$W${def#/usr/sbin/sendmail}"
	Range = All
	EOF
	printf 'LogFile = carrier-test\n' >"$lw/conf/services/carrier-test.conf"
	printf 'LogFile = carrier-test.log\n' >"$lw/conf/logfiles/carrier-test.conf"
	# shellcheck disable=SC2016 # perl code
	printf '#!/usr/bin/perl\nwhile (<STDIN>) { print "  seen: $_"; }\n' >"$lw/scripts/services/carrier-test"
	{
		printf 'backup finished\n'
		printf 'Sicherung für Jürgen abgeschlossen\n'
		printf 'rsync: '; head -c 1500 /dev/zero | tr '\0' 'x'; printf '\n'
		printf 'end of log\n'
	} >"$lw/log/carrier-test.log"
	: >"$T/in"
	run_caller logwatch perl "$lw/logwatch.pl" --output mail --service carrier-test --logdir "$lw/log"
	flags=${def#/usr/sbin/sendmail}
	expect_call logwatch "${flags# }"
	arrived 2
	expect_boxes logwatch lw-admin lw-ops
	expect_sender logwatch lw-admin root@example.org
	expect_field logwatch "$T/got_lw-admin" '^To: lw-admin@example.org$'
	expect_field logwatch "$T/got_lw-admin" '^To: lw-ops@example.org$'
	expect_field logwatch "$T/got_lw-admin" '^From: root@example.org$'
	expect_field logwatch "$T/got_lw-admin" '^Subject: Logwatch for .* \(Linux\)$'
	expect_field logwatch "$T/got_lw-admin" '^Auto-Submitted: auto-generated$'
	expect_rfc5322 logwatch "$T/got_lw-admin"
	awk 'length > 998 { bad = 1 } END { exit bad }' "$T/got_lw-admin" && ok "logwatch: no line over 998 arrived" ||
		fail "logwatch: a line over 998 octets arrived"
	sed '1,/^$/d' "${calld:-/dev/null}/in" >"$T/want_body" 2>/dev/null
	case $(field Content-Transfer-Encoding "$T/got_lw-admin") in
	*[Qq]uoted-[Pp]rintable) body "$T/got_lw-admin" | qp_decode >"$T/got_body" ;;
	*) body "$T/got_lw-admin" >"$T/got_body" ;;
	esac
	expect_same "$T/got_body" "$T/want_body" "logwatch: body (decoded) as logwatch wrote it"
	grep -q "seen: Sicherung für Jürgen abgeschlossen" "$T/got_body" && ok "logwatch: 8-bit line intact" ||
		fail "logwatch: 8-bit line lost"
fi

# ------------------------------------------------------ unattended-upgrades
# Its summary mail, by its own code (send_summary_mail ->
# _send_mail_using_sendmail: [SENDMAIL_BINARY, "-oi", "-t"], an
# email.message with From: root, To: <Unattended-Upgrade::Mail>, a UTF-8
# quoted-printable body).  callers_uu.py loads the extracted script as a
# module and only points SENDMAIL_BINARY at the wrapper.
uu_script=$R/usr/bin/unattended-upgrade
if have unattended-upgrades uu "$uu_script" && "$PY" -c 'import apt, apt_pkg, distro_info' 2>/dev/null; then
	: >"$T/in"
	run_caller unattended-upgrades "$PY" "$here/callers_uu.py" "$uu_script" "$W" uu-admin
	expect_call unattended-upgrades "-oi -t"
	arrived 1
	expect_boxes unattended-upgrades uu-admin
	expect_sender unattended-upgrades uu-admin root@example.org
	expect_field unattended-upgrades "$T/got_uu-admin" '^Subject: unattended-upgrades result for .*: SUCCESS$'
	expect_field unattended-upgrades "$T/got_uu-admin" '^From: root@example.org$'
	expect_field unattended-upgrades "$T/got_uu-admin" '^To: uu-admin@example.org$'
	expect_field unattended-upgrades "$T/got_uu-admin" '^Content-Transfer-Encoding: quoted-printable$'
	expect_rfc5322 unattended-upgrades "$T/got_uu-admin"
	expect_body_sent unattended-upgrades "$T/got_uu-admin"
	body "$T/got_uu-admin" | qp_decode | grep -q '^Paramètres régionaux: « fr_FR.UTF-8 » — déjà à jour$' &&
		ok "unattended-upgrades: the dpkg log line decodes intact" || fail "unattended-upgrades: dpkg log line lost"
elif [ -z "${CALLERS_SKIP_uu:-}" ] && [ -e "$uu_script" ]; then
	skip "unattended-upgrades: $PY cannot import apt, apt_pkg, distro_info"
fi

# ---------------------------------------------------------------- cron
# The cron daemon is not run (a job runs at the next minute at best); its
# mailer is run as it runs it: the command format is read from the cron
# binary ("%s -FCronDaemon -i -B8BITMIME -oem  %s", with /usr/sbin/sendmail
# and MAILTO), split on blanks as cron_popen() does, and fed the message
# do_command.c writes: From: root (Cron Daemon) (or MAILFROM), To:
# MAILTO, Subject: Cron <user@host> command, MIME-Version, Content-Type
# with the locale's charset, Content-Transfer-Encoding: 8bit, one
# X-Cron-Env field per crontab variable, a blank line, then the job's
# output as it came: here an 8-bit line, a lone dot and a line over 998
# octets (carrier re-encodes the body quoted-printable for that).
cron_bin=$R/usr/sbin/cron
if have cron cron "$cron_bin"; then
	fmt=$(grep -aoE '%s -FCronDaemon[^%]*%s' "$cron_bin" | head -1)
	if [ -n "$fmt" ]; then
		ok "cron: mailer format from the binary: \"$fmt\""
	else
		fail "cron: no mailer format found in $cron_bin"
		fmt="%s -FCronDaemon -i -B8BITMIME -oem  %s"
	fi
	grep -aq '^root (Cron Daemon)$' <(tr '\0' '\n' <"$cron_bin") && ok "cron: default From 'root (Cron Daemon)' in the binary" ||
		fail "cron: 'root (Cron Daemon)' not in the binary"
	# cron_case WHAT USER MAILTO JOB CRONENV... : run as USER, as cron does
	cron_case() {
		local what=$1 cuser=$2 mailto=$3 job=$4 e
		shift 4
		{
			printf 'From: root (Cron Daemon)\nTo: %s\n' "$mailto"
			printf 'Subject: Cron <%s@%s> %s\n' "$cuser" "${HOSTNAME%%.*}" "$job"
			printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n'
			printf 'Content-Transfer-Encoding: 8bit\n'
			for e in "$@"; do printf 'X-Cron-Env: <%s>\n' "$e"; done
			printf '\n'
			cat "$T/cron_out"
		} >"$T/in"
		# shellcheck disable=SC2059 # the format is cron's
		read -r -a argv <<<"$(printf "$fmt" "$W" "$mailto")"
		if [ "$cuser" = root ]; then
			run_caller "$what" "${argv[@]}"
		else
			run_caller "$what" setpriv --reuid="$cuser" --regid="$(id -g "$cuser")" --clear-groups \
				env HOME=/ LOGNAME="$cuser" USER="$cuser" "${argv[@]}"
		fi
		expect_call "$what" "-FCronDaemon -i -B8BITMIME -oem $mailto"
	}
	{
		printf 'Prüfung läuft\n'
		printf '.\n'
		printf 'ERROR: '; for i in $(seq 120); do printf 'path/%04d ' "$i"; done; printf '\n'
		printf 'done\n'
	} >"$T/cron_out"
	cron_case cron root root '/usr/local/bin/nightly --verbose' \
		'SHELL=/bin/sh' 'HOME=/root' 'PATH=/usr/bin:/bin' 'LOGNAME=root'
	arrived 1
	expect_boxes cron root
	expect_sender cron root root@example.org
	expect_field cron "$T/got_root" '^To: root@example.org$'
	# cron's "From: root (Cron Daemon)": Postfix, Exim and sendmail all
	# qualify it as "root@<domain> (Cron Daemon)", keeping the name that
	# mail readers show; "Cron Daemon <root@...>" would do too.
	if hdr "$T/got_root" | grep -qE '^From: (root@example\.org \(Cron Daemon\)|"?Cron Daemon"? <root@example\.org>)$'; then
		ok "cron: $(field From "$T/got_root")"
	else
		fail "CARRIER BUG: cron: the sender's name is lost: cron wrote 'From: root (Cron Daemon)'," \
			"sendmail $(cat "$calld/argv"); want 'From: root@example.org (Cron Daemon)'" \
			"(or 'Cron Daemon <root@example.org>'), got '$(field From "$T/got_root")'"
	fi
	expect_rfc5322 cron "$T/got_root"
	expect_field cron "$T/got_root" "^Subject: Cron <root@${HOSTNAME%%.*}> /usr/local/bin/nightly --verbose$"
	expect_field cron "$T/got_root" '^X-Cron-Env: <LOGNAME=root>$'
	expect_field cron "$T/got_root" '^Content-Type: text/plain; charset=UTF-8$'
	expect_field cron "$T/got_root" '^Content-Transfer-Encoding: quoted-printable$'
	awk 'length > 998 { bad = 1 } END { exit bad }' "$T/got_root" && ok "cron: no line over 998 arrived" ||
		fail "cron: a line over 998 octets arrived"
	body "$T/got_root" | qp_decode >"$T/got_body"
	expect_same "$T/got_body" "$T/cron_out" "cron: the job's output (decoded), lone dot and all"

	# a user's crontab with MAILTO: the envelope sender is that user
	printf 'backup ok\n' >"$T/cron_out"
	cron_case "cron (user nobody)" nobody cron-ops@example.org 'backup.sh' \
		'MAILTO=cron-ops@example.org' 'SHELL=/bin/sh' 'HOME=/nonexistent' 'PATH=/usr/bin:/bin' 'LOGNAME=nobody'
	arrived 1
	expect_boxes "cron (user nobody)" cron-ops
	expect_sender "cron (user nobody)" cron-ops nobody@example.org
	expect_body_sent "cron (user nobody)" "$T/got_cron-ops"
fi

# wait_call: waits up to 10 s for a call since calls_reset to end (for
# callers that send in the background), before expect_call.
wait_call() {
	local i
	for i in $(seq 100); do
		compgen -G "$T/calls/*/rc" >/dev/null && return 0
		sleep 0.1
	done
}
# own_mntns (common.sh): a mount namespace of our own.
# sbin_sendmail: /usr/sbin/sendmail is the wrapper, through an overlay on
# /usr/sbin in the test's own mount namespace (the host never sees it),
# for callers with the path compiled in.  Once; fails without a mount
# namespace of our own.
sbin_sendmail() {
	[ -n "${sbin_done:-}" ] && return 0
	own_mntns || return 1
	mkdir -p "$T/sbin_up" "$T/sbin_wk" && cp "$W" "$T/sbin_up/sendmail" &&
		mount -t overlay overlay -o "lowerdir=/usr/sbin,upperdir=$T/sbin_up,workdir=$T/sbin_wk" /usr/sbin ||
		return 1
	cleanup_hooks+=("umount /usr/sbin 2>/dev/null")
	sbin_done=1
}

# ---------------------------------------------------------------- anacron
# The real anacron runs a job now (-f: whatever its timestamp, -n: no
# delay, -d: in the foreground) from a test anacrontab, and mails the
# job's output to MAILTO as runjob.c does: header lines, then the output,
# from a file, to /usr/sbin/sendmail -FAnacron -odi MAILTO (the path is
# compiled in; see sbin_sendmail).  anacron passes no -i, so a lone "." in a job's output ends
# the message there, as it does with sendmail and Postfix (carrier(8),
# -i): the second job shows that.
if have anacron anacron "$R/usr/sbin/anacron" && ldd_ok anacron "$R/usr/sbin/anacron"; then
	if ! sbin_sendmail; then
		skip "anacron: no /usr/sbin/sendmail of our own (no private mount namespace, or no overlay)"
	else
		printf 'printf "%%s\\n" "disk check: 2 warnings" "..hidden dir" "end of report"\n' >"$T/job1.sh"
		printf 'printf "%%s\\n" "first part" "." "after the dot"\n' >"$T/job2.sh"
		printf 'SHELL=/bin/sh\nPATH=/usr/bin:/bin\nMAILTO=ana-ops@example.org\n1\t0\tnightly.job\t/bin/sh %s\n' \
			"$T/job1.sh" >"$T/anacrontab"
		printf 'MAILTO=ana-dot@example.org\n1\t0\tdot.job\t/bin/sh %s\n' "$T/job2.sh" >>"$T/anacrontab"
		mkdir -p "$T/anaspool"
		: >"$T/in"
		run_caller anacron "$R/usr/sbin/anacron" -f -n -d -t "$T/anacrontab" -S "$T/anaspool" nightly.job
		expect_call anacron "-FAnacron -odi ana-ops@example.org"
		arrived 1
		expect_boxes anacron ana-ops
		expect_sender anacron ana-ops root@example.org
		expect_field anacron "$T/got_ana-ops" "^Subject: Anacron job 'nightly.job' on "
		expect_field anacron "$T/got_ana-ops" '^To: ana-ops@example.org$'
		# anacron writes "From: Anacron <root>": qualified, name kept
		expect_field anacron "$T/got_ana-ops" '^From: Anacron <root@example.org>$'
		expect_rfc5322 anacron "$T/got_ana-ops"
		expect_body_sent anacron "$T/got_ana-ops"

		run_caller "anacron (a lone dot)" "$R/usr/sbin/anacron" -f -n -d -t "$T/anacrontab" -S "$T/anaspool" dot.job
		expect_call "anacron (a lone dot)" "-FAnacron -odi ana-dot@example.org"
		arrived 1
		expect_boxes "anacron (a lone dot)" ana-dot
		printf 'first part\n' >"$T/want_body"
		body "$T/got_ana-dot" >"$T/got_body"
		expect_same "$T/got_body" "$T/want_body" "anacron (a lone dot): the output up to the dot, as sendmail without -i"
	fi
fi

# ---------------------------------------------------------------- at
# The real at(1) queues a job and the real atd runs the queue once (-s);
# the job's output goes to /usr/sbin/sendmail -i USER, headed "Subject:
# Output from your job N" and "To: USER".  at's spool directories are
# compiled in: an overlay on /var/spool, in the test's own mount
# namespace, gives it empty ones.  root (cron's mailbox already) goes
# through an aliases file to at-ops, as an admin's /etc/aliases would.
if have at at "$R/usr/bin/at" "$R/usr/sbin/atd" && ldd_ok at "$R/usr/sbin/atd"; then
	if ! sbin_sendmail; then
		skip "at: no /usr/sbin/sendmail of our own (no private mount namespace, or no overlay)"
	elif ! { mkdir -p "$T/spool_up/cron/atjobs" "$T/spool_up/cron/atspool" "$T/spool_wk" &&
		mount -t overlay overlay -o "lowerdir=/var/spool,upperdir=$T/spool_up,workdir=$T/spool_wk" /var/spool; }; then
		skip "at: cannot mount an overlay on /var/spool"
	else
		cleanup_hooks+=("umount /var/spool 2>/dev/null")
		chown daemon:daemon /var/spool/cron/atjobs /var/spool/cron/atspool
		chmod 1770 /var/spool/cron/atjobs /var/spool/cron/atspool
		: >/var/spool/cron/atjobs/.SEQ && chown daemon:daemon /var/spool/cron/atjobs/.SEQ
		printf 'printf "%%s\\n" "backup done" "." "3 files"\n' >"$T/in"
		printf 'root: at-ops@example.org\n' >"$T/at_aliases"
		cp "$T/conf" "$T/conf.saved"
		printf 'aliases %s\n' "$T/at_aliases" >>"$T/conf"
		calls_reset
		"$R/usr/bin/at" now <"$T/in" >"$T/out" 2>"$T/err" && ok "at: job queued" ||
			fail "at: exit $?: $(cat "$T/err")"
		"$R/usr/sbin/atd" -s >"$T/out" 2>"$T/err" && ok "atd -s: exit 0" || fail "atd -s: $(cat "$T/err")"
		wait_call
		expect_call at "-i root"
		mv "$T/conf.saved" "$T/conf"
		arrived 1
		expect_boxes at at-ops
		expect_sender at at-ops root@example.org
		expect_field at "$T/got_at-ops" '^Subject: Output from your job +[0-9]+$'
		expect_field at "$T/got_at-ops" '^To: root@example.org$'
		expect_rfc5322 at "$T/got_at-ops"
		expect_body_sent at "$T/got_at-ops"
		body "$T/got_at-ops" | grep -qx '3 files' && ok "at: the output after its lone dot (-i)" ||
			fail "at: body: $(body "$T/got_at-ops")"
	fi
fi

# ---------------------------------------------------------------- sudo
# sudo mails its "SECURITY information" reports to mailto through
# mailerpath with mailerflags (default "-t"), from a process of its own
# that it does not wait for.  The test's sudoers, bind-mounted over
# /etc/sudoers in the test's own mount namespace, points mailerpath at
# the wrapper and sets mail_all_cmnds, so running a command mails once
# (mail_always would mail twice in sudo 1.9: at the start and the end).
if have sudo sudo /usr/bin/sudo /etc/sudoers; then
	printf 'Defaults mailerpath="%s"\nDefaults mailto="sudo-ops@example.org"\nDefaults mail_all_cmnds\nroot ALL=(ALL:ALL) NOPASSWD: ALL\n' \
		"$W" >"$T/sudoers"
	chmod 440 "$T/sudoers"
	if ! own_mntns; then
		skip "sudo: no private mount namespace for /etc/sudoers"
	elif ! mount --bind "$T/sudoers" /etc/sudoers; then
		skip "sudo: cannot bind-mount /etc/sudoers"
	else
		cleanup_hooks+=("umount /etc/sudoers 2>/dev/null")
		: >"$T/in"
		calls_reset
		/usr/bin/sudo -u nobody /bin/true </dev/null >"$T/out" 2>"$T/err"
		rc=$?
		[ "$rc" -eq 0 ] && ok "sudo: exit 0" || fail "sudo: exit $rc; stderr: $(cat "$T/err")"
		wait_call
		expect_call sudo "-t"
		arrived 1
		expect_boxes sudo sudo-ops
		expect_sender sudo sudo-ops root@example.org
		expect_field sudo "$T/got_sudo-ops" '^Subject: \*\*\* SECURITY information for '
		expect_field sudo "$T/got_sudo-ops" '^To: sudo-ops@example.org$'
		# sudo writes "From: root": qualified, as cron's is
		expect_field sudo "$T/got_sudo-ops" '^From: root@example.org$'
		expect_field sudo "$T/got_sudo-ops" '^Auto-Submitted: auto-generated$'
		expect_rfc5322 sudo "$T/got_sudo-ops"
		expect_body_sent sudo "$T/got_sudo-ops"
		body "$T/got_sudo-ops" | grep -q 'USER=nobody ; COMMAND=/bin/true$' && ok "sudo: the report names the command" ||
			fail "sudo: body: $(body "$T/got_sudo-ops")"
	fi
fi

# ---------------------------------------------------------------- summary
# Exactly the expected mailboxes got mail, one message each.
postfix_sort "$pf"
sleep 0.3
got=$(cd "$pf/mail" && find . -path '*/new/*' -type f | awk -F/ '{ print $3 "@" $2 }' | sort)
want=$(printf '%s\n' "${boxes[@]}" | sort)
[ "$got" = "$want" ] && ok "exactly the ${#boxes[@]} expected mailboxes got one message each" ||
	fail "mailboxes: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
echo "argv each caller passed to sendmail:"
for a in "${argv_report[@]}"; do echo "  $a"; done
[ ${#skipped[@]} -eq 0 ] || echo "skipped callers: ${skipped[*]}"
finish
