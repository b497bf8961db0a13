#!/bin/bash
# demo.sh ("make demo"): the main job, for real.  Starts a private Postfix
# (extracted from its Debian package, never installed) inside a private
# network namespace, pipes a message into carrier with -R, and prints the
# SMTP dialogue and the message as it arrived in the recipient's Maildir.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lab/lab.sh"
lab_need_root
lab_netns "$@"
lab_fetch >/dev/null || exit 1
d=$(lab_mktemp) || exit 1
trap 'postfix_stop "$d/pf"; rm -rf "$d"' EXIT
postfix_start "$d/pf" 25 || exit 1

echo "== carrier -v -i -R 127.0.0.1:25 -f demo@example.net alice@example.org"
printf 'From: Demo <demo@example.net>\nTo: alice@example.org\nSubject: carrier demo\n\nHello from carrier.\n.\nA line with a single dot above, kept intact.\n' |
	"$top/carrier" -v -i -R 127.0.0.1:25 -f demo@example.net alice@example.org
rc=$?
echo "== carrier exited $rc"
[ $rc -eq 0 ] || exit 1
postfix_wait "$d/pf" 1 || exit 1
f=$(ls "$d"/pf/mail/example.org/alice/new/*)
echo "== delivered to $f:"
cat "$f"
