#!/bin/sh
# report --format hdr read back by independent readers: HdrHistogram's own
# HistogramLogProcessor (Java; Debian's libhdrhistogram-java) and
# hdr-histogram-js (the TypeScript port, from npm). Every interval must hold
# the result's counts, and its percentiles lie in the result's buckets
# (tests/hdr/compare_hlog.py). Each reader that is missing is skipped;
# without both (or without python3) the test exits 77. hdr-histogram-js:
#   npm install --prefix /some/dir hdr-histogram-js
#   NODE_PATH=/some/dir/node_modules make check TESTS=tests/hdr/check_hdr_readers.sh
set -u

jar=${HDRHISTOGRAM_JAR:-/usr/share/java/hdrhistogram.jar}
java_ok=false node_ok=false
if command -v java >/dev/null 2>&1 && [ -r "$jar" ]; then
	java_ok=true
fi
if command -v node >/dev/null 2>&1 && node -e 'require("hdr-histogram-js")' >/dev/null 2>&1; then
	node_ok=true
fi
if ! $java_ok && ! $node_ok; then
	echo "SKIP: no HdrHistogram reader (libhdrhistogram-java with java, or the npm module hdr-histogram-js)"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed"
	exit 77
fi
$java_ok || echo "note: no java or $jar: HistogramLogProcessor not run"
$node_ok || echo "note: hdr-histogram-js not found (NODE_PATH): not run"
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${DMRB_BIN:-./dmremap-bench}
here=$srcdir/tests/hdr
work=$(mktemp -d "${TMPDIR:-/tmp}/dmrb-hdr.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
scratch=/dev/shm
[ -w "$scratch" ] || scratch=$work

# Results of today's runs: --repeat (one interval per run) and a mixed workload (per phase).
"$bin" concurrency --duration 2 --ops 8 --repeat 2 --size 64M --scratch-dir "$scratch" \
	--no-dm -q --output-format json -o "$work/repeat.json" || exit 1
"$bin" workload mixed --duration 3 --intensity light --size 64M --scratch-dir "$scratch" \
	--no-dm -q --output-format json -o "$work/mixed.json" || exit 1

rc=0
for f in "$work/repeat.json" "$work/mixed.json" "$srcdir/tests/fixtures/concurrency.json" \
	"$srcdir/tests/fixtures/mixed.json" "$srcdir/tests/fixtures/scale.json"; do
	"$bin" report -q --format hdr "$f" -o "$work/log.hlog" || { rc=1; continue; }
	if $java_ok; then
		for tag in "" read write; do
			java -cp "$jar" org.HdrHistogram.HistogramLogProcessor -i "$work/log.hlog" -csv \
				${tag:+-tag "$tag"} -outputValueUnitRatio 1 -o "$work/proc" \
				>"$work/proc.out" 2>&1 || { cat "$work/proc.out"; rc=1; continue; }
			python3 "$here/compare_hlog.py" --processor "$tag" "$f" "$work/proc" || rc=1
		done
	fi
	if $node_ok; then
		node "$here/read_hlog.js" "$work/log.hlog" >"$work/decoded.jsonl" || { rc=1; continue; }
		python3 "$here/compare_hlog.py" "$f" "$work/decoded.jsonl" || rc=1
	fi
done
exit $rc
