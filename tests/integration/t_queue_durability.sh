#!/bin/bash
# t_queue_durability: the promise behind exit 0, under SIGKILL.  carrier
# is killed (kill -9, carrier alone) at ten points, 260 runs in all;
# after a random delay (0 to 1300 ms) at eight of them:
#   stdin          reading a message a slow writer feeds it (relay up or
#                  down)
#   spool          -odq on a 3 MiB message: intake, sync, link, envelope
#                  (killed within 40 ms: on the tmpfs spool it is quick)
#   connect        a relay that accepts the connection and never speaks
#   data           a relay that reads the text slowly
#   after250       a relay that answers 250 to the final dot after 0 to
#                  150 ms, then never answers the QUIT
#   qrun-after250  -qI ID against that relay (the queue entry outlives
#                  the 250 until the run removes it)
#   qrun-4xx       -q against a relay that puts every recipient off (the
#                  run replaces each envelope)
#   qrun-postfix   -q against Postfix
# and by the relay itself, which stops it, sends its 250 and kills it,
# at two:
#   at250          a message sent at once (-odi)
#   qrun-at250     -qI ID: a queued message
# Then Postfix takes the queue (-q, twice) and every message is counted
# where it arrived (Postfix's inbox and the test relays' logs, by its
# unique recipient): a message whose submission exited 0 arrived, or is
# still queued; no message arrived twice unless a queue run was killed
# after its final dot and before the removal of the entry, and never
# more often than such runs were killed; each queue run killed with the
# 250 unread gives one duplicate (SMTP cannot avoid it), a send at once
# none; no envelope is unreadable; tmp/ holds nothing but what a kill
# inside spool_write_env leaves, and a queue run removes that once it
# is a day old; a data file without an envelope is from a run that did
# not exit 0.
# The counts go to the log in one summary line.
. "$(dirname "$0")/common.sh"

t0=${EPOCHREALTIME/./}
pf=$T/pf
cleanup_hooks+=("postfix_stop $pf" "sink_stop $T/sink" 'stop_servers')
LAB_POSTFIX_MAIN_CF='message_size_limit = 50000000' postfix_start "$pf" 25 || exit 1

# SIGKILL is about the process, not the disk: the page cache outlives
# it, so the spool is a tmpfs (in the test's own mount namespace) where
# fsync costs nothing and the test stays quick
spool=$T/spool
mkdir -p "$spool"
if [ "$(readlink /proc/self/ns/mnt)" != "${HOST_MNTNS:-}" ]; then
	mount -t tmpfs -o size=512m,mode=755 tmpfs "$spool" || exit 1
	cleanup_hooks+=("umount $spool")
fi
printf 'spool %s\nsyslog off\ndomain example.net\ntimeout 1s\nconnect_timeout 1s\nqueue_backoff_min 1s\n' "$spool" >"$T/conf"

# the test servers: silent 2601, slow-data 2602, ack-stall 2603,
# ack-kill 2605 (which stops the pid in $T/pid.at250, sends its 250 and
# kills it)
server_pids=()
stop_servers() {
	local p
	for p in "${server_pids[@]}"; do kill "$p" 2>/dev/null; done
	server_pids=()
}
start_server() { # MODE PORT
	python3 "$top/tests/integration/durability_server.py" "$1" "$2" "$T/got.$1" "$T/pid.at250" >"$T/srv.$1" 2>&1 &
	server_pids+=($!)
	wait_ready "$T/srv.$1" "server $1"
}
start_server silent 2601
start_server slow-data 2602
start_server ack-stall 2603
start_server ack-kill 2605
for f in silent slow-data ack-stall ack-kill; do : >"$T/got.$f"; done
sink_start "$T/sink" 2604 -r RCPT || { echo "sink did not start"; exit 1; }

# Message N goes to rN@example.org, with Subject dur-N and its own
# Message-ID.  $T/msgs: "N POINT RC" (RC the submission's exit status,
# 137 when it was killed); $T/runs: "POINT DELAY_MS RC" per killed run.
: >"$T/msgs"
: >"$T/runs"
n=0
head_of() { printf 'From: Test <test@example.net>\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <dur.%d@example.net>\nSubject: dur-%d\n\n' "$1" "$1"; }

# the text of the big message (3 MiB of base64 lines), and a 64 KiB one
head -c 2400000 /dev/urandom | base64 -w 76 >"$T/big"
head -c 48000 /dev/urandom | base64 -w 76 >"$T/mid"

slow_writer() { # N: the header, then 10 lines 20 ms apart
	local i fd
	mkfifo "$T/never.$1" && exec {fd}<>"$T/never.$1" || return 1
	head_of "$1"
	for ((i = 0; i < 10; i++)); do
		read -r -t 0.02 -u "$fd"	# a pause without a process
		printf 'line %d of a message written slowly\n' "$i" || break
	done
	exec {fd}>&-
	rm -f "$T/never.$1"
}

secs() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# launch N POINT: starts carrier for message N at POINT in the
# background, its pid in $pid (the last command of a pipeline is $!).
launch() {
	local n=$1 r=r$1@example.org
	case $2 in
	stdin)
		local port=25
		[ $((n % 2)) = 0 ] && port=26	# down: queued
		mkfifo "$T/in.$n"
		"$CARRIER" -C "$T/conf" -R 127.0.0.1:$port "$r" <"$T/in.$n" >/dev/null 2>"$T/err.$n" &
		pid=$!
		(trap '' PIPE; slow_writer "$n" >"$T/in.$n") 2>/dev/null &
		return
		;;
	spool)
		{ head_of "$n"; cat "$T/big"; } >"$T/in.$n"
		"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -odq "$r" <"$T/in.$n" >/dev/null 2>"$T/err.$n" &
		;;
	connect)
		head_of "$n" >"$T/in.$n"
		"$CARRIER" -C "$T/conf" -R 127.0.0.1:2601 "$r" <"$T/in.$n" >/dev/null 2>"$T/err.$n" &
		;;
	data)
		{ head_of "$n"; cat "$T/mid"; } >"$T/in.$n"
		"$CARRIER" -C "$T/conf" -R 127.0.0.1:2602 "$r" <"$T/in.$n" >/dev/null 2>"$T/err.$n" &
		;;
	after250)
		head_of "$n" >"$T/in.$n"
		"$CARRIER" -C "$T/conf" -R 127.0.0.1:2603 "$r" <"$T/in.$n" >/dev/null 2>"$T/err.$n" &
		;;
	at250)
		head_of "$n" >"$T/in.$n"
		"$CARRIER" -C "$T/conf" -R 127.0.0.1:2605 "$r" <"$T/in.$n" >/dev/null 2>"$T/err.$n" &
		echo "$!" >"$T/pid.at250"
		;;
	esac
	pid=$!
}

# one_run N POINT MAX_MS: message N, killed after 0..MAX_MS ms.
one_run() {
	local ms=$((RANDOM % ($3 + 1))) rc
	launch "$1" "$2"
	sleep "$(secs "$ms")"
	kill -9 "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null
	rc=$?
	echo "$1 $2 $rc" >>"$T/msgs"
	echo "$2 $ms $rc" >>"$T/runs"
	rm -f "$T/in.$1"
}

# submit_runs POINT COUNT MAX_MS: COUNT runs, 6 at a time.
submit_runs() {
	local i j
	local -a live=() alive
	for ((i = 0; i < $2; i++)); do
		n=$((n + 1))
		one_run "$n" "$1" "$3" &
		live+=($!)
		while [ ${#live[@]} -ge 6 ]; do
			sleep 0.02
			alive=()
			for j in "${live[@]}"; do
				kill -0 "$j" 2>/dev/null && alive+=("$j")
			done
			live=("${alive[@]}")
		done
	done
	for j in "${live[@]}"; do wait "$j"; done
}

# queue_msgs COUNT: COUNT small messages queued with -odq (not killed),
# 4 at a time.
queue_one() {
	head_of "$1" | "$CARRIER" -C "$T/conf" -odq "r$1@example.org"
	echo "$1 queued $?" >>"$T/msgs"
}
queue_msgs() {
	local i
	for ((i = 0; i < $1; i++)); do
		n=$((n + 1))
		queue_one "$n" &
		[ $((i % 4)) = 3 ] && wait "$!"
	done
	wait "$!"
	sleep 0.1
	while read -r m _ rc; do
		fail "queueing message $m: exit $rc"
	done < <(awk '$2 == "queued" && $3 != 0' "$T/msgs")
}

# qrun_kill POINT MAX_MS ARGS...: one queue run, killed after 0..MAX_MS.
qrun_kill() {
	local point=$1 ms=$((RANDOM % ($2 + 1))) rc
	shift 2
	"$CARRIER" -C "$T/conf" "$@" >/dev/null 2>>"$T/qrun.err" &
	pid=$!
	sleep "$(secs "$ms")"
	kill -9 "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null
	rc=$?
	echo "$point $ms $rc" >>"$T/runs"
}
phase() { echo "$(((${EPOCHREALTIME/./} - t0) / 1000)) ms: $*"; }
queued_ids() { find "$spool/queue" -name '*.e' -printf '%f\n' | sed 's/\.e$//' | sort; }

# 1. Queue runs killed: 30 messages, each sent once by -qI to the relay
# that stalls after its 250; then 120 more, and runs of -q against the
# relay that puts everything off, then against Postfix.
phase "queue_msgs 30"
queue_msgs 30
for id in $(queued_ids); do
	qrun_kill qrun-after250 300 -R 127.0.0.1:2603 "-qI$id"
done
phase qrun-at250
before=$(queued_ids)
queue_msgs 20
for id in $(comm -13 <(echo "$before") <(queued_ids)); do
	"$CARRIER" -C "$T/conf" -R 127.0.0.1:2605 "-qI$id" >/dev/null 2>>"$T/qrun.err" &
	echo "$!" >"$T/pid.at250"
	{ wait "$!"; } 2>/dev/null
	echo "qrun-at250 - $?" >>"$T/runs"
done
phase "queue_msgs 90"
queue_msgs 90
phase qrun-4xx
for i in $(seq 1 20); do qrun_kill qrun-4xx 80 -R 127.0.0.1:2604 -q; done
phase qrun-postfix
for i in $(seq 1 30); do qrun_kill qrun-postfix 120 -R 127.0.0.1:25 -q; done
qmsgs=$n

# 2. Submissions killed.
phase "submit_runs stdin"
submit_runs stdin 30 500
phase "submit_runs spool"
submit_runs spool 30 40
phase "submit_runs connect"
submit_runs connect 30 1300
phase "submit_runs data"
submit_runs data 30 300
phase "submit_runs after250"
submit_runs after250 20 300
phase at250
for ((i = 0; i < 20; i++)); do
	n=$((n + 1))
	launch "$n" at250
	{ wait "$pid"; } 2>/dev/null
	rc=$?
	echo "$n at250 $rc" >>"$T/msgs"
	echo "at250 - $rc" >>"$T/runs"
	rm -f "$T/in.$n"
done
phase "kills done"
t_kill=${EPOCHREALTIME/./}

# 3. What the kills left, before any run tidies it.
"$CARRIER" -C "$T/conf" -bp >"$T/mailq" 2>&1
unreadable=$(grep -c unreadable "$T/mailq")
[ "$unreadable" = 0 ] && ok "every envelope in queue/ reads ($(queued_ids | wc -l) queued)" ||
	fail "unreadable entries: $(grep unreadable "$T/mailq")"
ls -A "$spool/tmp" >"$T/tmpfiles"
bad=$(grep -cvE '^[0-9A-Za-z]+\.e\.[0-9]+$' "$T/tmpfiles")
[ "$bad" = 0 ] && ok "tmp/ holds no message file ($(wc -l <"$T/tmpfiles") envelope leftovers)" ||
	fail "tmp/ holds: $(cat "$T/tmpfiles")"
# A data file without an envelope: a message never acknowledged (killed
# before its envelope was renamed in), or one a queue run finished and
# was killed between unlinking the envelope and the data file (spool.c:
# the envelope goes first).  The second kind must have arrived (checked
# in 5.); both go at the next run.
find "$spool/queue" -name '*.d' -printf '%f\n' | sed 's/\.d$//' | sort >"$T/dfiles"
orphans=$(comm -23 "$T/dfiles" <(queued_ids))
norphan=0
done_orphans=()
for id in $orphans; do
	norphan=$((norphan + 1))
	m=$(tr -d '\r' <"$spool/queue/$id.d" | sed -n 's/^Subject: dur-\([0-9]*\)$/\1/p' | head -1)
	rc=$(awk -v m="$m" '$1 == m { print $3 }' "$T/msgs")
	if [ -n "$m" ] && [ "$rc" != 0 ]; then
		ok "orphan data file $id: message $m, exit $rc"
	elif [ -n "$m" ] && [ "$rc" = 0 ]; then
		done_orphans+=("$m")
		ok "orphan data file $id: message $m (exit 0): to be found delivered"
	else
		fail "orphan data file $id: message '$m' exited '$rc'"
	fi
done

# an envelope a kill left in tmp/ more than a day ago goes at the next
# run; a recent one (perhaps still being written) stays
printf 'carrier-queue 1\nid 0STALE\n' >"$spool/tmp/0STALE.e.4242"
touch -d '2 days ago' "$spool/tmp/0STALE.e.4242"
printf 'carrier-queue 1\nid 0FRESH\n' >"$spool/tmp/0FRESH.e.4243"

# 4. Postfix takes the queue.
phase flush
stop_servers
sink_stop "$T/sink"
for pass in 1 2; do
	"$CARRIER" -C "$T/conf" -R 127.0.0.1:25 -q >"$T/flush$pass" 2>&1 ||
		fail "flush $pass: exit $?: $(cat "$T/flush$pass")"
done
left=$(queued_ids | wc -l)
[ ! -e "$spool/tmp/0STALE.e.4242" ] && ok "the run removed a day-old envelope from tmp/" ||
	fail "a day-old envelope stays in tmp/: $(ls -A "$spool/tmp")"
[ -e "$spool/tmp/0FRESH.e.4243" ] && ok "the run left a recent envelope in tmp/" ||
	fail "the run removed a recent envelope from tmp/"
[ -z "$(ls -A "$spool/corrupt")" ] && ok "nothing set aside as corrupt" ||
	fail "corrupt/: $(ls -A "$spool/corrupt")"
left_d=$(find "$spool/queue" -name '*.d' -printf '%f\n' | sed 's/\.d$//' | sort |
	comm -23 - <(queued_ids) | wc -l)
[ "$left_d" = 0 ] && ok "the runs removed every orphan data file" ||
	fail "$left_d orphan data files left after the runs"

phase count
# 5. Count.  Postfix delivers in the background: wait for the total to
# settle (every message that can have arrived, at most).
prev=-1
for i in $(seq 1 60); do
	sleep 0.5
	have=$(find "$pf/inbox/new" -type f | wc -l)
	[ "$have" = "$prev" ] && break
	prev=$have
done
runs=$(wc -l <"$T/runs")
# deliveries per message: Postfix's Maildirs, the servers' logs
declare -A pfc srv srvopen atk inq
while read -r cnt m; do
	pfc[$m]=$cnt
done < <(find "$pf/inbox/new" -type f -exec grep -m1 -h '^Delivered-To: ' {} + |
	sed -n 's/^Delivered-To: r\([0-9]*\)@example\.org$/\1/p' | sort | uniq -c)
while read -r r _ when; do
	m=${r%@*}
	m=${m#r}
	srv[$m]=$((${srv[$m]:-0} + 1))
	[ "$when" = open ] && srvopen[$m]=1
done < <(cat "$T"/got.*)
while read -r r _; do
	m=${r%@*}
	atk[${m#r}]=1
done <"$T/got.ack-kill"
for id in $(queued_ids); do
	m=$(tr -d '\r' <"$spool/queue/$id.d" | sed -n 's/^Subject: dur-\([0-9]*\)$/\1/p' | head -1)
	[ -n "$m" ] && inq[$m]=1
done
exit0=0 delivered=0 dups=0 lost=0 still=0 dup_open=0 dup_gone=0 dup_pf=0 dup_at=0
while read -r m point rc; do
	c=${pfc[$m]:-0}
	s=${srv[$m]:-0}
	d=$((c + s))
	q=${inq[$m]:-0}
	[ "$rc" = 0 ] && exit0=$((exit0 + 1))
	[ "$d" -ge 1 ] && delivered=$((delivered + 1))
	[ "$q" -ge 1 ] && [ "$d" = 0 ] && still=$((still + 1))
	if [ "$rc" = 0 ] && [ "$d" = 0 ] && [ "$q" = 0 ]; then
		lost=$((lost + 1))
		fail "message $m ($point) got exit 0 and is neither delivered nor queued"
	fi
	if [ "$d" -gt 1 ]; then
		dups=$((dups + d - 1))
		if [ "$m" -gt "$qmsgs" ]; then
			fail "message $m ($point, exit $rc) arrived $d times: not from a queue run"
		else
			# one arrival at a test relay, the rest at Postfix
			if [ -n "${atk[$m]:-}" ]; then
				dup_at=$((dup_at + 1))
			elif [ "$s" -ge 1 ] && [ -n "${srvopen[$m]:-}" ]; then
				dup_open=$((dup_open + 1))
			elif [ "$s" -ge 1 ]; then
				dup_gone=$((dup_gone + 1))
			fi
			[ "$c" -gt 1 ] && dup_pf=$((dup_pf + c - 1))
		fi
	fi
done <"$T/msgs"
killed() { awk -v p="$1" '$1 == p && $3 == 137' "$T/runs" | wc -l; }
maxdup=$(($(killed qrun-after250) + $(killed qrun-at250) + $(killed qrun-postfix)))
[ "$dups" -le "$maxdup" ] && ok "$dups duplicates, at most one per queue run killed while sending ($maxdup)" ||
	fail "$dups duplicates, more than the $maxdup queue runs killed while sending"
# killed with the 250 unread: from the queue, a duplicate every time;
# sent at once, never (nothing was queued)
[ "$dup_at" = 20 ] && [ "$(killed qrun-at250)" = 20 ] &&
	ok "each of the 20 queued messages killed with the 250 unread came twice" ||
	fail "killed with the 250 unread: $dup_at duplicates in $(killed qrun-at250) runs, want 20 in 20"
[ "$(killed at250)" = 20 ] && [ "$(grep -c . "$T/got.ack-kill")" = 40 ] &&
	ok "each message the relay took in the 40 runs killed at its 250 is counted" ||
	fail "at the 250: $(killed at250) of 20 -odi runs killed; the relay took $(grep -c . "$T/got.ack-kill"), want 40"
[ "$lost" = 0 ] && ok "every message that got exit 0 arrived or is queued" || :
for m in "${done_orphans[@]}"; do
	[ "$((${pfc[$m]:-0} + ${srv[$m]:-0}))" -ge 1 ] &&
		ok "message $m, whose data file a killed run left, arrived" ||
		fail "message $m left a data file without an envelope and never arrived"
done

for p in stdin spool connect data after250 at250 qrun-after250 qrun-at250 qrun-4xx qrun-postfix; do
	printf '%-14s runs %3d  exit 0 %3d  killed %3d  other %3d\n' "$p" \
		"$(awk -v p="$p" '$1 == p' "$T/runs" | wc -l)" \
		"$(awk -v p="$p" '$1 == p && $3 == 0' "$T/runs" | wc -l)" "$(killed "$p")" \
		"$(awk -v p="$p" '$1 == p && $3 != 0 && $3 != 137' "$T/runs" | wc -l)"
done
awk '$3 != 0 && $3 != 137' "$T/runs" | sed 's/^/other exit: /'
t1=${EPOCHREALTIME/./}
echo "durability: $runs runs, $(wc -l <"$T/msgs") messages, $exit0 exit 0, $delivered delivered," \
	"$dups duplicates: $dup_at in $(killed qrun-at250) -qI runs killed with the 250 unread" \
	"(none in $(killed at250) such -odi runs);" \
	"$dup_open after and $dup_gone before the 250 of the relay that stalls, in $(killed qrun-after250) killed -qI runs;" \
	"$dup_pf in $(killed qrun-postfix) killed -q runs to Postfix; $still still queued ($left envelopes)," \
	"$norphan orphan data files, $(wc -l <"$T/tmpfiles") tmp/ leftovers;" \
	"kills $(((t_kill - t0) / 1000)) ms, total $(((t1 - t0) / 1000)) ms"
finish
