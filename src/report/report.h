/*
 * The report of one result document: the charts its data supports (time
 * series of throughput and latency, latency percentile curves from the
 * histograms, endurance drift, scale steps, workload phases, comparison
 * bars) and a self-contained HTML page around them.
 */
#ifndef DMRB_REPORT_H
#define DMRB_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/svg.h"

struct heatmap;

struct report_chart {
	char id[32];            /* "throughput": names the file with --format svg */
	char caption[640];
	struct svg_chart chart; /* its arrays belong to the report */
	struct heatmap *heat;   /* a heatmap (drawn by heatmap.c) instead of chart's series */
};

struct report {
	json_t *doc;            /* the result; a reference is held */
	json_t *base;           /* the baseline, or NULL; a reference is held */
	char base_label[512];
	json_t *comparison;     /* the document's, or computed against base; or NULL */
	struct report_chart *charts;
	size_t ncharts, cap;
	bool oom;
};

/*
 * Build the charts of doc (a dmremap-bench result or comparison document).
 * With base (a result, or fio JSON), the run is compared against it as
 * `compare` would, and its percentile curves are drawn with the run's.
 * Returns 0, or -1 with one line in err (not a result, not comparable, out
 * of memory); report_free() is needed either way.
 */
int report_build(struct report *r, json_t *doc, json_t *base, const char *base_label,
		 char *err, size_t elen);
void report_free(struct report *r);

/* The whole page: header, facts, tables, one inline <svg> per chart. */
int report_html(const struct report *r, const char *source_name, struct sbuf *out);
/* Chart i as one <svg> element (standalone: as a .svg file). */
int report_chart_svg(const struct report *r, size_t i, struct sbuf *out, bool standalone);

/*
 * The latency percentile curve of a direction result ({"lat_ns": {...},
 * "lat_hist": {bits, buckets}}): x = -log10(1 - p/100), so p90 is 1 and
 * p99.99 is 4, for p from 0 up to what the sample count resolves (at most
 * p99.999); y in ns. Returns the number of points (0 without a histogram),
 * at most cap.
 */
size_t report_percentile_curve(json_t *dir_result, double *x, double *y, size_t cap);

#define REPORT_CURVE_MAX 256

/*
 * The latency heatmap's data (chart "heatmap"): its columns, the I/Os in
 * all its cells, and the count of the cell of column col whose row holds
 * latency_ns.
 */
size_t heatmap_columns(const struct heatmap *h);
uint64_t heatmap_total(const struct heatmap *h);
uint64_t heatmap_cell(const struct heatmap *h, size_t col, double latency_ns);

#endif
