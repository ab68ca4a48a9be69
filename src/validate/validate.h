/*
 * validate: does dm-remap do what it is for? The model behind the
 * `validate` command (src/cmd/validate.c parses its options into struct
 * validate_args and calls validate_run()).
 *
 * A "failing disk" (a dm table of linear segments with error segments at
 * the bad sectors) goes under the device under test (dm-remap-v4 by
 * default); every block is written and read back in the verify format, each
 * failed I/O retried; flushes and FUA writes must reach the main device;
 * then the target's counters are compared with what userspace saw, and the
 * latency of blocks served from the spare with that of the others. Each
 * check ends pass, fail or not checked, on evidence; only a run where every
 * check passed exits 0.
 *
 * The parts: disk.c (the bad sectors, the failing disk and the stack on
 * it), io.c (the write and read passes), flush.c (flushes and FUA writes),
 * latency.c (reads of the bad blocks, and whether the spare served them),
 * sys/devstat.c (a block device's kernel counters), checks.c (the checks) and
 * evidence.c (their rules), report.c (the JSON document and the text
 * report), emit.c (where they go), run.c (the order of it all).
 */
#ifndef DMRB_VALIDATE_H
#define DMRB_VALIDATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "dm/dm.h"

#define VALIDATE_MAX_RANGES 256              /* bad ranges, each up to two table segments */
#define VALIDATE_MAX_BAD_SECTORS 65536

enum inject_mode { INJECT_TABLE, INJECT_MESSAGE };
extern const char *const validate_inject_names[];   /* "table", "message", NULL */

struct range {
	uint64_t start, len;                 /* 512-byte sectors */
};

/* What the options say, checked (no I/O done). */
struct validate_args {
	const char *main_dev, *spare_dev, *bad_list, *type, *params, *name_opt, *output;
	unsigned bad_count, retries, latency_reads;
	bool bad_count_set, seed_set, quiet, force;
	uint64_t seed, retry_delay_ns, bs, timeout_ns;
	int inject, output_format;
	struct range given[VALIDATE_MAX_RANGES];   /* --bad-sectors, parsed */
	unsigned ngiven;
	char name[DMW_NAME_MAX + 8];
	char default_name[PATH_MAX + 16];
};

/*
 * Build the stack, do the I/O, tear the stack down, make the checks and
 * report them. Returns the exit status (dmremap-bench-validate(1)). a->seed
 * is resolved here when it was not given.
 */
int validate_run(struct validate_args *a);

#endif
