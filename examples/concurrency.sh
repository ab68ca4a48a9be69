#!/bin/sh
# Run the two examples of dmremap-bench-concurrency(1):
#
#   1. 10000 I/Os in flight on a scratch file (no root needed);
#   2. the same on a loop device over a file in /dev/shm (needs root).
#
# Usage: concurrency.sh [DURATION]
#   DURATION is how long each run measures, in dmremap-bench's syntax
#   (90, 90s, 5m, 2h); the default is 60 (seconds).
#
# Environment:
#   DMREMAP_BENCH  the program to run (default: dmremap-bench from PATH)
#   LOOP_SIZE      size of the file behind the loop device (default 1G);
#                  it lives in RAM, and the writes of the run fill it
#
# The JSON results go to a new directory under $TMPDIR (or /tmp); the
# script prints its name. The loop device and its file are always removed,
# also when a run fails or the script is interrupted. The exit status is
# the worst of the two runs (see EXIT STATUS in dmremap-bench(1)), or 2
# when the loop device run had to be skipped.

set -u

duration=${1:-60}
bench=${DMREMAP_BENCH:-dmremap-bench}
loop_size=${LOOP_SIZE:-1G}
img=
outdir=

# Detach every loop device that still uses our file, then remove the
# file. Asking losetup -j instead of remembering the device also catches
# a device attached just before an interruption. Then say where the
# results are, whatever ended the script.
# shellcheck disable=SC2317 # only called through the EXIT trap
cleanup() {
	if [ -n "$img" ]; then
		for dev in $(losetup -l -n -O NAME -j "$img" 2>/dev/null); do
			losetup -d "$dev" || echo "warning: could not detach $dev" >&2
		done
		rm -f "$img"
	fi
	if [ -n "$outdir" ]; then
		echo "JSON results are in $outdir:"
		ls -l "$outdir"
	fi
}
trap cleanup EXIT
# Leave through exit so that the EXIT trap runs, with the usual statuses.
trap 'exit 130' INT
trap 'exit 143' TERM

if ! command -v "$bench" >/dev/null 2>&1; then
	echo "error: $bench not found (install it or set DMREMAP_BENCH)" >&2
	exit 2
fi

outdir=$(mktemp -d "${TMPDIR:-/tmp}/dmremap-bench-results.XXXXXX") || exit 4
worst=0

# Keep the highest exit status seen: 130/143 above 4 above 3 above 0.
note_status() {
	if [ "$1" -gt "$worst" ]; then
		worst=$1
	fi
}

# 1. The scratch file: sparse, O_DIRECT, unlinked at once by dmremap-bench.
echo "== scratch file, 10000 I/Os in flight, $duration"
rc=0
"$bench" concurrency --ops 10000 --duration "$duration" \
	-o "$outdir/scratch.json" --output-format json || rc=$?
note_status "$rc"
case $rc in
130 | 143) exit "$rc" ;;
esac

# 2. A loop device with direct I/O over a file in /dev/shm, so that the
# page cache of the file stays out of the measurement.
echo "== loop device over /dev/shm, 10000 I/Os in flight, $duration"
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: creating a loop device needs root" >&2
	note_status 2
else
	img=$(mktemp /dev/shm/dmremap-bench-loop.XXXXXX) || exit 4
	if ! truncate -s "$loop_size" "$img"; then
		echo "error: cannot size $img to $loop_size" >&2
		exit 4
	fi
	if ! dev=$(losetup --direct-io=on -f --show "$img"); then
		echo "error: cannot attach a loop device to $img" >&2
		exit 4
	fi
	rc=0
	"$bench" concurrency --ops 10000 --duration "$duration" --target "$dev" \
		-o "$outdir/loop.json" --output-format json || rc=$?
	note_status "$rc"
fi

exit "$worst"
