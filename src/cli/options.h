/*
 * Declarative command-line options, after git's parse-options: a command
 * describes its options in one table, and parsing, validation and --help all
 * come from that table, so they cannot drift apart.
 */
#ifndef DMRB_OPTIONS_H
#define DMRB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
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

/*
 * What a value or an argument is, for shell completion (`dmremap-bench
 * completion bash`). An option without one gets it from its argh: FILE and
 * PATH are files, DIR a directory, DEV a device, NAME|FILE a baseline or
 * a file.
 */
enum opt_complete {
	COMPLETE_AUTO = 0,    /* from argh (options); nothing (arguments) */
	COMPLETE_NONE,        /* a number or free text: nothing to offer */
	COMPLETE_FILE,
	COMPLETE_DIR,
	COMPLETE_DEVICE,      /* block devices, and files (they get loop devices) */
	COMPLETE_BASELINE,    /* stored baselines by name */
	COMPLETE_BASELINE_FILE, /* stored baselines, or a result file */
	COMPLETE_DM,          /* device-mapper devices by name */
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
	/*
	 * OPT_CHOICE: the allowed words, NULL-terminated. OPT_STRING: the
	 * usual values, offered by completion but not enforced (--target-type).
	 */
	const char *const *choices;
	/*
	 * OPT_CHOICE: other spellings accepted for each choice, same index
	 * (the original interface's numeric codes, "1" for "light").
	 */
	const char *const *aliases;
	const char *special;         /* a word stored as 0 in place of a number ("auto") */
	const char *special_max;     /* OPT_UINT: a word stored as UINT32_MAX ("none") */
	bool *set;                   /* if non-NULL, set to true when given */
	/*
	 * Another long name for the same option, the one fio uses ("runtime"
	 * for "duration"): accepted like the name, shown in --help.
	 */
	const char *alias;
	/*
	 * The default as --help shows it, when *value at parse time is not
	 * what the command will use (resolved later). NULL: *value itself,
	 * if it is in range; "" for none. Help text that says "default"
	 * itself is left as it is.
	 */
	const char *def;
	enum opt_complete complete;  /* what completion offers for the value */
};

#define OPT_END_MARK { .type = OPT_END }

struct opt_usage {
	const char *command;   /* "concurrency", or NULL for the top level */
	const char *synopsis;  /* "[options]" */
	const char *summary;   /* one line about the command */
	/* For completion: the words the first argument may be ("database", "list", ...) */
	const char *const *args;
	enum opt_complete args_kind;  /* what the arguments are otherwise */
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

/* What completion offers for an option's value (never COMPLETE_AUTO). */
enum opt_complete opts_complete_kind(const struct opt *o);

/*
 * The default --help shows for an option, into buf: 0, or -1 when it has
 * none (a flag, a value that means "not given", a help text that says it).
 */
int opts_default_text(const struct opt *o, char *buf, size_t len);

/*
 * While a hook is set, opts_parse() hands it the table and the usage and
 * returns OPTS_HELP without parsing: how `completion` and the tests read
 * every command's table through the command's own parser (the tables are
 * built on its stack). The hook must copy what it keeps. NULL clears it.
 */
typedef void (*opts_table_hook)(const struct opt *table, const struct opt_usage *usage,
				void *arg);
void opts_set_table_hook(opts_table_hook hook, void *arg);

/*
 * The option name (or alias) of the table closest to the unknown word,
 * when one is close enough to be a typo; NULL otherwise.
 */
const char *opts_suggest(const struct opt *table, const char *word, size_t len);

/* The error message helper used for values checked after parsing. */
void opts_bad_value(const char *option, const char *value, const char *allowed);

/* Look up a word in a NULL-terminated choice list (and aliases); -1 if none. */
int opts_choice_index(const char *const *choices, const char *const *aliases,
		      const char *word);

#endif
