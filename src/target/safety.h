/* Refuse to destroy data: checks before any write to a block device. */
#ifndef DMRB_SAFETY_H
#define DMRB_SAFETY_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Why a write to the block device dev (path for messages, fd open on it)
 * would destroy something: mounted (itself or a partition), held by
 * another device, or carrying a filesystem, RAID or partition-table
 * signature. Returns 0 when none, else 1 with the reason in why.
 */
int safety_check_block(const char *path, dev_t dev, char *why, size_t len);

/* Whether the device (or one of its partitions) is mounted; 1 if so. */
int safety_is_mounted(dev_t dev, char *where, size_t len);
/* First holder of the device in /sys/.../holders; 1 if held. */
int safety_is_held(dev_t dev, char *holder, size_t len);
/*
 * Whether the block device is read-only (BLKROGET: losetup -r, blockdev
 * --setro, a write-protected disk), where writes fail with EPERM: 1 if so,
 * 0 if not, -1 when it cannot be told (not a block device, no access).
 * safety_fd_read_only() asks an open fd.
 */
int safety_is_read_only(const char *path);
int safety_fd_read_only(int fd);
/* A filesystem/RAID/partition-table signature found by libblkid; 1 if any. */
int safety_has_signature(const char *path, char *what, size_t len);

#endif
