/*
 * A block device's own kernel counters and queue settings, by device
 * number: /sys/dev/block/MAJ:MIN/stat (Documentation/block/stat.rst: 17
 * fields since Linux 5.5, the last two the flushes completed and their
 * time) and queue/<attr> (the disk's queue for a partition).
 */
#ifndef DMRB_SYS_DEVSTAT_H
#define DMRB_SYS_DEVSTAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DEVSTAT_FIELDS 17
enum devstat_field {
	DS_RD_IOS = 0, DS_RD_MERGES, DS_RD_SECTORS, DS_RD_TICKS,
	DS_WR_IOS, DS_WR_MERGES, DS_WR_SECTORS, DS_WR_TICKS,
	DS_IN_FLIGHT, DS_IO_TICKS, DS_TIME_IN_QUEUE,
	DS_DISCARD_IOS, DS_DISCARD_MERGES, DS_DISCARD_SECTORS, DS_DISCARD_TICKS,
	DS_FLUSH_IOS, DS_FLUSH_TICKS,
};

struct devstat {
	uint64_t v[DEVSTAT_FIELDS];
	unsigned n;                 /* fields present: 11, 15 or 17 by kernel age */
};

/* Parse the text of a stat file; 0, or -1 when it holds no number. Pure. */
int devstat_parse(const char *text, struct devstat *s);
/* Read the stat of the block device dev; 0, or -1 (errno set). */
int devstat_read(dev_t dev, struct devstat *s);
/* after - before of one field (0 when it went down or is missing). */
uint64_t devstat_delta(const struct devstat *before, const struct devstat *after,
		       enum devstat_field f);
/*
 * queue/<attr> of dev ("write back", "0", ...), trailing newline dropped;
 * 0, or -1 (buf empty).
 */
int devstat_queue_attr(dev_t dev, const char *attr, char *buf, size_t len);

#endif
