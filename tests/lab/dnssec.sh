# shellcheck shell=bash
#
# dnssec.sh - a DNSSEC lab on top of dns.sh, for the DANE tests (RFC
# 7672): zones signed at test time (ldns-keygen, ldns-signzone from
# ldnsutils), served by dns.sh's nsd, and a real validating resolver,
# unbound, extracted from Debian's package into build/lab/unbound-root by
# dnssec_fetch (sh tests/lab/deps.sh runs it; installing the package
# would start its unbound service on port 53).  unbound runs on
# 127.0.0.53:53 inside the test's network namespace, with a stub zone
# per zone of dns_zone pointing at nsd and a trust anchor for exactly the
# zones dnssec_sign signed; carrier's stub resolver asks it (a private
# /etc/resolv.conf, dnssec_resolv_conf).  Source it after dns.sh:
#
#   . "$top/tests/lab/dns.sh"
#   . "$top/tests/lab/dnssec.sh"
#   dnssec_need                           # SKIP without nsd, unbound, ldns
#   lab_ca "$T/ca" DNS:mx.dane.test || exit 1
#   dns_zone "$T/dns" dane.test <<EOF    # signed below
#   @               MX   10 mx
#   mx              A    127.0.0.2
#   _25._tcp.mx     TLSA $(tlsa_rdata "$T/ca/server.pem" 3 1 1)
#   mx2             A    127.0.0.3
#   _25._tcp.mx2    TLSA $(tlsa_rdata "$T/ca/server.pem" 3 1 1)
#   EOF
#   dnssec_sign "$T/dns" dane.test _25._tcp.mx2 || exit 1  # mx2's TLSA bogus
#   dns_zone "$T/dns" plain.test <<'EOF' # unsigned: insecure
#   @    MX 10 mx
#   mx   A  127.0.0.4
#   EOF
#   cleanup_hooks+=("resolver_stop $T/dns" "dns_stop $T/dns")
#   dns_start "$T/dns" || exit 1         # nsd on 127.0.0.1
#   resolver_start "$T/dns" || exit 1    # unbound on 127.0.0.53
#   dnssec_resolv_conf "$T/dns"          # /etc/resolv.conf: 127.0.0.53
#   dnssec_query _25._tcp.mx.dane.test TLSA
#       # rcode NOERROR / flags qr rd ra ad / TLSA 3 1 1 8f3a...
#   resolver_stop "$T/dns"; dns_stop "$T/dns"
#
# Layout: every zone is a zone of its own in nsd and a stub zone of its
# own in unbound (stub-addr: nsd's address), so sibling zones under one
# test TLD (dane.test, plain.test) and a parent zone beside its children
# (test beside dane.test, no delegation needed) all work.  Only the
# zones dnssec_sign signed have a trust anchor (their KSK's DS, in
# DIR/ZONE.ds); nothing is anchored at "." or at a parent.  So, from
# unbound, to a query with the AD bit set (as carrier's stub resolver
# sends it, RES_TRUSTAD; dnssec_query does the same):
#   - a name in a signed zone: the answer with AD ("flags qr rd ra ad"),
#     a signed NXDOMAIN or NODATA with AD too;
#   - a name in an unsigned zone: the answer without AD ("flags qr rd
#     ra"), never SERVFAIL (no anchor covers it: insecure);
#   - a BOGUS_OWNER of dnssec_sign: SERVFAIL for the types it holds, and
#     the reason in DIR/unbound.log ("validation failure <NAME. TYPE
#     IN>: signature crypto failed ..."); its other names stay secure;
#   - a zone of dns_zone_broken: SERVFAIL;
#   - a name in no zone of DIR/zones: REFUSED ("flags qr aa rd ra", as
#     nsd refuses it), at once: unbound never asks anything but nsd.
# A query without the AD bit (and without EDNS DO), like dns_query's,
# gets no AD even for a secure answer (RFC 6840 5.7).
#
# DIR/unbound.log logs each query and reply, after the client's address
# ("info: 127.0.0.1 _25._tcp.mx.dane.test. TLSA IN", then "info:
# 127.0.0.1 _25._tcp.mx.dane.test. TLSA IN NOERROR 0.000307 0 86"),
# each SERVFAIL with its reason, and validation failures (val-log-level
# 2): a test can grep what carrier asked and why an answer was bogus.  unbound caches (TTL 60 s): after changing a zone,
# sign it again (if it was signed), then dns_start and resolver_start
# again (each restarts its server; a restart empties the cache).
#
# Functions (non-zero and a reason on stderr when they fail):
#
#   dnssec_fetch             extract unbound (deps.sh; the tests never do)
#   dnssec_tools             true when nsd, unbound, ldns-keygen,
#                            ldns-signzone and openssl run; else prints
#                            what is missing (one line on stdout)
#   dnssec_need              dns_need, then SKIP (exit 77) unless
#                            dnssec_tools
#   dnssec_sign DIR ZONE [BOGUS_OWNER...]
#   resolver_start DIR [ADDR=127.0.0.53]
#   resolver_stop DIR
#   dnssec_resolv_conf DIR [ADDR=127.0.0.53]
#   dnssec_query NAME TYPE [SERVER=127.0.0.53]
#   tlsa_rdata CERT_PEM USAGE SELECTOR MTYPE

: "${LAB_UNBOUND_ROOT:=$LAB_TOP/build/lab/unbound-root}"
DNSSEC_UNBOUND=$LAB_UNBOUND_ROOT/usr/sbin/unbound
# the resolver's default address (127.0.0.0/8 is all on lo: no setup)
DNSSEC_RESOLVER=127.0.0.53

# dnssec_fetch : extract unbound and unbound-checkconf from the unbound
# .deb (apt-get download, dpkg -x) into $LAB_UNBOUND_ROOT, unless they
# are there.  Their libraries (libevent-2.1-7, libnghttp2-14,
# libprotobuf-c1, libpython3.11, libssl3, libsystemd0) are plain
# packages that deps.sh installs.
dnssec_fetch() {
	[ -x "$DNSSEC_UNBOUND" ] && return 0
	_dns_extract "$LAB_UNBOUND_ROOT" unbound usr/sbin/unbound || return 1
	"$DNSSEC_UNBOUND" -V >/dev/null 2>&1 || {
		_lab_err "unbound does not run from $LAB_UNBOUND_ROOT (its libraries: sh tests/lab/deps.sh)"
		return 1
	}
}

# dnssec_tools : true when nsd, unbound, the ldns tools and openssl run;
# otherwise prints what is missing, one line on stdout, and fails.
dnssec_tools() {
	local t
	if ! "$DNS_NSD" -v >/dev/null 2>&1; then
		echo "no nsd in $LAB_NSD_ROOT (sh tests/lab/deps.sh extracts it)"
	elif ! "$DNSSEC_UNBOUND" -V >/dev/null 2>&1; then
		echo "no unbound in $LAB_UNBOUND_ROOT (sh tests/lab/deps.sh extracts it)"
	else
		for t in ldns-keygen ldns-signzone openssl; do
			command -v "$t" >/dev/null && continue
			echo "no $t (sh tests/lab/deps.sh installs it)"
			return 1
		done
		return 0
	fi
	return 1
}

# dnssec_need : dns_need, then SKIP (exit 77) naming what dnssec_tools
# finds missing.
dnssec_need() {
	local why
	dns_need
	why=$(dnssec_tools) || {
		echo "SKIP: $why"
		exit 77
	}
}

# dnssec_sign DIR ZONE [BOGUS_OWNER...] : sign DIR/ZONE.zone (written by
# dns_zone) in place with fresh ECDSAP256SHA256 keys, a KSK and a ZSK
# (in DIR/keys/ZONE/), NSEC, signatures valid from an hour ago for 30
# days; the unsigned file is kept as DIR/ZONE.unsigned.  The KSK's DS
# record, "ZONE. IN DS TAG 13 2 HEX", goes to DIR/ZONE.ds: resolver_start
# makes it ZONE's trust anchor.  Each BOGUS_OWNER, a name relative to ZONE
# (_25._tcp.mx2, not the apex), fails validation: the signatures of its
# records (all but its NSEC's) are altered after signing, so each of its
# RRsets answers SERVFAIL from the resolver while the rest of the zone
# stays secure (its NSEC too: a type it lacks is a secure NODATA).  Call
# it after each dns_zone of ZONE (a signed file is not signed again);
# when it fails, DIR/ZONE.zone is left unsigned, without DIR/ZONE.ds.
dnssec_sign() {
	local dir=${1:-} zone=${2:-} keys ksk zsk
	if [ -z "$dir" ] || [ -z "$zone" ] || [ ! -s "$dir/$zone.zone" ]; then
		_lab_err "usage: dnssec_sign DIR ZONE [BOGUS_OWNER...] (after dns_zone DIR ZONE)"
		return 2
	fi
	shift 2
	rm -f "$dir/$zone.ds"
	if grep -q '[[:space:]]RRSIG[[:space:]]' "$dir/$zone.zone"; then
		_lab_err "dnssec_sign: $dir/$zone.zone is signed already (dns_zone it again)"
		return 1
	fi
	keys=$dir/keys/$zone
	rm -rf "$keys" && mkdir -p "$keys" || return 1
	if ! ksk=$(cd "$keys" && ldns-keygen -a ECDSAP256SHA256 -k "$zone.") ||
		! zsk=$(cd "$keys" && ldns-keygen -a ECDSAP256SHA256 "$zone.") ||
		! ldns-signzone -o "$zone." -f "$keys/signed" \
			-i "$(date -u -d '1 hour ago' +%Y%m%d%H%M%S)" \
			-e "$(date -u -d '30 days' +%Y%m%d%H%M%S)" \
			"$dir/$zone.zone" "$keys/$zsk" "$keys/$ksk" ||
		! _dnssec_spoil "$keys/signed" "$zone" "$@"; then
		_lab_err "dnssec_sign: cannot sign $zone"
		return 1
	fi
	cp "$dir/$zone.zone" "$dir/$zone.unsigned" &&
		mv "$keys/signed" "$dir/$zone.zone" &&
		cp "$keys/$ksk.ds" "$dir/$zone.ds"
}

# _dnssec_spoil FILE ZONE OWNER... : in the signed zone file FILE (one
# record a line, as ldns-signzone writes it), alter the signature of
# every RRSIG at OWNER.ZONE. but the one covering its NSEC.
_dnssec_spoil() {
	local file=$1 zone=$2 owner
	shift 2
	for owner in "$@"; do
		case $owner in '' | @ | *.) _lab_err "dnssec_sign: BOGUS_OWNER $owner: a name relative to $zone, not its apex"; return 1 ;; esac
		awk -v name="${owner,,}.${zone,,}." '
			tolower($1) == name && $4 == "RRSIG" && $5 != "NSEC" {
				# the base64 signature is the last field
				sig = $NF
				$NF = (substr(sig, 1, 1) == "A" ? "B" : "A") substr(sig, 2)
				n++
			}
			{ print }
			END { exit n ? 0 : 1 }' "$file" >"$file.new" || {
			_lab_err "dnssec_sign: no signed records at $owner.$zone"
			rm -f "$file.new"
			return 1
		}
		mv "$file.new" "$file" || return 1
	done
}

# resolver_start DIR [ADDR=127.0.0.53] : unbound, a validating recursive
# resolver, in the foreground as a child of this shell (PID in
# DIR/unbound.pid), on ADDR, UDP and TCP port 53, with its configuration
# (DIR/unbound.conf) and log (DIR/unbound.log) in DIR, as root (no
# chroot, no user change, no remote control).  A stub zone for each zone
# of DIR/zones points at nsd (the ip-address of DIR/nsd.conf: call
# dns_start DIR first); a trust anchor DIR/ZONE.ds (dnssec_sign) for each
# zone that has one; every other name is refused (local-zone "."
# refuse), so unbound queries nsd and nothing else.  Returns when each
# zone's SOA answers as it should (NOERROR, with AD for a signed zone;
# SERVFAIL for a broken one), within 10 s.
resolver_start() {
	local dir=${1:-} addr=${2:-$DNSSEC_RESOLVER} nsd zone state want
	if [ -z "$dir" ] || [ ! -s "$dir/zones" ] || [ ! -s "$dir/nsd.conf" ]; then
		_lab_err "usage: resolver_start DIR [ADDR] (after dns_start DIR)"
		return 2
	fi
	[ -x "$DNSSEC_UNBOUND" ] || {
		_lab_err "no $DNSSEC_UNBOUND (sh tests/lab/deps.sh extracts it)"
		return 1
	}
	dir=$(cd "$dir" && pwd) || return 1
	nsd=$(sed -n 's/^[[:space:]]*ip-address: //p' "$dir/nsd.conf" | head -1)
	resolver_stop "$dir"
	case $addr in 127.*) ;; *) lab_lo_addr "$addr" || return 1 ;; esac
	_dnssec_conf "$dir" "$addr" "$nsd" >"$dir/unbound.conf" || return 1
	"$LAB_UNBOUND_ROOT/usr/sbin/unbound-checkconf" "$dir/unbound.conf" >/dev/null || return 1
	: >"$dir/unbound.log"
	TZ=UTC0 "$DNSSEC_UNBOUND" -d -c "$dir/unbound.conf" </dev/null >>"$dir/unbound.log" 2>&1 &
	echo $! >"$dir/unbound.pid"
	while read -r zone state; do
		want=NOERROR
		[ -e "$dir/$zone.ds" ] && want="NOERROR ad"
		[ "$state" = ok ] || want=SERVFAIL
		_lab_until 100 _dnssec_answers "$(cat "$dir/unbound.pid")" "$addr" "$zone" "$want" || {
			_lab_err "unbound on $addr:53 does not answer $want for the SOA of $zone; its log:"
			cat "$dir/unbound.log" >&2
			resolver_stop "$dir"
			return 1
		}
	done <"$dir/zones"
}

# _dnssec_conf DIR ADDR NSD : unbound.conf for resolver_start
_dnssec_conf() {
	local dir=$1 addr=$2 nsd=$3 zone state
	printf 'server:\n'
	printf '\t%s\n' "interface: $addr" 'port: 53' 'username: ""' \
		'chroot: ""' "directory: \"$dir\"" "pidfile: \"$dir/unbound.pidfile\"" \
		"logfile: \"$dir/unbound.log\"" 'use-syslog: no' \
		'log-time-ascii: yes' 'verbosity: 1' 'log-queries: yes' \
		'log-replies: yes' 'log-servfail: yes' 'val-log-level: 2' \
		'num-threads: 1' 'access-control: 0.0.0.0/0 allow' \
		'access-control: ::/0 allow' 'do-not-query-localhost: no' \
		'module-config: "validator iterator"' 'qname-minimisation: no' \
		'harden-dnssec-stripped: yes' 'trust-anchor-signaling: no' \
		'root-key-sentinel: no' 'local-zone: "." refuse'
	while read -r zone state; do
		printf '\tlocal-zone: "%s." transparent\n' "$zone"
		[ -e "$dir/$zone.ds" ] || continue
		grep -q '[[:space:]]RRSIG[[:space:]]' "$dir/$zone.zone" || {
			_lab_err "$zone has a trust anchor ($dir/$zone.ds) but is not signed (dns_zone after dnssec_sign?)"
			return 1
		}
		printf '\ttrust-anchor-file: "%s"\n' "$dir/$zone.ds"
	done <"$dir/zones"
	printf 'remote-control:\n\tcontrol-enable: no\n'
	while read -r zone state; do
		printf 'stub-zone:\n\tname: "%s."\n\tstub-addr: %s@53\n' "$zone" "$nsd"
	done <"$dir/zones"
}

# _dnssec_answers PID ADDR ZONE WANT : unbound (PID) answers ZONE's SOA
# with WANT, "RCODE" or "RCODE ad" (2, give up, when unbound is gone).
_dnssec_answers() {
	local out
	_lab_alive "$1" || return 2
	_lab_listening "$2" 53 || return 1
	out=$(dnssec_query "$3" SOA "$2" 2>/dev/null | head -2) || return 1
	case $4 in
	*' ad') [ "$out" = "rcode ${4% ad}"$'\n'"flags qr rd ra ad" ] ;;
	*) [ "$(head -1 <<<"$out")" = "rcode $4" ] ;;
	esac
}

# resolver_stop DIR : stop the unbound of resolver_start DIR.
resolver_stop() {
	_dns_stop_pidfile "${1:-}/unbound.pid"
}

# dnssec_resolv_conf DIR [ADDR=127.0.0.53] : dns_resolv_conf with the
# resolver as the only server: /etc/resolv.conf (DIR/resolv.conf, in
# this test's own mount namespace) is "nameserver ADDR" and "options
# timeout:1 attempts:1"; no trust-ad (carrier sets RES_TRUSTAD itself).
# For other options: dns_resolv_conf DIR "nameserver ADDR" LINE...
dnssec_resolv_conf() {
	[ -n "${1:-}" ] || {
		_lab_err "usage: dnssec_resolv_conf DIR [ADDR]"
		return 2
	}
	dns_resolv_conf "$1" "nameserver ${2:-$DNSSEC_RESOLVER}" 'options timeout:1 attempts:1'
}

# dnssec_query NAME TYPE [SERVER=127.0.0.53] : ask as carrier's stub
# resolver does (recursion desired, AD bit set: dnsq.py -a) and print the
# answer with its header flags (dnsq.py -f): "rcode NOERROR", then
# "flags qr rd ra ad" (the flags set, in the order qr aa tc rd ra ad cd),
# then the answer records ("TLSA 3 1 1 8f3a...", "A 127.0.0.2").
dnssec_query() {
	"$LAB_PYTHON" "$LAB_DIR/dnsq.py" -a -f -s "${3:-$DNSSEC_RESOLVER}" "$1" "$2"
}

# tlsa_rdata CERT_PEM USAGE SELECTOR MTYPE : the RDATA of a TLSA record
# for the certificate in CERT_PEM (its first), as a zone file writes it:
# "3 1 1 8f3a..." (lower-case hex).  SELECTOR 0: the whole certificate
# (DER), 1: its SubjectPublicKeyInfo (DER); MTYPE 0: that DER itself, 1:
# its SHA-256 (64 hex digits), 2: its SHA-512 (128).  USAGE (0-3) is
# printed as given.
tlsa_rdata() {
	local cert=${1:-} usage=${2:-} sel=${3:-} mt=${4:-} hex
	case $usage/$sel/$mt in [0-3]/[01]/[012]) ;; *)
		_lab_err "usage: tlsa_rdata CERT_PEM USAGE(0-3) SELECTOR(0-1) MTYPE(0-2)"
		return 2
		;;
	esac
	if ! hex=$(
		set -o pipefail
		_dnssec_der "$cert" "$sel" | _dnssec_digest "$mt" | od -An -v -tx1 | tr -d ' \n'
	) || [ -z "$hex" ]; then
		_lab_err "tlsa_rdata: cannot read a certificate in $cert"
		return 1
	fi
	echo "$usage $sel $mt $hex"
}

# _dnssec_der CERT_PEM SELECTOR : the DER that SELECTOR names, on stdout
_dnssec_der() {
	if [ "$2" = 0 ]; then
		openssl x509 -in "$1" -outform DER
	else
		openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER
	fi
}

# _dnssec_digest MTYPE : stdin, as is or hashed as MTYPE says
_dnssec_digest() {
	case $1 in
	0) cat ;;
	1) openssl dgst -sha256 -binary ;;
	2) openssl dgst -sha512 -binary ;;
	esac
}
