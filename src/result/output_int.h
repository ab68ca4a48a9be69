/*
 * What the output rule (output.c) and the writing (output_write.c) share:
 * where a path leads (struct dest, output_resolve()), the temporary file of
 * an atomic replacement, and the words of a refusal or a failure. Not for
 * use outside src/result.
 */
#ifndef DMRB_OUTPUT_INT_H
#define DMRB_OUTPUT_INT_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "result/output.h"

#define BLOCK_WORDS "never an output, not even with --force"
#define ALLOWED "allowed: a regular file, -, a FIFO or a character device"

enum dest_kind {
	D_NEW,      /* no such name yet in dirfd: created */
	D_REG,      /* a regular file: replaced atomically */
	D_SPECIAL,  /* a FIFO or a character device: written directly */
	D_FD,       /* an open descriptor of this process: written into */
	D_DIR,      /* output_check_dir(): an existing directory */
};

struct dest {
	enum dest_kind kind;
	int dirfd;                /* O_PATH descriptor of the directory holding name */
	char name[NAME_MAX + 1];
	int fd;                   /* D_FD */
	struct stat st;           /* D_REG, D_SPECIAL: the file as found */
	unsigned links;           /* symbolic links followed */
};

static inline void dest_release(struct dest *d)
{
	if (d->dirfd >= 0)
		close(d->dirfd);
	d->dirfd = -1;
}

static inline int refuse(char *why, size_t wlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int refuse(char *why, size_t wlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, wlen, fmt, ap);
	va_end(ap);
	return OUTPUT_REFUSED;
}

static inline int fail(const char *path, int err, char *why, size_t wlen)
{
	snprintf(why, wlen, "cannot write %s: %s", path, strerror(err));
	errno = err;
	return OUTPUT_FAILED;
}

/*
 * Where path leads under the rule (output.c). On OUTPUT_OK, d holds an
 * open directory (or a descriptor); release it with dest_release().
 */
int output_resolve(const char *path, bool want_dir, struct dest *d, char *why, size_t wlen);
/* A fresh NAME.tmp.XXXXXX in dirfd, opened for writing (output_write.c). */
int output_make_temp(int dirfd, const char *name, char *tmp, size_t len);

#endif
