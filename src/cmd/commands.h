/* The command table: one source file per command, in the manner of git's builtin/. */
#ifndef DMRB_COMMANDS_H
#define DMRB_COMMANDS_H

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_concurrency(int argc, char **argv);
int cmd_workload(int argc, char **argv);
int cmd_scale(int argc, char **argv);
int cmd_endurance(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_baseline(int argc, char **argv);

/* NULL-name terminated. */
extern const struct command commands[];

#endif
