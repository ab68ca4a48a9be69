/* SIGINT/SIGTERM handling: the one global of the program is the signal seen. */
#ifndef DMRB_SIGNALS_H
#define DMRB_SIGNALS_H

/* Install handlers for SIGINT and SIGTERM that only record the signal. */
void signals_install(void);
/* 0 when no stop signal arrived, else the signal number. */
int signals_pending(void);
/* Block SIGINT/SIGTERM in the calling thread (worker threads call this). */
void signals_block_in_thread(void);
/* Exit status for a signal: 128 + signo. */
int signals_exit_status(int signo);

#endif
