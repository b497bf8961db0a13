#!/bin/bash
# t_resolve: the relay given by name, through a real DNS server (dnsmasq)
# inside the test's namespace: a name that resolves is used; a name that
# does not exist (NXDOMAIN) is EX_NOHOST (68); a DNS server that does not
# answer is EX_TEMPFAIL (75).  The test's private mount namespace gets its
# own /etc/resolv.conf.
. "$(dirname "$0")/common.sh"

command -v dnsmasq >/dev/null || { echo "SKIP: dnsmasq (dnsmasq-base) not installed"; exit 77; }
if [ "$(readlink /proc/self/ns/mnt)" = "${HOST_MNTNS:-}" ]; then
	echo "SKIP: no private mount namespace for /etc/resolv.conf"; exit 77
fi

printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$T/resolv.conf"
mount --bind "$T/resolv.conf" /etc/resolv.conf || { echo "SKIP: cannot bind-mount resolv.conf"; exit 77; }
cleanup_hooks+=("umount /etc/resolv.conf 2>/dev/null")
printf '127.0.0.1 localhost\n::1 localhost\n' >"$T/hosts"
mount --bind "$T/hosts" /etc/hosts && cleanup_hooks+=("umount /etc/hosts 2>/dev/null")

dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=nobody \
	--listen-address=127.0.0.1 --bind-interfaces --port=53 --pid-file= \
	--address=/nx.example/ --host-record=relay.example,127.0.0.1 \
	--log-facility="$T/dnsmasq.log" --log-queries &
dns=$!
cleanup_hooks+=("kill $dns 2>/dev/null")
for _ in $(seq 50); do ss -Hlun 'sport = :53' | grep -q . && break; sleep 0.1; done

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
postfix_start "$pf" 25 || exit 1

printf '%sSubject: dns\n\nvia a named relay\n' "$HDRS" >"$T/in"
run_carrier -R relay.example:25 -f s@example.net named@example.org
expect_rc 0 "relay found by name in DNS"
postfix_wait "$pf" 1 || fail "not delivered via relay.example"
grep -q 'query\[A\] relay.example' "$T/dnsmasq.log" && ok "carrier asked the DNS server" ||
	fail "no DNS query for relay.example seen"

run_carrier -R 127.0.0.1:25 -f s@example.net literal@example.org
expect_rc 0 "relay given as an address"
n=$(grep -c 'query\[' "$T/dnsmasq.log")
run_carrier -R 127.0.0.1:25 -f s@example.net literal@example.org
[ "$(grep -c 'query\[' "$T/dnsmasq.log")" -eq "$n" ] && ok "no DNS query for an address relay" ||
	fail "an address relay caused a DNS query"

run_carrier -R nohost.nx.example a@example.org
expect_rc 68 "NXDOMAIN relay"
expect_err_line '^carrier: nohost\.nx\.example:25: host nohost\.nx\.example not found \(1 recipient not delivered\)$' "NXDOMAIN named"

kill $dns; wait $dns 2>/dev/null
run_carrier -R relay.example a@example.org
expect_rc 75 "DNS server down"
expect_err_line 'cannot look up host relay\.example' "lookup failure named"

finish
