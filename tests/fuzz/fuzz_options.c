/*
 * opts_parse on an argv made from the input, against a table with every
 * option type. Besides memory safety it checks what the header promises:
 * success is silent and leaves every value inside its bounds, an error
 * says something on stderr, --help prints the usage.
 *
 * Input: arguments separated by NUL or newline bytes (at most MAX_ARGS,
 * each cut to MAX_ARG_LEN bytes), each in its own allocation so that
 * reading past one is caught.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"

#define MAX_ARGS 24
#define MAX_ARG_LEN 128
#define MAX_POS 2
#define NS_PER_S 1000000000ULL

static const char *const levels[] = { "off", "light", "heavy", NULL };
static const char *const level_codes[] = { "0", "1", "2", NULL };
static const char *const modes[] = { "fast", "slow", NULL };

struct vals {
	bool flag, flag_set;
	const char *name;
	bool name_set;
	unsigned count, plain, workers;
	bool count_set, plain_set, workers_set;
	uint64_t big, atleast, size, time;
	bool big_set, atleast_set, size_set, time_set;
	int level, mode;
	bool level_set, mode_set;
	double ratio;
	bool ratio_set;
};

enum { NOPTS = 16 };

static void check(int cond)
{
	if (!cond)
		__builtin_trap();
}

static void table_init(struct opt *t, struct vals *v)
{
	int n = 0;

	*v = (struct vals){ .name = "default", .count = 3, .plain = 9, .big = 77,
			    .atleast = 6, .size = 4096, .time = 5 * NS_PER_S,
			    .level = 2, .workers = 8, .ratio = 1.0 };
	t[n++] = (struct opt){ .type = OPT_GROUP, .help = "Basics" };
	t[n++] = (struct opt){ .type = OPT_BOOL, .name = "flag", .short_name = 'f',
			       .value = &v->flag, .set = &v->flag_set, .help = "a flag" };
	t[n++] = (struct opt){ .type = OPT_STRING, .name = "name", .short_name = 'n',
			       .value = &v->name, .argh = "NAME", .set = &v->name_set,
			       .help = "a name" };
	t[n++] = (struct opt){ .type = OPT_UINT, .name = "count", .short_name = 'c',
			       .value = &v->count, .argh = "N", .min = 1, .max = 10000,
			       .set = &v->count_set, .help = "how many" };
	t[n++] = (struct opt){ .type = OPT_UINT, .name = "plain", .value = &v->plain,
			       .set = &v->plain_set, .help = "an unbounded unsigned" };
	t[n++] = (struct opt){ .type = OPT_U64, .name = "big", .value = &v->big,
			       .set = &v->big_set, .help = "an unbounded 64-bit number" };
	t[n++] = (struct opt){ .type = OPT_SIZE, .name = "size", .short_name = 's',
			       .value = &v->size, .argh = "SIZE", .min = 512, .max = 1ULL << 30,
			       .special = "auto", .set = &v->size_set, .help = "a size" };
	t[n++] = (struct opt){ .type = OPT_DURATION, .name = "time", .short_name = 't',
			       .value = &v->time, .argh = "T", .min = NS_PER_S,
			       .max = 3600 * NS_PER_S, .set = &v->time_set, .help = "a duration" };
	t[n++] = (struct opt){ .type = OPT_GROUP, .help = "Choices" };
	t[n++] = (struct opt){ .type = OPT_CHOICE, .name = "level", .short_name = 'l',
			       .value = &v->level, .argh = "LEVEL", .choices = levels,
			       .aliases = level_codes, .set = &v->level_set,
			       .help = "off, light or heavy" };
	t[n++] = (struct opt){ .type = OPT_UINT, .name = "workers", .value = &v->workers,
			       .argh = "N|auto", .min = 1, .max = 64, .special = "auto",
			       .set = &v->workers_set, .help = "threads" };
	t[n++] = (struct opt){ .type = OPT_CHOICE, .name = "mode", .value = &v->mode,
			       .choices = modes, .set = &v->mode_set, .help = "fast or slow" };
	t[n++] = (struct opt){ .type = OPT_U64, .name = "at-least", .value = &v->atleast,
			       .min = 5, .set = &v->atleast_set, .help = "5 or more" };
	t[n++] = (struct opt){ .type = OPT_DOUBLE, .name = "ratio", .short_name = 'r',
			       .value = &v->ratio, .argh = "X", .dmin = 0.5, .dmax = 2.5,
			       .set = &v->ratio_set, .help = "from 0.5 to 2.5" };
	t[n++] = (struct opt)OPT_END_MARK;
	check(n <= NOPTS);
}

static bool points_into(const char *p, char **argv, int argc)
{
	int i;

	for (i = 1; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return true;
	return false;
}

/* After OPTS_OK: every value is its default or a legal value from argv. */
static void check_values(const struct vals *v, char **argv, int argc)
{
	check(v->name_set ? *v->name && points_into(v->name, argv, argc) :
	      strcmp(v->name, "default") == 0);
	check(v->flag == v->flag_set);
	check(v->count_set ? v->count >= 1 && v->count <= 10000 : v->count == 3);
	check(v->plain_set || v->plain == 9);
	check(v->big_set || v->big == 77);
	check(v->atleast_set ? v->atleast >= 5 : v->atleast == 6);
	/* "auto" is stored as 0, below the minimum on purpose. */
	check(v->size_set ? v->size == 0 || (v->size >= 512 && v->size <= (1ULL << 30)) :
	      v->size == 4096);
	check(v->time_set ? v->time >= NS_PER_S && v->time <= 3600 * NS_PER_S :
	      v->time == 5 * NS_PER_S);
	check(v->level_set ? v->level >= 0 && v->level <= 2 : v->level == 2);
	check(v->workers_set ? v->workers <= 64 : v->workers == 8);
	check(v->mode_set ? v->mode == 0 || v->mode == 1 : v->mode == 0);
	check(v->ratio_set ? v->ratio >= 0.5 && v->ratio <= 2.5 : v->ratio == 1.0);
}

static int split_args(const uint8_t *data, size_t size, char **argv)
{
	int argc = 0;
	size_t start = 0, i;

	argv[argc++] = strdup("fuzz");
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

static void parse_once(char **argv, int argc)
{
	struct opt table[NOPTS];
	const struct opt_usage usage = { .command = "fuzzcmd", .synopsis = "[options] [FILE]",
					 .summary = "Every option type." };
	struct vals v;
	char *pos[MAX_POS] = { NULL }, *out = NULL, *err = NULL;
	size_t outlen = 0, errlen = 0;
	FILE *saved_out = stdout, *saved_err = stderr;
	FILE *fout = open_memstream(&out, &outlen), *ferr = open_memstream(&err, &errlen);
	int npos = -1, rc, i;

	check(fout && ferr);
	table_init(table, &v);
	/*
	 * Swap the stdio streams, not the descriptors: sanitizer and
	 * libFuzzer reports still reach fd 2.
	 */
	stdout = fout;
	stderr = ferr;
	rc = opts_parse(argc, argv, table, &usage, pos, MAX_POS, &npos);
	stdout = saved_out;
	stderr = saved_err;
	fclose(fout);
	fclose(ferr);

	check(rc == OPTS_OK || rc == OPTS_HELP || rc == OPTS_ERROR);
	if (rc == OPTS_OK) {
		check(errlen == 0 && outlen == 0);
		check(npos >= 0 && npos <= MAX_POS);
		for (i = 0; i < npos; i++)
			check(points_into(pos[i], argv, argc));
		check_values(&v, argv, argc);
	} else if (rc == OPTS_ERROR) {
		check(errlen > 0 && err[errlen - 1] == '\n');
	} else {
		check(outlen > 0 && strstr(out, "Usage:") != NULL);
	}
	free(out);
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 1];
	int argc = split_args(data, size, argv), i;

	parse_once(argv, argc);
	/* Every argument as a choice word too. */
	for (i = 1; i < argc; i++) {
		int k = opts_choice_index(levels, level_codes, argv[i]);

		check(k < 0 || strcmp(argv[i], levels[k]) == 0 ||
		      strcmp(argv[i], level_codes[k]) == 0);
	}
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
