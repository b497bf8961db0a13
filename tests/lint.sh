#!/bin/sh
# lint.sh: static checks run by "make lint" (and so by "make check"):
# banned calls, cppcheck, and the man pages through mandoc -T lint.
set -u
cd "$(dirname "$0")/.." || exit 1
rc=0

# 1. Calls STYLE.md rules out (word match, comments ignored loosely).
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

[ $rc -eq 0 ] && echo "lint: ok"
exit $rc
