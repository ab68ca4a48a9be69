#include "blkio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runbin.h"

#define REMOVE_TRIES 50
#define REMOVE_WAIT_MS 100

bool blkio_available(void)
{
	return access(BLKIO_ROOT "/" BLKIO_READ_IOPS, W_OK) == 0;
}

int blkio_group_create(char *path, size_t len, const char *tag, const char *name)
{
	int n = snprintf(path, len, "%s/dmrb-integ-%s-%d-%s", BLKIO_ROOT, tag, (int)getpid(),
			 name);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

int blkio_group_remove(const char *group)
{
	int i;

	/* Empty once its last process is gone; a moment for the kernel to notice. */
	for (i = 0; rmdir(group); i++) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || i + 1 >= REMOVE_TRIES)
			return -errno;
		runbin_sleep_ms(REMOVE_WAIT_MS);
	}
	return 0;
}

/* Write text to group/file. 0 or -errno. */
static int write_to(const char *group, const char *file, const char *text)
{
	char path[512];
	int fd, rc = 0;

	if (snprintf(path, sizeof(path), "%s/%s", group, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

int blkio_throttle(const char *group, const char *file, const struct loopdev *ld,
		   unsigned iops)
{
	char line[64];
	struct stat st;

	if (stat(ld->path, &st))
		return -errno;
	snprintf(line, sizeof(line), "%u:%u %u\n", major(st.st_rdev), minor(st.st_rdev), iops);
	return write_to(group, file, line);
}

int blkio_move(const char *group, pid_t pid)
{
	char line[32];

	snprintf(line, sizeof(line), "%d\n", (int)pid);
	return write_to(group, "cgroup.procs", line);
}

void blkio_sweep(const char *tag)
{
	runbin_sweep_in(BLKIO_ROOT, tag, rmdir);
}
