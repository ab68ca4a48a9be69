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
/*
 * Bind a free loop device to the file at path (not one of the tool's: no
 * dmremap-bench name), set to clear itself when the last user closes it.
 * The device path goes to dev; returns an fd open on it, or -1 (the reason
 * on stderr).
 */
int vm_loop_bind(const char *path, char *dev, size_t len);
/*
 * A directory where O_DIRECT works on every kernel the suite boots (tmpfs
 * has it only from Linux 6.6 on): a fresh ext2 filesystem (busybox mke2fs,
 * mounted with the ext4 driver) on a loop device over a sparse file of
 * size_mib in /dev/shm. The mount point goes to dir. The loop device is set
 * to clear itself, so odirect_dir_remove() (unmount, rmdir) leaves nothing.
 * 0, or -1 with the reason on stderr.
 */
int odirect_dir_make(char *dir, size_t len, unsigned size_mib);
void odirect_dir_remove(const char *dir);

#endif
