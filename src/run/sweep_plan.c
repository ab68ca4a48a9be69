/* The pure parts of a sweep: its loads, its objective, its knee (sweep.h). */
#include "run/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result/result_text.h"
#include "stats/knee.h"

const char *const sweep_by_names[] = { "ops", "rate_iops" };
const char *const sweep_rate_mode_names[] = { "closed-loop cap" };

static const char *const stat_names[] = { "mean", "p50", "p99", "p99.9" };

const char *sweep_stat_name(enum sweep_stat s)
{
	return stat_names[s];
}

/* A count with an optional k or M suffix, whole after scaling; the rest in *end. */
static int parse_count(const char *s, uint64_t *out, const char **end)
{
	const char *e = s;
	double v = 0, frac = 0.1, mul = 1;

	if (*s < '0' || *s > '9')
		return -1;
	/* Digits, and a fraction only when a digit follows the point ("1..4" is a range). */
	for (; *e >= '0' && *e <= '9'; e++)
		v = v * 10 + (*e - '0');
	if (e[0] == '.' && e[1] >= '0' && e[1] <= '9')
		for (e++; *e >= '0' && *e <= '9'; e++, frac /= 10)
			v += (*e - '0') * frac;
	if (*e == 'k' || *e == 'K') {
		mul = 1e3;
		e++;
	} else if (*e == 'M') {
		mul = 1e6;
		e++;
	}
	v *= mul;
	if (!isfinite(v) || v < 0 || v > 1e15 || v != floor(v))
		return -1;
	*out = (uint64_t)v;
	*end = e;
	return 0;
}

static int check_list(const uint64_t *v, unsigned n, uint64_t min, uint64_t max,
		      char *err, size_t elen)
{
	unsigned i;

	if (n < SWEEP_MIN_STEPS) {
		snprintf(err, elen, "%u load%s (allowed: %d to %d loads)", n, n == 1 ? "" : "s",
			 SWEEP_MIN_STEPS, SWEEP_MAX_STEPS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (v[i] < min || v[i] > max) {
			snprintf(err, elen, "load %llu is out of range (allowed: %llu to %llu)",
				 (unsigned long long)v[i], (unsigned long long)min,
				 (unsigned long long)max);
			return -1;
		}
		if (i && v[i] <= v[i - 1]) {
			snprintf(err, elen, "load %llu does not follow %llu (allowed: loads in "
				 "increasing order, each once)", (unsigned long long)v[i],
				 (unsigned long long)v[i - 1]);
			return -1;
		}
	}
	return 0;
}

int sweep_parse_loads(const char *spec, unsigned steps, uint64_t min, uint64_t max,
		      uint64_t *out, unsigned *n, char *err, size_t elen)
{
	const char *p = spec, *dots = strstr(spec, "..");
	uint64_t a, b;

	*n = 0;
	if (!dots) {
		if (steps) {
			snprintf(err, elen, "--steps goes with a range A..B, not a list");
			return -1;
		}
		for (;;) {
			uint64_t v;

			if (parse_count(p, &v, &p) || (*p && *p != ',')) {
				snprintf(err, elen, "'%s' is not a list of loads (allowed: N,N,... "
					 "or A..B; numbers may end in k or M)", spec);
				return -1;
			}
			if (*n == SWEEP_MAX_STEPS) {
				snprintf(err, elen, "more than %d loads", SWEEP_MAX_STEPS);
				return -1;
			}
			out[(*n)++] = v;
			if (!*p)
				break;
			p++;
		}
		return check_list(out, *n, min, max, err, elen);
	}
	if (parse_count(spec, &a, &p) || p != dots || parse_count(dots + 2, &b, &p) || *p) {
		snprintf(err, elen, "'%s' is not a range (allowed: A..B, such as 1..1024 or "
			 "10k..400k)", spec);
		return -1;
	}
	if (a < min || b > max || a >= b) {
		snprintf(err, elen, "range %llu..%llu (allowed: from %llu up to %llu, the first "
			 "below the last)", (unsigned long long)a, (unsigned long long)b,
			 (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	if (steps) {
		unsigned i;

		if (steps < SWEEP_MIN_STEPS || steps > SWEEP_MAX_STEPS) {
			snprintf(err, elen, "--steps %u (allowed: %d to %d)", steps, SWEEP_MIN_STEPS,
				 SWEEP_MAX_STEPS);
			return -1;
		}
		for (i = 0; i < steps; i++) {
			double f = (double)i / (double)(steps - 1);
			uint64_t v = i + 1 == steps ? b :
				(uint64_t)llround(exp(log((double)a) + f * (log((double)b) -
									    log((double)a))));

			if (!*n || v > out[*n - 1])
				out[(*n)++] = v;
		}
		if (*n < steps) {
			snprintf(err, elen, "%llu..%llu holds only %u different loads in %u "
				 "geometric steps (allowed: fewer --steps or a wider range)",
				 (unsigned long long)a, (unsigned long long)b, *n, steps);
			return -1;
		}
	} else {
		uint64_t v;

		for (v = a; v < b; v *= 2) {
			if (*n + 1 == SWEEP_MAX_STEPS) {
				snprintf(err, elen, "%llu..%llu doubles more than %d times "
					 "(allowed: a narrower range, or --steps N)",
					 (unsigned long long)a, (unsigned long long)b,
					 SWEEP_MAX_STEPS - 1);
				*n = 0;
				return -1;
			}
			out[(*n)++] = v;
		}
		out[(*n)++] = b;
	}
	return check_list(out, *n, min, max, err, elen);
}

int sweep_parse_slo(const char *spec, struct sweep_slo *slo, char *err, size_t elen)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 }, { "s", 1e9 } };
	const char *eq = strchr(spec, '=');
	size_t k, u;
	char *end;
	double v;

	memset(slo, 0, sizeof(*slo));
	for (k = 0; eq && k < sizeof(stat_names) / sizeof(stat_names[0]); k++)
		if (strlen(stat_names[k]) == (size_t)(eq - spec) &&
		    !strncmp(spec, stat_names[k], (size_t)(eq - spec)))
			break;
	if (!eq || k == sizeof(stat_names) / sizeof(stat_names[0])) {
		snprintf(err, elen, "'%s' names no statistic (allowed: STAT=LATENCY with STAT "
			 "p50, p99, p99.9 or mean, e.g. p99=2ms)", spec);
		return -1;
	}
	errno = 0;
	v = strtod(eq + 1, &end);
	for (u = 0; end != eq + 1 && u < sizeof(units) / sizeof(units[0]); u++)
		if (!strcmp(end, units[u].unit))
			break;
	if (errno || end == eq + 1 || u == sizeof(units) / sizeof(units[0]) || !(v > 0) ||
	    v * units[u].ns < 1 || v * units[u].ns > 3600e9) {
		snprintf(err, elen, "'%s': the latency is not one (allowed: a number with ns, us, "
			 "ms or s, from 1ns to 1h, e.g. p99=2ms)", spec);
		return -1;
	}
	slo->set = true;
	slo->stat = (enum sweep_stat)k;
	slo->ns = (uint64_t)llround(v * units[u].ns);
	return 0;
}

/* ---- the knee ------------------------------------------------------------------ */

static double lat_of(const double *lat, size_t i)
{
	return lat ? lat[i] : NAN;
}

int sweep_knee_of(const double *load, const double *iops, const double *lat, size_t n,
		  const struct sweep_slo *slo, struct sweep_knee *out)
{
	size_t i, top = 0, bottom = 0;

	memset(out, 0, sizeof(*out));
	out->load = out->low = out->high = out->iops = out->lat_ns = NAN;
	out->crossing = out->power_load = NAN;
	out->slo = *slo;
	out->method = slo->set ? "slo" : "kneedle";
	if (n < SWEEP_MIN_STEPS) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!isfinite(load[i]) || !isfinite(iops[i]) || !isfinite(lat[i])) {
			errno = EINVAL;
			return -1;
		}
		if (iops[i] > iops[top])
			top = i;
		if (iops[i] < iops[bottom])
			bottom = i;
	}
	{
		struct knee_power_result pw;

		if (knee_power(load, iops, lat, n, &pw) == 0)
			out->power_load = pw.load;
	}
	if (slo->set) {
		struct knee_slo_result r;

		if (knee_slo(load, lat, n, (double)slo->ns, &r))
			return -1;
		out->found = r.any_within;
		out->reached = r.violated;
		out->non_monotone = r.non_monotone;
		out->crossing = r.crossing;
		if (r.any_within) {
			out->index = r.index;
			out->load = r.load;
			out->low = r.load_low;
		}
		out->high = isfinite(r.load_high) ? r.load_high : NAN;
	} else if (iops[0] >= SWEEP_FLAT_FRACTION * iops[top] ||
		   iops[top] - iops[bottom] <= SWEEP_FLAT_RANGE * iops[top]) {
		/* Saturated from the first step: the knee is there, or below. */
		out->found = out->reached = out->saturated = true;
		out->index = 0;
		out->load = out->low = load[0];
		out->high = load[1];
	} else {
		struct kneedle_result r;

		if (knee_sweep(load, iops, n, &r))
			return -1;
		out->found = true;
		out->reached = r.found;
		if (r.found) {
			out->index = r.index;
			out->load = r.x;
			out->low = r.x_low;
			out->high = r.x_high;
		} else {
			/* Still growing: the knee is at the last step or beyond. */
			out->index = n - 1;
			out->load = out->low = load[n - 1];
		}
	}
	if (out->found) {
		out->iops = iops[out->index];
		out->lat_ns = lat_of(lat, out->index);
	}
	return 0;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

int sweep_knee_of_results(json_t *results, const struct sweep_slo *slo, struct sweep_knee *out)
{
	json_t *steps = json_object_get(results, "steps"), *st;
	double load[SWEEP_MAX_STEPS], iops[SWEEP_MAX_STEPS], lat[SWEEP_MAX_STEPS];
	const char *key = sweep_stat_name(slo->set ? slo->stat : SLO_P99);
	size_t i, n = 0;

	json_array_foreach(steps, i, st) {
		json_t *t = json_object_get(st, "total");

		if (n == SWEEP_MAX_STEPS)
			break;
		load[n] = num(st, "load");
		iops[n] = num(t, "iops");
		lat[n] = num(json_object_get(t, "lat_ns"), key);
		n++;
	}
	return sweep_knee_of(load, iops, lat, n, slo, out);
}

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Loads are whole numbers: written as integers. */
static json_t *load_json(double v)
{
	if (isfinite(v) && v == floor(v) && fabs(v) < 9e15)
		return json_integer((json_int_t)v);
	return real_or_null(v);
}

json_t *sweep_knee_json(const struct sweep_knee *k)
{
	const char *stat = sweep_stat_name(k->slo.set ? k->slo.stat : SLO_P99);
	json_t *j = json_pack("{s:s, s:o, s:o, s:o, s:b, s:b, s:o, s:o, s:s, s:o}",
			      "method", k->method,
			      "load", load_json(k->load),
			      "low", load_json(k->low),
			      "high", load_json(k->high),
			      "found", k->found,
			      "reached", k->reached,
			      "iops", real_or_null(k->iops),
			      "lat_ns", real_or_null(k->lat_ns),
			      "stat", stat,
			      "power_load", load_json(k->power_load));

	if (!j)
		return NULL;
	if (k->found)
		json_object_set_new(j, "step", json_integer((json_int_t)k->index + 1));
	if (k->slo.set) {
		json_object_set_new(j, "slo_ns", json_integer((json_int_t)k->slo.ns));
		json_object_set_new(j, "crossing", real_or_null(k->crossing));
		json_object_set_new(j, "non_monotone", json_boolean(k->non_monotone));
	} else {
		json_object_set_new(j, "saturated", json_boolean(k->saturated));
	}
	return j;
}

static void load_word(enum sweep_by by, double v, char *buf, size_t len)
{
	char c[16];

	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	if (by == SWEEP_BY_OPS) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	format_count(v, c, sizeof(c));
	snprintf(buf, len, "%s IOPS", c);
}

const char *sweep_knee_mark(const struct sweep_knee *k)
{
	if (!k->found)
		return "";
	if (k->saturated)
		return "  <- knee or below";
	return k->reached ? "  <- knee" : "  <- knee or beyond";
}

void sweep_knee_describe(const struct sweep_knee *k, enum sweep_by by, char *buf, size_t len)
{
	const char *what = by == SWEEP_BY_OPS ? "depth" : "rate";
	char a[32], lo[32], hi[32], lat[16], iops[16], slo[16], x[32];
	const char *stat = sweep_stat_name(k->slo.set ? k->slo.stat : SLO_P99);

	load_word(by, k->load, a, sizeof(a));
	load_word(by, k->low, lo, sizeof(lo));
	load_word(by, k->high, hi, sizeof(hi));
	format_ns(isfinite(k->lat_ns) ? k->lat_ns : 0, lat, sizeof(lat));
	format_count(isfinite(k->iops) ? k->iops : 0, iops, sizeof(iops));
	if (k->slo.set) {
		format_ns((double)k->slo.ns, slo, sizeof(slo));
		if (!k->found)
			snprintf(buf, len, "knee: none: the first step, %s %s, already has %s above "
				 "%s", what, hi, stat, slo);
		else if (!k->reached)
			snprintf(buf, len, "knee: %s %s or beyond: every step kept %s within %s "
				 "(%s IOPS, %s %s at the last)", what, a, stat, slo, iops, stat, lat);
		else {
			load_word(by, k->crossing, x, sizeof(x));
			snprintf(buf, len, "knee: %s %s, the highest load with %s within %s (%s "
				 "IOPS, %s %s); the objective is lost between %s and %s (about %s)%s",
				 what, a, stat, slo, iops, stat, lat, lo, hi, x,
				 k->non_monotone ? "; a later step met it again" : "");
		}
		return;
	}
	if (k->saturated)
		snprintf(buf, len, "knee: %s %s or below: throughput is near its peak from the "
			 "first step on (%s IOPS, %s %s)", what, a, iops, stat, lat);
	else if (!k->reached)
		snprintf(buf, len, "knee: not reached: throughput still grows at the last step "
			 "(%s %s, %s IOPS, %s %s)", what, a, iops, stat, lat);
	else
		snprintf(buf, len, "knee: %s %s (between %s and %s), where throughput stops "
			 "growing: %s IOPS, %s %s (Kneedle on IOPS against ln %s)", what, a, lo, hi,
			 iops, stat, lat, what);
}
