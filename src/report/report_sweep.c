/*
 * The report of a sweep, and of what any run cost (report_int.h):
 *   - latency (p50, p99; the objective's statistic) against throughput,
 *     one curve per document (the run, its baseline, its reference) and a
 *     thinner one per run of --repeat, the knee marked, the objective drawn;
 *   - throughput against load, and CPU per I/O against load;
 *   - the steps' table;
 *   - the cost line and the devices under the target, for every result.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/report_int.h"
#include "result/cost.h"

#define MAX_RUN_CURVES 8

static json_t *steps_of(json_t *results)
{
	json_t *steps = json_object_get(results, "steps");

	return json_array_size(steps) && isfinite(num(json_array_get(steps, 0), "load")) ?
		steps : NULL;
}

/* The document is a sweep with steps to draw. */
static bool is_sweep(json_t *doc)
{
	return doc && json_is_object(json_object_get(doc, "sweep")) &&
	       steps_of(json_object_get(doc, "results"));
}

static bool by_rate(json_t *doc)
{
	return !strcmp(str(json_object_get(doc, "sweep"), "by"), "rate_iops");
}

/* The statistic the knee was judged by ("p99" without an objective). */
static const char *knee_stat(json_t *doc)
{
	const char *s = str(json_object_get(json_object_get(doc, "results"), "knee"), "stat");

	return s[0] ? s : "p99";
}

/* "depth 16", "rate 120k IOPS" */
static void load_words(json_t *doc, double load, char *buf, size_t len)
{
	char v[SVG_LABEL_MAX];

	if (by_rate(doc)) {
		svg_format_value(SVG_UNIT_IOPS, load, 0, v, sizeof(v));
		snprintf(buf, len, "rate %s IOPS", v);
	} else {
		snprintf(buf, len, "depth %.0f", load);
	}
}

/* One figure of every step: y = the total's key (in sub when given); x the IOPS or the load. */
static void step_series(struct report *r, struct report_chart *c, json_t *steps,
			const char *name, const char *sub, const char *key, bool x_is_load,
			enum svg_color color, enum svg_style style)
{
	size_t n = json_array_size(steps), i;
	struct svg_series *s = add_series(r, c, name, n, color, style);
	json_t *st;

	if (!s)
		return;
	json_array_foreach(steps, i, st) {
		json_t *t = json_object_get(st, "total");

		s->x[i] = x_is_load ? num(st, "load") : num(t, "iops");
		s->y[i] = sub ? num(json_object_get(t, sub), key) : num(t, key);
	}
	s->n = n;
	series_keep_if_data(c);
}

/* The reference's steps as steps (each step's reference.results), or NULL. */
static json_t *reference_steps(json_t *steps)
{
	json_t *out = json_array(), *st;
	size_t i;

	json_array_foreach(steps, i, st) {
		json_t *res = json_object_get(json_object_get(st, "reference"), "results");

		json_t *cp;

		if (!json_is_object(res) || !(cp = json_copy(res))) {
			json_decref(out);
			return NULL;
		}
		json_object_set(cp, "load", json_object_get(st, "load"));
		json_array_append_new(out, cp);
	}
	return out;
}

/* The knee's IOPS (x of the curve) and load, and its label; false without one. */
static bool knee_of(json_t *doc, double *iops, double *load, char *label, size_t len,
		    const char *who)
{
	json_t *k = json_object_get(json_object_get(doc, "results"), "knee");
	char w[64];

	*iops = num(k, "iops");
	*load = num(k, "load");
	if (!json_is_object(k) || !isfinite(*load))
		return false;
	load_words(doc, *load, w, sizeof(w));
	snprintf(label, len, "%sknee: %s%s", who, w,
		 json_is_false(json_object_get(k, "reached")) ? " (or beyond)" : "");
	return true;
}

static void curve_chart(struct report *r, json_t *steps, json_t *base_steps, json_t *ref_steps)
{
	static const enum svg_color run_colors[] = {
		SVG_GREY, SVG_OLIVE, SVG_CYAN, SVG_BROWN, SVG_PINK, SVG_AMBER, SVG_BLACK, SVG_PURPLE,
	};
	json_t *res = json_object_get(r->doc, "results"), *runs = json_object_get(r->doc, "runs");
	json_t *knee = json_object_get(res, "knee"), *st;
	const char *stat = knee_stat(r->doc);
	struct report_chart *c = chart_new(r, "sweep-curve", "Latency against throughput");
	double lo = INFINITY, hi = 0, kx, kl, slo = num(knee, "slo_ns");
	char label[96];
	size_t i, nruns = json_array_size(runs);

	if (!c)
		return;
	json_array_foreach(steps, i, st) {
		double v = num(json_object_get(st, "total"), "iops");

		if (v > 0) {
			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
	}
	/* Log axes where the data spans a decade or more. */
	c->chart.x_scale = hi > 10 * lo ? SVG_LOG : SVG_LINEAR;
	c->chart.x_unit = SVG_UNIT_IOPS;
	c->chart.y_scale = SVG_LOG;
	c->chart.y_unit = SVG_UNIT_NS;
	snprintf(c->chart.x_title, sizeof(c->chart.x_title), "IOPS%s",
		 c->chart.x_scale == SVG_LOG ? " (log scale)" : "");
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "completion latency (log scale)");
	step_series(r, c, steps, base_steps || ref_steps ? "run p50" : "p50", "lat_ns", "p50",
		    false, SVG_BLUE, SVG_STYLE_LINE_POINTS);
	step_series(r, c, steps, base_steps || ref_steps ? "run p99" : "p99", "lat_ns", "p99",
		    false, SVG_RED, SVG_STYLE_LINE_POINTS);
	if (strcmp(stat, "p50") && strcmp(stat, "p99"))
		step_series(r, c, steps, stat, "lat_ns", stat, false, SVG_PURPLE,
			    SVG_STYLE_LINE_POINTS);
	for (i = 0; i < nruns && i < MAX_RUN_CURVES; i++) {
		json_t *rs = steps_of(json_object_get(json_array_get(runs, i), "results"));
		char name[32];

		snprintf(name, sizeof(name), "run %zu p99", i + 1);
		if (rs)
			step_series(r, c, rs, name, "lat_ns", "p99", false, run_colors[i],
				    SVG_STYLE_DASHED);
	}
	if (ref_steps) {
		step_series(r, c, ref_steps, "reference p50", "lat_ns", "p50", false, SVG_GREEN,
			    SVG_STYLE_LINE_POINTS);
		step_series(r, c, ref_steps, "reference p99", "lat_ns", "p99", false, SVG_ORANGE,
			    SVG_STYLE_LINE_POINTS);
	}
	if (base_steps) {
		step_series(r, c, base_steps, "baseline p50", "lat_ns", "p50", false, SVG_BLUE,
			    SVG_STYLE_DASHED);
		step_series(r, c, base_steps, "baseline p99", "lat_ns", "p99", false, SVG_RED,
			    SVG_STYLE_DASHED);
	}
	if (isfinite(slo) && hi > 0) {
		struct svg_series *s;

		snprintf(label, sizeof(label), "objective %s", stat);
		s = add_series(r, c, label, 2, SVG_BLACK, SVG_STYLE_DASHED);
		if (s) {
			s->x[0] = lo;
			s->x[1] = hi;
			s->y[0] = s->y[1] = slo;
			s->n = 2;
		}
	}
	if (knee_of(r->doc, &kx, &kl, label, sizeof(label), "") && isfinite(kx))
		add_marker(r, c, kx, label, SVG_BLACK);
	if (base_steps && knee_of(r->base, &kx, &kl, label, sizeof(label), "baseline ") &&
	    isfinite(kx))
		add_marker(r, c, kx, label, SVG_GREY);
	snprintf(c->caption, sizeof(c->caption), "One point per step of the sweep (%s): its "
		 "throughput and the latency of all its I/O, from the step's histogram. The "
		 "vertical line is the knee (%s).%s%s%s", by_rate(r->doc) ?
		 "offered rates, a closed-loop cap" : "I/Os in flight",
		 !strcmp(str(knee, "method"), "slo") ? "the highest load within the objective" :
		 "Kneedle on throughput against ln load", nruns > 1 ?
		 " Dashed thin lines: the p99 of each run of --repeat." : "",
		 base_steps ? " Dashed: the baseline's curve." : "",
		 ref_steps ? " Green and orange: the reference measured interleaved." : "");
	chart_drop_if_empty(r);
}

static void load_chart(struct report *r, json_t *steps, json_t *base_steps, json_t *ref_steps)
{
	struct report_chart *c = chart_new(r, "sweep-iops", "Throughput by load");
	double kx, kl;
	char label[96];

	if (!c)
		return;
	c->chart.x_scale = SVG_LOG;
	c->chart.x_unit = by_rate(r->doc) ? SVG_UNIT_IOPS : SVG_UNIT_NONE;
	c->chart.y_unit = SVG_UNIT_IOPS;
	c->chart.y_zero = true;
	snprintf(c->chart.x_title, sizeof(c->chart.x_title), "%s (log scale)",
		 by_rate(r->doc) ? "offered rate, IOPS" : "I/Os in flight");
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "IOPS");
	step_series(r, c, steps, "IOPS", NULL, "iops", true, SVG_BLUE, SVG_STYLE_LINE_POINTS);
	if (by_rate(r->doc)) {
		/* The rate offered: y = x. */
		struct svg_series *s = add_series(r, c, "offered", json_array_size(steps),
							 SVG_GREY, SVG_STYLE_DASHED);
		json_t *st;
		size_t i;

		if (s) {
			json_array_foreach(steps, i, st)
				s->x[i] = s->y[i] = num(st, "load");
			s->n = json_array_size(steps);
			series_keep_if_data(c);
		}
	}
	if (ref_steps)
		step_series(r, c, ref_steps, "reference IOPS", NULL, "iops", true, SVG_GREEN,
			    SVG_STYLE_LINE_POINTS);
	if (base_steps)
		step_series(r, c, base_steps, "baseline IOPS", NULL, "iops", true, SVG_BLUE,
			    SVG_STYLE_DASHED);
	if (knee_of(r->doc, &kx, &kl, label, sizeof(label), ""))
		add_marker(r, c, kl, label, SVG_BLACK);
	if (base_steps && knee_of(r->base, &kx, &kl, label, sizeof(label), "baseline "))
		add_marker(r, c, kl, label, SVG_GREY);
	snprintf(c->caption, sizeof(c->caption), "Throughput at each load; the knee marked.%s",
		 by_rate(r->doc) ? " Dashed grey: the rate offered." : "");
	chart_drop_if_empty(r);
}

static void cpu_chart(struct report *r, json_t *steps, json_t *ref_steps)
{
	struct report_chart *c = chart_new(r, "sweep-cpu", "CPU per I/O by load");
	size_t who, i;

	if (!c)
		return;
	c->chart.x_scale = SVG_LOG;
	c->chart.x_unit = by_rate(r->doc) ? SVG_UNIT_IOPS : SVG_UNIT_NONE;
	c->chart.y_unit = SVG_UNIT_NS;
	c->chart.y_zero = true;
	snprintf(c->chart.x_title, sizeof(c->chart.x_title), "%s (log scale)",
		 by_rate(r->doc) ? "offered rate, IOPS" : "I/Os in flight");
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "CPU time per I/O");
	for (who = 0; who < 3; who++) {
		static const char *const names[] = { "system", "tool", "reference system" };
		static const char *const keys[] = { "system", "tool", "system" };
		static const enum svg_color colors[] = { SVG_RED, SVG_BLUE, SVG_GREEN };
		json_t *src = who == 2 ? ref_steps : steps, *st;
		struct svg_series *s;

		if (!src)
			continue;
		s = add_series(r, c, names[who], json_array_size(src), colors[who],
				      SVG_STYLE_LINE_POINTS);
		if (!s)
			return;
		json_array_foreach(src, i, st) {
			s->x[i] = num(st, "load");
			s->y[i] = num(json_object_get(json_object_get(st, "cpu"), "per_io_ns"),
				      keys[who]);
		}
		s->n = json_array_size(src);
		series_keep_if_data(c);
	}
	snprintf(c->caption, sizeof(c->caption), "CPU time per I/O completed at each load: the "
		 "system's (every CPU's busy time over the step, the kernel's I/O path and "
		 "anything else running included) and the tool's own.");
	chart_drop_if_empty(r);
}

void report_sweep_charts(struct report *r)
{
	json_t *res = json_object_get(r->doc, "results"), *steps = steps_of(res);
	json_t *base_steps = is_sweep(r->base) ? steps_of(json_object_get(r->base, "results")) :
		NULL;
	json_t *ref_steps;

	if (!is_sweep(r->doc))
		return;
	ref_steps = reference_steps(steps);
	curve_chart(r, steps, base_steps, ref_steps);
	load_chart(r, steps, base_steps, ref_steps);
	cpu_chart(r, steps, ref_steps);
	json_decref(ref_steps);
}

/* ---- tables ------------------------------------------------------------------ */

static void cell(struct sbuf *o, enum svg_unit u, double v)
{
	char buf[SVG_LABEL_MAX];

	if (isfinite(v))
		svg_format_value(u, v, 0, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "–");
	sbuf_printf(o, "<td class=\"n\">%s</td>", buf);
}

static void pct_cell(struct sbuf *o, double v)
{
	char buf[SVG_NUM_MAX];

	if (!isfinite(v)) {
		sbuf_add(o, "<td class=\"n\">–</td>");
		return;
	}
	svg_fmt_fixed(v, 1, buf, sizeof(buf));
	sbuf_printf(o, "<td class=\"n\">%s%%</td>", buf);
}

void report_sweep_steps_html(struct sbuf *o, const struct report *r)
{
	json_t *res = json_object_get(r->doc, "results"), *steps = steps_of(res), *st;
	json_t *knee = json_object_get(res, "knee");
	const char *stat = knee_stat(r->doc);
	bool ref = false;
	size_t i;

	if (!steps)
		return;
	json_array_foreach(steps, i, st)
		ref |= json_is_object(json_object_get(st, "reference"));
	sbuf_printf(o, "<h2>Steps</h2>\n<table>\n<tr><th>step</th><th class=\"n\">%s</th>"
		    "<th class=\"n\">IOPS</th><th class=\"n\">bandwidth</th><th class=\"n\">p50</th>"
		    "<th class=\"n\">p99</th><th class=\"n\">p99.9</th><th class=\"n\">CPU/I/O</th>"
		    "<th class=\"n\">tool CPU/I/O</th><th class=\"n\">target busy</th>%s<th></th></tr>\n",
		    by_rate(r->doc) ? "rate" : "depth",
		    ref ? "<th class=\"n\">IOPS overhead</th><th class=\"n\">p99 overhead</th>"
		    "<th class=\"n\">CPU/I/O overhead</th>" : "");
	json_array_foreach(steps, i, st) {
		json_t *t = json_object_get(st, "total"), *lat = json_object_get(t, "lat_ns");
		json_t *per = json_object_get(json_object_get(st, "cpu"), "per_io_ns"), *d;
		json_t *ov = json_object_get(json_object_get(json_object_get(st, "reference"),
							     "overhead"), "total");
		const char *name;
		double busy = NAN;

		json_object_foreach(json_object_get(st, "device_stats"), name, d)
			if (!strcmp(str(d, "role"), "target"))
				busy = num(d, "util_pct");
		sbuf_printf(o, "<tr><th>%zu</th>", i + 1);
		cell(o, by_rate(r->doc) ? SVG_UNIT_IOPS : SVG_UNIT_NONE, num(st, "load"));
		cell(o, SVG_UNIT_IOPS, num(t, "iops"));
		cell(o, SVG_UNIT_BPS, num(t, "bw_bytes_per_s"));
		cell(o, SVG_UNIT_NS, num(lat, "p50"));
		cell(o, SVG_UNIT_NS, num(lat, "p99"));
		cell(o, SVG_UNIT_NS, num(lat, "p99.9"));
		cell(o, SVG_UNIT_NS, num(per, "system"));
		cell(o, SVG_UNIT_NS, num(per, "tool"));
		pct_cell(o, busy);
		if (ref) {
			pct_cell(o, num(json_object_get(ov, "iops"), "estimate_pct"));
			pct_cell(o, num(json_object_get(ov, "lat_p99"), "estimate_pct"));
			pct_cell(o, num(json_object_get(ov, "cpu_per_io"), "estimate_pct"));
		}
		sbuf_printf(o, "<td>%s</td></tr>\n", json_is_true(json_object_get(knee, "found")) &&
			    num(knee, "step") == (double)(i + 1) ? "<b>knee</b>" : "");
	}
	sbuf_add(o, "</table>\n");
	if (json_is_object(knee)) {
		char what[64], lo[64], hi[64];
		double load = num(knee, "load");

		load_words(r->doc, load, what, sizeof(what));
		load_words(r->doc, num(knee, "low"), lo, sizeof(lo));
		load_words(r->doc, num(knee, "high"), hi, sizeof(hi));
		sbuf_add(o, "<p>Knee: ");
		if (!isfinite(load))
			sbuf_printf(o, "none: the first step already missed the objective (%s).", stat);
		else if (json_is_false(json_object_get(knee, "reached")))
			sbuf_printf(o, "%s or beyond: %s within the sweep.", what,
				    !strcmp(str(knee, "method"), "slo") ?
				    "every step met the objective" : "throughput still grew");
		else
			sbuf_printf(o, "<b>%s</b>, between %s and %s (%s).", what,
				    isfinite(num(knee, "low")) ? lo : "the first step",
				    isfinite(num(knee, "high")) ? hi : "the last", !strcmp(str(knee,
				    "method"), "slo") ? "the highest load within the objective" :
				    "Kneedle on throughput against ln load");
		if (by_rate(r->doc))
			sbuf_printf(o, " Rates are a %s: the wait for a token is not in the latency.",
				    str(json_object_get(r->doc, "sweep"), "rate_mode"));
		sbuf_add(o, "</p>\n");
	}
}

void report_cost_html(struct sbuf *o, const struct report *r)
{
	json_t *res = json_object_get(r->doc, "results"), *devs, *d;
	json_t *proc = json_object_get(json_object_get(res, "cpu"), "process");
	const char *name;
	char line[512];

	cost_line(res, line, sizeof(line));
	if (!line[0])
		return;
	sbuf_add(o, "<h2>Cost</h2>\n<p>During the measured windows ");
	sbuf_add_escaped(o, line);
	sbuf_add(o, ".");
	if (json_is_object(proc))
		sbuf_printf(o, " The whole run's process used %.2f s of user and %.2f s of system "
			    "time.", num(proc, "user_s"), num(proc, "system_s"));
	sbuf_add(o, "</p>\n");
	devs = json_object_get(res, "device_stats");
	if (!json_object_size(devs))
		return;
	sbuf_add(o, "<table>\n<tr><th>device</th><th>role</th><th class=\"n\">reads</th>"
		 "<th class=\"n\">writes</th><th class=\"n\">read</th><th class=\"n\">written</th>"
		 "<th class=\"n\">merged</th><th class=\"n\">flushes</th><th class=\"n\">busy</th>"
		 "<th class=\"n\">in flight (mean, max)</th></tr>\n");
	json_object_foreach(devs, name, d) {
		char a[SVG_NUM_MAX];
		unsigned depth = (unsigned)num(d, "depth");

		sbuf_add(o, "<tr><th>");
		while (depth-- > 0 && depth < 8)
			sbuf_add(o, "&nbsp;&nbsp;");
		sbuf_add_escaped(o, name);
		sbuf_add(o, "</th><td>");
		sbuf_add_escaped(o, str(d, "role"));
		sbuf_add(o, "</td>");
		cell(o, SVG_UNIT_NONE, num(d, "reads_completed"));
		cell(o, SVG_UNIT_NONE, num(d, "writes_completed"));
		cell(o, SVG_UNIT_BYTES, num(d, "sectors_read") * 512);
		cell(o, SVG_UNIT_BYTES, num(d, "sectors_written") * 512);
		cell(o, SVG_UNIT_NONE, num(d, "reads_merged") + num(d, "writes_merged"));
		cell(o, SVG_UNIT_NONE, num(d, "flushes_completed"));
		pct_cell(o, num(d, "util_pct"));
		svg_fmt_fixed(num(d, "in_flight_mean"), 1, a, sizeof(a));
		sbuf_printf(o, "<td class=\"n\">%s, %.0f</td></tr>\n",
			    isfinite(num(d, "in_flight_mean")) ? a : "–", num(d, "in_flight_max"));
	}
	sbuf_add(o, "</table>\n");
}
