#include "stats/verdict.h"
#include "stats/mwu.h"
#include "stats/shift.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void verdict_cfg_default(struct verdict_cfg *cfg, enum metric_dir dir)
{
	cfg->threshold_pct = dir == HIGHER_IS_BETTER ? VERDICT_THROUGHPUT_PCT
						      : VERDICT_LATENCY_PCT;
	cfg->alpha = VERDICT_ALPHA;
	cfg->min_samples = VERDICT_MIN_SAMPLES;
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_OK:
		return "ok";
	case VERDICT_IMPROVED:
		return "improved";
	case VERDICT_REGRESSED:
		return "regressed";
	case VERDICT_NOISE:
		return "noise";
	}
	return "?";
}

static bool cfg_valid(const struct verdict_cfg *cfg)
{
	return cfg->threshold_pct >= 0.0 && isfinite(cfg->threshold_pct) &&
	       cfg->alpha > 0.0 && cfg->alpha < 1.0;
}

/* Pick the caller's cfg or the defaults; NULL if the caller's is invalid. */
static const struct verdict_cfg *resolve_cfg(const struct verdict_cfg *cfg,
					     enum metric_dir dir, struct verdict_cfg *def)
{
	if (!cfg) {
		verdict_cfg_default(def, dir);
		return def;
	}
	if (!cfg_valid(cfg)) {
		errno = EINVAL;
		return NULL;
	}
	return cfg;
}

enum side { WITHIN, WORSE, BETTER };

/* Where change_pct lies against the threshold, seen from the metric's side. */
static enum side threshold_side(double change_pct, enum metric_dir dir, double thr)
{
	double good = dir == HIGHER_IS_BETTER ? change_pct : -change_pct;

	if (good < 0.0 && good <= -thr)
		return WORSE;
	if (good > 0.0 && good >= thr)
		return BETTER;
	return WITHIN;
}

/* Threshold alone: untested comparisons and scalars. */
static void decide_untested(struct metric_verdict *out, enum metric_dir dir,
			    double thr, bool scalar)
{
	static const char *const why[2][3] = {
		{ "too few samples for a test; threshold alone: within threshold",
		  "too few samples for a test; threshold alone: worse beyond threshold",
		  "too few samples for a test; threshold alone: better beyond threshold" },
		{ "single values; threshold alone: within threshold",
		  "single values; threshold alone: worse beyond threshold",
		  "single values; threshold alone: better beyond threshold" },
	};
	enum side s = threshold_side(out->change_pct, dir, thr);

	out->tested = false;
	out->p_value = NAN;
	out->hl_pct = out->ci_low_pct = out->ci_high_pct = NAN;
	out->verdict = s == WORSE ? VERDICT_REGRESSED : s == BETTER ? VERDICT_IMPROVED
								      : VERDICT_OK;
	out->reason = why[scalar][s];
}

static void decide_tested(struct metric_verdict *out, enum metric_dir dir,
			  const struct verdict_cfg *cfg)
{
	bool sig = out->p_value < cfg->alpha;
	enum side s = threshold_side(out->change_pct, dir, cfg->threshold_pct);

	if (s == WITHIN) {
		out->verdict = VERDICT_OK;
		out->reason = sig ? "significant change, but within threshold"
				  : "within threshold, not significant";
	} else if (!sig) {
		out->verdict = VERDICT_NOISE;
		out->reason = s == WORSE ? "worse beyond threshold, but not significant (noise)"
					 : "better beyond threshold, but not significant (noise)";
	} else if (s == WORSE) {
		out->verdict = VERDICT_REGRESSED;
		out->reason = "regressed: worse beyond threshold and significant";
	} else {
		out->verdict = VERDICT_IMPROVED;
		out->reason = "improved: better beyond threshold and significant";
	}
}

/* A zero baseline median leaves no relative change to judge. */
static bool zero_base(struct metric_verdict *out)
{
	if (!isnan(out->change_pct))
		return false;
	out->verdict = VERDICT_OK;
	out->reason = "baseline median is 0: relative change undefined";
	return true;
}

static int compare_sorted(const double *bs, size_t nb, const double *rs, size_t nr,
			  enum metric_dir dir, const struct verdict_cfg *cfg,
			  struct metric_verdict *out)
{
	struct rel_change rc;
	struct mwu_result m;

	out->base_median = stats_median_sorted(bs, nb);
	out->run_median = stats_median_sorted(rs, nr);
	if (nb < cfg->min_samples || nr < cfg->min_samples) {
		out->change_pct = stats_pct_change(out->base_median, out->run_median);
		decide_untested(out, dir, cfg->threshold_pct, false);
		zero_base(out);
		return 0;
	}
	if (mwu_test_sorted(bs, nb, rs, nr, &m) ||
	    rel_change_sorted(bs, nb, rs, nr, VERDICT_CI_LEVEL, &rc))
		return -1;
	out->tested = true;
	out->exact = m.exact;
	out->p_value = m.p;
	out->change_pct = rc.change_pct;
	out->hl_pct = rc.hl_pct;
	out->ci_low_pct = rc.ci_low_pct;
	out->ci_high_pct = rc.ci_high_pct;
	if (!zero_base(out))
		decide_tested(out, dir, cfg);
	return 0;
}

int verdict_compare(const double *base, size_t nb, const double *run, size_t nr,
		    enum metric_dir dir, const struct verdict_cfg *cfg,
		    struct metric_verdict *out)
{
	struct verdict_cfg def;
	double *bs, *rs;
	int rc;

	cfg = resolve_cfg(cfg, dir, &def);
	if (!cfg)
		return -1;
	if (!nb || !nr || !stats_all_finite(base, nb) || !stats_all_finite(run, nr)) {
		errno = EINVAL;
		return -1;
	}
	bs = stats_sorted_copy(base, nb);
	rs = stats_sorted_copy(run, nr);
	memset(out, 0, sizeof(*out));
	out->base_n = nb;
	out->run_n = nr;
	rc = (bs && rs) ? compare_sorted(bs, nb, rs, nr, dir, cfg, out) : -1;
	free(bs);
	free(rs);
	return rc;
}

int verdict_compare_scalar(double base, double run, enum metric_dir dir,
			   const struct verdict_cfg *cfg, struct metric_verdict *out)
{
	struct verdict_cfg def;

	cfg = resolve_cfg(cfg, dir, &def);
	if (!cfg)
		return -1;
	if (!isfinite(base) || !isfinite(run)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->base_n = out->run_n = 1;
	out->base_median = base;
	out->run_median = run;
	out->change_pct = stats_pct_change(base, run);
	decide_untested(out, dir, cfg->threshold_pct, true);
	zero_base(out);
	return 0;
}
