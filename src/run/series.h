/*
 * The interval series of a long run, as it is measured
 * (doc/result-schema-v2.md, section 5): one JSON object per interval, the
 * interval object of results.intervals plus
 *   "run"       the --repeat run it belongs to (0-based),
 *   "t_ns"      its end, UTC nanoseconds,
 *   "lat_hist"  {"read": H, "write": H}: its latency histograms at the
 *               interval precision (HIST_BITS_INTERVAL, section 4),
 *   "kernel_counters"  the target's block counters at its end, when read.
 *
 * With a companion (the result goes to a regular file), each line is
 * appended to <result>.intervals.jsonl by a writer thread
 * (result/appender.h) as the run goes; otherwise the lines are kept in
 * memory and go inline into results.intervals at the end (a stream,
 * standard output, a FIFO: no file beside it).
 *
 * An interval's line is handed on when the next one arrives, or at the
 * end of its engine run: the engine's last interval may absorb the
 * drain's remainder and replace the one before (engine/job.h,
 * interval_view), and nothing already written is ever rewritten. So the
 * companion runs one interval behind the run.
 *
 * Called from the monitor thread only; never waits for the output.
 */
#ifndef DMRB_SERIES_H
#define DMRB_SERIES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/job.h"
#include "result/result.h"
#include "stats/hist.h"

#define SERIES_SUFFIX ".intervals.jsonl"
/* Lines that may wait for a slow output before new ones are dropped. */
#define SERIES_MAX_QUEUE (64u << 20)

struct output_appender;

struct series_out {
	struct output_appender *app;   /* the companion; NULL: lines kept in memory */
	char *mem;                     /* without: the lines so far */
	size_t mem_len, mem_cap;
	bool mem_failed;
	char *held;                    /* the newest line, not handed on yet */
	size_t held_len;
	struct hist h5[2];             /* scratch at the interval precision */
	uint64_t lines;                /* handed on */
	int64_t wall_minus_mono;       /* UTC ns - monotonic ns, taken at the start */
};

/*
 * doc_path: the result document's path when the series goes beside it (a
 * regular file), else NULL. 0, or -1 when out of memory (message printed).
 */
int series_out_init(struct series_out *so, const char *doc_path);
/*
 * The interval just recorded: s (of run `run`, its t_s moved on by
 * t_offset, the measured time of the runs and slices before), its view.
 * kernel: the target's counters at its end, or NULL (borrowed).
 */
void series_out_interval(struct series_out *so, const struct interval_sample *s,
			 const struct interval_view *v, unsigned run, double t_offset,
			 json_t *kernel);
/* Hand on the held line (the end of the series). */
void series_out_flush(struct series_out *so);
/* Without a companion: the lines as an array of interval objects (new reference). */
json_t *series_out_inline(const struct series_out *so);
void series_out_free(struct series_out *so);

/* Parse one line (a JSON object) of a series; NULL when it is not one. */
json_t *series_parse_line(const char *line, size_t len);

#endif
