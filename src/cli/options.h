/*
 * Declarative command-line options, after git's parse-options: a command
 * describes its options in one table, and parsing, validation and --help all
 * come from that table, so they cannot drift apart.
 */
#ifndef DMRB_OPTIONS_H
#define DMRB_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

enum opt_type {
	OPT_END = 0,
	OPT_GROUP,     /* a heading in --help; no value */
	OPT_BOOL,      /* bool; takes no argument */
	OPT_STRING,    /* const char * */
	OPT_UINT,      /* unsigned, bounded by min/max */
	OPT_U64,       /* uint64_t, bounded by min/max */
	OPT_SIZE,      /* uint64_t bytes, "4k" */
	OPT_DURATION,  /* uint64_t nanoseconds, "90s" */
	OPT_CHOICE,    /* int index into choices[] */
	OPT_DOUBLE,    /* double, bounded by dmin/dmax (inclusive) */
	OPT_LIST,      /* struct opt_list: each occurrence appends its value */
};

/*
 * OPT_LIST: the values of an option that may be given several times, in
 * order, as given (a value may itself be a comma-separated list: the
 * command splits it). The strings are argv's.
 */
#define OPT_LIST_MAX 64

struct opt_list {
	const char *v[OPT_LIST_MAX];
	unsigned n;
};

struct opt {
	enum opt_type type;
	const char *name;            /* long name without the dashes */
	char short_name;             /* 0 for none */
	void *value;
	const char *argh;            /* argument name in --help, "SIZE" */
	const char *help;
	uint64_t min, max;           /* inclusive bounds; max == 0 means none */
	double dmin, dmax;           /* OPT_DOUBLE bounds */
	const char *const *choices;  /* OPT_CHOICE: NULL-terminated */
	/*
	 * OPT_CHOICE: other spellings accepted for each choice, same index
	 * (the original interface's numeric codes, "1" for "light").
	 */
	const char *const *aliases;
	const char *special;         /* a word stored as 0 in place of a number ("auto") */
	const char *special_max;     /* OPT_UINT: a word stored as UINT32_MAX ("none") */
	bool *set;                   /* if non-NULL, set to true when given */
};

#define OPT_END_MARK { .type = OPT_END }

struct opt_usage {
	const char *command;   /* "concurrency", or NULL for the top level */
	const char *synopsis;  /* "[options]" */
	const char *summary;   /* one line about the command */
};

enum { OPTS_OK = 0, OPTS_HELP = 1, OPTS_ERROR = -1 };

/*
 * Parse argv[1..argc-1] against the table. Arguments that are not options
 * are collected, in order, into positional[0..*npositional-1] (capacity
 * max_positional; more is an error). "--" ends option parsing. On error one
 * line naming the option or value is printed, and OPTS_ERROR returned;
 * --help/-h prints help and returns OPTS_HELP.
 */
int opts_parse(int argc, char **argv, const struct opt *table,
	       const struct opt_usage *usage, char **positional,
	       int max_positional, int *npositional);

void opts_print_help(const struct opt *table, const struct opt_usage *usage);

/* The error message helper used for values checked after parsing. */
void opts_bad_value(const char *option, const char *value, const char *allowed);

/* Look up a word in a NULL-terminated choice list (and aliases); -1 if none. */
int opts_choice_index(const char *const *choices, const char *const *aliases,
		      const char *word);

#endif
