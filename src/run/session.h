/*
 * One run of a run command, start to end: open the target (after the
 * safety checks), run jobs on it, describe it in the result, write the
 * result, and always release the target.
 */
#ifndef DMRB_SESSION_H
#define DMRB_SESSION_H

#include <jansson.h>
#include <stdio.h>

#include "cli/runopts.h"
#include "engine/job.h"
#include "result/result.h"
#include "target/target.h"

struct comparison;

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
};

/*
 * Open the target for a run that uses the given block sizes and needs
 * min_size bytes. Returns 0 or an exit status (message printed).
 */
int session_open(struct session *s, const char *command, struct run_opts *ro,
		 const uint32_t *bs_list, unsigned nbs, uint64_t min_size);
/* The parts of a job every command sets the same way. */
void session_job_init(struct session *s, struct job *job, struct stream_spec *streams,
		      unsigned nstreams);
/* Run a job into res (initialised here). Returns 0 or an exit status. */
int session_run(struct session *s, struct job *job, struct run_result *res);
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
void session_close(struct session *s);

#endif
