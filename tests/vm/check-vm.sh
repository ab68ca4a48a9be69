#!/bin/sh
# make check-vm: run the real-device-mapper test programs inside qemu.
#
# Usage: check-vm.sh BUILDDIR [TEST...]
#
# BUILDDIR holds dmremap-bench and the test programs; TEST are paths of the
# guest-side test programs relative to BUILDDIR (default:
# tests/vm/check_vm_engine tests/vm/check_dm). The initramfs and the console
# log go to BUILDDIR/tests/vm/. A test program that was not built is
# reported as FAIL by the guest.
#
# Environment: VM_TIMEOUT (whole VM run, seconds, default 600),
# VM_TEST_TIMEOUT (each program, default 240), VM_ACCEL (tcg or kvm);
# CK_RUN_SUITE, CK_RUN_CASE and CK_VERBOSITY are passed to the guest.
#
# Exit status: that of run-vm.sh (0 pass, 1 fail, 77 skip).
set -u

me=check-vm.sh
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $me BUILDDIR [TEST...]" >&2; exit 2; }
builddir=$1
shift
[ $# -gt 0 ] || set -- tests/vm/check_vm_engine tests/vm/check_dm

bench=$builddir/dmremap-bench
[ -x "$bench" ] || { echo "$me: $bench is not built (run make first)" >&2; exit 1; }
outdir=$builddir/tests/vm
mkdir -p "$outdir"
initrd=$outdir/initramfs.cpio.gz
log=$outdir/vm.log

# Skip early, before building anything, when the VM cannot run here.
command -v qemu-system-x86_64 >/dev/null 2>&1 || {
	echo "$me: SKIP: qemu-system-x86_64 is missing (apt-get install qemu-system-x86)" >&2
	exit 77
}

n=$#
for t in "$@"; do
	set -- "$@" --test "$builddir/$t"
done
shift $n
for v in CK_RUN_SUITE CK_RUN_CASE CK_VERBOSITY; do
	eval "val=\${$v-}"
	[ -z "$val" ] || set -- "$@" --env "$v=$val"
done

sh "$here/build-initramfs.sh" "$initrd" --bin "$bench" \
	--timeout "${VM_TEST_TIMEOUT:-240}" "$@"
rc=$?
[ $rc -eq 0 ] || exit $rc

sh "$here/run-vm.sh" --timeout "${VM_TIMEOUT:-600}" --log "$log" "$initrd"
rc=$?

# Check's own summary lines, per program, as the guest printed them.
echo "$me: ---- Check summaries from the guest ----"
tr -d '\r' <"$log" | awk '
	/^VMTEST-START / { prog = $2 }
	/^[0-9]+%: Checks: / { print prog ": " $0 }
	/^VMTEST [^ ]+ (PASS|FAIL|SKIP) / { n[$3]++ }
	END { printf "vm: %d passed, %d failed, %d skipped\n", n["PASS"], n["FAIL"], n["SKIP"] }'
echo "$me: console log: $log"
exit $rc
