#include "report/report.h"
#include "report/report_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "report/report_int.h"
#include "result/hist_json.h"
#include "stats/hist.h"

/* ---- percentiles ---------------------------------------------------------- */

size_t report_percentile_curve(json_t *dir, double *x, double *y, size_t cap)
{
	json_t *lat = json_object_get(dir, "lat_ns");
	double total, seen = 0, tmax, step, rank;
	struct hist h;
	char err[160];
	size_t n = 0, k;
	uint32_t cur = 0;

	if (cap < 2 || hist_from_json(json_object_get(dir, "lat_hist"), lat, &h, err, sizeof(err)))
		return 0;
	total = (double)h.count;
	if (!h.count) {
		hist_free(&h);
		return 0;
	}
	/* p(1 - 10^-t) needs about 10^t samples to mean anything. */
	tmax = log10(total);
	if (tmax > 5)
		tmax = 5;
	step = tmax / (double)(cap - 1) > 0.02 ? tmax / (double)(cap - 1) : 0.02;
	while (!h.buckets[cur])
		cur++;
	for (k = 0; n < cap; k++) {
		double t = (double)k * step, v;
		uint64_t lo, width;

		if (t > tmax + 1e-9)
			break;
		rank = ceil((1.0 - pow(10.0, -t)) * total - 1e-9);
		if (rank < 1)
			rank = 1;
		/* The bucket holding the sample of that rank. */
		while (seen + (double)h.buckets[cur] < rank) {
			uint32_t next = cur + 1;

			while (next < h.nbuckets && !h.buckets[next])
				next++;
			if (next >= h.nbuckets)
				break;
			seen += (double)h.buckets[cur];
			cur = next;
		}
		hist_bucket_range(&h, cur, &lo, &width);
		v = (double)(lo + (width - 1) / 2);
		if (k == 0)
			v = (double)h.min;  /* p0 is the minimum, recorded exactly */
		if (v < (double)h.min)
			v = (double)h.min;
		if (v > (double)h.max)
			v = (double)h.max;
		x[n] = t;
		y[n++] = v;
	}
	hist_free(&h);
	return n;
}

static void curve_series(struct report *r, struct report_chart *c, json_t *dir, const char *name,
			 enum svg_color color, enum svg_style style)
{
	struct svg_series *s = add_series(r, c, name, REPORT_CURVE_MAX, color, style);

	if (!s)
		return;
	s->n = report_percentile_curve(dir, s->x, s->y, REPORT_CURVE_MAX);
	series_keep_if_data(c);
}

static void percentile_chart(struct report *r)
{
	json_t *res = json_object_get(r->doc, "results");
	json_t *base = r->base ? json_object_get(r->base, "results") : NULL;
	struct report_chart *c = chart_new(r, "percentiles", "Latency percentiles");
	double nr = num(json_object_get(res, "read"), "ops");
	double nw = num(json_object_get(res, "write"), "ops");

	if (!c)
		return;
	c->chart.x_unit = SVG_UNIT_NINES;
	c->chart.x_zero = true;
	c->chart.y_scale = SVG_LOG;
	c->chart.y_unit = SVG_UNIT_NS;
	snprintf(c->chart.x_title, sizeof(c->chart.x_title), "percentile");
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "completion latency");
	curve_series(r, c, json_object_get(res, "read"), base ? "run read" : "read", SVG_BLUE,
		     SVG_STYLE_LINE);
	curve_series(r, c, json_object_get(res, "write"), base ? "run write" : "write",
		     SVG_ORANGE, SVG_STYLE_LINE);
	if (base) {
		curve_series(r, c, json_object_get(base, "read"), "baseline read", SVG_BLUE,
			     SVG_STYLE_DASHED);
		curve_series(r, c, json_object_get(base, "write"), "baseline write", SVG_ORANGE,
			     SVG_STYLE_DASHED);
	}
	snprintf(c->caption, sizeof(c->caption),
		 "Latency at each percentile over the whole run, from its latency histograms "
		 "(%.0f reads, %.0f writes; within 0.4%%). A curve ends at the highest percentile "
		 "its sample count resolves.%s", isfinite(nr) ? nr : 0, isfinite(nw) ? nw : 0,
		 base ? " Dashed: the baseline." : "");
	chart_drop_if_empty(r);
}

/* ---- scale steps ---------------------------------------------------------- */

static void scale_charts(struct report *r)
{
	static const struct {
		const char *name, *key;
		enum svg_color color;
	} lat[] = {
		{ "p50", "p50", SVG_BLUE }, { "p99", "p99", SVG_RED }, { "p99.9", "p99.9", SVG_PURPLE },
	};
	json_t *res = json_object_get(r->doc, "results"), *steps = json_object_get(res, "steps");
	json_t *ch = json_object_get(res, "change_first_to_last_pct"), *st;
	size_t n = json_array_size(steps), i, k;
	struct report_chart *c;
	struct svg_series *s;
	char a[SVG_NUM_MAX], b[SVG_NUM_MAX], d[SVG_NUM_MAX];

	if (!n)
		return;
	c = chart_new(r, "scale-iops", "Throughput by span");
	if (!c)
		return;
	c->chart.x_scale = SVG_LOG;
	c->chart.x_unit = SVG_UNIT_BYTES;
	c->chart.y_unit = SVG_UNIT_IOPS;
	c->chart.y_zero = true;
	snprintf(c->chart.x_title, sizeof(c->chart.x_title), "span of the device addressed (log scale)");
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "IOPS");
	s = add_series(r, c, "IOPS", n, SVG_BLUE, SVG_STYLE_LINE_POINTS);
	if (s) {
		json_array_foreach(steps, i, st) {
			s->x[i] = num(st, "span_bytes");
			s->y[i] = num(json_object_get(st, "total"), "iops");
		}
		s->n = n;
		series_keep_if_data(c);
	}
	snprintf(c->caption, sizeof(c->caption), "One point per step, the same workload over a "
		 "span growing 8-fold.");
	if (json_is_object(ch)) {
		signed_num(num(ch, "iops"), 1, a, sizeof(a));
		signed_num(num(ch, "bw"), 1, b, sizeof(b));
		caption_add(c, " First to last step: IOPS %s%%, bandwidth %s%%.", a, b);
	}
	chart_drop_if_empty(r);

	c = chart_new(r, "scale-latency", "Latency by span");
	if (!c)
		return;
	c->chart.x_scale = SVG_LOG;
	c->chart.x_unit = SVG_UNIT_BYTES;
	c->chart.y_scale = SVG_LOG;
	c->chart.y_unit = SVG_UNIT_NS;
	snprintf(c->chart.x_title, sizeof(c->chart.x_title), "span of the device addressed (log scale)");
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "completion latency");
	for (k = 0; k < sizeof(lat) / sizeof(lat[0]); k++) {
		s = add_series(r, c, lat[k].name, n, lat[k].color, SVG_STYLE_LINE_POINTS);
		if (!s)
			break;
		json_array_foreach(steps, i, st) {
			s->x[i] = num(st, "span_bytes");
			s->y[i] = num(get2(st, "total", "lat_ns"), lat[k].key);
		}
		s->n = n;
		series_keep_if_data(c);
	}
	snprintf(c->caption, sizeof(c->caption), "Latency percentiles of all I/O in each step.");
	if (json_is_object(ch)) {
		signed_num(num(ch, "lat_p50"), 1, a, sizeof(a));
		signed_num(num(ch, "lat_p99"), 1, b, sizeof(b));
		signed_num(num(ch, "lat_mean"), 1, d, sizeof(d));
		caption_add(c, " First to last step: p50 %s%%, p99 %s%%, mean %s%%.", a, b, d);
	}
	chart_drop_if_empty(r);
}

/* ---- comparison ----------------------------------------------------------- */

static enum svg_color verdict_color(const char *v)
{
	if (strcmp(v, "regression") == 0)
		return SVG_RED;
	if (strcmp(v, "improved") == 0)
		return SVG_GREEN;
	if (strcmp(v, "noise") == 0)
		return SVG_AMBER;
	return SVG_GREY;
}

/* "read IOPS", "step 2 write p99": what a metric row is called on a chart. */
void metric_label(json_t *m, char *buf, size_t len)
{
	static const struct {
		const char *key, *text;
	} names[] = {
		{ "iops", "IOPS" }, { "bw", "bandwidth" }, { "lat_mean", "mean" },
		{ "lat_p50", "p50" }, { "lat_p99", "p99" }, { "lat_p99.9", "p99.9" },
		{ "errors", "errors" }, { "cpu_per_io", "CPU per I/O" },
		{ "tool_cpu_per_io", "tool CPU per I/O" }, { "load", "load" },
	};
	const char *metric = str(m, "metric"), *group = str(m, "group"), *text = metric;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].key, metric) == 0)
			text = names[i].text;
	if (strcmp(group, "all") == 0 || !group[0])
		snprintf(buf, len, "%s %s", str(m, "dir"), text);
	else
		snprintf(buf, len, "%s %s %s", group, str(m, "dir"), text);
}

static void bars_chart(struct report *r, bool latency)
{
	json_t *cmp = r->comparison, *metrics = json_object_get(cmp, "metrics"), *m;
	double thr = num(json_object_get(cmp, "thresholds_pct"), latency ? "latency" : "throughput");
	struct report_chart *c = chart_new(r, latency ? "comparison-latency" :
					   "comparison-throughput",
					   latency ? "Latency change against the baseline" :
					   "Throughput change against the baseline");
	struct svg_chart *ch;
	size_t i;

	if (!c)
		return;
	ch = &c->chart;
	ch->x_unit = SVG_UNIT_PCT;
	snprintf(ch->x_title, sizeof(ch->x_title), "change of the run against the baseline");
	json_array_foreach(metrics, i, m) {
		const char *metric = str(m, "metric");
		double v = num(m, "change_pct");
		struct svg_bar *b;
		char pct[SVG_NUM_MAX];
		void *slot;

		/* CPU per I/O is a cost: higher is worse, as for latency. */
		if (strcmp(metric, "errors") == 0 || !isfinite(v) ||
		    (strncmp(metric, "lat_", 4) == 0 || strstr(metric, "cpu_per_io")) != latency)
			continue;
		ch->bars = chart_grow(r, ch->bars, &ch->nbars, sizeof(*ch->bars), &slot);
		if (!slot)
			break;
		b = slot;
		metric_label(m, b->label, sizeof(b->label));
		b->value = v;
		b->lo = num(m, "ci_low_pct");
		b->hi = num(m, "ci_high_pct");
		b->color = verdict_color(str(m, "verdict"));
		signed_num(v, 1, pct, sizeof(pct));
		snprintf(b->note, sizeof(b->note), "%s%%  %s", pct, str(m, "verdict"));
	}
	if (isfinite(thr) && ch->nbars) {
		char label[48], t[SVG_NUM_MAX];

		signed_num(latency ? thr : -thr, 1, t, sizeof(t));
		snprintf(label, sizeof(label), "threshold %s%%", t);
		add_marker(r, c, latency ? thr : -thr, label, SVG_RED);
	}
	add_key(ch, "ok", SVG_GREY);
	add_key(ch, "improved", SVG_GREEN);
	add_key(ch, "noise", SVG_AMBER);
	add_key(ch, "regression", SVG_RED);
	{
		char alpha[SVG_NUM_MAX];

		svg_fmt_fixed(num(cmp, "alpha"), 4, alpha, sizeof(alpha));
		snprintf(c->caption, sizeof(c->caption),
			 "Bars: the change of each metric against the baseline, coloured by "
			 "verdict; whiskers: the confidence interval where the runs allowed a "
			 "test (alpha %s). %s is worse.", alpha,
			 latency ? "Right" : "Left");
	}
	chart_drop_if_empty(r);
}

/* The comparison to draw: against --baseline when given, else the document's own. */
static int find_comparison(struct report *r, const char *base_label, char *err, size_t elen)
{
	json_t *own = json_object_get(r->doc, "comparison");
	struct compare_cfg cfg;
	struct comparison c;
	char sub[900];

	if (!r->base) {
		r->comparison = json_is_object(own) ? json_incref(own) : NULL;
		return 0;
	}
	if (!json_is_object(json_object_get(r->doc, "results"))) {
		snprintf(err, elen, "--baseline: the document has no run results to compare "
			 "(it is a comparison already)");
		return -1;
	}
	compare_cfg_defaults(&cfg);
	if (json_is_object(own)) {
		/* Keep the thresholds the run was judged by. */
		json_t *t = json_object_get(own, "thresholds_pct");

		if (isfinite(num(t, "throughput")))
			cfg.threshold_throughput_pct = num(t, "throughput");
		if (isfinite(num(t, "latency")))
			cfg.threshold_latency_pct = num(t, "latency");
		if (isfinite(num(own, "alpha")))
			cfg.alpha = num(own, "alpha");
		cfg.allow_mismatch = json_is_true(json_object_get(own, "allow_mismatch"));
	}
	if (compare_docs(r->base, r->doc, base_label, &cfg, &c, sub, sizeof(sub))) {
		snprintf(err, elen, "--baseline: %s", sub);
		return -1;
	}
	r->comparison = comparison_json(&c);
	comparison_free(&c);
	if (!r->comparison) {
		snprintf(err, elen, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- the report ----------------------------------------------------------- */

static int check_document(json_t *doc, char *err, size_t elen)
{
	if (!json_is_object(doc) || strcmp(str(doc, "tool"), "dmremap-bench") != 0) {
		snprintf(err, elen, "not a dmremap-bench result (no \"tool\": \"dmremap-bench\")");
		return -1;
	}
	if (!json_is_string(json_object_get(doc, "command"))) {
		snprintf(err, elen, "not a dmremap-bench result (no \"command\")");
		return -1;
	}
	if (!json_is_object(json_object_get(doc, "results")) &&
	    !json_is_object(json_object_get(doc, "comparison"))) {
		snprintf(err, elen, "not a dmremap-bench result (neither \"results\" nor "
			 "\"comparison\")");
		return -1;
	}
	return 0;
}

int report_build(struct report *r, json_t *doc, json_t *base, const char *base_label,
		 char *err, size_t elen)
{
	memset(r, 0, sizeof(*r));
	if (check_document(doc, err, elen))
		return -1;
	r->doc = json_incref(doc);
	if (base) {
		r->base = json_incref(base);
		copy_str(r->base_label, sizeof(r->base_label), base_label ? base_label : "");
	}
	if (find_comparison(r, base_label ? base_label : "", err, elen))
		return -1;
	/* A sweep's curve is its headline: first. */
	report_sweep_charts(r);
	time_series_charts(r);
	heatmap_chart(r);
	report_fleet_charts(r);
	percentile_chart(r);
	scale_charts(r);
	if (r->comparison) {
		bars_chart(r, false);
		bars_chart(r, true);
	}
	if (r->oom) {
		snprintf(err, elen, "out of memory");
		return -1;
	}
	return 0;
}

void report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->ncharts; i++)
		chart_clear(&r->charts[i]);
	free(r->charts);
	json_decref(r->comparison);
	json_decref(r->doc);
	json_decref(r->base);
	memset(r, 0, sizeof(*r));
}

int report_chart_svg(const struct report *r, size_t i, struct sbuf *out, bool standalone)
{
	if (i >= r->ncharts)
		return -1;
	if (r->charts[i].heat)
		return heatmap_render(out, &r->charts[i], standalone);
	return svg_render(out, &r->charts[i].chart, standalone);
}
