#include "result/result_json.h"

#include <string.h>

#include "result/cost.h"
#include "result/hist_json.h"
#include "verify/crc32c.h"

static json_t *lat_json(const struct hist *h)
{
	return json_pack("{s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "min", (json_int_t)(h->count ? h->min : 0),
			 "mean", hist_mean(h),
			 "max", (json_int_t)h->max,
			 "p50", (json_int_t)hist_percentile(h, 50),
			 "p90", (json_int_t)hist_percentile(h, 90),
			 "p99", (json_int_t)hist_percentile(h, 99),
			 "p99.9", (json_int_t)hist_percentile(h, 99.9),
			 "p99.99", (json_int_t)hist_percentile(h, 99.99));
}

/* Open loop: the late starts and the dropped arrivals (doc/result-schema-v2.md, 3). */
static json_t *late_json(const struct late_stats *l)
{
	return json_pack("{s:I, s:I, s:f, s:I, s:I}",
			 "count", (json_int_t)l->count,
			 "max_ns", (json_int_t)l->max_ns,
			 "mean_ns", l->count ? (double)l->sum_ns / (double)l->count : 0.0,
			 "threshold_ns", (json_int_t)OPENLOOP_LATE_NS,
			 "dropped", (json_int_t)l->dropped);
}

json_t *dir_result_json(const struct dir_result *d, double duration_s)
{
	double iops = duration_s > 0 ? (double)d->ops / duration_s : 0;
	double bw = duration_s > 0 ? (double)d->bytes / duration_s : 0;
	json_t *j = json_pack("{s:I, s:I, s:f, s:f, s:o, s:o}",
			      "ops", (json_int_t)d->ops,
			      "bytes", (json_int_t)d->bytes,
			      "iops", iops,
			      "bw_bytes_per_s", bw,
			      "lat_ns", lat_json(&d->hist),
			      "lat_hist", hist_json(&d->hist));

	/* lat_ns is the service time; an open-loop stream adds its response time. */
	if (j && d->resp.buckets) {
		json_object_set_new(j, "resp_ns", lat_json(&d->resp));
		json_object_set_new(j, "resp_hist", hist_json(&d->resp));
		json_object_set_new(j, "late", late_json(&d->late));
	}
	return j;
}

json_t *err_stats_json(const struct err_stats *e)
{
	json_t *by = json_object(), *first = json_array();
	unsigned i;

	for (i = 1; i < ERRNO_SLOTS; i++)
		if (e->by_errno[i]) {
			const char *name = strerrorname_np((int)i);
			char num[16];

			if (!name) {
				snprintf(num, sizeof(num), "%u", i);
				name = num;
			}
			json_object_set_new(by, name, json_integer((json_int_t)e->by_errno[i]));
		}
	for (i = 0; i < e->nlist; i++) {
		const struct err_entry *x = &e->list[i];
		static const char *const ops[] = { "read", "write", "flush", "discard" };
		const char *name = x->err ? strerrorname_np(x->err) : "short";

		json_array_append_new(first, json_pack("{s:s, s:I, s:I, s:s?, s:i, s:f}",
			"op", ops[x->op < 4 ? x->op : (x->write ? 1 : 0)],
			"offset", (json_int_t)x->off,
			"length", (json_int_t)x->len,
			"error", name,
			"errno", x->err,
			"t_s", (double)x->t_ns / 1e9));
	}
	return json_pack("{s:I, s:I, s:I, s:o, s:o}",
			 "io", (json_int_t)e->io,
			 "short", (json_int_t)e->short_io,
			 "verify", (json_int_t)e->verify,
			 "by_errno", by,
			 "first", first);
}

/*
 * Reads and writes: flushes and discards have their own objects. Dropped
 * open-loop arrivals never got a direction: only the total counts them.
 */
static json_t *total_json(const struct dir_result dir[DIR_COUNT], uint64_t dropped,
			  double duration_s)
{
	struct dir_result t = { 0 };
	json_t *j = NULL;

	if (hist_init(&t.hist, dir[0].hist.bits))
		return NULL;
	if (dir_result_add(&t, &dir[DIR_READ]) == 0 && dir_result_add(&t, &dir[DIR_WRITE]) == 0) {
		t.late.dropped = dropped;
		j = dir_result_json(&t, duration_s);
	}
	dir_result_free(&t);
	return j;
}

/* results.flush and results.discard, when the workload issued any. */
static void flush_discard_json(json_t *j, const struct dir_result dir[DIR_COUNT],
			       double duration_s)
{
	if (dir[DIR_FLUSH].ops)
		json_object_set_new(j, "flush", dir_result_json(&dir[DIR_FLUSH], duration_s));
	if (dir[DIR_DISCARD].ops)
		json_object_set_new(j, "discard", dir_result_json(&dir[DIR_DISCARD], duration_s));
}

static json_t *interval_lat_json(const struct interval_sample *s, int d)
{
	return json_pack("{s:f, s:I, s:I, s:I}", "mean", s->lat[d].mean_ns,
			 "p50", (json_int_t)s->lat[d].p50_ns, "p99", (json_int_t)s->lat[d].p99_ns,
			 "p99.9", (json_int_t)s->lat[d].p999_ns);
}

json_t *interval_json(const struct interval_sample *s, bool with_run)
{
	double len = s->len_s > 0 ? s->len_s : 1;
	json_t *j = with_run ? json_pack("{s:I}", "run", (json_int_t)s->run) : json_object();

	if (j && json_object_update_new(j, json_pack(
			"{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:o, s:o}",
			"t_s", s->t_s,
			"len_s", s->len_s,
			"read_iops", (double)s->read_ops / len,
			"write_iops", (double)s->write_ops / len,
			"read_bw_bytes_per_s", (double)s->read_bytes / len,
			"write_bw_bytes_per_s", (double)s->write_bytes / len,
			"bw_bytes_per_s", (double)(s->read_bytes + s->write_bytes) / len,
			"p99_ns", (json_int_t)s->p99_ns,
			"errors", (json_int_t)s->errors,
			"read_lat_ns", interval_lat_json(s, DIR_READ),
			"write_lat_ns", interval_lat_json(s, DIR_WRITE)))) {
		json_decref(j);
		return NULL;
	}
	/* Its end on the wall clock, when known: what merges across hosts line up by. */
	if (s->t_ns)
		json_object_set_new(j, "t_ns", json_integer((json_int_t)s->t_ns));
	return j;
}

static json_t *intervals_json(const struct run_result *r)
{
	json_t *a = json_array();
	/* Repeated runs: every interval says which run it belongs to. */
	bool runs = r->nintervals && r->intervals[r->nintervals - 1].run;
	size_t i;

	for (i = 0; i < r->nintervals; i++)
		json_array_append_new(a, interval_json(&r->intervals[i], runs));
	return a;
}

static json_t *stream_json(const struct stream_result *s, double duration_s)
{
	json_t *j = json_pack("{s:s, s:I, s:I, s:o, s:o, s:o, s:o}",
			      "name", s->name,
			      "workers", (json_int_t)s->workers,
			      "iodepth_per_worker", (json_int_t)s->iodepth,
			      "read", dir_result_json(&s->dir[0], duration_s),
			      "write", dir_result_json(&s->dir[1], duration_s),
			      "total", total_json(s->dir, s->dropped, duration_s),
			      "errors", err_stats_json(&s->errors));

	if (j)
		flush_discard_json(j, s->dir, duration_s);
	return j;
}

static json_t *verify_list_json(const struct verify_stats *v)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; i < v->nlist; i++) {
		const struct verify_bad *b = &v->list[i];
		/* Past a bad magic the header is garbage: report no found values. */
		bool header = b->field != VB_MAGIC;

		json_array_append_new(a, json_pack("{s:I, s:i, s:o, s:o, s:s}",
			"offset", (json_int_t)b->off,
			"expected_generation", b->expected,
			"found_generation", header ? json_integer(b->found) : json_null(),
			"found_offset", header && b->found_off <= INT64_MAX ?
				json_integer((json_int_t)b->found_off) : json_null(),
			"field", vblock_field_name(b->field)));
	}
	return a;
}

static json_t *verify_json(const struct run_result *r)
{
	const struct verify_stats *v = &r->verify;
	char cs[48];

	snprintf(cs, sizeof(cs), "crc32c (%s)", crc32c_impl());
	return json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:f, s:I, s:I}",
			 "block_size", (json_int_t)r->verify_block_size,
			 "checksum", cs,
			 "blocks_written", (json_int_t)v->blocks_written,
			 "blocks_checked", (json_int_t)v->blocks_checked,
			 "blocks_unverified", (json_int_t)v->blocks_unverified,
			 "bad_blocks", (json_int_t)v->bad,
			 "cpu_s", (double)v->cpu_ns / 1e9,
			 "blocks_discarded", (json_int_t)v->blocks_discarded,
			 "blocks_discarded_read_zero", (json_int_t)v->blocks_trimmed_zero);
}

/* The worker threads left behind in the kernel, and where. */
static json_t *stuck_json(const struct run_result *r)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; i < r->nstuck; i++)
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:I}",
			"worker", (json_int_t)r->stuck[i].worker,
			"stream", r->stuck[i].stream,
			"in", r->stuck[i].where == STUCK_IN_SUBMIT ? "submit" : "exit",
			"abandoned_ios", (json_int_t)r->stuck[i].abandoned_ios));
	return a;
}

json_t *run_result_json(const struct run_result *r)
{
	json_t *j, *streams;
	unsigned i;

	j = json_pack("{s:f, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:f, s:I, s:I, s:f, s:I}, s:o, s:I}",
		      "duration_s", r->duration_s,
		      "read", dir_result_json(&r->dir[0], r->duration_s),
		      "write", dir_result_json(&r->dir[1], r->duration_s),
		      "total", total_json(r->dir, r->dropped, r->duration_s),
		      "errors", err_stats_json(&r->errors),
		      "concurrency",
		      "workers", (json_int_t)r->conc.workers,
		      "iodepth_per_worker", (json_int_t)r->conc.iodepth_per_worker,
		      "inflight_target", (json_int_t)r->conc.inflight_target,
		      "inflight_mean", r->conc.inflight_mean,
		      "inflight_max", (json_int_t)r->conc.inflight_max,
		      "submit_limit", (json_int_t)r->conc.submit_limit,
		      "kernel_inflight_mean", r->conc.kernel_inflight_mean,
		      "kernel_inflight_max", (json_int_t)r->conc.kernel_inflight_max,
		      "intervals", intervals_json(r),
		      "ramp_ops", (json_int_t)r->ramp_ops);
	if (!j)
		return NULL;
	flush_discard_json(j, r->dir, r->duration_s);
	json_object_set_new(j, "stopped_by_errors", json_boolean(r->error_stop));
	json_object_set_new(j, "timed_out", json_boolean(r->timed_out));
	json_object_set_new(j, "abandoned_ios", json_integer((json_int_t)r->abandoned_ios));
	json_object_set_new(j, "abandoned_after", r->abandoned_after == ABANDON_NONE ? json_null() :
			    json_string(r->abandoned_after == ABANDON_TIMEOUT ? "timeout" :
					"drain_grace"));
	json_object_set_new(j, "stuck_workers", json_integer((json_int_t)r->stuck_workers));
	json_object_set_new(j, "stuck", stuck_json(r));
	if (r->intervals_lat_max)
		/* doc/result-schema-v2.md, section 3: an upper bound, said so. */
		json_object_set_new(j, "intervals_lat", json_string("max_of_parts"));
	if (r->verify_enabled) {
		json_object_set_new(j, "verify", verify_json(r));
		json_object_set_new(json_object_get(j, "errors"), "verify_blocks",
				    verify_list_json(&r->verify));
	}
	if (r->cpu.window_ns)
		json_object_set_new(j, "cpu", cost_cpu_json(r));
	if (r->devs.n)
		json_object_set_new(j, "device_stats", cost_devices_json(r));
	streams = json_array();
	for (i = 0; i < r->nstreams; i++)
		json_array_append_new(streams, stream_json(&r->streams[i], r->duration_s));
	json_object_set_new(j, "streams", streams);
	return j;
}

json_t *stream_spec_json(const struct stream_spec *st)
{
	static const char *const access_names[] = {
		[ACCESS_RANDOM] = "random", [ACCESS_SEQUENTIAL] = "sequential",
		[ACCESS_ZIPF] = "zipf", [ACCESS_SEQ_RUNS] = "sequential_runs",
		[ACCESS_PARETO] = "pareto", [ACCESS_NORMAL] = "normal",
	};
	json_t *bs = json_array(), *j;
	unsigned i;

	for (i = 0; i < st->nbs; i++)
		json_array_append_new(bs, json_pack("{s:I, s:I}", "bs", (json_int_t)st->bs[i].bs,
						    "weight", (json_int_t)st->bs[i].weight));
	j = json_pack("{s:s, s:I, s:I, s:I, s:o, s:s, s:I, s:I, s:I}",
		      "name", st->name,
		      "workers", (json_int_t)st->workers,
		      "iodepth_per_worker", (json_int_t)(st->total_depth ? 0 : st->iodepth),
		      "read_pct", (json_int_t)st->read_pct,
		      "bs", bs,
		      "access", access_names[st->access],
		      "span_offset", (json_int_t)st->span_off,
		      "span_bytes", (json_int_t)st->span_len,
		      "rate_iops", (json_int_t)st->rate_iops);
	if (j && st->access == ACCESS_ZIPF)
		json_object_set_new(j, "zipf_theta", json_real(st->zipf_theta));
	if (j && st->access == ACCESS_PARETO)
		json_object_set_new(j, "pareto_h", json_real(st->pareto_h));
	if (j && st->access == ACCESS_NORMAL)
		json_object_set_new(j, "normal", json_pack("{s:f, s:f}", "dev_pct",
			st->normal_dev_pct, "center", st->normal_center));
	if (j && st->access == ACCESS_SEQ_RUNS)
		json_object_set_new(j, "run", json_pack("{s:I, s:I}", "blocks",
			(json_int_t)st->run_blocks, "pct", (json_int_t)st->run_pct));
	if (j && st->total_depth)
		json_object_set_new(j, "total_depth", json_integer((json_int_t)st->total_depth));
	/* What the job files add; absent when unused, so older params read the same. */
	if (j && st->discard_pct)
		json_object_set_new(j, "discard_pct", json_integer((json_int_t)st->discard_pct));
	if (j && st->trim_then_write)
		json_object_set_new(j, "trim_then_write", json_true());
	if (j && st->fua)
		json_object_set_new(j, "fua", json_true());
	if (j && st->flush_every)
		json_object_set_new(j, "flush_every_writes", json_integer((json_int_t)st->flush_every));
	if (j && st->flush_interval_ns)
		json_object_set_new(j, "flush_interval_ns",
				    json_integer((json_int_t)st->flush_interval_ns));
	if (j && st->arrival != ARRIVAL_CLOSED)
		json_object_set_new(j, "arrival", json_string(st->arrival == ARRIVAL_POISSON ?
							      "poisson" : "fixed"));
	if (j && st->think_ns)
		json_object_set_new(j, "think_ns", json_integer((json_int_t)st->think_ns));
	return j;
}
