#!/bin/bash
# t_hostname: the mail domain when neither the config nor /etc/mailname
# gives one, on a host whose name is not in /etc/hosts.  carrier then
# asks DNS for the host's full name, and DNS may not answer:
#   - a sender given with -f needs no host name at all: no DNS query is
#     made, and the Message-ID takes the sender's domain;
#   - a message from the user (cron's case) looks the name up, but gives
#     up after 2 s and uses the plain host name, where the resolver
#     alone would wait 5 s for each query (40 s here: two silent
#     servers, two search domains);
#   - a DNS server that answers gives the full name (through the search
#     list), in the envelope, in From and in the Message-ID.
# The host name is set in a private UTS namespace; /etc/hosts,
# /etc/resolv.conf and /etc/mailname are bind-mounted in the test's
# private mount namespace.
. "$(dirname "$0")/common.sh"

command -v dnsmasq >/dev/null || { echo "SKIP: dnsmasq (dnsmasq-base) not installed"; exit 77; }
if [ "$(readlink /proc/self/ns/mnt)" = "${HOST_MNTNS:-}" ]; then
	echo "SKIP: no private mount namespace for /etc files"; exit 77
fi
unshare -u true 2>/dev/null || { echo "SKIP: no private UTS namespace"; exit 77; }

printf '127.0.0.1 localhost\n::1 localhost\n' >"$T/hosts"
mount --bind "$T/hosts" /etc/hosts || { echo "SKIP: cannot bind-mount /etc/hosts"; exit 77; }
cleanup_hooks+=("umount /etc/hosts 2>/dev/null")
if [ -e /etc/mailname ]; then
	: >"$T/mailname"
	mount --bind "$T/mailname" /etc/mailname && cleanup_hooks+=("umount /etc/mailname 2>/dev/null")
fi
printf 'nameserver 127.0.0.1\nnameserver 127.0.0.2\nsearch a.example b.example\n' >"$T/resolv.conf"
mount --bind "$T/resolv.conf" /etc/resolv.conf || { echo "SKIP: cannot bind-mount resolv.conf"; exit 77; }
cleanup_hooks+=("umount /etc/resolv.conf 2>/dev/null")

printf '#!/bin/sh\nhostname mailhost && exec "$@"\n' >"$T/wrap"
chmod +x "$T/wrap"
export CARRIER_WRAP="unshare -u $T/wrap"

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
postfix_start "$pf" 25 || exit 1

# A DNS server that reads every query and answers none; it counts them.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 53))
while True:
    s.recv(4096)
    with open(sys.argv[1], "a") as f:
        f.write("q\n")
' "$T/queries" &
silent=$!
cleanup_hooks+=("kill $silent 2>/dev/null")
for _ in $(seq 50); do ss -Hlun 'sport = :53' | grep -q . && break; sleep 0.1; done
: >"$T/queries"

user=$(id -un)

# has_field LOCAL REGEX WHAT: the message to LOCAL@example.org has a
# header line matching REGEX (ERE).
has_field() {
	if postfix_msg "$pf" example.org "$1" | grep -qE -- "$2"; then ok "$3"
	else fail "$3: no line /$2/ in: $(postfix_msg "$pf" example.org "$1" | sed '/^$/q')"; fi
}

# no_query WHAT: the silent DNS server saw no query since $T/queries
# was emptied (its reads are given a moment to land).
no_query() {
	sleep 0.2
	if [ -s "$T/queries" ]; then fail "$1: $(wc -l <"$T/queries") DNS queries"
	else ok "$1: no DNS query"; fi
}

# no -f, no From: the sender is the user at the host's name
printf 'Subject: from cron\n\nno sender given\n' >"$T/in"
start=$(date +%s%N)
run_carrier -R 127.0.0.1:25 cron@example.org
took=$((($(date +%s%N) - start) / 1000000))
expect_rc 0 "silent DNS, no sender given"
[ -s "$T/queries" ] && ok "the host's name was looked up" || fail "no DNS query for the host's name"
[ "$took" -lt 10000 ] && ok "the lookup gave up in time (${took} ms)" ||
	fail "the send took ${took} ms: the lookup was not cut short"
postfix_wait "$pf" 1 || fail "not delivered"
es=$(postfix_envelope_sender "$pf" example.org cron)
[ "$es" = "$user@mailhost" ] && ok "envelope sender $es" || fail "envelope sender '$es', want $user@mailhost"
has_field cron "^From: .*<$user@mailhost>\$" "From at the plain host name"
has_field cron '^Message-ID: <[^@]+@mailhost>$' "Message-ID at the plain host name"

# -f given, no From, Date or Message-ID: nothing needs the host's name
: >"$T/queries"
printf 'Subject: with -f\n\nsender given\n' >"$T/in"
run_carrier -R 127.0.0.1:25 -f s@example.net given@example.org
expect_rc 0 "silent DNS, sender given"
no_query "sender given"
postfix_wait "$pf" 2 || fail "not delivered"
has_field given '^From: s@example\.net$' "From is the sender"
has_field given '^Message-ID: <[^@]+@example\.net>$' "Message-ID at the sender's domain"

# -f with the user's own address at the host's name: the full name is
# added without a lookup
: >"$T/queries"
run_carrier -R 127.0.0.1:25 -f "$user@mailhost" own@example.org
expect_rc 0 "sender is the user at the host's name"
no_query "the user's own address"
postfix_wait "$pf" 3 || fail "not delivered"
gecos=$(getent passwd "$user" | cut -d: -f5 | cut -d, -f1)
[ -z "$gecos" ] || has_field own "^From: $gecos <$user@mailhost>\$" "the user's full name beside the own address"

# the null sender and a complete header: nothing needs the host's name
: >"$T/queries"
printf '%sSubject: null sender\n\ncomplete header\n' "$HDRS" >"$T/in"
run_carrier -R 127.0.0.1:25 -f '<>' null@example.org
expect_rc 0 "null sender, complete header"
no_query "null sender with a Message-ID"
postfix_wait "$pf" 4 || fail "not delivered"

# a DNS server that answers: the full name through the search list
kill $silent; wait $silent 2>/dev/null
dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=nobody \
	--listen-address=127.0.0.1 --bind-interfaces --port=53 --pid-file= \
	--host-record=mailhost.a.example,127.0.0.1 \
	--log-facility="$T/dnsmasq.log" --log-queries &
dns=$!
cleanup_hooks+=("kill $dns 2>/dev/null")
for _ in $(seq 50); do ss -Hlun 'sport = :53' | grep -q . && break; sleep 0.1; done
printf 'nameserver 127.0.0.1\nsearch a.example b.example\n' >"$T/resolv.conf"
printf 'Subject: from cron\n\nDNS answers\n' >"$T/in"
run_carrier -R 127.0.0.1:25 fqdn@example.org
expect_rc 0 "DNS answers"
postfix_wait "$pf" 5 || fail "not delivered"
es=$(postfix_envelope_sender "$pf" example.org fqdn)
[ "$es" = "$user@mailhost.a.example" ] && ok "envelope sender $es" ||
	fail "envelope sender '$es', want $user@mailhost.a.example"
has_field fqdn '^Message-ID: <[^@]+@mailhost\.a\.example>$' "Message-ID at the full name"

# no thread for the bounded lookup (RLIMIT_NPROC, which binds users but
# not root): the plain lookup still finds the full name.  A uid with no
# process and no passwd entry, so the limit is met by carrier alone (a
# bare -f is qualified like the user's own name).
nuid=64999
printf '#!/bin/sh\nhostname mailhost && exec prlimit --nproc=1 setpriv --reuid=%s --regid=%s --clear-groups "$@"\n' $nuid $nuid >"$T/wrap.nproc"
chmod +x "$T/wrap.nproc"
if pgrep -u $nuid >/dev/null; then
	echo "note: uid $nuid has processes; the no-thread case is not run"
elif ! setpriv --reuid=$nuid --regid=$nuid --clear-groups test -x "$CARRIER"; then
	echo "note: uid $nuid cannot run $CARRIER; the no-thread case is not run"
else
	printf 'Subject: no threads\n\nDNS answers\n' >"$T/in"
	CARRIER_WRAP="unshare -u $T/wrap.nproc" run_carrier -R 127.0.0.1:25 -f cron nothread@example.org
	expect_rc 0 "no thread for the lookup"
	postfix_wait "$pf" 6 || fail "not delivered"
	es=$(postfix_envelope_sender "$pf" example.org nothread)
	[ "$es" = "cron@mailhost.a.example" ] && ok "without a thread: envelope sender $es" ||
		fail "without a thread: envelope sender '$es', want cron@mailhost.a.example"
fi

finish
