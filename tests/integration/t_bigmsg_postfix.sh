#!/bin/bash
# t_bigmsg_postfix: a 50 MB message through a real Postfix.  It must
# arrive byte for byte, and carrier's peak RSS (from /usr/bin/time -v)
# must stay under 4 MB: memory does not grow with message size.
. "$(dirname "$0")/common.sh"

pf=$T/pf
cleanup_hooks+=("postfix_stop $pf")
LAB_POSTFIX_MAIN_CF='message_size_limit = 100000000' \
	postfix_start "$pf" 25 || exit 1

# 50 MB of base64 in 76-column lines, with a few lines that need
# dot-stuffing, plus a long-line-free header.
{
	printf '%sSubject: big\nMIME-Version: 1.0\n\n' "$HDRS"
	head -c 37500000 /dev/urandom | base64 -w 76
	printf '.\n..\n.leading dot\n'
} >"$T/in"
size=$(stat -c %s "$T/in")
echo "message: $size bytes"
/usr/bin/time -v -o "$T/time" "$CARRIER" -i -R 127.0.0.1 big@example.org <"$T/in" 2>"$T/err"
rc=$?
expect_rc 0 "50 MB message"
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$T/time")
secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$T/time")
echo "peak RSS: ${rss} KB, elapsed ${secs}"
if [ -n "${CARRIER_SANITIZED:-}" ]; then
	echo "note: carrier built with ASan, whose shadow memory makes RSS no measure"
else
	[ -n "$rss" ] && [ "$rss" -lt 4096 ] && ok "peak RSS ${rss} KB < 4096 KB" ||
		fail "peak RSS ${rss} KB >= 4096 KB"
fi
postfix_wait "$pf" 1 30 || fail "not delivered"
postfix_msg "$pf" example.org big >"$T/got"
expect_same "$T/got" "$T/in" "50 MB message arrived intact"

finish
