/* Opening what the I/O goes to: a regular file, a block device, a dm device. */
#ifndef DMRB_TARGET_H
#define DMRB_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum target_kind { TARGET_FILE, TARGET_BLOCK, TARGET_DM };

struct target {
	char path[PATH_MAX];
	enum target_kind kind;
	int fd;
	uint64_t size;            /* bytes usable for I/O */
	uint32_t lbs;             /* logical block size: every I/O a multiple */
	bool scratch;             /* a scratch file the tool made (already unlinked) */
	bool writable;
	dev_t rdev;               /* block devices */
	char sysname[64];         /* "loop0", "dm-3": /sys/block/<sysname> */
	char dm_name[128];        /* dm devices: the mapped name */
	/*
	 * Request-based (blk-mq) block devices: nr_requests, the I/Os each of
	 * their hw_queues hardware queues holds before a submitter has to
	 * wait for a free request. 0 for files and for bio-based devices (dm,
	 * zram), which queue whatever they are given.
	 */
	unsigned queue_requests;
	unsigned hw_queues;
};

struct target_request {
	const char *path;         /* NULL: a scratch file */
	uint64_t size;            /* scratch size; for a file: minimum size */
	const char *scratch_dir;  /* NULL: $TMPDIR or /tmp */
	bool write;               /* the workload writes */
	bool force;               /* allow writes over signatures */
	/* Checked against the geometry before anything is opened for writing. */
	const uint32_t *bs_list;  /* block sizes the run will use */
	unsigned nbs;
	uint64_t min_size;        /* the run needs at least this many bytes */
};

/*
 * What can be checked before anything is created or opened: every block
 * size a multiple of 512 (the smallest logical block size there is; the
 * target's own is checked once it is open), and that a scratch file of
 * --size holds what the run needs. 0, or EXIT_USAGE after one line.
 */
int target_request_check(const struct target_request *req);

/*
 * Open the target for O_DIRECT I/O after the safety checks. Returns 0, or
 * an exit status (EXIT_USAGE for a refused or invalid target, EXIT_RUNTIME
 * when the system fails) after printing one line that says why.
 */
int target_open(struct target *t, const struct target_request *req);
void target_close(struct target *t);

const char *target_kind_name(enum target_kind k);

/* Block device I/O counters from /sys/block/<sysname>/stat. */
struct blk_stat {
	uint64_t rd_ios, rd_merges, rd_sectors;
	uint64_t wr_ios, wr_merges, wr_sectors;
	uint64_t in_flight;
};
int target_read_blk_stat(const struct target *t, struct blk_stat *st);

#endif
