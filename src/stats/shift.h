/*
 * Location of one sample and shift between two: medians, the Hodges-Lehmann
 * estimate of the shift b - a with its distribution-free confidence
 * interval, and the relative change of a run (b) against a baseline (a).
 *
 * Hodges-Lehmann: the shift estimate is the median of all na*nb pairwise
 * differences b_j - a_i. Its confidence interval is [D(k), D(N+1-k)] over
 * the sorted differences D(1..N), N = na*nb, where k is the lower
 * alpha/2 quantile of the Mann-Whitney U null distribution (the inversion of
 * the rank-sum test; Hollander & Wolfe, Nonparametric Statistical Methods,
 * sec. 4.3; R's wilcox.test(conf.int = TRUE) uses the same ranks):
 *   - tie-free samples of at most MWU_EXACT_MAX values: k from the exact
 *     distribution, the smallest u with P(U <= u) >= alpha/2 (at least 1);
 *     coverage is then >= the level asked for, reported in ci_level;
 *   - otherwise the normal approximation with the tie-corrected variance and
 *     a continuity correction: k = ceil(na*nb/2 - 0.5 + z(alpha/2) * sigma).
 * The order statistics are found without forming the N differences: the
 * differences are a matrix with sorted rows (sorted b minus each a_i), and a
 * selection narrows a window in every row around a pivot that is the
 * weighted median of the rows' window midpoints, so each round removes at
 * least a quarter of the remaining candidates (after Monahan, ACM TOMS 10,
 * 1984, made deterministic). Time O((na+nb) log(na+nb) + rounds * (na log na
 * + nb)), rounds ~ log_{4/3}(na*nb / (na+nb)); memory below
 * 64 * (na + nb) bytes whatever na*nb is (a 3600x3600 endurance comparison
 * needs ~0.4 MB, not the 100 MB that storing its 13 million differences
 * would).
 */
#ifndef DMRB_SHIFT_H
#define DMRB_SHIFT_H

#include <stdbool.h>
#include <stddef.h>

/* Sample helpers shared by the stats code. */
bool stats_all_finite(const double *v, size_t n);
/* A malloc'd copy sorted ascending; NULL (errno ENOMEM or EINVAL for n == 0). */
double *stats_sorted_copy(const double *v, size_t n);
/* Median of n >= 1 sorted values: the middle one, or the mean of the two. */
double stats_median_sorted(const double *s, size_t n);
/* Median of unsorted values; -1 with errno EINVAL (empty, non-finite) or ENOMEM. */
int stats_median(const double *v, size_t n, double *out);
/*
 * (run - base) / |base| * 100: the relative change of one value against
 * another. 0 when equal (also both 0); NAN when base is 0 and run is not.
 */
double stats_pct_change(double base, double run);

struct shift_est {
	double hl;		/* median of all b_j - a_i */
	double ci_low, ci_high;	/* confidence interval of the shift */
	double ci_level;	/* its coverage: exact, or the normal approximation of it */
	bool ci_exact;		/* from the exact U distribution */
};

/*
 * Hodges-Lehmann shift of b against a with a two-sided CI at confidence
 * level (0 < level < 1, e.g. 0.95). Returns 0, or -1 with errno: EINVAL for
 * an empty sample, a non-finite value or a bad level, ENOMEM.
 */
int hl_shift(const double *a, size_t na, const double *b, size_t nb, double level,
	     struct shift_est *out);
/* The same on samples already sorted ascending. */
int hl_shift_sorted(const double *as, size_t na, const double *bs, size_t nb, double level,
		    struct shift_est *out);

/*
 * Relative change of a run against a baseline, in percent of the baseline
 * median: change_pct compares the medians, (run - base) / |base| * 100;
 * hl_pct and the CI are the Hodges-Lehmann shift and its CI on the same
 * scale. The two point estimates agree closely for unimodal noise; they can
 * differ when a sample is bimodal, which is why both are reported. When the
 * baseline median is 0 the percentages are NAN (undefined), except that
 * change_pct is 0 when both medians are 0.
 */
struct rel_change {
	double base_median, run_median;
	double change_pct;
	double hl_pct;
	double ci_low_pct, ci_high_pct;
	double ci_level;
	bool ci_exact;
};

int rel_change(const double *base, size_t nb, const double *run, size_t nr, double level,
	       struct rel_change *out);
int rel_change_sorted(const double *base, size_t nb, const double *run, size_t nr,
		      double level, struct rel_change *out);

#endif
