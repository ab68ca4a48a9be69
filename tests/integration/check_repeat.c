/*
 * Repeated runs and an interleaved reference, end to end on two loop
 * devices (root only): --repeat keeps each run's result and merges them
 * exactly; --reference alternates slices of the target and the reference
 * in A B, B A pairs, each device's kernel counters match what the result
 * says it did, and the overhead is a paired statistic; what cannot be
 * interleaved is refused before any I/O.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "repeat"
#define BACKING_SIZE (128ULL << 20)

struct fixture {
	char *backing[2];
	struct loopdev ld[2];
	struct runbin_result r;
	json_t *doc;
	struct expect ex;
};

static void run(struct fixture *fx, const char *const *args)
{
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 90000 };

	runbin_run_doc(args, &o, &fx->r, &fx->doc);
}

/* Completed reads of a loop device, from its stat file. */
static long long reads_of(const struct loopdev *ld)
{
	char line[512];
	unsigned long long r;

	if (loopdev_sysfs_read(ld, "stat", line, sizeof(line)) || sscanf(line, "%llu", &r) != 1)
		return -1;
	return (long long)r;
}

static void setup(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	loopdev_setup(fx->ld, fx->backing, 2, TAG, BACKING_SIZE);
}

static void teardown(struct fixture *fx)
{
	json_decref(fx->doc);
	runbin_result_free(&fx->r);
	loopdev_teardown(fx->ld, fx->backing, 2);
}

/* --repeat 3: three runs, each its own result; the document is their exact merge. */
static void repeat_body(struct fixture *fx)
{
	const char *args[] = { "concurrency", "--target", fx->ld[0].path, "--force", "--ops", "8",
			       "--rw", "randread", "--duration", "1", "--repeat", "3",
			       "--seed", "5", "--output-format", "json", NULL };
	long long before = reads_of(&fx->ld[0]), sum = 0, after;
	json_t *runs, *r, *iv;
	size_t i, last_run = 0;

	run(fx, args);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	after = reads_of(&fx->ld[0]);
	runs = runbin_jget(fx->doc, "runs");
	EXPECT(fx, json_array_size(runs) == 3, "%zu runs, not 3", json_array_size(runs));
	EXPECT(fx, runbin_jint(fx->doc, "schema_version") == 2, "schema_version %lld",
	       runbin_jint(fx->doc, "schema_version"));
	EXPECT(fx, runbin_jint(fx->doc, "params.repeat") == 3, "params.repeat %lld",
	       runbin_jint(fx->doc, "params.repeat"));
	json_array_foreach(runs, i, r) {
		EXPECT(fx, runbin_jint(r, "index") == (long long)i, "run %zu has index %lld", i,
		       runbin_jint(r, "index"));
		EXPECT(fx, runbin_jint(r, "results.total.ops") > 0, "run %zu did no I/O", i);
		EXPECT(fx, runbin_jnum(r, "results.duration_s") > 0.9 &&
		       runbin_jnum(r, "results.duration_s") < 1.5, "run %zu measured %f s", i,
		       runbin_jnum(r, "results.duration_s"));
		EXPECT(fx, !runbin_jget(r, "results.intervals"), "run %zu carries intervals", i);
		sum += runbin_jint(r, "results.total.ops");
	}
	/* Counts add up exactly, and to what the kernel saw. */
	EXPECT(fx, sum == runbin_jint(fx->doc, "results.total.ops"), "runs sum to %lld ops, the merge "
	       "says %lld", sum, runbin_jint(fx->doc, "results.total.ops"));
	EXPECT(fx, after - before == sum, "the kernel completed %lld reads, the runs %lld",
	       after - before, sum);
	EXPECT(fx, runbin_jnum(fx->doc, "results.duration_s") > 2.7, "merged duration %f",
	       runbin_jnum(fx->doc, "results.duration_s"));
	/* The merged series tells the runs apart, in order. */
	iv = runbin_jget(fx->doc, "results.intervals");
	EXPECT(fx, json_array_size(iv) >= 3, "%zu intervals", json_array_size(iv));
	json_array_foreach(iv, i, r) {
		size_t run_i = (size_t)runbin_jint(r, "run");

		EXPECT(fx, run_i >= last_run && run_i < 3, "interval %zu of run %zu after run %zu", i,
		       run_i, last_run);
		last_run = run_i;
	}
	EXPECT(fx, last_run == 2, "the series ends in run %zu", last_run);
}

START_TEST(repeat_runs)
{
	struct fixture fx;

	setup(&fx);
	repeat_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/*
 * --reference: pairs of slices in the A B, B A order; each device did
 * exactly what the result says of it; the overhead is there with its
 * interval. The same backing kind on both sides: an overhead near 0.
 */
static void reference_body(struct fixture *fx)
{
	const char *args[] = { "concurrency", "--target", fx->ld[0].path, "--force", "--ops", "8",
			       "--rw", "randread", "--duration", "4", "--slice", "500ms",
			       "--reference", fx->ld[1].path, "--seed", "5", "--output-format",
			       "json", NULL };
	long long b0 = reads_of(&fx->ld[0]), b1 = reads_of(&fx->ld[1]);
	json_t *pairs, *p;
	size_t i;

	run(fx, args);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, runbin_jint(fx->doc, "reference.pairs") == 8, "%lld pairs, not 8",
	       runbin_jint(fx->doc, "reference.pairs"));
	pairs = runbin_jget(fx->doc, "reference.pairs_detail");
	json_array_foreach(pairs, i, p) {
		const char *first = json_string_value(json_object_get(p, "first")) ?: "?";

		EXPECT(fx, !strcmp(first, i % 2 ? "reference" : "target"), "pair %zu starts with %s",
		       i, first);
		EXPECT(fx, runbin_jint(p, "target.total.ops") > 0 && runbin_jint(p, "reference.total.ops") > 0,
		       "pair %zu has a side without I/O", i);
	}
	/* Each device did what the result says it did, and nothing else. */
	EXPECT(fx, reads_of(&fx->ld[0]) - b0 == runbin_jint(fx->doc, "results.total.ops"),
	       "target: the kernel saw %lld reads, the result says %lld",
	       reads_of(&fx->ld[0]) - b0, runbin_jint(fx->doc, "results.total.ops"));
	EXPECT(fx, reads_of(&fx->ld[1]) - b1 == runbin_jint(fx->doc, "reference.results.total.ops"),
	       "reference: the kernel saw %lld reads, the result says %lld",
	       reads_of(&fx->ld[1]) - b1, runbin_jint(fx->doc, "reference.results.total.ops"));
	EXPECT(fx, runbin_jnum(fx->doc, "results.duration_s") > 3.5 &&
	       runbin_jnum(fx->doc, "reference.results.duration_s") > 3.5,
	       "measured %f s on the target, %f s on the reference",
	       runbin_jnum(fx->doc, "results.duration_s"),
	       runbin_jnum(fx->doc, "reference.results.duration_s"));
	EXPECT(fx, json_is_number(runbin_jget(fx->doc, "reference.overhead.total.iops.estimate_pct")),
	       "no overhead estimate");
	EXPECT(fx, runbin_jint(fx->doc, "reference.overhead.total.iops.n") == 8, "the overhead has "
	       "%lld pairs", runbin_jint(fx->doc, "reference.overhead.total.iops.n"));
	EXPECT(fx, json_is_number(runbin_jget(fx->doc, "reference.overhead.total.iops.ci_low_pct")),
	       "no interval");
	EXPECT(fx, !strcmp(json_string_value(runbin_jget(fx->doc, "reference.strategy")) ?: "",
			   "coexist"), "strategy %s",
	       json_string_value(runbin_jget(fx->doc, "reference.strategy")) ?: "(missing)");
}

START_TEST(reference_interleaved)
{
	struct fixture fx;

	setup(&fx);
	reference_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/* What cannot be interleaved is refused before any I/O: exit 2, one line, no reads. */
static void refusal_body(struct fixture *fx)
{
	static const struct {
		const char *extra[6];
		const char *want;
	} rows[] = {
		{ { "--reference", "@T", NULL }, "names the same device as --target" },
		{ { "--reference", "@R", "--verify", NULL }, "--verify" },
		{ { "--slice", "1s", NULL }, "--slice" },
		{ { "--reference", "@R", "--slice", "9s", NULL }, "longer than --duration" },
		{ { "--reference", "@R", "--compare-linear", NULL }, "--compare-linear" },
		{ { "--repeat", "0", NULL }, "--repeat" },
		{ { "--repeat", "101", NULL }, "--repeat" },
		{ { "--gate", "total.nope", NULL }, "total.nope" },
	};
	size_t i, k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *args[24] = { "concurrency", "--target", fx->ld[0].path, "--force",
					 "--duration", "2", "--rw", "randread" };
		long long b0 = reads_of(&fx->ld[0]), b1 = reads_of(&fx->ld[1]);
		size_t n = 8;

		for (k = 0; rows[i].extra[k]; k++)
			args[n++] = !strcmp(rows[i].extra[k], "@T") ? fx->ld[0].path :
				!strcmp(rows[i].extra[k], "@R") ? fx->ld[1].path : rows[i].extra[k];
		args[n] = NULL;
		run(fx, args);
		EXPECT(fx, fx->r.status == 2, "row %zu: exit %d: %s", i, fx->r.status, fx->r.err);
		EXPECT(fx, runbin_count_lines(fx->r.err) == 1 && strstr(fx->r.err, rows[i].want),
		       "row %zu: stderr %s", i, fx->r.err);
		EXPECT(fx, reads_of(&fx->ld[0]) == b0 && reads_of(&fx->ld[1]) == b1,
		       "row %zu: I/O happened", i);
	}
}

START_TEST(reference_refusals)
{
	struct fixture fx;

	setup(&fx);
	refusal_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("repeat");
	TCase *tc = tcase_create("repeat");

	if (!loopdev_usable("check_repeat"))
		return 77;
	loopdev_sweep(TAG);
	runbin_sweep(TAG);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, repeat_runs);
	tcase_add_test(tc, reference_interleaved);
	tcase_add_test(tc, reference_refusals);
	suite_add_tcase(s, tc);
	return runbin_run_suite(s, TAG, loopdev_sweep);
}
