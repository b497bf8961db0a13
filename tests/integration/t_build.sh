#!/bin/bash
# t_build: plain "make" on a tree that was never configured, as root, on
# a machine without the build's packages: it fails with a message that
# names the set-up command (sh tests/lab/deps.sh) and never installs a
# package itself (it once ran deps.sh, and so apt-get, as root).  The
# tree is a copy of the build files; PATH holds only a few tools and
# stand-ins for apt-get and dpkg-query that note any call, so the host's
# package manager is never reached.
. "$(dirname "$0")/common.sh"

tree=$T/tree
mkdir -p "$tree/tests/lab" "$T/bin"
cp "$top/Makefile" "$top/configure.ac" "$top/config.mk.in" "$tree/"
cp "$top/tests/lab/deps.sh" "$tree/tests/lab/"
for tool in make sh bash id dirname sed tr cat rm mkdir; do
	ln -s "$(command -v $tool)" "$T/bin/$tool"
done
for tool in apt-get dpkg-query; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/called"\nexit 1\n' "$tool" "$T" >"$T/bin/$tool"
	chmod +x "$T/bin/$tool"
done
(cd "$tree" && env -i PATH="$T/bin" HOME="$T" make) >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -ne 0 ] && ok "make without the build's packages fails (exit $rc)" ||
	fail "make succeeded without autoconf"
[ -e "$T/called" ] && fail "make ran the package tools: $(cat "$T/called")" ||
	ok "no package tool run"
expect_err_line "autoconf not found: run 'sh tests/lab/deps.sh'" "make names the set-up command"
[ -e "$tree/config.mk" ] && fail "a config.mk was left" || ok "no config.mk left"
finish
