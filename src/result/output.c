/*
 * The output rule of output.h: where a path leads (walked one component
 * at a time from a directory descriptor, every symbolic link vetted),
 * whether it may be written, the descriptor it names, and the files and
 * directories made beside an output. The writing itself (the atomic
 * replacement, FIFOs and devices, the writer thread) is output_write.c's.
 */
#include "result/output_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* Symbolic links one resolution follows, as the kernel's MAXSYMLINKS. */
#define MAX_LINKS 40

/* ---- the rule: where a path leads --------------------------------------------- */

/* Where a directory descriptor is, for messages ("?" when /proc cannot say). */
static void fd_path(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	if (n < 0)
		snprintf(buf, len, "?");
	else
		buf[n] = '\0';
}

/* The path of name in dirfd, for messages. */
static void dest_path(int dirfd, const char *name, char *buf, size_t len)
{
	char dir[PATH_MAX];

	fd_path(dirfd, dir, sizeof(dir));
	snprintf(buf, len, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
}

static bool on_procfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* Whether dirfd is this process's /proc/PID/fd (or /proc/PID/task/TID/fd). */
static bool own_fd_dir(int dirfd)
{
	char got[128];
	int pid, tid, end = 0;

	if (!on_procfs(dirfd))
		return false;
	fd_path(dirfd, got, sizeof(got));
	if (sscanf(got, "/proc/%d/fd%n", &pid, &end) == 1 && end && got[end] == '\0')
		return pid == getpid();
	end = 0;
	if (sscanf(got, "/proc/%d/task/%d/fd%n", &pid, &tid, &end) == 2 && end &&
	    got[end] == '\0')
		return pid == getpid();
	return false;
}

static bool all_digits(const char *s)
{
	if (!*s || strlen(s) > 9)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * fs.protected_symlinks: a link in a sticky world-writable directory is
 * followed only when it belongs to the follower or to the directory's owner.
 */
static bool link_trusted(int dirfd, const struct stat *link, struct stat *dir)
{
	if (fstat(dirfd, dir))
		return false;
	if (!(dir->st_mode & S_ISVTX) || !(dir->st_mode & S_IWOTH))
		return true;
	return link->st_uid == geteuid() || link->st_uid == dir->st_uid;
}

/* "-" is standard output; a path into /proc/self/fd is "PATH (descriptor N)". */
static void fd_name(const char *path, int fd, char *buf, size_t len)
{
	if (strcmp(path, "-") == 0)
		snprintf(buf, len, "standard output (-)");
	else
		snprintf(buf, len, "%s (descriptor %d)", path, fd);
}

static int resolve_fd(const char *path, int fd, struct dest *d, char *why, size_t wlen)
{
	char name[PATH_MAX + 32];
	struct stat st;
	int fl;

	d->fd = fd;  /* what the path names, even when refused (output_descriptor) */
	fd_name(path, fd, name, sizeof(name));
	if (fstat(fd, &st) || (fl = fcntl(fd, F_GETFL)) < 0)
		return refuse(why, wlen, "%s is not open (%s)", name, ALLOWED);
	if (S_ISBLK(st.st_mode))
		return refuse(why, wlen, "%s is a block device (%s)", name, BLOCK_WORDS);
	if (S_ISDIR(st.st_mode))
		return refuse(why, wlen, "%s is a directory (%s)", name, ALLOWED);
	if ((fl & O_ACCMODE) == O_RDONLY)
		return refuse(why, wlen, "%s is open for reading only", name);
	d->kind = D_FD;
	d->st = st;
	return OUTPUT_OK;
}

/* The last component is a file that is there: what the rule says of it. */
static int resolve_last(const char *path, int cur, const char *comp, const struct stat *st,
			bool want_dir, struct dest *d, char *why, size_t wlen)
{
	char where[PATH_MAX + NAME_MAX + 2], is[2 * PATH_MAX + NAME_MAX + 32];

	/* "PATH is a ..." or, through symlinks, "PATH leads to WHERE, a ..." */
	if (d->links) {
		dest_path(cur, comp, where, sizeof(where));
		snprintf(is, sizeof(is), "%s leads to %s,", path, where);
	} else {
		snprintf(is, sizeof(is), "%s is", path);
	}
	if (S_ISDIR(st->st_mode)) {
		if (want_dir)
			return OUTPUT_OK;
		return refuse(why, wlen, "%s a directory (%s)", is, ALLOWED);
	}
	if (want_dir)
		return refuse(why, wlen, "%s not a directory (allowed: a directory, or a name "
			      "to create one under)", is);
	if (S_ISBLK(st->st_mode))
		return refuse(why, wlen, "%s a block device (%s)", is, BLOCK_WORDS);
	if (S_ISREG(st->st_mode)) {
		d->kind = D_REG;
		return OUTPUT_OK;
	}
	if (S_ISFIFO(st->st_mode) || S_ISCHR(st->st_mode)) {
		d->kind = D_SPECIAL;
		return OUTPUT_OK;
	}
	return refuse(why, wlen, "%s a %s (%s)", is, S_ISSOCK(st->st_mode) ? "socket" :
		      "special file", ALLOWED);
}

/*
 * Walk path one component at a time, as the kernel would, but vetting
 * every symbolic link. On OUTPUT_OK, d holds an open directory (or a
 * descriptor); release it with dest_release().
 */
int output_resolve(const char *path, bool want_dir, struct dest *d, char *why, size_t wlen)
{
	char rest[2 * PATH_MAX], tmp[2 * PATH_MAX], target[PATH_MAX], comp[NAME_MAX + 1];
	struct stat st, dir;
	char *p;
	int cur, rc;

	memset(d, 0, sizeof(*d));
	d->dirfd = d->fd = -1;
	if (!*path)
		return refuse(why, wlen, "an empty name (%s)", ALLOWED);
	if (strcmp(path, "-") == 0) {
		if (want_dir)
			return refuse(why, wlen, "- (standard output) is not a directory");
		return resolve_fd(path, STDOUT_FILENO, d, why, wlen);
	}
	if (strlen(path) >= sizeof(rest))
		return fail(path, ENAMETOOLONG, why, wlen);
	snprintf(rest, sizeof(rest), "%s", path);
	cur = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return fail(path, errno, why, wlen);
	p = rest;
	for (;;) {
		size_t n;
		bool last;
		ssize_t tl;

		while (*p == '/')
			p++;
		if (!*p) {
			/* "/", ".", "dir/": the path names a directory. */
			if (want_dir) {
				d->kind = D_DIR;
				d->dirfd = cur;
				snprintf(d->name, sizeof(d->name), ".");
				return OUTPUT_OK;
			}
			close(cur);
			return refuse(why, wlen, "%s is a directory (%s)", path, ALLOWED);
		}
		n = strcspn(p, "/");
		if (n > NAME_MAX) {
			close(cur);
			return fail(path, ENAMETOOLONG, why, wlen);
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		last = *p == '\0';
		/* /dev/stdout, /dev/fd/N, /proc/self/fd/N: the descriptor itself. */
		if (last && !want_dir && all_digits(comp) && own_fd_dir(cur)) {
			close(cur);
			return resolve_fd(path, atoi(comp), d, why, wlen);
		}
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW)) {
			int err = errno;

			if (err == ENOENT && last && !on_procfs(cur)) {
				d->kind = D_NEW;
				d->dirfd = cur;
				snprintf(d->name, sizeof(d->name), "%s", comp);
				return OUTPUT_OK;
			}
			close(cur);
			if (err == ENOENT && last)
				return refuse(why, wlen, "%s is in /proc and no descriptor of this "
					      "process (allowed there: /dev/fd/N, /proc/self/fd/N)", path);
			return fail(path, err, why, wlen);
		}
		if (S_ISLNK(st.st_mode)) {
			if (!link_trusted(cur, &st, &dir)) {
				char where[PATH_MAX + NAME_MAX + 2];

				dest_path(cur, comp, where, sizeof(where));
				close(cur);
				return refuse(why, wlen, "%s: not following the symlink %s (owner uid "
					      "%u, in a sticky world-writable directory of uid %u; "
					      "only a link of yours or of the directory's owner is "
					      "followed: name the target itself)", path, where,
					      (unsigned)st.st_uid, (unsigned)dir.st_uid);
			}
			tl = readlinkat(cur, comp, target, sizeof(target));
			if (tl < 0 || (size_t)tl >= sizeof(target) || ++d->links > MAX_LINKS ||
			    (size_t)tl + strlen(p) + 1 >= sizeof(tmp)) {
				int err = tl < 0 ? errno : d->links > MAX_LINKS ? ELOOP : ENAMETOOLONG;

				close(cur);
				return fail(path, err, why, wlen);
			}
			target[tl] = '\0';
			/* The link's text replaces its name; relative to the link's directory. */
			snprintf(tmp, sizeof(tmp), "%s%s", target, p);
			snprintf(rest, sizeof(rest), "%s", tmp);
			p = rest;
			if (target[0] == '/') {
				close(cur);
				cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (cur < 0)
					return fail(path, errno, why, wlen);
			}
			continue;
		}
		if (!last) {
			int next;

			if (!S_ISDIR(st.st_mode)) {
				close(cur);
				return fail(path, ENOTDIR, why, wlen);
			}
			next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next < 0) {
				int err = errno;

				close(cur);
				return fail(path, err, why, wlen);
			}
			close(cur);
			cur = next;
			continue;
		}
		if (on_procfs(cur)) {
			close(cur);
			return refuse(why, wlen, "%s is in /proc and no descriptor of this process "
				      "(allowed there: /dev/fd/N, /proc/self/fd/N)", path);
		}
		rc = resolve_last(path, cur, comp, &st, want_dir, d, why, wlen);
		if (rc) {
			close(cur);
			return rc;
		}
		if (want_dir && S_ISDIR(st.st_mode))
			d->kind = D_DIR;
		d->dirfd = cur;
		d->st = st;
		snprintf(d->name, sizeof(d->name), "%s", comp);
		return OUTPUT_OK;
	}
}

/* Failures on the way (a missing directory, no permission) are the write's to report. */
static int check(const char *path, bool want_dir, char *why, size_t wlen)
{
	struct dest d;
	int rc = output_resolve(path, want_dir, &d, why, wlen);

	dest_release(&d);
	if (rc == OUTPUT_FAILED && errno != ELOOP && errno != ENAMETOOLONG)
		return OUTPUT_OK;
	return rc == OUTPUT_FAILED ? OUTPUT_REFUSED : rc;
}

int output_check(const char *path, char *why, size_t wlen)
{
	return check(path, false, why, wlen);
}

int output_check_dir(const char *path, char *why, size_t wlen)
{
	return check(path, true, why, wlen);
}

int output_descriptor(const char *path)
{
	char why[OUTPUT_WHY_LEN];
	struct dest d;
	int fd;

	if (strcmp(path, "-") == 0)
		return STDOUT_FILENO;
	output_resolve(path, false, &d, why, sizeof(why));
	fd = d.fd;
	dest_release(&d);
	return fd;
}

bool output_is_stdout(const char *path)
{
	return output_descriptor(path) == STDOUT_FILENO;
}

/* ---- beside an output: companion files, directories --------------------------- */

bool output_is_file(const char *path, char *name, size_t nlen)
{
	char why[OUTPUT_WHY_LEN];
	struct dest d;
	bool file;

	file = output_resolve(path, false, &d, why, sizeof(why)) == OUTPUT_OK &&
	       (d.kind == D_NEW || d.kind == D_REG);
	if (file && name)
		snprintf(name, nlen, "%s", d.name);
	dest_release(&d);
	return file;
}

int output_open_beside(const char *path, const char *suffix, char *name, size_t nlen,
		       char *why, size_t wlen)
{
	char cname[NAME_MAX + 1], tmp[NAME_MAX + 1], where[PATH_MAX + NAME_MAX + 2];
	struct stat st;
	struct dest d;
	int fd = -1, dfd, err;

	if (output_resolve(path, false, &d, why, wlen) != OUTPUT_OK) {
		dest_release(&d);
		return -1;
	}
	if (d.kind != D_NEW && d.kind != D_REG) {
		dest_release(&d);
		snprintf(why, wlen, "%s is not a regular file: no file can go beside it", path);
		return -1;
	}
	if (strlen(d.name) + strlen(suffix) > NAME_MAX) {
		dest_release(&d);
		fail(path, ENAMETOOLONG, why, wlen);
		return -1;
	}
	memcpy(cname, d.name, strlen(d.name));
	memcpy(cname + strlen(d.name), suffix, strlen(suffix) + 1);
	dest_path(d.dirfd, cname, where, sizeof(where));
	if (fstatat(d.dirfd, cname, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
		dest_release(&d);
		refuse(why, wlen, "%s exists and is not a regular file (it would be replaced)",
		       where);
		return -1;
	}
	fd = output_make_temp(d.dirfd, cname, tmp, sizeof(tmp));
	if (fd < 0 || fchmod(fd, 0644) || renameat(d.dirfd, tmp, d.dirfd, cname)) {
		err = errno;
		if (fd >= 0) {
			close(fd);
			unlinkat(d.dirfd, tmp, 0);
		}
		dest_release(&d);
		fail(where, err, why, wlen);
		return -1;
	}
	dfd = openat(d.dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	dest_release(&d);
	snprintf(name, nlen, "%s", cname);
	return fd;
}

int make_dirs(const char *dir)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}
