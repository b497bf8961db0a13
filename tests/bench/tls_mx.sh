#!/usr/bin/env bash
# tls_mx.sh: what "make bench-tls-mx" runs.  Figures, never a pass/fail.
#
# What an authenticated TLS policy costs a direct MX send: one message to
# one recipient, through a real Postfix offering STARTTLS with a
# certificate of the lab's CA, REPS reps each (default 15), interleaved:
#   plain    an unsigned zone, "tls_mx may" with the lab CA as tls_ca_file
#            (STARTTLS, the certificate verified: one handshake)
#   encrypt  the same zone, "tls_mx encrypt": STARTTLS, no certificate
#            check
#   dane     a signed zone with a DANE-EE 3 1 1 record for the server's
#            key, the default "tls_mx dane": the TLSA lookup, the check of
#            the key against it (libcrypto through libtls)
#   sts      an unsigned zone with an MTA-STS policy (enforce) listing
#            the MX, cached in the spool: the TXT lookup, the cache read,
#            the certificate verified for the MX name
#   stsfetch the same with no spool, so no cache: the policy fetched
#            over HTTPS (tests/integration/sts_server.py) at every send
# Median and fastest ms per send (timed from fork to reap by
# tests/bench/runsend.c) and the ratio to the plain send.
#
# In a private network, PID and mount namespace (lab_netns): nsd serves
# the zones (tests/lab/dns.sh), signed at the start with ldns
# (tests/lab/dnssec.sh), and unbound validates them on 127.0.0.53, which
# the bench's own /etc/resolv.conf names; Postfix listens on
# 127.0.0.2:25.  Nothing is delayed: the figures are local costs.
#
#   tests/bench/tls_mx.sh [-n REPS]
#
# The report goes to stdout and build/bench/tls_mx-<date>.txt.  Needs
# root and the lab (sh tests/lab/deps.sh); prints SKIP and exits 0
# without them.  Environment: CARRIER_BIN (default <repo>/carrier).
set -u -o pipefail

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_SRC/../.." && pwd)
OUT_DIR=$REPO/build/bench
: "${CARRIER_BIN:=$REPO/carrier}"

REPS=15
while getopts n: opt; do
	case $opt in
	n) REPS=$OPTARG ;;
	*) echo "usage: tests/bench/tls_mx.sh [-n reps]" >&2; exit 2 ;;
	esac
done
case $REPS in '' | *[!0-9]* | 0) echo "usage: tests/bench/tls_mx.sh [-n reps]" >&2; exit 2 ;; esac

say() { printf 'bench-tls-mx: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# shellcheck source-path=SCRIPTDIR source=sends.sh
. "$BENCH_SRC/sends.sh"
send_lab tls-mx "network namespaces, Postfix"
# shellcheck source=../lab/dnssec.sh disable=SC1091
. "$REPO/tests/lab/dnssec.sh" || exit 1
if ! why=$(dnssec_tools); then
	echo "SKIP: bench-tls-mx: $why (sh tests/lab/deps.sh)"
	exit 0
fi
send_enter tls_mx "$@"
cleanup() {
	[ -f "$W/sts.pid" ] && kill "$(cat "$W/sts.pid")" 2>/dev/null
	postfix_stop "$W/pf" 2>/dev/null
	resolver_stop "$W/dns"
	dns_stop "$W/dns"
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


lab_ca "$W/ca" DNS:mx.plain.test DNS:mx.dane.test DNS:mx.sts.test \
	DNS:mta-sts.sts.test || die "lab_ca failed"
printf 'mx A 127.0.0.2\n@ MX 10 mx\n' | dns_zone "$W/dns" plain.test || exit 1
printf '%s\n' 'mx A 127.0.0.2' '@ MX 10 mx' '_mta-sts TXT "v=STSv1; id=1"' \
	'mta-sts A 127.0.0.8' | dns_zone "$W/dns" sts.test || exit 1
mkdir -p "$W/policies" "$W/spool" || exit 1
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n' \
	>"$W/policies/mta-sts.sts.test"
lab_lo_addr 127.0.0.8 || exit 1
"$LAB_PYTHON" "$REPO/tests/integration/sts_server.py" 127.0.0.8 443 \
	"$W/ca/server.pem" "$W/ca/server.key" "$W/policies" "$W/sts.log" \
	"$W/sts.ready" 2>"$W/sts.err" &
echo $! >"$W/sts.pid"
_lab_until 100 test -e "$W/sts.ready" || die "the policy server did not start: $(cat "$W/sts.err")"
printf 'mx A 127.0.0.2\n@ MX 10 mx\n_25._tcp.mx TLSA %s\n' \
	"$(tlsa_rdata "$W/ca/server.pem" 3 1 1)" | dns_zone "$W/dns" dane.test || exit 1
dnssec_sign "$W/dns" dane.test || die "cannot sign dane.test"
dns_start "$W/dns" || die "nsd did not start"
resolver_start "$W/dns" || die "unbound did not start"
dnssec_resolv_conf "$W/dns" || die "no resolv.conf of the bench's own"
lab_lo_addr 127.0.0.2 || exit 1
LAB_POSTFIX_TLS=$W/ca LAB_POSTFIX_SUBMISSION_PORT=0 LAB_POSTFIX_SMTPS_PORT=0 \
	postfix_start "$W/pf" 25 127.0.0.2 || die "Postfix did not start"

MSG=$W/msg
{
	printf 'From: Bench Sender <bench@bench.example>\n'
	printf 'Subject: carrier TLS MX bench\n'
	printf 'Date: Thu, 01 Jan 2026 00:00:00 +0000\n'
	printf 'Message-ID: <tlsmx.1@bench.example>\n\n'
	for i in $(seq 1 27); do
		printf 'Line %04d of the TLS MX benchmark message, plain ASCII.\n' "$i"
	done
} >"$MSG"
: >"$W/aliases"
conf() {  # NAME SPOOL [LINE...]: $W/NAME.conf, direct MX delivery
	local name=$1 spool=$2
	shift 2
	printf '%s\n' 'domain example.net' "aliases $W/aliases" 'syslog off' \
		"spool $spool" "$@" >"$W/$name.conf"
}
conf plain "$W/no-spool" 'tls_mx may' "tls_ca_file $W/ca/ca.pem"
conf encrypt "$W/no-spool" 'tls_mx encrypt'
conf dane "$W/no-spool"
conf sts "$W/spool" "tls_ca_file $W/ca/ca.pem"
conf stsfetch "$W/no-spool" "tls_ca_file $W/ca/ca.pem"
declare -A RCPT=([plain]=r@plain.test [encrypt]=r@plain.test [dane]=r@dane.test
	[sts]=r@sts.test [stsfetch]=r@sts.test)

run1() { send_timed "$1" "${RCPT[$1]}"; }

# one unmeasured send each: Postfix's and unbound's caches warm
names=(plain encrypt dane sts stsfetch)
for n in "${names[@]}"; do run1 "$n"; done
rm -f "$W"/*.times
START=$(date -u '+%Y-%m-%d %H:%M:%SZ')
T0=$SECONDS
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
say "$REPS reps x ${#names[@]} sends, interleaved"
for ((i = 0; i < REPS; i++)); do
	for ((j = 0; j < ${#names[@]}; j++)); do
		run1 "${names[$(((i + j) % ${#names[@]}))]}"
	done
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
# each send arrived over TLS: Postfix logged one TLS session per send
want=$((${#names[@]} * (REPS + 1)))
postfix_wait "$W/pf" "$want" 2>/dev/null || FAILS+=("Postfix holds fewer than $want messages")
got=$(grep -c 'TLS connection established from' "$W/pf/maillog")
[ "$got" = "$want" ] || FAILS+=("Postfix logged $got TLS sessions, expected $want")

commit=$(send_commit)
read -r m_plain _ < <(send_stats "$W/plain.times" 2)
report() {
	local n label
	echo "carrier TLS MX bench: $START, $(nproc) cores, kernel $(uname -r), run took $((SECONDS - T0)) s"
	echo "carrier at $commit; load average $LOAD0 at start, $LOAD1 at end"
	echo "one recipient, Postfix with STARTTLS on 127.0.0.2:25; nsd + unbound (validating) on loopback; nothing delayed"
	echo
	printf '%-58s %9s %10s %7s\n' "send, $REPS reps interleaved" "median ms" "fastest ms" "ratio"
	for n in "${names[@]}"; do
		case $n in
		plain) label="unsigned zone, tls_mx may, certificate verified (CA)" ;;
		encrypt) label="unsigned zone, tls_mx encrypt, not verified" ;;
		dane) label="signed zone, DANE-EE 3 1 1 matched (tls_mx dane)" ;;
		sts) label="MTA-STS enforce, policy cached, certificate verified" ;;
		stsfetch) label="MTA-STS enforce, policy fetched over HTTPS each send" ;;
		esac
		send_row 58 "$label" "$W/$n.times" "$m_plain" 2
	done
	echo "(policy fetches the HTTPS server answered: $(grep -c '^GET' "$W/sts.log"); want $((REPS + 2)): one per stsfetch send, one for the first sts send)"
	send_failures
}
out=$OUT_DIR/tls_mx-$(date -u +%Y%m%d-%H%M%S).txt
report | tee "$out"
echo "report saved in $out"
