/*
 * What a run cost the host, in the result: results.cpu and
 * results.device_stats (doc/result-schema-v2.md, section 3; the figures
 * come from sys/acct.h), and the one line of the summary and the report
 * that puts them together:
 *
 *   cost: the system used 41% of 2 CPUs, 3.1us of CPU per I/O (0.9us of
 *   it the tool's); target dm-0 97% busy, main loop3 95% busy
 */
#ifndef DMRB_RESULT_COST_H
#define DMRB_RESULT_COST_H

#include <jansson.h>
#include <stdio.h>

#include "result/result.h"

/* results.cpu; NULL when the run measured none (no window). */
json_t *cost_cpu_json(const struct run_result *r);
/* results.device_stats: one object per device by kernel name; NULL without devices. */
json_t *cost_devices_json(const struct run_result *r);
/* The cost line of a results object (from either function's JSON); "" when it has none. */
void cost_line(json_t *results, char *buf, size_t len);
/* "  cost: ...\n" of r; nothing when it measured none. */
void cost_print(FILE *f, const struct run_result *r, const char *indent);
/*
 * results.cpu.process of the document's top level: the CPU of the process
 * that did the run from its start until now (and its reaped children).
 */
void cost_add_process(json_t *results);

#endif
