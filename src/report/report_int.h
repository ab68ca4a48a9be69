/*
 * What the files of the report share (internal to src/report/): report.c
 * builds charts with these; fleet.c draws several devices and hosts.
 */
#ifndef DMRB_REPORT_INT_H
#define DMRB_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "report/report.h"

/* A new chart at the end of the report; NULL (and r->oom) when out of memory. */
struct report_chart *report_chart_new(struct report *r, const char *id, const char *title);
/* A series of room for cap points on chart c; NULL (and r->oom) when out of memory. */
struct svg_series *report_add_series(struct report *r, struct report_chart *c, const char *name,
				     size_t cap, enum svg_color color, enum svg_style style);
/* Remove c's newest series again when it has no positive point; whether it stays. */
bool report_series_keep(struct report_chart *c);
/* Remove the newest chart when it has nothing to show. */
void report_chart_drop_if_empty(struct report *r);

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
