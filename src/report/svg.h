/*
 * A small SVG writer for the report: a growable text buffer with XML
 * escaping (sbuf.h, included here) and locale-free number formatting, axes
 * with "nice" ticks in units people read (ns -> us/ms/s, IOPS -> K/M,
 * bytes/s -> MB/s/GB/s), and one renderer for the charts the report draws:
 * line charts (several series, a legend, shaded regions, vertical markers,
 * log or linear axes) and horizontal bar charts with error bars. The text
 * buffer is in sbuf.c, numbers and axes in svg_axis.c, the renderer in
 * svg.c.
 */
#ifndef DMRB_SVG_H
#define DMRB_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "report/sbuf.h"

/* ---- numbers -------------------------------------------------------------- */

#define SVG_NUM_MAX 32

/*
 * v with at most `decimals` (0-6) fractional digits, trailing zeros
 * dropped, '.' as the decimal point whatever the locale; never "nan",
 * "inf" or "-0" (non-finite values print as "0", huge ones are clamped).
 */
void svg_fmt_fixed(double v, int decimals, char *buf, size_t len);
/* A coordinate: svg_fmt_fixed with 2 decimals. */
void svg_num(double v, char *buf, size_t len);

enum svg_unit {
	SVG_UNIT_NONE,      /* a plain number */
	SVG_UNIT_NS,        /* nanoseconds: "850 ns", "12.5 µs", "3 ms", "1.5 s" */
	SVG_UNIT_IOPS,      /* "850", "12.5K", "1.2M" */
	SVG_UNIT_BPS,       /* bytes/s: "850 B/s", "12 KB/s", "480 MB/s", "1.2 GB/s" */
	SVG_UNIT_BYTES,     /* sizes, binary: "160 MiB", "10 GiB" */
	SVG_UNIT_SECONDS,   /* time: "2.5s", "45s", "10m", "1h30m" */
	SVG_UNIT_PCT,       /* a change: "-10%", "0%", "+15%" */
	SVG_UNIT_NINES,     /* x = -log10(1 - p/100): "p0", "p50", "p90", "p99.9" */
};

/*
 * v in unit; step is the distance between neighbouring labels (0 when
 * unknown, as on log axes) and decides how many digits are worth showing.
 */
void svg_format_value(enum svg_unit unit, double v, double step, char *buf, size_t len);

/* ---- axes ----------------------------------------------------------------- */

enum svg_scale { SVG_LINEAR, SVG_LOG };

#define SVG_AXIS_MAX_TICKS 32
#define SVG_LABEL_MAX 24
#define SVG_FONT_PX 12
/* Estimated width of a label of n characters at SVG_FONT_PX (sans-serif). */
#define SVG_CHAR_PX 7.0

struct svg_axis {
	enum svg_scale scale;
	enum svg_unit unit;
	double lo, hi;              /* the axis range, widened to nice values */
	double px0, px1;            /* lo is drawn at px0, hi at px1 */
	double step;                /* linear: tick distance; log: 0 */
	size_t nticks;
	double tick[SVG_AXIS_MAX_TICKS];
	char label[SVG_AXIS_MAX_TICKS][SVG_LABEL_MAX];
};

/*
 * Choose ticks for data in [lo, hi] drawn between pixels px0 and px1.
 * Linear axes step by 1, 2 or 5 times a power of ten (time axes by whole
 * seconds, minutes and hours); log axes mark 1-2-5 within each decade, or
 * decades, or every n-th decade. Ticks are thinned until no two labels
 * collide: horizontal labels need their estimated width plus a gap,
 * vertical ones a line height. Non-finite or empty ranges get a sane
 * default; a log axis needs hi > 0 (lo <= 0 is replaced).
 */
void svg_axis_init(struct svg_axis *a, enum svg_scale scale, enum svg_unit unit, double lo,
		   double hi, double px0, double px1, bool horizontal);
/* The pixel position of v (clamped to the axis for values outside). */
double svg_axis_map(const struct svg_axis *a, double v);
/* Whether v can be drawn (finite, and > 0 on a log axis). */
bool svg_axis_drawable(const struct svg_axis *a, double v);

/* ---- charts --------------------------------------------------------------- */

enum svg_color {
	SVG_BLUE, SVG_ORANGE, SVG_GREEN, SVG_RED, SVG_PURPLE, SVG_BROWN, SVG_PINK,
	SVG_GREY, SVG_OLIVE, SVG_CYAN, SVG_AMBER, SVG_BLACK, SVG_NCOLORS,
};

/* "#1f77b4" */
const char *svg_color_hex(enum svg_color c);

enum svg_style {
	SVG_STYLE_LINE,
	SVG_STYLE_DASHED,       /* a fit, a baseline */
	SVG_STYLE_POINTS,
	SVG_STYLE_LINE_POINTS,
};

struct svg_series {
	char name[48];
	double *x, *y;          /* n points; a y that cannot be drawn breaks the line */
	size_t n;
	enum svg_color color;
	enum svg_style style;
};

/* A shaded span of x, such as the ramp. */
struct svg_region {
	double x0, x1;
	char label[48];
};

/* A vertical line at x (phase start, threshold), with a label at the top. */
struct svg_marker {
	double x;
	char label[48];
	enum svg_color color;
};

/* One horizontal bar from 0 to value, with an error bar [lo, hi] (NaN: none). */
struct svg_bar {
	char label[56];
	double value, lo, hi;
	enum svg_color color;
	char note[48];          /* shown right of the plot: "+12.3% regression" */
};

/* A legend entry that is not a series (bar colours). */
struct svg_key {
	char name[24];
	enum svg_color color;
};

#define SVG_MAX_KEYS 8

struct svg_chart {
	char title[96];
	char x_title[64], y_title[64];
	enum svg_scale x_scale, y_scale;
	enum svg_unit x_unit, y_unit;
	bool y_zero;                /* linear y: include 0 */
	bool x_zero;                /* linear x: include 0 */
	double width, height;       /* 0: defaults; bar charts grow with their bars */
	struct svg_series *series;
	size_t nseries;
	struct svg_region *regions;
	size_t nregions;
	struct svg_marker *markers;
	size_t nmarkers;
	struct svg_bar *bars;       /* nbars > 0 makes it a bar chart; x is the value */
	size_t nbars;
	struct svg_key keys[SVG_MAX_KEYS];
	size_t nkeys;
};

#define SVG_DEFAULT_WIDTH 1160
#define SVG_DEFAULT_HEIGHT 380
#define SVG_BAR_ROW_PX 22

/* The height a chart will be drawn at (bar charts depend on their bar count). */
double svg_chart_height(const struct svg_chart *c);

/*
 * Append the chart as one <svg> element. standalone adds the XML
 * declaration (for a .svg file); inline SVG in HTML needs none. Styling is
 * by presentation attributes only, so the output looks the same in a
 * browser, an image viewer and on paper. Returns 0, or -1 when the buffer
 * ran out of memory.
 */
int svg_render(struct sbuf *out, const struct svg_chart *c, bool standalone);

#endif
