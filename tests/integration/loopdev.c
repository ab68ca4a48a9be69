#include "loopdev.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runbin.h"

#define BUSY_RETRIES 20
#define BUSY_WAIT_US 50000

char *loopdev_backing_create(const char *tag, uint64_t size)
{
	char *p;
	int fd;

	if (asprintf(&p, "/dev/shm/dmrb-integ-%s-%ld-XXXXXX", tag, (long)getpid()) < 0)
		return NULL;
	fd = mkostemp(p, O_CLOEXEC);
	if (fd < 0) {
		free(p);
		return NULL;
	}
	if (ftruncate(fd, (off_t)size) || close(fd)) {
		unlink(p);
		free(p);
		return NULL;
	}
	return p;
}

int loopdev_backing_remove(char *path)
{
	int rc = 0;

	if (path && unlink(path))
		rc = -errno;
	free(path);
	return rc;
}

/* The old way: LOOP_SET_FD, then the status and the direct-I/O switch. */
static int configure_legacy(int lfd, int bfd, const char *backing, bool direct_io)
{
	struct loop_info64 info;
	int rc = 0;

	if (ioctl(lfd, LOOP_SET_FD, bfd))
		return -errno;
	memset(&info, 0, sizeof(info));
	snprintf((char *)info.lo_file_name, sizeof(info.lo_file_name), "%s", backing);
	if (ioctl(lfd, LOOP_SET_STATUS64, &info) ||
	    (direct_io && ioctl(lfd, LOOP_SET_DIRECT_IO, 1UL))) {
		rc = -errno;
		ioctl(lfd, LOOP_CLR_FD, 0);
	}
	return rc;
}

static int configure(int lfd, int bfd, const char *backing, bool direct_io)
{
	struct loop_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (__u32)bfd;
	cfg.info.lo_flags = direct_io ? LO_FLAGS_DIRECT_IO : 0;
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", backing);
	if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	/* Kernels before 5.8 do not know LOOP_CONFIGURE. */
	if (errno != EINVAL && errno != ENOTTY)
		return -errno;
	return configure_legacy(lfd, bfd, backing, direct_io);
}

static void set_names(struct loopdev *ld, int n)
{
	ld->index = n;
	snprintf(ld->path, sizeof(ld->path), "/dev/loop%d", n);
	snprintf(ld->sysname, sizeof(ld->sysname), "loop%d", n);
}

int loopdev_attach(struct loopdev *ld, const char *backing, bool direct_io)
{
	int ctl, bfd, lfd, n, tries, rc = -EBUSY;
	char dio[8];

	ld->index = -1;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -errno;
	bfd = open(backing, O_RDWR | O_CLOEXEC);
	if (bfd < 0) {
		rc = -errno;
		close(ctl);
		return rc;
	}
	/* Another process may take the free device first: then ask again. */
	for (tries = 0; tries < BUSY_RETRIES; tries++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			rc = -errno;
			break;
		}
		set_names(ld, n);
		lfd = open(ld->path, O_RDWR | O_CLOEXEC);
		if (lfd < 0) {
			rc = -errno;
			if (errno != ENOENT)
				break;
			usleep(BUSY_WAIT_US);  /* the node is still being created */
			continue;
		}
		rc = configure(lfd, bfd, backing, direct_io);
		close(lfd);
		if (rc != -EBUSY)
			break;
	}
	close(bfd);
	close(ctl);
	if (rc) {
		ld->index = -1;
		return rc;
	}
	/* Some kernels accept the flag and quietly fall back to buffered I/O. */
	if (direct_io && (loopdev_sysfs_read(ld, "loop/dio", dio, sizeof(dio)) ||
			  strcmp(dio, "1") != 0)) {
		loopdev_detach(ld);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int clear_fd(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), i, rc = 0;

	if (fd < 0)
		return -errno;
	for (i = 0; i < BUSY_RETRIES; i++) {
		if (ioctl(fd, LOOP_CLR_FD, 0) == 0 || errno == ENXIO) {
			rc = 0;  /* ENXIO: nothing attached any more */
			break;
		}
		rc = -errno;
		if (errno != EBUSY)
			break;
		usleep(BUSY_WAIT_US);
	}
	close(fd);
	return rc;
}

int loopdev_detach(struct loopdev *ld)
{
	int rc;

	if (ld->index < 0)
		return 0;
	rc = clear_fd(ld->path);
	if (rc == 0)
		ld->index = -1;
	return rc;
}

void loopdev_setup(struct loopdev *ld, char **backing, int n, const char *tag, uint64_t size)
{
	int i, rc;

	for (i = 0; i < n; i++) {
		ld[i].index = -1;
		backing[i] = NULL;
	}
	for (i = 0; i < n; i++) {
		backing[i] = loopdev_backing_create(tag, size);
		ck_assert_msg(backing[i] != NULL, "cannot create a backing file in /dev/shm");
		rc = loopdev_attach(&ld[i], backing[i], true);
		ck_assert_msg(rc == 0, "cannot attach a loop device: %s", strerror(-rc));
	}
}

void loopdev_teardown(struct loopdev *ld, char **backing, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (ld[i].index >= 0)
			loopdev_detach(&ld[i]);
		loopdev_backing_remove(backing[i]);
		backing[i] = NULL;
	}
}

bool loopdev_usable(const char *prog)
{
	if (geteuid() != 0) {
		fprintf(stderr, "%s: needs root (loop devices); skipped\n", prog);
		return false;
	}
	if (access("/dev/loop-control", F_OK)) {
		fprintf(stderr, "%s: no /dev/loop-control; skipped\n", prog);
		return false;
	}
	return true;
}

int loopdev_set_block_size(const struct loopdev *ld, unsigned bs)
{
	int fd = open(ld->path, O_RDWR | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, LOOP_SET_BLOCK_SIZE, (unsigned long)bs))
		rc = -errno;
	close(fd);
	return rc;
}

static int sysfs_path(const char *sysname, const char *attr, char *p, size_t len)
{
	return snprintf(p, len, "/sys/block/%s/%s", sysname, attr) >= (int)len ? -ENAMETOOLONG : 0;
}

int loopdev_sysfs_read(const struct loopdev *ld, const char *attr, char *buf, size_t len)
{
	char p[256];

	return sysfs_path(ld->sysname, attr, p, sizeof(p)) ?: runbin_read_line(p, buf, len);
}

int loopdev_sysfs_write(const struct loopdev *ld, const char *attr, const char *val)
{
	char p[256];
	FILE *f;
	int rc = 0;

	if (sysfs_path(ld->sysname, attr, p, sizeof(p)))
		return -ENAMETOOLONG;
	f = fopen(p, "w");
	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -errno;
	return rc;
}

int loopdev_read_direct(const struct loopdev *ld, uint64_t off, void *buf, size_t len)
{
	int fd = open(ld->path, O_RDONLY | O_DIRECT | O_CLOEXEC), rc = 0;
	size_t done = 0;
	void *bounce;

	if (fd < 0)
		return -errno;
	/* O_DIRECT wants an aligned buffer; the caller's need not be. */
	if (posix_memalign(&bounce, 4096, len)) {
		close(fd);
		return -ENOMEM;
	}
	while (done < len) {
		ssize_t n = pread(fd, (char *)bounce + done, len - done, (off_t)(off + done));

		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	if (!rc)
		memcpy(buf, bounce, len);
	free(bounce);
	close(fd);
	return rc;
}

void loopdev_sweep(const char *tag)
{
	char prefix[128], attr[300], backing[4096], dev[300];
	DIR *d = opendir("/sys/block");
	struct dirent *de;

	if (!d)
		return;
	snprintf(prefix, sizeof(prefix), "/dev/shm/dmrb-integ-%s-", tag);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "loop", 4))
			continue;
		if (sysfs_path(de->d_name, "loop/backing_file", attr, sizeof(attr)) ||
		    runbin_read_line(attr, backing, sizeof(backing)) ||
		    !runbin_orphaned(backing, prefix))
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
		clear_fd(dev);
	}
	closedir(d);
}

void loopdev_probe_type(const char *dev, char *type, size_t len)
{
	char cmd[256];
	FILE *p;

	type[0] = '\0';
	snprintf(cmd, sizeof(cmd), "blkid -p -o value -s TYPE %s 2>/dev/null", dev);
	p = popen(cmd, "r");
	if (!p)
		return;
	if (!fgets(type, (int)len, p))
		type[0] = '\0';
	type[strcspn(type, "\n")] = '\0';
	pclose(p);
}
