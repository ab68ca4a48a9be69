#ifndef DMRB_TIMEUTIL_H
#define DMRB_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_USEC 1000ULL

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* The wall clock (CLOCK_REALTIME) in nanoseconds since the epoch, UTC. */
static inline uint64_t wall_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Sleep until the given CLOCK_MONOTONIC time; returns early on a signal. */
void sleep_until_ns(uint64_t when);

/* ISO 8601 UTC of the current wall clock, e.g. 2026-11-24T15:49:54Z. */
void iso8601_now(char *buf, size_t len);

#endif
