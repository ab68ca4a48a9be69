/*
 * The member of a group furthest from the others: the sick drive among 24,
 * the slow host of a rack. Its distance from the group's median is counted
 * in a robust spread, the modified z-score (Iglewicz and Hoaglin, "How to
 * Detect and Handle Outliers", 1993):
 *
 *   z = (x - median) / (1.4826 * MAD)
 *
 * MAD is the median of the absolute deviations from the median; 1.4826 MAD
 * estimates the standard deviation of normal data, and unlike the
 * standard deviation one wild member cannot inflate it (the very member
 * being looked for). When half the members or more sit on the median, MAD
 * is 0 and the mean absolute deviation stands in:
 *
 *   z = (x - median) / (1.2533 * MeanAD)
 *
 * (1.2533 MeanAD also estimates the standard deviation of normal data).
 * |z| > OUTLIER_Z (3.5, Iglewicz and Hoaglin's advice) marks an outlier.
 * A group of fewer than OUTLIER_MIN_N members has no outlier: of two, each
 * is as far from the other. Pure; no globals.
 */
#ifndef DMRB_OUTLIER_H
#define DMRB_OUTLIER_H

#include <stdbool.h>
#include <stddef.h>

#define OUTLIER_Z 3.5
#define OUTLIER_MIN_N 3
#define OUTLIER_MAD_SCALE 1.4826
#define OUTLIER_MEANAD_SCALE 1.2533

struct outlier {
	size_t index;           /* the member furthest from the median */
	double value;
	double median;
	double spread;          /* 1.4826 MAD, or 1.2533 MeanAD when MAD is 0 */
	const char *spread_kind;/* "MAD" or "MeanAD" */
	double z;               /* (value - median) / spread, signed */
	bool beyond;            /* |z| > OUTLIER_Z */
};

/*
 * The furthest of v[0..n) (NaN members are skipped). 0 with out filled;
 * 1 when there is none (fewer than OUTLIER_MIN_N members, or all equal);
 * -1 when out of memory.
 */
int outlier_find(const double *v, size_t n, struct outlier *out);

#endif
