/*
 * CPU lists as taskset(1) -c and fio's cpus_allowed write them:
 * "0-3,8,10-11". Parsed into ascending, distinct CPU numbers.
 */
#ifndef DMRB_CPULIST_H
#define DMRB_CPULIST_H

#include <stddef.h>
#include <stdint.h>

#define CPULIST_MAX 1024  /* CPU numbers run from 0 to CPULIST_MAX - 1 (CPU_SETSIZE) */

struct cpulist {
	unsigned n;
	uint16_t cpu[CPULIST_MAX];
};

/*
 * Parse s: comma-separated CPU numbers and ranges N-M (N <= M), decimal, no
 * spaces; repeats are merged. Returns 0, or -1 with *bad pointing at the
 * offending item (its length in *badlen) and out->n == 0.
 */
int cpulist_parse(const char *s, struct cpulist *out, const char **bad, size_t *badlen);

/* Canonical text, ranges folded: "0-3,8,10-11"; "" when empty. */
void cpulist_format(const struct cpulist *cl, char *buf, size_t len);

/* The CPUs this process may run on (its affinity mask); -1 if unknown. */
int cpulist_allowed(struct cpulist *out);

#endif
