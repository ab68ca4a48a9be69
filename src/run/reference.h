/*
 * A reference measured interleaved with the target: --reference DEV (any
 * device, a control) or --compare-linear (a linear mapping of the stack's
 * main device). Each run is cut into slices of --slice; the target and the
 * reference take turns in pairs, in the order A B, B A, A B, ... (each pair
 * with its own seed, the same for both sides), so that slow drift of a
 * busy machine cancels within every pair and the overhead is a paired
 * statistic with its own confidence interval (doc/result-schema-v2.md,
 * section 6).
 *
 * The linear twin of a stack normally exists beside the target
 * ("coexist"). A target that holds its main device exclusively
 * (dm-remap-v4 opens it with its own holder, so the kernel refuses the
 * twin with EBUSY) is measured with the "swap" strategy instead: only one
 * of the two devices exists at a time; before each change of side the
 * other one is removed and this one created, in one create+load+resume
 * step (a live dm-remap device is never suspended or reloaded: that
 * loses its remaps). Pairs in the A B B A order need one swap per pair.
 *
 * Internal to src/run/.
 */
#ifndef DMRB_REFERENCE_H
#define DMRB_REFERENCE_H

#include <jansson.h>
#include <stdio.h>

#include "engine/job.h"
#include "result/result.h"
#include "sys/acct.h"
#include "run/repeat.h"
#include "target/target.h"

struct session;

enum reference_kind { REF_DEVICE, REF_LINEAR_TWIN };
enum reference_strategy { REF_COEXIST, REF_SWAP };

struct reference {
	enum reference_kind kind;
	enum reference_strategy strategy;
	struct target t;             /* the reference device while it is open */
	char path[PATH_MAX];
	uint64_t slice_ns;
	unsigned swaps;              /* devices created and removed for the swap strategy */
	bool target_present;         /* swap: the target device exists now */
	bool twin_present;           /* the linear twin exists now */
	struct blk_stat stat_before; /* of a --reference block device */
	bool have_stat;
	char label[64];
	/* The accounting of the reference's slices (the twin's devices, or DEV's). */
	struct acct_probe acct;
	struct job_probe probe;
};

/*
 * After the target is open: open --reference (the same safety checks as a
 * target: treq says how the run uses it), or create the linear twin, and
 * choose the strategy. 0, or an exit status after one line saying why.
 */
int reference_open(struct session *s, const struct target_request *treq);

/*
 * One run of job: the target's slices merge into tres, the reference's into
 * rres (both initialised by the caller), every pair goes into pr as run
 * `run`. Returns 0 when the run happened (look at tres for signals and
 * errors), or an exit status.
 */
int reference_run(struct session *s, const struct job *job, struct run_result *tres,
		  struct run_result *rres, struct part_record *pr, unsigned run);

/*
 * The "reference" node of the document, over every part of the run (the
 * steps of a sweep: each pair says its "part"); NULL without a reference.
 */
json_t *reference_json(struct session *s);
/* The reference's results and overhead of one part (a step of a sweep). */
json_t *reference_part_json(struct session *s, unsigned part);
/* The overhead block of the text summary. */
void reference_print(const struct session *s, FILE *f);
/* Close the reference, remove the twin. 0 or EXIT_RUNTIME. */
int reference_close(struct session *s);

#endif
