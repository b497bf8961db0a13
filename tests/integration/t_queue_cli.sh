#!/bin/bash
# t_queue_cli: the queue's command line as a caller sees it.
#   - -odb: the caller goes on at once, even with $(...) around it (the
#     detached child keeps none of the caller's descriptors 0-2) while
#     the child waits for a relay that never greets; the message is
#     queued, and the child does try it; with Postfix, the child
#     delivers it byte for byte
#   - -q, -qR, -qS, -qI, -q30m with no spool directory: an error naming
#     it, exit 78; --run-queue (the systemd timer's and cron's) says
#     nothing and exits 0 (-v: a note)
#   - mailq's "*" on a message a queue run holds, for root and for a
#     user who cannot open the message's data file (carrier set-group-ID
#     as make install leaves it), and on that message only; for root
#     without /proc/locks too (the fallback opens the file)
. "$(dirname "$0")/common.sh"

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf" 'stop_bg')
postfix_start "$pf" 25 || exit 1

# a relay that takes every connection and never says a word
silent=2600
python3 "$top/tests/integration/durability_server.py" silent $silent "$T/silent.log" >"$T/silent.out" 2>&1 &
bg_pids=($!)
stop_bg() {
	local p
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
}
for i in $(seq 1 50); do
	grep -q ready "$T/silent.out" 2>/dev/null && break
	sleep 0.1
done
grep -q ready "$T/silent.out" || { fail "the silent relay did not start: $(cat "$T/silent.out")"; finish; }

spool=$T/spool
mkdir -p "$spool"
# conf RELAY_PORT [MORE]: the test's configuration, in $T/conf
conf() {
	printf 'spool %s\nsyslog off\ndomain example.net\nqueue_backoff_min 1s\nrelay 127.0.0.1:%s\ngreeting_timeout 5s\n%s' \
		"$spool" "$1" "${2:-}" >"$T/conf"
}
queued_ids() { find "$spool/queue" -name '*.e' -printf '%f\n' | sed 's/\.e$//' | sort; }
# odb WHAT RCPT: "carrier -odb" of $T/in to RCPT, its stdout and stderr
# read through $(...) as a script would; back in under 2 s (the relay's
# greeting_timeout is 5 s) and silent, exit 0
odb() {
	local start=${EPOCHREALTIME/./} took out
	out=$("$CARRIER" -C "$T/conf" -odb -f s@example.net "$2" <"$T/in" 2>&1)
	rc=$?
	took=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
	expect_rc 0 "-odb, $1"
	[ "$took" -lt 2000 ] && ok "-odb, $1: \$(...) returned after $took ms" ||
		fail "-odb, $1: \$(...) took $took ms: the detached child held the caller's output"
	[ -z "$out" ] && ok "-odb, $1: says nothing" || fail "-odb, $1 said: $out"
}

# 1. -odb to a relay that never greets: back at once, even in $(...),
#    whose pipe stays open as long as any process holds it.
conf $silent
printf '%sSubject: odb held\n\nheld by a silent relay\n' "$HDRS" >"$T/in"
odb "relay silent" held@example.org
held=$(queued_ids)
[ "$(echo "$held" | wc -w)" = 1 ] && ok "-odb: the message is queued" || fail "queue holds: $held"
# the child tries it: it gives up after the greeting_timeout, and the
# reason is kept with the message
for i in $(seq 1 80); do
	grep -q 'greeting' "$spool/queue/$held.e" 2>/dev/null && break
	sleep 0.1
done
"$CARRIER" -C "$T/conf" -bp >"$T/mailq" 2>&1
grep -q '^  *(.*timed out after 5 s waiting for the greeting.*)$' "$T/mailq" &&
	ok "the -odb child tried it: mailq shows the greeting time-out" ||
	fail "after the -odb child: $(cat "$T/mailq")"

# 2. -odb with Postfix: the child delivers it, and only it.
conf 25
printf '%sSubject: odb\n\nsent by the detached child\n' "$HDRS" >"$T/in"
odb Postfix odb@example.org
postfix_wait "$pf" 1 || fail "-odb: Postfix did not get the message"
printf '%sSubject: odb\n\nsent by the detached child\n' "$HDRS" >"$T/want"
postfix_msg "$pf" example.org odb >"$T/got"
expect_same "$T/got" "$T/want" "-odb: the message arrived as it was"
for i in $(seq 1 50); do
	[ "$(queued_ids)" = "$held" ] && break
	sleep 0.1
done
[ "$(queued_ids)" = "$held" ] && ok "-odb: out of the queue, the held one still there" ||
	fail "after -odb: queue holds $(queued_ids)"
"$CARRIER" -C "$T/conf" -q >"$T/out" 2>&1
postfix_wait "$pf" 2 || fail "-q did not deliver the held message"
[ -z "$(queued_ids)" ] && ok "-q: the queue is empty" || fail "queue: $(queued_ids)"

# 3. No spool directory: -q, its selections and -q30m say so (78), at
#    once; --run-queue is silent (a timer every 5 minutes must not mail
#    an error).
printf 'spool %s/none\nsyslog off\ndomain example.net\nrelay 127.0.0.1:25\n' "$T" >"$T/nospool.conf"
for q in -q -qRexample.org -qSs@example.net -qIABC -q30m; do
	"$CARRIER" -C "$T/nospool.conf" $q >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 78 "$q without a spool"
	expect_err_line "^carrier: no spool ${T//./\\.}/none: No such file or directory; nothing to deliver$" "$q without a spool"
	[ ! -s "$T/out" ] && ok "$q without a spool: nothing on stdout" || fail "$q: stdout: $(cat "$T/out")"
done
"$CARRIER" -C "$T/nospool.conf" --run-queue >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "--run-queue without a spool"
[ ! -s "$T/err" ] && [ ! -s "$T/out" ] && ok "--run-queue without a spool: silent" ||
	fail "--run-queue without a spool said: $(cat "$T/out" "$T/err")"
"$CARRIER" -C "$T/nospool.conf" --run-queue -v >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "--run-queue -v without a spool"
expect_err_line "^-- no spool ${T//./\\.}/none: nothing to deliver$" "--run-queue -v without a spool"
[ ! -e "$T/none" ] && ok "no spool made" || fail "$T/none was made"

# 4. mailq's "*": a queue run holds a message (its relay never greets);
#    root and a user other than root see it, on that message only.  The
#    user cannot open root's data file (mode 600): carrier must not
#    need to.
if [ -n "${CARRIER_SANITIZED:-}" ]; then
	# as t_queue_priv: a set-group-ID carrier with ASan cannot be given
	# ASAN_OPTIONS
	ok "SKIP mailq as a user: a set-group-ID carrier built with ASan cannot run"
	finish
fi
own_mntns || { ok "SKIP mailq as a user: no mount namespace of the test's own"; finish; }
gid=64917
user=nobody
id "$user" >/dev/null 2>&1 || { fail "no user $user"; finish; }
as() { setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups -- "$@"; }
setgid_carrier "$gid" || { fail "carrier set-group-ID on a tmpfs"; finish; }
pspool=$T/pspool
install -d -m 2770 -o root -g "$gid" "$pspool" "$pspool/tmp" "$pspool/queue" "$pspool/corrupt"
etc_carrier_conf "spool $pspool
syslog off
domain example.net
relay 127.0.0.1:$silent
greeting_timeout 60s
" || { fail "cannot make /etc/carrier.conf"; finish; }
printf '%sSubject: busy\n\nheld\n' "$HDRS" >"$T/in"
"$C" -odq -f s@example.net one@example.org <"$T/in" >/dev/null 2>&1
sleep 0.01	# queue ids are time-ordered
"$C" -odq -f s@example.net two@example.org <"$T/in" >/dev/null 2>&1
ids=($(find "$pspool/queue" -name '*.e' -printf '%f\n' | sed 's/\.e$//' | sort))
[ "${#ids[@]}" = 2 ] && ok "two messages queued" || { fail "queued: ${ids[*]}"; finish; }
busy=${ids[0]} idle=${ids[1]}
[ "$(stat -c '%U %a' "$pspool/queue/$busy.d")" = "root 600" ] && ok "the data file is root's, mode 600" ||
	fail "data file: $(stat -c '%U %a' "$pspool/queue/$busy.d")"
"$C" -qI"$busy" >"$T/qrun.out" 2>&1 &
qrun=$!
bg_pids+=($qrun)
# held: the run has taken the message's lock
ino=$(stat -c %i "$pspool/queue/$busy.d")
for i in $(seq 1 50); do
	grep -q "FLOCK .*:$ino " /proc/locks && break
	sleep 0.1
done
grep -q "FLOCK .*:$ino " /proc/locks && ok "the queue run holds $busy" || fail "no lock on $busy: $(cat /proc/locks)"
# mailq_star WHO OUT: "*" after the held id, none after the other
mailq_star() {
	if grep -q "^$busy\*" "$2" && grep -q "^$idle " "$2"; then
		ok "mailq as $1: \"*\" after $busy, not after $idle"
	else
		fail "mailq as $1: $(cat "$2")"
	fi
}
"$C" -bp >"$T/mailq.root" 2>&1
mailq_star root "$T/mailq.root"
# without /proc (a tmpfs over it, for this mailq only): the fallback,
# which opens the data file to test its lock, as root may
unshare -m sh -c 'mount -t tmpfs tmpfs /proc && exec "$1" -bp' sh "$C" >"$T/mailq.noproc" 2>&1
mailq_star "root, /proc/locks hidden" "$T/mailq.noproc"
as "$C" -bp >"$T/mailq.user" 2>&1
mailq_star "$user" "$T/mailq.user"
kill "$qrun" 2>/dev/null
wait "$qrun" 2>/dev/null
as "$C" -bp >"$T/mailq.user" 2>&1
grep -q '\*' "$T/mailq.user" && fail "mailq as $user after the run: $(cat "$T/mailq.user")" ||
	ok "mailq as $user after the run: no \"*\""

finish
