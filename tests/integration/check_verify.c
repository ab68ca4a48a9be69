/*
 * Data verification end to end: a --verify run writes verify blocks and
 * saves its generation map, --verify-only reads everything back. Then the
 * test damages the target behind the tool's back (one block's contents,
 * one block zeroed) and checks the read-back names exactly those offsets,
 * with the right cause, and nothing else.
 *
 * On a loop device (root only; direct I/O over a /dev/shm file; the device
 * is also detached and attached again, usually as another loopN) and on a
 * regular file (no root needed). The block to damage is picked from the
 * saved state file (src/verify/genmap.h: a magic line, a JSON line, then
 * one generation byte per block) among those the run wrote.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "verify"
#define LOOP_SIZE (256ULL << 20)
#define FILE_SIZE (64ULL << 20)
#define GENMAP_MAGIC "dmremap-bench genmap 1\n"
#define GEN_MASK 0x7f
#define GEN_INFLIGHT 0x80

struct genmap_file {
	uint64_t nblocks, written, seed, target_size;
	uint32_t block_size;
	unsigned char *gen;          /* nblocks bytes */
};

struct fixture {
	char *dir;                   /* TMPDIR; the state file */
	char *backing;               /* the file behind the target */
	struct loopdev ld;           /* index -1: the file itself is the target */
	const char *target;
	char *state;
	char *env;
	const char *seed;
	struct genmap_file map;
	struct runbin_result r;
	json_t *doc;
	struct expect ex;           /* EXPECT's first failure */
};

static long long jint(struct fixture *fx, const char *path)
{
	json_t *j = runbin_jget(fx->doc, path);

	return json_is_integer(j) ? (long long)json_integer_value(j) : -1;
}

static const char *jstr(json_t *root, const char *path)
{
	const char *s = json_string_value(runbin_jget(root, path));

	return s ? s : "(missing)";
}

/* concurrency against the fixture's target with its seed and state, plus extra words. */
static void run(struct fixture *fx, const char *mode, const char *ops, const char *duration)
{
	const char *args[20] = { "concurrency", "--target", fx->target, "--seed", fx->seed,
				 "--verify-state", fx->state, mode, "--output-format", "json" };
	const char *envv[2] = { fx->env, NULL };
	struct runbin_opts o = { .env = envv, .as_uid = -1, .timeout_ms = 60000 };
	int n = 10;

	if (fx->ld.index >= 0)
		args[n++] = "--force";
	if (ops) {
		args[n++] = "--ops";
		args[n++] = ops;
	}
	if (duration) {
		args[n++] = "--duration";
		args[n++] = duration;
	}
	args[n] = NULL;
	runbin_run_doc(args, &o, &fx->r, &fx->doc);
}

/* ---- the state file ------------------------------------------------------------ */

static int read_all(const char *path, unsigned char **buf, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !(*buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, *buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(*buf);
		return -EIO;
	}
	*len = (size_t)n;
	return 0;
}

/* Parse the state file into fx->map; failures are recorded in fx. */
static void load_genmap(struct fixture *fx)
{
	struct genmap_file *m = &fx->map;
	unsigned char *buf = NULL, *nl;
	size_t len = 0, hdr, mlen = strlen(GENMAP_MAGIC);
	json_error_t je;
	json_t *h = NULL;
	int rc;

	free(m->gen);
	memset(m, 0, sizeof(*m));
	rc = read_all(fx->state, &buf, &len);
	EXPECT(fx, rc == 0, "cannot read %s: %s", fx->state, strerror(-rc));
	if (len < mlen || memcmp(buf, GENMAP_MAGIC, mlen) ||
	    !(nl = memchr(buf + mlen, '\n', len - mlen))) {
		free(buf);
		EXPECT(fx, false, "%s does not start with the genmap magic and a JSON line",
		       fx->state);
	}
	h = json_loadb((const char *)buf + mlen, (size_t)(nl - buf) - mlen, 0, &je);
	if (!h) {
		free(buf);
		EXPECT(fx, false, "%s: the header line is not JSON: %s", fx->state, je.text);
	}
	hdr = (size_t)(nl - buf) + 1;
	m->block_size = (uint32_t)json_integer_value(json_object_get(h, "block_size"));
	m->nblocks = (uint64_t)json_integer_value(json_object_get(h, "nblocks"));
	m->written = (uint64_t)json_integer_value(json_object_get(h, "written"));
	m->seed = (uint64_t)json_integer_value(json_object_get(h, "seed"));
	m->target_size = (uint64_t)json_integer_value(json_object_get(h, "target_size"));
	json_decref(h);
	if (len - hdr != m->nblocks || !m->block_size) {
		free(buf);
		EXPECT(fx, false, "%s: bad header or %zu map bytes for %llu blocks", fx->state,
		       len - hdr, (unsigned long long)m->nblocks);
	}
	m->gen = malloc(m->nblocks ? m->nblocks : 1);
	if (m->gen)
		memcpy(m->gen, buf + hdr, m->nblocks);
	free(buf);
	EXPECT(fx, m->gen != NULL, "out of memory");
}

/* Offset of the k-th (0-based) block the run wrote, or -1. */
static long long nth_written(const struct genmap_file *m, uint64_t k)
{
	uint64_t i;

	for (i = 0; i < m->nblocks; i++)
		if ((m->gen[i] & GEN_MASK) && k-- == 0)
			return (long long)(i * m->block_size);
	return -1;
}

/* ---- damage behind the tool's back ------------------------------------------- */

static int pwrite_backing(struct fixture *fx, uint64_t off, const void *buf, size_t len)
{
	int fd = open(fx->backing, O_RDWR | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len || fsync(fd))
		rc = -EIO;
	close(fd);
	return rc;
}

static int pread_backing(struct fixture *fx, uint64_t off, void *buf, size_t len)
{
	int fd = open(fx->backing, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (pread(fd, buf, len, (off_t)off) != (ssize_t)len)
		rc = -EIO;
	close(fd);
	return rc;
}

/* ---- checks of one run -------------------------------------------------------- */

/* A clean read-back of everything the map says was written. */
static void expect_clean_readback(struct fixture *fx, const char *when)
{
	run(fx, "--verify-only", NULL, NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "%s: verify-only exit %d: %s", when, fx->r.status,
	       fx->r.err);
	EXPECT(fx, fx->doc != NULL, "%s: stdout is not JSON", when);
	EXPECT(fx, jint(fx, "results.verify.bad_blocks") == 0, "%s: %lld bad blocks", when,
	       jint(fx, "results.verify.bad_blocks"));
	EXPECT(fx, jint(fx, "results.verify.blocks_checked") == (long long)fx->map.written,
	       "%s: %lld blocks checked, the state says %llu were written", when,
	       jint(fx, "results.verify.blocks_checked"), (unsigned long long)fx->map.written);
	EXPECT(fx, jint(fx, "results.errors.verify") == 0, "%s: errors.verify %lld", when,
	       jint(fx, "results.errors.verify"));
	EXPECT(fx, json_array_size(runbin_jget(fx->doc, "results.errors.verify_blocks")) == 0,
	       "%s: verify_blocks is not empty", when);
	/* A read-back only reads. */
	EXPECT(fx, jint(fx, "results.write.ops") == 0 && jint(fx, "results.read.ops") > 0,
	       "%s: verify-only did %lld writes, %lld reads", when,
	       jint(fx, "results.write.ops"), jint(fx, "results.read.ops"));
}

/* A read-back that finds exactly one bad block: at off, because of field. */
static void expect_one_bad(struct fixture *fx, long long off, const char *field)
{
	json_t *bad, *b;

	run(fx, "--verify-only", NULL, NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_IO, "damaged %lld: verify-only exit %d: %s", off,
	       fx->r.status, fx->r.err);
	EXPECT(fx, fx->doc != NULL, "damaged: stdout is not JSON");
	bad = runbin_jget(fx->doc, "results.errors.verify_blocks");
	EXPECT(fx, json_array_size(bad) == 1, "damaged %lld: %zu bad blocks reported (%s)", off,
	       json_array_size(bad), fx->r.err);
	b = json_array_get(bad, 0);
	EXPECT(fx, json_integer_value(json_object_get(b, "offset")) == off,
	       "the bad block reported is at %lld, the damage at %lld",
	       (long long)json_integer_value(json_object_get(b, "offset")), off);
	EXPECT(fx, strcmp(jstr(b, "field"), field) == 0, "damaged %lld: field %s, expected %s",
	       off, jstr(b, "field"), field);
	EXPECT(fx, json_integer_value(json_object_get(b, "expected_generation")) ==
	       (fx->map.gen[(uint64_t)off / fx->map.block_size] & GEN_MASK),
	       "expected_generation %lld, the state file says %d",
	       (long long)json_integer_value(json_object_get(b, "expected_generation")),
	       fx->map.gen[(uint64_t)off / fx->map.block_size] & GEN_MASK);
	EXPECT(fx, jint(fx, "results.verify.bad_blocks") == 1, "bad_blocks %lld",
	       jint(fx, "results.verify.bad_blocks"));
	EXPECT(fx, jint(fx, "results.errors.verify") == 1, "errors.verify %lld",
	       jint(fx, "results.errors.verify"));
	EXPECT(fx, jint(fx, "results.verify.blocks_checked") == (long long)fx->map.written,
	       "blocks_checked %lld", jint(fx, "results.verify.blocks_checked"));
}

/* ---- the scenario, on either kind of target ------------------------------------ */

static void scenario(struct fixture *fx, void (*reattach)(struct fixture *))
{
	unsigned char saved[4096], junk[512];
	long long off1, off2;
	uint64_t i, written = 0;
	int rc;

	/* The verified write run. */
	run(fx, "--verify", "32", "3");
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "verify run: exit %d: %s", fx->r.status,
	       fx->r.err);
	EXPECT(fx, fx->doc != NULL, "verify run: stdout is not JSON");
	EXPECT(fx, jint(fx, "results.verify.blocks_checked") > 0, "no block was checked");
	EXPECT(fx, jint(fx, "results.verify.bad_blocks") == 0, "%lld bad blocks",
	       jint(fx, "results.verify.bad_blocks"));
	EXPECT(fx, jint(fx, "results.errors.verify") == 0, "verify errors");
	EXPECT(fx, strcmp(jstr(fx->doc, "verify_state"), fx->state) == 0, "verify_state %s",
	       jstr(fx->doc, "verify_state"));

	/* What the state file holds. */
	load_genmap(fx);
	EXPECT_OK(fx);
	EXPECT(fx, fx->map.block_size == 4096, "verify block %u", fx->map.block_size);
	EXPECT(fx, fx->map.seed == (uint64_t)atoll(fx->seed), "seed %llu",
	       (unsigned long long)fx->map.seed);
	EXPECT(fx, fx->map.nblocks * fx->map.block_size == fx->map.target_size,
	       "%llu blocks for %llu bytes", (unsigned long long)fx->map.nblocks,
	       (unsigned long long)fx->map.target_size);
	for (i = 0; i < fx->map.nblocks; i++) {
		EXPECT(fx, !(fx->map.gen[i] & GEN_INFLIGHT), "block %llu still marked in flight",
		       (unsigned long long)i);
		written += (fx->map.gen[i] & GEN_MASK) != 0;
	}
	EXPECT(fx, written == fx->map.written && written > 100,
	       "%llu blocks with a generation, the header says %llu",
	       (unsigned long long)written, (unsigned long long)fx->map.written);

	/* Untouched: clean; and after the device went away and came back. */
	expect_clean_readback(fx, "untouched");
	EXPECT_OK(fx);
	if (reattach) {
		reattach(fx);
		EXPECT_OK(fx);
		expect_clean_readback(fx, "re-attached");
		EXPECT_OK(fx);
	}

	/* Garbage inside one written block, past its header: a checksum failure. */
	off1 = nth_written(&fx->map, fx->map.written / 3);
	off2 = nth_written(&fx->map, 2 * fx->map.written / 3);
	EXPECT(fx, off1 >= 0 && off2 > off1, "cannot pick two written blocks");
	rc = pread_backing(fx, (uint64_t)off1, saved, sizeof(saved));
	EXPECT(fx, rc == 0, "cannot read the backing file: %s", strerror(-rc));
	memset(junk, 0xa5, sizeof(junk));
	rc = pwrite_backing(fx, (uint64_t)off1 + 1000, junk, sizeof(junk));
	EXPECT(fx, rc == 0, "cannot write the backing file: %s", strerror(-rc));
	expect_one_bad(fx, off1, "checksum");
	EXPECT_OK(fx);

	/* Put it back: clean again (it was that block and only it). */
	rc = pwrite_backing(fx, (uint64_t)off1, saved, sizeof(saved));
	EXPECT(fx, rc == 0, "cannot restore the block: %s", strerror(-rc));
	expect_clean_readback(fx, "restored");
	EXPECT_OK(fx);

	/* A destroyed (zeroed) block: corrupt, not "never written". */
	memset(saved, 0, sizeof(saved));
	rc = pwrite_backing(fx, (uint64_t)off2, saved, sizeof(saved));
	EXPECT(fx, rc == 0, "cannot zero the block: %s", strerror(-rc));
	expect_one_bad(fx, off2, "magic");
	EXPECT_OK(fx);

	/* The state is bound to its seed. */
	fx->seed = "10";
	run(fx, "--verify-only", NULL, NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_USAGE, "another seed: exit %d", fx->r.status);
	EXPECT(fx, strstr(fx->r.err, "seed") != NULL, "another seed: %s", fx->r.err);
}

/* ---- fixtures ------------------------------------------------------------------- */

static void fixture_init(struct fixture *fx, uint64_t size)
{
	memset(fx, 0, sizeof(*fx));
	fx->ld.index = -1;
	fx->seed = "9";
	fx->dir = runbin_tmpdir(TAG);
	ck_assert_msg(fx->dir != NULL, "cannot create a directory in /dev/shm");
	ck_assert_int_ge(asprintf(&fx->state, "%s/state/verify.map", fx->dir), 0);
	ck_assert_int_ge(asprintf(&fx->env, "TMPDIR=%s", fx->dir), 0);
	fx->backing = loopdev_backing_create(TAG, size);
	ck_assert_msg(fx->backing != NULL, "cannot create a backing file in /dev/shm");
	fx->target = fx->backing;
}

static void fixture_done(struct fixture *fx)
{
	int drc = loopdev_detach(&fx->ld), frc, trc;

	json_decref(fx->doc);
	runbin_result_free(&fx->r);
	free(fx->map.gen);
	frc = loopdev_backing_remove(fx->backing);
	trc = runbin_rmtree(fx->dir);
	free(fx->dir);
	free(fx->state);
	free(fx->env);
	ck_assert_msg(!fx->ex.failed, "%s", fx->ex.msg);
	ck_assert_msg(drc == 0, "cannot detach: %s", strerror(-drc));
	ck_assert_msg(frc == 0, "cannot remove the backing file: %s", strerror(-frc));
	ck_assert_msg(trc == 0, "cannot remove the scratch directory");
}

/*
 * The device goes away and the file comes back as another loopN (attached
 * before the old one is detached, so it cannot get the same number): the
 * state file, which names the old device, must not mind.
 */
static void reattach(struct fixture *fx)
{
	struct loopdev nld = { .index = -1 };
	int rc = loopdev_attach(&nld, fx->backing, true);

	EXPECT(fx, rc == 0, "cannot attach another loop device: %s", strerror(-rc));
	EXPECT(fx, nld.index != fx->ld.index, "the same device twice");
	rc = loopdev_detach(&fx->ld);
	if (rc) {
		loopdev_detach(&nld);
		EXPECT(fx, false, "cannot detach %s: %s", fx->ld.path, strerror(-rc));
	}
	fx->ld = nld;
	fx->target = fx->ld.path;
}

START_TEST(loop_verify)
{
	struct fixture fx;
	int rc;

	fixture_init(&fx, LOOP_SIZE);
	rc = loopdev_attach(&fx.ld, fx.backing, true);
	if (rc) {
		loopdev_backing_remove(fx.backing);
		runbin_rmtree(fx.dir);
		ck_abort_msg("cannot attach a loop device with direct I/O: %s", strerror(-rc));
	}
	fx.target = fx.ld.path;
	scenario(&fx, reattach);
	fixture_done(&fx);
}
END_TEST

START_TEST(file_verify)
{
	struct fixture fx;

	fixture_init(&fx, FILE_SIZE);
	scenario(&fx, NULL);
	fixture_done(&fx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("file");
	bool root = geteuid() == 0 && access("/dev/loop-control", F_OK) == 0;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, file_verify);
	suite_add_tcase(s, tc);
	if (root) {
		tc = tcase_create("loop");
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, loop_verify);
		suite_add_tcase(s, tc);
	} else {
		fprintf(stderr, "check_verify: the loop device tests need root; skipped\n");
	}
	return runbin_run_suite(s, TAG, root ? loopdev_sweep : NULL);
}
