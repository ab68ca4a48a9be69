#include "stats/mwu.h"
#include "stats/shift.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

double mwu_norm_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/*
 * Bisection on erfc: slower than a rational approximation but exact to the
 * last bit that erfc() gives, deterministic, and called a handful of times.
 */
double mwu_norm_quantile(double p)
{
	double lo = -40.0, hi = 40.0;
	int i;

	if (!(p > 0.0))
		return -INFINITY;
	if (!(p < 1.0))
		return INFINITY;
	for (i = 0; i < 200; i++) {
		double mid = 0.5 * (lo + hi);

		if (mid == lo || mid == hi)
			break;
		if (mwu_norm_cdf(mid) < p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

bool mwu_exact_applies(size_t na, size_t nb, bool ties)
{
	return !ties && na >= 1 && nb >= 1 && na <= MWU_EXACT_MAX && nb <= MWU_EXACT_MAX;
}

/*
 * The number of ways to split the pooled sample so that U == u is the
 * coefficient of q^u in the Gaussian binomial [m+n choose m]_q
 * = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i). Multiplying by one factor and
 * dividing by the next keeps every intermediate a Gaussian binomial
 * [n+i choose i]_q, so all values stay integers no larger than
 * C(2*MWU_EXACT_MAX, MWU_EXACT_MAX) ~ 1.4e11: exact in int64_t.
 * Time O(m * m*n), memory m*n + m + 1 counts (at most 421 for 20x20).
 */
static void gauss_binom(size_t m, size_t n, int64_t *c, size_t len)
{
	size_t i, k;

	memset(c, 0, len * sizeof(*c));
	c[0] = 1;
	for (i = 1; i <= m; i++) {
		size_t s = n + i;
		size_t top = (i - 1) * n + s;	/* degree after the multiplication */

		for (k = top; k >= s; k--)
			c[k] -= c[k - s];
		for (k = i; k <= top; k++)
			c[k] += c[k - i];
	}
}

int mwu_exact_cdf(size_t na, size_t nb, double *cdf)
{
	size_t m = na < nb ? na : nb, n = na < nb ? nb : na;
	size_t len = m * n + m + 1, u;
	int64_t *c, total = 0, run = 0;

	if (!mwu_exact_applies(na, nb, false)) {
		errno = EINVAL;
		return -1;
	}
	c = malloc(len * sizeof(*c));
	if (!c)
		return -1;
	gauss_binom(m, n, c, len);
	for (u = 0; u <= m * n; u++)
		total += c[u];
	for (u = 0; u <= m * n; u++) {
		run += c[u];
		cdf[u] = (double)run / (double)total;
	}
	free(c);
	return 0;
}

/* Exact two-sided p for an integral U1; the null distribution is symmetric. */
static int exact_p(size_t na, size_t nb, double u1, double *p)
{
	size_t nn = na * nb, u = (size_t)u1;
	double *cdf = malloc((nn + 1) * sizeof(*cdf));
	double tail;

	if (!cdf)
		return -1;
	if (mwu_exact_cdf(na, nb, cdf)) {
		free(cdf);
		return -1;
	}
	/* P(U >= u) = P(U <= nn - u): no cancellation in 1 - cdf[u - 1]. */
	tail = cdf[u] < cdf[nn - u] ? cdf[u] : cdf[nn - u];
	*p = fmin(1.0, 2.0 * tail);
	free(cdf);
	return 0;
}

/*
 * Rank sum of a with midranks, by walking both sorted samples as one:
 * O(na + nb), no extra memory. Also sums t^3 - t over tie groups.
 */
static void rank_walk(const double *as, size_t na, const double *bs, size_t nb,
		      double *r1, double *tie_sum)
{
	size_t i = 0, j = 0, pos = 0;

	*r1 = 0.0;
	*tie_sum = 0.0;
	while (i < na || j < nb) {
		double v = (j >= nb || (i < na && as[i] <= bs[j])) ? as[i] : bs[j];
		size_t ca = 0, cb = 0;
		double t, mid;

		while (i < na && as[i] == v) {
			i++;
			ca++;
		}
		while (j < nb && bs[j] == v) {
			j++;
			cb++;
		}
		t = (double)(ca + cb);
		mid = (double)pos + (t + 1.0) / 2.0;
		*r1 += (double)ca * mid;
		*tie_sum += t * t * t - t;
		pos += ca + cb;
	}
}

int mwu_test_sorted(const double *as, size_t na, const double *bs, size_t nb,
		    struct mwu_result *out)
{
	double r1, tie_sum, n = (double)na + (double)nb, nn, var, d, corr;

	if (!na || !nb || !stats_all_finite(as, na) || !stats_all_finite(bs, nb)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	nn = (double)na * (double)nb;
	rank_walk(as, na, bs, nb, &r1, &tie_sum);
	out->u1 = r1 - (double)na * ((double)na + 1.0) / 2.0;
	out->mu = nn / 2.0;
	out->ties = tie_sum > 0.0;

	var = nn / 12.0 * ((n + 1.0) - tie_sum / (n * (n - 1.0)));
	out->sigma = var > 0.0 ? sqrt(var) : 0.0;
	d = out->u1 - out->mu;
	corr = fabs(d) > 0.5 ? fabs(d) - 0.5 : 0.0;
	if (out->sigma > 0.0) {
		out->z = copysign(corr, d) / out->sigma;
		out->p_asymp = fmin(1.0, erfc(fabs(out->z) / M_SQRT2));
	} else {
		out->z = 0.0;		/* every value equal: no evidence at all */
		out->p_asymp = 1.0;
	}
	out->p = out->p_asymp;
	out->exact = mwu_exact_applies(na, nb, out->ties);
	if (out->exact && exact_p(na, nb, out->u1, &out->p))
		return -1;
	return 0;
}

int mwu_test(const double *a, size_t na, const double *b, size_t nb, struct mwu_result *out)
{
	double *as, *bs;
	int rc;

	if (!na || !nb || !stats_all_finite(a, na) || !stats_all_finite(b, nb)) {
		errno = EINVAL;
		return -1;
	}
	as = stats_sorted_copy(a, na);
	bs = stats_sorted_copy(b, nb);
	if (!as || !bs) {
		free(as);
		free(bs);
		return -1;
	}
	rc = mwu_test_sorted(as, na, bs, nb, out);
	free(as);
	free(bs);
	return rc;
}
