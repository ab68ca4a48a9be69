/*
 * The report as one HTML page (report_html): the verdicts, the facts, the
 * results, parts and streams tables, the charts inline and the comparison.
 * The charts themselves are built by report.c and the chart files.
 */
#include "report/report_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the page ------------------------------------------------------------- */

static const char page_css[] =
	"body{font-family:\"DejaVu Sans\",Helvetica,Arial,sans-serif;color:#222;"
	"max-width:1180px;margin:20px auto;padding:0 12px;font-size:14px;line-height:1.4}\n"
	"h1{font-size:22px;margin:0 0 2px}\n"
	"h2{font-size:17px;margin:26px 0 8px;padding-bottom:3px;border-bottom:1px solid #ddd}\n"
	"h3{font-size:14px;margin:0 0 4px}\n"
	".sub{color:#555;margin:0 0 10px}\n"
	".verdict{padding:7px 12px;margin:6px 0;border-radius:4px;font-weight:bold}\n"
	".pass{background:#e5f4e8;color:#1d6b33}.fail{background:#fde6e6;color:#a31515}"
	".warn{background:#fff2d9;color:#7a5200}\n"
	".facts{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:18px}\n"
	"table{border-collapse:collapse;font-size:13px}\n"
	"th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}\n"
	".facts th,.facts td{padding:1px 6px;font-size:12px}\n"
	"table.kv{width:100%}table.kv th{font-weight:normal;color:#555;white-space:nowrap}\n"
	"table.kv table.kv{margin:0}table.kv td{word-break:break-word}\n"
	".n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"code,pre{font-family:\"DejaVu Sans Mono\",monospace;font-size:12px}\n"
	"pre{white-space:pre-wrap;word-break:break-all;margin:0}\n"
	".v-regression{color:#a31515;font-weight:bold}.v-improved{color:#1d6b33}"
	".v-noise{color:#7a5200}\n"
	"figure{margin:14px 0 22px;break-inside:avoid;page-break-inside:avoid}\n"
	"figure svg{display:block;max-width:100%;height:auto}\n"
	"figcaption{color:#555;font-size:13px;margin-top:4px}\n"
	"footer{color:#777;font-size:12px;margin-top:28px}\n"
	"@media print{body{max-width:none;margin:0;font-size:12px}"
	".facts{grid-template-columns:repeat(3,minmax(0,1fr))}h2{break-after:avoid}"
	"tr{break-inside:avoid}}\n";

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* dm table and status lines: [{start, length, type, params}] as dmsetup prints them. */
static bool segment_lines(struct sbuf *o, json_t *v)
{
	json_t *seg;
	size_t i;

	if (!json_is_array(v) || !json_array_size(v))
		return false;
	json_array_foreach(v, i, seg)
		if (!json_is_string(json_object_get(seg, "type")))
			return false;
	sbuf_add(o, "<pre>");
	json_array_foreach(v, i, seg) {
		sbuf_printf(o, "%s%.0f %.0f ", i ? "\n" : "", num(seg, "start"), num(seg, "length"));
		esc(o, str(seg, "type"));
		if (str(seg, "params")[0]) {
			sbuf_add(o, " ");
			esc(o, str(seg, "params"));
		}
	}
	sbuf_add(o, "</pre>");
	return true;
}

static void kv_table(struct sbuf *o, json_t *obj, int depth);

static void kv_value(struct sbuf *o, const char *key, json_t *v, int depth)
{
	char buf[64], *s;

	switch (json_typeof(v)) {
	case JSON_STRING:
		esc(o, json_string_value(v));
		return;
	case JSON_INTEGER:
		sbuf_printf(o, "%lld", (long long)json_integer_value(v));
		if ((ends_with(key, "_bytes") || strcmp(key, "bs") == 0) &&
		    json_integer_value(v) >= 1024) {
			svg_format_value(SVG_UNIT_BYTES, (double)json_integer_value(v), 0, buf,
					 sizeof(buf));
			sbuf_printf(o, " (%s)", buf);
		}
		return;
	case JSON_REAL:
		svg_fmt_fixed(json_real_value(v), 6, buf, sizeof(buf));
		sbuf_add(o, buf);
		return;
	case JSON_TRUE:
		sbuf_add(o, "yes");
		return;
	case JSON_FALSE:
		sbuf_add(o, "no");
		return;
	case JSON_NULL:
		sbuf_add(o, "–");
		return;
	case JSON_OBJECT:
		if (depth < 2 && json_object_size(v) <= 16) {
			kv_table(o, v, depth + 1);
			return;
		}
		break;
	case JSON_ARRAY:
		if (segment_lines(o, v))
			return;
		break;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
	if (s && strlen(s) <= 90) {
		sbuf_add(o, "<code>");
		esc(o, s);
		sbuf_add(o, "</code>");
	} else if (s) {
		free(s);
		s = json_dumps(v, JSON_INDENT(1) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
		sbuf_printf(o, "<details><summary>%zu %s</summary><pre>",
			    json_is_array(v) ? json_array_size(v) : json_object_size(v),
			    json_is_array(v) ? "entries" : "fields");
		esc(o, s ? s : "");
		sbuf_add(o, "</pre></details>");
	}
	free(s);
}

static void kv_table(struct sbuf *o, json_t *obj, int depth)
{
	const char *key;
	json_t *v;

	sbuf_add(o, "<table class=\"kv\">\n");
	json_object_foreach(obj, key, v) {
		sbuf_add(o, "<tr><th>");
		esc(o, key);
		sbuf_add(o, "</th><td>");
		kv_value(o, key, v, depth);
		sbuf_add(o, "</td></tr>\n");
	}
	sbuf_add(o, "</table>\n");
}

static void verdict_line(struct sbuf *o, const char *cls, const char *text, const char *extra)
{
	sbuf_printf(o, "<p class=\"verdict %s\">", cls);
	esc(o, text);
	if (extra && extra[0])
		esc(o, extra);
	sbuf_add(o, "</p>\n");
}

static double zero_nan(double v)
{
	return isfinite(v) ? v : 0;
}

static void run_verdict(struct sbuf *o, const struct report *r)
{
	json_t *res = json_object_get(r->doc, "results"), *e = json_object_get(res, "errors");
	double io = zero_nan(num(e, "io")), sh = zero_nan(num(e, "short"));
	double ver = zero_nan(num(e, "verify"));
	char text[160];

	if (!json_is_object(res))
		return;
	if (io + sh + ver > 0) {
		snprintf(text, sizeof(text), "I/O errors: %.0f failed, %.0f short, %.0f verify "
			 "mismatches%s", io, sh, ver,
			 json_is_true(json_object_get(res, "stopped_by_errors")) ?
			 " (the run stopped at --max-errors)" : "");
		verdict_line(o, "fail", text, NULL);
	} else if (json_is_true(json_object_get(r->doc, "interrupted"))) {
		verdict_line(o, "warn", "Interrupted by a signal: the results cover the time "
			     "until then.", NULL);
	} else if (json_is_false(json_object_get(r->doc, "complete"))) {
		verdict_line(o, "warn", "Incomplete: the run was still going, or was killed; "
			     "this is the data written so far.", NULL);
	} else {
		verdict_line(o, "pass", "Run completed without I/O errors.", NULL);
	}
}

static void comparison_verdict(struct sbuf *o, const struct report *r)
{
	json_t *c = r->comparison;
	const char *v = str(c, "verdict");
	double regs = zero_nan(num(c, "regressions")), imps = zero_nan(num(c, "improvements"));
	char text[700];

	if (!c)
		return;
	if (strcmp(v, "refused") == 0) {
		snprintf(text, sizeof(text), "REFUSED: the workload parameters differ from the "
			 "baseline %s.", str(c, "baseline"));
		verdict_line(o, "warn", text, NULL);
	} else if (strcmp(v, "regression") == 0) {
		snprintf(text, sizeof(text), "REGRESSION: %.0f of %zu metrics regressed against the "
			 "baseline %s (%.0f improved).", regs,
			 json_array_size(json_object_get(c, "metrics")), str(c, "baseline"), imps);
		verdict_line(o, "fail", text, NULL);
	} else {
		snprintf(text, sizeof(text), "PASS: no regression against the baseline %s "
			 "(%.0f improved).", str(c, "baseline"), imps);
		verdict_line(o, "pass", text, NULL);
	}
}

static void page_header(struct sbuf *o, const struct report *r, const char *source)
{
	json_t *doc = r->doc, *env = json_object_get(doc, "environment");
	json_t *params = json_object_get(doc, "params");

	sbuf_add(o, "<header>\n<h1>dmremap-bench ");
	esc(o, str(doc, "command"));
	if (json_is_string(json_object_get(params, "type"))) {
		sbuf_add(o, " ");
		esc(o, str(params, "type"));
	}
	sbuf_add(o, "</h1>\n<p class=\"sub\">Result <code>");
	esc(o, source);
	sbuf_add(o, "</code>");
	if (json_is_string(json_object_get(env, "start_time"))) {
		sbuf_add(o, " · started ");
		esc(o, str(env, "start_time"));
	}
	if (json_is_string(json_object_get(env, "hostname"))) {
		sbuf_add(o, " on ");
		esc(o, str(env, "hostname"));
	}
	if (json_is_string(json_object_get(doc, "a"))) {
		sbuf_add(o, " · B <code>");
		esc(o, str(doc, "b"));
		sbuf_add(o, "</code> against A <code>");
		esc(o, str(doc, "a"));
		sbuf_add(o, "</code>");
	}
	sbuf_add(o, " · dmremap-bench ");
	esc(o, str(doc, "version"));
	sbuf_add(o, "</p>\n");
	comparison_verdict(o, r);
	run_verdict(o, r);
	sbuf_add(o, "</header>\n");
}

/*
 * size_bytes sizes the scratch file the tool makes: on a device or file of
 * the user's it applied to nothing (a scale run's dataset is dataset_bytes).
 */
static bool size_applied(json_t *doc)
{
	json_t *t = json_object_get(doc, "target");

	if (json_is_object(t))
		return !json_is_false(json_object_get(t, "scratch"));
	return !json_array_size(json_object_get(json_object_get(doc, "params"), "targets"));
}

static void facts(struct sbuf *o, const struct report *r)
{
	static const char *const parts[][2] = {
		{ "params", "Parameters" }, { "target", "Target" }, { "environment", "Environment" },
	};
	size_t i, shown = 0;

	for (i = 0; i < 3; i++)
		shown += json_is_object(json_object_get(r->doc, parts[i][0]));
	if (!shown)
		return;
	sbuf_add(o, "<section class=\"facts\">\n");
	for (i = 0; i < 3; i++) {
		json_t *obj = json_object_get(r->doc, parts[i][0]);

		if (!json_is_object(obj))
			continue;
		sbuf_printf(o, "<div>\n<h2>%s</h2>\n", parts[i][1]);
		if (i == 0 && json_object_get(obj, "size_bytes") && !size_applied(r->doc)) {
			json_t *kept = json_copy(obj);

			json_object_del(kept, "size_bytes");
			kv_table(o, kept ? kept : obj, 0);
			json_decref(kept);
		} else {
			kv_table(o, obj, 0);
		}
		sbuf_add(o, "</div>\n");
	}
	sbuf_add(o, "</section>\n");
}

static void stat_cells(struct sbuf *o, json_t *d)
{
	static const char *const pcts[] = { "mean", "p50", "p90", "p99", "p99.9", "p99.99", "max" };
	json_t *lat = json_object_get(d, "lat_ns");
	char buf[SVG_LABEL_MAX];
	size_t i;

	sbuf_printf(o, "<td class=\"n\">%.0f</td>", zero_nan(num(d, "ops")));
	fmt_unit(SVG_UNIT_IOPS, num(d, "iops"), buf, sizeof(buf));
	sbuf_printf(o, "<td class=\"n\">%s</td>", buf);
	fmt_unit(SVG_UNIT_BPS, num(d, "bw_bytes_per_s"), buf, sizeof(buf));
	sbuf_printf(o, "<td class=\"n\">%s</td>", buf);
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		fmt_unit(SVG_UNIT_NS, num(lat, pcts[i]), buf, sizeof(buf));
		sbuf_printf(o, "<td class=\"n\">%s</td>", buf);
	}
}

static const char stat_head[] =
	"<th class=\"n\">I/Os</th><th class=\"n\">IOPS</th><th class=\"n\">bandwidth</th>"
	"<th class=\"n\">mean</th><th class=\"n\">p50</th><th class=\"n\">p90</th>"
	"<th class=\"n\">p99</th><th class=\"n\">p99.9</th><th class=\"n\">p99.99</th>"
	"<th class=\"n\">max</th>";

static void results_table(struct sbuf *o, const struct report *r)
{
	static const char *const dirs[] = { "read", "write", "total" };
	json_t *res = json_object_get(r->doc, "results"), *conc;
	char d[SVG_LABEL_MAX];
	size_t i;

	if (!json_is_object(json_object_get(res, "total")))
		return;
	fmt_unit(SVG_UNIT_SECONDS, num(res, "duration_s"), d, sizeof(d));
	sbuf_printf(o, "<h2>Results</h2>\n<p>Measured for %s", d);
	if (num(res, "ramp_ops") > 0)
		sbuf_printf(o, "; %.0f I/Os during the ramp are not counted", num(res, "ramp_ops"));
	conc = json_object_get(res, "concurrency");
	if (json_is_object(conc))
		sbuf_printf(o, ". %.0f workers, %.0f in flight wanted, %.1f on average, "
			    "%.0f at most", num(conc, "workers"), num(conc, "inflight_target"),
			    num(conc, "inflight_mean"), num(conc, "inflight_max"));
	if (json_is_object(conc) && num(conc, "submit_limit") > 0)
		sbuf_printf(o, "; at most %.0f in the kernel at once (%.1f on average), the "
			    "rest waiting in the workers", num(conc, "submit_limit"),
			    num(conc, "kernel_inflight_mean"));
	sbuf_printf(o, ". Latency is completion latency.</p>\n<table>\n<tr><th></th>%s</tr>\n",
		    stat_head);
	for (i = 0; i < 3; i++) {
		json_t *dir = json_object_get(res, dirs[i]);

		if (!json_is_object(dir) || (i < 2 && !(num(dir, "ops") > 0)))
			continue;
		sbuf_printf(o, "<tr><th>%s</th>", dirs[i]);
		stat_cells(o, dir);
		sbuf_add(o, "</tr>\n");
	}
	sbuf_add(o, "</table>\n");
}

/* Scale steps or workload phases, one row each. */
static void parts_table(struct sbuf *o, const struct report *r)
{
	json_t *res = json_object_get(r->doc, "results");
	json_t *parts = json_object_get(res, "phases"), *p;
	bool steps = false;
	size_t i;

	if (!json_is_array(parts)) {
		parts = json_object_get(res, "steps");
		steps = true;
	}
	if (json_is_object(json_object_get(r->doc, "sweep"))) {
		report_sweep_steps_html(o, r);
		return;
	}
	if (!json_array_size(parts))
		return;
	sbuf_printf(o, "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th class=\"n\">%s</th>%s</tr>\n",
		    steps ? "Steps" : "Phases", steps ? "step" : "phase",
		    steps ? "span" : "duration", stat_head);
	json_array_foreach(parts, i, p) {
		char name[64], v[SVG_LABEL_MAX];

		if (steps) {
			snprintf(name, sizeof(name), "%zu", i + 1);
			fmt_unit(SVG_UNIT_BYTES, num(p, "span_bytes"), v, sizeof(v));
		} else {
			trimmed(str(p, "name"), name, sizeof(name));
			fmt_unit(SVG_UNIT_SECONDS, num(p, "duration_s"), v, sizeof(v));
		}
		sbuf_add(o, "<tr><th>");
		esc(o, name);
		sbuf_printf(o, "</th><td class=\"n\">%s</td>", v);
		stat_cells(o, json_object_get(p, "total"));
		sbuf_add(o, "</tr>\n");
	}
	sbuf_add(o, "</table>\n");
}

/* The rows of one part's streams (part: its name, or NULL for the run). */
static void stream_rows(struct sbuf *o, json_t *streams, const char *part)
{
	static const char *const dirs[] = { "read", "write", "flush", "discard" };
	json_t *st;
	size_t i, d;

	json_array_foreach(streams, i, st) {
		char name[64];

		trimmed(str(st, "name"), name, sizeof(name));
		for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
			json_t *dir = json_object_get(st, dirs[d]);

			if (!json_is_object(dir) || !(num(dir, "ops") > 0))
				continue;
			sbuf_add(o, "<tr>");
			if (part) {
				sbuf_add(o, "<td>");
				esc(o, part);
				sbuf_add(o, "</td>");
			}
			sbuf_add(o, "<th>");
			esc(o, name);
			sbuf_printf(o, "</th><td>%s</td>", dirs[d]);
			stat_cells(o, dir);
			sbuf_add(o, "</tr>\n");
		}
	}
}

/*
 * A row per stream and direction, of the run or of each phase or step, when
 * a workload has several streams: a database's log is its own line, not
 * hidden in the totals.
 */
static void streams_table(struct sbuf *o, const struct report *r)
{
	json_t *res = json_object_get(r->doc, "results"), *parts, *p;
	bool by_part, several = json_array_size(json_object_get(res, "streams")) > 1;
	size_t i;

	parts = json_object_get(res, "phases");
	if (!json_is_array(parts))
		parts = json_object_get(res, "steps");
	by_part = json_array_size(parts) > 0 && !several;
	if (by_part)
		json_array_foreach(parts, i, p)
			several |= json_array_size(json_object_get(p, "streams")) > 1;
	if (!several)
		return;
	sbuf_printf(o, "<h2>Streams</h2>\n<table>\n<tr>%s<th>stream</th><th>dir</th>%s</tr>\n",
		    by_part ? "<th>part</th>" : "", stat_head);
	if (!by_part) {
		stream_rows(o, json_object_get(res, "streams"), NULL);
	} else {
		json_array_foreach(parts, i, p) {
			char name[64];

			if (json_is_string(json_object_get(p, "name")))
				trimmed(str(p, "name"), name, sizeof(name));
			else
				snprintf(name, sizeof(name), "step %zu", i + 1);
			stream_rows(o, json_object_get(p, "streams"), name);
		}
	}
	sbuf_add(o, "</table>\n");
}

static enum svg_unit metric_unit(const char *metric)
{
	if (strcmp(metric, "iops") == 0)
		return SVG_UNIT_IOPS;
	if (strcmp(metric, "bw") == 0)
		return SVG_UNIT_BPS;
	if (strncmp(metric, "lat_", 4) == 0 || strstr(metric, "cpu_per_io"))
		return SVG_UNIT_NS;
	return SVG_UNIT_NONE;
}

static void string_list(struct sbuf *o, json_t *a, const char *title)
{
	json_t *s;
	size_t i;

	if (!json_array_size(a))
		return;
	sbuf_printf(o, "<p>%s:</p>\n<ul>\n", title);
	json_array_foreach(a, i, s) {
		sbuf_add(o, "<li>");
		esc(o, json_string_value(s) ? json_string_value(s) : "");
		sbuf_add(o, "</li>\n");
	}
	sbuf_add(o, "</ul>\n");
}

static void comparison_row(struct sbuf *o, json_t *m)
{
	enum svg_unit u = metric_unit(str(m, "metric"));
	char label[64], a[SVG_LABEL_MAX], b[SVG_LABEL_MAX], ch[SVG_NUM_MAX], lo[SVG_NUM_MAX],
	     hi[SVG_NUM_MAX], p[SVG_NUM_MAX];

	metric_label(m, label, sizeof(label));
	fmt_unit(u, num(m, "baseline"), a, sizeof(a));
	fmt_unit(u, num(m, "run"), b, sizeof(b));
	signed_num(num(m, "change_pct"), 1, ch, sizeof(ch));
	sbuf_add(o, "<tr><th>");
	esc(o, label);
	sbuf_printf(o, "</th><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%s%%</td>", a, b, ch);
	if (isfinite(num(m, "ci_low_pct")) && isfinite(num(m, "ci_high_pct"))) {
		signed_num(num(m, "ci_low_pct"), 1, lo, sizeof(lo));
		signed_num(num(m, "ci_high_pct"), 1, hi, sizeof(hi));
		sbuf_printf(o, "<td class=\"n\">[%s%%, %s%%]</td>", lo, hi);
	} else {
		sbuf_add(o, "<td class=\"n\">–</td>");
	}
	if (json_is_true(json_object_get(m, "tested")) && isfinite(num(m, "p_value"))) {
		svg_fmt_fixed(num(m, "p_value"), 4, p, sizeof(p));
		sbuf_printf(o, "<td class=\"n\">%s</td>", p);
	} else {
		sbuf_add(o, "<td class=\"n\">–</td>");
	}
	sbuf_add(o, "<td class=\"v-");
	esc(o, str(m, "verdict"));
	sbuf_add(o, "\">");
	esc(o, str(m, "verdict"));
	sbuf_add(o, "</td><td>");
	esc(o, str(m, "reason"));
	sbuf_add(o, "</td></tr>\n");
}

static void comparison_section(struct sbuf *o, const struct report *r)
{
	json_t *c = r->comparison, *t = json_object_get(c, "thresholds_pct"), *m;
	char a[SVG_NUM_MAX], b[SVG_NUM_MAX], al[SVG_NUM_MAX];
	size_t i;

	if (!c)
		return;
	svg_fmt_fixed(num(t, "throughput"), 2, a, sizeof(a));
	svg_fmt_fixed(num(t, "latency"), 2, b, sizeof(b));
	svg_fmt_fixed(num(c, "alpha"), 4, al, sizeof(al));
	sbuf_add(o, "<h2>Comparison</h2>\n<p>Baseline <code>");
	esc(o, str(c, "baseline"));
	sbuf_add(o, "</code> (");
	esc(o, str(c, "baseline_source"));
	sbuf_printf(o, "). A regression is a throughput drop beyond %s%% or a latency rise "
		    "beyond %s%% that is significant at alpha %s.</p>\n", a, b, al);
	string_list(o, json_object_get(c, "parameter_mismatches"),
		    "Workload parameters that differ");
	string_list(o, json_object_get(c, "environment_differences"),
		    "Environment that differs");
	if (!json_array_size(json_object_get(c, "metrics")))
		return;
	sbuf_add(o, "<table>\n<tr><th>metric</th><th class=\"n\">baseline</th>"
		 "<th class=\"n\">run</th><th class=\"n\">change</th><th class=\"n\">95% CI</th>"
		 "<th class=\"n\">p</th><th>verdict</th><th>why</th></tr>\n");
	json_array_foreach(json_object_get(c, "metrics"), i, m)
		comparison_row(o, m);
	sbuf_add(o, "</table>\n");
}

static void charts_section(struct sbuf *o, const struct report *r)
{
	size_t i;

	if (!r->ncharts)
		return;
	sbuf_add(o, "<h2>Charts</h2>\n");
	for (i = 0; i < r->ncharts; i++) {
		sbuf_add(o, "<figure id=\"chart-");
		esc(o, r->charts[i].id);
		sbuf_add(o, "\">\n");
		if (r->charts[i].heat)
			heatmap_render(o, &r->charts[i], false);
		else
			svg_render(o, &r->charts[i].chart, false);
		sbuf_add(o, "<figcaption>");
		esc(o, r->charts[i].caption);
		sbuf_add(o, "</figcaption>\n</figure>\n");
	}
}

int report_html(const struct report *r, const char *source, struct sbuf *o)
{
	sbuf_add(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		 "<title>dmremap-bench ");
	esc(o, str(r->doc, "command"));
	sbuf_add(o, " report</title>\n<style>\n");
	sbuf_add(o, page_css);
	sbuf_add(o, "</style>\n</head>\n<body>\n");
	page_header(o, r, source);
	report_fleet_section(o, r);
	facts(o, r);
	results_table(o, r);
	report_cost_html(o, r);
	parts_table(o, r);
	streams_table(o, r);
	charts_section(o, r);
	comparison_section(o, r);
	sbuf_add(o, "<footer>Made by <code>dmremap-bench report</code> ");
	esc(o, PACKAGE_VERSION);
	sbuf_add(o, " from <code>");
	esc(o, source);
	sbuf_add(o, "</code>: one file, no scripts, nothing fetched.</footer>\n</body>\n</html>\n");
	return o->failed ? -1 : 0;
}
