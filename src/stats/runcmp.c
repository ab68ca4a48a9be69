#include "stats/runcmp.h"
#include "stats/mwu.h"
#include "stats/shift.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool all_positive(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(v[i] > 0.0) || !isfinite(v[i]))
			return false;
	return true;
}

/* ln of sorted(v): the logs sort as the values do. */
static double *sorted_logs(const double *v, size_t n)
{
	double *s = stats_sorted_copy(v, n);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++)
		s[i] = log(s[i]);
	return s;
}

double runcmp_p_floor(size_t nb, size_t nr)
{
	size_t k = nb < nr ? nb : nr, n = nb + nr, i;
	double c = 1.0, lc;
	int sg;

	if (!nb || !nr)
		return 1.0;
	/*
	 * C(n, k) exactly while it fits in a double's 53 bits (every partial
	 * product C(n-k+i, i) is an integer), so that p_floor < alpha is decided
	 * without rounding at the boundary (1 vs 39: 2/40 is not below 0.05).
	 */
	for (i = 1; i <= k && c * (double)(n - k + i) < 0x1p53; i++)
		c = c * (double)(n - k + i) / (double)i;
	if (i > k)
		return fmin(1.0, 2.0 / c);
	lc = lgamma_r((double)n + 1.0, &sg) - lgamma_r((double)nb + 1.0, &sg) -
	     lgamma_r((double)nr + 1.0, &sg);
	return 2.0 * exp(-lc);
}

size_t runcmp_runs_needed(size_t nb, double alpha, size_t max_nr)
{
	size_t nr;

	for (nr = 1; nr <= max_nr; nr++)
		if (runcmp_p_floor(nb, nr) < alpha)
			return nr;
	return 0;
}

static double pct(double log_ratio)
{
	return isnan(log_ratio) ? NAN : expm1(log_ratio) * 100.0;
}

static int compare_logs(const double *lb, size_t nb, const double *lr, size_t nr, double alpha,
			struct runcmp_result *out)
{
	struct mwu_result m;
	struct shift_est s;

	if (mwu_test_sorted(lb, nb, lr, nr, &m) ||
	    hl_shift_sorted(lb, nb, lr, nr, 1.0 - alpha, &s) ||
	    welch_test(lb, nb, lr, nr, 1.0 - alpha, &out->welch))
		return -1;
	out->p = m.p;
	out->p_exact = m.exact;
	out->ties = m.ties;
	out->hl_pct = pct(s.hl);
	out->ci_low_pct = pct(s.ci_low);
	out->ci_high_pct = pct(s.ci_high);
	out->ci_level = s.ci_level;
	out->ci_exact = s.ci_exact;
	out->welch_pct = isnan(out->welch.p) ? NAN : pct(out->welch.diff);
	out->welch_ci_low_pct = pct(out->welch.ci_low);
	out->welch_ci_high_pct = pct(out->welch.ci_high);
	return 0;
}

int runcmp(const double *base, size_t nb, const double *run, size_t nr, double alpha,
	   struct runcmp_result *out)
{
	double *lb, *lr;
	int rc;

	if (!nb || !nr || !all_positive(base, nb) || !all_positive(run, nr) ||
	    !(alpha > 0.0 && alpha < 1.0)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->nb = nb;
	out->nr = nr;
	if (stats_median(base, nb, &out->base_median) || stats_median(run, nr, &out->run_median))
		return -1;
	out->change_pct = (out->run_median / out->base_median - 1.0) * 100.0;
	out->p_floor = runcmp_p_floor(nb, nr);
	out->testable = out->p_floor < alpha;
	out->runs_needed = runcmp_runs_needed(nb, alpha, RUNCMP_MAX_RUNS);
	lb = sorted_logs(base, nb);
	lr = sorted_logs(run, nr);
	rc = (lb && lr) ? compare_logs(lb, nb, lr, nr, alpha, out) : -1;
	free(lb);
	free(lr);
	return rc;
}

struct idx_p {
	double p;
	size_t i;
};

static int cmp_idx_p(const void *pa, const void *pb)
{
	const struct idx_p *a = pa, *b = pb;

	if (a->p != b->p)
		return (a->p > b->p) - (a->p < b->p);
	return (a->i > b->i) - (a->i < b->i);
}

int stats_holm(const double *p, size_t n, double *adj)
{
	struct idx_p *v;
	size_t i, m = 0;
	double run = 0.0;

	for (i = 0; i < n; i++)
		if (!isnan(p[i]) && !(p[i] >= 0.0 && p[i] <= 1.0)) {
			errno = EINVAL;
			return -1;
		}
	v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; i < n; i++)
		if (!isnan(p[i])) {
			v[m].p = p[i];
			v[m].i = i;
			m++;
		}
	qsort(v, m, sizeof(*v), cmp_idx_p);
	for (i = 0; i < n; i++)
		if (isnan(p[i]))
			adj[i] = NAN;
	for (i = 0; i < m; i++) {
		double a = fmin(1.0, (double)(m - i) * v[i].p);

		run = fmax(run, a);
		adj[v[i].i] = run;
	}
	free(v);
	return 0;
}
