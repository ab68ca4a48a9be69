/*
 * Whole command lines: a command's option parsing and cross-checks
 * (command_parse_only), which do no I/O. Checks that the result is an exit
 * status (never "go on and run") and that every refusal says why on stderr.
 *
 * Input: the first byte picks the command (its index in the command table,
 * modulo the table's length; 0xff is an unknown command name); the rest are
 * the arguments, separated by NUL or newline bytes (at most MAX_ARGS, each
 * cut to MAX_ARG_LEN bytes, each in its own allocation).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "util/log.h"

#define MAX_ARGS 32
#define MAX_ARG_LEN 160

static void check(int cond)
{
	if (!cond)
		__builtin_trap();
}

static const char *pick_command(uint8_t b)
{
	size_t n = 0;

	while (commands[n].name)
		n++;
	check(n > 0);
	return b == 0xff ? "no-such-command" : commands[b % n].name;
}

static int split_args(const char *name, const uint8_t *data, size_t size, char **argv)
{
	int argc = 0;
	size_t start = 0, i;

	argv[argc++] = strdup(name);
	for (i = 0; i <= size && argc < MAX_ARGS; i++) {
		size_t len;

		if (i < size && data[i] != '\0' && data[i] != '\n')
			continue;
		len = i - start;
		argv[argc++] = strndup((const char *)data + start,
				       len < MAX_ARG_LEN ? len : MAX_ARG_LEN);
		start = i + 1;
	}
	argv[argc] = NULL;
	return argc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 1], *out = NULL, *err = NULL;
	size_t outlen = 0, errlen = 0;
	FILE *saved_out = stdout, *saved_err = stderr, *fout, *ferr;
	const char *name;
	int argc, rc, i;

	if (size < 1)
		return 0;
	name = pick_command(data[0]);
	argc = split_args(name, data + 1, size - 1, argv);
	fout = open_memstream(&out, &outlen);
	ferr = open_memstream(&err, &errlen);
	check(fout && ferr);
	/* The stdio streams, not fd 1 and 2: sanitizer reports stay visible. */
	stdout = fout;
	stderr = ferr;
	log_set_command(name);
	rc = command_parse_only(name, argc, argv);
	log_set_command(NULL);
	stdout = saved_out;
	stderr = saved_err;
	fclose(fout);
	fclose(ferr);

	check(rc == EXIT_OK || rc == EXIT_USAGE);
	if (rc == EXIT_USAGE && strcmp(name, "no-such-command"))
		check(errlen > 0);
	free(out);
	free(err);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
