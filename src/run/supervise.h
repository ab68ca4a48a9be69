/*
 * The supervisor: the last line of the hard stop.
 *
 * A thread asleep in the kernel (a submit on a frozen filesystem, the
 * kernel's exit_aio waiting for abandoned libaio I/O at the last mmput)
 * keeps its whole process alive: no signal ends it, and a shell's wait
 * does not return until every thread has left the kernel. So a run
 * command forks once its options are checked and before it opens
 * anything: the child does the run; the parent only supervises. It
 *   - forwards SIGINT and SIGTERM sent to it (a terminal's reach the
 *     whole process group already),
 *   - relays the child's standard output and error when they are pipes or
 *     sockets, so that a child left behind holds none of the caller's
 *     (whoever reads them to their end is not kept waiting),
 *   - propagates the child's exit status (or 128 + the signal that ended
 *     it),
 *   - when the child reported its status but cannot finish exiting
 *     (every thread left asleep in the kernel) within HARDSTOP_EXIT_NS,
 *     says on one line which process is left behind and in what, and
 *     exits with that status,
 *   - with --timeout T, kills the child and exits 3 (or 128 + a signal it
 *     received) when it is still there T + HARDSTOP_GRACE_NS after the
 *     fork (--timeout counts from the session's start, across every part
 *     of the run: repeats, slices, phases); after a stop signal,
 *     HARDSTOP_DRAIN_GRACE_NS + HARDSTOP_GRACE_NS after it.
 * The child dies with the parent (PR_SET_PDEATHSIG): SIGKILL of the tool
 * still ends the run.
 */
#ifndef DMRB_SUPERVISE_H
#define DMRB_SUPERVISE_H

#include <stdint.h>

/*
 * Fork. Returns 0 in the child (also when the process cannot fork: it
 * then runs unsupervised, after a warning); the parent never returns.
 * timeout_ns: --timeout, 0 for none. Call before anything is opened and
 * before any thread is created.
 */
int supervise_start(uint64_t timeout_ns);
/* In the child: a part of the run (an engine run) starts now. */
void supervise_part_started(void);
/*
 * A thread of this process is left behind, asleep in the kernel: exit
 * handlers that need every thread to stop (LeakSanitizer's) would wait
 * for it, so supervise_finish then ends the process with _exit.
 */
void supervise_threads_left(void);
/*
 * In the child, with the command's exit status: flush standard output and
 * error and tell the parent. Returns status (for main to return), unless
 * threads were left behind.
 */
int supervise_finish(int status);

#endif
