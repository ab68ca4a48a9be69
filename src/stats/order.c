#include "stats/order.h"

#include <string.h>

/*
 * A key whose unsigned order is the order of the doubles (for non-NaN
 * values; -0 sorts just below +0): flip every bit of a negative number,
 * only the sign bit of a positive one.
 */
static uint64_t dkey(double x)
{
	uint64_t u;

	memcpy(&u, &x, sizeof(u));
	return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static double dval(uint64_t k)
{
	uint64_t u = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
	double x;

	memcpy(&x, &u, sizeof(x));
	return x;
}

double order_kth(double lo, double hi, uint64_t k, order_count_fn count_le, void *ctx)
{
	uint64_t a, b;

	if (count_le(lo, ctx) >= k)
		return lo;
	if (count_le(hi, ctx) < k)
		return hi;
	/* invariant: count_le(dval(a)) < k <= count_le(dval(b)) */
	a = dkey(lo);
	b = dkey(hi);
	while (b - a > 1) {
		uint64_t m = a + (b - a) / 2;

		if (count_le(dval(m), ctx) >= k)
			b = m;
		else
			a = m;
	}
	return dval(b);
}
