/* Helpers the test programs that run inside the VM (make check-vm) share. */
#ifndef DMRB_VMTEST_H
#define DMRB_VMTEST_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct dmw;

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);
/* Read what fd holds from offset 0 into buf (NUL-terminated, truncated to len - 1), then close fd. */
void slurp(int fd, char *buf, size_t len);
/*
 * Zero the first MiB of a RAM disk: random verify data left by an earlier
 * run can look like a filesystem signature to libblkid (it has been taken
 * for hfsplus), and the tool rightly refuses such a device without --force.
 */
void zero_head(const char *path);
/* dmw_init() with deadlines for TCG: slow, but a hang is still caught. */
void init_dm(struct dmw *d);
/* How many dm devices carry a dmremap-bench UUID (a failed listing fails the test). */
size_t count_ours(void);
/*
 * Bind a free loop device to the file at path (not one of the tool's: no
 * dmremap-bench name), set to clear itself when the last user closes it.
 * The device path goes to dev; returns an fd open on it, or -1 (the reason
 * on stderr).
 */
int vm_loop_bind(const char *path, char *dev, size_t len);
/*
 * A directory where O_DIRECT works on every kernel the suite boots (tmpfs
 * has it only from Linux 6.6 on): a fresh ext2 filesystem (busybox mke2fs,
 * mounted with the ext4 driver) on a loop device over a sparse file of
 * size_mib in /dev/shm. The mount point goes to dir. The loop device is set
 * to clear itself, so odirect_dir_remove() (unmount, rmdir) leaves nothing.
 * 0, or -1 with the reason on stderr.
 */
int odirect_dir_make(char *dir, size_t len, unsigned size_mib);
void odirect_dir_remove(const char *dir);

/*
 * A fresh sparse file of size bytes at path (created, or truncated to
 * nothing first); a failure fails the test.
 */
void vm_make_file(const char *path, off_t size);

/* ---- device-mapper ---------------------------------------------------------------- */

/* Whether the kernel has the dm target type (loaded or built in). */
bool vm_target_loaded(const char *type);
/*
 * Remove every dm device whose name is ours (dmw_name_is_ours) and then
 * every one whose name begins with prefix (NULL: none), in up to passes
 * rounds: a device that another one stacked on it held goes in the next.
 * Failures are not reported: the tests' own checks see what is left.
 */
void vm_remove_devices(const char *prefix, unsigned passes);

/* ---- running dmremap-bench -------------------------------------------------------- */

/* A NULL-terminated argument list for vm_run(): VM_ARGS("status", "--all"). */
#define VM_ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
/* The most arguments a run takes (without argv[0]). */
#define VM_MAX_ARGS 46

/* One finished run of the binary DMRB_BIN names. */
struct vm_run {
	int status;          /* exit status, 128 + signal, or -1 */
	double wall_s;       /* from fork to reaped */
	char *out;           /* all of stdout, NUL-terminated */
	char *err;           /* all of stderr, NUL-terminated */
	json_t *doc;         /* stdout as JSON, or NULL */
};

/* A run started by vm_spawn(), for vm_reap(). */
struct vm_child {
	pid_t pid;
	int of, ef;          /* its stdout and stderr: unlinked files in /tmp */
	double t0;
	char what[160];      /* "tag: args[0] args[1]", for the log line */
};

/*
 * Run DMRB_BIN with args (NULL-terminated, without argv[0]), SIGALRM after
 * limit_s seconds (alarm()), stdout and stderr captured. Logs "tag: args[0]
 * args[1]: exit N after S s" to stderr; tag also names the temporary files
 * (/tmp/tag_outXXXXXX). DMRB_BIN unset, or more than VM_MAX_ARGS
 * arguments, fails the test. Free the result with vm_run_free().
 */
struct vm_run *vm_run(const char *tag, const char *const *args, unsigned limit_s);
/* vm_run() in two halves, for a test that acts on the running child (c->pid). */
void vm_spawn(struct vm_child *c, const char *tag, const char *const *args, unsigned limit_s);
struct vm_run *vm_reap(struct vm_child *c);
/* NULL is fine. */
void vm_run_free(struct vm_run *r);

/* ---- reading JSON documents ------------------------------------------------------- */

/*
 * Follow a dotted path ("results.total.ops") through nested objects (an
 * all-digit step indexes an array); NULL where it leads nowhere.
 */
json_t *jpath(json_t *j, const char *path);
/* The string, integer or number at path; missing or another type fails the test. */
const char *jstr(json_t *j, const char *path);
long long jint(json_t *j, const char *path);
double jnum(json_t *j, const char *path);
/*
 * The status ("pass", "fail", "not_checked") and the detail sentence of
 * the check called name in validate's document (its "checks" array); a
 * missing check fails the test.
 */
const char *check_status(json_t *doc, const char *name);
const char *check_detail(json_t *doc, const char *name);

/* ---- main() ----------------------------------------------------------------------- */

/*
 * What a VM test program needs: root and /dev/mapper/control (else 77,
 * skipped) and the n_ram brd RAM disks from /dev/ram<first_ram> on (else
 * 1). 0 when all is there; otherwise the reason on stderr, after tag.
 */
int vm_need(const char *tag, unsigned first_ram, unsigned n_ram);
/* Run s (CK_NORMAL) and free the runner: EXIT_SUCCESS, or EXIT_FAILURE if a test failed. */
int vm_run_suite(Suite *s);

#endif
