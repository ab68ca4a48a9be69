/*
 * Real device-mapper, for inside the test VM (root, brd RAM disks
 * /dev/ram0../dev/ram3 from rd_nr=4 rd_size=65536, no udev): the dm
 * wrapper's calls, and the setup/status/teardown commands of the binary
 * named by DMRB_BIN. Exits 77 (skipped) where there is no device-mapper.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dm/dm.h"
#include "target/loop.h"
#include "util/timeutil.h"
#include "vmtest.h"

#define TAG "check_dm"
#define RAM0 "/dev/ram0"
#define RAM1 "/dev/ram1"

static void create_linear(struct dmw *d, const char *name, const char *uuid, uint64_t len,
			  const char *params)
{
	struct dmw_segment seg = { 0, len, "linear", params };
	int rc = dmw_create(d, name, uuid, &seg, 1, NULL);

	ck_assert_msg(rc == DMW_OK, "create %s: %s", name, d->err);
}

/* Whatever a test left behind: every device of ours and the foreign test one. */
static void cleanup(void)
{
	vm_remove_devices("vmtest-", 1);
}

START_TEST(linear_lifecycle)
{
	struct dmw_table t;
	struct dmw_info info;
	struct dmw d;
	char reply[64], sys[128];
	int rc;

	init_dm(&d);
	create_linear(&d, "dmrb-vm-lin", "DMRB-dmrb-vm-lin", 2048, RAM0 " 0");
	ck_assert_int_eq(dmw_info(&d, "dmrb-vm-lin", &info), DMW_OK);
	ck_assert(info.exists);
	ck_assert_str_eq(info.uuid, "DMRB-dmrb-vm-lin");
	ck_assert_str_eq(info.devnode, "/dev/mapper/dmrb-vm-lin");
	ck_assert_msg(access(info.devnode, F_OK) == 0, "no node %s", info.devnode);
	snprintf(sys, sizeof(sys), "/sys/block/%s/dm/name", info.sysname);
	ck_assert_msg(access(sys, F_OK) == 0, "no %s", sys);
	ck_assert_int_eq(info.open_count, 0);

	ck_assert_int_eq(dmw_get_table(&d, "dmrb-vm-lin", &t), DMW_OK);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_uint_eq(t.seg[0].start, 0);
	ck_assert_uint_eq(t.seg[0].len, 2048);
	ck_assert_str_eq(t.seg[0].type, "linear");
	ck_assert_str_eq(t.seg[0].params, "1:0 0");  /* brd is major 1 */
	dmw_table_free(&t);
	ck_assert_int_eq(dmw_get_status(&d, "dmrb-vm-lin", &t), DMW_OK);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_str_eq(t.seg[0].type, "linear");
	dmw_table_free(&t);

	/* linear takes no messages: a clear refusal, not a crash or a hang. */
	rc = dmw_message(&d, "dmrb-vm-lin", 0, "help", reply, sizeof(reply));
	ck_assert_msg(rc == DMW_ERR_INVAL, "message: %d %s", rc, d.err);
	ck_assert_msg(strstr(d.err, "rejected the message 'help'"), "%s", d.err);
	ck_assert_str_eq(reply, "");
	ck_assert_int_eq(dmw_message(&d, "dmrb-vm-none", 0, "help", reply, sizeof(reply)),
			 DMW_ERR_NOENT);

	/* Same name, or same UUID, again. */
	{
		struct dmw_segment seg = { 0, 2048, "linear", RAM0 " 0" };

		ck_assert_int_eq(dmw_create(&d, "dmrb-vm-lin", NULL, &seg, 1, NULL),
				 DMW_ERR_EXIST);
		ck_assert_int_eq(dmw_create(&d, "dmrb-vm-lin2", "DMRB-dmrb-vm-lin", &seg, 1, NULL),
				 DMW_ERR_EXIST);
		/* A table the kernel rejects: past the end of the RAM disk. */
		seg.params = RAM0 " 999999999";
		rc = dmw_create(&d, "dmrb-vm-bad", NULL, &seg, 1, NULL);
		ck_assert_msg(rc == DMW_ERR_INVAL, "bad table: %d %s", rc, d.err);
		ck_assert_int_eq(dmw_info(&d, "dmrb-vm-bad", &info), DMW_OK);
		ck_assert(!info.exists);
	}

	ck_assert_msg(dmw_remove(&d, "dmrb-vm-lin") == DMW_OK, "remove: %s", d.err);
	ck_assert_int_eq(dmw_info(&d, "dmrb-vm-lin", &info), DMW_OK);
	ck_assert(!info.exists);
	ck_assert(access("/dev/mapper/dmrb-vm-lin", F_OK) != 0);
	ck_assert_int_eq(dmw_remove(&d, "dmrb-vm-lin"), DMW_ERR_NOENT);
	ck_assert_int_eq(dmw_get_status(&d, "dmrb-vm-lin", &t), DMW_ERR_NOENT);
	dmw_close(&d);
}
END_TEST

START_TEST(linear_and_error)
{
	struct dmw_segment seg[2] = {
		{ 0, 1024, "linear", RAM0 " 0" },
		{ 1024, 1024, "error", "" },
	};
	struct dmw_table t;
	struct dmw_info info;
	struct dmw d;
	void *buf;
	int fd;

	init_dm(&d);
	ck_assert_msg(dmw_create(&d, "dmrb-vm-two", "DMRB-dmrb-vm-two", seg, 2, &info) == DMW_OK,
		      "%s", d.err);
	ck_assert(info.exists);
	ck_assert_int_eq(dmw_get_table(&d, "dmrb-vm-two", &t), DMW_OK);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_str_eq(t.seg[0].type, "linear");
	ck_assert_uint_eq(t.seg[1].start, 1024);
	ck_assert_uint_eq(t.seg[1].len, 1024);
	ck_assert_str_eq(t.seg[1].type, "error");
	dmw_table_free(&t);
	ck_assert_int_eq(dmw_get_status(&d, "dmrb-vm-two", &t), DMW_OK);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_str_eq(t.seg[1].type, "error");
	dmw_table_free(&t);

	/* The good half reads, the bad half fails with EIO. */
	ck_assert_int_eq(posix_memalign(&buf, 4096, 4096), 0);
	fd = open(info.devnode, O_RDONLY | O_DIRECT);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, 4096, 0), 4096);
	errno = 0;
	ck_assert_int_eq(pread(fd, buf, 4096, 1024 * 512), -1);
	ck_assert_int_eq(errno, EIO);
	close(fd);
	free(buf);
	ck_assert_msg(dmw_remove(&d, "dmrb-vm-two") == DMW_OK, "%s", d.err);
	dmw_close(&d);
}
END_TEST

static const struct dmw_device *find_dev(const struct dmw_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->dev[i].name, name) == 0)
			return &l->dev[i];
	return NULL;
}

START_TEST(listing_and_deps)
{
	struct dmw_list l;
	struct dmw d;
	dev_t deps[4];
	size_t n;
	unsigned v[3];

	init_dm(&d);
	create_linear(&d, "dmrb-vm-a", "DMRB-dmrb-vm-a", 2048, RAM0 " 0");
	create_linear(&d, "vmtest-other", "OTHER-vmtest", 2048, RAM0 " 2048");
	ck_assert_int_eq(dmw_list(&d, true, &l), DMW_OK);
	ck_assert_ptr_nonnull(find_dev(&l, "dmrb-vm-a"));
	ck_assert_str_eq(find_dev(&l, "dmrb-vm-a")->uuid, "DMRB-dmrb-vm-a");
	ck_assert_ptr_null(find_dev(&l, "vmtest-other"));
	dmw_list_free(&l);
	ck_assert_int_eq(dmw_list(&d, false, &l), DMW_OK);
	ck_assert_ptr_nonnull(find_dev(&l, "dmrb-vm-a"));
	ck_assert_ptr_nonnull(find_dev(&l, "vmtest-other"));
	dmw_list_free(&l);

	ck_assert_int_eq(dmw_deps(&d, "dmrb-vm-a", deps, 4, &n), DMW_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(major(deps[0]), 1);
	ck_assert_uint_eq(minor(deps[0]), 0);

	ck_assert_int_eq(dmw_target_version(&d, "linear", &v[0], &v[1], &v[2]), DMW_OK);
	ck_assert_uint_ge(v[0], 1);
	ck_assert_int_eq(dmw_target_version(&d, "no-such-target", &v[0], &v[1], &v[2]),
			 DMW_ERR_NOENT);
	ck_assert_msg(strstr(d.err, "modprobe dm-no-such-target"), "%s", d.err);

	ck_assert_int_eq(dmw_remove(&d, "dmrb-vm-a"), DMW_OK);
	ck_assert_int_eq(dmw_remove(&d, "vmtest-other"), DMW_OK);
	dmw_close(&d);
}
END_TEST

/* A child holding a device open until told to let go (by closing the pipe). */
static pid_t hold_open(const char *path, int *release_fd)
{
	int p[2], ready[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(path, O_RDONLY);

		close(p[1]);
		close(ready[0]);
		if (write(ready[1], fd >= 0 ? "y" : "n", 1) != 1)
			_exit(1);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(c, 'y');
	close(ready[0]);
	*release_fd = p[1];
	return pid;
}

START_TEST(remove_busy)
{
	struct dmw_info top_info;
	struct dmw d;
	char pidstr[32], params[64];
	uint64_t t0;
	pid_t holder;
	int release, rc;

	init_dm(&d);
	d.busy_retries = 3;
	d.busy_delay_ms = 100;
	create_linear(&d, "dmrb-vm-busy", "DMRB-dmrb-vm-busy", 2048, RAM0 " 0");
	holder = hold_open("/dev/mapper/dmrb-vm-busy", &release);
	t0 = now_ns();
	rc = dmw_remove(&d, "dmrb-vm-busy");
	ck_assert_msg(rc == DMW_ERR_BUSY, "held open: %d %s", rc, d.err);
	/* Bounded: 3 retries 100 ms apart, plus the calls themselves. */
	ck_assert_uint_lt((now_ns() - t0) / NSEC_PER_MSEC, 20000);
	ck_assert_msg(strstr(d.err, "4 attempts") && strstr(d.err, "open count 1"), "%s", d.err);
	snprintf(pidstr, sizeof(pidstr), "open in pid %d", (int)holder);
	ck_assert_msg(strstr(d.err, pidstr), "'%s' lacks '%s'", d.err, pidstr);
	close(release);
	ck_assert_int_eq(waitpid(holder, NULL, 0), holder);
	ck_assert_msg(dmw_remove(&d, "dmrb-vm-busy") == DMW_OK, "after close: %s", d.err);

	/* Held by another device-mapper device stacked on it. */
	create_linear(&d, "dmrb-vm-low", "DMRB-dmrb-vm-low", 2048, RAM0 " 0");
	ck_assert_int_eq(dmw_info(&d, "dmrb-vm-low", &top_info), DMW_OK);
	snprintf(params, sizeof(params), "%u:%u 0", top_info.major, top_info.minor);
	create_linear(&d, "dmrb-vm-top", "DMRB-dmrb-vm-top", 2048, params);
	rc = dmw_remove(&d, "dmrb-vm-low");
	ck_assert_int_eq(rc, DMW_ERR_BUSY);
	ck_assert_msg(strstr(d.err, "held by dm-") && strstr(d.err, "(dmrb-vm-top)"), "%s", d.err);
	ck_assert_int_eq(dmw_remove(&d, "dmrb-vm-top"), DMW_OK);
	ck_assert_int_eq(dmw_remove(&d, "dmrb-vm-low"), DMW_OK);
	dmw_close(&d);
}
END_TEST

/* ---- the binary ------------------------------------------------------------ */

/* Run DMRB_BIN with args, at most 120 s, in place of the run in *r (freed). */
static void run_bin(struct vm_run **r, const char *const *args)
{
	vm_run_free(*r);
	*r = vm_run(TAG, args, 120);
}

START_TEST(binary_linear)
{
	struct vm_run *r = NULL;
	json_t *dev;

	run_bin(&r, VM_ARGS("setup", "--target-type", "linear", "--main", RAM0, "--spare", RAM1,
			    "--name", "vmbin"));
	ck_assert_msg(r->status == 0, "setup: %d %s", r->status, r->err);
	ck_assert_str_eq(r->out, "/dev/mapper/dmrb-vmbin\n");
	ck_assert(access("/dev/mapper/dmrb-vmbin", F_OK) == 0);

	run_bin(&r, VM_ARGS("setup", "--target-type", "linear", "--main", RAM0, "--spare", RAM1,
			    "--name", "vmbin"));
	ck_assert_msg(r->status == 2 && strstr(r->err, "already exists"), "again: %d %s",
		      r->status, r->err);

	run_bin(&r, VM_ARGS("status"));
	ck_assert_msg(r->status == 0, "status: %d %s", r->status, r->err);
	ck_assert_msg(strstr(r->out, "dmrb-vmbin") && strstr(r->out, "linear"), "%s", r->out);

	run_bin(&r, VM_ARGS("status", "vmbin", "--output-format", "json"));
	ck_assert_msg(r->status == 0, "status json: %d %s", r->status, r->err);
	ck_assert_msg(r->doc != NULL, "not JSON: %s", r->out);
	dev = json_array_get(json_object_get(r->doc, "devices"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(dev, "name")), "dmrb-vmbin");
	ck_assert_str_eq(json_string_value(json_object_get(dev, "uuid")), "DMRB-dmrb-vmbin");
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(json_object_get(dev, "table"), 0), "type")), "linear");
	ck_assert_int_eq(json_integer_value(json_object_get(
		json_array_get(json_object_get(dev, "table"), 0), "length")), 131072);

	run_bin(&r, VM_ARGS("teardown", "--all"));
	ck_assert_msg(r->status == 0, "teardown: %d %s", r->status, r->err);
	ck_assert_msg(strstr(r->out, "removed dmrb-vmbin"), "%s", r->out);
	ck_assert_uint_eq(count_ours(), 0);
	ck_assert(access("/dev/mapper/dmrb-vmbin", F_OK) != 0);

	/* Twice is fine. */
	run_bin(&r, VM_ARGS("teardown", "--all"));
	ck_assert_msg(r->status == 0 && strstr(r->err, "nothing to do"), "again: %d %s",
		      r->status, r->err);
	vm_run_free(r);
}
END_TEST

START_TEST(binary_refusals)
{
	struct vm_run *r = NULL;
	struct dmw d;

	if (!vm_target_loaded("dm-remap-v4")) {
		run_bin(&r, VM_ARGS("setup", "--main", RAM0, "--spare", RAM1));
		ck_assert_msg(r->status == 2, "dm-remap-v4 not loaded: %d %s", r->status, r->err);
		ck_assert_msg(strstr(r->err, "modprobe dm-bufio && modprobe dm_remap"), "%s",
			      r->err);
	}
	/* Main and spare the same device. */
	run_bin(&r, VM_ARGS("setup", "--target-type", "linear", "--main", RAM0, "--spare", RAM0));
	ck_assert_msg(r->status == 2 && strstr(r->err, "main device too"), "%d %s", r->status,
		      r->err);
	/* In use: a device-mapper device stands on ram2. */
	init_dm(&d);
	create_linear(&d, "vmtest-holder", NULL, 2048, "/dev/ram2 0");
	run_bin(&r, VM_ARGS("setup", "--target-type", "linear", "--main", "/dev/ram2"));
	ck_assert_msg(r->status == 2 && strstr(r->err, "in use"), "%d %s", r->status, r->err);
	/* Not ours: teardown refuses it by name. */
	run_bin(&r, VM_ARGS("teardown", "vmtest-holder"));
	ck_assert_msg(r->status == 2 && strstr(r->err, "not created by dmremap-bench"), "%d %s",
		      r->status, r->err);
	ck_assert_int_eq(dmw_remove(&d, "vmtest-holder"), DMW_OK);
	dmw_close(&d);
	vm_run_free(r);
}
END_TEST

/* Regular files get loop devices that go away with the device. */
START_TEST(binary_files)
{
	struct vm_run *r = NULL;
	char paths[8][32];

	if (access("/dev/loop-control", F_OK)) {
		/* No loop driver in this guest: nothing here can be exercised. */
		fprintf(stderr, "check_dm: binary_files: no /dev/loop-control, not run\n");
		return;
	}
	vm_make_file("/tmp/check_dm_main.img", 32 << 20);
	vm_make_file("/tmp/check_dm_spare.img", 4 << 20);
	run_bin(&r, VM_ARGS("setup", "--target-type", "linear", "--main", "/tmp/check_dm_main.img",
			    "--spare", "/tmp/check_dm_spare.img", "--name", "vmfile"));
	ck_assert_msg(r->status == 0, "setup: %d %s", r->status, r->err);
	/*
	 * linear does not use the spare, so its autoclear loop device went when
	 * setup closed it; the main one is held by the dm device.
	 */
	ck_assert_uint_eq(loop_list_ours(paths, 8), 1);
	run_bin(&r, VM_ARGS("teardown", "vmfile"));
	ck_assert_msg(r->status == 0, "teardown: %d %s", r->status, r->err);
	/* The main loop device went with the dm device (autoclear). */
	ck_assert_uint_eq(loop_list_ours(paths, 8), 0);
	unlink("/tmp/check_dm_main.img");
	unlink("/tmp/check_dm_spare.img");
	vm_run_free(r);
}
END_TEST

static Suite *vm_suite(void)
{
	Suite *s = suite_create("dm-vm");
	TCase *tc = tcase_create("dm");

	tcase_add_checked_fixture(tc, cleanup, cleanup);
	tcase_add_test(tc, linear_lifecycle);
	tcase_add_test(tc, linear_and_error);
	tcase_add_test(tc, listing_and_deps);
	tcase_add_test(tc, remove_busy);
	tcase_add_test(tc, binary_linear);
	tcase_add_test(tc, binary_refusals);
	tcase_add_test(tc, binary_files);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int rc = vm_need(TAG, 0, 3);

	return rc ? rc : vm_run_suite(vm_suite());
}
