#include "vmtest.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dm/dm.h"

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void slurp(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

void zero_head(const char *path)
{
	static char zeros[1 << 20];
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (pwrite(fd, zeros, sizeof(zeros), 0) != (ssize_t)sizeof(zeros))
		fprintf(stderr, "cannot clear the start of %s: %s\n", path, strerror(errno));
	fsync(fd);
	close(fd);
}

void init_dm(struct dmw *d)
{
	dmw_init(d);
	d->timeout_ms = 30000;
	d->remove_timeout_ms = 30000;
}

size_t count_ours(void)
{
	struct dmw d;
	struct dmw_list l;
	size_t n;

	init_dm(&d);
	ck_assert_msg(dmw_list(&d, true, &l) == DMW_OK, "%s", d.err);
	n = l.n;
	dmw_list_free(&l);
	dmw_close(&d);
	return n;
}

int vm_loop_bind(const char *path, char *dev, size_t len)
{
	struct loop_info64 info;
	int ctl, n, lfd = -1, ffd;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	ffd = open(path, O_RDWR | O_CLOEXEC);
	if (ctl < 0 || ffd < 0 || (n = ioctl(ctl, LOOP_CTL_GET_FREE)) < 0) {
		fprintf(stderr, "odirect_dir: no free loop device for %s: %s\n", path, strerror(errno));
		goto out;
	}
	snprintf(dev, len, "/dev/loop%d", n);
	lfd = open(dev, O_RDWR | O_CLOEXEC);
	if (lfd < 0 || ioctl(lfd, LOOP_SET_FD, ffd)) {
		fprintf(stderr, "odirect_dir: cannot bind %s to %s: %s\n", dev, path, strerror(errno));
		if (lfd >= 0)
			close(lfd);
		lfd = -1;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.lo_flags = LO_FLAGS_AUTOCLEAR;
	if (ioctl(lfd, LOOP_SET_STATUS64, &info))
		fprintf(stderr, "odirect_dir: %s: no autoclear: %s\n", dev, strerror(errno));
out:
	if (ctl >= 0)
		close(ctl);
	if (ffd >= 0)
		close(ffd);
	return lfd;
}

int odirect_dir_make(char *dir, size_t len, unsigned size_mib)
{
	char img[] = "/dev/shm/vmtest-odirect-XXXXXX", dev[32], cmd[128];
	int fd, lfd, rc;

	fd = mkstemp(img);
	if (fd < 0 || ftruncate(fd, (off_t)size_mib << 20)) {
		fprintf(stderr, "odirect_dir: %s: %s\n", img, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(img);
		}
		return -1;
	}
	close(fd);
	lfd = vm_loop_bind(img, dev, sizeof(dev));
	unlink(img);  /* the loop device holds it now */
	if (lfd < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "mke2fs -q %s >/dev/null 2>&1", dev);
	rc = system(cmd);
	snprintf(dir, len, "/tmp/vmtest-odirect-XXXXXX");
	if (rc != 0 || !mkdtemp(dir)) {
		fprintf(stderr, "odirect_dir: mke2fs %s: status %d (or no mount point)\n", dev, rc);
		close(lfd);
		return -1;
	}
	if (mount(dev, dir, "ext4", 0, NULL)) {
		fprintf(stderr, "odirect_dir: mount %s on %s (ext4 driver): %s\n", dev, dir,
			strerror(errno));
		rmdir(dir);
		close(lfd);
		return -1;
	}
	close(lfd);  /* the mount holds the loop device now */
	return 0;
}

void odirect_dir_remove(const char *dir)
{
	if (umount(dir) && errno == EBUSY)
		umount2(dir, MNT_DETACH);
	rmdir(dir);
}
