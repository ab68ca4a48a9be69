/*
 * Loop devices for integration tests, set up with the loop ioctls (no
 * losetup): a sparse backing file in /dev/shm, a free loop device attached
 * to it (direct I/O on request), and the way back; a test's fixture of
 * several, and main()'s check that this program may have any.
 */
#ifndef DMRB_TEST_LOOPDEV_H
#define DMRB_TEST_LOOPDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loopdev {
	int index;             /* N of /dev/loopN; -1 when not attached */
	char path[32];         /* "/dev/loopN" */
	char sysname[16];      /* "loopN" */
};

/*
 * A sparse file of size bytes, /dev/shm/dmrb-integ-<tag>-<pid>-XXXXXX
 * (malloc'd path), or NULL. The name is runbin_sweep()'s pattern.
 */
char *loopdev_backing_create(const char *tag, uint64_t size);
/* Unlink and free the path (NULL is fine). Returns 0 or -errno. */
int loopdev_backing_remove(char *path);

/*
 * Attach a free loop device to backing. With direct_io, the device does
 * O_DIRECT I/O on the file (LO_FLAGS_DIRECT_IO). Returns 0 or -errno.
 */
int loopdev_attach(struct loopdev *ld, const char *backing, bool direct_io);
/* Detach (retrying while the device is busy). Returns 0 or -errno. */
int loopdev_detach(struct loopdev *ld);

/*
 * A test's fixture: n loop devices ld[0..n-1] with direct I/O, each over a
 * fresh backing file backing[i] of size bytes. A device that cannot be made
 * fails the test (ck_assert); the test runner sweeps what it left.
 */
void loopdev_setup(struct loopdev *ld, char **backing, int n, const char *tag, uint64_t size);
/* Detach what loopdev_setup attached and remove the files (for a teardown). */
void loopdev_teardown(struct loopdev *ld, char **backing, int n);
/*
 * Whether this program may make loop devices (root, /dev/loop-control);
 * when not, says why on stderr ("<prog>: ...; skipped") and main() returns 77.
 */
bool loopdev_usable(const char *prog);
/* LOOP_SET_BLOCK_SIZE. Returns 0 or -errno. */
int loopdev_set_block_size(const struct loopdev *ld, unsigned bs);

/* /sys/block/<sysname>/<attr>, first line, into buf. Returns 0 or -errno. */
int loopdev_sysfs_read(const struct loopdev *ld, const char *attr, char *buf, size_t len);
int loopdev_sysfs_write(const struct loopdev *ld, const char *attr, const char *val);

/* len bytes at off of the device, read with O_DIRECT (len, off: multiples of 4096). */
int loopdev_read_direct(const struct loopdev *ld, uint64_t off, void *buf, size_t len);

/* What blkid -p finds on the block device dev: "ext4", or "" when nothing. */
void loopdev_probe_type(const char *dev, char *type, size_t len);

/*
 * Detach the loop devices backed by loopdev_backing_create(tag) files of
 * this process or of processes that are gone (then runbin_sweep(tag)
 * removes the files). Call it when no test of this program runs.
 */
void loopdev_sweep(const char *tag);

#endif
