/*
 * bench/series_write: what the 24th hour of an endurance run at 1 s costs
 * the output, simulated (issue 22). Running 24 hours to see it is not an
 * option, so the series is made up: 23 hours of synthetic interval lines
 * (a template line, ~1.5 kB, the size of a real one with its histograms)
 * are appended as fast as the appender takes them, through the tool's own
 * code (result/appender.c, the output rule of result/output.c), to
 * DIR/r.json.intervals.jsonl; then the 24th hour's lines are appended one
 * at a time, each waited for, and the time of each write + fdatasync is
 * recorded. For comparison, the old design's per-interval cost at the same
 * hour: the whole document, ~35 MB by then, rewritten through
 * output_write() (temporary file, write, fsync, rename, directory fsync).
 *
 *   make bench/series_write
 *   bench/series_write DIR [TEMPLATE_LINE_FILE] [HOURS_BEFORE] [LINES_MEASURED]
 *
 * DIR should be on the filesystem results go to (not tmpfs, whose fsync
 * costs nothing). Not part of make check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "result/appender.h"
#include "result/output.h"
#include "util/timeutil.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* A line as endurance writes it: the template's, or a made-up one of the same shape. */
static char *template_line(const char *path, size_t *len)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	if (path && (f = fopen(path, "r"))) {
		n = getline(&line, &cap, f);
		fclose(f);
		if (n > 1 && line[n - 1] == '\n') {
			*len = (size_t)n;
			return line;
		}
	}
	free(line);
	line = malloc(2048);
	if (!line)
		return NULL;
	/* ~1.5 kB: the keys of an interval and two histograms of ~90 buckets each. */
	n = snprintf(line, 2048, "{\"run\":0,\"t_s\":1.0,\"len_s\":1.0,\"read_iops\":2800.0,"
		     "\"write_iops\":1200.0,\"read_bw_bytes_per_s\":11468800.0,"
		     "\"write_bw_bytes_per_s\":4915200.0,\"bw_bytes_per_s\":16384000.0,"
		     "\"p99_ns\":31000,\"errors\":0,\"read_lat_ns\":{\"mean\":6400.0,\"p50\":5600,"
		     "\"p99\":31000,\"p99.9\":62000},\"write_lat_ns\":{\"mean\":9700.0,"
		     "\"p50\":7800,\"p99\":40000,\"p99.9\":67000},\"t_ns\":1796454577262438289,"
		     "\"lat_hist\":{\"read\":{\"bits\":5,\"count\":2800,\"sum\":17920000,"
		     "\"min\":1472,\"max\":122879,\"enc\":\"d1\",\"buckets\":\"");
	while (n < 1200)
		n += snprintf(line + n, 2048 - (size_t)n, "1:%d,", (int)(10 + n % 37));
	n += snprintf(line + n, 2048 - (size_t)n, "1:1\"},\"write\":{\"bits\":5,\"count\":1200,"
		      "\"sum\":11640000,\"min\":2624,\"max\":37887,\"enc\":\"d1\",\"buckets\":\"");
	while (n < 1450)
		n += snprintf(line + n, 2048 - (size_t)n, "1:%d,", (int)(5 + n % 23));
	n += snprintf(line + n, 2048 - (size_t)n, "1:1\"}}}\n");
	*len = (size_t)n;
	return line;
}

/* Wait until the appender has written (or dropped) `want` lines. */
static void wait_written(struct output_appender *a, uint64_t want)
{
	struct appender_stats st;
	struct timespec ts = { 0, 20000 };

	for (;;) {
		output_appender_stats(a, &st);
		if (st.lines_written + st.lines_dropped >= want)
			return;
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	double hours = argc > 3 ? atof(argv[3]) : 23;
	size_t measured = argc > 4 ? (size_t)atol(argv[4]) : 3600, len, i;
	uint64_t before, *dt, posted = 0, t0;
	struct output_appender *a;
	struct appender_stats st;
	char doc[4096], why[OUTPUT_WHY_LEN], *line;
	struct stat sb;

	if (!dir) {
		fprintf(stderr, "usage: %s DIR [TEMPLATE_LINE_FILE] [HOURS_BEFORE] [LINES]\n",
			argv[0]);
		return 2;
	}
	line = template_line(argc > 2 ? argv[2] : NULL, &len);
	dt = calloc(measured ? measured : 1, sizeof(*dt));
	if (!line || !dt)
		return 1;
	before = (uint64_t)(hours * 3600);
	snprintf(doc, sizeof(doc), "%s/r.json", dir);
	a = output_appender_beside(doc, ".intervals.jsonl", 64u << 20);
	if (!a)
		return 1;
	printf("series_write: %zu-byte lines; %llu lines (%.1f h at 1 s) appended first\n", len,
	       (unsigned long long)before, hours);
	t0 = now_ns();
	for (i = 0; i < before; i++) {
		/* Never more than 10000 lines queued: nothing is dropped for being too fast. */
		if (posted % 10000 == 0)
			wait_written(a, posted);
		if (!output_appender_post(a, line, len))
			break;
		posted++;
	}
	wait_written(a, posted);
	printf("  filled in %.1f s\n", (double)(now_ns() - t0) / 1e9);
	for (i = 0; i < measured; i++) {
		output_appender_post(a, line, len);
		wait_written(a, ++posted);
		output_appender_stats(a, &st);
		dt[i] = st.write_ns_last;
	}
	output_appender_stats(a, &st);
	if (output_appender_finish(a, true, "the series", why, sizeof(why)))
		fprintf(stderr, "series_write: %s\n", why);
	qsort(dt, measured, sizeof(*dt), cmp_u64);
	snprintf(doc, sizeof(doc), "%s/r.json.intervals.jsonl", dir);
	stat(doc, &sb);
	if (measured)
		printf("  the next %zu lines, one write + fdatasync each: median %.3f ms, p99 %.3f ms, "
		       "max %.3f ms; the file %.1f MB; lines dropped %llu\n", measured,
		       (double)dt[measured / 2] / 1e6, (double)dt[measured * 99 / 100] / 1e6,
		       (double)dt[measured - 1] / 1e6, (double)sb.st_size / 1e6,
		       (unsigned long long)st.lines_dropped);
	unlink(doc);
	/* The old design at the same hour: the whole document, rewritten. */
	{
		size_t big = (size_t)35 << 20;
		uint64_t w[5];
		int k;

		snprintf(doc, sizeof(doc), "%s/old.json", dir);
		for (k = 0; k < 5; k++) {
			char *data = malloc(big);

			if (!data)
				return 1;
			memset(data, ' ', big);
			t0 = now_ns();
			if (output_write(doc, data, big, "the result", why, sizeof(why)))
				fprintf(stderr, "series_write: %s\n", why);
			w[k] = now_ns() - t0;
		}
		qsort(w, 5, sizeof(*w), cmp_u64);
		printf("  the old design: a 35 MB document rewritten per interval: median %.0f ms, "
		       "max %.0f ms (5 writes)\n", (double)w[2] / 1e6, (double)w[4] / 1e6);
		unlink(doc);
	}
	free(dt);
	free(line);
	return 0;
}
