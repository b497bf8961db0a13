#!/bin/bash
# t_install: "make install" into a staging root puts carrier where callers
# look for it: sbin/sendmail, bin/mailq and bin/newaliases all run
# carrier, each as that name (newaliases succeeds quietly, since carrier
# reads /etc/aliases as it is and has no database to rebuild; mailq
# lists the empty queue); the man pages and a sample carrier.conf are
# there, and an existing carrier.conf is kept.
. "$(dirname "$0")/common.sh"

root=$T/inst
make -s -C "$top" install DESTDIR="$root" PREFIX=/usr >"$T/make.out" 2>&1 ||
	{ fail "make install: $(cat "$T/make.out")"; finish; }
for f in usr/sbin/carrier usr/sbin/sendmail usr/bin/mailq usr/bin/newaliases \
	usr/share/man/man8/carrier.8 usr/share/man/man8/sendmail.8 \
	usr/share/man/man5/carrier.conf.5 usr/share/man/man3/libcarrier.3 etc/carrier.conf; do
	[ -e "$root/$f" ] && ok "installed $f" || fail "$f not installed"
done
for f in usr/sbin/sendmail usr/bin/mailq usr/bin/newaliases; do
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
finish
