/*
 * First-failure recording for integration tests whose bodies must clean up
 * (detach loop devices, remove files) before the test may fail: EXPECT
 * records the failure and leaves the body; the caller cleans up, then
 * asserts !ex.failed with ex.msg.
 */
#ifndef DMRB_TEST_EXPECT_H
#define DMRB_TEST_EXPECT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

struct expect {
	bool failed;
	char msg[4096];
};

static inline void expect_fail_at(struct expect *ex, int line, const char *cond,
				  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline void expect_fail_at(struct expect *ex, int line, const char *cond,
				  const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(ex->msg, sizeof(ex->msg), "line %d: '%s' failed: ", line, cond);
	va_start(ap, fmt);
	vsnprintf(ex->msg + n, sizeof(ex->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	ex->failed = true;
}

/* Record the first failure of fx (which has a struct expect ex) and leave the body. */
#define EXPECT(fx, cond, ...)                                                      \
	do {                                                                       \
		if (!(cond)) {                                                     \
			expect_fail_at(&(fx)->ex, __LINE__, #cond, __VA_ARGS__);   \
			return;                                                    \
		}                                                                  \
	} while (0)

/* Leave the body when a helper recorded a failure. */
#define EXPECT_OK(fx)                  \
	do {                           \
		if ((fx)->ex.failed)   \
			return;        \
	} while (0)

#endif
