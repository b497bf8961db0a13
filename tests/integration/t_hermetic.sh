#!/bin/bash
# t_hermetic: the integration suite does not depend on the host's /etc.
# On a machine with a system-wide Postfix, /etc/aliases maps postmaster
# to root and /etc/mailname names the host; a carrier.conf may be there
# too.  Here such files are made, hostile, in the test's private mount
# namespace (an overlay on /etc: the host never sees it), and:
#   - they would change what carrier does (-bv), so the test can tell;
#   - hidden as every test hides them (hermetic_etc, common.sh), -bv
#     gives what it gave before they came;
#   - t_intake_postfix, which relies on the default aliases file and
#     mail name, passes among them (on such a host it failed 23
#     assertions).
. "$(dirname "$0")/common.sh"

own_mntns || { echo "SKIP: no private mount namespace"; exit 77; }
printf 'relay 127.0.0.1:25\n' >"$T/conf"
bv() { "$CARRIER" "$@" -bv root postmaster www-data </dev/null 2>&1; }
bv -C "$T/conf" >"$T/before"
bv -R 127.0.0.1:25 >"$T/before_noconf"

mkdir -p "$T/etc_up" "$T/etc_wk"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc_up,workdir=$T/etc_wk" /etc ||
	{ echo "SKIP: no overlay on /etc"; exit 77; }
cleanup_hooks+=("umount -l /etc 2>/dev/null")
printf 'postmaster: root\nroot: takeover@evil.example\nwww-data: web@evil.example\n' >/etc/aliases
printf 'evil.example\n' >/etc/mailname
printf 'relay 192.0.2.25\ndomain evil.example\n' >/etc/carrier.conf
printf 'nameserver 192.0.2.53\n' >/etc/resolv.conf
[ ! -e "$T/etc_up/aliases" ] && fail "the overlay did not take the files"

bv -C "$T/conf" >"$T/hostile"
cmp -s "$T/hostile" "$T/before" && fail "the hostile files changed nothing: $(cat "$T/hostile")" ||
	ok "the hostile files would change -bv: $(head -1 "$T/hostile")"
hermetic_etc
bv -C "$T/conf" >"$T/after"
expect_same "$T/after" "$T/before" "-bv with a config file, host files hidden"
bv -R 127.0.0.1:25 >"$T/after_noconf"
expect_same "$T/after_noconf" "$T/before_noconf" "-bv without one, host files hidden"

bash "$top/tests/integration/t_intake_postfix.sh" >"$T/nested.log" 2>&1
rc=$?
expect_rc 0 "t_intake_postfix among the hostile files"
[ "$rc" -eq 0 ] || grep FAIL "$T/nested.log" | head -20
finish
