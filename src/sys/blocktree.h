/*
 * The block devices under a block device, from sysfs: a device-mapper
 * device lists the devices its table maps in /sys/class/block/<dev>/slaves
 * (for dm-remap, its main and spare; their own slaves below them: the
 * loop devices under a stack built over files, the members of an md
 * array, ...). Names are kernel names ("dm-3", "loop7", "nvme0n1p2").
 *
 * The sysfs root is a parameter ("/sys" normally) so that tests walk a
 * fake tree: <root>/class/block/<name>/{dev,stat,slaves/<name>} and
 * <root>/dev/block/<MAJ:MIN> (a link whose last component is the name).
 */
#ifndef DMRB_SYS_BLOCKTREE_H
#define DMRB_SYS_BLOCKTREE_H

#include <stddef.h>

#include "sys/devstat.h"

#define BLK_NAME_MAX 32
#define BLK_TREE_MAX 16

struct blk_node {
	char name[BLK_NAME_MAX];
	unsigned depth;            /* 0: the device itself, 1: its slaves, ... */
	unsigned major, minor;     /* 0:0 when the dev file could not be read */
};

/*
 * name and every device under it, depth first, slaves of one device in
 * name order, each device once (at the first place it is met), at most
 * max. Returns how many were stored (0 when name is not a block device
 * there), or -1 when max is 0. A slave that does not resolve is skipped.
 */
int blk_tree(const char *sysroot, const char *name, struct blk_node *out, unsigned max);
/* <root>/class/block/<name>/dev: its device number. 0, or -1. */
int blk_devnum(const char *sysroot, const char *name, unsigned *major, unsigned *minor);
/* The kernel name of device MAJ:MIN (a partition included). 0, or -1. */
int blk_name_of(const char *sysroot, unsigned major, unsigned minor, char *name, size_t len);
/* <root>/class/block/<name>/stat ("/sys" when sysroot is NULL). 0, or -1. */
int blk_read_stat(const char *sysroot, const char *name, struct devstat *s);
/* The path of that stat file (for a reader that keeps it open). */
void blk_stat_path(const char *sysroot, const char *name, char *buf, size_t len);

#endif
