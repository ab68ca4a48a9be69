#!/bin/sh
# The JSON Schema of dmremap-bench's documents (schema/dmremap-bench.schema.json)
# against every fixture in tests/fixtures and the documents each command
# writes: every run command briefly on a scratch file (concurrency alone,
# with --repeat, --reference and --verify; each workload; scale; endurance
# stopped by SIGTERM), a stored baseline history, a run compared with it,
# compare's document, and validate's (made by tests/schema/mkdoc_validate
# with the code that writes it: validate needs device-mapper). Then hollow
# and mistyped variants must be refused (tests/schema/validate.py).
# Exits 77 (skipped) without python3's jsonschema (Debian: python3-jsonschema).
set -u

py=${PYTHON:-python3}
if ! "$py" -c 'import jsonschema' >/dev/null 2>&1; then
	echo "SKIP: python3-jsonschema is not installed"
	exit 77
fi
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${DMRB_BIN:-./dmremap-bench}
builddir=$(cd "$(dirname "$bin")" && pwd)
schema=$srcdir/schema/dmremap-bench.schema.json
work=$(mktemp -d "${TMPDIR:-/tmp}/dmrb-schema.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
scratch=/dev/shm
[ -w "$scratch" ] || scratch=$work
s="--scratch-dir $scratch --size 64M --no-dm -q --output-format json"
export DMREMAP_BENCH_BASELINE_DIR="$work/baselines"
fail=0

# run NAME EXPECTED-STATUS ARGS...: one command, its document to $work/NAME.json
run() {
	name=$1 want=$2
	shift 2
	"$bin" "$@" -o "$work/$name.json" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: $name: dmremap-bench $* exited $rc (want $want): $(head -c 300 "$work/$name.err")"
		fail=1
	fi
}

run concurrency 0 concurrency --duration 1 --ops 8 $s
run repeat 0 concurrency --duration 1 --ops 8 --repeat 2 $s
truncate -s 64M "$work/ref.img"
run reference 0 concurrency --duration 2 --ops 8 --reference "$work/ref.img" $s
run verify 0 concurrency --duration 1 --ops 8 --verify --verify-state "$work/vstate" $s
for w in database file_server virtualization mixed; do
	run "workload-$w" 0 workload "$w" --duration 3 --intensity light $s
done
run scale 0 scale --dataset 10G --steps 2 --duration 2 --iodepth 4 $s
run saved 0 concurrency --duration 1 --ops 8 --save-baseline schema-hist $s
run saved2 0 concurrency --duration 1 --ops 8 --save-baseline schema-hist --repeat 2 $s
run compared 0 concurrency --duration 1 --ops 8 --baseline schema-hist --allow-mismatch \
	--threshold 1000 $s
"$bin" compare "$work/concurrency.json" "$work/repeat.json" -o "$work/compare.json" \
	--threshold 1000 >/dev/null 2>"$work/compare.err"
[ -s "$work/compare.json" ] || { echo "FAIL: compare wrote no document: $(cat "$work/compare.err")"; fail=1; }
cp "$DMREMAP_BENCH_BASELINE_DIR/schema-hist.json" "$work/baseline.json" ||
	{ echo "FAIL: --save-baseline stored no history"; fail=1; }
# endurance runs a minute at least: its document as a signal leaves it.
"$bin" endurance --duration 1m --interval 1s --intensity light $s -o "$work/endurance.json" \
	>/dev/null 2>"$work/endurance.err" &
pid=$!
sleep 4
kill -TERM "$pid" 2>/dev/null
wait "$pid"
[ -s "$work/endurance.json" ] || { echo "FAIL: endurance wrote no document: $(cat "$work/endurance.err")"; fail=1; }
"$builddir/tests/schema/mkdoc_validate" "$work/validate.json" || fail=1

# Fresh documents first: the mutations apply to the first that has what they change.
"$py" "$srcdir/tests/schema/validate.py" "$schema" "$work"/*.json \
	"$srcdir"/tests/fixtures/*.json || fail=1
exit $fail
