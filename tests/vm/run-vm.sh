#!/bin/sh
# Boot an initramfs made by build-initramfs.sh under qemu, stream the guest
# console to stdout and to a log file, and turn the guest's summary lines
# into an exit status.
#
# Usage: run-vm.sh --kernel IMAGE [--release REL] [--timeout SECS] [--log FILE] INITRD
#
#   --kernel IMAGE   the kernel image to boot (required; the initramfs must hold
#                    this kernel's modules: build-initramfs.sh --modules)
#   --release REL    fail unless the guest reports booting kernel REL (uname -r)
#   --timeout SECS   host-side limit on the whole VM run (default 600)
#   --log FILE       console log (default: INITRD with .log instead of .cpio.gz)
#
# Environment: VM_ACCEL (tcg, the default, or kvm where it works),
# VM_MEM (MiB, default 1024), VM_SMP (default 2).
#
# Exit status: 0 when every test program passed or skipped (at least one
# passed) and the guest printed VMTEST-DONE; 77 (automake's SKIP) when
# qemu-system-x86_64 or busybox is missing, or every program
# skipped; 2 on a usage error; 1 otherwise (a failure, a hung or panicked
# guest: the reason is printed).
set -u

me=run-vm.sh
usage() { echo "$me: $*" >&2; sed -n '6,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
skip() { echo "$me: SKIP: $*" >&2; exit 77; }

kernel='' release='' tmo=600 log='' initrd=''
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || usage "$1 needs a value"; kernel=$2; shift 2 ;;
	--release) [ $# -ge 2 ] || usage "$1 needs a value"; release=$2; shift 2 ;;
	--timeout)
		[ $# -ge 2 ] || usage "$1 needs a value"
		case $2 in ''|*[!0-9]*|0) usage "--timeout: '$2' is not a positive number of seconds" ;; esac
		tmo=$2; shift 2 ;;
	--log) [ $# -ge 2 ] || usage "$1 needs a value"; log=$2; shift 2 ;;
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	-*) usage "unknown option '$1'" ;;
	*) [ -z "$initrd" ] || usage "more than one initramfs ('$initrd', '$1')"; initrd=$1; shift ;;
	esac
done
[ -n "$initrd" ] || usage "no initramfs given"
[ -n "$kernel" ] || usage "no --kernel IMAGE given (tests/vm/kernels.sh names one)"
[ -f "$kernel" ] && [ -r "$kernel" ] || usage "--kernel: '$kernel' is not a readable file"
[ -f "$initrd" ] || usage "initramfs '$initrd' does not exist"
[ -n "$log" ] || log=${initrd%.cpio.gz}.log
[ "$log" != "$initrd" ] || log=$initrd.log

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"
[ -x "${BUSYBOX:-/bin/busybox}" ] || skip "busybox is missing (apt-get install busybox-static)"

accel=${VM_ACCEL:-tcg}
case $accel in
tcg|kvm) ;;
*) usage "VM_ACCEL='$accel' (allowed: tcg, kvm)" ;;
esac

echo "$me: booting $kernel ($accel, limit ${tmo}s), console log $log"
start=$(date +%s)
# The status of qemu (or of timeout: 124 when the limit hit) goes through a
# file: a POSIX pipeline only returns the status of its last command.
stfile=$log.status
rm -f "$stfile"
{
	timeout -k 10 "$tmo" qemu-system-x86_64 -accel "$accel" -cpu max \
		-m "${VM_MEM:-1024}" -smp "${VM_SMP:-2}" -nographic -no-reboot -nic none \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1" </dev/null 2>&1
	echo $? >"$stfile"
} | tee "$log"
qrc=$(cat "$stfile" 2>/dev/null || echo 1)
rm -f "$stfile"
elapsed=$(( $(date +%s) - start ))

# The console speaks CRLF.
clean=$(tr -d '\r' <"$log")
done_line=$(printf '%s\n' "$clean" | grep '^VMTEST-DONE ' | tail -n 1)
results=$(printf '%s\n' "$clean" | grep -E '^VMTEST [^ ]+ (PASS|FAIL|SKIP) ')
npass=$(printf '%s\n' "$results" | grep -c ' PASS ')
nfail=$(printf '%s\n' "$results" | grep -c ' FAIL ')
nskip=$(printf '%s\n' "$results" | grep -c ' SKIP ')

echo "$me: ---- summary (VM wall time ${elapsed}s, qemu exit $qrc) ----"
[ -z "$results" ] || printf '%s\n' "$results"
if [ -z "$done_line" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "$me: FAIL: the guest hung: no VMTEST-DONE within ${tmo}s (killed)"
	elif printf '%s\n' "$clean" | grep -q 'Kernel panic'; then
		echo "$me: FAIL: the guest kernel panicked:"
		printf '%s\n' "$clean" | grep -A3 'Kernel panic' | head -n 8
	elif [ "$qrc" != 0 ]; then
		echo "$me: FAIL: qemu exited with status $qrc before the guest finished"
	else
		echo "$me: FAIL: the guest stopped without printing VMTEST-DONE"
	fi
	exit 1
fi
echo "$done_line"
booted=$(printf '%s\n' "$clean" | sed -n 's/.*VMTEST-BOOT kernel \([^ ]*\) .*/\1/p' | head -n 1)
if [ -n "$release" ] && [ "$booted" != "$release" ]; then
	echo "$me: FAIL: the guest booted kernel '${booted:-?}', not $release"
	exit 1
fi
printf '%s\n' "$clean" | grep '^VMTEST-WARN ' && {
	echo "$me: FAIL: the guest's set-up went wrong (the VMTEST-WARN lines above)"
	exit 1
}
if [ "$done_line" != "VMTEST-DONE pass=$npass fail=$nfail skip=$nskip" ]; then
	echo "$me: FAIL: the result lines ($npass passed, $nfail failed, $nskip skipped)" \
		"do not match the guest's VMTEST-DONE line"
	exit 1
fi
if [ "$nfail" -gt 0 ]; then
	echo "$me: FAIL: $nfail test program(s) failed"
	exit 1
fi
if [ "$npass" -eq 0 ]; then
	if [ "$nskip" -gt 0 ]; then
		echo "$me: SKIP: every test program skipped"
		exit 77
	fi
	echo "$me: FAIL: the guest ran no test program"
	exit 1
fi
exit 0
