#include "target/loop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define ATTACH_TRIES 8      /* another program may grab the free device first */
#define DETACH_TRIES 10
#define DETACH_DELAY_MS 100

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void fill_info(struct loop_info64 *info, const char *name, unsigned flags)
{
	memset(info, 0, sizeof(*info));
	snprintf((char *)info->lo_file_name, sizeof(info->lo_file_name), "%s%s",
		 LOOP_NAME_PREFIX, name ? name : "");
	if (flags & LOOP_ATTACH_AUTOCLEAR)
		info->lo_flags |= LO_FLAGS_AUTOCLEAR;
	if (flags & LOOP_ATTACH_READ_ONLY)
		info->lo_flags |= LO_FLAGS_READ_ONLY;
	if (flags & LOOP_ATTACH_DIRECT_IO)
		info->lo_flags |= LO_FLAGS_DIRECT_IO;
}

/* Kernels before 5.8: LOOP_SET_FD, then status, block size and direct I/O apart. */
static int attach_legacy(int lfd, int bfd, const char *name, unsigned flags,
			 uint32_t block_size)
{
	struct loop_info64 info;

	if (ioctl(lfd, LOOP_SET_FD, bfd))
		return -1;
	fill_info(&info, name, flags);
	info.lo_flags &= ~(unsigned)LO_FLAGS_DIRECT_IO;
	if (ioctl(lfd, LOOP_SET_STATUS64, &info) ||
	    (block_size && ioctl(lfd, LOOP_SET_BLOCK_SIZE, (unsigned long)block_size))) {
		int e = errno;

		ioctl(lfd, LOOP_CLR_FD, 0);
		errno = e;
		return -1;
	}
	/* Not every backing file allows direct I/O: then the loop stays buffered. */
	if (flags & LOOP_ATTACH_DIRECT_IO)
		ioctl(lfd, LOOP_SET_DIRECT_IO, 1UL);
	return 0;
}

/* Bind lfd to bfd: 0, or -1 with errno (EBUSY: the device was taken). */
static int bind_loop(int lfd, int bfd, const char *name, unsigned flags, uint32_t block_size)
{
	struct loop_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (uint32_t)bfd;
	cfg.block_size = block_size;
	fill_info(&cfg.info, name, flags);
	if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	if (errno == EINVAL && (flags & LOOP_ATTACH_DIRECT_IO)) {
		/* Some kernels refuse direct I/O the file cannot do: go buffered. */
		cfg.info.lo_flags &= ~(unsigned)LO_FLAGS_DIRECT_IO;
		if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
			return 0;
	}
	if (errno != EINVAL && errno != ENOTTY)
		return -1;
	return attach_legacy(lfd, bfd, name, flags, block_size);
}

static int open_loop_node(const char *path, bool ro)
{
	int fd, i;

	/* A device just made by LOOP_CTL_GET_FREE may not have its node yet. */
	for (i = 0; i < 20; i++) {
		fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			return fd;
		sleep_ms(10);
	}
	return -1;
}

static void read_back(int lfd, struct loop_dev *out)
{
	struct loop_info64 info;

	memset(&info, 0, sizeof(info));  /* valgrind does not know this ioctl */
	if (ioctl(lfd, LOOP_GET_STATUS64, &info) == 0) {
		out->direct_io = (info.lo_flags & LO_FLAGS_DIRECT_IO) != 0;
		out->autoclear = (info.lo_flags & LO_FLAGS_AUTOCLEAR) != 0;
	}
}

int loop_attach(const char *backing_path, int backing_fd, const char *name,
		unsigned flags, uint32_t block_size, struct loop_dev *out, int *fd_out,
		char *err, size_t errlen)
{
	bool ro = flags & LOOP_ATTACH_READ_ONLY;
	int ctl, bfd = backing_fd, lfd = -1, n, tries, e = 0;

	memset(out, 0, sizeof(*out));
	out->number = -1;
	if (fd_out)
		*fd_out = -1;
	if (bfd < 0) {
		bfd = open(backing_path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (bfd < 0) {
			e = errno;
			snprintf(err, errlen, "cannot open %s: %s", backing_path, strerror(e));
			errno = e;
			return -1;
		}
	}
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open /dev/loop-control: %s (is the loop module "
			 "loaded? modprobe loop)", strerror(e));
		goto out;
	}
	for (tries = 0; tries < ATTACH_TRIES; tries++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			e = errno;
			snprintf(err, errlen, "no free loop device: %s", strerror(e));
			break;
		}
		snprintf(out->path, sizeof(out->path), "/dev/loop%d", n);
		lfd = open_loop_node(out->path, ro);
		if (lfd < 0) {
			e = errno;
			snprintf(err, errlen, "cannot open %s: %s", out->path, strerror(e));
			break;
		}
		if (bind_loop(lfd, bfd, name, flags, block_size) == 0) {
			out->number = n;
			e = 0;
			break;
		}
		e = errno;
		close(lfd);
		lfd = -1;
		if (e != EBUSY) {
			snprintf(err, errlen, "cannot attach %s to %s: %s", backing_path ?
				 backing_path : name, out->path, strerror(e));
			break;
		}
		snprintf(err, errlen, "every free loop device was taken by another program "
			 "before it could be attached (%d tries)", ATTACH_TRIES);
	}
	close(ctl);
	if (out->number >= 0) {
		read_back(lfd, out);
		if (fd_out)
			*fd_out = lfd;
		else
			close(lfd);
	} else if (!e) {
		e = EBUSY;
	}
out:
	if (backing_fd < 0)
		close(bfd);
	if (out->number < 0) {
		out->path[0] = '\0';
		errno = e;
		return -1;
	}
	return 0;
}

int loop_detach(const char *dev_path, char *err, size_t errlen)
{
	int fd = open(dev_path, O_RDONLY | O_CLOEXEC), i, e = 0;

	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open %s: %s", dev_path, strerror(e));
		errno = e;
		return -1;
	}
	for (i = 0; i < DETACH_TRIES; i++) {
		if (ioctl(fd, LOOP_CLR_FD, 0) == 0 || errno == ENXIO) {
			/* ENXIO: nothing bound (an autoclear device went on its own). */
			close(fd);
			return 0;
		}
		e = errno;
		if (e != EBUSY)
			break;
		sleep_ms(DETACH_DELAY_MS);
	}
	close(fd);
	snprintf(err, errlen, "cannot detach %s: %s%s", dev_path, strerror(e),
		 e == EBUSY ? " (still open; it is detached when its last user closes it)" : "");
	errno = e;
	return -1;
}

bool loop_is_ours(const char *dev_path)
{
	struct loop_info64 info;
	int fd = open(dev_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	bool ours = false;

	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));  /* valgrind does not know this ioctl */
	if (ioctl(fd, LOOP_GET_STATUS64, &info) == 0)
		ours = strncmp((const char *)info.lo_file_name, LOOP_NAME_PREFIX,
			       strlen(LOOP_NAME_PREFIX)) == 0;
	close(fd);
	return ours;
}

int loop_backing_file(const char *dev_path, char *buf, size_t len)
{
	const char *base = strrchr(dev_path, '/');
	char p[128];
	FILE *f;

	base = base ? base + 1 : dev_path;
	snprintf(p, sizeof(p), "/sys/block/%.64s/loop/backing_file", base);
	f = fopen(p, "r");
	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

size_t loop_list_ours(char (*paths)[32], size_t max)
{
	DIR *d = opendir("/sys/block");
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char dev[32], backing[8];
		int num;

		if (sscanf(de->d_name, "loop%d", &num) != 1 || num < 0)
			continue;
		snprintf(dev, sizeof(dev), "/dev/loop%d", num);
		/* Only bound devices have a backing file; do not open the others. */
		if (loop_backing_file(dev, backing, sizeof(backing)) || !loop_is_ours(dev))
			continue;
		if (n < max)
			snprintf(paths[n], sizeof(paths[n]), "%s", dev);
		n++;
	}
	closedir(d);
	return n;
}
