#!/bin/sh
# A before/after performance gate for CI, as in dmremap-bench-baseline(1).
#
#   ci-gate.sh save  NAME [dmremap-bench options...]
#       Run the workload once, on the known-good build, and store its result
#       as baseline NAME.
#   ci-gate.sh check NAME [dmremap-bench options...]
#       Run the same workload on the build under test and compare it with
#       baseline NAME; the exit status says whether the gate passed.
#
# Give both steps the same options (the target, the workload, its duration):
# dmremap-bench refuses to compare runs whose workload parameters differ.
# The seed is fixed, so both runs issue the same offsets.
#
# Environment:
#   DMREMAP_BENCH      the program (default: dmremap-bench from PATH)
#   GATE_COMMAND       the run command (default: concurrency)
#   GATE_SEED          the seed of both runs (default: 1)
#   GATE_RESULT        where the JSON result of the run goes
#                      (default: ./dmremap-bench-gate.json)
#   DMREMAP_BENCH_BASELINE_DIR
#                      the baseline store, read by dmremap-bench itself
#                      (default: /var/lib/dmremap-bench/baselines for root)
#
# Exit status of "check": 0 pass, 1 regression, 2 refused or bad setup
# (missing baseline, different workload parameters, bad option), 3 the run
# had I/O or verification errors, 4 the system refused a resource, 130/143
# interrupted. "save" exits with dmremap-bench's status; a run with errors
# is not stored.
#
# Example, for a dm-remap device and a 2-minute random read workload:
#   ci-gate.sh save  remap-randread --target /dev/mapper/remap0 \
#       --rw randread --duration 2m --force
#   ... build and load the new module ...
#   ci-gate.sh check remap-randread --target /dev/mapper/remap0 \
#       --rw randread --duration 2m --force

set -u

usage() {
	echo "usage: $0 save|check NAME [dmremap-bench options...]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
action=$1
name=$2
shift 2

bench=${DMREMAP_BENCH:-dmremap-bench}
command=${GATE_COMMAND:-concurrency}
seed=${GATE_SEED:-1}
result=${GATE_RESULT:-./dmremap-bench-gate.json}

if ! command -v "$bench" >/dev/null 2>&1; then
	echo "error: $bench not found (install it or set DMREMAP_BENCH)" >&2
	exit 2
fi

# List the metrics that regressed, from the JSON result; needs jq.
show_regressions() {
	command -v jq >/dev/null 2>&1 || return 0
	jq -r '.comparison.metrics[]? | select(.verdict == "regression") |
		"  \(.group) \(.dir) \(.metric): \(.change_pct * 10 | round / 10)% (\(.reason))"' \
		"$result" 2>/dev/null
}

case $action in
save)
	# --save-baseline stores the full JSON result, whatever the format;
	# the file in GATE_RESULT is a copy for the CI artifacts.
	rc=0
	"$bench" "$command" --seed "$seed" --save-baseline "$name" \
		-o "$result" --output-format json "$@" || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "gate: baseline '$name' saved"
	else
		echo "gate: baseline '$name' NOT saved (dmremap-bench exit status $rc)" >&2
	fi
	exit "$rc"
	;;
check)
	# Never add --save-baseline here: it would store this run's result even
	# when the comparison regressed, and the next check would pass.
	rc=0
	"$bench" "$command" --seed "$seed" --baseline "$name" \
		-o "$result" --output-format json "$@" || rc=$?
	case $rc in
	0)
		echo "gate: PASS against baseline '$name'"
		;;
	1)
		echo "gate: FAIL, performance regressed against baseline '$name':" >&2
		show_regressions >&2
		;;
	2)
		echo "gate: ERROR, no comparison: bad options, no baseline '$name'," \
			"or different workload parameters (see above)" >&2
		;;
	3)
		echo "gate: FAIL, the run had I/O or verification errors" >&2
		;;
	4)
		echo "gate: ERROR, the system refused a resource the run needed" >&2
		;;
	130 | 143)
		echo "gate: interrupted" >&2
		;;
	*)
		echo "gate: ERROR, dmremap-bench exited with status $rc" >&2
		;;
	esac
	exit "$rc"
	;;
*)
	usage
	;;
esac
