#include "sys/devstat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int devstat_parse(const char *text, struct devstat *s)
{
	const char *p = text;

	memset(s, 0, sizeof(*s));
	while (s->n < DEVSTAT_FIELDS) {
		char *end;
		unsigned long long x;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		errno = 0;
		x = strtoull(p, &end, 10);
		if (errno)
			break;
		s->v[s->n++] = x;
		p = end;
	}
	return s->n ? 0 : -1;
}

/* The whole of a small sysfs file, NUL-terminated; its length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

int devstat_read(dev_t dev, struct devstat *s)
{
	char path[96], buf[512];

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/stat", major(dev), minor(dev));
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	if (devstat_parse(buf, s)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

uint64_t devstat_delta(const struct devstat *before, const struct devstat *after,
		       enum devstat_field f)
{
	if ((unsigned)f >= before->n || (unsigned)f >= after->n || after->v[f] < before->v[f])
		return 0;
	return after->v[f] - before->v[f];
}

int devstat_queue_attr(dev_t dev, const char *attr, char *buf, size_t len)
{
	char path[128];
	ssize_t n;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/queue/%s", major(dev), minor(dev),
		 attr);
	n = read_small(path, buf, len);
	if (n < 0) {
		/* A partition: its disk's queue. */
		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/../queue/%s", major(dev),
			 minor(dev), attr);
		n = read_small(path, buf, len);
	}
	if (n < 0) {
		buf[0] = '\0';
		return -1;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}
