/*
 * Every file the tool writes (results, reports and charts, baselines, the
 * verify state) goes through this one rule, written down in
 * dmremap-bench(1), OUTPUTS:
 *
 *  - "-" is standard output. /dev/stdout, /dev/stderr, /dev/fd/N,
 *    /proc/self/fd/N, and any path that resolves into this process's
 *    descriptor directory, is that open descriptor: written into, never
 *    replaced.
 *  - A regular file, or a name that does not exist yet, is replaced
 *    atomically: a temporary NAME.tmp.XXXXXX in the same directory,
 *    fsync, rename over NAME, fsync of the directory. A new file gets
 *    mode 0644; a replaced one keeps its mode (and, when the caller may,
 *    its owner).
 *  - A FIFO or a character device named explicitly is written directly
 *    (opened O_WRONLY without O_CREAT, checked again with fstat).
 *  - A symbolic link, the last component or any other, is followed only
 *    when it can be trusted, the rule of the kernel's
 *    fs.protected_symlinks: outside a sticky world-writable directory
 *    always, inside one only when the link belongs to the caller's
 *    effective uid or to the directory's owner. A followed link to a
 *    regular file replaces the TARGET; the link stays.
 *  - A block device (never, --force or not), a directory, a socket,
 *    anything else under /proc, a descriptor that is not open for
 *    writing, and an untrusted symlink are refused.
 *
 * The path is walked one component at a time from a directory
 * descriptor (O_PATH, O_NOFOLLOW, fstatat, openat), so a swap between the
 * check and the write cannot send the write anywhere the rule refuses.
 *
 * output_check() applies the rule without side effects, before a run.
 * output_write() applies it again and writes from a writer thread: the
 * calling thread waits, and gives up when the output has taken nothing
 * for OUTPUT_STALL_S seconds (a FIFO without a reader, a frozen
 * filesystem); the writer is then left behind. Only the waiting happens
 * on the caller's thread, never the write.
 */
#ifndef DMRB_OUTPUT_H
#define DMRB_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

enum output_status {
	OUTPUT_OK = 0,
	OUTPUT_FAILED = -1,   /* errno set; why: "cannot write PATH: <reason>" */
	OUTPUT_REFUSED = -2,  /* the rule refuses the path; why says why */
	OUTPUT_BLOCKED = -3,  /* nothing written for OUTPUT_STALL_S s; given up */
};

/* An output that accepts nothing for this long is given up. */
#define OUTPUT_STALL_S 5

/* Room for any message of this module (two paths and some words). */
#define OUTPUT_WHY_LEN (2 * 4096 + 512)

/*
 * Whether path may be written under the rule: OUTPUT_OK, or
 * OUTPUT_REFUSED with one line in why. Nothing is created or opened for
 * writing. A missing or unreadable directory on the way is not refused
 * here: the write reports it.
 */
int output_check(const char *path, char *why, size_t wlen);
/*
 * The same for a directory that files will be written into (report
 * --format svg): an existing directory, reached by trusted links, or a
 * name that does not exist yet.
 */
int output_check_dir(const char *path, char *why, size_t wlen);
/*
 * The open descriptor path names ("-": 1, /dev/stdin: 0, /dev/fd/N: N),
 * or -1 when it names a file (or cannot be resolved). Whether the
 * descriptor may be written is output_check()'s to say.
 */
int output_descriptor(const char *path);
/* Whether path is standard output ("-", /dev/stdout, /dev/fd/1, ...). */
bool output_is_stdout(const char *path);

/*
 * Write data (len bytes, malloc'd: always freed here) to path under the
 * rule. what names the contents for the message of a blocked output
 * ("the result"). Returns an enum output_status; on failure why holds
 * one line without the option's name:
 *   cannot write PATH: <strerror>
 *   PATH is a block device (never an output, not even with --force)
 *   PATH blocked for 5 s; the result was not written
 */
int output_write(const char *path, char *data, size_t len, const char *what, char *why,
		 size_t wlen);

/*
 * A writer thread for an output that is rewritten while a run goes on
 * (endurance's snapshots). output_writer_post() hands it a snapshot and
 * returns at once (it only takes a mutex the writer holds for a pointer
 * swap): the newest snapshot wins, one not yet written is dropped.
 * Snapshots go to regular files only; standard output, a FIFO or a
 * character device gets the final document alone. output_writer_finish()
 * writes the final document (NULL: none) after the snapshot in progress,
 * waits as output_write() does, and releases the writer.
 */
struct output_writer;

/* NULL when no thread can be started (then write with output_write()). */
struct output_writer *output_writer_start(const char *path);
void output_writer_post(struct output_writer *w, char *data, size_t len);
/* The first snapshot failure, reported once: true and why filled. */
bool output_writer_failed(struct output_writer *w, char *why, size_t wlen);
int output_writer_finish(struct output_writer *w, char *data, size_t len, const char *what,
			 char *why, size_t wlen);

/*
 * Whether path leads, under the rule, to a regular file or to a name that
 * does not exist yet: the outputs that can have a companion file beside
 * them (result/appender.h). False for "-", descriptors, FIFOs, devices and
 * whatever the rule refuses. name (when not NULL) gets the file's own name
 * at the end of any symlinks, which a companion's name starts with.
 */
bool output_is_file(const char *path, char *name, size_t nlen);
/*
 * A companion of the document at path: a new, empty regular file named
 * <name>suffix in the directory where path's file lives (after the rule's
 * trusted symlinks: beside the document itself), replacing a regular file
 * of that name atomically (NAME.tmp.XXXXXX renamed over it), mode 0644.
 * Returns its descriptor, open for writing (O_CLOEXEC), and its file name
 * (no directory) in name; or -1 with one line in why (the rule refuses
 * path, the companion's name is taken by something that is not a regular
 * file, or a system error). Blocking file system calls: call it from a
 * writer thread.
 */
int output_open_beside(const char *path, const char *suffix, char *name, size_t nlen,
		       char *why, size_t wlen);

/* mkdir -p: dir and every missing parent (mode 0755). 0 or -1 with errno. */
int make_dirs(const char *dir);

#endif
