/*
 * The device-mapper side of a session (session.h): the stack built for a
 * run, the status of a dm target before and after, and --compare-linear.
 * Internal to src/run/.
 *
 * Every device-mapper call forks a child (dm/deadline.h), so all of them
 * happen while the session is single-threaded: before and after engine
 * runs, never from a callback during one.
 */
#ifndef DMRB_SESSION_DM_H
#define DMRB_SESSION_DM_H

#include <jansson.h>
#include <stdio.h>

#include "dm/stack.h"
#include "result/result.h"
#include "run/session.h"
#include "target/target.h"

struct session_dm {
	struct dmstack stack;
	bool built;                 /* a stack built for the run (else an existing dm target) */
	bool automatic;             /* the default stack over two scratch files */
	int scratch_fd[2];          /* automatic: the unlinked backing files (main, spare) */
	char scratch_path[2][PATH_MAX];
	char name[DMW_NAME_MAX + 8];
	char uuid[DMW_UUID_MAX + 1];
	char type[64];
	char version[32];           /* of the target type, "" when unknown */
	char *table;                /* lines "start length type params" */
	char *status_before, *status_after;
	json_t *module_params;      /* dm-remap-v4: the module's parameters */
	bool demo_mode;
	char error[1024];           /* a dm target that could not be queried */
	/* --compare-linear */
	bool compare;
	bool linear_done;           /* tried: only the first job gets a linear run */
	bool have_linear;           /* its result is in linear_res */
	struct run_result linear_res;
	char linear_name[DMW_NAME_MAX + 8];
	char *linear_table;
	char linear_label[64];
	json_t *overhead;           /* results.dm_overhead_pct, after sdm_emit */
};

/*
 * Before target_open: build the stack of --main/--spare, or the automatic
 * one, and point req at the dm device. skipped gets the reason the
 * automatic stack was not used ("" if it was, or was not considered), for
 * the caller to say once the scratch file is open. 0, or an exit status
 * (message printed).
 */
int sdm_prepare(struct session *s, struct target_request *req, char *skipped, size_t len);
/* After target_open: the table and status before the run of a dm target. */
void sdm_opened(struct session *s);
/* session_run() for a dm target: the linear run first when asked, then the job. */
int sdm_run(struct session *s, struct job *job, struct run_result *res);
/* target.dm; NULL when the target is not a dm device. */
json_t *sdm_target_json(struct session *s);
/* results.linear and results.dm_overhead_pct into doc; a failed linear run into status. */
void sdm_emit(struct session *s, json_t *doc, int *run_status);
/* The overhead block of the text summary (nothing without a linear run). */
void sdm_print(const struct session *s, FILE *f);
/* ", dm-remap-v4 over /dev/ram0 (spare /dev/ram1), built for the run" */
void sdm_describe(const struct session *s, char *buf, size_t len);
/* Tear down what was built, free everything. 0 or EXIT_RUNTIME. */
int sdm_close(struct session *s);

#endif
