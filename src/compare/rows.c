#include "compare/rows.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/mde.h"
#include "stats/runcmp.h"
#include "stats/shift.h"
#include "stats/spread.h"
#include "stats/ttest.h"

static double thr_of(const struct metric *m, const struct compare_cfg *cfg)
{
	return m->kind == MK_LATENCY ? cfg->threshold_latency_pct : cfg->threshold_throughput_pct;
}

static bool all_positive(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(v[i] > 0) || !isfinite(v[i]))
			return false;
	return n > 0;
}

static void set_mde(struct row_stats *v, const struct mde *m)
{
	v->detect_up_pct = m->possible ? m->up_pct : INFINITY;
	v->detect_down_pct = m->possible ? m->down_pct : -100;
}

/*
 * The session test: the run's runs are one session, the history's sessions
 * its replicates. 0 when it applies (the history has at least 3 sessions
 * that differ: ICC >= COMPARE_ICC_SESSIONS), -1 when the runs test should.
 */
static int session_test(const struct metric *b, const struct metric *r, double alpha,
			struct row_stats *v)
{
	size_t n = b->nruns, i, k = b->nsessions, *grp;
	double *lb = calloc(n, sizeof(double)), *means = calloc(k, sizeof(double));
	unsigned *cnt = calloc(k, sizeof(unsigned));
	struct var_components vc;
	struct predict_result pr;
	struct mde m;
	double y = 0, h;
	int rc = -1;

	grp = calloc(n, sizeof(size_t));
	if (!lb || !means || !cnt || !grp || k < 3)
		goto out;
	for (i = 0; i < n; i++) {
		lb[i] = log(b->runs[i]);
		grp[i] = b->session[i];
		means[b->session[i]] += lb[i];
		cnt[b->session[i]]++;
	}
	if (var_components(lb, grp, n, &vc) || !isfinite(vc.icc) || vc.icc < COMPARE_ICC_SESSIONS)
		goto out;
	for (i = 0; i < k; i++)
		means[i] = cnt[i] ? means[i] / cnt[i] : 0;
	for (i = 0; i < r->nruns; i++)
		y += log(r->runs[i]) / (double)r->nruns;
	if (predict_test(means, k, y, 1, 1 - alpha, &pr) || !isfinite(pr.p))
		goto out;
	h = (pr.pi_high - pr.pi_low) / 2;
	v->method = "sessions";
	v->base_n = k;
	v->run_n = 1;
	v->change_pct = expm1(pr.diff) * 100;
	v->ci_low_pct = expm1(pr.diff - h) * 100;
	v->ci_high_pct = expm1(pr.diff + h) * 100;
	v->p_value = pr.p;
	v->tested = true;
	if (mde_predict(k, 1, pr.sd, alpha, COMPARE_POWER, &m) == 0)
		set_mde(v, &m);
	rc = 0;
out:
	free(lb);
	free(means);
	free(cnt);
	free(grp);
	return rc;
}

static void runs_test(const struct metric *b, const struct metric *r, double alpha,
		      double sd_log, struct row_stats *v)
{
	struct runcmp_result rc;
	struct mde m;

	v->method = "runs";
	if (runcmp(b->runs, b->nruns, r->runs, r->nruns, alpha, &rc))
		return;
	v->runs_needed = rc.runs_needed;
	v->p_floor = rc.p_floor;
	if (!rc.testable)
		return;
	v->tested = true;
	v->change_pct = rc.hl_pct;
	v->ci_low_pct = rc.ci_low_pct;
	v->ci_high_pct = rc.ci_high_pct;
	v->p_value = rc.p;
	if (isfinite(sd_log) && mde_mwu(b->nruns, r->nruns, sd_log, alpha, COMPARE_POWER, &m) == 0)
		set_mde(v, &m);
}

void rows_compute(struct compare_row *row, const struct compare_cfg *cfg)
{
	const struct metric *b = row->base, *r = row->run;
	struct row_stats *v = &row->v;
	struct spread_est sp;
	double sd_log = NAN;

	memset(v, 0, sizeof(*v));
	v->ci_low_pct = v->ci_high_pct = v->p_value = v->p_adjusted = v->p_floor = NAN;
	v->spread_pct = v->detect_up_pct = v->detect_down_pct = NAN;
	v->base_n = b->nruns;
	v->run_n = r->nruns;
	if (stats_median(b->runs, b->nruns, &v->base_median))
		v->base_median = b->value;
	if (stats_median(r->runs, r->nruns, &v->run_median))
		v->run_median = r->value;
	v->change_pct = v->base_median > 0 ? (v->run_median / v->base_median - 1) * 100 :
		v->run_median > 0 ? INFINITY : 0;
	if (b->kind == MK_ERRORS) {
		/* Any increase of errors fails, whatever the thresholds: a count, not a sample. */
		v->method = "errors";
		v->base_median = b->value;
		v->run_median = r->value;
		v->change_pct = b->value > 0 ? (r->value / b->value - 1) * 100 : 0;
		v->tested = true;
		snprintf(v->reason, sizeof(v->reason), "any increase of errors is a regression");
		return;
	}
	if (all_positive(b->runs, b->nruns) && !all_positive(r->runs, r->nruns) &&
	    b->kind == MK_THROUGHPUT && v->run_median <= 0) {
		/* The same workload did no I/O there: no test can make that noise. */
		v->method = "runs";
		v->tested = true;
		v->change_pct = -100;
		v->p_value = 0;
		snprintf(v->reason, sizeof(v->reason), "%s", strcmp(b->group, "knee") ?
			 "the run did no I/O in this direction" :
			 "no step of the run met the objective");
		return;
	}
	if (!all_positive(b->runs, b->nruns) || !all_positive(r->runs, r->nruns)) {
		v->method = "untested";
		snprintf(v->reason, sizeof(v->reason), "a figure of 0 has no ratio to test");
		return;
	}
	if (b->nruns >= 2 && spread_log(b->runs, b->nruns, &sp) == 0 && isfinite(sp.sd_log)) {
		sd_log = sp.sd_log;
		v->spread_pct = sp.sd_pct;
	}
	if (session_test(b, r, cfg->alpha, v))
		runs_test(b, r, cfg->alpha, sd_log, v);
	if (!v->tested) {
		v->method = "untested";
		if (v->runs_needed)
			snprintf(v->reason, sizeof(v->reason), "untested: %zu baseline runs against "
				 "%zu cannot reach p < %g; %zu runs (--repeat) would",
				 b->nruns, r->nruns, cfg->alpha, v->runs_needed);
		else
			snprintf(v->reason, sizeof(v->reason), "untested: %zu baseline runs against "
				 "%zu cannot reach p < %g; the baseline needs more runs",
				 b->nruns, r->nruns, cfg->alpha);
	}
}

/* ---- the gate ----------------------------------------------------------- */

static const char *const gate_dirs[] = { "read", "write", "total", NULL };
static const char *const gate_metrics[] = {
	"iops", "bw", "lat_mean", "lat_p50", "lat_p99", "lat_p99.9", "cpu_per_io",
	"tool_cpu_per_io", "load", NULL,
};

static bool in(const char *const *list, const char *s, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && !strncmp(*list, s, len))
			return true;
	return false;
}

/*
 * Whether a row's group matches a --gate group: the same name, or a
 * prefix ending in '*' ("*" every group, "host *" every host and its
 * devices, "device *" every device).
 */
static bool group_matches(const char *gate, const char *group)
{
	size_t n = strlen(gate);

	if (n && gate[n - 1] == '*')
		return strncmp(gate, group, n - 1) == 0;
	return strcmp(gate, group) == 0;
}

/* One item "[GROUP/]DIR.METRIC" into its parts; -1 when malformed. */
static int parse_item(const char *it, size_t len, char *group, size_t glen, char *dir,
		      size_t dlen, char *metric, size_t mlen)
{
	const char *slash = memchr(it, '/', len), *d = slash ? slash + 1 : it;
	size_t rest = len - (size_t)(d - it);
	const char *dot = memchr(d, '.', rest);

	if (!dot)
		return -1;
	snprintf(group, glen, "%.*s", slash ? (int)(slash - it) : 3, slash ? it : "all");
	snprintf(dir, dlen, "%.*s", (int)(dot - d), d);
	snprintf(metric, mlen, "%.*s", (int)(rest - (size_t)(dot - d) - 1), dot + 1);
	if (!in(gate_dirs, dir, strlen(dir)) || !in(gate_metrics, metric, strlen(metric)) ||
	    !group[0])
		return -1;
	return 0;
}

int compare_gate_check(const char *list, char *err, size_t elen)
{
	const char *p = list;

	if (!*list) {
		snprintf(err, elen, "--gate: '' names no metric (allowed: [GROUP/]DIR.METRIC, "
			 "comma-separated, e.g. total.iops,ref/total.lat_p99)");
		return -1;
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		char g[METRIC_GROUP_MAX], d[16], m[16];

		if (!len || parse_item(p, len, g, sizeof(g), d, sizeof(d), m, sizeof(m))) {
			snprintf(err, elen, "--gate: invalid item '%.*s' (allowed: [GROUP/]DIR.METRIC "
				 "with DIR read, write or total and METRIC iops, bw, lat_mean, "
				 "lat_p50, lat_p99, lat_p99.9, cpu_per_io, tool_cpu_per_io, or "
				 "knee/total.load)",
				 (int)len, p);
			return -1;
		}
		p += len;
		if (*p == ',' && !*++p) {
			snprintf(err, elen, "--gate: '%s' ends with ','", list);
			return -1;
		}
	}
	return 0;
}

static bool has_group(const struct comparison *c, const char *group)
{
	size_t i;

	for (i = 0; i < c->nrows; i++)
		if (!strcmp(c->rows[i].base->group, group))
			return true;
	return false;
}

static bool has_row(const struct comparison *c, const char *group, const char *dir,
		    const char *name)
{
	size_t i;

	for (i = 0; i < c->nrows; i++)
		if (!strcmp(c->rows[i].base->group, group) && !strcmp(c->rows[i].base->dir, dir) &&
		    !strcmp(c->rows[i].base->name, name))
			return true;
	return false;
}

int rows_mark_gate(struct comparison *c, char *err, size_t elen)
{
	const char *p = c->cfg.gate;
	size_t i;

	for (i = 0; i < c->nrows; i++)
		c->rows[i].gate = c->rows[i].base->kind == MK_ERRORS;
	if (p) {
		while (*p) {
			size_t len = strcspn(p, ","), hits = 0;
			char g[METRIC_GROUP_MAX], d[16], m[16];

			if (parse_item(p, len, g, sizeof(g), d, sizeof(d), m, sizeof(m))) {
				snprintf(err, elen, "--gate: invalid item '%.*s'", (int)len, p);
				return -1;
			}
			for (i = 0; i < c->nrows; i++) {
				const struct metric *b = c->rows[i].base;

				if (group_matches(g, b->group) && !strcmp(b->dir, d) &&
				    !strcmp(b->name, m)) {
					c->rows[i].gate = true;
					hits++;
				}
			}
			if (!hits) {
				snprintf(err, elen, "--gate: %.*s is not a metric both the baseline %s and "
					 "the run have", (int)len, p, c->base_label);
				return -1;
			}
			p += len + (p[len] == ',');
		}
		return 0;
	}
	/*
	 * Default: the total's throughput and p99, and each direction's
	 * throughput when the workload has both (losing every write must
	 * fail); against the reference when both sides have one. With several
	 * devices or hosts, the same for each of them: a verdict per device
	 * and per host, and the overall one the worst.
	 */
	c->gate_on_ref = has_group(c, "ref");
	for (i = 0; i < c->nrows; i++) {
		const struct metric *b = c->rows[i].base;
		const char *g = c->gate_on_ref ? "ref" : "all";

		/* A sweep gates on its knee moving too. */
		if (!strcmp(b->group, "knee")) {
			c->rows[i].gate = true;
			continue;
		}
		if (!c->gate_on_ref && rows_group_has_verdict(b->group))
			g = b->group;
		if (strcmp(b->group, g))
			continue;
		if (!strcmp(b->dir, "total") ? !strcmp(b->name, "iops") || !strcmp(b->name, "lat_p99") :
		    !strcmp(b->name, "iops") && has_row(c, g, "read", "iops") &&
		    has_row(c, g, "write", "iops"))
			c->rows[i].gate = true;
	}
	return 0;
}

static bool gate_tested(const struct compare_row *row)
{
	return row->gate && row->v.tested && isfinite(row->v.p_value) &&
	       strcmp(row->v.method, "errors");
}

/*
 * Holm compares the gate's most significant p with alpha / m: a runs test
 * whose smallest possible p is not below that can never fail the gate, so
 * it is untested, with the runs that would make it a test.
 */
static void demote_untestable(struct comparison *c)
{
	size_t i, m = 0;
	double a;

	for (i = 0; i < c->nrows; i++)
		m += gate_tested(&c->rows[i]);
	if (m < 2)
		return;
	a = c->cfg.alpha / (double)m;
	for (i = 0; i < c->nrows; i++) {
		struct compare_row *row = &c->rows[i];
		struct row_stats *v = &row->v;

		if (!gate_tested(row) || strcmp(v->method, "runs") || !(v->p_floor >= a))
			continue;
		v->tested = false;
		v->method = "untested";
		v->runs_needed = runcmp_runs_needed(v->base_n, a, RUNCMP_MAX_RUNS);
		snprintf(v->reason, sizeof(v->reason), "untested: %zu baseline runs against %zu "
			 "cannot reach p < %g (alpha over the %zu gate metrics); %zu runs "
			 "(--repeat) would", v->base_n, v->run_n, a, m, v->runs_needed);
	}
}

void rows_decide(struct comparison *c)
{
	double *p = calloc(c->nrows ? c->nrows : 1, sizeof(double));
	size_t i, n = 0;

	demote_untestable(c);

	/* Holm over the gate's tested p-values: the check's false-alarm rate stays below alpha. */
	for (i = 0; i < c->nrows; i++) {
		struct row_stats *v = &c->rows[i].v;

		v->p_adjusted = v->p_value;
		if (p && c->rows[i].gate && v->tested && isfinite(v->p_value) &&
		    strcmp(v->method, "errors"))
			p[n++] = v->p_value;
	}
	if (p && n > 1 && stats_holm(p, n, p) == 0)
		for (i = 0, n = 0; i < c->nrows; i++) {
			struct row_stats *v = &c->rows[i].v;

			if (c->rows[i].gate && v->tested && isfinite(v->p_value) &&
			    strcmp(v->method, "errors"))
				v->p_adjusted = p[n++];
		}
	free(p);
	c->regressions = c->improvements = c->untested = c->gate_regressions = 0;
	for (i = 0; i < c->nrows; i++) {
		struct compare_row *row = &c->rows[i];
		struct row_stats *v = &row->v;
		const struct metric *b = row->base;
		double thr = thr_of(b, &c->cfg), worse, better;
		bool sig;

		if (!strcmp(v->method, "errors")) {
			v->verdict = row->run->value > b->value ? VERDICT_REGRESSED :
				row->run->value < b->value ? VERDICT_IMPROVED : VERDICT_OK;
		} else if (!v->tested) {
			v->verdict = VERDICT_UNTESTED;
		} else {
			/* Signed so that positive is worse. */
			worse = b->better == BETTER_HIGHER ? -v->change_pct : v->change_pct;
			better = -worse;
			sig = v->p_adjusted < c->cfg.alpha;
			if (worse >= thr)
				v->verdict = sig ? VERDICT_REGRESSED : VERDICT_NOISE;
			else if (better >= thr)
				v->verdict = sig ? VERDICT_IMPROVED : VERDICT_NOISE;
			else
				v->verdict = VERDICT_OK;
			/* What it could detect: the threshold, or what the spread and the runs allow. */
			if (!isnan(v->detect_up_pct)) {
				if (v->detect_up_pct < thr)
					v->detect_up_pct = thr;
				if (v->detect_down_pct > -thr)
					v->detect_down_pct = -thr;
			}
		}
		if (v->verdict == VERDICT_REGRESSED) {
			c->regressions++;
			c->gate_regressions += row->gate;
		} else if (v->verdict == VERDICT_IMPROVED) {
			c->improvements++;
		} else if (v->verdict == VERDICT_UNTESTED) {
			c->untested++;
		}
	}
}

bool rows_group_has_verdict(const char *group)
{
	return !strcmp(group, "all") || !strncmp(group, "device ", 7) ||
	       !strncmp(group, "host ", 5);
}

json_t *rows_group_verdicts(const struct comparison *c)
{
	json_t *out = json_array(), *v;
	size_t i, k;

	for (i = 0; i < c->nrows; i++) {
		const struct compare_row *r = &c->rows[i];
		bool seen = false;

		if (!rows_group_has_verdict(r->base->group))
			continue;
		json_array_foreach(out, k, v)
			if (!strcmp(json_string_value(json_object_get(v, "group")), r->base->group)) {
				seen = true;
				break;
			}
		if (!seen) {
			v = json_pack("{s:s, s:s, s:i, s:i, s:i}", "group", r->base->group,
				      "verdict", "pass", "gate_metrics", 0, "gate_regressions", 0,
				      "untested", 0);
			json_array_append_new(out, v);
		}
		if (!r->gate)
			continue;
		json_object_set_new(v, "gate_metrics", json_integer(json_integer_value(
			json_object_get(v, "gate_metrics")) + 1));
		if (r->v.verdict == VERDICT_UNTESTED)
			json_object_set_new(v, "untested", json_integer(json_integer_value(
				json_object_get(v, "untested")) + 1));
		if (r->v.verdict == VERDICT_REGRESSED) {
			json_object_set_new(v, "gate_regressions", json_integer(json_integer_value(
				json_object_get(v, "gate_regressions")) + 1));
			json_object_set_new(v, "verdict", json_string("regression"));
		}
	}
	return out;
}
