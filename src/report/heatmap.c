/*
 * The latency heatmap: time across, latency up (log scale), the colour of a
 * cell the number of I/Os that completed in that column's time with a
 * latency in that row (log scale), reads and writes together. It is built
 * from the per-interval histograms of the interval series
 * (results.intervals[].lat_hist, doc/result-schema-v2.md sections 4 and 5),
 * merged exactly: consecutive intervals into at most HEAT_MAX_COLS columns,
 * histogram buckets into rows of an eighth of a power of two (3 bits). A
 * tail that comes and goes shows as cells that light up high in some
 * columns only; the p99 of each column is drawn over the cells.
 */
#include "report/report_int.h"

#include <stdint.h>
#include <stdlib.h>

#include "result/hist_json.h"
#include "stats/hist.h"

#define HEAT_MAX_COLS 240
#define HEAT_ROW_BITS 3
#define HEAT_WIDTH 1160
#define HEAT_HEIGHT 400
#define HEAT_LEFT 86
#define HEAT_RIGHT (HEAT_WIDTH - 130)
#define HEAT_TOP 44
#define HEAT_BOTTOM (HEAT_HEIGHT - 52)

struct heatmap {
	size_t ncols, nrows;
	uint32_t row0;           /* bucket index (at HEAT_ROW_BITS) of row 0 */
	double *t0, *t1;         /* per column: its start and end, seconds */
	double *lo, *hi;         /* per row: latency range, ns */
	uint64_t *count;         /* ncols x nrows, column-major */
	double *p99;             /* per column, ns (NAN without I/O) */
	uint64_t cmin, cmax;     /* the smallest and largest non-zero cell */
	uint64_t total;
	size_t intervals;
};

void heatmap_free(struct heatmap *h)
{
	if (!h)
		return;
	free(h->t0);
	free(h->t1);
	free(h->lo);
	free(h->hi);
	free(h->count);
	free(h->p99);
	free(h);
}

/* An interval's histogram of both directions, at its own precision; -1 when it has none. */
static int interval_hist(json_t *iv, struct hist *out)
{
	json_t *lh = json_object_get(iv, "lat_hist");
	struct hist d[2];
	char err[160];
	int k, n = 0;

	for (k = 0; k < 2; k++) {
		json_t *j = json_object_get(lh, k ? "write" : "read");

		if (j && hist_from_json(j, NULL, &d[n], err, sizeof(err)) == 0)
			n++;
	}
	if (!n || (n == 2 && d[0].bits != d[1].bits)) {
		while (n--)
			hist_free(&d[n]);
		return -1;
	}
	*out = d[0];
	if (n == 2) {
		hist_merge(out, &d[1]);
		hist_free(&d[1]);
	}
	return 0;
}

static bool usable(json_t *iv)
{
	return json_is_object(json_object_get(iv, "lat_hist")) &&
	       isfinite(num(iv, "t_s")) && num(iv, "len_s") > 0;
}

/* First pass: the rows the data needs, at HEAT_ROW_BITS. */
static bool row_range(json_t *ivs, uint32_t *first, uint32_t *last, size_t *n)
{
	struct hist coarse;
	json_t *iv;
	size_t i;

	*first = UINT32_MAX;
	*last = 0;
	*n = 0;
	if (hist_init(&coarse, HEAT_ROW_BITS))
		return false;
	json_array_foreach(ivs, i, iv) {
		struct hist h;
		uint32_t b;

		if (!usable(iv) || interval_hist(iv, &h))
			continue;
		(*n)++;
		if (h.bits >= HEAT_ROW_BITS && hist_downsample(&coarse, &h) == 0)
			for (b = 0; b < coarse.nbuckets; b++)
				if (coarse.buckets[b]) {
					*first = b < *first ? b : *first;
					*last = b > *last ? b : *last;
				}
		hist_free(&h);
	}
	hist_free(&coarse);
	return *first <= *last;
}

static struct heatmap *heatmap_build(json_t *ivs)
{
	struct hist coarse, col;
	struct heatmap *h = calloc(1, sizeof(*h));
	uint32_t first, last, b;
	size_t n, i, k = 0, c;
	bool col_open = false;
	json_t *iv;

	if (!h || !row_range(ivs, &first, &last, &n) || n < 2) {
		free(h);
		return NULL;
	}
	h->intervals = n;
	h->ncols = n < HEAT_MAX_COLS ? n : HEAT_MAX_COLS;
	h->nrows = last - first + 1;
	h->row0 = first;
	h->t0 = calloc(h->ncols, sizeof(double));
	h->t1 = calloc(h->ncols, sizeof(double));
	h->p99 = calloc(h->ncols, sizeof(double));
	h->lo = calloc(h->nrows, sizeof(double));
	h->hi = calloc(h->nrows, sizeof(double));
	h->count = calloc(h->ncols * h->nrows, sizeof(uint64_t));
	if (!h->t0 || !h->t1 || !h->p99 || !h->lo || !h->hi || !h->count ||
	    hist_init(&coarse, HEAT_ROW_BITS)) {
		heatmap_free(h);
		return NULL;
	}
	for (b = 0; b < h->nrows; b++) {
		uint64_t lo, width;

		hist_bucket_range(&coarse, first + b, &lo, &width);
		h->lo[b] = lo > 0 ? (double)lo : 0.5;
		h->hi[b] = (double)(lo + width);
	}
	memset(&col, 0, sizeof(col));
	json_array_foreach(ivs, i, iv) {
		struct hist x;

		if (!usable(iv) || interval_hist(iv, &x))
			continue;
		c = k * h->ncols / n;  /* intervals spread evenly over the columns */
		if (!col_open) {
			col = x;
			col_open = true;
			h->t0[c] = num(iv, "t_s") - num(iv, "len_s");
		} else if (col.bits == x.bits) {
			hist_merge(&col, &x);
			hist_free(&x);
		} else {
			hist_free(&x);
		}
		h->t1[c] = num(iv, "t_s");
		k++;
		/* The column ends with its last interval. */
		if (k == n || k * h->ncols / n != c) {
			col.min = 0;
			col.max = UINT64_MAX;
			h->p99[c] = col.count ? (double)hist_percentile(&col, 99.0) : NAN;
			if (col.bits >= HEAT_ROW_BITS && hist_downsample(&coarse, &col) == 0)
				for (b = 0; b < h->nrows; b++) {
					uint64_t v = coarse.buckets[first + b];

					h->count[c * h->nrows + b] = v;
					h->total += v;
					if (v && (!h->cmin || v < h->cmin))
						h->cmin = v;
					if (v > h->cmax)
						h->cmax = v;
				}
			hist_free(&col);
			col_open = false;
		}
	}
	hist_free(&coarse);
	return h;
}

void heatmap_chart(struct report *r)
{
	json_t *ivs = json_object_get(json_object_get(r->doc, "results"), "intervals");
	struct report_chart *c;
	struct heatmap *h;
	char per[SVG_LABEL_MAX];

	if (json_array_size(ivs) < 2 || !(h = heatmap_build(ivs)))
		return;
	c = chart_new(r, "heatmap", "Latency heatmap");
	if (!c) {
		heatmap_free(h);
		return;
	}
	c->heat = h;
	snprintf(c->chart.x_title, sizeof(c->chart.x_title), "time");
	snprintf(c->chart.y_title, sizeof(c->chart.y_title), "completion latency");
	svg_format_value(SVG_UNIT_SECONDS, (h->t1[h->ncols - 1] - h->t0[0]) / (double)h->ncols, 0,
			 per, sizeof(per));
	snprintf(c->caption, sizeof(c->caption),
		 "I/Os completed by time and latency, reads and writes together, from the "
		 "per-interval histograms (%zu interval%s in %zu column%s of about %s; rows of an "
		 "eighth of a power of two). Colour: I/Os in the cell, log scale. Red line: the p99 "
		 "of each column. A tail that comes and goes lights up high cells in some columns "
		 "only.", h->intervals, h->intervals == 1 ? "" : "s", h->ncols,
		 h->ncols == 1 ? "" : "s", per);
}

/* ---- drawing ---------------------------------------------------------------- */

/* Viridis at five stops, interpolated in RGB: dark (few) to yellow (many). */
static void ramp(double f, char *hex, size_t len)
{
	static const unsigned char stop[5][3] = {
		{ 0x44, 0x01, 0x54 }, { 0x3b, 0x52, 0x8b }, { 0x21, 0x91, 0x8c },
		{ 0x5e, 0xc9, 0x62 }, { 0xfd, 0xe7, 0x25 },
	};
	double x = (f < 0 ? 0 : f > 1 ? 1 : f) * 4;
	int i = x >= 4 ? 3 : (int)x, k;
	double t = x - i;
	unsigned v[3];

	for (k = 0; k < 3; k++)
		v[k] = (unsigned)(stop[i][k] + (stop[i + 1][k] - stop[i][k]) * t + 0.5);
	snprintf(hex, len, "#%02x%02x%02x", v[0], v[1], v[2]);
}

static double level(const struct heatmap *h, uint64_t v)
{
	double lo = log10((double)h->cmin), hi = log10((double)h->cmax);

	return hi > lo ? (log10((double)v) - lo) / (hi - lo) : 1;
}

static void num_attr(struct sbuf *o, const char *name, double v)
{
	char n[SVG_NUM_MAX];

	svg_num(v, n, sizeof(n));
	sbuf_printf(o, " %s=\"%s\"", name, n);
}

static void rect(struct sbuf *o, double x, double y, double w, double hgt, const char *fill)
{
	sbuf_add(o, "<rect");
	num_attr(o, "x", x);
	num_attr(o, "y", y);
	num_attr(o, "width", w > 0 ? w : 0);
	num_attr(o, "height", hgt > 0 ? hgt : 0);
	sbuf_printf(o, " fill=\"%s\"/>\n", fill);
}

static void text(struct sbuf *o, double x, double y, const char *anchor, const char *extra,
		 const char *s)
{
	sbuf_add(o, "<text");
	num_attr(o, "x", x);
	num_attr(o, "y", y);
	if (anchor)
		sbuf_printf(o, " text-anchor=\"%s\"", anchor);
	if (extra)
		sbuf_printf(o, " %s", extra);
	sbuf_add(o, ">");
	sbuf_add_escaped(o, s);
	sbuf_add(o, "</text>\n");
}

static void line_w(struct sbuf *o, double x1, double y1, double x2, double y2,
		   const char *stroke, double width)
{
	sbuf_add(o, "<line");
	num_attr(o, "x1", x1);
	num_attr(o, "y1", y1);
	num_attr(o, "x2", x2);
	num_attr(o, "y2", y2);
	sbuf_printf(o, " stroke=\"%s\"", stroke);
	num_attr(o, "stroke-width", width);
	sbuf_add(o, "/>\n");
}

static void line(struct sbuf *o, double x1, double y1, double x2, double y2, const char *stroke)
{
	line_w(o, x1, y1, x2, y2, stroke, 1);
}

static void cells(struct sbuf *o, const struct heatmap *h, const struct svg_axis *x,
		  const struct svg_axis *y)
{
	size_t c, b;

	for (c = 0; c < h->ncols; c++) {
		double x0 = svg_axis_map(x, h->t0[c]), x1 = svg_axis_map(x, h->t1[c]);

		if (x1 - x0 < 1)
			x1 = x0 + 1;
		for (b = 0; b < h->nrows; b++) {
			uint64_t v = h->count[c * h->nrows + b];
			double y0 = svg_axis_map(y, h->hi[b]), y1 = svg_axis_map(y, h->lo[b]);
			char hex[8];

			if (!v)
				continue;
			ramp(level(h, v), hex, sizeof(hex));
			/* A hair wider: no seams between neighbours. */
			rect(o, x0, y0, x1 - x0 + 0.3, y1 - y0 + 0.3, hex);
		}
	}
}

static void p99_line(struct sbuf *o, const struct heatmap *h, const struct svg_axis *x,
		     const struct svg_axis *y)
{
	bool pen = false;
	size_t c;

	sbuf_add(o, "<path fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" d=\"");
	for (c = 0; c < h->ncols; c++) {
		char a[SVG_NUM_MAX], b[SVG_NUM_MAX];

		if (!(h->p99[c] > 0)) {
			pen = false;
			continue;
		}
		svg_num(svg_axis_map(x, (h->t0[c] + h->t1[c]) / 2), a, sizeof(a));
		svg_num(svg_axis_map(y, h->p99[c]), b, sizeof(b));
		sbuf_printf(o, "%s%s %s ", pen ? "L" : "M", a, b);
		pen = true;
	}
	sbuf_add(o, "\"/>\n");
}

/* The colour scale at the right: a gradient of 32 steps, the counts at its ends. */
static void legend(struct sbuf *o, const struct heatmap *h)
{
	double x = HEAT_RIGHT + 24, top = HEAT_TOP + 16, bottom = HEAT_BOTTOM, step;
	char hex[8], lab[32];
	int i;

	text(o, x, HEAT_TOP + 4, NULL, "font-size=\"11\" fill=\"#444444\"", "I/Os per cell");
	step = (bottom - top) / 32;
	for (i = 0; i < 32; i++) {
		ramp((31 - i) / 31.0, hex, sizeof(hex));
		rect(o, x, top + i * step, 14, step + 0.3, hex);
	}
	snprintf(lab, sizeof(lab), "%llu", (unsigned long long)h->cmax);
	text(o, x + 20, top + 9, NULL, "font-size=\"11\"", lab);
	snprintf(lab, sizeof(lab), "%llu", (unsigned long long)h->cmin);
	text(o, x + 20, bottom, NULL, "font-size=\"11\"", lab);
	line_w(o, x, bottom + 14, x + 14, bottom + 14, "#d62728", 2);
	text(o, x + 20, bottom + 18, NULL, "font-size=\"11\"", "p99");
}

int heatmap_render(struct sbuf *o, const struct report_chart *rc, bool standalone)
{
	const struct heatmap *h = rc->heat;
	struct svg_axis x, y;
	char tr[128], a[SVG_NUM_MAX], b[SVG_NUM_MAX];
	size_t i;

	svg_axis_init(&x, SVG_LINEAR, SVG_UNIT_SECONDS, h->t0[0], h->t1[h->ncols - 1], HEAT_LEFT,
		      HEAT_RIGHT, true);
	svg_axis_init(&y, SVG_LOG, SVG_UNIT_NS, h->lo[0], h->hi[h->nrows - 1], HEAT_BOTTOM,
		      HEAT_TOP, false);
	if (standalone)
		sbuf_add(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sbuf_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		    "viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"DejaVu Sans, Helvetica, Arial, "
		    "sans-serif\" font-size=\"12\" fill=\"#222222\">\n<title>", HEAT_WIDTH,
		    HEAT_HEIGHT, HEAT_WIDTH, HEAT_HEIGHT);
	sbuf_add_escaped(o, rc->chart.title);
	sbuf_add(o, "</title>\n");
	rect(o, 0, 0, HEAT_WIDTH, HEAT_HEIGHT, "#ffffff");
	rect(o, HEAT_LEFT, HEAT_TOP, HEAT_RIGHT - HEAT_LEFT, HEAT_BOTTOM - HEAT_TOP, "#f7f7f7");
	cells(o, h, &x, &y);
	p99_line(o, h, &x, &y);
	for (i = 0; i < y.nticks; i++) {
		double yy = svg_axis_map(&y, y.tick[i]);

		line(o, HEAT_LEFT - 5, yy, HEAT_LEFT, yy, "#555555");
		text(o, HEAT_LEFT - 8, yy + 4, "end", NULL, y.label[i]);
	}
	for (i = 0; i < x.nticks; i++) {
		double xx = svg_axis_map(&x, x.tick[i]);

		line(o, xx, HEAT_BOTTOM, xx, HEAT_BOTTOM + 5, "#555555");
		text(o, xx, HEAT_BOTTOM + 19, "middle", NULL, x.label[i]);
	}
	line(o, HEAT_LEFT, HEAT_BOTTOM, HEAT_RIGHT, HEAT_BOTTOM, "#555555");
	line(o, HEAT_LEFT, HEAT_TOP, HEAT_LEFT, HEAT_BOTTOM, "#555555");
	legend(o, h);
	text(o, 16, 24, NULL, "font-size=\"15\" font-weight=\"bold\"", rc->chart.title);
	text(o, (HEAT_LEFT + HEAT_RIGHT) / 2.0, HEAT_HEIGHT - 10, "middle", "fill=\"#444444\"",
	     rc->chart.x_title);
	svg_num(20, a, sizeof(a));
	svg_num((HEAT_TOP + HEAT_BOTTOM) / 2.0, b, sizeof(b));
	snprintf(tr, sizeof(tr), "fill=\"#444444\" transform=\"rotate(-90 %s %s)\"", a, b);
	text(o, 20, (HEAT_TOP + HEAT_BOTTOM) / 2.0, "middle", tr, rc->chart.y_title);
	sbuf_add(o, "</svg>\n");
	return o->failed ? -1 : 0;
}

size_t heatmap_columns(const struct heatmap *h)
{
	return h->ncols;
}

uint64_t heatmap_total(const struct heatmap *h)
{
	return h->total;
}

uint64_t heatmap_cell(const struct heatmap *h, size_t col, double latency_ns)
{
	size_t b;

	for (b = 0; b < h->nrows; b++)
		if (latency_ns >= h->lo[b] && latency_ns < h->hi[b])
			return h->count[col * h->nrows + b];
	return 0;
}
