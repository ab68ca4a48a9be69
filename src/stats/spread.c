#include "stats/spread.h"
#include "stats/shift.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
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

/* A malloc'd array of ln v. */
static double *logs_of(const double *v, size_t n)
{
	double *l = malloc(n * sizeof(*l));
	size_t i;

	if (!l)
		return NULL;
	for (i = 0; i < n; i++)
		l[i] = log(v[i]);
	return l;
}

static double sum_sq_dev(const double *v, size_t n, double mean)
{
	double ss = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	return ss;
}

static double mean_of(const double *v, size_t n)
{
	double s = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s / (double)n;
}

int spread_log(const double *v, size_t n, struct spread_est *out)
{
	double *l, *dev, med;
	size_t i;

	if (!n || !all_positive(v, n)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->n = n;
	if (stats_median(v, n, &out->median))
		return -1;
	l = logs_of(v, n);
	if (!l)
		return -1;
	out->mean_log = mean_of(l, n);
	out->sd_log = out->mad_log = out->sd_pct = out->mad_pct = NAN;
	if (n >= 2) {
		out->sd_log = sqrt(sum_sq_dev(l, n, out->mean_log) / (double)(n - 1));
		if (stats_median(l, n, &med)) {
			free(l);
			return -1;
		}
		dev = l;	/* reuse: |l_i - median| in place */
		for (i = 0; i < n; i++)
			dev[i] = fabs(l[i] - med);
		if (stats_median(dev, n, &med)) {
			free(l);
			return -1;
		}
		out->mad_log = SPREAD_MAD_SCALE * med;
		out->sd_pct = expm1(out->sd_log) * 100.0;
		out->mad_pct = expm1(out->mad_log) * 100.0;
	}
	free(l);
	return 0;
}

int spread_pooled_log(const double *a, size_t na, const double *b, size_t nb, double *sd)
{
	double *la, *lb, ss;

	if (!na || !nb || !all_positive(a, na) || !all_positive(b, nb)) {
		errno = EINVAL;
		return -1;
	}
	la = logs_of(a, na);
	lb = logs_of(b, nb);
	if (!la || !lb) {
		free(la);
		free(lb);
		return -1;
	}
	ss = sum_sq_dev(la, na, mean_of(la, na)) + sum_sq_dev(lb, nb, mean_of(lb, nb));
	*sd = na + nb >= 3 ? sqrt(ss / (double)(na + nb - 2)) : NAN;
	free(la);
	free(lb);
	return 0;
}

struct labelled {
	size_t group;
	double x;
};

static int cmp_group(const void *pa, const void *pb)
{
	const struct labelled *a = pa, *b = pb;

	return (a->group > b->group) - (a->group < b->group);
}

int var_components(const double *x, const size_t *group, size_t n, struct var_components *out)
{
	struct labelled *v;
	double ssb = 0.0, ssw = 0.0, sum_n2 = 0.0, N = (double)n, k;
	size_t i, j, groups = 0;

	if (!n || !stats_all_finite(x, n)) {
		errno = EINVAL;
		return -1;
	}
	v = malloc(n * sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; i < n; i++) {
		v[i].group = group[i];
		v[i].x = x[i];
	}
	qsort(v, n, sizeof(*v), cmp_group);
	memset(out, 0, sizeof(*out));
	out->n = n;
	for (i = 0; i < n; i++)
		out->mean += v[i].x;
	out->mean /= N;
	for (i = 0; i < n; i = j) {
		double gm = 0.0, ni;

		for (j = i; j < n && v[j].group == v[i].group; j++)
			gm += v[j].x;
		ni = (double)(j - i);
		gm /= ni;
		for (size_t t = i; t < j; t++)
			ssw += (v[t].x - gm) * (v[t].x - gm);
		ssb += ni * (gm - out->mean) * (gm - out->mean);
		sum_n2 += ni * ni;
		groups++;
	}
	free(v);
	out->groups = groups;
	k = (double)groups;
	out->ms_between = groups >= 2 ? ssb / (k - 1.0) : NAN;
	out->ms_within = n > groups ? ssw / (N - k) : NAN;
	out->n0 = groups >= 2 ? (N - sum_n2 / N) / (k - 1.0) : NAN;
	out->sd_within = sqrt(out->ms_within);
	out->sd_between = sqrt(fmax(0.0, (out->ms_between - out->ms_within) / out->n0));
	if (isnan(out->ms_between) || isnan(out->ms_within))
		out->sd_between = NAN;
	out->icc = out->sd_between * out->sd_between /
		   (out->sd_between * out->sd_between + out->ms_within);
	return 0;
}
