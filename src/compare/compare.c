#include "compare/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/match.h"
#include "compare/rows.h"
#include "result/history.h"
#include "result/result_text.h"
#include "util/utf8.h"
#include "util/log.h"

/* Environment facts shown when they differ (they are usually the point). */
static const char *const env_keys[] = { "kernel", "machine", "hostname", "cpus", NULL };
static const char *const target_keys[] = { "path", "kind", "size_bytes", "logical_block_size", NULL };

void compare_cfg_defaults(struct compare_cfg *cfg)
{
	*cfg = (struct compare_cfg){
		.threshold_throughput_pct = 10,
		.threshold_latency_pct = 15,
		.alpha = 0.05,
	};
}

static bool in_list(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (strcmp(*list, key) == 0)
			return true;
	return false;
}

static void value_text(json_t *v, char *buf, size_t len)
{
	char *s;

	if (!v) {
		snprintf(buf, len, "(unset)");
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	snprintf(buf, len, "%s", s ? s : "?");
	utf8_trim_partial(buf);
	free(s);
}

/*
 * A difference line; cut at a character boundary so it stays valid UTF-8,
 * and quoted as messages are (keys and values come from the files).
 */
static void add_line(json_t *out, const char *line)
{
	char buf[700], quoted[700];

	snprintf(buf, sizeof(buf), "%s", line);
	utf8_trim_partial(buf);
	log_quote(quoted, sizeof(quoted), buf);
	json_array_append_new(out, json_string(quoted));
}

/* Lists what differs into out and counts it (the count decides, not the list). */
static void diff_objects(json_t *a, json_t *b, const char *const *only, bool workload,
			 const char *prefix, json_t *out, unsigned *count)
{
	const char *key;
	json_t *v;
	char x[256], y[256], line[700];

	json_object_foreach(a, key, v) {
		json_t *w = json_object_get(b, key);

		if ((only && !in_list(only, key)) || (workload && !result_param_matters(key, a, b)))
			continue;
		if (!json_equal(v, w)) {
			value_text(v, x, sizeof(x));
			value_text(w, y, sizeof(y));
			snprintf(line, sizeof(line), "%s%s: baseline %s, run %s", prefix, key, x, y);
			add_line(out, line);
			(*count)++;
		}
	}
	json_object_foreach(b, key, v) {
		if ((only && !in_list(only, key)) || (workload && !result_param_matters(key, a, b)))
			continue;
		if (!json_object_get(a, key)) {
			value_text(v, y, sizeof(y));
			snprintf(line, sizeof(line), "%s%s: baseline (unset), run %s", prefix, key, y);
			add_line(out, line);
			(*count)++;
		}
	}
}

static void find_mismatches(struct comparison *c)
{
	char line[256];

	/* fio on either side: the workload both can say (rw, mix, bs, depth). */
	if (c->base.fio_job || c->run.fio_job) {
		c->nmismatches += match_fio_params(&c->base, &c->run, c->mismatches);
		return;
	}
	if (strcmp(c->base.command, c->run.command)) {
		snprintf(line, sizeof(line), "command: baseline %s, run %s", c->base.command,
			 c->run.command);
		add_line(c->mismatches, line);
		c->nmismatches++;
	}
	diff_objects(c->base.params, c->run.params, NULL, true, "", c->mismatches,
		     &c->nmismatches);
	diff_objects(c->base.environment, c->run.environment, env_keys, false, "", c->env_diffs,
		     &c->nenv_diffs);
	diff_objects(c->base.target, c->run.target, target_keys, false, "target.", c->env_diffs,
		     &c->nenv_diffs);
}

int compare_docs(json_t *base_doc, json_t *run_doc, const char *base_label,
		 const struct compare_cfg *cfg, struct comparison *c, char *err, size_t elen)
{
	char sub[512];
	size_t i;

	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	/* The label is a path the user gave: quoted as messages are. */
	log_quote(c->base_label, sizeof(c->base_label), base_label);
	if (metrics_from_doc(base_doc, &c->base, sub, sizeof(sub))) {
		snprintf(err, elen, "baseline %s %s", base_label, sub);
		return -1;
	}
	if (metrics_from_doc(run_doc, &c->run, sub, sizeof(sub))) {
		snprintf(err, elen, "the run %s", sub);
		metrics_free(&c->base);
		return -1;
	}
	c->mismatches = json_array();
	c->env_diffs = json_array();
	find_mismatches(c);
	if (c->nmismatches && !cfg->allow_mismatch) {
		c->refused = true;
		return 0;
	}
	/* Every direction and group of the baseline is in the run, or says why not. */
	if (match_missing(c, err, elen)) {
		comparison_free(c);
		return -1;
	}
	c->rows = calloc(c->base.n ? c->base.n : 1, sizeof(*c->rows));
	if (!c->rows) {
		snprintf(err, elen, "out of memory");
		comparison_free(c);
		return -1;
	}
	for (i = 0; i < c->base.n; i++) {
		const struct metric *b = &c->base.m[i];
		const struct metric *r = metrics_find(&c->run, b->group, b->dir, b->name);
		struct compare_row *row;

		if (!r)
			continue;
		row = &c->rows[c->nrows++];
		row->base = b;
		row->run = r;
		rows_compute(row, &c->cfg);
	}
	/* A gate fails closed: a comparison of nothing is no pass. */
	if (match_nothing_compared(c, err, elen) || rows_mark_gate(c, err, elen)) {
		comparison_free(c);
		return -1;
	}
	rows_decide(c);
	return 0;
}

static const char *verdict_label(enum verdict v)
{
	static const char *const names[] = {
		[VERDICT_OK] = "ok", [VERDICT_IMPROVED] = "improved",
		[VERDICT_REGRESSED] = "REGRESSION", [VERDICT_NOISE] = "noise",
		[VERDICT_UNTESTED] = "untested",
	};

	return names[v];
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* The change a row could detect in its worse direction (positive percent), or NAN. */
static double detectable(const struct compare_row *r)
{
	return r->base->better == BETTER_HIGHER ? -r->v.detect_down_pct : r->v.detect_up_pct;
}

/* Whether the comparison has groups of devices or hosts, each with its verdict. */
static bool has_many_verdicts(const struct comparison *c)
{
	size_t i;

	for (i = 0; i < c->nrows; i++)
		if (strcmp(c->rows[i].base->group, "all") &&
		    rows_group_has_verdict(c->rows[i].base->group))
			return true;
	return false;
}

/* "  verdicts: host a pass, host b REGRESSION (1 of 2 gating metrics)". */
static void print_group_verdicts(FILE *f, const struct comparison *c)
{
	json_t *v = rows_group_verdicts(c), *x;
	size_t i;

	fprintf(f, "  verdict per group (each gates on its own metrics; the overall verdict is "
		"the worst):\n");
	json_array_foreach(v, i, x) {
		long long n = json_integer_value(json_object_get(x, "gate_metrics"));
		long long r = json_integer_value(json_object_get(x, "gate_regressions"));
		long long u = json_integer_value(json_object_get(x, "untested"));

		fprintf(f, "    %-28s %s", json_string_value(json_object_get(x, "group")),
			r ? "REGRESSION" : "pass");
		if (r)
			fprintf(f, " (%lld of %lld gating metrics)", r, n);
		else if (u && u == n - 1)
			fprintf(f, " (untested: too few runs; errors only)");
		fprintf(f, "\n");
	}
	json_decref(v);
}

json_t *comparison_json(const struct comparison *c)
{
	json_t *rows = json_array(), *j;
	size_t i;

	for (i = 0; i < c->nrows; i++) {
		const struct compare_row *r = &c->rows[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, "
				      "s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:s, s:s}",
			"group", r->base->group, "dir", r->base->dir, "metric", r->base->name,
			"baseline", num_or_null(r->v.base_median),
			"run", num_or_null(r->v.run_median),
			"change_pct", num_or_null(r->v.change_pct),
			"ci_low_pct", num_or_null(r->v.ci_low_pct),
			"ci_high_pct", num_or_null(r->v.ci_high_pct),
			"p_value", num_or_null(r->v.p_value),
			"p_adjusted", num_or_null(r->v.p_adjusted),
			"tested", r->v.tested,
			"gate", r->gate,
			"method", r->v.method ? r->v.method : "untested",
			"baseline_n", (json_int_t)r->v.base_n,
			"run_n", (json_int_t)r->v.run_n,
			"spread_pct", num_or_null(r->v.spread_pct),
			"detectable_pct", num_or_null(detectable(r)),
			"detectable_up_pct", num_or_null(r->v.detect_up_pct),
			"detectable_down_pct", num_or_null(r->v.detect_down_pct),
			"verdict", r->v.verdict == VERDICT_REGRESSED ? "regression" :
				verdict_label(r->v.verdict),
			"reason", r->v.reason);

		if (o && r->v.runs_needed)
			json_object_set_new(o, "runs_needed", json_integer((json_int_t)r->v.runs_needed));
		json_array_append_new(rows, o);
	}
	j = json_pack("{s:s, s:s, s:s, s:{s:f, s:f}, s:f, s:b, s:O, s:O, s:o, s:I, s:I, s:I, "
		      "s:I, s:I, s:I, s:s, s:s}",
		      "baseline", c->base_label,
		      "baseline_source", c->base.source ?: "",
		      "run_source", c->run.source ?: "",
		      "thresholds_pct", "throughput", c->cfg.threshold_throughput_pct,
		      "latency", c->cfg.threshold_latency_pct,
		      "alpha", c->cfg.alpha,
		      "allow_mismatch", c->cfg.allow_mismatch,
		      "parameter_mismatches", c->mismatches,
		      "environment_differences", c->env_diffs,
		      "metrics", rows,
		      "baseline_runs", (json_int_t)c->base.nruns,
		      "run_runs", (json_int_t)c->run.nruns,
		      "regressions", (json_int_t)c->regressions,
		      "gate_regressions", (json_int_t)c->gate_regressions,
		      "improvements", (json_int_t)c->improvements,
		      "untested", (json_int_t)c->untested,
		      "gate", c->cfg.gate ? c->cfg.gate : c->gate_on_ref ? "default (ref)" : "default",
		      "verdict", c->refused ? "refused" : c->gate_regressions ? "regression" : "pass");
	if (j)
		json_object_set_new(j, "baseline_sessions", json_integer(c->base.nsessions));
	/* Several devices or hosts: a verdict for each, the overall one the worst. */
	if (j && !c->refused && has_many_verdicts(c))
		json_object_set_new(j, "verdicts", rows_group_verdicts(c));
	return j;
}

static void fmt_value(const struct metric *m, double v, char *buf, size_t len)
{
	if (!strcmp(m->group, "ref"))
		snprintf(buf, len, "x%.3f", v);  /* a ratio to the reference */
	else if (m->kind == MK_LATENCY)
		format_ns(v, buf, len);
	else if (strcmp(m->name, "bw") == 0)
		snprintf(buf, len, "%.1fMB/s", v / 1e6);
	else
		format_count(v, buf, len);
}

/* The gate's smallest detectable changes, and a threshold inside the spread. */
static void print_detectable(FILE *f, const struct comparison *c)
{
	size_t i;

	for (i = 0; i < c->nrows; i++) {
		const struct compare_row *r = &c->rows[i];
		double thr = r->base->kind == MK_LATENCY ? c->cfg.threshold_latency_pct :
			c->cfg.threshold_throughput_pct;

		if (!r->gate || r->base->kind == MK_ERRORS || !r->v.tested)
			continue;
		if (isfinite(detectable(r)))
			fprintf(f, "  %s %s %s: this comparison could detect changes of %+.1f%% / "
				"%+.1f%% or more (%zu against %zu %s)\n", r->base->group, r->base->dir,
				r->base->name, r->v.detect_down_pct, r->v.detect_up_pct, r->v.base_n,
				r->v.run_n, r->v.method);
		else if (isinf(detectable(r)))
			fprintf(f, "  %s %s %s: these runs cannot detect a change of any size\n",
				r->base->group, r->base->dir, r->base->name);
		if (isfinite(r->v.spread_pct) && r->v.spread_pct > thr)
			fprintf(f, "  %s %s %s: the threshold %.0f%% is inside this baseline's "
				"run-to-run spread of %.1f%%\n", r->base->group, r->base->dir,
				r->base->name, thr, r->v.spread_pct);
	}
}

void comparison_print(FILE *f, const struct comparison *c)
{
	char cil[32];
	size_t i;

	fprintf(f, "comparison against %s (%s, %zu runs in %u sessions; this run %zu):\n",
		c->base_label, c->base.source, c->base.nruns, c->base.nsessions, c->run.nruns);
	for (i = 0; i < json_array_size(c->env_diffs); i++)
		fprintf(f, "  environment: %s\n", json_string_value(json_array_get(c->env_diffs, i)));
	for (i = 0; i < json_array_size(c->mismatches); i++)
		fprintf(f, "  parameter differs: %s\n",
			json_string_value(json_array_get(c->mismatches, i)));
	if (c->refused) {
		fprintf(f, "  refused: the workload parameters differ (use --allow-mismatch to "
			"compare anyway)\n");
		return;
	}
	snprintf(cil, sizeof(cil), "%g%% CI", (1 - c->cfg.alpha) * 100);
	fprintf(f, "  %-14s %-6s %-10s %12s %12s %9s %19s %8s  %s\n", "group", "dir", "metric",
		"baseline", "run", "change", cil, "p", "verdict");
	for (i = 0; i < c->nrows; i++) {
		const struct compare_row *r = &c->rows[i];
		char b[24], x[24], ci[40], p[16], ch[16];

		fmt_value(r->base, r->v.base_median, b, sizeof(b));
		fmt_value(r->base, r->v.run_median, x, sizeof(x));
		if (isfinite(r->v.ci_low_pct))
			snprintf(ci, sizeof(ci), "[%+.1f%%, %+.1f%%]", r->v.ci_low_pct, r->v.ci_high_pct);
		else
			snprintf(ci, sizeof(ci), "-");
		if (r->v.tested && isfinite(r->v.p_adjusted))
			snprintf(p, sizeof(p), "%.3g", r->v.p_adjusted);
		else
			snprintf(p, sizeof(p), "-");
		if (isfinite(r->v.change_pct))
			snprintf(ch, sizeof(ch), "%+8.1f%%", r->v.change_pct);
		else
			snprintf(ch, sizeof(ch), "%9s", "-");
		fprintf(f, "%c %-14s %-6s %-10s %12s %12s %9s %19s %8s  %s\n", r->gate ? '*' : ' ',
			r->base->group, r->base->dir, r->base->name, b, x, ch, ci, p,
			verdict_label(r->v.verdict));
	}
	print_detectable(f, c);
	if (has_many_verdicts(c))
		print_group_verdicts(f, c);
	if (c->untested)
		fprintf(f, "  untested: %u metrics (%s); an untested metric never fails the gate\n",
			c->untested, c->run.nruns < 2 ? "run with --repeat" :
			"the baseline needs more runs: --save-baseline again");
	fprintf(f, "  verdict: %s (%u regressions, %u of them gating (*); %u improvements; "
		"thresholds throughput -%.0f%%, latency +%.0f%%, alpha %.2g)\n",
		c->gate_regressions ? "REGRESSION" : "pass", c->regressions, c->gate_regressions,
		c->improvements, c->cfg.threshold_throughput_pct, c->cfg.threshold_latency_pct,
		c->cfg.alpha);
}

void comparison_free(struct comparison *c)
{
	metrics_free(&c->base);
	metrics_free(&c->run);
	free(c->rows);
	json_decref(c->mismatches);
	json_decref(c->env_diffs);
	memset(c, 0, sizeof(*c));
}

int comparison_exit_status(const struct comparison *c)
{
	if (c->refused)
		return EXIT_USAGE;
	return c->gate_regressions ? EXIT_REGRESSION : EXIT_OK;
}
