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
# Functions (all return non-zero and say why on stderr when they fail;
# usable from scripts running with set -euo pipefail):
#
#   lab_fetch
#   lab_need_root
#   lab_netns "$@"
#   lab_free_port
#   lab_mktemp
#   postfix_start DIR PORT [ADDR=127.0.0.1]
#   postfix_stop DIR
#   postfix_wait DIR N [TIMEOUT_S=10]
#   postfix_msg DIR DOMAIN LOCAL
#   postfix_envelope_sender DIR DOMAIN LOCAL
#   postfix_sort DIR
#   postfix_log DIR
#   sink_start DIR PORT [smtp-sink options...]
#   sink_stop DIR
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

# Runtime libraries of the postfix package (its Depends: minus the
# maintainer-script tools), so the extracted binaries can run, and the
# tools lab.sh itself uses (ip/ss, unshare/setpriv/flock, ps/pgrep).
LAB_POSTFIX_LIBS=(libdb5.3 libicu72 libnsl2 libsasl2-2 libssl3 netbase)
LAB_TOOLS=(iproute2 util-linux procps)

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

# Fail if anything listens on TCP port $1 (any address).  Postfix and
# smtp-sink can both bind a port that is already taken (SO_REUSEPORT) and
# would then silently share the connections.
_lab_port_free() {
	local out
	out=$(ss -Hltnp "sport = :$1" 2>/dev/null)
	[ -z "$out" ] && return 0
	_lab_err "TCP port $1 is already in use: $out"
	return 1
}

# ---------------------------------------------------------------- fetch

# lab_fetch : make sure the packages the lab needs are installed and that
# the postfix .deb is extracted into $LAB_ROOT.  Quick when all is there
# (one dpkg-query; nothing at all on later calls in the same shell).
lab_fetch() {
	local master=$LAB_ROOT/usr/lib/postfix/sbin/master
	[ "${_LAB_FETCHED:-}" = "$LAB_ROOT" ] && [ -x "$master" ] && return 0
	_lab_apt_ensure "${LAB_POSTFIX_LIBS[@]}" "${LAB_TOOLS[@]}" || {
		_lab_err "cannot install ${LAB_POSTFIX_LIBS[*]} ${LAB_TOOLS[*]}"
		return 1
	}
	[ -x "$master" ] && _LAB_FETCHED=$LAB_ROOT && return 0

	mkdir -p "$(dirname "$LAB_ROOT")" || return 1
	(
		# Serialise concurrent fetches (parallel test runs).
		exec 9>"$LAB_ROOT.lock"
		flock -w 300 9 || { _lab_err "timeout waiting for $LAB_ROOT.lock"; exit 1; }
		[ -x "$master" ] && exit 0
		tmp=$(mktemp -d "$LAB_ROOT.tmp.XXXXXX") || exit 1
		trap 'rm -rf "$tmp"' EXIT
		# apt-get download fetches as user _apt when it can write there.
		chmod 755 "$tmp"
		chown _apt "$tmp" 2>/dev/null || true
		cd "$tmp" || exit 1
		if ! apt-get download -q postfix >/dev/null 2>"$tmp/err"; then
			apt-get update -qq >&2 || exit 1
			apt-get download -q postfix >/dev/null 2>"$tmp/err" || {
				cat "$tmp/err" >&2
				_lab_err "apt-get download postfix failed"
				exit 1
			}
		fi
		deb=$(ls "$tmp"/postfix_*.deb) || exit 1
		dpkg -x "$deb" "$tmp/root" || exit 1
		dpkg-deb -f "$deb" Version >"$tmp/root/.postfix-version"
		[ -x "$tmp/root/usr/lib/postfix/sbin/master" ] || {
			_lab_err "no master in $deb"
			exit 1
		}
		rm -rf "$LAB_ROOT"
		mv "$tmp/root" "$LAB_ROOT"
	) || return 1
	[ -x "$master" ] && _LAB_FETCHED=$LAB_ROOT
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
	if command -v python3 >/dev/null 2>&1; then
		python3 -c '
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
#   DIR/master.pid, DIR/master.log (master's stdout/stderr)
# Only one SMTP service listens, on ADDR:PORT (ADDR may be ::1).  Every
# recipient at every domain is accepted and delivered by virtual(8).  Any
# previous instance in DIR is stopped and its mail removed.
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
	_lab_port_free "$port" || return 1

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
		! _lab_smtp_greets "$addr" "$port"; then
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
# several lines).  Exactly those leading lines are dropped; anything after
# them, including Received:/Return-Path: fields the client sent, is kept.
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
		rcvd:[$' \t']*) ;;
		rcvd:*) echo "$n"; return 0 ;;
		*)
			_lab_err "$f: unexpected trace header at line $((n + 1)): $line"
			return 1
			;;
		esac
		n=$((n + 1))
	done <"$f"
	if [ "$state" = rcvd ]; then
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
	_lab_port_free "$port" || return 1
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
