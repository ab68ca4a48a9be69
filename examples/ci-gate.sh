#!/bin/sh
# A before/after performance gate for CI: the recipe of dmremap-bench-baseline(1).
#
#   ci-gate.sh save  NAME [dmremap-bench options...]
#       On the known-good build: measure GATE_REPEAT runs (default 5) and add
#       them to the history of baseline NAME, as one session. Run it in at
#       least three sessions (three CI jobs, or three invocations some minutes
#       apart) before the first check: the history then measures how far the
#       machine drifts from one session to the next, which the comparison
#       must tolerate.
#   ci-gate.sh check NAME [dmremap-bench options...]
#       On the build under test: measure GATE_REPEAT runs of the same workload
#       and compare them with the history of NAME; the exit status says
#       whether the gate passed.
#
# Give both steps the same options (the target, the workload, its duration):
# dmremap-bench refuses to compare, or to store, runs whose workload
# parameters differ. The seed is fixed, so every run issues the same offsets.
# A comparison tests runs, never the intervals of one run, so the number of
# runs matters more than their length: 5 against a history of 15 or more can
# find a change; 1 run cannot. The lines after the comparison table say how
# large a change this check could detect.
#
# On a shared or busy machine, set REFERENCE to an idle device of the same
# kind as the target: every run then alternates slices of the target and of
# the reference, and the gate acts on their ratio, which the machine's drift
# moves far less than absolute IOPS. Use it for save and check alike. (For a
# device-mapper stack built for the run, pass --compare-linear instead.)
#
# Environment:
#   DMREMAP_BENCH      the program (default: dmremap-bench from PATH)
#   GATE_COMMAND       the run command (default: concurrency)
#   GATE_SEED          the seed of every run (default: 1)
#   GATE_REPEAT        runs per save or check (default: 5)
#   REFERENCE          a device measured interleaved with the target
#                      (adds --reference REFERENCE; default: none)
#   GATE_RESULT        where the JSON result of the run goes
#                      (default: ./dmremap-bench-gate.json)
#   DMREMAP_BENCH_BASELINE_DIR
#                      the baseline store, read by dmremap-bench itself
#                      (default: /var/lib/dmremap-bench/baselines for root)
#
# Exit status of "check": 0 pass, 1 regression of a gate metric, 2 refused or
# bad setup (missing baseline, different workload parameters, bad option),
# 3 the run had I/O or verification errors, 4 the system refused a resource,
# 130/143 interrupted. "save" exits with dmremap-bench's status; a run with
# errors is not stored, and runs of another workload are refused (2).
#
# Example, for a dm-remap device and a 20-second random read workload:
#   for s in 1 2 3; do                        # known-good module, 3 sessions
#       ci-gate.sh save remap-randread --target /dev/mapper/remap0 \
#           --rw randread --duration 20s --force
#       sleep 600
#   done
#   ... build and load the new module ...
#   ci-gate.sh check remap-randread --target /dev/mapper/remap0 \
#       --rw randread --duration 20s --force

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
repeat=${GATE_REPEAT:-5}
reference=${REFERENCE:-}
result=${GATE_RESULT:-./dmremap-bench-gate.json}

if ! command -v "$bench" >/dev/null 2>&1; then
	echo "error: $bench not found (install it or set DMREMAP_BENCH)" >&2
	exit 2
fi

case $repeat in
'' | *[!0-9]*)
	echo "error: GATE_REPEAT '$repeat' is not a number of runs (allowed: 1-100)" >&2
	exit 2
	;;
esac

# --baseline-dir among the options, for "baseline show" (the environment
# variable reaches it by itself).
bldir=
prev=
for arg in "$@"; do
	case $prev in
	--baseline-dir) bldir=$arg ;;
	esac
	case $arg in
	--baseline-dir=*) bldir=${arg#--baseline-dir=} ;;
	esac
	prev=$arg
done

# The sessions in NAME's history; empty when unknown (no jq, no history).
sessions() {
	command -v jq >/dev/null 2>&1 || return 0
	if [ -n "$bldir" ]; then
		"$bench" baseline show "$name" --output-format json --baseline-dir "$bldir"
	else
		"$bench" baseline show "$name" --output-format json
	fi 2>/dev/null |
		jq -r 'select(.kind == "baseline") | [.runs[].session] | unique | length' 2>/dev/null
}

# The metrics of the gate that regressed, from the JSON result; needs jq.
show_regressions() {
	command -v jq >/dev/null 2>&1 || return 0
	jq -r 'def pct: . * 10 | round / 10 | tostring + "%";
		.comparison.metrics[]? | select(.gate and .verdict == "regression") |
		"  \(.group) \(.dir) \(.metric): \(.change_pct | pct)" +
		(if .ci_low_pct then " [\(.ci_low_pct | pct), \(.ci_high_pct | pct)]" else "" end) +
		(if .p_adjusted == null then "" elif .p_adjusted < 0.0001 then ", p < 0.0001"
		 else ", p = \(.p_adjusted * 10000 | round / 10000)" end) +
		(if (.reason // "") != "" then " (\(.reason))" else "" end)' \
		"$result" 2>/dev/null
}

# Both steps run the same command with the same seed, runs and reference.
run() {
	if [ -n "$reference" ]; then
		"$bench" "$command" --seed "$seed" --repeat "$repeat" --reference "$reference" \
			-o "$result" --output-format json "$@"
	else
		"$bench" "$command" --seed "$seed" --repeat "$repeat" \
			-o "$result" --output-format json "$@"
	fi
}

case $action in
save)
	# --save-baseline adds the runs to the history, whatever the format;
	# the file in GATE_RESULT is a copy for the CI artifacts.
	rc=0
	run --save-baseline "$name" "$@" || rc=$?
	if [ "$rc" -eq 0 ]; then
		n=$(sessions)
		echo "gate: $repeat runs added to baseline '$name'${n:+ (sessions in its history: $n)}"
		if [ -n "$n" ] && [ "$n" -lt 3 ]; then
			echo "gate: save again in another session before the first check (at least 3)"
		fi
	else
		echo "gate: runs NOT added to baseline '$name' (dmremap-bench exit status $rc)" >&2
	fi
	exit "$rc"
	;;
check)
	# Never add --save-baseline here: it would store these runs even when
	# the comparison regressed, and later checks would drift with them.
	n=$(sessions)
	if [ -n "$n" ] && [ "$n" -lt 3 ]; then
		echo "gate: warning: baseline '$name' holds runs of $n session(s); the recipe" \
			"saves at least 3 before checking" >&2
	fi
	rc=0
	run --baseline "$name" "$@" || rc=$?
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
