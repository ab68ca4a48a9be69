#include "vmtest.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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
