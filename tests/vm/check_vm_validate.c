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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dm/dm.h"
#include "target/loop.h"
#include "vmtest.h"

#define MAIN "/dev/ram2"
#define SPARE "/dev/ram3"
#define RUN_LIMIT_S 180
#define BLOCKS (64 * 1024 * 1024 / 4096)
#define FILE_SIZE (16 << 20)

struct run {
	int status;
	double wall_s;
	char out[1 << 20];
	char err[16384];
	json_t *doc;
};

static void cleanup(void)
{
	struct dmw d;
	struct dmw_list l;
	size_t i;
	int pass;

	init_dm(&d);
	for (pass = 0; pass < 3; pass++) {
		if (dmw_list(&d, true, &l) != DMW_OK)
			break;
		for (i = 0; i < l.n; i++)
			dmw_remove(&d, l.dev[i].name);
		dmw_list_free(&l);
	}
	dmw_close(&d);
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
static struct run *run_bin(const char *const *args)
{
	const char *bin = getenv("DMRB_BIN");
	char outp[] = "/tmp/check_vm_validate_outXXXXXX", errp[] = "/tmp/check_vm_validate_errXXXXXX";
	const char *argv[48];
	struct run *r = calloc(1, sizeof(*r));
	json_error_t jerr;
	double t0;
	int of, ef, ws, i;
	pid_t pid;

	ck_assert_ptr_nonnull(r);
	ck_assert_msg(bin && *bin, "DMRB_BIN is not set (the path of dmremap-bench)");
	argv[0] = bin;
	for (i = 0; args[i] && i < 46; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	of = mkstemp(outp);
	ef = mkstemp(errp);
	ck_assert(of >= 0 && ef >= 0);
	unlink(outp);
	unlink(errp);
	t0 = now_s();
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(of, 1);
		dup2(ef, 2);
		alarm(RUN_LIMIT_S);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	r->wall_s = now_s() - t0;
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : -1;
	slurp(of, r->out, sizeof(r->out));
	slurp(ef, r->err, sizeof(r->err));
	r->doc = json_loads(r->out, 0, &jerr);
	fprintf(stderr, "check_vm_validate: %s ... %s: exit %d after %.1f s\n", args[0],
		args[1] ? args[1] : "", r->status, r->wall_s);
	return r;
}

static void run_free(struct run *r)
{
	json_decref(r->doc);
	free(r);
}

static json_t *get(json_t *j, const char *k1, const char *k2)
{
	j = json_object_get(j, k1);
	return k2 ? json_object_get(j, k2) : j;
}

static long long num(json_t *j, const char *k1, const char *k2)
{
	json_t *v = get(j, k1, k2);

	ck_assert_msg(json_is_integer(v), "%s.%s: not an integer", k1, k2 ? k2 : "");
	return json_integer_value(v);
}

/* The status of the named check ("pass", "fail", "not_checked"). */
static const char *check_status(json_t *doc, const char *name)
{
	json_t *a = json_object_get(doc, "checks"), *c;
	size_t i;

	json_array_foreach(a, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "name")), name))
			return json_string_value(json_object_get(c, "status"));
	ck_abort_msg("no check named %s", name);
	return NULL;
}

/* The detail sentence of the named check. */
static const char *check_detail(json_t *doc, const char *name)
{
	json_t *a = json_object_get(doc, "checks"), *c;
	size_t i;

	json_array_foreach(a, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "name")), name))
			return json_string_value(json_object_get(c, "detail"));
	ck_abort_msg("no check named %s", name);
	return NULL;
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
	struct run *r = run_bin(args);
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
	ranges = get(get(d, "target", "failing_disk"), "bad_ranges", NULL);
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
	ck_assert_msg(strstr(json_string_value(get(get(d, "target", "failing_disk"), "table",
						    NULL)), " error"), "no error segment");

	/* Every I/O to a bad block failed, at the first try and at each of the 3 retries. */
	wr = get(d, "io", "write");
	rd = get(d, "io", "read");
	bad_blocks = num(wr, "bad_blocks", NULL);
	ck_assert_msg(bad_blocks >= 1 && bad_blocks <= 4, "%lld bad blocks", bad_blocks);
	ck_assert_int_eq(num(wr, "blocks", NULL), BLOCKS);
	ck_assert_int_eq(num(wr, "never", NULL), bad_blocks);
	ck_assert_int_eq(num(wr, "recovered_on_retry", NULL), 0);
	ck_assert_int_eq(num(wr, "ok_first", NULL), BLOCKS - bad_blocks);
	ck_assert_int_eq(num(wr, "failed_attempts", NULL), bad_blocks * 4);
	ck_assert_int_eq(num(rd, "never", NULL), bad_blocks);
	ck_assert_int_eq(num(rd, "failed_attempts", NULL), bad_blocks * 4);
	/* The latency pass tried each bad block once, and each failed: counted too. */
	ck_assert_int_eq(num(get(d, "io", "latency"), "failed_attempts", NULL), bad_blocks);
	ck_assert_int_eq(num(get(d, "io", "flush"), "failed_attempts", NULL), 0);
	ck_assert_int_eq(num(d, "io", "failed_total"), bad_blocks * 4 * 2 + bad_blocks);
	ck_assert_int_eq(num(get(d, "latency", "evidence"), "never_read_back", NULL), bad_blocks);
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
	ck_assert_int_eq(num(d, "verify", "blocks_checked"), BLOCKS - bad_blocks);
	ck_assert_int_eq(num(d, "verify", "wrong"), 0);
	ck_assert_int_eq(num(d, "verify", "unreadable"), bad_blocks);
	ck_assert(json_is_null(get(d, "latency", "penalty_pct")));
	ck_assert_str_eq(json_string_value(get(get(d, "target", "dm"), "target_type", NULL)),
			 "linear");
	ck_assert(json_is_true(get(d, "teardown", "ok")));
	assert_clean();
	run_free(r);
}
END_TEST

/* The report in text, and the same bad sectors again from the same seed. */
START_TEST(linear_text_report)
{
	const char *args[] = { "validate", "--target-type", "linear", "--main", MAIN, "--spare",
			       SPARE, "--bad-count", "4", "--seed", "7", "--retry-delay", "10ms",
			       NULL };
	struct run *r = run_bin(args);

	ck_assert_int_eq(r->status, 3);
	ck_assert_msg(strstr(r->out, "NOT CHECKED  remap_counters"), "%s", r->out);
	ck_assert_msg(strstr(r->out, "FAIL         retry_recovers"), "%s", r->out);
	ck_assert_msg(strstr(r->out, "PASS         data_integrity"), "%s", r->out);
	ck_assert_msg(strstr(r->out, "result: FAIL (exit status 3)"), "%s", r->out);
	ck_assert_msg(strstr(r->out, "4 attempts each"), "%s", r->out);
	ck_assert_msg(!strstr(r->out, "result: PASS"), "%s", r->out);
	assert_clean();
	run_free(r);
}
END_TEST

/* A list of sectors: the exact blocks fail. */
START_TEST(linear_bad_list)
{
	const char *args[] = { "validate", "--target-type", "linear", "--main", MAIN, "--spare",
			       SPARE, "--bad-sectors", "1000,2048-2055", "--retries", "1",
			       "--retry-delay", "0", "--output-format", "json", NULL };
	struct run *r = run_bin(args);
	json_t *f, *ranges;

	ck_assert_msg(r->doc != NULL, "not JSON: %s", r->err);
	ck_assert_int_eq(r->status, 3);
	ranges = get(get(r->doc, "target", "failing_disk"), "bad_ranges", NULL);
	ck_assert_uint_eq(json_array_size(ranges), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ranges, 1), "length")), 8);
	f = json_object_get(get(r->doc, "io", "write"), "failed_ios");
	ck_assert_uint_eq(json_array_size(f), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(f, 0), "offset")),
			 1000 / 8 * 4096);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(f, 1), "offset")),
			 2048 * 512);
	ck_assert_int_eq(num(get(r->doc, "io", "write"), "failed_attempts", NULL), 4);
	assert_clean();
	run_free(r);
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
	struct dmw d;
	unsigned v[3];
	struct run *r;
	int loaded;

	init_dm(&d);
	loaded = dmw_target_version(&d, "flakey", &v[0], &v[1], &v[2]) == DMW_OK;
	dmw_close(&d);
	ck_assert_msg(loaded, "dm-flakey is not loaded in the guest");
	r = run_bin(args);
	ck_assert_msg(r->doc != NULL, "not JSON: %s", r->err);
	ck_assert_int_eq(r->status, 3);
	assert_check(r->doc, "data_integrity", "fail");
	assert_check(r->doc, "errors_injected", "fail");  /* the writes never reach the disk */
	ck_assert_int_ge(num(r->doc, "verify", "blocks_checked"), 1000);
	ck_assert_int_eq(num(r->doc, "verify", "wrong"), num(r->doc, "verify", "blocks_checked"));
	ck_assert_uint_eq(json_array_size(get(r->doc, "verify", "wrong_blocks")), 64);
	assert_clean();
	run_free(r);
}
END_TEST

/* test_remap to a target that takes no messages: the injection fails. */
START_TEST(message_rejected)
{
	const char *args[] = { "validate", "--target-type", "linear", "--main", MAIN, "--spare",
			       SPARE, "--bad-count", "2", "--inject", "message", "--bs", "64k",
			       "--output-format", "json", NULL };
	struct run *r = run_bin(args);

	ck_assert_msg(r->doc != NULL, "not JSON: %s", r->err);
	ck_assert_int_eq(r->status, 3);
	assert_check(r->doc, "inject", "fail");
	assert_check(r->doc, "errors_injected", "not_checked");
	assert_check(r->doc, "retry_recovers", "not_checked");  /* no error segments */
	assert_check(r->doc, "data_integrity", "pass");
	ck_assert_msg(!strstr(json_string_value(get(get(r->doc, "target", "failing_disk"),
						    "table", NULL)), "error"), "error segments");
	assert_clean();
	run_free(r);
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
	struct run *r;
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
	ev = get(r->doc, "latency", "evidence");
	ck_assert(json_is_true(json_object_get(ev, "spare_counted")));
	ck_assert_int_eq(num(ev, "read_back", NULL), 4);
	ck_assert_int_eq(num(ev, "served_from_spare", NULL), 0);
	ck_assert_int_eq(num(ev, "right_data", NULL), 4);
	ck_assert_int_eq(num(r->doc, "latency", "remapped_blocks"), 0);
	ck_assert(json_is_null(get(r->doc, "latency", "remapped_ns")));
	ck_assert(json_is_null(get(r->doc, "latency", "penalty_pct")));
	assert_check(r->doc, "remap_counters", "not_checked");
	assert_check(r->doc, "teardown", "pass");
	assert_clean();
	run_free(r);
}
END_TEST

/* The same with a brd spare, whose driver counts no I/O: not checked, never passed. */
START_TEST(message_penalty_unobservable)
{
	const char *args[] = { "validate", "--target-type", "linear", "--main", MAIN, "--spare",
			       SPARE, "--bad-count", "2", "--inject", "message", "--bs", "64k",
			       "--latency-reads", "4", "--output-format", "json", NULL };
	struct run *r = run_bin(args);
	const char *got;

	ck_assert_msg(r->doc != NULL, "not JSON: %s", r->err);
	got = check_status(r->doc, "remap_penalty");
	ck_assert_msg(strcmp(got, "pass"), "remap_penalty passed on linear: %s",
		      check_detail(r->doc, "remap_penalty"));
	ck_assert_int_eq(num(r->doc, "latency", "remapped_blocks"), 0);
	ck_assert(json_is_null(get(r->doc, "latency", "penalty_pct")));
	fprintf(stderr, "check_vm_validate: brd spare: remap_penalty %s: %s\n", got,
		check_detail(r->doc, "remap_penalty"));
	assert_clean();
	run_free(r);
}
END_TEST

/* Run validate with main on a file (a loop device: write back, flushes counted). */
static struct run *run_on_file(const char *type, const char *params, const char *inject)
{
	char file[64];
	const char *args[] = { "validate", "--target-type", type, "--main", file, "--spare",
			       SPARE, "--bad-count", "1", "--seed", "5", "--inject", inject,
			       "--bs", "64k", "--retries", "1", "--retry-delay", "0",
			       "--output-format", "json", "--name", "vt", params ? "--params" : NULL,
			       params, NULL };
	struct run *r;

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
	struct run *r = run_on_file("linear", NULL, "message");
	json_t *fl = get(r->doc, "flush", NULL);

	ck_assert_str_eq(json_string_value(get(get(fl, "main", NULL), "write_cache", NULL)),
			 "write back");
	ck_assert(json_is_true(get(get(fl, "main", NULL), "counts_flushes", NULL)));
	ck_assert_int_ge(num(fl, "direct", "flushes_per_flush"), 1);
	assert_check(r->doc, "flush_passthrough", "pass");
	assert_check(r->doc, "fua_passthrough", "pass");
	ck_assert_int_eq(num(get(r->doc, "io", "flush"), "failed_attempts", NULL), 0);
	assert_check(r->doc, "data_integrity", "pass");
	assert_clean();
	run_free(r);
}
END_TEST

/* With error segments, flushes fan out over the linear segments: never a false fail. */
START_TEST(flush_linear_table)
{
	struct run *r = run_on_file("linear", NULL, "table");

	assert_check(r->doc, "flush_passthrough", "pass");
	ck_assert_msg(strcmp(check_status(r->doc, "fua_passthrough"), "fail"), "%s",
		      check_detail(r->doc, "fua_passthrough"));
	assert_clean();
	run_free(r);
}
END_TEST

/*
 * dm-flakey down all the time with drop_writes completes every write bio
 * without passing it on, empty flushes and FUA writes included: a target
 * that swallows them.
 */
START_TEST(flush_flakey_drops)
{
	struct run *r = run_on_file("flakey", "/dev/mapper/dmrb-vt-disk 0 0 1 1 drop_writes",
				    "message");

	assert_check(r->doc, "flush_passthrough", "fail");
	assert_check(r->doc, "fua_passthrough", "fail");
	ck_assert_msg(strstr(check_detail(r->doc, "flush_passthrough"), "8 of 8 flushes"), "%s",
		      check_detail(r->doc, "flush_passthrough"));
	assert_check(r->doc, "data_integrity", "fail");  /* the writes are lost as well */
	ck_assert_int_eq(r->status, 3);
	assert_clean();
	run_free(r);
}
END_TEST

/* dm-remap-v4 not loaded: exit 2 before anything is built. */
START_TEST(remap_not_loaded)
{
	const char *args[] = { "validate", "--main", MAIN, "--spare", SPARE, "--bad-count", "4",
			       NULL };
	struct dmw d;
	unsigned v[3];
	struct run *r;
	int loaded;

	init_dm(&d);
	loaded = dmw_target_version(&d, "dm-remap-v4", &v[0], &v[1], &v[2]) == DMW_OK;
	dmw_close(&d);
	if (loaded) {
		fprintf(stderr, "check_vm_validate: dm-remap-v4 is loaded here: not run\n");
		return;
	}
	r = run_bin(args);
	ck_assert_msg(r->status == 2 && strstr(r->err, "modprobe dm-bufio && modprobe dm_remap"),
		      "exit %d: %s", r->status, r->err);
	assert_clean();
	run_free(r);
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
	SRunner *sr;
	int failed;

	if (geteuid() != 0 || access("/dev/mapper/control", F_OK)) {
		fprintf(stderr, "check_vm_validate: needs root and device-mapper "
			"(/dev/mapper/control): skipped\n");
		return 77;
	}
	if (access(MAIN, F_OK) || access(SPARE, F_OK)) {
		fprintf(stderr, "check_vm_validate: needs brd RAM disks %s and %s "
			"(modprobe brd rd_nr=4 rd_size=65536)\n", MAIN, SPARE);
		return 1;
	}
	sr = srunner_create(validate_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
