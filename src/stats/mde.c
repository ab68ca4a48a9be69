#include "stats/mde.h"
#include "stats/mwu.h"
#include "stats/paired.h"
#include "stats/runcmp.h"
#include "stats/ttest.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* sqrt(pi / 3): the sample size price of a rank test under normality */
#define ARE_FACTOR 1.0233267079464885

static bool args_ok(double sd_log, double alpha, double power)
{
	return isfinite(sd_log) && sd_log >= 0.0 && alpha > 0.0 && alpha < 1.0 &&
	       power > 0.0 && power < 1.0;
}

static void fill(struct mde *out, double delta)
{
	out->delta_log = delta;
	out->possible = isfinite(delta);
	out->up_pct = out->possible ? expm1(delta) * 100.0 : INFINITY;
	out->down_pct = out->possible ? expm1(-delta) * 100.0 : -100.0;
}

/* (t_{df,1-a/2} + t_{df,power}) * scale */
static double two_quantile(double a, double power, double df, double scale)
{
	return (tdist_quantile(1.0 - a / 2.0, df) + tdist_quantile(power, df)) * scale;
}

/*
 * The attained size of an exact test at nominal alpha from its null CDF
 * (symmetric, len values): 2 cdf[u*], u* the largest u with 2 cdf[u] <
 * alpha; 0 when there is none.
 */
static double attained(const double *cdf, size_t len, double alpha)
{
	double a = 0.0;
	size_t u;

	for (u = 0; u < len && 2.0 * cdf[u] < alpha; u++)
		a = 2.0 * cdf[u];
	return a;
}

int mde_mwu(size_t nb, size_t nr, double sd_log, double alpha, double power, struct mde *out)
{
	double a = alpha;

	if (!nb || !nr || !args_ok(sd_log, alpha, power)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->p_floor = runcmp_p_floor(nb, nr);
	if (mwu_exact_applies(nb, nr, false)) {
		size_t len = nb * nr + 1;
		double *cdf = malloc(len * sizeof(*cdf));

		if (!cdf || mwu_exact_cdf(nb, nr, cdf)) {
			free(cdf);
			return -1;
		}
		a = attained(cdf, len, alpha);
		free(cdf);
	} else if (!(out->p_floor < alpha)) {
		a = 0.0;
	}
	out->alpha_used = a;
	if (!(a > 0.0) || nb + nr < 3) {
		fill(out, INFINITY);
		return 0;
	}
	fill(out, two_quantile(a, power, (double)(nb + nr - 2),
			       sd_log * sqrt(1.0 / (double)nb + 1.0 / (double)nr) * ARE_FACTOR));
	return 0;
}

int mde_welch(size_t nb, size_t nr, double sd_log, double alpha, double power, struct mde *out)
{
	double b = (double)nb, r = (double)nr, s2, df;

	if (nb < 2 || nr < 2 || !args_ok(sd_log, alpha, power)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->p_floor = NAN;
	out->alpha_used = alpha;
	s2 = 1.0 / b + 1.0 / r;
	df = s2 * s2 / (1.0 / (b * b * (b - 1.0)) + 1.0 / (r * r * (r - 1.0)));
	fill(out, two_quantile(alpha, power, df, sd_log * sqrt(s2)));
	return 0;
}

int mde_signed_rank(size_t n, double sd_log, double alpha, double power, struct mde *out)
{
	double a = alpha;

	if (!n || !args_ok(sd_log, alpha, power)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->p_floor = paired_p_floor(n);
	if (n <= WSR_EXACT_MAX) {
		size_t len = n * (n + 1) / 2 + 1;
		double *cdf = malloc(len * sizeof(*cdf));

		if (!cdf || wsr_exact_cdf(n, cdf)) {
			free(cdf);
			return -1;
		}
		a = attained(cdf, len, alpha);
		free(cdf);
	}
	out->alpha_used = a;
	if (!(a > 0.0) || n < 2) {
		fill(out, INFINITY);
		return 0;
	}
	fill(out, two_quantile(a, power, (double)(n - 1),
			       sd_log / sqrt((double)n) * ARE_FACTOR));
	return 0;
}

int mde_predict(size_t k, size_t m, double sd_log, double alpha, double power, struct mde *out)
{
	if (k < 2 || !m || !args_ok(sd_log, alpha, power)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->p_floor = NAN;
	out->alpha_used = alpha;
	fill(out, two_quantile(alpha, power, (double)(k - 1),
			       sd_log * sqrt(1.0 / (double)m + 1.0 / (double)k)));
	return 0;
}

size_t mde_mwu_runs_needed(size_t nb, double sd_log, double effect_pct, double alpha,
			   double power, size_t max_nr)
{
	double target;
	size_t nr;

	if (!nb || !(effect_pct > 0.0) || !args_ok(sd_log, alpha, power)) {
		errno = EINVAL;
		return 0;
	}
	target = log1p(effect_pct / 100.0);
	for (nr = 1; nr <= max_nr; nr++) {
		struct mde m;

		if (mde_mwu(nb, nr, sd_log, alpha, power, &m))
			return 0;
		if (m.possible && m.delta_log <= target)
			return nr;
	}
	return 0;
}
