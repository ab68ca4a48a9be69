/*
 * The verify state: genmap_load on arbitrary file contents, and
 * vblock_check on arbitrary blocks.
 *
 * Input: the first byte picks the part.
 *   even: the rest is a generation map file, loaded once as a run with a
 *         fixed target and seed would, and once as a run whose target and
 *         seed match the file's own header line (the only way to reach
 *         the allocation and the read of the map).
 *   odd:  the rest is one verify block (zero padded), checked against
 *         expectations taken from its own header or fixed; then a block
 *         filled with the same header values must check out, and must stop
 *         checking out when the byte the input names is changed.
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verify/block.h"
#include "verify/genmap.h"

#define FIXED_TARGET (1ULL << 20)
#define FIXED_SEED 42ULL
/* A header target larger than this would only measure calloc. */
#define MAX_TARGET (64ULL << 20)

static void check(int cond)
{
	if (!cond)
		__builtin_trap();
}

/* file_bs: the block size the file's header claims, 0 when not known. */
static void load_as(const char *path, uint64_t target_size, uint64_t seed, uint64_t file_bs)
{
	struct genmap m;
	char err[256];

	memset(err, 'x', sizeof(err));
	if (genmap_load(&m, path, target_size, seed, err, sizeof(err))) {
		check(memchr(err, '\0', sizeof(err)) != NULL && err[0]);
		check(m.g == NULL);
		return;
	}
	check(m.g != NULL && m.block_size != 0);
	check(m.target_size == target_size && m.seed == seed);
	/* The map is of the blocks the file describes, or it is refused. */
	check(!file_bs || m.block_size == file_bs);
	check(m.nblocks == target_size / m.block_size);
	check(genmap_written(&m) <= m.nblocks);
	genmap_free(&m);
}

/* What the file's second line claims, as a run that matches it would ask. */
static bool header_claims(const uint8_t *data, size_t size, uint64_t *ts, uint64_t *seed,
			  uint64_t *bs)
{
	const uint8_t *nl = memchr(data, '\n', size), *end;
	json_error_t je;
	json_t *h;

	if (!nl)
		return false;
	nl++;
	end = memchr(nl, '\n', size - (size_t)(nl - data));
	h = json_loadb((const char *)nl, end ? (size_t)(end - nl) : size - (size_t)(nl - data),
		       0, &je);
	if (!h)
		return false;
	*ts = (uint64_t)json_integer_value(json_object_get(h, "target_size"));
	*seed = (uint64_t)json_integer_value(json_object_get(h, "seed"));
	*bs = (uint64_t)json_integer_value(json_object_get(h, "block_size"));
	json_decref(h);
	return *ts <= MAX_TARGET;
}

/*
 * genmap_load takes a path: the input goes to a file named after the
 * process, so that a crash leaves one stale file behind, not one per run,
 * in $FUZZ_TMPDIR (run-fuzz.sh removes it) or /dev/shm.
 */
static void fuzz_load(const uint8_t *data, size_t size)
{
	const char *dir = getenv("FUZZ_TMPDIR");
	char path[4096];
	uint64_t ts, seed, bs;
	int fd;

	snprintf(path, sizeof(path), "%s/fuzz_genmap.%ld", dir && *dir ? dir : "/dev/shm",
		 (long)getpid());
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(path, sizeof(path), "/tmp/fuzz_genmap.%ld", (long)getpid());
		unlink(path);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	}
	check(fd >= 0);
	check(write(fd, data, size) == (ssize_t)size);
	close(fd);
	load_as(path, FIXED_TARGET, FIXED_SEED, 0);
	if (header_claims(data, size, &ts, &seed, &bs))
		load_as(path, ts, seed, bs);
	unlink(path);
}

static void fuzz_block(uint8_t sel, const uint8_t *data, size_t size)
{
	uint32_t bs = 512u << ((sel >> 1) & 3);
	uint8_t *buf = calloc(1, bs);
	struct vblock_hdr h;
	struct vblock_mismatch mm;
	enum vblock_field f;
	uint64_t off, gen, seed;
	size_t pos;

	check(buf != NULL);
	memcpy(buf, data, size < bs ? size : bs);
	memcpy(&h, buf, sizeof(h));
	/* Expect what the header says (reaching the checksum) or fixed values. */
	off = sel & 0x10 ? 4096 : h.offset;
	gen = sel & 0x20 ? 1 : h.generation;
	seed = sel & 0x40 ? FIXED_SEED : h.seed;
	f = vblock_check(buf, bs, off, gen, seed, &mm);
	check(f >= VB_OK && f <= VB_GENERATION && mm.field == f);
	check(vblock_field_name(f) != NULL);
	check(mm.found_offset == h.offset && mm.found_generation == h.generation);

	vblock_fill(buf, bs, off, gen, seed, h.writer, h.timestamp_ns);
	check(vblock_check(buf, bs, off, gen, seed, &mm) == VB_OK);
	/* CRC32C catches every burst of up to 32 bits: one byte always shows. */
	pos = size >= 2 ? ((size_t)data[0] << 8 | data[1]) % bs : 0;
	buf[pos] ^= size >= 3 && data[2] ? data[2] : 0x01;
	check(vblock_check(buf, bs, off, gen, seed, &mm) != VB_OK);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_block(data[0], data + 1, size - 1);
	else
		fuzz_load(data + 1, size - 1);
	return 0;
}
