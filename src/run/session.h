/*
 * One run of a run command, start to end: open the target (after the
 * safety checks), run jobs on it, describe it in the result, write the
 * result, and always release the target.
 *
 * Device-mapper: with --main/--spare (RUNOPTS_DM), or without --target as
 * root when the dm-remap-v4 target is loaded (the automatic default, over
 * two scratch files on loop devices), session_open builds a dm stack
 * (dm/stack.h) and the run goes to it; session_close always removes it,
 * and the loop devices with it, whatever ended the run. The result's
 * target.dm records the table, the status before and after and, for
 * dm-remap-v4, the counter deltas and the module's parameters; a --target
 * that is a dm device gets the same record (it is not touched).
 * --compare-linear makes a linear mapping of the same main device the
 * interleaved reference of every job (run/reference.h): the overhead is
 * the document's reference.overhead.
 */
#ifndef DMRB_SESSION_H
#define DMRB_SESSION_H

#include <jansson.h>
#include <stdio.h>

#include "cli/cpulist.h"
#include "cli/runopts.h"
#include "engine/job.h"
#include "result/result.h"
#include "target/target.h"

struct acct_probe;
struct comparison;
struct output_writer;
struct session_dm;
struct part_record;
struct reference;

struct session {
	const char *command;
	struct run_opts *ro;
	struct target target;
	struct blk_stat stat_before;
	bool have_stat;
	char start_time[32];
	json_t *baseline;            /* --baseline, loaded before the run */
	char baseline_where[4096];
	struct comparison *cmp;      /* after session_emit, when compared */
	struct genmap *vmap;         /* --verify / --verify-only */
	char vstate[4096];           /* where the generation map lives */
	struct stream_spec vstream;  /* --verify-only: the read pass */
	struct session_dm *dm;       /* a device-mapper target, or NULL */
	char dm_skipped[1280];       /* why the automatic dm stack was not used */
	struct cpulist cpus;         /* --cpus; n == 0 without it */
	/* A writer thread of --output that the run started (endurance); session_emit finishes it. */
	struct output_writer *out_writer;
	struct target_request treq;  /* how the target was opened (to open it again) */
	uint64_t start_ns;           /* monotonic, when the session opened: --timeout counts from here */
	/* What session_run measured: one record per call, each with --repeat runs. */
	struct part_record *parts;
	unsigned nparts, parts_cap;
	const char *parts_key;       /* "phases", "steps": the command's per-part results */
	struct reference *ref;       /* --reference, --compare-linear; NULL without */
	/* CPU and device accounting of every engine run on the target (sys/acct.h). */
	struct acct_probe *acct;
	struct job_probe probe;
	/*
	 * A multi-part command's figures of a run node: called by session_emit
	 * with the results of each run of --repeat (the sweep's knee of that run).
	 */
	void (*decorate_run)(void *arg, json_t *run_results);
	void *decorate_arg;
	/*
	 * Several devices (run/devices.h): one child session per device, each
	 * with its own target, dm stack, counters and records of runs; NULL
	 * with one device. The session's own target is then a template (fd -1:
	 * the smallest size, the largest logical block) for building jobs.
	 */
	struct session *devs;
	unsigned ndevs;
	struct run_opts *dev_ro;     /* each device's options */
	struct run_device *devlist;  /* the devices the options name */
	unsigned ndevlist;
	int dev_rc;                  /* a child: its engine could not run (an exit status) */
	json_t *doc;                 /* during session_emit: the document (borrowed) */
	/* The wall clock (UTC ns): session_open; the first and the latest engine run's start. */
	uint64_t open_wall_ns, start_wall_ns, run_wall_ns;
};

/*
 * Open the target for a run that uses the given block sizes and needs
 * min_size bytes. Returns 0 or an exit status (message printed).
 */
int session_open(struct session *s, const char *command, struct run_opts *ro,
		 const uint32_t *bs_list, unsigned nbs, uint64_t min_size);
/*
 * The accounting probe of a device (sys/acct.h) wired as a job's probe:
 * the target's (session_open), a reference's (run/reference.c). The probe
 * reads name (a target's sysname) when each window begins.
 */
void session_probe_setup(struct session *s, struct acct_probe *a, struct job_probe *jp,
			 const struct target *t);
/* The parts of a job every command sets the same way. */
void session_job_init(struct session *s, struct job *job, struct stream_spec *streams,
		      unsigned nstreams);
/*
 * Run a job into res (initialised here, also on failure): --repeat runs of
 * it, each kept in the session (run/repeat.h), res their exact merge. With
 * --reference or --compare-linear each run alternates slices of the target
 * and the reference (run/reference.h); res holds the target's. Returns 0 or
 * an exit status. A stop signal, the error limit or the hard stop ends the
 * runs early.
 */
int session_run(struct session *s, struct job *job, struct run_result *res);
/*
 * --timeout: what is left of it for the next engine run (0: no --timeout);
 * *expired when it is used up.
 */
uint64_t session_timeout_left(const struct session *s, bool *expired);
/*
 * Where the intervals of the engine run in progress (partial, as the
 * job's on_interval sees it) fall in the command's merged series: the
 * --repeat run, the measured seconds of the runs before it (run_base_s)
 * and of this run's slices before this one (in_run_s, an interleaved
 * reference; else 0). An interval's t_s in the merged results is its own
 * plus both.
 */
void session_interval_origin(const struct session *s, const struct run_result *partial,
			     unsigned *run, double *run_base_s, double *in_run_s);
/* The result document: schema_version, tool, ..., target, environment. */
json_t *session_document(struct session *s, json_t *params);
/* "target" object of the document (with block counters when available). */
json_t *session_target_json(struct session *s);
/* A one-line description of the target for the summary. */
void session_describe_target(const struct session *s, char *buf, size_t len);
/*
 * Finish a run whose own status is run_status (session_exit_status):
 * compare doc against --baseline (adding "comparison" to it), write doc
 * and the text summary (print) where --output and --output-format say,
 * and store it under --save-baseline. Returns the final exit status: a
 * signal, then I/O errors (3), then an output failure (4), a refused
 * comparison (2), a regression (1), else 0.
 */
int session_emit(struct session *s, json_t *doc, int run_status,
		 void (*print)(FILE *, void *), void *arg);
/*
 * --verify-only: read back every block of the target and check those an
 * earlier --verify run wrote, then emit the result like any run. Commands
 * call this instead of their own workload when ro->verify_only is set.
 */
int session_verify_only(struct session *s);
/* 0, 3 for errors, 128+signal; the worst of several results. */
int session_exit_status(const struct run_result *res);
/*
 * Release everything: close the target, tear down a dm stack built for
 * the run (a removal hung in the kernel is reported and given up on).
 * Returns 0, or EXIT_RUNTIME when the teardown failed.
 */
int session_close(struct session *s);
/* session_close(), then rc, or the teardown's failure when rc is 0. */
int session_end(struct session *s, int rc);

#endif
