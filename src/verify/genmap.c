#include "verify/genmap.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "result/load.h"
#include "result/output.h"

#define GENMAP_MAGIC "dmremap-bench genmap 1\n"

int genmap_init(struct genmap *m, uint64_t target_size, uint32_t block_size, uint64_t seed)
{
	memset(m, 0, sizeof(*m));
	m->block_size = block_size;
	m->nblocks = target_size / block_size;
	m->seed = seed;
	m->target_size = target_size;
	m->g = calloc(m->nblocks ? m->nblocks : 1, 1);
	return m->g ? 0 : -1;
}

void genmap_free(struct genmap *m)
{
	free(m->g);
	free(m->trimmed);
	m->g = NULL;
	m->trimmed = NULL;
}

int genmap_track_trims(struct genmap *m)
{
	if (!m->trimmed)
		m->trimmed = calloc(m->nblocks ? m->nblocks : 1, 1);
	return m->trimmed ? 0 : -1;
}

uint64_t genmap_written(const struct genmap *m)
{
	uint64_t i, n = 0;

	for (i = 0; i < m->nblocks; i++)
		n += (m->g[i] & GEN_MASK) != 0;
	return n;
}

int genmap_save(const struct genmap *m, const char *path, const char *target, char *why,
		size_t wlen)
{
	size_t hl = strlen(GENMAP_MAGIC), ll;
	uint8_t *gens = malloc(m->nblocks ? m->nblocks : 1);
	uint64_t i, written = 0;
	char *line = NULL, *buf = NULL;
	json_t *h = NULL;
	int rc;

	if (!gens) {
		snprintf(why, wlen, "cannot write %s: %s", path, strerror(ENOMEM));
		errno = ENOMEM;
		return OUTPUT_FAILED;
	}
	/*
	 * A block still marked in flight had its I/O abandoned by the hard
	 * stop: what it holds is unknown (the write may land later, or
	 * never), so it is saved as never written and not checked.
	 */
	for (i = 0; i < m->nblocks; i++) {
		gens[i] = m->g[i] & GEN_INFLIGHT || (m->trimmed && m->trimmed[i]) ?
			0 : m->g[i] & GEN_MASK;
		written += gens[i] != 0;
	}
	h = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "target", target,
		      "target_size", (json_int_t)m->target_size,
		      "block_size", (json_int_t)m->block_size,
		      "seed", (json_int_t)m->seed,
		      "nblocks", (json_int_t)m->nblocks,
		      "written", (json_int_t)written);
	line = h ? json_dumps(h, JSON_COMPACT) : NULL;
	ll = line ? strlen(line) : 0;
	buf = line ? malloc(hl + ll + 1 + m->nblocks) : NULL;
	if (buf) {
		memcpy(buf, GENMAP_MAGIC, hl);
		memcpy(buf + hl, line, ll);
		buf[hl + ll] = '\n';
		memcpy(buf + hl + ll + 1, gens, m->nblocks);
		/* The output rule and its deadline (result/output.h); buf is its now. */
		rc = output_write(path, buf, hl + ll + 1 + m->nblocks, "the verify state", why,
				  wlen);
	} else {
		snprintf(why, wlen, "cannot write %s: %s", path, strerror(ENOMEM));
		errno = ENOMEM;
		rc = OUTPUT_FAILED;
	}
	free(line);
	free(gens);
	json_decref(h);
	return rc;
}

/*
 * The state file for reading, never blocking in the open (a FIFO, a tty):
 * a regular file only (load_open_regular). NULL with the reason in err.
 */
static FILE *open_state(const char *path, char *err, size_t elen)
{
	uint64_t size;
	int fd = load_open_regular(path, UINT64_MAX, &size, err, elen);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, elen, "%s: cannot read it: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

int genmap_load(struct genmap *m, const char *path, uint64_t target_size, uint64_t seed,
		char *err, size_t elen)
{
	char magic[64], line[4096], why[512];
	json_error_t je;
	json_t *h = NULL;
	uint64_t bs, nb, sd, ts;
	FILE *f;

	memset(m, 0, sizeof(*m));
	if (access(path, F_OK) && errno == ENOENT) {
		snprintf(err, elen, "no verify state at %s (%s): run with --verify first, with "
			 "the same --target and --seed, or give --verify-state", path, strerror(errno));
		return -1;
	}
	f = open_state(path, why, sizeof(why));
	if (!f) {
		snprintf(err, elen, "%s", why);
		return -1;
	}
	if (!fgets(magic, sizeof(magic), f) || strcmp(magic, GENMAP_MAGIC) ||
	    !fgets(line, sizeof(line), f) || !(h = json_loads(line, JSON_REJECT_DUPLICATES, &je))) {
		snprintf(err, elen, "%s is not a dmremap-bench verify state file", path);
		goto fail;
	}
	if (!json_is_integer(json_object_get(h, "block_size")) ||
	    !json_is_integer(json_object_get(h, "nblocks")) ||
	    !json_is_integer(json_object_get(h, "seed")) ||
	    !json_is_integer(json_object_get(h, "target_size"))) {
		snprintf(err, elen, "%s has a damaged header (block_size, nblocks, seed and "
			 "target_size must be integers)", path);
		goto fail;
	}
	bs = (uint64_t)json_integer_value(json_object_get(h, "block_size"));
	nb = (uint64_t)json_integer_value(json_object_get(h, "nblocks"));
	sd = (uint64_t)json_integer_value(json_object_get(h, "seed"));
	ts = (uint64_t)json_integer_value(json_object_get(h, "target_size"));
	/* Verify blocks are powers of two from 512 bytes to 1 MiB (session.c). */
	if (bs < 512 || bs > (1u << 20) || (bs & (bs - 1))) {
		snprintf(err, elen, "%s has a damaged header (block_size %lld; allowed: a power "
			 "of two from 512 to 1048576)", path,
			 (long long)json_integer_value(json_object_get(h, "block_size")));
		goto fail;
	}
	if (sd != seed || ts != target_size) {
		snprintf(err, elen, "%s was written for seed %llu and a target of %llu bytes "
			 "(this run: seed %llu, %llu bytes)", path, (unsigned long long)sd,
			 (unsigned long long)ts, (unsigned long long)seed,
			 (unsigned long long)target_size);
		goto fail;
	}
	/* The header contradicts itself: say which field, not seed and size. */
	if (json_integer_value(json_object_get(h, "nblocks")) < 0 || nb != ts / bs) {
		snprintf(err, elen, "%s has a damaged header (nblocks %lld; expected %llu, "
			 "target_size %llu / block_size %llu)", path,
			 (long long)json_integer_value(json_object_get(h, "nblocks")),
			 (unsigned long long)(ts / bs), (unsigned long long)ts,
			 (unsigned long long)bs);
		goto fail;
	}
	if (genmap_init(m, ts, (uint32_t)bs, sd)) {
		snprintf(err, elen, "out of memory for %llu blocks", (unsigned long long)nb);
		goto fail;
	}
	if (fread(m->g, 1, nb, f) != nb) {
		snprintf(err, elen, "%s is truncated", path);
		genmap_free(m);
		goto fail;
	}
	json_decref(h);
	fclose(f);
	return 0;
fail:
	json_decref(h);
	fclose(f);
	return -1;
}

int genmap_peek_seed(const char *path, uint64_t *seed, char *err, size_t elen)
{
	FILE *f = open_state(path, err, elen);
	char magic[64], line[4096];
	json_error_t je;
	json_t *h = NULL, *sd;
	int rc = -1;

	if (!f)
		return -1;
	if (fgets(magic, sizeof(magic), f) && !strcmp(magic, GENMAP_MAGIC) &&
	    fgets(line, sizeof(line), f) && (h = json_loads(line, JSON_REJECT_DUPLICATES, &je)) &&
	    json_is_integer(sd = json_object_get(h, "seed")) && json_integer_value(sd) >= 0) {
		*seed = (uint64_t)json_integer_value(sd);
		rc = 0;
	} else {
		snprintf(err, elen, "%s is not a dmremap-bench verify state file", path);
	}
	json_decref(h);
	fclose(f);
	return rc;
}

void genmap_default_path(char *out, size_t len, const char *target, uint64_t target_size,
			 uint64_t seed)
{
	const char *env = getenv("DMREMAP_BENCH_STATE_DIR"), *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char dir[2048], key[1024];
	size_t i;

	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else if (geteuid() == 0)
		snprintf(dir, sizeof(dir), "/var/lib/dmremap-bench/verify");
	else if (xdg && *xdg)
		snprintf(dir, sizeof(dir), "%s/dmremap-bench/verify", xdg);
	else
		snprintf(dir, sizeof(dir), "%s/.local/state/dmremap-bench/verify", home ? home : ".");
	/* The target path as a file name: /dev/loop0 -> dev_loop0. */
	snprintf(key, sizeof(key), "%s", target[0] == '/' ? target + 1 : target);
	for (i = 0; key[i]; i++)
		if (key[i] == '/')
			key[i] = '_';
	snprintf(out, len, "%s/%s-%llu-seed%llu.genmap", dir, key,
		 (unsigned long long)target_size, (unsigned long long)seed);
}
