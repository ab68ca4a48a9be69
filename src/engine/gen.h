/*
 * Per-worker I/O generator: turns a stream_spec into a sequence of
 * (offset, length, direction). Deterministic for a given seed and worker.
 */
#ifndef DMRB_GEN_H
#define DMRB_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/job.h"
#include "engine/prng.h"
#include "engine/zipf.h"

struct gen {
	struct prng rng;
	enum access_pattern access;
	uint64_t off, len;                 /* this worker's region, bytes */
	uint32_t bs[STREAM_MAX_BS];
	uint32_t bs_cum[STREAM_MAX_BS];    /* cumulative weights */
	unsigned nbs;
	uint32_t bs_total;
	unsigned read_pct;
	unsigned discard_pct;              /* of all I/Os; 0: the sequence is as before */
	uint64_t cursor;                   /* sequential position (relative) */
	/* ACCESS_SEQ_RUNS */
	unsigned run_blocks, run_left;
	uint64_t run_start_q;              /* P(start a run) scaled to 2^32 */
	uint32_t run_bs;
	bool run_write;
	/* ACCESS_ZIPF, ACCESS_PARETO (scattered ranks), ACCESS_NORMAL */
	struct zipf zipf;
	struct scatter scatter;
	double pareto_pow;                 /* rank = (n - 1) u^pow */
	double normal_mean, normal_sd;     /* in blocks of bs[0] */
	uint64_t nblocks0;                 /* region / bs[0] */
};

struct io_pick {
	uint64_t off;
	uint32_t len;
	bool write;
	uint8_t op;        /* enum io_op: IO_READ, IO_WRITE or IO_DISCARD */
};

/*
 * Worker `index` of `nworkers` in the stream; region is the stream's span
 * (already resolved against the target), sliced when slice_per_worker.
 */
void gen_init(struct gen *g, const struct stream_spec *st, uint64_t region_off,
	      uint64_t region_len, unsigned index, unsigned nworkers,
	      uint64_t seed, uint64_t stream_seed_id);
void gen_next(struct gen *g, struct io_pick *p);

/* Workers and in-flight I/O for a concurrency total, given online CPUs. */
unsigned gen_auto_workers(uint64_t total_ops, unsigned cpus);

#endif
