#!/bin/sh
# Build a gzip'd newc cpio initramfs that runs test programs against real
# device-mapper under qemu (see tests/vm/README.md). Everything comes from
# the named kernel's modules, busybox-static and the freshly built binaries;
# nothing binary is committed.
#
# Usage: build-initramfs.sh OUT.cpio.gz --modules DIR
#          [--bin PATH]... [--test PATH]... [--file SRC[:DEST]]...
#          [--extra-module NAME]... [--env NAME=VALUE]... [--timeout SECS]
#
#   --modules DIR  the kernel's modules directory (holding modules.dep), e.g.
#                  /lib/modules/RELEASE; required: the kernel is always named
#                  (tests/vm/kernels.sh finds one), never guessed
#   --bin PATH     an executable installed as /bin/<name> (with its libraries)
#   --test PATH    a test program installed as /tests/<name> and run by /init,
#                  in the order given; a PATH that does not exist is reported
#                  in the guest as "VMTEST <name> FAIL 127" (not built)
#   --file S[:D]   a data file copied to D (default: the same path as S)
#   --extra-module NAME  a module copied with its dependencies but not loaded
#                  at boot; /etc/vmtest/extra-modules lists their paths in the
#                  guest, dependencies first, for a test to load
#   --env N=V      exported to the test programs
#   --timeout S    per-program time limit in the guest (default 360)
#
# Exit status: 0 built, 2 usage error, 77 busybox or a kernel module is
# missing (automake's SKIP), 1 anything else.
set -eu

me=build-initramfs.sh
die() { echo "$me: $*" >&2; exit 1; }
usage() { echo "$me: $*" >&2; sed -n '7,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
skip() { echo "$me: SKIP: $*" >&2; exit 77; }

BUSYBOX=${BUSYBOX:-/bin/busybox}
# ext4 (which mounts ext2 too; its mount needs the crc32c hash): a filesystem
# with O_DIRECT on every kernel, for vmtest.c's odirect_dir_make (tmpfs has
# O_DIRECT only from Linux 6.6 on).
MODULES="dm-mod dm-flakey dm-delay dm-zero brd loop crc32c_generic ext4"
BRD_ARGS="rd_nr=4 rd_size=65536"

out='' moddir='' timeout=360
bins='' tests='' files='' envs='' extra=''
nl='
'
while [ $# -gt 0 ]; do
	case $1 in
	--modules) [ $# -ge 2 ] || usage "$1 needs a value"; moddir=${2%/}; shift 2 ;;
	--extra-module) [ $# -ge 2 ] || usage "$1 needs a value"; extra="$extra $2"; shift 2 ;;
	--bin) [ $# -ge 2 ] || usage "$1 needs a value"; bins="$bins$2$nl"; shift 2 ;;
	--test) [ $# -ge 2 ] || usage "$1 needs a value"; tests="$tests$2$nl"; shift 2 ;;
	--file) [ $# -ge 2 ] || usage "$1 needs a value"; files="$files$2$nl"; shift 2 ;;
	--env)
		[ $# -ge 2 ] || usage "$1 needs a value"
		case $2 in [A-Za-z_]*=*) ;; *) usage "--env: '$2' is not NAME=VALUE" ;; esac
		envs="$envs$2$nl"; shift 2 ;;
	--timeout)
		[ $# -ge 2 ] || usage "$1 needs a value"
		case $2 in ''|*[!0-9]*) usage "--timeout: '$2' is not a number of seconds" ;; esac
		timeout=$2; shift 2 ;;
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	-*) usage "unknown option '$1'" ;;
	*) [ -z "$out" ] || usage "more than one output file ('$out', '$1')"; out=$1; shift ;;
	esac
done
[ -n "$out" ] || usage "no output file given"
[ -n "$moddir" ] || usage "no --modules DIR given (the kernel's modules directory)"
[ -f "$moddir/modules.dep" ] || usage "--modules: '$moddir' holds no modules.dep"
# The release: the guest checks that it booted the kernel these modules are for.
kver=$(basename "$moddir")

[ -x "$BUSYBOX" ] || skip "$BUSYBOX is missing (apt-get install busybox-static)"
for t in cpio gzip ldd; do
	command -v $t >/dev/null 2>&1 || die "'$t' is needed to build the initramfs"
done

stage=$(mktemp -d "${TMPDIR:-/tmp}/vm-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" "$stage/etc/vmtest" \
	"$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp" "$stage/run" "$stage/root" \
	"$stage/tests" "$stage/lib/modules/$kver"

# Copy a file to the same path inside the image, following symlinks.
copy_same_path() {
	[ -e "$stage$1" ] && return 0
	mkdir -p "$stage$(dirname "$1")"
	cp -L "$1" "$stage$1"
}

# Copy every shared library ldd lists for an ELF file (and the loader).
copy_libs() {
	# "statically linked" / "not a dynamic executable": nothing to copy.
	ldd "$1" 2>/dev/null | while read -r a b c rest; do
		case "$a $b $c" in
		*"=> not found"*) die "$1 needs $a, which ldd cannot find" ;;
		*" => /"*) copy_same_path "$c" ;;
		/*) copy_same_path "$a" ;;
		esac
	done
}

cp "$BUSYBOX" "$stage/bin/busybox"
copy_libs "$BUSYBOX"
ln -s busybox "$stage/bin/sh"

# ---- kernel modules, dependencies first ----------------------------------
modlist=$stage/etc/vmtest/modules
: >"$modlist"
# Print the modules.dep path of a module name (dm-mod, dm_mod: both spellings).
mod_path() {
	n=$(echo "$1" | tr _ -)
	awk -F: -v n="$n" '{
		f = $1; sub(/.*\//, "", f); sub(/\.ko(\.[a-z]+)?$/, "", f); gsub(/_/, "-", f)
		if (f == n) { print $1; exit }
	}' "$moddir/modules.dep"
}
# Emit path and its dependencies, deepest first (the list is deduplicated later).
mod_closure() {
	deps=$(awk -F: -v p="$1" '$1 == p { print $2; exit }' "$moddir/modules.dep")
	for d in $deps; do mod_closure "$d"; done
	echo "$1"
}
# The closure of the module names given, dependencies first, deduplicated;
# "MISSING name" for a module this kernel has neither as a file nor built in.
mod_order() {
	for m in "$@"; do
		p=$(mod_path "$m")
		if [ -z "$p" ]; then
			if grep -q "/$(echo "$m" | tr _ -)\.ko\|/$(echo "$m" | tr - _)\.ko" \
				"$moddir/modules.builtin" 2>/dev/null; then
				continue  # built into this kernel
			fi
			echo "MISSING $m"
			continue
		fi
		mod_closure "$p"
	done | awk '!seen[$0]++'
}
# shellcheck disable=SC2086
order=$(mod_order $MODULES)
# shellcheck disable=SC2086
extra_order=$(mod_order $extra | grep -vxF "$order" || true)
echo "$order$nl$extra_order" | grep -q '^MISSING' &&
	skip "kernel $kver lacks module(s): $(echo "$order$nl$extra_order" | sed -n 's/^MISSING //p' | tr '\n' ' ')"
# Copy a module (decompressed: busybox insmod takes plain .ko), print its name.
copy_mod() {
	src=$moddir/$1
	dst=$stage/lib/modules/$kver/$(basename "$1" | sed 's/\.ko\..*$/.ko/')
	case $1 in
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
	basename "$dst"
}
for p in $order; do
	name=$(copy_mod "$p")
	args=
	[ "$name" = brd.ko ] && args=$BRD_ARGS
	echo "$name $args" >>"$modlist"
done
: >"$stage/etc/vmtest/extra-modules"
for p in $extra_order; do
	echo "/lib/modules/$kver/$(copy_mod "$p")" >>"$stage/etc/vmtest/extra-modules"
done

# ---- programs, data files, environment -----------------------------------
echo "$bins" | while read -r b; do
	[ -n "$b" ] || continue
	[ -f "$b" ] && [ -x "$b" ] || die "--bin: '$b' is not an executable file"
	cp -L "$b" "$stage/bin/$(basename "$b")"
	copy_libs "$b"
done
manifest=$stage/etc/vmtest/manifest
: >"$manifest"
echo "$tests" | while read -r t; do
	[ -n "$t" ] || continue
	name=$(basename "$t")
	if [ -f "$t" ] && [ -x "$t" ]; then
		cp -L "$t" "$stage/tests/$name"
		copy_libs "$t"
		echo "$name $timeout /tests/$name" >>"$manifest"
	else
		echo "$me: warning: test program $t is not built; the guest reports it as FAIL" >&2
		echo "$name $timeout MISSING:$t" >>"$manifest"
	fi
done
echo "$files" | while read -r f; do
	[ -n "$f" ] || continue
	src=${f%%:*}
	dst=${f#*:}
	[ "$dst" != "$f" ] || dst=$src
	[ -f "$src" ] || die "--file: '$src' is not a file"
	mkdir -p "$stage$(dirname "$dst")"
	cp -L "$src" "$stage$dst"
done
envfile=$stage/etc/vmtest/env
: >"$envfile"
echo "$envs" | while read -r e; do
	[ -n "$e" ] || continue
	v=$(printf '%s' "${e#*=}" | sed "s/'/'\\\\''/g")
	printf "export %s='%s'\n" "${e%%=*}" "$v" >>"$envfile"
done

# ---- /init -----------------------------------------------------------------
cat >"$stage/init" <<EOF
#!/bin/busybox sh
# Generated by tests/vm/build-initramfs.sh: run the test programs in
# /etc/vmtest/manifest against real device-mapper, then power off.
KVER=$kver
EOF
cat >>"$stage/init" <<'EOF'
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root TMPDIR=/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>&1
mkdir -p /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm
# Keep kernel messages (I/O errors the tests provoke) off the console.
dmesg -n 1

finish() {
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 5
}

echo "VMTEST-BOOT kernel $(uname -r) after $(cut -d' ' -f1 /proc/uptime) s"
[ "$(uname -r)" = "$KVER" ] ||
	echo "VMTEST-WARN booted kernel $(uname -r), but the modules are for $KVER"
while read -r mod args; do
	# $args is deliberately split into module parameters.
	insmod "/lib/modules/$KVER/$mod" $args || echo "VMTEST-WARN insmod $mod $args failed"
done </etc/vmtest/modules
i=0
while [ ! -e /dev/ram3 ] || [ ! -e /dev/mapper/control ]; do
	i=$((i + 1))
	[ $i -le 50 ] || { echo "VMTEST-WARN /dev/ram3 or /dev/mapper/control did not appear"; break; }
	sleep 0.1
done

# No udev in the guest: libdevmapper creates the /dev/mapper nodes itself.
export DM_DISABLE_UDEV=1
export DMRB_BIN=/bin/dmremap-bench DMRB_VM_KERNEL=$KVER
. /etc/vmtest/env

pass=0 fail=0 skip=0
while read -r name tmo path; do
	echo "VMTEST-START $name"
	case $path in
	MISSING:*)
		echo "VMTEST-MSG $name: not built (${path#MISSING:} did not exist on the host)"
		rc=127 ;;
	*)
		t0=$(cut -d' ' -f1 /proc/uptime)
		# stdin from /dev/null: the program must not eat the manifest.
		(cd /tmp && exec timeout -k 10 "$tmo" "$path" </dev/null)
		rc=$?
		t1=$(cut -d' ' -f1 /proc/uptime)
		echo "VMTEST-MSG $name: exit $rc after $(awk "BEGIN { print $t1 - $t0 }") s"
		case $rc in
		143|137) echo "VMTEST-MSG $name: timed out after $tmo s (or was killed)" ;;
		esac ;;
	esac
	case $rc in
	0) st=PASS; pass=$((pass + 1)) ;;
	77) st=SKIP; skip=$((skip + 1)) ;;
	*) st=FAIL; fail=$((fail + 1)) ;;
	esac
	echo "VMTEST $name $st $rc"
done </etc/vmtest/manifest
echo "VMTEST-DONE pass=$pass fail=$fail skip=$skip"
finish
EOF
chmod 755 "$stage/init"

tmpout=$out.tmp.$$
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 >"$tmpout" ||
	{ rm -f "$tmpout"; die "cannot write $out"; }
mv -f "$tmpout" "$out"
echo "$me: $out ($(du -k "$out" | cut -f1) KiB, kernel $kver, $(wc -l <"$manifest") test program(s))" >&2
