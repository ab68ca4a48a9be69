/* The worker pool that runs a job and measures it. */
#ifndef DMRB_ENGINE_H
#define DMRB_ENGINE_H

#include "engine/job.h"
#include "result/result.h"

/*
 * Run the job to completion (duration, a stop signal, or the error limit).
 * res must be initialised by the caller with run_result_init(nstreams).
 * Returns 0 when the run happened (look at res for errors and signals), or
 * an exit status after printing why the run could not start.
 */
int engine_run(const struct job *job, struct run_result *res);

#endif
