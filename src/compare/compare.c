#include "compare/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/match.h"
#include "result/result_text.h"
#include "util/utf8.h"
#include "util/log.h"

/*
 * Parameters that do not change the workload: never a reason to refuse.
 * A rate cap is a throttle on the same workload: capping a run is how a
 * user (and the test suite) checks that the gate trips.
 */
static const char *const not_workload[] = {
	"target", "scratch_dir", "force", "seed", "max_errors", "output", "output_format",
	"rate_iops", "timeout_s",
	"quiet", "baseline", "save_baseline", "baseline_dir", NULL,
};

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

/*
 * A workload parameter that cannot make a difference between these two
 * runs' parameters: rwmix_read shapes only the mixed modes (randrw, rw), so
 * between two runs that each only read or only write it is noise (a
 * randread run and a randread baseline with another --rwmix-read are the
 * same workload). A difference in rw itself is still one.
 */
static bool param_moot(const char *key, json_t *params_a, json_t *params_b)
{
	const char *ra = json_string_value(json_object_get(params_a, "rw"));
	const char *rb = json_string_value(json_object_get(params_b, "rw"));

	return strcmp(key, "rwmix_read") == 0 && ra && rb &&
	       strcmp(ra, "randrw") && strcmp(ra, "rw") && strcmp(rb, "randrw") && strcmp(rb, "rw");
}

/*
 * Lists what differs into out and counts it (the count decides, not the
 * list). moot, when given, drops keys that cannot matter between a and b.
 */
static void diff_objects(json_t *a, json_t *b, const char *const *only,
			 const char *const *skip, bool (*moot)(const char *, json_t *, json_t *),
			 const char *prefix, json_t *out, unsigned *count)
{
	const char *key;
	json_t *v;
	char x[256], y[256], line[700];

	json_object_foreach(a, key, v) {
		json_t *w = json_object_get(b, key);

		if ((only && !in_list(only, key)) || (skip && in_list(skip, key)) ||
		    (moot && moot(key, a, b)))
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
		if ((only && !in_list(only, key)) || (skip && in_list(skip, key)) ||
		    (moot && moot(key, a, b)))
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
	diff_objects(c->base.params, c->run.params, NULL, not_workload, param_moot, "",
		     c->mismatches, &c->nmismatches);
	diff_objects(c->base.environment, c->run.environment, env_keys, NULL, NULL, "",
		     c->env_diffs, &c->nenv_diffs);
	diff_objects(c->base.target, c->run.target, target_keys, NULL, NULL, "target.",
		     c->env_diffs, &c->nenv_diffs);
}

static void compare_row(struct comparison *c, struct compare_row *row)
{
	const struct metric *b = row->base, *r = row->run;
	struct verdict_cfg vc = {
		.threshold_pct = b->kind == MK_LATENCY ? c->cfg.threshold_latency_pct :
			c->cfg.threshold_throughput_pct,
		.alpha = c->cfg.alpha,
		.min_samples = 5,
	};
	enum metric_dir dir = b->better == BETTER_HIGHER ? HIGHER_IS_BETTER : LOWER_IS_BETTER;

	if (b->kind == MK_ERRORS) {
		/* Any increase of errors fails, whatever the thresholds. */
		memset(&row->v, 0, sizeof(row->v));
		row->v.base_median = b->value;
		row->v.run_median = r->value;
		row->v.change_pct = b->value > 0 ? (r->value / b->value - 1) * 100 : 0;
		row->v.p_value = NAN;
		row->v.ci_low_pct = row->v.ci_high_pct = NAN;
		row->v.verdict = r->value > b->value ? VERDICT_REGRESSED :
			r->value < b->value ? VERDICT_IMPROVED : VERDICT_OK;
		row->v.reason = "any increase of errors is a regression";
		return;
	}
	if (b->nsamples && r->nsamples)
		verdict_compare(b->samples, b->nsamples, r->samples, r->nsamples, dir, &vc, &row->v);
	else
		verdict_compare_scalar(b->value, r->value, dir, &vc, &row->v);
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
		compare_row(c, row);
		if (row->v.verdict == VERDICT_REGRESSED)
			c->regressions++;
		else if (row->v.verdict == VERDICT_IMPROVED)
			c->improvements++;
	}
	/* A gate fails closed: a comparison of nothing is no pass. */
	if (match_nothing_compared(c, err, elen)) {
		comparison_free(c);
		return -1;
	}
	return 0;
}

static const char *verdict_label(enum verdict v)
{
	static const char *const names[] = {
		[VERDICT_OK] = "ok", [VERDICT_IMPROVED] = "improved",
		[VERDICT_REGRESSED] = "REGRESSION", [VERDICT_NOISE] = "noise",
	};

	return names[v];
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *comparison_json(const struct comparison *c)
{
	json_t *rows = json_array(), *j;
	size_t i;

	for (i = 0; i < c->nrows; i++) {
		const struct compare_row *r = &c->rows[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:s, s:s?}",
			"group", r->base->group, "dir", r->base->dir, "metric", r->base->name,
			"baseline", num_or_null(r->v.base_median),
			"run", num_or_null(r->v.run_median),
			"change_pct", num_or_null(r->v.change_pct),
			"ci_low_pct", num_or_null(r->v.ci_low_pct),
			"ci_high_pct", num_or_null(r->v.ci_high_pct),
			"p_value", num_or_null(r->v.p_value),
			"tested", r->v.tested,
			"verdict", r->v.verdict == VERDICT_REGRESSED ? "regression" :
				verdict_label(r->v.verdict),
			"reason", r->v.reason);

		json_array_append_new(rows, o);
	}
	j = json_pack("{s:s, s:s, s:s, s:{s:f, s:f}, s:f, s:b, s:O, s:O, s:o, s:I, s:I, s:s}",
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
		      "regressions", (json_int_t)c->regressions,
		      "improvements", (json_int_t)c->improvements,
		      "verdict", c->refused ? "refused" : c->regressions ? "regression" : "pass");
	return j;
}

static void fmt_value(const struct metric *m, double v, char *buf, size_t len)
{
	if (m->kind == MK_LATENCY)
		format_ns(v, buf, len);
	else if (strcmp(m->name, "bw") == 0)
		snprintf(buf, len, "%.1fMB/s", v / 1e6);
	else
		format_count(v, buf, len);
}

void comparison_print(FILE *f, const struct comparison *c)
{
	size_t i;

	fprintf(f, "comparison against %s (%s):\n", c->base_label, c->base.source);
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
	fprintf(f, "  %-12s %-6s %-10s %12s %12s %9s %19s %8s  %s\n", "group", "dir", "metric",
		"baseline", "run", "change", "95% CI", "p", "verdict");
	for (i = 0; i < c->nrows; i++) {
		const struct compare_row *r = &c->rows[i];
		char b[24], x[24], ci[40], p[16];

		fmt_value(r->base, r->v.base_median, b, sizeof(b));
		fmt_value(r->base, r->v.run_median, x, sizeof(x));
		if (isfinite(r->v.ci_low_pct))
			snprintf(ci, sizeof(ci), "[%+.1f%%, %+.1f%%]", r->v.ci_low_pct, r->v.ci_high_pct);
		else
			snprintf(ci, sizeof(ci), "-");
		if (r->v.tested && isfinite(r->v.p_value))
			snprintf(p, sizeof(p), "%.3g", r->v.p_value);
		else
			snprintf(p, sizeof(p), "-");
		fprintf(f, "  %-12s %-6s %-10s %12s %12s %+8.1f%% %19s %8s  %s\n", r->base->group,
			r->base->dir, r->base->name, b, x, r->v.change_pct, ci, p,
			verdict_label(r->v.verdict));
	}
	fprintf(f, "  verdict: %s (%u regressions, %u improvements; thresholds throughput "
		"-%.0f%%, latency +%.0f%%, alpha %.2g)\n",
		c->regressions ? "REGRESSION" : "pass", c->regressions, c->improvements,
		c->cfg.threshold_throughput_pct, c->cfg.threshold_latency_pct, c->cfg.alpha);
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
	return c->regressions ? EXIT_REGRESSION : EXIT_OK;
}
