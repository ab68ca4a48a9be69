/*
 * The report of several devices in one run and of a fleet of hosts: the
 * outliers first, a row per device or host (furthest from the others
 * first), IOPS and p99 over time with a line per device or host, and for a
 * fleet a host x time heatmap of each, coloured by how far each host is
 * from the median of all hosts in that interval.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"
#include "stats/outlier.h"

#define LINES_MAX 12           /* more members than this: the heatmap alone */
#define HEAT_LABEL_PX 210.0
#define HEAT_ROW_PX 18.0
#define HEAT_TOP_PX 34.0
#define HEAT_BOTTOM_PX 46.0
#define HEAT_BINS_MAX 600

/* A device of the run, or a host of the fleet. */
struct member {
	char name[160];
	json_t *node;               /* {results, target|devices, ...} */
	double iops, p99;
	double z_iops, z_p99;       /* modified z-scores among the members; NAN: none */
	bool outlier;
};

struct members {
	struct member *m;
	size_t n;
	bool fleet;
	const char *what;           /* "device", "host" */
};

static double total_iops(json_t *res)
{
	return num(json_object_get(res, "total"), "iops");
}

static double total_p99(json_t *res)
{
	json_t *t = json_object_get(res, "total");

	return num(t, "ops") > 0 ? num(json_object_get(t, "lat_ns"), "p99") : NAN;
}

/* Each member's distance from the median in the robust spread (stats/outlier.h). */
static void zscores(struct members *ms, bool latency)
{
	double *v = calloc(ms->n ? ms->n : 1, sizeof(double));
	struct outlier o;
	size_t i;

	if (!v)
		return;
	for (i = 0; i < ms->n; i++)
		v[i] = latency ? ms->m[i].p99 : ms->m[i].iops;
	if (outlier_find(v, ms->n, &o) == 0)
		for (i = 0; i < ms->n; i++) {
			double z = outlier_z(&o, v[i]);

			*(latency ? &ms->m[i].z_p99 : &ms->m[i].z_iops) = z;
			if (fabs(z) > OUTLIER_Z)
				ms->m[i].outlier = true;
		}
	free(v);
}

static double far(const struct member *m)
{
	double a = isfinite(m->z_iops) ? fabs(m->z_iops) : 0;
	double b = isfinite(m->z_p99) ? fabs(m->z_p99) : 0;

	return a > b ? a : b;
}

static int by_distance(const void *a, const void *b)
{
	double x = far(a), y = far(b);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The members of doc (none: fewer than two), in their order; sorted on request. */
static bool members_of(json_t *doc, struct members *ms, bool sorted)
{
	json_t *hosts = json_object_get(doc, "hosts"), *devs = json_object_get(doc, "devices"), *x;
	json_t *arr = json_array_size(hosts) ? hosts : devs;
	size_t i;

	memset(ms, 0, sizeof(*ms));
	if (json_array_size(arr) < 2)
		return false;
	ms->fleet = arr == hosts;
	ms->what = ms->fleet ? "host" : "device";
	ms->m = calloc(json_array_size(arr), sizeof(*ms->m));
	if (!ms->m)
		return false;
	json_array_foreach(arr, i, x) {
		struct member *m = &ms->m[ms->n++];
		json_t *res = json_object_get(x, "results");

		if (ms->fleet)
			snprintf(m->name, sizeof(m->name), "%s", str(x, "hostname"));
		else
			snprintf(m->name, sizeof(m->name), "device %zu (%s)", i + 1,
				 str(json_object_get(x, "target"), "path"));
		m->node = x;
		m->iops = total_iops(res);
		m->p99 = total_p99(res);
		m->z_iops = m->z_p99 = NAN;
	}
	zscores(ms, false);
	zscores(ms, true);
	if (sorted)
		qsort(ms->m, ms->n, sizeof(*ms->m), by_distance);
	return true;
}

/* ---- a line per member ----------------------------------------------------- */

/* Where a member's time axis starts: the earliest start of a first interval (UTC ns). */
static double time_origin(const struct members *ms)
{
	double t0 = INFINITY;
	size_t i;

	for (i = 0; i < ms->n; i++) {
		json_t *iv = json_array_get(json_object_get(json_object_get(ms->m[i].node, "results"),
							    "intervals"), 0);
		double t = num(iv, "t_ns") - num(iv, "len_s") * 1e9;

		if (isfinite(t) && t < t0)
			t0 = t;
	}
	return t0;
}

static enum svg_color member_color(const struct member *m, size_t i)
{
	static const enum svg_color palette[] = {
		SVG_BLUE, SVG_GREEN, SVG_ORANGE, SVG_PURPLE, SVG_BROWN, SVG_CYAN, SVG_OLIVE,
		SVG_PINK, SVG_AMBER, SVG_GREY, SVG_BLACK,
	};

	return m->outlier ? SVG_RED : palette[i % (sizeof(palette) / sizeof(palette[0]))];
}

static void member_lines(struct report *r, const struct members *ms, bool latency)
{
	struct report_chart *c;
	double t0 = ms->fleet ? time_origin(ms) : NAN;
	size_t i, j, k;
	json_t *iv;

	c = chart_new(r, latency ? "p99-per-member" : "iops-per-member",
			     latency ? (ms->fleet ? "p99 latency per host over time" :
					"p99 latency per device over time") :
			     (ms->fleet ? "IOPS per host over time" : "IOPS per device over time"));
	if (!c)
		return;
	c->chart.x_unit = SVG_UNIT_SECONDS;
	c->chart.y_unit = latency ? SVG_UNIT_NS : SVG_UNIT_IOPS;
	c->chart.y_scale = latency ? SVG_LOG : SVG_LINEAR;
	c->chart.y_zero = !latency;
	snprintf(c->chart.x_title, sizeof(c->chart.x_title), "%s",
		 isfinite(t0) ? "seconds since the first host began" : "time since the start");
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "%s",
		 latency ? "p99 of each interval" : "IOPS");
	for (i = 0; i < ms->n; i++) {
		json_t *ivs = json_object_get(json_object_get(ms->m[i].node, "results"), "intervals");
		char name[48];
		struct svg_series *s;

		snprintf(name, sizeof(name), "%.40s%s", ms->fleet ? ms->m[i].name :
			 ms->m[i].name + 7, ms->m[i].outlier ? " *" : "");
		s = add_series(r, c, name, json_array_size(ivs), member_color(&ms->m[i], i),
				      SVG_STYLE_LINE);
		if (!s)
			return;
		k = 0;
		json_array_foreach(ivs, j, iv) {
			double x = isfinite(t0) && isfinite(num(iv, "t_ns")) ?
				(num(iv, "t_ns") - t0) / 1e9 : num(iv, "t_s");
			double y = latency ? num(iv, "p99_ns") :
				num(iv, "read_iops") + num(iv, "write_iops");

			s->x[k] = x;
			s->y[k++] = y > 0 ? y : NAN;
		}
		s->n = k;
		series_keep_if_data(c);
	}
	snprintf(c->caption, sizeof(c->caption), "One line per %s, each from its own intervals%s. "
		 "Red, marked *: an outlier (more than %.1f robust spreads from the median of the "
		 "%ss).", ms->what, latency ? " (its own p99, log scale)" : "", OUTLIER_Z,
		 ms->what);
	chart_drop_if_empty(r);
}

void report_fleet_charts(struct report *r)
{
	struct members ms;

	if (!members_of(r->doc, &ms, false))
		return;
	if (ms.n <= LINES_MAX) {
		member_lines(r, &ms, false);
		member_lines(r, &ms, true);
	}
	free(ms.m);
}

/* ---- the section: outliers, a row per member, heatmaps ---------------------- */

static void outlier_lines(struct sbuf *o, json_t *group, const char *members)
{
	static const struct {
		const char *key, *label;
		enum svg_unit unit;
	} f[] = { { "iops", "IOPS", SVG_UNIT_IOPS }, { "lat_p99", "p99", SVG_UNIT_NS } };
	size_t k;

	if (!json_is_object(group))
		return;
	for (k = 0; k < 2; k++) {
		json_t *x = json_object_get(group, f[k].key);
		char v[SVG_LABEL_MAX], med[SVG_LABEL_MAX], z[SVG_NUM_MAX];
		bool out;

		if (!x)
			continue;
		out = json_is_true(json_object_get(x, "outlier"));
		fmt_unit(f[k].unit, num(x, "value"), v, sizeof(v));
		fmt_unit(f[k].unit, num(x, "median"), med, sizeof(med));
		svg_fmt_fixed(num(x, "z"), 1, z, sizeof(z));
		sbuf_printf(o, "<p class=\"verdict %s\">%s %s of the %s: ", out ? "fail" : "pass",
			    out ? "Outlier in" : "No outlier in", f[k].label, members);
		sbuf_add(o, out ? "" : "the furthest is ");
		esc(o, str(x, "name"));
		sbuf_printf(o, ", %s against the median %s: z %s (%.1f robust spreads %s)</p>\n", v,
			    med, z, fabs(num(x, "z")), num(x, "z") < 0 ? "below" : "above");
	}
}

static void member_table(struct sbuf *o, const struct members *ms)
{
	size_t i;

	sbuf_printf(o, "<table>\n<tr><th>%s</th><th>target</th><th class=\"n\">IOPS</th>"
		    "<th class=\"n\">bandwidth</th><th class=\"n\">p50</th><th class=\"n\">p99</th>"
		    "<th class=\"n\">errors</th><th class=\"n\">z IOPS</th><th class=\"n\">z p99</th>%s"
		    "</tr>\n", ms->what, ms->fleet ? "<th class=\"n\">start vs --start-at</th>" : "");
	for (i = 0; i < ms->n; i++) {
		const struct member *m = &ms->m[i];
		json_t *res = json_object_get(m->node, "results"), *t = json_object_get(res, "total");
		json_t *e = json_object_get(res, "errors");
		char a[SVG_LABEL_MAX], b[SVG_LABEL_MAX], c[SVG_LABEL_MAX], d[SVG_LABEL_MAX];
		char zi[SVG_NUM_MAX] = "–", zp[SVG_NUM_MAX] = "–";
		double errs = num(e, "io") + num(e, "short") + num(e, "verify");

		fmt_unit(SVG_UNIT_IOPS, num(t, "iops"), a, sizeof(a));
		fmt_unit(SVG_UNIT_BPS, num(t, "bw_bytes_per_s"), b, sizeof(b));
		fmt_unit(SVG_UNIT_NS, num(json_object_get(t, "lat_ns"), "p50"), c, sizeof(c));
		fmt_unit(SVG_UNIT_NS, num(json_object_get(t, "lat_ns"), "p99"), d, sizeof(d));
		if (isfinite(m->z_iops))
			svg_fmt_fixed(m->z_iops, 1, zi, sizeof(zi));
		if (isfinite(m->z_p99))
			svg_fmt_fixed(m->z_p99, 1, zp, sizeof(zp));
		sbuf_printf(o, "<tr%s><th>", m->outlier ? " class=\"v-regression\"" : "");
		esc(o, m->name);
		sbuf_add(o, "</th><td>");
		if (json_array_size(json_object_get(m->node, "devices")))
			sbuf_printf(o, "%zu devices", json_array_size(json_object_get(m->node,
										      "devices")));
		else
			esc(o, ms->fleet ? str(json_object_get(m->node, "target"), "path") :
			    str(json_object_get(m->node, "target"), "kind"));
		sbuf_printf(o, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s"
			    "</td><td class=\"n\">%s</td><td class=\"n\">%.0f</td><td class=\"n\">%s"
			    "</td><td class=\"n\">%s</td>", a, b, c, d, isfinite(errs) ? errs : 0, zi,
			    zp);
		if (ms->fleet) {
			double off = num(m->node, "start_offset_ns");
			char s[SVG_LABEL_MAX];

			fmt_unit(SVG_UNIT_NS, fabs(off), s, sizeof(s));
			sbuf_printf(o, "<td class=\"n\">%s%s</td>", isfinite(off) ? off < 0 ? "-" :
				    "+" : "", s);
		}
		sbuf_add(o, "</tr>\n");
	}
	sbuf_add(o, "</table>\n");
}

/* ---- the heatmap ------------------------------------------------------------ */

struct heat {
	size_t rows, bins;
	double *v;                  /* rows x bins; NAN: no interval there */
	double t0_ns, interval_s;
	bool by_time;
};

static double *cell(struct heat *h, size_t r, size_t b)
{
	return &h->v[r * h->bins + b];
}

/* The members' intervals on one grid: the wall clock's, or their positions. */
static bool heat_fill(struct heat *h, const struct members *ms, double interval_s, bool latency)
{
	size_t i, j;
	json_t *iv;
	double t0 = INFINITY;
	long maxb = 0;

	memset(h, 0, sizeof(*h));
	h->by_time = interval_s > 0;
	for (i = 0; i < ms->n; i++)
		json_array_foreach(json_object_get(json_object_get(ms->m[i].node, "results"),
						   "intervals"), j, iv) {
			if (!isfinite(num(iv, "t_ns")))
				h->by_time = false;
			else if (j == 0 && num(iv, "t_ns") < t0)
				t0 = num(iv, "t_ns");
		}
	for (i = 0; i < ms->n; i++)
		json_array_foreach(json_object_get(json_object_get(ms->m[i].node, "results"),
						   "intervals"), j, iv) {
			long b = h->by_time ? lround((num(iv, "t_ns") - t0) / (interval_s * 1e9)) :
				(long)j;

			if (b > maxb)
				maxb = b;
		}
	if (maxb + 1 > HEAT_BINS_MAX)
		return false;  /* a long run: the lines and the tables say it better */
	h->rows = ms->n;
	h->bins = (size_t)maxb + 1;
	h->t0_ns = t0;
	h->interval_s = interval_s;
	h->v = malloc(h->rows * h->bins * sizeof(double));
	if (!h->v)
		return false;
	for (i = 0; i < h->rows * h->bins; i++)
		h->v[i] = NAN;
	for (i = 0; i < ms->n; i++)
		json_array_foreach(json_object_get(json_object_get(ms->m[i].node, "results"),
						   "intervals"), j, iv) {
			long b = h->by_time ? lround((num(iv, "t_ns") - t0) / (interval_s * 1e9)) :
				(long)j;
			double y = latency ? num(iv, "p99_ns") :
				num(iv, "read_iops") + num(iv, "write_iops");

			if (b >= 0 && y > 0)
				*cell(h, i, (size_t)b) = y;
		}
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * A cell's colour: its value against the median of its column (all
 * members in that interval), on a log2 scale from half to double: red
 * where worse (fewer IOPS, a higher p99), blue where better, white at
 * the median.
 */
static void cell_color(double ratio, bool latency, char *buf, size_t len)
{
	double l = log2(ratio), w;
	int r, g, b;

	if (l > 1)
		l = 1;
	if (l < -1)
		l = -1;
	if (latency)
		l = -l;
	w = fabs(l);
	if (l < 0) {        /* worse: towards #d62728 */
		r = (int)lround(255 + (214 - 255) * w);
		g = (int)lround(255 + (39 - 255) * w);
		b = (int)lround(255 + (40 - 255) * w);
	} else {            /* better: towards #1f77b4 */
		r = (int)lround(255 + (31 - 255) * w);
		g = (int)lround(255 + (119 - 255) * w);
		b = (int)lround(255 + (180 - 255) * w);
	}
	snprintf(buf, len, "#%02x%02x%02x", r, g, b);
}

static void heatmap(struct sbuf *o, const struct members *ms, double interval_s, bool latency)
{
	struct heat h;
	double width = SVG_DEFAULT_WIDTH, plot = width - HEAT_LABEL_PX - 20, cw, height, *col;
	char x[SVG_NUM_MAX], y[SVG_NUM_MAX], w[SVG_NUM_MAX], hh[SVG_NUM_MAX], color[16];
	size_t i, b, every;

	if (!heat_fill(&h, ms, interval_s, latency))
		return;
	col = calloc(h.rows, sizeof(double));
	if (!col) {
		free(h.v);
		return;
	}
	cw = plot / (double)h.bins;
	height = HEAT_TOP_PX + HEAT_ROW_PX * (double)h.rows + HEAT_BOTTOM_PX;
	sbuf_printf(o, "<figure id=\"heatmap-%s\">\n", latency ? "p99" : "iops");
	svg_num(width, w, sizeof(w));
	svg_num(height, hh, sizeof(hh));
	sbuf_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%s\" height=\"%s\" "
		    "viewBox=\"0 0 %s %s\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
		    "font-size=\"%d\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
		    w, hh, w, hh, SVG_FONT_PX);
	sbuf_printf(o, "<text x=\"%.0f\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s per "
		    "%s over time, against the median of all %ss in each interval</text>\n",
		    HEAT_LABEL_PX, latency ? "p99" : "IOPS", ms->what, ms->what);
	for (b = 0; b < h.bins; b++) {
		size_t n = 0;
		double med;

		for (i = 0; i < h.rows; i++)
			if (isfinite(*cell(&h, i, b)))
				col[n++] = *cell(&h, i, b);
		if (!n)
			continue;
		qsort(col, n, sizeof(double), cmp_double);
		med = n % 2 ? col[n / 2] : (col[n / 2 - 1] + col[n / 2]) / 2;
		for (i = 0; i < h.rows; i++) {
			double v = *cell(&h, i, b);

			if (!isfinite(v))
				continue;
			cell_color(med > 0 ? v / med : 1, latency, color, sizeof(color));
			svg_num(HEAT_LABEL_PX + cw * (double)b, x, sizeof(x));
			svg_num(HEAT_TOP_PX + HEAT_ROW_PX * (double)i, y, sizeof(y));
			svg_num(cw, w, sizeof(w));
			svg_num(HEAT_ROW_PX - 1, hh, sizeof(hh));
			sbuf_printf(o, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" "
				    "fill=\"%s\"/>\n", x, y, w, hh, color);
		}
	}
	/* The members, furthest from the others on top. */
	for (i = 0; i < h.rows; i++) {
		svg_num(HEAT_TOP_PX + HEAT_ROW_PX * (double)i + HEAT_ROW_PX * 0.7, y, sizeof(y));
		sbuf_printf(o, "<text x=\"%.0f\" y=\"%s\" text-anchor=\"end\"%s>", HEAT_LABEL_PX - 6,
			    y, ms->m[i].outlier ? " fill=\"#a31515\" font-weight=\"bold\"" : "");
		esc(o, ms->m[i].name);
		sbuf_add(o, "</text>\n");
	}
	/* Time labels, about one every 80 pixels. */
	every = (size_t)ceil(80.0 / cw);
	if (!every)
		every = 1;
	for (b = 0; b < h.bins; b += every) {
		char t[SVG_LABEL_MAX];

		svg_format_value(SVG_UNIT_SECONDS, (double)(b + 1) * (h.by_time ? h.interval_s :
			interval_s > 0 ? interval_s : 1), 0, t, sizeof(t));
		svg_num(HEAT_LABEL_PX + cw * ((double)b + 0.5), x, sizeof(x));
		svg_num(HEAT_TOP_PX + HEAT_ROW_PX * (double)h.rows + 14, y, sizeof(y));
		sbuf_printf(o, "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\">%s</text>\n", x, y, t);
	}
	/* The scale. */
	for (i = 0; i < 9; i++) {
		double ratio = pow(2.0, ((double)i - 4) / 4.0);

		cell_color(latency ? 1 / ratio : ratio, latency, color, sizeof(color));
		svg_num(HEAT_LABEL_PX + 18.0 * (double)i, x, sizeof(x));
		svg_num(height - 20, y, sizeof(y));
		sbuf_printf(o, "<rect x=\"%s\" y=\"%s\" width=\"18\" height=\"12\" fill=\"%s\" "
			    "stroke=\"#ccc\"/>\n", x, y, color);
	}
	svg_num(height - 10, y, sizeof(y));
	sbuf_printf(o, "<text x=\"%.0f\" y=\"%s\">worse: half (IOPS) or double (p99) the "
		    "median · white: the median · better</text>\n</svg>\n",
		    HEAT_LABEL_PX + 18 * 9 + 8, y);
	sbuf_printf(o, "<figcaption>Each row a %s (the furthest from the others on top), each "
		    "column an interval%s; the colour is the %s's %s against the median of all "
		    "%ss in that interval, on a log scale from half to double.</figcaption>\n"
		    "</figure>\n", ms->what, h.by_time ? " on the wall clock" : "", ms->what,
		    latency ? "p99" : "IOPS", ms->what);
	free(col);
	free(h.v);
}

void report_fleet_section(struct sbuf *o, const struct report *r)
{
	json_t *doc = r->doc, *out = json_object_get(doc, "outliers"), *st;
	struct members ms;
	double interval_s = num(json_object_get(doc, "params"), "interval_s");

	if (!members_of(doc, &ms, true))
		return;
	sbuf_printf(o, "<h2>%s</h2>\n", ms.fleet ? "Hosts" : "Devices");
	if (ms.fleet) {
		char s[SVG_LABEL_MAX];

		st = json_object_get(doc, "start");
		sbuf_printf(o, "<p>%zu hosts ran the same job at once; the fleet's results are the "
			    "exact merge of theirs (histograms add: its percentiles are those of "
			    "every I/O).", ms.n);
		if (json_is_object(st)) {
			fmt_unit(SVG_UNIT_NS, num(st, "spread_ns"), s, sizeof(s));
			sbuf_printf(o, " They began within %s of each other.", s);
		}
		sbuf_add(o, "</p>\n");
	} else {
		sbuf_printf(o, "<p>%zu devices ran the same workload at once, each with its own "
			    "workers; the results above are the exact merge of theirs.</p>\n", ms.n);
	}
	outlier_lines(o, json_object_get(out, ms.fleet ? "hosts" : "devices"),
		      ms.fleet ? "hosts" : "devices");
	if (ms.fleet) {
		size_t i, many = 0;

		for (i = 0; i < ms.n; i++)
			many |= json_array_size(json_object_get(ms.m[i].node, "devices")) > 1;
		if (many)
			outlier_lines(o, json_object_get(out, "devices"), "devices of the fleet");
	}
	member_table(o, &ms);
	if (ms.fleet || ms.n > LINES_MAX) {
		heatmap(o, &ms, interval_s, false);
		heatmap(o, &ms, interval_s, true);
	}
	free(ms.m);
}
