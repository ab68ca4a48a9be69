#include "stats/drift.h"

#include <string.h>

void drift_fit(const double *t, const double *y, const bool *skip, size_t n, struct drift *out)
{
	double st = 0, sy = 0, stt = 0, sty = 0, first = 0, last = 0;
	size_t i, m = 0, tenth, seen = 0, nf = 0, nl = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		if (skip && skip[i])
			continue;
		st += t[i];
		sy += y[i];
		m++;
	}
	out->n = m;
	if (m < 3)
		return;
	st /= (double)m;
	sy /= (double)m;
	/* Centred sums keep the fit exact for long runs with large t. */
	for (i = 0; i < n; i++) {
		if (skip && skip[i])
			continue;
		stt += (t[i] - st) * (t[i] - st);
		sty += (t[i] - st) * (y[i] - sy);
	}
	tenth = m / 10 ? m / 10 : 1;
	for (i = 0; i < n; i++) {
		if (skip && skip[i])
			continue;
		if (seen < tenth) {
			first += y[i];
			nf++;
		}
		if (seen >= m - tenth) {
			last += y[i];
			nl++;
		}
		seen++;
	}
	out->mean = sy;
	out->slope_per_s = stt > 0 ? sty / stt : 0;
	out->first_tenth_mean = first / (double)nf;
	out->last_tenth_mean = last / (double)nl;
	if (sy == 0 || out->first_tenth_mean == 0)
		return;
	out->pct_per_hour = out->slope_per_s * 3600.0 / sy * 100.0;
	out->tenth_change_pct = (out->last_tenth_mean / out->first_tenth_mean - 1.0) * 100.0;
	out->valid = true;
}
