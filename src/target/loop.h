/*
 * Loop devices the tool attaches, and finds again: each carries a
 * lo_file_name beginning with LOOP_NAME_PREFIX, so teardown can tell them
 * from the loop devices of everybody else.
 */
#ifndef DMRB_LOOP_H
#define DMRB_LOOP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOP_NAME_PREFIX "dmremap-bench:"

enum {
	LOOP_ATTACH_DIRECT_IO = 1 << 0,  /* the loop driver uses O_DIRECT on the file */
	LOOP_ATTACH_AUTOCLEAR = 1 << 1,  /* detach when the last opener closes */
	LOOP_ATTACH_READ_ONLY = 1 << 2,
};

struct loop_dev {
	char path[32];                   /* "/dev/loop3" */
	int number;
	bool direct_io;                  /* the flag stuck (the kernel may drop it) */
	bool autoclear;
};

/*
 * Attach a free loop device to backing_fd (or, when it is negative, to the
 * file at backing_path, opened here). LOOP_CTL_GET_FREE + LOOP_CONFIGURE,
 * falling back to LOOP_SET_FD + LOOP_SET_STATUS64 on kernels without it.
 * block_size 0 keeps the default (512). name (e.g. the backing file's path)
 * goes into lo_file_name after LOOP_NAME_PREFIX. Returns 0, or -1 with the
 * reason in err (and errno set).
 *
 * With LOOP_ATTACH_AUTOCLEAR the device goes away at the last close: keep
 * it open (or build on it) before closing the fd returned in *fd_out (may
 * be NULL, then it is closed at once).
 */
int loop_attach(const char *backing_path, int backing_fd, const char *name,
		unsigned flags, uint32_t block_size, struct loop_dev *out, int *fd_out,
		char *err, size_t errlen);

/* Detach; EBUSY is retried a few times. 0, or -1 with the reason in err. */
int loop_detach(const char *dev_path, char *err, size_t errlen);

/* Whether the loop device was attached by the tool (its lo_file_name). */
bool loop_is_ours(const char *dev_path);

/*
 * The loop devices the tool attached, as "/dev/loopN" paths, up to max.
 * Returns how many were found (can exceed max).
 */
size_t loop_list_ours(char (*paths)[32], size_t max);

/* The backing file of a bound loop device, from sysfs; -1 when not bound. */
int loop_backing_file(const char *dev_path, char *buf, size_t len);

#endif
