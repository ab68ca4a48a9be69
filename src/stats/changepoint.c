#include "stats/changepoint.h"
#include "stats/shift.h"
#include "engine/prng.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cp_cfg_default(struct cp_cfg *cfg)
{
	cfg->alpha = CP_DEFAULT_ALPHA;
	cfg->permutations = CP_DEFAULT_PERMUTATIONS;
	cfg->min_size = CP_DEFAULT_MIN_SIZE;
	cfg->exponent = CP_DEFAULT_EXPONENT;
	cfg->seed = CP_DEFAULT_SEED;
}

static bool cfg_ok(const struct cp_cfg *c)
{
	return c->alpha > 0.0 && c->alpha < 1.0 && c->permutations >= 1 && c->min_size >= 2 &&
	       c->exponent > 0.0 && c->exponent < 2.0;
}

struct cp_work {
	const struct cp_cfg *cfg;
	size_t n;
	double *ws;		/* ws[j] = W(s, s + j): within-sum of the segment's prefix */
	double *wt;		/* wt[j] = W(tau, s + j): within-sum from tau */
	double *y;		/* the permuted series */
	double *inv;		/* inv[j] = 1 / j */
	double *ipairs;		/* ipairs[j] = 1 / C(j, 2) (0 for j < 2) */
	size_t *bounds;		/* segment boundaries 0 = b_0 < ... < b_c = n */
	size_t nb;		/* number of boundaries */
};

struct split {
	double q;
	size_t tau, kappa;
	bool found;
};

static inline double dist(const struct cp_work *w, double a, double b)
{
	double d = fabs(a - b);

	return w->cfg->exponent == 1.0 ? d : pow(d, w->cfg->exponent);
}

/*
 * The best (tau, kappa) of segment [s, e) of x, by Q. W(a, b) is the sum of
 * |x_i - x_j|^a over a <= i < j < b. ws holds W(s, .) for the whole
 * segment; wt is rolled from tau = e - 1 down: W(tau, kappa) =
 * W(tau + 1, kappa) + sum_{tau < j < kappa} D(tau, j).
 */
static void best_split(struct cp_work *w, const double *x, size_t s, size_t e, struct split *best)
{
	size_t L = e - s, ms = w->cfg->min_size, j, tau;

	if (L < 2 * ms)
		return;
	w->ws[0] = 0.0;
	for (j = 1; j <= L; j++) {
		double add = 0.0;
		size_t i;

		/* W(s, s + j) = W(s, s + j - 1) + sum_{s <= i < s+j-1} D(i, s + j - 1) */
		for (i = s; i + 1 < s + j; i++)
			add += dist(w, x[i], x[s + j - 1]);
		w->ws[j] = w->ws[j - 1] + add;
	}
	memset(w->wt, 0, (L + 1) * sizeof(*w->wt));
	for (tau = e - 1; tau > s; tau--) {
		double r = 0.0;
		size_t kap;

		for (kap = tau + 1; kap <= e; kap++) {
			w->wt[kap - s] += r;
			if (kap < e)
				r += dist(w, x[tau], x[kap]);
		}
		if (tau - s < ms || e - tau < ms)
			continue;
		for (kap = tau + ms; kap <= e; kap++) {
			size_t mi = tau - s, ki = kap - tau;
			double m = (double)mi, k = (double)ki;
			double wx = w->ws[mi], wy = w->wt[kap - s];
			double cross = w->ws[kap - s] - wx - wy;
			/* m k / (m + k) * (2 cross / (m k) - wx / C(m,2) - wy / C(k,2)) */
			double q = (2.0 * cross - m * k * (wx * w->ipairs[mi] + wy * w->ipairs[ki])) *
				   w->inv[mi + ki];

			if (!best->found || q > best->q || (q == best->q && tau < best->tau)) {
				best->q = q;
				best->tau = tau;
				best->kappa = kap;
				best->found = true;
			}
		}
	}
}

static void best_over_segments(struct cp_work *w, const double *x, struct split *best)
{
	size_t b;

	memset(best, 0, sizeof(*best));
	for (b = 0; b + 1 < w->nb; b++)
		best_split(w, x, w->bounds[b], w->bounds[b + 1], best);
}

/* Permutation p of an observed maximum q_obs under the current segmentation. */
static double permutation_p(struct cp_work *w, const double *x, double q_obs, struct prng *rng)
{
	unsigned r, hits = 0;
	double tol = 1e-12 * fabs(q_obs);

	for (r = 0; r < w->cfg->permutations; r++) {
		struct split s;
		size_t b;

		memcpy(w->y, x, w->n * sizeof(*w->y));
		for (b = 0; b + 1 < w->nb; b++) {
			size_t lo = w->bounds[b], len = w->bounds[b + 1] - lo, i;

			for (i = len - 1; i > 0; i--) {	/* Fisher-Yates */
				size_t k = (size_t)prng_below(rng, i + 1);
				double t = w->y[lo + i];

				w->y[lo + i] = w->y[lo + k];
				w->y[lo + k] = t;
			}
		}
		best_over_segments(w, w->y, &s);
		hits += s.found && s.q >= q_obs - tol;
	}
	return ((double)hits + 1.0) / ((double)w->cfg->permutations + 1.0);
}

static void insert_bound(struct cp_work *w, size_t tau)
{
	size_t i = w->nb;

	while (i > 0 && w->bounds[i - 1] > tau) {
		w->bounds[i] = w->bounds[i - 1];
		i--;
	}
	w->bounds[i] = tau;
	w->nb++;
}

static int cmp_index(const void *pa, const void *pb)
{
	const struct cp_point *a = pa, *b = pb;

	return (a->index > b->index) - (a->index < b->index);
}

/* Mean and median of x[lo..hi) into *mean, *median. */
static int describe(const double *x, size_t lo, size_t hi, double *mean, double *median)
{
	double s = 0.0;
	size_t i;

	for (i = lo; i < hi; i++)
		s += x[i];
	*mean = s / (double)(hi - lo);
	return stats_median(x + lo, hi - lo, median);
}

/* Fill the segment statistics of the (index-sorted) points. */
static int describe_points(const double *x, size_t n, struct cp_point *pts, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		size_t lo = i ? pts[i - 1].index : 0, hi = i + 1 < count ? pts[i + 1].index : n;
		struct cp_point *p = &pts[i];

		p->n_before = p->index - lo;
		p->n_after = hi - p->index;
		if (describe(x, lo, p->index, &p->mean_before, &p->median_before) ||
		    describe(x, p->index, hi, &p->mean_after, &p->median_after))
			return -1;
		p->change_pct = p->mean_before != 0.0
					? (p->mean_after / p->mean_before - 1.0) * 100.0
					: NAN;
	}
	return 0;
}

static void work_free(struct cp_work *w)
{
	free(w->ws);
	free(w->wt);
	free(w->y);
	free(w->bounds);
	free(w->inv);
	free(w->ipairs);
}

static int work_init(struct cp_work *w, const struct cp_cfg *cfg, size_t n)
{
	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	w->n = n;
	w->ws = malloc((n + 1) * sizeof(*w->ws));
	w->wt = malloc((n + 1) * sizeof(*w->wt));
	w->y = malloc(n * sizeof(*w->y));
	w->bounds = malloc((n + 1) * sizeof(*w->bounds));
	w->inv = malloc((n + 1) * sizeof(*w->inv));
	w->ipairs = malloc((n + 1) * sizeof(*w->ipairs));
	if (!w->ws || !w->wt || !w->y || !w->bounds || !w->inv || !w->ipairs) {
		work_free(w);
		return -1;
	}
	for (size_t j = 0; j <= n; j++) {
		w->inv[j] = j ? 1.0 / (double)j : 0.0;
		w->ipairs[j] = j >= 2 ? 2.0 / ((double)j * ((double)j - 1.0)) : 0.0;
	}
	w->bounds[0] = 0;
	w->bounds[1] = n;
	w->nb = 2;
	return 0;
}

int cp_ediv(const double *x, size_t n, const struct cp_cfg *cfg, struct cp_point *pts,
	    size_t cap, struct cp_result *res)
{
	struct cp_cfg def;
	struct cp_work w;
	struct prng rng;
	int rc = 0;

	if (!cfg) {
		cp_cfg_default(&def);
		cfg = &def;
	}
	if (!n || n > CP_MAX_N || !stats_all_finite(x, n) || !cfg_ok(cfg) || (cap && !pts)) {
		errno = EINVAL;
		return -1;
	}
	memset(res, 0, sizeof(*res));
	res->p_next = NAN;
	if (work_init(&w, cfg, n))
		return -1;
	prng_seed(&rng, cfg->seed, 0);
	for (;;) {
		struct split s;
		double p;

		best_over_segments(&w, x, &s);
		if (!s.found)
			break;
		if (res->count == cap) {
			res->capped = true;
			break;
		}
		p = permutation_p(&w, x, s.q, &rng);
		if (p > cfg->alpha) {
			res->p_next = p;
			break;
		}
		memset(&pts[res->count], 0, sizeof(pts[res->count]));
		pts[res->count].index = s.tau;
		pts[res->count].p = p;
		pts[res->count].qhat = s.q;
		pts[res->count].rank = (unsigned)res->count + 1;
		res->count++;
		insert_bound(&w, s.tau);
	}
	if (res->count)
		qsort(pts, res->count, sizeof(*pts), cmp_index);
	if (describe_points(x, n, pts, res->count))
		rc = -1;
	work_free(&w);
	return rc;
}
