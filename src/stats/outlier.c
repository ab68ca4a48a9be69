#include "stats/outlier.h"

#include <math.h>
#include <stdlib.h>

#include "stats/shift.h"

int outlier_find(const double *v, size_t n, struct outlier *out)
{
	double *x = calloc(n ? n : 1, sizeof(double)), *dev = calloc(n ? n : 1, sizeof(double));
	double med, mad, mean_ad = 0, best = -1;
	size_t i, m = 0;
	int rc = 1;

	if (!x || !dev) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			x[m++] = v[i];
	if (m < OUTLIER_MIN_N || stats_median(x, m, &med))
		goto out;
	for (i = 0; i < m; i++) {
		dev[i] = fabs(x[i] - med);
		mean_ad += dev[i] / (double)m;
	}
	if (stats_median(dev, m, &mad))
		goto out;
	out->median = med;
	if (mad > 0) {
		out->spread = OUTLIER_MAD_SCALE * mad;
		out->spread_kind = "MAD";
	} else if (mean_ad > 0) {
		out->spread = OUTLIER_MEANAD_SCALE * mean_ad;
		out->spread_kind = "MeanAD";
	} else {
		goto out;  /* all equal: nobody is furthest */
	}
	for (i = 0; i < n; i++) {
		double d;

		if (isnan(v[i]))
			continue;
		d = fabs(v[i] - med);
		if (d > best) {
			best = d;
			out->index = i;
		}
	}
	out->value = v[out->index];
	out->z = (out->value - med) / out->spread;
	out->beyond = fabs(out->z) > OUTLIER_Z;
	rc = 0;
out:
	free(x);
	free(dev);
	return rc;
}
