/* Named baselines: one JSON result file per name in a directory. */
#ifndef DMRB_BASELINE_STORE_H
#define DMRB_BASELINE_STORE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define BASELINE_NAME_MAX 64

/*
 * The directory: dir if given, else $DMREMAP_BENCH_BASELINE_DIR, else
 * /var/lib/dmremap-bench/baselines for root and
 * $XDG_DATA_HOME/dmremap-bench/baselines (~/.local/share/...) otherwise.
 */
void baseline_dir(const char *dir, char *out, size_t len);
/*
 * Letters, digits, '.', '_', '-'; no '/', no leading dot, not ending in
 * .json (that is a file), 1-64 chars. 0 if valid.
 */
int baseline_name_check(const char *name);
void baseline_path(const char *dir, const char *name, char *out, size_t len);
/*
 * Store doc under name (creating the directory) under the output rule
 * (result/output.h). Returns an enum output_status: 0, or a failure with
 * errno set and one line in why.
 */
int baseline_save(const char *dir, const char *name, json_t *doc, char *why, size_t wlen);
/*
 * Add the runs of doc, a result, to NAME's history (result/history.h),
 * creating it, keeping the last keep runs (0: as the history says, else
 * HISTORY_KEEP_DEFAULT); a fio document or a history is
 * stored as it is. 0, or -1 with one line in err: *refused is set when the
 * stored baseline cannot take these runs (another workload, a file that
 * is not a baseline) and clear for a failure of the system (errno set).
 */
int baseline_add(const char *dir, const char *name, json_t *doc, unsigned keep, char *err,
		 size_t elen, bool *refused);
/*
 * How a NAME|FILE value is read, by its spelling alone: with a '/' or
 * ending in .json it is a file, anything else is the name of a baseline
 * in the store (dmremap-bench-baseline(1)).
 */
bool baseline_is_file(const char *value);
/*
 * Resolve NAME|FILE (baseline_is_file), then load it with result_load():
 * the document, or NULL with one message in err. where gets the path.
 */
json_t *baseline_load(const char *dir, const char *name_or_file, char *where, size_t wlen,
		      char *err, size_t elen);
/* Calls fn for each stored name, sorted. Returns the count or -1. */
int baseline_list(const char *dir, void (*fn)(const char *name, const char *path, void *arg),
		  void *arg);
int baseline_delete(const char *dir, const char *name);

#endif
