# shellcheck shell=bash
# sends.sh: what the interleaved send benches (mx.sh, tls_mx.sh) share,
# sourced by them after they set BENCH_SRC, REPO, OUT_DIR and
# CARRIER_BIN.  send_lab checks and loads the lab, send_enter goes into
# the bench's namespaces and sets W (the work directory) and RUNSEND
# (tests/bench/runsend.c built); the bench writes MSG (the message) and
# a $W/NAME.conf per kind of send; FAILS collects what went wrong.

FAILS=()

# send_lab NAME WHY: SKIP (exit 0) unless root; the carrier binary
# (CARRIER_BIN, made absolute and exported); lab.sh and dns.sh loaded.
send_lab() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: bench-$1 needs root ($2)"
		exit 0
	fi
	[ -x "$CARRIER_BIN" ] || {
		echo "bench-$1: carrier binary not found at $CARRIER_BIN (run make)" >&2
		exit 1
	}
	CARRIER_BIN=$(readlink -f "$CARRIER_BIN")
	export CARRIER_BIN
	# shellcheck source=../lab/lab.sh disable=SC1091
	. "$REPO/tests/lab/lab.sh" || exit 1
	# shellcheck source=../lab/dns.sh disable=SC1091
	. "$REPO/tests/lab/dns.sh" || exit 1
}

# send_enter NAME ARGS...: re-run in private network, PID and mount
# namespaces (lab_netns, with the script's ARGS); then W, a new work
# directory build/bench/NAME.XXXXXX, and RUNSEND built.
send_enter() {
	local name=$1
	shift
	[ -n "${LAB_IN_NETNS:-}" ] || export HOST_MNTNS
	HOST_MNTNS=${HOST_MNTNS:-$(readlink /proc/self/ns/mnt)}
	lab_netns "$@"
	mkdir -p "$OUT_DIR/bin" || exit 1
	W=$(mktemp -d "$OUT_DIR/$name.XXXXXX") || exit 1
	chmod 755 "$W"
	RUNSEND=$OUT_DIR/bin/runsend
	"${CC:-cc}" -O2 -Wall -o "$RUNSEND" "$BENCH_SRC/runsend.c" || {
		echo "bench-$name: cannot build tests/bench/runsend.c" >&2
		exit 1
	}
}

# send_timed NAME RCPT...: one send with $W/NAME.conf, timed from fork
# to reap; "seconds kilobytes" appended to $W/NAME.times, or a failure
# to FAILS.
send_timed() {
	local name=$1 res wall rss st
	shift
	res=$("$RUNSEND" "$MSG" "$CARRIER_BIN" -C "$W/$name.conf" -f bench@bench.example \
		"$@" 2>>"$W/$name.err") || { FAILS+=("$name: runsend failed"); return; }
	read -r wall rss st <<<"$res"
	[ "$st" = 0 ] || { FAILS+=("$name: exit $st ($(tail -1 "$W/$name.err"))"); return; }
	echo "$wall $rss" >>"$W/$name.times"
}

# send_stats FILE [DECIMALS=1]: the median and fastest ms of column 1
# ("- -" when empty)
send_stats() {
	sort -n "$1" 2>/dev/null | awk -v d="${2:-1}" '{t[NR]=$1*1000}
	    END{ if (NR==0) {print "- -"; exit}
	         m = (NR%2) ? t[(NR+1)/2] : (t[NR/2]+t[NR/2+1])/2
	         printf "%.*f %.*f\n", d, m, d, t[1] }'
}

# send_commit: the commit measured, "+changes" when lib/ or cmd/ differ
send_commit() {
	local c
	c=$(git -C "$REPO" rev-parse --short HEAD)
	git -C "$REPO" diff --quiet HEAD -- lib cmd || c="$c+changes"
	echo "$c"
}

# send_row WIDTH LABEL FILE BASE_MS [DECIMALS]: one line of the report:
# the label, the median and fastest of FILE, and the ratio to BASE_MS
send_row() {
	local m mn
	read -r m mn < <(send_stats "$3" "${5:-1}")
	printf "  %-$(($1 - 2))s %9s %10s %7s\n" "$2" "$m" "$mn" \
		"$(awk -v a="$m" -v b="$4" 'BEGIN{ if (b>0 && a!="-") printf "%.2fx", a/b; else print "-" }')"
}

# send_failures: the failures, if any, after the figures
send_failures() {
	((${#FAILS[@]})) || return 0
	echo
	echo "FAILURES (the figures above are not to be trusted):"
	printf "%s\n" "${FAILS[@]}" | sort | uniq -c | head -20
}
