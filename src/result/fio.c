#include "result/fio.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FIO_READ, FIO_WRITE };

static const char *const fio_dirs[] = { "read", "write" };

/* ---- json+ bins ------------------------------------------------------------- */

/*
 * The value fio writes for bucket idx (stat.c, plat_idx_to_val): the index
 * itself below 128, else the middle of the bucket, rounded down.
 */
static uint64_t fio_bin_value(uint32_t idx)
{
	unsigned e;

	if (idx < (2u << FIO_HIST_BITS))
		return idx;
	e = (idx >> FIO_HIST_BITS) - 1;
	return (1ULL << (e + FIO_HIST_BITS)) + ((uint64_t)(idx & ((1u << FIO_HIST_BITS) - 1)) << e) +
	       (1ULL << (e - 1));
}

/* A key of bins: decimal digits only, no sign, no overflow. */
static int parse_key(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end || errno ? -1 : 0;
}

int fio_clat_hist(json_t *dir, struct hist *out, char *err, size_t elen)
{
	json_t *clat = json_object_get(dir, "clat_ns");
	json_t *bins = json_object_get(clat, "bins"), *v, *n = json_object_get(clat, "N");
	const char *key;

	if (!bins)
		return 1;
	if (!json_is_object(bins)) {
		snprintf(err, elen, "clat_ns.bins is not an object of \"<ns>\": count");
		return -1;
	}
	if (hist_init(out, FIO_HIST_BITS)) {
		snprintf(err, elen, "out of memory");
		return -1;
	}
	json_object_foreach(bins, key, v) {
		uint64_t val;
		uint32_t idx;

		if (parse_key(key, &val) || fio_bin_value(idx = hist_index(out, val)) != val) {
			snprintf(err, elen, "clat_ns.bins: \"%.32s\" is not a bucket of fio's latency "
				 "histogram (%u buckets per power of two)", key, 1u << FIO_HIST_BITS);
			goto bad;
		}
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			snprintf(err, elen, "clat_ns.bins: the count of \"%.32s\" is not a whole number "
				 "of at least 0", key);
			goto bad;
		}
		out->buckets[idx] += (uint64_t)json_integer_value(v);
		out->count += (uint64_t)json_integer_value(v);
	}
	if (json_is_integer(n) && (uint64_t)json_integer_value(n) != out->count) {
		snprintf(err, elen, "clat_ns.bins hold %" PRIu64 " completions, clat_ns.N says %"
			 JSON_INTEGER_FORMAT, out->count, json_integer_value(n));
		goto bad;
	}
	if (out->count) {
		double mean = json_number_value(json_object_get(clat, "mean"));
		json_t *mn = json_object_get(clat, "min"), *mx = json_object_get(clat, "max");
		uint64_t lo, width;
		uint32_t i;

		/* fio's own extremes; the edges of the outer buckets if it has none. */
		for (i = 0; i < out->nbuckets && !out->buckets[i]; i++)
			;
		hist_bucket_range(out, i, &lo, &width);
		out->min = json_is_number(mn) ? (uint64_t)json_number_value(mn) : lo;
		for (i = out->nbuckets - 1; i > 0 && !out->buckets[i]; i--)
			;
		hist_bucket_range(out, i, &lo, &width);
		out->max = json_is_number(mx) ? (uint64_t)json_number_value(mx) : lo + width - 1;
		out->sum = mean > 0 ? (uint64_t)llround(mean * (double)out->count) : 0;
	}
	return 0;
bad:
	hist_free(out);
	return -1;
}

/* ---- the --status-interval stream -------------------------------------------- */

/* One report, all jobs added up. */
struct fio_point {
	double runtime_ms;      /* the longest job_runtime */
	double timestamp_ms;    /* the report's time, 0 if none */
	uint64_t ops[2], bytes[2];
	double lat_n[2];        /* clat N: completions timed */
	double lat_sum[2];      /* clat mean x N */
	struct hist h[2];       /* clat bins, when every job has them */
	bool bins;
};

/* p zeroed before: point_free() releases what was allocated, whatever failed. */
static int point_init(struct fio_point *p)
{
	if (hist_init(&p->h[0], FIO_HIST_BITS) || hist_init(&p->h[1], FIO_HIST_BITS))
		return -1;
	p->bins = true;
	return 0;
}

static void point_free(struct fio_point *p)
{
	hist_free(&p->h[0]);
	hist_free(&p->h[1]);
}

static void point_reset(struct fio_point *p)
{
	struct hist h0 = p->h[0], h1 = p->h[1];

	hist_reset(&h0);
	hist_reset(&h1);
	memset(p, 0, sizeof(*p));
	p->h[0] = h0;
	p->h[1] = h1;
	p->bins = true;
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static int point_from_doc(json_t *doc, struct fio_point *p, char *err, size_t elen)
{
	json_t *jobs = json_object_get(doc, "jobs"), *job;
	size_t i;
	int d;

	point_reset(p);
	p->timestamp_ms = num(doc, "timestamp_ms");
	if (!json_array_size(jobs)) {
		snprintf(err, elen, "has no \"jobs\"");
		return -1;
	}
	json_array_foreach(jobs, i, job) {
		double rt = json_is_number(json_object_get(job, "job_runtime")) ?
			num(job, "job_runtime") : 0;

		for (d = 0; d < 2; d++) {
			json_t *dir = json_object_get(job, fio_dirs[d]);
			json_t *clat = json_object_get(dir, "clat_ns");
			struct hist h;
			int rc;

			if (!json_is_object(dir))
				continue;
			/* fio before 3.x has no job_runtime: the directions' runtime (ms). */
			if (!json_object_get(job, "job_runtime") && num(dir, "runtime") > rt)
				rt = num(dir, "runtime");
			p->ops[d] += (uint64_t)num(dir, "total_ios");
			p->bytes[d] += (uint64_t)num(dir, "io_bytes");
			p->lat_n[d] += num(clat, "N");
			p->lat_sum[d] += num(clat, "mean") * num(clat, "N");
			rc = fio_clat_hist(dir, &h, err, elen);
			if (rc < 0)
				return -1;
			if (rc == 1) {
				/* fio writes no bins for a direction without completions. */
				if (num(clat, "N") > 0 || num(dir, "total_ios") > 0)
					p->bins = false;
				continue;
			}
			hist_merge(&p->h[d], &h);
			hist_free(&h);
		}
		if (rt > p->runtime_ms)
			p->runtime_ms = rt;
	}
	return 0;
}

/* Latencies of the completions between two reports: the difference of the bins. */
static int interval_lat(const struct fio_point *a, const struct fio_point *b, int d,
			struct hist *delta, json_t *iv, const char *key)
{
	double n = b->lat_n[d] - a->lat_n[d];
	uint32_t i;

	hist_reset(delta);
	for (i = 0; i < delta->nbuckets; i++) {
		if (b->h[d].buckets[i] < a->h[d].buckets[i])
			return -1;
		delta->buckets[i] = b->h[d].buckets[i] - a->h[d].buckets[i];
		delta->count += delta->buckets[i];
	}
	/* Bucket midpoints within the interval, as our own intervals. */
	delta->min = 0;
	delta->max = UINT64_MAX;
	json_object_set_new(iv, key, json_pack("{s:f, s:I, s:I, s:I}",
		"mean", n > 0 ? (b->lat_sum[d] - a->lat_sum[d]) / n : 0.0,
		"p50", (json_int_t)hist_percentile(delta, 50),
		"p99", (json_int_t)hist_percentile(delta, 99),
		"p99.9", (json_int_t)hist_percentile(delta, 99.9)));
	return 0;
}

/* The interval from report a (or the start: all zero) to report b; NULL when it has no length. */
static json_t *interval_json(const struct fio_point *a, const struct fio_point *b,
			     struct hist scratch[3], char *err, size_t elen)
{
	double len = (b->runtime_ms - a->runtime_ms) / 1000;
	json_t *iv;
	int d;

	for (d = 0; d < 2; d++)
		if (b->ops[d] < a->ops[d] || b->bytes[d] < a->bytes[d] || len < 0) {
			snprintf(err, elen, "goes backwards: a report has fewer I/Os or less runtime "
				 "than the one before (not one run's --status-interval output?)");
			return NULL;
		}
	if (len <= 0)
		return json_null();
	iv = json_pack("{s:f, s:f}", "t_s", b->runtime_ms / 1000, "len_s", len);
	if (!iv)
		return NULL;
	if (b->timestamp_ms > 0)
		json_object_set_new(iv, "t_ns", json_integer((json_int_t)b->timestamp_ms * 1000000));
	json_object_set_new(iv, "read_iops", json_real((double)(b->ops[0] - a->ops[0]) / len));
	json_object_set_new(iv, "write_iops", json_real((double)(b->ops[1] - a->ops[1]) / len));
	json_object_set_new(iv, "read_bw_bytes_per_s",
			    json_real((double)(b->bytes[0] - a->bytes[0]) / len));
	json_object_set_new(iv, "write_bw_bytes_per_s",
			    json_real((double)(b->bytes[1] - a->bytes[1]) / len));
	json_object_set_new(iv, "bw_bytes_per_s",
			    json_real((double)(b->bytes[0] + b->bytes[1] - a->bytes[0] - a->bytes[1]) /
				      len));
	if (a->bins && b->bins) {
		if (interval_lat(a, b, 0, &scratch[0], iv, "read_lat_ns") ||
		    interval_lat(a, b, 1, &scratch[1], iv, "write_lat_ns")) {
			snprintf(err, elen, "goes backwards: a report's clat bins hold fewer "
				 "completions than the one before");
			json_decref(iv);
			return NULL;
		}
		hist_reset(&scratch[2]);
		hist_merge(&scratch[2], &scratch[0]);
		hist_merge(&scratch[2], &scratch[1]);
		scratch[2].min = 0;
		scratch[2].max = UINT64_MAX;
		json_object_set_new(iv, "p99_ns", json_integer((json_int_t)hist_percentile(&scratch[2],
											       99)));
	}
	return iv;
}

static size_t skip_space(const char *buf, size_t len, size_t off)
{
	while (off < len && strchr(" \t\r\n", buf[off]) && buf[off])
		off++;
	return off;
}

static size_t line_at(const char *buf, size_t off)
{
	size_t n = 0, i;

	for (i = 0; i < off; i++)
		n += buf[i] == '\n';
	return n;
}

/* The value at buf + off (NULL at the end); *next: just after it. */
static json_t *next_doc(const char *buf, size_t len, size_t off, size_t *next, unsigned nth,
			char *err, size_t elen)
{
	json_error_t jerr;
	json_t *doc;

	doc = json_loadb(buf + off, len - off, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES,
			 &jerr);
	if (!doc) {
		if (skip_space(buf, len, off + (size_t)jerr.position) >= len)
			snprintf(err, elen, "holds fio status reports, but report %u is cut off at "
				 "the end (the run did not finish?)", nth);
		else
			snprintf(err, elen, "holds fio status reports, but report %u is not valid "
				 "JSON (line %zu: %s)", nth, line_at(buf, off) + (size_t)jerr.line,
				 jerr.text);
		return NULL;
	}
	if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "fio version"))) {
		snprintf(err, elen, "holds fio status reports, but report %u (line %zu) is no fio "
			 "JSON document", nth, line_at(buf, off) + 1);
		json_decref(doc);
		return NULL;
	}
	*next = off + (size_t)jerr.position;
	return doc;
}

bool fio_stream_probe(const char *buf, size_t len)
{
	size_t off = skip_space(buf, len, 0), next = 0;
	char err[8];
	json_t *doc;

	if (off >= len || buf[off] != '{')
		return false;
	doc = next_doc(buf, len, off, &next, 1, err, sizeof(err));
	if (!doc)
		return false;
	json_decref(doc);
	return skip_space(buf, len, next) < len;
}

json_t *fio_stream_parse(const char *buf, size_t len, char *err, size_t elen)
{
	struct fio_point pt[2] = { 0 };
	struct hist scratch[3] = { 0 };
	json_t *last = NULL, *intervals = json_array();
	size_t off = skip_space(buf, len, 0), next = 0;
	unsigned n = 0, cur = 0, k;
	bool ok = false;

	if (!intervals || point_init(&pt[0]) || point_init(&pt[1]) ||
	    hist_init(&scratch[0], FIO_HIST_BITS) || hist_init(&scratch[1], FIO_HIST_BITS) ||
	    hist_init(&scratch[2], FIO_HIST_BITS)) {
		snprintf(err, elen, "out of memory");
		goto out;
	}
	while (off < len) {
		json_t *doc = next_doc(buf, len, off, &next, n + 1, err, elen), *iv;

		if (!doc)
			goto out;
		n++;
		cur ^= 1;
		if (point_from_doc(doc, &pt[cur], err, elen)) {
			char sub[256];

			snprintf(sub, sizeof(sub), "%s", err);
			snprintf(err, elen, "holds fio status reports, but report %u %s", n, sub);
			json_decref(doc);
			goto out;
		}
		if (n == 1) {
			/* Before the first report: the start of the job, nothing done yet. */
			point_reset(&pt[cur ^ 1]);
			pt[cur ^ 1].bins = pt[cur].bins;
		}
		iv = interval_json(&pt[cur ^ 1], &pt[cur], scratch, err, elen);
		if (!iv) {
			json_decref(doc);
			goto out;
		}
		/* json_null(): two reports at the same runtime, no interval between them. */
		if (json_is_object(iv) && json_array_append_new(intervals, iv)) {
			snprintf(err, elen, "out of memory");
			json_decref(doc);
			goto out;
		}
		json_decref(last);
		last = doc;
		off = skip_space(buf, len, next);
	}
	if (!last) {
		snprintf(err, elen, "holds no fio report");
		goto out;
	}
	json_object_set_new(last, "dmremap-bench", json_pack("{s:I, s:O}", "fio_status_reports",
							      (json_int_t)n, "intervals", intervals));
	ok = true;
out:
	for (k = 0; k < 2; k++)
		point_free(&pt[k]);
	for (k = 0; k < 3; k++)
		hist_free(&scratch[k]);
	json_decref(intervals);
	if (!ok) {
		json_decref(last);
		return NULL;
	}
	return last;
}
