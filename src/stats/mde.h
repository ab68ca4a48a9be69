/*
 * Minimum detectable effect (MDE) of a comparison: the smallest true change
 * that the test would call significant with probability `power` (0.8 is
 * the convention, Cohen 1988), given the sizes, alpha and the run-to-run
 * spread sd of the log values (spread.h: a baseline history's sd_log, or
 * a pooled one). The change is a ratio: a log shift delta reads as
 * up_pct = expm1(delta) * 100 for a rise and down_pct = expm1(-delta) * 100
 * for a fall, so "+8.2% / -7.6%" for delta = 0.079. The tool prints it in
 * every comparison ("could detect changes of +X% / -Y% or more").
 *
 * Formulas (normal shift model on the log scale, sd the same on both sides):
 *
 * mde_welch():  delta = (t_{nu,1-alpha/2} + t_{nu,power}) sd sqrt(1/n_b + 1/n_r),
 *   nu the Welch-Satterthwaite df for equal variances,
 *   (1/n_b + 1/n_r)^2 / (1/(n_b^2 (n_b-1)) + 1/(n_r^2 (n_r-1))). The
 *   usual two-quantile approximation to the noncentral t power, solved for
 *   the difference (e.g. Chow, Shao & Wang, "Sample Size Calculations in
 *   Clinical Research", 2nd ed. 2008, ch. 3).
 *
 * mde_mwu(): the same with two corrections for the exact Mann-Whitney test.
 *   (1) Efficiency: the rank test needs 1/ARE = pi/3 times the samples of
 *   the t test under normality (Pitman asymptotic relative efficiency 3/pi,
 *   Hodges & Lehmann 1956), so delta grows by sqrt(pi/3) (this is also what
 *   Noether's 1987 sample size formula reduces to for small shifts).
 *   (2) Discreteness: the exact test at nominal alpha rejects with
 *   probability alpha' = 2 P(U <= u*) <= alpha under the null (u* the
 *   largest u with 2 P(U <= u) < alpha); the quantile uses alpha', df
 *   n_b + n_r - 2. If no u* exists (p_floor >= alpha) nothing is
 *   detectable: delta = INFINITY, possible = false. Checked by simulation
 *   of the exact test at the delta this returns (20000 normal trials
 *   each): power 0.75-0.80 for every size from 4x4 and 5x3 to 20x20
 *   (0.80 asked; discreteness costs the small sizes a few points). Noether's
 *   formula itself, Noether (1987) JASA 82, with P(X < Y) = Phi(delta /
 *   (sd sqrt 2)), gives power 0.86-0.96 at its own answer and no answer at
 *   all below 10 runs per side: too pessimistic to print.
 *   For sizes above MWU_EXACT_MAX alpha' = alpha.
 *
 * mde_signed_rank(): paired data, n pairs, sd the sd of the per-pair log
 *   ratios: delta = (t_{n-1,1-alpha'/2} + t_{n-1,power}) sd / sqrt(n) *
 *   sqrt(pi/3), alpha' the exact signed-rank test's attained size (for
 *   n <= WSR_EXACT_MAX). Simulated power at the answer: 0.72 (6 pairs),
 *   0.79-0.81 (7 to 30 pairs).
 *
 * mde_predict(): the session-level prediction test (ttest.h): history of
 *   k session values with sd, the candidate the mean of m values:
 *   delta = (t_{k-1,1-alpha/2} + t_{k-1,power}) sd sqrt(1/m + 1/k).
 *
 * mde_mwu_runs_needed(): the smallest n_r (up to max_nr) whose mde_mwu()
 * detects a change of effect_pct in both directions (delta <=
 * log1p(effect_pct / 100), the smaller of the two log distances), or 0.
 *
 * The sd is itself an estimate from few runs: the MDE is as uncertain as
 * the spread it is given: the 95% chi-square interval of a normal sd is
 * 0.60x to 2.87x the estimate with 5 runs, 0.69x to 1.83x with 10, 0.76x to
 * 1.46x with 20. Prefer a history of >= 10 runs for the spread.
 *
 * Pure and deterministic; no I/O, no globals. Errors: -1 with errno EINVAL
 * (a size too small for the formula: n_b, n_r >= 2 for Welch, >= 1
 * otherwise, k >= 2; sd not finite or < 0; alpha or power outside (0, 1);
 * effect_pct <= 0), ENOMEM.
 */
#ifndef DMRB_MDE_H
#define DMRB_MDE_H

#include <stdbool.h>
#include <stddef.h>

struct mde {
	double delta_log;	/* detectable |log ratio|; INFINITY if nothing is */
	double up_pct;		/* expm1(delta) * 100 */
	double down_pct;	/* expm1(-delta) * 100, negative */
	double alpha_used;	/* the attained size the formula used */
	double p_floor;		/* smallest p the exact test can give (NAN for t tests) */
	bool possible;		/* delta is finite */
};

int mde_mwu(size_t nb, size_t nr, double sd_log, double alpha, double power, struct mde *out);
int mde_welch(size_t nb, size_t nr, double sd_log, double alpha, double power, struct mde *out);
int mde_signed_rank(size_t n, double sd_log, double alpha, double power, struct mde *out);
int mde_predict(size_t k, size_t m, double sd_log, double alpha, double power, struct mde *out);

size_t mde_mwu_runs_needed(size_t nb, double sd_log, double effect_pct, double alpha,
			   double power, size_t max_nr);

#endif
