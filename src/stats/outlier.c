#include "stats/outlier.h"

#include <math.h>
#include <stdlib.h>

#include "stats/shift.h"

static double scaled(double x)
{
	return isnan(x) || x < 0 ? NAN : log1p(x);
}

double outlier_z(const struct outlier *o, double x)
{
	return (scaled(x) - o->log_median) / o->spread;
}

int outlier_find(const double *v, size_t n, struct outlier *out)
{
	double *y = calloc(n ? n : 1, sizeof(double)), *dev = calloc(n ? n : 1, sizeof(double));
	double med, mad, best = -1;
	size_t i, m = 0;
	bool differ = false;
	int rc = 1;

	if (!y || !dev) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		double yi = scaled(v[i]);

		if (isnan(yi))
			continue;
		differ |= m && yi != y[0];
		y[m++] = yi;
	}
	if (m < OUTLIER_MIN_N || !differ || stats_median(y, m, &med))
		goto out;  /* too few, or all equal: nobody is furthest */
	for (i = 0; i < m; i++)
		dev[i] = fabs(y[i] - med);
	if (stats_median(dev, m, &mad))
		goto out;
	out->log_median = med;
	out->median = expm1(med);
	out->spread = OUTLIER_MAD_SCALE * mad;
	out->spread_kind = "MAD";
	if (!(out->spread >= OUTLIER_MIN_SPREAD)) {
		out->spread = OUTLIER_MIN_SPREAD;
		out->spread_kind = "floor";
	}
	for (i = 0; i < n; i++) {
		double d = fabs(scaled(v[i]) - med);

		if (!isnan(d) && d > best) {
			best = d;
			out->index = i;
		}
	}
	out->value = v[out->index];
	out->z = outlier_z(out, out->value);
	out->beyond = fabs(out->z) > OUTLIER_Z;
	rc = 0;
out:
	free(y);
	free(dev);
	return rc;
}
