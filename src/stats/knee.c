#include "stats/knee.h"
#include "stats/shift.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool increasing(const double *x, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (!(x[i] > x[i - 1]))
			return false;
	return true;
}

static bool valid_xy(const double *x, const double *y, size_t n, size_t min_n)
{
	return n >= min_n && stats_all_finite(x, n) && stats_all_finite(y, n) && increasing(x, n);
}

/* ---- objective ---------------------------------------------------------------- */

/* x where the segment (x0, y0)-(x1, y1) reaches y, on log-log axes when possible. */
static double interpolate(double x0, double y0, double x1, double y1, double y)
{
	double f;

	if (x0 > 0.0 && y0 > 0.0 && y1 > 0.0 && y > 0.0 && y1 != y0) {
		f = (log(y) - log(y0)) / (log(y1) - log(y0));
		return exp(log(x0) + f * (log(x1) - log(x0)));
	}
	if (y1 == y0)
		return x0;
	f = (y - y0) / (y1 - y0);
	return x0 + f * (x1 - x0);
}

int knee_slo(const double *load, const double *lat, size_t n, double slo,
	     struct knee_slo_result *out)
{
	size_t i, fail = n;

	if (!valid_xy(load, lat, n, 1) || !(slo > 0.0) || !isfinite(slo)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++)
		if (lat[i] > slo) {
			fail = i;
			break;
		}
	out->violated = fail < n;
	out->any_within = fail > 0;
	for (i = fail + 1; i < n; i++)
		if (lat[i] <= slo)
			out->non_monotone = true;
	out->load = out->load_low = out->crossing = NAN;
	out->load_high = out->violated ? load[fail] : INFINITY;
	if (!out->any_within)
		return 0;
	out->index = fail - 1;
	out->load = out->load_low = load[fail - 1];
	if (out->violated)
		out->crossing = interpolate(load[fail - 1], lat[fail - 1], load[fail], lat[fail], slo);
	return 0;
}

/* ---- Kneedle --------------------------------------------------------------------- */

static bool shape_ok(enum knee_shape s)
{
	return s == KNEE_CONCAVE_INC || s == KNEE_CONVEX_INC || s == KNEE_CONCAVE_DEC ||
	       s == KNEE_CONVEX_DEC;
}

/* The scaled, mirrored difference curve d[0..n-1] and the map to input steps. */
static void difference_curve(const double *x, const double *y, size_t n, enum knee_shape shape,
			     double *d, size_t *map)
{
	double ymin = y[0], ymax = y[0], xr = x[n - 1] - x[0], yr;
	bool flip_x = shape == KNEE_CONCAVE_DEC || shape == KNEE_CONVEX_INC;
	bool flip_y = shape == KNEE_CONVEX_DEC || shape == KNEE_CONVEX_INC;
	size_t i;

	for (i = 1; i < n; i++) {
		ymin = fmin(ymin, y[i]);
		ymax = fmax(ymax, y[i]);
	}
	yr = ymax - ymin;
	for (i = 0; i < n; i++) {
		size_t k = flip_x ? n - 1 - i : i;
		double u = (x[k] - x[0]) / xr, v = (y[k] - ymin) / yr;

		if (flip_x)
			u = 1.0 - u;
		if (flip_y)
			v = 1.0 - v;
		d[i] = v - u;
		map[i] = k;
	}
}

static void neighbours(const double *x, size_t n, size_t k, double *lo, double *hi)
{
	*lo = x[k ? k - 1 : 0];
	*hi = x[k + 1 < n ? k + 1 : n - 1];
}

int kneedle(const double *x, const double *y, size_t n, enum knee_shape shape, double s,
	    struct kneedle_result *out)
{
	double *d, thr = 0.0, step;
	size_t *map, i;
	bool have = false;
	size_t cand = 0;

	if (!valid_xy(x, y, n, 3) || !shape_ok(shape) || !(s > 0.0) || !isfinite(s)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->x = out->y = out->x_low = out->x_high = out->diff = NAN;
	{
		double lo = y[0], hi = y[0];

		for (i = 1; i < n; i++) {
			lo = fmin(lo, y[i]);
			hi = fmax(hi, y[i]);
		}
		if (lo == hi)
			return 0;	/* a flat curve has no knee */
	}
	d = malloc(n * sizeof(*d));
	map = malloc(n * sizeof(*map));
	if (!d || !map) {
		free(d);
		free(map);
		return -1;
	}
	difference_curve(x, y, n, shape, d, map);
	step = 1.0 / (double)(n - 1);
	for (i = 1; i < n; i++) {
		bool is_max = i + 1 < n && d[i] > d[i - 1] && d[i] >= d[i + 1];
		bool is_min = i + 1 < n && d[i] < d[i - 1] && d[i] <= d[i + 1];

		if (have && d[i] < thr) {
			size_t k = map[cand];

			out->found = true;
			out->index = k;
			out->x = x[k];
			out->y = y[k];
			out->diff = d[cand];
			neighbours(x, n, k, &out->x_low, &out->x_high);
			break;
		}
		if (is_max) {
			out->maxima++;
			have = true;
			cand = i;
			thr = d[i] - s * step;
		} else if (is_min) {
			have = false;
		}
	}
	free(d);
	free(map);
	return 0;
}

int knee_sweep(const double *load, const double *tput, size_t n, struct kneedle_result *out)
{
	double *lx;
	size_t i;
	int rc;

	if (!n || !stats_all_finite(load, n)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!(load[i] > 0.0)) {
			errno = EINVAL;
			return -1;
		}
	lx = malloc(n * sizeof(*lx));
	if (!lx)
		return -1;
	for (i = 0; i < n; i++)
		lx[i] = log(load[i]);
	rc = kneedle(lx, tput, n, KNEE_CONCAVE_INC, 1.0, out);
	if (!rc && out->found) {
		out->x = load[out->index];
		neighbours(load, n, out->index, &out->x_low, &out->x_high);
	}
	free(lx);
	return rc;
}

/* ---- power -------------------------------------------------------------------------- */

int knee_power(const double *load, const double *tput, const double *lat, size_t n,
	       struct knee_power_result *out)
{
	size_t i;
	bool any = false;

	if (!valid_xy(load, tput, n, 1) || !stats_all_finite(lat, n)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		double p;

		if (!(lat[i] > 0.0))
			continue;
		p = tput[i] / lat[i];
		if (!any || p > out->power) {
			out->power = p;
			out->index = i;
			any = true;
		}
	}
	if (!any) {
		errno = EINVAL;
		return -1;
	}
	out->load = load[out->index];
	neighbours(load, n, out->index, &out->load_low, &out->load_high);
	return 0;
}
