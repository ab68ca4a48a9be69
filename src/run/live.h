/*
 * A long run seen while it goes on, without a terminal:
 *
 *  --status-interval T  one line on standard error per T (at the first
 *     interval boundary at least T after the previous line):
 *       endurance: 1h02m10s  IOPS 41.2k  MB/s 168.7  p99 912us  errors 0  drift IOPS -1.2% [-2.0%, -0.4%] drifting
 *     figures over the intervals since the previous line; drift over the
 *     run so far (stats/drift.h). A writer thread prints the lines
 *     (result/appender.h): the monitor only queues them, and when standard
 *     error does not take them (a full pipe) new lines are dropped, never
 *     waited for. On a terminal with the progress line, a status line
 *     replaces the progress line and the progress line is drawn again below.
 *
 *  --metrics-file PATH  the counters and gauges of result/metrics_text.h,
 *     replaced atomically at every interval by the writer thread of
 *     result/output.h (a snapshot not yet written when the next one comes
 *     is dropped), and once more at the end with dmremap_bench_running 0.
 *
 * Fed from the monitor thread; nothing here waits for an output.
 */
#ifndef DMRB_LIVE_H
#define DMRB_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/job.h"
#include "result/metrics_text.h"
#include "result/result.h"
#include "stats/drift.h"
#include "stats/hist.h"

struct output_appender;
struct output_writer;

struct live {
	/* --status-interval */
	struct output_appender *status;
	double status_s, next_status_s;
	bool tty;                       /* standard error is a terminal with the progress line */
	const char *label;
	uint64_t s_ops, s_bytes, s_errors;
	double s_len;
	struct hist s_lat;              /* since the last line, both directions */
	/* --metrics-file */
	struct output_writer *metrics;
	const char *metrics_path;
	struct hist cum[2];             /* the whole run, per direction */
	struct hist last[2];            /* the last interval's (a replacement takes its place) */
	struct interval_sample last_s;
	struct metrics_state ms;
	/* both */
	double measured_s;              /* over every run so far */
	uint64_t lines_dropped;
};

/*
 * status_ns: --status-interval (0: none); metrics_path: --metrics-file (or
 * NULL). 0, or -1 (message printed) when a thread or memory is missing.
 */
int live_init(struct live *l, uint64_t status_ns, bool tty, const char *label,
	      const char *metrics_path);
bool live_active(const struct live *l);
/* Whether a status line falls due with this interval (the caller then computes the drift). */
bool live_status_due(const struct live *l, double measured_end_s);
/*
 * The interval just recorded (s, its view), the seconds measured so far at
 * its end (every run), and the drift so far (NULL when not computed this
 * time: the metrics keep the last one).
 */
void live_interval(struct live *l, const struct interval_sample *s,
		   const struct interval_view *v, double measured_end_s,
		   const struct drift *iops, const struct drift *p99, unsigned run);
/* The run is over: the last metrics (running 0). */
void live_end(struct live *l);
/*
 * Stop the threads: the status printer without waiting, the metrics
 * writer as output_writer_finish() does. 0, or -1 when the metrics file
 * could not be written (message printed).
 */
int live_finish(struct live *l);

#endif
