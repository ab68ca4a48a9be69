#!/bin/sh
# Name a kernel for the VM suite: print "RELEASE IMAGE MODULES_DIR" for it.
# The kernel is always named, never "the newest in /boot".
#
# Usage: kernels.sh SPEC
#
#   stock      the kernel linux-image-amd64 depends on (Debian 12: 6.1),
#              /boot/vmlinuz-R and /lib/modules/R
#   backports  the 6.12 kernel tools/install-deps --vm unpacked: the release
#              in $DMRB_KERNEL_DIR/backports.release, its files under
#              $DMRB_KERNEL_DIR/R/ (default /var/cache/dmremap-bench/kernels)
#   RELEASE    /boot/vmlinuz-RELEASE and /lib/modules/RELEASE, else the same
#              under $DMRB_KERNEL_DIR/RELEASE/
#   IMAGE:DIR  a kernel image and its modules directory, given as paths
#
# Exit status: 0 found, 1 not found (the reason and what to run are printed),
# 2 usage error.
set -u

me=kernels.sh
kdir=${DMRB_KERNEL_DIR:-/var/cache/dmremap-bench/kernels}
[ $# -eq 1 ] && [ -n "$1" ] || { echo "usage: $me stock|backports|RELEASE|IMAGE:MODULES_DIR" >&2; exit 2; }
spec=$1
fail() { echo "$me: $spec: $*" >&2; exit 1; }

# Print the triple for release $1 whose files are under root $2 ('' = /).
found() {
	img=$2/boot/vmlinuz-$1
	mods=$2/lib/modules/$1
	[ -r "$img" ] || fail "no readable kernel image $img$3"
	[ -f "$mods/modules.dep" ] || fail "no $mods/modules.dep$3"
	echo "$1 $img $mods"
	exit 0
}

case $spec in
stock)
	command -v dpkg-query >/dev/null 2>&1 || fail "dpkg-query is missing (not Debian?): name the kernel"
	dep=$(dpkg-query -W -f='${Status} ${Depends}\n' linux-image-amd64 2>/dev/null)
	case $dep in
	"install ok installed "*) ;;
	*) fail "linux-image-amd64 is not installed (tools/install-deps --vm)" ;;
	esac
	rel=$(echo "${dep#install ok installed }" | tr ',|' '\n\n' | sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' | head -n 1)
	[ -n "$rel" ] || fail "cannot read the kernel linux-image-amd64 depends on ('$dep')"
	found "$rel" "" " (apt-get install linux-image-$rel)" ;;
backports)
	[ -r "$kdir/backports.release" ] ||
		fail "$kdir/backports.release is missing: run tools/install-deps --vm (or VM_KERNELS=stock)"
	rel=$(head -n 1 "$kdir/backports.release")
	case $rel in ''|*/*|.*) fail "$kdir/backports.release holds '$rel', not a kernel release" ;; esac
	found "$rel" "$kdir/$rel" " (run tools/install-deps --vm again)" ;;
*:*)
	img=${spec%%:*}
	mods=${spec#*:}
	[ -r "$img" ] || fail "no readable kernel image $img"
	[ -f "$mods/modules.dep" ] || fail "no $mods/modules.dep (depmod -b ROOT RELEASE makes it)"
	echo "$(basename "$mods") $img $mods" ;;
*/*|.*) fail "not a kernel release (allowed: stock, backports, a release, IMAGE:MODULES_DIR)" ;;
*)
	if [ -r "/boot/vmlinuz-$spec" ] && [ -f "/lib/modules/$spec/modules.dep" ]; then
		found "$spec" "" ""
	fi
	[ -d "$kdir/$spec" ] || fail "neither /boot/vmlinuz-$spec with /lib/modules/$spec nor $kdir/$spec/ exists"
	found "$spec" "$kdir/$spec" "" ;;
esac
