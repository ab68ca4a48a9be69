#include "stats/paired.h"
#include "stats/mwu.h"
#include "stats/order.h"
#include "stats/shift.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the exact null distribution of V ---------------------------------- */

/*
 * c[v] = the number of subsets of {1..n} whose sum is v: the coefficients
 * of prod_{i=1..n} (1 + q^i), built one factor at a time. Every count is at
 * most 2^n <= 2^50: exact in uint64_t.
 */
int wsr_exact_cdf(size_t n, double *cdf)
{
	size_t m = n * (n + 1) / 2, i, v;
	uint64_t *c, run = 0;

	if (n < 1 || n > WSR_EXACT_MAX) {
		errno = EINVAL;
		return -1;
	}
	c = calloc(m + 1, sizeof(*c));
	if (!c)
		return -1;
	c[0] = 1;
	for (i = 1; i <= n; i++)
		for (v = i * (i + 1) / 2; v >= i; v--)
			c[v] += c[v - i];
	for (v = 0; v <= m; v++) {
		run += c[v];
		cdf[v] = ldexp((double)run, -(int)n);
	}
	free(c);
	return 0;
}

/* ---- ranks of |d| -------------------------------------------------------- */

struct absd {
	double a;	/* |d| */
	int sign;	/* -1, 0, +1 */
};

static int cmp_absd(const void *pa, const void *pb)
{
	const struct absd *x = pa, *y = pb;

	return (x->a > y->a) - (x->a < y->a);
}

/*
 * Walk |d| sorted ascending, skipping the first 'skip' (the zeros when
 * they are dropped): the sum of the midranks of the positive d, and
 * sum(t^3 - t) over tie groups.
 */
static void signed_ranks(const struct absd *s, size_t n, size_t skip, double *v, double *tie_sum)
{
	size_t i = skip, j;

	*v = 0.0;
	*tie_sum = 0.0;
	while (i < n) {
		double t, mid;

		for (j = i; j < n && s[j].a == s[i].a; j++)
			;
		t = (double)(j - i);
		mid = (double)(i - skip) + (t + 1.0) / 2.0;
		for (size_t k = i; k < j; k++)
			if (s[k].sign > 0)
				*v += mid;
		*tie_sum += t * t * t - t;
		i = j;
	}
}

static struct absd *abs_sorted(const double *d, size_t n, size_t *zeros)
{
	struct absd *s = malloc(n * sizeof(*s));
	size_t i;

	if (!s)
		return NULL;
	*zeros = 0;
	for (i = 0; i < n; i++) {
		s[i].a = fabs(d[i]);
		s[i].sign = (d[i] > 0.0) - (d[i] < 0.0);
		*zeros += d[i] == 0.0;
	}
	qsort(s, n, sizeof(*s), cmp_absd);
	return s;
}

static int exact_two_sided(size_t n, double v, double *p)
{
	size_t m = n * (n + 1) / 2, u = (size_t)v;
	double *cdf = malloc((m + 1) * sizeof(*cdf));

	if (!cdf)
		return -1;
	if (wsr_exact_cdf(n, cdf)) {
		free(cdf);
		return -1;
	}
	/* P(V >= u) = P(V <= m - u) by symmetry */
	*p = fmin(1.0, 2.0 * fmin(cdf[u], cdf[m - u]));
	free(cdf);
	return 0;
}

int wsr_test(const double *d, size_t n, struct wsr_result *out)
{
	struct absd *s;
	double nn, tie_sum, var, dev, corr;

	if (!n || !stats_all_finite(d, n)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	s = abs_sorted(d, n, &out->zeros);
	if (!s)
		return -1;
	/* zeros sort first (|d| = 0) and are skipped */
	signed_ranks(s, n, out->zeros, &out->v, &tie_sum);
	free(s);
	out->n = n - out->zeros;
	out->ties = tie_sum > 0.0;
	nn = (double)out->n;
	out->mu = nn * (nn + 1.0) / 4.0;
	var = nn * (nn + 1.0) * (2.0 * nn + 1.0) / 24.0 - tie_sum / 48.0;
	out->sigma = var > 0.0 ? sqrt(var) : 0.0;
	dev = out->v - out->mu;
	corr = fabs(dev) > 0.5 ? fabs(dev) - 0.5 : 0.0;
	if (out->sigma > 0.0) {
		out->z = copysign(corr, dev) / out->sigma;
		out->p_asymp = fmin(1.0, erfc(fabs(out->z) / M_SQRT2));
	} else {
		out->z = 0.0;
		out->p_asymp = 1.0;
	}
	out->p = out->p_asymp;
	out->exact = out->n >= 1 && out->n <= WSR_EXACT_MAX && !out->ties && !out->zeros;
	if (out->exact && exact_two_sided(out->n, out->v, &out->p))
		return -1;
	return 0;
}

/* ---- one-sample Hodges-Lehmann --------------------------------------------- */

struct walsh_ctx {
	const double *s;	/* sorted ascending */
	size_t n;
};

/* #{i <= j : s_i + s_j <= 2x}, by two pointers: O(n). */
static uint64_t walsh_count_le(double x, void *vctx)
{
	const struct walsh_ctx *w = vctx;
	double two_x = 2.0 * x;
	uint64_t total = 0;
	size_t i, j = w->n;	/* j: one past the last index with s_i + s_j <= 2x */

	for (i = 0; i < w->n; i++) {
		while (j > i && w->s[i] + w->s[j - 1] > two_x)
			j--;
		if (j <= i)
			break;
		total += j - i;
	}
	return total;
}

static double walsh_kth(const struct walsh_ctx *w, uint64_t k)
{
	return order_kth(w->s[0], w->s[w->n - 1], k, walsh_count_le, (void *)w);
}

/* The CI rank k (lower bound W(k), upper W(M + 1 - k)) and its coverage. */
static int hl1_rank(const double *d, size_t n, double level, uint64_t *k, double *achieved,
		    bool *exact)
{
	uint64_t m = (uint64_t)n * (n + 1) / 2, kmax = (m + 1) / 2;
	double half = (1.0 - level) / 2.0, nn = (double)n, tie_sum, unused, sigma, mu;
	size_t zeros;
	struct absd *s = abs_sorted(d, n, &zeros);

	if (!s)
		return -1;
	signed_ranks(s, n, 0, &unused, &tie_sum);	/* zeros are one tie group here */
	free(s);
	*exact = n <= WSR_EXACT_MAX && !zeros && tie_sum == 0.0;
	if (*exact) {
		double *cdf = malloc((m + 1) * sizeof(*cdf));
		uint64_t u = 0;

		if (!cdf || wsr_exact_cdf(n, cdf)) {
			free(cdf);
			return -1;
		}
		while (u < m && cdf[u] < half)
			u++;
		*k = u < 1 ? 1 : u > kmax ? kmax : u;
		*achieved = 1.0 - 2.0 * cdf[*k - 1];
		free(cdf);
		return 0;
	}
	mu = (double)m / 2.0;
	sigma = sqrt(fmax(0.0, nn * (nn + 1.0) * (2.0 * nn + 1.0) / 24.0 - tie_sum / 48.0));
	if (!(sigma > 0.0)) {		/* every d equal to 0 (or n == 1 with d = 0) */
		*k = 1;
		*achieved = 1.0;
		return 0;
	}
	{
		double kd = ceil(mu - 0.5 + mwu_norm_quantile(half) * sigma);

		*k = kd < 1.0 ? 1 : (uint64_t)kd;
	}
	if (*k > kmax)
		*k = kmax;
	*achieved = 1.0 - 2.0 * mwu_norm_cdf(((double)*k - 0.5 - mu) / sigma);
	return 0;
}

int hl_onesample(const double *d, size_t n, double level, struct hl1_est *out)
{
	struct walsh_ctx w;
	uint64_t m, k;
	double *s;

	if (!n || !stats_all_finite(d, n) || !(level > 0.0 && level < 1.0)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (hl1_rank(d, n, level, &k, &out->ci_level, &out->ci_exact))
		return -1;
	s = stats_sorted_copy(d, n);
	if (!s)
		return -1;
	w.s = s;
	w.n = n;
	m = (uint64_t)n * (n + 1) / 2;
	if (m % 2)
		out->est = walsh_kth(&w, m / 2 + 1);
	else
		out->est = 0.5 * (walsh_kth(&w, m / 2) + walsh_kth(&w, m / 2 + 1));
	out->ci_low = walsh_kth(&w, k);
	out->ci_high = walsh_kth(&w, m + 1 - k);
	free(s);
	return 0;
}

/* ---- the paired comparison ------------------------------------------------ */

double paired_p_floor(size_t n)
{
	return n ? fmin(1.0, ldexp(1.0, 1 - (int)(n > 1100 ? 1100 : n))) : 1.0;
}

static double pct(double log_ratio)
{
	return isnan(log_ratio) ? NAN : expm1(log_ratio) * 100.0;
}

static int compare_d(const double *d, size_t n, double alpha, struct paired_result *out)
{
	struct wsr_result w;
	struct hl1_est h;
	double med;
	size_t need;

	if (wsr_test(d, n, &w) || hl_onesample(d, n, 1.0 - alpha, &h) ||
	    onesample_t(d, n, 1.0 - alpha, &out->t) || stats_median(d, n, &med))
		return -1;
	out->zeros = w.zeros;
	out->p = w.p;
	out->p_exact = w.exact;
	out->ties = w.ties;
	out->p_floor = paired_p_floor(w.n);
	out->testable = out->p_floor < alpha;
	for (need = 1; need <= PAIRED_MAX_PAIRS && !(paired_p_floor(need) < alpha); need++)
		;
	out->pairs_needed = need <= PAIRED_MAX_PAIRS ? need : 0;
	out->median_pct = pct(med);
	out->hl_pct = pct(h.est);
	out->ci_low_pct = pct(h.ci_low);
	out->ci_high_pct = pct(h.ci_high);
	out->ci_level = h.ci_level;
	out->ci_exact = h.ci_exact;
	out->sd_log = out->t.se * sqrt((double)n);	/* NAN for n < 2 */
	if (n >= 2 && isnan(out->sd_log))
		out->sd_log = 0.0;			/* every d equal */
	out->t_pct = isnan(out->t.p) ? NAN : pct(out->t.mean);
	out->t_ci_low_pct = pct(out->t.ci_low);
	out->t_ci_high_pct = pct(out->t.ci_high);
	return 0;
}

int paired_compare(const double *a, const double *b, size_t n, double alpha,
		   struct paired_result *out)
{
	double *d;
	size_t i;
	int rc;

	if (!n || !(alpha > 0.0 && alpha < 1.0)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!(a[i] > 0.0) || !(b[i] > 0.0) || !isfinite(a[i]) || !isfinite(b[i])) {
			errno = EINVAL;
			return -1;
		}
	d = malloc(n * sizeof(*d));
	if (!d)
		return -1;
	for (i = 0; i < n; i++)
		d[i] = log(b[i] / a[i]);
	memset(out, 0, sizeof(*out));
	out->n = n;
	rc = compare_d(d, n, alpha, out);
	free(d);
	return rc;
}
