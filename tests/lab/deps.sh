#!/bin/sh
# deps.sh - install every Debian package carrier needs to build and test,
# then extract Postfix for the integration lab (lab_fetch in lab.sh).
#
# Idempotent and quick when everything is present: it asks dpkg-query
# first and runs apt-get only for what is missing (apt-get update only if
# an install fails, e.g. on a machine with stale or no package lists).
# POSIX sh, so both "sh tests/lab/deps.sh" and "bash ..." work.  Root only.
set -u

here=$(cd "$(dirname "$0")" && pwd)

# build: autoconf make gcc pkg-config libtls-dev
# unit tests: check libsubunit-dev
# docs/lint: mandoc groff-base cppcheck
# integration lab: iproute2 (ip, ss) util-linux (unshare, setpriv, flock,
#   script) python3 procps, time (/usr/bin/time -v), strace (counts the
#   files -bs opens) and dnsmasq-base (a DNS server for the tests),
#   openssl (lab_ca's test CA and certificates), nftables (nft:
#   lab_tcp_drop black-holes an MX host's SYNs, lab_syn_watch counts
#   connection attempts, in the test's own network namespace only), and
#   the runtime libraries of nsd, the authoritative DNS server of
#   tests/lab/dns.sh that serves the MX tests' zones: libevent-2.1-7
#   libfstrm0 libprotobuf-c1 libsystemd0 (nsd itself is only extracted,
#   like postfix: installing it would start an nsd service on port 53),
#   the runtime libraries of postfix, and the Cyrus SASL plugins its SMTP
#   AUTH loads: libsasl2-modules (PLAIN, LOGIN) and libsasl2-modules-db
#   (the sasldb auxprop), plain libraries.  saslpasswd2 is not installed
#   from sasl2-bin (that would add the saslauthd service): lab_fetch
#   extracts it, like postfix.
# sendmail callers (t_callers_postfix): git-email with libmailtools-perl,
#   php-cli, python3-apt python3-distro-info lsb-release (what
#   unattended-upgrades imports), perl (logwatch), and the runtime libraries
#   of the callers that are only extracted because they depend on an MTA
#   or on heavy packages (callers_fetch.sh): liblockfile1 (bsd-mailx),
#   libmariadb3 (mailutils), libgpgme11 libtokyocabinet9 (mutt), libnotmuch5
#   liblua5.4-0 libidn12 (neomutt).  None of them pulls an MTA.
PKGS="autoconf make gcc pkg-config libtls-dev check libsubunit-dev
mandoc groff-base cppcheck iproute2 util-linux python3 procps time strace
dnsmasq-base openssl nftables libevent-2.1-7 libfstrm0 libprotobuf-c1
libsystemd0 libdb5.3 libicu72 libnsl2 libsasl2-2 libssl3 netbase
libsasl2-modules libsasl2-modules-db
git git-email libmailtools-perl php-cli perl python3-apt python3-distro-info
lsb-release liblockfile1 libmariadb3 libgpgme11 libtokyocabinet9 libnotmuch5
liblua5.4-0 libidn12"

# the Debian package (make deb, t_deb): debhelper (dh, compat 13),
#   dpkg-dev (dpkg-buildpackage), fakeroot, lintian; adduser and passwd
#   (the package's maintainer scripts make and delete its group);
#   libgsasl18, a runtime library of the extracted mailutils' mail
#   (t_deb's and t_callers_postfix's "mail -s")
PKGS="$PKGS
debhelper dpkg-dev fakeroot lintian adduser passwd libgsasl18"

# DNSSEC lab (tests/lab/dnssec.sh, for DANE): ldnsutils (ldns-keygen,
#   ldns-signzone: sign the test zones at test time; plain tools), and
#   the runtime libraries of unbound, the validating resolver, that the
#   list above lacks: libnghttp2-14 libpython3.11 (unbound itself is only
#   extracted, like nsd: installing it would start an unbound service on
#   port 53; the daemon does not link libunbound8)
PKGS="$PKGS
ldnsutils libnghttp2-14 libpython3.11"

# One dpkg-query for all of them ("name installed" lines).
# shellcheck disable=SC2086 # word splitting intended
have=" $(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $PKGS 2>/dev/null |
	sed -n 's/ installed$//p' | tr '\n' ' ')"
missing=
for p in $PKGS; do
	case $have in *" $p "*) ;; *) missing="$missing $p" ;; esac
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	echo "deps.sh: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # word splitting intended
	if ! apt-get install -y -q --no-install-recommends $missing >&2; then
		apt-get update -qq >&2 || exit 1
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing >&2 || exit 1
	fi
fi

# The lab itself (needs bash): extract postfix, and saslpasswd2 from
# sasl2-bin, into build/lab/postfix-root, nsd into build/lab/nsd-root and
# unbound into build/lab/unbound-root.
if [ "$(id -u)" = 0 ]; then
	# shellcheck disable=SC2016 # expanded by bash
	exec bash -c '. "$1/lab.sh" && . "$1/dns.sh" && . "$1/dnssec.sh" &&
		lab_fetch && dns_fetch && dnssec_fetch' deps "$here"
fi
echo "deps.sh: not root; skipping the Postfix lab extraction" >&2
exit 0
