#!/bin/bash
# t_install: "make install" into a staging root puts carrier where callers
# look for it: sbin/sendmail, lib/sendmail, bin/mailq and bin/newaliases
# all run carrier, each as that name (newaliases checks the aliases file
# carrier reads as it is, with no database to rebuild; mailq lists the
# empty queue); the man pages (mailq(1) and newaliases(1) too) and a
# sample carrier.conf are there, and an existing carrier.conf is kept;
# libcarrier is not installed, nor its page.  Another mail system's
# sendmail or mailq is not replaced unless FORCE=1, which keeps it as
# NAME.carrier-backup; "make uninstall" removes carrier and puts it
# back, and keeps a spool with mail in queue/ or entries in corrupt/.
# make install as root without DESTDIR where systemd runs enables and
# starts the queue's timer, and uninstall disables it: checked in
# overlays on /usr, /etc and /var and an empty /run of the test's own
# mount namespace, through a systemctl stub that records its arguments
# (the host's systemd is never asked; nothing of the host changes); a
# failing systemctl is said and not fatal; DESTDIR, or no systemd, calls
# none.  Without libtls (loaded with dlopen, so ldd does not show it) a
# TLS send names the Debian package to install.
. "$(dirname "$0")/common.sh"

root=$T/inst
make -s -C "$top" install DESTDIR="$root" PREFIX=/usr >"$T/make.out" 2>&1 ||
	{ fail "make install: $(cat "$T/make.out")"; finish; }
for f in usr/sbin/carrier usr/sbin/sendmail usr/lib/sendmail usr/bin/mailq usr/bin/newaliases \
	usr/share/man/man8/carrier.8 usr/share/man/man8/sendmail.8 \
	usr/share/man/man5/carrier.conf.5 usr/share/man/man1/mailq.1 \
	usr/share/man/man1/newaliases.1 etc/carrier.conf \
	lib/systemd/system/carrier-queue.service lib/systemd/system/carrier-queue.timer \
	etc/cron.d/carrier; do
	[ -e "$root/$f" ] && ok "installed $f" || fail "$f not installed"
done
# the spool: mode 2770 (group carrier where it exists; a package's
# postinst makes it), and the binary set-group-ID with it
for d in var/spool/carrier var/spool/carrier/tmp var/spool/carrier/queue var/spool/carrier/corrupt var/spool/carrier/sts; do
	[ "$(stat -c %a "$root/$d" 2>/dev/null)" = 2770 ] && ok "$d, mode 2770" ||
		fail "$d: $(stat -c %a "$root/$d" 2>&1)"
done
if getent group carrier >/dev/null; then
	[ "$(stat -c '%G %a' "$root/usr/sbin/carrier")" = "carrier 2755" ] && ok "carrier is set-group-ID carrier" ||
		fail "carrier: $(stat -c '%G %a' "$root/usr/sbin/carrier")"
else
	grep -q 'no group carrier' "$T/make.out" && ok "install says carrier is not set-group-ID (no group)" ||
		fail "install said nothing of the missing group: $(cat "$T/make.out")"
fi
for f in usr/share/man/man3/libcarrier.3 usr/lib/libcarrier.a usr/include/carrier.h; do
	[ -e "$root/$f" ] && fail "$f installed (the library is carrier's own)" || ok "no $f"
done
for f in usr/sbin/sendmail usr/lib/sendmail usr/bin/mailq usr/bin/newaliases; do
	[ "$(readlink -f "$root/$f")" = "$(readlink -f "$root/usr/sbin/carrier")" ] &&
		ok "$f runs carrier" || fail "$f points to $(readlink -f "$root/$f")"
done
"$root/usr/bin/newaliases" </dev/null >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "newaliases"
"$root/usr/bin/mailq" </dev/null >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "mailq"
grep -qi 'queue is empty' "$T/out" && ok "mailq: empty queue" || fail "mailq said: $(cat "$T/out" "$T/err")"
echo '# kept' >"$root/etc/carrier.conf"
make -s -C "$top" install DESTDIR="$root" PREFIX=/usr >"$T/make.out" 2>&1
[ "$(cat "$root/etc/carrier.conf")" = "# kept" ] && ok "an existing carrier.conf is kept" ||
	fail "make install replaced carrier.conf"

# Another mail system is there: install refuses, changing nothing.
pfx=$T/pfx
mkdir -p "$pfx/usr/sbin" "$pfx/usr/bin"
printf '#!/bin/sh\necho postfix\n' >"$pfx/usr/sbin/sendmail"
chmod 755 "$pfx/usr/sbin/sendmail"
ln -s ../sbin/sendmail "$pfx/usr/bin/mailq"
make -s -C "$top" install DESTDIR="$pfx" PREFIX=/usr >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -ne 0 ] && ok "install over another sendmail refused" || fail "install over another sendmail went ahead"
expect_err_line "$pfx/usr/sbin/sendmail is another mail system's, not replaced .*FORCE=1" "the refusal says why and how"
[ -e "$pfx/usr/sbin/carrier" ] && fail "a refused install installed carrier" || ok "a refused install changes nothing"
[ "$("$pfx/usr/sbin/sendmail")" = postfix ] && ok "the other sendmail untouched" || fail "the other sendmail changed"
# FORCE=1: replaced, each kept aside.
make -s -C "$top" install DESTDIR="$pfx" PREFIX=/usr FORCE=1 >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "install FORCE=1"
[ "$(readlink -f "$pfx/usr/sbin/sendmail")" = "$pfx/usr/sbin/carrier" ] && ok "FORCE=1: sendmail is carrier" ||
	fail "FORCE=1: sendmail is $(readlink -f "$pfx/usr/sbin/sendmail")"
[ "$("$pfx/usr/sbin/sendmail.carrier-backup")" = postfix ] && ok "FORCE=1: the old sendmail kept" ||
	fail "FORCE=1: no backup of sendmail"
[ "$(readlink "$pfx/usr/bin/mailq.carrier-backup")" = ../sbin/sendmail ] && ok "FORCE=1: the old mailq kept" ||
	fail "FORCE=1: no backup of mailq"
grep -q 'sendmail is now .*sendmail.carrier-backup' "$T/out" && ok "FORCE=1 says what it kept" || fail "FORCE=1 said: $(cat "$T/out")"
# A second install is not refused: the links are carrier's own.
make -s -C "$top" install DESTDIR="$pfx" PREFIX=/usr >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "install again"
# uninstall: carrier gone, the other mail system back, carrier.conf kept.
make -s -C "$top" uninstall DESTDIR="$pfx" PREFIX=/usr >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "uninstall"
for f in usr/sbin/carrier usr/lib/sendmail usr/bin/newaliases usr/share/man/man8/carrier.8 \
	usr/share/man/man8/sendmail.8 usr/share/man/man1/mailq.1 usr/sbin/sendmail.carrier-backup \
	lib/systemd/system/carrier-queue.timer etc/cron.d/carrier var/spool/carrier; do
	[ -e "$pfx/$f" ] || [ -L "$pfx/$f" ] && fail "uninstall left $f" || ok "uninstall removed $f"
done
[ "$("$pfx/usr/sbin/sendmail")" = postfix ] && ok "uninstall put the old sendmail back" || fail "old sendmail not back"
[ "$(readlink "$pfx/usr/bin/mailq")" = ../sbin/sendmail ] && ok "uninstall put the old mailq back" || fail "old mailq not back"
[ -e "$pfx/etc/carrier.conf" ] && ok "uninstall keeps carrier.conf" || fail "uninstall removed carrier.conf"

# uninstall keeps a spool that holds mail in queue/, or entries set
# aside in corrupt/ "for a person to look at", and says so
for d in queue corrupt; do
	un=$T/un.$d
	make -s -C "$top" install DESTDIR="$un" PREFIX=/usr >"$T/out" 2>"$T/err" ||
		{ fail "install into $un: $(cat "$T/err")"; continue; }
	printf 'x\n' >"$un/var/spool/carrier/$d/06B1635FAB49D4062100.e"
	make -s -C "$top" uninstall DESTDIR="$un" PREFIX=/usr >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 0 "uninstall, $d/ not empty"
	[ -f "$un/var/spool/carrier/$d/06B1635FAB49D4062100.e" ] && ok "uninstall keeps the spool: $d/ not empty" ||
		fail "uninstall removed the spool with $d/ not empty"
	expect_err_line "^uninstall: $un/var/spool/carrier kept: " "uninstall says the spool is kept ($d/)"
	[ -e "$un/usr/sbin/carrier" ] && fail "uninstall ($d/) left usr/sbin/carrier" || ok "uninstall ($d/) removed the rest"
done
grep -q 'corrupt/ holds' "$T/err" && ok "uninstall names corrupt/" || fail "uninstall, corrupt/: $(cat "$T/err")"

# The timer, enabled by a real "make install PREFIX=/usr" (no DESTDIR)
# where systemd runs: in overlays on /usr, /etc and /var (/lib must be
# /usr/lib, as on Debian 12) and an empty /run with /run/systemd/system,
# all of this test's own mount namespace; systemctl is a stub that
# records its arguments, exit status $T/sysctl.rc.
inst_mounted=()
inst_umount() {
	local m
	for ((m = ${#inst_mounted[@]} - 1; m >= 0; m--)); do umount -l "${inst_mounted[m]}"; done
	inst_mounted=()
}
systemd_install() {
	local d
	if ! own_mntns || [ "$(readlink /lib)" != usr/lib ]; then
		echo "SKIP: no private mount namespace, or /lib is not /usr/lib: make install without DESTDIR"
		return
	fi
	# before the first mount: nothing of the host is left mounted in $T
	# (which on_exit removes), whatever happens
	cleanup_hooks=(inst_umount "${cleanup_hooks[@]}")
	for d in usr etc var; do
		mkdir -p "$T/low/$d" "$T/ovl/$d/up" "$T/ovl/$d/wk"
		mount --bind "/$d" "$T/low/$d" && inst_mounted+=("$T/low/$d") &&
			mount -o remount,bind,ro "$T/low/$d" &&
			mount -t overlay overlay -o "lowerdir=$T/low/$d,upperdir=$T/ovl/$d/up,workdir=$T/ovl/$d/wk" "/$d" &&
			inst_mounted+=("/$d") || { fail "cannot mount an overlay on /$d"; inst_umount; return; }
	done
	if mount -t tmpfs -o mode=755 tmpfs /run; then
		inst_mounted+=(/run)
		systemd_install_checks
	else
		fail "cannot mount an empty /run"
	fi
	inst_umount
}
systemd_install_checks() {
	local stub=$T/systemctl log=$T/sysctl.log
	printf '#!/bin/sh\necho "$*" >>%s\nexit $(cat %s)\n' "$log" "$T/sysctl.rc" >"$stub"
	chmod 755 "$stub"
	echo 0 >"$T/sysctl.rc"
	mkdir -p /run/systemd/system
	# DESTDIR: a staging root, never the running system
	: >"$log"
	make -s -C "$top" install DESTDIR="$T/inst2" PREFIX=/usr SYSTEMCTL="$stub" >"$T/out" 2>&1
	[ ! -s "$log" ] && ok "install DESTDIR=...: no systemctl" || fail "install DESTDIR=... ran systemctl $(cat "$log")"
	make -s -C "$top" install PREFIX=/usr FORCE=1 SYSTEMCTL="$stub" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 0 "make install, systemd running"
	[ "$(cat "$log")" = $'daemon-reload\nenable --now carrier-queue.timer' ] &&
		ok "install: systemctl daemon-reload, enable --now carrier-queue.timer" ||
		fail "install ran systemctl: $(cat "$log")"
	grep -q '^install: carrier-queue.timer enabled and started' "$T/out" && ok "install says the timer runs" ||
		fail "install said: $(cat "$T/out" "$T/err")"
	[ -f /lib/systemd/system/carrier-queue.timer ] && [ -x /usr/sbin/carrier ] &&
		[ "$(stat -c '%G %a' /usr/sbin/carrier)" = "carrier 2755" ] &&
		ok "installed in /usr, the group carrier made, carrier set-group-ID" ||
		fail "after install: $(ls -l /lib/systemd/system/carrier-queue.timer /usr/sbin/carrier 2>&1)"
	# a systemctl that fails: said, and install still succeeds
	: >"$log"
	echo 1 >"$T/sysctl.rc"
	make -s -C "$top" install PREFIX=/usr FORCE=1 SYSTEMCTL="$stub" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 0 "make install, systemctl failing"
	expect_err_line "^install: .*could not enable carrier-queue.timer .*systemctl enable --now carrier-queue.timer" \
		"install: a failed enable is said, with the command"
	# uninstall: the timer disabled before its unit goes
	: >"$log"
	echo 0 >"$T/sysctl.rc"
	make -s -C "$top" uninstall PREFIX=/usr SYSTEMCTL="$stub" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 0 "make uninstall, systemd running"
	[ "$(cat "$log")" = $'disable --now carrier-queue.timer\ndaemon-reload' ] &&
		ok "uninstall: systemctl disable --now carrier-queue.timer, daemon-reload" ||
		fail "uninstall ran systemctl: $(cat "$log")"
	[ ! -e /lib/systemd/system/carrier-queue.timer ] && [ ! -e /usr/sbin/carrier ] &&
		ok "uninstall removed carrier and the timer" || fail "uninstall left carrier or the timer"
	# no systemd running: no systemctl (cron's line runs the queue)
	rmdir /run/systemd/system
	: >"$log"
	make -s -C "$top" install PREFIX=/usr FORCE=1 SYSTEMCTL="$stub" >"$T/out" 2>"$T/err"
	make -s -C "$top" uninstall PREFIX=/usr SYSTEMCTL="$stub" >>"$T/out" 2>>"$T/err"
	[ ! -s "$log" ] && ok "no systemd running: no systemctl" || fail "no systemd, yet systemctl $(cat "$log")"
}
systemd_install

# libtls missing: hidden (an empty file in its place) in the test's own
# mount namespace; a send over implicit TLS names the Debian package.
soname=$(sed -n 's/^#define TLS_SONAME "\(.*\)"$/\1/p' "$top/config.h")
lib=$(ldconfig -p | awk -v s="$soname" '$1 == s { print $NF; exit }')
if [ -z "$soname" ] || [ -z "$lib" ] || ! own_mntns; then
	echo "SKIP: libtls ($soname) not found, or no private mount namespace: the libtls check"
else
	pkg=$(dpkg-query -S "$(readlink -f "$lib")" 2>/dev/null | sed -n '1s/:.*//p')
	mount --bind /dev/null "$(readlink -f "$lib")" && cleanup_hooks+=("umount $(readlink -f "$lib")")
	port=465
	python3 "$top/tests/integration/hostile_server.py" silent $port >"$T/hs.out" &
	hs=$!
	cleanup_hooks+=("kill $hs 2>/dev/null")
	for _ in $(seq 100); do grep -q ready "$T/hs.out" 2>/dev/null && break; sleep 0.05; done
	printf 'Subject: tls\n\nb\n' >"$T/in"
	CARRIER="$root/usr/sbin/sendmail" run_carrier -R 127.0.0.1:$port a@example.org
	expect_rc 75 "no libtls"
	expect_err_line "cannot load $soname \(on Debian, install the package ${pkg:-libtls26}\)" "no libtls: the package named"
	kill $hs 2>/dev/null
fi
finish
