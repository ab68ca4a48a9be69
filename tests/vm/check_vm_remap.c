/*
 * The real dm-remap module inside the test VM (make check-vm
 * DMREMAP_KO=/path/to/dm-remap.ko, on the kernel the module was built for):
 * this program loads dm-bufio and the given dm-remap.ko, then runs the
 * tool's setup, status, teardown, a run on --main/--spare and validate
 * against the module's own target, dm-remap-v4.
 *
 * The "hooks" test case group holds the cases that later work extends:
 * --compare-linear against a target that holds its main device
 * exclusively, the flush check of validate, and a hang remembered by
 * status. Each one checks today the facts of the module that the feature
 * relies on, so that the extension starts from evidence, not assumption.
 *
 * Environment (set by tests/vm/check-vm.sh): DMRB_REMAP_KO, the module's
 * path in the guest; DMRB_REMAP_SKIP, why this guest has none. Without the
 * module the program says so in one line and exits 77 (skipped). The
 * "hang" case leaves a device stuck in the kernel until power-off: this
 * program runs last in the guest.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "dm/dm.h"
#include "target/loop.h"
#include "vmtest.h"

#define TAG "check_vm_remap"
#define MAIN "/dev/ram0"
#define SPARE "/dev/ram1"
#define VMAIN "/dev/ram2"
#define VSPARE "/dev/ram3"
#define RAM_SECTORS 131072ULL
#define RUN_LIMIT_S 240

/* ---- helpers ------------------------------------------------------------------- */

/* Run DMRB_BIN with args (NULL-terminated, without argv[0]); killed after RUN_LIMIT_S. */
static struct vm_run *run_bin(const char *const *args)
{
	return vm_run(TAG, args, RUN_LIMIT_S);
}

/* The first line of a sysfs file (newline dropped), or "" when unreadable. */
static void sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return;
	slurp(fd, buf, len);
	buf[strcspn(buf, "\n")] = '\0';
}

/* Entries of a sysfs directory such as /sys/block/ram0/holders (-1: none such). */
static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Whether anyone holds the block device exclusively (a mount, a dm table, O_EXCL). */
static bool claimed(const char *dev)
{
	int fd = open(dev, O_RDONLY | O_EXCL | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return false;
	}
	ck_assert_msg(errno == EBUSY, "open %s O_EXCL: %s", dev, strerror(errno));
	return true;
}

static void cleanup(void)
{
	vm_remove_devices("vmremap-", 3);
	zero_head(MAIN);
	zero_head(SPARE);
	zero_head(VMAIN);
	zero_head(VSPARE);
}

static void assert_nothing_left(const char *what)
{
	char loops[4][32];

	ck_assert_msg(count_ours() == 0, "%s: dm devices of ours left", what);
	ck_assert_msg(loop_list_ours(loops, 4) == 0, "%s: loop devices of ours left", what);
	ck_assert_msg(dir_entries("/sys/block/ram0/holders") == 0 &&
		      dir_entries("/sys/block/ram1/holders") == 0, "%s: the RAM disks are held",
		      what);
}

/* Load a module file (uncompressed .ko); EEXIST is fine. 0, or -1 with the reason. */
static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		fprintf(stderr, "check_vm_remap: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = (int)syscall(SYS_finit_module, fd, "", 0);
	if (rc && errno == EEXIST)
		rc = 0;
	if (rc)
		fprintf(stderr, "check_vm_remap: loading %s failed: %s (see dmesg)\n", path,
			strerror(errno));
	close(fd);
	return rc;
}

/* dm-bufio (and what it needs, as build-initramfs.sh listed them), then the module. */
static int load_modules(const char *ko)
{
	FILE *f = fopen("/etc/vmtest/extra-modules", "r");
	char line[512];
	bool bufio = false;

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			if (!line[0])
				continue;
			if (load_module(line)) {
				fclose(f);
				return -1;
			}
			bufio |= strstr(line, "dm-bufio.ko") != NULL;
		}
		fclose(f);
	}
	if (!bufio && access("/sys/module/dm_bufio", F_OK)) {
		fprintf(stderr, "check_vm_remap: dm-bufio is not in the image "
			"(build-initramfs.sh --extra-module dm-bufio) and not loaded\n");
		return -1;
	}
	return load_module(ko);
}

/* ---- the module and the tool's commands --------------------------------------- */

/* The module registered its target, after dm-bufio, in real-device mode. */
START_TEST(target_registered)
{
	unsigned v[3];
	char mode[16];
	struct dmw d;

	ck_assert_msg(access("/sys/module/dm_bufio", F_OK) == 0, "dm-bufio is not loaded");
	ck_assert_msg(access("/sys/module/dm_remap", F_OK) == 0, "dm_remap is not loaded");
	init_dm(&d);
	ck_assert_msg(dmw_target_version(&d, "dm-remap-v4", &v[0], &v[1], &v[2]) == DMW_OK, "%s",
		      d.err);
	dmw_close(&d);
	ck_assert_msg(v[0] == 4 && v[1] == 0 && v[2] == 0, "dm-remap-v4 is version %u.%u.%u",
		      v[0], v[1], v[2]);
	sysfs_read("/sys/module/dm_remap/parameters/real_device_mode", mode, sizeof(mode));
	ck_assert_str_eq(mode, "Y");
}
END_TEST

/* setup (the default target type), status field by field, teardown. */
START_TEST(setup_status_teardown)
{
	static const char *const numbers[] = {
		"reads", "writes", "remaps", "errors", "active_mappings", "io_ops",
		"total_time_ns", "avg_latency_ns", "throughput_bps", "sector_size",
		"spare_device_sectors", "total_ios", "normal_ios", "remapped_ios",
		"remapped_sectors", "cache_hits", "cache_misses", "fast_path_hits",
		"slow_path_hits", "health_scans", "health_score", "hotspot_count",
		"cache_hit_rate",
	};
	const char *setup[] = { "setup", "--main", MAIN, "--spare", SPARE, "--name", "vmremap",
				NULL };
	const char *status_j[] = { "status", "vmremap", "--output-format", "json", NULL };
	const char *status_t[] = { "status", "vmremap", NULL };
	const char *teardown[] = { "teardown", "vmremap", NULL };
	json_t *dev, *remap;
	struct vm_run *r;
	size_t i, nfields = 0;

	r = run_bin(setup);
	ck_assert_msg(r->status == 0, "setup: exit %d: %s", r->status, r->err);
	ck_assert_str_eq(r->out, "/dev/mapper/dmrb-vmremap\n");
	ck_assert_msg(claimed(MAIN), "the module does not hold %s", MAIN);
	vm_run_free(r);

	r = run_bin(status_j);
	ck_assert_msg(r->status == 0 && r->doc, "status: exit %d: %s", r->status, r->err);
	dev = json_array_get(json_object_get(r->doc, "devices"), 0);
	ck_assert_str_eq(jstr(dev, "name"), "dmrb-vmremap");
	ck_assert_str_eq(jstr(json_array_get(json_object_get(dev, "table"), 0), "type"),
			 "dm-remap-v4");
	ck_assert_int_eq(jint(json_array_get(json_object_get(dev, "table"), 0), "length"),
			 RAM_SECTORS);
	remap = jpath(json_array_get(json_object_get(dev, "status"), 0), "remap");
	ck_assert_msg(json_is_object(remap), "no status[0].remap");
	ck_assert_msg(json_is_true(json_object_get(remap, "parsed")), "the status was not "
		      "parsed: %s (%s)", json_string_value(json_object_get(remap, "reason")),
		      json_string_value(json_object_get(remap, "raw")));
	/* All 28 fields, by name: the tag, two paths, 23 numbers, two words. */
	ck_assert_str_eq(jstr(remap, "format"), "v4.0-phase1.4");
	ck_assert_str_eq(jstr(remap, "main_device"), MAIN);
	ck_assert_str_eq(jstr(remap, "spare_device"), SPARE);
	nfields = 3;
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		ck_assert_msg(json_is_integer(json_object_get(remap, numbers[i])),
			      "status field %s missing", numbers[i]);
		nfields++;
	}
	ck_assert_str_eq(jstr(remap, "state"), "operational");
	ck_assert_str_eq(jstr(remap, "mode"), "real");
	nfields += 2;
	ck_assert_uint_eq(nfields, 28);
	ck_assert_int_eq(jint(remap, "sector_size"), 512);
	ck_assert_int_eq(jint(remap, "spare_device_sectors"), RAM_SECTORS);
	ck_assert_int_eq(jint(remap, "reads"), 0);
	ck_assert_int_eq(jint(remap, "remaps"), 0);
	ck_assert_str_eq(jstr(r->doc, "dm_remap.target_version"), "4.0.0");
	ck_assert_str_eq(jstr(r->doc, "dm_remap.parameters.real_device_mode"), "Y");
	vm_run_free(r);

	r = run_bin(status_t);
	ck_assert_msg(r->status == 0 && strstr(r->out, "dm-remap-v4") &&
		      strstr(r->out, "active_mappings") && strstr(r->out, "spare_device_sectors"),
		      "status (text): exit %d: %s %s", r->status, r->out, r->err);
	ck_assert_msg(!strstr(r->err, "warning"), "status warns: %s", r->err);
	vm_run_free(r);

	r = run_bin(teardown);
	ck_assert_msg(r->status == 0 && strstr(r->out, "removed dmrb-vmremap"),
		      "teardown: exit %d: %s %s", r->status, r->out, r->err);
	ck_assert_msg(r->wall_s < 30, "teardown took %.1f s", r->wall_s);
	assert_nothing_left("after teardown");
	ck_assert_msg(!claimed(MAIN), "%s is still held after teardown", MAIN);
	vm_run_free(r);
}
END_TEST

/* A run on --main/--spare: the op counts equal the module's and the kernel's. */
START_TEST(run_counts_match)
{
	const char *args[] = { "concurrency", "--main", MAIN, "--spare", SPARE, "--ops", "16",
			       "--duration", "3", "--rw", "randrw", "--output-format", "json",
			       NULL };
	struct vm_run *r = run_bin(args);
	long long rd, wr;

	ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->err);
	ck_assert_msg(r->doc != NULL, "stdout is not JSON: %.300s", r->out);
	ck_assert_str_eq(jstr(r->doc, "target.dm.target_type"), "dm-remap-v4");
	ck_assert_str_eq(jstr(r->doc, "target.dm.target_version"), "4.0.0");
	ck_assert_str_eq(jstr(r->doc, "target.dm.table"), "0 131072 dm-remap-v4 /dev/ram0 /dev/ram1");
	ck_assert(json_is_false(jpath(r->doc, "target.dm.demo_mode")));
	ck_assert(json_is_true(jpath(r->doc, "target.dm.status_delta.valid")));
	rd = jint(r->doc, "results.read.ops");
	wr = jint(r->doc, "results.write.ops");
	ck_assert_msg(rd > 0 && wr > 0, "reads %lld, writes %lld", rd, wr);
	fprintf(stderr, "check_vm_remap: run: %lld reads, %lld writes; module %lld/%lld, "
		"kernel %lld/%lld\n", rd, wr, jint(r->doc, "target.dm.status_delta.reads"),
		jint(r->doc, "target.dm.status_delta.writes"),
		jint(r->doc, "target.kernel_counters_delta.reads_completed"),
		jint(r->doc, "target.kernel_counters_delta.writes_completed"));
	/* The module's own counters... */
	ck_assert_int_eq(jint(r->doc, "target.dm.status_delta.reads"), rd);
	ck_assert_int_eq(jint(r->doc, "target.dm.status_delta.writes"), wr);
	ck_assert_int_eq(jint(r->doc, "target.dm.status_delta.total_ios"), rd + wr);
	ck_assert_int_eq(jint(r->doc, "target.dm.status_delta.remaps"), 0);
	/* ...and the kernel's, of the dm device. */
	ck_assert_int_eq(jint(r->doc, "target.kernel_counters_delta.reads_completed"), rd);
	ck_assert_int_eq(jint(r->doc, "target.kernel_counters_delta.writes_completed"), wr);
	assert_nothing_left("after the run");
	vm_run_free(r);
}
END_TEST

static const char *const validate_args[] = {
	"validate", "--main", VMAIN, "--spare", VSPARE, "--bad-count", "2", "--seed", "7",
	"--retries", "2", "--retry-delay", "200ms", "--latency-reads", "4",
	"--output-format", "json", NULL
};

/*
 * validate on the module: FAIL, for the reasons of the reference's defect
 * 4. Each I/O to a bad sector fails (EIO), and so does every retry: the
 * remap stays PENDING. The module never sent a read to the spare (remaps
 * +0, remapped_ios +0). Nothing hangs: the tool reads the status after its
 * I/O, which frees the module's health mutex before the removal.
 */
START_TEST(validate_fails)
{
	struct vm_run *r = run_bin(validate_args);
	json_t *note;
	size_t i;
	long long never;

	ck_assert_msg(r->doc != NULL, "stdout is not JSON (exit %d): %s %.300s", r->status,
		      r->err, r->out);
	ck_assert_msg(r->status == 3, "exit %d (a failed check is 3): %s", r->status, r->err);
	ck_assert_str_eq(jstr(r->doc, "verdict"), "fail");
	ck_assert_str_eq(jstr(r->doc, "target.dm.target_type"), "dm-remap-v4");
	ck_assert_str_eq(check_status(r->doc, "inject"), "pass");
	ck_assert_str_eq(check_status(r->doc, "errors_injected"), "pass");
	ck_assert_msg(!strcmp(check_status(r->doc, "retry_recovers"), "fail"),
		      "retry_recovers %s: %s", check_status(r->doc, "retry_recovers"),
		      check_detail(r->doc, "retry_recovers"));
	ck_assert_str_eq(check_status(r->doc, "teardown"), "pass");
	/* Every I/O on a bad block failed for good, with EIO, retries included. */
	never = jint(r->doc, "io.write.never") + jint(r->doc, "io.read.never");
	ck_assert_msg(never >= 2, "only %lld I/Os failed for good", never);
	json_array_foreach(jpath(r->doc, "io.write.failed_ios"), i, note) {
		ck_assert(json_is_true(json_object_get(note, "bad_sector")));
		ck_assert(json_is_false(json_object_get(note, "recovered")));
		ck_assert_str_eq(jstr(note, "last_error"), "EIO");
		ck_assert_int_eq(jint(note, "attempts"), 3);
	}
	ck_assert_int_gt(json_array_size(jpath(r->doc, "io.write.failed_ios")), 0);
	/* The module's own account: nothing was ever redirected to the spare. */
	ck_assert(json_is_true(jpath(r->doc, "target.dm.status_delta.valid")));
	ck_assert_int_eq(jint(r->doc, "target.dm.status_delta.remaps"), 0);
	ck_assert_int_eq(jint(r->doc, "target.dm.status_delta.remapped_ios"), 0);
	ck_assert_int_eq(jint(r->doc, "target.dm.status_delta.remapped_sectors"), 0);
	fprintf(stderr, "check_vm_remap: validate: active_mappings +%lld for 2 bad sectors; "
		"remap_counters %s (%s)\n",
		jint(r->doc, "target.dm.status_delta.active_mappings"),
		check_status(r->doc, "remap_counters"), check_detail(r->doc, "remap_counters"));
	ck_assert_msg(r->wall_s < 200, "validate took %.1f s", r->wall_s);
	ck_assert_msg(count_ours() == 0, "dm devices of ours left after validate");
	vm_run_free(r);
}
END_TEST

/*
 * No check passes on a remap that never happened (issue 18, item 2): the
 * module claimed no read sent to the spare (remaps +0, remapped_ios +0), so
 * neither remap_counters nor remap_penalty may say pass, with the error
 * segments or with --inject message.
 */
START_TEST(no_pass_without_remap)
{
	const char *msg[] = { "validate", "--main", VMAIN, "--spare", VSPARE, "--bad-count", "2",
			      "--seed", "7", "--inject", "message", "--retries", "1",
			      "--retry-delay", "100ms", "--latency-reads", "4",
			      "--output-format", "json", NULL };
	const char *const *runs[] = { validate_args, msg };
	size_t k;

	for (k = 0; k < 2; k++) {
		struct vm_run *r = run_bin(runs[k]);

		ck_assert_msg(r->doc != NULL, "stdout is not JSON (exit %d): %s", r->status,
			      r->err);
		ck_assert_int_eq(jint(r->doc, "target.dm.status_delta.remaps"), 0);
		ck_assert_int_eq(jint(r->doc, "target.dm.status_delta.remapped_ios"), 0);
		ck_assert_msg(strcmp(check_status(r->doc, "remap_counters"), "pass"),
			      "%s: remap_counters passed with no remap: %s", k ? "--inject message" :
			      "table", check_detail(r->doc, "remap_counters"));
		ck_assert_msg(strcmp(check_status(r->doc, "remap_penalty"), "pass"),
			      "%s: remap_penalty passed with no remap: %s", k ? "--inject message" :
			      "table", check_detail(r->doc, "remap_penalty"));
		ck_assert_msg(r->status != 0, "validate passed");
		vm_run_free(r);
		cleanup();
	}
}
END_TEST

/* ---- hooks: the cases that later work extends ----------------------------------- */

/*
 * Hook for --compare-linear against the real module (issue 18, item 1).
 * The module opens its main device exclusively: while a dm-remap device
 * exists, no linear twin can be built over the same main device, and an
 * O_EXCL open of it fails with EBUSY, which makes the O_EXCL holder the
 * faithful stand-in of the stock-kernel tests. Then the tool's
 * --compare-linear run: it measures both (exit 0, the linear results and
 * the overhead figures) or refuses with one line naming the busy device
 * (exit 4); either way it leaves nothing behind. The item's rewrite turns
 * the second outcome into a failure here.
 */
START_TEST(hook_compare_linear)
{
	const char *setup[] = { "setup", "--main", MAIN, "--spare", SPARE, "--name", "vmexcl",
				NULL };
	const char *teardown[] = { "teardown", "vmexcl", NULL };
	const char *cmp[] = { "concurrency", "--main", MAIN, "--spare", SPARE, "--ops", "8",
			      "--duration", "4", "--slice", "500ms", "--compare-linear",
			      "--output-format", "json", NULL };
	struct dmw_segment seg = { 0, RAM_SECTORS, "linear", MAIN " 0" };
	struct dmw d;
	struct vm_run *r;
	int rc;

	r = run_bin(setup);
	ck_assert_msg(r->status == 0, "setup: exit %d: %s", r->status, r->err);
	vm_run_free(r);
	ck_assert_msg(claimed(MAIN), "O_EXCL open of %s succeeded under dm-remap", MAIN);
	init_dm(&d);
	rc = dmw_create(&d, "vmremap-twin", NULL, &seg, 1, NULL);
	ck_assert_msg(rc != DMW_OK, "a linear twin over %s was created beside dm-remap", MAIN);
	fprintf(stderr, "check_vm_remap: linear twin refused as expected: %s\n", d.err);
	dmw_close(&d);
	r = run_bin(teardown);
	ck_assert_msg(r->status == 0, "teardown: exit %d: %s", r->status, r->err);
	vm_run_free(r);

	/* The twin cannot stand beside dm-remap: one device at a time, interleaved. */
	r = run_bin(cmp);
	ck_assert_msg(r->status == 0, "--compare-linear: exit %d: %s", r->status, r->err);
	ck_assert_msg(r->doc != NULL, "stdout is not JSON");
	ck_assert_str_eq(json_string_value(jpath(r->doc, "reference.strategy")), "swap");
	ck_assert_int_eq(jint(r->doc, "reference.pairs"), 8);
	ck_assert_int_gt(jint(r->doc, "reference.results.total.ops"), 0);
	ck_assert_int_gt(jint(r->doc, "results.total.ops"), 0);
	ck_assert_msg(json_is_number(jpath(r->doc, "reference.overhead.total.iops.estimate_pct")),
		      "no overhead");
	printf("VMTEST-MSG hook_compare_linear: dm-remap-v4 against its linear twin, %lld pairs "
	       "(swap, %lld re-creations): IOPS overhead %+.1f%% [%+.1f, %+.1f], p99 %+.1f%%\n",
	       (long long)jint(r->doc, "reference.pairs"),
	       (long long)jint(r->doc, "target.dm.recreated"),
	       json_number_value(jpath(r->doc, "reference.overhead.total.iops.estimate_pct")),
	       json_number_value(jpath(r->doc, "reference.overhead.total.iops.ci_low_pct")),
	       json_number_value(jpath(r->doc, "reference.overhead.total.iops.ci_high_pct")),
	       json_number_value(jpath(r->doc, "reference.overhead.total.lat_p99.estimate_pct")));
	fflush(stdout);
	assert_nothing_left("after --compare-linear");
	ck_assert_msg(!claimed(MAIN), "%s is still held after --compare-linear", MAIN);
	vm_run_free(r);
}
END_TEST

/* The flush requests a block device completed (field 16 of its stat; 0 if none). */
static unsigned long long flushes(const char *sysname)
{
	char p[128], buf[512];
	unsigned long long v[17] = { 0 };

	snprintf(p, sizeof(p), "/sys/block/%s/stat", sysname);
	sysfs_read(p, buf, sizeof(buf));
	ck_assert_msg(sscanf(buf, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
			     "%llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			     &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14],
			     &v[15], &v[16]) == 17, "%s: no flush fields: %s", p, buf);
	return v[15];
}

/* A 4 KiB write and an fsync on dev: how many flushes reached the device main_sys. */
static unsigned long long flushes_through(const char *dev, const char *main_sys)
{
	static char block[4096] __attribute__((aligned(4096)));
	unsigned long long before = flushes(main_sys);
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "%s: %s", dev, strerror(errno));
	memset(block, 0x5a, sizeof(block));
	ck_assert_int_eq(pwrite(fd, block, sizeof(block), 1 << 20), (ssize_t)sizeof(block));
	ck_assert_int_eq(fsync(fd), 0);
	close(fd);
	return flushes(main_sys) - before;
}

/* The queue's write_cache ("write back" or "write through") of a block device. */
static void write_cache(const char *sysname, char *buf, size_t len)
{
	char p[128];

	snprintf(p, sizeof(p), "/sys/block/%s/queue/write_cache", sysname);
	sysfs_read(p, buf, len);
}

/*
 * Hook for validate's flush check (issue 18, item 3). The evidence that
 * check takes, the flush counter of the main device, works in this guest:
 * over a main device with a volatile write cache (a loop device; brd has
 * none, so no flush ever reaches it), an fsync through dm-linear reaches
 * the main device's counter. Through dm-remap it does not: the module
 * passes no flush (defect 6), its device even advertises no write cache
 * over a main device that has one. When the flush check lands, it runs
 * here and must FAIL on this module, citing that counter.
 */
START_TEST(hook_flush)
{
	char img[] = "/dev/shm/check_vm_remap_flushXXXXXX", loop[32], table[96], wc[32];
	const char *sys;
	struct dmw_segment lin = { 0, RAM_SECTORS, "linear", NULL };
	struct dmw_segment rem = { 0, RAM_SECTORS, "dm-remap-v4", NULL };
	struct dmw_info info;
	struct dmw d;
	unsigned long long n;
	int fd, lfd;

	fd = mkstemp(img);
	ck_assert_msg(fd >= 0 && ftruncate(fd, RAM_SECTORS * 512) == 0, "%s", strerror(errno));
	close(fd);
	lfd = vm_loop_bind(img, loop, sizeof(loop));
	unlink(img);
	ck_assert_msg(lfd >= 0, "no loop device for the main file");
	sys = loop + 5;  /* "loopN" */
	write_cache(sys, wc, sizeof(wc));
	ck_assert_msg(!strcmp(wc, "write back"), "%s has write_cache '%s': flushes would mean "
		      "nothing there", loop, wc);

	init_dm(&d);
	snprintf(table, sizeof(table), "%s 0", loop);
	lin.params = table;
	ck_assert_msg(dmw_create(&d, "vmremap-flin", NULL, &lin, 1, &info) == DMW_OK, "%s",
		      d.err);
	n = flushes_through("/dev/mapper/vmremap-flin", sys);
	ck_assert_msg(n >= 1, "an fsync through dm-linear sent %llu flushes to %s", n, loop);
	ck_assert_int_eq(dmw_remove(&d, "vmremap-flin"), DMW_OK);

	snprintf(table, sizeof(table), "%s %s", loop, VSPARE);
	rem.params = table;
	ck_assert_msg(dmw_create(&d, "dmrb-vmflush", "DMRB-dmrb-vmflush", &rem, 1, &info) ==
		      DMW_OK, "%s", d.err);
	n = flushes_through("/dev/mapper/dmrb-vmflush", sys);
	write_cache(info.sysname, wc, sizeof(wc));
	fprintf(stderr, "check_vm_remap: fsync through dm-remap-v4: %llu flushes reached %s; "
		"%s has write_cache '%s'\n", n, loop, info.sysname, wc);
	ck_assert_msg(n == 0, "%llu flushes went through dm-remap-v4 (module changed? the "
		      "reference says it passes none)", n);
	ck_assert_str_eq(wc, "write through");
	{
		struct dmw_table t;

		/* A status read before the removal, as the tool does (no errors here anyway). */
		ck_assert_int_eq(dmw_get_status(&d, "dmrb-vmflush", &t), DMW_OK);
		dmw_table_free(&t);
	}
	ck_assert_int_eq(dmw_remove(&d, "dmrb-vmflush"), DMW_OK);
	dmw_close(&d);
	/* validate's own check must see the same: flushes that never reach the disk fail. */
	{
		const char *val[] = { "validate", "--main", loop, "--spare", VSPARE, "--bad-count",
				      "1", "--seed", "1", "--output-format", "json", NULL };
		struct vm_run *r = run_bin(val);
		json_t *checks = jpath(r->doc, "checks"), *c;
		const char *st = NULL;
		size_t i;

		json_array_foreach(checks, i, c)
			if (!strcmp(json_string_value(json_object_get(c, "name")) ?: "",
				    "flush_passthrough"))
				st = json_string_value(json_object_get(c, "status"));
		printf("VMTEST-MSG hook_flush: validate on dm-remap-v4 over %s: exit %d, "
		       "flush_passthrough %s\n", loop, r->status, st ? st : "(missing)");
		fflush(stdout);
		ck_assert_msg(st && !strcmp(st, "fail"), "flush_passthrough is %s: %s",
			      st ? st : "missing", r->err);
		vm_run_free(r);
	}
	close(lfd);  /* the loop device clears itself */
}
END_TEST

/* A process in D state whose command is comm (its pid), or 0 after limit_s. */
static pid_t wait_d_state(const char *comm, double limit_s)
{
	double t0 = now_s();

	while (now_s() - t0 < limit_s) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		pid_t found = 0;

		ck_assert(d != NULL);
		while (!found && (de = readdir(d))) {
			char p[300], buf[512], *rp;

			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			snprintf(p, sizeof(p), "/proc/%s/stat", de->d_name);
			sysfs_read(p, buf, sizeof(buf));
			rp = strrchr(buf, ')');
			if (rp && rp[1] == ' ' && rp[2] == 'D' && strstr(buf, comm))
				found = atoi(de->d_name);
		}
		closedir(d);
		if (found)
			return found;
		usleep(200000);
	}
	return 0;
}

/*
 * Hook for the hang that status must remember (issue 18, item 4): a
 * removal right after I/O errors, with no status read between, hangs in
 * the module's destructor for good (reference, defect 4). The tool's
 * teardown reports it within its deadline; then the facts a remembered
 * hang must report are checked from the kernel: the removal's process in
 * D state, the dm device still in sysfs, the failing disk below it still
 * held. status and teardown --all come back within their deadline. When
 * the hung-device state lands, status here must name the stuck device.
 * Leaves the device stuck until power-off: runs last.
 */
START_TEST(hook_hang)
{
	struct dmw_segment disk[] = {
		{ 0, 8192, "linear", VMAIN " 0" },
		{ 8192, 8, "error", "" },
		{ 8200, 8184, "linear", VMAIN " 8200" },
		{ 16384, 8, "error", "" },
		{ 16392, RAM_SECTORS - 16392, "linear", VMAIN " 16392" },
	};
	struct dmw_segment top = { 0, RAM_SECTORS, "dm-remap-v4",
				   "/dev/mapper/dmrb-vmhang-disk " VSPARE };
	const char *teardown[] = { "teardown", "vmhang", "--timeout", "10s", NULL };
	const char *status[] = { "status", NULL };
	const char *all[] = { "teardown", "--all", "--timeout", "10s", NULL };
	static char block[4096] __attribute__((aligned(4096)));
	struct dmw_info top_info, disk_info;
	char p[128], name[128];
	struct dmw d;
	struct vm_run *r;
	pid_t stuck;
	int fd, i, eio = 0;

	init_dm(&d);
	ck_assert_msg(dmw_create(&d, "dmrb-vmhang-disk", "DMRB-dmrb-vmhang-disk", disk, 5,
				 &disk_info) == DMW_OK, "%s", d.err);
	ck_assert_msg(dmw_create(&d, "dmrb-vmhang", "DMRB-dmrb-vmhang", &top, 1, &top_info) ==
		      DMW_OK, "%s", d.err);
	dmw_close(&d);
	/* Errors on both bad sectors, a few times each, and no status read. */
	fd = open("/dev/mapper/dmrb-vmhang", O_RDWR | O_DIRECT | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "%s", strerror(errno));
	for (i = 0; i < 6; i++)
		if (pread(fd, block, sizeof(block), (off_t)(i % 2 ? 16384 : 8192) * 512) < 0)
			eio += errno == EIO;
	close(fd);
	ck_assert_msg(eio == 6, "%d of 6 reads of bad sectors failed with EIO", eio);

	r = run_bin(teardown);
	fprintf(stderr, "check_vm_remap: teardown after errors: exit %d after %.1f s: %s",
		r->status, r->wall_s, r->err);
	ck_assert_msg(r->status == 4 && strstr(r->err, "hung"), "teardown: exit %d: %s %s",
		      r->status, r->out, r->err);
	ck_assert_msg(r->wall_s < 40, "teardown took %.1f s with a 10 s timeout", r->wall_s);
	vm_run_free(r);

	/* What the kernel still has: the evidence a remembered hang must report. */
	stuck = wait_d_state("dmremap-bench", 10);
	ck_assert_msg(stuck > 0, "no dmremap-bench process in D state");
	snprintf(p, sizeof(p), "/sys/block/%s", top_info.sysname);
	ck_assert_msg(access(p, F_OK) == 0, "%s is gone: the removal did not hang", p);
	snprintf(p, sizeof(p), "/sys/block/%s/dm/name", top_info.sysname);
	sysfs_read(p, name, sizeof(name));
	/* The module claims its main device itself (no holders link): O_EXCL tells. */
	ck_assert_msg(claimed("/dev/mapper/dmrb-vmhang-disk"), "the failing disk %s is not held",
		      disk_info.sysname);
	fprintf(stderr, "check_vm_remap: stuck: pid %d in D state, %s (dm minor %u) name '%s', "
		"holding %s\n", (int)stuck, top_info.sysname, top_info.minor, name,
		disk_info.sysname);

	/* The tool does not hang with it, and remembers it: exit 4, the device named. */
	r = vm_run(TAG, status, 90);
	ck_assert_msg(r->status < 128 && r->wall_s < 60, "status: exit %d after %.1f s",
		      r->status, r->wall_s);
	fprintf(stderr, "check_vm_remap: status with a stuck device: exit %d:\n%s%s", r->status,
		r->out, r->err);
	ck_assert_msg(r->status == 4 && strstr(r->out, top_info.sysname) &&
		      strstr(r->out, "reboot"), "status does not report the stuck %s: exit %d: %s",
		      top_info.sysname, r->status, r->out);
	vm_run_free(r);
	r = vm_run(TAG, all, 120);
	ck_assert_msg(r->status == 4 && r->wall_s < 90, "teardown --all: exit %d after %.1f s",
		      r->status, r->wall_s);
	fprintf(stderr, "check_vm_remap: teardown --all with a stuck device: exit %d: %s%s",
		r->status, r->out, r->err);
	vm_run_free(r);
}
END_TEST

static Suite *remap_suite(void)
{
	Suite *s = suite_create("vm-remap");
	TCase *tc = tcase_create("module");
	TCase *hooks = tcase_create("hooks");
	TCase *hang = tcase_create("hang");

	tcase_add_checked_fixture(tc, cleanup, cleanup);
	tcase_add_test(tc, target_registered);
	tcase_add_test(tc, setup_status_teardown);
	tcase_add_test(tc, run_counts_match);
	tcase_add_test(tc, validate_fails);
	tcase_add_test(tc, no_pass_without_remap);
	tcase_set_timeout(tc, 600);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(hooks, cleanup, cleanup);
	tcase_add_test(hooks, hook_compare_linear);
	tcase_add_test(hooks, hook_flush);
	tcase_set_timeout(hooks, 300);
	suite_add_tcase(s, hooks);

	/* No fixture: the stuck device stays until power-off. */
	tcase_add_unchecked_fixture(hang, cleanup, NULL);
	tcase_add_test(hang, hook_hang);
	tcase_set_timeout(hang, 300);
	suite_add_tcase(s, hang);
	return s;
}

int main(void)
{
	const char *ko = getenv("DMRB_REMAP_KO"), *why = getenv("DMRB_REMAP_SKIP");
	int rc;

	if (why && *why) {
		fprintf(stderr, "check_vm_remap: skipped: %s\n", why);
		return 77;
	}
	if (!ko || !*ko) {
		fprintf(stderr, "check_vm_remap: skipped: no dm-remap module given "
			"(make check-vm DMREMAP_KO=/path/to/dm-remap.ko)\n");
		return 77;
	}
	rc = vm_need(TAG, 0, 4);  /* MAIN, SPARE, VMAIN, VSPARE */
	if (rc)
		return rc;
	if (load_modules(ko))
		return 1;
	fprintf(stderr, "check_vm_remap: loaded dm-bufio and %s\n", ko);
	return vm_run_suite(remap_suite());
}
