/*
 * The parts of the report (report.h) its source files share: reading the
 * document, the chart builders, and the chart families each file adds.
 * Internal to src/report.
 */
#ifndef DMRB_REPORT_INT_H
#define DMRB_REPORT_INT_H

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "report/svg.h"

/* ---- reading the document ------------------------------------------------- */

static inline double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static inline json_t *get2(json_t *o, const char *a, const char *b)
{
	return json_object_get(json_object_get(o, a), b);
}

static inline const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* A bounded copy: cut at len - 1 bytes, always terminated. */
static inline void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	while (n + 1 < len && src[n])
		n++;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Names as the tool writes them can carry a trailing space ("database "). */
static inline void trimmed(const char *s, char *buf, size_t len)
{
	size_t n;

	copy_str(buf, len, s);
	n = strlen(buf);
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
}

/* ---- building charts (report_chart.c) ------------------------------------- */

struct report_chart *chart_new(struct report *r, const char *id, const char *title);
void chart_clear(struct report_chart *c);
/* Drop the newest chart when it turned out to have nothing to show. */
void chart_drop_if_empty(struct report *r);
/* Grow an array of count elements of size sz by one; NULL (and oom) on failure. */
void *chart_grow(struct report *r, void *arr, size_t *count, size_t sz, void **slot);
struct svg_series *add_series(struct report *r, struct report_chart *c, const char *name,
			      size_t cap, enum svg_color color, enum svg_style style);
/* A series with no positive value is removed again; whether it stays. */
bool series_keep_if_data(struct report_chart *c);
void add_marker(struct report *r, struct report_chart *c, double x, const char *label,
		enum svg_color color);
void add_region(struct report *r, struct report_chart *c, double x0, double x1,
		const char *label);
void add_key(struct svg_chart *ch, const char *name, enum svg_color color);
void caption_add(struct report_chart *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "+1.2" with the sign, locale-free. */
void signed_num(double v, int decimals, char *buf, size_t len);

/* ---- HTML text --------------------------------------------------------------- */

/* s, escaped for HTML text and attributes. */
static inline void esc(struct sbuf *o, const char *s)
{
	sbuf_add_escaped(o, s);
}

/* v in unit u for a table cell ("1.2 ms", "350k"), or "–" when it is not a number. */
static inline void fmt_unit(enum svg_unit u, double v, char *buf, size_t len)
{
	if (!isfinite(v))
		snprintf(buf, len, "–");
	else
		svg_format_value(u, v, 0, buf, len);
}

/* ---- chart families -------------------------------------------------------- */

/* Throughput, bandwidth, latency and errors over time, with the endurance drift (timeseries.c). */
void time_series_charts(struct report *r);
/* The latency heatmap from per-interval histograms (heatmap.c). */
void heatmap_chart(struct report *r);
int heatmap_render(struct sbuf *out, const struct report_chart *c, bool standalone);
void heatmap_free(struct heatmap *h);

/* "read p99", "CPU per I/O": a comparison metric's name as the page shows it (report.c). */
void metric_label(json_t *m, char *buf, size_t len);

/* The charts of a sweep: latency against throughput, ... (report_sweep.c). */
void report_sweep_charts(struct report *r);
/* The cost line and the devices' table; the sweep's steps table (report_sweep.c). */
void report_cost_html(struct sbuf *o, const struct report *r);
void report_sweep_steps_html(struct sbuf *o, const struct report *r);

/*
 * Several devices (devices[]) or a fleet (hosts[]): a chart each of IOPS
 * and of p99 over time with one line per device or host (fleet.c).
 */
void report_fleet_charts(struct report *r);
/*
 * The page's section for them, before everything else but the verdicts:
 * the outliers first, a row per device or host, and for a fleet a
 * host x time heatmap of IOPS and of p99, the furthest hosts on top.
 */
void report_fleet_section(struct sbuf *o, const struct report *r);

#endif
