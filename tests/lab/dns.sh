# shellcheck shell=bash
#
# dns.sh - a real DNS server for the integration lab: nsd, extracted from
# Debian's package into build/lab/nsd-root by dns_fetch (sh
# tests/lab/deps.sh runs it), as lab_fetch does Postfix: installing the
# package would start its nsd service on port 53 of a machine with
# systemd.  It runs authoritative for the test's zones, on 127.0.0.1:53
# inside the test's private network namespace (lab_netns), with the
# test's own /etc/resolv.conf and /etc/hosts in its private mount
# namespace.  Source it after lab.sh (common.sh loads lab.sh):
#
#   . "$top/tests/lab/dns.sh"
#   dns_need                              # SKIP without nsd
#   dns_zone "$T/dns" test <<'EOF'      # zone "test.": names relative
#   a        MX 10 mx1.a                #   to it, as in any zone file
#   mx1.a    A  127.0.0.2
#   null     MX 0 .                     # a null MX (RFC 7505)
#   EOF
#   dns_zone_broken "$T/dns" broken.test  # answers SERVFAIL
#   dns_start "$T/dns" || exit 1          # waits until it answers
#   dns_resolv_conf "$T/dns" 'options timeout:1 attempts:1'
#   dns_query a.test MX                   # "rcode NOERROR", "MX 10 mx1.a.test."
#   dns_stop "$T/dns"
#
# What nsd answers, as an authoritative server queried directly (the
# stub resolver's only server): a name in a zone with no record of the
# type asked, NOERROR with no answer (so a domain with an A record and
# no MX is an implicit MX); a name that is not in its zone, NXDOMAIN; a
# zone listed whose file is missing (dns_zone_broken), SERVFAIL; a name
# in no zone of its own, REFUSED.  nsd cannot log queries (only dnstap):
# a test that must see the queries runs dnsmasq with --log-queries (see
# t_resolve and t_mx_route).
#
# Functions (non-zero and a reason on stderr when they fail):
#
#   dns_fetch                extract nsd (deps.sh; the tests never do)
#   dns_need                 SKIP (exit 77) without nsd or a private mount
#                            namespace
#   dns_zone DIR ZONE        zone file from stdin (SOA and NS added)
#   dns_zone_broken DIR ZONE a zone nsd serves as SERVFAIL
#   dns_start DIR [ADDR=127.0.0.1]
#   dns_stop DIR
#   dns_query NAME TYPE [SERVER=127.0.0.1]
#   dns_resolv_conf DIR [LINE...]

: "${LAB_NSD_ROOT:=$LAB_TOP/build/lab/nsd-root}"
DNS_NSD=$LAB_NSD_ROOT/usr/sbin/nsd

# dns_fetch : extract nsd and nsd-checkconf from the nsd .deb (apt-get
# download, dpkg -x) into $LAB_NSD_ROOT, unless they are there.  Its
# libraries (libevent-2.1-7, libfstrm0, libprotobuf-c1, libssl3,
# libsystemd0) are plain packages that deps.sh installs.
dns_fetch() {
	[ -x "$DNS_NSD" ] && return 0
	_dns_extract "$LAB_NSD_ROOT" nsd usr/sbin/nsd &&
		"$DNS_NSD" -v >/dev/null 2>&1 || {
		_lab_err "nsd does not run from $LAB_NSD_ROOT (its libraries: sh tests/lab/deps.sh)"
		return 1
	}
}

# _dns_extract ROOT PACKAGE BINARY : Debian's PACKAGE (apt-get download)
# unpacked (dpkg -x) into ROOT, which must then hold BINARY (a path
# relative to it); under a lock, so that concurrent callers extract it
# once, and in a temporary directory renamed into place whole.
_dns_extract() {
	local root=$1 pkg=$2 bin=$3
	mkdir -p "$(dirname "$root")" || return 1
	(
		exec 9>"$root.lock"
		flock -w 300 9 || { _lab_err "timeout waiting for $root.lock"; exit 1; }
		[ -x "$root/$bin" ] && exit 0
		tmp=$(mktemp -d "$root.tmp.XXXXXX") || exit 1
		trap 'rm -rf "$tmp"' EXIT
		chmod 755 "$tmp"
		chown _apt "$tmp" 2>/dev/null || true
		_lab_download "$tmp" "$pkg" || exit 1
		deb=$(ls "$tmp"/"$pkg"_*.deb) && dpkg -x "$deb" "$tmp/root" || exit 1
		[ -x "$tmp/root/$bin" ] || { _lab_err "no $bin in $deb"; exit 1; }
		rm -rf "$root" && mv "$tmp/root" "$root"
	)
}

# dns_need : the test needs nsd (dns_fetch) and a mount namespace of its
# own (for /etc/resolv.conf): SKIP, exit 77, naming what is missing.
dns_need() {
	"$DNS_NSD" -v >/dev/null 2>&1 || {
		echo "SKIP: no nsd in $LAB_NSD_ROOT (sh tests/lab/deps.sh extracts it)"
		exit 77
	}
	_dns_own_mntns || {
		echo "SKIP: no private mount namespace for /etc/resolv.conf"
		exit 77
	}
}

# True in a mount namespace other than the host's (HOST_MNTNS, recorded by
# common.sh before lab_netns).
_dns_own_mntns() {
	[ -n "${HOST_MNTNS:-}" ] && [ "$(readlink /proc/self/ns/mnt)" != "$HOST_MNTNS" ]
}

# dns_zone DIR ZONE : the zone file DIR/ZONE.zone, from the records on
# stdin (zone file syntax, names relative to ZONE), after $ORIGIN, a
# $TTL of 60 s, a SOA and an NS record; DIR is made if need be.
dns_zone() {
	local dir=${1:-} zone=${2:-}
	if [ -z "$dir" ] || [ -z "$zone" ]; then
		_lab_err "usage: dns_zone DIR ZONE <records"
		return 2
	fi
	mkdir -p "$dir" || return 1
	{
		printf '$ORIGIN %s.\n$TTL 60\n' "$zone"
		printf '@ SOA ns.lab.invalid. hostmaster.lab.invalid. 1 3600 600 86400 60\n'
		printf '@ NS ns.lab.invalid.\n'
		cat
	} >"$dir/$zone.zone" && _dns_list "$dir" "$zone" ok
}

# dns_zone_broken DIR ZONE : ZONE is in nsd.conf but its zone file is
# missing: nsd answers SERVFAIL for every name in it.
dns_zone_broken() {
	local dir=${1:-} zone=${2:-}
	if [ -z "$dir" ] || [ -z "$zone" ]; then
		_lab_err "usage: dns_zone_broken DIR ZONE"
		return 2
	fi
	mkdir -p "$dir" && rm -f "$dir/$zone.zone" && _dns_list "$dir" "$zone" broken
}

# _dns_list DIR ZONE STATE : record ZONE (once) in DIR/zones as "ZONE STATE"
_dns_list() {
	touch "$1/zones" || return 1
	grep -v "^$2 " "$1/zones" >"$1/zones.new"
	echo "$2 $3" >>"$1/zones.new" && mv "$1/zones.new" "$1/zones"
}

# dns_start DIR [ADDR=127.0.0.1] : nsd, in the foreground as a child of
# this shell (PID in DIR/nsd.pid), serving the zones of dns_zone and
# dns_zone_broken on ADDR, UDP and TCP port 53, with its configuration
# (DIR/nsd.conf), state and log (DIR/nsd.log) all in DIR, as root
# (nothing it reads is outside DIR).  Returns when every zone answers its
# SOA query (NOERROR, or SERVFAIL for a broken one), within 10 s.
dns_start() {
	local dir=${1:-} addr=${2:-127.0.0.1} zone state
	[ -n "$dir" ] && [ -s "$dir/zones" ] || {
		_lab_err "usage: dns_start DIR [ADDR] (after dns_zone DIR ...)"
		return 2
	}
	[ -x "$DNS_NSD" ] || {
		_lab_err "no $DNS_NSD (sh tests/lab/deps.sh extracts it)"
		return 1
	}
	dir=$(cd "$dir" && pwd) || return 1
	dns_stop "$dir"
	{
		printf 'server:\n'
		printf '\t%s\n' "ip-address: $addr" 'port: 53' 'username: ""' \
			'chroot: ""' "zonesdir: \"$dir\"" 'database: ""' \
			"zonelistfile: \"$dir/zone.list\"" 'xfrdfile: ""' \
			"xfrdir: \"$dir\"" "pidfile: \"$dir/nsd.pidfile\"" \
			"logfile: \"$dir/nsd.log\"" 'server-count: 1' 'verbosity: 2' \
			'hide-version: yes' 'round-robin: no' 'minimal-responses: no'
		printf 'remote-control:\n\tcontrol-enable: no\n'
		while read -r zone state; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.zone"\n' "$zone" "$zone"
		done <"$dir/zones"
	} >"$dir/nsd.conf" || return 1
	"$LAB_NSD_ROOT/usr/sbin/nsd-checkconf" "$dir/nsd.conf" >&2 || return 1
	: >"$dir/nsd.log"
	"$DNS_NSD" -d -c "$dir/nsd.conf" </dev/null >>"$dir/nsd.log" 2>&1 &
	echo $! >"$dir/nsd.pid"
	while read -r zone state; do
		[ "$state" = ok ] && state=NOERROR || state=SERVFAIL
		_lab_until 100 _dns_answers "$(cat "$dir/nsd.pid")" "$addr" "$zone" "$state" || {
			_lab_err "nsd on $addr:53 does not answer $state for the SOA of $zone; its log:"
			cat "$dir/nsd.log" >&2
			dns_stop "$dir"
			return 1
		}
	done <"$dir/zones"
}

# _dns_answers PID ADDR ZONE RCODE : nsd (PID) answers RCODE to ZONE's SOA
# (2, give up, when nsd is gone).
_dns_answers() {
	_lab_alive "$1" || return 2
	_lab_listening "$2" 53 || return 1
	[ "$("$LAB_PYTHON" "$LAB_DIR/dnsq.py" -s "$2" -t 0.3 "$3" SOA 2>/dev/null | head -1)" = "rcode $4" ]
}

# dns_stop DIR : stop the nsd of dns_start DIR.
dns_stop() {
	_dns_stop_pidfile "${1:-}/nsd.pid"
}

# _dns_stop_pidfile FILE : stop the server whose pid FILE holds (TERM,
# then KILL after 5 s), and remove FILE; nothing when there is none.
_dns_stop_pidfile() {
	local file=$1 pid
	[ -f "$file" ] || return 0
	pid=$(cat "$file")
	case $pid in '' | *[!0-9]*) ;; *)
		kill "$pid" 2>/dev/null
		_lab_until 50 _lab_dead "$pid" || kill -KILL "$pid" 2>/dev/null
		;;
	esac
	rm -f "$file"
}

# dns_query NAME TYPE [SERVER=127.0.0.1] : what the server answers (see
# dnsq.py): "rcode NOERROR" and the answer records, one a line.
dns_query() {
	"$LAB_PYTHON" "$LAB_DIR/dnsq.py" -s "${3:-127.0.0.1}" "$1" "$2"
}

# dns_resolv_conf DIR [LINE...] : /etc/resolv.conf, in this test's own
# mount namespace, becomes DIR/resolv.conf: "nameserver 127.0.0.1" and
# the LINEs ("options timeout:1 attempts:1"), or, when the first LINE is
# a nameserver line, the LINEs alone; /etc/hosts names only localhost.
# Called again, it rewrites the same file in place (the mount stays).
dns_resolv_conf() {
	local dir=${1:-}
	[ -n "$dir" ] || {
		_lab_err "usage: dns_resolv_conf DIR [LINE...]"
		return 2
	}
	shift
	_dns_own_mntns || {
		_lab_err "dns_resolv_conf: no private mount namespace"
		return 1
	}
	mkdir -p "$dir" || return 1
	case ${1:-} in nameserver*) ;; *) set -- "nameserver 127.0.0.1" "$@" ;; esac
	printf '%s\n' "$@" >"$dir/resolv.conf" || return 1
	[ -e "$dir/hosts" ] && return 0
	printf '127.0.0.1 localhost\n::1 localhost\n' >"$dir/hosts" &&
		mount --bind "$dir/resolv.conf" /etc/resolv.conf &&
		mount --bind "$dir/hosts" /etc/hosts
}

# ---------------------------------------------------------------- MX tests
#
# For the t_mx_* integration tests, which run with common.sh ($T,
# cleanup_hooks, ok, fail, expect_same): Postfix instances as MX hosts on
# port 25 of their own addresses, and where each message landed.
#
#   mx_conf [LINE...]        carrier's configuration $T/conf (no relay)
#   mx_postfix NAME ADDR     Postfix $T/NAME on ADDR:25, stopped at exit
#   mx_landed NAME DOMAIN LOCAL WHAT
#   mx_arrived NAME DOMAIN LOCAL WHAT
#   mx_nowhere WHAT
#   ms_since START           milliseconds since $EPOCHREALTIME was START

# The Postfix instances of mx_postfix, and the messages each must hold.
MX_PF=()
declare -A MX_WANT=()

# mx_conf [LINE...] : $T/conf, carrier's configuration for direct MX
# delivery: mail domain example.net, an empty aliases file, no relay,
# "syslog off" unless a LINE sets syslog, then the LINEs.
mx_conf() {
	local l
	local -a syslog=('syslog off')
	for l in "$@"; do
		case $l in syslog\ *) syslog=() ;; esac
	done
	: >"$T/aliases"
	printf '%s\n' 'domain example.net' "aliases $T/aliases" "${syslog[@]}" "$@" >"$T/conf"
}

# mx_postfix NAME ADDR : a Postfix instance in $T/NAME receiving on
# ADDR:25 (lab_lo_addr makes ADDR local first), stopped at exit.  The
# LAB_POSTFIX_* variables apply as for postfix_start.
mx_postfix() {
	lab_lo_addr "$2" || return 1
	cleanup_hooks+=("postfix_stop $T/$1")
	MX_PF+=("$1")
	MX_WANT[$1]=0
	postfix_start "$T/$1" 25 "$2"
}

# mx_landed NAME DOMAIN LOCAL WHAT : mx_arrived, then mx_nowhere.
mx_landed() {
	mx_arrived "$@"
	mx_nowhere "$4"
}

# mx_arrived NAME DOMAIN LOCAL WHAT : the message for LOCAL@DOMAIN
# arrived at Postfix NAME (within 10 s), its bytes those of $T/want, its
# envelope sender $sender; one more message expected there (mx_nowhere).
mx_arrived() {
	local pf=$1 dom=$2 lp=$3 what=$4 env
	MX_WANT[$pf]=$((MX_WANT[$pf] + 1))
	if ! _lab_until 100 _mx_has "$T/$pf" "$dom" "$lp"; then
		fail "$what: nothing for $lp@$dom at $pf"
		return
	fi
	postfix_msg "$T/$pf" "$dom" "$lp" >"$T/got"
	expect_same "$T/got" "$T/want" "$what: at $pf"
	env=$(postfix_envelope_sender "$T/$pf" "$dom" "$lp")
	[ "$env" = "$sender" ] && ok "$what: envelope sender <$env>" ||
		fail "$what: envelope sender <$env>, want <$sender>"
}

# _mx_has DIR DOMAIN LOCAL : Postfix DIR holds a message for LOCAL@DOMAIN
_mx_has() {
	_lab_pf_sort "$1"
	[ -n "$(ls -A "$1/mail/${2,,}/${3,,}/new" 2>/dev/null)" ]
}

# _mx_has_any DOMAIN LOCAL NAME... : one of the Postfix instances NAME
# ($T/NAME) holds a message for LOCAL@DOMAIN
_mx_has_any() {
	local dom=$1 lp=$2 pf
	shift 2
	for pf in "$@"; do
		_mx_has "$T/$pf" "$dom" "$lp" && return 0
	done
	return 1
}

# mx_nowhere WHAT : every Postfix of mx_postfix holds exactly the
# messages mx_landed expected of it (after 0.3 s, for one on its way):
# nothing arrived where it should not.  After a failure the count is
# taken as it is, so the next case is judged on its own.
mx_nowhere() {
	local pf n bad=
	sleep 0.3
	for pf in "${MX_PF[@]}"; do
		n=$(_lab_count_msgs "$T/$pf")
		[ "$n" = "${MX_WANT[$pf]}" ] && continue
		bad="$bad $pf holds $n, want ${MX_WANT[$pf]};"
		MX_WANT[$pf]=$n
	done
	[ -z "$bad" ] && ok "$1: nothing anywhere else" || fail "$1:$bad"
}

# ms_since START : milliseconds from START (an $EPOCHREALTIME) to now
ms_since() {
	local now=${EPOCHREALTIME/[.,]/} start=${1/[.,]/}
	echo $(((now - start) / 1000))
}

# mx_send WHAT ARGS... : carrier -C $T/conf -f $sender ARGS (options and
# recipients), the message a complete header ($HDRS) with "Subject: WHAT"
# and a line naming it, kept in $T/want (what must arrive); sets $rc and
# $T/out, $T/err as run_carrier does, and $took (milliseconds); prints
# carrier's own lines on stderr ("carrier: ...") with WHAT and $rc.
mx_send() {
	local what=$1 t0
	shift
	printf '%sSubject: %s\n\nsent for: %s\n' "$HDRS" "$what" "$what" >"$T/in"
	cp "$T/in" "$T/want"
	t0=$EPOCHREALTIME
	run_carrier -C "$T/conf" -f "$sender" "$@"
	took=$(ms_since "$t0")
	grep '^carrier: ' "$T/err" | sed "s/^/$what: exit $rc: /"
}

# mx_no_connect BEFORE WHAT : no connection was tried to port 25 of any
# address since the SYN count (lab_syn_watch '*') was BEFORE.
mx_no_connect() {
	local n
	n=$(lab_syn_count '*') || return 1
	[ "$n" = "$1" ] && ok "$2: no connection to port 25" ||
		fail "$2: $((n - $1)) SYN(s) to port 25"
}
