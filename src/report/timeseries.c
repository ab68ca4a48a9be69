/* The time-series charts of a result and the endurance drift on them. */
#include "report/report_int.h"

#include <stdlib.h>

/* ---- time series ---------------------------------------------------------- */

struct series_ctx {
	json_t *doc, *results, *intervals;
	json_t *base_intervals;  /* --baseline's series on the same time axis, or NULL */
	double nominal_s;       /* the sampling interval; shorter than half of it is left out */
	size_t short_left_out;
	bool endurance;
	bool drew_base;         /* the chart being built has a baseline series */
};

static bool interval_usable(const struct series_ctx *x, json_t *iv)
{
	double len = num(iv, "len_s");

	return isfinite(num(iv, "t_s")) && !(isfinite(x->nominal_s) && len < 0.5 * x->nominal_s);
}

/* A value of an interval: key (in sub, if given), plus key2 when given. */
struct field {
	const char *key, *sub, *key2;
};

static double field_value(json_t *iv, const struct field *f)
{
	double v = f->sub ? num(json_object_get(iv, f->key), f->sub) : num(iv, f->key);

	if (f->key2)
		v += num(iv, f->key2);
	return v;
}

static bool series_of(struct report *r, struct series_ctx *x, struct report_chart *c,
		      json_t *intervals, const char *name, struct field f, enum svg_color color,
		      enum svg_style style, bool positive)
{
	size_t n = json_array_size(intervals), i, k = 0;
	struct svg_series *s = add_series(r, c, name, n, color, style);
	json_t *iv;

	if (!s)
		return false;
	json_array_foreach(intervals, i, iv) {
		double y = field_value(iv, &f);

		if (!interval_usable(x, iv))
			continue;
		s->x[k] = num(iv, "t_s");
		s->y[k++] = positive && !(y > 0) ? NAN : y;
	}
	s->n = k;
	return series_keep_if_data(c);
}

static bool ts_series(struct report *r, struct series_ctx *x, struct report_chart *c,
		      const char *name, struct field f, enum svg_color color, bool positive)
{
	return series_of(r, x, c, x->intervals, name, f, color, SVG_STYLE_LINE, positive);
}

/* The baseline's own series of the same figure, dashed ("baseline NAME"); whether drawn. */
static bool base_series(struct report *r, struct series_ctx *x, struct report_chart *c,
			const char *name, struct field f, enum svg_color color)
{
	char label[64];

	if (!json_array_size(x->base_intervals))
		return false;
	snprintf(label, sizeof(label), "baseline %s", name);
	return series_of(r, x, c, x->base_intervals, label, f, color, SVG_STYLE_DASHED, true);
}

/* Ramp, phase or step starts: the context every time-series chart shares. */
static void ts_context(struct report *r, struct series_ctx *x, struct report_chart *c)
{
	double ramp = num(json_object_get(x->doc, "params"), "ramp_s"), t = 0;
	json_t *parts = json_object_get(x->results, "phases"), *p;
	bool steps = false;
	size_t i;

	if (ramp > 0) {
		add_region(r, c, -ramp, 0, "ramp");
	}
	if (!json_is_array(parts)) {
		parts = json_object_get(x->results, "steps");
		steps = true;
	}
	json_array_foreach(parts, i, p) {
		char label[80], name[40];

		if (steps && isfinite(num(p, "load"))) {
			/* A sweep's step: its load. */
			svg_format_value(SVG_UNIT_NONE, num(p, "load"), 0, name, sizeof(name));
			snprintf(label, sizeof(label), "step %zu: %s", i + 1, name);
		} else if (steps) {
			svg_format_value(SVG_UNIT_BYTES, num(p, "span_bytes"), 0, name, sizeof(name));
			snprintf(label, sizeof(label), "step %zu: %s", i + 1, name);
		} else {
			trimmed(str(p, "name"), name, sizeof(name));
			copy_str(label, sizeof(label), name[0] ? name : "phase");
		}
		add_marker(r, c, t, label, SVG_PURPLE);
		if (isfinite(num(p, "duration_s")))
			t += num(p, "duration_s");
	}
	c->chart.x_unit = SVG_UNIT_SECONDS;
	snprintf(c->chart.x_title, sizeof(c->chart.x_title), "%s",
		 ramp > 0 ? "time since the end of the ramp" : "time since the start");
}

/*
 * The Theil-Sen line of the drift test (stats/drift.h): from the centre of
 * the first block tested, its level there, across the span tested; on the
 * log scale a curve, y0 (1 + change/y0)^(u/span).
 */
static bool sen_line(struct report *r, struct report_chart *c, json_t *d, const char *name)
{
	double t0 = num(d, "line_t0_s"), span = num(d, "span_s"), y0 = num(d, "level_start");
	double change = num(d, "change");
	bool log = strcmp(str(d, "scale"), "log") == 0 && y0 > 0 && y0 + change > 0;
	size_t n = log ? 17 : 2, i;
	struct svg_series *s;

	if (!isfinite(t0) || !isfinite(span) || !isfinite(y0) || !isfinite(change))
		return false;
	s = add_series(r, c, name, n, SVG_BLACK, SVG_STYLE_DASHED);
	if (!s)
		return true;
	for (i = 0; i < n; i++) {
		double f = (double)i / (double)(n - 1);

		s->x[i] = t0 + f * span;
		s->y[i] = log ? y0 * pow(1 + change / y0, f) : y0 + f * change;
	}
	s->n = n;
	return true;
}

/*
 * The line of the drift: Sen's (schema 2 endurance results), or in older
 * results the least-squares line the tool fitted: through the mean of the
 * points it used (a short final interval and, for p99, intervals without
 * I/O are left out), with its slope.
 */
static void drift_line(struct report *r, struct series_ctx *x, struct report_chart *c,
		       const char *which, const char *name)
{
	json_t *d = get2(x->results, "drift", which), *iv;
	double slope = num(d, "slope_per_s"), mean = num(d, "mean");
	double st = 0, tmin = INFINITY, tmax = -INFINITY, first_len;
	size_t n = json_array_size(x->intervals), i, m = 0;
	struct svg_series *s;

	if (json_object_get(d, "verdict")) {
		sen_line(r, c, d, name);
		return;
	}
	if (!json_is_true(json_object_get(d, "valid")) || !isfinite(slope) || !isfinite(mean) || !n)
		return;
	first_len = num(json_array_get(x->intervals, 0), "len_s");
	json_array_foreach(x->intervals, i, iv) {
		double t = num(iv, "t_s");

		if (i + 1 == n && n > 1 && num(iv, "len_s") < 0.5 * first_len)
			continue;
		if (strcmp(which, "p99_ns") == 0 && !(num(iv, "p99_ns") > 0))
			continue;
		st += t;
		m++;
		tmin = t < tmin ? t : tmin;
		tmax = t > tmax ? t : tmax;
	}
	if (m < 2)
		return;
	st /= (double)m;
	s = add_series(r, c, name, 2, SVG_BLACK, SVG_STYLE_DASHED);
	if (!s)
		return;
	s->x[0] = tmin;
	s->y[0] = mean + slope * (tmin - st);
	s->x[1] = tmax;
	s->y[1] = mean + slope * (tmax - st);
	s->n = 2;
}

static void drift_caption(struct report_chart *c, json_t *d, const char *what)
{
	char slope[SVG_NUM_MAX], tenth[SVG_NUM_MAX];

	if (json_object_get(d, "verdict")) {
		char lo[SVG_NUM_MAX], hi[SVG_NUM_MAX], span[SVG_LABEL_MAX], p[SVG_NUM_MAX];

		if (!json_is_true(json_object_get(d, "valid"))) {
			caption_add(c, " %s drift: too few intervals to test.", what);
			return;
		}
		signed_num(num(d, "change_pct"), 1, slope, sizeof(slope));
		signed_num(num(d, "change_low_pct"), 1, lo, sizeof(lo));
		signed_num(num(d, "change_high_pct"), 1, hi, sizeof(hi));
		svg_format_value(SVG_UNIT_SECONDS, num(d, "span_s"), 0, span, sizeof(span));
		svg_fmt_fixed(num(d, "p_value"), 4, p, sizeof(p));
		caption_add(c, " %s drift: %s%% over %s [%s%%, %s%%], %s (Mann-Kendall p %s on "
			    "%.0f block means; Sen's slope, dashed).", what, slope, span, lo, hi,
			    str(d, "verdict"), p, num(d, "points"));
		return;
	}

	if (!json_is_true(json_object_get(d, "valid"))) {
		caption_add(c, " %s drift: too few intervals to fit.", what);
		return;
	}
	signed_num(num(d, "slope_per_hour_pct"), 1, slope, sizeof(slope));
	signed_num(num(d, "last_vs_first_tenth_pct"), 1, tenth, sizeof(tenth));
	caption_add(c, " %s drift: %s%%/h (least squares over %.0f intervals, dashed); "
		    "last tenth vs first tenth %s%%.", what, slope, num(d, "points"), tenth);
}

static void ts_caption_common(struct report_chart *c, const struct series_ctx *x)
{
	char iv[SVG_LABEL_MAX];

	svg_format_value(SVG_UNIT_SECONDS, x->nominal_s, 0, iv, sizeof(iv));
	if (isfinite(x->nominal_s))
		caption_add(c, " One point per %s interval.", iv);
	if (x->short_left_out)
		caption_add(c, " %zu interval%s shorter than half of that left out.",
			    x->short_left_out, x->short_left_out == 1 ? "" : "s");
	if (c->chart.nregions)
		caption_add(c, " The shaded ramp is not part of the results.");
	if (x->drew_base)
		caption_add(c, " Dashed: the baseline's intervals.");
	if (c->chart.nmarkers)
		caption_add(c, " Dashed vertical lines: where each %s starts.",
			    json_is_array(json_object_get(x->results, "phases")) ? "phase" : "step");
}

static void throughput_chart(struct report *r, struct series_ctx *x)
{
	struct report_chart *c = chart_new(r, "throughput", "Throughput over time");
	bool rd, wr;

	if (!c)
		return;
	c->chart.y_unit = SVG_UNIT_IOPS;
	c->chart.y_zero = true;
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "IOPS");
	ts_context(r, x, c);
	rd = ts_series(r, x, c, "read", (struct field){ "read_iops", NULL, NULL }, SVG_BLUE, true);
	wr = ts_series(r, x, c, "write", (struct field){ "write_iops", NULL, NULL }, SVG_ORANGE,
		       true);
	if (rd && wr)
		ts_series(r, x, c, "total", (struct field){ "read_iops", NULL, "write_iops" },
			  SVG_GREY, true);
	x->drew_base = base_series(r, x, c, "read", (struct field){ "read_iops", NULL, NULL },
				   SVG_BLUE);
	x->drew_base |= base_series(r, x, c, "write", (struct field){ "write_iops", NULL, NULL },
				    SVG_ORANGE);
	if (x->endurance)
		drift_line(r, x, c, "iops", "total trend");
	snprintf(c->caption, sizeof(c->caption), "I/Os completed per second in each interval.");
	ts_caption_common(c, x);
	if (x->endurance)
		drift_caption(c, get2(x->results, "drift", "iops"), "IOPS");
	chart_drop_if_empty(r);
}

static void bandwidth_chart(struct report *r, struct series_ctx *x)
{
	struct report_chart *c = chart_new(r, "bandwidth", "Bandwidth over time");
	bool rd, wr;

	if (!c)
		return;
	c->chart.y_unit = SVG_UNIT_BPS;
	c->chart.y_zero = true;
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "bytes per second");
	ts_context(r, x, c);
	rd = ts_series(r, x, c, "read", (struct field){ "read_bw_bytes_per_s", NULL, NULL },
		       SVG_BLUE, true);
	wr = ts_series(r, x, c, "write", (struct field){ "write_bw_bytes_per_s", NULL, NULL },
		       SVG_ORANGE, true);
	if (rd && wr)
		ts_series(r, x, c, "total", (struct field){ "bw_bytes_per_s", NULL, NULL },
			  SVG_GREY, true);
	x->drew_base = base_series(r, x, c, "read",
				   (struct field){ "read_bw_bytes_per_s", NULL, NULL }, SVG_BLUE);
	x->drew_base |= base_series(r, x, c, "write",
				    (struct field){ "write_bw_bytes_per_s", NULL, NULL }, SVG_ORANGE);
	snprintf(c->caption, sizeof(c->caption), "Bytes transferred per second in each interval.");
	ts_caption_common(c, x);
	chart_drop_if_empty(r);
}

static void latency_chart(struct report *r, struct series_ctx *x)
{
	static const struct {
		const char *name, *key, *sub;
		enum svg_color color;
	} lines[] = {
		{ "read p50", "read_lat_ns", "p50", SVG_BLUE },
		{ "read p99", "read_lat_ns", "p99", SVG_CYAN },
		{ "write p50", "write_lat_ns", "p50", SVG_ORANGE },
		{ "write p99", "write_lat_ns", "p99", SVG_RED },
	};
	struct report_chart *c = chart_new(r, "latency", "Latency over time");
	size_t i;

	if (!c)
		return;
	c->chart.y_scale = SVG_LOG;
	c->chart.y_unit = SVG_UNIT_NS;
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "completion latency");
	ts_context(r, x, c);
	x->drew_base = false;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		ts_series(r, x, c, lines[i].name,
			  (struct field){ lines[i].key, lines[i].sub, NULL }, lines[i].color, true);
		/* The baseline's p99s: the tail is what a comparison is about. */
		if (!strcmp(lines[i].sub, "p99"))
			x->drew_base |= base_series(r, x, c, lines[i].name,
						    (struct field){ lines[i].key, "p99", NULL },
						    lines[i].color);
	}
	if (x->endurance) {
		ts_series(r, x, c, "p99 all", (struct field){ "p99_ns", NULL, NULL }, SVG_PURPLE,
			  true);
		drift_line(r, x, c, "p99_ns", "p99 trend");
	}
	snprintf(c->caption, sizeof(c->caption),
		 "Per-interval latency percentiles (log scale); intervals without I/O in a "
		 "direction leave a gap.");
	ts_caption_common(c, x);
	if (x->endurance)
		drift_caption(c, get2(x->results, "drift", "p99_ns"), "p99");
	chart_drop_if_empty(r);
}

static void errors_chart(struct report *r, struct series_ctx *x)
{
	struct report_chart *c;
	struct svg_series *s;
	size_t i, k = 0;
	double total = 0;
	json_t *iv;

	x->drew_base = false;  /* the errors chart has no baseline line */
	json_array_foreach(x->intervals, i, iv)
		if (num(iv, "errors") > 0)
			total += num(iv, "errors");
	if (!(total > 0))
		return;
	c = chart_new(r, "errors", "I/O errors over time");
	if (!c)
		return;
	c->chart.y_zero = true;
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "errors per interval");
	ts_context(r, x, c);
	s = add_series(r, c, "errors", json_array_size(x->intervals), SVG_RED,
		       SVG_STYLE_LINE_POINTS);
	if (s) {
		json_array_foreach(x->intervals, i, iv) {
			s->x[k] = num(iv, "t_s");
			s->y[k++] = num(iv, "errors");
		}
		s->n = k;
	}
	snprintf(c->caption, sizeof(c->caption), "Failed or short I/Os per interval: %.0f in all.",
		 total);
	chart_drop_if_empty(r);
}

void time_series_charts(struct report *r)
{
	struct series_ctx x = {
		.doc = r->doc,
		.results = json_object_get(r->doc, "results"),
	};
	size_t i;
	json_t *iv;

	x.intervals = json_object_get(x.results, "intervals");
	if (r->base)
		x.base_intervals = json_object_get(json_object_get(r->base, "results"), "intervals");
	if (!json_array_size(x.intervals))
		return;
	x.nominal_s = num(json_object_get(r->doc, "params"), "interval_s");
	if (!isfinite(x.nominal_s))
		x.nominal_s = num(json_array_get(x.intervals, 0), "len_s");
	x.endurance = json_is_object(json_object_get(x.results, "drift"));
	json_array_foreach(x.intervals, i, iv)
		if (!interval_usable(&x, iv))
			x.short_left_out++;
	throughput_chart(r, &x);
	bandwidth_chart(r, &x);
	latency_chart(r, &x);
	errors_chart(r, &x);
}
