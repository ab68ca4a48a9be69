#!/bin/bash
# The bash completion, driven the way bash drives it (COMP_WORDS and
# COMP_CWORD set, the completion function called), against what the binary
# itself reports:
#   - the script the build wrote is what `dmremap-bench completion bash`
#     prints now;
#   - every command of `dmremap-bench --help` completes, and for each, the
#     options completed after "--" are exactly the long options (and
#     aliases) of `dmremap-bench CMD --help`: one left out fails;
#   - every option whose bad value is refused with a list of allowed words
#     (an enumeration: --rw, --engine, --intensity, ...) completes exactly
#     those words, as "--opt ", "--opt=" and through its alias;
#   - every option and alias has its text in the command's man page or in
#     dmremap-bench(1);
#   - workload types, baseline actions, stored baselines (--baseline-dir,
#     $DMREMAP_BENCH_BASELINE_DIR), block devices, files and directories.
# No command ever runs: each probe ends in an unknown option, so the parser
# stops with status 2 before anything is opened.
set -u

bin=${DMRB_BIN:-./dmremap-bench}
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
script=${DMRB_COMPLETION:-share/bash-completion/completions/dmremap-bench}
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

if [ ! -x "$bin" ]; then
	echo "FAIL: $bin is not an executable (set DMRB_BIN)"
	exit 1
fi
if [ ! -f "$script" ]; then
	echo "FAIL: no completion script at $script (make builds it; set DMRB_COMPLETION)"
	exit 1
fi
if ! cmp -s "$script" <("$bin" completion bash); then
	fail "$script differs from what '$bin completion bash' prints (stale build step?)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dmrb-completion.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
unset DMREMAP_BENCH_BASELINE_DIR

# shellcheck source=/dev/null
source "$script"
if [ "$(complete -p dmremap-bench 2>/dev/null)" != "complete -F _dmremap_bench dmremap-bench" ]; then
	fail "the script does not bind _dmremap_bench to dmremap-bench"
fi

# complete_at N WORD...: the sorted, unique candidates for word N (the
# program is word 0), as bash asks with the cursor there.
complete_at() {
	COMP_CWORD=$1
	shift
	COMP_WORDS=("$bin" "$@")
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_dmremap_bench 2>/dev/null
	if [ ${#COMPREPLY[@]} -gt 0 ]; then
		printf '%s\n' "${COMPREPLY[@]}" | sort -u
	fi
}

# complete_line WORD...: the candidates for the last word.
complete_line() {
	complete_at $# "$@"
}

# expect_same WHAT EXPECTED GOT (newline-separated, sorted)
expect_same() {
	local missing extra
	[ "$2" = "$3" ] && return 0
	missing=$(comm -23 <(printf '%s\n' "$2" | sed '/^$/d') <(printf '%s\n' "$3" | sed '/^$/d'))
	extra=$(comm -13 <(printf '%s\n' "$2" | sed '/^$/d') <(printf '%s\n' "$3" | sed '/^$/d'))
	[ -z "$missing" ] || fail "$1: not completed: $(echo $missing)"
	[ -z "$extra" ] || fail "$1: completed but not expected: $(echo $extra)"
}

words() { printf '%s\n' "$@" | sort -u; }

# ---- commands -------------------------------------------------------------------
commands=$("$bin" --help | awk '/^Commands:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }')
[ -n "$commands" ] || fail "no commands in '$bin --help'"
expect_same "commands" "$(words $commands help --help --version)" "$(complete_line "")"
expect_same "help <command>" "$(words $commands)" "$(complete_line help "")"
expect_same "'co' prefix" "$(words $(printf '%s\n' $commands | grep '^co'))" "$(complete_line co)"

# ---- options, enumerations, man pages, per command ----------------------------------
noptions=0
nenums=0
declare -A probed
for cmd in $commands; do
	help=$("$bin" "$cmd" --help) || { fail "$cmd --help exited $?"; continue; }
	# The left column's long option, and the aliases the help names.
	names=$(printf '%s\n' "$help" | sed -n 's/^ \{2,5\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z0-9_-]*\).*/\2/p' |
		sort -u)
	aliases=$(printf '%s\n' "$help" | grep -o 'also --[a-z][a-z0-9_-]*' | sed 's/^also //' | sort -u)
	expect_same "$cmd options" "$(words $names $aliases)" "$(complete_line "$cmd" --)"

	# The options the two pages have text for, " --name " each.
	page=$srcdir/man/dmremap-bench-$cmd.1
	documented=" $(cat "$page" "$srcdir/man/dmremap-bench.1" 2>/dev/null |
		grep -o 'Fl -[a-z][a-z0-9_-]*' | sed 's/^Fl /-/' | sort -u | tr '\n' ' ') "
	# Each option's line of the help, by its name.
	unset optline
	declare -A optline
	while IFS= read -r l; do
		[[ $l =~ ^\ {2,5}(-[a-zA-Z],\ )?(--[a-z][a-z0-9_-]*) ]] &&
			optline[${BASH_REMATCH[2]}]=$l
	done <<<"$help"
	for opt in $names; do
		[ "$opt" = --help ] && continue
		noptions=$((noptions + 1))
		if [[ $documented != *" $opt "* ]]; then
			fail "$cmd $opt: not in $page nor dmremap-bench(1)"
		fi
		line=${optline[$opt]-}
		# A flag has no argument name after it in the help.
		[[ $line == *"$opt "[A-Z]* ]] || continue
		# The same table entry in another command (the shared run options)
		# was probed already: same help line, same words.
		if [[ -n ${probed[$opt $line]+set} ]]; then
			allowed=${probed[$opt $line]}
		else
			err=$("$bin" "$cmd" "$opt" __dmrb_bogus__ --__dmrb_no_such_option__ 2>&1 >/dev/null)
			allowed=$(printf '%s\n' "$err" |
				sed -n "s/.*: invalid value '__dmrb_bogus__' (allowed: \([a-z0-9_-]*\(, [a-z0-9_-]*\)*\))\$/\1/p")
			probed[$opt $line]=$allowed
		fi
		[ -n "$allowed" ] || continue
		nenums=$((nenums + 1))
		want=$(words $(printf '%s\n' "$allowed" | tr -d ','))
		expect_same "$cmd $opt VALUE" "$want" "$(complete_line "$cmd" "$opt" "")"
		expect_same "$cmd $opt=VALUE" "$want" "$(complete_line "$cmd" "$opt" = "")"
		first=$(printf '%s\n' "$want" | head -n 1)
		expect_same "$cmd $opt ${first:0:2}" \
			"$(printf '%s\n' "$want" | grep "^${first:0:2}")" \
			"$(complete_line "$cmd" "$opt" "${first:0:2}")"
		# Its alias, if the help names one on the option's line.
		alias=
		[[ $line =~ also\ (--[a-z][a-z0-9_-]*) ]] && alias=${BASH_REMATCH[1]}
		if [ -n "$alias" ]; then
			expect_same "$cmd $alias VALUE" "$want" "$(complete_line "$cmd" "$alias" "")"
		fi
	done
	for a in $aliases; do
		if [[ $documented != *" $a "* ]]; then
			fail "$cmd $a: the alias is not in dmremap-bench-$cmd(1) nor dmremap-bench(1)"
		fi
	done
done
[ "$noptions" -ge 100 ] || fail "only $noptions options found in the commands' --help"
# --rw, --reap, --engine, --output-format, --intensity, --format, --inject, ...
[ "$nenums" -ge 20 ] || fail "only $nenums enumerations found (the error format changed?)"

# The ones a user asked for by name, in case the error format ever hides them.
expect_same "concurrency --rw" "$(words read write randread randwrite randrw rw)" \
	"$(complete_line concurrency --rw "")"
expect_same "concurrency --readwrite" "$(words read write randread randwrite randrw rw)" \
	"$(complete_line concurrency --readwrite "")"
expect_same "endurance --intensity" "$(words light moderate heavy extreme)" \
	"$(complete_line endurance --duration 1h --intensity "")"
expect_same "workload --engine" "$(words libaio io_uring)" "$(complete_line workload --engine "")"
expect_same "scale --output-format" "$(words normal json csv)" \
	"$(complete_line scale --output-format "")"
expect_same "concurrency --reap" "$(words auto sleep poll)" "$(complete_line concurrency --reap "")"
expect_same "setup --target-type" "$(words dm-remap-v4 linear error zero)" \
	"$(complete_line setup --target-type "")"
expect_same "concurrency --workers" "auto" "$(complete_line concurrency --workers "")"

# ---- arguments ------------------------------------------------------------------------
expect_same "workload TYPE" "$(words database file_server virtualization mixed)" \
	"$(complete_line workload "")"
expect_same "workload TYPE after options" "$(words database file_server virtualization mixed)" \
	"$(complete_line workload --intensity heavy -q "")"
expect_same "workload after TYPE" "" "$(complete_line workload database "" | grep -v '^-')"
expect_same "baseline ACTION" "$(words list show delete import)" "$(complete_line baseline "")"
expect_same "completion WHAT" "$(words bash baselines)" "$(complete_line completion "")"

# ---- baselines: from --baseline-dir, else $DMREMAP_BENCH_BASELINE_DIR --------------
store=$work/store
other=$work/other
mkdir -p "$store" "$other"
for n in rr32 rr64 seq1; do echo '{}' >"$store/$n.json"; done
echo '{}' >"$other/nightly.json"
echo '{}' >"$store/.hidden.json"
expect_same "baseline show NAME" "$(words rr32 rr64 seq1)" \
	"$(complete_line baseline --baseline-dir "$store" show "")"
expect_same "baseline delete NAME (--baseline-dir=)" "$(words rr32 rr64)" \
	"$(complete_line baseline --baseline-dir = "$store" delete rr)"
expect_same "concurrency --baseline NAME" "$(words rr32 rr64)" \
	"$(cd "$work" && complete_line concurrency --baseline-dir "$store" --baseline rr)"
expect_same "report --baseline from the environment" "nightly" \
	"$(cd "$work" && DMREMAP_BENCH_BASELINE_DIR=$other complete_line report x.json --baseline n)"
expect_same "save-baseline from the environment" "nightly" \
	"$(DMREMAP_BENCH_BASELINE_DIR=$other complete_line concurrency --save-baseline "")"
expect_same "--baseline-dir wins over the environment" "$(words rr32 rr64 seq1)" \
	"$(DMREMAP_BENCH_BASELINE_DIR=$other complete_at 3 baseline show "" --baseline-dir "$store")"

# ---- files, directories, block devices ------------------------------------------------
mkdir -p "$work/files/subdir"
: >"$work/files/result-a.json"
: >"$work/files/result-b.json"
expect_same "compare FILE" "$(words result-a.json result-b.json)" \
	"$(cd "$work/files" && complete_line compare res)"
expect_same "report -o FILE" "$(words result-a.json result-b.json)" \
	"$(cd "$work/files" && complete_line report x.json -o res)"
expect_same "--scratch-dir DIR" "subdir" "$(cd "$work/files" && complete_line concurrency --scratch-dir "")"
expect_same "baseline import FILE" "$(words result-a.json result-b.json)" \
	"$(cd "$work/files" && complete_line baseline import res)"
devs=$(for d in /sys/class/block/*; do [ -b "/dev/${d##*/}" ] && echo "/dev/${d##*/}"; done | sort -u)
if [ -n "$devs" ]; then
	for opt in --target --main --spare; do
		expect_same "concurrency $opt /dev/" "$devs" \
			"$(complete_line concurrency $opt /dev/ | grep -v '^/dev/mapper/')"
	done
	expect_same "setup --main /dev/" "$devs" "$(complete_line setup --main /dev/ | grep -v '^/dev/mapper/')"
else
	echo "note: no block devices in /sys/class/block; device completion not checked"
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "ok: $(echo $commands | wc -w) commands, $noptions options, $nenums enumerations complete"
