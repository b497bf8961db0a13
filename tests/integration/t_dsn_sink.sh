#!/bin/bash
# t_dsn_sink: DSN parameters (-N, -R full|hdrs, -V) reach the server as
# RET=, ENVID=, NOTIFY= and ORCPT= when it offers DSN, as smtp-sink's
# transaction dump shows; a plain send carries none of them; -R hdrs is
# taken as DSN RET, not as a relay named "hdrs".
. "$(dirname "$0")/common.sh"

printf 'Subject: dsn\n\nbody\n' >"$T/in"
port=2525
sink_start "$T/sink" $port -d "$T/sink/dump/%H%M%S." || exit 1
cleanup_hooks+=("sink_stop $T/sink")

run_carrier -R 127.0.0.1:$port -f s@example.net -N success,failure -R hdrs \
	-V 'id+1=2' a@example.org
expect_rc 0 "send with DSN options"
sleep 0.3
dump=$(cat "$T"/sink/dump/* 2>/dev/null)
grep -q 'RET=HDRS' <<<"$dump" && ok "RET=HDRS sent" || fail "no RET=HDRS in: $dump"
grep -q 'ENVID=id+2B1+3D2' <<<"$dump" && ok "ENVID xtext-encoded" || fail "no ENVID in: $dump"
grep -q 'NOTIFY=SUCCESS,FAILURE' <<<"$dump" && ok "NOTIFY sent" || fail "no NOTIFY in: $dump"
grep -q 'ORCPT=rfc822;a@example.org' <<<"$dump" && ok "ORCPT sent" || fail "no ORCPT in: $dump"

rm -f "$T"/sink/dump/*
run_carrier -R 127.0.0.1:$port -f s@example.net plain@example.org
expect_rc 0 "plain send"
sleep 0.3
dump=$(cat "$T"/sink/dump/* 2>/dev/null)
grep -qE 'RET=|ENVID=|NOTIFY=|ORCPT=' <<<"$dump" && fail "DSN parameters without -N/-R/-V: $dump" ||
	ok "no DSN parameters on a plain send"
grep -q 'plain@example.org' <<<"$dump" && ok "plain send dumped" || fail "plain send not in dump"

run_carrier -N sometimes a@example.org
expect_rc 64 "bad -N"
run_carrier -R 127.0.0.1:$port -V "$(printf 'bad\001id')" a@example.org
expect_rc 64 "bad -V"

finish
