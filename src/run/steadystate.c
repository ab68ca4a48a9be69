#include "run/steadystate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/units.h"

#define ALLOWED_CRIT "iops, iops_slope, iops_equiv, bw, bw_slope or bw_equiv"

static const struct {
	const char *name;
	enum ss_metric metric;
	enum ss_kind kind;
} crits[] = {
	{ "iops", SS_IOPS, SS_RANGE }, { "iops_slope", SS_IOPS, SS_SLOPE },
	{ "iops_equiv", SS_IOPS, SS_EQUIV }, { "bw", SS_BW, SS_RANGE },
	{ "bw_slope", SS_BW, SS_SLOPE }, { "bw_equiv", SS_BW, SS_EQUIV },
};

static const char *crit_name(const struct ss_rule *r)
{
	size_t i;

	for (i = 0; i < sizeof(crits) / sizeof(crits[0]); i++)
		if (crits[i].metric == r->metric && crits[i].kind == r->kind)
			return crits[i].name;
	return "?";
}

/* The limit: a positive decimal number, with '%' when relative. */
static int parse_limit(const char *s, struct ss_rule *r)
{
	char *end;

	errno = 0;
	r->limit = strtod(s, &end);
	if (end == s || errno || !isfinite(r->limit) || !(r->limit > 0) || *s == '+' ||
	    (s[0] && (s[0] < '0' || s[0] > '9') && s[0] != '.'))
		return -1;
	r->pct = *end == '%';
	if (r->pct)
		end++;
	return *end ? -1 : 0;
}

int ss_rule_parse(const char *s, struct ss_rule *r, char *err, size_t elen)
{
	char buf[128], *parts[4], *p, lim[32], dur[32], ramp[32];
	size_t n = 0, i;

	memset(r, 0, sizeof(*r));
	r->dur_ns = SS_DEFAULT_DUR_NS;
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, elen, "'%.40s...' is too long (allowed: CRIT:LIMIT[:DUR[:RAMP]], "
			 "such as iops:5%%:60s)", s);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (p = buf; p && n < 4; n++) {
		parts[n] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	if (p || n < 2) {
		snprintf(err, elen, "'%s' is not CRIT:LIMIT[:DUR[:RAMP]] (such as iops:5%%:60s "
			 "or iops_slope:0.5%%:2m:30s)", s);
		return -1;
	}
	for (i = 0; i < sizeof(crits) / sizeof(crits[0]); i++)
		if (strcmp(parts[0], crits[i].name) == 0)
			break;
	if (i == sizeof(crits) / sizeof(crits[0])) {
		snprintf(err, elen, "'%s': unknown criterion '%s' (allowed: " ALLOWED_CRIT ")", s,
			 parts[0]);
		return -1;
	}
	r->metric = crits[i].metric;
	r->kind = crits[i].kind;
	if (parse_limit(parts[1], r)) {
		snprintf(err, elen, "'%s': the limit '%s' is not a number above 0, with an optional "
			 "%% (such as 5%% or 500)", s, parts[1]);
		return -1;
	}
	if (r->kind == SS_EQUIV && (!r->pct || r->limit >= 100)) {
		snprintf(err, elen, "'%s': %s takes a tolerance in percent, above 0 and below 100 "
			 "(such as 5%%)", s, parts[0]);
		return -1;
	}
	if (n > 2 && (parse_duration(parts[2], &r->dur_ns) || !r->dur_ns)) {
		snprintf(err, elen, "'%s': the window '%s' is not a duration above 0 (such as 60s "
			 "or 5m)", s, parts[2]);
		return -1;
	}
	if (n > 3 && parse_duration(parts[3], &r->ramp_ns)) {
		snprintf(err, elen, "'%s': the ramp '%s' is not a duration (such as 30s)", s,
			 parts[3]);
		return -1;
	}
	snprintf(lim, sizeof(lim), "%.6g%s", r->limit, r->pct ? "%" : "");
	format_duration(r->dur_ns, dur, sizeof(dur));
	format_duration(r->ramp_ns, ramp, sizeof(ramp));
	snprintf(r->text, sizeof(r->text), "%s:%s:%s:%s", crit_name(r), lim, dur, ramp);
	return 0;
}

int ss_rule_check(const struct ss_rule *r, uint64_t interval_ns, uint64_t duration_ns,
		  char *err, size_t elen)
{
	uint64_t w = r->dur_ns / interval_ns, need = r->kind == SS_EQUIV ? 10 : 2;
	char iv[32], du[32];

	format_duration(interval_ns, iv, sizeof(iv));
	if (w < need) {
		snprintf(err, elen, "'%s': a window of %llu interval%s of %s (allowed: at least %llu "
			 "intervals%s; a longer window or a shorter --interval)", r->text,
			 (unsigned long long)w, w == 1 ? "" : "s", iv, (unsigned long long)need,
			 r->kind == SS_EQUIV ? " for _equiv" : "");
		return -1;
	}
	if (r->dur_ns + r->ramp_ns > duration_ns) {
		format_duration(duration_ns, du, sizeof(du));
		snprintf(err, elen, "'%s': the window and the ramp are longer than --duration %s "
			 "(allowed: at most the duration together)", r->text, du);
		return -1;
	}
	return 0;
}

int ss_detector_init(struct ss_detector *d, const struct ss_rule *r, uint64_t interval_ns)
{
	memset(d, 0, sizeof(*d));
	d->rule = *r;
	d->window = (size_t)(r->dur_ns / interval_ns);
	d->ramp = (size_t)((r->ramp_ns + interval_ns - 1) / interval_ns);
	d->interval_s = (double)interval_ns / 1e9;
	ss_detector_reset(d);
	return 0;
}

void ss_detector_reset(struct ss_detector *d)
{
	d->n = 0;
	d->reached = false;
	d->index = d->start = 0;
	d->at_s = d->start_s = NAN;
	d->criterion = d->level = d->last_criterion = NAN;
}

void ss_detector_free(struct ss_detector *d)
{
	free(d->y);
	free(d->t0);
	d->y = d->t0 = NULL;
	d->n = d->cap = 0;
}

/* Whether the window ending with the newest value qualifies. */
static bool window_steady(struct ss_detector *d, struct steady_result *res)
{
	const double *w = d->y + d->n - d->window;

	if (d->rule.kind == SS_EQUIV) {
		struct steady_equiv_cfg c;

		steady_equiv_cfg_default(&c);
		c.window = d->window;
		c.tol_pct = d->rule.limit;
		if (steady_equiv(w, d->window, &c, res))
			return false;
	} else {
		struct steady_fio_cfg c = {
			.crit = d->rule.kind == SS_SLOPE ? STEADY_SLOPE : STEADY_RANGE,
			.window = d->window, .limit = d->rule.limit, .pct = d->rule.pct,
		};

		if (steady_fio(w, d->window, &c, res))
			return false;
	}
	d->last_criterion = res->criterion;
	return res->reached;
}

bool ss_detector_add(struct ss_detector *d, double t_s, double len_s, uint64_t ops,
		     uint64_t bytes)
{
	struct steady_result res;
	double v;

	if (d->reached || !(len_s > 0))
		return false;
	/* A stub shorter than half an interval (the stop's) is no sample. */
	if (len_s < 0.5 * d->interval_s)
		return false;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		double *y = realloc(d->y, cap * sizeof(*y)), *t0;

		if (!y)
			return false;
		d->y = y;
		t0 = realloc(d->t0, cap * sizeof(*t0));
		if (!t0)
			return false;
		d->t0 = t0;
		d->cap = cap;
	}
	v = (double)(d->rule.metric == SS_IOPS ? ops : bytes) / len_s;
	d->t0[d->n] = t_s - len_s;
	d->y[d->n++] = v;
	if (d->n < d->ramp + d->window || !window_steady(d, &res))
		return false;
	d->reached = true;
	d->index = d->n - 1;
	d->start = d->n - d->window;
	d->criterion = res.criterion;
	d->level = res.level;
	d->at_s = t_s;
	d->start_s = d->t0[d->start];
	/* The values are not needed any more. */
	ss_detector_free(d);
	return true;
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *ss_detector_json(const struct ss_detector *d)
{
	static const char *const kinds[] = {
		[SS_RANGE] = "fio range", [SS_SLOPE] = "fio slope",
		[SS_EQUIV] = "equivalence (mann-kendall/sen, 90% interval)",
	};
	json_t *j = json_pack("{s:s, s:s, s:s, s:f, s:b, s:f, s:f, s:I, s:I, s:b}",
			      "rule", d->rule.text,
			      "metric", d->rule.metric == SS_IOPS ? "iops" : "bw_bytes_per_s",
			      "criterion", kinds[d->rule.kind],
			      "limit", d->rule.limit,
			      "limit_pct", d->rule.pct,
			      "window_s", (double)d->rule.dur_ns / 1e9,
			      "ramp_s", (double)d->rule.ramp_ns / 1e9,
			      "window_intervals", (json_int_t)d->window,
			      "ramp_intervals", (json_int_t)d->ramp,
			      "reached", d->reached);

	if (!j)
		return NULL;
	json_object_set_new(j, "at_s", d->reached ? json_real(d->at_s) : json_null());
	json_object_set_new(j, "window_start_s", d->reached ? json_real(d->start_s) : json_null());
	json_object_set_new(j, "value", num_or_null(d->reached ? d->criterion :
						       d->last_criterion));
	json_object_set_new(j, "level", d->reached ? num_or_null(d->level) : json_null());
	return j;
}

json_t *ss_mser_json(const double *y, const double *len_s, size_t n, size_t *cut)
{
	struct mser_result m;
	double secs = 0;
	size_t i;

	*cut = 0;
	if (n < 20 || steady_mser(y, n, 5, &m))
		return NULL;
	for (i = 0; i < m.truncate && i < n; i++)
		secs += len_s[i];
	*cut = m.truncate;
	return json_pack("{s:s, s:I, s:f, s:b, s:f}", "method", "mser-5",
			 "intervals", (json_int_t)m.truncate, "seconds", secs, "valid", m.valid,
			 "mean_after", m.mean);
}
