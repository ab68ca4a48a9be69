/*
 * The member of a group furthest from the others: the sick drive among 24,
 * the slow host of a rack. Its distance from the group's median is counted
 * in a robust spread, the modified z-score (Iglewicz and Hoaglin, "How to
 * Detect and Handle Outliers", 1993), taken on the log scale:
 *
 *   y = ln(1 + x)
 *   z = (y - median(y)) / max(1.4826 * MAD(y), OUTLIER_MIN_SPREAD)
 *
 * MAD is the median of the absolute deviations from the median; 1.4826 MAD
 * estimates the standard deviation of normal data, and unlike the
 * standard deviation one wild member cannot inflate it (the very member
 * being looked for).
 *
 * Why the log: IOPS and latency are ratio figures. A drive at a third of
 * its peers' IOPS is as sick on a fast host as on a slow one, and the
 * spread of healthy drives grows with their speed; on the linear scale,
 * four loop devices sharing two loaded CPUs (healthy 8k to 12k IOPS) hid
 * one capped at 300 IOPS (z -2.98). ln(1 + x) keeps a member with no I/O
 * (0 IOPS) finite, and differs from ln(x) by under 1% of a spread for
 * anything above 100 IOPS.
 *
 * Why the floor: when half the members or more agree exactly (rate-capped
 * hosts, say), MAD is 0. Iglewicz and Hoaglin's mean-absolute-deviation
 * stand-in then caps |z| at 2.39 for three members and 3.19 for four, so
 * a dead member of a small group could never be named. OUTLIER_MIN_SPREAD
 * (0.02, a 2% spread) is the resolution instead: no member within
 * e^(3.5 * 0.02) - 1 = 7.3% of the median is an outlier, however alike
 * the others are.
 *
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
#define OUTLIER_MIN_SPREAD 0.02

struct outlier {
	size_t index;           /* the member furthest from the median */
	double value;           /* its figure, in the figure's own units */
	double median;          /* the group's median, in the figure's own units */
	double log_median;      /* median of ln(1 + x) */
	double spread;          /* max(1.4826 MAD, OUTLIER_MIN_SPREAD), on the ln scale */
	const char *spread_kind;/* "MAD", or "floor" when the floor is larger */
	double z;               /* (ln(1 + value) - log_median) / spread, signed */
	bool beyond;            /* |z| > OUTLIER_Z */
};

/*
 * The furthest of v[0..n) (NaN and negative members are skipped). 0 with
 * out filled; 1 when there is none (fewer than OUTLIER_MIN_N members, or
 * all equal); -1 when out of memory.
 */
int outlier_find(const double *v, size_t n, struct outlier *out);
/* Any member's z in the group that outlier_find() measured (NaN for NaN or negative x). */
double outlier_z(const struct outlier *o, double x);

#endif
