/*
 * Order statistics of large implicit sets (the n(n+1)/2 Walsh averages of a
 * paired comparison, the n(n-1)/2 pairwise slopes of Sen's estimator)
 * without storing them: given a counting oracle count_le(x) = the number of
 * members <= x, which is non-decreasing in x, the k-th smallest member is the
 * smallest double x with count_le(x) >= k. It is found by bisection over
 * the doubles themselves, ordered as 64-bit integers, so the search ends
 * after at most 64 oracle calls whatever the magnitudes, and the answer is
 * exact to the last bit of the oracle's own arithmetic (for the Walsh
 * averages it is the member itself). Memory O(1) beyond the oracle's.
 *
 * Deterministic, pure, no globals.
 */
#ifndef DMRB_ORDER_H
#define DMRB_ORDER_H

#include <stdint.h>

typedef uint64_t (*order_count_fn)(double x, void *ctx);

/*
 * The smallest double x in [lo, hi] with count_le(x) >= k, assuming
 * count_le(hi) >= k (hi is returned otherwise). lo and hi must be finite
 * with lo <= hi; when count_le(lo) >= k already, lo is returned.
 */
double order_kth(double lo, double hi, uint64_t k, order_count_fn count_le, void *ctx);

#endif
