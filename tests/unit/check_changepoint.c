/*
 * Change points by E-divisive means with a seeded permutation test
 * (changepoint.h).
 *
 * Reference values: the Nile's classic change point (Cobb 1978), and a
 * brute-force maximisation of Q over all (tau, kappa) from its definition
 * (here in C, and in a throwaway Python script for the Nile's value).
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/prng.h"
#include "stats/changepoint.h"
#include "datasets.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static double gauss(struct prng *r)
{
	double u1 = 1.0 - prng_unit(r), u2 = prng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/*
 * The Nile's classic change point (Cobb 1978): the flow dropped from
 * 1899 (the Aswan dam; index 28). Brute force over all (tau, kappa) with
 * min_size 3 (Python): the best split is tau = 28, kappa = 83, Q =
 * 4916.590807675145; the means either side of 1899 are 1097.75 and 849.97
 * when it is the only change point.
 */
START_TEST(cp_nile)
{
	struct cp_point pts[40];
	struct cp_result res;
	size_t i, first = 40;

	ck_assert_int_eq(cp_ediv(nile, 100, NULL, pts, 40, &res), 0);
	ck_assert_uint_ge(res.count, 1);
	for (i = 0; i < res.count; i++)
		if (pts[i].rank == 1)
			first = i;
	ck_assert_uint_lt(first, res.count);
	ck_assert_uint_eq(pts[first].index, 28);
	ck_assert_double_eq_tol(pts[first].qhat, 4916.590807675145, 1e-8);
	ck_assert(pts[first].p <= 0.002);	/* no permutation of 999 beat it */
	ck_assert_uint_eq(pts[first].n_before, 28);
	ck_assert_double_eq_tol(pts[first].mean_before, 1097.75, 1e-10);
	if (res.count == 1) {
		ck_assert_double_eq_tol(pts[first].mean_after, 849.9722222222222, 1e-10);
		ck_assert_double_eq_tol(pts[first].change_pct, (849.9722222222222 / 1097.75 - 1) * 100,
					1e-9);
	}
	ck_assert(isnan(res.p_next) || res.p_next > 0.05);
	for (i = 1; i < res.count; i++)
		ck_assert_uint_lt(pts[i - 1].index, pts[i].index);
}
END_TEST

/* Q of x[s..tau) against x[tau..kappa) straight from the definition. */
static double brute_q(const double *x, size_t s, size_t tau, size_t kap, double a)
{
	double m = (double)(tau - s), k = (double)(kap - tau), cross = 0, wx = 0, wy = 0;
	size_t i, j;

	for (i = s; i < tau; i++)
		for (j = tau; j < kap; j++)
			cross += pow(fabs(x[i] - x[j]), a);
	for (i = s; i < tau; i++)
		for (j = i + 1; j < tau; j++)
			wx += pow(fabs(x[i] - x[j]), a);
	for (i = tau; i < kap; i++)
		for (j = i + 1; j < kap; j++)
			wy += pow(fabs(x[i] - x[j]), a);
	return m * k / (m + k) * (2 * cross / (m * k) - wx / (m * (m - 1) / 2) - wy / (k * (k - 1) / 2));
}

/* The O(L^2) recurrences against the definition, exponents 1 and 0.5. */
START_TEST(cp_matches_definition)
{
	static const double exps[] = { 1.0, 0.5, 1.7 };
	struct prng g;
	size_t e, rep;

	prng_seed(&g, 44, 0);
	for (rep = 0; rep < 6; rep++)
		for (e = 0; e < N_OF(exps); e++) {
			double x[18], best = -INFINITY;
			size_t i, tau, kap, best_tau = 0;
			struct cp_point pts[6];
			struct cp_result res;
			struct cp_cfg c;

			for (i = 0; i < 18; i++)
				x[i] = gauss(&g) + (i >= 7 + rep ? 6.0 : 0.0);
			for (tau = 3; tau + 3 <= 18; tau++)
				for (kap = tau + 3; kap <= 18; kap++) {
					double q = brute_q(x, 0, tau, kap, exps[e]);

					if (q > best) {
						best = q;
						best_tau = tau;
					}
				}
			cp_cfg_default(&c);
			c.exponent = exps[e];
			c.permutations = 199;
			ck_assert_int_eq(cp_ediv(x, 18, &c, pts, 6, &res), 0);
			ck_assert_uint_ge(res.count, 1);
			for (i = 0; i < res.count && pts[i].rank != 1; i++)
				;
			ck_assert_uint_eq(pts[i].index, best_tau);
			ck_assert_double_eq_tol(pts[i].qhat, best, 1e-9 * fabs(best));
		}
}
END_TEST

/*
 * Under no change the permutation test holds its level: 100 i.i.d. normal
 * series of 20 points, R = 199, alpha 0.05: about 5 should show a change
 * point; at most 12 may (the t test at the chosen split would flag about 25).
 */
START_TEST(cp_null_level)
{
	struct prng g;
	struct cp_cfg c;
	unsigned k, flagged = 0;

	cp_cfg_default(&c);
	c.permutations = 199;
	prng_seed(&g, 20, 20);
	for (k = 0; k < 100; k++) {
		double x[20];
		struct cp_point pts[8];
		struct cp_result res;
		size_t i;

		for (i = 0; i < 20; i++)
			x[i] = 100.0 + gauss(&g);
		c.seed = k;
		ck_assert_int_eq(cp_ediv(x, 20, &c, pts, 8, &res), 0);
		flagged += res.count > 0;
	}
	ck_assert_msg(flagged <= 12, "false change points in %u of 100 series", flagged);
}
END_TEST

START_TEST(cp_two_steps_and_determinism)
{
	double x[45];
	struct cp_point a[10], b[10];
	struct cp_result ra, rb;
	struct cp_cfg c;
	struct prng g;
	size_t i;

	prng_seed(&g, 5, 5);
	for (i = 0; i < 45; i++)
		x[i] = (i >= 15 && i < 30 ? 110.0 : 100.0) + gauss(&g);
	ck_assert_int_eq(cp_ediv(x, 45, NULL, a, 10, &ra), 0);
	ck_assert_uint_eq(ra.count, 2);
	ck_assert_uint_eq(a[0].index, 15);
	ck_assert_uint_eq(a[1].index, 30);
	ck_assert(a[0].rank + a[1].rank == 3);
	ck_assert_uint_eq(a[0].n_before, 15);
	ck_assert_uint_eq(a[0].n_after, 15);
	ck_assert_uint_eq(a[1].n_after, 15);
	ck_assert_double_eq_tol(a[0].change_pct, 10.0, 1.5);
	ck_assert_double_eq_tol(a[1].change_pct, -9.1, 1.5);
	ck_assert_double_eq_tol(a[0].median_after, 110.0, 1.0);
	/* deterministic: the same call, the same answer, bit for bit */
	ck_assert_int_eq(cp_ediv(x, 45, NULL, b, 10, &rb), 0);
	ck_assert_int_eq(memcmp(a, b, 2 * sizeof(*a)), 0);
	ck_assert_uint_eq(ra.count, rb.count);
	ck_assert(ra.p_next == rb.p_next || (isnan(ra.p_next) && isnan(rb.p_next)));
	/* another seed: the same points */
	cp_cfg_default(&c);
	c.seed = 12345;
	ck_assert_int_eq(cp_ediv(x, 45, &c, b, 10, &rb), 0);
	ck_assert_uint_eq(rb.count, 2);
	ck_assert_uint_eq(b[0].index, 15);
	/* cap: room for one */
	ck_assert_int_eq(cp_ediv(x, 45, NULL, b, 1, &rb), 0);
	ck_assert_uint_eq(rb.count, 1);
	ck_assert(rb.capped);
}
END_TEST

START_TEST(cp_edges)
{
	double eq[12], x[5] = { 1, 2, 3, 4, 5 }, big = 1.0;
	struct cp_point pts[4];
	struct cp_result res;
	struct cp_cfg c;
	size_t i;

	for (i = 0; i < 12; i++)
		eq[i] = 7.0;
	ck_assert_int_eq(cp_ediv(eq, 12, NULL, pts, 4, &res), 0);
	ck_assert_uint_eq(res.count, 0);
	ck_assert_double_eq(res.p_next, 1.0);
	ck_assert_int_eq(cp_ediv(x, 5, NULL, pts, 4, &res), 0);	/* shorter than 2 * min_size */
	ck_assert_uint_eq(res.count, 0);
	ck_assert(isnan(res.p_next));
	ck_assert_int_eq(cp_ediv(x, 1, NULL, pts, 4, &res), 0);
	ck_assert_uint_eq(res.count, 0);
	ck_assert_int_eq(cp_ediv(eq, 12, NULL, NULL, 0, &res), 0);	/* no room, none needed */

	errno = 0;
	ck_assert_int_eq(cp_ediv(x, 0, NULL, pts, 4, &res), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(cp_ediv(&big, CP_MAX_N + 1, NULL, pts, 4, &res), -1);
	cp_cfg_default(&c);
	c.min_size = 1;
	ck_assert_int_eq(cp_ediv(x, 5, &c, pts, 4, &res), -1);
	cp_cfg_default(&c);
	c.exponent = 2.0;
	ck_assert_int_eq(cp_ediv(x, 5, &c, pts, 4, &res), -1);
	cp_cfg_default(&c);
	c.permutations = 0;
	ck_assert_int_eq(cp_ediv(x, 5, &c, pts, 4, &res), -1);
	cp_cfg_default(&c);
	c.alpha = 1.0;
	ck_assert_int_eq(cp_ediv(x, 5, &c, pts, 4, &res), -1);
	x[2] = NAN;
	ck_assert_int_eq(cp_ediv(x, 5, NULL, pts, 4, &res), -1);
}
END_TEST

static Suite *changepoint_suite(void)
{
	Suite *s = suite_create("changepoint");
	TCase *cp = tcase_create("changepoint");

	tcase_set_timeout(cp, 60);
	tcase_add_test(cp, cp_nile);
	tcase_add_test(cp, cp_matches_definition);
	tcase_add_test(cp, cp_null_level);
	tcase_add_test(cp, cp_two_steps_and_determinism);
	tcase_add_test(cp, cp_edges);
	suite_add_tcase(s, cp);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(changepoint_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
