/*
 * `baseline show NAME`: a stored history in words. The runs (when saved,
 * on which kernel, their IOPS and p99), the run-to-run spread of every
 * figure a gate uses (the noise a threshold must clear), the
 * session-to-session part of it (whether compare tests runs or sessions),
 * and the change points of the series (stats/changepoint.h: where did a
 * figure step?).
 */
#ifndef DMRB_HISTORY_VIEW_H
#define DMRB_HISTORY_VIEW_H

#include <jansson.h>
#include <stdio.h>

/* Print doc (a history, a result or fio output) stored as name at where. 0 or -1 with err. */
int history_print(FILE *f, json_t *doc, const char *name, const char *where, char *err,
		  size_t elen);

#endif
