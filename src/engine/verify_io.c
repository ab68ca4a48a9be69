#include "engine/verify_io.h"

#include <time.h>

#include "util/timeutil.h"

bool vio_claim(struct vio *v, const struct io_unit *u)
{
	uint64_t first = u->off / v->map->block_size;
	uint64_t n = u->len / v->map->block_size, i;
	uint8_t *g = v->map->g + first;

	for (i = 0; i < n; i++)
		if (g[i] & GEN_INFLIGHT)
			return false;
	for (i = 0; i < n; i++)
		g[i] |= GEN_INFLIGHT;
	return true;
}

void vio_release(struct vio *v, const struct io_unit *u)
{
	uint64_t first = u->off / v->map->block_size;
	uint64_t n = u->len / v->map->block_size, i;

	for (i = 0; i < n; i++)
		v->map->g[first + i] &= GEN_MASK;
}

void vio_prepare_write(struct vio *v, struct io_unit *u)
{
	uint32_t bs = v->map->block_size;
	uint64_t first = u->off / bs, n = u->len / bs, i;
	uint64_t t0 = now_ns();
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	for (i = 0; i < n; i++)
		vblock_fill((char *)u->buf + i * bs, bs, u->off + i * bs,
			    genmap_next_gen(v->map->g[first + i]), v->seed, v->writer,
			    (uint64_t)rt.tv_sec * NSEC_PER_SEC + (uint64_t)rt.tv_nsec);
	v->st.cpu_ns += now_ns() - t0;
}

static void record_bad(struct vio *v, uint64_t off, uint8_t expected,
		       const struct vblock_mismatch *mm)
{
	v->st.bad++;
	if (v->st.nlist < VERIFY_BAD_MAX)
		v->st.list[v->st.nlist++] = (struct verify_bad){
			.off = off, .expected = expected,
			.found = (uint8_t)mm->found_generation,
			.found_off = mm->found_offset, .field = mm->field,
		};
}

static bool all_zero(const char *p, uint32_t len)
{
	const uint64_t *q = (const uint64_t *)p;
	uint32_t i;

	for (i = 0; i < len / sizeof(*q); i++)
		if (q[i])
			return false;
	return true;
}

void vio_complete(struct vio *v, struct io_unit *u, bool ok)
{
	uint32_t bs = v->map->block_size;
	uint64_t first = u->off / bs, n = u->len / bs, i;
	uint8_t *g = v->map->g + first;
	uint64_t t0;

	if (u->op == IO_DISCARD) {
		for (i = 0; i < n; i++) {
			/* A failed discard may have hit some blocks: unknown then. */
			g[i] = ok ? g[i] & GEN_MASK : 0;
			if (v->map->trimmed)
				v->map->trimmed[first + i] = ok;
		}
		if (ok)
			v->st.blocks_discarded += n;
		return;
	}
	if (u->write) {
		for (i = 0; i < n; i++) {
			/* A failed write leaves the block's content unknown. */
			g[i] = ok ? genmap_next_gen(g[i]) : 0;
			if (v->map->trimmed)
				v->map->trimmed[first + i] = 0;
		}
		if (ok)
			v->st.blocks_written += n;
		return;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		uint8_t expected = g[i] & GEN_MASK;
		struct vblock_mismatch mm;

		g[i] = expected;
		if (!ok)
			continue;
		if (v->map->trimmed && v->map->trimmed[first + i] &&
		    all_zero((const char *)u->buf + i * bs, bs)) {
			/* Discarded, and the device returns zeroes: as good as the old data. */
			v->st.blocks_trimmed_zero++;
			v->st.blocks_checked++;
			continue;
		}
		if (!expected) {
			v->st.blocks_unverified++;
			continue;
		}
		v->st.blocks_checked++;
		if (vblock_check((char *)u->buf + i * bs, bs, u->off + i * bs, expected,
				 v->seed, &mm) != VB_OK)
			record_bad(v, u->off + i * bs, expected, &mm);
	}
	v->st.cpu_ns += now_ns() - t0;
}

void verify_stats_merge(struct verify_stats *dst, const struct verify_stats *src)
{
	unsigned i;

	dst->blocks_written += src->blocks_written;
	dst->blocks_checked += src->blocks_checked;
	dst->blocks_unverified += src->blocks_unverified;
	dst->blocks_discarded += src->blocks_discarded;
	dst->blocks_trimmed_zero += src->blocks_trimmed_zero;
	dst->bad += src->bad;
	dst->cpu_ns += src->cpu_ns;
	for (i = 0; i < src->nlist && dst->nlist < VERIFY_BAD_MAX; i++)
		dst->list[dst->nlist++] = src->list[i];
}
