/* Helpers the test programs that run inside the VM (make check-vm) share. */
#ifndef DMRB_VMTEST_H
#define DMRB_VMTEST_H

#include <stddef.h>

struct dmw;

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);
/* Read what fd holds from offset 0 into buf (NUL-terminated, truncated to len - 1), then close fd. */
void slurp(int fd, char *buf, size_t len);
/*
 * Zero the first MiB of a RAM disk: random verify data left by an earlier
 * run can look like a filesystem signature to libblkid (it has been taken
 * for hfsplus), and the tool rightly refuses such a device without --force.
 */
void zero_head(const char *path);
/* dmw_init() with deadlines for TCG: slow, but a hang is still caught. */
void init_dm(struct dmw *d);
/* How many dm devices carry a dmremap-bench UUID (a failed listing fails the test). */
size_t count_ours(void);

#endif
