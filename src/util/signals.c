#include "util/signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_signal;

static void on_stop(int signo)
{
	stop_signal = signo;
}

/* No SA_RESTART: a thread asleep in a system call must wake up at once. */
static void handle(int signo, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sigaction(signo, &sa, NULL);
}

void signals_install(void)
{
	handle(SIGINT, on_stop);
	handle(SIGTERM, on_stop);
	signal(SIGPIPE, SIG_IGN);
}

int signals_pending(void)
{
	return stop_signal;
}

void signals_block_in_thread(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* SIGURG: ignored by default, so one that comes early or from outside is harmless. */
#define WAKE_SIGNAL SIGURG

static void on_wake(int signo)
{
	(void)signo;
}

void signals_wake_install(void)
{
	sigset_t set;

	handle(WAKE_SIGNAL, on_wake);
	/* Threads started from here on inherit the mask: a blocked one would never wake. */
	sigemptyset(&set);
	sigaddset(&set, WAKE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

void signals_wake_thread(pthread_t thread)
{
	pthread_kill(thread, WAKE_SIGNAL);
}

int signals_exit_status(int signo)
{
	return 128 + signo;
}
