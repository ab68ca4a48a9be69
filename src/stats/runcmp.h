/*
 * Run-level comparison of one metric: n_b baseline runs (a history) against
 * n_r candidate runs (e.g. --repeat 5), one value per run (the run's IOPS,
 * the run's own p99 from its own histogram). The run, not the interval, is
 * the unit of replication: the intervals of one run are autocorrelated and
 * share the run's machine state, so a test over intervals (verdict.h) sees
 * n = 600 where the evidence is n = 1.
 *
 * Everything is on the log scale, v -> ln v (values must be > 0), so a
 * change is a ratio and an interval can never reach -100%:
 *   change_pct   = (median(run) / median(base) - 1) * 100, the ratio of the
 *		    medians of the values as given;
 *   hl_pct       = expm1(HL) * 100, HL the Hodges-Lehmann shift of the logs
 *		    (median of all ln r_j - ln b_i: the median pairwise ratio);
 *   ci_*_pct     = expm1 of the HL shift's CI bounds (shift.h: the inversion
 *		    of the Mann-Whitney test, exact for small tie-free samples),
 *		    at confidence 1 - alpha, so that the CI excludes 0 exactly
 *		    when the test rejects (up to the test's discreteness);
 *   p	          = the two-sided Mann-Whitney U test over runs (mwu.h: exact
 *		    for tie-free samples of <= 20 each, normal approximation
 *		    with tie correction otherwise); the logs do not change it;
 *   welch	  = Welch's t test on the logs (ttest.h), a second opinion:
 *		    welch_pct and its CI are the ratio of geometric means.
 * Google Benchmark's compare.py runs the same U test over repetitions.
 *
 * Whether a test is possible at all: a rank test's smallest two-sided p
 * for tie-free samples is p_floor = 2 / C(n_b + n_r, n_b) (both samples
 * entirely on one side); if p_floor >= alpha nothing can ever be
 * significant (3 vs 3: 0.1; 4 vs 4: 0.029; 5 vs 3: 0.036; 10 vs 2: 0.030;
 * 20 vs 1: 0.095). testable says p_floor < alpha, runs_needed how many
 * candidate runs this baseline needs for that (0 when nothing up to
 * RUNCMP_MAX_RUNS would do). A comparison that is not testable must be
 * reported as untested, never decided by its threshold.
 *
 * Which test for n of 3..20 per side. Recommended: the exact Mann-Whitney
 * over runs, with the HL ratio and its CI. Reasons, from our simulation of
 * normal log-noise (4000 trials per case, alpha 0.05): its size never
 * exceeds alpha (0.037-0.044 for 5x3 .. 20x5, exact), Welch's does
 * (0.059-0.063 at 20 vs 5: unequal n and small df make it
 * anti-conservative); its power at a shift of 1.5 sd is within 0.03 of
 * Welch's when the noise is normal, and far higher when 10% of runs are
 * slowed by 4 sd by a noisy neighbour (0.52 vs 0.37 at 20 vs 5, 0.42 vs
 * 0.33 at 10 vs 5), which is this machine's normal case; and it needs no
 * variance estimate, which at n = 3 is noise. Welch's t is kept as a second
 * opinion. Where the rank test cannot reach alpha, Welch's still can (with
 * a huge effect), but its variance estimate from 3 runs is too poor to
 * gate on: report such a comparison as untested.
 *
 * Assumptions and the one that matters. Both tests assume the n_b + n_r
 * runs are independent and, under "no change", exchangeable. A baseline
 * history collected over days and candidate runs measured in one session
 * violate that when the machine's state moves from session to session
 * (this machine: +60% read IOPS between sessions 40 minutes apart, issue
 * 16): the candidate's runs then share one session effect and the test
 * calls the session a change. Measure the between-session sd with
 * spread.h's var_components(); when it is not small against the
 * within-session sd, gate on the session as the unit (predict_test() in
 * ttest.h with the history's session values and the candidate's), or,
 * better, on a ratio to an interleaved reference (paired.h), which
 * cancels the session effect.
 *
 * stats_holm(): Holm's (1979) step-down adjustment of the p-values of the
 * m metrics that gate one check, so that the chance of any false alarm
 * stays below alpha (the gate's false-alarm target is per check, not per
 * metric): with p sorted ascending, adj_(i) = max_{j<=i} min(1, (m-j+1)
 * p_(j)). NAN p-values (untested metrics) stay NAN and do not count in m.
 *
 * Pure and deterministic; no I/O, no globals. Errors: -1 with errno EINVAL
 * (an empty sample, a value that is not finite and > 0, alpha outside
 * (0, 1)), ENOMEM.
 */
#ifndef DMRB_RUNCMP_H
#define DMRB_RUNCMP_H

#include <stdbool.h>
#include <stddef.h>

#include "stats/ttest.h"

#define RUNCMP_MAX_RUNS 1000	/* runs_needed searches up to this */

struct runcmp_result {
	size_t nb, nr;
	double base_median, run_median;	/* of the values as given */
	double change_pct;		/* ratio of the medians, percent */
	double hl_pct;			/* HL ratio, percent */
	double ci_low_pct, ci_high_pct;	/* its CI at 1 - alpha, percent, > -100 */
	double ci_level;		/* achieved coverage (below 1 - alpha if !testable) */
	bool ci_exact;
	double p;			/* two-sided Mann-Whitney p over runs */
	bool p_exact;			/* from the exact null distribution */
	bool ties;
	double p_floor;			/* 2 / C(nb + nr, nb) */
	bool testable;			/* p_floor < alpha */
	size_t runs_needed;		/* candidate runs for p_floor < alpha at this nb */
	struct welch_result welch;	/* on the logs: diff = mean log ratio */
	double welch_pct, welch_ci_low_pct, welch_ci_high_pct;	/* NAN if not available */
};

/* Compare candidate runs against baseline runs; alpha e.g. 0.05. */
int runcmp(const double *base, size_t nb, const double *run, size_t nr, double alpha,
	   struct runcmp_result *out);

/* 2 / C(nb + nr, nb), at most 1; 1 when either size is 0. */
double runcmp_p_floor(size_t nb, size_t nr);

/* The smallest nr in 1..max_nr with runcmp_p_floor(nb, nr) < alpha, or 0. */
size_t runcmp_runs_needed(size_t nb, double alpha, size_t max_nr);

/* Holm-adjusted p-values of p[0..n-1] into adj (may be the same array). */
int stats_holm(const double *p, size_t n, double *adj);

#endif
