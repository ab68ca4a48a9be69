#include "result/result.h"

#include <stdlib.h>
#include <string.h>

static int dir_init(struct dir_result *d)
{
	memset(d, 0, sizeof(*d));
	return hist_init(&d->hist, HIST_BITS_PRECISE);
}

int run_result_init(struct run_result *r, unsigned nstreams)
{
	unsigned i, d;

	memset(r, 0, sizeof(*r));
	r->streams = calloc(nstreams ? nstreams : 1, sizeof(*r->streams));
	if (!r->streams)
		return -1;
	r->nstreams = nstreams;
	for (d = 0; d < DIR_COUNT; d++)
		if (dir_init(&r->dir[d]))
			goto fail;
	for (i = 0; i < nstreams; i++)
		for (d = 0; d < DIR_COUNT; d++)
			if (dir_init(&r->streams[i].dir[d]))
				goto fail;
	return 0;
fail:
	run_result_free(r);
	return -1;
}

void dir_result_free(struct dir_result *d)
{
	hist_free(&d->hist);
	hist_free(&d->resp);
}

void run_result_free(struct run_result *r)
{
	unsigned i, d;

	if (r->streams) {
		for (i = 0; i < r->nstreams; i++)
			for (d = 0; d < DIR_COUNT; d++)
				dir_result_free(&r->streams[i].dir[d]);
	}
	free(r->streams);
	for (d = 0; d < DIR_COUNT; d++)
		dir_result_free(&r->dir[d]);
	free(r->intervals);
	memset(r, 0, sizeof(*r));
}

void err_stats_merge(struct err_stats *dst, const struct err_stats *src)
{
	unsigned i;

	dst->io += src->io;
	dst->short_io += src->short_io;
	dst->verify += src->verify;
	for (i = 0; i < ERRNO_SLOTS; i++)
		dst->by_errno[i] += src->by_errno[i];
	for (i = 0; i < src->nlist && dst->nlist < ERR_LIST_MAX; i++)
		dst->list[dst->nlist++] = src->list[i];
}

uint64_t run_result_total_ops(const struct run_result *r)
{
	return r->dir[0].ops + r->dir[1].ops;
}

uint64_t err_stats_total(const struct err_stats *e)
{
	return e->io + e->short_io + e->verify;
}

int dir_result_add(struct dir_result *dst, const struct dir_result *src)
{
	dst->ops += src->ops;
	dst->bytes += src->bytes;
	hist_merge(&dst->hist, &src->hist);
	dst->late.count += src->late.count;
	dst->late.sum_ns += src->late.sum_ns;
	dst->late.dropped += src->late.dropped;
	if (src->late.max_ns > dst->late.max_ns)
		dst->late.max_ns = src->late.max_ns;
	if (!src->resp.buckets)
		return 0;
	if (!dst->resp.buckets && hist_init(&dst->resp, src->resp.bits))
		return -1;
	hist_merge(&dst->resp, &src->resp);
	return 0;
}

static void dir_add(struct dir_result *dst, const struct dir_result *src)
{
	/* Out of memory for a response histogram: the service times still add. */
	dir_result_add(dst, src);
}

static void stream_add(struct stream_result *dst, const struct stream_result *src)
{
	int d;

	if (!dst->name[0])
		memcpy(dst->name, src->name, sizeof(dst->name));
	if (src->workers > dst->workers)
		dst->workers = src->workers;
	if (src->iodepth > dst->iodepth)
		dst->iodepth = src->iodepth;
	for (d = 0; d < DIR_COUNT; d++)
		dir_add(&dst->dir[d], &src->dir[d]);
	dst->dropped += src->dropped;
	err_stats_merge(&dst->errors, &src->errors);
}

/*
 * What adds up alike whether part ran after total's runs or beside them:
 * the I/O of every direction and stream, the errors, how the run ended,
 * and verification.
 */
static void merge_io_and_status(struct run_result *total, const struct run_result *part)
{
	size_t i;
	int d;

	for (d = 0; d < DIR_COUNT; d++)
		dir_add(&total->dir[d], &part->dir[d]);
	total->dropped += part->dropped;
	err_stats_merge(&total->errors, &part->errors);
	if (total->nstreams && total->nstreams == part->nstreams)
		for (i = 0; i < part->nstreams; i++)
			stream_add(&total->streams[i], &part->streams[i]);
	total->ramp_ops += part->ramp_ops;
	if (part->signal)
		total->signal = part->signal;
	total->error_stop |= part->error_stop;
	total->timed_out |= part->timed_out;
	total->abandoned_ios += part->abandoned_ios;
	if (part->abandoned_after != ABANDON_NONE)
		total->abandoned_after = part->abandoned_after;
	total->stuck_workers += part->stuck_workers;
	for (i = 0; i < part->nstuck && total->nstuck < STUCK_LIST_MAX; i++)
		total->stuck[total->nstuck++] = part->stuck[i];
	total->verify_enabled |= part->verify_enabled;
	if (part->verify_enabled)
		total->verify_block_size = part->verify_block_size;
	verify_stats_merge(&total->verify, &part->verify);
}

int run_result_accumulate(struct run_result *total, const struct run_result *part)
{
	double before = total->duration_s;
	size_t i;

	merge_io_and_status(total, part);
	for (i = 0; i < part->nintervals; i++) {
		struct interval_sample s = part->intervals[i];

		if (total->nintervals == total->intervals_cap) {
			size_t cap = total->intervals_cap ? total->intervals_cap * 2 : 64;
			struct interval_sample *n = realloc(total->intervals, cap * sizeof(*n));

			if (!n)
				return -1;
			total->intervals = n;
			total->intervals_cap = cap;
		}
		s.t_s += before;
		total->intervals[total->nintervals++] = s;
	}
	if (part->duration_s + before > 0) {
		total->conc.inflight_mean = (total->conc.inflight_mean * before +
					     part->conc.inflight_mean * part->duration_s) /
					    (before + part->duration_s);
		total->conc.kernel_inflight_mean =
			(total->conc.kernel_inflight_mean * before +
			 part->conc.kernel_inflight_mean * part->duration_s) /
			(before + part->duration_s);
	}
	if (part->conc.workers > total->conc.workers)
		total->conc.workers = part->conc.workers;
	if (part->conc.iodepth_per_worker > total->conc.iodepth_per_worker)
		total->conc.iodepth_per_worker = part->conc.iodepth_per_worker;
	if (part->conc.inflight_target > total->conc.inflight_target)
		total->conc.inflight_target = part->conc.inflight_target;
	if (part->conc.inflight_max > total->conc.inflight_max)
		total->conc.inflight_max = part->conc.inflight_max;
	if (part->conc.kernel_inflight_max > total->conc.kernel_inflight_max)
		total->conc.kernel_inflight_max = part->conc.kernel_inflight_max;
	if (part->conc.submit_limit > total->conc.submit_limit)
		total->conc.submit_limit = part->conc.submit_limit;
	total->duration_s += part->duration_s;
	cpu_acct_add(&total->cpu, &part->cpu);
	dev_accts_add(&total->devs, &part->devs);
	total->complete = part->complete;
	return 0;
}

static int intervals_reserve(struct run_result *r, size_t n)
{
	size_t cap = r->intervals_cap ? r->intervals_cap : 64;
	struct interval_sample *x;

	if (n <= r->intervals_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	x = realloc(r->intervals, cap * sizeof(*x));
	if (!x)
		return -1;
	r->intervals = x;
	r->intervals_cap = cap;
	return 0;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* The k-th interval of a part that ran beside the total's k-th. */
static void interval_add_parallel(struct interval_sample *t, const struct interval_sample *p,
				  bool *lat_max)
{
	int d;

	if (p->t_s > t->t_s)
		t->t_s = p->t_s;
	if (p->len_s > t->len_s)
		t->len_s = p->len_s;
	t->t_ns = max_u64(t->t_ns, p->t_ns);
	t->read_ops += p->read_ops;
	t->write_ops += p->write_ops;
	t->read_bytes += p->read_bytes;
	t->write_bytes += p->write_bytes;
	t->errors += p->errors;
	if (p->p99_ns != t->p99_ns || p->lat[0].p99_ns != t->lat[0].p99_ns ||
	    p->lat[1].p99_ns != t->lat[1].p99_ns)
		*lat_max = true;
	t->p99_ns = max_u64(t->p99_ns, p->p99_ns);
	for (d = 0; d < 2; d++) {
		if (p->lat[d].mean_ns > t->lat[d].mean_ns)
			t->lat[d].mean_ns = p->lat[d].mean_ns;
		t->lat[d].p50_ns = max_u64(t->lat[d].p50_ns, p->lat[d].p50_ns);
		t->lat[d].p99_ns = max_u64(t->lat[d].p99_ns, p->lat[d].p99_ns);
		t->lat[d].p999_ns = max_u64(t->lat[d].p999_ns, p->lat[d].p999_ns);
	}
}

int run_result_merge_parallel(struct run_result *total, const struct run_result *part)
{
	/* A total nothing was merged into yet: every engine run has workers. */
	bool first = total->conc.workers == 0 && total->nintervals == 0;
	size_t i;

	/* Flushes and discards too: every direction of every device. */
	merge_io_and_status(total, part);
	if (intervals_reserve(total, part->nintervals))
		return -1;
	for (i = 0; i < part->nintervals; i++) {
		if (i < total->nintervals)
			interval_add_parallel(&total->intervals[i], &part->intervals[i],
					      &total->intervals_lat_max);
		else
			total->intervals[total->nintervals++] = part->intervals[i];
	}
	/* A part with fewer intervals than the others (it stopped early): theirs stand. */
	if (!first && part->nintervals < total->nintervals)
		total->intervals_lat_max = true;
	total->intervals_lat_max |= part->intervals_lat_max;
	if (part->duration_s > total->duration_s)
		total->duration_s = part->duration_s;
	/* In flight at once on all devices: the sums (of the maxima: an upper bound). */
	total->conc.workers += part->conc.workers;
	if (part->conc.iodepth_per_worker > total->conc.iodepth_per_worker)
		total->conc.iodepth_per_worker = part->conc.iodepth_per_worker;
	total->conc.inflight_target += part->conc.inflight_target;
	total->conc.inflight_mean += part->conc.inflight_mean;
	total->conc.inflight_max += part->conc.inflight_max;
	total->conc.submit_limit += part->conc.submit_limit;
	total->conc.kernel_inflight_mean += part->conc.kernel_inflight_mean;
	total->conc.kernel_inflight_max += part->conc.kernel_inflight_max;
	total->intervals_merged += part->intervals_merged;
	total->complete = first ? part->complete : total->complete && part->complete;
	return 0;
}

void run_result_stamp_wall(struct run_result *r, uint64_t origin_ns)
{
	size_t i;

	for (i = 0; i < r->nintervals; i++)
		if (!r->intervals[i].t_ns && r->intervals[i].t_s >= 0)
			r->intervals[i].t_ns = origin_ns + (uint64_t)(r->intervals[i].t_s * 1e9 + 0.5);
}
