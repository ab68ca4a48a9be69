/* The compact, fio-like human summary of a run. */
#ifndef DMRB_RESULT_TEXT_H
#define DMRB_RESULT_TEXT_H

#include <stdio.h>

#include "result/result.h"

/* Per-direction IOPS, bandwidth and latency, errors, achieved concurrency. */
void run_result_print(FILE *f, const struct run_result *r);
/* One "name: read ... write ..." block per stream, when there are several. */
void run_result_print_streams(FILE *f, const struct run_result *r);
/* "12.3k", "1.20M" */
void format_count(double v, char *buf, size_t len);
/* "850ns", "12.4us", "3.20ms", "1.50s" */
void format_ns(double ns, char *buf, size_t len);

#endif
