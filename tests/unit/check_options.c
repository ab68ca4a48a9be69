/*
 * The declarative option parser, driven by a table with every option type,
 * and the shared run options built on it. Each parse runs with stdout and
 * stderr captured, so error cases also check what the user is told.
 */
#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/options.h"
#include "cli/runopts.h"

#define NS_PER_S 1000000000ULL
#define MAX_ARGS 32

static const char *const levels[] = { "off", "light", "heavy", NULL };
static const char *const level_codes[] = { "0", "1", "2", NULL };
static const char *const modes[] = { "fast", "slow", NULL };

/* Values the table writes, with recognisable defaults. */
struct vals {
	bool verbose, verbose_set;
	const char *name;
	unsigned count;
	bool count_set;
	unsigned plain;
	uint64_t big, atleast;
	uint64_t size;
	bool size_set;
	uint64_t time;
	int level;
	bool level_set;
	unsigned workers;
	bool workers_set;
	unsigned limit;
	int mode;
	double ratio;
	bool ratio_set;
	uint64_t cap;
	unsigned depth;
	double scale;
};

struct fix {
	struct vals v;
	struct opt table[20];
	struct opt_usage usage;
	char *argv[MAX_ARGS];
	int argc;
	char *pos[4];
	int npos;
	int rc;
	char out[16384];
	char err[4096];
};

static void fix_init(struct fix *f)
{
	struct vals *v = &f->v;
	struct opt *t = f->table;
	int n = 0;

	memset(f, 0, sizeof(*f));
	*v = (struct vals){ .name = "default", .count = 3, .plain = 9, .big = 77,
			    .atleast = 6, .size = 4096, .time = 5 * NS_PER_S,
			    .level = 2, .workers = 8, .mode = 0, .ratio = 1.0 };
	f->npos = -1;
	t[n++] = (struct opt){ .type = OPT_GROUP, .help = "Basics" };
	t[n++] = (struct opt){ .type = OPT_BOOL, .name = "verbose", .short_name = 'v',
			       .value = &v->verbose, .set = &v->verbose_set,
			       .help = "say more" };
	t[n++] = (struct opt){ .type = OPT_STRING, .name = "name", .short_name = 'n',
			       .value = &v->name, .argh = "NAME", .help = "a name" };
	t[n++] = (struct opt){ .type = OPT_UINT, .name = "count", .short_name = 'c',
			       .value = &v->count, .argh = "N", .min = 1, .max = 10000,
			       .set = &v->count_set, .help = "how many" };
	t[n++] = (struct opt){ .type = OPT_UINT, .name = "plain", .value = &v->plain,
			       .help = "an unbounded unsigned" };
	t[n++] = (struct opt){ .type = OPT_U64, .name = "big", .value = &v->big,
			       .help = "an unbounded 64-bit number" };
	t[n++] = (struct opt){ .type = OPT_SIZE, .name = "size", .short_name = 's',
			       .value = &v->size, .argh = "SIZE", .min = 512, .max = 1ULL << 30,
			       .set = &v->size_set, .help = "a size" };
	t[n++] = (struct opt){ .type = OPT_DURATION, .name = "time", .short_name = 't',
			       .value = &v->time, .argh = "T", .min = NS_PER_S,
			       .max = 3600 * NS_PER_S, .alias = "runtime", .help = "a duration" };
	t[n++] = (struct opt){ .type = OPT_GROUP, .help = "Choices" };
	t[n++] = (struct opt){ .type = OPT_CHOICE, .name = "level", .short_name = 'l',
			       .value = &v->level, .argh = "LEVEL", .choices = levels,
			       .aliases = level_codes, .set = &v->level_set,
			       .help = "off, light or heavy" };
	t[n++] = (struct opt){ .type = OPT_UINT, .name = "workers", .value = &v->workers,
			       .argh = "N|auto", .min = 1, .max = 64, .special = "auto",
			       .set = &v->workers_set, .help = "threads" };
	t[n++] = (struct opt){ .type = OPT_UINT, .name = "limit", .value = &v->limit,
			       .argh = "N|auto|none", .min = 1, .max = 100, .special = "auto",
			       .special_max = "none", .help = "a limit" };
	t[n++] = (struct opt){ .type = OPT_CHOICE, .name = "mode", .value = &v->mode,
			       .choices = modes, .help = "fast or slow" };
	t[n++] = (struct opt){ .type = OPT_U64, .name = "at-least", .value = &v->atleast,
			       .min = 5, .help = "5 or more, no maximum" };
	t[n++] = (struct opt){ .type = OPT_DOUBLE, .name = "ratio", .short_name = 'r',
			       .value = &v->ratio, .argh = "X", .dmin = 0.5, .dmax = 2.5,
			       .set = &v->ratio_set, .help = "a fraction from 0.5 to 2.5" };
	t[n++] = (struct opt){ .type = OPT_U64, .name = "cap", .value = &v->cap, .argh = "N",
			       .min = 1, .help = "0 (out of range) means no cap" };
	t[n++] = (struct opt){ .type = OPT_UINT, .name = "depth", .value = &v->depth,
			       .argh = "N", .min = 1, .max = 64, .def = "from --count",
			       .help = "resolved after parsing" };
	t[n++] = (struct opt){ .type = OPT_DOUBLE, .name = "scale", .value = &v->scale,
			       .dmin = 0, .dmax = 10, .def = "", .help = "resolved elsewhere" };
	t[n++] = (struct opt)OPT_END_MARK;
	ck_assert_int_le(n, (int)(sizeof(f->table) / sizeof(f->table[0])));
	f->usage = (struct opt_usage){ .command = "testcmd", .synopsis = "[options] [FILE...]",
				       .summary = "A table with every option type." };
}

static void fix_free(struct fix *f)
{
	int i;

	for (i = 0; i < f->argc; i++)
		free(f->argv[i]);
	f->argc = 0;
}

/* Point fd at a fresh temporary file; returns the saved descriptor. */
static int capture_begin(int fd, FILE *stream, FILE **tmp)
{
	int saved;

	fflush(stream);
	*tmp = tmpfile();
	ck_assert_ptr_nonnull(*tmp);
	saved = dup(fd);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fileno(*tmp), fd), 0);
	return saved;
}

static void capture_end(int fd, FILE *stream, int saved, FILE *tmp, char *buf, size_t len)
{
	size_t n;

	fflush(stream);
	dup2(saved, fd);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
}

/*
 * Parse "prog" followed by the NULL-terminated arguments, with room for
 * max_pos positionals. argv holds copies, as a real argv would be writable
 * memory that outlives the parse (strings are stored by pointer).
 */
static int parse_table(struct fix *f, const struct opt *table, int max_pos, ...)
{
	FILE *tout, *terr;
	int sout, serr;
	const char *a;
	va_list ap;

	fix_free(f);
	f->argv[f->argc++] = strdup("prog");
	va_start(ap, max_pos);
	while ((a = va_arg(ap, const char *)) != NULL) {
		ck_assert_int_lt(f->argc, MAX_ARGS - 1);
		f->argv[f->argc++] = strdup(a);
	}
	va_end(ap);
	f->argv[f->argc] = NULL;

	sout = capture_begin(STDOUT_FILENO, stdout, &tout);
	serr = capture_begin(STDERR_FILENO, stderr, &terr);
	f->rc = opts_parse(f->argc, f->argv, table, &f->usage, f->pos, max_pos, &f->npos);
	capture_end(STDERR_FILENO, stderr, serr, terr, f->err, sizeof(f->err));
	capture_end(STDOUT_FILENO, stdout, sout, tout, f->out, sizeof(f->out));
	return f->rc;
}

#define parse(f, max_pos, ...) parse_table((f), (f)->table, (max_pos), __VA_ARGS__, (char *)NULL)

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Success is silent. */
static void assert_ok(const struct fix *f)
{
	ck_assert_msg(f->rc == OPTS_OK, "parse failed: %s", f->err);
	ck_assert_str_eq(f->err, "");
	ck_assert_str_eq(f->out, "");
}

/*
 * An error is reported as exactly one line on stderr, after the program's
 * prefix, that names what was wrong (`needle`).
 */
static void assert_error(const struct fix *f, const char *needle)
{
	const char *nl = strchr(f->err, '\n');

	ck_assert_int_eq(f->rc, OPTS_ERROR);
	ck_assert_str_eq(f->out, "");
	ck_assert_msg(strncmp(f->err, "dmremap-bench: ", 15) == 0, "stderr: '%s'", f->err);
	ck_assert_msg(nl && memmem(f->err, (size_t)(nl - f->err), needle, strlen(needle)),
		      "the error does not name '%s': '%s'", needle, f->err);
	ck_assert_msg(count_lines(f->err) == 1, "%d lines on stderr: '%s'",
		      count_lines(f->err), f->err);
}

/* An unknown option also says where the allowed ones are listed. */
static void assert_unknown(const struct fix *f, const char *needle)
{
	assert_error(f, needle);
	ck_assert_msg(strstr(f->err, "dmremap-bench testcmd --help"),
		      "no pointer to --help: '%s'", f->err);
}

/* ---- forms of options ------------------------------------------------------- */

START_TEST(long_forms)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "--count", "5", "--name=alpha", "--size", "64K", "--verbose");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.count, 5);
	ck_assert_str_eq(f.v.name, "alpha");
	ck_assert_uint_eq(f.v.size, 65536);
	ck_assert(f.v.verbose);
	ck_assert_int_eq(f.npos, 0);
	/* Options not given keep their values. */
	ck_assert_uint_eq(f.v.big, 77);
	ck_assert_uint_eq(f.v.time, 5 * NS_PER_S);
	ck_assert_int_eq(f.v.level, 2);

	/* "--name value" and "--name=value" agree; the last one wins. */
	parse(&f, 0, "--count=7", "--name", "beta", "--count", "9");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.count, 9);
	ck_assert_str_eq(f.v.name, "beta");
	/* A value may itself contain '=' or start with '-' when separate. */
	parse(&f, 0, "--name=a=b");
	assert_ok(&f);
	ck_assert_str_eq(f.v.name, "a=b");
	parse(&f, 0, "--name", "-dash");
	assert_ok(&f);
	ck_assert_str_eq(f.v.name, "-dash");
	fix_free(&f);
}
END_TEST

START_TEST(short_forms)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "-c", "12", "-v", "-n", "x", "-s4k", "-l", "heavy", "-t90s");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.count, 12);
	ck_assert(f.v.verbose);
	ck_assert_str_eq(f.v.name, "x");
	ck_assert_uint_eq(f.v.size, 4096);
	ck_assert_int_eq(f.v.level, 2);
	ck_assert_uint_eq(f.v.time, 90 * NS_PER_S);
	parse(&f, 0, "-c42");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.count, 42);
	fix_free(&f);
}
END_TEST

START_TEST(positionals)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 3, "one", "--count", "3", "two", "-", "-v");
	assert_ok(&f);
	ck_assert_int_eq(f.npos, 3);
	ck_assert_str_eq(f.pos[0], "one");
	ck_assert_str_eq(f.pos[1], "two");
	ck_assert_str_eq(f.pos[2], "-");  /* "-" alone is an argument (stdin) */
	ck_assert_uint_eq(f.v.count, 3);
	ck_assert(f.v.verbose);

	/* "--" ends the options: everything after is positional. */
	f.v.verbose = f.v.verbose_set = false;
	parse(&f, 4, "a", "--", "--count", "99", "-v");
	assert_ok(&f);
	ck_assert_int_eq(f.npos, 4);
	ck_assert_str_eq(f.pos[0], "a");
	ck_assert_str_eq(f.pos[1], "--count");
	ck_assert_str_eq(f.pos[2], "99");
	ck_assert_str_eq(f.pos[3], "-v");
	ck_assert_uint_eq(f.v.count, 3);
	ck_assert(!f.v.verbose);
	ck_assert(!f.v.verbose_set);
	/* A second "--" is just an argument. */
	parse(&f, 2, "--", "--");
	assert_ok(&f);
	ck_assert_int_eq(f.npos, 1);
	ck_assert_str_eq(f.pos[0], "--");

	/* One too many. */
	parse(&f, 2, "a", "b", "c");
	assert_error(&f, "'c'");
	parse(&f, 0, "stray");
	assert_error(&f, "'stray'");
	parse(&f, 1, "--", "a", "b");
	assert_error(&f, "'b'");
	fix_free(&f);
}
END_TEST

START_TEST(unknown_and_malformed)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "--nope");
	assert_unknown(&f, "--nope");
	parse(&f, 0, "--nope=3");
	assert_unknown(&f, "--nope");
	parse(&f, 0, "-x");
	assert_unknown(&f, "-x");
	/* No abbreviations, no extensions, and groups are not options. */
	parse(&f, 0, "--coun", "5");
	assert_unknown(&f, "--coun");
	parse(&f, 0, "--counts", "5");
	assert_unknown(&f, "--counts");
	parse(&f, 0, "--Basics");
	assert_unknown(&f, "--Basics");
	/* Parsing stops at the first error: later options are not applied. */
	parse(&f, 0, "--nope", "--count", "8");
	ck_assert_int_eq(f.rc, OPTS_ERROR);
	ck_assert_uint_eq(f.v.count, 3);
	fix_free(&f);
}
END_TEST

START_TEST(missing_value)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "--count");
	assert_error(&f, "--count");
	parse(&f, 0, "-c");
	assert_error(&f, "-c");
	parse(&f, 0, "-v", "--level");
	assert_error(&f, "--level");
	/* An empty value is not a value. */
	parse(&f, 0, "--name=");
	assert_error(&f, "--name");
	parse(&f, 0, "--count=");
	assert_error(&f, "--count");
	parse(&f, 0, "--level", "");
	assert_error(&f, "--level");
	/* The next option is taken as the value, and is not a number. */
	parse(&f, 0, "--count", "--verbose");
	assert_error(&f, "--verbose");
	fix_free(&f);
}
END_TEST

START_TEST(bool_takes_no_value)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "--verbose=yes");
	assert_error(&f, "--verbose");
	ck_assert(!f.v.verbose);
	ck_assert(!f.v.verbose_set);
	parse(&f, 0, "--verbose=");
	assert_error(&f, "--verbose");
	parse(&f, 0, "-vx");
	assert_error(&f, "-v");
	ck_assert(!f.v.verbose);
	/* A word after a bool is a positional, not its value. */
	parse(&f, 1, "--verbose", "yes");
	assert_ok(&f);
	ck_assert(f.v.verbose);
	ck_assert_int_eq(f.npos, 1);
	ck_assert_str_eq(f.pos[0], "yes");
	fix_free(&f);
}
END_TEST

/* ---- values ---------------------------------------------------------------------- */

START_TEST(sizes_and_durations)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "--size", "1M", "--time", "90");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.size, 1 << 20);
	ck_assert_uint_eq(f.v.time, 90 * NS_PER_S);
	parse(&f, 0, "--size=512", "--time=5m");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.size, 512);
	ck_assert_uint_eq(f.v.time, 300 * NS_PER_S);
	parse(&f, 0, "--time", "1500ms");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.time, 1500000000ULL);

	parse(&f, 0, "--size", "4x");
	assert_error(&f, "'4x'");
	parse(&f, 0, "--time", "1.5h");
	assert_error(&f, "'1.5h'");
	parse(&f, 0, "--count", "12abc");
	assert_error(&f, "'12abc'");
	parse(&f, 0, "--count", "-1");
	assert_error(&f, "--count");
	ck_assert_uint_eq(f.v.time, 1500000000ULL);  /* untouched by the failures */
	ck_assert_uint_eq(f.v.size, 512);
	ck_assert_uint_eq(f.v.count, 3);
	fix_free(&f);
}
END_TEST

START_TEST(doubles)
{
	static const char *const bad[] = {
		"0.49", "2.5000001", "abc", "1.5x", "nan", "inf", "-1", "1e400", "1,5",
	};
	struct fix f;
	unsigned i;

	fix_init(&f);
	parse(&f, 0, "--ratio", "0.5");
	assert_ok(&f);
	ck_assert_double_eq(f.v.ratio, 0.5);
	ck_assert(f.v.ratio_set);
	parse(&f, 0, "--ratio=2.5");
	assert_ok(&f);
	ck_assert_double_eq(f.v.ratio, 2.5);
	parse(&f, 0, "-r", "1.25e0");
	assert_ok(&f);
	ck_assert_double_eq(f.v.ratio, 1.25);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse(&f, 0, "--ratio", bad[i]);
		assert_error(&f, "--ratio");
		ck_assert_double_eq(f.v.ratio, 1.25);
	}
	parse(&f, 0, "--ratio=");
	assert_error(&f, "--ratio");
	fix_free(&f);
}
END_TEST

START_TEST(bounds_inclusive)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "--count", "10000");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.count, 10000);
	parse(&f, 0, "--count", "1");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.count, 1);
	parse(&f, 0, "--count", "10001");
	assert_error(&f, "'10001'");
	parse(&f, 0, "--count", "0");
	assert_error(&f, "'0'");
	ck_assert_uint_eq(f.v.count, 1);

	/* Sizes and durations are bounded in their own units. */
	parse(&f, 0, "--size", "1G");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.size, 1ULL << 30);
	parse(&f, 0, "--size", "1073741825");
	assert_error(&f, "'1073741825'");
	parse(&f, 0, "--size", "511");
	assert_error(&f, "'511'");
	parse(&f, 0, "--time", "1h");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.time, 3600 * NS_PER_S);
	parse(&f, 0, "--time", "1s");
	assert_ok(&f);
	parse(&f, 0, "--time", "999ms");
	assert_error(&f, "'999ms'");
	parse(&f, 0, "--time", "61m");
	assert_error(&f, "'61m'");

	/* max == 0: no upper bound, but an unsigned still has to fit. */
	parse(&f, 0, "--plain", "4294967295");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.plain, UINT32_MAX);
	parse(&f, 0, "--plain", "4294967296");
	assert_error(&f, "'4294967296'");
	ck_assert_uint_eq(f.v.plain, UINT32_MAX);
	parse(&f, 0, "--plain", "0");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.plain, 0);
	parse(&f, 0, "--big", "18446744073709551615");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.big, UINT64_MAX);
	parse(&f, 0, "--big", "18446744073709551616");
	assert_error(&f, "--big");
	/* A minimum without a maximum. */
	parse(&f, 0, "--at-least", "4");
	assert_error(&f, "'4'");
	parse(&f, 0, "--at-least", "5");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.atleast, 5);
	parse(&f, 0, "--at-least", "123456789012");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.atleast, 123456789012ULL);
	fix_free(&f);
}
END_TEST

START_TEST(special_word)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "--workers", "auto");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.workers, 0);  /* below min, but that is the point */
	ck_assert(f.v.workers_set);
	parse(&f, 0, "--workers=64");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.workers, 64);
	parse(&f, 0, "--workers", "0");
	assert_error(&f, "'0'");
	parse(&f, 0, "--workers", "65");
	assert_error(&f, "'65'");
	parse(&f, 0, "--workers", "Auto");
	assert_error(&f, "'Auto'");
	/* Only the option that declares the word accepts it. */
	parse(&f, 0, "--count", "auto");
	assert_error(&f, "'auto'");
	ck_assert_uint_eq(f.v.workers, 64);
	fix_free(&f);
}
END_TEST

/* Two words: one stored as 0, one as the largest unsigned. */
START_TEST(special_max_word)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "--limit", "none");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.limit, UINT32_MAX);  /* above max, but that is the point */
	parse(&f, 0, "--limit", "auto");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.limit, 0);
	parse(&f, 0, "--limit=100");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.limit, 100);
	parse(&f, 0, "--limit", "101");
	assert_error(&f, "'101' is out of range (allowed: 1 to 100, auto or none)");
	parse(&f, 0, "--limit", "None");
	assert_error(&f, "'None' (expected a whole number; allowed: 1 to 100, auto or none)");
	/* Only the option that declares the word accepts it. */
	parse(&f, 0, "--workers", "none");
	assert_error(&f, "allowed: 1 to 64 or auto)");
	fix_free(&f);
}
END_TEST

START_TEST(choices_and_aliases)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "--level", "light");
	assert_ok(&f);
	ck_assert_int_eq(f.v.level, 1);
	parse(&f, 0, "--level=off");
	assert_ok(&f);
	ck_assert_int_eq(f.v.level, 0);
	parse(&f, 0, "--level", "1");
	assert_ok(&f);
	ck_assert_int_eq(f.v.level, 1);
	parse(&f, 0, "-l2");
	assert_ok(&f);
	ck_assert_int_eq(f.v.level, 2);
	parse(&f, 0, "--level=0");
	assert_ok(&f);
	ck_assert_int_eq(f.v.level, 0);
	parse(&f, 0, "--level", "medium");
	assert_error(&f, "'medium'");
	/* The error lists what is allowed. */
	ck_assert_ptr_nonnull(strstr(f.err, "off, light, heavy"));
	parse(&f, 0, "--level", "3");
	assert_error(&f, "'3'");
	ck_assert_int_eq(f.v.level, 0);

	parse(&f, 0, "--mode", "slow");
	assert_ok(&f);
	ck_assert_int_eq(f.v.mode, 1);
	/* Without aliases, numbers are not choices. */
	parse(&f, 0, "--mode", "0");
	assert_error(&f, "'0'");
	ck_assert_int_eq(opts_choice_index(modes, NULL, "fast"), 0);
	ck_assert_int_eq(opts_choice_index(modes, NULL, "fas"), -1);
	ck_assert_int_eq(opts_choice_index(levels, level_codes, "2"), 2);
	ck_assert_int_eq(opts_choice_index(levels, level_codes, "heavy"), 2);
	ck_assert_int_eq(opts_choice_index(levels, level_codes, ""), -1);
	fix_free(&f);
}
END_TEST

START_TEST(set_flags)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "--size", "8k", "-v");
	assert_ok(&f);
	ck_assert(f.v.size_set);
	ck_assert(f.v.verbose_set);
	ck_assert(!f.v.count_set);
	ck_assert(!f.v.level_set);
	ck_assert(!f.v.workers_set);

	/* Set even when the value equals the default. */
	fix_free(&f);
	fix_init(&f);
	parse(&f, 0, "--count", "3", "-l", "heavy");
	assert_ok(&f);
	ck_assert(f.v.count_set);
	ck_assert(f.v.level_set);
	ck_assert(!f.v.size_set);
	ck_assert(!f.v.verbose_set);

	/* Not set by a value that was refused. */
	fix_free(&f);
	fix_init(&f);
	parse(&f, 0, "--count", "0");
	ck_assert_int_eq(f.rc, OPTS_ERROR);
	ck_assert(!f.v.count_set);
	fix_free(&f);
}
END_TEST

START_TEST(help)
{
	struct fix f;
	const struct opt *o;

	fix_init(&f);
	parse(&f, 0, "--help");
	ck_assert_int_eq(f.rc, OPTS_HELP);
	ck_assert_str_eq(f.err, "");
	ck_assert_ptr_nonnull(strstr(f.out, "Usage: dmremap-bench testcmd [options] [FILE...]"));
	ck_assert_ptr_nonnull(strstr(f.out, "A table with every option type."));
	/* Every option and heading of the table appears, with its help. */
	for (o = f.table; o->type != OPT_END; o++) {
		char name[64];

		if (o->type != OPT_GROUP) {
			snprintf(name, sizeof(name), "--%s", o->name);
			ck_assert_msg(strstr(f.out, name), "%s missing from help", name);
		}
		ck_assert_msg(strstr(f.out, o->help), "'%s' missing from help", o->help);
	}
	ck_assert_ptr_nonnull(strstr(f.out, "-c, --count N"));
	ck_assert_ptr_nonnull(strstr(f.out, "--help"));

	parse(&f, 0, "-h");
	ck_assert_int_eq(f.rc, OPTS_HELP);
	ck_assert_ptr_nonnull(strstr(f.out, "Usage:"));
	/* Help wins over what precedes it, but not over an earlier error. */
	parse(&f, 0, "--count", "5", "--help");
	ck_assert_int_eq(f.rc, OPTS_HELP);
	parse(&f, 0, "--nope", "--help");
	ck_assert_int_eq(f.rc, OPTS_ERROR);
	/* After "--" it is an argument. */
	parse(&f, 1, "--", "--help");
	assert_ok(&f);
	ck_assert_str_eq(f.pos[0], "--help");
	fix_free(&f);
}
END_TEST

/* ---- runopts ------------------------------------------------------------------------- */

START_TEST(runopts_patterns)
{
	static const struct {
		int rw;
		unsigned rwmix;
		enum access_pattern acc;
		unsigned read_pct;
		bool writes;
	} cases[] = {
		{ RW_READ, 70, ACCESS_SEQUENTIAL, 100, false },
		{ RW_WRITE, 70, ACCESS_SEQUENTIAL, 0, true },
		{ RW_RANDREAD, 70, ACCESS_RANDOM, 100, false },
		{ RW_RANDWRITE, 70, ACCESS_RANDOM, 0, true },
		{ RW_RANDRW, 70, ACCESS_RANDOM, 70, true },
		{ RW_RANDRW, 100, ACCESS_RANDOM, 100, false },
		{ RW_RANDRW, 0, ACCESS_RANDOM, 0, true },
		{ RW_RW, 30, ACCESS_SEQUENTIAL, 30, true },
		{ RW_RW, 100, ACCESS_SEQUENTIAL, 100, false },
		/* rwmix only matters to the mixed modes. */
		{ RW_READ, 0, ACCESS_SEQUENTIAL, 100, false },
		{ RW_RANDWRITE, 100, ACCESS_RANDOM, 0, true },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run_opts ro;
		enum access_pattern acc = (enum access_pattern)-1;
		unsigned read_pct = 12345;

		runopts_defaults(&ro);
		ro.rw = cases[i].rw;
		ro.rwmix_read = cases[i].rwmix;
		runopts_pattern(&ro, &read_pct, &acc);
		ck_assert_msg(acc == cases[i].acc && read_pct == cases[i].read_pct,
			      "%s rwmix %u: access %d read %u", rw_mode_names[ro.rw],
			      ro.rwmix_read, (int)acc, read_pct);
		ck_assert_msg(runopts_writes(&ro) == cases[i].writes, "%s rwmix %u writes",
			      rw_mode_names[ro.rw], ro.rwmix_read);
	}
	/* The names follow the enum, and end with NULL for the choice list. */
	ck_assert_str_eq(rw_mode_names[RW_READ], "read");
	ck_assert_str_eq(rw_mode_names[RW_RANDRW], "randrw");
	ck_assert_str_eq(rw_mode_names[RW_RW], "rw");
	ck_assert_ptr_null(rw_mode_names[RW_RW + 1]);
}
END_TEST

START_TEST(runopts_table)
{
	struct run_opts ro;
	struct fix f;
	const struct opt table[] = {
		RUNOPTS_TARGET(&ro),
		RUNOPTS_TIME(&ro),
		RUNOPTS_POOL(&ro, NULL, NULL),
		RUNOPTS_PATTERN(&ro),
		RUNOPTS_CONTROL(&ro),
		RUNOPTS_OUTPUT(&ro),
		RUNOPTS_BASELINE(&ro),
		OPT_END_MARK,
	};
	json_t *params;

	fix_init(&f);
	runopts_defaults(&ro);
	ck_assert_int_eq(ro.rw, RW_RANDRW);
	ck_assert_uint_eq(ro.rwmix_read, 70);
	ck_assert(!ro.seed_set && !ro.rw_set && !ro.workers_set);

	parse_table(&f, table, 0, "--rw", "randread", "--bs", "64K", "--workers", "auto",
		    "--duration", "90s", "--seed", "42", "-o", "out.json",
		    "--output-format", "json", "-q", "--iodepth=65536", (char *)NULL);
	assert_ok(&f);
	ck_assert_int_eq(ro.rw, RW_RANDREAD);
	ck_assert(ro.rw_set);
	ck_assert_uint_eq(ro.bs, 65536);
	ck_assert(ro.bs_set);
	ck_assert_uint_eq(ro.workers, 0);
	ck_assert(ro.workers_set);
	ck_assert_uint_eq(ro.duration_ns, 90 * NS_PER_S);
	ck_assert(ro.duration_set);
	ck_assert_uint_eq(ro.seed, 42);
	ck_assert(ro.seed_set);
	ck_assert_str_eq(ro.output, "out.json");
	ck_assert_int_eq(ro.output_format, OUT_JSON);
	ck_assert(ro.quiet);
	ck_assert_uint_eq(ro.iodepth, 65536);
	ck_assert(!ro.rwmix_set);

	/* A given seed survives resolving; a missing one is made short. */
	runopts_resolve(&ro);
	ck_assert_uint_eq(ro.seed, 42);
	params = runopts_params_json(&ro);
	ck_assert_ptr_nonnull(params);
	ck_assert_str_eq(json_string_value(json_object_get(params, "rw")), "randread");
	ck_assert_int_eq(json_integer_value(json_object_get(params, "bs")), 65536);
	ck_assert_int_eq(json_integer_value(json_object_get(params, "seed")), 42);
	ck_assert_str_eq(json_string_value(json_object_get(params, "output_format")), "json");
	json_decref(params);
	runopts_defaults(&ro);
	runopts_resolve(&ro);
	ck_assert_uint_lt(ro.seed, 1000000000ULL);

	/* Their bounds. */
	parse_table(&f, table, 0, "--iodepth", "65537", (char *)NULL);
	assert_error(&f, "--iodepth");
	parse_table(&f, table, 0, "--workers", "1025", (char *)NULL);
	assert_error(&f, "--workers");
	parse_table(&f, table, 0, "--duration", "999ms", (char *)NULL);
	assert_error(&f, "--duration");
	parse_table(&f, table, 0, "--rwmix-read", "101", (char *)NULL);
	assert_error(&f, "--rwmix-read");
	parse_table(&f, table, 0, "--rwmix-read", "0", (char *)NULL);
	assert_ok(&f);
	ck_assert_uint_eq(ro.rwmix_read, 0);
	ck_assert(ro.rwmix_set);
	parse_table(&f, table, 0, "--seed", "9223372036854775808", (char *)NULL);
	assert_error(&f, "--seed");
	parse_table(&f, table, 0, "--bs", "256", (char *)NULL);
	assert_error(&f, "--bs");
	parse_table(&f, table, 0, "--rw", "randomread", (char *)NULL);
	assert_error(&f, "--rw");
	parse_table(&f, table, 0, "--rw=rw", (char *)NULL);
	assert_ok(&f);
	ck_assert_int_eq(ro.rw, RW_RW);
	/* The verdict options are doubles with their own bounds. */
	parse_table(&f, table, 0, "--threshold", "12.5", "--alpha=0.01", (char *)NULL);
	assert_ok(&f);
	ck_assert_double_eq(ro.threshold, 12.5);
	ck_assert(ro.threshold_set);
	ck_assert_double_eq(ro.alpha, 0.01);
	parse_table(&f, table, 0, "--alpha", "0", (char *)NULL);
	assert_error(&f, "--alpha");
	parse_table(&f, table, 0, "--threshold-throughput", "100.5", (char *)NULL);
	assert_error(&f, "--threshold-throughput");
	fix_free(&f);
}
END_TEST

/* Cross-option checks: silent when fine, one line when not. */
START_TEST(runopts_validation)
{
	struct run_opts ro;
	FILE *terr;
	char err[1024];
	int saved, rc;

	runopts_defaults(&ro);
	saved = capture_begin(STDERR_FILENO, stderr, &terr);
	rc = runopts_validate(&ro);
	capture_end(STDERR_FILENO, stderr, saved, terr, err, sizeof(err));
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(err, "");

	ro.save_baseline = "../escape";
	saved = capture_begin(STDERR_FILENO, stderr, &terr);
	rc = runopts_validate(&ro);
	capture_end(STDERR_FILENO, stderr, saved, terr, err, sizeof(err));
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(count_lines(err), 1);
	ck_assert_ptr_nonnull(strstr(err, "--save-baseline"));

	ro.save_baseline = "nightly-1.2";
	saved = capture_begin(STDERR_FILENO, stderr, &terr);
	rc = runopts_validate(&ro);
	capture_end(STDERR_FILENO, stderr, saved, terr, err, sizeof(err));
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(err, "");
}
END_TEST

/* ---- fio's names, typos, defaults, the table hook ------------------------------ */

START_TEST(fio_aliases)
{
	struct fix f;

	fix_init(&f);
	parse(&f, 0, "--runtime", "90s");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.time, 90 * NS_PER_S);
	parse(&f, 0, "--runtime=2m");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.time, 120 * NS_PER_S);
	parse(&f, 0, "--time", "7s");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.time, 7 * NS_PER_S);
	/* A bad value is reported under the name that was typed. */
	parse(&f, 0, "--runtime", "0");
	assert_error(&f, "--runtime");
	ck_assert_ptr_null(strstr(f.err, "--time"));
	parse(&f, 0, "--time", "0");
	assert_error(&f, "--time");
	/* Not a short option, not a prefix. */
	parse(&f, 0, "--run", "5");
	assert_unknown(&f, "--run");
	/* Shown in --help, next to the option it stands for. */
	parse(&f, 0, "--help");
	ck_assert_msg(strstr(f.out, "-t, --time T") && strstr(f.out, "also --runtime"),
		      "no alias in help: %s", f.out);
	fix_free(&f);
}
END_TEST

START_TEST(did_you_mean)
{
	static const struct { const char *arg, *want; } cases[] = {
		{ "--tme", "did you mean --time?" },
		{ "--runtme", "did you mean --runtime?" },
		{ "--cuont", "did you mean --count?" },         /* two letters swapped */
		{ "--levle=2", "did you mean --level?" },
		{ "--at-lest", "did you mean --at-least?" },
		{ "--workerss", "did you mean --workers?" },
	};
	static const char *const far[] = { "--xyz", "--nope", "--c", "--verbosity-level" };
	struct fix f;
	size_t i;

	fix_init(&f);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse(&f, 0, cases[i].arg);
		assert_unknown(&f, cases[i].want);
	}
	/* Nothing close: no guess; short options get none. */
	for (i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		parse(&f, 0, far[i]);
		assert_unknown(&f, far[i]);
		ck_assert_msg(!strstr(f.err, "did you mean"), "%s: %s", far[i], f.err);
	}
	parse(&f, 0, "-x");
	ck_assert_msg(!strstr(f.err, "did you mean"), "%s", f.err);
	ck_assert_str_eq(opts_suggest(f.table, "wrkers", 6), "workers");
	ck_assert_ptr_null(opts_suggest(f.table, "", 0));
	ck_assert_ptr_null(opts_suggest(f.table, "zz", 2));
	fix_free(&f);
}
END_TEST

/* The line of --help that shows --name, or fail. */
static const char *help_line(const char *text, const char *name, char *buf, size_t len)
{
	char key[64];
	const char *p, *end;

	snprintf(key, sizeof(key), "--%s ", name);
	p = strstr(text, key);
	ck_assert_msg(p != NULL, "%s not in help", key);
	end = strchr(p, '\n');
	ck_assert_ptr_nonnull(end);
	snprintf(buf, len, "%.*s", (int)(end - p), p);
	return buf;
}

START_TEST(defaults_in_help)
{
	static const struct { const char *name, *want; } shown[] = {
		{ "name", "(default default)" },
		{ "count", "(default 3)" },
		{ "size", "(default 4K)" },
		{ "time", "(default 5s; also --runtime)" },
		{ "level", "(default heavy)" },
		{ "workers", "(default 8)" },
		{ "limit", "(default auto)" },
		{ "mode", "(default fast)" },
		{ "at-least", "(default 6)" },
		{ "ratio", "(default 1)" },
		{ "depth", "(default from --count)" },
	};
	static const char *const none[] = { "cap", "scale" };
	char buf[256], text[64];
	struct fix f;
	size_t i;

	fix_init(&f);
	parse(&f, 0, "--help");
	ck_assert_int_eq(f.rc, OPTS_HELP);
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		ck_assert_msg(strstr(help_line(f.out, shown[i].name, buf, sizeof(buf)), shown[i].want),
			      "'%s' lacks '%s'", buf, shown[i].want);
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		ck_assert_msg(!strstr(help_line(f.out, none[i], buf, sizeof(buf)), "default"),
			      "'%s' shows a default", buf);
	/* A flag has none; the value at parse time is what is shown. */
	ck_assert_int_eq(opts_default_text(&f.table[1], text, sizeof(text)), -1);
	f.v.count = 44;
	ck_assert_int_eq(opts_default_text(&f.table[3], text, sizeof(text)), 0);
	ck_assert_str_eq(text, "44");
	fix_free(&f);
}
END_TEST

struct hooked {
	const struct opt *table;
	const struct opt_usage *usage;
	int calls;
};

static void hook(const struct opt *table, const struct opt_usage *usage, void *arg)
{
	struct hooked *h = arg;

	h->table = table;
	h->usage = usage;
	h->calls++;
}

START_TEST(table_hook)
{
	struct hooked h = { 0 };
	struct fix f;

	fix_init(&f);
	opts_set_table_hook(hook, &h);
	parse(&f, 0, "--count", "5", "--nope");
	opts_set_table_hook(NULL, NULL);
	/* Handed over, nothing parsed, nothing printed. */
	ck_assert_int_eq(f.rc, OPTS_HELP);
	ck_assert_int_eq(h.calls, 1);
	ck_assert_ptr_eq(h.table, f.table);
	ck_assert_ptr_eq(h.usage, &f.usage);
	ck_assert_uint_eq(f.v.count, 3);
	ck_assert_str_eq(f.out, "");
	ck_assert_str_eq(f.err, "");
	/* Cleared: parsing again. */
	parse(&f, 0, "--count", "5");
	assert_ok(&f);
	ck_assert_uint_eq(f.v.count, 5);
	ck_assert_int_eq(h.calls, 1);
	fix_free(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("opts_parse");
	TCase *ro = tcase_create("runopts");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, long_forms);
	tcase_add_test(tc, short_forms);
	tcase_add_test(tc, positionals);
	tcase_add_test(tc, unknown_and_malformed);
	tcase_add_test(tc, missing_value);
	tcase_add_test(tc, bool_takes_no_value);
	tcase_add_test(tc, sizes_and_durations);
	tcase_add_test(tc, doubles);
	tcase_add_test(tc, bounds_inclusive);
	tcase_add_test(tc, special_word);
	tcase_add_test(tc, special_max_word);
	tcase_add_test(tc, choices_and_aliases);
	tcase_add_test(tc, set_flags);
	tcase_add_test(tc, help);
	tcase_add_test(tc, fio_aliases);
	tcase_add_test(tc, did_you_mean);
	tcase_add_test(tc, defaults_in_help);
	tcase_add_test(tc, table_hook);
	suite_add_tcase(s, tc);
	tcase_add_test(ro, runopts_patterns);
	tcase_add_test(ro, runopts_table);
	tcase_add_test(ro, runopts_validation);
	suite_add_tcase(s, ro);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
