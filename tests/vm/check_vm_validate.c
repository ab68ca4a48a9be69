/*
 * dmremap-bench validate inside the test VM (root, brd RAM disks
 * /dev/ram0../dev/ram3 of 64 MiB, no dm-remap module): the failing disk
 * under a stand-in target (linear, which does not remap; dm-flakey dropping
 * every write), the retries, the data checks, and the "not checked" of
 * what only dm-remap-v4 can show. No run here may claim a pass. Exits 77
 * (skipped) where there is no device-mapper or not root.
 *
 * The evidence rules: a target that does not remap (linear) never gets
 * remap_penalty to pass, even with the bad blocks reading back (--inject
 * message, a loop device as the spare whose counters can show it is never
 * read); every failed I/O of every pass is counted. And the flush check:
 * linear over a loop device (a write-back cache, counted flushes) passes
 * flushes and FUA writes; dm-flakey dropping writes in its down interval
 * (drop_writes; an empty flush is a write bio) drops them; a brd RAM disk
 * as main (write through) cannot show either.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/loop.h"
#include "vmtest.h"

#define TAG "check_vm_validate"
#define MAIN "/dev/ram2"
#define SPARE "/dev/ram3"
#define RUN_LIMIT_S 180
#define BLOCKS (64 * 1024 * 1024 / 4096)
#define FILE_SIZE (16 << 20)

static void cleanup(void)
{
	vm_remove_devices(NULL, 3);
	zero_head(MAIN);
	zero_head(SPARE);
}

/* A fresh file of FILE_SIZE zero bytes in /tmp (tmpfs in the guest); its path in buf. */
static void make_file(char *buf, size_t len, const char *tag)
{
	int fd;

	snprintf(buf, len, "/tmp/check_vm_validate_%sXXXXXX", tag);
	fd = mkstemp(buf);
	ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
	ck_assert_int_eq(ftruncate(fd, FILE_SIZE), 0);
	close(fd);
}

/* Run DMRB_BIN validate with args (NULL-terminated). */
static struct vm_run *run_bin(const char *const *args)
{
	return vm_run(TAG, args, RUN_LIMIT_S);
}

static void assert_check(json_t *doc, const char *name, const char *want)
{
	const char *got = check_status(doc, name);

	ck_assert_msg(!strcmp(got, want), "check %s: %s, expected %s", name, got, want);
}

static void assert_clean(void)
{
	char paths[4][32];

	ck_assert_msg(count_ours() == 0, "dm devices of ours left behind");
	ck_assert_msg(loop_list_ours(paths, 4) == 0, "loop devices of ours left behind");
	ck_assert_msg(access("/dev/mapper/dmrb-validate-ram2", F_OK) != 0, "node left behind");
}

/* linear over a disk with 4 bad sectors: every retry fails, nothing can pass. */
START_TEST(linear_bad_count)
{
	const char *args[] = { "validate", "--target-type", "linear", "--main", MAIN, "--spare",
			       SPARE, "--bad-count", "4", "--seed", "7", "--output-format", "json",
			       NULL };
	struct vm_run *r = run_bin(args);
	json_t *d, *ranges, *wr, *rd;
	long long bad_blocks;

	ck_assert_msg(r->doc != NULL, "stdout is not JSON (exit %d): %s %.300s", r->status,
		      r->err, r->out);
	d = r->doc;
	ck_assert_msg(r->status != 0, "validate with linear claimed a pass");
	ck_assert_int_eq(r->status, 3);
	ck_assert_str_eq(json_string_value(json_object_get(d, "command")), "validate");
	ck_assert_str_eq(json_string_value(json_object_get(d, "verdict")), "fail");
	assert_check(d, "inject", "pass");
	assert_check(d, "errors_injected", "pass");
	assert_check(d, "retry_recovers", "fail");
	assert_check(d, "data_integrity", "pass");
	assert_check(d, "remap_counters", "not_checked");
	assert_check(d, "errors_accounted", "not_checked");
	assert_check(d, "remap_penalty", "not_checked");
	assert_check(d, "teardown", "pass");

	/* Four bad sectors, spread: one per 16 MiB quarter. */
	ranges = jpath(d, "target.failing_disk.bad_ranges");
	ck_assert_uint_eq(json_array_size(ranges), 4);
	{
		size_t i;
		json_t *x;

		json_array_foreach(ranges, i, x) {
			long long s = json_integer_value(json_object_get(x, "start"));

			ck_assert_int_eq(json_integer_value(json_object_get(x, "length")), 1);
			ck_assert_msg(s >= (long long)i * 32768 && s < (long long)(i + 1) * 32768,
				      "bad sector %lld is not in quarter %zu", s, i);
		}
	}
	ck_assert_msg(strstr(json_string_value(jpath(d, "target.failing_disk.table")), " error"),
		      "no error segment");

	/* Every I/O to a bad block failed, at the first try and at each of the 3 retries. */
	wr = jpath(d, "io.write");
	rd = jpath(d, "io.read");
	bad_blocks = jint(wr, "bad_blocks");
	ck_assert_msg(bad_blocks >= 1 && bad_blocks <= 4, "%lld bad blocks", bad_blocks);
	ck_assert_int_eq(jint(wr, "blocks"), BLOCKS);
	ck_assert_int_eq(jint(wr, "never"), bad_blocks);
	ck_assert_int_eq(jint(wr, "recovered_on_retry"), 0);
	ck_assert_int_eq(jint(wr, "ok_first"), BLOCKS - bad_blocks);
	ck_assert_int_eq(jint(wr, "failed_attempts"), bad_blocks * 4);
	ck_assert_int_eq(jint(rd, "never"), bad_blocks);
	ck_assert_int_eq(jint(rd, "failed_attempts"), bad_blocks * 4);
	/* The latency pass tried each bad block once, and each failed: counted too. */
	ck_assert_int_eq(jint(d, "io.latency.failed_attempts"), bad_blocks);
	ck_assert_int_eq(jint(d, "io.flush.failed_attempts"), 0);
	ck_assert_int_eq(jint(d, "io.failed_total"), bad_blocks * 4 * 2 + bad_blocks);
	ck_assert_int_eq(jint(d, "latency.evidence.never_read_back"), bad_blocks);
	/* brd has no write cache: flushes cannot be seen arriving, and none is claimed. */
	assert_check(d, "flush_passthrough", "not_checked");
	assert_check(d, "fua_passthrough", "not_checked");
	ck_assert_msg(strstr(check_detail(d, "flush_passthrough"), "write through"), "%s",
		      check_detail(d, "flush_passthrough"));
	{
		json_t *f = json_array_get(json_object_get(wr, "failed_ios"), 0);

		ck_assert_int_eq(json_integer_value(json_object_get(f, "attempts")), 4);
		ck_assert_str_eq(json_string_value(json_object_get(f, "first_error")), "EIO");
		ck_assert(json_is_true(json_object_get(f, "bad_sector")));
		ck_assert(json_is_false(json_object_get(f, "recovered")));
	}
	/* The rest reads back right; the bad blocks are unreadable. */
	ck_assert_int_eq(jint(d, "verify.blocks_checked"), BLOCKS - bad_blocks);
	ck_assert_int_eq(jint(d, "verify.wrong"), 0);
	ck_assert_int_eq(jint(d, "verify.unreadable"), bad_blocks);
	ck_assert(json_is_null(jpath(d, "latency.penalty_pct")));
	ck_assert_str_eq(json_string_value(jpath(d, "target.dm.target_type")), "linear");
	ck_assert(json_is_true(jpath(d, "teardown.ok")));
	assert_clean();
	vm_run_free(r);
}
END_TEST

/* The report in text, and the same bad sectors again from the same seed. */
START_TEST(linear_text_report)
{
	const char *args[] = { "validate", "--target-type", "linear", "--main", MAIN, "--spare",
			       SPARE, "--bad-count", "4", "--seed", "7", "--retry-delay", "10ms",
			       NULL };
	struct vm_run *r = run_bin(args);

	ck_assert_int_eq(r->status, 3);
	ck_assert_msg(strstr(r->out, "NOT CHECKED  remap_counters"), "%s", r->out);
	ck_assert_msg(strstr(r->out, "FAIL         retry_recovers"), "%s", r->out);
	ck_assert_msg(strstr(r->out, "PASS         data_integrity"), "%s", r->out);
	ck_assert_msg(strstr(r->out, "result: FAIL (exit status 3)"), "%s", r->out);
	ck_assert_msg(strstr(r->out, "4 attempts each"), "%s", r->out);
	ck_assert_msg(!strstr(r->out, "result: PASS"), "%s", r->out);
	assert_clean();
	vm_run_free(r);
}
END_TEST

/* A list of sectors: the exact blocks fail. */
START_TEST(linear_bad_list)
{
	const char *args[] = { "validate", "--target-type", "linear", "--main", MAIN, "--spare",
			       SPARE, "--bad-sectors", "1000,2048-2055", "--retries", "1",
			       "--retry-delay", "0", "--output-format", "json", NULL };
	struct vm_run *r = run_bin(args);
	json_t *f, *ranges;

	ck_assert_msg(r->doc != NULL, "not JSON: %s", r->err);
	ck_assert_int_eq(r->status, 3);
	ranges = jpath(r->doc, "target.failing_disk.bad_ranges");
	ck_assert_uint_eq(json_array_size(ranges), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ranges, 1), "length")), 8);
	f = json_object_get(jpath(r->doc, "io.write"), "failed_ios");
	ck_assert_uint_eq(json_array_size(f), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(f, 0), "offset")),
			 1000 / 8 * 4096);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(f, 1), "offset")),
			 2048 * 512);
	ck_assert_int_eq(jint(r->doc, "io.write.failed_attempts"), 4);
	assert_clean();
	vm_run_free(r);
}
END_TEST

/*
 * A target that loses every write (dm-flakey, always down, drop_writes;
 * dm-zero is not in the guest): the data check must catch it.
 */
START_TEST(lost_writes)
{
	const char *args[] = { "validate", "--target-type", "flakey", "--params",
			       "/dev/mapper/dmrb-vt-disk 0 0 1 1 drop_writes", "--name", "vt",
			       "--main", MAIN, "--spare", SPARE, "--bad-count", "1", "--bs", "64k",
			       "--retries", "1", "--retry-delay", "0", "--output-format", "json",
			       NULL };
	struct vm_run *r;

	ck_assert_msg(vm_target_loaded("flakey"), "dm-flakey is not loaded in the guest");
	r = run_bin(args);
	ck_assert_msg(r->doc != NULL, "not JSON: %s", r->err);
	ck_assert_int_eq(r->status, 3);
	assert_check(r->doc, "data_integrity", "fail");
	assert_check(r->doc, "errors_injected", "fail");  /* the writes never reach the disk */
	ck_assert_int_ge(jint(r->doc, "verify.blocks_checked"), 1000);
	ck_assert_int_eq(jint(r->doc, "verify.wrong"), jint(r->doc, "verify.blocks_checked"));
	ck_assert_uint_eq(json_array_size(jpath(r->doc, "verify.wrong_blocks")), 64);
	assert_clean();
	vm_run_free(r);
}
END_TEST

/* test_remap to a target that takes no messages: the injection fails. */
START_TEST(message_rejected)
{
	const char *args[] = { "validate", "--target-type", "linear", "--main", MAIN, "--spare",
			       SPARE, "--bad-count", "2", "--inject", "message", "--bs", "64k",
			       "--output-format", "json", NULL };
	struct vm_run *r = run_bin(args);

	ck_assert_msg(r->doc != NULL, "not JSON: %s", r->err);
	ck_assert_int_eq(r->status, 3);
	assert_check(r->doc, "inject", "fail");
	assert_check(r->doc, "errors_injected", "not_checked");
	assert_check(r->doc, "retry_recovers", "not_checked");  /* no error segments */
	assert_check(r->doc, "data_integrity", "pass");
	ck_assert_msg(!strstr(json_string_value(jpath(r->doc, "target.failing_disk.table")),
			      "error"), "error segments");
	assert_clean();
	vm_run_free(r);
}
END_TEST

/*
 * --inject message to linear, which does not remap: the bad blocks read
 * back (from main), and with a spare whose counters count reads (a loop
 * device) the check sees that none of them came from it.
 */
START_TEST(message_penalty_not_from_spare)
{
	char file[64], err[256];
	struct loop_dev ld;
	const char *args[] = { "validate", "--target-type", "linear", "--main", MAIN, "--spare",
			       NULL, "--bad-count", "4", "--seed", "3", "--inject", "message",
			       "--bs", "64k", "--latency-reads", "4", "--output-format", "json",
			       NULL };
	struct vm_run *r;
	json_t *ev;

	make_file(file, sizeof(file), "spare");
	ck_assert_msg(loop_attach(file, -1, "check_vm_validate spare", 0, 0, &ld, NULL, err,
				  sizeof(err)) == 0, "%s", err);
	args[6] = ld.path;
	r = run_bin(args);
	loop_detach(ld.path, err, sizeof(err));
	unlink(file);
	ck_assert_msg(r->doc != NULL, "not JSON (exit %d): %s", r->status, r->err);
	ck_assert_int_eq(r->status, 3);
	assert_check(r->doc, "inject", "fail");  /* linear takes no messages */
	assert_check(r->doc, "remap_penalty", "fail");
	ck_assert_msg(strstr(check_detail(r->doc, "remap_penalty"), "not remapped"), "%s",
		      check_detail(r->doc, "remap_penalty"));
	ev = jpath(r->doc, "latency.evidence");
	ck_assert(json_is_true(json_object_get(ev, "spare_counted")));
	ck_assert_int_eq(jint(ev, "read_back"), 4);
	ck_assert_int_eq(jint(ev, "served_from_spare"), 0);
	ck_assert_int_eq(jint(ev, "right_data"), 4);
	ck_assert_int_eq(jint(r->doc, "latency.remapped_blocks"), 0);
	ck_assert(json_is_null(jpath(r->doc, "latency.remapped_ns")));
	ck_assert(json_is_null(jpath(r->doc, "latency.penalty_pct")));
	assert_check(r->doc, "remap_counters", "not_checked");
	assert_check(r->doc, "teardown", "pass");
	assert_clean();
	vm_run_free(r);
}
END_TEST

/* The same with a brd spare, whose driver counts no I/O: not checked, never passed. */
START_TEST(message_penalty_unobservable)
{
	const char *args[] = { "validate", "--target-type", "linear", "--main", MAIN, "--spare",
			       SPARE, "--bad-count", "2", "--inject", "message", "--bs", "64k",
			       "--latency-reads", "4", "--output-format", "json", NULL };
	struct vm_run *r = run_bin(args);
	const char *got;

	ck_assert_msg(r->doc != NULL, "not JSON: %s", r->err);
	got = check_status(r->doc, "remap_penalty");
	ck_assert_msg(strcmp(got, "pass"), "remap_penalty passed on linear: %s",
		      check_detail(r->doc, "remap_penalty"));
	ck_assert_int_eq(jint(r->doc, "latency.remapped_blocks"), 0);
	ck_assert(json_is_null(jpath(r->doc, "latency.penalty_pct")));
	fprintf(stderr, "check_vm_validate: brd spare: remap_penalty %s: %s\n", got,
		check_detail(r->doc, "remap_penalty"));
	assert_clean();
	vm_run_free(r);
}
END_TEST

/* Run validate with main on a file (a loop device: write back, flushes counted). */
static struct vm_run *run_on_file(const char *type, const char *params, const char *inject)
{
	char file[64];
	const char *args[] = { "validate", "--target-type", type, "--main", file, "--spare",
			       SPARE, "--bad-count", "1", "--seed", "5", "--inject", inject,
			       "--bs", "64k", "--retries", "1", "--retry-delay", "0",
			       "--output-format", "json", "--name", "vt", params ? "--params" : NULL,
			       params, NULL };
	struct vm_run *r;

	make_file(file, sizeof(file), "main");
	r = run_bin(args);
	unlink(file);
	ck_assert_msg(r->doc != NULL, "not JSON (exit %d): %s %.300s", r->status, r->err,
		      r->out);
	fprintf(stderr, "check_vm_validate: %s over a loop device: flush_passthrough %s: %s\n"
		"check_vm_validate:   fua_passthrough %s: %s\n", type,
		check_status(r->doc, "flush_passthrough"), check_detail(r->doc, "flush_passthrough"),
		check_status(r->doc, "fua_passthrough"), check_detail(r->doc, "fua_passthrough"));
	return r;
}

/* linear passes flushes and FUA writes down to the loop device under the failing disk. */
START_TEST(flush_linear_passes)
{
	struct vm_run *r = run_on_file("linear", NULL, "message");
	json_t *fl = jpath(r->doc, "flush");

	ck_assert_str_eq(json_string_value(jpath(fl, "main.write_cache")), "write back");
	ck_assert(json_is_true(jpath(fl, "main.counts_flushes")));
	ck_assert_int_ge(jint(fl, "direct.flushes_per_flush"), 1);
	assert_check(r->doc, "flush_passthrough", "pass");
	assert_check(r->doc, "fua_passthrough", "pass");
	ck_assert_int_eq(jint(r->doc, "io.flush.failed_attempts"), 0);
	assert_check(r->doc, "data_integrity", "pass");
	assert_clean();
	vm_run_free(r);
}
END_TEST

/* With error segments, flushes fan out over the linear segments: never a false fail. */
START_TEST(flush_linear_table)
{
	struct vm_run *r = run_on_file("linear", NULL, "table");

	assert_check(r->doc, "flush_passthrough", "pass");
	ck_assert_msg(strcmp(check_status(r->doc, "fua_passthrough"), "fail"), "%s",
		      check_detail(r->doc, "fua_passthrough"));
	assert_clean();
	vm_run_free(r);
}
END_TEST

/*
 * dm-flakey down all the time with drop_writes completes every write bio
 * without passing it on, empty flushes and FUA writes included: a target
 * that swallows them.
 */
START_TEST(flush_flakey_drops)
{
	struct vm_run *r = run_on_file("flakey", "/dev/mapper/dmrb-vt-disk 0 0 1 1 drop_writes",
				       "message");

	assert_check(r->doc, "flush_passthrough", "fail");
	assert_check(r->doc, "fua_passthrough", "fail");
	ck_assert_msg(strstr(check_detail(r->doc, "flush_passthrough"), "8 of 8 flushes"), "%s",
		      check_detail(r->doc, "flush_passthrough"));
	assert_check(r->doc, "data_integrity", "fail");  /* the writes are lost as well */
	ck_assert_int_eq(r->status, 3);
	assert_clean();
	vm_run_free(r);
}
END_TEST

/* dm-remap-v4 not loaded: exit 2 before anything is built. */
START_TEST(remap_not_loaded)
{
	const char *args[] = { "validate", "--main", MAIN, "--spare", SPARE, "--bad-count", "4",
			       NULL };
	struct vm_run *r;

	if (vm_target_loaded("dm-remap-v4")) {
		fprintf(stderr, "check_vm_validate: dm-remap-v4 is loaded here: not run\n");
		return;
	}
	r = run_bin(args);
	ck_assert_msg(r->status == 2 && strstr(r->err, "modprobe dm-bufio && modprobe dm_remap"),
		      "exit %d: %s", r->status, r->err);
	assert_clean();
	vm_run_free(r);
}
END_TEST

static Suite *validate_suite(void)
{
	Suite *s = suite_create("vm-validate");
	TCase *tc = tcase_create("validate");

	tcase_add_checked_fixture(tc, cleanup, cleanup);
	tcase_add_test(tc, linear_bad_count);
	tcase_add_test(tc, linear_text_report);
	tcase_add_test(tc, linear_bad_list);
	tcase_add_test(tc, lost_writes);
	tcase_add_test(tc, message_rejected);
	tcase_add_test(tc, remap_not_loaded);
	tcase_add_test(tc, message_penalty_not_from_spare);
	tcase_add_test(tc, message_penalty_unobservable);
	tcase_add_test(tc, flush_linear_passes);
	tcase_add_test(tc, flush_linear_table);
	tcase_add_test(tc, flush_flakey_drops);
	tcase_set_timeout(tc, 400);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int rc = vm_need(TAG, 2, 2);  /* MAIN and SPARE */

	return rc ? rc : vm_run_suite(validate_suite());
}
