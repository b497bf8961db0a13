# shellcheck shell=bash
#
# lab.sh - integration-test lab for carrier: a real Postfix and smtp-sink,
# run from binaries extracted out of the Debian postfix package, without
# installing that package (it would replace /usr/sbin/sendmail).
#
# Source it from a bash test script:
#
#   . "$(dirname "$0")/../lab/lab.sh"
#   lab_need_root                 # SKIP (exit 77) unless root + unshare work
#   lab_netns "$@"                # lab_fetch, then re-exec the script in
#                                 # private net+pid+mount namespaces
#   d=$(lab_mktemp)               # a temp dir the mail_owner can traverse
#   trap 'postfix_stop "$d/pf"; sink_stop "$d/sink"; rm -rf "$d"' EXIT
#   port=$(lab_free_port)
#   postfix_start "$d/pf" "$port" || exit 1
#   ... submit mail with carrier to 127.0.0.1:$port ...
#   postfix_wait "$d/pf" 2 || exit 1
#   postfix_msg "$d/pf" example.org alice > got   # the DATA bytes, LF lines
#   postfix_envelope_sender "$d/pf" example.org alice
#
# With TLS and SMTP AUTH (STARTTLS on the given port, submission on 587,
# smtps on 465; see postfix_start):
#
#   lab_ca "$d/ca"                # throwaway CA + server certificate
#   LAB_POSTFIX_TLS=$d/ca LAB_POSTFIX_SASL="alice:secret" \
#       postfix_start "$d/pf" 25 || exit 1
#   ... client trusts $d/ca/ca.pem, logs in as alice ...
#
# Functions (all return non-zero and say why on stderr when they fail;
# usable from scripts running with set -euo pipefail):
#
#   lab_fetch
#   lab_need_root
#   lab_netns "$@"
#   lab_free_port
#   lab_mktemp
#   lab_ca DIR [NAMES...]
#   postfix_start DIR PORT [ADDR=127.0.0.1]
#   postfix_stop DIR
#   postfix_wait DIR N [TIMEOUT_S=10]
#   postfix_msg DIR DOMAIN LOCAL
#   postfix_envelope_sender DIR DOMAIN LOCAL
#   postfix_sort DIR
#   postfix_log DIR
#   sink_start DIR PORT [smtp-sink options...]
#   sink_stop DIR
#   sink_count DIR                (messages taken; smtp-sink -c)
#   lab_lo_addr ADDR...           (an address of lo: ::2 for an IPv6 MX)
#   lab_tcp_drop ADDR [PORT=25]   (nft: SYNs to ADDR:PORT go unanswered)
#   lab_tcp_undrop
#   lab_syn_watch ADDR [PORT=25]  (nft: count the SYNs to ADDR:PORT)
#   lab_syn_count ADDR [PORT=25]
#   lab_syslog_start DIR          (a syslog daemon on a /dev of DIR's)
#   lab_syslog_stop DIR
#
# tests/lab/dns.sh adds a DNS server (nsd) with the test's zones.
#
# Environment knobs (all optional):
#
#   LAB_ROOT            where the postfix .deb is extracted
#                       (default: <repo>/build/lab/postfix-root)
#   LAB_MAIL_OWNER      Postfix mail_owner (default: mail, a stock Debian
#                       account that Postfix accepts)
#   LAB_SETGID_GROUP    Postfix setgid_group (default: carrier-lab, created
#                       with groupadd --system on first use; see below)
#   LAB_DELIVERY_USER   account virtual(8) writes the Maildirs as
#                       (default: nobody)
#   LAB_POSTFIX_MAIN_CF extra main.cf settings, one "name = value" per line,
#                       applied with postconf -e after the lab defaults (so
#                       they override them), e.g. "message_size_limit = 1000"
#   LAB_POSTFIX_TLS     a directory made by lab_ca: postfix_start then
#                       offers STARTTLS with its server.pem/server.key and
#                       adds the submission and smtps services (see
#                       postfix_start)
#   LAB_POSTFIX_SASL    "user:password ..." (space-separated; a password
#                       may hold ":" but no blank): SMTP AUTH through Cyrus
#                       SASL, PLAIN and LOGIN, against a sasldb made with
#                       these accounts (see postfix_start)
#   LAB_POSTFIX_SUBMISSION_PORT  port of the submission service (default
#                       587; 0: none)
#   LAB_POSTFIX_SMTPS_PORT       port of the smtps service (default 465;
#                       0: none)
#   LAB_SASL_REALM      realm of the SASL accounts without "@" in their
#                       name (default lab.invalid; see postfix_start)
#   LAB_SINK_ADDR       address smtp-sink listens on (default: 127.0.0.1)
#   LAB_SINK_USER       account smtp-sink drops to (default: nobody)
#
# Why a new group: Postfix refuses to start unless setgid_group is a group
# of its own (not mail_owner's primary group, not default_privs' group, and
# no other group with the same GID).  Stock Debian has no such group besides
# the ones it reserves for other purposes, so the lab creates one system
# group.  mail_owner can be the stock "mail" account (unique UID 8, GID 8).
#
# Line endings: virtual(8) writes Maildir files with LF line endings.  The
# SMTP server turns each CRLF-terminated DATA line into a record, undoes the
# dot-stuffing, and the delivery agent writes each record followed by a bare
# LF.  So postfix_msg prints exactly what the client sent in DATA with every
# CRLF replaced by LF (and with "." unstuffed), nothing else changed.  The
# lab rejects bare LF from the client (smtpd_forbid_bare_newline = reject),
# so an LF in the output always was a CRLF on the wire; a lone CR in DATA is
# kept as is (cleanup_replace_stray_cr_lf = no).

if [ -z "${BASH_VERSION:-}" ]; then
	echo "lab.sh: needs bash" >&2
	# shellcheck disable=SC2317 # exit only if not sourced
	return 1 2>/dev/null || exit 1
fi

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_TOP=$(cd "$LAB_DIR/../.." && pwd)
: "${LAB_ROOT:=$LAB_TOP/build/lab/postfix-root}"
: "${LAB_MAIL_OWNER:=mail}"
: "${LAB_SETGID_GROUP:=carrier-lab}"
: "${LAB_DELIVERY_USER:=nobody}"
: "${LAB_SINK_ADDR:=127.0.0.1}"
: "${LAB_SINK_USER:=nobody}"
: "${LAB_SASL_REALM:=lab.invalid}"
# Debian's python3 (package python3, in LAB_TOOLS), not one a PATH puts
# first: a version manager's shim can take a second a start on a busy
# machine.
if [ -z "${LAB_PYTHON:-}" ]; then
	LAB_PYTHON=/usr/bin/python3
	[ -x "$LAB_PYTHON" ] || LAB_PYTHON=python3
fi

# Runtime libraries of the postfix package (its Depends: minus the
# maintainer-script tools), so the extracted binaries can run; the Cyrus
# SASL plugins Postfix's SMTP AUTH loads (PLAIN/LOGIN from
# libsasl2-modules, the sasldb auxprop from libsasl2-modules-db: plain
# libraries, no service); and the tools lab.sh itself uses (ip/ss,
# unshare/setpriv/flock, ps/pgrep, openssl for lab_ca, python3 for the
# TLS start-up check).  saslpasswd2 comes from sasl2-bin, which is only
# extracted (like postfix): installing it would add the saslauthd service.
LAB_POSTFIX_LIBS=(libdb5.3 libicu72 libnsl2 libsasl2-2 libssl3 netbase
	libsasl2-modules libsasl2-modules-db)
LAB_TOOLS=(iproute2 util-linux procps openssl python3)

_lab_err() { echo "lab: $*" >&2; }

# Run an extracted Postfix program.  The binaries have RUNPATH
# /usr/lib/postfix, which does not exist here, so point the loader at the
# extracted copy of the libpostfix-*.so libraries.
_lab_pf() {
	local prog=$1
	shift
	LD_LIBRARY_PATH="$LAB_ROOT/usr/lib/postfix${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$prog" "$@"
}

# _lab_apt_ensure PKG... : install those of PKG that dpkg does not report as
# installed; refresh the package lists only if the first attempt fails.
_lab_apt_ensure() {
	local p have missing=()
	have=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
		sed -n 's/ installed$//p')
	for p in "$@"; do
		case $'\n'$have$'\n' in *$'\n'"$p"$'\n'*) ;; *) missing+=("$p") ;; esac
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "lab: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 && return 0
	apt-get update -qq >&2 || return 1
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# _lab_until TENTHS FUNC ARGS... : run FUNC until it returns 0 (success) or
# 2 (give up), at most TENTHS times 0.1 s.
_lab_until() {
	local n=$1 i
	shift
	local rc
	for ((i = 0; i < n; i++)); do
		# (inside "if" so that a caller's set -e does not fire)
		if "$@"; then return 0; else rc=$?; fi
		# 2: will never succeed (e.g. the server died)
		[ "$rc" != 2 ] || return 2
		sleep 0.1
	done
	"$@"
}

# True if PID names a live (non-zombie) process.
_lab_alive() {
	local st
	[ -n "$1" ] || return 1
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st#Z}" = "$st" ]
}

_lab_dead() { ! _lab_alive "$1"; }

_lab_is_port() {
	case $1 in '' | *[!0-9]*) return 1 ;; esac
	[ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}

# True if something listens on TCP ADDR:PORT (ADDR may be *).
_lab_listening() {
	local addr=$1 port=$2 out
	out=$(ss -Hltn "sport = :$port" 2>/dev/null) || return 1
	case $addr in
	'*') [ -n "$out" ] ;;
	*:*) grep -qF "[$addr]:$port " <<<"$out " || grep -qF "[::]:$port " <<<"$out " || grep -qF "*:$port " <<<"$out " ;;
	*) grep -qF "$addr:$port " <<<"$out " || grep -qF "0.0.0.0:$port " <<<"$out " || grep -qF "*:$port " <<<"$out " ;;
	esac
}

# _lab_port_free PORT [ADDR] : fail if something listens on TCP ADDR:PORT,
# or on PORT of a wildcard address (0.0.0.0, [::], *); without ADDR, on
# PORT of any address.  Postfix and smtp-sink can both bind a port that is
# already taken (SO_REUSEPORT) and would then silently share the
# connections; servers on one port of different loopback addresses
# (127.0.0.2:25, 127.0.0.3:25, [::2]:25: MX hosts) do not clash.
_lab_port_free() {
	local port=$1 addr=${2:-} out
	out=$(ss -Hltnp "sport = :$port" 2>/dev/null)
	if [ -n "$out" ] && [ -n "$addr" ]; then
		case $addr in *:*) addr="[$addr]" ;; esac
		out=$(awk -v a="$addr:$port" -v p=":$port" \
			'$4 == a || $4 == "0.0.0.0" p || $4 == "[::]" p || $4 == "*" p' <<<"$out")
	fi
	[ -z "$out" ] && return 0
	_lab_err "TCP port ${addr:+$addr:}$port is already in use: $out"
	return 1
}

# ---------------------------------------------------------------- fetch

# lab_fetch : make sure the packages the lab needs are installed, that
# the postfix .deb is extracted into $LAB_ROOT, and that saslpasswd2 and
# sasldblistusers2 from the sasl2-bin .deb are extracted there too
# ($LAB_ROOT/usr/sbin).  Quick when all is there (one dpkg-query; nothing
# at all on later calls in the same shell).
lab_fetch() {
	local master=$LAB_ROOT/usr/lib/postfix/sbin/master
	local saslpw=$LAB_ROOT/usr/sbin/saslpasswd2
	local saslv=$LAB_ROOT/.sasl2-bin-version
	[ "${_LAB_FETCHED:-}" = "$LAB_ROOT" ] && [ -x "$master" ] && [ -x "$saslpw" ] && return 0
	_lab_apt_ensure "${LAB_POSTFIX_LIBS[@]}" "${LAB_TOOLS[@]}" || {
		_lab_err "cannot install ${LAB_POSTFIX_LIBS[*]} ${LAB_TOOLS[*]}"
		return 1
	}
	[ -x "$master" ] && [ -x "$saslpw" ] && [ -s "$saslv" ] && _LAB_FETCHED=$LAB_ROOT && return 0

	mkdir -p "$(dirname "$LAB_ROOT")" || return 1
	(
		# Serialise concurrent fetches (parallel test runs).
		exec 9>"$LAB_ROOT.lock"
		flock -w 300 9 || { _lab_err "timeout waiting for $LAB_ROOT.lock"; exit 1; }
		[ -x "$master" ] && [ -x "$saslpw" ] && [ -s "$saslv" ] && exit 0
		tmp=$(mktemp -d "$LAB_ROOT.tmp.XXXXXX") || exit 1
		trap 'rm -rf "$tmp"' EXIT
		# apt-get download fetches as user _apt when it can write there.
		chmod 755 "$tmp"
		chown _apt "$tmp" 2>/dev/null || true
		cd "$tmp" || exit 1
		if [ ! -x "$master" ]; then
			_lab_download "$tmp" postfix || exit 1
			deb=$(ls "$tmp"/postfix_*.deb) || exit 1
			dpkg -x "$deb" "$tmp/root" || exit 1
			dpkg-deb -f "$deb" Version >"$tmp/root/.postfix-version"
			[ -x "$tmp/root/usr/lib/postfix/sbin/master" ] || {
				_lab_err "no master in $deb"
				exit 1
			}
			rm -rf "$LAB_ROOT"
			mv "$tmp/root" "$LAB_ROOT"
		fi
		if [ ! -x "$saslpw" ] || [ ! -s "$saslv" ]; then
			# The version that matches the installed libsasl2-2, else
			# the candidate.
			v=$(dpkg-query -W -f='${Version}' libsasl2-2 2>/dev/null)
			_lab_download "$tmp" "sasl2-bin${v:+=$v}" 2>/dev/null ||
				_lab_download "$tmp" sasl2-bin || exit 1
			deb=$(ls "$tmp"/sasl2-bin_*.deb) || exit 1
			dpkg -x "$deb" "$tmp/sasl" || exit 1
			[ -x "$tmp/sasl/usr/sbin/saslpasswd2" ] || {
				_lab_err "no saslpasswd2 in $deb"
				exit 1
			}
			# only the programs (no saslauthd init scripts or units)
			cp -a "$tmp/sasl/usr/." "$LAB_ROOT/usr/" || exit 1
			dpkg-deb -f "$deb" Version >"$saslv.tmp" && mv "$saslv.tmp" "$saslv"
		fi
	) || return 1
	[ -x "$master" ] && [ -x "$saslpw" ] && _LAB_FETCHED=$LAB_ROOT
}

# _lab_download DIR PKG[=VERSION] : apt-get download into DIR (the current
# directory), refreshing the package lists once if that fails.
_lab_download() {
	local dir=$1 pkg=$2
	if ! (cd "$dir" && apt-get download -q "$pkg" >/dev/null 2>"$dir/err"); then
		apt-get update -qq >&2 || return 1
		(cd "$dir" && apt-get download -q "$pkg" >/dev/null 2>"$dir/err") || {
			cat "$dir/err" >&2
			_lab_err "apt-get download $pkg failed"
			return 1
		}
	fi
}

# ---------------------------------------------------------------- guards

lab_need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: the Postfix lab needs root (master(8) refuses to run otherwise)"
		exit 77
	fi
	if [ -z "${LAB_IN_NETNS:-}" ] && ! unshare -n true 2>/dev/null; then
		echo "SKIP: cannot create a network namespace (unshare -n failed)"
		exit 77
	fi
}

# lab_netns "$@" : call near the top of a test script, with the script's
# arguments.  Runs lab_fetch first (apt needs the network), then
# re-executes the script with bash (once; guarded by LAB_IN_NETNS) inside
# new network, PID and mount namespaces.  The network namespace's only
# interface is a private loopback (127.0.0.1 and ::1, brought up here), so
# ports never clash with the host or other tests and nothing else can be
# reached.  The test's EXIT trap kills its servers by PID as usual (the
# script is PID 1 in there); in addition, when the script exits the kernel
# kills every process left in its PID namespace.  The mount namespace
# (private propagation, fresh /proc) lets a test bind-mount over files
# without touching the host.  The exit status (including 77) is passed
# through.  LAB_NETNS_PID=0 gives a network namespace only.
lab_netns() {
	[ -n "${LAB_IN_NETNS:-}" ] && return 0
	lab_need_root
	lab_fetch >&2 || exit 1
	local script=$0
	case $script in /*) ;; *) script=$PWD/$script ;; esac
	[ -f "$script" ] || {
		_lab_err "lab_netns: cannot find the calling script ($0)"
		exit 1
	}
	local -a ns=(--net)
	if [ "${LAB_NETNS_PID:-1}" != 0 ] &&
		unshare --net --pid --fork --kill-child --mount-proc true 2>/dev/null; then
		ns=(--net --pid --fork --kill-child --mount-proc)
	fi
	export LAB_IN_NETNS=1
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec unshare "${ns[@]}" -- "$BASH" -c \
		'ip link set lo up || exit 1; exec "$BASH" "$@"' lab-netns "$script" "$@"
}

# lab_free_port : print a TCP port that is free on 127.0.0.1 (and ::1).
lab_free_port() {
	if command -v "$LAB_PYTHON" >/dev/null 2>&1; then
		"$LAB_PYTHON" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' && return 0
	fi
	local port i
	for ((i = 0; i < 200; i++)); do
		port=$((20000 + RANDOM % 40000))
		if [ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]; then
			echo "$port"
			return 0
		fi
	done
	_lab_err "no free port found"
	return 1
}

# lab_mktemp : print a new temp dir (mode 0755) that Postfix's unprivileged
# daemons can traverse; mktemp -d alone gives mode 0700.
lab_mktemp() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/carrier-lab.XXXXXX") || return 1
	chmod 755 "$d" && echo "$d"
}

# ---------------------------------------------------------------- TLS

# lab_ca DIR [NAMES...]
#
# Makes throwaway TLS material in DIR (created if need be) with the
# openssl command (EC P-256 keys, SHA-256; well under a second):
#   DIR/ca.pem, DIR/ca.key        a CA ("carrier lab CA")
#   DIR/server.pem, DIR/server.key  a server certificate signed by that CA
#                    for NAMES (default: DNS:localhost DNS:relay.test
#                    IP:127.0.0.1 IP:::1); a name without "DNS:" or "IP:"
#                    is an IP address if it looks like one, else a DNS
#                    name.  Its subject is "O=carrier lab, CN=<first DNS
#                    name>" (or the first name).  server.pem holds only the
#                    server certificate (the CA is in ca.pem).
#   DIR/wrong.pem, DIR/wrong.key    signed by the same CA, for
#                    DNS:wrong.example only (a name mismatch for clients)
#   DIR/other-ca.pem, DIR/other-ca.key  an unrelated second CA (verifying
#                    server.pem against it fails)
# Keys are mode 600 (Postfix reads them as root); certificates 644.
# Existing files are replaced.
lab_ca() {
	local dir=${1:-} n kind val cn='' san=''
	[ -n "$dir" ] || {
		_lab_err "usage: lab_ca DIR [NAMES...]"
		return 2
	}
	shift
	[ $# -gt 0 ] || set -- DNS:localhost DNS:relay.test IP:127.0.0.1 IP:::1
	for n in "$@"; do
		case $n in
		DNS:* | dns:*) kind=DNS val=${n#*:} ;;
		IP:* | ip:*) kind=IP val=${n#*:} ;;
		*:* | [0-9]*.*[0-9]) kind=IP val=$n ;;
		*) kind=DNS val=$n ;;
		esac
		if [ -z "$val" ] || [[ $val == *[[:space:],/]* ]]; then
			_lab_err "lab_ca: bad name '$n'"
			return 2
		fi
		[ -z "$cn" ] && [ "$kind" = DNS ] && cn=$val
		san=${san:+$san, }$kind:$val
	done
	[ -n "$cn" ] || cn=${1#*:}
	command -v openssl >/dev/null || {
		_lab_err "lab_ca: no openssl command (apt-get install openssl)"
		return 1
	}
	mkdir -p "$dir" || return 1
	local -a leaf=('basicConstraints = critical, CA:FALSE'
		'keyUsage = critical, digitalSignature'
		'extendedKeyUsage = serverAuth'
		'subjectKeyIdentifier = hash' 'authorityKeyIdentifier = keyid')
	printf '%s\n' '# Generated by tests/lab/lab.sh lab_ca.' \
		'[req]' 'distinguished_name = dn' '[dn]' \
		'[ca]' 'basicConstraints = critical, CA:TRUE' \
		'keyUsage = critical, keyCertSign, cRLSign' \
		'subjectKeyIdentifier = hash' \
		'[server]' "${leaf[@]}" "subjectAltName = $san" \
		'[wrong]' "${leaf[@]}" 'subjectAltName = DNS:wrong.example' \
		>"$dir/openssl.cnf" || return 1
	if ! (
		set -e
		cd "$dir"
		umask 077
		rm -f ca.pem ca.key other-ca.pem other-ca.key server.pem server.key \
			wrong.pem wrong.key
		key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
		# ca NAME CN : a self-signed CA
		ca() {
			key "$1.key"
			openssl req -x509 -new -key "$1.key" -subj "/O=carrier lab/CN=$2" \
				-days 3650 -config openssl.cnf -extensions ca -out "$1.pem"
		}
		# cert NAME CN SECTION : a leaf certificate signed by ca.pem
		cert() {
			key "$1.key"
			openssl req -new -key "$1.key" -subj "/O=carrier lab/CN=$2" \
				-config openssl.cnf -out "$1.csr"
			openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
				-set_serial "0x$(openssl rand -hex 8)" -days 825 \
				-extfile openssl.cnf -extensions "$3" -out "$1.pem"
			rm -f "$1.csr"
		}
		ca ca "carrier lab CA"
		ca other-ca "carrier lab other CA"
		cert server "$cn" server
		cert wrong wrong.example wrong
		chmod 644 ca.pem other-ca.pem server.pem wrong.pem
	) >"$dir/openssl.log" 2>&1; then
		cat "$dir/openssl.log" >&2
		_lab_err "lab_ca: openssl failed in $dir"
		return 1
	fi
}

# ---------------------------------------------------------------- postfix

_lab_ensure_group() {
	local g=$1
	getent group "$g" >/dev/null && return 0
	groupadd --system "$g" 2>/dev/null || getent group "$g" >/dev/null || {
		_lab_err "cannot create group $g"
		return 1
	}
}

# Fail unless USER can reach PATH (every directory on the way searchable).
_lab_check_reach() {
	local user=$1 path=$2 p='' part gid
	local -a dirs=(/) parts=()
	gid=$(id -g "$user") || return 1
	IFS=/ read -r -a parts <<<"${path#/}"
	for part in "${parts[@]}"; do
		[ -n "$part" ] || continue
		p=$p/$part
		dirs+=("$p")
	done
	for p in "${dirs[@]}"; do
		if ! setpriv --reuid="$user" --regid="$gid" --clear-groups test -x "$p" 2>/dev/null; then
			_lab_err "$user cannot search $p (needed to reach $path); use lab_mktemp or chmod o+x $p"
			return 1
		fi
	done
}

# postfix_start DIR PORT [ADDR=127.0.0.1]
#
# Creates and starts a private Postfix instance under DIR:
#   DIR/etc      main.cf, master.cf, lookup tables
#   DIR/spool    queue_directory      DIR/data  data_directory
#   DIR/mail     Maildirs: DIR/mail/<domain>/<localpart>/{new,cur,tmp}/
#                (both parts folded to lower case, as Postfix does).
#                virtual(8) delivers into DIR/inbox/ first; the lab
#                functions below (postfix_wait, postfix_msg, ...) move each
#                message to its recipient's Maildir, by its Delivered-To
#                field.  Call postfix_sort DIR before looking at DIR/mail
#                by other means.
#   DIR/maillog  the Postfix log (via postlogd)
#   DIR/etc/sasl Cyrus SASL config and sasldb (with LAB_POSTFIX_SASL)
#   DIR/master.pid, DIR/master.log (master's stdout/stderr)
# Without TLS or SASL only one SMTP service listens, on ADDR:PORT (ADDR
# may be ::1).  Instances on one port of different addresses run side by
# side (MX hosts on 127.0.0.2:25, 127.0.0.3:25, [::2]:25 after
# lab_lo_addr ::2); a port taken on ADDR or on a wildcard address fails.  Every recipient at every domain is accepted and delivered
# by virtual(8).  Any previous instance in DIR is stopped and its mail
# removed.
#
# TLS and SMTP AUTH, when asked for in the environment:
#
# LAB_POSTFIX_TLS=CADIR (a directory made by lab_ca): Postfix serves
# CADIR/server.pem with CADIR/server.key (main.cf smtpd_tls_chain_files;
# override that in LAB_POSTFIX_MAIN_CF to serve e.g. wrong.pem), and:
#   ADDR:PORT   offers STARTTLS (smtpd_tls_security_level = may); no AUTH
#               needed to send; AUTH, when LAB_POSTFIX_SASL is set, is
#               offered only after STARTTLS (smtpd_tls_auth_only = yes)
#   ADDR:$LAB_POSTFIX_SUBMISSION_PORT (default 587) "submission": STARTTLS
#               required before MAIL (smtpd_tls_security_level = encrypt:
#               530 5.7.0 Must issue a STARTTLS command first), AUTH only
#               after TLS, and a client must authenticate to send:
#               smtpd_relay_restrictions = $mua_relay_restrictions and
#               smtpd_recipient_restrictions = $mua_recipient_restrictions,
#               both "permit_sasl_authenticated, reject" in main.cf (an
#               unauthenticated RCPT gets 554 5.7.1 ... Access denied).  A
#               test can put a check in front with LAB_POSTFIX_MAIN_CF, e.g.
#               "mua_recipient_restrictions = check_recipient_access
#               inline:{...}, permit_sasl_authenticated, reject".
#   ADDR:$LAB_POSTFIX_SMTPS_PORT (default 465) "smtps": TLS from the first
#               byte (smtpd_tls_wrappermode = yes), otherwise as submission
# (Without LAB_POSTFIX_SASL, nobody can send on those two.)  A port of 0
# leaves that service out.  tlsmgr(8) runs too.  The
# Received: field does not mention TLS (smtpd_tls_received_header = no),
# so postfix_msg works as without TLS.  postfix_start returns once the
# plain ports greet and the smtps port completes a TLS handshake.
#
# LAB_POSTFIX_SASL="user:password ..." : SMTP AUTH PLAIN and LOGIN through
# Cyrus SASL (smtpd_sasl_type = cyrus), checked against DIR/etc/sasl/
# sasldb2 (auxprop sasldb, set in DIR/etc/sasl/smtpd.conf), made with the
# extracted saslpasswd2 and owned by mail_owner (smtpd runs as that,
# unchrooted).  Debian's smtpd reads $config_directory/sasl/smtpd.conf
# (then /usr/lib/sasl/smtpd.conf) whatever cyrus_sasl_config_path says,
# hence etc/sasl (the parameter is set to it too).  A sasldb entry is
# user@realm: a name without "@" is made in realm $LAB_SASL_REALM (default
# lab.invalid), which is also smtpd_sasl_local_domain, the realm Postfix
# gives Cyrus for a client logging in without one, so "alice" logs in as
# "alice" (Cyrus would otherwise use this host's name as the realm);
# "bob@example.org:pw" is bob in realm example.org, who logs in as
# "bob@example.org".  Without LAB_POSTFIX_TLS, ADDR:PORT then offers AUTH
# without TLS (there is no submission or smtps service).
postfix_start() {
	local dir=${1:-} port=${2:-} addr=${3:-127.0.0.1}
	if [ -z "$dir" ] || ! _lab_is_port "$port"; then
		_lab_err "usage: postfix_start DIR PORT [ADDR]"
		return 2
	fi
	lab_fetch || return 1
	_lab_ensure_group "$LAB_SETGID_GROUP" || return 1
	local owner=$LAB_MAIL_OWNER group=$LAB_SETGID_GROUP
	local duid dgid
	duid=$(id -u "$LAB_DELIVERY_USER") && dgid=$(id -g "$LAB_DELIVERY_USER") || return 1

	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd) || return 1
	[ -f "$dir/master.pid" ] && postfix_stop "$dir"
	rm -rf "${dir:?}/etc" "$dir/spool" "$dir/data" "$dir/mail" "$dir/inbox" \
		"$dir/maillog" "$dir/master.log" "$dir/master.pid"
	chmod 755 "$dir"
	_lab_check_reach "$owner" "$dir" || return 1

	# Queue layout as post-install would create it.
	local q
	install -d -m 755 -o root -g root "$dir/etc" "$dir/spool" "$dir/spool/pid"
	for q in active bounce corrupt defer deferred flush hold incoming private saved trace; do
		install -d -m 700 -o "$owner" -g root "$dir/spool/$q" || return 1
	done
	install -d -m 730 -o "$owner" -g "$group" "$dir/spool/maildrop"
	install -d -m 710 -o "$owner" -g "$group" "$dir/spool/public"
	install -d -m 700 -o "$owner" -g root "$dir/data"
	install -d -m 755 -o "$duid" -g "$dgid" "$dir/inbox"
	install -d -m 755 "$dir/mail"

	local listen=$addr:$port
	case $addr in *:*) listen="[$addr]:$port" ;; esac
	_lab_port_free "$port" "$addr" || return 1

	# TLS and SASL (see above): check the inputs and the extra ports.
	local tls=${LAB_POSTFIX_TLS:-} sasl=${LAB_POSTFIX_SASL:-}
	local subport=${LAB_POSTFIX_SUBMISSION_PORT:-587} tlsport=${LAB_POSTFIX_SMTPS_PORT:-465}
	local sublisten='' tlslisten='' sasl_on=no
	[ -n "$sasl" ] && sasl_on=yes
	if [ -n "$tls" ]; then
		tls=$(cd "$tls" 2>/dev/null && pwd) || {
			_lab_err "LAB_POSTFIX_TLS: no directory $LAB_POSTFIX_TLS"
			return 1
		}
		if [ ! -r "$tls/server.pem" ] || [ ! -r "$tls/server.key" ]; then
			_lab_err "LAB_POSTFIX_TLS: no server.pem/server.key in $tls (make them with lab_ca)"
			return 1
		fi
		for q in "$subport" "$tlsport"; do
			[ "$q" = 0 ] && continue
			if ! _lab_is_port "$q" || [ "$q" = "$port" ]; then
				_lab_err "LAB_POSTFIX_SUBMISSION_PORT/LAB_POSTFIX_SMTPS_PORT: bad port '$q'"
				return 2
			fi
			_lab_port_free "$q" "$addr" || return 1
		done
		[ "$subport" != "$tlsport" ] || [ "$subport" = 0 ] || {
			_lab_err "the submission and smtps ports are both $subport"
			return 2
		}
		if [ "$subport" != 0 ]; then
			sublisten=$addr:$subport
			case $addr in *:*) sublisten="[$addr]:$subport" ;; esac
		fi
		if [ "$tlsport" != 0 ]; then
			tlslisten=$addr:$tlsport
			case $addr in *:*) tlslisten="[$addr]:$tlsport" ;; esac
		fi
	fi
	if [ -n "$sasl" ]; then
		_lab_sasldb "$dir/etc/sasl" "$owner" "$sasl" || return 1
	fi

	# Regexp tables are built into Postfix (no postmap, no dynamic maps).
	# A virtual_mailbox_maps result ending in / means Maildir.  virtual(8)
	# opens that map "paranoid" and ignores rules with $1-style
	# substitutions ("regular expression substitution is not allowed"), so
	# a per-recipient path like ${2}/${1}/ is impossible: everything goes
	# to DIR/inbox/ and _lab_pf_sort files it by Delivered-To.
	printf '/^/ OK\n' >"$dir/etc/domains.regexp"
	printf '/^/ inbox/\n' >"$dir/etc/mailboxes.regexp"
	: >"$dir/etc/dynamicmaps.cf"

	cat >"$dir/etc/main.cf" <<EOF
# Generated by tests/lab/lab.sh postfix_start; do not edit.
compatibility_level = 3.6

# --- where things are: extracted package, private instance dirs
daemon_directory = $LAB_ROOT/usr/lib/postfix/sbin
command_directory = $LAB_ROOT/usr/sbin
shlib_directory = $LAB_ROOT/usr/lib/postfix
meta_directory = $dir/etc
queue_directory = $dir/spool
data_directory = $dir/data
# The daemons need the extracted libpostfix-*.so too; master scrubs the
# environment of its children down to this list.
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C
    POSTLOG_SERVICE POSTLOG_HOSTNAME
    LD_LIBRARY_PATH=$LAB_ROOT/usr/lib/postfix

# --- accounts
mail_owner = $owner
setgid_group = $group

# --- logging to a file, through postlogd (master.cf "postlog")
maillog_file = $dir/maillog
maillog_file_prefixes = $dir

# --- network: only the loopback, never any DNS
myhostname = postfix.lab.invalid
mydomain = lab.invalid
myorigin = \$myhostname
inet_interfaces = loopback-only
inet_protocols = all
mynetworks = 127.0.0.0/8 [::1]/128
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
biff = no

# --- accept every recipient at every domain, deliver with virtual(8)
mydestination =
relay_domains =
local_recipient_maps =
virtual_alias_maps =
virtual_alias_domains =
virtual_mailbox_domains = regexp:$dir/etc/domains.regexp
virtual_mailbox_maps = regexp:$dir/etc/mailboxes.regexp
virtual_mailbox_base = $dir
virtual_uid_maps = static:$duid
virtual_gid_maps = static:$dgid
virtual_minimum_uid = 1
virtual_mailbox_limit = 0
local_transport = virtual
default_transport = error:the carrier lab delivers nothing off this host
relay_transport = error:the carrier lab delivers nothing off this host
notify_classes =
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
# Every domain is a virtual mailbox domain, so reject_unauth_destination
# (which Postfix insists on having) lets every recipient through.
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_data_restrictions =
smtpd_reject_unlisted_sender = no
smtpd_reject_unlisted_recipient = no
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 1000
in_flow_delay = 0

# --- do not touch the message: only the trace fields virtual(8) and
# smtpd/cleanup prepend (Return-Path, Delivered-To, Received) get added.
local_header_rewrite_clients =
remote_header_rewrite_domain =
always_add_missing_headers = no
undisclosed_recipients_header =
message_drop_headers =
cleanup_replace_stray_cr_lf = no
canonical_maps =
sender_canonical_maps =
recipient_canonical_maps =
masquerade_domains =
append_dot_mydomain = no
swap_bangpath = no
allow_percent_hack = no
recipient_delimiter =
header_checks =
body_checks =
milter_header_checks =
smtpd_milters =
non_smtpd_milters =
always_bcc =
sender_bcc_maps =
recipient_bcc_maps =
disable_mime_output_conversion = yes
enable_original_recipient = no

# --- be strict with the client under test
smtpd_forbid_bare_newline = reject
smtpd_forbid_bare_newline_exclusions =
smtpd_forbid_unauth_pipelining = yes
strict_rfc821_envelopes = yes
strict_smtputf8 = yes
EOF

	if [ -n "$tls" ]; then
		cat >>"$dir/etc/main.cf" <<EOF

# --- TLS (LAB_POSTFIX_TLS): STARTTLS here, TLS required on submission,
# TLS from the first byte on smtps (master.cf); AUTH only after TLS.
smtpd_tls_chain_files = $tls/server.key, $tls/server.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1
smtpd_tls_received_header = no
smtpd_tls_session_cache_database =
tls_random_source = dev:/dev/urandom
# the submission and smtps services (master.cf): a client must log in
mua_relay_restrictions = permit_sasl_authenticated, reject
mua_recipient_restrictions = permit_sasl_authenticated, reject
EOF
	fi
	if [ -n "$sasl" ]; then
		cat >>"$dir/etc/main.cf" <<EOF

# --- SMTP AUTH (LAB_POSTFIX_SASL): Cyrus SASL, sasldb in $dir/etc/sasl
# (Debian's smtpd reads \$config_directory/sasl/smtpd.conf anyway)
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $dir/etc/sasl
smtpd_sasl_local_domain = $LAB_SASL_REALM
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
smtpd_sasl_authenticated_header = no
broken_sasl_auth_clients = no
EOF
	fi

	cat >"$dir/etc/master.cf" <<EOF
# Generated by tests/lab/lab.sh postfix_start; do not edit.
# service type  private unpriv  chroot  wakeup  maxproc command
$listen inet n     -       n       -       -       smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	if [ -n "$tls" ]; then
		echo "tlsmgr    unix  -       -       n       1000?   1       tlsmgr" >>"$dir/etc/master.cf"
		[ -z "$sublisten" ] || cat >>"$dir/etc/master.cf" <<EOF
$sublisten inet n     -       n       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=$sasl_on
  -o smtpd_client_restrictions=
  -o smtpd_helo_restrictions=
  -o smtpd_sender_restrictions=
  -o smtpd_relay_restrictions=\$mua_relay_restrictions
  -o smtpd_recipient_restrictions=\$mua_recipient_restrictions
EOF
		[ -z "$tlslisten" ] || cat >>"$dir/etc/master.cf" <<EOF
$tlslisten inet n     -       n       -       -       smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=$sasl_on
  -o smtpd_client_restrictions=
  -o smtpd_helo_restrictions=
  -o smtpd_sender_restrictions=
  -o smtpd_relay_restrictions=\$mua_relay_restrictions
  -o smtpd_recipient_restrictions=\$mua_recipient_restrictions
EOF
	fi

	local line
	if [ -n "${LAB_POSTFIX_MAIN_CF:-}" ]; then
		while IFS= read -r line; do
			# skip blank lines and comments
			case ${line//[[:space:]]/} in '' | '#'*) continue ;; esac
			_lab_pf "$LAB_ROOT/usr/sbin/postconf" -c "$dir/etc" -e "$line" || return 1
		done <<<"$LAB_POSTFIX_MAIN_CF"
	fi

	# Postfix re-reads a configuration file until its mtime is at least a
	# couple of seconds in the past ("let it cool down", 0.3 s steps), which
	# would add ~2 s to every start: backdate the files just written.
	touch -d '-1 minute' "$dir/etc/"*

	: >"$dir/maillog"
	# master(8) does not fork: it stays the process we start, makes itself
	# a session and process group leader (setsid), so its PID is $! and
	# its daemons are in process group $!.
	LD_LIBRARY_PATH="$LAB_ROOT/usr/lib/postfix" \
		"$LAB_ROOT/usr/lib/postfix/sbin/master" -c "$dir/etc" \
		</dev/null >"$dir/master.log" 2>&1 &
	local pid=$!
	echo "$pid" >"$dir/master.pid"

	# master binds the port itself; smtpd only runs on the first
	# connection, so also check that it answers with a 220 greeting.
	local t0=$SECONDS
	if ! _lab_until 100 _lab_pf_ready "$pid" "$addr" "$port" ||
		! _lab_smtp_greets "$addr" "$port" ||
		{ [ -n "$sublisten" ] && ! _lab_smtp_greets "$addr" "$subport"; } ||
		{ [ -n "$tlslisten" ] && ! _lab_smtps_greets "$addr" "$tlsport"; }; then
		_lab_err "postfix did not come up on $listen (pid $pid) within $((SECONDS - t0))s"
		_lab_pf_diag "$dir"
		postfix_stop "$dir"
		return 1
	fi
	return 0
}

# True if ADDR:PORT answers an SMTP connection with 220 (within 10 s); then
# says QUIT.
_lab_smtp_greets() {
	local addr=$1 port=$2 line rc=1 fd
	exec {fd}<>"/dev/tcp/$addr/$port" || return 1
	# smtpd may greet with a multi-line 220- reply.
	while IFS= read -r -t 10 line <&"$fd"; do
		case $line in
		220-*) ;;
		220*) rc=0 && break ;;
		*) break ;;
		esac
	done
	if [ "$rc" = 0 ]; then
		{ printf 'QUIT\r\n' >&"$fd" && IFS= read -r -t 5 line <&"$fd"; } || :
	fi
	exec {fd}>&-
	[ "$rc" = 0 ] || _lab_err "no 220 greeting from $addr:$port (got: ${line:-nothing})"
	return "$rc"
}

# _lab_sasldb SASLDIR OWNER "user:password ..." : a Cyrus SASL config for
# Postfix's smtpd (SASLDIR/smtpd.conf) and a sasldb with those accounts,
# readable by OWNER (smtpd runs as mail_owner, unchrooted).
_lab_sasldb() {
	local sdir=$1 owner=$2 spec=$3 entry user pw realm
	local saslpw=$LAB_ROOT/usr/sbin/saslpasswd2
	[ -x "$saslpw" ] || {
		_lab_err "no $saslpw (lab_fetch extracts it from sasl2-bin)"
		return 1
	}
	rm -rf "$sdir"
	install -d -m 755 "$sdir" || return 1
	printf '%s\n' 'pwcheck_method: auxprop' 'auxprop_plugin: sasldb' \
		'mech_list: PLAIN LOGIN' "sasldb_path: $sdir/sasldb2" >"$sdir/smtpd.conf" || return 1
	local -a entries
	# (blanks and newlines separate; read returns 1 at the end of input)
	read -r -d '' -a entries <<<"$spec" || :
	[ ${#entries[@]} -gt 0 ] || {
		_lab_err "LAB_POSTFIX_SASL: no user:password given"
		return 2
	}
	for entry in "${entries[@]}"; do
		user=${entry%%:*} pw=${entry#*:}
		realm=$LAB_SASL_REALM
		case $user in *@*) realm=${user##*@} user=${user%@*} ;; esac
		if [ "$entry" = "$user" ] || [ -z "$user" ] || [ -z "$pw" ] || [ -z "$realm" ]; then
			_lab_err "LAB_POSTFIX_SASL: '$entry' is not user:password"
			return 2
		fi
		# -p: the password from stdin, as is (no newline)
		printf '%s' "$pw" | "$saslpw" -f "$sdir/sasldb2" -p -c -u "$realm" "$user" || {
			_lab_err "saslpasswd2 failed for $user@$realm"
			return 1
		}
	done
	chown "$owner" "$sdir/sasldb2" && chmod 600 "$sdir/sasldb2"
}

# True if ADDR:PORT answers a TLS handshake (no certificate check) and
# then an SMTP 220 greeting, within 10 s; then says QUIT.
_lab_smtps_greets() {
	timeout 15 "$LAB_PYTHON" - "$1" "$2" <<'EOF' >&2
import socket, ssl, sys
addr, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
try:
    with socket.create_connection((addr, port), timeout=10) as raw:
        with ctx.wrap_socket(raw) as s:
            f = s.makefile("rb")
            while True:
                line = f.readline()
                if not line.startswith(b"220"):
                    sys.exit("lab: no 220 greeting over TLS from %s:%d (got: %r)" % (addr, port, line))
                if line[3:4] != b"-":
                    break
            s.sendall(b"QUIT\r\n")
            f.readline()
except (OSError, ssl.SSLError) as e:
    sys.exit("lab: TLS to %s:%d failed: %s" % (addr, port, e))
EOF
}

_lab_pf_ready() {
	_lab_alive "$1" || return 2
	_lab_listening "$2" "$3"
}

# Print everything that may explain a failed start.
_lab_pf_diag() {
	local dir=$1
	echo "---- $dir/maillog" >&2
	tail -n 50 "$dir/maillog" >&2 2>/dev/null || :
	echo "---- $dir/master.log" >&2
	tail -n 20 "$dir/master.log" >&2 2>/dev/null || :
	# Errors found before master reads maillog_file go to syslog, which
	# may not exist; postsuper does the same parameter checks and prints
	# them on stderr when stderr is a terminal (hence script(1)).
	echo "---- configuration check" >&2
	LD_LIBRARY_PATH="$LAB_ROOT/usr/lib/postfix" timeout 10 \
		script -qec "$LAB_ROOT/usr/sbin/postsuper -c $dir/etc" /dev/null >&2 </dev/null || :
	echo "----" >&2
}

# postfix_stop DIR : stop the instance (master and all its daemons).
postfix_stop() {
	local dir=${1:-} pid
	[ -n "$dir" ] || {
		_lab_err "usage: postfix_stop DIR"
		return 2
	}
	[ -f "$dir/master.pid" ] || return 0
	pid=$(cat "$dir/master.pid")
	case $pid in '' | *[!0-9]*) rm -f "$dir/master.pid"; return 0 ;; esac
	# SIGTERM: master passes it on to its children and exits.  Signal only
	# processes that run a program from $LAB_ROOT, so that a stale pid
	# file can never hit an unrelated process (group).
	_lab_kill_group TERM "$pid"
	_lab_until 50 _lab_group_gone "$pid" || {
		_lab_kill_group KILL "$pid"
		_lab_until 20 _lab_group_gone "$pid" || {
			_lab_err "postfix (pid $pid) did not exit"
			return 1
		}
	}
	rm -f "$dir/master.pid"
}

# True if process $1 runs a program extracted under $LAB_ROOT.
_lab_ours() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	case $exe in "$LAB_ROOT"/*) return 0 ;; esac
	return 1
}

# _lab_kill_group SIG PGID : send SIG to the leader and to every member of
# process group PGID that is one of ours.
_lab_kill_group() {
	local sig=$1 pgid=$2 p
	for p in "$pgid" $(pgrep -g "$pgid" 2>/dev/null); do
		_lab_ours "$p" && { kill "-$sig" "$p" 2>/dev/null || :; }
	done
	return 0
}

# True when the leader and every member of process group $1 that is one of
# ours are gone (zombies count as gone).
_lab_group_gone() {
	local p
	for p in "$1" $(pgrep -g "$1" 2>/dev/null); do
		_lab_ours "$p" && _lab_alive "$p" && return 1
	done
	return 0
}

_lab_count_msgs() {
	_lab_pf_sort "$1"
	find "$1/mail" -mindepth 4 -maxdepth 4 -path '*/new/*' -type f 2>/dev/null | wc -l
}

# postfix_sort DIR : move the messages virtual(8) delivered into DIR/inbox/
# to DIR/mail/<domain>/<local>/new/, by the recipient in their
# Delivered-To field (lower-cased; a quoted local part is unquoted).
# The other postfix_* functions do this themselves.
postfix_sort() {
	_lab_pf_sort "${1:?usage: postfix_sort DIR}"
}

_lab_pf_sort() {
	local dir=$1 f line rcpt lp dom box
	for f in "$dir/inbox/new/"*; do
		[ -f "$f" ] || continue
		rcpt=
		while IFS= read -r line; do
			case $line in
			Delivered-To:\ *) rcpt=${line#Delivered-To: } && break ;;
			'' | Received:*) break ;;
			esac
		done <"$f"
		dom=${rcpt##*@}
		lp=${rcpt%@*}
		case $lp in \"*\") lp=${lp:1:${#lp}-2} && lp=${lp//\\/} ;; esac
		case $rcpt in *@*) ;; *) dom= ;; esac
		case $lp/$dom in
		/* | */ | */*/* | ./* | ../* | */. | */..)
			_lab_err "cannot file $f under DIR/mail (Delivered-To: $rcpt)"
			continue
			;;
		esac
		box=$dir/mail/${dom,,}/${lp,,}
		{ mkdir -p "$box/new" "$box/cur" "$box/tmp" && mv -f "$f" "$box/new/"; } 2>/dev/null || :
	done
}

# postfix_wait DIR N [TIMEOUT_S=10] : wait until at least N messages were
# delivered into DIR/mail/*/*/new/.
postfix_wait() {
	local dir=${1:-} n=${2:-} timeout=${3:-10} have=0
	if [ -z "$dir" ] || [[ ! $n =~ ^[0-9]+$ ]] || [[ ! $timeout =~ ^[0-9]+$ ]]; then
		_lab_err "usage: postfix_wait DIR N [TIMEOUT_S]"
		return 2
	fi
	local now end
	now=${EPOCHREALTIME/[.,]/}
	end=$((now + timeout * 1000000))
	while :; do
		have=$(_lab_count_msgs "$dir")
		[ "$have" -ge "$n" ] && return 0
		now=${EPOCHREALTIME/[.,]/}
		[ "$now" -ge "$end" ] && break
		sleep 0.1
	done
	_lab_err "postfix_wait: $have of $n messages delivered after ${timeout}s; log:"
	tail -n 30 "$dir/maillog" >&2 2>/dev/null || :
	return 1
}

# _lab_msg_file DIR DOMAIN LOCAL : path of the one message in that Maildir.
_lab_msg_file() {
	local dir=${1:-} dom=${2:-} lp=${3:-} f
	dom=${dom,,} lp=${lp,,}
	local -a files=()
	for f in "$dir/mail/$dom/$lp/new/"*; do
		[ -f "$f" ] && files+=("$f")
	done
	if [ ${#files[@]} -ne 1 ]; then
		_lab_err "expected 1 message in $dir/mail/$dom/$lp/new, found ${#files[@]}"
		return 1
	fi
	printf '%s\n' "${files[0]}"
}

# postfix_msg DIR DOMAIN LOCAL : print the message delivered to
# LOCAL@DOMAIN minus the trace fields Postfix prepended, i.e. the bytes the
# client sent in DATA with CRLF turned into LF (see the top of this file).
#
# virtual(8) writes, in this order: Return-Path:, X-Original-To: (only if
# enable_original_recipient = yes), Delivered-To:, then the queue file
# content, which starts with the Received: field smtpd added (folded over
# several lines), then the one carrier adds ("(carrier, uid N)"; tests
# that check it read the file itself).  Exactly those leading lines are
# dropped; anything after them, including Received:/Return-Path: fields
# the client sent, is kept.
postfix_msg() {
	local f n
	_lab_pf_sort "${1:-}"
	f=$(_lab_msg_file "$@") || return 1
	n=$(_lab_trace_lines "$f") || return 1
	tail -n "+$((n + 1))" "$f"
}

# Number of leading trace lines in Maildir file $1.
_lab_trace_lines() {
	local f=$1 line n=0 state=start
	while IFS= read -r line; do
		case $state:$line in
		start:Return-Path:*) state=rp ;;
		rp:X-Original-To:*) state=xo ;;
		rp:Delivered-To:* | xo:Delivered-To:*) state=dt ;;
		dt:Received:*) state=rcvd ;;
		rcvd:[$' \t']* | crcvd:[$' \t']*) ;;
		rcvd:Received:*'(carrier, uid '*) state=crcvd ;;
		rcvd:* | crcvd:*) echo "$n"; return 0 ;;
		*)
			_lab_err "$f: unexpected trace header at line $((n + 1)): $line"
			return 1
			;;
		esac
		n=$((n + 1))
	done <"$f"
	if [ "$state" = rcvd ] || [ "$state" = crcvd ]; then
		echo "$n" # message with no content after the trace fields
		return 0
	fi
	_lab_err "$f: no Postfix trace header found"
	return 1
}

# postfix_envelope_sender DIR DOMAIN LOCAL : print the envelope sender
# (MAIL FROM) of that message, from its Return-Path: field, without the
# angle brackets; the null sender <> prints an empty line.
postfix_envelope_sender() {
	local f line
	_lab_pf_sort "${1:-}"
	f=$(_lab_msg_file "$@") || return 1
	IFS= read -r line <"$f"
	case $line in
	'Return-Path: <'*'>') line=${line#Return-Path: <} && printf '%s\n' "${line%>}" ;;
	*)
		_lab_err "$f: no Return-Path on the first line"
		return 1
		;;
	esac
}

# postfix_log DIR : print the Postfix log of the instance.
postfix_log() {
	cat "${1:?usage: postfix_log DIR}/maillog"
}

# ---------------------------------------------------------------- smtp-sink

# sink_start DIR PORT [smtp-sink options...]
#
# Runs the extracted smtp-sink(1) on $LAB_SINK_ADDR:PORT (default
# 127.0.0.1) in the background with the given options, e.g.
#   -f RCPT   reject RCPT with 500 5.3.0 (hard, 5xx)
#   -r RCPT   reject RCPT with 450 4.3.0 (soft, 4xx)
#   -q DATA   disconnect without reply after DATA
#   -Q MAIL   reply 421 and disconnect after MAIL
#   -w 5      wait 5 s before answering DATA;  -W rcpt:5  delay RCPT
#   -A 0      abort with 550 right after DATA
#   -e / -8 / -p / -E  don't announce ESMTP / 8BITMIME / PIPELINING / ENHANCEDSTATUSCODES
#   -d "$DIR/dump/%H%M%S."   save each transaction to a file ($DIR/dump
#                            is created writable for the sink's user)
#   -v        log the SMTP dialogue to DIR/sink.log
# Command names are case-insensitive and comma-separated.  smtp-sink must
# drop root: "-u $LAB_SINK_USER" is added unless the options have -u.
# PID in DIR/sink.pid, output in DIR/sink.log.
sink_start() {
	local dir=${1:-} port=${2:-}
	if [ -z "$dir" ] || ! _lab_is_port "$port"; then
		_lab_err "usage: sink_start DIR PORT [smtp-sink options...]"
		return 2
	fi
	shift 2
	lab_fetch || return 1
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd) || return 1
	[ -f "$dir/sink.pid" ] && sink_stop "$dir"
	local -a user=()
	local a
	if [ "$(id -u)" = 0 ]; then
		user=(-u "$LAB_SINK_USER")
		for a in "$@"; do
			[ "$a" = -u ] && user=()
		done
	fi
	install -d -m 755 -o "$LAB_SINK_USER" "$dir/dump" 2>/dev/null || mkdir -p "$dir/dump"
	local listen=$LAB_SINK_ADDR:$port
	case $LAB_SINK_ADDR in *:*) listen="[$LAB_SINK_ADDR]:$port" ;; esac
	_lab_port_free "$port" "$LAB_SINK_ADDR" || return 1
	LD_LIBRARY_PATH="$LAB_ROOT/usr/lib/postfix" \
		"$LAB_ROOT/usr/sbin/smtp-sink" "${user[@]}" "$@" "inet:$listen" 64 \
		</dev/null >"$dir/sink.log" 2>&1 &
	local pid=$!
	echo "$pid" >"$dir/sink.pid"
	if ! _lab_until 100 _lab_pf_ready "$pid" "$LAB_SINK_ADDR" "$port"; then
		_lab_err "smtp-sink did not come up on $listen (pid $pid); its output:"
		cat "$dir/sink.log" >&2
		sink_stop "$dir"
		return 1
	fi
}

# sink_count DIR : the messages the smtp-sink of DIR took, from the last
# "mesg=" counter it printed (it must run with -c).
sink_count() {
	tr '\r' '\n' <"${1:?usage: sink_count DIR}/sink.log" |
		awk -F'mesg=' 'NF > 1 { m = $2 + 0 } END { print m + 0 }'
}

# sink_stop DIR : stop the smtp-sink started with sink_start DIR.
sink_stop() {
	local dir=${1:-} pid
	[ -n "$dir" ] || {
		_lab_err "usage: sink_stop DIR"
		return 2
	}
	[ -f "$dir/sink.pid" ] || return 0
	pid=$(cat "$dir/sink.pid")
	case $pid in '' | *[!0-9]*) rm -f "$dir/sink.pid"; return 0 ;; esac
	if _lab_ours "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		_lab_until 30 _lab_dead "$pid" || {
			kill -KILL "$pid" 2>/dev/null
			_lab_until 20 _lab_dead "$pid" || {
				_lab_err "smtp-sink (pid $pid) did not exit"
				return 1
			}
		}
	fi
	rm -f "$dir/sink.pid"
}

# ---------------------------------------------------------------- network

# _lab_own_netns : true only inside a network namespace the lab made
# (lab_netns): LAB_IN_NETNS set and no interface but lo, so nothing here
# can change the host's network.
_lab_own_netns() {
	if [ -z "${LAB_IN_NETNS:-}" ] || [ "$(ip -o link show | awk -F': ' '{print $2}')" != lo ]; then
		_lab_err "refusing to change the network outside a lab namespace (lab_netns)"
		return 1
	fi
}

# lab_lo_addr ADDR... : make each ADDR a local address on lo, in the
# lab's network namespace only.  All of 127.0.0.0/8 already is; an IPv6
# address (::2) is added as ADDR/128 with nodad, usable at once.
lab_lo_addr() {
	local a
	_lab_own_netns || return 1
	for a in "$@"; do
		case $a in
		127.*) continue ;;
		*:*) ip -6 addr replace "$a/128" dev lo nodad ;;
		*) ip addr replace "$a/32" dev lo ;;
		esac || {
			_lab_err "cannot add $a to lo"
			return 1
		}
	done
}

# The lab's nftables table (inet lab), in the lab's network namespace:
# chain "watch" (priority -10) counts SYNs, chain "block" (priority 0)
# drops; both see every packet on lo, the test's only interface.
_lab_nft() {
	_lab_own_netns || return 1
	command -v nft >/dev/null || {
		_lab_err "no nft command (sh tests/lab/deps.sh installs nftables)"
		return 1
	}
	nft list table inet lab >/dev/null 2>&1 && return 0
	nft -f - <<'NFT'
table inet lab {
	chain watch { type filter hook input priority -10; policy accept; }
	chain block { type filter hook input priority 0; policy accept; }
}
NFT
}

# _lab_nft_match ADDR PORT : the nft match for TCP to ADDR:PORT (ADDR "*":
# any address)
_lab_nft_match() {
	case $1 in
	'*') echo "tcp dport $2" ;;
	*:*) echo "ip6 daddr $1 tcp dport $2" ;;
	*) echo "ip daddr $1 tcp dport $2" ;;
	esac
}

# lab_tcp_drop ADDR [PORT=25] : drop every TCP packet to ADDR:PORT without
# an answer (a black hole: the client's SYNs go unanswered until its
# connect time-out).  ADDR "*" is every address.
lab_tcp_drop() {
	[ -n "${1:-}" ] || {
		_lab_err "usage: lab_tcp_drop ADDR [PORT]"
		return 2
	}
	_lab_nft || return 1
	# shellcheck disable=SC2046 # the match is several words
	nft add rule inet lab block $(_lab_nft_match "$1" "${2:-25}") drop
}

# lab_tcp_undrop : remove every lab_tcp_drop rule.
lab_tcp_undrop() {
	_lab_nft && nft flush chain inet lab block
}

# lab_syn_watch ADDR [PORT=25] : count the connection attempts (SYN
# packets, retransmissions included) to ADDR:PORT from now on, dropped
# or not; ADDR "*" counts them to every address.
lab_syn_watch() {
	local addr=${1:-} port=${2:-25}
	[ -n "$addr" ] || {
		_lab_err "usage: lab_syn_watch ADDR [PORT]"
		return 2
	}
	_lab_nft || return 1
	# shellcheck disable=SC2046
	nft add rule inet lab watch $(_lab_nft_match "$addr" "$port") \
		'tcp flags & (syn | ack) == syn' counter comment "\"syn $addr $port\""
}

# lab_syn_count ADDR [PORT=25] : print the SYNs counted to ADDR:PORT
# since lab_syn_watch ADDR PORT (fails if it was not called).
lab_syn_count() {
	local addr=${1:-} port=${2:-25} n
	n=$(nft list chain inet lab watch 2>/dev/null |
		grep -F "comment \"syn $addr $port\"" | sed -n 's/.* counter packets \([0-9]*\) .*/\1/p')
	[ -n "$n" ] || {
		_lab_err "lab_syn_count: no lab_syn_watch $addr $port"
		return 1
	}
	echo "$n"
}

# ---------------------------------------------------------------- syslog

# lab_syslog_start DIR : a test syslog daemon (tests/integration/
# syslog_listen.py) on DIR/dev/log appending each datagram to DIR/log as
# one line, in a /dev of the test's own (DIR/dev: null, zero, full,
# random, urandom bind-mounted from /dev, and fd); DIR/wrap CMD ARGS...
# runs CMD with DIR/dev as its /dev, in a mount namespace of its own (set
# CARRIER_WRAP to it), so the host's /dev/log is never used.  Needs the
# private mount namespace of lab_netns.  PID in DIR/syslog.pid.
lab_syslog_start() {
	local dir=${1:-} d
	[ -n "$dir" ] || {
		_lab_err "usage: lab_syslog_start DIR"
		return 2
	}
	mkdir -p "$dir/dev" && dir=$(cd "$dir" && pwd) || return 1
	lab_syslog_stop "$dir"
	for d in null zero full random urandom; do
		: >"$dir/dev/$d" && mount --bind "/dev/$d" "$dir/dev/$d" || {
			_lab_err "cannot bind /dev/$d into $dir/dev"
			return 1
		}
	done
	ln -sfn /proc/self/fd "$dir/dev/fd"
	printf '%s\n' '#!/bin/sh' "# runs \"\$@\" with $dir/dev as /dev" \
		"exec unshare -m --propagation private sh -c 'mount --rbind \"\$0\" /dev && exec \"\$@\"' '$dir/dev' \"\$@\"" \
		>"$dir/wrap" && chmod 755 "$dir/wrap" || return 1
	rm -f "$dir/log" "$dir/log.ready"
	"$LAB_PYTHON" "$LAB_TOP/tests/integration/syslog_listen.py" "$dir/dev/log" "$dir/log" &
	echo $! >"$dir/syslog.pid"
	_lab_until 100 test -e "$dir/log.ready" || {
		_lab_err "the syslog listener did not start"
		return 1
	}
}

# lab_syslog_stop DIR : stop the daemon (it writes what it received to
# DIR/log first) and unmount the devices of DIR/dev.
lab_syslog_stop() {
	local dir=${1:-} pid d
	if [ -f "$dir/syslog.pid" ]; then
		pid=$(cat "$dir/syslog.pid")
		kill "$pid" 2>/dev/null && _lab_until 50 _lab_dead "$pid"
		rm -f "$dir/syslog.pid" "$dir/dev/log"
	fi
	for d in null zero full random urandom; do
		! mountpoint -q "$dir/dev/$d" || umount "$dir/dev/$d"
	done
}
