#include "compare/metrics.h"

#include "result/load.h"
#include "util/log.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	const char *key;            /* in lat_ns */
	enum metric_kind kind;
	enum metric_better better;
} lat_metrics[] = {
	{ "lat_mean", "mean", MK_LATENCY, BETTER_LOWER },
	{ "lat_p50", "p50", MK_LATENCY, BETTER_LOWER },
	{ "lat_p99", "p99", MK_LATENCY, BETTER_LOWER },
	{ "lat_p99.9", "p99.9", MK_LATENCY, BETTER_LOWER },
};

struct metric *metrics_add(struct metric_set *s, const char *group, const char *dir,
			   const char *name, enum metric_kind kind, enum metric_better better,
			   double value)
{
	struct metric *m;
	char g[sizeof(m->group)];

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct metric *n = realloc(s->m, cap * sizeof(*n));

		if (!n)
			return NULL;
		s->m = n;
		s->cap = cap;
	}
	m = &s->m[s->n++];
	memset(m, 0, sizeof(*m));
	/* Group names hold stream names from the file: quoted as messages are. */
	snprintf(g, sizeof(g), "%s", group);
	utf8_trim_partial(g);
	log_quote(m->group, sizeof(m->group), g);
	snprintf(m->dir, sizeof(m->dir), "%s", dir);
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->kind = kind;
	m->better = better;
	m->value = value;
	return m;
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* Intervals worth comparing: all but a final one much shorter than the rest. */
static size_t usable_intervals(json_t *intervals)
{
	size_t n = json_array_size(intervals);
	double first;

	if (n < 2)
		return n;
	first = num(json_array_get(intervals, 0), "len_s");
	if (num(json_array_get(intervals, n - 1), "len_s") < 0.5 * first)
		n--;
	return n;
}

/* Samples of one metric from the interval series; skips intervals without I/O in dir. */
static int samples_from(struct metric *m, json_t *intervals, const char *dir)
{
	size_t n = usable_intervals(intervals), i;
	bool lat = m->kind == MK_LATENCY;

	if (!n)
		return 0;
	m->samples = calloc(n, sizeof(double));
	if (!m->samples)
		return -1;
	for (i = 0; i < n; i++) {
		json_t *iv = json_array_get(intervals, i);
		double ops = strcmp(dir, "total") == 0 ?
			num(iv, "read_iops") + num(iv, "write_iops") :
			num(iv, strcmp(dir, "read") == 0 ? "read_iops" : "write_iops");
		double v;

		if (lat && ops <= 0)
			continue;
		if (strcmp(m->name, "iops") == 0)
			v = ops;
		else if (strcmp(m->name, "bw") == 0)
			v = strcmp(dir, "total") == 0 ? num(iv, "bw_bytes_per_s") :
				num(iv, strcmp(dir, "read") == 0 ? "read_bw_bytes_per_s" :
				    "write_bw_bytes_per_s");
		else if (strcmp(dir, "total") == 0) {
			if (strcmp(m->name, "lat_p99"))
				continue;  /* the series has only p99 over both directions */
			v = num(iv, "p99_ns");
		} else {
			json_t *l = json_object_get(iv, strcmp(dir, "read") == 0 ?
						    "read_lat_ns" : "write_lat_ns");
			size_t k;

			if (!l)
				continue;
			for (k = 0; k < sizeof(lat_metrics) / sizeof(lat_metrics[0]); k++)
				if (strcmp(lat_metrics[k].name, m->name) == 0)
					break;
			v = num(l, lat_metrics[k].key);
		}
		m->samples[m->nsamples++] = v;
	}
	return 0;
}

/* One direction object {ops, iops, bw_bytes_per_s, lat_ns{...}} of our schema. */
static int add_dir(struct metric_set *s, const char *group, const char *dir, json_t *d,
		   json_t *intervals)
{
	json_t *lat = json_object_get(d, "lat_ns");
	struct metric *m;
	size_t k;

	if (!json_is_object(d) || num(d, "ops") <= 0)
		return 0;
	if (!(m = metrics_add(s, group, dir, "iops", MK_THROUGHPUT, BETTER_HIGHER,
			      num(d, "iops"))) ||
	    (intervals && samples_from(m, intervals, dir)))
		return -1;
	if (!(m = metrics_add(s, group, dir, "bw", MK_THROUGHPUT, BETTER_HIGHER,
		      num(d, "bw_bytes_per_s"))) ||
	    (intervals && samples_from(m, intervals, dir)))
		return -1;
	for (k = 0; k < sizeof(lat_metrics) / sizeof(lat_metrics[0]); k++) {
		if (!(m = metrics_add(s, group, dir, lat_metrics[k].name, lat_metrics[k].kind,
			      lat_metrics[k].better, num(lat, lat_metrics[k].key))) ||
		    (intervals && samples_from(m, intervals, dir)))
			return -1;
	}
	return 0;
}

static int add_results(struct metric_set *s, const char *group, json_t *r, bool with_series)
{
	json_t *iv = with_series ? json_object_get(r, "intervals") : NULL;
	json_t *e = json_object_get(r, "errors");
	static const char *const dirs[] = { "read", "write", "total" };
	size_t i;

	for (i = 0; i < 3; i++)
		if (add_dir(s, group, dirs[i], json_object_get(r, dirs[i]), iv))
			return -1;
	if (!metrics_add(s, group, "total", "errors", MK_ERRORS, BETTER_LOWER,
		 num(e, "io") + num(e, "short") + num(e, "verify")))
		return -1;
	return 0;
}

static int from_ours(json_t *doc, struct metric_set *s, char *err, size_t elen)
{
	json_t *r = json_object_get(doc, "results"), *a, *x;
	size_t i;
	char group[32];

	if (!json_is_object(r) || !json_is_object(json_object_get(r, "total"))) {
		snprintf(err, elen, "has no \"results\" with a \"total\" (expected a complete "
			 "dmremap-bench result or fio JSON output)");
		return -1;
	}
	s->source = "dmremap-bench";
	snprintf(s->command, sizeof(s->command), "%s",
		 json_string_value(json_object_get(doc, "command")) ?: "");
	utf8_trim_partial(s->command);
	s->params = json_object_get(doc, "params");
	s->environment = json_object_get(doc, "environment");
	s->target = json_object_get(doc, "target");
	if (add_results(s, "all", r, true))
		return -1;
	a = json_object_get(r, "streams");
	if (json_array_size(a) > 1)
		json_array_foreach(a, i, x) {
			snprintf(group, sizeof(group), "stream %s",
				 json_string_value(json_object_get(x, "name")) ?: "?");
			if (add_results(s, group, x, false))
				return -1;
		}
	json_array_foreach(json_object_get(r, "steps"), i, x) {
		snprintf(group, sizeof(group), "step %zu", i + 1);
		if (add_results(s, group, x, true))
			return -1;
	}
	json_array_foreach(json_object_get(r, "phases"), i, x) {
		snprintf(group, sizeof(group), "phase %zu", i + 1);
		if (add_results(s, group, x, true))
			return -1;
	}
	return 0;
}

/* fio --output-format=json: one job, or one group with group_reporting. */
static int from_fio(json_t *doc, struct metric_set *s, char *err, size_t elen)
{
	json_t *jobs = json_object_get(doc, "jobs"), *job;
	static const char *const dirs[] = { "read", "write" };
	double err_count;
	size_t i, k;

	if (json_array_size(jobs) != 1) {
		snprintf(err, elen, "is fio output with %zu jobs (expected one job, or "
			 "--group_reporting)", json_array_size(jobs));
		return -1;
	}
	job = json_array_get(jobs, 0);
	s->source = "fio";
	snprintf(s->command, sizeof(s->command), "fio");
	s->fio_job = job;
	s->fio_global = json_object_get(doc, "global options");
	for (i = 0; i < 2; i++) {
		json_t *d = json_object_get(job, dirs[i]);
		json_t *clat = json_object_get(d, "clat_ns");
		json_t *pct = json_object_get(clat, "percentile");
		static const char *const pkeys[] = { NULL, "50.000000", "99.000000", "99.900000" };
		double bw = json_object_get(d, "bw_bytes") ? num(d, "bw_bytes") : num(d, "bw") * 1024;

		if (!json_is_object(d) || num(d, "total_ios") <= 0)
			continue;
		if (!metrics_add(s, "all", dirs[i], "iops", MK_THROUGHPUT, BETTER_HIGHER,
				 num(d, "iops")) ||
		    !metrics_add(s, "all", dirs[i], "bw", MK_THROUGHPUT, BETTER_HIGHER, bw))
			return -1;
		for (k = 0; k < sizeof(lat_metrics) / sizeof(lat_metrics[0]); k++) {
			json_t *v = k == 0 ? json_object_get(clat, "mean") :
				json_object_get(pct, pkeys[k]);

			/* fio run with clat_percentiles=0 has none: not a zero latency. */
			if (!json_is_number(v))
				continue;
			if (!metrics_add(s, "all", dirs[i], lat_metrics[k].name, lat_metrics[k].kind,
				 lat_metrics[k].better, json_number_value(v)))
				return -1;
		}
	}
	err_count = num(job, "error") != 0 ? 1 : 0;
	if (!metrics_add(s, "all", "total", "errors", MK_ERRORS, BETTER_LOWER, err_count))
		return -1;
	return 0;
}

int metrics_from_doc(json_t *doc, struct metric_set *out, char *err, size_t elen)
{
	memset(out, 0, sizeof(*out));
	if (json_is_false(json_object_get(doc, "complete")) &&
	    !json_object_get(doc, "fio version")) {
		snprintf(err, elen, "is an incomplete result (the run did not finish)");
		return -1;
	}
	/* What the loader refuses is never compared, however the document came here. */
	if (result_validate(doc, err, elen))
		return -1;
	if (json_object_get(doc, "fio version"))
		return from_fio(doc, out, err, elen) ? (metrics_free(out), -1) : 0;
	return from_ours(doc, out, err, elen) ? (metrics_free(out), -1) : 0;
}

void metrics_free(struct metric_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->m[i].samples);
	free(s->m);
	memset(s, 0, sizeof(*s));
}

const struct metric *metrics_find(const struct metric_set *s, const char *group,
				  const char *dir, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->m[i].group, group) && !strcmp(s->m[i].dir, dir) &&
		    !strcmp(s->m[i].name, name))
			return &s->m[i];
	return NULL;
}
