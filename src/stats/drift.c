#include "stats/drift.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Means over [from, to) of the blocks: the tenths. */
static double mean_of(const double *v, size_t from, size_t to)
{
	double s = 0;
	size_t i;

	for (i = from; i < to; i++)
		s += v[i];
	return to > from ? s / (double)(to - from) : NAN;
}

int drift_analyze(const double *t_end, const double *len, const double *y, size_t n,
		  double from_s, double alpha, struct drift *out)
{
	struct trend_cfg cfg;
	double *bt = NULL, *by = NULL, sw = 0, swy = 0;
	size_t *use = NULL, m = 0, i, k, nb = 0, tenth;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->tr.p = NAN;
	out->tenth_change_pct = NAN;
	if ((n && (!t_end || !len || !y)) || !(alpha > 0 && alpha < 1)) {
		errno = EINVAL;
		return -1;
	}
	if (!n)
		return 0;
	use = malloc(n * sizeof(*use));
	bt = malloc(n * sizeof(*bt));
	by = malloc(n * sizeof(*by));
	if (!use || !bt || !by) {
		errno = ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!isfinite(t_end[i]) || !(len[i] > 0) || !isfinite(y[i]) || t_end[i] <= from_s)
			continue;
		/* The stub the stop leaves: too short to be a sample of its own. */
		if (i + 1 == n && m && len[i] < 0.5 * len[use[0]])
			continue;
		use[m++] = i;
		sw += len[i];
		swy += len[i] * y[i];
	}
	out->intervals = m;
	if (!m) {
		rc = 0;
		goto out;
	}
	out->mean = swy / sw;
	out->from_s = t_end[use[0]] - len[use[0]];
	out->to_s = t_end[use[m - 1]];
	out->block = (m + DRIFT_MAX_BLOCKS - 1) / DRIFT_MAX_BLOCKS;
	for (k = 0; k < m; k += out->block) {
		size_t end = k + out->block < m ? k + out->block : m;
		double w = 0, wy = 0, wt = 0;

		/* A short trailing block joins the one before it. */
		if (end == m && nb && 2 * (end - k) < out->block) {
			nb--;
			k -= out->block;
		}
		for (i = k; i < end; i++) {
			size_t j = use[i];

			w += len[j];
			wy += len[j] * y[j];
			wt += len[j] * (t_end[j] - len[j] / 2);
		}
		bt[nb] = wt / w;
		by[nb] = wy / w;
		nb++;
		if (end == m)
			break;
	}
	out->points = nb;
	out->t_first = bt[0];
	tenth = nb / 10 ? nb / 10 : 1;
	out->first_tenth_mean = mean_of(by, 0, tenth);
	out->last_tenth_mean = mean_of(by, nb - tenth, nb);
	if (out->first_tenth_mean != 0)
		out->tenth_change_pct = (out->last_tenth_mean / out->first_tenth_mean - 1) * 100;
	if (nb < DRIFT_MIN_POINTS) {
		rc = 0;
		goto out;
	}
	/* Block centres increase strictly: blocks do not overlap and have length > 0. */
	trend_cfg_default(&cfg);
	cfg.alpha = alpha;
	cfg.log_scale = true;
	for (k = 0; k < nb; k++)
		cfg.log_scale &= by[k] > 0;
	if (trend_mk(bt, by, nb, &cfg, &out->tr))
		goto out;
	out->valid = true;
	out->drifting = out->tr.drifting;
	out->log_scale = cfg.log_scale;
	if (cfg.log_scale) {
		out->level_start = exp(out->tr.level_start);
		out->change = out->level_start * out->tr.change_pct / 100;
		out->change_low = out->level_start * out->tr.change_low_pct / 100;
		out->change_high = out->level_start * out->tr.change_high_pct / 100;
	} else {
		out->level_start = out->tr.level_start;
		out->change = out->tr.change;
		out->change_low = out->tr.change_low;
		out->change_high = out->tr.change_high;
	}
	rc = 0;
out:
	free(use);
	free(bt);
	free(by);
	return rc;
}

const char *drift_verdict(const struct drift *d)
{
	if (!d->valid)
		return "too few intervals";
	return d->drifting ? "drifting" : "no evidence of drift";
}

bool drift_exceeds(const struct drift *d, double pct)
{
	return d->valid && d->drifting && isfinite(d->tr.change_pct) &&
	       fabs(d->tr.change_pct) >= pct;
}
