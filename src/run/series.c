#include "run/series.h"

#include <stdlib.h>
#include <string.h>

#include "result/appender.h"
#include "result/hist_json.h"
#include "result/result_json.h"
#include "util/log.h"
#include "util/timeutil.h"

int series_out_init(struct series_out *so, const char *doc_path)
{
	memset(so, 0, sizeof(*so));
	so->wall_minus_mono = (int64_t)wall_clock_ns() - (int64_t)now_ns();
	if (hist_init(&so->h5[0], HIST_BITS_INTERVAL) || hist_init(&so->h5[1], HIST_BITS_INTERVAL))
		goto nomem;
	if (doc_path) {
		so->app = output_appender_beside(doc_path, SERIES_SUFFIX, SERIES_MAX_QUEUE);
		if (!so->app)
			goto nomem;
	}
	return 0;
nomem:
	log_error("out of memory for the interval series");
	series_out_free(so);
	return -1;
}

/*
 * The interval's histogram at the interval precision. The monitor knows no
 * interval extremes: bound them by the first and last non-empty bucket.
 */
static json_t *interval_hist(struct hist *h5, const struct hist *h)
{
	uint64_t lo, width;
	uint32_t i;

	hist_downsample(h5, h);
	h5->min = 0;
	h5->max = 0;
	for (i = 0; i < h5->nbuckets; i++)
		if (h5->buckets[i]) {
			hist_bucket_range(h5, i, &lo, &width);
			h5->min = lo;
			break;
		}
	for (i = h5->nbuckets; i-- > 0;)
		if (h5->buckets[i]) {
			hist_bucket_range(h5, i, &lo, &width);
			h5->max = lo + width - 1;
			break;
		}
	return hist_json(h5);
}

static void hand_on(struct series_out *so, char *line, size_t len)
{
	if (so->app) {
		/* A full queue or a failed output drops it; the appender counts and says. */
		output_appender_post(so->app, line, len);
	} else if (!so->mem_failed) {
		if (so->mem_len + len > so->mem_cap) {
			size_t cap = so->mem_cap ? so->mem_cap * 2 : 1 << 16;
			char *p;

			while (cap < so->mem_len + len)
				cap *= 2;
			p = realloc(so->mem, cap);
			if (!p) {
				so->mem_failed = true;
				log_warn("out of memory for the interval series; the rest is dropped");
				free(line);
				return;
			}
			so->mem = p;
			so->mem_cap = cap;
		}
		memcpy(so->mem + so->mem_len, line, len);
		so->mem_len += len;
	}
	so->lines++;
	free(line);
}

void series_out_flush(struct series_out *so)
{
	if (so->held)
		hand_on(so, so->held, so->held_len);
	so->held = NULL;
	so->held_len = 0;
}

void series_out_interval(struct series_out *so, const struct interval_sample *s,
			 const struct interval_view *v, unsigned run, double t_offset,
			 json_t *kernel)
{
	struct interval_sample x = *s;
	json_t *j;
	char *line;

	x.run = run;
	x.t_s += t_offset;
	j = interval_json(&x, true);
	if (!j)
		goto nomem;
	json_object_set_new(j, "t_ns", json_integer((json_int_t)((int64_t)v->end_ns +
								  so->wall_minus_mono)));
	json_object_set_new(j, "lat_hist", json_pack("{s:o, s:o}",
		"read", interval_hist(&so->h5[DIR_READ], v->lat[DIR_READ]),
		"write", interval_hist(&so->h5[DIR_WRITE], v->lat[DIR_WRITE])));
	if (kernel)
		json_object_set(j, "kernel_counters", kernel);
	line = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(j);
	if (!line)
		goto nomem;
	if (v->replaces_last) {
		/* The drain grew the interval held back: this one takes its place. */
		free(so->held);
		so->held = NULL;
	}
	series_out_flush(so);
	so->held_len = strlen(line) + 1;
	line[so->held_len - 1] = '\n';  /* the terminator becomes the line's end */
	so->held = line;
	if (v->last)
		series_out_flush(so);
	return;
nomem:
	log_warn("out of memory for an interval of the series; it is dropped");
}

json_t *series_parse_line(const char *line, size_t len)
{
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);

	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *series_out_inline(const struct series_out *so)
{
	json_t *a = json_array();
	size_t at = 0;

	while (a && at < so->mem_len) {
		const char *nl = memchr(so->mem + at, '\n', so->mem_len - at);
		size_t len = nl ? (size_t)(nl - (so->mem + at)) : so->mem_len - at;
		json_t *j = series_parse_line(so->mem + at, len);

		if (j)
			json_array_append_new(a, j);
		at += len + 1;
	}
	return a;
}

void series_out_free(struct series_out *so)
{
	free(so->held);
	free(so->mem);
	hist_free(&so->h5[0]);
	hist_free(&so->h5[1]);
	so->held = so->mem = NULL;
	so->mem_len = so->mem_cap = 0;
}
