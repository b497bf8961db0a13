#!/bin/bash
# t_queue_diskfull: the spool on a full disk (a 1 MiB tmpfs, mounted in
# the test's own mount namespace), the relay down.  A message larger
# than the space: a clear error, exit 74 (EX_IOERR: the message could
# not be saved, a local failure; see exit_code in cmd/carrier.c), and
# nothing left to send, no space kept.  A message whose data fits but
# whose envelope does not (the free space measured to the page): 75
# (EX_TEMPFAIL: not queued, try again) with -odq and -odi, the queue's
# failure said on stderr, and again nothing is left
# that a later run would send.  Then the spool works: a small message is
# queued, and a queue run delivers it.
. "$(dirname "$0")/common.sh"

if [ "$(readlink /proc/self/ns/mnt)" = "${HOST_MNTNS:-}" ]; then
	echo "SKIP: no private mount namespace for the small tmpfs"; exit 77
fi
t0=${EPOCHREALTIME/./}
spool=$T/spool
mkdir -p "$spool"
mount -t tmpfs -o size=1m,mode=755 tmpfs "$spool" || exit 1
cleanup_hooks+=("umount $spool" "sink_stop $T/sink")
printf 'spool %s\nsyslog off\ndomain example.net\ntimeout 1s\nconnect_timeout 1s\n' "$spool" >"$T/conf"
mkdir -p "$spool/tmp" "$spool/queue" "$spool/corrupt"

free_pages() { stat -f -c %a "$spool"; }
# nothing_left WHAT: no entry, no data file, no named file in tmp/, and
# the space all back
nothing_left() {
	local q t
	q=$(ls -A "$spool/queue") t=$(ls -A "$spool/tmp")
	[ -z "$q" ] && ok "$1: nothing in queue/" || fail "$1: queue/ holds $q"
	[ -z "$t" ] && ok "$1: nothing in tmp/" || fail "$1: tmp/ holds $t"
	[ "$(free_pages)" = "$2" ] && ok "$1: the space is free again" ||
		fail "$1: $(free_pages) pages free, $2 before"
}
message() { # SUBJECT BODY_BYTES
	printf '%sSubject: %s\n\n' "$HDRS" "$1"
	head -c "$2" /dev/zero | tr '\0' x | fold -w 70
	echo
}

# 1. Larger than the spool.
empty=$(free_pages)
message big 2000000 >"$T/in"
for od in -odi -odq; do
	run_carrier -C "$T/conf" -R 127.0.0.1:26 $od big@example.org
	expect_rc 74 "2 MB on a 1 MiB spool, $od"
	expect_err_line '^carrier: .*No space left on device$' "2 MB, $od"
	echo "stderr: $(cat "$T/err")"
	nothing_left "2 MB, $od" "$empty"
done

# 2. The data fits, the envelope does not.  Measure what the message
# takes once queued, then fill the spool up to exactly that.
message envelope 20000 >"$T/in"
run_carrier -C "$T/conf" -R 127.0.0.1:26 -odq env@example.org
expect_rc 0 "the measuring run"
d=$(find "$spool/queue" -name '*.d')
size=$(stat -c %s "$d")
pages=$(((size + 4095) / 4096))
echo "the data file: $size bytes, $pages pages"
rm -f "$spool"/queue/*
[ $((size % 4096)) -gt 200 ] && [ $((size % 4096)) -lt 3800 ] ||
	fail "the data file ends too near a page boundary to be measured"
for od in -odq -odi; do
	head -c $((($(free_pages) - pages) * 4096)) /dev/zero >"$spool/filler"
	[ "$(free_pages)" = "$pages" ] || fail "filled: $(free_pages) pages free, want $pages"
	run_carrier -C "$T/conf" -R 127.0.0.1:26 $od env@example.org
	if [ "$od" = -odq ]; then
		expect_rc 75 "no room for the envelope, -odq"
		expect_err_line '^carrier: not queued: .*No space left on device$' "no room for the envelope, -odq"
	else
		expect_rc 75 "no room for the envelope, -odi"
		expect_err_line '^carrier: \[127\.0\.0\.1\]:26: .*refused \(1 recipient not delivered; not queued: .*No space left on device\)$' \
			"no room for the envelope, -odi: the relay's refusal, and why it is not queued"
	fi
	echo "stderr: $(cat "$T/err")"
	nothing_left "no room for the envelope, $od" "$pages"
	rm -f "$spool/filler"
done
# one page more, and it is queued: only the envelope lacked room
head -c $((($(free_pages) - pages - 1) * 4096)) /dev/zero >"$spool/filler"
run_carrier -C "$T/conf" -R 127.0.0.1:26 -odq env@example.org
expect_rc 0 "one page more than the data: queued"
rm -f "$spool/filler" "$spool"/queue/*

# 3. Room again: a small message is queued and delivered.
message small 100 >"$T/in"
run_carrier -C "$T/conf" -R 127.0.0.1:26 small@example.org
expect_rc 0 "a small message after the full spool: queued"
expect_err_line '^carrier: queued as ' "a small message"
[ "$(find "$spool/queue" -name '*.e' | wc -l)" = 1 ] && ok "one entry in the queue" ||
	fail "queue/: $(ls -A "$spool/queue")"
sink_start "$T/sink" 2525 -d "$T/sink/dump/%M%S." || fail "sink did not start"
"$CARRIER" -C "$T/conf" -R 127.0.0.1:2525 -q >"$T/out" 2>&1
rc=$?
expect_rc 0 "the queue run"
[ -z "$(ls -A "$spool/queue")" ] && ok "the queue is empty after the run" || fail "queue/: $(ls -A "$spool/queue")"
sleep 0.2
grep -lq 'Subject: small' "$T/sink/dump/"* 2>/dev/null && ok "the sink got the small message" ||
	fail "the sink has no message: $(ls "$T/sink/dump")"
echo "runtime: $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
finish
