#include "stats/steady.h"
#include "stats/shift.h"
#include "stats/trend.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static void never(struct steady_result *out, size_t n)
{
	out->reached = false;
	out->index = out->start = n;
}

/* ---- fio ------------------------------------------------------------------- */

static double window_mean(const double *y, size_t w)
{
	double s = 0.0;
	size_t i;

	for (i = 0; i < w; i++)
		s += y[i];
	return s / (double)w;
}

/* fio's criterion on the window y[0..w-1] with its mean. */
static double fio_criterion(const double *y, size_t w, double mean, const struct steady_fio_cfg *c)
{
	double v = 0.0;
	size_t i;

	if (c->crit == STEADY_RANGE) {
		for (i = 0; i < w; i++)
			v = fmax(v, fabs(y[i] - mean));
	} else {
		/* slope over x = 0..w-1: sum (x - xbar) y / sum (x - xbar)^2 */
		double xbar = ((double)w - 1.0) / 2.0, sxy = 0.0, sxx = 0.0;

		for (i = 0; i < w; i++) {
			sxy += ((double)i - xbar) * y[i];
			sxx += ((double)i - xbar) * ((double)i - xbar);
		}
		v = fabs(sxy / sxx);
	}
	if (c->pct)
		return mean > 0.0 ? 100.0 * v / mean : INFINITY;
	return v;
}

int steady_fio(const double *y, size_t n, const struct steady_fio_cfg *cfg,
	       struct steady_result *out)
{
	size_t end;

	if (!n || !cfg || cfg->window < 2 || !(cfg->limit > 0.0) ||
	    (cfg->crit != STEADY_RANGE && cfg->crit != STEADY_SLOPE) || !stats_all_finite(y, n)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	never(out, n);
	out->criterion = out->level = NAN;
	if (cfg->ramp >= n || n - cfg->ramp < cfg->window)
		return 0;
	for (end = cfg->ramp + cfg->window - 1; end < n; end++) {
		const double *w = y + end + 1 - cfg->window;
		double mean = window_mean(w, cfg->window);

		out->criterion = fio_criterion(w, cfg->window, mean, cfg);
		out->level = mean;
		if (out->criterion < cfg->limit) {
			out->reached = true;
			out->index = end;
			out->start = end + 1 - cfg->window;
			return 0;
		}
	}
	return 0;
}

/* ---- equivalence ------------------------------------------------------------ */

void steady_equiv_cfg_default(struct steady_equiv_cfg *cfg)
{
	cfg->window = 60;
	cfg->ramp = 0;
	cfg->step = 1;
	cfg->tol_pct = 5.0;
	cfg->alpha = 0.05;
	cfg->max_lag = 0;
}

int steady_equiv(const double *y, size_t n, const struct steady_equiv_cfg *cfg,
		 struct steady_result *out)
{
	struct trend_cfg tc;
	size_t end;

	if (!n || !cfg || cfg->window < 10 || !cfg->step || !(cfg->tol_pct > 0.0) ||
	    !(cfg->alpha > 0.0 && cfg->alpha < 0.5) || !stats_all_finite(y, n)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	never(out, n);
	out->criterion = out->level = NAN;
	trend_cfg_default(&tc);
	tc.alpha = 2.0 * cfg->alpha;	/* the 1 - 2 alpha interval: TOST at alpha */
	tc.max_lag = cfg->max_lag;
	if (cfg->ramp >= n || n - cfg->ramp < cfg->window)
		return 0;
	for (end = cfg->ramp + cfg->window - 1; end < n; end += cfg->step) {
		struct trend_result r;

		if (trend_mk(NULL, y + end + 1 - cfg->window, cfg->window, &tc, &r))
			return -1;
		out->level = r.level_start;
		out->criterion = fmax(fabs(r.change_low_pct), fabs(r.change_high_pct));
		/* NAN (a level <= 0) never qualifies */
		if (r.change_low_pct > -cfg->tol_pct && r.change_high_pct < cfg->tol_pct) {
			out->reached = true;
			out->index = end;
			out->start = end + 1 - cfg->window;
			return 0;
		}
	}
	return 0;
}

/* ---- MSER -------------------------------------------------------------------- */

int steady_mser(const double *y, size_t n, size_t batch, struct mser_result *out)
{
	size_t k, d, j, limit, best = 0;
	double ref, s1 = 0.0, s2 = 0.0, best_v = INFINITY, best_mean = NAN;

	if (!n || !batch || !stats_all_finite(y, n) || n / batch < 4) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	k = n / batch;
	out->batches = k;
	limit = k / 2;
	ref = window_mean(y, k * batch);	/* centre the sums: no cancellation */
	/*
	 * Walk d from k - 1 down to 0, adding batch d to the suffix sums of
	 * (b_j - ref) and (b_j - ref)^2; evaluate MSER(d) for d <= limit.
	 */
	for (d = k; d-- > 0;) {
		double b = window_mean(y + d * batch, batch) - ref, m, ss, v;

		s1 += b;
		s2 += b * b;
		if (d > limit)
			continue;
		j = k - d;
		m = s1 / (double)j;
		ss = fmax(0.0, s2 - s1 * m);
		v = ss / ((double)j * (double)j);
		if (v <= best_v) {	/* ties: the smaller d, since d decreases */
			best_v = v;
			best = d;
			best_mean = m + ref;
		}
	}
	out->truncate = best * batch;
	out->mser = best_v;
	out->mean = best_mean;
	out->valid = best < limit;
	return 0;
}
