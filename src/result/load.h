/*
 * One loader for every document the tool reads: result files, stored
 * baselines, fio JSON output (compare, report, baseline, --baseline).
 *
 * A document is a regular file, or standard output of another program
 * given as "-" where the command allows it. It is opened so that nothing
 * can block the open (O_NONBLOCK: a FIFO without a writer, a tty, a
 * device), checked with fstat (a regular file of at most
 * RESULT_LOAD_MAX_BYTES), parsed with duplicate keys refused, and
 * validated: a document that lacks what its producer always writes is
 * not a result. Every failure is one message naming the file (and the
 * line, for JSON errors, or the missing key).
 *
 * fio --status-interval output, fio documents one after the other, is
 * read as its last document with the intervals of all of them
 * (result/fio.h).
 */
#ifndef DMRB_RESULT_LOAD_H
#define DMRB_RESULT_LOAD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The largest document read: 1 GiB. The biggest results dmremap-bench
 * writes are time series of about 500 bytes per interval: a 24 h
 * endurance run at the finest --interval (100 ms) is about 450 MB, a
 * week of concurrency at the default 1 s interval about 300 MB. Parsed,
 * a document takes several times its size in memory, so anything bigger
 * is refused rather than read.
 */
#define RESULT_LOAD_MAX_BYTES (1ULL << 30)

enum {
	LOAD_STDIN = 1 << 0,      /* "-" is standard input */
	LOAD_NO_VALIDATE = 1 << 1, /* JSON object only: no check of the result's keys */
};

/*
 * Open path for reading a document of the tool: O_RDONLY | O_NONBLOCK |
 * O_NOCTTY, then fstat. Only a regular file of at most max_bytes passes
 * (O_NONBLOCK cleared again). Returns the fd, or -1 with a message in err
 * naming path; *size gets the file's size.
 */
int load_open_regular(const char *path, uint64_t max_bytes, uint64_t *size, char *err,
		      size_t elen);

/*
 * Read, parse and validate the document at path (see above). A document
 * whose interval series is in a companion ("intervals_file",
 * doc/result-schema-v2.md section 5: a path relative to the document's
 * directory, after symlinks; the current directory for standard input) gets
 * the companion's lines as results.intervals, as if they had been inline; a
 * last line cut short by a crash is left out, and a document written at
 * the start of the run (complete: false) gets duration_s and ops_so_far
 * from them. Returns the JSON object, or NULL with one message in err that
 * names path (or the companion).
 */
json_t *result_load(const char *path, unsigned flags, char *err, size_t elen);

/*
 * Check doc against what its producer always writes: a dmremap-bench run
 * result (results with duration_s, read, write, total with ops, iops,
 * bw_bytes_per_s, lat_ns..., errors with io, short, verify; the same for
 * every stream, step and phase), an endurance document written during the
 * run (complete: false: duration_s and intervals), a comparison document
 * (comparison with metrics and verdict), or fio JSON output (every job
 * with read and write, each with total_ios, iops, bw_bytes or bw, and
 * clat_ns with mean). 0, or -1 with the first missing or mistyped key
 * ("results.total.ops") in err.
 */
int result_validate(json_t *doc, char *err, size_t elen);

#endif
