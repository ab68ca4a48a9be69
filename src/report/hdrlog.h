/*
 * Latency histograms as an HdrHistogram interval log (report --format
 * hdr), the text format of HdrHistogram's HistogramLogWriter, log format
 * version 1.3, that HdrHistogram's HistogramLogProcessor, its plotter
 * and the ports' log readers read:
 *
 *   #[Histogram log format version 1.3]
 *   #[StartTime: 1796454227.445 (seconds since epoch), Sat Dec 05 07:03:47 UTC 2026]
 *   #[BaseTime: 1796454227.445 (seconds since epoch)]
 *   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
 *   0.000,1.004,28.377,HISTFAAA...
 *   Tag=read,0.000,1.004,28.377,HISTFAAA...
 *
 * one line per interval: its start (seconds after BaseTime), length and
 * largest latency (ms: ns / 10^6, HistogramLogWriter's default ratio),
 * and the histogram in HdrHistogram's V2 compressed encoding (cookie
 * 0x1c849314, then 4 bytes of length and zlib's deflate of the V2
 * encoding: cookie 0x1c849313, payload length, normalizing index offset
 * 0, significant digits, lowest discernible value 1, highest trackable
 * value, conversion ratio 1.0, then the counts as ZigZag LEB128 numbers,
 * a run of zero counts as its negated length), base64. Values are ns.
 * The untagged line is both directions together; Tag=read and Tag=write
 * lines follow for each direction with I/O.
 *
 * The layouts: HdrHistogram with d significant digits and lowest
 * discernible value 1 has 2^ceil(log2(2*10^d)) sub-buckets, half of them
 * per power of two above the first: exactly our log-linear histogram with
 * bits = ceil(log2(2*10^d)) - 1, index for index (stats/hist.h). So
 * histograms of 4, 7 (run totals), 10, 14 or 17 bits are written as they
 * are (d = 1, 2, 3, 4, 5): every count in its own bucket. Others (the
 * 5-bit interval histograms, fio's 6 bits) go to the next finer layout,
 * each count into the bucket that holds the middle of its own bucket:
 * the counts stay, their values are as precise as they were, no more.
 */
#ifndef DMRB_HDRLOG_H
#define DMRB_HDRLOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "report/svg.h"
#include "stats/hist.h"

#define HDR_COOKIE_V2 0x1c849313u            /* V2 encoding, word size byte 0x10 */
#define HDR_COOKIE_V2_COMPRESSED 0x1c849314u
#define HDR_LOG_VERSION "1.3"
#define HDR_HIGHEST_TRACKABLE ((1ULL << HIST_MAX_MAGNITUDE) - 1)

/*
 * The HdrHistogram layout that takes a histogram of bits: its significant
 * digits and bits; *exact when the layout is the histogram's own. -1 when
 * none can (bits above 17).
 */
int hdr_layout(unsigned bits, int *digits, unsigned *hdr_bits, bool *exact);

/*
 * h as HdrHistogram's compressed V2 encoding in base64 (malloc'd), or
 * NULL (out of memory, or no layout). *exact as hdr_layout says.
 */
char *hdr_encode_base64(const struct hist *h, bool *exact);

/*
 * The interval log of a result document: the intervals' own histograms
 * when every interval has them (results.intervals[].lat_hist with read
 * and write), else one interval per step or phase of each run (in the
 * order they ran), else one per run. 0, or -1 with one line in err (no
 * histogram in the document, out of memory).
 */
int hdr_log(json_t *doc, const char *source, struct sbuf *out, char *err, size_t elen);

#endif
