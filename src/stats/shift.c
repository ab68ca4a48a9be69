#include "stats/shift.h"
#include "stats/mwu.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool stats_all_finite(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

double *stats_sorted_copy(const double *v, size_t n)
{
	double *s;

	if (!n) {
		errno = EINVAL;
		return NULL;
	}
	s = malloc(n * sizeof(*s));
	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

double stats_median_sorted(const double *s, size_t n)
{
	if (n % 2)
		return s[n / 2];
	return 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

int stats_median(const double *v, size_t n, double *out)
{
	double *s;

	if (!n || !stats_all_finite(v, n)) {
		errno = EINVAL;
		return -1;
	}
	s = stats_sorted_copy(v, n);
	if (!s)
		return -1;
	*out = stats_median_sorted(s, n);
	free(s);
	return 0;
}

double stats_pct_change(double base, double run)
{
	if (base == run)
		return 0.0;
	return base != 0.0 ? 100.0 * (run - base) / fabs(base) : NAN;
}

/* ---- order statistics of the pairwise differences b_j - a_i ------------ */

/*
 * Row i of the implicit matrix is bs[] - as[i], ascending in j. Every
 * difference is computed by this one expression, so comparisons between
 * them are consistent (IEEE subtraction is monotonic in each operand).
 */
static inline double diff_at(const double *as, const double *bs, size_t i, size_t j)
{
	return bs[j] - as[i];
}

struct wpoint {
	double v;
	uint64_t w;
};

struct sel_work {
	const double *as, *bs;
	size_t na, nb;
	size_t *lo, *hi;	/* each row's candidate window [lo, hi) */
	size_t *pos;		/* per-row counts from the last count_rows() */
	struct wpoint *piv;	/* window midpoints, weighted by window size */
	double *buf;		/* the last <= na + nb candidates */
};

static int cmp_wpoint(const void *pa, const void *pb)
{
	const struct wpoint *a = pa, *b = pb;

	if (a->v != b->v)
		return (a->v > b->v) - (a->v < b->v);
	return (a->w > b->w) - (a->w < b->w);
}

/*
 * pos[i] = the number of differences in row i below x (or at most x when
 * le). As a_i grows, row i's differences shrink, so pos[] never decreases
 * with i: one forward pass over b for all rows, O(na + nb).
 */
static uint64_t count_rows(struct sel_work *w, double x, bool le)
{
	uint64_t total = 0;
	size_t i, j = 0;

	for (i = 0; i < w->na; i++) {
		while (j < w->nb && (le ? diff_at(w->as, w->bs, i, j) <= x
					: diff_at(w->as, w->bs, i, j) < x))
			j++;
		w->pos[i] = j;
		total += j;
	}
	return total;
}

/* Weighted median of the rows' window midpoints; 'active' is the weight sum. */
static double pick_pivot(struct sel_work *w, uint64_t active)
{
	size_t i, m = 0;
	uint64_t cum = 0;

	for (i = 0; i < w->na; i++) {
		size_t len = w->hi[i] - w->lo[i];

		if (!len)
			continue;
		w->piv[m].v = diff_at(w->as, w->bs, i, w->lo[i] + len / 2);
		w->piv[m].w = len;
		m++;
	}
	qsort(w->piv, m, sizeof(*w->piv), cmp_wpoint);
	for (i = 0; i < m; i++) {
		cum += w->piv[i].w;
		if (2 * cum >= active)
			break;
	}
	return w->piv[i < m ? i : m - 1].v;
}

static void window_totals(const struct sel_work *w, uint64_t *active, uint64_t *below)
{
	size_t i;

	*active = 0;
	*below = 0;
	for (i = 0; i < w->na; i++) {
		*active += w->hi[i] - w->lo[i];
		*below += w->lo[i];
	}
}

/*
 * The k-th smallest (1-based) difference. Invariant: every difference left
 * of a window is below every one inside, every one right of it is above, and
 * the answer is inside. A pivot that is not the answer moves the windows'
 * one side past it; the weighted-median pivot guarantees at least a quarter
 * of the candidates go each round.
 */
static double select_kth(struct sel_work *w, uint64_t k)
{
	uint64_t active, below, n = 0;
	size_t i, j;

	for (i = 0; i < w->na; i++) {
		w->lo[i] = 0;
		w->hi[i] = w->nb;
	}
	window_totals(w, &active, &below);
	while (active > (uint64_t)w->na + w->nb) {
		double pivot = pick_pivot(w, active);

		if (count_rows(w, pivot, false) >= k) {
			for (i = 0; i < w->na; i++)	/* answer < pivot */
				if (w->pos[i] < w->hi[i])
					w->hi[i] = w->pos[i] > w->lo[i] ? w->pos[i] : w->lo[i];
		} else if (count_rows(w, pivot, true) < k) {
			for (i = 0; i < w->na; i++)	/* answer > pivot */
				if (w->pos[i] > w->lo[i])
					w->lo[i] = w->pos[i] < w->hi[i] ? w->pos[i] : w->hi[i];
		} else {
			return pivot;
		}
		window_totals(w, &active, &below);
	}
	for (i = 0; i < w->na; i++)
		for (j = w->lo[i]; j < w->hi[i]; j++)
			w->buf[n++] = diff_at(w->as, w->bs, i, j);
	qsort(w->buf, n, sizeof(*w->buf), cmp_double);
	return w->buf[k - below - 1];
}

static void sel_free(struct sel_work *w)
{
	free(w->lo);
	free(w->hi);
	free(w->pos);
	free(w->piv);
	free(w->buf);
}

static int sel_init(struct sel_work *w, const double *as, size_t na, const double *bs, size_t nb)
{
	memset(w, 0, sizeof(*w));
	w->as = as;
	w->bs = bs;
	w->na = na;
	w->nb = nb;
	w->lo = malloc(na * sizeof(*w->lo));
	w->hi = malloc(na * sizeof(*w->hi));
	w->pos = malloc(na * sizeof(*w->pos));
	w->piv = malloc(na * sizeof(*w->piv));
	w->buf = malloc((na + nb) * sizeof(*w->buf));
	if (!w->lo || !w->hi || !w->pos || !w->piv || !w->buf) {
		sel_free(w);
		return -1;
	}
	return 0;
}

/* ---- Hodges-Lehmann ---------------------------------------------------- */

/*
 * Rank k of the lower CI bound (the upper is N + 1 - k) and the coverage
 * it achieves; see shift.h for the rule.
 */
static int ci_rank(size_t na, size_t nb, const struct mwu_result *m, double level,
		   uint64_t *k, double *achieved, bool *exact)
{
	uint64_t nn = (uint64_t)na * nb, kmax = (nn + 1) / 2;
	double half = (1.0 - level) / 2.0;

	*exact = mwu_exact_applies(na, nb, m->ties);
	if (*exact) {
		double *cdf = malloc((nn + 1) * sizeof(*cdf));
		uint64_t u = 0;

		if (!cdf || mwu_exact_cdf(na, nb, cdf)) {
			free(cdf);
			return -1;
		}
		while (u < nn && cdf[u] < half)
			u++;
		*k = u < 1 ? 1 : u > kmax ? kmax : u;
		*achieved = 1.0 - 2.0 * cdf[*k - 1];
		free(cdf);
		return 0;
	}
	if (m->sigma <= 0.0) {		/* all values equal: every difference is 0 */
		*k = 1;
		*achieved = 1.0;
		return 0;
	}
	{
		double kd = ceil(m->mu - 0.5 + mwu_norm_quantile(half) * m->sigma);

		*k = kd < 1.0 ? 1 : (uint64_t)kd;
	}
	if (*k > kmax)
		*k = kmax;
	*achieved = 1.0 - 2.0 * mwu_norm_cdf(((double)*k - 0.5 - m->mu) / m->sigma);
	return 0;
}

int hl_shift_sorted(const double *as, size_t na, const double *bs, size_t nb, double level,
		    struct shift_est *out)
{
	struct mwu_result m;
	struct sel_work w;
	uint64_t nn, k;

	if (!na || !nb || na > UINT64_MAX / nb || !(level > 0.0 && level < 1.0)) {
		errno = EINVAL;
		return -1;
	}
	if (mwu_test_sorted(as, na, bs, nb, &m))
		return -1;
	memset(out, 0, sizeof(*out));
	nn = (uint64_t)na * nb;
	if (ci_rank(na, nb, &m, level, &k, &out->ci_level, &out->ci_exact))
		return -1;
	if (sel_init(&w, as, na, bs, nb))
		return -1;
	if (nn % 2)
		out->hl = select_kth(&w, nn / 2 + 1);
	else
		out->hl = 0.5 * (select_kth(&w, nn / 2) + select_kth(&w, nn / 2 + 1));
	out->ci_low = select_kth(&w, k);
	out->ci_high = select_kth(&w, nn + 1 - k);
	sel_free(&w);
	return 0;
}

int hl_shift(const double *a, size_t na, const double *b, size_t nb, double level,
	     struct shift_est *out)
{
	double *as, *bs;
	int rc;

	if (!na || !nb || !stats_all_finite(a, na) || !stats_all_finite(b, nb)) {
		errno = EINVAL;
		return -1;
	}
	as = stats_sorted_copy(a, na);
	bs = stats_sorted_copy(b, nb);
	rc = (as && bs) ? hl_shift_sorted(as, na, bs, nb, level, out) : -1;
	free(as);
	free(bs);
	return rc;
}

/* ---- relative change --------------------------------------------------- */

static double pct_of(double x, double base)
{
	return base != 0.0 ? 100.0 * x / fabs(base) : NAN;
}

int rel_change_sorted(const double *base, size_t nb, const double *run, size_t nr,
		      double level, struct rel_change *out)
{
	struct shift_est s;
	double bm;

	if (hl_shift_sorted(base, nb, run, nr, level, &s))
		return -1;
	memset(out, 0, sizeof(*out));
	bm = stats_median_sorted(base, nb);
	out->base_median = bm;
	out->run_median = stats_median_sorted(run, nr);
	out->change_pct = stats_pct_change(bm, out->run_median);
	out->hl_pct = pct_of(s.hl, bm);
	out->ci_low_pct = pct_of(s.ci_low, bm);
	out->ci_high_pct = pct_of(s.ci_high, bm);
	out->ci_level = s.ci_level;
	out->ci_exact = s.ci_exact;
	return 0;
}

int rel_change(const double *base, size_t nb, const double *run, size_t nr, double level,
	       struct rel_change *out)
{
	double *bs, *rs;
	int rc;

	if (!nb || !nr || !stats_all_finite(base, nb) || !stats_all_finite(run, nr)) {
		errno = EINVAL;
		return -1;
	}
	bs = stats_sorted_copy(base, nb);
	rs = stats_sorted_copy(run, nr);
	rc = (bs && rs) ? rel_change_sorted(bs, nb, rs, nr, level, out) : -1;
	free(bs);
	free(rs);
	return rc;
}
