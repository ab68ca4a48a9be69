#include "util/log.h"

#include <stdio.h>

static const char *command_name;
static int quiet;

void log_set_command(const char *cmd) { command_name = cmd; }
void log_set_quiet(int q) { quiet = q; }

static void vlog(const char *kind, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* One write per message so concurrent lines never interleave. */
	if (command_name)
		fprintf(stderr, "dmremap-bench: %s: %s%s\n", command_name, kind, line);
	else
		fprintf(stderr, "dmremap-bench: %s%s\n", kind, line);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}
