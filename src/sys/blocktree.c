#include "sys/blocktree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *root_of(const char *sysroot)
{
	return sysroot ? sysroot : "/sys";
}

/* A small file, NUL-terminated; its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

void blk_stat_path(const char *sysroot, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/class/block/%s/stat", root_of(sysroot), name);
}

int blk_read_stat(const char *sysroot, const char *name, struct devstat *s)
{
	char path[4200], buf[512];

	blk_stat_path(sysroot, name, path, sizeof(path));
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	return devstat_parse(buf, s);
}

int blk_devnum(const char *sysroot, const char *name, unsigned *major, unsigned *minor)
{
	char path[4200], buf[64];

	snprintf(path, sizeof(path), "%s/class/block/%s/dev", root_of(sysroot), name);
	if (read_small(path, buf, sizeof(buf)) < 0 || sscanf(buf, "%u:%u", major, minor) != 2)
		return -1;
	return 0;
}

int blk_name_of(const char *sysroot, unsigned major, unsigned minor, char *name, size_t len)
{
	char path[4200], link[4096];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/dev/block/%u:%u", root_of(sysroot), major, minor);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	while (n > 1 && link[n - 1] == '/')
		link[--n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (!*base || strlen(base) >= len)
		return -1;
	snprintf(name, len, "%s", base);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool listed(const struct blk_node *out, unsigned n, const char *name)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!strcmp(out[i].name, name))
			return true;
	return false;
}

/* Add name at depth, then its slaves below it; n is the count so far. */
static void walk(const char *sysroot, const char *name, unsigned depth, struct blk_node *out,
		 unsigned max, unsigned *n)
{
	char path[4200], **names = NULL;
	size_t k = 0, cap = 0, i;
	struct blk_node *node;
	struct dirent *de;
	DIR *d;

	if (*n >= max || listed(out, *n, name) || strlen(name) >= BLK_NAME_MAX)
		return;
	node = &out[(*n)++];
	memset(node, 0, sizeof(*node));
	snprintf(node->name, sizeof(node->name), "%s", name);
	node->depth = depth;
	if (blk_devnum(sysroot, name, &node->major, &node->minor))
		node->major = node->minor = 0;
	snprintf(path, sizeof(path), "%s/class/block/%s/slaves", root_of(sysroot), name);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char **nn;

		if (de->d_name[0] == '.')
			continue;
		if (k == cap) {
			cap = cap ? cap * 2 : 8;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				break;
			names = nn;
		}
		names[k] = strdup(de->d_name);
		if (names[k])
			k++;
	}
	closedir(d);
	if (k)
		qsort(names, k, sizeof(*names), cmp_names);
	for (i = 0; i < k; i++) {
		char stat[4200];

		/* Only what is a block device there (a stat file to read). */
		blk_stat_path(sysroot, names[i], stat, sizeof(stat));
		if (access(stat, R_OK) == 0)
			walk(sysroot, names[i], depth + 1, out, max, n);
		free(names[i]);
	}
	free(names);
}

int blk_tree(const char *sysroot, const char *name, struct blk_node *out, unsigned max)
{
	char stat[4200];
	unsigned n = 0;

	if (!max)
		return -1;
	blk_stat_path(sysroot, name, stat, sizeof(stat));
	if (!name[0] || strchr(name, '/') || access(stat, R_OK))
		return 0;
	walk(sysroot, name, 0, out, max, &n);
	return (int)n;
}
