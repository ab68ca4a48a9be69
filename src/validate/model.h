/*
 * The state of one validate run, shared by the parts of src/validate/ (not
 * for use outside it; see validate.h).
 */
#ifndef DMRB_VALIDATE_MODEL_H
#define DMRB_VALIDATE_MODEL_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "dm/stack.h"
#include "stats/hist.h"
#include "validate/evidence.h"
#include "validate/validate.h"
#include "verify/block.h"

#define MAX_LISTED 64                /* I/Os and blocks listed one by one in the result */
#define SPARE_MSG_BASE 2048          /* --inject message: past dm-remap's metadata (1280) */
#define DATA_GENERATION 1
/*
 * What the flush pass writes (a generation the read pass does not accept):
 * its direct write to main must not pass for a write the target lost.
 */
#define FLUSH_GENERATION 2

extern const char *const check_status_names[];      /* "pass", "fail", "not_checked" */

/* Exit statuses of validate (documented in dmremap-bench-validate(1)). */
#define EXIT_CHECK_FAILED EXIT_IO          /* 3: a check failed */
#define EXIT_NOT_CHECKED EXIT_RUNTIME      /* 4: none failed, but one could not be made */

/* One I/O that failed at first: listed in the result. */
struct io_note {
	uint64_t off;
	bool write, bad;                     /* bad: the block holds a bad sector */
	unsigned attempts;
	int first_err, last_err;
	bool recovered;
};

struct pass_stats {
	uint64_t blocks, ok_first, recovered, never, attempts, failed_attempts;
	uint64_t bad_blocks, bad_failed_first;
	struct io_note notes[MAX_LISTED];
	unsigned nnotes;
};

struct wrong_block {
	uint64_t off;
	enum vblock_field field;
	uint64_t found_off, found_gen;
	bool bad;
};

struct check {
	const char *name;
	enum check_status status;
	char detail[512];
};

#define NCHECKS 10

/* Ops other than the write and read passes: attempts and failures. */
struct op_count {
	uint64_t attempts, failed;
	int first_err;
};

/* The flush pass: flushes and FUA writes through the top device, counted on main. */
struct vd_flush {
	bool ran;
	struct ev_flush ev;
	char main_cache[32], top_cache[32], main_fua[8];
	char why[PATH_MAX + 160];            /* ev.main_why */
	uint64_t block;                      /* the block the FUA writes rewrite */
	struct op_count ops;                 /* through the top device */
};

/* The latency pass: reads of the blocks holding a bad sector, with their evidence. */
struct vd_latency {
	struct ev_penalty ev;
	char spare_why[PATH_MAX + 160];      /* ev.spare_why */
	dev_t spare_rdev;
	struct op_count ops;
};

struct validate {
	struct validate_args *a;
	char start_time[32];
	/* the failing disk */
	struct dmstack_member disk_main;
	struct dmw disk_d;
	char disk_name[DMW_NAME_MAX + 16];
	struct dmw_info disk_info;
	bool disk_created;
	char *disk_table;
	struct range bad[VALIDATE_MAX_RANGES];
	unsigned nbad;
	uint64_t bad_sectors;
	/* the device on top */
	struct dmstack top;
	bool top_built;
	char *top_table, *status_before, *status_after;
	json_t *module_params;
	bool demo_mode;
	unsigned msgs_ok, msgs_failed;
	char msg_err[1024], msg_reply[256];
	/* the I/O */
	int fd;
	uint64_t size, nblocks, data_seed;
	uint32_t bs, lbs;
	uint64_t *bad_blocks;                /* sorted block indices */
	size_t nbad_blocks;
	uint8_t *unwritten;                  /* bitmap: the write never succeeded */
	struct pass_stats wr, rd;
	uint8_t *failed_first;               /* bitmap: a write or read of the block failed at first */
	uint64_t ok_bad_ios;                 /* I/Os completed on blocks holding a bad sector */
	uint64_t checked, wrong, unreadable, unchecked;
	uint64_t recovered_checked, recovered_wrong;  /* blocks in failed_first, read back */
	struct wrong_block wrongs[MAX_LISTED];
	unsigned nwrongs;
	struct hist lat_normal, lat_remapped;
	uint64_t remapped_blocks;            /* bad blocks shown served from the spare */
	struct vd_flush flush;
	struct vd_latency lat;
	int signal;
	/* the failing disk's table as the kernel holds it (after the I/O) */
	bool disk_table_read;
	unsigned disk_error_segments;        /* error segments covering exactly a bad range */
	unsigned disk_other_error_segments;  /* error segments elsewhere */
	/* the end */
	bool teardown_ok, teardown_hung;
	bool teardown_verified;              /* the kernel knows neither name afterwards */
	bool teardown_still;                 /* it still knows one */
	struct check checks[NCHECKS];
	unsigned nchecks;
	int rc;
};

/* disk.c: the failing disk and the device on top of it. */
int vd_setup(struct validate *v);
void vd_teardown(struct validate *v);
/* The top device's status lines (malloc'd), or NULL with a warning. */
char *vd_status_lines(struct validate *v);
/* Read the failing disk's table back (v->disk_error_segments ...). */
void vd_read_disk_table(struct validate *v);

/* io.c: open the top device, then the flush, write, read and latency passes. */
int vd_open_top(struct validate *v);
int vd_run_io(struct validate *v);
/* Whether block blk holds a bad sector; *cursor walks v->bad_blocks (start at 0). */
bool vd_block_is_bad(const struct validate *v, uint64_t blk, size_t *cursor);

/* flush.c: flushes and FUA writes through the top device (before the write pass). */
void vd_flush_pass(struct validate *v, void *buf);

/* latency.c: reads of the blocks holding a bad sector, with where they were served from. */
void vd_latency_pass(struct validate *v, void *buf);

/* checks.c: every check, and v->rc from them. */
void vd_run_checks(struct validate *v);

/* report.c: the JSON document (new reference) and the text report. */
json_t *vd_document(const struct validate *v);
void vd_print_report(FILE *f, const struct validate *v);

/* emit.c: the result where --output and --output-format say; EXIT_RUNTIME on failure. */
int vd_emit(const struct validate *v);

#endif
