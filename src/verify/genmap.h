/*
 * The generation map: one byte per verify block, the generation last
 * written there (1..127; 0 = never written by a verified run), plus a bit
 * that marks a block with an I/O in flight so that no two I/Os of a
 * verified run overlap. 1 GiB of target at 4 KiB blocks costs 256 KiB;
 * 10 TiB costs 2.5 GiB.
 */
#ifndef DMRB_GENMAP_H
#define DMRB_GENMAP_H

#include <stddef.h>
#include <stdint.h>

#define GEN_INFLIGHT 0x80
#define GEN_MASK 0x7f
#define GEN_MAX 127

struct genmap {
	uint8_t *g;
	uint64_t nblocks;
	uint32_t block_size;   /* the verify block */
	uint64_t seed;
	uint64_t target_size;
	/*
	 * With discards: one byte per block, 1 when the block was discarded
	 * since it was last written. Such a block reads back as zeroes or as
	 * its old contents (the device promises neither), so a read accepts
	 * both; it is saved as never written. NULL: no run discards.
	 */
	uint8_t *trimmed;
};

static inline uint8_t genmap_next_gen(uint8_t g)
{
	g &= GEN_MASK;
	return g >= GEN_MAX ? 1 : (uint8_t)(g + 1);
}

int genmap_init(struct genmap *m, uint64_t target_size, uint32_t block_size, uint64_t seed);
void genmap_free(struct genmap *m);
/* Start tracking discarded blocks (before a run that discards); -1: out of memory. */
int genmap_track_trims(struct genmap *m);
uint64_t genmap_written(const struct genmap *m);

/*
 * The state file: a first line "dmremap-bench genmap 1", a JSON line
 * {target, target_size, block_size, seed, nblocks, written}, then nblocks
 * bytes. Saved under the output rule (result/output.h), which returns an
 * enum output_status and one line in why. Load checks the header against
 * what the caller expects (target_size, seed) and fills m.
 */
int genmap_save(const struct genmap *m, const char *path, const char *target, char *why,
		size_t wlen);
int genmap_load(struct genmap *m, const char *path, uint64_t target_size, uint64_t seed,
		char *err, size_t elen);
/* The seed recorded in a state file's header; -1 with a message in err. */
int genmap_peek_seed(const char *path, uint64_t *seed, char *err, size_t elen);
/* Default state file of (target, seed): $DMREMAP_BENCH_STATE_DIR, /var/lib or XDG. */
void genmap_default_path(char *out, size_t len, const char *target, uint64_t target_size,
			 uint64_t seed);

#endif
