#include "target/safety.h"

#include <blkid.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Partitions of dev listed in sysfs (dev itself first), as dev_t values. */
static size_t related_devs(dev_t dev, dev_t *out, size_t max)
{
	char dir[128];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	out[n++] = dev;
	snprintf(dir, sizeof(dir), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	d = opendir(dir);
	if (!d)
		return n;
	while ((de = readdir(d)) && n < max) {
		char p[512];
		unsigned ma, mi;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/dev", dir, de->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (fscanf(f, "%u:%u", &ma, &mi) == 2)
			out[n++] = makedev(ma, mi);
		fclose(f);
	}
	closedir(d);
	return n;
}

int safety_is_mounted(dev_t dev, char *where, size_t len)
{
	dev_t devs[256];
	size_t n = related_devs(dev, devs, 256), i;
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned ma, mi;
		char mnt[2048];

		/* id parent major:minor root mountpoint ... */
		if (sscanf(line, "%*u %*u %u:%u %*s %2047s", &ma, &mi, mnt) != 3)
			continue;
		for (i = 0; i < n; i++)
			if (devs[i] == makedev(ma, mi)) {
				snprintf(where, len, "%s", mnt);
				found = 1;
				break;
			}
	}
	fclose(f);
	if (!found) {
		/* Swap areas do not show in mountinfo. */
		f = fopen("/proc/swaps", "r");
		while (f && !found && fgets(line, sizeof(line), f)) {
			char p[2048];
			struct stat st;

			if (sscanf(line, "%2047s", p) != 1 || stat(p, &st) || !S_ISBLK(st.st_mode))
				continue;
			for (i = 0; i < n; i++)
				if (devs[i] == st.st_rdev) {
					snprintf(where, len, "swap (%s)", p);
					found = 1;
				}
		}
		if (f)
			fclose(f);
	}
	return found;
}

int safety_is_held(dev_t dev, char *holder, size_t len)
{
	char dir[128];
	struct dirent *de;
	int held = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/dev/block/%u:%u/holders", major(dev), minor(dev));
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(holder, len, "%s", de->d_name);
		held = 1;
		break;
	}
	closedir(d);
	return held;
}

int safety_fd_read_only(int fd)
{
	int ro = 0;

	if (ioctl(fd, BLKROGET, &ro))
		return -1;
	return ro ? 1 : 0;
}

int safety_is_read_only(const char *path)
{
	/* A shared, non-blocking, read-only open: nothing is claimed or written. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), rc;
	struct stat st;

	if (fd < 0)
		return -1;
	rc = fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) ? safety_fd_read_only(fd) : -1;
	close(fd);
	return rc;
}

int safety_has_signature(const char *path, char *what, size_t len)
{
	blkid_probe pr = blkid_new_probe_from_filename(path);
	const char *val = NULL, *kind = NULL;
	int rc, found = 0;

	if (!pr)
		return 0;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	rc = blkid_do_safeprobe(pr);
	if (rc == 0) {
		if (blkid_probe_lookup_value(pr, "TYPE", &val, NULL) == 0)
			kind = "signature";
		else if (blkid_probe_lookup_value(pr, "PTTYPE", &val, NULL) == 0)
			kind = "partition table";
		if (kind) {
			const char *usage = NULL;

			if (kind[0] == 's' &&
			    blkid_probe_lookup_value(pr, "USAGE", &usage, NULL) == 0)
				snprintf(what, len, "a %s %s signature", val,
					 strcmp(usage, "raid") == 0 ? "RAID" : usage);
			else
				snprintf(what, len, "a %s %s", val, kind);
			found = 1;
		}
	} else if (rc == -2) {
		snprintf(what, len, "several conflicting signatures");
		found = 1;
	}
	blkid_free_probe(pr);
	return found;
}

int safety_check_block(const char *path, dev_t dev, char *why, size_t len)
{
	char what[512];

	if (safety_is_mounted(dev, what, sizeof(what))) {
		snprintf(why, len, "%s is mounted on %s", path, what);
		return 1;
	}
	if (safety_is_held(dev, what, sizeof(what))) {
		snprintf(why, len, "%s is held by %s", path, what);
		return 1;
	}
	if (safety_has_signature(path, what, sizeof(what))) {
		snprintf(why, len, "%s carries %s", path, what);
		return 1;
	}
	return 0;
}
