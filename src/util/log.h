/* Diagnostics: one prefix, one line per message. */
#ifndef DMRB_LOG_H
#define DMRB_LOG_H

#include <stdarg.h>
#include <stddef.h>

/* Exit statuses shared by every command (documented in dmremap-bench(1)). */
enum exit_status {
	EXIT_OK = 0,
	EXIT_REGRESSION = 1,  /* a comparison found a regression */
	EXIT_USAGE = 2,       /* bad input, refused target, mismatched baseline */
	EXIT_IO = 3,          /* I/O or verification errors during the run */
	EXIT_RUNTIME = 4,     /* the system refused something the run needed */
	EXIT_SIGINT = 130,
	EXIT_SIGTERM = 143,
};

/* Set by main() to the running command ("concurrency"), used as prefix. */
void log_set_command(const char *cmd);

/* "dmremap-bench: <cmd>: <message>" on stderr. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_quiet(int quiet);

/*
 * in with its control characters quoted, as every message is: \n, \t, \r,
 * \e, else \xNN for bytes below 0x20 and 0x7f, the C1 controls U+0080 to
 * U+009F and bytes that are not UTF-8; valid UTF-8 stays as it is. Cut at
 * a whole character or escape to fit len. Returns the length written.
 */
size_t log_quote(char *out, size_t len, const char *in);

#endif
