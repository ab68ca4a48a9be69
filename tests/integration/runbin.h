/*
 * Running the dmremap-bench binary from integration tests: start it with an
 * argv (and extra environment), capture stdout and stderr, optionally signal
 * it, collect the exit status; plus small helpers to read its JSON result,
 * to manage the scratch directories the tests use, to wait, and main()'s run
 * of the suite.
 */
#ifndef DMRB_TEST_RUNBIN_H
#define DMRB_TEST_RUNBIN_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The exit statuses the tool documents (the tests do not link its code). */
enum {
	RB_EXIT_OK = 0,
	RB_EXIT_USAGE = 2,
	RB_EXIT_IO = 3,
	RB_EXIT_RUNTIME = 4,
	RB_EXIT_SIGINT = 130,
	RB_EXIT_SIGTERM = 143,
};

struct runbin_opts {
	const char *const *env;   /* "NAME=value" entries added; NULL-terminated */
	int as_uid;               /* run as this uid (and gid), -1: unchanged */
	unsigned timeout_ms;      /* SIGKILL after this long; 0: 120 s */
	/*
	 * A cgroup's cgroup.procs (or NULL): the child writes its pid there
	 * before exec, so the tool runs in the group from its first I/O.
	 */
	const char *cgroup_procs;
};

struct runbin_result {
	int status;               /* exit status, or 128 + signal */
	bool timed_out;           /* killed after opts->timeout_ms */
	char *out, *err;          /* everything written, NUL-terminated */
};

/* A started run (internal state; use the functions below). */
struct runbin {
	pid_t pid;
	int fd[2];                /* stdout, stderr pipes; -1 when closed */
	char *buf[2];
	size_t len[2], cap[2];
	unsigned long long deadline_ns;
};

/* $DMRB_BIN, or ./dmremap-bench when unset. */
const char *runbin_path(void);

/*
 * Start the binary with args (argv[1..], NULL-terminated; argv[0] is the
 * binary's path). Returns 0, or -errno when it could not be started.
 */
int runbin_start(struct runbin *rb, const char *const *args, const struct runbin_opts *opts);
/*
 * Keep collecting output for delay_ms, then send sig. Returns 0, or -1 if
 * the process ended before the signal could be sent.
 */
int runbin_kill(struct runbin *rb, int sig, unsigned delay_ms);
/*
 * Keep collecting output for ms milliseconds (the process runs on).
 * Returns 1 when its output has ended (it is exiting), else 0.
 */
int runbin_pump(struct runbin *rb, unsigned ms);
/* Collect the rest of the output and the exit status; releases rb. */
int runbin_wait(struct runbin *rb, struct runbin_result *res);
/* start + wait. Returns 0 or -errno; res is always initialised. */
int runbin_run(const char *const *args, const struct runbin_opts *opts,
	       struct runbin_result *res);
void runbin_result_free(struct runbin_result *res);
/*
 * runbin_run for a fixture that keeps its last run: the previous *res and
 * *doc (or zeroes) are freed first; then res->status is -1 when the run
 * could not be made, and *doc is its stdout as JSON (NULL when it is not).
 */
void runbin_run_doc(const char *const *args, const struct runbin_opts *opts,
		    struct runbin_result *res, json_t **doc);

/* Lines in s (a last line without '\n' counts too). */
size_t runbin_count_lines(const char *s);

/* The whole of text as one JSON value, or NULL. */
json_t *runbin_json(const char *text);
/*
 * Walk a dotted path: "results.read.ops", "results.intervals.0.t_s". A
 * backslash makes the next character literal: "results.read.lat_ns.p99\\.9".
 * Returns a borrowed reference, or NULL when a step is missing.
 */
json_t *runbin_jget(json_t *root, const char *path);
/* The integer at a dotted path, or -1 when it is missing or not an integer. */
long long runbin_jint(json_t *root, const char *path);
/* The number at a dotted path, or NAN when it is missing or not a number. */
double runbin_jnum(json_t *root, const char *path);

/*
 * A fresh directory /dev/shm/dmrb-integ-<tag>-<pid>-XXXXXX (malloc'd path),
 * or NULL. The pid lets runbin_sweep() find directories of dead test
 * processes (a Check child killed by its timeout cannot clean up).
 */
char *runbin_tmpdir(const char *tag);
/* Remove dir and everything under it. Returns 0 or -1. */
int runbin_rmtree(const char *dir);
/* Entries in dir (not "." and ".."), or -1 if it cannot be read. */
int runbin_count_entries(const char *dir);
/* Entries in dir whose name begins with prefix (not "." and ".."), or -1. */
int runbin_count_prefixed(const char *dir, const char *prefix);
/*
 * Remove the runbin_tmpdir(tag) directories (or files) of this process and
 * of processes that are gone. Call it when no test of this program runs.
 */
void runbin_sweep(const char *tag);
/*
 * Whether name is "<prefix><pid>-..." with the pid of this process or of a
 * process that is gone: what a sweep may remove.
 */
bool runbin_orphaned(const char *name, const char *prefix);
/*
 * runbin_sweep() in another directory: rm(dir/name) for each entry
 * "dmrb-integ-<tag>-<pid>-..." of this process or of a process that is gone.
 */
void runbin_sweep_in(const char *dir, const char *tag, int (*rm)(const char *path));
/* Read a whole file into a malloc'd NUL-terminated string, or NULL. */
char *runbin_slurp(const char *path);
/* The first line of a file, without its '\n', into buf. Returns 0 or -errno. */
int runbin_read_line(const char *path, char *buf, size_t len);

/* CLOCK_MONOTONIC in milliseconds. */
unsigned long long runbin_mono_ms(void);
/* Sleep ms milliseconds (all of them: a signal does not cut it short). */
void runbin_sleep_ms(unsigned ms);

/*
 * main()'s run of suite s (CK_NORMAL), then the sweep of what tests killed
 * by their timeout left behind: sweep(tag) first when not NULL
 * (loopdev_sweep: the loop devices before their files), then
 * runbin_sweep(tag). Returns EXIT_SUCCESS, or EXIT_FAILURE when a test failed.
 */
int runbin_run_suite(Suite *s, const char *tag, void (*sweep)(const char *tag));

#endif
