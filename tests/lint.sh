#!/bin/sh
# lint.sh: static checks run by "make lint" (and so by "make check"):
# banned calls, cppcheck, the man pages through mandoc -T lint, and what
# carrier(8) and mailq(1) must show.
set -u
cd "$(dirname "$0")/.." || exit 1
rc=0

# 1. Calls carrier's code never uses (the unsafe string and number
#    functions; word match, comments ignored loosely).
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|alloca)[[:space:]]*\('
if grep -nE "$banned" lib/*.c lib/compat/*.c cmd/*.c | grep -vE '^\S+:[0-9]+:\s*(/\*|\*)'; then
	echo "lint: banned call(s) above" >&2
	rc=1
fi

# 2. cppcheck: real errors only (style noise is not a gate).
if command -v cppcheck >/dev/null 2>&1; then
	if ! cppcheck --quiet --error-exitcode=1 --std=c11 \
	    --enable=warning,portability --inline-suppr \
	    --suppress=missingIncludeSystem -I lib -I . \
	    lib cmd 2>&1; then
		echo "lint: cppcheck found problems" >&2
		rc=1
	fi
else
	echo "lint: cppcheck not installed, skipped" >&2
fi

# 3. Man pages: mandoc's lint (warnings and worse fail).
if command -v mandoc >/dev/null 2>&1; then
	for m in man/*.[0-9]; do
		out=$(mandoc -T lint -W warning "$m" 2>&1)
		if [ -n "$out" ]; then
			printf '%s\n' "$out"
			rc=1
		fi
	done
else
	echo "lint: mandoc not installed, skipped" >&2
fi

# 4. Layers: a lib/ module includes only its own layer or lower.  The
#    table is README's "Layout" (L0 ... L4, the modules after each, words
#    in parentheses aside); carrier.h is the top, config.h and compat.h
#    the bottom.  A module missing from the table is an error too.
layers=$(sed -n '/^ *lib\/  *libcarrier, layered/,/-> lib\/carrier.h/p' README |
	tr '\n' ' ' | sed 's/([^)]*)//g; s/-> lib\/carrier.h.*//' |
	grep -oE 'L[0-4] [a-z0-9_, ]+' |
	awk '{ l = substr($1, 2); for (i = 2; i <= NF; i++) { m = $i; sub(/,$/, "", m); if (m != "") print m, l } }')
layer_of() {
	case $1 in
	carrier) echo 4 ;;
	config|compat) echo 0 ;;
	*) printf '%s\n' "$layers" | awk -v m="$1" '$1 == m { print $2; exit }' ;;
	esac
}
if [ -z "$layers" ]; then
	echo "lint: no layer table in README (Layout)" >&2
	rc=1
fi
for f in lib/*.c lib/*.h; do
	m=$(basename "$f"); m=${m%.*}
	lm=$(layer_of "$m")
	if [ -z "$lm" ]; then
		echo "lint: $f: module $m has no layer in README (Layout)" >&2
		rc=1
		continue
	fi
	for inc in $(sed -n 's/^#include "\([a-z0-9_]*\)\.h".*/\1/p' "$f"); do
		li=$(layer_of "$inc")
		if [ -z "$li" ] || [ "$li" -gt "$lm" ]; then
			echo "lint: $f (L$lm) includes $inc.h (L${li:-?})" >&2
			rc=1
		fi
	done
done

# 5. What the man pages must show (mandoc renders them).
if command -v mandoc >/dev/null 2>&1; then
	page=$(mandoc -T ascii man/carrier.8 | col -b)
	section() { printf '%s\n' "$page" | sed -n "/^$1\$/,/^[A-Z][A-Z ]*\$/p"; }
	for want in '-q[time], -qRsubstr' '-R host[:port], --relay=host[:port]'; do
		printf '%s\n' "$page" | grep -qF -- "$want" ||
			{ echo "lint: carrier.8 does not render \"$want\"" >&2; rc=1; }
	done
	for opt in '-L tag' '-h count' '-oApath'; do
		section SYNOPSIS | grep -qF -- "[$opt]" ||
			{ echo "lint: carrier.8: $opt not in the SYNOPSIS" >&2; rc=1; }
	done
	codes=$(section 'EXIT STATUS' | sed -n 's/^ *\([0-9][0-9]*\) (EX_.*/\1/p')
	[ -n "$codes" ] && [ "$codes" = "$(printf '%s\n' "$codes" | sort -n)" ] ||
		{ echo "lint: carrier.8: exit statuses not in numeric order:" $codes >&2; rc=1; }
	for rfc in $(grep -oh 'RFC [0-9]*' lib/*.[ch] | sort -u | sed 's/RFC //'); do
		section STANDARDS | tr -s ' \n' '  ' | grep -q "RFC $rfc[^0-9]" ||
			{ echo "lint: carrier.8: RFC $rfc (cited in lib/) not in STANDARDS" >&2; rc=1; }
	done
	for s in BUGS 'USING CARRIER AS THE SYSTEM SENDMAIL'; do
		printf '%s\n' "$page" | grep -q "^$s\$" ||
			{ echo "lint: carrier.8 has no $s section" >&2; rc=1; }
	done
	if grep -nE '^\.It Cm [a-z_]+ Cm (on \| off|true \| false)$' man/carrier.conf.5; then
		echo "lint: carrier.conf.5: a boolean not spelled yes | no" >&2
		rc=1
	fi
	# mailq(1) describes the queue carrier keeps (it once said there
	# was none): no such claim, and what the listing prints (the
	# words of cmd/carrier.c's mailq) is on the page.
	mq=$(mandoc -T ascii man/mailq.1 | col -b | tr -s ' \n' '  ')
	if printf '%s\n' "$mq" | grep -qiE '(keeps|has) no queue|no queue is kept'; then
		echo "lint: mailq.1 says carrier keeps no queue" >&2
		rc=1
	fi
	for w in 'Queue ID' 'not tried yet' 'undeliverable:' 'Mail queue is empty'; do
		grep -qF -- "$w" cmd/carrier.c && printf '%s\n' "$mq" | grep -qF -- "$w" ||
			{ echo "lint: mailq.1 or cmd/carrier.c lacks \"$w\"" >&2; rc=1; }
	done
fi

[ $rc -eq 0 ] && echo "lint: ok"
exit $rc
