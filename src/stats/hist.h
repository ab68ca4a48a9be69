/*
 * Log-linear latency histogram (HdrHistogram-style): values below 2^b are
 * counted exactly; above, each power of two is split into 2^b equal buckets,
 * so a bucket's width is at most 2^-b of its values. Reporting a bucket's
 * midpoint bounds the relative error of any percentile by 2^-(b+1):
 * b = 7 gives 0.4%. Fixed memory, no allocation after hist_init(), and two
 * histograms of the same shape merge by adding counts.
 */
#ifndef DMRB_HIST_H
#define DMRB_HIST_H

#include <stdint.h>

#define HIST_BITS_PRECISE 7   /* run totals: <= 0.4% percentile error */
#define HIST_BITS_INTERVAL 5  /* interval series: <= 1.6% (doc/result-schema-v2.md) */
#define HIST_MAX_MAGNITUDE 42 /* values up to 2^42 ns (73 minutes) */

struct hist {
	uint32_t bits;
	uint32_t nbuckets;
	uint64_t count;
	uint64_t min, max;
	uint64_t sum;       /* ns; 2^64 ns is 584 years of summed latency */
	uint64_t *buckets;
};

int hist_init(struct hist *h, unsigned bits);
void hist_free(struct hist *h);
void hist_reset(struct hist *h);
/* dst += src; both must have the same bits. */
void hist_merge(struct hist *dst, const struct hist *src);

static inline uint32_t hist_index(const struct hist *h, uint64_t v)
{
	unsigned b = h->bits;
	unsigned m;
	uint32_t idx;

	if (v < (1ULL << b))
		return (uint32_t)v;
	m = 63u - (unsigned)__builtin_clzll(v);
	idx = (1u << b) + ((m - b) << b) + (uint32_t)((v >> (m - b)) - (1ULL << b));
	return idx < h->nbuckets ? idx : h->nbuckets - 1;
}

/*
 * Increment a counter that only the calling thread writes, so that another
 * thread may read it at any time (relaxed): a plain load, add and store on
 * every architecture, no lock prefix.
 */
static inline void counter_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static inline uint64_t counter_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/*
 * The hot path: no allocation, no lock, a handful of instructions. Buckets,
 * count and sum may be read by a monitor thread while a worker records.
 */
static inline void hist_record(struct hist *h, uint64_t v)
{
	counter_add(&h->buckets[hist_index(h, v)], 1);
	counter_add(&h->count, 1);
	counter_add(&h->sum, v);
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/*
 * dst = src at dst's precision (dst->bits <= src->bits; dst is reset
 * first). Every bucket of src lies inside one bucket of dst, so counts move
 * exactly: downsampling a merge equals merging the downsampled parts.
 * count, sum, min and max are copied. -1 (EINVAL) when dst is finer.
 */
int hist_downsample(struct hist *dst, const struct hist *src);

/* Lowest value and width of a bucket. */
void hist_bucket_range(const struct hist *h, uint32_t idx, uint64_t *lo, uint64_t *width);

/*
 * Value at percentile p (0 < p <= 100): the midpoint of the bucket holding
 * the sample of rank ceil(p/100 * count), clamped to [min, max]. 0 if empty.
 */
uint64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);

#endif
