/*
 * The system's CPU time, interrupts and context switches from /proc/stat
 * (proc(5)): the aggregate "cpu" line in USER_HZ ticks (user, nice,
 * system, idle, iowait, irq, softirq, steal; guest time is already part of
 * user and nice), the number of "cpuN" lines, "intr" (its first field: all
 * interrupts since boot) and "ctxt".
 *
 * The root is a parameter ("/proc" normally) so that tests read a fake
 * file. Parsing is pure.
 */
#ifndef DMRB_SYS_PROCSTAT_H
#define DMRB_SYS_PROCSTAT_H

#include <stddef.h>
#include <stdint.h>

enum cpu_tick_kind {
	CT_USER, CT_NICE, CT_SYSTEM, CT_IDLE, CT_IOWAIT, CT_IRQ, CT_SOFTIRQ, CT_STEAL,
	CT_KINDS,
};

struct cpu_ticks {
	uint64_t t[CT_KINDS];      /* USER_HZ ticks since boot, all CPUs */
	uint64_t intr;             /* interrupts serviced since boot */
	uint64_t ctxt;             /* context switches since boot */
	unsigned cpus;             /* "cpuN" lines: the CPUs online */
};

/* The name of a tick kind as the result writes it: "user", "softirq". */
extern const char *const cpu_tick_names[CT_KINDS];

/*
 * Parse the text of /proc/stat. 0, or -1 when the "cpu" line is missing or
 * holds fewer than 4 numbers (fields a kernel lacks stay 0).
 */
int procstat_parse(const char *text, struct cpu_ticks *out);
/* Read and parse <procroot>/stat ("/proc" when procroot is NULL). 0 or -1. */
int procstat_read(const char *procroot, struct cpu_ticks *out);

#endif
