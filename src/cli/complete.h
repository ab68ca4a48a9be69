/*
 * Shell completion generated from the option tables: every command's
 * parser hands its table over (opts_set_table_hook) and the bash script is
 * written from the copies, so the completion cannot drift from the options
 * the program accepts.
 */
#ifndef DMRB_COMPLETE_H
#define DMRB_COMPLETE_H

#include <stddef.h>
#include <stdio.h>

#include "cli/options.h"

/* One command as its parser describes it. */
struct complete_cmd {
	const char *name;
	struct opt *opts;          /* a copy of the table, OPT_END-terminated; no value pointers */
	struct opt_usage usage;
};

/*
 * Run parse_only(name) under the table hook and copy the table it hands
 * over into out. 0, or -1 (one line on stderr) when the parser handed over
 * no table or memory ran out.
 */
int complete_capture(const char *name, int (*parse_only)(int argc, char **argv),
		     struct complete_cmd *out);
void complete_free(struct complete_cmd *c);

/*
 * The bash completion script (bash-completion conventions: a function
 * bound with `complete -F` to dmremap-bench) for these commands. version
 * goes into its header.
 */
void complete_bash(FILE *f, const struct complete_cmd *cmds, size_t n, const char *version);

#endif
