/* How a long run drifts: a least-squares trend and a first/last-tenth comparison. */
#ifndef DMRB_DRIFT_H
#define DMRB_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

struct drift {
	size_t n;                 /* points used */
	double mean;
	double slope_per_s;       /* least-squares slope, units per second */
	double pct_per_hour;      /* slope relative to the mean, % per hour */
	double first_tenth_mean;
	double last_tenth_mean;
	double tenth_change_pct;  /* last tenth vs first tenth */
	bool valid;               /* false with fewer than 3 points or zero mean */
};

/* Trend of y over t (seconds); points with skip[i] set are ignored (may be NULL). */
void drift_fit(const double *t, const double *y, const bool *skip, size_t n, struct drift *out);

#endif
