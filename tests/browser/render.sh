#!/bin/sh
# Render each fixture's report in headless Chromium and check that it
# worked: the page has the expected number of <svg> charts, and 1280x800
# screenshots of the page and of a standalone chart (--format svg) are not
# blank (pixel statistics from a tiny PNG decoder, Python standard
# library only). Exits 77 (skipped) without chromium or python3.
set -u

chromium=${CHROMIUM:-}
if [ -z "$chromium" ]; then
	for c in chromium chromium-browser google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then
			chromium=$c
			break
		fi
	done
fi
if [ -z "$chromium" ]; then
	echo "SKIP: chromium is not installed"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed"
	exit 77
fi
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
fixtures=$srcdir/tests/fixtures
bin=${DMRB_BIN:-./dmremap-bench}

if [ ! -x "$bin" ]; then
	echo "FAIL: $bin is not an executable (set DMRB_BIN)"
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dmrb-render.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# browser ARGS...: one headless Chromium with a throwaway profile.
browser() {
	profile=$(mktemp -d "$work/profile.XXXXXX")
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$profile" "$@" 2>>"$work/chromium.log"
}

# Width, height, luminance standard deviation and share of dark pixels.
pixel_stats() {
	python3 - "$1" <<'PY'
import struct, sys, zlib


def decode(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        sys.exit('not a PNG')
    pos, idat, hdr = 8, [], None
    while pos + 8 <= len(data):
        n, typ = struct.unpack('>I4s', data[pos:pos + 8])
        if typ == b'IHDR':
            hdr = struct.unpack('>IIBBBBB', data[pos + 8:pos + 21])
        elif typ == b'IDAT':
            idat.append(data[pos + 8:pos + 8 + n])
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit('unsupported PNG (depth %d, colour type %d)' % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b''.join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        base = y * (stride + 1)
        f = raw[base]
        cur = bytearray(raw[base + 1:base + 1 + stride])
        if f == 1:
            for i in range(bpp, stride):
                cur[i] = (cur[i] + cur[i - bpp]) & 255
        elif f == 2:
            cur = bytearray((a + b) & 255 for a, b in zip(cur, prev))
        elif f == 3:
            for i in range(stride):
                left = cur[i - bpp] if i >= bpp else 0
                cur[i] = (cur[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(cur)
        prev = cur
    return w, h, bpp, rows


w, h, bpp, rows = decode(sys.argv[1])
n = s = ss = ink = 0
for row in rows:
    for i in range(0, len(row), bpp):
        v = (row[i] * 3 + row[i + 1] * 6 + row[i + 2]) // 10
        n += 1
        s += v
        ss += v * v
        ink += v < 200
mean = s / n
print(w, h, round((ss / n - mean * mean) ** 0.5, 2), round(ink / n, 4))
PY
}

# not_blank PNG WHAT: a screenshot of the right size with something drawn.
not_blank() {
	if [ ! -s "$1" ]; then
		fail "$2: no screenshot"
		return
	fi
	stats=$(pixel_stats "$1") || {
		fail "$2: unreadable screenshot"
		return
	}
	set -- "$1" "$2" $stats
	if [ "$3" != 1280 ] || [ "$4" != 800 ]; then
		fail "$2: screenshot is ${3}x$4, not 1280x800"
	elif ! awk -v sd="$5" -v ink="$6" 'BEGIN { exit !(sd > 8 && ink > 0.002) }'; then
		fail "$2: blank screenshot (deviation $5, dark share $6)"
	else
		echo "ok: $2 (deviation $5, dark share $6)"
	fi
}

svg_count() {
	grep -o '<svg' "$1" | wc -l | tr -d ' '
}

# check NAME BASELINE CHARTS: the report of NAME (against BASELINE, or -).
check() {
	name=$1 base=$2 want=$3
	tag=$name
	set -- "$fixtures/$name.json"
	if [ "$base" != - ]; then
		tag=$name-vs-$base
		set -- "$@" --baseline "$fixtures/$base.json"
	fi
	html=$work/$tag.html
	if ! "$bin" report -q "$@" -o "$html"; then
		fail "$tag: dmremap-bench report failed"
		return
	fi
	got=$(svg_count "$html")
	[ "$got" = "$want" ] || fail "$tag: $got <svg> charts in the HTML, want $want"
	browser --window-size=1280,800 --screenshot="$work/$tag.png" "file://$html" >/dev/null ||
		fail "$tag: the screenshot failed"
	not_blank "$work/$tag.png" "$tag page"

	if ! "$bin" report -q "$@" --format svg -o "$work/$tag-svg"; then
		fail "$tag: dmremap-bench report --format svg failed"
		return
	fi
	got=$(ls "$work/$tag-svg" | grep -c '\.svg$')
	[ "$got" = "$want" ] || fail "$tag: $got .svg files, want $want"
	# The last chart: percentiles, scale steps or comparison bars.
	last=$(ls "$work/$tag-svg" | tail -n 1)
	browser --window-size=1280,800 --screenshot="$work/$tag-chart.png" \
		"file://$work/$tag-svg/$last" >/dev/null || fail "$tag: the chart screenshot failed"
	not_blank "$work/$tag-chart.png" "$tag chart $last"
}

# Fixture, baseline, charts: time series (3), percentiles, scale (2), bars (2).
while read -r name base charts; do
	check "$name" "$base" "$charts"
done <<'LIST'
concurrency - 4
endurance - 4
scale - 6
mixed - 4
comparison - 6
comparison concurrency 6
LIST

if [ "$failures" -gt 0 ]; then
	echo "$failures failure(s); chromium said:"
	tail -n 20 "$work/chromium.log"
	exit 1
fi
exit 0
