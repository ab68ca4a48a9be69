#include "result/merge.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result/hist_json.h"
#include "result/history.h"
#include "result/outliers.h"
#include "result/result_json.h"
#include "stats/hist.h"
#include "util/timeutil.h"

#define FIRST_ERRORS_MAX 64

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static uint64_t count(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

/* ---- one direction: counts add, histograms add ---------------------------- */

/* The histogram of a direction object into h (initialised here); -1 with err. */
static int dir_hist(json_t *d, struct hist *h, char *err, size_t elen)
{
	char sub[256];

	if (hist_from_json(json_object_get(d, "lat_hist"), json_object_get(d, "lat_ns"), h, sub,
			   sizeof(sub))) {
		snprintf(err, elen, "lat_hist: %s (a merge adds histograms: every input needs them)",
			 sub);
		return -1;
	}
	return 0;
}

static json_t *merge_dir(json_t *const *res, size_t n, const char *dir, double dur, char *err,
			 size_t elen)
{
	struct dir_result d = { 0 };
	size_t i;
	json_t *j;

	for (i = 0; i < n; i++) {
		json_t *x = json_object_get(res[i], dir);
		struct hist h;

		if (dir_hist(x, &h, err, elen))
			goto fail;
		if (i == 0) {
			d.hist = h;
		} else if (h.bits != d.hist.bits) {
			snprintf(err, elen, "%s.lat_hist: histograms of %u and %u bits cannot be added",
				 dir, d.hist.bits, h.bits);
			hist_free(&h);
			goto fail;
		} else {
			hist_merge(&d.hist, &h);
			hist_free(&h);
		}
		d.ops += count(x, "ops");
		d.bytes += count(x, "bytes");
	}
	j = dir_result_json(&d, dur);
	hist_free(&d.hist);
	return j;
fail:
	if (i)
		hist_free(&d.hist);
	return NULL;
}

/* ---- errors, concurrency and the rest ------------------------------------ */

static json_t *merge_errors(json_t *const *res, size_t n)
{
	json_t *out = json_pack("{s:I, s:I, s:I, s:o, s:o}", "io", (json_int_t)0, "short",
				(json_int_t)0, "verify", (json_int_t)0, "by_errno", json_object(),
				"first", json_array());
	json_t *by = json_object_get(out, "by_errno"), *first = json_object_get(out, "first");
	const char *key;
	json_t *v, *x;
	size_t i, k;

	for (i = 0; i < n; i++) {
		json_t *e = json_object_get(res[i], "errors");
		static const char *const keys[] = { "io", "short", "verify" };

		for (k = 0; k < 3; k++)
			json_object_set_new(out, keys[k], json_integer(
				json_integer_value(json_object_get(out, keys[k])) +
				(json_int_t)count(e, keys[k])));
		json_object_foreach(json_object_get(e, "by_errno"), key, v)
			json_object_set_new(by, key, json_integer(
				json_integer_value(json_object_get(by, key)) + json_integer_value(v)));
		json_array_foreach(json_object_get(e, "first"), k, x) {
			if (json_array_size(first) >= FIRST_ERRORS_MAX)
				break;
			x = json_deep_copy(x);
			/* Which input it came from. */
			json_object_set_new(x, "part", json_integer((json_int_t)i));
			json_array_append_new(first, x);
		}
	}
	return out;
}

/* ---- CPU: the hosts' seconds and counts add -------------------------------- */

/* Every number of object `key` of every input's cpu (or of cpu itself), summed into out. */
static void sum_numbers(json_t *out, json_t *const *cpu, size_t n, const char *key)
{
	json_t *first = key ? json_object_get(cpu[0], key) : cpu[0], *v, *x;
	const char *name;
	size_t i;

	json_object_foreach(first, name, v) {
		double sum = 0;
		bool ints = true;

		if (!json_is_number(v) || !strcmp(name, "pct") || !strcmp(name, "window_s") ||
		    !strcmp(name, "busy_pct"))
			continue;
		for (i = 0; i < n; i++) {
			x = json_object_get(key ? json_object_get(cpu[i], key) : cpu[i], name);
			if (!json_is_number(x))
				break;
			ints &= json_is_integer(x);
			sum += json_number_value(x);
		}
		if (i == n)  /* a figure some input lacks is left out, not undercounted */
			json_object_set_new(out, name, ints ? json_integer((json_int_t)sum) :
					    json_real(sum));
	}
}

/*
 * results.cpu of inputs that ran at the same time on different machines
 * (a fleet's hosts, run i of each): CPU seconds, CPUs and counts add, the
 * window is the longest, and the shares and per-I/O figures are derived
 * again from the sums (ops: the merged total's). NULL unless every input
 * has one: a fleet's CPU per I/O over some hosts' I/O would be too low.
 */
static json_t *merge_cpu(json_t *const *res, size_t n, uint64_t ops)
{
	json_t **cpu = calloc(n, sizeof(*cpu)), *out = NULL, *sub, *per;
	double win = 0, cap = 0, all = 0, tool_s, busy_s;
	const char *name;
	json_t *v;
	size_t i;

	if (!cpu)
		return NULL;
	for (i = 0; i < n; i++) {
		cpu[i] = json_object_get(res[i], "cpu");
		if (!json_is_object(cpu[i]))
			goto out;
		if (num(cpu[i], "window_s") > win)
			win = num(cpu[i], "window_s");
		cap += num(cpu[i], "window_s") * num(cpu[i], "cpus");
	}
	out = json_pack("{s:f}", "window_s", win);
	sum_numbers(out, cpu, n, NULL);
	per = json_object();
	json_object_set_new(out, "per_io_ns", per);
	sub = json_object();
	json_object_set_new(out, "tool", sub);
	sum_numbers(sub, cpu, n, "tool");
	tool_s = num(sub, "user_s") + num(sub, "system_s");
	if (cap > 0)
		json_object_set_new(sub, "pct", json_real(100 * tool_s / cap));
	json_object_set_new(per, "tool", ops ? json_real(tool_s * 1e9 / (double)ops) :
			    json_null());
	sub = json_object();
	sum_numbers(sub, cpu, n, "process");
	if (json_object_size(sub))
		json_object_set_new(out, "process", sub);
	else
		json_decref(sub);
	for (i = 0; i < n && json_is_object(json_object_get(cpu[i], "system")); i++)
		;
	if (i < n)  /* no /proc/stat on some host: the tool's own figures only */
		goto out;
	sub = json_object();
	json_object_set_new(out, "system", sub);
	sum_numbers(sub, cpu, n, "system");
	busy_s = num(sub, "busy_s");
	json_object_foreach(sub, name, v)
		if (strcmp(name, "busy_s") && strlen(name) > 2 &&
		    !strcmp(name + strlen(name) - 2, "_s"))
			all += json_number_value(v);
	if (all > 0)
		json_object_set_new(out, "busy_pct", json_real(100 * busy_s / all));
	json_object_set_new(per, "system", ops ? json_real(busy_s * 1e9 / (double)ops) :
			    json_null());
out:
	free(cpu);
	return out;
}

static json_t *merge_concurrency(json_t *const *res, size_t n)
{
	static const char *const sums[] = {
		"workers", "inflight_target", "inflight_max", "submit_limit", "kernel_inflight_max",
	};
	static const char *const means[] = { "inflight_mean", "kernel_inflight_mean" };
	json_t *out = json_object();
	size_t i, k;
	uint64_t depth = 0;

	for (k = 0; k < sizeof(sums) / sizeof(sums[0]); k++) {
		uint64_t s = 0;

		for (i = 0; i < n; i++)
			s += count(json_object_get(res[i], "concurrency"), sums[k]);
		json_object_set_new(out, sums[k], json_integer((json_int_t)s));
	}
	for (k = 0; k < sizeof(means) / sizeof(means[0]); k++) {
		double s = 0;

		for (i = 0; i < n; i++)
			s += num(json_object_get(res[i], "concurrency"), means[k]);
		json_object_set_new(out, means[k], json_real(s));
	}
	for (i = 0; i < n; i++) {
		uint64_t d = count(json_object_get(res[i], "concurrency"), "iodepth_per_worker");

		if (d > depth)
			depth = d;
	}
	json_object_set_new(out, "iodepth_per_worker", json_integer((json_int_t)depth));
	return out;
}

/* A sum of counts, an OR of flags, a concatenation of lists over the inputs. */
static void merge_scalars(json_t *out, json_t *const *res, size_t n)
{
	static const char *const sums[] = { "ramp_ops", "abandoned_ios", "stuck_workers" };
	static const char *const flags[] = { "stopped_by_errors", "timed_out" };
	json_t *stuck = json_array(), *after = json_null(), *x;
	size_t i, k, j;

	for (k = 0; k < sizeof(sums) / sizeof(sums[0]); k++) {
		uint64_t s = 0;

		for (i = 0; i < n; i++)
			s += count(res[i], sums[k]);
		json_object_set_new(out, sums[k], json_integer((json_int_t)s));
	}
	for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
		bool f = false;

		for (i = 0; i < n; i++)
			f |= json_is_true(json_object_get(res[i], flags[k]));
		json_object_set_new(out, flags[k], json_boolean(f));
	}
	for (i = 0; i < n; i++) {
		if (json_is_string(json_object_get(res[i], "abandoned_after")) && json_is_null(after)) {
			json_decref(after);
			after = json_incref(json_object_get(res[i], "abandoned_after"));
		}
		json_array_foreach(json_object_get(res[i], "stuck"), j, x)
			json_array_append(stuck, x);
	}
	json_object_set_new(out, "abandoned_after", after);
	json_object_set_new(out, "stuck", stuck);
}

/* ---- intervals: by the wall clock, rates add ------------------------------ */

struct bin {
	uint64_t t_ns;
	double t_s, len_s;
	json_int_t run;
	double rate[5];             /* read/write iops, read/write/total bw */
	double errors;
	size_t members;
	double lat_max[2][4], p99_max;
	struct hist hist[2];        /* merged per-interval histograms */
	bool have_hist, no_hist;
	/*
	 * The current input's members: two intervals of one input in one bin
	 * (a short last one) make one rate, ops over seconds; inputs' rates add.
	 */
	size_t cur;
	bool cur_set;
	double acc[5], acc_len;
};

static const char *const rate_keys[] = {
	"read_iops", "write_iops", "read_bw_bytes_per_s", "write_bw_bytes_per_s", "bw_bytes_per_s",
};
static const char *const lat_keys[] = { "mean", "p50", "p99", "p99.9" };
static const char *const dir_lat[] = { "read_lat_ns", "write_lat_ns" };
static const char *const dir_names[] = { "read", "write" };

/* The interval's own histograms into the bin; false when it has none (or they do not add). */
static bool bin_add_hist(struct bin *b, json_t *iv)
{
	json_t *lh = json_object_get(iv, "lat_hist");
	char err[256];
	int d;

	if (!json_is_object(lh) || b->no_hist)
		return false;
	for (d = 0; d < 2; d++) {
		json_t *hj = json_object_get(lh, dir_names[d]);
		struct hist h;

		if (!hj)
			continue;
		if (hist_from_json(hj, NULL, &h, err, sizeof(err)))
			return false;
		if (!b->hist[d].buckets) {
			b->hist[d] = h;
			continue;
		}
		if (h.bits != b->hist[d].bits) {
			hist_free(&h);
			return false;
		}
		hist_merge(&b->hist[d], &h);
		hist_free(&h);
	}
	return true;
}

/* The current input's rate into the bin's. */
static void bin_flush(struct bin *b)
{
	size_t k;

	if (b->acc_len > 0)
		for (k = 0; k < 5; k++)
			b->rate[k] += b->acc[k] / b->acc_len;
	memset(b->acc, 0, sizeof(b->acc));
	b->acc_len = 0;
}

static void bin_add(struct bin *b, json_t *iv, size_t input)
{
	double len = num(iv, "len_s");
	size_t k;
	int d;

	b->members++;
	if (num(iv, "t_s") > b->t_s)
		b->t_s = num(iv, "t_s");
	if (len > b->len_s)
		b->len_s = len;
	if (count(iv, "t_ns") > b->t_ns)
		b->t_ns = count(iv, "t_ns");
	if (json_integer_value(json_object_get(iv, "run")) > b->run)
		b->run = json_integer_value(json_object_get(iv, "run"));
	if (b->cur_set && b->cur != input)
		bin_flush(b);
	b->cur = input;
	b->cur_set = true;
	for (k = 0; k < 5; k++)
		b->acc[k] += num(iv, rate_keys[k]) * (len > 0 ? len : 1);
	b->acc_len += len > 0 ? len : 1;
	b->errors += num(iv, "errors");
	if (num(iv, "p99_ns") > b->p99_max)
		b->p99_max = num(iv, "p99_ns");
	for (d = 0; d < 2; d++)
		for (k = 0; k < 4; k++) {
			double v = num(json_object_get(iv, dir_lat[d]), lat_keys[k]);

			if (v > b->lat_max[d][k])
				b->lat_max[d][k] = v;
		}
	if (bin_add_hist(b, iv))
		b->have_hist = true;
	else
		b->no_hist = true;
}

static json_t *lat_of_hist(const struct hist *h)
{
	return json_pack("{s:f, s:I, s:I, s:I}", "mean", hist_mean(h),
			 "p50", (json_int_t)hist_percentile(h, 50), "p99",
			 (json_int_t)hist_percentile(h, 99), "p99.9",
			 (json_int_t)hist_percentile(h, 99.9));
}

static json_t *bin_json(struct bin *b, bool *lat_max)
{
	json_t *iv = json_object();
	bool exact = b->have_hist && !b->no_hist;
	size_t k;
	int d;

	bin_flush(b);
	if (b->run)
		json_object_set_new(iv, "run", json_integer(b->run));
	if (b->t_ns)
		json_object_set_new(iv, "t_ns", json_integer((json_int_t)b->t_ns));
	json_object_set_new(iv, "t_s", json_real(b->t_s));
	json_object_set_new(iv, "len_s", json_real(b->len_s));
	for (k = 0; k < 5; k++)
		json_object_set_new(iv, rate_keys[k], json_real(b->rate[k]));
	json_object_set_new(iv, "errors", json_integer((json_int_t)b->errors));
	if (exact) {
		struct hist all;
		json_t *lh = json_object();

		if (hist_init(&all, b->hist[0].buckets ? b->hist[0].bits : b->hist[1].bits) == 0) {
			for (d = 0; d < 2; d++)
				if (b->hist[d].buckets)
					hist_merge(&all, &b->hist[d]);
			json_object_set_new(iv, "p99_ns",
					    json_integer((json_int_t)hist_percentile(&all, 99)));
			hist_free(&all);
		}
		for (d = 0; d < 2; d++) {
			if (!b->hist[d].buckets) {
				json_object_set_new(iv, dir_lat[d], json_pack("{s:f, s:I, s:I, s:I}",
					"mean", 0.0, "p50", (json_int_t)0, "p99", (json_int_t)0,
					"p99.9", (json_int_t)0));
				continue;
			}
			json_object_set_new(iv, dir_lat[d], lat_of_hist(&b->hist[d]));
			json_object_set_new(lh, dir_names[d], hist_json(&b->hist[d]));
		}
		json_object_set_new(iv, "lat_hist", lh);
	} else {
		if (b->members > 1)
			*lat_max = true;
		json_object_set_new(iv, "p99_ns", json_integer((json_int_t)b->p99_max));
		for (d = 0; d < 2; d++) {
			json_t *l = json_object();

			for (k = 0; k < 4; k++)
				json_object_set_new(l, lat_keys[k], k ? json_integer((json_int_t)
					b->lat_max[d][k]) : json_real(b->lat_max[d][k]));
			json_object_set_new(iv, dir_lat[d], l);
		}
	}
	for (d = 0; d < 2; d++)
		hist_free(&b->hist[d]);
	return iv;
}

/*
 * The bin of an interval: by its wall-clock end on the grid of interval_s
 * from the earliest first interval, or by position.
 */
static long bin_of(json_t *iv, size_t pos, uint64_t t0, double interval_s, bool by_time)
{
	double k;

	if (!by_time)
		return (long)pos;
	k = ((double)count(iv, "t_ns") - (double)t0) / (interval_s * 1e9);
	return lround(k);
}

static json_t *merge_intervals(json_t *const *res, size_t n, double interval_s, bool *lat_max)
{
	bool by_time = interval_s > 0;
	uint64_t t0 = UINT64_MAX;
	long nb = 0, k;
	struct bin *bins;
	json_t *out = json_array(), *iv;
	size_t i, j;

	for (i = 0; i < n; i++) {
		json_t *a = json_object_get(res[i], "intervals");

		json_array_foreach(a, j, iv) {
			if (!count(iv, "t_ns"))
				by_time = false;
			else if (j == 0 && count(iv, "t_ns") < t0)
				t0 = count(iv, "t_ns");
		}
	}
	for (i = 0; i < n; i++) {
		json_t *a = json_object_get(res[i], "intervals");

		json_array_foreach(a, j, iv) {
			k = bin_of(iv, j, t0, interval_s, by_time);
			if (k + 1 > nb)
				nb = k + 1;
		}
	}
	if (nb <= 0 || nb > 100000000L)
		return out;
	bins = calloc((size_t)nb, sizeof(*bins));
	if (!bins) {
		json_decref(out);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		json_t *a = json_object_get(res[i], "intervals");

		json_array_foreach(a, j, iv) {
			k = bin_of(iv, j, t0, interval_s, by_time);
			if (k >= 0)
				bin_add(&bins[k], iv, i);
		}
	}
	for (k = 0; k < nb; k++)
		if (bins[k].members)
			json_array_append_new(out, bin_json(&bins[k], lat_max));
	free(bins);
	return out;
}

/* ---- results, streams, steps and phases ---------------------------------- */

static json_t *merge_one(json_t *const *res, size_t n, double interval_s, bool nested,
			 char *err, size_t elen);

/* Streams, by position, when every input has the same names. */
static json_t *merge_streams(json_t *const *res, size_t n, double dur, char *err, size_t elen)
{
	size_t ns = json_array_size(json_object_get(res[0], "streams")), i, k;
	json_t *out = json_array();
	json_t **part = calloc(n, sizeof(*part));

	if (!part || !out)
		goto fail;
	for (i = 1; i < n; i++) {
		if (json_array_size(json_object_get(res[i], "streams")) != ns)
			goto drop;
		for (k = 0; k < ns; k++)
			if (!json_equal(json_object_get(json_array_get(json_object_get(res[i], "streams"),
							k), "name"),
					json_object_get(json_array_get(json_object_get(res[0], "streams"),
							k), "name")))
				goto drop;
	}
	for (k = 0; k < ns; k++) {
		static const char *const dirs[] = { "read", "write", "total" };
		json_t *s = json_object(), *d;
		uint64_t workers = 0, depth = 0;
		size_t x;

		for (i = 0; i < n; i++) {
			part[i] = json_array_get(json_object_get(res[i], "streams"), k);
			workers += count(part[i], "workers");
			if (count(part[i], "iodepth_per_worker") > depth)
				depth = count(part[i], "iodepth_per_worker");
		}
		json_object_set(s, "name", json_object_get(part[0], "name"));
		json_object_set_new(s, "workers", json_integer((json_int_t)workers));
		json_object_set_new(s, "iodepth_per_worker", json_integer((json_int_t)depth));
		for (x = 0; x < 3; x++) {
			d = merge_dir(part, n, dirs[x], dur, err, elen);
			if (!d) {
				json_decref(s);
				goto fail;
			}
			json_object_set_new(s, dirs[x], d);
		}
		json_object_set_new(s, "errors", merge_errors(part, n));
		json_array_append_new(out, s);
	}
	free(part);
	return out;
drop:
	/* Other streams on other inputs (--allow-mismatch): no per-stream merge. */
	free(part);
	return out;
fail:
	free(part);
	json_decref(out);
	return NULL;
}

/* Copy the scalar keys of `from` that `to` lacks (a step's span, a phase's name). */
static void copy_extra(json_t *to, json_t *from)
{
	const char *key;
	json_t *v;

	json_object_foreach(from, key, v)
		if (!json_object_get(to, key) && !json_is_object(v) && !json_is_array(v))
			json_object_set(to, key, v);
}

/* steps or phases: element k merged over the inputs, when every input has as many. */
static int merge_parts(json_t *out, json_t *const *res, size_t n, const char *key,
		       double interval_s, char *err, size_t elen)
{
	size_t np = json_array_size(json_object_get(res[0], key)), i, k;
	json_t **part, *arr;

	if (!json_is_array(json_object_get(res[0], key)))
		return 0;
	for (i = 1; i < n; i++)
		if (json_array_size(json_object_get(res[i], key)) != np) {
			snprintf(err, elen, "input %zu has %zu %s, input 1 has %zu (the same workload "
				 "has as many)", i + 1, json_array_size(json_object_get(res[i], key)),
				 key, np);
			return -1;
		}
	part = calloc(n, sizeof(*part));
	arr = json_array();
	if (!part || !arr) {
		free(part);
		json_decref(arr);
		snprintf(err, elen, "out of memory");
		return -1;
	}
	for (k = 0; k < np; k++) {
		json_t *m;

		for (i = 0; i < n; i++)
			part[i] = json_array_get(json_object_get(res[i], key), k);
		m = merge_one(part, n, interval_s, true, err, elen);
		if (!m) {
			free(part);
			json_decref(arr);
			return -1;
		}
		copy_extra(m, part[0]);
		json_array_append_new(arr, m);
	}
	free(part);
	json_object_set_new(out, key, arr);
	return 0;
}

static json_t *merge_one(json_t *const *res, size_t n, double interval_s, bool nested,
			 char *err, size_t elen)
{
	static const char *const dirs[] = { "read", "write", "total" };
	double dur = 0;
	bool lat_max = false;
	json_t *out, *x;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!json_is_object(res[i]) || !json_is_object(json_object_get(res[i], "total"))) {
			snprintf(err, elen, "input %zu has no results with a total", i + 1);
			return NULL;
		}
		if (num(res[i], "duration_s") > dur)
			dur = num(res[i], "duration_s");
	}
	out = json_pack("{s:f}", "duration_s", dur);
	for (i = 0; i < 3; i++) {
		x = merge_dir(res, n, dirs[i], dur, err, elen);
		if (!x)
			goto fail;
		json_object_set_new(out, dirs[i], x);
	}
	json_object_set_new(out, "errors", merge_errors(res, n));
	json_object_set_new(out, "concurrency", merge_concurrency(res, n));
	x = merge_cpu(res, n, count(json_object_get(out, "total"), "ops"));
	if (x)
		json_object_set_new(out, "cpu", x);
	x = merge_intervals(res, n, interval_s, &lat_max);
	if (!x) {
		snprintf(err, elen, "out of memory");
		goto fail;
	}
	json_object_set_new(out, "intervals", x);
	merge_scalars(out, res, n);
	for (i = 0; i < n; i++)
		lat_max |= json_is_string(json_object_get(res[i], "intervals_lat"));
	if (lat_max)
		json_object_set_new(out, "intervals_lat", json_string("max_of_parts"));
	x = merge_streams(res, n, dur, err, elen);
	if (!x)
		goto fail;
	json_object_set_new(out, "streams", x);
	if (!nested && (merge_parts(out, res, n, "steps", interval_s, err, elen) ||
			merge_parts(out, res, n, "phases", interval_s, err, elen)))
		goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}

json_t *results_merge(json_t *const *res, size_t n, double interval_s, char *err, size_t elen)
{
	if (!n) {
		snprintf(err, elen, "nothing to merge");
		return NULL;
	}
	return merge_one(res, n, interval_s, false, err, elen);
}
