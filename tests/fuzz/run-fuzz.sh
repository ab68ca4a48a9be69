#!/bin/sh
# Build the libFuzzer targets of tests/fuzz with clang (ASan + UBSan),
# replay the saved regression inputs, then fuzz each target for a while.
#
#   tests/fuzz/run-fuzz.sh SRCDIR BUILDDIR    (or: make fuzz)
#
# Environment:
#   FUZZ_SECONDS   time per target (default 60)
#   FUZZ_TARGETS   space-separated subset of the targets (default: all)
#   FUZZ_CC        the compiler (default clang)
#   FUZZ_JOBS      parallel compile jobs (default: number of CPUs)
#
# Everything is built and run under BUILDDIR/fuzz; the seed corpus in the
# source tree is copied, never written to. Exit status: 0 clean, 1 a crash,
# leak, timeout or sanitizer report (the reproducer is printed), 77 when
# clang or its fuzzer runtime is missing (automake's SKIP).
# shellcheck disable=SC2016 # make's $(...) and $@ are meant literally

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 SRCDIR BUILDDIR" >&2
	exit 2
fi
srcdir=$(cd "$1" && pwd) || exit 2
builddir=$(cd "$2" && pwd) || exit 2
seconds=${FUZZ_SECONDS:-60}
cc=${FUZZ_CC:-clang}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
fuzzdir=$srcdir/tests/fuzz
out=$builddir/fuzz

all_targets="fuzz_units fuzz_options fuzz_result_json fuzz_fio_json fuzz_remap_status fuzz_genmap"
# The whole-command target exists once the command table can parse without I/O.
if [ -f "$fuzzdir/fuzz_cmdline.c" ] &&
   grep -q 'command_parse_only' "$srcdir/src/cmd/commands.h" 2>/dev/null; then
	all_targets="$all_targets fuzz_cmdline"
fi
targets=${FUZZ_TARGETS:-$all_targets}

# Project sources each target links, relative to src/ (all instrumented).
sources() {
	case $1 in
	fuzz_units) echo "cli/units.c cli/cpulist.c" ;;
	fuzz_options) echo "cli/options.c cli/units.c util/log.c util/utf8.c" ;;
	fuzz_remap_status) echo "dm/remap_status.c" ;;
	# What reads a document reaches most of the library (loader, histories,
	# comparisons, outputs): these link all of it, as the command line does.
	fuzz_result_json | fuzz_fio_json | fuzz_genmap | fuzz_cmdline)
		# Every command: the whole library but main() (and the io_uring
		# engine only when configure found liburing).
		(cd "$srcdir/src" && find . -name '*.c' ! -name main.c | sed 's|^\./||' | sort) |
			if have_liburing; then cat; else grep -v '^engine/ioengine_io_uring\.c$'; fi ;;
	*) return 1 ;;
	esac
}

have_liburing() {
	grep -q '^#define HAVE_LIBURING 1' "$builddir/config.h"
}

libs() {
	case $1 in
	fuzz_remap_status) echo "$(pkg-config --libs jansson) -lm" ;;
	fuzz_result_json | fuzz_fio_json | fuzz_genmap | fuzz_cmdline)
		echo "$(pkg-config --libs jansson devmapper blkid zlib inih) -laio -lpthread -lm" \
			"$(have_liburing && pkg-config --libs liburing)" ;;
	*) echo "-lm" ;;
	esac
}

# Longest input worth trying: a little over the largest useful seed.
max_len() {
	case $1 in
	fuzz_units) echo 80 ;;
	fuzz_options | fuzz_cmdline) echo 1024 ;;
	fuzz_remap_status) echo 2048 ;;
	fuzz_genmap) echo 8192 ;;
	fuzz_result_json) echo 32768 ;;
	fuzz_fio_json) echo 65536 ;;
	esac
}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run-fuzz: $cc not found; install clang and libclang-rt-dev (SKIP)" >&2
	exit 77
fi
if [ ! -f "$builddir/config.h" ]; then
	echo "run-fuzz: no config.h in $builddir: run configure first" >&2
	exit 2
fi
mkdir -p "$out" || exit 1
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ return d && n > 1 ? 0 : 0; }\n' >"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$out/probe" "$out/probe.c" >"$out/probe.log" 2>&1; then
	echo "run-fuzz: $cc cannot link -fsanitize=fuzzer,address,undefined" \
		"(install libclang-rt-dev); SKIP" >&2
	sed 's/^/  /' "$out/probe.log" >&2
	exit 77
fi

# ---- build: a generated Makefile, so unchanged objects are not rebuilt -----
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
-fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
-I$srcdir/src -include $builddir/config.h \
$(pkg-config --cflags jansson) $(pkg-config --cflags blkid devmapper zlib inih 2>/dev/null)"
# Project objects are built without the fuzzer's main: fuzzer-no-link.
objflags=$(echo "$cflags" | sed 's/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,/')
mk=$out/Makefile.fuzz
# Rewritten only when it changes: every object depends on it (the flags).
{
	echo "CC = $cc"
	echo "CFLAGS = $cflags"
	echo "OBJFLAGS = $objflags"
	echo "all:"
	echo "obj/%.o: $srcdir/src/%.c Makefile.fuzz"
	printf '\t@mkdir -p $(@D)\n\t$(CC) $(OBJFLAGS) -MMD -MP -c -o $@ $<\n'
	for t in $all_targets; do
		srcs=$(sources "$t")
		objs=$(for s in $srcs; do printf 'obj/%s ' "${s%.c}.o"; done)
		echo "all: $t"
		echo "$t: $fuzzdir/$t.c $objs Makefile.fuzz"
		printf '\t$(CC) $(CFLAGS) -MMD -MP -MT $@ -MF %s.d -o $@ %s/%s.c %s %s\n' \
			"$t" "$fuzzdir" "$t" "$objs" "$(libs "$t")"
	done
	echo '-include $(wildcard obj/*/*.d) $(wildcard *.d)'
} >"$mk.new" || exit 1
if cmp -s "$mk.new" "$mk"; then rm -f "$mk.new"; else mv "$mk.new" "$mk" || exit 1; fi
for t in $targets; do
	case " $all_targets " in
	*" $t "*) ;;
	*) echo "run-fuzz: unknown target $t (known: $all_targets)" >&2; exit 2 ;;
	esac
done
echo "run-fuzz: building $targets in $out"
# shellcheck disable=SC2086
if ! make -s -C "$out" -f "$mk" -j"$jobs" $targets; then
	echo "run-fuzz: build failed" >&2
	exit 1
fi

# ---- run -------------------------------------------------------------------
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS
# Scratch files of the targets (fuzz_genmap's state files), gone at exit.
FUZZ_TMPDIR=$(mktemp -d /dev/shm/dmrb-fuzz.XXXXXX 2>/dev/null || mktemp -d) || exit 1
export FUZZ_TMPDIR
trap 'rm -rf "$FUZZ_TMPDIR"' EXIT
failed=""

report() { # target log what
	echo "run-fuzz: $1: FAILED ($3); log $2" >&2
	grep -E 'ERROR|runtime error|SUMMARY|Test unit written|==[0-9]+==|#[0-9]+ 0x' "$2" |
		head -40 | sed 's/^/  /' >&2
	case " $failed " in *" $1 "*) ;; *) failed="$failed $1" ;; esac
}

# A sanitizer report that did not stop the run still fails it.
sanitizer_said() {
	grep -qE '(ERROR|WARNING): (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:' "$1"
}

replay_regressions() { # target
	dir=$fuzzdir/regressions/$1
	[ -d "$dir" ] || return 0
	n=0 bad=0
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		log=$out/work/$1/regression-$(basename "$f").log
		if ! "$out/$1" -timeout=25 -rss_limit_mb=2048 "$f" >"$log" 2>&1 ||
		   sanitizer_said "$log"; then
			report "$1" "$log" "regression input $f"
			echo "  reproduce: $out/$1 $f" >&2
			bad=$((bad + 1))
		fi
	done
	[ $bad -eq 0 ] || return 1
	echo "run-fuzz: $1: $n regression inputs pass"
}

fuzz_one() { # target
	work=$out/work/$1
	mkdir -p "$work/corpus" "$work/artifacts"
	rm -f "$work/corpus"/* "$work/artifacts"/*
	if [ -d "$fuzzdir/corpus/$1" ]; then
		cp "$fuzzdir/corpus/$1"/* "$work/corpus/" 2>/dev/null
	fi
	if [ -d "$fuzzdir/regressions/$1" ]; then
		cp "$fuzzdir/regressions/$1"/* "$work/corpus/" 2>/dev/null
	fi
	log=$work/fuzz.log
	echo "run-fuzz: $1: fuzzing for ${seconds}s"
	"$out/$1" -max_total_time="$seconds" -max_len="$(max_len "$1")" \
		-timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/" "$work/corpus" >"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || sanitizer_said "$log"; then
		report "$1" "$log" "exit $rc"
		for a in "$work/artifacts"/*; do
			[ -f "$a" ] || continue
			echo "  reproducer: $a" >&2
			echo "  reproduce:  $out/$1 $a" >&2
			echo "  save it as: $fuzzdir/regressions/$1/$(basename "$a")" >&2
		done
		return 1
	fi
	grep -E '^stat::number_of_executed_units' "$log" | sed "s/^/run-fuzz: $1: /"
}

for t in $targets; do
	mkdir -p "$out/work/$t"
	replay_regressions "$t" || continue
	fuzz_one "$t"
done

if [ -n "$failed" ]; then
	echo "run-fuzz: FAILED:$failed" >&2
	exit 1
fi
echo "run-fuzz: all targets clean"
exit 0
