#!/bin/sh
# report --format hdr read back by an independent reader: hdr-histogram-js,
# the TypeScript port of HdrHistogram (npm). Every histogram of the log
# must hold the result's counts in the same buckets. Exits 77 (skipped)
# without node, the module or python3. To run it:
#   npm install --prefix /some/dir hdr-histogram-js
#   NODE_PATH=/some/dir/node_modules make check TESTS=tests/hdr/check_hdr_js.sh
set -u

if ! command -v node >/dev/null 2>&1; then
	echo "SKIP: node is not installed"
	exit 77
fi
if ! node -e 'require("hdr-histogram-js")' >/dev/null 2>&1; then
	echo "SKIP: the npm module hdr-histogram-js is not found (set NODE_PATH)"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed"
	exit 77
fi
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${DMRB_BIN:-./dmremap-bench}
here=$srcdir/tests/hdr
work=$(mktemp -d "${TMPDIR:-/tmp}/dmrb-hdrjs.XXXXXX") || exit 1
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
	node "$here/read_hlog.js" "$work/log.hlog" >"$work/decoded.jsonl" || { rc=1; continue; }
	python3 "$here/compare_hlog.py" "$f" "$work/decoded.jsonl" || rc=1
done
exit $rc
