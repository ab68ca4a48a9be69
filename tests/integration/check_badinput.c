/*
 * Bad command lines, one table row each, across every command: each must
 * be refused with exit status 2 and exactly one line on stderr naming the
 * offending option or value, print nothing on stdout, and create, open for
 * writing or change nothing.
 *
 * Every row runs in a fresh directory under /dev/shm holding:
 *   tmp/  TMPDIR of the run (where scratch files go)
 *   bl/   DMREMAP_BENCH_BASELINE_DIR
 *   st/   DMREMAP_BENCH_STATE_DIR (verify state)
 *   fix/  the files the row names, made on demand ("@FILE" and friends)
 * tmp/, bl/ and st/ must stay empty, and the fixtures unchanged (size,
 * mode, mtime, contents). An inotify watch on all four directories also
 * catches what would leave no trace: a file created and removed again, or
 * a fixture opened for writing and closed without a write.
 *
 * Outputs the tool must refuse (dmremap-bench(1), OUTPUTS) use a loop
 * device over a file in /dev/shm that carries an ext4 signature (made
 * once, by main()): after such a row its first MiB must be unchanged and
 * blkid -p must still find ext4. Those rows, and the one with a symlink
 * of uid 65534, need root; without it they pass without running.
 *
 * A row that the tool does not (yet) handle as specified stays in the
 * table: its failure is a finding to fix in the tool, not in this test.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/loop.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loopdev.h"
#include "runbin.h"

#define TAG "badin"
#define NOBODY_UID 65534
#define ROW_ARGS 14
#define ROW_TIMEOUT_MS 10000
/* main() puts the path of a real result document here for @RESULT. */
#define RESULT_ENV "DMRB_BADINPUT_RESULT"
/* ... and the loop device with an ext4 signature here, for @BLK and its links. */
#define BLK_ENV "DMRB_BADINPUT_BLK"
#define BLK_CHECK_BYTES (1u << 20)

enum {
	AS_NOBODY = 1,  /* as root, run as nobody (root ignores file modes) */
	ROOT_ONLY = 2,  /* needs root to set up (a loop device): passes when not root */
};

struct bad_row {
	const char *args[ROW_ARGS];  /* argv[1..]; "@NAME" words are fixtures */
	const char *want[2];         /* the stderr line contains both (NULL: none) */
	unsigned flags;
};

#define LONG_NAME "a123456789b123456789c123456789d123456789e123456789f123456789g1234"

static const struct bad_row rows[] = {
	/* ---- the dispatcher ---- */
	{ .args = { "frobnicate" }, .want = { "unknown command", "frobnicate" } },
	{ .args = { "" }, .want = { "unknown command", "''" } },
	{ .args = { "--frob", "concurrency" }, .want = { "unknown option", "--frob" } },
	{ .args = { "help", "nosuch" }, .want = { "unknown command", "nosuch" } },

	/* ---- concurrency: unknown or malformed options ---- */
	{ .args = { "concurrency", "--nope" }, .want = { "unknown option", "--nope" } },
	{ .args = { "concurrency", "-x" }, .want = { "unknown option", "-x" } },
	{ .args = { "concurrency", "--ops" }, .want = { "--ops", "missing value" } },
	{ .args = { "concurrency", "--ops=" }, .want = { "--ops", "''" } },
	{ .args = { "concurrency", "--output-format" },
	  .want = { "--output-format", "missing value" } },
	{ .args = { "concurrency", "--baseline-dir" },
	  .want = { "--baseline-dir", "missing value" } },
	{ .args = { "concurrency", "--verify-state" },
	  .want = { "--verify-state", "missing value" } },
	{ .args = { "concurrency", "--force=yes" }, .want = { "--force", "yes" } },
	{ .args = { "concurrency", "--quiet=1" }, .want = { "--quiet", "'1'" } },
	{ .args = { "concurrency", "--output", "" }, .want = { "--output", "''" } },
	{ .args = { "concurrency", "--duration", "1", "stray" },
	  .want = { "unexpected argument", "stray" } },

	/* ---- sizes ---- */
	{ .args = { "concurrency", "--size", "0" }, .want = { "--size", "'0'" } },
	{ .args = { "concurrency", "--size", "-1" }, .want = { "--size", "'-1'" } },
	{ .args = { "concurrency", "--size", "99999999999999999999" },
	  .want = { "--size", "99999999999999999999" } },
	{ .args = { "concurrency", "--size", "1k" }, .want = { "--size", "1k" } },
	{ .args = { "concurrency", "--size", "2P" }, .want = { "--size", "2P" } },
	{ .args = { "concurrency", "--bs", "0" }, .want = { "--bs", "'0'" } },
	{ .args = { "concurrency", "--bs", "128M" }, .want = { "--bs", "128M" } },
	{ .args = { "concurrency", "--bs", "abc" }, .want = { "--bs", "abc" } },
	{ .args = { "concurrency", "--target", "@FILE", "--bs", "3000" },
	  .want = { "--bs", "3000" } },
	{ .args = { "concurrency", "--target", "@FILE", "--bs", "16M" },
	  .want = { "--target", "16M" } },

	/* ---- durations ---- */
	{ .args = { "concurrency", "--duration", "0" }, .want = { "--duration", "'0'" } },
	{ .args = { "concurrency", "--duration", "5x" }, .want = { "--duration", "5x" } },
	{ .args = { "concurrency", "--duration", "1.5s" }, .want = { "--duration", "1.5s" } },
	{ .args = { "concurrency", "--duration=-3" }, .want = { "--duration", "-3" } },
	{ .args = { "concurrency", "--interval", "10ms" }, .want = { "--interval", "10ms" } },
	{ .args = { "concurrency", "--interval", "2h" }, .want = { "--interval", "2h" } },
	{ .args = { "concurrency", "--ramp", "25h" }, .want = { "--ramp", "25h" } },
	{ .args = { "concurrency", "--timeout", "0" }, .want = { "--timeout", "'0'" } },

	/* ---- counts ---- */
	{ .args = { "concurrency", "--ops", "10001" }, .want = { "--ops", "10001" } },
	{ .args = { "concurrency", "--ops", "0" }, .want = { "--ops", "'0'" } },
	{ .args = { "concurrency", "--ops", "4294967297" }, .want = { "--ops", "4294967297" } },
	{ .args = { "concurrency", "--ops", "1e3" }, .want = { "--ops", "1e3" } },
	{ .args = { "concurrency", "--workers", "0" }, .want = { "--workers", "'0'" } },
	{ .args = { "concurrency", "--workers", "2000" }, .want = { "--workers", "2000" } },
	{ .args = { "concurrency", "--workers", "20", "--ops", "10" },
	  .want = { "--workers", "20" } },
	{ .args = { "concurrency", "--iodepth", "0" }, .want = { "--iodepth", "'0'" } },
	{ .args = { "concurrency", "--iodepth", "100", "--workers", "200" },
	  .want = { "--iodepth", "20000" } },
	{ .args = { "concurrency", "--iodepth", "10", "--workers", "2", "--ops", "50" },
	  .want = { "--iodepth", "--ops 50" } },
	{ .args = { "concurrency", "--rwmix-read", "101" }, .want = { "--rwmix-read", "101" } },
	{ .args = { "concurrency", "--rwmix-read", "-1" }, .want = { "--rwmix-read", "'-1'" } },
	{ .args = { "concurrency", "--seed", "-5" }, .want = { "--seed", "'-5'" } },
	{ .args = { "concurrency", "--seed", "9223372036854775808" },
	  .want = { "--seed", "9223372036854775808" } },
	{ .args = { "concurrency", "--rate-iops", "0" }, .want = { "--rate-iops", "'0'" } },
	{ .args = { "concurrency", "--max-errors", "-1" }, .want = { "--max-errors", "'-1'" } },

	/* ---- choices and thresholds ---- */
	{ .args = { "concurrency", "--rw", "sideways" }, .want = { "--rw", "sideways" } },
	{ .args = { "concurrency", "--output-format", "xml" },
	  .want = { "--output-format", "xml" } },
	{ .args = { "concurrency", "--csv-rows", "lines", "--output-format", "csv" },
	  .want = { "--csv-rows", "lines" } },
	{ .args = { "concurrency", "--csv-rows", "summary" },
	  .want = { "--csv-rows", "--output-format csv" } },
	{ .args = { "workload", "mixed", "--csv-rows", "summary", "--output-format", "json" },
	  .want = { "--csv-rows", "--output-format csv" } },
	{ .args = { "concurrency", "--reap", "spin" },
	  .want = { "--reap", "'spin' (allowed: auto, sleep, poll)" } },
	{ .args = { "concurrency", "--engine", "spdk" },
	  .want = { "--engine", "'spdk' (allowed: libaio, io_uring)" } },
#ifndef HAVE_LIBURING
	{ .args = { "concurrency", "--engine", "io_uring" },
	  .want = { "--engine", "io_uring is not built in" } },
#endif
	{ .args = { "concurrency", "--submit-limit", "0" },
	  .want = { "--submit-limit", "'0' is out of range (allowed: 1 to 1048576, auto or none)" } },
	{ .args = { "scale", "--submit-limit", "all" },
	  .want = { "--submit-limit", "'all' (expected a whole number; allowed: 1 to 1048576, auto or none)" } },
	{ .args = { "concurrency", "--cpus", "" }, .want = { "--cpus", "invalid value ''" } },
	{ .args = { "concurrency", "--cpus", "3-1" },
	  .want = { "--cpus", "invalid item '3-1' in '3-1'" } },
	{ .args = { "scale", "--dataset", "10G", "--cpus", "0,,1" },
	  .want = { "--cpus", "invalid item '' in '0,,1'" } },
	{ .args = { "workload", "database", "--cpus", "0-8:2" }, .want = { "--cpus", "'0-8:2'" } },
	{ .args = { "endurance", "--cpus", "1024" }, .want = { "--cpus", "'1024'" } },
	{ .args = { "concurrency", "--cpus", "1023" },
	  .want = { "--cpus", "CPU 1023 is not one this process may run on" } },
	{ .args = { "concurrency", "--threshold", "-1" }, .want = { "--threshold", "'-1'" } },
	{ .args = { "concurrency", "--threshold-throughput", "101" },
	  .want = { "--threshold-throughput", "101" } },
	{ .args = { "concurrency", "--alpha", "2" }, .want = { "--alpha", "'2'" } },
	{ .args = { "concurrency", "--alpha", "0" }, .want = { "--alpha", "'0'" } },
	{ .args = { "concurrency", "--alpha", "nan" }, .want = { "--alpha", "nan" } },

	/* ---- baselines ---- */
	{ .args = { "concurrency", "--save-baseline", "a/b" },
	  .want = { "--save-baseline", "a/b" } },
	{ .args = { "concurrency", "--save-baseline", ".hidden" },
	  .want = { "--save-baseline", ".hidden" } },
	{ .args = { "concurrency", "--save-baseline", LONG_NAME },
	  .want = { "--save-baseline", LONG_NAME } },
	{ .args = { "concurrency", "--baseline", "nosuch" },
	  .want = { "--baseline", "nosuch" } },
	{ .args = { "concurrency", "--baseline", "@NOTJSON" },
	  .want = { "--baseline", "@NOTJSON" } },
	/* A baseline that is no result is known before the run: refuse before it. */
	{ .args = { "concurrency", "--baseline", "@XJSON", "--duration", "1", "--ops", "8" },
	  .want = { "--baseline", "@XJSON" } },

	/* ---- verification ---- */
	{ .args = { "concurrency", "--verify", "--verify-only", "--target", "@FILE", "--seed",
		    "1" },
	  .want = { "--verify-only", "--verify " } },
	{ .args = { "concurrency", "--verify-only", "--seed", "1" },
	  .want = { "--verify-only", "--target" } },
	{ .args = { "concurrency", "--verify-only", "--target", "@FILE" },
	  .want = { "--verify-only", "--seed" } },
	{ .args = { "concurrency", "--verify-only", "--target", "@FILE", "--seed", "42" },
	  .want = { "--verify-only", "no verify state" } },
	/* A read-back only reads: a read-only target is no reason to refuse it. */
	{ .args = { "concurrency", "--verify-only", "--target", "@RO", "--seed", "42" },
	  .want = { "--verify-only", "no verify state" }, .flags = AS_NOBODY },

	/* ---- targets ---- */
	{ .args = { "concurrency", "--target", "@DIR" }, .want = { "--target", "@DIR" } },
	{ .args = { "concurrency", "--target", "/dev/null" },
	  .want = { "--target", "/dev/null" } },
	{ .args = { "concurrency", "--target", "/dev/zero" },
	  .want = { "--target", "/dev/zero" } },
	{ .args = { "concurrency", "--target", "@FIFO" }, .want = { "--target", "@FIFO" } },
	{ .args = { "concurrency", "--target", "@MISSING" },
	  .want = { "--target", "@MISSING" } },
	{ .args = { "concurrency", "--target", "@EMPTY" }, .want = { "--target", "@EMPTY" } },
	{ .args = { "concurrency", "--target", "@RO", "--rw", "randwrite" },
	  .want = { "--target", "@RO" },
	  .flags = AS_NOBODY },
	{ .args = { "concurrency", "--target", "@RO" },
	  .want = { "--target", "@RO" }, .flags = AS_NOBODY },
	{ .args = { "concurrency", "--target", "@RO", "--rw", "write", "--verify" },
	  .want = { "--target", "@RO" }, .flags = AS_NOBODY },
	/* --size is the scratch file's: with --target it would be ignored silently. */
	{ .args = { "concurrency", "--target", "@FILE", "--size", "1G", "--rw", "randread",
	    "--duration", "1", "--ops", "8" }, .want = { "--size", NULL } },
	/* The scratch directory is the user's input like --target is. */
	{ .args = { "concurrency", "--scratch-dir", "@MISSING" },
	  .want = { "--scratch-dir", "@MISSING" } },
	{ .args = { "concurrency", "--scratch-dir", "@NOTJSON" },
	  .want = { "--scratch-dir", "@NOTJSON" } },

	/* ---- workload ---- */
	{ .args = { "workload" }, .want = { "TYPE", NULL } },
	{ .args = { "workload", "bogus" }, .want = { "TYPE", "bogus" } },
	{ .args = { "workload", "4" }, .want = { "TYPE", "'4'" } },
	{ .args = { "workload", "database", "extra" },
	  .want = { "unexpected argument", "extra" } },
	{ .args = { "workload", "database", "--intensity", "7" },
	  .want = { "--intensity", "'7'" } },
	{ .args = { "workload", "database", "--intensity" },
	  .want = { "--intensity", "missing value" } },
	{ .args = { "workload", "mixed", "--phases", "2" }, .want = { "--phases", "'2'" } },
	{ .args = { "workload", "mixed", "--duration", "2" },
	  .want = { "--duration", "phases" } },
	{ .args = { "workload", "database", "--bs", "4k" },
	  .want = { "unknown option", "--bs" } },
	{ .args = { "workload", "database", "--save-baseline", "a/b" },
	  .want = { "--save-baseline", "a/b" } },
	{ .args = { "workload", "database", "--target", "@DIR" },
	  .want = { "--target", "@DIR" } },

	/* ---- scale ---- */
	{ .args = { "scale" }, .want = { "--dataset", "missing" } },
	{ .args = { "scale", "--target", "@BIG", "--dataset", "10G" },
	  .want = { "--target", "10G" } },
	{ .args = { "scale", "--dataset", "5G" }, .want = { "--dataset", "5G" } },
	{ .args = { "scale", "--dataset", "11T" }, .want = { "--dataset", "11T" } },
	{ .args = { "scale", "--dataset", "10x" }, .want = { "--dataset", "10x" } },
	{ .args = { "scale", "--dataset", "10G", "--steps", "1" },
	  .want = { "--steps", "'1'" } },
	{ .args = { "scale", "--dataset", "10G", "--steps", "9" },
	  .want = { "--steps", "'9'" } },
	{ .args = { "scale", "--dataset", "10G", "--steps", "4", "--duration", "3" },
	  .want = { "--duration", "4 steps" } },
	{ .args = { "scale", "--dataset", "10G", "extra" },
	  .want = { "unexpected argument", "extra" } },

	/* ---- sweep ---- */
	{ .args = { "sweep", "--ops", "1,2" }, .want = { "--ops", "3 to 32 loads" } },
	{ .args = { "sweep", "--ops", "4,2,8" }, .want = { "--ops", "increasing order" } },
	{ .args = { "sweep", "--ops", "1,2,20000" }, .want = { "--ops", "load 20000" } },
	{ .args = { "sweep", "--ops", "1..x" }, .want = { "--ops", "'1..x'" } },
	{ .args = { "sweep", "--ops", "8..1" }, .want = { "--ops", "8..1" } },
	{ .args = { "sweep", "--ops", "1..4", "--steps", "10" },
	  .want = { "--ops", "only 4 different loads" } },
	{ .args = { "sweep", "--ops", "1,2,4", "--steps", "3" },
	  .want = { "--ops", "--steps goes with a range" } },
	{ .args = { "sweep", "--steps", "2" }, .want = { "--steps", "'2'" } },
	{ .args = { "sweep", "--steps", "33" }, .want = { "--steps", "'33'" } },
	{ .args = { "sweep", "--rate", "10k..x" }, .want = { "--rate", "'10k..x'" } },
	{ .args = { "sweep", "--rate", "1k,2k,200M" }, .want = { "--rate", "load 200000000" } },
	{ .args = { "sweep", "--rate", "1k..8k", "--ops", "1,2,4" },
	  .want = { "--ops", "'1,2,4'" } },
	{ .args = { "sweep", "--rate", "1k..8k", "--ops", "20000" }, .want = { "--ops", "'20000'" } },
	{ .args = { "sweep", "--rate", "1k..8k", "--rate-iops", "500" },
	  .want = { "--rate-iops", "a rate sweep" } },
	{ .args = { "sweep", "--iodepth", "4" }, .want = { "--iodepth", "--ops" } },
	{ .args = { "sweep", "--slo", "p95=2ms" }, .want = { "--slo", "'p95=2ms'" } },
	{ .args = { "sweep", "--slo", "p99=2" }, .want = { "--slo", "'p99=2'" } },
	{ .args = { "sweep", "--slo", "p99" }, .want = { "--slo", "'p99'" } },
	{ .args = { "sweep", "--ops", "1,2,4", "--duration", "10", "--timeout", "20" },
	  .want = { "--timeout", "3 steps" } },
	{ .args = { "sweep", "--gate", "knee/total.loads" },
	  .want = { "--gate", "knee/total.loads" } },
	{ .args = { "sweep", "extra" }, .want = { "unexpected argument", "extra" } },
	{ .args = { "sweep", "--ops", "1,2,4", "-o", "@BLK" },
	  .want = { "--output", "block device" } },

	/* ---- endurance ---- */
	{ .args = { "endurance", "--duration", "25h" }, .want = { "--duration", "25h" } },
	{ .args = { "endurance", "--duration", "30s" }, .want = { "--duration", "30s" } },
	{ .args = { "endurance", "--intensity", "0" }, .want = { "--intensity", "'0'" } },
	{ .args = { "endurance", "--interval", "50ms" }, .want = { "--interval", "50ms" } },
	{ .args = { "endurance", "--ops", "8" }, .want = { "unknown option", "--ops" } },
	/* One interval longer than the run: no drift can come out of it. */
	{ .args = { "endurance", "--duration", "1m", "--interval", "1h" },
	  .want = { "--interval", "1h" } },
	{ .args = { "endurance", "--max-drift", "-1" }, .want = { "--max-drift", "-1" } },
	{ .args = { "endurance", "--max-drift", "5%" }, .want = { "--max-drift", "5%" } },
	{ .args = { "endurance", "--steady-state", "latency:5%" },
	  .want = { "--steady-state", "latency" } },
	{ .args = { "endurance", "--steady-state", "iops" }, .want = { "--steady-state", "'iops'" } },
	{ .args = { "endurance", "--steady-state", "iops:five" },
	  .want = { "--steady-state", "'five'" } },
	{ .args = { "endurance", "--steady-state", "iops_equiv:500" },
	  .want = { "--steady-state", "in percent" } },
	/* 10 s windows of 10 s intervals: one sample, no rule. */
	{ .args = { "endurance", "--steady-state", "iops:5%:10s" },
	  .want = { "--steady-state", "at least 2 intervals" } },
	{ .args = { "endurance", "--duration", "1m", "--steady-state", "iops:5%:2m" },
	  .want = { "--steady-state", "--duration" } },
	{ .args = { "endurance", "--steady-state-stop" },
	  .want = { "--steady-state-stop", "--steady-state RULE" } },
	{ .args = { "endurance", "--steady-state", "iops:5%", "--reference", "@FILE" },
	  .want = { "--steady-state", "--reference" } },
	{ .args = { "endurance", "--status-interval", "10ms" },
	  .want = { "--status-interval", "10ms" } },
	{ .args = { "endurance", "--metrics-file", "@DIR" }, .want = { "--metrics-file", "directory" } },
	{ .args = { "endurance", "--metrics-file", "@FIFO" }, .want = { "--metrics-file", "@FIFO" } },
	{ .args = { "endurance", "--metrics-file", "-" }, .want = { "--metrics-file", "'-'" } },
	{ .args = { "endurance", "--metrics-file", "@BLKLINK" },
	  .want = { "--metrics-file", "block device" } },

	/* ---- compare ---- */
	{ .args = { "compare" }, .want = { "result files", "got 0" } },
	{ .args = { "compare", "@RESULT" }, .want = { "result files", "got 1" } },
	{ .args = { "compare", "@RESULT", "@RESULT", "@MISSING" },
	  .want = { "unexpected argument", "@MISSING" } },
	{ .args = { "compare", "@RESULT", "@MISSING" }, .want = { "@MISSING", NULL } },
	{ .args = { "compare", "@MISSING", "@RESULT" }, .want = { "@MISSING", NULL } },
	{ .args = { "compare", "@RESULT", "@XJSON" }, .want = { "@XJSON", NULL } },
	{ .args = { "compare", "@XJSON", "@RESULT" }, .want = { "@XJSON", NULL } },
	{ .args = { "compare", "@RESULT", "@NOTJSON" }, .want = { "@NOTJSON", NULL } },
	{ .args = { "compare", "@RESULT", "@DIR" }, .want = { "@DIR", NULL } },
	{ .args = { "compare", "@RESULT", "/dev/null" }, .want = { "/dev/null", NULL } },
	{ .args = { "compare", "@RESULT", "@RESULT", "--threshold", "-1" },
	  .want = { "--threshold", "'-1'" } },
	{ .args = { "compare", "@RESULT", "@RESULT", "--alpha", "2" },
	  .want = { "--alpha", "'2'" } },
	{ .args = { "compare", "@RESULT", "@RESULT", "--output-format", "xml" },
	  .want = { "--output-format", "xml" } },
	{ .args = { "compare", "@RESULT", "@RESULT", "--csv-rows", "summary" },
	  .want = { "unknown option", "--csv-rows" } },
	{ .args = { "compare", "@RESULT", "@RESULT", "--ops", "5" },
	  .want = { "unknown option", "--ops" } },

	/* ---- baseline ---- */
	{ .args = { "baseline" }, .want = { "missing action", NULL } },
	{ .args = { "baseline", "frobnicate" }, .want = { "action", "frobnicate" } },
	{ .args = { "baseline", "show" }, .want = { "show", "NAME" } },
	{ .args = { "baseline", "delete" }, .want = { "delete", "NAME" } },
	{ .args = { "baseline", "list", "extra" }, .want = { "list", "arguments" } },
	{ .args = { "baseline", "show", "a/b" }, .want = { "NAME", "a/b" } },
	{ .args = { "baseline", "delete", ".x" }, .want = { "NAME", "'.x'" } },
	{ .args = { "baseline", "show", "nosuch" }, .want = { "no baseline", "nosuch" } },
	{ .args = { "baseline", "delete", "nosuch" }, .want = { "nosuch", NULL } },
	{ .args = { "baseline", "import", "@RESULT" }, .want = { "import", "NAME" } },
	{ .args = { "baseline", "import", "@NOTJSON", "nm" }, .want = { "@NOTJSON", "JSON" } },
	{ .args = { "baseline", "import", "@XJSON", "nm" }, .want = { "@XJSON", NULL } },
	{ .args = { "baseline", "import", "@MISSING", "nm" }, .want = { "@MISSING", NULL } },
	{ .args = { "baseline", "import", "@RESULT", "a/b" }, .want = { "NAME", "a/b" } },
	{ .args = { "baseline", "list", "--baseline-dir" },
	  .want = { "--baseline-dir", "missing value" } },

	/* ---- outputs: the rule of dmremap-bench(1), OUTPUTS ---- */
	/* A block device: never, --force or not, named or through a symlink. */
	{ .args = { "concurrency", "--duration", "1", "--ops", "4", "-o", "@BLKLINK" },
	  .want = { "--output", "block device" } },
	{ .args = { "concurrency", "--duration", "1", "--ops", "4", "-o", "@BLKLINK", "--force" },
	  .want = { "--output", "block device" } },
	{ .args = { "concurrency", "--duration", "1", "--ops", "4", "-o", "@BLK" },
	  .want = { "--output", "block device" } },
	{ .args = { "concurrency", "--duration", "1", "--ops", "4", "-o", "@DIR" },
	  .want = { "--output", "directory" } },
	/* A symlink of someone else in a sticky world-writable directory. */
	{ .args = { "concurrency", "--duration", "1", "--ops", "4", "-o", "@UNTRUSTED" },
	  .want = { "--output", "not following the symlink" } },
	{ .args = { "workload", "database", "--duration", "2", "-o", "@BLKLINK" },
	  .want = { "--output", "block device" } },
	{ .args = { "endurance", "--duration", "1m", "-o", "@BLKLINK" },
	  .want = { "--output", "block device" } },
	{ .args = { "scale", "--dataset", "10G", "-o", "@BLK" },
	  .want = { "--output", "block device" } },
	{ .args = { "report", "@RESULT", "-o", "@BLKLINK" }, .want = { "--output", "block device" } },
	{ .args = { "report", "@RESULT", "-o", "@BLK" }, .want = { "--output", "block device" } },
	{ .args = { "report", "@RESULT", "-o", "@DIR" }, .want = { "--output", "directory" } },
	{ .args = { "report", "@RESULT", "-o", "@UNTRUSTED" },
	  .want = { "--output", "not following the symlink" } },
	{ .args = { "report", "@RESULT", "--format", "png" }, .want = { "--format", "png" } },
	{ .args = { "report", "@RESULT", "--csv-rows", "summary" },
	  .want = { "--csv-rows", "--format csv" } },
	{ .args = { "report", "@RESULT", "--format", "hdr", "--baseline", "@RESULT" },
	  .want = { "--baseline", "html and svg" } },
	{ .args = { "report", "@RESULT", "--format", "hdr", "-o", "@BLK" },
	  .want = { "--output", "block device" } },
	{ .args = { "report", "@RESULT", "--format", "svg", "-o", "@FILE" },
	  .want = { "--output", "not a directory" } },
	{ .args = { "compare", "@RESULT", "@RESULT", "-o", "@BLKLINK" },
	  .want = { "--output", "block device" } },
	{ .args = { "compare", "@RESULT", "@RESULT", "-o", "@DIR" },
	  .want = { "--output", "directory" } },
	{ .args = { "compare", "@RESULT", "@RESULT", "-o", "@UNTRUSTED" },
	  .want = { "--output", "not following the symlink" } },
	{ .args = { "validate", "--main", "@FILE", "--spare", "@BIG", "--bad-count", "1", "-o",
		    "@BLKLINK" }, .want = { "--output", "block device" } },
	/* @BLDIR holds x.json, a symlink to the block device. */
	{ .args = { "concurrency", "--duration", "1", "--ops", "4", "--save-baseline", "x",
		    "--baseline-dir", "@BLDIR" }, .want = { "--save-baseline", "block device" } },
	{ .args = { "baseline", "import", "@RESULT", "x", "--baseline-dir", "@BLDIR" },
	  .want = { "x.json", "block device" } },
	{ .args = { "concurrency", "--verify", "--target", "@FILE", "--duration", "1", "--ops", "4",
		    "--verify-state", "@BLKLINK" }, .want = { "--verify-state", "block device" } },
	{ .args = { "concurrency", "--verify", "--target", "@FILE", "--duration", "1", "--ops", "4",
		    "--verify-state", "@DIR" }, .want = { "--verify-state", "directory" } },

	/* ---- the device-mapper commands ---- */
	{ .args = { "setup" }, .want = { "--main", NULL } },
	{ .args = { "setup", "--main", "@FILE" }, .want = { "--spare", NULL } },
	{ .args = { "setup", "--main", "@FILE", "--spare", "@EMPTY", "--timeout", "0" },
	  .want = { "--timeout", "'0'" } },
	{ .args = { "setup", "--bogus" }, .want = { "unknown option", "--bogus" } },
	{ .args = { "setup", "--main", "@FILE", "--spare", "@EMPTY", "extra" },
	  .want = { "unexpected argument", "extra" } },
	{ .args = { "setup", "--main", "@FILE", "--spare", "@EMPTY", "--name", "a/b" },
	  .want = { "--name", "a/b" } },
	{ .args = { "setup", "--main", "@FILE", "--spare", "@EMPTY", "--target-type", "bogus" },
	  .want = { "--target-type", "bogus" } },
	{ .args = { "setup", "--main", "@FILE", "--target-type", "linear", "--params" },
	  .want = { "--params", "missing value" } },
	{ .args = { "teardown" }, .want = { "NAME", "--all" } },
	{ .args = { "teardown", "x", "--all" }, .want = { "NAME", "--all" } },
	{ .args = { "teardown", "--all", "--timeout", "0" }, .want = { "--timeout", "'0'" } },
	{ .args = { "status", "--output-format", "xml" }, .want = { "--output-format", "xml" } },
	{ .args = { "status", "a", "b" }, .want = { "unexpected argument", "'b'" } },
	{ .args = { "status", "--timeout", "0" }, .want = { "--timeout", "'0'" } },

	/*
	 * ---- issue 17: one loader, refusals before anything is made ----
	 * Every document is read by the one loader: a regular file only (a
	 * FIFO never blocks it), duplicate keys refused, and a result without
	 * the metrics its command always writes is no result.
	 */
	{ .args = { "compare", "@RESULT", "@HOLLOW" },
	  .want = { "@HOLLOW", "\"results.total.ops\" is missing" } },
	{ .args = { "compare", "@HOLLOW", "@RESULT" },
	  .want = { "@HOLLOW", "\"results.total.ops\" is missing" } },
	{ .args = { "compare", "@HOLLOWFIO", "@HOLLOWFIO" },
	  .want = { "@HOLLOWFIO", "\"jobs[0].read\" is missing" } },
	{ .args = { "report", "@HOLLOW" },
	  .want = { "@HOLLOW", "\"results.total.ops\" is missing" } },
	{ .args = { "report", "@HOLLOWFIO" },
	  .want = { "@HOLLOWFIO", "\"jobs[0].read\" is missing" } },
	{ .args = { "baseline", "import", "@HOLLOW", "nm" },
	  .want = { "@HOLLOW", "\"results.total.ops\" is missing" } },
	{ .args = { "baseline", "import", "@HOLLOWFIO", "nm" },
	  .want = { "@HOLLOWFIO", "\"jobs[0].read\" is missing" } },
	{ .args = { "concurrency", "--baseline", "@HOLLOW", "--duration", "1", "--ops", "8" },
	  .want = { "--baseline", "\"results.total.ops\" is missing" } },
	{ .args = { "report", "@DUPKEY" }, .want = { "@DUPKEY", "duplicate object key" } },
	{ .args = { "report", "@RESULT", "--baseline", "@DUPKEY" },
	  .want = { "@DUPKEY", "duplicate object key" } },
	/* A FIFO without a writer: refused at once, never waited on (the row's timeout). */
	{ .args = { "baseline", "list" }, .want = { "@BLFIFO", "is a FIFO" } },
	{ .args = { "compare", "@FIFO", "@RESULT" }, .want = { "@FIFO", "is a FIFO" } },
	{ .args = { "compare", "@RESULT", "@FIFO" }, .want = { "@FIFO", "is a FIFO" } },
	{ .args = { "report", "@FIFO" }, .want = { "@FIFO", "is a FIFO" } },
	{ .args = { "baseline", "import", "@FIFO", "nm" }, .want = { "@FIFO", "is a FIFO" } },
	{ .args = { "concurrency", "--baseline", "@FIFO", "--duration", "1", "--ops", "8" },
	  .want = { "--baseline", "is a FIFO" } },
	{ .args = { "compare", "@RESULT", "/dev/zero" }, .want = { "/dev/zero", "character device" } },
	{ .args = { "concurrency", "--verify-only", "--target", "@FILE", "--seed", "42",
		    "--verify-state", "@FIFO" }, .want = { "@FIFO", "is a FIFO" } },
	/* A control character in a value is quoted: one line, and no terminal escape. */
	{ .args = { "concurrency", "--rw", "side\x1b[31mways\nx" },
	  .want = { "--rw", "'side\\e[31mways\\nx'" } },
	{ .args = { "compare", "@RESULT", "/nonexistent/\x1b]0;pwned\x07\x9b\xc2\x9b.json" },
	  .want = { "/nonexistent/\\e]0;pwned\\x07\\x9b\\xc2\\x9b.json", NULL } },
	{ .args = { "baseline", "show", "a\tb" }, .want = { "NAME", "'a\\tb'" } },
	/* Checked before the scratch file (or dm stack) exists: nothing in TMPDIR. */
	{ .args = { "concurrency", "--bs", "513" }, .want = { "--bs", "513" } },
	{ .args = { "endurance", "--bs", "1000", "--duration", "1m" },
	  .want = { "--bs", "1000" } },
	/* A read-only block device and a workload that writes: refused before any I/O. */
	{ .args = { "concurrency", "--target", "@ROLOOP", "--duration", "1", "--ops", "4" },
	  .want = { "@ROLOOP", "is a read-only block device" }, .flags = ROOT_ONLY },
	{ .args = { "concurrency", "--target", "@ROLOOP", "--rw", "write", "--force",
		    "--duration", "1", "--ops", "4" },
	  .want = { "--target", "read-only" }, .flags = ROOT_ONLY },
	{ .args = { "setup", "--main", "@ROLOOP", "--spare", "@FILE" },
	  .want = { "--main", "is a read-only block device" }, .flags = ROOT_ONLY },
	{ .args = { "setup", "--main", "@FILE", "--spare", "@ROLOOP" },
	  .want = { "--spare", "is a read-only block device" }, .flags = ROOT_ONLY },
	{ .args = { "concurrency", "--main", "@ROLOOP", "--spare", "@FILE", "--duration", "1" },
	  .want = { "--main", "read-only" }, .flags = ROOT_ONLY },
	{ .args = { "validate", "--main", "@ROLOOP", "--spare", "@FILE", "--bad-count", "1" },
	  .want = { "--main", "read-only" }, .flags = ROOT_ONLY },
	/* A state file whose nblocks contradicts its size: named, with what was expected. */
	{ .args = { "concurrency", "--verify-only", "--target", "@FILE", "--seed", "42",
		    "--verify-state", "@BADSTATE" },
	  .want = { "nblocks 7", "expected 2048" } },

	/* ---- several devices, --start-at ---- */
	{ .args = { "concurrency", "--target", "@FILE", "--target", "@FILE" },
	  .want = { "--target", "same device" } },
	{ .args = { "concurrency", "--target", "/nonexistent/a,,/nonexistent/b" },
	  .want = { "--target", "/nonexistent/a,,/nonexistent/b" } },
	{ .args = { "concurrency", "--target", "/nonexistent/a," },
	  .want = { "--target", "none empty" } },
	{ .args = { "concurrency", "--main", "/nonexistent/a", "--main", "/nonexistent/b",
		    "--spare", "/nonexistent/c" }, .want = { "--spare", "1 given for 2" } },
	{ .args = { "concurrency", "--target", "@FILE", "--main", "/nonexistent/a" },
	  .want = { "--target", "--main" } },
	{ .args = { "concurrency", "--target", "/nonexistent/a,/nonexistent/b", "--reference",
		    "@FILE" }, .want = { "--reference", "several devices" } },
	{ .args = { "concurrency", "--target", "/nonexistent/a,/nonexistent/b", "--verify",
		    "--verify-state", "/nonexistent/s" }, .want = { "--verify-state", "one each" } },
	{ .args = { "endurance", "--target", "/nonexistent/a,/nonexistent/b", "--duration", "1m" },
	  .want = { "--target", "one device" } },
	{ .args = { "concurrency", "--start-at", "tomorrow" }, .want = { "--start-at", "tomorrow" } },
	{ .args = { "concurrency", "--start-at", "+90000" }, .want = { "--start-at", "24 hours" } },
	{ .args = { "concurrency", "--start-at", "2026-13-40T00:00:00Z" },
	  .want = { "--start-at", "2026-13-40T00:00:00Z" } },
	{ .args = { "concurrency", "--start-at", "2026-12-05T10:00:00" },
	  .want = { "--start-at", "UTC" } },

	/* ---- merge ---- */
	{ .args = { "merge" }, .want = { "at least one", NULL } },
	{ .args = { "merge", "@MISSING" }, .want = { "@MISSING", NULL } },
	{ .args = { "merge", "@RESULT", "@RESULT" }, .want = { "both from host", NULL } },
	{ .args = { "merge", "@RESULT", "@XJSON" }, .want = { "@XJSON", NULL } },
	{ .args = { "merge", "@HOLLOW" }, .want = { "@HOLLOW", NULL } },
	{ .args = { "merge", "@FIFO" }, .want = { "@FIFO", "is a FIFO" } },
	{ .args = { "merge", "@RESULT", "-o", "@BLK" }, .want = { "--output", "block device" } },
	{ .args = { "merge", "@RESULT", "--ops", "5" }, .want = { "unknown option", "--ops" } },
};

#define NROWS ((int)(sizeof(rows) / sizeof(rows[0])))

/* ---- problems of one row, collected so that cleanup always runs ---------- */

struct report {
	char msg[4096];
	size_t len;
	int n;
};

static void note(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct report *r, const char *fmt, ...)
{
	va_list ap;

	r->n++;
	if (r->len + 2 >= sizeof(r->msg))
		return;
	if (r->n > 1)
		r->len += (size_t)snprintf(r->msg + r->len, sizeof(r->msg) - r->len, "; ");
	va_start(ap, fmt);
	vsnprintf(r->msg + r->len, sizeof(r->msg) - r->len, fmt, ap);
	va_end(ap);
	r->len = strlen(r->msg);
}

/* ---- fixtures ------------------------------------------------------------- */

enum fix_kind {
	F_DATA, F_SPARSE, F_EMPTY, F_TEXT, F_COPY, F_DIR, F_FIFO, F_NONE,
	F_HOLLOW, F_DUPKEY, F_ROLOOP, F_BLFIFO,
	F_BLK,        /* main()'s loop device (not in fix/) */
	F_BLKLINK,    /* a symlink to it */
	F_BLDIR,      /* a directory holding x.json, a symlink to it */
	F_UNTRUSTED,  /* sticky/r.json in a 1777 directory: uid 65534's symlink to @VICTIM */
};

static const struct fixture_spec {
	const char *token;
	enum fix_kind kind;
	unsigned long long size;     /* F_DATA, F_SPARSE */
	const char *text;            /* F_TEXT */
	mode_t mode;
} fixture_specs[] = {
	{ "@FILE", F_DATA, 8ULL << 20, NULL, 0644 },
	{ "@RO", F_DATA, 8ULL << 20, NULL, 0444 },
	{ "@BIG", F_SPARSE, 64ULL << 20, NULL, 0644 },
	{ "@EMPTY", F_EMPTY, 0, NULL, 0644 },
	{ "@NOTJSON", F_TEXT, 0, "this is not JSON\n", 0644 },
	{ "@XJSON", F_TEXT, 0, "{\"x\":1}\n", 0644 },
	{ "@RESULT", F_COPY, 0, NULL, 0644 },
	{ "@DIR", F_DIR, 0, NULL, 0755 },
	{ "@FIFO", F_FIFO, 0, NULL, 0644 },
	{ "@MISSING", F_NONE, 0, NULL, 0 },
	/* issue 17 (loader) */
	{ "@HOLLOW", F_HOLLOW, 0, NULL, 0644 },
	{ "@HOLLOWFIO", F_TEXT, 0, "{\"fio version\": \"fio-3.33\", \"jobs\": [{}]}\n", 0644 },
	{ "@DUPKEY", F_DUPKEY, 0, NULL, 0644 },
	{ "@BLFIFO", F_BLFIFO, 0, NULL, 0644 },  /* a FIFO in the baseline directory */
	{ "@ROLOOP", F_ROLOOP, 8ULL << 20, NULL, 0644 },
	{ "@BADSTATE", F_TEXT, 0, "dmremap-bench genmap 1\n{\"target\": \"x\", \"target_size\": "
	  "8388608, \"block_size\": 4096, \"seed\": 42, \"nblocks\": 7, \"written\": 0}\n"
	  "\x01\x01\x01\x01\x01\x01\x01", 0644 },
	{ "@BLK", F_BLK, 0, NULL, 0 },
	{ "@BLKLINK", F_BLKLINK, 0, NULL, 0 },
	{ "@BLDIR", F_BLDIR, 0, NULL, 0755 },
	{ "@VICTIM", F_TEXT, 0, "{\"victim\": true}\n", 0644 },
	{ "@UNTRUSTED", F_UNTRUSTED, 0, NULL, 01777 },
};

#define NFIX ((int)(sizeof(fixture_specs) / sizeof(fixture_specs[0])))

/* What a fixture was before the run. */
struct fix_state {
	bool made;
	char path[512];
	struct stat st;
	unsigned long long hash;
	/* F_ROLOOP: the backing file (checked like a fixture) and our fd on the device. */
	char backing[512];
	unsigned long long backing_hash;
	int loop_fd;                 /* +1: 0 when none (the state is zeroed) */
	char dir[512];      /* F_BLDIR, F_UNTRUSTED: the directory holding the link */
};

/* The row's world: directories, fixtures, the inotify watch. */
struct row_env {
	char *root;
	char tmp[256], bl[256], st[256], fix[256];
	struct fix_state fx[NFIX];
	int ino;
	int wd[6];
	char wdir[6][512];
	int nwd;
	bool skip;           /* a fixture needs root or the loop device: not run */
	bool blk;            /* the row names the loop device: check it afterwards */
};

static int fixture_index(const char *word)
{
	int i;

	if (!word || word[0] != '@')
		return -1;
	for (i = 0; i < NFIX; i++)
		if (strcmp(word, fixture_specs[i].token) == 0)
			return i;
	return -1;
}

/* FNV-1a over the contents; a regular file's fingerprint. */
static int hash_file(const char *path, unsigned long long *h)
{
	unsigned char buf[16384];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, i;

	if (fd < 0)
		return -1;
	*h = 1469598103934665603ULL;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			*h = (*h ^ buf[i]) * 1099511628211ULL;
	close(fd);
	return n < 0 ? -1 : 0;
}

static int write_data(const char *path, unsigned long long size, mode_t mode)
{
	unsigned char buf[16384];
	unsigned long long done;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), rc = 0;
	size_t i;

	if (fd < 0)
		return -1;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131u + 7u);
	for (done = 0; done < size && !rc; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			rc = -1;
	if (fchmod(fd, mode))
		rc = -1;
	return close(fd) || rc ? -1 : 0;
}

/* A sparse file with a marked first and last block. */
static int write_sparse(const char *path, unsigned long long size, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), rc = 0;
	char mark[4096];

	if (fd < 0)
		return -1;
	memset(mark, 0x5a, sizeof(mark));
	if (ftruncate(fd, (off_t)size) ||
	    pwrite(fd, mark, sizeof(mark), 0) != (ssize_t)sizeof(mark) ||
	    pwrite(fd, mark, sizeof(mark), (off_t)(size - sizeof(mark))) != (ssize_t)sizeof(mark) ||
	    fchmod(fd, mode))
		rc = -1;
	return close(fd) || rc ? -1 : 0;
}

static int write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), rc = 0;
	size_t len = strlen(text);

	if (fd < 0)
		return -1;
	if ((len && write(fd, text, len) != (ssize_t)len) || fchmod(fd, mode))
		rc = -1;
	return close(fd) || rc ? -1 : 0;
}

/* @RESULT as text, changed by how: the hollow result, or a key given twice. */
static int write_derived(const char *path, enum fix_kind how, mode_t mode)
{
	char *text = getenv(RESULT_ENV) ? runbin_slurp(getenv(RESULT_ENV)) : NULL, *out = NULL;
	json_t *doc = text ? runbin_json(text) : NULL;
	int rc = -1;

	if (doc && how == F_HOLLOW) {
		/* Every key of a result but the metrics: {"total": {}, "errors": {}}. */
		json_object_set_new(doc, "results", json_pack("{s:{}, s:{}}", "total", "errors"));
		out = json_dumps(doc, JSON_INDENT(2));
	} else if (text && text[0] == '{' &&
		   asprintf(&out, "{\"tool\": \"dmremap-bench\", %s", text + 1) < 0) {
		out = NULL;
	}
	if (out)
		rc = write_text(path, out, mode);
	free(out);
	json_decref(doc);
	free(text);
	return rc;
}

/*
 * A read-only loop device (as losetup -r makes) over a data file in fix/,
 * auto-cleared: it goes away when our fd closes, even if this test dies.
 */
static int attach_ro_loop(struct fix_state *s, unsigned long long size, mode_t mode)
{
	int ctl, bfd, lfd = -1, n, tries, rc = -1;
	struct loop_config cfg;

	if (write_data(s->backing, size, mode) || hash_file(s->backing, &s->backing_hash))
		return -1;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	bfd = open(s->backing, O_RDONLY | O_CLOEXEC);
	for (tries = 0; ctl >= 0 && bfd >= 0 && tries < 20 && rc; tries++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			break;
		snprintf(s->path, sizeof(s->path), "/dev/loop%d", n);
		lfd = open(s->path, O_RDWR | O_CLOEXEC);
		if (lfd < 0) {
			usleep(50000);  /* the node is still being made */
			continue;
		}
		memset(&cfg, 0, sizeof(cfg));
		cfg.fd = (__u32)bfd;
		cfg.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
		rc = ioctl(lfd, LOOP_CONFIGURE, &cfg);
		if (rc) {
			close(lfd);
			lfd = -1;
			if (errno != EBUSY)
				break;  /* another process took it: ask again */
		}
	}
	if (bfd >= 0)
		close(bfd);
	if (ctl >= 0)
		close(ctl);
	if (rc)
		return -1;
	s->loop_fd = lfd + 1;
	return 0;
}

static int make_fixture(struct row_env *e, int i);

/* s->dir/name -> target, owned by uid (-1: ours), becomes the fixture's path. */
static int make_link(struct fix_state *s, const char *name, const char *target, int uid)
{
	char path[sizeof(s->path)];

	snprintf(path, sizeof(path), "%.*s/%s", (int)(sizeof(path) - 64), s->dir, name);
	if (symlink(target, path) || (uid >= 0 && lchown(path, (uid_t)uid, (gid_t)uid)))
		return -1;
	memcpy(s->path, path, sizeof(path));
	return 0;
}

static int make_fixture(struct row_env *e, int i)
{
	const struct fixture_spec *f = &fixture_specs[i];
	struct fix_state *s = &e->fx[i];
	const char *blk = getenv(BLK_ENV);
	char *text;
	int rc, v;

	snprintf(s->path, sizeof(s->path), "%s/%s%s", f->kind == F_BLFIFO ? e->bl : e->fix,
		 f->token + 1, f->kind == F_BLFIFO ? ".json" : "");
	if (f->kind >= F_BLK && f->kind <= F_BLDIR) {
		if (!blk) {
			e->skip = true;
			return 0;
		}
		e->blk = true;
	}
	if (f->kind == F_UNTRUSTED && geteuid() != 0) {
		e->skip = true;
		return 0;
	}
	switch (f->kind) {
	case F_BLK:
		snprintf(s->path, sizeof(s->path), "%s", blk);
		rc = 0;
		break;
	case F_BLKLINK:
		rc = symlink(blk, s->path);
		break;
	case F_BLDIR:
		memcpy(s->dir, s->path, sizeof(s->dir));
		rc = mkdir(s->dir, f->mode) || chmod(s->dir, f->mode) ||
		     make_link(s, "x.json", blk, -1) ? -1 : 0;
		break;
	case F_UNTRUSTED:
		/* The link would lead to a file root may write; it must not be followed. */
		v = fixture_index("@VICTIM");
		snprintf(s->dir, sizeof(s->dir), "%s/sticky", e->fix);
		rc = (!e->fx[v].made && make_fixture(e, v)) || mkdir(s->dir, 0700) ||
		     chmod(s->dir, f->mode) ||
		     make_link(s, "r.json", "../victim", NOBODY_UID) ? -1 : 0;
		break;
	case F_HOLLOW:
	case F_DUPKEY:
		rc = write_derived(s->path, f->kind, f->mode);
		break;
	case F_ROLOOP:
		snprintf(s->backing, sizeof(s->backing), "%s/%s.img", e->fix, f->token + 1);
		rc = attach_ro_loop(s, f->size, f->mode);
		break;
	case F_DATA:
		rc = write_data(s->path, f->size, f->mode);
		break;
	case F_SPARSE:
		rc = write_sparse(s->path, f->size, f->mode);
		break;
	case F_EMPTY:
		rc = write_text(s->path, "", f->mode);
		break;
	case F_TEXT:
		rc = write_text(s->path, f->text, f->mode);
		break;
	case F_COPY:
		text = getenv(RESULT_ENV) ? runbin_slurp(getenv(RESULT_ENV)) : NULL;
		rc = text ? write_text(s->path, text, f->mode) : -1;
		free(text);
		break;
	case F_DIR:
		rc = mkdir(s->path, f->mode) || chmod(s->path, f->mode) ? -1 : 0;
		break;
	case F_FIFO:
	case F_BLFIFO:
		rc = mkfifo(s->path, f->mode) || chmod(s->path, f->mode) ? -1 : 0;
		break;
	default:
		return 0;  /* F_NONE: a name that must not come to exist */
	}
	if (rc || lstat(s->path, &s->st))
		return -1;
	s->made = true;
	if (S_ISREG(s->st.st_mode) && hash_file(s->path, &s->hash))
		return -1;
	return 0;
}

static void watch(struct row_env *e, const char *dir)
{
	uint32_t mask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE |
			IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF;

	e->wd[e->nwd] = inotify_add_watch(e->ino, dir, mask);
	ck_assert_msg(e->wd[e->nwd] >= 0, "inotify_add_watch %s: %s", dir, strerror(errno));
	snprintf(e->wdir[e->nwd], sizeof(e->wdir[0]), "%s", dir);
	e->nwd++;
}

static void make_dir(char *out, size_t len, const char *root, const char *name)
{
	snprintf(out, len, "%s/%s", root, name);
	ck_assert_msg(mkdir(out, 0700) == 0, "mkdir %s: %s", out, strerror(errno));
}

/* Directories and the fixtures row uses; then the watch. */
static void env_setup(struct row_env *e, const struct bad_row *row, bool nobody)
{
	int i, k;

	memset(e, 0, sizeof(*e));
	e->ino = -1;
	e->root = runbin_tmpdir(TAG);
	ck_assert_msg(e->root != NULL, "cannot create a directory in /dev/shm");
	make_dir(e->tmp, sizeof(e->tmp), e->root, "tmp");
	make_dir(e->bl, sizeof(e->bl), e->root, "bl");
	make_dir(e->st, sizeof(e->st), e->root, "st");
	make_dir(e->fix, sizeof(e->fix), e->root, "fix");
	/* The fixtures a row names, in its arguments or in what it wants said. */
	for (i = 0; i < ROW_ARGS + 2; i++) {
		k = fixture_index(i < ROW_ARGS ? row->args[i] : row->want[i - ROW_ARGS]);
		if (k >= 0 && !e->fx[k].made && !e->fx[k].path[0])
			ck_assert_msg(make_fixture(e, k) == 0, "cannot make fixture %s: %s",
				      fixture_specs[k].token, strerror(errno));
	}
	if (nobody) {
		/* nobody must reach the fixtures, and could create files in the rest. */
		ck_assert_int_eq(chmod(e->root, 0755), 0);
		ck_assert_int_eq(chmod(e->fix, 0755), 0);
		ck_assert_int_eq(chmod(e->tmp, 0777), 0);
		ck_assert_int_eq(chmod(e->bl, 0777), 0);
		ck_assert_int_eq(chmod(e->st, 0777), 0);
	}
	e->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_msg(e->ino >= 0, "inotify_init1: %s", strerror(errno));
	watch(e, e->tmp);
	watch(e, e->bl);
	watch(e, e->st);
	watch(e, e->fix);
	k = fixture_index("@DIR");
	if (e->fx[k].made)
		watch(e, e->fx[k].path);
	for (i = 0; i < NFIX; i++)
		if (e->fx[i].dir[0])
			watch(e, e->fx[i].dir);
}

static void env_teardown(struct row_env *e)
{
	int i;

	if (e->ino >= 0)
		close(e->ino);
	for (i = 0; i < NFIX; i++)
		if (e->fx[i].loop_fd > 0)
			close(e->fx[i].loop_fd - 1);  /* auto-clear detaches the device */
	if (e->root) {
		runbin_rmtree(e->root);
		free(e->root);
	}
}

/* The argument with fixtures replaced by their paths. */
static const char *expand(const struct row_env *e, const char *word)
{
	int k = fixture_index(word);

	if (k >= 0 && fixture_specs[k].kind == F_BLDIR)
		return e->fx[k].dir;  /* the directory; the link in it is the fixture */
	return k >= 0 ? e->fx[k].path : word;
}

/* ---- what the run left behind ------------------------------------------------ */

/* "created written ..." for an inotify mask. */
static void event_words(uint32_t mask, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *word; } words[] = {
		{ IN_CREATE, "created" }, { IN_DELETE, "deleted" }, { IN_MODIFY, "written" },
		{ IN_CLOSE_WRITE, "closed after an open for writing" },
		{ IN_ATTRIB, "attributes changed" }, { IN_MOVED_FROM, "renamed away" },
		{ IN_MOVED_TO, "renamed to" }, { IN_DELETE_SELF, "removed" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]) && used < len; i++)
		if (mask & words[i].bit)
			used += (size_t)snprintf(buf + used, len - used, " %s", words[i].word);
}

static void check_events(struct row_env *e, struct report *r)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	char what[128];
	ssize_t n;

	while ((n = read(e->ino, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (p < buf + n) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			const char *dir = "?";
			int i;

			for (i = 0; i < e->nwd; i++)
				if (e->wd[i] == ev->wd)
					dir = e->wdir[i];
			if (!(ev->mask & IN_IGNORED)) {
				event_words(ev->mask, what, sizeof(what));
				note(r, "%s/%s:%s", dir, ev->len ? ev->name : ".", what);
			}
			p += sizeof(*ev) + ev->len;
		}
	}
}

static void check_empty(const char *dir, const char *what, int fixtures, struct report *r)
{
	int n = runbin_count_entries(dir);

	if (n != fixtures)
		note(r, "%s (%s) holds %d entries afterwards", what, dir, n - fixtures);
}

/* How many fixtures were made in the baseline directory. */
static int fixtures_in_bl(const struct row_env *e)
{
	int i, n = 0;

	for (i = 0; i < NFIX; i++)
		n += e->fx[i].made && fixture_specs[i].kind == F_BLFIFO;
	return n;
}

static void check_fixtures(const struct row_env *e, struct report *r)
{
	int i;

	for (i = 0; i < NFIX; i++) {
		const struct fix_state *s = &e->fx[i];
		unsigned long long h;
		struct stat st;

		if (!s->path[0])
			continue;
		if (!s->made) {
			if (lstat(s->path, &st) == 0)
				note(r, "%s was created", s->path);
			continue;
		}
		if (lstat(s->path, &st)) {
			note(r, "%s is gone", s->path);
			continue;
		}
		if (st.st_mode != s->st.st_mode || st.st_size != s->st.st_size ||
		    st.st_mtim.tv_sec != s->st.st_mtim.tv_sec ||
		    st.st_mtim.tv_nsec != s->st.st_mtim.tv_nsec)
			note(r, "%s changed (mode, size or mtime)", s->path);
		if (S_ISREG(st.st_mode) && (hash_file(s->path, &h) || h != s->hash))
			note(r, "the contents of %s changed", s->path);
		if (S_ISDIR(st.st_mode) && runbin_count_entries(s->path) != 0)
			note(r, "%s is no longer empty", s->path);
		if (s->backing[0] && (hash_file(s->backing, &h) || h != s->backing_hash))
			note(r, "the contents of %s (behind %s) changed", s->backing, s->path);
		if (s->dir[0] && runbin_count_entries(s->dir) != 1)
			note(r, "%s holds %d entries, want its one link", s->dir,
			     runbin_count_entries(s->dir));
	}
}

/* ---- the loop device with an ext4 signature -------------------------------------- */

static unsigned long long blk_hash0;

/* FNV-1a of the first BLK_CHECK_BYTES of the device (through the page cache). */
static int hash_blk(const char *dev, unsigned long long *h)
{
	unsigned char *buf = malloc(BLK_CHECK_BYTES);
	int fd = open(dev, O_RDONLY | O_CLOEXEC), rc = -1;
	size_t i;

	if (buf && fd >= 0 && pread(fd, buf, BLK_CHECK_BYTES, 0) == (ssize_t)BLK_CHECK_BYTES) {
		*h = 1469598103934665603ULL;
		for (i = 0; i < BLK_CHECK_BYTES; i++)
			*h = (*h ^ buf[i]) * 1099511628211ULL;
		rc = 0;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

static void check_blk(struct report *r)
{
	const char *dev = getenv(BLK_ENV);
	unsigned long long h;
	char type[64];

	if (hash_blk(dev, &h) || h != blk_hash0)
		note(r, "the first MiB of %s changed", dev);
	loopdev_probe_type(dev, type, sizeof(type));
	if (strcmp(type, "ext4"))
		note(r, "blkid -p finds no ext4 on %s any more (\"%s\")", dev, type);
}

static void check_output(const struct row_env *e, const struct bad_row *row,
			 const struct runbin_result *res, struct report *r)
{
	const char *prefix = "dmremap-bench: ";
	int i;

	if (res->timed_out)
		note(r, "still running after %u ms (killed)", ROW_TIMEOUT_MS);
	if (res->status != RB_EXIT_USAGE)
		note(r, "exit %d, want 2", res->status);
	if (runbin_count_lines(res->err) != 1)
		note(r, "%zu lines on stderr, want 1", runbin_count_lines(res->err));
	/* No raw control character, C1 control or ESC: a value cannot drive the terminal. */
	for (i = 0; res->err[i] && res->err[i + 1]; i++)
		if ((unsigned char)res->err[i] < 0x20 || res->err[i] == 0x7f ||
		    ((unsigned char)res->err[i] == 0xc2 &&
		     (unsigned char)res->err[i + 1] >= 0x80 && (unsigned char)res->err[i + 1] < 0xa0) ||
		    (unsigned char)res->err[i] == 0x9b) {
			note(r, "stderr holds the control character 0x%02x at %d",
			     (unsigned char)res->err[i], i);
			break;
		}
	else if (strncmp(res->err, prefix, strlen(prefix)))
		note(r, "the stderr line does not start with '%s'", prefix);
	for (i = 0; i < 2; i++)
		if (row->want[i] && !strstr(res->err, expand(e, row->want[i])))
			note(r, "stderr does not name \"%s\"", expand(e, row->want[i]));
	if (res->out[0])
		note(r, "%zu bytes on stdout", strlen(res->out));
}

/* ---- the test ------------------------------------------------------------------- */

static void describe(const struct row_env *e, const struct bad_row *row, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < ROW_ARGS && row->args[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s'%s'", i ? " " : "",
					 expand(e, row->args[i]));
}

START_TEST(bad_command_line)
{
	const struct bad_row *row = &rows[_i];
	bool nobody = (row->flags & AS_NOBODY) && geteuid() == 0;
	char *envs[3], cmd[2048], err[1024];
	const char *args[ROW_ARGS + 1], *envv[4];
	struct runbin_opts o = { .env = envv, .as_uid = nobody ? NOBODY_UID : -1,
				 .timeout_ms = ROW_TIMEOUT_MS };
	struct runbin_result res;
	struct report rep = { .n = 0 };
	struct row_env e;
	int i;

	if ((row->flags & ROOT_ONLY) && geteuid() != 0)
		return;  /* the set-up needs root; the suite runs as root */
	env_setup(&e, row, nobody);
	if (e.skip) {
		/* Needs root and the loop device (main() says why it has none). */
		env_teardown(&e);
		return;
	}
	for (i = 0; i < ROW_ARGS && row->args[i]; i++)
		args[i] = expand(&e, row->args[i]);
	args[i] = NULL;
	ck_assert_int_ge(asprintf(&envs[0], "TMPDIR=%s", e.tmp), 0);
	ck_assert_int_ge(asprintf(&envs[1], "DMREMAP_BENCH_BASELINE_DIR=%s", e.bl), 0);
	ck_assert_int_ge(asprintf(&envs[2], "DMREMAP_BENCH_STATE_DIR=%s", e.st), 0);
	for (i = 0; i < 3; i++)
		envv[i] = envs[i];
	envv[3] = NULL;

	if (runbin_run(args, &o, &res))
		note(&rep, "cannot run %s", runbin_path());
	else
		check_output(&e, row, &res, &rep);
	check_events(&e, &rep);
	check_empty(e.tmp, "TMPDIR", 0, &rep);
	check_empty(e.bl, "the baseline directory", fixtures_in_bl(&e), &rep);
	check_empty(e.st, "the state directory", 0, &rep);
	check_fixtures(&e, &rep);
	if (e.blk)
		check_blk(&rep);

	describe(&e, row, cmd, sizeof(cmd));
	snprintf(err, sizeof(err), "%s", res.err ? res.err : "");
	err[strcspn(err, "\n")] = '\0';
	runbin_result_free(&res);
	for (i = 0; i < 3; i++)
		free(envs[i]);
	env_teardown(&e);
	ck_assert_msg(rep.n == 0, "row %d: dmremap-bench %s%s: %s [stderr: %s]", _i, cmd,
		      nobody ? " (as nobody)" : "", rep.msg, err);
}
END_TEST

/*
 * issue 17: what `baseline list` prints on stdout comes from file names and
 * file contents that anyone with access to the store chose: quoted as
 * messages are, so no terminal escape gets through.
 */
START_TEST(list_quotes_names)
{
	char *root = runbin_tmpdir(TAG), *text, *env, *data, bl[512], path[600];
	const char *args[] = { "baseline", "list", NULL }, *envv[2] = { NULL, NULL };
	struct runbin_opts o = { .env = envv, .as_uid = -1, .timeout_ms = ROW_TIMEOUT_MS };
	struct runbin_result res;
	json_t *doc;
	size_t i;

	ck_assert_ptr_nonnull(root);
	text = runbin_slurp(getenv(RESULT_ENV));
	doc = text ? runbin_json(text) : NULL;
	ck_assert_ptr_nonnull(doc);
	json_object_set_new(doc, "command", json_string("\x1b[2Jconcurrency"));
	json_object_set_new(json_object_get(doc, "environment"), "kernel",
			    json_string("6.1\x1b]0;pwned\x07\xc2\x9b"));
	json_object_set_new(json_object_get(doc, "environment"), "start_time",
			    json_string("line\nbreak"));
	data = json_dumps(doc, JSON_INDENT(2));
	ck_assert_ptr_nonnull(data);
	snprintf(bl, sizeof(bl), "%s/bl", root);
	ck_assert_int_eq(mkdir(bl, 0700), 0);
	snprintf(path, sizeof(path), "%s/e\x1b[7mvil.json", bl);
	ck_assert_int_eq(write_text(path, data, 0644), 0);
	ck_assert_int_ge(asprintf(&env, "DMREMAP_BENCH_BASELINE_DIR=%s", bl), 0);
	envv[0] = env;
	ck_assert_int_eq(runbin_run(args, &o, &res), 0);
	ck_assert_msg(res.status == 0, "exit %d: %s", res.status, res.err);
	ck_assert_msg(runbin_count_lines(res.out) == 1, "stdout: %s", res.out);
	for (i = 0; res.out[i]; i++)
		ck_assert_msg((unsigned char)res.out[i] >= 0x20 || res.out[i] == '\n',
			      "stdout holds 0x%02x at %zu", (unsigned char)res.out[i], i);
	ck_assert_msg(!strstr(res.out, "\xc2\x9b"), "stdout holds U+009B: %s", res.out);
	ck_assert_msg(strstr(res.out, "e\\e[7mvil") && strstr(res.out, "\\e[2Jconcurrency") &&
		      strstr(res.out, "\\e]0;pwned\\x07\\xc2\\x9b") &&
		      strstr(res.out, "line\\nbreak"), "stdout: %s", res.out);
	runbin_result_free(&res);
	free(env);
	free(data);
	free(text);
	json_decref(doc);
	runbin_rmtree(root);
	free(root);
}
END_TEST

static Suite *badinput_suite(void)
{
	Suite *s = suite_create("badinput");
	TCase *tc = tcase_create("table");
	TCase *loader = tcase_create("loader");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, bad_command_line, 0, NROWS);
	suite_add_tcase(s, tc);
	tcase_set_timeout(loader, 30);
	tcase_add_test(loader, list_quotes_names);
	suite_add_tcase(s, loader);
	return s;
}

/* Run args and store stdout in path when the run succeeds with a JSON document. */
static bool run_to_file(const char *const *args, const struct runbin_opts *o, const char *path)
{
	struct runbin_result r;
	json_t *doc;
	bool ok = false;
	FILE *f;

	if (runbin_run(args, o, &r))
		return false;
	doc = r.status == RB_EXIT_OK ? runbin_json(r.out) : NULL;
	if (!doc)
		fprintf(stderr, "check_badinput: the result run failed (exit %d): %s\n", r.status,
			r.err);
	f = doc ? fopen(path, "w") : NULL;
	if (f) {
		ok = fputs(r.out, f) >= 0;
		ok = fclose(f) == 0 && ok;
	}
	json_decref(doc);
	runbin_result_free(&r);
	return ok;
}

/* A real result document for @RESULT, from one short run; its malloc'd path. */
static char *make_result(void)
{
	const char *args[] = { "concurrency", "--ops", "8", "--duration", "1", "--rw", "randread",
			       "--output-format", "json", NULL };
	const char *envv[2] = { NULL, NULL };
	struct runbin_opts o = { .env = envv, .as_uid = -1, .timeout_ms = 60000 };
	char *dir = runbin_tmpdir(TAG), *env, *path;

	if (!dir || asprintf(&env, "TMPDIR=%s", dir) < 0) {
		free(dir);
		return NULL;
	}
	envv[0] = env;
	if (asprintf(&path, "%s/result.json", dir) < 0)
		path = NULL;
	else if (!run_to_file(args, &o, path)) {
		free(path);
		path = NULL;
	}
	free(env);
	free(dir);
	return path;
}

/*
 * A loop device over a file in /dev/shm with an ext4 signature, for the
 * output rows. Returns 0 with BLK_ENV set, or -1 (the rows then skip).
 */
static int make_blk(struct loopdev *ld, char **backing)
{
	char cmd[512], type[64];

	ld->index = -1;
	*backing = NULL;
	if (geteuid() != 0) {
		fprintf(stderr, "check_badinput: not root: the rows with a block device skip\n");
		return -1;
	}
	*backing = loopdev_backing_create(TAG, 16ULL << 20);
	if (!*backing)
		return -1;
	snprintf(cmd, sizeof(cmd), "mkfs.ext4 -qF %s >/dev/null 2>&1", *backing);
	if (system(cmd) != 0 || loopdev_attach(ld, *backing, false)) {
		fprintf(stderr, "check_badinput: no ext4 loop device (mkfs.ext4, losetup): the rows "
			"with a block device skip\n");
		return -1;
	}
	loopdev_probe_type(ld->path, type, sizeof(type));
	if (strcmp(type, "ext4") || hash_blk(ld->path, &blk_hash0)) {
		fprintf(stderr, "check_badinput: blkid -p finds no ext4 on %s\n", ld->path);
		return -1;
	}
	setenv(BLK_ENV, ld->path, 1);
	return 0;
}

int main(void)
{
	struct loopdev ld;
	char *backing;
	SRunner *sr;
	char *result;
	int failed;

	loopdev_sweep(TAG);
	runbin_sweep(TAG);
	/* As root the device must be there: a row that skips would prove nothing. */
	if (make_blk(&ld, &backing) && geteuid() == 0)
		result = NULL;
	else if (!(result = make_result()))
		fprintf(stderr, "check_badinput: cannot make a result document with %s\n",
			runbin_path());
	if (!result) {
		if (ld.index >= 0)
			loopdev_detach(&ld);
		loopdev_backing_remove(backing);
		runbin_sweep(TAG);
		return EXIT_FAILURE;
	}
	setenv(RESULT_ENV, result, 1);
	sr = srunner_create(badinput_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(result);
	if (ld.index >= 0 && loopdev_detach(&ld))
		failed++;
	loopdev_backing_remove(backing);
	/* The result's directory, and rows that failed before their cleanup. */
	loopdev_sweep(TAG);
	runbin_sweep(TAG);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
