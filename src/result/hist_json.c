#include "result/hist_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends to a growing string; the buffer is freed on failure. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void sb_add(struct sbuf *b, uint32_t step, uint64_t count)
{
	char item[48];
	int n = snprintf(item, sizeof(item), "%s%" PRIu32 ":%" PRIu64, b->len ? "," : "", step,
			 count);

	if (b->failed)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		char *q;

		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q) {
			b->failed = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, item, (size_t)n + 1);
	b->len += (size_t)n;
}

json_t *hist_json(const struct hist *h)
{
	struct sbuf b = { 0 };
	uint32_t i, prev = 0;
	bool first = true;
	json_t *j;

	for (i = 0; i < h->nbuckets; i++) {
		if (!h->buckets[i])
			continue;
		sb_add(&b, first ? i : i - prev, h->buckets[i]);
		prev = i;
		first = false;
	}
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:s, s:s}",
		      "bits", (json_int_t)h->bits,
		      "count", (json_int_t)h->count,
		      "sum", (json_int_t)(h->sum > INT64_MAX ? INT64_MAX : h->sum),
		      "min", (json_int_t)(h->count ? h->min : 0),
		      "max", (json_int_t)h->max,
		      "enc", "d1",
		      "buckets", b.p ? b.p : "");
	free(b.p);
	return j;
}

/* A non-negative JSON integer, or -1. */
static int64_t nonneg(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
}

static int add_bucket(struct hist *h, uint64_t idx, uint64_t count, char *err, size_t elen)
{
	if (idx >= h->nbuckets) {
		snprintf(err, elen, "bucket index %" PRIu64 " is beyond the %" PRIu32 " buckets of "
			 "%" PRIu32 " bits", idx, h->nbuckets, h->bits);
		return -1;
	}
	if (!count || h->buckets[idx] + count < count) {
		snprintf(err, elen, "bucket %" PRIu64 " has a count of 0 or one that overflows",
			 idx);
		return -1;
	}
	h->buckets[idx] += count;
	h->count += count;
	return 0;
}

static int decode_string(const char *s, struct hist *h, char *err, size_t elen)
{
	uint64_t idx = 0;
	bool first = true;

	while (*s) {
		char *end;
		uint64_t step, count;

		errno = 0;
		step = strtoull(s, &end, 10);
		if (end == s || *end != ':' || errno || *s == '-' || *s == '+') {
			snprintf(err, elen, "malformed bucket item near '%.16s' (expected step:count)", s);
			return -1;
		}
		s = end + 1;
		count = strtoull(s, &end, 10);
		if (end == s || (*end && *end != ',') || errno || *s == '-' || *s == '+') {
			snprintf(err, elen, "malformed bucket count near '%.16s'", s);
			return -1;
		}
		if (!first && step == 0) {
			snprintf(err, elen, "bucket steps must grow (a step of 0 after the first)");
			return -1;
		}
		if (idx + step < idx) {
			snprintf(err, elen, "bucket index overflows");
			return -1;
		}
		idx = first ? step : idx + step;
		first = false;
		if (add_bucket(h, idx, count, err, elen))
			return -1;
		s = *end ? end + 1 : end;
		if (*end == ',' && !*s) {
			snprintf(err, elen, "a bucket list may not end with ','");
			return -1;
		}
	}
	return 0;
}

static int decode_pairs(json_t *arr, struct hist *h, char *err, size_t elen)
{
	json_t *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		int64_t idx = nonneg(json_array_get(e, 0)), cnt = nonneg(json_array_get(e, 1));

		if (json_array_size(e) != 2 || idx < 0 || cnt <= 0) {
			snprintf(err, elen, "bucket %zu is not an [index, count] pair of a non-negative "
				 "index and a positive count", i);
			return -1;
		}
		if (add_bucket(h, (uint64_t)idx, (uint64_t)cnt, err, elen))
			return -1;
	}
	return 0;
}

/* Extremes nobody recorded: the edges of the first and the last non-empty bucket. */
static void bucket_extremes(const struct hist *h, int64_t *mn, int64_t *mx)
{
	uint64_t lo, width;
	uint32_t i;

	for (i = 0; *mn < 0 && i < h->nbuckets; i++)
		if (h->buckets[i]) {
			hist_bucket_range(h, i, &lo, &width);
			*mn = (int64_t)lo;
		}
	for (i = h->nbuckets; *mx < 0 && i-- > 0;)
		if (h->buckets[i]) {
			hist_bucket_range(h, i, &lo, &width);
			*mx = (int64_t)(lo + width - 1);
		}
}

int hist_from_json(json_t *j, json_t *lat_ns, struct hist *out, char *err, size_t elen)
{
	int64_t bits = nonneg(json_object_get(j, "bits"));
	json_t *b = json_object_get(j, "buckets");
	int rc;

	if (!json_is_object(j) || bits < 1 || bits > 16) {
		snprintf(err, elen, "a histogram needs \"bits\" from 1 to 16");
		return -1;
	}
	if (!json_is_string(b) && !json_is_array(b)) {
		snprintf(err, elen, "a histogram needs \"buckets\" (a string or [index, count] pairs)");
		return -1;
	}
	if (hist_init(out, (unsigned)bits)) {
		snprintf(err, elen, "out of memory");
		return -1;
	}
	rc = json_is_string(b) ? decode_string(json_string_value(b), out, err, elen) :
		decode_pairs(b, out, err, elen);
	if (rc) {
		hist_free(out);
		return -1;
	}
	if (json_is_string(b)) {
		int64_t c = nonneg(json_object_get(j, "count"));
		int64_t sum = nonneg(json_object_get(j, "sum"));
		int64_t mn = nonneg(json_object_get(j, "min")), mx = nonneg(json_object_get(j, "max"));

		if (c >= 0 && (uint64_t)c != out->count) {
			snprintf(err, elen, "\"count\" %" PRId64 " differs from the buckets' %" PRIu64,
				 c, out->count);
			hist_free(out);
			return -1;
		}
		out->sum = sum >= 0 ? (uint64_t)sum : 0;
		if (out->count) {
			bucket_extremes(out, &mn, &mx);
			out->min = (uint64_t)mn;
			out->max = (uint64_t)mx;
		}
	} else if (out->count) {
		/* Schema 1: the summary has the extremes and the mean. */
		int64_t mn = nonneg(json_object_get(lat_ns, "min"));
		int64_t mx = nonneg(json_object_get(lat_ns, "max"));
		double mean = json_number_value(json_object_get(lat_ns, "mean"));

		bucket_extremes(out, &mn, &mx);
		out->min = (uint64_t)mn;
		out->max = (uint64_t)mx;
		out->sum = mean > 0 ? (uint64_t)(mean * (double)out->count + 0.5) : 0;
	}
	return 0;
}
