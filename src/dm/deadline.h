/*
 * Run a function in a forked child with a deadline.
 *
 * Some device-mapper ioctls never return (a target's destructor stuck in
 * drain_workqueue leaves the caller in D state, which no signal ends). The
 * only way not to be taken down with them is not to make them ourselves: a
 * child makes the call and streams its result through a pipe, the parent
 * waits with poll() until a deadline, and on timeout walks away from the
 * child (SIGKILL is sent, but a child in D state will not die until the
 * kernel lets go; it is reaped later with deadline_reap(), or never).
 *
 * The child must do nothing that needs the parent's threads (fork copies only
 * the calling thread); the commands that use this are single-threaded.
 */
#ifndef DMRB_DEADLINE_H
#define DMRB_DEADLINE_H

#include <stddef.h>
#include <sys/types.h>

/* What the function running in the child writes through. */
struct deadline_child;

/* Runs in the child; its return value is handed to the parent (child_rc). */
typedef int (*deadline_fn)(struct deadline_child *c, void *arg);

/*
 * Announce what the child is about to do ("ioctl", "udev-wait"); the last
 * stage announced is reported when the deadline passes.
 */
void deadline_stage(struct deadline_child *c, const char *stage);
/* Append to the result the parent receives; 0, or -1 when the pipe broke. */
int deadline_write(struct deadline_child *c, const void *buf, size_t len);

enum deadline_status {
	DEADLINE_DONE = 0,   /* the function returned; child_rc and data are valid */
	DEADLINE_HUNG,       /* the deadline passed first; see stage and pid */
	DEADLINE_FAILED,     /* fork/pipe failed (err), or the child died (term_signal) */
};

struct deadline_result {
	enum deadline_status status;
	int child_rc;
	char *data;            /* what the child wrote (malloc'd, NUL-terminated) */
	size_t len;
	char stage[64];        /* the last stage the child announced ("" if none) */
	pid_t pid;             /* the child */
	int left_behind;       /* 1: not reaped yet (HUNG); reap with deadline_reap() */
	char what[160];        /* HUNG: what the child was doing, see deadline_describe() */
	int err;               /* FAILED: errno of the failed call, or 0 */
	int term_signal;       /* FAILED: the signal that killed the child, or 0 */
	unsigned long elapsed_ms;
};

/*
 * What the child keeps of the parent. A child stuck for good must not hold
 * what the parent's callers wait on: a shell reading the tool's stdout
 * until EOF, a loop device that should go away with its last opener.
 */
enum {
	DEADLINE_CLOSE_FDS = 1 << 0,    /* close every fd but the pipe and 0, 1, 2 */
	DEADLINE_NULL_STDIO = 1 << 1,   /* stdin and stdout from/to /dev/null */
	DEADLINE_NULL_STDERR = 1 << 2,  /* stderr to /dev/null */
};

/*
 * Fork, run fn(c, arg) in the child, and wait at most timeout_ms for it.
 * Never blocks longer than the deadline (plus a few ms). Returns r->status.
 * Free r with deadline_result_free() whatever the status.
 */
int deadline_run(deadline_fn fn, void *arg, unsigned timeout_ms, unsigned flags,
		 struct deadline_result *r);
void deadline_result_free(struct deadline_result *r);

/* Reap a child left behind by a HUNG run, without waiting; 1 if it is gone. */
int deadline_reap(pid_t pid);

/*
 * What a left-behind child is doing, from /proc: "pid 123, state D,
 * blocked in drain_workqueue". Empty when unknown.
 */
void deadline_describe(pid_t pid, char *buf, size_t len);

/* A process as /proc/PID/stat and /proc/PID/wchan show it. */
struct deadline_proc {
	char state;                  /* 'R', 'S', 'D', 'Z', ...; 0: no such process */
	unsigned long long start;    /* start time, clock ticks after boot (field 22) */
	char wchan[64];              /* the kernel function it sleeps in, "" if unknown */
};

/*
 * Read pid's state under procroot ("/proc", or a test's fake tree): 0, or
 * -1 (p->state 0) when there is no such process or its stat is unreadable.
 * Reads only; never blocks on the process, whatever state it is in.
 */
int deadline_proc_read(const char *procroot, pid_t pid, struct deadline_proc *p);

#endif
