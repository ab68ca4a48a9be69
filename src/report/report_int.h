/*
 * Internal to src/report/: what the chart builders in other files of the
 * report (report_sweep.c) use of report.c's, and what they give it.
 */
#ifndef DMRB_REPORT_INT_H
#define DMRB_REPORT_INT_H

#include <jansson.h>

#include "report/report.h"
#include "report/svg.h"

/* A new chart (NULL, and r->oom, when out of memory). */
struct report_chart *report_chart_new(struct report *r, const char *id, const char *title);
/* A series with room for cap points; NULL when out of memory. */
struct svg_series *report_add_series(struct report *r, struct report_chart *c, const char *name,
				     size_t cap, enum svg_color color, enum svg_style style);
/* Drop the newest series when it has no point to draw; whether it stays. */
bool report_series_keep(struct report_chart *c);
void report_add_marker(struct report *r, struct report_chart *c, double x, const char *label,
		       enum svg_color color);
/* Drop the newest chart when it has nothing to show. */
void report_chart_drop_if_empty(struct report *r);

/* report_sweep.c: the charts of a sweep (throughput against latency, ...). */
void report_sweep_charts(struct report *r);
/* report_sweep.c: the cost line and the devices' table; the sweep's steps table. */
void report_cost_html(struct sbuf *o, const struct report *r);
void report_sweep_steps_html(struct sbuf *o, const struct report *r);

#endif
