/* SIGINT/SIGTERM handling: the one global of the program is the signal seen. */
#ifndef DMRB_SIGNALS_H
#define DMRB_SIGNALS_H

#include <pthread.h>

/* Install handlers for SIGINT and SIGTERM that only record the signal. */
void signals_install(void);
/* 0 when no stop signal arrived, else the signal number. */
int signals_pending(void);
/* Block SIGINT/SIGTERM in the calling thread (worker threads call this). */
void signals_block_in_thread(void);
/*
 * Waking a thread out of a blocking system call: workers wait for
 * completions with no timeout (a timed wait arms a timer each time it
 * sleeps), so the monitor interrupts them with this signal when the run
 * ends. signals_wake_install() gives it a handler that does nothing
 * (without SA_RESTART, so the call returns EINTR) and unblocks it in the
 * calling thread, whose mask new threads inherit; it is idempotent.
 */
void signals_wake_install(void);
void signals_wake_thread(pthread_t thread);
/* Exit status for a signal: 128 + signo. */
int signals_exit_status(int signo);

#endif
