/*
 * --steady-state RULE: when did the workload reach steady state?
 *
 * RULE is CRIT:LIMIT[:DUR[:RAMP]], after fio's steadystate=, ss_dur= and
 * ss_ramp= in one word:
 *
 *   iops:5%           fio's range rule: every interval's IOPS of the window
 *                     within 5% of the window's mean (iops:500: within 500)
 *   iops_slope:0.5%   fio's slope rule: the least-squares slope of the
 *                     window's IOPS, per interval, below 0.5% of its mean
 *   iops_equiv:5%     ours: an equivalence test; the change across the
 *                     window, with its 90% interval (Sen's slope and the
 *                     Mann-Kendall interval corrected for autocorrelation),
 *                     lies inside +-5% of the level
 *   bw, bw_slope, bw_equiv   the same on the bytes per second
 *   DUR               the window (fio's ss_dur), default 60s
 *   RAMP              ignored at the start of the run (fio's ss_ramp), default 0
 *
 * The window holds DUR / --interval intervals (at least 2; at least 10 for
 * _equiv); steady state is reached at the end of the first window that
 * qualifies (stats/steady.h: steady_fio(), steady_equiv()). The rule is
 * evaluated as the run goes, on the last window at every interval (the
 * same windows, in the same order, as on the whole series at the end).
 *
 * At the end, MSER-5 (steady_mser()) on the interval IOPS gives the
 * warm-up a retrospective look would cut, as advice for --ramp.
 */
#ifndef DMRB_STEADYSTATE_H
#define DMRB_STEADYSTATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/steady.h"

enum ss_metric { SS_IOPS, SS_BW };
enum ss_kind { SS_RANGE, SS_SLOPE, SS_EQUIV };

#define SS_DEFAULT_DUR_NS (60ULL * 1000000000ULL)

struct ss_rule {
	enum ss_metric metric;
	enum ss_kind kind;
	double limit;
	bool pct;
	uint64_t dur_ns, ramp_ns;
	char text[160];           /* the rule as written back (complete) */
};

/*
 * Parse RULE. 0, or -1 with one line in err (without the option's name)
 * naming the bad part and what is allowed.
 */
int ss_rule_parse(const char *s, struct ss_rule *r, char *err, size_t elen);
/*
 * Check the rule against the sampling: the window in intervals (at least 2,
 * 10 for _equiv) and DUR + RAMP within duration. 0, or -1 with one line.
 */
int ss_rule_check(const struct ss_rule *r, uint64_t interval_ns, uint64_t duration_ns,
		  char *err, size_t elen);

/* The detector of one run, fed interval by interval. */
struct ss_detector {
	struct ss_rule rule;
	size_t window, ramp;      /* in intervals */
	double interval_s;
	bool reached;
	size_t index, start;      /* last and first interval of the first steady window */
	double at_s, start_s;     /* their end, and the start of the first (run's own t) */
	double criterion, level;  /* at that window (steady.h) */
	double last_criterion;    /* of the last window evaluated (NAN before one) */
	double *y, *t0;           /* the run's values so far, and their intervals' starts */
	size_t n, cap;
};

int ss_detector_init(struct ss_detector *d, const struct ss_rule *r, uint64_t interval_ns);
void ss_detector_reset(struct ss_detector *d);     /* a new run */
void ss_detector_free(struct ss_detector *d);
/*
 * The next interval of the run: ops and bytes over len_s seconds, ending at
 * t_s. Returns true when steady state is reached at this interval (once).
 */
bool ss_detector_add(struct ss_detector *d, double t_s, double len_s, uint64_t ops,
		     uint64_t bytes);

/* {"rule", "reached", "at_s", "window_start_s", ...}: one run's detection. */
json_t *ss_detector_json(const struct ss_detector *d);

/*
 * The MSER-5 warm-up of a series of interval values (IOPS) lasting len_s
 * each: {"method": "mser-5", "intervals", "seconds", "valid"}; NULL with
 * fewer than 20 intervals.
 */
json_t *ss_mser_json(const double *y, const double *len_s, size_t n, size_t *cut);

#endif
