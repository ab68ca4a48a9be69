#include "run/repeat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runopts.h"
#include "result/result_json.h"
#include "result/result_text.h"
#include "stats/hist.h"
#include "stats/shift.h"

int part_record_init(struct part_record *p, unsigned nstreams, unsigned cap, bool with_ref)
{
	memset(p, 0, sizeof(*p));
	p->nstreams = nstreams;
	p->cap = cap ? cap : 1;
	p->reps = calloc(p->cap, sizeof(*p->reps));
	p->start_ns = calloc(p->cap, sizeof(*p->start_ns));
	if (with_ref)
		p->ref_reps = calloc(p->cap, sizeof(*p->ref_reps));
	if (!p->reps || !p->start_ns || (with_ref && !p->ref_reps)) {
		part_record_free(p);
		return -1;
	}
	return 0;
}

void part_record_free(struct part_record *p)
{
	unsigned i;

	for (i = 0; i < p->nreps; i++) {
		run_result_free(&p->reps[i]);
		if (p->ref_reps)
			run_result_free(&p->ref_reps[i]);
	}
	free(p->reps);
	free(p->ref_reps);
	free(p->start_ns);
	free(p->pairs);
	memset(p, 0, sizeof(*p));
}

struct run_result *part_record_next(struct part_record *p, struct run_result **ref)
{
	struct run_result *r;

	if (p->nreps == p->cap)
		return NULL;
	r = &p->reps[p->nreps];
	if (run_result_init(r, p->nstreams))
		return NULL;
	if (p->ref_reps && run_result_init(&p->ref_reps[p->nreps], p->nstreams)) {
		run_result_free(r);
		return NULL;
	}
	if (ref)
		*ref = p->ref_reps ? &p->ref_reps[p->nreps] : NULL;
	p->nreps++;
	return r;
}

int part_record_add_pair(struct part_record *p, const struct slice_pair *pair)
{
	if (p->npairs == p->pairs_cap) {
		size_t cap = p->pairs_cap ? p->pairs_cap * 2 : 16;
		struct slice_pair *n = realloc(p->pairs, cap * sizeof(*n));

		if (!n)
			return -1;
		p->pairs = n;
		p->pairs_cap = cap;
	}
	p->pairs[p->npairs++] = *pair;
	return 0;
}

static void summarize_dir(const struct dir_result *d, double dur, struct slice_summary *o, int k)
{
	o->ops[k] = d->ops;
	o->iops[k] = dur > 0 ? (double)d->ops / dur : 0;
	o->bw[k] = dur > 0 ? (double)d->bytes / dur : 0;
	o->lat_mean[k] = hist_mean(&d->hist);
	o->lat_p50[k] = (double)hist_percentile(&d->hist, 50);
	o->lat_p99[k] = (double)hist_percentile(&d->hist, 99);
	o->lat_p999[k] = (double)hist_percentile(&d->hist, 99.9);
}

void slice_summarize(const struct run_result *r, struct slice_summary *out)
{
	struct dir_result t = { 0 };

	memset(out, 0, sizeof(*out));
	out->duration_s = r->duration_s;
	summarize_dir(&r->dir[DIR_READ], r->duration_s, out, SUM_READ);
	summarize_dir(&r->dir[DIR_WRITE], r->duration_s, out, SUM_WRITE);
	if (hist_init(&t.hist, r->dir[0].hist.bits))
		return;
	t.ops = r->dir[0].ops + r->dir[1].ops;
	t.bytes = r->dir[0].bytes + r->dir[1].bytes;
	hist_merge(&t.hist, &r->dir[0].hist);
	hist_merge(&t.hist, &r->dir[1].hist);
	summarize_dir(&t, r->duration_s, out, SUM_TOTAL);
	hist_free(&t.hist);
	if (r->cpu.window_ns) {
		struct cpu_figures f;
		long hz = sysconf(_SC_CLK_TCK);

		cpu_acct_figures(&r->cpu, t.ops, hz > 0 ? hz : 100, &f);
		out->cpu_per_io = isfinite(f.per_io_system_ns) ? f.per_io_system_ns : 0;
		out->tool_cpu_per_io = isfinite(f.per_io_tool_ns) ? f.per_io_tool_ns : 0;
	}
}

void repeat_stamp_intervals(struct run_result *r, unsigned run)
{
	size_t i;

	for (i = 0; i < r->nintervals; i++)
		r->intervals[i].run = run;
}

/* Copy the keys of `from` that `to` lacks and that are not objects or arrays. */
static void copy_extra_keys(json_t *to, json_t *from)
{
	const char *key;
	json_t *v;

	json_object_foreach(from, key, v)
		if (!json_object_get(to, key) && !json_is_object(v) && !json_is_array(v))
			json_object_set(to, key, v);
}

/* Run `run` of a part record, or the merge of all its runs (run < 0); 0 or -1. */
static int part_total(const struct part_record *p, int run, struct run_result *out)
{
	unsigned i;

	if (run_result_init(out, 0))
		return -1;
	for (i = 0; i < p->nreps; i++)
		if ((run < 0 || (unsigned)run == i) && run_result_accumulate(out, &p->reps[i])) {
			run_result_free(out);
			return -1;
		}
	return 0;
}

json_t *repeat_results_json(const struct part_record *parts, unsigned nparts, int run,
			    json_t *merged_results, const char *parts_key)
{
	struct run_result total, part;
	json_t *res, *arr, *merged_arr;
	unsigned k;

	if (!nparts)
		return NULL;
	if (nparts == 1 || !parts_key) {
		if (run >= 0)
			return run_result_json(&parts[0].reps[run]);
		if (part_total(&parts[0], -1, &total))
			return NULL;
		res = run_result_json(&total);
		run_result_free(&total);
		return res;
	}
	if (run_result_init(&total, 0))
		return NULL;
	for (k = 0; k < nparts; k++) {
		if (run >= 0 && (unsigned)run >= parts[k].nreps)
			break;
		if (part_total(&parts[k], run, &part))
			goto oom;
		if (run_result_accumulate(&total, &part)) {
			run_result_free(&part);
			goto oom;
		}
		run_result_free(&part);
	}
	res = run_result_json(&total);
	run_result_free(&total);
	arr = json_array();
	merged_arr = json_object_get(merged_results, parts_key);
	for (k = 0; k < nparts && res && arr; k++) {
		json_t *pj;

		if (run >= 0 && (unsigned)run >= parts[k].nreps)
			break;
		if (part_total(&parts[k], run, &part))
			break;
		pj = run_result_json(&part);
		run_result_free(&part);
		if (!pj)
			break;
		json_object_del(pj, "intervals");
		copy_extra_keys(pj, json_array_get(merged_arr, k));
		json_array_append_new(arr, pj);
	}
	if (res)
		json_object_set_new(res, parts_key, arr);
	else
		json_decref(arr);
	return res;
oom:
	run_result_free(&total);
	return NULL;
}

static json_t *run_node(const struct part_record *parts, unsigned nparts, unsigned run,
			json_t *merged_results, const char *parts_key)
{
	json_t *res = repeat_results_json(parts, nparts, (int)run, merged_results, parts_key);

	if (!res)
		return NULL;
	json_object_del(res, "intervals");
	return json_pack("{s:I, s:I, s:o}", "index", (json_int_t)run,
			 "start_time_ns", (json_int_t)parts[0].start_ns[run], "results", res);
}

json_t *repeat_runs_json(const struct part_record *parts, unsigned nparts, json_t *merged_results,
			 const char *parts_key)
{
	json_t *runs;
	unsigned i;

	if (!nparts || parts[0].nreps < 2)
		return NULL;
	runs = json_array();
	for (i = 0; i < parts[0].nreps && runs; i++) {
		json_t *n = run_node(parts, nparts, i, merged_results, parts_key);

		if (!n) {
			json_decref(runs);
			return NULL;
		}
		json_array_append_new(runs, n);
	}
	return runs;
}

/* Median, minimum and maximum of the runs' values of one figure. */
static void span(const double *v, unsigned n, double *med, double *lo, double *hi)
{
	unsigned i;

	*lo = *hi = v[0];
	for (i = 1; i < n; i++) {
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
	if (stats_median(v, n, med))
		*med = NAN;
}

void repeat_print(FILE *f, const struct part_record *parts, unsigned nparts)
{
	const struct part_record *p = &parts[0];
	double iops[RUNOPTS_MAX_REPEAT], p99[RUNOPTS_MAX_REPEAT];
	double med, lo, hi;
	char a[16], b[16], c[16];
	unsigned i, n;

	if (!nparts || p->nreps < 2)
		return;
	n = p->nreps < RUNOPTS_MAX_REPEAT ? p->nreps : RUNOPTS_MAX_REPEAT;
	fprintf(f, "runs: %u (--repeat)%s\n", p->nreps,
		nparts > 1 ? ", first part shown; every part's runs are in the JSON result" : "");
	fprintf(f, "  %-4s %12s %12s %12s\n", "run", "IOPS", "p50", "p99");
	for (i = 0; i < n; i++) {
		struct slice_summary s;

		slice_summarize(&p->reps[i], &s);
		iops[i] = s.iops[SUM_TOTAL];
		p99[i] = s.lat_p99[SUM_TOTAL];
		format_count(s.iops[SUM_TOTAL], a, sizeof(a));
		format_ns(s.lat_p50[SUM_TOTAL], b, sizeof(b));
		format_ns(s.lat_p99[SUM_TOTAL], c, sizeof(c));
		fprintf(f, "  %-4u %12s %12s %12s\n", i + 1, a, b, c);
	}
	span(iops, n, &med, &lo, &hi);
	format_count(med, a, sizeof(a));
	fprintf(f, "  IOPS: median %s, range %+.1f%% to %+.1f%% of the median\n", a,
		med > 0 ? (lo / med - 1) * 100 : 0, med > 0 ? (hi / med - 1) * 100 : 0);
	span(p99, n, &med, &lo, &hi);
	format_ns(med, a, sizeof(a));
	fprintf(f, "  p99:  median %s, range %+.1f%% to %+.1f%% of the median\n", a,
		med > 0 ? (lo / med - 1) * 100 : 0, med > 0 ? (hi / med - 1) * 100 : 0);
}
