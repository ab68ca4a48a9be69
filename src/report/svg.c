/*
 * The chart renderer of the SVG writer (svg.h): line charts and bar
 * charts, with their legend, layout, grids, regions, markers and series.
 * Numbers and axes come from svg_axis.c, the text buffer from sbuf.c.
 */
#include "report/svg.h"
#include "report/svg_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- charts --------------------------------------------------------------- */

static const char *const palette[SVG_NCOLORS] = {
	[SVG_BLUE] = "#1f77b4", [SVG_ORANGE] = "#ff7f0e", [SVG_GREEN] = "#2ca02c",
	[SVG_RED] = "#d62728", [SVG_PURPLE] = "#9467bd", [SVG_BROWN] = "#8c564b",
	[SVG_PINK] = "#e377c2", [SVG_GREY] = "#7f7f7f", [SVG_OLIVE] = "#bcbd22",
	[SVG_CYAN] = "#17becf", [SVG_AMBER] = "#e6a11a", [SVG_BLACK] = "#222222",
};

const char *svg_color_hex(enum svg_color c)
{
	return (unsigned)c < SVG_NCOLORS ? palette[c] : palette[SVG_BLACK];
}

#define TITLE_Y 24
#define LEGEND_Y 46
#define LEGEND_ROW 18
#define LEGEND_X 16
#define MARGIN_RIGHT 28
#define MARGIN_BOTTOM 52
#define MARKER_BAND 18

struct layout {
	double w, h;
	double left, right, top, bottom;   /* the plot area */
	double band_y;                     /* baseline of marker labels */
	size_t legend_rows;
	struct svg_axis x, y;
};

/* Write a number attribute: name="1.25" (leading space included). */
static void attr_num(struct sbuf *o, const char *name, double v)
{
	char n[SVG_NUM_MAX];

	svg_num(v, n, sizeof(n));
	sbuf_printf(o, " %s=\"%s\"", name, n);
}

static void text_el(struct sbuf *o, double x, double y, const char *anchor, const char *extra,
		    const char *text)
{
	sbuf_add(o, "<text");
	attr_num(o, "x", x);
	attr_num(o, "y", y);
	if (anchor)
		sbuf_printf(o, " text-anchor=\"%s\"", anchor);
	if (extra)
		sbuf_printf(o, " %s", extra);
	sbuf_add(o, ">");
	sbuf_add_escaped(o, text);
	sbuf_add(o, "</text>\n");
}

static void line_el(struct sbuf *o, double x1, double y1, double x2, double y2,
		    const char *stroke, double width, const char *extra)
{
	sbuf_add(o, "<line");
	attr_num(o, "x1", x1);
	attr_num(o, "y1", y1);
	attr_num(o, "x2", x2);
	attr_num(o, "y2", y2);
	sbuf_printf(o, " stroke=\"%s\"", stroke);
	attr_num(o, "stroke-width", width);
	if (extra)
		sbuf_printf(o, " %s", extra);
	sbuf_add(o, "/>\n");
}

static void rect_el(struct sbuf *o, double x, double y, double w, double h, const char *fill,
		    const char *extra)
{
	sbuf_add(o, "<rect");
	attr_num(o, "x", x);
	attr_num(o, "y", y);
	attr_num(o, "width", w > 0 ? w : 0);
	attr_num(o, "height", h > 0 ? h : 0);
	sbuf_printf(o, " fill=\"%s\"", fill);
	if (extra)
		sbuf_printf(o, " %s", extra);
	sbuf_add(o, "/>\n");
}

/* s cut to fit px pixels, at a character boundary, with an ellipsis; "" if hopeless. */
static void fit_text(const char *s, double px, char *buf, size_t len)
{
	size_t max = px > 0 ? (size_t)(px / SVG_CHAR_PX) : 0, n = 0, i;

	if (svg_label_px(s) <= px) {
		snprintf(buf, len, "%s", s);
		return;
	}
	if (max < 4) {
		buf[0] = '\0';
		return;
	}
	for (i = 0; s[i] && i + 4 < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++n > max - 1)
			break;
	}
	snprintf(buf, len, "%.*s…", (int)i, s);
}

static double legend_item_px(const char *name)
{
	return 28 + svg_label_px(name) + 18;
}

/* Rows the legend needs in the width available. */
static size_t legend_rows(const struct svg_chart *c, double left, double right)
{
	double x = left;
	size_t rows = 0, i, n = c->nseries + c->nkeys;

	for (i = 0; i < n; i++) {
		const char *name = i < c->nseries ? c->series[i].name : c->keys[i - c->nseries].name;
		double w = legend_item_px(name);

		if (!rows || (x + w > right && x > left)) {
			rows++;
			x = left;
		}
		x += w;
	}
	return rows;
}

static void draw_legend(struct sbuf *o, const struct svg_chart *c, const struct layout *l)
{
	double x = LEGEND_X, y = LEGEND_Y - LEGEND_ROW;
	size_t i, n = c->nseries + c->nkeys;
	bool first = true;

	for (i = 0; i < n; i++) {
		bool is_series = i < c->nseries;
		const char *name = is_series ? c->series[i].name : c->keys[i - c->nseries].name;
		enum svg_color col = is_series ? c->series[i].color : c->keys[i - c->nseries].color;
		const char *hex = svg_color_hex(col);
		double w = legend_item_px(name);

		if (first || (x + w > l->w - MARGIN_RIGHT && x > LEGEND_X)) {
			y += LEGEND_ROW;
			x = LEGEND_X;
		}
		first = false;
		if (!is_series) {
			rect_el(o, x + 6, y - 9, 12, 12, hex, NULL);
		} else {
			enum svg_style st = c->series[i].style;

			if (st != SVG_STYLE_POINTS)
				line_el(o, x, y - 3, x + 22, y - 3, hex, 2.5,
					st == SVG_STYLE_DASHED ? "stroke-dasharray=\"6 4\"" : NULL);
			if (st == SVG_STYLE_POINTS || st == SVG_STYLE_LINE_POINTS) {
				sbuf_add(o, "<circle");
				attr_num(o, "cx", x + 11);
				attr_num(o, "cy", y - 3);
				sbuf_printf(o, " r=\"4\" fill=\"%s\"/>\n", hex);
			}
		}
		text_el(o, x + 28, y + 1, NULL, NULL, name);
		x += w;
	}
}

static double max_label_px(const struct svg_axis *a)
{
	double m = 0;
	size_t i;

	for (i = 0; i < a->nticks; i++)
		if (svg_label_px(a->label[i]) > m)
			m = svg_label_px(a->label[i]);
	return m;
}

static bool has_marker_labels(const struct svg_chart *c)
{
	size_t i;

	for (i = 0; i < c->nmarkers; i++)
		if (c->markers[i].label[0])
			return true;
	for (i = 0; i < c->nregions; i++)
		if (c->regions[i].label[0])
			return true;
	return false;
}

static void widen(double v, enum svg_scale sc, double *lo, double *hi)
{
	if (!isfinite(v) || (sc == SVG_LOG && v <= 0))
		return;
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

/* The data range of x (or y) over every series, region and marker. */
static void data_range(const struct svg_chart *c, bool want_x, enum svg_scale sc, double *lo,
		       double *hi)
{
	size_t i, j;

	*lo = INFINITY;
	*hi = -INFINITY;
#define TAKE(v) widen(v, sc, lo, hi)
	for (i = 0; i < c->nseries; i++)
		for (j = 0; j < c->series[i].n; j++) {
			if (!isfinite(c->series[i].x[j]) || !isfinite(c->series[i].y[j]))
				continue;
			if (want_x && (c->y_scale != SVG_LOG || c->series[i].y[j] > 0))
				TAKE(c->series[i].x[j]);
			if (!want_x && (c->x_scale != SVG_LOG || c->series[i].x[j] > 0))
				TAKE(c->series[i].y[j]);
		}
	if (want_x) {
		for (i = 0; i < c->nregions; i++) {
			TAKE(c->regions[i].x0);
			TAKE(c->regions[i].x1);
		}
		for (i = 0; i < c->nmarkers; i++)
			TAKE(c->markers[i].x);
		for (i = 0; i < c->nbars; i++) {
			TAKE(c->bars[i].value);
			TAKE(c->bars[i].lo);
			TAKE(c->bars[i].hi);
		}
	}
#undef TAKE
}

double svg_chart_height(const struct svg_chart *c)
{
	double w = c->width > 0 ? c->width : SVG_DEFAULT_WIDTH;
	size_t rows = legend_rows(c, LEGEND_X, w - MARGIN_RIGHT);

	if (c->nbars)
		return LEGEND_Y + (double)(rows ? rows - 1 : 0) * LEGEND_ROW + 14 +
		       (has_marker_labels(c) ? MARKER_BAND : 0) +
		       (double)c->nbars * SVG_BAR_ROW_PX + MARGIN_BOTTOM;
	return c->height > 0 ? c->height : SVG_DEFAULT_HEIGHT;
}

static void note_width(const struct svg_chart *c, double *px)
{
	size_t i;

	*px = 0;
	for (i = 0; i < c->nbars; i++)
		if (svg_label_px(c->bars[i].note) > *px)
			*px = svg_label_px(c->bars[i].note);
}

static void bar_label_width(const struct svg_chart *c, double *px)
{
	size_t i;

	*px = 0;
	for (i = 0; i < c->nbars; i++)
		if (svg_label_px(c->bars[i].label) > *px)
			*px = svg_label_px(c->bars[i].label);
}

/*
 * Margins depend on the labels and the labels on the axis lengths: the
 * vertical axis first (its spacing does not depend on the left margin),
 * then the left margin from its widest label, then the horizontal axis.
 */
static void layout_chart(const struct svg_chart *c, struct layout *l)
{
	double xlo, xhi, ylo, yhi, right_extra = 0, lw;

	memset(l, 0, sizeof(*l));
	l->w = c->width > 0 ? c->width : SVG_DEFAULT_WIDTH;
	l->h = svg_chart_height(c);
	l->legend_rows = legend_rows(c, LEGEND_X, l->w - MARGIN_RIGHT);
	l->top = LEGEND_Y + (double)(l->legend_rows ? l->legend_rows - 1 : 0) * LEGEND_ROW + 14;
	l->bottom = l->h - MARGIN_BOTTOM;
	data_range(c, true, c->x_scale, &xlo, &xhi);
	if (c->nbars) {
		if (has_marker_labels(c))
			l->top += MARKER_BAND;
		l->band_y = l->top - 5;  /* above the bars, not on them */
		bar_label_width(c, &lw);
		l->left = 16 + lw + 12;
		note_width(c, &right_extra);
		l->right = l->w - MARGIN_RIGHT - right_extra - 12;
		if (!(xlo <= 0))
			xlo = 0;
		if (!(xhi >= 0))
			xhi = 0;
		svg_axis_init(&l->x, SVG_LINEAR, c->x_unit, xlo, xhi, l->left, l->right, true);
		return;
	}
	l->band_y = l->top + 12;
	data_range(c, false, c->y_scale, &ylo, &yhi);
	if (c->y_zero && c->y_scale == SVG_LINEAR && isfinite(ylo) && ylo > 0)
		ylo = 0;
	/* Headroom: a steady series should not run along the top border. */
	if (c->y_scale == SVG_LINEAR && isfinite(ylo) && yhi > ylo)
		yhi += (yhi - ylo) * 0.04;
	if (c->x_zero && c->x_scale == SVG_LINEAR && isfinite(xlo) && xlo > 0)
		xlo = 0;
	svg_axis_init(&l->y, c->y_scale, c->y_unit, ylo, yhi, l->bottom,
		      l->top + (has_marker_labels(c) ? MARKER_BAND : 0), false);
	/* The axis runs to l->top; the marker band only keeps labels clear of the data. */
	l->left = 16 + (c->y_title[0] ? 18 : 0) + max_label_px(&l->y) + 10;
	l->right = l->w - MARGIN_RIGHT;
	svg_axis_init(&l->x, c->x_scale, c->x_unit, xlo, xhi, l->left, l->right, true);
}

static void draw_y_grid(struct sbuf *o, const struct layout *l)
{
	size_t i;

	for (i = 0; i < l->y.nticks; i++) {
		double y = svg_axis_map(&l->y, l->y.tick[i]);

		line_el(o, l->left, y, l->right, y, "#e3e3e3", 1, NULL);
		text_el(o, l->left - 8, y + 4, "end", NULL, l->y.label[i]);
	}
}

static void draw_x_grid(struct sbuf *o, const struct layout *l, bool lines)
{
	size_t i;

	for (i = 0; i < l->x.nticks; i++) {
		double x = svg_axis_map(&l->x, l->x.tick[i]);

		if (lines)
			line_el(o, x, l->top, x, l->bottom, "#eeeeee", 1, NULL);
		line_el(o, x, l->bottom, x, l->bottom + 5, "#555555", 1, NULL);
		text_el(o, x, l->bottom + 19, "middle", NULL, l->x.label[i]);
	}
}

static void draw_titles(struct sbuf *o, const struct svg_chart *c, const struct layout *l)
{
	text_el(o, 16, TITLE_Y, NULL, "font-size=\"15\" font-weight=\"bold\"", c->title);
	if (c->x_title[0])
		text_el(o, (l->left + l->right) / 2, l->h - 10, "middle", "fill=\"#444444\"",
			c->x_title);
	if (c->y_title[0]) {
		char tr[160], a[SVG_NUM_MAX], b[SVG_NUM_MAX];

		svg_num(20, a, sizeof(a));
		svg_num((l->top + l->bottom) / 2, b, sizeof(b));
		snprintf(tr, sizeof(tr), "fill=\"#444444\" transform=\"rotate(-90 %s %s)\"", a, b);
		text_el(o, 20, (l->top + l->bottom) / 2, "middle", tr, c->y_title);
	}
}

/* A label at the top of the plot after x, cut to end before limit. */
static void band_label(struct sbuf *o, const struct layout *l, double x, double limit,
		       const char *label, const char *color)
{
	char fitted[64], extra[96];

	fit_text(label, limit - x - 8, fitted, sizeof(fitted));
	if (!fitted[0])
		return;
	snprintf(extra, sizeof(extra), "font-size=\"11\" fill=\"%s\" stroke=\"#ffffff\" "
		 "stroke-width=\"3\" paint-order=\"stroke\"", color);
	text_el(o, x + 4, l->band_y, NULL, extra, fitted);
}

static void draw_regions(struct sbuf *o, const struct svg_chart *c, const struct layout *l)
{
	size_t i;

	for (i = 0; i < c->nregions; i++) {
		const struct svg_region *r = &c->regions[i];
		double x0 = svg_axis_map(&l->x, r->x0), x1 = svg_axis_map(&l->x, r->x1);

		if (!svg_axis_drawable(&l->x, r->x0) || !svg_axis_drawable(&l->x, r->x1))
			continue;
		sbuf_add(o, "<g>");
		if (r->label[0]) {
			sbuf_add(o, "<title>");
			sbuf_add_escaped(o, r->label);
			sbuf_add(o, "</title>");
		}
		rect_el(o, x0 < x1 ? x0 : x1, l->top, fabs(x1 - x0), l->bottom - l->top, "#000000",
			"fill-opacity=\"0.07\"");
		sbuf_add(o, "</g>\n");
		if (r->label[0])
			band_label(o, l, x0 < x1 ? x0 : x1, x0 < x1 ? x1 + 4 : x0 + 4, r->label,
				   "#555555");
	}
}

/* Markers are drawn in the order given; a label gets the room up to the next one. */
static void draw_markers(struct sbuf *o, const struct svg_chart *c, const struct layout *l)
{
	size_t i, j;

	for (i = 0; i < c->nmarkers; i++) {
		const struct svg_marker *m = &c->markers[i];
		const char *hex = svg_color_hex(m->color);
		double x, limit = l->right;

		if (!svg_axis_drawable(&l->x, m->x))
			continue;
		x = svg_axis_map(&l->x, m->x);
		for (j = 0; j < c->nmarkers; j++) {
			double xj = svg_axis_map(&l->x, c->markers[j].x);

			if (j != i && xj > x + 0.5 && xj < limit)
				limit = xj;
		}
		sbuf_add(o, "<g><title>");
		sbuf_add_escaped(o, m->label);
		sbuf_add(o, "</title>");
		line_el(o, x, l->top, x, l->bottom, hex, 1.5, "stroke-dasharray=\"5 4\"");
		sbuf_add(o, "</g>\n");
		if (!m->label[0])
			continue;
		/* The last marker near the right edge: its label goes left of the line. */
		if (limit == l->right && svg_label_px(m->label) > limit - x - 8 &&
		    svg_label_px(m->label) <= x - l->left - 8) {
			char extra[96];

			snprintf(extra, sizeof(extra), "font-size=\"11\" fill=\"%s\" "
				 "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"", hex);
			text_el(o, x - 4, l->band_y, "end", extra, m->label);
			continue;
		}
		band_label(o, l, x, limit, m->label, hex);
	}
}

struct pen {
	struct sbuf *o;
	bool down;      /* the next point continues a line */
	bool started;   /* anything written into d="" yet */
};

static void pen_to(struct pen *p, double x, double y)
{
	char a[SVG_NUM_MAX], b[SVG_NUM_MAX];

	svg_num(x, a, sizeof(a));
	svg_num(y, b, sizeof(b));
	sbuf_printf(p->o, "%s%c%s %s", p->started ? " " : "", p->down ? 'L' : 'M', a, b);
	p->down = p->started = true;
}

/* One decimated pixel column: its lowest and highest point, in their order. */
struct column {
	bool have;
	double x, ymin, ymax;
	size_t imin, imax;
};

static void column_flush(struct pen *p, struct column *c)
{
	if (!c->have)
		return;
	pen_to(p, c->x, c->imin < c->imax ? c->ymin : c->ymax);
	if (c->ymin != c->ymax)
		pen_to(p, c->x, c->imin < c->imax ? c->ymax : c->ymin);
	c->have = false;
}

/*
 * A day of 1 s intervals is 86400 points: with more than four per pixel
 * column, keep each column's lowest and highest point, so that spikes
 * survive and the file stays small.
 */
static void series_path(struct sbuf *o, const struct svg_series *s, const struct layout *l)
{
	bool decimate = (double)s->n > 4 * (l->right - l->left);
	struct pen p = { .o = o };
	struct column col = { .have = false };
	size_t i;

	sbuf_printf(o, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" "
		    "stroke-linejoin=\"round\"%s d=\"", svg_color_hex(s->color),
		    s->style == SVG_STYLE_DASHED ? " stroke-dasharray=\"6 4\"" : "");
	for (i = 0; i < s->n; i++) {
		double x, y;

		if (!svg_axis_drawable(&l->x, s->x[i]) || !svg_axis_drawable(&l->y, s->y[i])) {
			column_flush(&p, &col);
			p.down = false;
			continue;
		}
		x = svg_axis_map(&l->x, s->x[i]);
		y = svg_axis_map(&l->y, s->y[i]);
		if (!decimate) {
			pen_to(&p, x, y);
			continue;
		}
		x = floor(x);
		if (col.have && x == col.x) {
			if (y < col.ymin) {
				col.ymin = y;
				col.imin = i;
			}
			if (y > col.ymax) {
				col.ymax = y;
				col.imax = i;
			}
			continue;
		}
		column_flush(&p, &col);
		col = (struct column){ .have = true, .x = x, .ymin = y, .ymax = y,
				       .imin = i, .imax = i };
	}
	column_flush(&p, &col);
	sbuf_add(o, "\"/>\n");
}

static void series_points(struct sbuf *o, const struct svg_chart *c, const struct svg_series *s,
			  const struct layout *l)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		char xs[SVG_LABEL_MAX], ys[SVG_LABEL_MAX];

		if (!svg_axis_drawable(&l->x, s->x[i]) || !svg_axis_drawable(&l->y, s->y[i]))
			continue;
		svg_format_value(c->x_unit, s->x[i], 0, xs, sizeof(xs));
		svg_format_value(c->y_unit, s->y[i], 0, ys, sizeof(ys));
		sbuf_add(o, "<circle");
		attr_num(o, "cx", svg_axis_map(&l->x, s->x[i]));
		attr_num(o, "cy", svg_axis_map(&l->y, s->y[i]));
		sbuf_printf(o, " r=\"4.5\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"1\"><title>",
			    svg_color_hex(s->color));
		sbuf_add_escaped(o, s->name);
		sbuf_add(o, ": ");
		sbuf_add_escaped(o, xs);
		sbuf_add(o, ", ");
		sbuf_add_escaped(o, ys);
		sbuf_add(o, "</title></circle>\n");
	}
}

static void draw_lines(struct sbuf *o, const struct svg_chart *c, const struct layout *l)
{
	size_t i;

	draw_y_grid(o, l);
	draw_x_grid(o, l, true);
	draw_regions(o, c, l);
	line_el(o, l->left, l->bottom, l->right, l->bottom, "#555555", 1, NULL);
	line_el(o, l->left, l->top, l->left, l->bottom, "#555555", 1, NULL);
	draw_markers(o, c, l);
	for (i = 0; i < c->nseries; i++) {
		const struct svg_series *s = &c->series[i];

		if (s->style != SVG_STYLE_POINTS)
			series_path(o, s, l);
		if (s->style == SVG_STYLE_POINTS || s->style == SVG_STYLE_LINE_POINTS)
			series_points(o, c, s, l);
	}
}

static void draw_bar(struct sbuf *o, const struct layout *l, const struct svg_bar *b, double yc)
{
	const char *hex = svg_color_hex(b->color);
	double x0 = svg_axis_map(&l->x, 0), x1 = svg_axis_map(&l->x, b->value);

	sbuf_add(o, "<g><title>");
	sbuf_add_escaped(o, b->label);
	sbuf_add(o, ": ");
	sbuf_add_escaped(o, b->note);
	sbuf_add(o, "</title>");
	rect_el(o, x0 < x1 ? x0 : x1, yc - 7, fabs(x1 - x0) < 1 ? 1 : fabs(x1 - x0), 14, hex, NULL);
	if (isfinite(b->lo) && isfinite(b->hi)) {
		double a = svg_axis_map(&l->x, b->lo), z = svg_axis_map(&l->x, b->hi);

		line_el(o, a, yc, z, yc, "#222222", 1.5, NULL);
		line_el(o, a, yc - 5, a, yc + 5, "#222222", 1.5, NULL);
		line_el(o, z, yc - 5, z, yc + 5, "#222222", 1.5, NULL);
	}
	sbuf_add(o, "</g>\n");
	text_el(o, l->left - 8, yc + 4, "end", NULL, b->label);
	text_el(o, l->right + 12, yc + 4, NULL, NULL, b->note);
}

static void draw_bars(struct sbuf *o, const struct svg_chart *c, const struct layout *l)
{
	double y0 = l->top, zero = svg_axis_map(&l->x, 0);
	size_t i;

	for (i = 0; i < c->nbars; i++)
		if (i % 2)
			rect_el(o, l->left, y0 + (double)i * SVG_BAR_ROW_PX, l->right - l->left,
				SVG_BAR_ROW_PX, "#f4f4f4", NULL);
	draw_x_grid(o, l, true);
	draw_markers(o, c, l);
	for (i = 0; i < c->nbars; i++)
		draw_bar(o, l, &c->bars[i], y0 + ((double)i + 0.5) * SVG_BAR_ROW_PX);
	line_el(o, zero, l->top, zero, l->bottom, "#333333", 1.2, NULL);
	line_el(o, l->left, l->bottom, l->right, l->bottom, "#555555", 1, NULL);
}

int svg_render(struct sbuf *o, const struct svg_chart *c, bool standalone)
{
	struct layout l;

	layout_chart(c, &l);
	if (c->nbars)
		l.bottom = l.top + (double)c->nbars * SVG_BAR_ROW_PX;
	if (standalone)
		sbuf_add(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sbuf_add(o, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
	attr_num(o, "width", l.w);
	attr_num(o, "height", l.h);
	{
		char w[SVG_NUM_MAX], h[SVG_NUM_MAX];

		svg_num(l.w, w, sizeof(w));
		svg_num(l.h, h, sizeof(h));
		sbuf_printf(o, " viewBox=\"0 0 %s %s\"", w, h);
	}
	sbuf_add(o, " role=\"img\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
		 "font-size=\"12\" fill=\"#222222\">\n<title>");
	sbuf_add_escaped(o, c->title);
	sbuf_add(o, "</title>\n");
	rect_el(o, 0, 0, l.w, l.h, "#ffffff", NULL);
	if (c->nbars)
		draw_bars(o, c, &l);
	else
		draw_lines(o, c, &l);
	draw_legend(o, c, &l);
	draw_titles(o, c, &l);
	sbuf_add(o, "</svg>\n");
	return o->failed ? -1 : 0;
}
