#!/usr/bin/env bash
# mx.sh: what "make bench-mx" runs.  Figures, never a pass/fail.
#
# Direct MX delivery over slow paths: one message to 10 recipients in 10
# domains, each domain with its own MX host, beside one message to one
# recipient in one domain whose MX is of the same kind, interleaved in one
# run, REPS reps each (default 9): median and fastest ms per send, and the
# ratio to the one-domain send (the goal: the 10-domain send at most 1.5x
# the one-domain send with the default domain_concurrency).  The
# 10-domain send runs three ways: domain_concurrency as default (no key;
# 16), 4 and 1.
#
# In a private network, PID and mount namespace (lab_netns, as the
# integration tests): nsd (tests/lab/dns.sh) serves the zones on
# 127.0.0.1:53, undelayed; each MX address (127.0.0.17 to 127.0.0.26, and
# 127.0.0.30 for the one-domain send) is a delay proxy (mxdelay.py) on
# port 25 in front of its own smtp-sink: every reply comes RTT_MS
# (default 200) after the command that asked for it, the greeting RTT_MS
# after connect().  This kernel has no sch_netem ("tc qdisc add dev lo
# root netem" says "Specified qdisc kind is unknown"), hence the proxy.
# Each send is timed from fork to reap (tests/bench/runsend.c) and must
# exit 0; at the end every sink's counter (smtp-sink -c) must show one
# message per send that went to it.
#
#   tests/bench/mx.sh [-n REPS] [-r RTT_MS]
#
# The report goes to stdout and build/bench/mx-<date>.txt.  Needs root
# (namespaces; smtp-sink runs as nobody) and nsd (sh tests/lab/deps.sh);
# prints SKIP and exits 0 without root.  Environment: CARRIER_BIN
# (default <repo>/carrier).
set -u -o pipefail

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_SRC/../.." && pwd)
OUT_DIR=$REPO/build/bench
: "${CARRIER_BIN:=$REPO/carrier}"

REPS=9
RTT=200
usage() {
	echo "usage: tests/bench/mx.sh [-n reps] [-r rtt_ms]" >&2
	exit 2
}
while getopts n:r: opt; do
	case $opt in
	n) REPS=$OPTARG ;;
	r) RTT=$OPTARG ;;
	*) usage ;;
	esac
done
for v in "$REPS" "$RTT"; do
	case $v in '' | *[!0-9]*) usage ;; esac
done
[ "$REPS" -ge 1 ] || usage

say() { printf 'bench-mx: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# shellcheck source-path=SCRIPTDIR source=sends.sh
. "$BENCH_SRC/sends.sh"
send_lab mx "network namespaces; smtp-sink runs as nobody"
"$DNS_NSD" -v >/dev/null 2>&1 || die "no nsd in $LAB_NSD_ROOT: run sh tests/lab/deps.sh"
send_enter mx "$@"
cleanup() {
	local d
	[ -f "$W/proxy.pid" ] && kill "$(cat "$W/proxy.pid")" 2>/dev/null
	for d in "$W"/sink.*; do sink_stop "$d" 2>/dev/null; done
	dns_stop "$W/dns"
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# --- DNS: d1.test .. d10.test, each its own MX; one.test for the single send
MXS=(one d1 d2 d3 d4 d5 d6 d7 d8 d9 d10)
addr_of() {  # MX: its address
	case $1 in one) echo 127.0.0.30 ;; d*) echo "127.0.0.$((16 + ${1#d}))" ;; esac
}
for m in "${MXS[@]}"; do
	printf '%s MX 10 mx.%s\nmx.%s A %s\n' "$m" "$m" "$m" "$(addr_of "$m")"
done | dns_zone "$W/dns" test || exit 1
dns_start "$W/dns" || die "nsd did not start"
dns_resolv_conf "$W/dns" 'options timeout:1 attempts:1' || die "no resolv.conf of the bench's own"

# --- MX hosts: smtp-sink on 127.0.0.1, behind the delay proxy on ADDR:25
specs=()
for m in "${MXS[@]}"; do
	port=$(lab_free_port) || exit 1
	sink_start "$W/sink.$m" "$port" -a -C -F -c || die "smtp-sink for $m did not start"
	specs+=("$(addr_of "$m"):25=127.0.0.1:$port")
done
"$LAB_PYTHON" "$BENCH_SRC/mxdelay.py" "$RTT" "$W/proxy.pid" "${specs[@]}" 2>"$W/proxy.err" &
_lab_until 100 test -s "$W/proxy.pid" || die "the delay proxy did not start: $(cat "$W/proxy.err")"

# --- the message and the configurations
MSG=$W/msg
{
	printf 'From: Bench Sender <bench@bench.example>\n'
	printf 'Subject: carrier MX bench\n'
	printf 'Date: Thu, 01 Jan 2026 00:00:00 +0000\n'
	printf 'Message-ID: <mx.1@bench.example>\n\n'
	for i in $(seq 1 27); do
		printf 'Line %04d of the MX benchmark message, plain ASCII text.\n' "$i"
	done
} >"$MSG"
: >"$W/aliases"
conf() {  # NAME [LINE...]: $W/NAME.conf, direct MX delivery, no usable spool
	local name=$1
	shift
	printf '%s\n' 'domain example.net' "aliases $W/aliases" 'syslog off' \
		"spool $W/no-spool" "$@" >"$W/$name.conf"
}
conf one
conf ten16
conf ten4 'domain_concurrency 4'
conf ten1 'domain_concurrency 1'
TEN=()
for i in $(seq 10); do TEN+=("r$i@d$i.test"); done

run1() {  # NAME: one timed send
	if [ "$1" = one ]; then send_timed one r@one.test
	else send_timed "$1" "${TEN[@]}"; fi
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD0=$(loadavg)
START=$(date -u '+%Y-%m-%d %H:%M:%SZ')
T0=$SECONDS
names=(one ten16 ten4 ten1)
say "$REPS reps x ${#names[@]} sends, interleaved, RTT $RTT ms"
for ((i = 0; i < REPS; i++)); do
	for ((j = 0; j < ${#names[@]}; j++)); do
		run1 "${names[$(((i + j) % ${#names[@]}))]}"
	done
done
LOAD1=$(loadavg)

# every sink got one message per send to it: the single send's REPS, each
# of the 10 domains' 3 x REPS
sleep 0.5
for m in "${MXS[@]}"; do
	want=$((3 * REPS))
	[ "$m" = one ] && want=$REPS
	got=$(sink_count "$W/sink.$m")
	[ "$got" = "$want" ] || FAILS+=("the MX of $m.test counted $got messages, expected $want")
done

# --- report
commit=$(send_commit)
read -r m_one _ < <(send_stats "$W/one.times")
report() {
	local n label
	echo "carrier MX bench: $START, $(nproc) cores, kernel $(uname -r), run took $((SECONDS - T0)) s"
	echo "carrier at $commit; load average $LOAD0 at start, $LOAD1 at end"
	echo "MX hosts: smtp-sink behind tests/bench/mxdelay.py, every reply $RTT ms after its command (no netem in this kernel); DNS (nsd) not delayed"
	echo
	printf '%-62s %9s %10s %7s\n' "send, $REPS reps interleaved" "median ms" "fastest ms" "ratio"
	for n in "${names[@]}"; do
		case $n in
		one) label="1 domain, 1 recipient" ;;
		ten16) label="10 domains, 10 recipients, domain_concurrency 16 (default)" ;;
		ten4) label="10 domains, 10 recipients, domain_concurrency 4" ;;
		ten1) label="10 domains, 10 recipients, domain_concurrency 1" ;;
		esac
		send_row 62 "$label" "$W/$n.times" "$m_one"
	done
	echo "(ratio: to the 1-domain send; the goal for the default is 1.5x at most)"
	send_failures
}
out=$OUT_DIR/mx-$(date -u +%Y%m%d-%H%M%S).txt
report | tee "$out"
echo "report saved in $out"
