#include "stats/hist.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int hist_init(struct hist *h, unsigned bits)
{
	memset(h, 0, sizeof(*h));
	h->bits = bits;
	h->nbuckets = (1u << bits) + (HIST_MAX_MAGNITUDE - bits) * (1u << bits);
	h->buckets = calloc(h->nbuckets, sizeof(*h->buckets));
	if (!h->buckets)
		return -1;
	h->min = UINT64_MAX;
	return 0;
}

void hist_free(struct hist *h)
{
	free(h->buckets);
	h->buckets = NULL;
}

void hist_reset(struct hist *h)
{
	memset(h->buckets, 0, h->nbuckets * sizeof(*h->buckets));
	h->count = 0;
	h->sum = 0;
	h->min = UINT64_MAX;
	h->max = 0;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	uint32_t i;

	if (!src->count)
		return;
	for (i = 0; i < dst->nbuckets; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

int hist_downsample(struct hist *dst, const struct hist *src)
{
	uint32_t i;

	if (dst->bits > src->bits) {
		errno = EINVAL;
		return -1;
	}
	hist_reset(dst);
	for (i = 0; i < src->nbuckets; i++) {
		uint64_t lo, width;

		if (!src->buckets[i])
			continue;
		hist_bucket_range(src, i, &lo, &width);
		dst->buckets[hist_index(dst, lo)] += src->buckets[i];
	}
	dst->count = src->count;
	dst->sum = src->sum;
	dst->min = src->min;
	dst->max = src->max;
	return 0;
}

void hist_bucket_range(const struct hist *h, uint32_t idx, uint64_t *lo, uint64_t *width)
{
	uint32_t sub = 1u << h->bits;
	uint32_t group, off;

	if (idx < sub) {
		*lo = idx;
		*width = 1;
		return;
	}
	group = (idx - sub) >> h->bits;  /* magnitude m = bits + group */
	off = (idx - sub) & (sub - 1);
	*width = 1ULL << group;
	*lo = ((uint64_t)sub + off) << group;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0;
	uint32_t i;

	if (!h->count)
		return 0;
	if (p >= 100.0)
		return h->max;
	rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < h->nbuckets; i++) {
		seen += h->buckets[i];
		if (seen >= rank) {
			uint64_t lo, width, mid;

			hist_bucket_range(h, i, &lo, &width);
			mid = lo + (width - 1) / 2;
			if (mid < h->min)
				mid = h->min;
			if (mid > h->max)
				mid = h->max;
			return mid;
		}
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}
