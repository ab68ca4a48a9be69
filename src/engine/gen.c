#include "engine/gen.h"

#include <math.h>

#include "engine/ioengine.h"

static uint32_t pick_bs(struct gen *g)
{
	uint32_t r;
	unsigned i;

	if (g->nbs == 1)
		return g->bs[0];
	r = (uint32_t)prng_below(&g->rng, g->bs_total);
	for (i = 0; i < g->nbs; i++)
		if (r < g->bs_cum[i])
			return g->bs[i];
	return g->bs[g->nbs - 1];
}

static bool pick_write(struct gen *g)
{
	if (g->read_pct >= 100)
		return false;
	if (g->read_pct == 0)
		return true;
	return prng_below(&g->rng, 100) >= g->read_pct;
}

/* A block-aligned random offset for size bs inside the region. */
static uint64_t random_off(struct gen *g, uint32_t bs)
{
	uint64_t nblocks = g->len / bs;

	return g->off + prng_below(&g->rng, nblocks ? nblocks : 1) * bs;
}

/* Next sequential offset; wraps to the region start at the end. */
static uint64_t seq_off(struct gen *g, uint32_t bs)
{
	uint64_t pos;

	g->cursor = (g->cursor + bs - 1) / bs * bs;  /* keep aligned to bs */
	if (g->cursor + bs > g->len)
		g->cursor = 0;
	pos = g->cursor;
	g->cursor += bs;
	return g->off + pos;
}

void gen_init(struct gen *g, const struct stream_spec *st, uint64_t region_off,
	      uint64_t region_len, unsigned index, unsigned nworkers,
	      uint64_t seed, uint64_t stream_seed_id)
{
	uint32_t maxbs = 0;
	unsigned i;

	*g = (struct gen){ 0 };
	prng_seed(&g->rng, seed, stream_seed_id * 65536 + index);
	g->access = st->access;
	g->read_pct = st->read_pct;
	g->discard_pct = st->discard_pct;
	g->nbs = st->nbs;
	for (i = 0; i < st->nbs; i++) {
		g->bs[i] = st->bs[i].bs;
		g->bs_total += st->bs[i].weight;
		g->bs_cum[i] = g->bs_total;
		if (st->bs[i].bs > maxbs)
			maxbs = st->bs[i].bs;
	}
	g->off = region_off;
	g->len = region_len;
	if (st->slice_per_worker && nworkers > 1) {
		/* Slices aligned to the largest block so every size stays aligned. */
		uint64_t slice = region_len / nworkers / maxbs * maxbs;

		g->off = region_off + slice * index;
		g->len = slice;
	} else if (st->access == ACCESS_SEQUENTIAL && nworkers > 1) {
		/* Spread the sequential cursors over the region. */
		g->cursor = region_len / nworkers * index / maxbs * maxbs;
	}
	if (st->access == ACCESS_ZIPF) {
		uint64_t n = g->len / g->bs[0];

		zipf_init(&g->zipf, n, st->zipf_theta);
		/* Same scatter for every worker: they share one hot set. */
		scatter_init(&g->scatter, n, seed ^ (stream_seed_id + 1) * 0x2545f4914f6cdd1dULL);
	}
	if (st->access == ACCESS_PARETO || st->access == ACCESS_NORMAL) {
		g->nblocks0 = g->len / g->bs[0] ? g->len / g->bs[0] : 1;
		/* The same hot set for every worker, as with zipf. */
		scatter_init(&g->scatter, g->nblocks0,
			     seed ^ (stream_seed_id + 1) * 0x2545f4914f6cdd1dULL);
		/*
		 * Pareto: P(rank < x n) = x^(1/pow); pow = ln h / ln(1 - h)
		 * puts 1 - h of the I/Os on the lowest h of the ranks (h 0.2:
		 * 80% on 20%).
		 */
		if (st->pareto_h > 0 && st->pareto_h < 1)
			g->pareto_pow = log(st->pareto_h) / log(1.0 - st->pareto_h);
		g->normal_mean = st->normal_center * (double)g->nblocks0;
		g->normal_sd = st->normal_dev_pct / 100.0 * (double)g->nblocks0;
	}
	if (st->access == ACCESS_SEQ_RUNS) {
		/*
		 * A fraction f of I/Os inside runs of L: start a run with
		 * probability q = f / (L - f (L - 1)), else one random I/O.
		 */
		double f = st->run_pct / 100.0, L = st->run_blocks ? st->run_blocks : 1;
		double q = f / (L - f * (L - 1.0));

		g->run_blocks = st->run_blocks ? st->run_blocks : 1;
		g->run_start_q = (uint64_t)(q * 4294967296.0);
	}
}

static void gen_pick(struct gen *g, struct io_pick *p);

/*
 * The I/O's operation: a discard with probability discard_pct (drawn only
 * when it is non-zero, so that a stream without discards draws the same
 * sequence as before they existed), else a read or a write by read_pct.
 * (trimwrite's write after each discard is the worker's: see fill_unit.)
 */
void gen_next(struct gen *g, struct io_pick *p)
{
	gen_pick(g, p);
	p->op = p->write ? IO_WRITE : IO_READ;
	if (g->discard_pct && (g->discard_pct >= 100 ||
			       prng_below(&g->rng, 100) < g->discard_pct)) {
		p->op = IO_DISCARD;
		p->write = false;
	}
}

/* Uniform in (0, 1]. */
static double unit_random(struct gen *g)
{
	return (double)((prng_next(&g->rng) >> 11) + 1) * 0x1p-53;
}

/* A block of the hot spot: normal around the mean, folded back into the region. */
static uint64_t normal_block(struct gen *g)
{
	/* Box-Muller: one normal deviate from two uniforms. */
	double z = sqrt(-2.0 * log(unit_random(g))) * cos(2.0 * M_PI * unit_random(g));
	double b = floor(g->normal_mean + z * g->normal_sd);
	double n = (double)g->nblocks0;

	/* Reflect at the edges (a period of 2n), so no edge piles up. */
	b = fmod(b, 2.0 * n);
	if (b < 0)
		b += 2.0 * n;
	if (b >= n)
		b = 2.0 * n - 1.0 - b;
	return (uint64_t)b < g->nblocks0 ? (uint64_t)b : g->nblocks0 - 1;
}

static void gen_pick(struct gen *g, struct io_pick *p)
{
	switch (g->access) {
	case ACCESS_PARETO: {
		uint64_t rank = (uint64_t)((double)(g->nblocks0 - 1) *
					   pow(unit_random(g), g->pareto_pow));

		p->len = g->bs[0];
		p->off = g->off + scatter_map(&g->scatter, rank) * p->len;
		p->write = pick_write(g);
		return;
	}
	case ACCESS_NORMAL:
		p->len = g->bs[0];
		p->off = g->off + normal_block(g) * p->len;
		p->write = pick_write(g);
		return;
	case ACCESS_RANDOM:
		p->len = pick_bs(g);
		p->off = random_off(g, p->len);
		p->write = pick_write(g);
		return;
	case ACCESS_SEQUENTIAL:
		p->len = pick_bs(g);
		p->off = seq_off(g, p->len);
		p->write = pick_write(g);
		return;
	case ACCESS_ZIPF: {
		uint64_t rank = zipf_next(&g->zipf, &g->rng);

		p->len = g->bs[0];
		p->off = g->off + scatter_map(&g->scatter, rank - 1) * p->len;
		p->write = pick_write(g);
		return;
	}
	case ACCESS_SEQ_RUNS:
		if (g->run_left) {
			g->run_left--;
			p->len = g->run_bs;
			p->off = seq_off(g, p->len);
			p->write = g->run_write;
			return;
		}
		p->len = pick_bs(g);
		p->write = pick_write(g);
		if ((prng_next(&g->rng) >> 32) < g->run_start_q) {
			/* Start a run at a random aligned place. */
			uint64_t nblocks = g->len / p->len;
			uint64_t first = nblocks > g->run_blocks ?
				prng_below(&g->rng, nblocks - g->run_blocks + 1) : 0;

			g->cursor = first * p->len;
			g->run_bs = p->len;
			g->run_write = p->write;
			g->run_left = g->run_blocks - 1;
			p->off = seq_off(g, p->len);
		} else {
			p->off = random_off(g, p->len);
		}
		return;
	}
}

unsigned gen_auto_workers(uint64_t total_ops, unsigned cpus)
{
	/*
	 * One submitting thread per CPU saturates libaio on every device
	 * measured; more threads only add context switches. A worker keeps
	 * at least 1 I/O in flight, so never more workers than operations.
	 */
	uint64_t w = cpus ? cpus : 1;

	return (unsigned)(w < total_ops ? w : total_ops);
}
