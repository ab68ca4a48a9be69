#include "stats/ttest.h"
#include "stats/mwu.h"
#include "stats/shift.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

/* log B(a, b) for a, b > 0; lgamma_r leaves the global signgam alone. */
static double log_beta(double a, double b)
{
	int s;

	return lgamma_r(a, &s) + lgamma_r(b, &s) - lgamma_r(a + b, &s);
}

/*
 * The continued fraction of DLMF 8.17.22,
 *	1 / (1 + d1 / (1 + d2 / (1 + ...))),
 *	d_{2m}   =  m (b - m) x / ((a + 2m - 1)(a + 2m)),
 *	d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
 * by the modified Lentz algorithm on b_0 = 0, a_1 = 1, a_{j+1} = d_j, b_j = 1.
 */
static double ibeta_fraction(double x, double a, double b)
{
	const double tiny = 1e-300;
	double f = tiny, c = tiny, d = 0.0;
	int j;

	for (j = 1; j <= 1000; j++) {
		double num, delta;

		if (j == 1) {
			num = 1.0;
		} else {
			int i = j - 1;		/* the d_i this step adds */
			double m = (double)(i / 2);

			if (i % 2 == 0)
				num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
			else
				num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		}
		d = 1.0 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		delta = c * d;
		f *= delta;
		if (fabs(delta - 1.0) < 1e-16)
			break;
	}
	return f;
}

/*
 * I_x(a, b), the regularized incomplete beta function, given x and
 * y = 1 - x separately (so that a tiny 1 - x keeps its precision).
 */
static double ibeta(double x, double y, double a, double b)
{
	double front;

	if (x <= 0.0)
		return 0.0;
	if (y <= 0.0)
		return 1.0;
	if (x > (a + 1.0) / (a + b + 2.0))
		return 1.0 - ibeta(y, x, b, a);
	front = exp(a * log(x) + b * log(y) - log_beta(a, b)) / a;
	return front * ibeta_fraction(x, a, b);
}

/* P(T > t) for t >= 0. */
static double t_upper(double t, double df)
{
	double t2 = t * t;

	if (isinf(df))
		return mwu_norm_cdf(-t);
	if (isinf(t))
		return 0.0;
	/* x = df / (df + t^2), 1 - x = t^2 / (df + t^2) */
	return 0.5 * ibeta(df / (df + t2), t2 / (df + t2), df / 2.0, 0.5);
}

double tdist_cdf(double t, double df)
{
	if (isnan(t) || isnan(df) || !(df > 0.0))
		return NAN;
	return t >= 0.0 ? 1.0 - t_upper(t, df) : t_upper(-t, df);
}

/* The t > 0 with P(T > t) = q, 0 < q < 0.5, by bisection to the last bit. */
static double t_upper_inverse(double q, double df)
{
	double lo = 0.0, hi = 1.0;
	int i;

	while (t_upper(hi, df) > q && hi < 1e300) {
		lo = hi;
		hi *= 2.0;
	}
	for (i = 0; i < 2100; i++) {
		double mid = 0.5 * (lo + hi);

		if (mid <= lo || mid >= hi)
			break;
		if (t_upper(mid, df) > q)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

double tdist_quantile(double p, double df)
{
	if (isnan(p) || isnan(df) || !(df > 0.0))
		return NAN;
	if (p <= 0.0)
		return -INFINITY;
	if (p >= 1.0)
		return INFINITY;
	if (isinf(df))
		return mwu_norm_quantile(p);
	if (p == 0.5)
		return 0.0;
	return p < 0.5 ? -t_upper_inverse(p, df) : t_upper_inverse(1.0 - p, df);
}

/* Mean and sample variance (n - 1; NAN for n < 2), two-pass. */
static void mean_var(const double *v, size_t n, double *mean, double *var)
{
	double s = 0.0, ss = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	*mean = s / (double)n;
	for (i = 0; i < n; i++)
		ss += (v[i] - *mean) * (v[i] - *mean);
	*var = n > 1 ? ss / (double)(n - 1) : NAN;
}

static bool level_ok(double level)
{
	return level > 0.0 && level < 1.0;
}

int welch_test(const double *a, size_t na, const double *b, size_t nb, double level,
	       struct welch_result *out)
{
	double va, vb, ea, eb, q;

	if (!na || !nb || !stats_all_finite(a, na) || !stats_all_finite(b, nb) ||
	    !level_ok(level)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	mean_var(a, na, &out->mean_a, &va);
	mean_var(b, nb, &out->mean_b, &vb);
	out->diff = out->mean_b - out->mean_a;
	out->se = out->t = out->df = out->p = out->ci_low = out->ci_high = NAN;
	if (na < 2 || nb < 2)
		return 0;
	ea = va / (double)na;
	eb = vb / (double)nb;
	out->se = sqrt(ea + eb);
	if (!(out->se > 0.0))
		return 0;		/* both samples constant: no test */
	out->t = out->diff / out->se;
	out->df = (ea + eb) * (ea + eb) /
		  (ea * ea / (double)(na - 1) + eb * eb / (double)(nb - 1));
	out->p = fmin(1.0, 2.0 * t_upper(fabs(out->t), out->df));
	q = tdist_quantile(1.0 - (1.0 - level) / 2.0, out->df);
	out->ci_low = out->diff - q * out->se;
	out->ci_high = out->diff + q * out->se;
	return 0;
}

int onesample_t(const double *x, size_t n, double level, struct onesample_t_result *out)
{
	double var, q;

	if (!n || !stats_all_finite(x, n) || !level_ok(level)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	mean_var(x, n, &out->mean, &var);
	out->se = out->t = out->df = out->p = out->ci_low = out->ci_high = NAN;
	if (n < 2 || !(var > 0.0))
		return 0;
	out->se = sqrt(var / (double)n);
	out->df = (double)(n - 1);
	out->t = out->mean / out->se;
	out->p = fmin(1.0, 2.0 * t_upper(fabs(out->t), out->df));
	q = tdist_quantile(1.0 - (1.0 - level) / 2.0, out->df);
	out->ci_low = out->mean - q * out->se;
	out->ci_high = out->mean + q * out->se;
	return 0;
}

int predict_test(const double *hist, size_t k, double y, size_t m, double level,
		 struct predict_result *out)
{
	double var, q;

	if (!k || !m || !stats_all_finite(hist, k) || !isfinite(y) || !level_ok(level)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->k = k;
	mean_var(hist, k, &out->mean, &var);
	out->sd = sqrt(var);
	out->diff = y - out->mean;
	out->se = out->t = out->df = out->p = out->pi_low = out->pi_high = NAN;
	if (k < 2 || !(var > 0.0))
		return 0;
	out->se = out->sd * sqrt(1.0 / (double)m + 1.0 / (double)k);
	out->df = (double)(k - 1);
	out->t = out->diff / out->se;
	out->p = fmin(1.0, 2.0 * t_upper(fabs(out->t), out->df));
	q = tdist_quantile(1.0 - (1.0 - level) / 2.0, out->df);
	out->pi_low = out->mean - q * out->se;
	out->pi_high = out->mean + q * out->se;
	return 0;
}
