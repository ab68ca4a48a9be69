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
	/* --compare-linear: the linear twin (run/reference.h measures it) */
	char linear_name[DMW_NAME_MAX + 8];
	char *linear_table;
	unsigned recreated;         /* swap strategy: times the device was created again */
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
/* After each engine run on the target: its status (the dm-remap-v4 counters). */
void sdm_after_run(struct session *s);
/* target.dm; NULL when the target is not a dm device. */
json_t *sdm_target_json(struct session *s);

/*
 * --compare-linear, for run/reference.c. sdm_twin_create: the linear twin
 * of the stack's main device; *busy (and no message) when the kernel
 * refuses because the target holds main exclusively. devnode gets its
 * path. sdm_twin_remove: remove it. sdm_target_remove / sdm_target_create:
 * remove the stack's device and create it again (the session's target
 * closed before and opened after by the caller). 0, or an exit status.
 */
int sdm_twin_create(struct session *s, bool *busy, char *devnode, size_t len);
int sdm_twin_remove(struct session *s);
int sdm_target_remove(struct session *s);
int sdm_target_create(struct session *s);
/* ", dm-remap-v4 over /dev/ram0 (spare /dev/ram1), built for the run" */
void sdm_describe(const struct session *s, char *buf, size_t len);
/* Tear down what was built, free everything. 0 or EXIT_RUNTIME. */
int sdm_close(struct session *s);

#endif
