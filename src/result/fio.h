/*
 * fio's JSON output beyond one plain document:
 *
 *  - fio --status-interval=T --output-format=json (or json+) writes one
 *    whole JSON document per status report, concatenated, the last one
 *    at the end of the run. Each report is cumulative since the start of
 *    the job. The loader (result/load.h) takes the last as the result and
 *    turns the differences between consecutive reports into the result's
 *    intervals, added to it as
 *
 *      "dmremap-bench": { "fio_status_reports": N, "intervals": [ ... ] }
 *
 *    each interval with t_s (the end of the interval: fio's job_runtime
 *    of the report, ms), len_s, t_ns (the report's timestamp_ms in UTC
 *    nanoseconds), read_iops, write_iops, read_bw_bytes_per_s,
 *    write_bw_bytes_per_s, bw_bytes_per_s, and with json+ clat bins also
 *    p99_ns and read_lat_ns / write_lat_ns {mean, p50, p99, p99.9} of the
 *    completions in the interval (as in our own intervals). All jobs of
 *    a report are added up.
 *
 *  - fio --output-format=json+ adds to each direction's clat_ns the
 *    "bins" of fio's latency histogram: {"<ns>": count, ...}, one entry
 *    per non-empty bucket, keyed by the bucket's middle value. fio's
 *    histogram (stat.h: FIO_IO_U_PLAT_BITS 6) is the log-linear layout of
 *    stats/hist.h with bits = 6, index for index: values below 128 exact,
 *    above, 64 buckets per power of two. So the bins become one of our
 *    histograms exactly, and a fio result's percentiles can come from its
 *    own histogram like ours.
 */
#ifndef DMRB_RESULT_FIO_H
#define DMRB_RESULT_FIO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "stats/hist.h"

#define FIO_HIST_BITS 6      /* FIO_IO_U_PLAT_BITS */

/* Whether buf holds a fio JSON document followed by more than white space. */
bool fio_stream_probe(const char *buf, size_t len);

/*
 * Parse a --status-interval stream: the last report, with the intervals
 * of all of them added as above. NULL with one line in err (which names
 * neither the file nor the stream: the caller prefixes it) when a report
 * is no JSON object of fio, is cut off, or the reports go backwards.
 */
json_t *fio_stream_parse(const char *buf, size_t len, char *err, size_t elen);

/*
 * The clat_ns bins of a fio direction object ({"clat_ns": {"bins": ...}})
 * as a histogram of FIO_HIST_BITS (initialised here; hist_free it), with
 * clat_ns's min, max, and mean times N as its extremes and sum.
 * 1 when the direction has no bins (plain json output; nothing
 * allocated), 0, or -1 with one line in err: a key that is no bucket of
 * fio's histogram, a count that is not a whole number, or counts that
 * differ from clat_ns.N.
 */
int fio_clat_hist(json_t *dir, struct hist *out, char *err, size_t elen);

#endif
