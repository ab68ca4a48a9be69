/*
 * Flushes, FUA writes and discards through real device-mapper, inside the
 * test VM: a job file (dmremap-bench-run(1)) runs on a dm-linear device
 * the tool builds over a loop device of the test's, and the loop device's
 * own counters (/sys/block/loopN/stat, fields 12-14 and 16) show the
 * flushes and discards arriving below the dm device. Exits 77 (skipped)
 * where there is no device-mapper or not root.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmtest.h"

#define TAG "check_vm_jobs"
#define BACKING "/tmp/check_vm_jobs_main.img"
#define JOBFILE "/tmp/check_vm_jobs.fio"
#define RUN_LIMIT_S 120

struct blkstat {
	unsigned long long wr_ios, dc_ios, dc_merges, dc_sectors, fl_ios;
};

static int read_blkstat(const char *dev, struct blkstat *s)
{
	char path[128], line[512];
	int fd;

	snprintf(path, sizeof(path), "/sys/block/%s/stat", strrchr(dev, '/') + 1);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	slurp(fd, line, sizeof(line));
	return sscanf(line, "%*u %*u %*u %*u %llu %*u %*u %*u %*u %*u %*u %llu %llu %llu %*u %llu",
		      &s->wr_ios, &s->dc_ios, &s->dc_merges, &s->dc_sectors, &s->fl_ios) == 5 ?
		0 : -1;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * One flushing stream at depth 1 (flushes in flight together may merge)
 * beside a stream of discards, then FUA writes alone, on dm-linear over
 * the loop device. dm passes each flush down as an empty REQ_PREFLUSH to
 * the device below, each discard as a discard, and each FUA write with
 * REQ_FUA, which the loop device (a write cache, no FUA) follows with a
 * flush of its own.
 */
START_TEST(flush_discard_reach_the_device)
{
	static const char job[] =
		"[global]\n"
		"time_based\n"
		"runtime=2\n"
		"iodepth=1\n"
		"[log]\n"
		"rw=randwrite\n"
		"bs=4k\n"
		"fdatasync=8\n"
		"[trim]\n"
		"rw=randtrim\n"
		"bs=16k\n";
	static const char fua_job[] =
		"[fua]\n"
		"time_based\n"
		"runtime=2\n"
		"rw=randwrite\n"
		"bs=4k\n"
		"sync=dsync\n";
	char dev[32], path[128], fua[8] = "";
	const char *args[] = { "run", JOBFILE, "--main", dev, "--spare", "/dev/ram1",
			       "--target-type", "linear", "--output-format", "json", NULL };
	struct blkstat a, b;
	struct vm_run *r;
	long long fl, dc;
	json_t *doc;
	int lfd, fd;

	vm_make_file(BACKING, 64 << 20);
	lfd = vm_loop_bind(BACKING, dev, sizeof(dev));
	ck_assert_msg(lfd >= 0, "no loop device");
	snprintf(path, sizeof(path), "/sys/block/%s/queue/nomerges", strrchr(dev, '/') + 1);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		ck_assert_int_eq(write(fd, "2", 1), 1);
		close(fd);
	}
	snprintf(path, sizeof(path), "/sys/block/%s/queue/fua", strrchr(dev, '/') + 1);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		slurp(fd, fua, sizeof(fua));
	zero_head("/dev/ram1");

	write_text(JOBFILE, job);
	ck_assert_int_eq(read_blkstat(dev, &a), 0);
	r = vm_run(TAG, args, RUN_LIMIT_S);
	ck_assert_int_eq(read_blkstat(dev, &b), 0);
	ck_assert_msg(r->status == 0 && r->doc, "exit %d: %s", r->status, r->err);
	doc = r->doc;
	ck_assert_msg(!strcmp(json_string_value(json_object_get(json_object_get(doc, "target"),
								 "kind")), "dm"), "not a dm target");
	fl = jint(doc, "results.flush.ops");
	dc = jint(doc, "results.discard.ops");
	fprintf(stderr, "check_vm_jobs: tool %lld flushes, %lld discards; %s below: %llu flushes, "
		"%llu discards (%llu sectors)\n", fl, dc, dev, b.fl_ios - a.fl_ios,
		b.dc_ios - a.dc_ios, b.dc_sectors - a.dc_sectors);
	ck_assert_msg(fl > 0 && dc > 0, "flushes %lld discards %lld", fl, dc);
	ck_assert_msg((long long)(b.dc_ios - a.dc_ios) == dc && b.dc_merges == a.dc_merges,
		      "%llu discards (%llu merged) reached %s, the tool issued %lld",
		      b.dc_ios - a.dc_ios, b.dc_merges - a.dc_merges, dev, dc);
	ck_assert_msg((long long)(b.dc_sectors - a.dc_sectors) * 512 ==
		      jint(doc, "results.discard.bytes"), "%llu sectors discarded below, %lld bytes",
		      b.dc_sectors - a.dc_sectors, jint(doc, "results.discard.bytes"));
	ck_assert_msg((long long)(b.fl_ios - a.fl_ios) == fl,
		      "%llu flushes reached %s, the tool issued %lld", b.fl_ios - a.fl_ios, dev, fl);
	vm_run_free(r);

	write_text(JOBFILE, fua_job);
	ck_assert_int_eq(read_blkstat(dev, &a), 0);
	r = vm_run(TAG, args, RUN_LIMIT_S);
	ck_assert_int_eq(read_blkstat(dev, &b), 0);
	ck_assert_msg(r->status == 0 && r->doc, "exit %d: %s", r->status, r->err);
	doc = r->doc;
	fprintf(stderr, "check_vm_jobs: %lld FUA writes; %s below: %llu writes, %llu flushes "
		"(queue/fua %c)\n", jint(doc, "results.write.ops"), dev, b.wr_ios - a.wr_ios,
		b.fl_ios - a.fl_ios, fua[0]);
	ck_assert_msg((long long)(b.wr_ios - a.wr_ios) == jint(doc, "results.write.ops"),
		      "%llu writes below, %lld FUA writes", b.wr_ios - a.wr_ios,
		      jint(doc, "results.write.ops"));
	ck_assert_msg((long long)(b.fl_ios - a.fl_ios) ==
		      (fua[0] == '0' ? jint(doc, "results.write.ops") : 0),
		      "%llu flushes below for %lld FUA writes (queue/fua %c)", b.fl_ios - a.fl_ios,
		      jint(doc, "results.write.ops"), fua[0]);
	vm_run_free(r);
	close(lfd);  /* autoclear: the loop device goes with its last user */
	unlink(BACKING);
	unlink(JOBFILE);
}
END_TEST

static Suite *jobs_suite(void)
{
	Suite *s = suite_create("vm-jobs");
	TCase *tc = tcase_create("jobs");

	tcase_add_test(tc, flush_discard_reach_the_device);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int rc = vm_need(TAG, 0, 0);

	return rc ? rc : vm_run_suite(jobs_suite());
}
