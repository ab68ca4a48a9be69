#include "result/metrics_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The upper bounds of the latency histogram, seconds: 1 us to 10 s, 1-2.5-5. */
static const double le_s[] = {
	1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
	1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
#define NLE (sizeof(le_s) / sizeof(le_s[0]))

static const char *const dirs[2] = { "read", "write" };

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP dmremap_bench_%s %s\n# TYPE dmremap_bench_%s %s\n", name, help, name,
		type);
}

/* A value as Prometheus reads it: integers exactly, NaN as NaN. */
static void value(FILE *f, double v)
{
	if (isnan(v))
		fputs(" NaN\n", f);
	else if (isinf(v))
		fputs(v > 0 ? " +Inf\n" : " -Inf\n", f);
	else
		fprintf(f, " %.17g\n", v);
}

static void dev_sample(FILE *f, const struct metrics_state *m, const char *name,
		       const char *extra_key, const char *extra_val, double v)
{
	fprintf(f, "dmremap_bench_%s{", name);
	if (extra_key) {
		fprintf(f, "%s=\"", extra_key);
		label(f, extra_val);
		fputs("\",", f);
	}
	fputs("device=\"", f);
	label(f, m->device);
	fputc('"', f);
	fputc('}', f);
	value(f, v);
}

static void latency_histogram(FILE *f, const struct metrics_state *m)
{
	int d;

	head(f, "latency_seconds", "histogram",
	     "Completion latency of the I/Os of the measured window.");
	for (d = 0; d < 2; d++) {
		const struct hist *h = m->dir[d].lat;
		uint64_t cum[NLE] = { 0 }, total = h ? h->count : 0;
		size_t k;
		uint32_t i;

		for (i = 0; h && i < h->nbuckets; i++) {
			uint64_t lo, width;
			double mid;

			if (!h->buckets[i])
				continue;
			hist_bucket_range(h, i, &lo, &width);
			mid = (double)(lo + (width - 1) / 2) / 1e9;
			for (k = 0; k < NLE; k++)
				if (mid <= le_s[k])
					cum[k] += h->buckets[i];
		}
		for (k = 0; k < NLE; k++) {
			fprintf(f, "dmremap_bench_latency_seconds_bucket{direction=\"%s\",device=\"",
				dirs[d]);
			label(f, m->device);
			fprintf(f, "\",le=\"%g\"} %llu\n", le_s[k], (unsigned long long)cum[k]);
		}
		fprintf(f, "dmremap_bench_latency_seconds_bucket{direction=\"%s\",device=\"", dirs[d]);
		label(f, m->device);
		fprintf(f, "\",le=\"+Inf\"} %llu\n", (unsigned long long)total);
		dev_sample(f, m, "latency_seconds_sum", "direction", dirs[d],
			   h ? (double)h->sum / 1e9 : 0);
		dev_sample(f, m, "latency_seconds_count", "direction", dirs[d], (double)total);
	}
}

static void per_dir(FILE *f, const struct metrics_state *m, const char *name, const char *type,
		    const char *help, int which)
{
	int d;

	head(f, name, type, help);
	for (d = 0; d < 2; d++) {
		const struct metrics_dir *x = &m->dir[d];
		double v = which == 0 ? (double)x->ops : which == 1 ? (double)x->bytes :
			   which == 2 ? x->iops : which == 3 ? x->bw : x->p99_s;

		dev_sample(f, m, name, "direction", dirs[d], v);
	}
}

static void drift(FILE *f, const struct metrics_state *m)
{
	const struct metrics_drift *dd[2] = { &m->drift_iops, &m->drift_p99 };
	static const char *const names[2] = { "iops", "p99" };
	int k;

	head(f, "drift_change_ratio", "gauge",
	     "Change over the measured span so far (Sen's slope times the span, relative to the "
	     "start); NaN with too few intervals.");
	for (k = 0; k < 2; k++)
		dev_sample(f, m, "drift_change_ratio", "metric", names[k],
			   dd[k]->valid ? dd[k]->change_ratio : NAN);
	head(f, "drifting", "gauge",
	     "1 when the Mann-Kendall test finds a significant trend so far, else 0.");
	for (k = 0; k < 2; k++)
		dev_sample(f, m, "drifting", "metric", names[k], dd[k]->valid && dd[k]->drifting);
}

char *metrics_text(const struct metrics_state *m, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	head(f, "info", "gauge", "The run: command, version, target device and intensity.");
	fputs("dmremap_bench_info{command=\"", f);
	label(f, m->command);
	fputs("\",version=\"", f);
	label(f, m->version);
	fputs("\",device=\"", f);
	label(f, m->device);
	fputs("\",intensity=\"", f);
	label(f, m->intensity);
	fputs("\"} 1\n", f);
	head(f, "start_time_seconds", "gauge", "When the run started, seconds since the epoch.");
	fputs("dmremap_bench_start_time_seconds", f);
	value(f, m->start_time_s);
	head(f, "last_update_time_seconds", "gauge",
	     "When this file was written, seconds since the epoch.");
	fputs("dmremap_bench_last_update_time_seconds", f);
	value(f, m->now_s);
	head(f, "running", "gauge", "1 while the run goes on, 0 once it has ended.");
	fputs("dmremap_bench_running", f);
	value(f, m->running);
	head(f, "run", "gauge", "The run in progress (--repeat), from 0.");
	fputs("dmremap_bench_run", f);
	value(f, m->run);
	head(f, "measured_seconds", "gauge", "Seconds measured so far (ramps excluded).");
	fputs("dmremap_bench_measured_seconds", f);
	value(f, m->measured_s);
	per_dir(f, m, "ops_total", "counter", "I/O operations completed in the measured window.",
		0);
	per_dir(f, m, "bytes_total", "counter", "Bytes transferred in the measured window.", 1);
	head(f, "errors_total", "counter", "Failed or short I/Os.");
	dev_sample(f, m, "errors_total", NULL, NULL, (double)m->errors);
	latency_histogram(f, m);
	per_dir(f, m, "interval_iops", "gauge", "I/O operations per second in the last interval.",
		2);
	per_dir(f, m, "interval_bytes_per_second", "gauge",
		"Bytes per second in the last interval.", 3);
	per_dir(f, m, "interval_latency_p99_seconds", "gauge",
		"99th percentile latency in the last interval; NaN without I/O.", 4);
	drift(f, m);
	if (m->steady_rule) {
		head(f, "steady_state", "gauge", "1 once the --steady-state rule held, else 0.");
		dev_sample(f, m, "steady_state", NULL, NULL, m->steady_reached);
		if (m->steady_reached) {
			head(f, "steady_state_seconds", "gauge",
			     "When steady state was reached, seconds since the end of the ramp.");
			dev_sample(f, m, "steady_state_seconds", NULL, NULL, m->steady_at_s);
		}
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}
