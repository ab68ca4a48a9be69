/*
 * What the wrapper (dm/dm.h) learns from the host without a device-mapper
 * call: the module that provides a target type, a module's parameters in
 * /sys/module, and who keeps a block device busy (sysfs holders, mounts,
 * processes with it open).
 */
#include "dm/dm.h"

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "target/safety.h"

/* ---- kernel modules ----------------------------------------------------- */

void dmw_target_hint(const char *type, char *buf, size_t len)
{
	static const struct { const char *type, *module; } mods[] = {
		{ "linear", "dm-mod" }, { "error", "dm-mod" }, { "striped", "dm-mod" },
		{ "zero", "dm-mod" }, { "thin", "dm-thin-pool" },
		{ "thin-pool", "dm-thin-pool" }, { "snapshot", "dm-snapshot" },
		{ "snapshot-origin", "dm-snapshot" }, { "snapshot-merge", "dm-snapshot" },
		{ "multipath", "dm-multipath" }, { "cache", "dm-cache" },
	};
	size_t i;

	if (strcmp(type, "dm-remap-v4") == 0 || strcmp(type, "remap") == 0) {
		/* No alias, so nothing autoloads it; dm-bufio is a soft dependency. */
		snprintf(buf, len, "modprobe dm-bufio && modprobe dm_remap");
		return;
	}
	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
		if (strcmp(type, mods[i].type) == 0) {
			snprintf(buf, len, "modprobe %s", mods[i].module);
			return;
		}
	snprintf(buf, len, "modprobe dm-%s", type);
}

static void read_line(const char *path, char *buf, size_t len);

int dmw_module_param(const char *module, const char *param, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module, param);
	if (access(path, R_OK))
		return -1;
	read_line(path, buf, len);
	return 0;
}

/* ---- who holds a device --------------------------------------------------- */

static size_t append(char *buf, size_t len, size_t used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t len, size_t used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (used >= len)
		return used;
	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	return n < 0 ? used : used + (size_t)n;
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static size_t list_holders(unsigned ma, unsigned mi, char *buf, size_t len, size_t used)
{
	char dir[128];
	struct dirent *de;
	DIR *d;
	int k = 0;

	snprintf(dir, sizeof(dir), "/sys/dev/block/%u:%u/holders", ma, mi);
	d = opendir(dir);
	if (!d)
		return used;
	while ((de = readdir(d))) {
		char p[512], dmname[160];

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/block/%s/dm/name", de->d_name);
		read_line(p, dmname, sizeof(dmname));
		used = append(buf, len, used, "%s%s%s%s%s", k++ ? ", " : "; held by ",
			      de->d_name, dmname[0] ? " (" : "", dmname, dmname[0] ? ")" : "");
	}
	closedir(d);
	return used;
}

/* Processes with the device open; only /dev links are stat'ed (never a FUSE file). */
static size_t list_openers(dev_t dev, char *buf, size_t len, size_t used)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	int shown = 0, more = 0;

	if (!proc)
		return used;
	while ((de = readdir(proc))) {
		char fddir[300], comm[64], p[300];
		struct dirent *fe;
		DIR *fds;
		bool hit = false;

		if (!isdigit((unsigned char)de->d_name[0]) || atoi(de->d_name) == getpid())
			continue;
		snprintf(fddir, sizeof(fddir), "/proc/%s/fd", de->d_name);
		fds = opendir(fddir);
		if (!fds)
			continue;
		while (!hit && (fe = readdir(fds))) {
			char link[600], target[256];
			struct stat st;
			ssize_t n;

			snprintf(link, sizeof(link), "%s/%s", fddir, fe->d_name);
			n = readlink(link, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (strncmp(target, "/dev/", 5) == 0 && stat(link, &st) == 0 &&
			    S_ISBLK(st.st_mode) && st.st_rdev == dev)
				hit = true;
		}
		closedir(fds);
		if (!hit)
			continue;
		if (shown == 4) {
			more++;
			continue;
		}
		snprintf(p, sizeof(p), "/proc/%s/comm", de->d_name);
		read_line(p, comm, sizeof(comm));
		used = append(buf, len, used, "%s%s (%s)", shown++ ? ", " : "; open in pid ",
			      de->d_name, comm[0] ? comm : "?");
	}
	closedir(proc);
	if (more)
		used = append(buf, len, used, " and %d more", more);
	return used;
}

void dmw_describe_users(unsigned major, unsigned minor, int open_count, char *buf,
			size_t len)
{
	dev_t dev = makedev(major, minor);
	char where[512];
	size_t used;

	used = append(buf, len, 0, "open count %d", open_count);
	used = list_holders(major, minor, buf, len, used);
	if (safety_is_mounted(dev, where, sizeof(where)))
		used = append(buf, len, used, "; mounted on %s", where);
	list_openers(dev, buf, len, used);
}
