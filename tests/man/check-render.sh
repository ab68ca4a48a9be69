#!/bin/sh
# Every manual page as man(1) shows it (man-db and groff, 80 columns), not
# only as mandoc -Tlint sees it. Fails on:
#   - groff's warnings, as lintian asks for them (a line that cannot be
#     broken, a table cell that overflows);
#   - a header or footer that says "BSD", or a title cut to "...";
#   - a line wider than the page (unless the page says render-check: wide-ok);
#   - a word groff made that mandoc's rendering of the same page does not
#     have: a table cell run into the next one ("throughput_bpsof").
# Usage: check-render.sh [PAGE...] (default: man/*.1 of the source tree).
# Exits 77 (skipped) without man, mandoc or col.
set -u
export LC_ALL=C.UTF-8

for tool in man mandoc col; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ $# -eq 0 ]; then
	set -- "$srcdir"/man/*.1
fi
width=80
work=$(mktemp -d "${TMPDIR:-/tmp}/dmrb-man.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# The words of a rendering, one a line: groff's hyphenation at line ends
# (U+2010) undone, and words cut after each '-', so that where a line
# breaks at a hyphen does not matter; words without a letter or digit left
# out (the NAME dash).
words() {
	awk '
	{
		line = $0
		if (carry != "") { sub(/^[ \t]+/, "", line); line = carry line; carry = "" }
		if (match(line, /[^ \t]+‐$/)) {
			carry = substr(line, RSTART, RLENGTH - length("‐"))
			line = substr(line, 1, RSTART - 1)
		}
		print line
	}
	END { if (carry != "") print carry }' | sed 's/-/-\n/g' | tr -s ' \t' '\n\n' |
		grep '[[:alnum:]]' | sort -u
}

for page in "$@"; do
	name=$(basename "$page")
	title=$(sed -n 's/^\.Dt \([^ ]*\) \([0-9]\).*/\1(\2)/p' "$page")
	[ -n "$title" ] || { fail "$name: no .Dt line"; continue; }

	MANWIDTH=$width man --warnings -E UTF-8 -l -Tutf8 -Z "$page" >/dev/null 2>"$work/warn"
	if [ -s "$work/warn" ]; then
		fail "$name: groff warns: $(tr '\n' ' ' <"$work/warn")"
	fi

	MANWIDTH=$width man -l "$page" 2>/dev/null | col -bx >"$work/groff"
	head=$(sed -n 1p "$work/groff")
	foot=$(sed -n '$p' "$work/groff")
	case $head in
	"$title "*" $title") ;;
	*) fail "$name: header '$head' does not show $title at both ends" ;;
	esac
	case "$head $foot" in
	*BSD*) fail "$name: header or footer says BSD: '$head' / '$foot'" ;;
	esac
	grep -n ".\{$((width + 1)),\}" "$work/groff" >"$work/wide"
	# A page may show program output wider than the page on purpose, and
	# say so in a comment: .\" render-check: wide-ok (why)
	if [ -s "$work/wide" ] && ! grep -q '^\.\\" render-check: wide-ok' "$page"; then
		fail "$name: lines wider than $width columns: $(head -n 3 "$work/wide" | tr '\n' ' ')"
	fi

	mandoc -Tutf8 -Owidth=$((width - 2)) "$page" | col -bx >"$work/mandoc"
	sed '1d;$d' "$work/groff" | words >"$work/groff.words"
	sed '1d;$d' "$work/mandoc" | words >"$work/mandoc.words"
	fused=$(comm -23 "$work/groff.words" "$work/mandoc.words")
	if [ -n "$fused" ]; then
		fail "$name: words only groff's rendering has (cells run together?): $(echo $fused)"
	fi
done

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "ok: $# pages render cleanly in man and mandoc"
