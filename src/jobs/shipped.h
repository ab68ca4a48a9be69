/*
 * The job files shipped with the tool: the built-in profiles of
 * `workload` at each intensity, TYPE-LEVEL.fio under $(pkgdatadir)/jobs
 * (DMREMAP_BENCH_JOBS_DIR overrides it: the source tree's jobs/ for the
 * tests, or a user's own copies).
 */
#ifndef DMRB_SHIPPED_H
#define DMRB_SHIPPED_H

#include <stddef.h>
#include <stdio.h>

/* The directory the shipped job files are read from. */
const char *jobs_dir(void);
/* The path of TYPE at LEVEL (database, heavy); -1 when it does not fit. */
int jobs_shipped_path(const char *type, const char *level, char *out, size_t len);
/*
 * List every *.fio file of jobs_dir() on f, one a line: its name and the
 * description= it gives. Returns 0, or -1 with a message printed.
 */
int jobs_list(FILE *f);
/* Copy a file to f as it is; 0, or -1 with a message printed. */
int jobs_show(FILE *f, const char *path);

#endif
