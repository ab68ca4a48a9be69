/* The command table: one source file per command, in the manner of git's builtin/. */
#ifndef DMRB_COMMANDS_H
#define DMRB_COMMANDS_H

/* What a command's parser returns when the command should go on and run. */
#define PARSE_CONTINUE (-1)

/*
 * parse_<cmd>: a command's own parser (returning PARSE_CONTINUE or an exit
 * status) run alone, without the I/O that would follow.
 */
#define DEFINE_PARSE_ONLY(cmd, args_type, parser)                   \
	int parse_##cmd(int argc, char **argv)                      \
	{                                                           \
		args_type parsed;                                   \
		int rc = parser(argc, argv, &parsed);               \
		return rc == PARSE_CONTINUE ? 0 : rc;               \
	}

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	/* Options and their checks only, no I/O: the exit status run would give for bad input. */
	int (*parse_only)(int argc, char **argv);
	const char *summary;
};

/* The command table (cmd/commands.c), NULL-name terminated. */
extern const struct command commands[];
const struct command *command_find(const char *name);
/* Parse a command line for the named command without running it (fuzzing, tests). */
int command_parse_only(const char *name, int argc, char **argv);

int cmd_concurrency(int argc, char **argv);
int parse_concurrency(int argc, char **argv);
int cmd_workload(int argc, char **argv);
int parse_workload(int argc, char **argv);
int cmd_run(int argc, char **argv);
int parse_run(int argc, char **argv);
int cmd_scale(int argc, char **argv);
int parse_scale(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int parse_sweep(int argc, char **argv);
int cmd_endurance(int argc, char **argv);
int parse_endurance(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int parse_compare(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int parse_baseline(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int parse_setup(int argc, char **argv);
int cmd_teardown(int argc, char **argv);
int parse_teardown(int argc, char **argv);
int cmd_status(int argc, char **argv);
int parse_status(int argc, char **argv);
int cmd_report(int argc, char **argv);
int parse_report(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int parse_merge(int argc, char **argv);
int parse_validate(int argc, char **argv);
int cmd_completion(int argc, char **argv);
int parse_completion(int argc, char **argv);


#endif
