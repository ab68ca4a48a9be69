#!/bin/sh
# make check-vm: run the real-device-mapper test programs inside qemu, once
# per kernel.
#
# Usage: check-vm.sh BUILDDIR [TEST...]
#
# BUILDDIR holds dmremap-bench and the test programs; TEST are paths of the
# guest-side test programs relative to BUILDDIR (default:
# tests/vm/check_vm_engine tests/vm/check_dm). For each kernel the
# initramfs and the console log go to BUILDDIR/tests/vm/initramfs-REL.cpio.gz
# and BUILDDIR/tests/vm/vm-REL.log (REL: the kernel release). A test program
# that was not built is reported as FAIL by the guest.
#
# Environment:
#   VM_KERNELS   the kernels, in order (default "stock backports"): each one
#                of stock, backports, a release, or IMAGE:MODULES_DIR (see
#                tests/vm/kernels.sh); a kernel that cannot be found fails
#   DMREMAP_KO   a dm-remap.ko: copied into the guest of the kernel it was
#                built for (its vermagic), with dm-bufio, for
#                tests/vm/check_vm_remap; that kernel must be in VM_KERNELS
#   VM_TIMEOUT (each VM run, seconds, default 900), VM_TEST_TIMEOUT (each
#   program, default 360), VM_ACCEL (tcg or kvm); CK_RUN_SUITE, CK_RUN_CASE
#   and CK_VERBOSITY are passed to the guest.
#
# Exit status: 0 every kernel passed, 1 a kernel failed (or could not be
# found or its image not built), 2 usage error, 77 every kernel skipped.
set -u

me=check-vm.sh
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $me BUILDDIR [TEST...]" >&2; exit 2; }
builddir=$1
shift
[ $# -gt 0 ] || set -- tests/vm/check_vm_engine tests/vm/check_dm
kernels=${VM_KERNELS-stock backports}
[ -n "$(echo "$kernels" | tr -d ' \t')" ] ||
	{ echo "$me: VM_KERNELS is empty (allowed: stock, backports, a release, IMAGE:MODULES_DIR)" >&2; exit 2; }

bench=$builddir/dmremap-bench
[ -x "$bench" ] || { echo "$me: $bench is not built (run make first)" >&2; exit 1; }
outdir=$builddir/tests/vm
mkdir -p "$outdir"

# Skip early, before building anything, when the VM cannot run here.
command -v qemu-system-x86_64 >/dev/null 2>&1 || {
	echo "$me: SKIP: qemu-system-x86_64 is missing (apt-get install qemu-system-x86)" >&2
	exit 77
}

# Resolve every kernel before booting any: a missing one fails at once.
resolved=''
for k in $kernels; do
	line=$(sh "$here/kernels.sh" "$k") || exit 1
	resolved="$resolved$line
"
done

# The module's kernel: the first word of its vermagic.
ko_rel=''
if [ -n "${DMREMAP_KO-}" ]; then
	[ -f "$DMREMAP_KO" ] && [ -r "$DMREMAP_KO" ] ||
		{ echo "$me: DMREMAP_KO: '$DMREMAP_KO' is not a readable file" >&2; exit 2; }
	command -v modinfo >/dev/null 2>&1 ||
		{ echo "$me: DMREMAP_KO: modinfo is needed to read its vermagic (apt-get install kmod)" >&2; exit 2; }
	ko_rel=$(modinfo -F vermagic "$DMREMAP_KO" 2>/dev/null | awk '{ print $1; exit }')
	[ -n "$ko_rel" ] ||
		{ echo "$me: DMREMAP_KO: '$DMREMAP_KO' is not a kernel module (no vermagic)" >&2; exit 2; }
	printf '%s' "$resolved" | awk -v r="$ko_rel" '$1 == r { f = 1 } END { exit !f }' || {
		echo "$me: DMREMAP_KO: $DMREMAP_KO is built for kernel $ko_rel, which is not among" \
			"VM_KERNELS ($(printf '%s' "$resolved" | awk '{ printf "%s%s", s, $1; s = ", " }'))" >&2
		exit 2
	}
fi

ntests=$#
for t in "$@"; do
	set -- "$@" --test "$builddir/$t"
done
shift $ntests
for v in CK_RUN_SUITE CK_RUN_CASE CK_VERBOSITY; do
	eval "val=\${$v-}"
	[ -z "$val" ] || set -- "$@" --env "$v=$val"
done

# This kernel's initramfs: its modules, the programs, and "$@".
build() {
	sh "$here/build-initramfs.sh" "$initrd" --modules "$mods" --bin "$bench" \
		--timeout "${VM_TEST_TIMEOUT:-360}" "$@" </dev/null
}

summary=''
status=''
t_all=$(date +%s)
while read -r rel image mods; do
	[ -n "$rel" ] || continue
	initrd=$outdir/initramfs-$rel.cpio.gz
	log=$outdir/vm-$rel.log
	echo "$me: ==== kernel $rel ($image) ===="
	t0=$(date +%s)
	rm -f "$log"
	if [ -n "$ko_rel" ] && [ "$ko_rel" = "$rel" ]; then
		guest_ko=/lib/modules/$rel/extra/dm-remap.ko
		build "$@" --extra-module dm-bufio --file "$DMREMAP_KO:$guest_ko" \
			--env "DMRB_REMAP_KO=$guest_ko"
	elif [ -n "$ko_rel" ]; then
		build "$@" --env "DMRB_REMAP_SKIP=$DMREMAP_KO is built for kernel $ko_rel, not this one"
	else
		build "$@"
	fi
	rc=$?
	if [ $rc -eq 0 ]; then
		sh "$here/run-vm.sh" --kernel "$image" --release "$rel" \
			--timeout "${VM_TIMEOUT:-900}" --log "$log" "$initrd" </dev/null
		rc=$?
	fi
	secs=$(( $(date +%s) - t0 ))
	counts=$( [ -f "$log" ] && tr -d '\r' <"$log" | awk '
		/^VMTEST [^ ]+ (PASS|FAIL|SKIP) / { n[$3]++ }
		END { printf "%d passed, %d failed, %d skipped", n["PASS"], n["FAIL"], n["SKIP"] }')
	case $rc in 0) verdict=PASS ;; 77) verdict=SKIP ;; *) verdict=FAIL ;; esac
	summary="$summary$rel $verdict $rc ${secs}s ${counts:-0 passed, 0 failed, 0 skipped} $log
"
	status="$status $rc"
done <<EOF
$resolved
EOF

echo "$me: ---- Check summaries from the guests ----"
printf '%s' "$summary" | while read -r rel verdict rc secs rest; do
	log=${rest##* }
	[ -f "$log" ] || continue
	tr -d '\r' <"$log" | awk -v k="$rel" '
		/^VMTEST-START / { prog = $2 }
		/^[0-9]+%: Checks: / { print k " " prog ": " $0 }
		/:[0-9]+:[FE]:/ { print k " " prog ": " $0 }'
done
printf '%s' "$summary" | while read -r rel verdict rc secs rest; do
	echo "$me: kernel $rel: $verdict (exit $rc, ${secs}, ${rest% *}), log ${rest##* }"
done
printf '%s' "$summary" | awk -v t=$(( $(date +%s) - t_all )) '
	{ p += $5; f += $7; s += $9 }
	END { printf "vm: %d passed, %d failed, %d skipped\n", p, f, s
	      printf "check-vm.sh: %d kernel(s) in %d s\n", NR, t > "/dev/stderr" }'
fail=0 skip=0 n=0
for rc in $status; do
	n=$((n + 1))
	case $rc in 0) ;; 77) skip=$((skip + 1)) ;; *) fail=$((fail + 1)) ;; esac
done
[ $fail -eq 0 ] || exit 1
[ $skip -lt $n ] || exit 77
exit 0
