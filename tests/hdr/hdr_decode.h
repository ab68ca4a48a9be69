/*
 * A reader of HdrHistogram interval logs for the tests, written from the
 * format's documentation (HistogramLogReader, AbstractHistogram's V2
 * encoding), sharing nothing with the tool's writer: it parses the lines,
 * base64-decodes and inflates each histogram, checks the cookies and the
 * header, and expands the ZigZag LEB128 counts into the counts array.
 */
#ifndef DMRB_TEST_HDR_DECODE_H
#define DMRB_TEST_HDR_DECODE_H

#include <stddef.h>
#include <stdint.h>

struct hdr_interval {
	char tag[32];               /* "" when untagged */
	double start_s, len_s, max;
	int digits;                 /* significant value digits */
	uint64_t lowest, highest;
	double ratio;
	uint64_t *counts;           /* counts[i], i < ncounts */
	size_t ncounts;             /* the counts array length of the layout */
	uint64_t total;
};

struct hdr_log {
	double start_time, base_time;   /* -1 when absent */
	char version[16];
	struct hdr_interval *iv;
	size_t n;
	char comments[4096];            /* the "#" lines, concatenated */
};

/* 0, or -1 with one line in err. */
int hdr_decode_log(const char *text, struct hdr_log *log, char *err, size_t elen);
void hdr_log_free(struct hdr_log *log);

/* The layout's counts array length, and the index of value v (HdrHistogram's definitions). */
size_t hdr_counts_length(int digits, uint64_t highest);
size_t hdr_index(int digits, uint64_t v);

#endif
