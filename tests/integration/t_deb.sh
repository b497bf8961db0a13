#!/bin/bash
# t_deb: the Debian package (debian/, make deb) as the system's mail
# transport agent.  The package is built from the tree, then installed
# with apt and dpkg into a throwaway root: overlays on /usr, /etc and
# /var in the test's own mount namespace (their upper layers in $T), and
# an empty /run, so that no systemd, D-Bus or nscd of the host is
# reached and no service is started (policy-rc.d says no).  The host's
# own MTA, if any, is removed inside the overlays only.
#
# What it asserts: lintian finds no error or warning; dpkg refuses
# carrier beside another MTA (Conflicts: mail-transport-agent), and apt,
# installing carrier, removes that MTA; dpkg records carrier as
# installed and as the mail-transport-agent, so apt installs bsd-mailx
# and mailutils with no MTA of their own (without carrier it would pull
# one); the files (sendmail in sbin and lib, mailq, newaliases, the man
# pages, the conffiles, the units, the cron fallback); the group
# carrier (a system group), the binary root:carrier 2755 through
# dpkg-statoverride, the spool root:carrier 2770; the timer enabled by
# deb-systemd-helper, not run; the shipped carrier.conf loads.  Then,
# through the installed binary against a real Postfix: sendmail -bv
# root, cron's own mail call, mail -s from bsd-mailx (as nobody) and
# mailutils; nobody queues with -odq and cannot read the spool; the cron
# line runs the queue only where systemd does not run.  A reinstall
# keeps the queue and the modes; remove keeps the conffiles and the
# queue; purge removes them, the spool, the statoverride and the group,
# and leaves nothing else behind in the overlays but dpkg's and apt's
# own records.
here=$(cd "$(dirname "$0")" && pwd)
# the package is built from the tree, not from $CARRIER: once is enough
if [ -n "${CARRIER_SANITIZED:-}" ]; then
	echo "SKIP: the package is built from the tree, not from this \$CARRIER (make integration runs it)"
	exit 77
fi
# shellcheck source=../lab/lab.sh
. "$here/../lab/lab.sh"
# shellcheck source=callers_fetch.sh
. "$here/callers_fetch.sh"
# only the callers this test runs
keep=()
for s in "${CALLERS_SPEC[@]}"; do
	case ${s%%|*} in bsdmailx | mailutils | cron) keep+=("$s") ;; esac
done
CALLERS_SPEC=("${keep[@]}")
# apt needs the network: fetch before common.sh moves into the namespace
if [ -z "${LAB_IN_NETNS:-}" ] && [ "$(id -u)" = 0 ]; then
	callers_fetch
fi
. "$here/common.sh"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8
unset DEB_BUILD_OPTIONS DEB_BUILD_PROFILES

for c in dpkg-buildpackage dh fakeroot dpkg-deb apt-get setpriv; do
	command -v "$c" >/dev/null || { echo "SKIP: $c not found (sh tests/lab/deps.sh installs it)"; exit 77; }
done
own_mntns || { echo "SKIP: no private mount namespace for the overlays"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups -- "$@"; }
R=$(callers_root)
LIBS=$(echo "$R"/usr/lib/*-linux-gnu*)
skip() { echo "skip: $*"; }
# runs WHAT BIN: BIN is there and finds every library it needs
runs() {
	local miss
	[ -x "$2" ] || { skip "$1: $2 not there (callers_fetch failed?)"; return 1; }
	miss=$(LD_LIBRARY_PATH=$LIBS ldd "$2" 2>&1 | grep 'not found')
	[ -z "$miss" ] && return 0
	skip "$1: missing libraries: $(tr -s ' \t\n' ' ' <<<"$miss")"
	return 1
}

# ------------------------------------------------------------ the build
t0=$SECONDS
DEB_BUILD_OPTIONS="nocheck noddebs parallel=2" make -C "$top" deb DEBDIR="$T/deb" \
	DEB_BUILD_FLAGS="-us -uc -b" >"$T/build.log" 2>&1 ||
	{ fail "make deb: $(tail -40 "$T/build.log")"; finish; }
deb=$(ls "$T"/deb/carrier_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] || { fail "make deb made no carrier_*.deb: $(ls "$T/deb")"; finish; }
ok "make deb: $(basename "$deb") in $((SECONDS - t0)) s"
# built in the copy: the tree's debian/ has none of the build's files
litter=$(cd "$top/debian" && ls -d carrier .debhelper files ./*.substvars debhelper-build-stamp 2>/dev/null)
[ -z "$litter" ] && ok "built in a copy: nothing of the build in the tree's debian/" ||
	fail "the build wrote into the tree's debian/: $litter"

# lintian, as nobody (it warns when run as root), in the background
if command -v lintian >/dev/null; then
	mkdir -p "$T/lhome" && chown nobody "$T/lhome"
	as nobody env HOME="$T/lhome" lintian "$deb" >"$T/lintian.out" 2>&1 &
	lintian_pid=$!
else
	skip "lintian: not installed (sh tests/lab/deps.sh installs it)"
fi

# ------------------------------------------------ the throwaway root
# The host's /usr, /etc and /var, read-only, are the lower layers (also
# kept in $T/low for the comparison at the end).
mounted=()
deb_cleanup() {
	local i
	[ -n "${pf:-}" ] && postfix_stop "$pf" 2>/dev/null
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null; done
}
cleanup_hooks=(deb_cleanup "${cleanup_hooks[@]}")
for d in usr etc var; do
	mkdir -p "$T/low/$d" "$T/ovl/$d/up" "$T/ovl/$d/wk"
	{ mount --bind "/$d" "$T/low/$d" && mounted+=("$T/low/$d") &&
		mount -o remount,bind,ro "$T/low/$d"; } ||
		{ echo "SKIP: cannot bind-mount /$d read-only"; exit 77; }
	mount -t overlay overlay -o "lowerdir=$T/low/$d,upperdir=$T/ovl/$d/up,workdir=$T/ovl/$d/wk" "/$d" ||
		{ echo "SKIP: cannot mount an overlay on /$d"; exit 77; }
	mounted+=("/$d")
done
mount -t tmpfs -o mode=755 tmpfs /run && mounted+=(/run) && mkdir -p /run/lock ||
	{ fail "cannot mount an empty /run"; finish; }
printf '#!/bin/sh\n# t_deb: no service starts in the throwaway root\nexit 101\n' >/usr/sbin/policy-rc.d &&
	chmod 755 /usr/sbin/policy-rc.d || { fail "policy-rc.d"; finish; }
rm -f /var/lib/man-db/auto-update	# no mandb run on each dpkg call
# the host's mail set-up is not this test's: its MTA (by the virtual
# package or by the files), a carrier of make install, and the group
paths=(/usr/sbin/sendmail /usr/lib/sendmail /usr/bin/mailq /usr/bin/newaliases)
mapfile -t host_mta < <({
	dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Provides}\n' |
		awk '$1 ~ /^[ih]i/ && / mail-transport-agent/ { print $2 }'
	dpkg-query -S "${paths[@]}" 2>/dev/null | grep -v '^diversion' | sed 's/: .*//; s/, /\n/g'
} | sort -u)
if [ ${#host_mta[@]} -gt 0 ]; then
	if dpkg --remove --force-depends "${host_mta[@]}" >"$T/out" 2>&1; then
		ok "the host's MTA (${host_mta[*]}) removed, in the overlays only"
	else
		fail "dpkg --remove --force-depends ${host_mta[*]}: $(cat "$T/out")"; finish
	fi
fi
# what the removal broke (packages that need an MTA) apt is asked to fix
# (-f); and dpkg removes carrier from beside them with --force-depends
fix=()
[ ${#host_mta[@]} -eq 0 ] || fix=(-f)
mapfile -t needy < <(dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Depends} ${Pre-Depends}\n' |
	awk '$1 ~ /^[ih]i/ && /mail-transport-agent/ { print $2 }')
force=()
if [ ${#needy[@]} -gt 0 ]; then
	force=(--force-depends)
	echo "note: ${needy[*]} need an MTA: carrier is removed and purged with --force-depends"
fi
rm -rf "${paths[@]}" /usr/sbin/carrier /etc/carrier.conf /etc/cron.d/carrier /var/spool/carrier \
	/lib/systemd/system/carrier-queue.service /lib/systemd/system/carrier-queue.timer \
	/etc/systemd/system/timers.target.wants/carrier-queue.timer
! getent group carrier >/dev/null || groupdel carrier || { fail "cannot remove the host's group carrier"; finish; }
# the host's files that carrier reads: the test's own
rm -f /etc/mailname /etc/resolv.conf
: >/etc/aliases
printf 'nameserver 127.0.0.1\n' >/etc/resolv.conf

pf=$T/pf
postfix_start "$pf" 25 || exit 1
mkdir -p "$T/home" && chmod 755 "$T/home"

# upper_state: every entry of the overlays' upper layers, with its type
# and content (a whiteout, type c, is a file of the host's deleted).
upper_state() {
	local d p y
	for d in usr etc var; do
		(cd "$T/ovl/$d/up" && find . -mindepth 1 -printf '%P\t%y\n') |
			while IFS=$'\t' read -r p y; do
				case $y in
				f) printf '%s\t%s\t%s\n' "$d/$p" "$y" "$(md5sum <"$T/ovl/$d/up/$p" | cut -c1-32)" ;;
				l) printf '%s\t%s\t%s\n' "$d/$p" "$y" "$(readlink "$T/ovl/$d/up/$p")" ;;
				*) printf '%s\t%s\t\n' "$d/$p" "$y" ;;
				esac
			done
	done | sort
}
upper_state >"$T/state0"
cp /etc/group "$T/group0" && cp /etc/gshadow "$T/gshadow0"
cp /var/lib/dpkg/statoverride "$T/statoverride0"

# ------------------------------------------------ apt: who is the MTA
# inst_mtas FILE: the packages apt-get -s would install (FILE) that
# provide mail-transport-agent.
inst_mtas() {
	local p
	for p in $(sed -n 's/^Inst \([^ ]*\) .*/\1/p' "$1"); do
		apt-cache show "$p" 2>/dev/null | grep -qE '^Provides:.*\bmail-transport-agent\b' && echo "$p"
	done
}
apt_ok=1
if ! apt-cache show bsd-mailx >/dev/null 2>&1 || ! apt-cache show mailutils >/dev/null 2>&1; then
	apt_ok=0
	skip "apt: no package lists for bsd-mailx and mailutils (apt-get update): what apt installs beside carrier"
else
	# bsd-mailx, or what the host has that needs an MTA (then apt-get -f
	# alone: apt refuses to name packages beside broken ones)
	want=(bsd-mailx) what=bsd-mailx
	[ ${#needy[@]} -eq 0 ] || { want=(); what="what ${needy[*]} need"; }
	apt-get -s "${fix[@]}" -o APT::Install-Recommends=true install "${want[@]}" >"$T/apt0" 2>&1
	m=$(inst_mtas "$T/apt0")
	[ -n "$m" ] && ok "without carrier, apt installs $what with an MTA ($(echo $m))" ||
		fail "without carrier, apt would install bsd-mailx with no MTA: $(grep -E '^(Inst|E:)' "$T/apt0")"
fi

# ------------------------------------------------ another MTA, replaced
# A stand-in MTA package (Provides, Conflicts, Replaces
# mail-transport-agent, with a /usr/sbin/sendmail of its own) is
# installed; dpkg alone refuses carrier beside it, apt removes it.
fm=$T/fakemta
mkdir -p "$fm/DEBIAN" "$fm/usr/sbin"
cat >"$fm/DEBIAN/control" <<'EOF'
Package: carrier-test-mta
Version: 1.0
Architecture: all
Maintainer: carrier tests <tests@example.net>
Provides: mail-transport-agent
Conflicts: mail-transport-agent
Replaces: mail-transport-agent
Description: stand-in mail transport agent for t_deb
 A /usr/sbin/sendmail that prints its name.
EOF
printf '#!/bin/sh\necho test-mta\n' >"$fm/usr/sbin/sendmail" && chmod 755 "$fm/usr/sbin/sendmail"
dpkg-deb -b --root-owner-group "$fm" "$T/fakemta.deb" >/dev/null &&
	dpkg -i "$T/fakemta.deb" >"$T/out" 2>&1 || { fail "installing the stand-in MTA: $(cat "$T/out")"; finish; }
status() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | tr -d ' '; }
dpkg -i "$deb" >"$T/out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'carrier conflicts with mail-transport-agent' "$T/out" &&
	[ "$(status carrier)" != ii ]; then
	ok "dpkg -i refuses carrier beside another MTA: $(grep -m1 'provides mail-transport-agent' "$T/out" | sed 's/^ *//')"
else
	fail "dpkg -i carrier beside another MTA: exit $rc, status '$(status carrier)': $(cat "$T/out")"
fi
apt-get install -y "${fix[@]}" -o Dpkg::Use-Pty=0 "$deb" >"$T/apt.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && ok "apt-get install $(basename "$deb"): exit 0" ||
	{ fail "apt-get install $deb: exit $rc: $(tail -20 "$T/apt.out")"; finish; }
grep -q '^Removing carrier-test-mta ' "$T/apt.out" && [ "$(status carrier-test-mta)" != ii ] &&
	ok "apt removed the other MTA for carrier" ||
	fail "the other MTA: status '$(status carrier-test-mta)'; apt said: $(grep -E '^(Remv|Removing|Inst)' "$T/apt.out")"

# ------------------------------------------------ what dpkg knows
[ "$(dpkg-query -W -f='${Status}' carrier)" = "install ok installed" ] &&
	ok "dpkg: carrier install ok installed" || fail "dpkg: carrier $(dpkg-query -W -f='${Status}' carrier)"
for f in Provides Conflicts Replaces; do
	v=$(dpkg -s carrier | sed -n "s/^$f: //p")
	[ "$v" = mail-transport-agent ] && ok "dpkg -s carrier: $f: $v" || fail "dpkg -s carrier: $f: '$v'"
done
dep=$(dpkg -s carrier | sed -n 's/^Depends: //p')
soname=$(sed -n 's/^#define TLS_SONAME "\(.*\)"$/\1/p' "$T/deb/carrier/config.h")
tlspkg=$(dpkg-query -S "*/$soname" 2>/dev/null | sed -n '1s/:.*//p')
case ", $dep," in
*", $tlspkg "* | *", $tlspkg,"*) ok "Depends: $dep (the dlopen'd $soname is in $tlspkg)" ;;
*) fail "Depends: '$dep' lacks $tlspkg, the package of the dlopen'd '$soname'" ;;
esac
case ", $dep," in *", libc6 "*) ok "Depends has libc6 (shlibs)" ;; *) fail "Depends has no libc6: $dep" ;; esac
conff=$(dpkg-query -W -f='${Conffiles}\n' carrier | awk 'NF { print $1 }' | sort | tr '\n' ' ')
[ "$conff" = "/etc/carrier.conf /etc/cron.d/carrier " ] && ok "conffiles: $conff" || fail "conffiles: '$conff'"
if [ "$apt_ok" = 1 ]; then
	apt-get -s -o APT::Install-Recommends=true install bsd-mailx mailutils >"$T/apt1" 2>&1
	rc=$?
	m=$(inst_mtas "$T/apt1")
	got=1
	for p in bsd-mailx mailutils; do
		grep -q "^Inst $p " "$T/apt1" || [ "$(status $p)" = ii ] || got=0
	done
	if [ "$rc" -eq 0 ] && [ -z "$m" ] && [ "$got" = 1 ] && ! grep -q '^Remv carrier ' "$T/apt1"; then
		ok "with carrier, apt installs bsd-mailx and mailutils (recommends too) and no MTA"
	else
		fail "with carrier, apt -s install bsd-mailx mailutils: $(grep -E '^(Inst|Remv|E:)' "$T/apt1")"
	fi
fi

# ------------------------------------------------ the files
for f in /usr/sbin/sendmail /usr/lib/sendmail /usr/bin/mailq /usr/bin/newaliases; do
	[ -L "$f" ] && [ "$(readlink -f "$f")" = /usr/sbin/carrier ] && ok "$f -> carrier" ||
		fail "$f: $(ls -l "$f" 2>&1)"
done
for f in man8/carrier.8.gz man8/sendmail.8.gz man5/carrier.conf.5.gz man1/mailq.1.gz man1/newaliases.1.gz; do
	[ -s "/usr/share/man/$f" ] && ok "man page $f" || fail "no man page $f"
done
for f in /lib/systemd/system/carrier-queue.service /lib/systemd/system/carrier-queue.timer; do
	[ -f "$f" ] && ok "unit $f" || fail "no $f"
done
w=/etc/systemd/system/timers.target.wants
[ "$(readlink "$w/carrier-queue.timer")" = /lib/systemd/system/carrier-queue.timer ] &&
	ok "deb-systemd-helper enabled the timer ($w/carrier-queue.timer)" || fail "the timer is not enabled: $(ls -l "$w" 2>&1)"
[ -z "$(find /etc/systemd/system -name carrier-queue.service)" ] && ok "the service is not enabled itself (the timer starts it)" ||
	fail "the service is enabled: $(find /etc/systemd/system -name carrier-queue.service)"
# the cron fallback: one job line, that runs the queue only where systemd
# does not run
mapfile -t cronl < <(grep -vE '^[[:space:]]*(#|$)' /etc/cron.d/carrier)
if [ ${#cronl[@]} -eq 1 ] && [[ ${cronl[0]} == *'-d /run/systemd/system'* ]] &&
	[ "$(awk '{ print $6 }' <<<"${cronl[0]}")" = root ]; then
	ok "/etc/cron.d/carrier: ${cronl[0]}"
else
	fail "/etc/cron.d/carrier: $(cat /etc/cron.d/carrier)"
fi
cron_cmd=$(awk '{ $1 = $2 = $3 = $4 = $5 = $6 = ""; sub(/^ +/, ""); print }' <<<"${cronl[0]:-}")

# ------------------------------------------------ group, modes, spool
gid=$(getent group carrier | cut -d: -f3)
if [ -n "$gid" ] && [ "$gid" -ge 100 ] && [ "$gid" -lt 1000 ]; then ok "group carrier, system gid $gid"
else fail "group carrier: '$(getent group carrier)'"; fi
[ "$(stat -c '%U %G %a' /usr/sbin/carrier)" = "root carrier 2755" ] && ok "/usr/sbin/carrier root:carrier 2755" ||
	fail "/usr/sbin/carrier: $(stat -c '%U %G %a' /usr/sbin/carrier)"
[ "$(dpkg-statoverride --list /usr/sbin/carrier)" = "root carrier 2755 /usr/sbin/carrier" ] &&
	ok "dpkg-statoverride: root carrier 2755 /usr/sbin/carrier" ||
	fail "dpkg-statoverride: '$(dpkg-statoverride --list /usr/sbin/carrier)'"
for d in /var/spool/carrier /var/spool/carrier/tmp /var/spool/carrier/queue /var/spool/carrier/corrupt \
	/var/spool/carrier/sts; do
	[ "$(stat -c '%U %G %a' "$d" 2>&1)" = "root carrier 2770" ] && ok "$d root:carrier 2770" ||
		fail "$d: $(stat -c '%U %G %a' "$d" 2>&1)"
done

# ------------------------------------------------ the shipped config
/usr/sbin/sendmail --dump-config </dev/null >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "the shipped /etc/carrier.conf loads"
grep -q '^# carrier .*from /etc/carrier.conf$' "$T/out" && grep -q '^# relay (not set)$' "$T/out" &&
	ok "the shipped config: no relay (direct delivery)" || fail "--dump-config: $(head -3 "$T/out")"
grep -qi 'port 25' /etc/carrier.conf && grep -q '^#relay ' /etc/carrier.conf && grep -q '^#domain ' /etc/carrier.conf &&
	ok "the sample names relay, domain and port 25" || fail "the sample lacks relay, domain or port 25"
printf 'relay 127.0.0.1:25\ndomain example.net\nsyslog off\n' >/etc/carrier.conf

# ------------------------------------------------ sends
n=0
arrived() { n=$((n + $1)); postfix_wait "$pf" "$n" || fail "only some of $n messages arrived"; }
body() { sed '1,/^$/d' "$1"; }

/usr/sbin/sendmail -bv root </dev/null >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "sendmail -bv root"
[ "$(cat "$T/out")" = "root@example.net... deliverable: relay 127.0.0.1:25" ] && ok "-bv: $(cat "$T/out")" ||
	fail "-bv root: $(cat "$T/out" "$T/err")"

# cron's own call: its mailer format read from the cron binary
if [ -x "$R/usr/sbin/cron" ]; then
	fmt=$(grep -aoE '%s -FCronDaemon[^%]*%s' "$R/usr/sbin/cron" | head -1)
	[ -n "$fmt" ] || { fail "no mailer format in cron"; fmt="%s -FCronDaemon -i -B8BITMIME -oem  %s"; }
	# shellcheck disable=SC2059 # the format is cron's
	read -r -a argv <<<"$(printf "$fmt" /usr/sbin/sendmail root)"
	printf 'nightly: 3 files\n.\ndone\n' >"$T/cron_out"
	{
		printf 'From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@%s> nightly\n' "${HOSTNAME%%.*}"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n'
		cat "$T/cron_out"
	} >"$T/in"
	"${argv[@]}" <"$T/in" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 0 "cron's mail: ${argv[*]}"
	arrived 1
	postfix_msg "$pf" example.net root >"$T/got" || fail "cron: root@example.net got nothing"
	[ "$(postfix_envelope_sender "$pf" example.net root)" = root@example.net ] && ok "cron: from root@example.net" ||
		fail "cron: envelope sender $(postfix_envelope_sender "$pf" example.net root)"
	body "$T/got" >"$T/got_body"
	expect_same "$T/got_body" "$T/cron_out" "cron: the job's output"
else
	skip "cron's mail: $R/usr/sbin/cron not there (callers_fetch failed?)"
fi

# mail -s: bsd-mailx as nobody, its sendmail the compiled-in /usr/sbin/sendmail
if runs "mail -s (bsd-mailx)" "$R/usr/bin/bsd-mailx"; then
	printf 'hello from bsd-mailx\n' >"$T/in"
	as nobody env HOME="$T/home" LD_LIBRARY_PATH="$LIBS" "$R/usr/bin/bsd-mailx" -n -s 'deb: bsd-mailx' \
		bm@example.net <"$T/in" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 0 "mail -s (bsd-mailx, as nobody)"
	arrived 1
	postfix_msg "$pf" example.net bm >"$T/got" || fail "bsd-mailx: bm@example.net got nothing"
	grep -qx 'Subject: deb: bsd-mailx' "$T/got" && ok "bsd-mailx: the subject arrived" || fail "bsd-mailx: $(sed '/^$/q' "$T/got")"
	[ "$(postfix_envelope_sender "$pf" example.net bm)" = nobody@example.net ] && ok "bsd-mailx: from nobody@example.net" ||
		fail "bsd-mailx: envelope sender $(postfix_envelope_sender "$pf" example.net bm)"
	body "$T/got" >"$T/got_body"
	expect_same "$T/got_body" "$T/in" "bsd-mailx: the body"
fi
# mail -s: GNU mailutils, its mailer the default sendmail://
if runs "mail -s (mailutils)" "$R/usr/bin/mail.mailutils"; then
	printf 'address {\n  email-domain example.net;\n};\n' >"$T/mailutils.conf"
	printf 'hello from mailutils\n' >"$T/in"
	env HOME="$T/home" LD_LIBRARY_PATH="$LIBS" "$R/usr/bin/mail.mailutils" --config-file="$T/mailutils.conf" \
		-n -s 'deb: mailutils' mu@example.net <"$T/in" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 0 "mail -s (mailutils)"
	arrived 1
	postfix_msg "$pf" example.net mu >"$T/got" || fail "mailutils: mu@example.net got nothing"
	grep -qx 'Subject: deb: mailutils' "$T/got" && ok "mailutils: the subject arrived" || fail "mailutils: $(sed '/^$/q' "$T/got")"
	body "$T/got" >"$T/got_body"
	expect_same "$T/got_body" "$T/in" "mailutils: the body"
fi

# ------------------------------------------------ the queue, as nobody
q=/var/spool/carrier/queue
queue_msg() {	# LOCAL: nobody queues a message to LOCAL@example.net
	printf '%sSubject: queued %s\n\nfor the queue\n' "$HDRS" "$1" >"$T/in"
	as nobody /usr/sbin/sendmail -odq "$1@example.net" <"$T/in" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 0 "sendmail -odq as nobody ($1)"
}
queue_msg q1
qfiles=$(ls -A "$q")
[ -n "$qfiles" ] && ok "queued: $(echo $qfiles)" || fail "nothing in $q"
qf=$(ls -A "$q" | head -1)
as nobody ls "$q" >"$T/out" 2>"$T/err" && fail "nobody can list $q: $(cat "$T/out")" ||
	ok "nobody cannot list $q: $(cat "$T/err")"
as nobody cat "$q/$qf" >"$T/out" 2>"$T/err" && fail "nobody can read $q/$qf" ||
	ok "nobody cannot read $q/$qf: $(cat "$T/err")"
as nobody /usr/bin/mailq >"$T/out" 2>"$T/err"
grep -q 'q1@example.net' "$T/out" && ok "mailq (as nobody) lists the message" || fail "mailq: $(cat "$T/out" "$T/err")"
# the cron line: nothing where systemd runs (the timer's job), a queue
# run where it does not
if [ -n "$cron_cmd" ]; then
	mkdir -p /run/systemd/system
	sh -c "$cron_cmd" >"$T/out" 2>&1
	[ "$(ls -A "$q")" = "$qfiles" ] && ok "the cron line, systemd running: the queue left to the timer" ||
		fail "the cron line ran with systemd running: $(ls -A "$q")"
	rmdir /run/systemd/system /run/systemd
	sh -c "$cron_cmd" >"$T/out" 2>&1
	rc=$?
	expect_rc 0 "the cron line, no systemd: $cron_cmd"
	arrived 1
	postfix_msg "$pf" example.net q1 >"$T/got" && ok "the cron line's queue run delivered q1" || fail "q1 not delivered"
	[ -z "$(ls -A "$q")" ] && ok "the queue is empty" || fail "left in the queue: $(ls -A "$q")"
fi

# ------------------------------------------------ upgrade, remove, purge
queue_msg q2
qfiles=$(ls -A "$q")
dpkg -i "$deb" >"$T/out" 2>&1 && ok "dpkg -i again (an upgrade): exit 0" || fail "dpkg -i again: $(cat "$T/out")"
[ -n "$qfiles" ] && [ "$(ls -A "$q")" = "$qfiles" ] && ok "the upgrade kept the queue" || fail "queue after the upgrade: $(ls -A "$q")"
[ "$(stat -c '%U %G %a' /usr/sbin/carrier)" = "root carrier 2755" ] && ok "after the upgrade: carrier root:carrier 2755" ||
	fail "after the upgrade: $(stat -c '%U %G %a' /usr/sbin/carrier)"
grep -q '^relay 127.0.0.1:25$' /etc/carrier.conf && ok "the upgrade kept the changed carrier.conf" || fail "carrier.conf replaced"

dpkg --remove "${force[@]}" carrier >"$T/out" 2>&1 && ok "dpkg --remove carrier" || fail "dpkg --remove: $(cat "$T/out")"
[ "$(dpkg-query -W -f='${Status}' carrier)" = "deinstall ok config-files" ] && ok "removed: config-files" ||
	fail "after remove: $(dpkg-query -W -f='${Status}' carrier)"
for f in /usr/sbin/carrier "${paths[@]}" /usr/share/man/man8/carrier.8.gz /lib/systemd/system/carrier-queue.timer; do
	[ -e "$f" ] || [ -L "$f" ] && fail "remove left $f" || ok "remove removed $f"
done
for f in /etc/carrier.conf /etc/cron.d/carrier; do
	[ -f "$f" ] && ok "remove kept the conffile $f" || fail "remove deleted $f"
done
[ "$(ls -A "$q" 2>/dev/null)" = "$qfiles" ] && ok "remove kept the queue ($(echo $qfiles))" || fail "queue after remove: $(ls -A "$q" 2>&1)"
getent group carrier >/dev/null && ok "remove kept the group" || fail "remove deleted the group"

dpkg --purge "${force[@]}" carrier >"$T/out" 2>&1 && ok "dpkg --purge carrier" || fail "dpkg --purge: $(cat "$T/out")"
[ -z "$(dpkg-query -W -f='${Status}' carrier 2>/dev/null)" ] && ok "purged: dpkg knows no carrier" ||
	fail "after purge: $(dpkg-query -W -f='${Status}' carrier 2>&1)"
for f in /etc/carrier.conf /etc/cron.d/carrier /var/spool/carrier "$w/carrier-queue.timer"; do
	[ -e "$f" ] || [ -L "$f" ] && fail "purge left $f" || ok "purge removed $f"
done
! getent group carrier >/dev/null && ok "purge removed the group" || fail "purge left the group"
[ -z "$(dpkg-statoverride --list /usr/sbin/carrier)" ] && ok "purge removed the statoverride" || fail "purge left the statoverride"
for f in group gshadow statoverride; do
	[ $f = statoverride ] && p=/var/lib/dpkg/$f || p=/etc/$f
	cmp -s "$p" "$T/${f}0" && ok "$p as before" || fail "$p differs: $(diff "$T/${f}0" "$p")"
done

# What is left in the overlays' upper layers that was not there before
# the install, differs from the host's file and is not dpkg's or apt's
# own records (status, logs, caches), shadow's backups (group-, ...) or
# the stand-in MTA's dpkg files: nothing, whiteouts (a host file
# deleted) included.
upper_state >"$T/state1"
left=()
while IFS=$'\t' read -r p y h; do
	case $p in
	var/lib/dpkg/status | var/lib/dpkg/status-old | var/lib/dpkg/lock* | var/lib/dpkg/triggers/* | \
		var/lib/dpkg/statoverride-old | var/lib/dpkg/info/format | var/lib/apt/* | var/log/* | var/cache/* | \
		etc/group- | etc/gshadow- | etc/.pwd.lock) continue ;;
	esac
	low=$T/low/$p
	case $y in
	d) [ -d "$low" ] && continue ;;
	f) [ -f "$low" ] && [ ! -L "$low" ] && cmp -s "$low" "/$p" && continue ;;
	l) [ -L "$low" ] && [ "$(readlink "$low")" = "$h" ] && continue ;;
	esac
	left+=("/$p ($y)")
done < <(comm -13 "$T/state0" "$T/state1")
[ ${#left[@]} -eq 0 ] && ok "purge left nothing behind in /usr, /etc and /var" ||
	fail "left behind: ${left[*]}"

# ------------------------------------------------ lintian
if [ -n "${lintian_pid:-}" ]; then
	wait "$lintian_pid"
	echo "lintian $(basename "$deb"):"
	sed 's/^/    /' "$T/lintian.out"
	if grep -qE '^[EW]: ' "$T/lintian.out"; then
		fail "lintian: errors or warnings: $(grep -E '^[EW]: ' "$T/lintian.out" | tr '\n' ' ')"
	else
		ok "lintian: no errors or warnings"
	fi
fi
echo "t_deb took $SECONDS s"
finish
