/*
 * What a measured window cost the host: CPU time (the tool's own, from
 * getrusage; the system's, from /proc/stat), interrupts and context
 * switches, and the block devices' own counters for the target and every
 * device under it (sys/blocktree.h), from /sys/class/block/<dev>/stat.
 *
 * The probe takes its readings around the measured window of an engine
 * run, from the engine's monitor thread (never a worker): begin at the end
 * of the ramp, a sample of each device's in-flight count every monitor
 * sample period, end after the last I/O drained. The figures it leaves
 * (struct cpu_acct, struct dev_accts) add up over windows (the runs of
 * --repeat, the slices of a reference, the steps of a sweep), so a merged
 * result's cost is exact like its counts.
 *
 * The tool's CPU is that of the process doing the run (the supervisor's
 * child: run/supervise.h), every thread of it. The system's is the whole
 * machine's, the tool included: on a shared machine, other work counts too.
 *
 * The probe keeps the devices' stat files open while a window lasts (so a
 * sample is one pread); acct_probe_end closes them, and so does
 * acct_probe_reset for a window that never ended.
 */
#ifndef DMRB_SYS_ACCT_H
#define DMRB_SYS_ACCT_H

#include <stdbool.h>
#include <stdint.h>

#include "sys/blocktree.h"
#include "sys/devstat.h"
#include "sys/procstat.h"

#define ACCT_DEV_MAX BLK_TREE_MAX
/*
 * The devices' in-flight counts are read at most this often: a read of a
 * blk-mq device's stat file walks its tags, 8-11 us on the loop device of
 * the development machine (0.1% of a CPU per device at every 10 ms).
 */
#define ACCT_SAMPLE_NS (100 * 1000000ULL)

enum dev_role { DEV_ROLE_TARGET, DEV_ROLE_MAIN, DEV_ROLE_SPARE, DEV_ROLE_SLAVE,
		DEV_ROLE_FILESYSTEM };
extern const char *const dev_role_names[];

/* CPU over the measured windows; window_ns 0: nothing was measured. */
struct cpu_acct {
	uint64_t window_ns;
	unsigned windows;
	uint64_t tool_user_ns, tool_system_ns;
	uint64_t tool_vcsw, tool_ivcsw;      /* voluntary, involuntary context switches */
	uint64_t ticks[CT_KINDS];            /* the system's, USER_HZ ticks */
	uint64_t interrupts, context_switches;
	unsigned cpus;
	bool have_system;                    /* /proc/stat was read both times */
};

/* One device's counters over the measured windows. */
struct dev_acct {
	char name[BLK_NAME_MAX];
	enum dev_role role;
	unsigned depth;
	uint64_t delta[DEVSTAT_FIELDS];      /* DS_IN_FLIGHT unused: see inflight_* */
	unsigned nfields;                    /* fields the kernel has (11, 15, 17) */
	uint64_t window_ns;
	uint64_t inflight_max;
	double inflight_sum;
	uint64_t inflight_samples;
};

struct dev_accts {
	struct dev_acct d[ACCT_DEV_MAX];
	unsigned n;
};

/* to += from: times and counts add, the largest in-flight is kept. */
void cpu_acct_add(struct cpu_acct *to, const struct cpu_acct *from);
/*
 * Devices match by role for the target, main and spare (a device created
 * again between slices gets a new name), by name otherwise.
 */
void dev_accts_add(struct dev_accts *to, const struct dev_accts *from);

/* The figures a result shows, derived from the sums. */
struct cpu_figures {
	double window_s;
	double tool_user_s, tool_system_s, tool_s;
	double sys_s[CT_KINDS];
	double busy_s;          /* user + nice + system + irq + softirq */
	double total_s;         /* every kind: the CPUs' time over the window */
	double busy_pct;        /* busy_s of total_s */
	double tool_pct;        /* tool_s of total_s */
	double per_io_tool_ns, per_io_system_ns;   /* NAN without I/O */
	bool have_system;
};

/* hz: USER_HZ (sysconf(_SC_CLK_TCK)); ops: I/Os completed in the windows. */
void cpu_acct_figures(const struct cpu_acct *a, uint64_t ops, long hz, struct cpu_figures *out);
/* io_ticks of the window in percent (NAN without a window). */
double dev_acct_util_pct(const struct dev_acct *d);

struct acct_probe {
	const char *sysroot, *procroot;       /* NULL: /sys, /proc */
	const char *target_name;              /* borrowed, read at begin: "" for none */
	unsigned main_dev[2], spare_dev[2];   /* major, minor of roles; 0:0 none */
	unsigned fs_dev[2];                   /* a file target's filesystem; 0:0 none */
	/* A window in progress. */
	bool open;
	uint64_t t0_ns, last_sample_ns;
	uint64_t ru_user_ns, ru_system_ns, ru_vcsw, ru_ivcsw;
	struct cpu_ticks ct0;
	bool have_ct0;
	struct {
		struct blk_node node;
		enum dev_role role;
		int fd;
		struct devstat s0;
		bool ok;
		uint64_t inflight_max, samples;
		double inflight_sum;
	} dev[ACCT_DEV_MAX];
	unsigned ndev;
};

/* Nothing measured yet, no file open. */
void acct_probe_init(struct acct_probe *p);
/* Start a window: find the devices, read everything once. */
void acct_probe_begin(struct acct_probe *p);
/* Each device's in-flight count now, unless one was read less than ACCT_SAMPLE_NS ago. */
void acct_probe_sample(struct acct_probe *p);
/* End the window: its figures into cpu and devs (replaced). */
void acct_probe_end(struct acct_probe *p, struct cpu_acct *cpu, struct dev_accts *devs);
/* Close what a window left open (one that never ended). */
void acct_probe_reset(struct acct_probe *p);

/* This process's CPU so far, with what it waited for of its children. */
void acct_process_cpu(double *user_s, double *system_s);

#endif
