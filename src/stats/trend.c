#include "stats/trend.h"
#include "stats/mwu.h"
#include "stats/order.h"
#include "stats/shift.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void trend_cfg_default(struct trend_cfg *cfg)
{
	cfg->alpha = 0.05;
	cfg->acf_alpha = 0.05;
	cfg->max_lag = 0;
	cfg->lags = TREND_LAGS_INITIAL;
	cfg->correct = true;
	cfg->log_scale = false;
}

/*
 * Pairs i < j with v[j] < v[i] (or <= with ties_count), by merge sort of v
 * in place (tmp: n scratch doubles). O(n log n).
 */
static uint64_t inversions(double *v, double *tmp, size_t n, bool ties_count)
{
	uint64_t inv = 0;
	size_t width, lo;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi) {
				bool right_first = ties_count ? v[j] <= v[i] : v[j] < v[i];

				if (right_first) {
					inv += mid - i;
					tmp[k++] = v[j++];
				} else {
					tmp[k++] = v[i++];
				}
			}
			while (i < mid)
				tmp[k++] = v[i++];
			while (j < hi)
				tmp[k++] = v[j++];
		}
		memcpy(v, tmp, n * sizeof(*v));
	}
	return inv;
}

struct slope_ctx {
	const double *u, *y;	/* u = t - t[0] */
	double *a, *tmp;	/* n scratch each */
	size_t n;
	double bound;		/* every slope lies strictly within +-bound */
	double *all;		/* all slopes sorted, when n <= TREND_EXACT_MAX_N */
	bool flat;		/* every y equal: every slope is 0 */
};

/* #{i < j : (y_j - y_i) <= s (u_j - u_i)} = #{i < j : y_j - s u_j <= y_i - s u_i}. */
static uint64_t slopes_le(double s, void *vctx)
{
	struct slope_ctx *c = vctx;
	size_t i;

	for (i = 0; i < c->n; i++)
		c->a[i] = c->y[i] - s * c->u[i];
	return inversions(c->a, c->tmp, c->n, true);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* Sorted slopes for a small series; NULL on ENOMEM. */
static double *all_slopes(const double *u, const double *y, size_t n)
{
	double *s = malloc(n * (n - 1) / 2 * sizeof(*s));
	size_t i, j, k = 0;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			s[k++] = (y[j] - y[i]) / (u[j] - u[i]);
	qsort(s, k, sizeof(*s), cmp_double);
	return s;
}

/* The k-th smallest slope (1-based). */
static double slope_kth(struct slope_ctx *c, uint64_t k)
{
	if (c->flat)
		return 0.0;
	if (c->all)
		return c->all[k - 1];
	return order_kth(-c->bound, c->bound, k, slopes_le, c);
}

/* S and the tie terms of the variance (sum t(t-1)/2 and sum t(t-1)(2t+5)). */
static void mk_s(const double *y, size_t n, double *scratch, double *tmp, double *s, double *ties_var)
{
	double pairs = (double)n * ((double)n - 1.0) / 2.0, tied = 0.0;
	uint64_t inv;
	size_t i, j;

	memcpy(scratch, y, n * sizeof(*scratch));
	inv = inversions(scratch, tmp, n, false);	/* scratch is now sorted */
	*ties_var = 0.0;
	for (i = 0; i < n; i = j) {
		double t;

		for (j = i; j < n && scratch[j] == scratch[i]; j++)
			;
		t = (double)(j - i);
		tied += t * (t - 1.0) / 2.0;
		*ties_var += t * (t - 1.0) * (2.0 * t + 5.0);
	}
	/* concordant - discordant = (pairs - tied - inv) - inv */
	*s = pairs - tied - 2.0 * (double)inv;
}

struct ranked {
	double v;
	size_t i;
};

static int cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->v != b->v)
		return (a->v > b->v) - (a->v < b->v);
	return (a->i > b->i) - (a->i < b->i);
}

/*
 * Hamed & Rao's n/n*: the significant rank autocorrelations of the
 * detrended series d (n values), lags 1..max_lag (0: n - 1), all of them
 * (TREND_LAGS_SIGNIFICANT) or up to the first that is not
 * (TREND_LAGS_INITIAL).
 */
static int hamed_rao(const double *d, size_t n, const struct trend_cfg *cfg, double *factor)
{
	struct ranked *r;
	double *rk, mean = ((double)n + 1.0) / 2.0, c0 = 0.0, sum = 0.0, bound, nn = (double)n;
	size_t i, j, k, lags;

	*factor = 1.0;
	if (n < 3)
		return 0;
	r = malloc(n * sizeof(*r));
	rk = malloc(n * sizeof(*rk));
	if (!r || !rk) {
		free(r);
		free(rk);
		return -1;
	}
	for (i = 0; i < n; i++) {
		r[i].v = d[i];
		r[i].i = i;
	}
	qsort(r, n, sizeof(*r), cmp_ranked);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && r[j].v == r[i].v; j++)
			;
		for (k = i; k < j; k++)
			rk[r[k].i] = ((double)i + (double)j + 1.0) / 2.0;	/* midrank */
	}
	free(r);
	for (i = 0; i < n; i++)
		c0 += (rk[i] - mean) * (rk[i] - mean);
	bound = mwu_norm_quantile(1.0 - cfg->acf_alpha / 2.0) / sqrt(nn);
	lags = cfg->max_lag && cfg->max_lag < n - 1 ? cfg->max_lag : n - 1;
	for (k = 1; c0 > 0.0 && k <= lags && k + 2 < n; k++) {
		double ck = 0.0, rho, w = (nn - (double)k) * (nn - (double)k - 1.0) *
					 (nn - (double)k - 2.0);

		for (i = 0; i + k < n; i++)
			ck += (rk[i] - mean) * (rk[i + k] - mean);
		rho = ck / c0;
		if (fabs(rho) > bound)
			sum += w * rho;
		else if (cfg->lags == TREND_LAGS_INITIAL)
			break;
	}
	free(rk);
	*factor = 1.0 + 2.0 * sum / (nn * (nn - 1.0) * (nn - 2.0));
	return 0;
}

static bool cfg_ok(const struct trend_cfg *c)
{
	return c->alpha > 0.0 && c->alpha < 1.0 && c->acf_alpha > 0.0 && c->acf_alpha < 1.0 &&
	       (c->lags == TREND_LAGS_INITIAL || c->lags == TREND_LAGS_SIGNIFICANT);
}

static double two_sided_z(double s, double var, double *z)
{
	if (!(var > 0.0) || s == 0.0) {
		*z = 0.0;
		return 1.0;
	}
	*z = (s - copysign(1.0, s)) / sqrt(var);
	return fmin(1.0, erfc(fabs(*z) / M_SQRT2));
}

static double rank_round(double r, double npairs)
{
	r = floor(r + 0.5);
	return r < 1.0 ? 1.0 : r > npairs ? npairs : r;
}

static double pct_of(double change, double level, bool log_scale)
{
	if (log_scale)
		return expm1(change) * 100.0;
	return level > 0.0 ? change / level * 100.0 : NAN;
}

/* Everything after the inputs are checked: u = t - t[0], y the values analysed. */
static int analyse(const double *u, const double *y, size_t n, const struct trend_cfg *cfg,
		   double *a, double *tmp, struct trend_result *out)
{
	struct slope_ctx c = { .u = u, .y = y, .a = a, .tmp = tmp, .n = n };
	double ties_var, nn = (double)n, npairs = nn * (nn - 1.0) / 2.0, lo = INFINITY, hi = -INFINITY;
	double min_du = INFINITY, var, cw;
	uint64_t m = (uint64_t)n * (n - 1) / 2;
	size_t i;
	int rc = -1;

	mk_s(y, n, a, tmp, &out->s, &ties_var);
	out->var_s = (nn * (nn - 1.0) * (2.0 * nn + 5.0) - ties_var) / 18.0;
	out->tau = out->s / npairs;
	for (i = 0; i < n; i++) {
		lo = fmin(lo, y[i]);
		hi = fmax(hi, y[i]);
		if (i)
			min_du = fmin(min_du, u[i] - u[i - 1]);
	}
	c.bound = (hi - lo) / min_du * 1.000001 + 1e-300;
	c.flat = hi == lo;
	if (!c.flat && n <= TREND_EXACT_MAX_N) {
		c.all = all_slopes(u, y, n);
		if (!c.all)
			return -1;
	}
	if (m % 2)
		out->slope = slope_kth(&c, m / 2 + 1);
	else
		out->slope = 0.5 * (slope_kth(&c, m / 2) + slope_kth(&c, m / 2 + 1));
	for (i = 0; i < n; i++)
		a[i] = y[i] - out->slope * u[i];
	out->var_factor = out->var_factor_raw = 1.0;
	if (cfg->correct) {
		if (hamed_rao(a, n, cfg, &out->var_factor_raw))
			goto out;
		out->var_factor = fmax(1.0, out->var_factor_raw);
	}
	if (stats_median(a, n, &out->level_start))
		goto out;
	var = out->var_s * out->var_factor;
	out->p_iid = two_sided_z(out->s, out->var_s, &out->z_iid);
	out->p = two_sided_z(out->s, var, &out->z);
	cw = mwu_norm_quantile(1.0 - cfg->alpha / 2.0) * sqrt(fmax(0.0, var));
	out->slope_low = slope_kth(&c, (uint64_t)rank_round((npairs - cw) / 2.0, npairs));
	out->slope_high = slope_kth(&c, (uint64_t)rank_round((npairs + cw) / 2.0 + 1.0, npairs));
	out->span = u[n - 1];
	out->change = out->slope * out->span;
	out->change_low = out->slope_low * out->span;
	out->change_high = out->slope_high * out->span;
	out->change_pct = pct_of(out->change, out->level_start, cfg->log_scale);
	out->change_low_pct = pct_of(out->change_low, out->level_start, cfg->log_scale);
	out->change_high_pct = pct_of(out->change_high, out->level_start, cfg->log_scale);
	out->drifting = out->p < cfg->alpha;
	rc = 0;
out:
	free(c.all);
	return rc;
}

static void not_available(struct trend_result *out)
{
	out->z = out->p = out->z_iid = out->p_iid = out->tau = NAN;
	out->slope = out->slope_low = out->slope_high = NAN;
	out->change = out->change_low = out->change_high = NAN;
	out->change_pct = out->change_low_pct = out->change_high_pct = NAN;
	out->var_factor = out->var_factor_raw = 1.0;
}

int trend_mk(const double *t, const double *y, size_t n, const struct trend_cfg *cfg,
	     struct trend_result *out)
{
	struct trend_cfg def;
	double *u, *v, *a, *tmp;
	size_t i;
	int rc;

	if (!cfg) {
		trend_cfg_default(&def);
		cfg = &def;
	}
	if (!n || !cfg_ok(cfg) || !stats_all_finite(y, n) || (t && !stats_all_finite(t, n))) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((t && i && !(t[i] > t[i - 1])) || (cfg->log_scale && !(y[i] > 0.0))) {
			errno = EINVAL;
			return -1;
		}
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->small_n = n < 10;
	u = malloc(n * sizeof(*u));
	v = malloc(n * sizeof(*v));
	a = malloc(n * sizeof(*a));
	tmp = malloc(n * sizeof(*tmp));
	if (!u || !v || !a || !tmp) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		u[i] = t ? t[i] - t[0] : (double)i;
		v[i] = cfg->log_scale ? log(y[i]) : y[i];
	}
	if (n < 2) {
		not_available(out);
		out->level_start = v[0];
		rc = 0;
		goto out;
	}
	rc = analyse(u, v, n, cfg, a, tmp, out);
out:
	free(u);
	free(v);
	free(a);
	free(tmp);
	return rc;
}
