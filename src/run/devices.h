/*
 * Several devices in one run: --target given several times (or as a comma
 * list), or --main/--spare pairs likewise. The same job runs on every
 * device at once, each device with its own workers, histograms, error
 * limit, hard stop and kernel counters:
 *
 *   - each device is a child session (session.h: devs), opened with its
 *     own copy of the options (the safety checks of one target, its own dm
 *     stack) and closed the same way, whatever ended the run;
 *   - one run is one engine run per device, each in its own thread; every
 *     engine holds at its start gate (job.on_start) until all are ready,
 *     and --start-at releases them, so the devices' measured windows start
 *     within microseconds of each other. An engine per device keeps the
 *     engine as it is (a worker's fd is its target's), and gives each
 *     device its own interval series, error limit and hard stop: one sick
 *     drive that reaches --max-errors stops itself, not its neighbours;
 *   - the run's result is the exact merge of the devices' (counts and
 *     histograms add; result.h: run_result_merge_parallel), and the
 *     document gets "devices": [{index, target, results}] with the
 *     outliers among them (doc/result-schema-v2.md, section 2).
 *
 * Internal to src/run/.
 */
#ifndef DMRB_DEVICES_H
#define DMRB_DEVICES_H

#include <jansson.h>
#include <stdio.h>

#include "engine/job.h"
#include "result/result.h"
#include "run/repeat.h"
#include "run/session.h"
#include "target/target.h"

/*
 * Open every device of s->devlist as a child session (req: how the run
 * uses a target). 0, or an exit status after one line; what was opened is
 * released by session_close.
 */
int devices_open(struct session *s, const struct target_request *req);
/* A part record on every device for the next session_run call; 0 or -1 (ENOMEM). */
int devices_new_part(struct session *s, unsigned nstreams);
/*
 * Run `run` (the index of the repeat) of job on every device at once: each
 * device's result goes into its own part record, r gets their exact
 * merge. 0 when the run happened on at least one device (a device whose
 * engine could not start is marked in its dev_rc), or an exit status.
 */
int devices_run(struct session *s, const struct job *job, struct run_result *r, unsigned run);
/*
 * The "devices" array of the document: per device its index, target
 * (kernel counters included) and results, built like merged_results (the
 * command's own: parts_key names its per-part array); and in each node of
 * runs (when given) the devices' results of that run.
 */
json_t *devices_json(struct session *s, json_t *merged_results, json_t *runs);
/* The text summary's rows: one per device, the total, the outliers. */
void devices_print(FILE *f, const struct session *s);
/* Close every device (targets first, then dm stacks). 0 or EXIT_RUNTIME. */
int devices_close(struct session *s);

/* From session.c, for the devices. */
int session_open_target(struct session *s, struct target_request *req);
unsigned session_submit_limit(const struct target *t, unsigned workers);
void session_on_start(void *arg, bool failed);
/* Sleep until the wall clock reaches until_ns (UTC), or a stop signal. */
void session_wait_wall(uint64_t until_ns);
struct part_record *session_new_part(struct session *s, unsigned nstreams);

#endif
