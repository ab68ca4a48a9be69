/*
 * Per-metric verdict of a run against a baseline on a noisy machine.
 *
 * With per-interval samples (e.g. IOPS of every 1 s interval) on both sides
 * and at least cfg->min_samples of them on each:
 *   change_pct = (median(run) - median(base)) / |median(base)| * 100;
 *   "beyond" the threshold means change_pct <= -threshold_pct (worse) or
 *   >= +threshold_pct (better) for HIGHER_IS_BETTER metrics (throughput),
 *   the signs swapped for LOWER_IS_BETTER ones (latency); a change of
 *   exactly the threshold counts as beyond;
 *   "significant" means the two-sided Mann-Whitney U test gives p < alpha.
 *   REGRESSED: worse beyond the threshold and significant.
 *   IMPROVED:  better beyond the threshold and significant.
 *   NOISE:     beyond the threshold (either way) but not significant.
 *   OK:        within the threshold (whether significant or not).
 * The 95% confidence interval of the change is the Hodges-Lehmann shift's
 * (see shift.h) in percent of the baseline median; it is reported, not used
 * to decide.
 *
 * With fewer samples on either side, or single values (a fio JSON figure, a
 * total), no test is made: tested = false, p_value and the CI are NAN, and
 * the threshold alone decides (REGRESSED / IMPROVED / OK, never NOISE).
 *
 * NAN fields mean "not available"; JSON writers should emit null. When the
 * baseline median is 0 the relative change is undefined: the percentages
 * are NAN and the verdict is OK with a reason saying so.
 */
#ifndef DMRB_VERDICT_H
#define DMRB_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

enum metric_dir { HIGHER_IS_BETTER, LOWER_IS_BETTER };

enum verdict {
	VERDICT_OK,
	VERDICT_IMPROVED,
	VERDICT_REGRESSED,
	VERDICT_NOISE,		/* beyond the threshold but not significant */
};

#define VERDICT_THROUGHPUT_PCT 10.0	/* default threshold, HIGHER_IS_BETTER */
#define VERDICT_LATENCY_PCT 15.0	/* default threshold, LOWER_IS_BETTER */
#define VERDICT_ALPHA 0.05
#define VERDICT_MIN_SAMPLES 5	/* per side; 3 vs 3 cannot reach p < 0.1 */
#define VERDICT_CI_LEVEL 0.95

struct verdict_cfg {
	double threshold_pct;	/* > = 0, in percent of the baseline median */
	double alpha;		/* significance level, 0 < alpha < 1 */
	size_t min_samples;	/* per side, to run the test */
};

struct metric_verdict {
	double base_median, run_median;
	double change_pct;		/* of the medians */
	double hl_pct;			/* Hodges-Lehmann shift, percent; NAN if untested */
	double ci_low_pct, ci_high_pct;	/* its 95% CI; NAN if untested */
	double p_value;			/* two-sided Mann-Whitney p; NAN if untested */
	size_t base_n, run_n;		/* samples compared (1 and 1 for scalars) */
	bool tested;			/* false: too few samples, threshold alone */
	bool exact;			/* p and CI from the exact U distribution */
	enum verdict verdict;
	const char *reason;		/* static string, one line, for reports */
};

/* The defaults: 10% for throughput, 15% for latency, alpha 0.05, 5 samples. */
void verdict_cfg_default(struct verdict_cfg *cfg, enum metric_dir dir);

/*
 * Compare per-interval samples; cfg NULL means the defaults for dir.
 * Returns 0, or -1 with errno: EINVAL for an empty sample, a non-finite
 * value or a bad cfg; ENOMEM.
 */
int verdict_compare(const double *base, size_t nb, const double *run, size_t nr,
		    enum metric_dir dir, const struct verdict_cfg *cfg,
		    struct metric_verdict *out);

/* Single values: the threshold alone. -1 with errno EINVAL as above. */
int verdict_compare_scalar(double base, double run, enum metric_dir dir,
			   const struct verdict_cfg *cfg, struct metric_verdict *out);

/* "ok", "improved", "regressed", "noise". */
const char *verdict_name(enum verdict v);

#endif
