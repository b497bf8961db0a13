# common.sh: sourced by every integration test.  Loads the lab, moves the
# test into a private network namespace, and gives small assertions that
# print what differed.  $CARRIER is the binary under test.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CARRIER=${CARRIER:-$top/carrier}
# shellcheck source=../lab/lab.sh
. "$top/tests/lab/lab.sh"

lab_need_root
# the host's mount namespace, recorded before the re-exec, so a test can
# tell that it may bind-mount over /etc files without touching the host
[ -n "${LAB_IN_NETNS:-}" ] || export HOST_MNTNS=$(readlink /proc/self/ns/mnt)
lab_netns "$@"
lab_fetch >/dev/null || exit 1

# The default spool (/var/spool/carrier) is never the host's: where the
# host has one, an empty read-only tmpfs hides it in this test's own
# mount namespace, so a test without "spool" in its config queues
# nothing (as on a machine without carrier's spool).
if [ -d /var/spool/carrier ]; then
	if [ "$(readlink /proc/self/ns/mnt)" = "${HOST_MNTNS:-}" ] ||
		! mount -t tmpfs -o ro,mode=755 tmpfs /var/spool/carrier; then
		echo "cannot hide the host's /var/spool/carrier from the test"
		exit 1
	fi
fi

failures=0
T=$(lab_mktemp) || exit 1
cleanup_hooks=()
on_exit() {
	local h
	for h in "${cleanup_hooks[@]}"; do eval "$h"; done
	rm -rf "$T"
}
trap on_exit EXIT

# own_mntns: this test has a mount namespace of its own (lab_netns), so
# it may mount over system paths without touching the host.
own_mntns() { [ "$(readlink /proc/self/ns/mnt)" != "${HOST_MNTNS:-}" ]; }

# hermetic_etc: the host files carrier reads by default are the test's
# own, whatever the host has (a system-wide Postfix's /etc/aliases maps
# postmaster to root): /etc/aliases, /etc/mailname and /etc/carrier.conf
# empty, /etc/resolv.conf a server on loopback, each bind-mounted in the
# test's private mount namespace where the host has the file.  A test
# that needs one of them mounts its own over it.  A host file that cannot
# be hidden skips the test: it would change what the test sees.
hermetic_etc() {
	local f
	for f in aliases mailname carrier.conf resolv.conf; do
		[ -e "/etc/$f" ] || continue
		own_mntns || { echo "SKIP: the host has /etc/$f and there is no private mount namespace to hide it in"; exit 77; }
		if [ "$f" = resolv.conf ]; then printf 'nameserver 127.0.0.1\n'; fi >"$T/etc.$f"
		mount --bind "$T/etc.$f" "/etc/$f" || { echo "SKIP: cannot hide the host's /etc/$f"; exit 77; }
		cleanup_hooks+=("umount /etc/$f 2>/dev/null")
	done
}
hermetic_etc

# A complete header: with From, Date and Message-ID present, carrier
# sends a message as it is (after the Received field it puts first,
# which postfix_msg drops with Postfix's own), so a test can compare
# bytes exactly.
HDRS=$'From: Test <test@example.net>\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <test.1@example.net>\n'

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# run_carrier ARGS...: runs carrier with stdin from $T/in; sets $rc, and
# leaves stdout/stderr in $T/out $T/err.
run_carrier() {
	${CARRIER_WRAP:-} "$CARRIER" "$@" <"$T/in" >"$T/out" 2>"$T/err"
	rc=$?
	return 0
}

# expect_rc WANT WHAT
expect_rc() {
	if [ "$rc" -eq "$1" ]; then ok "$2: exit $rc"
	else fail "$2: exit $rc, want $1; stderr: $(cat "$T/err")"; fi
}

# expect_err_line REGEX WHAT: stderr has a line matching REGEX (ERE).
expect_err_line() {
	if grep -qE -- "$1" "$T/err"; then ok "$2: stderr matches"
	else fail "$2: stderr does not match /$1/: $(cat "$T/err")"; fi
}

# expect_same FILE_GOT FILE_WANT WHAT: byte-for-byte equality.
expect_same() {
	if cmp -s "$1" "$2"; then ok "$3: bytes match"
	else
		fail "$3: bytes differ"
		diff <(od -c "$2") <(od -c "$1") | head -20
	fi
}

# expect_replies GOT WANT WHAT: the -bs replies in GOT, without CRs and
# with the size and queue ID in Postfix's "N bytes queued as ID" blanked
# (the size counts the Received field, so the host name's length), are
# the lines of WANT.
expect_replies() {
	tr -d '\r' <"$1" | sed -E 's/Ok: [0-9]+ bytes queued as [0-9A-Za-z]+$/Ok: N bytes queued as ID/' >"$1.norm"
	if cmp -s "$1.norm" "$2"; then ok "$3"
	else
		fail "$3: the replies differ:"
		diff -u "$2" "$1.norm"
	fi
}

# etc_carrier_conf TEXT: makes /etc/carrier.conf, the system config,
# hold TEXT, in this test's own mount namespace only: /etc becomes an
# overlay whose upper layer is in $T, so the host's /etc is neither
# written nor (for that file) read.  A user other than root may use -C
# only for files its allow_config lists.  Returns 1 without a mount
# namespace of the test's own.
etc_carrier_conf() {
	if [ -z "${etc_overlay:-}" ]; then
		[ "$(readlink /proc/self/ns/mnt)" != "${HOST_MNTNS:-}" ] || return 1
		mkdir -p "$T/etc_up" "$T/etc_wk" &&
			mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc_up,workdir=$T/etc_wk" /etc ||
			return 1
		cleanup_hooks=("umount /etc 2>/dev/null" "${cleanup_hooks[@]}")
		etc_overlay=1
		# the overlay shows the files under the ones hermetic_etc
		# mounted over: hide them again
		hermetic_etc
	fi
	printf '%s' "$1" >/etc/carrier.conf && chmod 644 /etc/carrier.conf
}

# hermetic_conf: a system config of the test's own (etc_carrier_conf)
# for the sends made without -C: mail domain example.org (the host's
# name may have no dot, which carrier warns about) and an empty aliases
# file (not the host's /etc/aliases).  SKIP without a mount namespace.
hermetic_conf() {
	: >"$T/aliases"
	etc_carrier_conf "domain example.org
aliases $T/aliases
" || { echo "SKIP: no private mount namespace for the test's /etc"; exit 77; }
}

# setgid_carrier GID: $CARRIER installed set-group-ID GID (mode 2755,
# as make install leaves it) as $C, on a tmpfs of the test's own: a
# set-group-ID binary needs a file system without nosuid.  Returns 1
# without a mount namespace of the test's own, or when it cannot.
setgid_carrier() {
	own_mntns || return 1
	mkdir -p "$T/sbin" && mount -t tmpfs -o mode=755 tmpfs "$T/sbin" || return 1
	cleanup_hooks=("umount $T/sbin 2>/dev/null" "${cleanup_hooks[@]}")
	install -m 2755 -o root -g "$1" "$CARRIER" "$T/sbin/carrier" || return 1
	C=$T/sbin/carrier
}

# wait_ready FILE WHAT: waits up to 5 s for the line "ready" a test
# server writes to FILE once it listens; the test ends when none comes.
wait_ready() {
	local i
	for i in $(seq 1 50); do
		grep -q ready "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "$2 did not start: $(cat "$1")"
	exit 1
}

finish() {
	if [ "$failures" -eq 0 ]; then echo "all assertions passed"; exit 0; fi
	echo "$failures assertion(s) failed"; exit 1
}
