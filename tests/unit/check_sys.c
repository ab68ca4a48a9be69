/*
 * The readers of the host's own accounting (src/sys/): /proc/stat, the
 * block devices under a device in sysfs, and the probe that takes them
 * around a measured window, all on fake /proc and /sys trees made here;
 * and the sums and figures the results are made of.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/acct.h"
#include "sys/blocktree.h"
#include "sys/procstat.h"

/* ---- a fake tree ------------------------------------------------------------ */

static char root[256];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "%s: %s", path, strerror(errno));
}

static void link_to(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_int_eq(symlink(target, path), 0);
}

/* A block device of the fake sysfs: dev and stat, and an empty slaves directory. */
static void blockdev(const char *name, unsigned maj, unsigned min, const char *stat)
{
	char rel[256], dev[32], link[128];

	snprintf(rel, sizeof(rel), "sys/class/block/%s", name);
	dir(rel);
	snprintf(rel, sizeof(rel), "sys/class/block/%s/dev", name);
	snprintf(dev, sizeof(dev), "%u:%u\n", maj, min);
	put(rel, dev);
	snprintf(rel, sizeof(rel), "sys/class/block/%s/stat", name);
	put(rel, stat);
	snprintf(rel, sizeof(rel), "sys/class/block/%s/slaves", name);
	dir(rel);
	snprintf(rel, sizeof(rel), "sys/dev/block/%u:%u", maj, min);
	snprintf(link, sizeof(link), "../../devices/virtual/block/%s", name);
	link_to(link, rel);
}

static void slave(const char *of, const char *name)
{
	char rel[256], link[128];

	snprintf(rel, sizeof(rel), "sys/class/block/%s/slaves/%s", of, name);
	snprintf(link, sizeof(link), "../../%s", name);
	link_to(link, rel);
}

static char sysroot[300], procroot[300];

static const char *const zero_stat =
	"       0        0        0        0        0        0        0        0"
	"        0        0        0        0        0        0        0        0        0\n";

/*
 * dm-5 over dm-3 and loop9; dm-3 over loop7 (main) and loop8 (spare);
 * loop9 also under dm-3's neighbour list twice (listed once); "ghost" is a
 * slave entry without a device.
 */
static void make_tree(void)
{
	snprintf(root, sizeof(root), "/tmp/dmrb-check-sys-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	dir("sys");
	dir("sys/class");
	dir("sys/class/block");
	dir("sys/dev");
	dir("sys/dev/block");
	dir("proc");
	blockdev("dm-5", 253, 5, zero_stat);
	blockdev("dm-3", 253, 3, zero_stat);
	blockdev("loop7", 7, 7, zero_stat);
	blockdev("loop8", 7, 8, zero_stat);
	blockdev("loop9", 7, 9, zero_stat);
	blockdev("sda1", 8, 1, zero_stat);
	slave("dm-5", "loop9");
	slave("dm-5", "dm-3");
	slave("dm-3", "loop8");
	slave("dm-3", "loop7");
	slave("dm-3", "loop9");
	slave("dm-3", "ghost");
	snprintf(sysroot, sizeof(sysroot), "%s/sys", root);
	snprintf(procroot, sizeof(procroot), "%s/proc", root);
}

static void remove_tree(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- /proc/stat --------------------------------------------------------------- */

static const char *const stat_text =
	"cpu  648530 7193 593278 274516 27701 11 25703 3 100 0\n"
	"cpu0 324204 3144 294215 137887 17204 5 11806 1 50 0\n"
	"cpu1 324326 4049 299062 136628 10496 6 13896 2 50 0\n"
	"intr 98765432 12 0 0 7 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0\n"
	"ctxt 123456789\n"
	"btime 1764900000\n"
	"processes 4321\n"
	"procs_running 3\n"
	"softirq 1 2 3 4 5 6 7 8 9 10 11\n";

START_TEST(procstat_fields)
{
	struct cpu_ticks t;

	ck_assert_int_eq(procstat_parse(stat_text, &t), 0);
	ck_assert_uint_eq(t.t[CT_USER], 648530);
	ck_assert_uint_eq(t.t[CT_NICE], 7193);
	ck_assert_uint_eq(t.t[CT_SYSTEM], 593278);
	ck_assert_uint_eq(t.t[CT_IDLE], 274516);
	ck_assert_uint_eq(t.t[CT_IOWAIT], 27701);
	ck_assert_uint_eq(t.t[CT_IRQ], 11);
	ck_assert_uint_eq(t.t[CT_SOFTIRQ], 25703);
	ck_assert_uint_eq(t.t[CT_STEAL], 3);
	ck_assert_uint_eq(t.intr, 98765432);
	ck_assert_uint_eq(t.ctxt, 123456789);
	ck_assert_uint_eq(t.cpus, 2);
	ck_assert_str_eq(cpu_tick_names[CT_SOFTIRQ], "softirq");
}
END_TEST

START_TEST(procstat_old_and_bad)
{
	struct cpu_ticks t;

	/* A 2.6.11 kernel: no steal; the rest reads. */
	ck_assert_int_eq(procstat_parse("cpu 1 2 3 4 5 6 7\ncpu0 1 2 3 4 5 6 7\n", &t), 0);
	ck_assert_uint_eq(t.t[CT_SOFTIRQ], 7);
	ck_assert_uint_eq(t.t[CT_STEAL], 0);
	ck_assert_uint_eq(t.cpus, 1);
	/* Fewer than user, nice, system and idle: refused. */
	ck_assert_int_eq(procstat_parse("cpu 1 2 3\n", &t), -1);
	/* cpu0 alone is not the aggregate. */
	ck_assert_int_eq(procstat_parse("cpu0 1 2 3 4\nctxt 5\n", &t), -1);
	ck_assert_int_eq(procstat_parse("", &t), -1);
}
END_TEST

START_TEST(procstat_from_root)
{
	struct cpu_ticks t;

	make_tree();
	put("proc/stat", stat_text);
	ck_assert_int_eq(procstat_read(procroot, &t), 0);
	ck_assert_uint_eq(t.ctxt, 123456789);
	remove_tree();
	ck_assert_int_eq(procstat_read(procroot, &t), -1);
	/* The real one parses on any Linux this runs on. */
	ck_assert_int_eq(procstat_read(NULL, &t), 0);
	ck_assert_uint_ge(t.cpus, 1);
}
END_TEST

/* ---- sysfs -------------------------------------------------------------------- */

START_TEST(tree_walk)
{
	struct blk_node n[BLK_TREE_MAX];
	unsigned maj, min;
	char name[BLK_NAME_MAX];
	int k;

	make_tree();
	k = blk_tree(sysroot, "dm-5", n, BLK_TREE_MAX);
	/* dm-5, then its slaves in name order, depth first, loop9 once. */
	ck_assert_int_eq(k, 5);
	ck_assert_str_eq(n[0].name, "dm-5");
	ck_assert_uint_eq(n[0].depth, 0);
	ck_assert_uint_eq(n[0].major, 253);
	ck_assert_uint_eq(n[0].minor, 5);
	ck_assert_str_eq(n[1].name, "dm-3");
	ck_assert_uint_eq(n[1].depth, 1);
	ck_assert_str_eq(n[2].name, "loop7");
	ck_assert_uint_eq(n[2].depth, 2);
	ck_assert_str_eq(n[3].name, "loop8");
	ck_assert_str_eq(n[4].name, "loop9");
	ck_assert_uint_eq(n[4].depth, 2);
	/* Room for two: the first two met. */
	ck_assert_int_eq(blk_tree(sysroot, "dm-5", n, 2), 2);
	ck_assert_str_eq(n[1].name, "dm-3");
	ck_assert_int_eq(blk_tree(sysroot, "dm-5", n, 0), -1);
	/* A device with no slaves; one that is not there; a path is no name. */
	ck_assert_int_eq(blk_tree(sysroot, "loop7", n, BLK_TREE_MAX), 1);
	ck_assert_int_eq(blk_tree(sysroot, "nvme9n1", n, BLK_TREE_MAX), 0);
	ck_assert_int_eq(blk_tree(sysroot, "../dm-5", n, BLK_TREE_MAX), 0);
	ck_assert_int_eq(blk_tree(sysroot, "", n, BLK_TREE_MAX), 0);
	ck_assert_int_eq(blk_devnum(sysroot, "loop8", &maj, &min), 0);
	ck_assert_uint_eq(maj, 7);
	ck_assert_uint_eq(min, 8);
	ck_assert_int_eq(blk_devnum(sysroot, "ghost", &maj, &min), -1);
	ck_assert_int_eq(blk_name_of(sysroot, 8, 1, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "sda1");
	ck_assert_int_eq(blk_name_of(sysroot, 8, 2, name, sizeof(name)), -1);
	remove_tree();
}
END_TEST

/* ---- the probe ------------------------------------------------------------------- */

static void stat_of(const char *name, unsigned long long reads, unsigned long long sectors,
		    unsigned long long inflight, unsigned long long io_ticks)
{
	char rel[128], text[512];

	snprintf(rel, sizeof(rel), "sys/class/block/%s/stat", name);
	snprintf(text, sizeof(text), "%8llu 3 %llu 40 5 0 80 9 %llu %llu 100 0 0 0 0 2 1\n",
		 reads, sectors, inflight, io_ticks);
	put(rel, text);
}

static void proc_ticks(unsigned long long user, unsigned long long sys,
		       unsigned long long idle, unsigned long long intr,
		       unsigned long long ctxt)
{
	char text[512];

	snprintf(text, sizeof(text), "cpu  %llu 0 %llu %llu 10 0 5 0 0 0\ncpu0 0 0 0 0\n"
		 "cpu1 0 0 0 0\nintr %llu 1 2\nctxt %llu\n", user, sys, idle, intr, ctxt);
	put("proc/stat", text);
}

START_TEST(probe_window)
{
	struct acct_probe p;
	struct cpu_acct cpu;
	struct dev_accts devs;
	char target[BLK_NAME_MAX] = "dm-3";
	unsigned i;

	make_tree();
	stat_of("dm-3", 1000, 8000, 0, 500);
	stat_of("loop7", 900, 7200, 0, 400);
	stat_of("loop8", 10, 80, 0, 5);
	proc_ticks(100, 50, 1000, 7000, 9000);
	acct_probe_init(&p);
	p.sysroot = sysroot;
	p.procroot = procroot;
	p.target_name = target;
	p.main_dev[0] = 7;
	p.main_dev[1] = 7;
	p.spare_dev[0] = 7;
	p.spare_dev[1] = 8;
	acct_probe_begin(&p);
	ck_assert_uint_eq(p.ndev, 4);   /* dm-3, loop7, loop8, loop9 */
	/* The stat files stay open: what is written later is what is read. */
	stat_of("dm-3", 1600, 12800, 12, 900);
	/* Sooner than ACCT_SAMPLE_NS after the begin: no sample. */
	acct_probe_sample(&p);
	ck_assert_uint_eq(p.dev[0].samples, 0);
	p.last_sample_ns -= ACCT_SAMPLE_NS;
	acct_probe_sample(&p);
	stat_of("dm-3", 2000, 16000, 4, 1250);
	stat_of("loop7", 1900, 15200, 7, 1200);
	p.last_sample_ns -= ACCT_SAMPLE_NS;
	acct_probe_sample(&p);
	proc_ticks(160, 90, 1100, 7500, 9800);
	acct_probe_end(&p, &cpu, &devs);
	ck_assert(!p.open);
	for (i = 0; i < ACCT_DEV_MAX; i++)
		ck_assert_int_eq(p.dev[i].fd, -1);
	ck_assert_uint_eq(devs.n, 4);
	ck_assert_str_eq(devs.d[0].name, "dm-3");
	ck_assert_int_eq(devs.d[0].role, DEV_ROLE_TARGET);
	ck_assert_uint_eq(devs.d[0].nfields, 17);
	ck_assert_uint_eq(devs.d[0].delta[DS_RD_IOS], 1000);
	ck_assert_uint_eq(devs.d[0].delta[DS_RD_SECTORS], 8000);
	ck_assert_uint_eq(devs.d[0].delta[DS_IO_TICKS], 750);
	ck_assert_uint_eq(devs.d[0].delta[DS_IN_FLIGHT], 0);
	ck_assert_uint_eq(devs.d[0].inflight_max, 12);
	ck_assert_uint_eq(devs.d[0].inflight_samples, 2);
	ck_assert_double_eq_tol(devs.d[0].inflight_sum, 16, 1e-9);
	ck_assert_str_eq(devs.d[1].name, "loop7");
	ck_assert_int_eq(devs.d[1].role, DEV_ROLE_MAIN);
	ck_assert_uint_eq(devs.d[1].depth, 1);
	ck_assert_uint_eq(devs.d[1].delta[DS_RD_IOS], 1000);
	ck_assert_uint_eq(devs.d[1].inflight_max, 7);
	ck_assert_int_eq(devs.d[2].role, DEV_ROLE_SPARE);
	ck_assert_uint_eq(devs.d[2].delta[DS_RD_IOS], 0);
	ck_assert_int_eq(devs.d[3].role, DEV_ROLE_SLAVE);
	ck_assert_uint_gt(devs.d[0].window_ns, 0);
	ck_assert_uint_eq(devs.d[0].window_ns, cpu.window_ns);
	ck_assert(cpu.have_system);
	ck_assert_uint_eq(cpu.ticks[CT_USER], 60);
	ck_assert_uint_eq(cpu.ticks[CT_SYSTEM], 40);
	ck_assert_uint_eq(cpu.ticks[CT_IDLE], 100);
	ck_assert_uint_eq(cpu.ticks[CT_SOFTIRQ], 0);
	ck_assert_uint_eq(cpu.interrupts, 500);
	ck_assert_uint_eq(cpu.context_switches, 800);
	ck_assert_uint_eq(cpu.cpus, 2);
	ck_assert_uint_eq(cpu.windows, 1);
	/* Without a begin, an end measures nothing. */
	acct_probe_end(&p, &cpu, &devs);
	ck_assert_uint_eq(cpu.window_ns, 0);
	ck_assert_uint_eq(devs.n, 0);
	/* No /proc/stat: the tool's figures only. */
	remove_tree();
	acct_probe_begin(&p);
	ck_assert_uint_eq(p.ndev, 0);
	acct_probe_end(&p, &cpu, &devs);
	ck_assert(!cpu.have_system);
	ck_assert_uint_gt(cpu.window_ns, 0);
	ck_assert_uint_ge(cpu.cpus, 1);
}
END_TEST

/* The probe's own CPU reading follows the process's: burn some, see it. */
START_TEST(probe_tool_cpu)
{
	struct acct_probe p;
	struct cpu_acct cpu;
	struct dev_accts devs;
	volatile double x = 0;
	long i;

	acct_probe_init(&p);
	acct_probe_begin(&p);
	for (i = 0; i < 100000000; i++)
		x += sqrt((double)i);
	acct_probe_end(&p, &cpu, &devs);
	ck_assert_uint_gt(cpu.tool_user_ns, 20000000);
	ck_assert_uint_le(cpu.tool_user_ns + cpu.tool_system_ns, cpu.window_ns + 20000000);
	ck_assert(cpu.have_system);
}
END_TEST

/* ---- sums and figures ------------------------------------------------------------ */

START_TEST(figures)
{
	struct cpu_acct a = {
		.window_ns = 2000000000, .windows = 1, .tool_user_ns = 300000000,
		.tool_system_ns = 100000000, .cpus = 2, .have_system = true,
		.interrupts = 10, .context_switches = 20,
	};
	struct cpu_figures f;

	a.ticks[CT_USER] = 100;
	a.ticks[CT_SYSTEM] = 50;
	a.ticks[CT_SOFTIRQ] = 10;
	a.ticks[CT_IDLE] = 30;
	a.ticks[CT_IOWAIT] = 6;
	a.ticks[CT_STEAL] = 4;
	cpu_acct_figures(&a, 100000, 100, &f);
	ck_assert_double_eq_tol(f.window_s, 2.0, 1e-12);
	ck_assert_double_eq_tol(f.tool_s, 0.4, 1e-12);
	ck_assert_double_eq_tol(f.busy_s, 1.6, 1e-12);
	ck_assert_double_eq_tol(f.total_s, 2.0, 1e-12);
	ck_assert_double_eq_tol(f.busy_pct, 80, 1e-9);
	ck_assert_double_eq_tol(f.tool_pct, 20, 1e-9);
	ck_assert_double_eq_tol(f.per_io_tool_ns, 4000, 1e-6);
	ck_assert_double_eq_tol(f.per_io_system_ns, 16000, 1e-6);
	cpu_acct_figures(&a, 0, 100, &f);
	ck_assert(isnan(f.per_io_tool_ns));
	a.have_system = false;
	cpu_acct_figures(&a, 100000, 100, &f);
	ck_assert(isnan(f.busy_pct));
	ck_assert(isnan(f.per_io_system_ns));
	ck_assert_double_eq_tol(f.tool_pct, 10, 1e-9);   /* of 2 CPUs x 2 s */
}
END_TEST

START_TEST(sums)
{
	struct cpu_acct t = { 0 }, a = { .window_ns = 10, .windows = 1, .tool_user_ns = 3,
					 .cpus = 2, .have_system = true, .interrupts = 5 };
	struct cpu_acct b = { .window_ns = 20, .windows = 1, .tool_user_ns = 4, .cpus = 4,
			      .have_system = false, .interrupts = 6 };
	struct dev_accts x = { .n = 2 }, y = { .n = 2 };

	a.ticks[CT_USER] = 7;
	b.ticks[CT_USER] = 8;
	cpu_acct_add(&t, &a);
	ck_assert(t.have_system);
	cpu_acct_add(&t, &b);
	ck_assert_uint_eq(t.window_ns, 30);
	ck_assert_uint_eq(t.windows, 2);
	ck_assert_uint_eq(t.tool_user_ns, 7);
	ck_assert_uint_eq(t.ticks[CT_USER], 15);
	ck_assert_uint_eq(t.interrupts, 11);
	ck_assert_uint_eq(t.cpus, 4);
	ck_assert(!t.have_system);   /* one window without /proc/stat */
	/* Devices: the target by role (a new name), a slave by name. */
	snprintf(x.d[0].name, BLK_NAME_MAX, "dm-3");
	x.d[0].role = DEV_ROLE_TARGET;
	x.d[0].nfields = 17;
	x.d[0].delta[DS_RD_IOS] = 5;
	x.d[0].delta[DS_IO_TICKS] = 500;
	x.d[0].window_ns = 1000000000;
	x.d[0].inflight_max = 9;
	snprintf(x.d[1].name, BLK_NAME_MAX, "loop7");
	x.d[1].role = DEV_ROLE_SLAVE;
	x.d[1].nfields = 17;
	y.d[0] = x.d[0];
	snprintf(y.d[0].name, BLK_NAME_MAX, "dm-4");
	y.d[0].inflight_max = 3;
	y.d[0].delta[DS_IO_TICKS] = 1000;
	y.d[0].nfields = 15;
	snprintf(y.d[1].name, BLK_NAME_MAX, "loop8");
	y.d[1].role = DEV_ROLE_SLAVE;
	dev_accts_add(&x, &y);
	ck_assert_uint_eq(x.n, 3);
	ck_assert_str_eq(x.d[0].name, "dm-4");
	ck_assert_uint_eq(x.d[0].delta[DS_RD_IOS], 10);
	ck_assert_uint_eq(x.d[0].window_ns, 2000000000);
	ck_assert_uint_eq(x.d[0].inflight_max, 9);
	ck_assert_uint_eq(x.d[0].nfields, 15);
	ck_assert_double_eq_tol(dev_acct_util_pct(&x.d[0]), 75, 1e-9);
	ck_assert_str_eq(x.d[2].name, "loop8");
	x.d[2].window_ns = 0;
	ck_assert(isnan(dev_acct_util_pct(&x.d[2])));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sys");
	TCase *tc = tcase_create("sys");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, procstat_fields);
	tcase_add_test(tc, procstat_old_and_bad);
	tcase_add_test(tc, procstat_from_root);
	tcase_add_test(tc, tree_walk);
	tcase_add_test(tc, probe_window);
	tcase_add_test(tc, probe_tool_cpu);
	tcase_add_test(tc, figures);
	tcase_add_test(tc, sums);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
