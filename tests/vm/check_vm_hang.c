/*
 * A removal that hangs in the kernel, remembered (dm/state.h), inside the
 * test VM (root, brd RAM disks /dev/ram0-3 of 64 MiB, no udev).
 *
 * The hang is made with stock parts, the same way a frozen filesystem
 * makes one: the tool's device (a dm-delay table that reads from a lower
 * device-mapper device and writes to /dev/ram0) stands on "vmt-hang-lower",
 * a linear device this test suspends; dirty data is left in the lower
 * device's page cache (a buffered write, closed while the tool's device
 * still holds the lower one, so the close does not flush it). Removing the
 * tool's device then releases the lower device as its last holder, which
 * writes that data back and waits for it: on a suspended device, forever.
 * The removal ioctl sleeps in D state (folio_wait_writeback, under
 * dm_table_destroy, on Linux 6.1 and 6.12), after device-mapper has dropped
 * the name; /sys/block/dm-N stays, and so does its hold on /dev/ram0, which
 * the delay target releases after the lower device. Resuming the lower
 * device (the "thaw") lets the write-back and the removal finish.
 *
 * Exits 77 (skipped) where there is no device-mapper or not root.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libdevmapper.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dm/dm.h"
#include "dm/state.h"
#include "vmtest.h"

#define TAG "check_vm_hang"
#define RAM0 "/dev/ram0"
#define RAM1 "/dev/ram1"
#define LOWER "vmt-hang-lower"
#define LOWER_DEV "/dev/mapper/" LOWER
#define LOWER_SECTORS 131072
#define STATE_DIR DMSTATE_DEFAULT_DIR
#define HANG_REC STATE_DIR "/dm-dmrb-vmhang.json"
/* Not a record's name: where the record is put aside (same filesystem). */
#define HIDDEN_REC STATE_DIR "/put-aside-dm-dmrb-vmhang"
#define MAIN_FILE "/tmp/check_vm_hang_main.img"
#define RUN_LIMIT_S 60

/*
 * Run DMRB_BIN with args, at most RUN_LIMIT_S, in place of the run in *r
 * (freed); what it printed goes to the log.
 */
static void run_bin(struct vm_run **r, const char *const *args)
{
	vm_run_free(*r);
	*r = vm_run(TAG, args, RUN_LIMIT_S);
	fprintf(stderr, "%s%s", (*r)->out, (*r)->err);
}

/* Suspend (true) or resume the lower device, with libdevmapper directly. */
static int set_suspended(bool suspend)
{
	struct dm_task *dmt = dm_task_create(suspend ? DM_DEVICE_SUSPEND : DM_DEVICE_RESUME);
	int ok;

	if (!dmt)
		return 0;
	ok = dm_task_set_name(dmt, LOWER) && dm_task_run(dmt);
	dm_task_destroy(dmt);
	/* Close the control fd: the dm wrapper's children must not inherit a stale one. */
	dm_lib_release();
	return ok;
}

static bool lower_suspended(void)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_INFO);
	struct dm_info info;
	bool s = false;

	if (!dmt)
		return false;
	if (dm_task_set_name(dmt, LOWER) && dm_task_run(dmt) && dm_task_get_info(dmt, &info))
		s = info.exists && info.suspended;
	dm_task_destroy(dmt);
	dm_lib_release();
	return s;
}

/* The state of pid from /proc/PID/stat, 0 when there is no such process. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	slurp(fd, buf, sizeof(buf));
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static bool sys_exists(const char *sysname)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/block/%s", sysname);
	return access(path, F_OK) == 0;
}

/* Thaw: resume the lower device and wait (at most 20 s) for what hung to finish. */
static void thaw(const char *sysname)
{
	double t0 = now_s();

	if (lower_suspended())
		ck_assert_msg(set_suspended(false), "cannot resume " LOWER);
	while (sysname && sysname[0] && sys_exists(sysname) && now_s() - t0 < 20) {
		struct timespec ts = { 0, 50000000 };

		nanosleep(&ts, NULL);
	}
}

/* Before and after each test: nothing suspended, nothing of ours or of the test left. */
static void cleanup(void)
{
	struct dmstate_nameless nl[4];
	double t0 = now_s();

	if (lower_suspended())
		set_suspended(false);
	/* A test that failed with a removal hanging: let it finish. */
	while (dmstate_scan_nameless("/sys", NULL, 0, nl, 4) && now_s() - t0 < 20) {
		struct timespec ts = { 0, 50000000 };

		nanosleep(&ts, NULL);
	}
	vm_remove_devices(LOWER, 1);  /* ours first: they stand on the lower device */
	unlink(MAIN_FILE);
}

static json_t *load_json(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);

	ck_assert_msg(j != NULL, "%s: %s", path, e.text);
	return j;
}

/* A device of ours over a file: its record and its loop device's, made and gone. */
START_TEST(records_follow_devices)
{
	struct vm_run *r = NULL;
	char loop_rec[128], loopname[32];
	json_t *j, *m;

	vm_make_file(MAIN_FILE, 32 << 20);
	run_bin(&r, VM_ARGS("setup", "--target-type", "linear", "--main", MAIN_FILE, "--name",
			    "vmrec"));
	ck_assert_msg(r->status == 0, "setup: %d %s", r->status, r->err);

	j = load_json(STATE_DIR "/dm-dmrb-vmrec.json");
	ck_assert_str_eq(jstr(j, "format"), DMSTATE_FORMAT);
	ck_assert_str_eq(jstr(j, "kind"), "dm");
	ck_assert_str_eq(jstr(j, "state"), "active");
	ck_assert_str_eq(jstr(j, "uuid"), "DMRB-dmrb-vmrec");
	ck_assert_str_eq(jstr(j, "type"), "linear");
	ck_assert_msg(!strncmp(jstr(j, "sysname"), "dm-", 3), "%s", jstr(j, "sysname"));
	m = json_array_get(json_object_get(j, "members"), 0);
	ck_assert_ptr_nonnull(m);
	snprintf(loopname, sizeof(loopname), "%s", jstr(m, "name"));
	ck_assert_msg(!strncmp(loopname, "loop", 4), "member %s", loopname);
	json_decref(j);
	snprintf(loop_rec, sizeof(loop_rec), STATE_DIR "/loop-%s.json", loopname);
	j = load_json(loop_rec);
	ck_assert_str_eq(jstr(j, "kind"), "loop");
	ck_assert_str_eq(jstr(j, "under"), "dmrb-vmrec");
	ck_assert_str_eq(jstr(j, "backing"), MAIN_FILE);
	json_decref(j);

	run_bin(&r, VM_ARGS("status"));
	ck_assert_msg(r->status == 0 && strstr(r->out, "dmrb-vmrec") && !strstr(r->out, "STUCK"),
		      "status: %d %s %s", r->status, r->out, r->err);
	run_bin(&r, VM_ARGS("teardown", "vmrec"));
	ck_assert_msg(r->status == 0, "teardown: %d %s", r->status, r->err);
	ck_assert_msg(access(STATE_DIR "/dm-dmrb-vmrec.json", F_OK) != 0, "dm record left");
	ck_assert_msg(access(loop_rec, F_OK) != 0, "loop record %s left", loop_rec);
	vm_run_free(r);
}
END_TEST

START_TEST(hang_remembered)
{
	struct vm_run *r = NULL;
	struct dmw_segment seg = { 0, LOWER_SECTORS, "linear", RAM1 " 0" };
	char sysname[32], params[128], pidtxt[32], want[128], *buf;
	struct dmw d;
	json_t *j, *h, *s;
	pid_t pid;
	double t0;
	int fd, i;

	init_dm(&d);
	ck_assert_msg(dmw_create(&d, LOWER, NULL, &seg, 1, NULL) == DMW_OK, "%s", d.err);
	dmw_close(&d);
	snprintf(params, sizeof(params), "%s 0 0 %s 0 0", LOWER_DEV, RAM0);
	run_bin(&r, VM_ARGS("setup", "--target-type", "delay", "--main", LOWER_DEV, "--params",
			    params, "--name", "vmhang"));
	ck_assert_msg(r->status == 0, "setup: %d %s", r->status, r->err);
	j = load_json(HANG_REC);
	ck_assert_str_eq(jstr(j, "state"), "active");
	snprintf(sysname, sizeof(sysname), "%s", jstr(j, "sysname"));
	json_decref(j);

	/* Freeze: suspend the lower device, leave dirty pages in its page cache. */
	ck_assert_msg(set_suspended(true), "cannot suspend " LOWER);
	buf = malloc(65536);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 0x5a, 65536);
	t0 = now_s();
	fd = open(LOWER_DEV, O_WRONLY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "%s: %s", LOWER_DEV, strerror(errno));
	ck_assert_int_eq(pwrite(fd, buf, 65536, 0), 65536);
	ck_assert_int_eq(close(fd), 0);
	free(buf);
	ck_assert_msg(now_s() - t0 < 5, "the buffered write took %.1f s", now_s() - t0);

	/* The removal hangs: reported at once, recorded, the child left in D state. */
	run_bin(&r, VM_ARGS("teardown", "--all", "--timeout", "1s"));
	ck_assert_msg(r->status == 4, "teardown: %d %s", r->status, r->err);
	ck_assert_msg(r->wall_s < 15, "teardown took %.1f s", r->wall_s);
	ck_assert_msg(strstr(r->err, "hung in the kernel"), "%s", r->err);
	j = load_json(HANG_REC);
	ck_assert_str_eq(jstr(j, "state"), "hung");
	h = json_object_get(j, "hung");
	pid = (pid_t)json_integer_value(json_object_get(h, "pid"));
	ck_assert_int_gt(pid, 0);
	ck_assert_msg(proc_state(pid) == 'D', "pid %d is in state %c", (int)pid,
		      proc_state(pid));
	ck_assert_str_eq(jstr(json_array_get(json_object_get(h, "holds"), 0), "name"), "ram0");
	ck_assert_msg(jstr(h, "since")[0], "no since");
	json_decref(j);
	snprintf(pidtxt, sizeof(pidtxt), "pid %d", (int)pid);
	snprintf(want, sizeof(want), "dmrb-vmhang (%s, ", sysname);
	ck_assert_msg(strstr(r->err, want) && strstr(r->err, "is stuck") &&
		      strstr(r->err, pidtxt) && strstr(r->err, "still in D state") &&
		      strstr(r->err, "/dev/ram0") && strstr(r->err, "needs a reboot"),
		      "teardown does not report the stuck device: %s", r->err);
	/* What the kernel shows: dm-N without a name, still holding ram0. */
	ck_assert(sys_exists(sysname));

	/* status reports it, and fails. */
	run_bin(&r, VM_ARGS("status"));
	ck_assert_msg(r->status == 4, "status: %d %s %s", r->status, r->out, r->err);
	snprintf(want, sizeof(want), "STUCK dmrb-vmhang (%s, ", sysname);
	ck_assert_msg(strstr(r->out, want) && strstr(r->out, "still in D state") &&
		      strstr(r->out, "still holds    /dev/ram0") &&
		      strstr(r->out, "needs a reboot to clear") &&
		      !strstr(r->out, "no dmremap-bench devices"), "status: %s", r->out);
	snprintf(want, sizeof(want), "removal pid    %d, ", (int)pid);
	ck_assert_msg(strstr(r->out, want), "status lacks '%s': %s", want, r->out);
	run_bin(&r, VM_ARGS("status", "--output-format", "json"));
	ck_assert_msg(r->status == 4, "status json: %d %s", r->status, r->err);
	ck_assert_msg(r->doc != NULL, "not JSON: %s", r->out);
	s = json_array_get(json_object_get(r->doc, "stuck"), 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(jstr(s, "name"), "dmrb-vmhang");
	ck_assert_str_eq(jstr(s, "sysname"), sysname);
	ck_assert_str_eq(jstr(s, "removal_process"), "D");
	ck_assert_int_eq(json_integer_value(json_object_get(s, "removal_pid")), pid);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(s, "holds"), 0)),
			 "/dev/ram0");
	ck_assert(json_is_true(json_object_get(s, "needs_reboot")));

	/* By name too, though device-mapper no longer knows the name. */
	run_bin(&r, VM_ARGS("status", "vmhang"));
	ck_assert_msg(r->status == 4 && strstr(r->out, "STUCK dmrb-vmhang"), "status vmhang: %d %s",
		      r->status, r->out);
	run_bin(&r, VM_ARGS("teardown", "vmhang", "--timeout", "1s"));
	ck_assert_msg(r->status == 4 && strstr(r->err, "dmrb-vmhang (") &&
		      strstr(r->err, "is stuck") && !strstr(r->err, "nothing to do"),
		      "teardown vmhang: %d %s", r->status, r->err);

	/* A later teardown does not hang, and still fails. */
	run_bin(&r, VM_ARGS("teardown", "--all", "--timeout", "1s"));
	ck_assert_msg(r->status == 4 && strstr(r->err, "is stuck") && strstr(r->err, pidtxt) &&
		      strstr(r->err, "/dev/ram0"), "teardown again: %d %s", r->status, r->err);
	ck_assert_msg(!strstr(r->err, "nothing to do"), "%s", r->err);
	ck_assert_msg(r->wall_s < 10, "teardown again took %.1f s", r->wall_s);

	/* setup on what it holds says so. */
	run_bin(&r, VM_ARGS("setup", "--target-type", "linear", "--main", RAM0, "--name",
			    "vmother"));
	ck_assert_msg(r->status == 2 && strstr(r->err, "--main: " RAM0 " is in use: held by") &&
		      strstr(r->err, "dmrb-vmhang") && strstr(r->err, "needs a reboot"),
		      "setup on ram0: %d %s", r->status, r->err);

	/* Without the record, sysfs still shows a nameless device holding ram0. */
	ck_assert_int_eq(rename(HANG_REC, HIDDEN_REC), 0);
	run_bin(&r, VM_ARGS("status"));
	snprintf(want, sizeof(want), "STUCK nameless %s (", sysname);
	ck_assert_msg(r->status == 4 && strstr(r->out, want) &&
		      strstr(r->out, "still holds    /dev/ram0"), "status without record: %d %s",
		      r->status, r->out);
	ck_assert_int_eq(rename(HIDDEN_REC, HANG_REC), 0);

	/* Thaw: the write-back and the removal finish; the next teardown cleans up. */
	thaw(sysname);
	ck_assert_msg(!sys_exists(sysname), "%s still there after the thaw", sysname);
	for (i = 0; i < 100 && proc_state(pid) == 'D'; i++) {
		struct timespec ts = { 0, 50000000 };

		nanosleep(&ts, NULL);
	}
	ck_assert_msg(proc_state(pid) != 'D', "pid %d still in D state", (int)pid);
	run_bin(&r, VM_ARGS("teardown", "--all"));
	ck_assert_msg(r->status == 0 && !strstr(r->err, "is stuck") &&
		      strstr(r->err, "dmrb-vmhang, stuck in the kernel before, is gone now"),
		      "teardown after the thaw: %d %s", r->status, r->err);
	ck_assert_msg(access(HANG_REC, F_OK) != 0, "the record is still there");
	run_bin(&r, VM_ARGS("status"));
	ck_assert_msg(r->status == 0 && strstr(r->out, "no dmremap-bench devices"),
		      "status after the thaw: %d %s %s", r->status, r->out, r->err);
	run_bin(&r, VM_ARGS("setup", "--target-type", "linear", "--main", RAM0, "--name",
			    "vmother"));
	ck_assert_msg(r->status == 0, "setup on ram0 after the thaw: %d %s", r->status, r->err);
	run_bin(&r, VM_ARGS("teardown", "vmother"));
	ck_assert_int_eq(r->status, 0);
	vm_run_free(r);
}
END_TEST

static Suite *hang_suite(void)
{
	Suite *s = suite_create("dm-hang");
	TCase *tc = tcase_create("hang");

	tcase_add_checked_fixture(tc, cleanup, cleanup);
	tcase_add_test(tc, records_follow_devices);
	tcase_add_test(tc, hang_remembered);
	/* Well below the VM's limit per program (240 s), so main() always cleans up. */
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int rc = vm_need(TAG, 0, 2);

	if (rc)
		return rc;
	/* No udev in the guest: libdevmapper makes and removes the nodes itself. */
	dm_udev_set_sync_support(0);
	rc = vm_run_suite(hang_suite());
	/*
	 * A failed (or timed out) test does not run its teardown: never leave
	 * the lower device suspended, or the guest's final sync hangs for good.
	 */
	rename(HIDDEN_REC, HANG_REC);
	cleanup();
	return rc;
}
