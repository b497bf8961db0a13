#!/usr/bin/env bash
# queue.sh: what "make bench-queue" runs.  Figures, never a pass/fail.
#
# 1. The single send (2 KB message, one recipient, to smtp-sink on
#    loopback), timed from fork to reap by tests/bench/runsend.c with the
#    peak RSS from wait4(): the binary before the queue (commit $OLD,
#    default 169ef0c, built from "git archive" in a temporary directory
#    under build/bench and kept as build/bench/carrier-$OLD), and this
#    carrier twice: with a spool under build/bench (the same file system
#    as /var/spool) and with no usable spool (a missing directory).  The
#    three are interleaved in one run (A B C, B C A, C A B, ...); median
#    and fastest ms per send, new/old ratio, peak RSS.
# 2. A flush: MSGS messages (default 1000) queued with "carrier -odq" (each
#    process timed, the sum reported as msgs/s), then one "carrier -q"
#    timed, with queue_reuse yes and with queue_reuse no, FLUSHES rounds
#    each (default 2, interleaved, median reported), then two runners
#    started together on one queue (queue_reuse yes).  A fill of 1000
#    takes 10 s to 2 min here (3 fsyncs a message).  Every round checks
#    that smtp-sink's counter (-c) grew by exactly MSGS and that the queue
#    is empty afterwards.
#
# The report goes to stdout and build/bench/queue-<date>.txt.  The
# machine's load average is printed at the start and end: timings on a
# shared machine are noisy.
#
#   tests/bench/queue.sh [-p] [-n REPS] [-m MSGS] [-f FLUSHES] [-o OLD_COMMIT]
#
# -p: also profile one flush (queue_reuse yes; the filled queue copied so
# that each tool sees the same one): strace -c for the system calls a
# message, strace -w -c for their share of the time in system calls, and
# perf stat for the CPU time a message (strace and perf where installed).
#
# Needs root (smtp-sink drops to nobody; tests/lab/lab.sh extracts it into
# build/lab) and git (for the old binary); prints SKIP and exits 0 without
# root.  Environment: CARRIER_BIN (default <repo>/carrier).
set -u -o pipefail

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_SRC/../.." && pwd)
OUT_DIR=$REPO/build/bench
: "${CARRIER_BIN:=$REPO/carrier}"

REPS=21
MSGS=1000
FLUSHES=2
OLD=169ef0c
PROFILE=0
usage() {
	echo "usage: tests/bench/queue.sh [-p] [-n reps] [-m msgs] [-f flushes] [-o old_commit]" >&2
	exit 2
}
while getopts pn:m:f:o: opt; do
	case $opt in
	p) PROFILE=1 ;;
	n) REPS=$OPTARG ;;
	m) MSGS=$OPTARG ;;
	f) FLUSHES=$OPTARG ;;
	o) OLD=$OPTARG ;;
	*) usage ;;
	esac
done
for v in "$REPS" "$MSGS" "$FLUSHES"; do
	case $v in '' | *[!0-9]* | 0) usage ;; esac
done

say() { printf 'bench-queue: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: bench-queue needs root (smtp-sink runs as nobody)"
	exit 0
fi
[ -x "$CARRIER_BIN" ] || die "carrier binary not found at $CARRIER_BIN (run make)"
CARRIER_BIN=$(readlink -f "$CARRIER_BIN")

# shellcheck source-path=SCRIPTDIR source=../lab/lab.sh disable=SC1091
. "$REPO/tests/lab/lab.sh" || exit 1
lab_fetch >&2 || die "lab_fetch failed (smtp-sink)"

mkdir -p "$OUT_DIR/bin" || exit 1
W=$(mktemp -d "$OUT_DIR/queue.XXXXXX") || exit 1
chmod 755 "$W"
cleanup() {
	sink_stop "$W/sink" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RUNSEND=$OUT_DIR/bin/runsend
"${CC:-cc}" -O2 -Wall -o "$RUNSEND" "$BENCH_SRC/runsend.c" ||
	die "cannot build tests/bench/runsend.c"

# --- the binary before the queue -----------------------------------------------
# Built with this tree's config.mk and config.h (configure.ac, config.mk.in
# and the Makefile are the same at $OLD), kept for the next run.
OLD=$(git -C "$REPO" rev-parse --short "$OLD^{commit}") || die "no commit $OLD"
OLD_BIN=$OUT_DIR/carrier-$OLD
if [ ! -x "$OLD_BIN" ]; then
	say "building carrier at $OLD (git archive into $W/old)"
	if ! { mkdir "$W/old" &&
		git -C "$REPO" archive "$OLD" | tar -x -C "$W/old" &&
		cp "$REPO/config.mk" "$REPO/config.h" "$W/old/" &&
		make -C "$W/old" -s carrier >"$W/old.log" 2>&1 &&
		cp "$W/old/carrier" "$OLD_BIN.tmp" &&
		mv "$OLD_BIN.tmp" "$OLD_BIN"; }; then
		tail -20 "$W/old.log" >&2
		die "cannot build carrier at $OLD"
	fi
	rm -rf "$W/old"
fi

# --- the message and the sink --------------------------------------------------
MSG=$W/msg.2k
{
	printf 'From: Bench Sender <bench@bench.example>\n'
	printf 'To: rcpt@example.org\n'
	printf 'Subject: carrier queue bench\n'
	printf 'Date: Thu, 01 Jan 2026 00:00:00 +0000\n'
	printf 'Message-ID: <queue.1@bench.example>\n'
	printf 'MIME-Version: 1.0\n'
	printf 'Content-Type: text/plain; charset=us-ascii\n\n'
	for i in $(seq 1 27); do
		printf 'Line %04d of the queue benchmark message, plain ASCII text.\n' "$i"
	done
} >"$MSG"
size=$(stat -c %s "$MSG")
((size < 2048)) && printf '%*s\n' $((2048 - size - 1)) '' | tr ' ' x >>"$MSG"
[ "$(stat -c %s "$MSG")" = 2048 ] || die "message is not 2048 bytes"

PORT=$(lab_free_port) || exit 1
sink_start "$W/sink" "$PORT" -a -C -F -c || die "smtp-sink did not start"
sink_count() {  # the last "mesg=" counter smtp-sink -c printed
	tr '\r' '\n' <"$W/sink/sink.log" | awk -F'mesg=' 'NF>1{m=$2+0} END{print m+0}'
}
sink_wait() {  # N: wait up to 3 s for the counter to reach N; print it
	local i got
	for i in $(seq 60); do
		got=$(sink_count)
		((got >= $1)) && break
		sleep 0.05
	done
	echo "$got"
}

SPOOL=$W/spool
# as installed: the spool with its subdirectories (without tmp/, the send
# path would read the message into /tmp, off the spool's file system)
mkdir -m 700 "$SPOOL" "$SPOOL/tmp" "$SPOOL/queue" "$SPOOL/corrupt" || exit 1
printf 'relay 127.0.0.1:%s\n' "$PORT" >"$W/old.conf"
printf 'relay 127.0.0.1:%s\nspool %s\n' "$PORT" "$SPOOL" >"$W/spool.conf"
printf 'relay 127.0.0.1:%s\nspool %s\n' "$PORT" "$W/no-such-spool" >"$W/nospool.conf"
for r in yes no; do
	printf 'relay 127.0.0.1:%s\nspool %s\nqueue_reuse %s\n' "$PORT" "$SPOOL" "$r" \
		>"$W/reuse-$r.conf"
done

FAILS=()
run1() {  # LOGFILE CONFIG ARGS...: one timed carrier process; "s kb" to stdout
	local log=$1 conf=$2 bin=$CARRIER_BIN res wall rss st
	shift 2
	[ "$conf" = "$W/old.conf" ] && bin=$OLD_BIN
	res=$("$RUNSEND" "$MSG" "$bin" -C "$conf" "$@" 2>>"$log") || return 1
	read -r wall rss st <<<"$res"
	if [ "$st" != 0 ]; then
		echo "$(basename "$conf" .conf) $*: exit $st" >>"$log"
		return 1
	fi
	echo "$wall $rss"
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD0=$(loadavg)
START=$(date -u '+%Y-%m-%d %H:%M:%SZ')
T0=$SECONDS

# --- 1. single send --------------------------------------------------------------
say "single send: $REPS reps x 3 binaries, interleaved"
names=(old spool nospool)
before=$(sink_count)
for ((i = 0; i < REPS; i++)); do
	for ((j = 0; j < 3; j++)); do
		n=${names[$(((i + j) % 3))]}
		r=$(run1 "$W/single.err" "$W/$n.conf" -f bench@bench.example rcpt@example.org) || {
			FAILS+=("single: $n, rep $((i + 1)) failed")
			continue
		}
		echo "$r" >>"$W/single.$n"
	done
done
got=$(sink_wait $((before + 3 * REPS)))
((got - before == 3 * REPS)) ||
	FAILS+=("single: sink counted $((got - before)) messages, expected $((3 * REPS))")

# median / min in ms and max RSS (MB) of file F ("s kb" lines)
stats() {
	sort -n "$1" | awk '{t[NR]=$1*1000; if ($2>r) r=$2}
	    END{ if (NR==0) {print "- - -"; exit}
	         m = (NR%2) ? t[(NR+1)/2] : (t[NR/2]+t[NR/2+1])/2
	         printf "%.3f %.3f %.2f\n", m, t[1], r/1024 }'
}

# --- 2. flush ------------------------------------------------------------------
queue_fill() {  # TAG: queue MSGS messages with -odq; sum of process times in $W/fill.TAG
	local k r
	: >"$W/fill.$1"
	for ((k = 0; k < MSGS; k++)); do
		r=$(run1 "$W/fill.err" "$W/spool.conf" -odq -f bench@bench.example rcpt@example.org) || {
			FAILS+=("$1: carrier -odq failed")
			return 1
		}
		echo "$r" >>"$W/fill.$1"
	done
	k=$(find "$SPOOL/queue" -name '*.e' | wc -l)
	[ "$k" = "$MSGS" ] || { FAILS+=("$1: $k entries queued, expected $MSGS"); return 1; }
}
flush_check() {  # TAG BEFORE: the sink got exactly MSGS more (in GOT), the queue is empty
	local left
	GOT=$(($(sink_wait $(($2 + MSGS))) - $2))
	((GOT == MSGS)) || FAILS+=("$1: sink counted $GOT messages, expected $MSGS")
	left=$(find "$SPOOL/queue" -type f | wc -l)
	[ "$left" = 0 ] || FAILS+=("$1: $left files left in the queue")
}
flush() {  # TAG CONF: fill, then time one carrier -q; "s kb sinkcount" >> $W/flush.TAG
	local before r
	queue_fill "$1" || return 1
	before=$(sink_count)
	r=$(run1 "$W/flush.err" "$2" -q) || {
		FAILS+=("$1: carrier -q failed")
		return 1
	}
	flush_check "$1" "$before"
	echo "$r $GOT" >>"$W/flush.$1"
}
two_runners() {  # both started at once, queue_reuse yes; wall s >> $W/flush.two
	local before t0 p1 p2 rc=0
	queue_fill two || return 1
	before=$(sink_count)
	t0=$EPOCHREALTIME
	"$CARRIER_BIN" -C "$W/reuse-yes.conf" -q </dev/null 2>>"$W/flush.err" &
	p1=$!
	"$CARRIER_BIN" -C "$W/reuse-yes.conf" -q </dev/null 2>>"$W/flush.err" &
	p2=$!
	wait "$p1" || rc=1
	wait "$p2" || rc=1
	[ "$rc" = 0 ] || FAILS+=("two runners: a runner exited non-zero")
	t0=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{print b-a}')
	flush_check two "$before"
	echo "$t0 0 $GOT" >>"$W/flush.two"
}

for ((f = 0; f < FLUSHES; f++)); do
	for r in yes no; do
		say "flush $((f + 1))/$FLUSHES, queue_reuse $r: queueing $MSGS, then -q"
		flush "reuse-$r" "$W/reuse-$r.conf"
	done
done
say "two runners, queue_reuse yes"
two_runners
LOAD1=$(loadavg)

# --- 3. profile (-p) -------------------------------------------------------------
prof_run() {  # TOOL...: the queue as filled, one carrier -q under TOOL
	local before
	rm -rf "$SPOOL/queue" && cp -a "$W/prof.queue" "$SPOOL/queue" || return 1
	before=$(sink_count)
	"$@" "$CARRIER_BIN" -C "$W/reuse-yes.conf" -q </dev/null 2>>"$W/flush.err" ||
		FAILS+=("profile: $1: carrier -q failed")
	flush_check "profile under $1" "$before"
}
profile() {
	queue_fill prof || return 1
	cp -a "$SPOOL/queue" "$W/prof.queue" || return 1
	if command -v strace >/dev/null; then
		prof_run strace -f -c -o "$W/prof.count"
		prof_run strace -f -w -c -o "$W/prof.wall"
	fi
	command -v perf >/dev/null &&
		prof_run perf stat -x, -e task-clock -o "$W/prof.perf"
	rm -rf "$W/prof.queue"
}
prof_report() {
	echo
	echo "profile of one flush of $MSGS (queue_reuse yes): per message"
	if [ -s "$W/prof.perf" ]; then
		awk -F, -v m="$MSGS" '$3=="task-clock"{printf "  CPU time: %.3f ms a message\n", $1/m}' \
			"$W/prof.perf"
	fi
	[ -s "$W/prof.count" ] && [ -s "$W/prof.wall" ] || return 0
	printf '  %-14s %9s %18s\n' "system call" "calls" "% of syscall time"
	# strace -c tables: % time, seconds, usecs/call, calls, [errors,] syscall
	awk -v m="$MSGS" '
	    $1 ~ /^[0-9.]+$/ && NF >= 5 {
		    if (FILENAME ~ /count$/) calls[$NF] = $4
		    else share[$NF] = $1
	    }
	    END {
		    for (c in calls) if (c != "total" && calls[c] >= m / 10)
			    printf "  %-14s %9.2f %18s\n", c, calls[c] / m, share[c]
	    }' "$W/prof.count" "$W/prof.wall" | sort -k3,3nr
	awk -v m="$MSGS" '$NF=="total"{printf "  %-14s %9.2f\n", "total", $(NF-2)/m}' \
		"$W/prof.count"
	echo "  (time under strace -w -c: wall time in each call, waits included)"
}
if [ "$PROFILE" = 1 ]; then
	say "profile: one more fill, then -q under strace -c, strace -w -c, perf stat"
	profile
fi

# --- report ----------------------------------------------------------------------
rate() {  # FILE: MSGS / median of column 1 of FILE (one line per round)
	sort -n "$1" 2>/dev/null | awk -v m="$MSGS" '{t[NR]=$1}
	    END{ if (NR==0) {print "-"; exit}
	         x = (NR%2) ? t[(NR+1)/2] : (t[NR/2]+t[NR/2+1])/2
	         printf "%.0f %.3f\n", m/x, x }'
}
fill_rate() {  # median over rounds of MSGS / (sum of the per-process times)
	local f
	for f in "$W"/fill.*; do
		awk '{s+=$1} END{print s}' "$f"
	done | sort -n | awk -v m="$MSGS" '{t[NR]=$1}
	    END{ x = (NR%2) ? t[(NR+1)/2] : (t[NR/2]+t[NR/2+1])/2
	         printf "%.0f %.3f\n", m/x, x*1000/m }'
}
commit=$(git -C "$REPO" rev-parse --short HEAD)
git -C "$REPO" diff --quiet HEAD -- lib cmd || commit="$commit+changes"
read -r m_old _ < <(stats "$W/single.old")
report() {
	echo "carrier queue bench: $START, $(nproc) cores, kernel $(uname -r), run took $((SECONDS - T0)) s"
	echo "carrier at $commit beside $OLD (before the queue); load average $LOAD0 at start, $LOAD1 at end"
	echo "sink: postfix smtp-sink -c on 127.0.0.1; message 2048 bytes, 1 recipient; spool on $(findmnt -n -o FSTYPE -T "$SPOOL") ($(findmnt -n -o TARGET -T "$SPOOL"))"
	echo
	echo "single send, $REPS reps interleaved   median ms  fastest ms  ratio   peak RSS MB"
	local n label m mn rss
	for n in old spool nospool; do
		case $n in
		old) label="$OLD (before the queue)" ;;
		spool) label="$commit, spool configured" ;;
		nospool) label="$commit, no usable spool" ;;
		esac
		read -r m mn rss < <(stats "$W/single.$n")
		printf '  %-34s %9s %11s %6s %13s\n' "$label" "$m" "$mn" \
			"$(awk -v a="$m" -v b="$m_old" 'BEGIN{ if (b>0 && a!="-") printf "%.2fx", a/b; else print "-" }')" "$rss"
	done
	echo
	echo "flush of $MSGS queued messages to smtp-sink   msgs/s   s (median of $FLUSHES)  sink counted"
	local rr s
	read -r rr s < <(fill_rate)
	printf '  %-42s %7s   %s ms/msg (sum of process times)\n' "queue $MSGS with -odq" "$rr" "$s"
	for n in reuse-yes reuse-no two; do
		case $n in
		reuse-yes) label="carrier -q, queue_reuse yes" ;;
		reuse-no) label="carrier -q, queue_reuse no" ;;
		two) label="two runners at once, queue_reuse yes" ;;
		esac
		read -r rr s < <(rate "$W/flush.$n")
		printf '  %-42s %7s   %-21s %s\n' "$label" "$rr" "$s" \
			"$(awk '{printf "%s%s", sep, $3; sep="/"}' "$W/flush.$n" 2>/dev/null)"
	done
	printf '  (two runners: one round, wall time until both exit)\n'
	printf '  peak RSS of carrier -q: %s MB\n' \
		"$(cat "$W"/flush.reuse-* 2>/dev/null | awk '$2>r{r=$2} END{printf "%.2f", r/1024}')"
	[ "$PROFILE" = 1 ] && prof_report
	if ((${#FAILS[@]})); then
		echo
		echo "FAILURES (the figures above are not to be trusted):"
		printf '  %s\n' "${FAILS[@]}"
		[ -s "$W/single.err" ] && sed 's/^/  single: /' "$W/single.err" | head -5
		[ -s "$W/flush.err" ] && sed 's/^/  flush: /' "$W/flush.err" | head -5
	fi
}
out=$OUT_DIR/queue-$(date -u +%Y%m%d-%H%M%S).txt
report | tee "$out"
echo "report saved in $out"
