#!/bin/bash
# t_queue_priv: carrier installed set-group-ID to a group of its own, as
# make install does, used by users other than root.  A user submits with
# the relay down: queued, exit 0; that user cannot read the spool, the
# data or the AUTH secret directly, yet carrier can use the secret (mode
# 640, carrier's group) and queue; another user's queue run neither
# sends nor sets aside a message it may not read; mailq shows every
# message to everyone; root's run delivers both.  A -C file of the
# user's own drops the group (nothing queued).  The group is a number
# that names no group: nothing in /etc changes.
. "$(dirname "$0")/common.sh"

# A sanitized carrier set-group-ID reads its options from
# /proc/self/environ, which a set-group-ID process may not read: its
# LeakSanitizer then runs, and cannot run (not dumpable).
if [ -n "${CARRIER_SANITIZED:-}" ]; then
	echo "SKIP: a set-group-ID carrier built with ASan cannot be given ASAN_OPTIONS"
	exit 77
fi

gid=64917
user=nobody
other=daemon
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups -- "$@"; }
id "$user" >/dev/null 2>&1 && id "$other" >/dev/null 2>&1 || { echo "SKIP: users $user and $other are needed"; exit 77; }

own_mntns || { echo "SKIP: no mount namespace of the test's own"; exit 77; }
setgid_carrier "$gid" || { fail "carrier set-group-ID on a tmpfs"; finish; }

spool=$T/spool
install -d -m 2770 -o root -g "$gid" "$spool" "$spool/tmp" "$spool/queue" "$spool/corrupt"
install -m 640 -o root -g "$gid" /dev/null "$T/secret"
printf 'sesame\n' >"$T/secret"

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
LAB_POSTFIX_SASL="alice:sesame" postfix_start "$pf" 25 || exit 1

sysconf() {
	etc_carrier_conf "spool $spool
syslog off
domain example.net
queue_backoff_min 1s
relay 127.0.0.1:$1
auth_user alice
auth_password_file $T/secret
auth_allow_plaintext yes
" || { fail "cannot make /etc/carrier.conf"; finish; }
}

# 1. The relay is down: the user's message is queued.
sysconf 26
printf '%sSubject: priv\n\nfrom nobody\n' "$HDRS" >"$T/in"
as "$user" "$C" -f n@example.net a@example.org <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "$user, relay down: queued"
expect_err_line '^carrier: queued as ' "$user's message"
n_ids() { find "$spool/queue" -name '*.e' | wc -l; }
[ "$(n_ids)" = 1 ] && ok "one message in the spool" || fail "spool holds $(n_ids)"
d=$(find "$spool/queue" -name '*.d')
[ "$(stat -c '%U %a' "$d")" = "$user 600" ] && ok "its data file is the user's, mode 600" ||
	fail "data file: $(stat -c '%U %G %a' "$d")"
as "$user" cat "$d" >/dev/null 2>&1 && fail "$user read the data file directly" || ok "$user cannot read the data file"
as "$user" ls "$spool/queue" >/dev/null 2>&1 && fail "$user listed the spool" || ok "$user cannot list the spool"
as "$user" cat "$T/secret" >/dev/null 2>&1 && fail "$user read the secret" || ok "$user cannot read the secret"

# 2. Another user queues one; the first user's queue run must not send
#    it or set it aside, and mailq shows both to anyone.
printf '%sSubject: other\n\nfrom daemon\n' "$HDRS" >"$T/in2"
as "$other" "$C" -f d@example.net b@example.org <"$T/in2" >/dev/null 2>&1
[ "$(n_ids)" = 2 ] && ok "$other's message queued too" || fail "spool holds $(n_ids)"
sysconf 25
as "$user" "$C" -q >"$T/qout" 2>&1
postfix_wait "$pf" 1 || fail "$user's run did not deliver $user's message (AUTH with the group's secret)"
sleep 0.5
[ "$(_lab_count_msgs "$pf")" = 1 ] && ok "$user's run sent only $user's message" ||
	fail "$user's run sent $(_lab_count_msgs "$pf") messages"
[ -z "$(ls -A "$spool/corrupt")" ] && ok "nothing set aside" || fail "corrupt/: $(ls "$spool/corrupt")"
[ "$(n_ids)" = 1 ] && ok "$other's message still queued" || fail "spool holds $(n_ids)"
as "$user" "$C" -bp >"$T/mailq" 2>&1
grep -q 'd@example.net' "$T/mailq" && ok "mailq as $user shows $other's message" || fail "mailq: $(cat "$T/mailq")"

# 3. Root's run delivers the rest.
"$C" -q >"$T/qout" 2>&1
postfix_wait "$pf" 2 || fail "root's run did not deliver $other's message"
[ "$(n_ids)" = 0 ] && ok "the spool is empty" || fail "spool holds $(n_ids)"
printf '%sSubject: other\n\nfrom daemon\n' "$HDRS" >"$T/want"
postfix_msg "$pf" example.org b >"$T/got"
expect_same "$T/got" "$T/want" "$other's message arrived as it was"

# 4. A configuration of the user's own (allowed by allow_config) runs
#    without the group: the spool is out of reach, nothing is queued.
sysconf 26
printf 'allow_config %s/own.conf\n' "$T" >>/etc/carrier.conf
printf 'spool %s\nsyslog off\ndomain example.net\nrelay 127.0.0.1:26\n' "$spool" >"$T/own.conf"
as "$user" "$C" -C "$T/own.conf" -f n@example.net a@example.org <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 75 "-C of the user's own: not queued"
expect_err_line 'not queued.*Permission denied' "-C of the user's own"
[ "$(n_ids)" = 0 ] && ok "nothing queued with the user's -C" || fail "spool holds $(n_ids)"

finish
