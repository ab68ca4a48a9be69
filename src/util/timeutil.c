#include "util/timeutil.h"

void sleep_until_ns(uint64_t when)
{
	struct timespec ts = {
		.tv_sec = (time_t)(when / NSEC_PER_SEC),
		.tv_nsec = (long)(when % NSEC_PER_SEC),
	};

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

void iso8601_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
