/*
 * The cgroup v1 blkio throttle for integration tests that slow a loop device
 * down: a group of the test's own, an IOPS cap on the device for whoever is
 * in it, and the way back.
 */
#ifndef DMRB_TEST_BLKIO_H
#define DMRB_TEST_BLKIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "loopdev.h"

#define BLKIO_ROOT "/sys/fs/cgroup/blkio"
#define BLKIO_READ_IOPS "blkio.throttle.read_iops_device"
#define BLKIO_WRITE_IOPS "blkio.throttle.write_iops_device"

/* Whether BLKIO_ROOT has the throttle and this process may set it. */
bool blkio_available(void);
/*
 * Make the group BLKIO_ROOT/dmrb-integ-<tag>-<pid>-<name> (the pid lets
 * blkio_sweep() find the groups of dead test processes); its path into
 * path. Returns 0 (also when it is there already) or -errno.
 */
int blkio_group_create(char *path, size_t len, const char *tag, const char *name);
/* Remove an empty group, retried for up to 5 s while its processes exit. 0 or -errno. */
int blkio_group_remove(const char *group);
/*
 * "MAJ:MIN iops" of ld's device into group/file (BLKIO_READ_IOPS or
 * BLKIO_WRITE_IOPS): the group's I/O on it capped at iops a second; 0
 * lifts the cap. Returns 0 or -errno.
 */
int blkio_throttle(const char *group, const char *file, const struct loopdev *ld,
		   unsigned iops);
/* Move pid into group (its cgroup.procs); BLKIO_ROOT is the way back. 0 or -errno. */
int blkio_move(const char *group, pid_t pid);
/*
 * Remove the blkio_group_create(tag) groups of this process and of
 * processes that are gone (a test killed by its timeout cannot clean up).
 */
void blkio_sweep(const char *tag);

#endif
