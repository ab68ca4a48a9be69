/*
 * The options every run command shares (target, workload, output), parsed
 * in one place. Commands splice these option groups into their tables.
 */
#ifndef DMRB_RUNOPTS_H
#define DMRB_RUNOPTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli/options.h"
#include "engine/job.h"
#include "result/history.h"
#include "result/result_csv.h"

#define RUNOPTS_MAX_REPEAT 100
/* Devices one run drives at once (--target or --main/--spare given several times). */
#define RUNOPTS_MAX_DEVICES 64
/* --start-at: at most this far ahead. */
#define RUNOPTS_START_AT_MAX_NS (86400ULL * 1000000000ULL)

enum rw_mode { RW_READ, RW_WRITE, RW_RANDREAD, RW_RANDWRITE, RW_RANDRW, RW_RW };
/* normal, json: every command that writes a result; csv: run commands and compare. */
enum out_format { OUT_NORMAL, OUT_JSON, OUT_CSV };

extern const char *const rw_mode_names[];
extern const char *const out_format_names[];   /* normal, json */
extern const char *const run_format_names[];   /* normal, json, csv */
extern const char *const reap_mode_names[];
extern const char *const engine_names[];
/* The target types --target-type builds without --params (dm/stack.c). */
extern const char *const dmstack_type_names[];

struct run_opts {
	/* target */
	/*
	 * The one device of a run (the first of several): set from the lists
	 * below by runopts_validate. With several devices the session opens
	 * each with its own copy of these options (runopts_devices).
	 */
	const char *target;
	struct opt_list targets;    /* every --target as given (each may be a comma list) */
	uint64_t size;
	const char *scratch_dir;
	bool force;
	/* workload */
	uint64_t duration_ns;
	uint64_t ramp_ns;
	uint64_t interval_ns;
	uint64_t bs;
	unsigned iodepth;
	unsigned workers;           /* 0: auto */
	int reap;                   /* enum reap_mode */
	int engine;                 /* index into engine_names */
	unsigned submit_limit;      /* 0: auto, UINT32_MAX: none */
	const char *cpus;           /* --cpus LIST, or NULL: workers not pinned */
	int rw;
	unsigned rwmix_read;
	uint64_t seed;
	uint64_t max_errors;
	uint64_t rate_iops;
	uint64_t timeout_ns;
	const char *start_at;       /* --start-at TIME as given */
	uint64_t start_at_ns;       /* its wall clock (UTC ns), 0 without; set by runopts_validate */
	/* output */
	const char *output;
	int output_format;
	int csv_rows;               /* enum csv_rows: --csv-rows */
	bool quiet;
	/* verification */
	bool verify, verify_only;
	const char *verify_state;
	/* baselines */
	const char *baseline;
	const char *save_baseline;
	const char *baseline_dir;
	double threshold, threshold_tput, threshold_lat, alpha;
	bool allow_mismatch;
	const char *gate;           /* --gate LIST: the metrics that decide */
	unsigned keep;              /* --keep N: runs a baseline history keeps; 0: its own, or 20 */
	/* repeats and references (verdicts that hold up on a noisy machine) */
	unsigned repeat;            /* runs measured, each with its own result */
	const char *reference;      /* --reference DEV: measured interleaved with the target */
	uint64_t slice_ns;          /* length of an interleaved slice; 0: auto */
	/* device-mapper: a stack built for the run (RUNOPTS_DM) */
	const char *dm_main, *dm_spare;
	struct opt_list mains, spares;  /* every --main, --spare as given */
	const char *dm_type;        /* NULL: dm-remap-v4 */
	const char *dm_name;
	bool no_dm, compare_linear;
	/* which were given on the command line */
	bool seed_set, iodepth_set, workers_set, bs_set, rw_set, rwmix_set, duration_set;
	bool threshold_set, threshold_tput_set, threshold_lat_set, max_errors_set, size_set;
	bool repeat_set, slice_set, csv_rows_set, ramp_set, engine_set;
};

/* Defaults common to all run commands; commands then adjust theirs. */
void runopts_defaults(struct run_opts *ro);

/*
 * The option groups, spliced into a command's table. An .alias is fio's name
 * for the same thing (--runtime, --numjobs, --rwmixread, ...), only where
 * the meaning is the same: fio's --rate_iops is per job and its --timeout a
 * run time, so neither is an alias of ours.
 */
#define RUNOPTS_TARGET(ro)                                                          \
	{ .type = OPT_GROUP, .help = "Target" },                                    \
	{ .type = OPT_LIST, .name = "target", .alias = "filename",                  \
	  .value = &(ro)->targets, .complete = COMPLETE_DEVICE,                     \
	  .argh = "PATH[,PATH...]",                                                 \
	  .help = "block device or regular file (default: a scratch file); several: all at once" }, \
	{ .type = OPT_SIZE, .name = "size", .value = &(ro)->size, .argh = "SIZE",   \
	  .set = &(ro)->size_set,                                                   \
	  .min = 1 << 20, .max = 1ULL << 50,                                        \
	  .help = "size of the scratch file (default 1G, sparse)" },                \
	{ .type = OPT_STRING, .name = "scratch-dir", .alias = "directory",          \
	  .value = &(ro)->scratch_dir,                                              \
	  .argh = "DIR", .help = "where the scratch file goes (default $TMPDIR or /tmp)" }, \
	{ .type = OPT_BOOL, .name = "force", .value = &(ro)->force,                 \
	  .help = "write to a block device even if it carries a signature" }

/*
 * A device-mapper stack for the run, torn down after it (see session.h).
 * Without --target, --main and --no-dm a root run builds a dm-remap-v4
 * stack over two scratch files when the target is loaded.
 */
#define RUNOPTS_DM(ro)                                                              \
	{ .type = OPT_GROUP, .help = "Device-mapper stack (built for the run, removed after it)" }, \
	{ .type = OPT_LIST, .name = "main", .value = &(ro)->mains, .complete = COMPLETE_DEVICE, .argh = "DEV[,DEV...]", \
	  .help = "run on a dm device over DEV (block device, or a file: a loop device)" }, \
	{ .type = OPT_LIST, .name = "spare", .value = &(ro)->spares, .complete = COMPLETE_DEVICE, .argh = "DEV[,DEV...]", \
	  .help = "the spare device of dm-remap-v4 (one per --main, in order)" },  \
	{ .type = OPT_STRING, .name = "target-type", .value = &(ro)->dm_type,       \
	  .choices = dmstack_type_names,                                            \
	  .argh = "TYPE", .help = "dm-remap-v4 (default), linear, error or zero" },  \
	{ .type = OPT_STRING, .name = "dm-name", .value = &(ro)->dm_name, .argh = "NAME", \
	  .help = "name of the dm device ('dmrb-' is added; default dmrb-run-<main>)" }, \
	{ .type = OPT_BOOL, .name = "no-dm", .value = &(ro)->no_dm,                 \
	  .help = "without --target: a plain scratch file, never the automatic dm-remap stack" }, \
	{ .type = OPT_BOOL, .name = "compare-linear", .value = &(ro)->compare_linear, \
	  .help = "measure a linear twin of main interleaved with the target: the overhead" }

#define RUNOPTS_TIME(ro)                                                            \
	{ .type = OPT_DURATION, .name = "duration", .alias = "runtime",             \
	  .value = &(ro)->duration_ns, .argh = "T", .min = 1000000000ULL, .max = 7 * 86400 * 1000000000ULL,      \
	  .set = &(ro)->duration_set, .help = "how long to measure: 90, 90s, 5m, 2h" }, \
	{ .type = OPT_DURATION, .name = "ramp", .alias = "ramp_time",              \
	  .value = &(ro)->ramp_ns, .argh = "T",                                     \
	  .max = 86400 * 1000000000ULL, .set = &(ro)->ramp_set,                     \
	  .help = "run this long first, excluded from the results (default 0)" },   \
	{ .type = OPT_DURATION, .name = "interval", .value = &(ro)->interval_ns,    \
	  .argh = "T", .min = 100000000ULL, .max = 3600 * 1000000000ULL,            \
	  .help = "time-series sampling period (default 1s)" }

/*
 * depth_def, workers_def: what --help gives as the defaults of --iodepth and
 * --workers where the command resolves them later (NULL: the value).
 */
#define RUNOPTS_POOL(ro, depth_def, workers_def)                                                 \
	{ .type = OPT_UINT, .name = "iodepth", .value = &(ro)->iodepth, .argh = "N", \
	  .min = 1, .max = 65536, .set = &(ro)->iodepth_set, .def = (depth_def),    \
	  .help = "I/Os in flight per worker" },                                    \
	{ .type = OPT_UINT, .name = "workers", .alias = "numjobs",                  \
	  .value = &(ro)->workers,                                                  \
	  .argh = "N|auto", .min = 1, .max = 1024, .special = "auto",               \
	  .set = &(ro)->workers_set, .def = (workers_def),                          \
	  .help = "worker threads" },                                               \
	{ .type = OPT_CHOICE, .name = "reap", .value = &(ro)->reap, .argh = "MODE", \
	  .choices = reap_mode_names,                                               \
	  .help = "wait for completions: auto, sleep or poll (default auto)" },     \
	{ .type = OPT_CHOICE, .name = "engine", .alias = "ioengine",                \
	  .value = &(ro)->engine, .set = &(ro)->engine_set,                         \
	  .argh = "NAME", .choices = engine_names,                                  \
	  .help = "I/O engine: libaio or io_uring (default libaio)" },              \
	{ .type = OPT_UINT, .name = "submit-limit", .value = &(ro)->submit_limit,  \
	  .argh = "N|auto|none", .min = 1, .max = 1 << 20, .special = "auto",       \
	  .special_max = "none",                                                    \
	  .help = "I/Os handed to the kernel at once, all workers (default auto)" }, \
	{ .type = OPT_STRING, .name = "cpus", .value = &(ro)->cpus, .argh = "LIST", \
	  .help = "a CPU list such as 0-3,8: worker i runs on its i-th CPU, round robin " \
		  "(default: not pinned)" }

#define RUNOPTS_PATTERN(ro)                                                         \
	{ .type = OPT_SIZE, .name = "bs", .value = &(ro)->bs, .argh = "SIZE",       \
	  .min = 512, .max = 64 << 20, .set = &(ro)->bs_set,                        \
	  .help = "block size, a multiple of the logical block size: 4k, 64K, 1M" }, \
	{ .type = OPT_CHOICE, .name = "rw", .alias = "readwrite", .value = &(ro)->rw, \
	  .argh = "MODE",                                                           \
	  .choices = rw_mode_names, .set = &(ro)->rw_set,                           \
	  .help = "read, write, randread, randwrite, randrw or rw" },               \
	{ .type = OPT_UINT, .name = "rwmix-read", .alias = "rwmixread",             \
	  .value = &(ro)->rwmix_read,                                               \
	  .argh = "PCT", .max = 100, .set = &(ro)->rwmix_set,                       \
	  .help = "share of reads in randrw/rw, percent" }

#define RUNOPTS_CONTROL(ro)                                                         \
	{ .type = OPT_U64, .name = "seed", .alias = "randseed", .value = &(ro)->seed, \
	  .argh = "N",                                                              \
	  .max = (1ULL << 63) - 1, .set = &(ro)->seed_set,                                                   \
	  .help = "seed of offsets and data (default: random, recorded)" },         \
	{ .type = OPT_U64, .name = "max-errors", .value = &(ro)->max_errors,        \
	  .argh = "N", .max = 1000000000000ULL, .set = &(ro)->max_errors_set,       \
	  .help = "errors tolerated before stopping (default 0)" },    \
	{ .type = OPT_DURATION, .name = "timeout", .value = &(ro)->timeout_ns,      \
	  .argh = "T", .min = 1000000000ULL, .max = 8 * 86400 * 1000000000ULL,      \
	  .help = "hard stop: give up on in-flight I/O after T from the start (default: none)" },   \
	{ .type = OPT_STRING, .name = "start-at", .value = &(ro)->start_at,         \
	  .argh = "TIME", .help = "start the I/O at TIME: +SECONDS, @EPOCH or 2026-12-05T10:00:00Z" }, \
	{ .type = OPT_U64, .name = "rate-iops", .value = &(ro)->rate_iops,          \
	  .argh = "N", .min = 1, .max = 100000000ULL,                               \
	  .help = "cap the total IOPS, a token bucket per worker (default: no cap)" }

#define RUNOPTS_OUTPUT(ro)                                                          \
	{ .type = OPT_GROUP, .help = "Output" },                                    \
	{ .type = OPT_STRING, .name = "output", .short_name = 'o',                  \
	  .value = &(ro)->output, .argh = "FILE",                                   \
	  .help = "write the result to FILE, - for stdout (dmremap-bench(1) OUTPUTS)" }, \
	{ .type = OPT_CHOICE, .name = "output-format", .value = &(ro)->output_format, \
	  .argh = "FMT", .choices = run_format_names,                               \
	  .help = "normal, json or csv (json and csv go to stdout without --output)" }, \
	{ .type = OPT_CHOICE, .name = "csv-rows", .value = &(ro)->csv_rows,         \
	  .argh = "ROWS", .choices = csv_rows_names, .set = &(ro)->csv_rows_set,    \
	  .help = "csv: intervals (one row per interval, default) or summary (per run, part, stream)" }, \
	{ .type = OPT_BOOL, .name = "quiet", .short_name = 'q', .value = &(ro)->quiet, \
	  .help = "no progress line and no summary on stdout" }

#define RUNOPTS_VERIFY(ro)                                                          \
	{ .type = OPT_GROUP, .help = "Verification" },                              \
	{ .type = OPT_BOOL, .name = "verify", .value = &(ro)->verify,               \
	  .help = "write verify blocks and check every read of a written block" },  \
	{ .type = OPT_BOOL, .name = "verify-only", .value = &(ro)->verify_only,     \
	  .help = "re-read and check what an earlier --verify run wrote (same --target, --seed)" }, \
	{ .type = OPT_STRING, .name = "verify-state", .value = &(ro)->verify_state, \
	  .argh = "FILE", .help = "where the generation map is saved/loaded (default: "     \
	  "named after target, size and seed, in the state directory)" }

#define RUNOPTS_BASELINE(ro)                                                        \
	{ .type = OPT_GROUP, .help = "Baselines" },                                 \
	{ .type = OPT_STRING, .name = "baseline", .value = &(ro)->baseline,         \
	  .argh = "NAME|FILE", .help = "compare the run against a stored baseline or result file" }, \
	{ .type = OPT_STRING, .name = "save-baseline", .value = &(ro)->save_baseline, \
	  .complete = COMPLETE_BASELINE,                                            \
	  .argh = "NAME", .help = "add the run(s) to baseline NAME's history" },     \
	{ .type = OPT_UINT, .name = "keep", .value = &(ro)->keep, .argh = "N",      \
	  .min = 1, .max = HISTORY_KEEP_MAX,                                        \
	  .help = "runs a baseline's history keeps (default: as stored, else 20)" }, \
	{ .type = OPT_STRING, .name = "baseline-dir", .value = &(ro)->baseline_dir, \
	  .argh = "DIR", .help = "where baselines live (default: see dmremap-bench-baseline(1))" }, \
	RUNOPTS_VERDICT(ro),                                                        \
	RUNOPTS_REPEAT(ro)

/* Replicates and an interleaved reference: the run is the unit of replication. */
#define RUNOPTS_REPEAT(ro)                                                          \
	{ .type = OPT_UINT, .name = "repeat", .value = &(ro)->repeat, .argh = "N",  \
	  .min = 1, .max = RUNOPTS_MAX_REPEAT, .set = &(ro)->repeat_set,            \
	  .help = "measure N runs, each with its own result (default 1)" },         \
	{ .type = OPT_STRING, .name = "reference", .value = &(ro)->reference,       \
	  .complete = COMPLETE_DEVICE, .argh = "DEV", .help = "measure DEV interleaved with the target, slice by slice" }, \
	{ .type = OPT_DURATION, .name = "slice", .value = &(ro)->slice_ns, .argh = "T", \
	  .min = 200000000ULL, .max = 3600 * 1000000000ULL, .set = &(ro)->slice_set, \
	  .help = "length of an interleaved slice (default: 1/10 of --duration, 1s to 10s)" }

/* How a comparison decides: shared by run commands and compare. */
#define RUNOPTS_VERDICT(ro)                                                         \
	{ .type = OPT_DOUBLE, .name = "threshold", .value = &(ro)->threshold,       \
	  .argh = "PCT", .dmin = 0, .dmax = 1000, .set = &(ro)->threshold_set,      \
	  .def = "", .help = "both thresholds below at once, percent" },            \
	{ .type = OPT_DOUBLE, .name = "threshold-throughput", .value = &(ro)->threshold_tput, \
	  .argh = "PCT", .dmin = 0, .dmax = 100, .set = &(ro)->threshold_tput_set,  \
	  .help = "throughput drop that counts (default 10)" },                     \
	{ .type = OPT_DOUBLE, .name = "threshold-latency", .value = &(ro)->threshold_lat, \
	  .argh = "PCT", .dmin = 0, .dmax = 1000, .set = &(ro)->threshold_lat_set,  \
	  .help = "latency rise that counts (default 15)" },                        \
	{ .type = OPT_DOUBLE, .name = "alpha", .value = &(ro)->alpha, .argh = "P",  \
	  .dmin = 1e-9, .dmax = 0.5, .help = "significance level of the test (default 0.05)" }, \
	{ .type = OPT_BOOL, .name = "allow-mismatch", .value = &(ro)->allow_mismatch, \
	  .help = "compare even when workload parameters differ" },                 \
	{ .type = OPT_STRING, .name = "gate", .value = &(ro)->gate, .argh = "LIST", \
	  .help = "metrics that decide, [GROUP/]DIR.METRIC,... (default: iops and total p99)" }

/* Read share and access pattern of an --rw mode. */
void runopts_pattern(const struct run_opts *ro, unsigned *read_pct, enum access_pattern *acc);
/* The --rw mode for a summary line: "randread", "randrw (70% reads)". */
void runopts_describe_pattern(const struct run_opts *ro, char *buf, size_t len);
/* Whether the run may write. */
bool runopts_writes(const struct run_opts *ro);

/* Fill in what depends on other options (seed). Call after parsing. */
void runopts_resolve(struct run_opts *ro);
/*
 * The CPUs --cpus names (out->n == 0 without it). -1, with one line naming
 * the bad item, when the list is malformed or names a CPU this process may
 * not run on.
 */
struct cpulist;
int runopts_cpus(const struct run_opts *ro, struct cpulist *out);
/* CPUs the workers will run on: --cpus, else this process's affinity mask. */
unsigned runopts_usable_cpus(const struct run_opts *ro);
/*
 * Checks no option table can express; one line and -1 when bad. Resolves
 * target, dm_main and dm_spare from the lists and --start-at into
 * start_at_ns (once: a second call keeps it).
 */
int runopts_validate(struct run_opts *ro);

/* One device of a run: a --target, or a --main (with its --spare) for a dm stack. */
struct run_device {
	char *target;
	char *main, *spare;
};

/*
 * The devices the options name, split at commas, in order (n is 0 or 1
 * for a run on one device or a scratch file). 0, or -1 with one line
 * naming the bad value (an empty item, too many, --main and --spare
 * counts that differ, a device named twice). Free with runopts_devices_free.
 */
int runopts_devices(const struct run_opts *ro, struct run_device **out, unsigned *n);
void runopts_devices_free(struct run_device *d, unsigned n);
/* How many devices the options name (the items of --target, else of --main). */
unsigned runopts_device_count(const struct run_opts *ro);

/*
 * --start-at TIME: "+SECONDS" (from now), "@SECONDS" (since the epoch) or
 * "YYYY-MM-DDTHH:MM:SS[.frac]Z" (UTC) into UTC nanoseconds. 0, or -1 when
 * malformed.
 */
int runopts_parse_start_at(const char *s, uint64_t now_wall_ns, uint64_t *out);
/* The checks of the verdict options (--gate), shared with compare. */
int runopts_validate_verdict(const struct run_opts *ro);

/* The comparison rules --threshold*, --alpha and --allow-mismatch ask for. */
struct compare_cfg;
void runopts_compare_cfg(const struct run_opts *ro, struct compare_cfg *cfg);

/* Whether the run measures a reference interleaved (--reference, --compare-linear). */
bool runopts_interleaved(const struct run_opts *ro);
/* The slice length of an interleaved run: --slice, else duration/10 within 1-10 s. */
uint64_t runopts_slice_ns(const struct run_opts *ro);

/* Every effective option, for the result's "params". */
json_t *runopts_params_json(const struct run_opts *ro);

#endif
