# shellcheck shell=bash
#
# callers_fetch.sh - the real programs that call /usr/sbin/sendmail, for
# t_callers_postfix.sh.  Sourced after tests/lab/lab.sh, and called before
# lab_netns (apt needs the network; the test's namespace has none).
#
# Those that depend on an MTA (bsd-mailx, logwatch: default-mta |
# mail-transport-agent) must never be installed: that would pull exim4 or
# postfix and replace /usr/sbin/sendmail.  Those are only extracted with
# dpkg -x into $CALLERS_ROOT (like lab_fetch does with postfix), and so
# are the mail readers that recommend or suggest one (mailutils, mutt,
# neomutt; mailutils' library would also pull guile), cron (only read:
# its mailer command and From default), and unattended-upgrades, anacron
# and at (their maintainer scripts would enable a service).  Only plain
# runtime libraries, and callers that install without an MTA (git-email,
# php-cli, sudo), are installed with apt-get; every install is simulated first
# and refused if it would bring a package that provides
# mail-transport-agent.
#
#   callers_fetch       fetch what every caller needs; quick when all is
#                       there.  For a caller that cannot be had, exports
#                       CALLERS_SKIP_<id>="reason" (which survives the
#                       re-exec into the namespace); returns 0 regardless.
#   callers_root        prints $CALLERS_ROOT
#
# Caller ids: bsdmailx mailutils mutt neomutt git php cron logwatch uu
# anacron at sudo.

: "${CALLERS_ROOT:=$LAB_TOP/build/lab/callers-root}"

# id|packages to extract|packages to install (runtime libraries, tools)
CALLERS_SPEC=(
	"bsdmailx|bsd-mailx|liblockfile1"
	"mailutils|mailutils libmailutils9|libmariadb3"
	"mutt|mutt|libgpgme11 libtokyocabinet9"
	"neomutt|neomutt|libgpgme11 libtokyocabinet9 libnotmuch5 liblua5.4-0 libidn12"
	"git||git git-email libmailtools-perl"
	"php||php-cli"
	"cron|cron|"
	"logwatch|logwatch|perl"
	"uu|unattended-upgrades|python3 python3-apt python3-distro-info lsb-release"
	"anacron|anacron|"
	"at|at|"
	"sudo||sudo"
)

callers_root() { printf '%s\n' "$CALLERS_ROOT"; }

_callers_err() { echo "callers: $*" >&2; }

# _callers_missing PKG... : print those of PKG that dpkg does not report as
# installed.
_callers_missing() {
	local p have
	have=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
		sed -n 's/ installed$//p')
	for p in "$@"; do
		case $'\n'$have$'\n' in *$'\n'"$p"$'\n'*) ;; *) printf '%s\n' "$p" ;; esac
	done
}

# _callers_install PKG... : apt-get install those missing, unless that would
# install an MTA (anything providing mail-transport-agent).
_callers_install() {
	local -a missing
	local sim mtas p
	mapfile -t missing < <(_callers_missing "$@")
	[ ${#missing[@]} -eq 0 ] && return 0
	export DEBIAN_FRONTEND=noninteractive
	sim=$(apt-get install -s -q --no-install-recommends "${missing[@]}" 2>&1) || {
		apt-get update -qq >&2 || return 1
		sim=$(apt-get install -s -q --no-install-recommends "${missing[@]}" 2>&1) || {
			_callers_err "apt-get cannot install ${missing[*]}: $(tail -1 <<<"$sim")"
			return 1
		}
	}
	mtas=$(apt-cache showpkg mail-transport-agent 2>/dev/null |
		sed -n '/^Reverse Provides:/,$p' | awk 'NR > 1 { print $1 }' | sort -u)
	for p in $(sed -n 's/^Inst \([^ ]*\) .*/\1/p' <<<"$sim"); do
		if grep -qxF "$p" <<<"$mtas" || [ "$p" = default-mta ]; then
			_callers_err "refusing to install ${missing[*]}: it would install the MTA $p"
			return 1
		fi
	done
	echo "callers: installing ${missing[*]}" >&2
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# _callers_extract PKG... : dpkg -x each package not yet extracted into
# $CALLERS_ROOT (one marker per package: $CALLERS_ROOT/.deb/PKG holds its
# version).  Serialised with flock for parallel test runs.
_callers_extract() {
	local p need=()
	for p in "$@"; do
		[ -s "$CALLERS_ROOT/.deb/$p" ] || need+=("$p")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	mkdir -p "$(dirname "$CALLERS_ROOT")" || return 1
	(
		exec 9>"$CALLERS_ROOT.lock"
		flock -w 300 9 || { _callers_err "timeout waiting for $CALLERS_ROOT.lock"; exit 1; }
		mkdir -p "$CALLERS_ROOT/.deb" || exit 1
		tmp=$(mktemp -d "$CALLERS_ROOT.tmp.XXXXXX") || exit 1
		trap 'rm -rf "$tmp"' EXIT
		# apt-get download fetches as user _apt when it can write there.
		chmod 755 "$tmp"
		chown _apt "$tmp" 2>/dev/null || true
		for p in "${need[@]}"; do
			[ -s "$CALLERS_ROOT/.deb/$p" ] && continue
			_lab_download "$tmp" "$p" || exit 1
			deb=$(ls "$tmp/${p}_"*.deb 2>/dev/null | head -1)
			[ -n "$deb" ] || { _callers_err "apt-get download $p gave no .deb"; exit 1; }
			rm -rf "$tmp/x"
			dpkg -x "$deb" "$tmp/x" || exit 1
			cp -a "$tmp/x/." "$CALLERS_ROOT/" || exit 1
			dpkg-deb -f "$deb" Version >"$CALLERS_ROOT/.deb/$p.tmp" &&
				mv "$CALLERS_ROOT/.deb/$p.tmp" "$CALLERS_ROOT/.deb/$p" || exit 1
			rm -f "$deb"
		done
	)
}

callers_fetch() {
	local spec id ext inst
	local -a e i
	for spec in "${CALLERS_SPEC[@]}"; do
		IFS='|' read -r id ext inst <<<"$spec"
		read -r -a e <<<"$ext"
		read -r -a i <<<"$inst"
		unset "CALLERS_SKIP_$id"
		if [ ${#i[@]} -gt 0 ] && ! _callers_install "${i[@]}"; then
			export "CALLERS_SKIP_$id=cannot install ${i[*]} (see above)"
			continue
		fi
		if [ ${#e[@]} -gt 0 ] && ! _callers_extract "${e[@]}"; then
			export "CALLERS_SKIP_$id=cannot download/extract ${e[*]} (see above)"
			continue
		fi
	done
	return 0
}
