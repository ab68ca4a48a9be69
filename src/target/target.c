#include "target/target.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cli/units.h"
#include "target/safety.h"
#include "util/env.h"
#include "util/log.h"

const char *target_kind_name(enum target_kind k)
{
	static const char *const names[] = { "file", "block", "dm" };

	return names[k];
}

/* Alignment O_DIRECT needs on a regular file (statx DIOALIGN, else 4096). */
static uint32_t file_dio_align(int fd)
{
#ifdef STATX_DIOALIGN
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align)
		return stx.stx_dio_offset_align > stx.stx_dio_mem_align ?
			stx.stx_dio_offset_align : stx.stx_dio_mem_align;
#else
	(void)fd;
#endif
	return 4096;
}

/* Block sizes and size the run needs, against the target's geometry. */
static int check_geometry(const struct target_request *req, const char *what,
			  uint64_t size, uint32_t lbs)
{
	unsigned i;

	for (i = 0; i < req->nbs; i++)
		if (req->bs_list[i] % lbs) {
			log_error("--bs: %u is not a multiple of the logical block size %u of %s "
				  "(allowed: multiples of %u)", req->bs_list[i], lbs, what, lbs);
			return EXIT_USAGE;
		}
	if (size < req->min_size) {
		char need[32], have[32];

		format_size(req->min_size, need, sizeof(need));
		format_size(size, have, sizeof(have));
		log_error("--target: %s holds %s but the run needs %s", what, have, need);
		return EXIT_USAGE;
	}
	return 0;
}

static int no_odirect(const char *what)
{
	log_error("%s does not support O_DIRECT (dmremap-bench never falls back to "
		  "buffered I/O; use a filesystem or device that does)", what);
	return EXIT_USAGE;
}

static int open_scratch(struct target *t, const struct target_request *req)
{
	const char *dir = req->scratch_dir;
	char sz[32];
	struct statvfs vfs;
	int fd, fl, rc;

	if (!dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(t->path, sizeof(t->path), "%s/dmremap-bench-XXXXXX", dir);
	fd = mkostemp(t->path, O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		log_error("--scratch-dir: cannot create a scratch file in '%s': %s (allowed: a "
			  "writable directory; set --scratch-dir or TMPDIR)", dir, strerror(err));
		/* A path that is not a usable directory is the user's to fix. */
		return err == ENOENT || err == ENOTDIR || err == EACCES || err == EROFS ?
			EXIT_USAGE : EXIT_RUNTIME;
	}
	/* Gone from the namespace at once: nothing is left behind, even on SIGKILL. */
	unlink(t->path);
	t->fd = fd;
	t->scratch = true;
	t->kind = TARGET_FILE;
	t->writable = true;
	format_size(req->size, sz, sizeof(sz));
	if (ftruncate(fd, (off_t)req->size)) {
		log_error("--size: the filesystem of %s cannot hold a sparse file of %s: %s",
			  dir, sz, strerror(errno));
		return EXIT_USAGE;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_DIRECT)) {
		char what[PATH_MAX + 32];

		snprintf(what, sizeof(what), "the scratch directory %s", dir);
		return no_odirect(what);
	}
	t->size = req->size;
	t->lbs = file_dio_align(fd);
	if ((rc = check_geometry(req, "the scratch file", t->size, t->lbs)))
		return rc;
	if (req->write && statvfs(dir, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < req->size)
		log_warn("%s has less free space than the %s scratch file; writes may fail "
			 "with ENOSPC", dir, sz);
	return 0;
}

static void block_names(struct target *t)
{
	char link[128], buf[PATH_MAX];
	ssize_t n;
	FILE *f;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(t->rdev), minor(t->rdev));
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		snprintf(t->sysname, sizeof(t->sysname), "%s", basename(buf));
	}
	snprintf(buf, sizeof(buf), "%s/dm/name", link);
	f = fopen(buf, "r");
	if (f) {
		if (fgets(t->dm_name, sizeof(t->dm_name), f))
			t->dm_name[strcspn(t->dm_name, "\n")] = '\0';
		fclose(f);
		t->kind = TARGET_DM;
	}
}

/*
 * nr_requests and the number of hardware queues (mq/0, mq/1, ...) of the
 * device, only when it is request-based: there a submitter sleeps for a
 * free request beyond nr_requests of its CPU's hardware queue. A
 * partition's queue is its disk's, one directory up.
 */
static void block_queue(struct target *t)
{
	char dir[64], p[128];
	unsigned long n;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/dev/block/%u:%u", major(t->rdev), minor(t->rdev));
	snprintf(p, sizeof(p), "%s/partition", dir);
	if (access(p, F_OK) == 0)
		strcat(dir, "/..");
	snprintf(p, sizeof(p), "%s/mq", dir);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			t->hw_queues++;
	closedir(d);
	snprintf(p, sizeof(p), "%s/queue/nr_requests", dir);
	n = env_read_ulong(p);
	if (!n || n > UINT_MAX || !t->hw_queues)
		t->hw_queues = 0;
	else
		t->queue_requests = (unsigned)n;
}

/* Writes to a read-only block device fail with EPERM, every one of them. */
static int read_only(const char *path)
{
	log_error("--target: %s is a read-only block device and the workload writes (allowed "
		  "with it: --rw read|randread; blockdev --setrw makes it writable)", path);
	return EXIT_USAGE;
}

static int open_block(struct target *t, const struct target_request *req,
		      const struct stat *st)
{
	int flags = (req->write ? O_RDWR : O_RDONLY) | O_DIRECT | O_EXCL | O_CLOEXEC;
	uint64_t size = 0;
	int lbs = 0;
	char why[1024];

	t->kind = TARGET_BLOCK;
	t->rdev = st->st_rdev;
	/* Look before opening for writing: nothing is touched when refused. */
	if (req->write && safety_is_read_only(t->path) == 1)
		return read_only(t->path);
	if (req->write && !req->force && safety_check_block(t->path, t->rdev, why, sizeof(why))) {
		log_error("--target: refusing to write: %s (pass --force to destroy its "
			  "contents, or use --rw read|randread)", why);
		return EXIT_USAGE;
	}
	t->fd = open(t->path, flags);
	if (t->fd < 0) {
		int err = errno;

		if (err == EBUSY)
			log_error("--target: %s is in use (mounted, held or opened exclusively "
				  "by another program)", t->path);
		else if (err == EINVAL)
			return no_odirect(t->path);
		else
			log_error("--target: cannot open %s: %s", t->path, strerror(err));
		return err == EACCES || err == EPERM || err == EROFS ? EXIT_USAGE :
			err == EBUSY ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (ioctl(t->fd, BLKGETSIZE64, &size) || ioctl(t->fd, BLKSSZGET, &lbs) || lbs <= 0) {
		log_error("--target: cannot read the size of %s: %s", t->path, strerror(errno));
		return EXIT_RUNTIME;
	}
	/* Set read-only between the look and the open: still before any I/O. */
	if (req->write && safety_fd_read_only(t->fd) == 1)
		return read_only(t->path);
	t->size = size;
	t->lbs = (uint32_t)lbs;
	t->writable = req->write;
	block_names(t);
	block_queue(t);
	return 0;
}

static int open_file(struct target *t, const struct target_request *req,
		     const struct stat *st)
{
	int flags = (req->write ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC;

	t->kind = TARGET_FILE;
	if (req->write && access(t->path, W_OK)) {
		log_error("--target: %s is not writable and the workload writes "
			  "(allowed with it: --rw read|randread)", t->path);
		return EXIT_USAGE;
	}
	if (st->st_size == 0) {
		log_error("--target: %s is empty (give a file of at least one block, or "
			  "omit --target to use a scratch file)", t->path);
		return EXIT_USAGE;
	}
	t->fd = open(t->path, flags);
	if (t->fd < 0) {
		if (errno == EINVAL)
			return no_odirect(t->path);
		log_error("--target: cannot open %s: %s", t->path, strerror(errno));
		return EXIT_USAGE;
	}
	t->size = (uint64_t)st->st_size;
	t->lbs = file_dio_align(t->fd);
	t->size -= t->size % t->lbs;
	t->writable = req->write;
	return 0;
}

/* Geometry from a read-only, shared open: nothing is claimed or written. */
static int probe_geometry(const struct target_request *req, const struct stat *st)
{
	uint64_t size = 0;
	uint32_t lbs;
	int fd = open(req->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), l = 0, rc;

	if (fd < 0)
		return 0;  /* target_open reports the failure of the real open */
	if (S_ISBLK(st->st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &size) || ioctl(fd, BLKSSZGET, &l) || l <= 0) {
			close(fd);
			return 0;
		}
		lbs = (uint32_t)l;
	} else {
		size = (uint64_t)st->st_size;
		lbs = file_dio_align(fd);
	}
	close(fd);
	rc = check_geometry(req, req->path, size, lbs);
	return rc;
}

int target_request_check(const struct target_request *req)
{
	unsigned i;

	for (i = 0; i < req->nbs; i++)
		if (req->bs_list[i] % 512) {
			log_error("--bs: %u is not a multiple of 512 (allowed: multiples of the "
				  "target's logical block size, 512 or more)", req->bs_list[i]);
			return EXIT_USAGE;
		}
	if (!req->path && req->size < req->min_size) {
		char need[32], have[32];

		format_size(req->min_size, need, sizeof(need));
		format_size(req->size, have, sizeof(have));
		log_error("--size: a scratch file of %s is too small: the run needs %s", have, need);
		return EXIT_USAGE;
	}
	return 0;
}

int target_open(struct target *t, const struct target_request *req)
{
	struct stat st;
	int rc;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	rc = target_request_check(req);
	if (rc)
		return rc;
	if (!req->path)
		rc = open_scratch(t, req);
	else {
		snprintf(t->path, sizeof(t->path), "%s", req->path);
		if (stat(req->path, &st)) {
			log_error("--target: cannot use '%s': %s (allowed: a block device or "
				  "a regular file)", req->path, strerror(errno));
			return EXIT_USAGE;
		}
		if ((S_ISBLK(st.st_mode) || S_ISREG(st.st_mode)) && (rc = probe_geometry(req, &st)))
			return rc;
		if (S_ISBLK(st.st_mode))
			rc = open_block(t, req, &st);
		else if (S_ISREG(st.st_mode))
			rc = open_file(t, req, &st);
		else {
			log_error("--target: '%s' is a %s (allowed: a block device or a regular "
				  "file)", req->path, S_ISDIR(st.st_mode) ? "directory" :
				  S_ISCHR(st.st_mode) ? "character device" : "special file");
			return EXIT_USAGE;
		}
	}
	if (rc)
		target_close(t);
	return rc;
}

void target_close(struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

int target_read_blk_stat(const struct target *t, struct blk_stat *s)
{
	char p[128];
	FILE *f;
	int n;

	if (!t->sysname[0])
		return -1;
	snprintf(p, sizeof(p), "/sys/block/%s/stat", t->sysname);
	f = fopen(p, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%lu %lu %lu %*u %lu %lu %lu %*u %lu",
		   (unsigned long *)&s->rd_ios, (unsigned long *)&s->rd_merges,
		   (unsigned long *)&s->rd_sectors, (unsigned long *)&s->wr_ios,
		   (unsigned long *)&s->wr_merges, (unsigned long *)&s->wr_sectors,
		   (unsigned long *)&s->in_flight);
	fclose(f);
	return n == 7 ? 0 : -1;
}
