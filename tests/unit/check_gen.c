/*
 * The I/O generator and what feeds it: the PRNG, the zipf sampler and
 * scatter, each access pattern's offsets, sizes and directions measured over
 * many picks against the distribution they promise, and the depth/worker
 * arithmetic of jobs.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gen.h"
#include "engine/job.h"
#include "engine/prng.h"
#include "engine/zipf.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define KiB 1024ULL
#define MiB (1024ULL * 1024)
#define GiB (1024ULL * 1024 * 1024)
#define PICKS 1000000u
#define SEED 0x5eedULL

/*
 * Every ck_assert records its location through Check's pipe, a system call
 * each; loops over a million picks use this instead, which only calls into
 * Check when the condition fails.
 */
#define REQUIRE(cond, ...)                          \
	do {                                        \
		if (!(cond))                        \
			ck_abort_msg(__VA_ARGS__);  \
	} while (0)

/*
 * Pearson's chi-square of observed counts against expected ones. With k
 * bins it has k - 1 degrees of freedom, mean k - 1 and standard deviation
 * sqrt(2(k - 1)); the bounds below allow about 6 standard deviations, so a
 * correct generator with a fixed seed never trips them and a biased one
 * (a few percent off in one bin at 10^6 draws) does.
 */
static double chi_square(const uint64_t *obs, const double *expect, unsigned k)
{
	double x = 0;
	unsigned i;

	for (i = 0; i < k; i++) {
		double d = (double)obs[i] - expect[i];

		x += d * d / expect[i];
	}
	return x;
}

static double chi_bound(unsigned k)
{
	return (k - 1) + 6.0 * sqrt(2.0 * (k - 1));
}

static void assert_uniform(const uint64_t *obs, unsigned k, uint64_t total, const char *what)
{
	double *e = malloc(k * sizeof(*e));
	double x;
	unsigned i;

	ck_assert_ptr_nonnull(e);
	for (i = 0; i < k; i++)
		e[i] = (double)total / k;
	x = chi_square(obs, e, k);
	free(e);
	ck_assert_msg(x < chi_bound(k), "%s: chi-square %.1f over %u bins (bound %.1f)",
		      what, x, k, chi_bound(k));
	/*
	 * Too good to be true means a counter, not a random sequence: with
	 * 63 degrees of freedom, below 21 has a probability under 10^-7.
	 */
	if (k >= 20)
		ck_assert_msg(x > (k - 1) / 3.0, "%s: chi-square %.1f suspiciously small",
			      what, x);
}

static void assert_share(uint64_t got, uint64_t total, double want, double tol, const char *what)
{
	double share = (double)got / (double)total;

	ck_assert_msg(fabs(share - want) <= tol, "%s: share %.5f, expected %.5f +- %.4f",
		      what, share, want, tol);
}

/* ---- prng ------------------------------------------------------------------ */

START_TEST(prng_reproducible)
{
	struct prng a, b, c, d;
	unsigned i, same_stream = 0, same_seed = 0;

	prng_seed(&a, SEED, 3);
	prng_seed(&b, SEED, 3);
	prng_seed(&c, SEED, 4);
	prng_seed(&d, SEED + 1, 3);
	for (i = 0; i < 10000; i++) {
		uint64_t x = prng_next(&a);

		REQUIRE(x == prng_next(&b), "draw %u differs", i);
		same_stream += x == prng_next(&c);
		same_seed += x == prng_next(&d);
	}
	ck_assert_uint_eq(same_stream, 0);
	ck_assert_uint_eq(same_seed, 0);

	/* Seed 0 still gives distinct streams. */
	prng_seed(&a, 0, 0);
	prng_seed(&b, 0, 1);
	ck_assert_uint_ne(prng_next(&a), prng_next(&b));
}
END_TEST

START_TEST(prng_below_bounds)
{
	static const uint64_t ns[] = {
		1, 2, 3, 7, 1000, 1ULL << 32, (1ULL << 32) + 1, (1ULL << 63) + 5, UINT64_MAX,
	};
	struct prng r;
	unsigned i, k;

	prng_seed(&r, SEED, 0);
	for (i = 0; i < (unsigned)N(ns); i++) {
		uint64_t hi = 0;

		for (k = 0; k < 100000; k++) {
			uint64_t v = prng_below(&r, ns[i]);

			REQUIRE(v < ns[i], "prng_below(%llu) gave %llu",
				(unsigned long long)ns[i], (unsigned long long)v);
			if (v > hi)
				hi = v;
		}
		/* The top of the range is reached, not just respected. */
		if (ns[i] <= 1000)
			ck_assert_uint_eq(hi, ns[i] - 1);
		else
			ck_assert_uint_gt(hi, ns[i] / 100 * 99);
	}
}
END_TEST

START_TEST(prng_below_uniform)
{
	enum { BINS = 64, PER_BIN = 15625 };  /* n = 10^6, 64 equal bins */
	uint64_t obs[BINS] = { 0 };
	struct prng r;
	unsigned i;

	prng_seed(&r, SEED, 1);
	for (i = 0; i < PICKS; i++)
		obs[prng_below(&r, (uint64_t)BINS * PER_BIN) / PER_BIN]++;
	assert_uniform(obs, BINS, PICKS, "prng_below(10^6)");

	/* Small n, where a modulo bias would show first. */
	memset(obs, 0, sizeof(obs));
	for (i = 0; i < PICKS; i++)
		obs[prng_below(&r, 3)]++;
	assert_uniform(obs, 3, PICKS, "prng_below(3)");
}
END_TEST

START_TEST(prng_unit_range)
{
	enum { BINS = 64 };
	uint64_t obs[BINS] = { 0 };
	double sum = 0;
	struct prng r;
	unsigned i;

	prng_seed(&r, SEED, 2);
	for (i = 0; i < PICKS; i++) {
		double u = prng_unit(&r);

		REQUIRE(u >= 0.0 && u < 1.0, "prng_unit gave %.17g", u);
		obs[(unsigned)(u * BINS)]++;
		sum += u;
	}
	assert_uniform(obs, BINS, PICKS, "prng_unit");
	/* The mean's standard deviation is 0.29/1000; allow 10 of them. */
	ck_assert_double_le(fabs(sum / PICKS - 0.5), 0.003);
}
END_TEST

/* ---- zipf and scatter -------------------------------------------------------- */

/* Exact pmf of zipf(n, theta) over ranks 1..n, into p[0..n-1]. */
static void zipf_pmf(double *p, uint64_t n, double theta)
{
	double norm = 0;
	uint64_t k;

	for (k = 1; k <= n; k++) {
		p[k - 1] = pow((double)k, -theta);
		norm += p[k - 1];
	}
	for (k = 0; k < n; k++)
		p[k] /= norm;
}

/* The whole pmf of small n, against a chi-square. */
START_TEST(zipf_next_distribution)
{
	static const double thetas[] = { 0.8, 1.0, 1.2, 2.0 };
	enum { NR = 50 };
	double p[NR], e[NR];
	uint64_t obs[NR];
	struct prng r;
	struct zipf z;
	unsigned t, i;

	prng_seed(&r, SEED, 10);
	for (t = 0; t < (unsigned)N(thetas); t++) {
		zipf_init(&z, NR, thetas[t]);
		zipf_pmf(p, NR, thetas[t]);
		memset(obs, 0, sizeof(obs));
		for (i = 0; i < PICKS / 2; i++) {
			uint64_t k = zipf_next(&z, &r);

			REQUIRE(k >= 1 && k <= NR, "rank %llu of %d", (unsigned long long)k, NR);
			obs[k - 1]++;
		}
		for (i = 0; i < NR; i++)
			e[i] = p[i] * (PICKS / 2);
		ck_assert_msg(chi_square(obs, e, NR) < chi_bound(NR),
			      "theta %.1f: chi-square %.1f (bound %.1f)", thetas[t],
			      chi_square(obs, e, NR), chi_bound(NR));
		/* Rank 1 is the most frequent. */
		for (i = 1; i < NR; i++)
			ck_assert_uint_gt(obs[0], obs[i]);
	}
}
END_TEST

START_TEST(zipf_next_edges)
{
	struct prng r;
	struct zipf z;
	uint64_t k, hi = 0;
	unsigned i, ones = 0;

	prng_seed(&r, SEED, 11);
	zipf_init(&z, 1, 1.2);
	for (i = 0; i < 1000; i++)
		REQUIRE(zipf_next(&z, &r) == 1, "n = 1, theta 1.2: rank other than 1");
	zipf_init(&z, 1, 1.0);
	for (i = 0; i < 1000; i++)
		REQUIRE(zipf_next(&z, &r) == 1, "n = 1, theta 1.0: rank other than 1");

	/* n = 2, theta 1: P(1) = 1 / (1 + 1/2) = 2/3. */
	zipf_init(&z, 2, 1.0);
	for (i = 0; i < 300000; i++) {
		k = zipf_next(&z, &r);
		REQUIRE(k == 1 || k == 2, "n = 2: rank %llu", (unsigned long long)k);
		ones += k == 1;
	}
	assert_share(ones, 300000, 2.0 / 3.0, 0.005, "zipf n=2 rank 1");

	/* A 10 TiB span of 4k blocks: no table, no overflow, ranks in range. */
	zipf_init(&z, 10ULL << 28, 1.2);
	for (i = 0; i < 100000; i++) {
		k = zipf_next(&z, &r);
		REQUIRE(k >= 1 && k <= 10ULL << 28, "rank %llu", (unsigned long long)k);
		if (k > hi)
			hi = k;
	}
	ck_assert_uint_gt(hi, 1000);  /* the tail is reached */
}
END_TEST

START_TEST(scatter_bijection)
{
	static const uint64_t ns[] = {
		1, 2, 3, 4, 6, 10, 12, 64, 100, 1000, 1024, 4096, 10007, 30030, 65536, 100000,
	};
	static const uint64_t seeds[] = { 0, 1, 42, SEED, 0xdeadbeefcafeULL };
	unsigned i, s;

	for (i = 0; i < (unsigned)N(ns); i++) {
		unsigned char *seen = calloc(ns[i], 1);

		ck_assert_ptr_nonnull(seen);
		for (s = 0; s < (unsigned)N(seeds); s++) {
			struct scatter sc;
			uint64_t k, fixed = 0;

			memset(seen, 0, ns[i]);
			scatter_init(&sc, ns[i], seeds[s]);
			for (k = 0; k < ns[i]; k++) {
				uint64_t m = scatter_map(&sc, k);

				REQUIRE(m < ns[i], "n %llu: mapped to %llu",
					(unsigned long long)ns[i], (unsigned long long)m);
				REQUIRE(!seen[m], "n %llu seed %llu: %llu hit twice",
					(unsigned long long)ns[i],
					(unsigned long long)seeds[s], (unsigned long long)m);
				seen[m] = 1;
				fixed += m == k;
			}
			/* Scattering that leaves everything in place is no scatter. */
			if (ns[i] >= 1000)
				ck_assert_uint_lt(fixed, ns[i] / 2);
		}
		free(seen);
	}
}
END_TEST

/* ---- gen: helpers ------------------------------------------------------------ */

static struct stream_spec spec(enum access_pattern acc, unsigned read_pct,
			       const struct bs_weight *bs, unsigned nbs)
{
	struct stream_spec st = { .workers = 1, .iodepth = 1, .access = acc,
				  .read_pct = read_pct, .nbs = nbs };

	memcpy(st.bs, bs, nbs * sizeof(*bs));
	return st;
}

static void assert_in_region(const struct io_pick *p, uint64_t off, uint64_t len)
{
	REQUIRE(p->off >= off && p->off + p->len <= off + len,
		      "I/O [%llu, +%u) outside region [%llu, +%llu)",
		      (unsigned long long)p->off, p->len,
		      (unsigned long long)off, (unsigned long long)len);
	REQUIRE(p->len && p->off % p->len == 0, "offset %llu not aligned to %u",
		      (unsigned long long)p->off, p->len);
}

/* ---- ACCESS_RANDOM ------------------------------------------------------------- */

START_TEST(random_offsets_and_mix)
{
	static const struct bs_weight mix[] = { { 4096, 5 }, { 16384, 3 }, { 65536, 2 } };
	/* Not a whole number of the largest blocks: the end must still hold. */
	const uint64_t roff = 8 * MiB, rlen = GiB + 12 * KiB;
	struct stream_spec st = spec(ACCESS_RANDOM, 70, mix, N(mix));
	uint64_t nbs[N(mix)] = { 0 }, reads = 0;
	struct io_pick p;
	struct gen g;
	unsigned i, j;

	gen_init(&g, &st, roff, rlen, 0, 1, SEED, 0);
	for (i = 0; i < PICKS; i++) {
		gen_next(&g, &p);
		assert_in_region(&p, roff, rlen);
		for (j = 0; j < (unsigned)N(mix); j++)
			if (p.len == mix[j].bs)
				break;
		REQUIRE(j < (unsigned)N(mix), "unexpected block size %u", p.len);
		nbs[j]++;
		reads += !p.write;
	}
	/* Standard deviation of a share at 10^6 picks is <= 0.0005. */
	for (j = 0; j < (unsigned)N(mix); j++)
		assert_share(nbs[j], PICKS, mix[j].weight / 10.0, 0.004, "block size weight");
	assert_share(reads, PICKS, 0.70, 0.004, "read share at 70");
}
END_TEST

START_TEST(random_read_share_ends)
{
	static const struct bs_weight one[] = { { 4096, 1 } };
	static const unsigned pcts[] = { 0, 1, 50, 99, 100 };
	unsigned t, i;

	for (t = 0; t < (unsigned)N(pcts); t++) {
		struct stream_spec st = spec(ACCESS_RANDOM, pcts[t], one, 1);
		uint64_t reads = 0;
		struct io_pick p;
		struct gen g;

		gen_init(&g, &st, 0, GiB, 0, 1, SEED, t);
		for (i = 0; i < 200000; i++) {
			gen_next(&g, &p);
			reads += !p.write;
		}
		if (pcts[t] == 0)
			ck_assert_uint_eq(reads, 0);
		else if (pcts[t] == 100)
			ck_assert_uint_eq(reads, 200000);
		else
			assert_share(reads, 200000, pcts[t] / 100.0, 0.006, "read share");
	}
}
END_TEST

START_TEST(random_block_uniform)
{
	static const struct bs_weight one[] = { { 4096, 1 } };
	enum { BINS = 64, PER_BIN = 100 };
	const uint64_t roff = 4 * MiB;
	struct stream_spec st = spec(ACCESS_RANDOM, 100, one, 1);
	uint64_t obs[BINS] = { 0 };
	uint64_t *blocks = calloc(BINS * PER_BIN, sizeof(*blocks));
	struct io_pick p;
	struct gen g;
	unsigned i, unseen = 0;

	ck_assert_ptr_nonnull(blocks);
	gen_init(&g, &st, roff, (uint64_t)BINS * PER_BIN * 4096, 0, 1, SEED, 0);
	for (i = 0; i < PICKS; i++) {
		uint64_t b;

		gen_next(&g, &p);
		b = (p.off - roff) / 4096;
		REQUIRE(b < BINS * PER_BIN, "block %llu", (unsigned long long)b);
		obs[b / PER_BIN]++;
		blocks[b]++;
	}
	assert_uniform(obs, BINS, PICKS, "random block index");
	/* Every block is reachable, the first and last included. */
	for (i = 0; i < BINS * PER_BIN; i++)
		unseen += !blocks[i];
	ck_assert_uint_eq(unseen, 0);
	free(blocks);
}
END_TEST

START_TEST(random_reproducible)
{
	static const struct bs_weight mix[] = { { 4096, 1 }, { 8192, 1 } };
	struct stream_spec st = spec(ACCESS_RANDOM, 50, mix, N(mix));
	struct gen a, b, c;
	struct io_pick pa, pb, pc;
	unsigned i, same = 0;

	gen_init(&a, &st, 0, GiB, 0, 2, SEED, 0);
	gen_init(&b, &st, 0, GiB, 0, 2, SEED, 0);
	gen_init(&c, &st, 0, GiB, 1, 2, SEED, 0);  /* another worker */
	for (i = 0; i < 10000; i++) {
		gen_next(&a, &pa);
		gen_next(&b, &pb);
		gen_next(&c, &pc);
		REQUIRE(pa.off == pb.off && pa.len == pb.len && pa.write == pb.write,
			"pick %u differs between two identical generators", i);
		same += pa.off == pc.off;
	}
	ck_assert_uint_lt(same, 10);
}
END_TEST

/* ---- ACCESS_SEQUENTIAL --------------------------------------------------------- */

START_TEST(sequential_advances_and_wraps)
{
	static const struct bs_weight one[] = { { 8192, 1 } };
	const uint64_t roff = 1 * MiB, nblk = 10;
	struct stream_spec st = spec(ACCESS_SEQUENTIAL, 100, one, 1);
	struct io_pick p;
	struct gen g;
	unsigned i;

	gen_init(&g, &st, roff, nblk * 8192, 0, 1, SEED, 0);
	for (i = 0; i < 35; i++) {
		gen_next(&g, &p);
		ck_assert_uint_eq(p.len, 8192);
		ck_assert_uint_eq(p.off, roff + (i % nblk) * 8192);
		ck_assert(!p.write);
	}
}
END_TEST

START_TEST(sequential_mixed_sizes)
{
	static const struct bs_weight mix[] = { { 4096, 1 }, { 16384, 1 }, { 65536, 1 } };
	const uint64_t roff = 2 * MiB, rlen = 4 * MiB + 4096;
	struct stream_spec st = spec(ACCESS_SEQUENTIAL, 50, mix, N(mix));
	uint64_t prev_end = roff, want, wraps = 0;
	struct io_pick p;
	struct gen g;
	unsigned i;

	gen_init(&g, &st, roff, rlen, 0, 1, SEED, 0);
	for (i = 0; i < 100000; i++) {
		gen_next(&g, &p);
		assert_in_region(&p, roff, rlen);
		/* The next I/O starts where the last ended, rounded up to its size... */
		want = (prev_end + p.len - 1) / p.len * p.len;
		if (p.off == roff && want != roff) {
			/* ...or at the start, when that would cross the end. */
			REQUIRE(want + p.len > roff + rlen, "wrapped early at %llu",
				(unsigned long long)want);
			wraps++;
		} else {
			REQUIRE(p.off == want, "pick %u at %llu, expected %llu", i,
				(unsigned long long)p.off, (unsigned long long)want);
		}
		prev_end = p.off + p.len;
	}
	/* About 4 MiB / 28 KiB average = 146 I/Os per pass. */
	ck_assert_uint_gt(wraps, 500);
}
END_TEST

START_TEST(sequential_workers_spread)
{
	static const struct bs_weight one[] = { { 4096, 1 } };
	enum { W = 4 };
	const uint64_t roff = 0, rlen = GiB;
	struct stream_spec st = spec(ACCESS_SEQUENTIAL, 100, one, 1);
	uint64_t first[W];
	unsigned w, v, i;

	st.workers = W;
	for (w = 0; w < W; w++) {
		struct io_pick p;
		struct gen g;

		gen_init(&g, &st, roff, rlen, w, W, SEED, 0);
		gen_next(&g, &p);
		first[w] = p.off;
		/* Each starts in its own quarter of the region... */
		ck_assert_uint_ge(first[w], roff + rlen / W * w);
		ck_assert_uint_lt(first[w], roff + rlen / W * (w + 1));
		/* ...and proceeds sequentially from there. */
		for (i = 1; i < 1000; i++) {
			uint64_t prev = p.off + p.len;

			gen_next(&g, &p);
			REQUIRE(p.off == prev, "worker %u pick %u at %llu, expected %llu", w, i,
				(unsigned long long)p.off, (unsigned long long)prev);
		}
	}
	for (w = 0; w < W; w++)
		for (v = w + 1; v < W; v++)
			ck_assert_uint_ne(first[w], first[v]);
}
END_TEST

/* ---- slice_per_worker ----------------------------------------------------------- */

START_TEST(slices_disjoint)
{
	static const struct bs_weight mix[] = { { 4096, 3 }, { 65536, 1 } };
	static const enum access_pattern accs[] = {
		ACCESS_RANDOM, ACCESS_SEQUENTIAL, ACCESS_ZIPF, ACCESS_SEQ_RUNS,
	};
	enum { W = 3 };
	const uint64_t roff = 16 * MiB, rlen = 100 * MiB + 4096;
	struct stream_spec st = spec(accs[_i], 50, mix, N(mix));
	uint64_t lo[W], hi[W];
	unsigned w, v, i;

	st.workers = W;
	st.slice_per_worker = true;
	st.zipf_theta = 1.1;
	st.run_blocks = 8;
	st.run_pct = 50;
	for (w = 0; w < W; w++) {
		struct io_pick p;
		struct gen g;

		gen_init(&g, &st, roff, rlen, w, W, SEED, 0);
		/* The slice the worker got: inside the region, a fair share. */
		ck_assert_uint_ge(g.off, roff);
		ck_assert_uint_le(g.off + g.len, roff + rlen);
		ck_assert_uint_ge(g.len, rlen / W - 65536);
		lo[w] = UINT64_MAX;
		hi[w] = 0;
		for (i = 0; i < 100000; i++) {
			gen_next(&g, &p);
			assert_in_region(&p, g.off, g.len);
			if (p.off < lo[w])
				lo[w] = p.off;
			if (p.off + p.len > hi[w])
				hi[w] = p.off + p.len;
		}
	}
	/* The ranges the workers actually touched never overlap. */
	for (w = 0; w < W; w++)
		for (v = 0; v < W; v++)
			if (w != v)
				ck_assert(hi[w] <= lo[v] || hi[v] <= lo[w]);
}
END_TEST

/* ---- ACCESS_ZIPF --------------------------------------------------------------------- */

START_TEST(zipf_gen_ranks)
{
	static const struct bs_weight one[] = { { 4096, 1 } };
	enum { NB = 100000 };
	const double theta = 1.2;
	const uint64_t roff = 64 * MiB;
	struct stream_spec st = spec(ACCESS_ZIPF, 100, one, 1);
	uint64_t *count = calloc(NB, sizeof(*count));
	double *p = malloc(NB * sizeof(*p));
	uint64_t hot = 0, want_hot_n = NB / 100;
	double want_hot = 0, r12, r24;
	struct io_pick pk;
	struct gen g;
	unsigned i;

	ck_assert_ptr_nonnull(count);
	ck_assert_ptr_nonnull(p);
	st.zipf_theta = theta;
	gen_init(&g, &st, roff, (uint64_t)NB * 4096, 0, 1, SEED, 0);
	for (i = 0; i < PICKS; i++) {
		gen_next(&g, &pk);
		assert_in_region(&pk, roff, (uint64_t)NB * 4096);
		REQUIRE(pk.len == 4096, "zipf length %u", pk.len);
		count[(pk.off - roff) / 4096]++;
	}

	/*
	 * Rank r lives at block scatter_map(r - 1). Rank 1 vs 2 vs 4: each
	 * doubling of the rank divides the frequency by 2^theta (2.297).
	 * Relative noise on these counts is under 0.5%, so 3% is generous.
	 */
#define AT(rank) ((double)count[scatter_map(&g.scatter, (rank) - 1)])
	r12 = AT(1) / AT(2);
	r24 = AT(2) / AT(4);
	ck_assert_msg(fabs(r12 / pow(2, theta) - 1) < 0.03, "rank1/rank2 = %.3f", r12);
	ck_assert_msg(fabs(r24 / pow(2, theta) - 1) < 0.03, "rank2/rank4 = %.3f", r24);
	ck_assert_msg(fabs(AT(1) / AT(4) / pow(4, theta) - 1) < 0.03, "rank1/rank4");

	/* The hottest 1% of blocks take what the normalised pmf says. */
	zipf_pmf(p, NB, theta);
	for (i = 0; i < want_hot_n; i++) {
		want_hot += p[i];
		hot += (uint64_t)AT(i + 1);
	}
#undef AT
	assert_share(hot, PICKS, want_hot, 0.005, "hottest 1% of blocks");
	/* And the hot set is spread out, not the first 1% of the region. */
	hot = 0;
	for (i = 0; i < want_hot_n; i++)
		hot += count[i];
	ck_assert_uint_lt(hot, PICKS / 10);
	free(count);
	free(p);
}
END_TEST

START_TEST(zipf_gen_theta_one)
{
	static const struct bs_weight one[] = { { 4096, 1 } };
	struct stream_spec st = spec(ACCESS_ZIPF, 70, one, 1);
	uint64_t c1 = 0, c2 = 0, b1, b2;
	struct io_pick pk;
	struct gen g;
	unsigned i;

	st.zipf_theta = 1.0;
	gen_init(&g, &st, 0, 1000 * 4096, 0, 1, SEED, 5);
	b1 = scatter_map(&g.scatter, 0) * 4096;
	b2 = scatter_map(&g.scatter, 1) * 4096;
	for (i = 0; i < 300000; i++) {
		gen_next(&g, &pk);
		assert_in_region(&pk, 0, 1000 * 4096);
		c1 += pk.off == b1;
		c2 += pk.off == b2;
	}
	/* theta 1: rank 1 is exactly twice as frequent as rank 2. */
	ck_assert_msg(fabs((double)c1 / (double)c2 - 2.0) < 0.1, "%llu vs %llu",
		      (unsigned long long)c1, (unsigned long long)c2);
}
END_TEST

/* ---- ACCESS_SEQ_RUNS ----------------------------------------------------------------- */

struct runs_tally {
	uint64_t ios, continued, in_runs, runs, runs_of_l;
};

/*
 * Walk one worker's picks: an I/O continues a run when it starts where the
 * previous one ended. A chain of continuations is one run; its I/Os all
 * count as "inside runs", the first one included.
 */
static void tally_runs(const struct stream_spec *st, uint64_t roff, uint64_t rlen,
		       unsigned index, unsigned nworkers, unsigned picks,
		       struct runs_tally *t)
{
	struct io_pick p, prev = { 0 };
	uint64_t chain = 1;
	struct gen g;
	unsigned i;

	gen_init(&g, st, roff, rlen, index, nworkers, SEED, 0);
	for (i = 0; i < picks; i++) {
		gen_next(&g, &p);
		assert_in_region(&p, roff, rlen);
		if (i && p.off == prev.off + prev.len) {
			t->continued++;
			/* A run keeps its size and direction. */
			REQUIRE(p.len == prev.len && p.write == prev.write,
				"a run changed size or direction at pick %u", i);
			chain++;
		} else {
			if (chain > 1) {
				t->in_runs += chain;
				t->runs++;
				t->runs_of_l += chain == st->run_blocks;
			}
			chain = 1;
		}
		prev = p;
	}
	t->ios += picks;
}

START_TEST(seq_runs_share)
{
	static const struct bs_weight mix[] = { { 4096, 1 }, { 16384, 1 } };
	static const unsigned pcts[] = { 50, 100, 0, 20 };
	const double L = 16;
	struct stream_spec st = spec(ACCESS_SEQ_RUNS, 70, mix, N(mix));
	struct runs_tally t = { 0 };
	double f = pcts[_i] / 100.0;
	unsigned w;

	st.run_blocks = (unsigned)L;
	st.run_pct = pcts[_i];
	st.workers = 2;
	for (w = 0; w < 2; w++)
		tally_runs(&st, 0, 10 * GiB, w, 2, PICKS / 2, &t);

	/*
	 * run_pct is the share of I/Os inside runs; of a run's L I/Os the
	 * first starts at a random place, so continuations are f (L - 1) / L:
	 * 46.9% at 50%. Random neighbours in 10 GiB are negligible.
	 */
	assert_share(t.continued, t.ios, f * (L - 1) / L, 0.01, "continuations");
	assert_share(t.in_runs, t.ios, f, 0.01, "I/Os inside runs");
	if (pcts[_i])
		/* Nearly every chain is one whole run of run_blocks. */
		ck_assert_uint_ge(t.runs_of_l, t.runs * 99 / 100);
}
END_TEST

/* ---- job arithmetic ----------------------------------------------------------------- */

/* ---- discards, pareto, normal (job files) ---------------------------------- */

/* rwmixtrim: the discard share of all I/Os; the rest split by read_pct. */
START_TEST(discard_share)
{
	static const struct bs_weight b4[] = { { 4096, 1 } };
	struct stream_spec st = spec(ACCESS_RANDOM, 70, b4, 1);
	uint64_t n[3] = { 0 }, i;
	struct io_pick p;
	struct gen g;

	st.discard_pct = 20;
	gen_init(&g, &st, 0, GiB, 0, 1, SEED, 0);
	for (i = 0; i < PICKS; i++) {
		gen_next(&g, &p);
		assert_in_region(&p, 0, GiB);
		REQUIRE(p.op <= 3 && p.op != 2, "op %u", p.op);
		REQUIRE(p.write == (p.op == 1), "write flag %d for op %u", p.write, p.op);
		n[p.op == 3 ? 2 : p.op]++;
	}
	assert_share(n[2], PICKS, 0.20, 0.003, "discards");
	assert_share(n[0], PICKS, 0.80 * 0.70, 0.003, "reads");
	assert_share(n[1], PICKS, 0.80 * 0.30, 0.003, "writes");
	/* Without discards the sequence is that of a stream that never had them. */
	{
		struct gen a, b;
		struct io_pick pa, pb;

		st.discard_pct = 0;
		gen_init(&a, &st, 0, GiB, 0, 1, SEED, 0);
		gen_init(&b, &st, 0, GiB, 0, 1, SEED, 0);
		for (i = 0; i < 1000; i++) {
			gen_next(&a, &pa);
			gen_next(&b, &pb);
			REQUIRE(pa.off == pb.off && pa.op == pb.op && pa.op != 3, "differ at %llu",
				(unsigned long long)i);
		}
	}
}
END_TEST

/* pareto:h puts 1 - h of the I/Os on the hottest h of the blocks. */
START_TEST(pareto_concentration)
{
	static const struct bs_weight b4[] = { { 4096, 1 } };
	static const double hs[] = { 0.2, 0.3, 0.1 };
	struct stream_spec st = spec(ACCESS_PARETO, 100, b4, 1);
	uint64_t nb = 1 << 12, i, hot = 0, *count = calloc(nb, sizeof(*count));
	uint64_t maxc = 0, c, left = (uint64_t)(hs[_i] * (double)nb), *by;
	struct io_pick p;
	struct gen g;

	ck_assert_ptr_nonnull(count);
	st.pareto_h = hs[_i];
	gen_init(&g, &st, 0, nb * 4096, 0, 1, SEED, 0);
	for (i = 0; i < PICKS; i++) {
		gen_next(&g, &p);
		assert_in_region(&p, 0, nb * 4096);
		count[p.off / 4096]++;
	}
	/*
	 * The hottest h of the blocks, whichever they are (they are
	 * scattered): a counting sort by hits, then the top h * nb counts.
	 */
	for (i = 0; i < nb; i++)
		if (count[i] > maxc)
			maxc = count[i];
	by = calloc(maxc + 1, sizeof(*by));
	ck_assert_ptr_nonnull(by);
	for (i = 0; i < nb; i++)
		by[count[i]]++;
	for (c = maxc + 1; c-- > 0 && left;) {
		uint64_t take = by[c] < left ? by[c] : left;

		hot += take * c;
		left -= take;
	}
	free(by);
	assert_share(hot, PICKS, 1.0 - hs[_i], 0.01, "I/Os on the hottest blocks");
	free(count);
}
END_TEST

/* normal:dev:center: a contiguous hot spot, 68% within one deviation. */
START_TEST(normal_hot_spot)
{
	static const struct bs_weight b4[] = { { 4096, 1 } };
	struct stream_spec st = spec(ACCESS_NORMAL, 100, b4, 1);
	uint64_t nb = 100000, i, in1 = 0, in2 = 0;
	struct io_pick p;
	struct gen g;

	st.normal_dev_pct = 5;
	st.normal_center = 0.25;
	gen_init(&g, &st, 4096 * 10, nb * 4096, 0, 1, SEED, 0);
	for (i = 0; i < PICKS; i++) {
		double b;

		gen_next(&g, &p);
		assert_in_region(&p, 4096 * 10, nb * 4096);
		b = (double)((p.off - 4096 * 10) / 4096) + 0.5;
		in1 += fabs(b - 0.25 * (double)nb) <= 0.05 * (double)nb;
		in2 += fabs(b - 0.25 * (double)nb) <= 0.10 * (double)nb;
	}
	assert_share(in1, PICKS, 0.6827, 0.005, "within one deviation");
	assert_share(in2, PICKS, 0.9545, 0.005, "within two deviations");
}
END_TEST

START_TEST(worker_depth_split)
{
	struct stream_spec st = { .workers = 3, .total_depth = 10000, .iodepth = 7 };
	static const struct { uint64_t total; unsigned workers; } cases[] = {
		{ 10000, 3 }, { 7, 7 }, { 8, 7 }, { 65536, 1000 }, { 1, 1 }, { 1000003, 64 },
	};
	unsigned i, w;

	ck_assert_uint_eq(stream_worker_depth(&st, 0), 3334);
	ck_assert_uint_eq(stream_worker_depth(&st, 1), 3333);
	ck_assert_uint_eq(stream_worker_depth(&st, 2), 3333);

	for (i = 0; i < (unsigned)N(cases); i++) {
		uint64_t sum = 0;
		unsigned lo = UINT32_MAX, hi = 0;

		st.total_depth = cases[i].total;
		st.workers = cases[i].workers;
		for (w = 0; w < st.workers; w++) {
			unsigned d = stream_worker_depth(&st, w);

			sum += d;
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
		ck_assert_uint_eq(sum, cases[i].total);
		ck_assert_uint_le(hi - lo, 1);
		ck_assert_uint_ge(lo, 1);
	}

	/* Without a total, every worker has iodepth. */
	st.total_depth = 0;
	st.workers = 4;
	for (w = 0; w < 4; w++)
		ck_assert_uint_eq(stream_worker_depth(&st, w), 7);
}
END_TEST

START_TEST(job_totals)
{
	struct stream_spec streams[3] = {
		{ .workers = 3, .total_depth = 10000, .iodepth = 99,
		  .nbs = 2, .bs = { { 4096, 1 }, { 65536, 1 } } },
		{ .workers = 2, .iodepth = 16, .nbs = 1, .bs = { { 1 << 20, 1 } } },
		{ .workers = 5, .iodepth = 1, .nbs = 3,
		  .bs = { { 512, 1 }, { 8192, 1 }, { 4096, 1 } } },
	};
	struct job job = { .streams = streams, .nstreams = 3 };
	struct job none = { .streams = streams, .nstreams = 0 };

	ck_assert_uint_eq(job_total_workers(&job), 10);
	ck_assert_uint_eq(job_total_depth(&job), 10000 + 32 + 5);
	ck_assert_uint_eq(job_max_bs(&job), 1 << 20);
	job.nstreams = 1;
	ck_assert_uint_eq(job_total_workers(&job), 3);
	ck_assert_uint_eq(job_total_depth(&job), 10000);
	ck_assert_uint_eq(job_max_bs(&job), 65536);
	ck_assert_uint_eq(job_total_workers(&none), 0);
	ck_assert_uint_eq(job_total_depth(&none), 0);
	ck_assert_uint_eq(job_max_bs(&none), 0);

	/* A huge total does not wrap in 64 bits. */
	streams[0].total_depth = 1ULL << 40;
	job.nstreams = 3;
	ck_assert_uint_eq(job_total_depth(&job), (1ULL << 40) + 37);
}
END_TEST

START_TEST(auto_workers)
{
	uint64_t ops;
	unsigned cpus;

	for (ops = 1; ops <= 100; ops++)
		for (cpus = 0; cpus <= 16; cpus++) {
			unsigned w = gen_auto_workers(ops, cpus);
			unsigned c = cpus ? cpus : 1;

			ck_assert_uint_ge(w, 1);
			ck_assert_uint_le(w, ops);
			ck_assert_uint_eq(w, ops < c ? ops : c);
		}
	ck_assert_uint_eq(gen_auto_workers(UINT64_MAX, 8), 8);
	ck_assert_uint_eq(gen_auto_workers(10000, 2), 2);
	ck_assert_uint_eq(gen_auto_workers(1, 64), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gen");
	TCase *rng = tcase_create("prng");
	TCase *zipf = tcase_create("zipf");
	TCase *gen = tcase_create("gen");
	TCase *job = tcase_create("job");
	SRunner *sr;
	int failed;

	tcase_add_test(rng, prng_reproducible);
	tcase_add_test(rng, prng_below_bounds);
	tcase_add_test(rng, prng_below_uniform);
	tcase_add_test(rng, prng_unit_range);
	suite_add_tcase(s, rng);

	tcase_add_test(zipf, zipf_next_distribution);
	tcase_add_test(zipf, zipf_next_edges);
	tcase_add_test(zipf, scatter_bijection);
	suite_add_tcase(s, zipf);

	tcase_add_test(gen, random_offsets_and_mix);
	tcase_add_test(gen, random_read_share_ends);
	tcase_add_test(gen, random_block_uniform);
	tcase_add_test(gen, random_reproducible);
	tcase_add_test(gen, sequential_advances_and_wraps);
	tcase_add_test(gen, sequential_mixed_sizes);
	tcase_add_test(gen, sequential_workers_spread);
	tcase_add_loop_test(gen, slices_disjoint, 0, 4);
	tcase_add_test(gen, zipf_gen_ranks);
	tcase_add_test(gen, zipf_gen_theta_one);
	tcase_add_loop_test(gen, seq_runs_share, 0, 4);
	tcase_add_test(gen, discard_share);
	tcase_add_loop_test(gen, pareto_concentration, 0, 3);
	tcase_add_test(gen, normal_hot_spot);
	suite_add_tcase(s, gen);
	/* Under valgrind the million-pick tests take a while. */
	tcase_set_timeout(rng, 120);
	tcase_set_timeout(zipf, 120);
	tcase_set_timeout(gen, 120);

	tcase_add_test(job, worker_depth_split);
	tcase_add_test(job, job_totals);
	tcase_add_test(job, auto_workers);
	suite_add_tcase(s, job);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
