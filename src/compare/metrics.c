#include "compare/metrics.h"

#include "result/fio.h"
#include "result/history.h"
#include "result/load.h"
#include "stats/paired.h"
#include "stats/shift.h"
#include "util/log.h"
#include "util/utf8.h"

#include <math.h>
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

static int set_runs(struct metric *m, size_t n);

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
	if (set_runs(m, 1)) {
		s->n--;
		return NULL;
	}
	m->runs[m->nruns++] = value;
	m->nsessions = 1;
	return m;
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* Where a group's figures are inside a run node ({results, devices, hosts}). */
enum group_kind { G_ALL, G_STREAM, G_STEP, G_PHASE, G_DEVICE, G_HOST, G_HOST_DEVICE };

struct group_ref {
	enum group_kind kind;
	size_t index;
	const char *name;           /* G_STREAM, G_HOST, G_HOST_DEVICE */
};

/* The host named name among a node's hosts. */
static json_t *host_in(json_t *node, const char *name)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(node, "hosts"), i, x)
		if (!strcmp(json_string_value(json_object_get(x, "hostname")) ?: "", name))
			return x;
	return NULL;
}

static json_t *group_in(json_t *node, const struct group_ref *g)
{
	json_t *results = json_object_get(node, "results"), *a, *x;
	size_t i;

	switch (g->kind) {
	case G_ALL:
		return results;
	case G_DEVICE:
		return json_object_get(json_array_get(json_object_get(node, "devices"), g->index),
				       "results");
	case G_HOST:
		return json_object_get(host_in(node, g->name), "results");
	case G_HOST_DEVICE:
		return json_object_get(json_array_get(json_object_get(host_in(node, g->name),
								      "devices"), g->index), "results");
	case G_STEP:
		return json_array_get(json_object_get(results, "steps"), g->index);
	case G_PHASE:
		return json_array_get(json_object_get(results, "phases"), g->index);
	case G_STREAM:
		a = json_object_get(results, "streams");
		json_array_foreach(a, i, x)
			if (!strcmp(json_string_value(json_object_get(x, "name")) ?: "", g->name))
				return x;
	}
	return NULL;
}

/* A figure of a direction object: "iops", "bw" or a lat_metrics name. */
static bool figure(json_t *d, const char *name, double *v)
{
	size_t k;

	if (!json_is_object(d))
		return false;
	if (!strcmp(name, "iops") || !strcmp(name, "bw")) {
		json_t *x = json_object_get(d, !strcmp(name, "iops") ? "iops" : "bw_bytes_per_s");

		*v = json_number_value(x);
		return json_is_number(x);
	}
	for (k = 0; k < sizeof(lat_metrics) / sizeof(lat_metrics[0]); k++)
		if (!strcmp(lat_metrics[k].name, name)) {
			json_t *x = json_object_get(json_object_get(d, "lat_ns"), lat_metrics[k].key);

			*v = json_number_value(x);
			return json_is_number(x);
		}
	return false;
}

static int set_runs(struct metric *m, size_t n)
{
	free(m->runs);
	free(m->session);
	m->runs = calloc(n ? n : 1, sizeof(*m->runs));
	m->session = calloc(n ? n : 1, sizeof(*m->session));
	m->nruns = 0;
	return m->runs && m->session ? 0 : -1;
}

/*
 * Sessions of the run nodes: runs saved together share one; the runs of a
 * result (no "session" key: one invocation) are all one session.
 */
static unsigned *node_sessions(json_t *nodes, unsigned *count)
{
	size_t n = json_array_size(nodes), i, j;
	unsigned *s = calloc(n ? n : 1, sizeof(*s)), next = 0;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++) {
		json_t *a = json_object_get(json_array_get(nodes, i), "session");

		s[i] = next;
		for (j = 0; j < i; j++) {
			json_t *b = json_object_get(json_array_get(nodes, j), "session");

			if ((!a && !b) || (a && b && json_equal(a, b))) {
				s[i] = s[j];
				break;
			}
		}
		if (s[i] == next)
			next++;
	}
	*count = next ? next : 1;
	return s;
}

/* The runs' values of m from the nodes; the median becomes the metric's figure. */
static int fill_runs(struct metric *m, json_t *nodes, const unsigned *sess, unsigned nsess,
		     const struct group_ref *g)
{
	size_t n = json_array_size(nodes), i;
	double med;

	if (!n)
		return 0;
	if (set_runs(m, n))
		return -1;
	for (i = 0; i < n; i++) {
		json_t *r = group_in(json_array_get(nodes, i), g);
		double v;

		if (!figure(json_object_get(r, m->dir), m->name, &v))
			continue;
		m->session[m->nruns] = sess[i];
		m->runs[m->nruns++] = v;
	}
	m->nsessions = nsess;
	if (!m->nruns) {
		/* No run has it: the document's figure is the one run. */
		m->runs[m->nruns++] = m->value;
		m->nsessions = 1;
	} else if (m->nruns > 1 && stats_median(m->runs, m->nruns, &med) == 0) {
		m->value = med;
	}
	return 0;
}

/* One direction object {ops, iops, bw_bytes_per_s, lat_ns{...}} of our schema. */
static int add_dir(struct metric_set *s, const struct group_ref *g, const char *group,
		   const char *dir, json_t *d, json_t *nodes, const unsigned *sess, unsigned nsess)
{
	static const char *const names[] = { "iops", "bw" };
	struct metric *m;
	double v;
	size_t k;

	if (!json_is_object(d) || num(d, "ops") <= 0)
		return 0;
	for (k = 0; k < 2 + sizeof(lat_metrics) / sizeof(lat_metrics[0]); k++) {
		const char *name = k < 2 ? names[k] : lat_metrics[k - 2].name;

		figure(d, name, &v);
		m = metrics_add(s, group, dir, name, k < 2 ? MK_THROUGHPUT : MK_LATENCY,
				k < 2 ? BETTER_HIGHER : BETTER_LOWER, v);
		if (!m || fill_runs(m, nodes, sess, nsess, g))
			return -1;
	}
	return 0;
}

static int add_results(struct metric_set *s, const struct group_ref *g, const char *group,
		       json_t *r, json_t *nodes, const unsigned *sess, unsigned nsess)
{
	json_t *e = json_object_get(r, "errors");
	static const char *const dirs[] = { "read", "write", "total" };
	size_t i;

	for (i = 0; i < 3; i++)
		if (add_dir(s, g, group, dirs[i], json_object_get(r, dirs[i]), nodes, sess, nsess))
			return -1;
	/* Errors: the document's count decides (any increase fails). */
	if (!metrics_add(s, group, "total", "errors", MK_ERRORS, BETTER_LOWER,
		 num(e, "io") + num(e, "short") + num(e, "verify")))
		return -1;
	return 0;
}

/* A figure of one slice summary of a pair ({read|write|total: {iops, lat_p99_ns, ...}}). */
static bool pair_figure(json_t *side, const char *dir, const char *name, double *v)
{
	json_t *d = json_object_get(side, dir), *x;
	char key[32];

	if (!strcmp(name, "iops") || !strcmp(name, "bw")) {
		x = json_object_get(d, !strcmp(name, "iops") ? "iops" : "bw_bytes_per_s");
	} else {
		snprintf(key, sizeof(key), "%s_ns", name);
		x = json_object_get(d, key);
	}
	*v = json_number_value(x);
	return json_is_number(x) && *v > 0 && num(d, "ops") > 0;
}

/*
 * Group "ref": per run, the Hodges-Lehmann ratio target / reference over
 * the run's pairs of slices, for every figure both sides have.
 */
static int add_reference(struct metric_set *s, json_t *nodes, const unsigned *sess,
			 unsigned nsess)
{
	static const char *const dirs[] = { "read", "write", "total" };
	/* The pairs' CPU per I/O (system, tool) is in "total" only: lower is better. */
	static const char *const names[] = {
		"iops", "bw", "lat_mean", "lat_p50", "lat_p99", "lat_p99.9",
		"cpu_per_io", "tool_cpu_per_io",
	};
	size_t n = json_array_size(nodes), i, k, d, p;
	bool any = false;

	for (i = 0; i < n; i++)
		any |= json_array_size(json_object_get(json_array_get(nodes, i),
						       "reference_pairs")) > 0;
	if (!any)
		return 0;
	for (d = 0; d < 3; d++)
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			struct metric *m = NULL;

			for (i = 0; i < n; i++) {
				json_t *pairs = json_object_get(json_array_get(nodes, i),
								"reference_pairs"), *x;
				size_t np = json_array_size(pairs), nd = 0;
				double *dl = calloc(np ? np : 1, sizeof(double)), a, b;
				struct hl1_est est;

				if (!dl)
					return -1;
				json_array_foreach(pairs, p, x)
					if (pair_figure(json_object_get(x, "target"), dirs[d], names[k], &b) &&
					    pair_figure(json_object_get(x, "reference"), dirs[d],
							names[k], &a))
						dl[nd++] = log(b / a);
				if (nd && hl_onesample(dl, nd, 0.95, &est) == 0) {
					if (!m) {
						m = metrics_add(s, "ref", dirs[d], names[k],
								k < 2 ? MK_THROUGHPUT : MK_LATENCY,
								k < 2 ? BETTER_HIGHER : BETTER_LOWER, 0);
						if (!m || set_runs(m, n)) {
							free(dl);
							return -1;
						}
						m->nsessions = nsess;
					}
					m->session[m->nruns] = sess[i];
					m->runs[m->nruns++] = exp(est.est);
				}
				free(dl);
			}
			if (m && stats_median(m->runs, m->nruns, &m->value))
				m->value = m->runs[0];
		}
	return 0;
}

/*
 * A sweep's knee (results.knee.load): a run whose first step already missed
 * the objective has no knee, a load of 0 here. NAN when there is no knee.
 */
static double knee_load(json_t *results)
{
	json_t *k = json_object_get(results, "knee"), *v = json_object_get(k, "load");

	if (!json_is_object(k))
		return NAN;
	return json_is_number(v) ? json_number_value(v) : 0;
}

/*
 * Group "knee": the load at the knee of each run (a sweep's), better
 * higher, judged like throughput: a knee 20% lower is a regression even
 * when the peak IOPS is the same.
 */
static int add_knee(struct metric_set *s, json_t *r, json_t *nodes, const unsigned *sess,
		    unsigned nsess)
{
	double v = knee_load(r), med;
	size_t n = json_array_size(nodes), i;
	struct metric *m;

	if (isnan(v))
		return 0;
	m = metrics_add(s, "knee", "total", "load", MK_THROUGHPUT, BETTER_HIGHER, v);
	if (!m || set_runs(m, n ? n : 1))
		return -1;
	m->nsessions = nsess;
	for (i = 0; i < n; i++) {
		double x = knee_load(json_object_get(json_array_get(nodes, i), "results"));

		if (isnan(x))
			continue;
		m->session[m->nruns] = sess[i];
		m->runs[m->nruns++] = x;
	}
	if (!m->nruns) {
		m->runs[m->nruns++] = v;
		m->nsessions = 1;
	} else if (m->nruns > 1 && stats_median(m->runs, m->nruns, &med) == 0) {
		m->value = med;
	}
	return 0;
}

static int from_ours(json_t *doc, struct metric_set *s, char *err, size_t elen)
{
	json_t *r = json_object_get(doc, "results"), *a, *x, *nodes;
	unsigned *sess = NULL, nsess = 1;
	struct group_ref g = { G_ALL, 0, NULL };
	char group[METRIC_GROUP_MAX];
	size_t i, k;
	int rc = -1;

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
	nodes = history_run_nodes(doc);
	if (nodes)
		sess = node_sessions(nodes, &nsess);
	if (!nodes || !sess) {
		snprintf(err, elen, "out of memory");
		goto out;
	}
	s->nruns = json_array_size(nodes);
	s->nsessions = nsess;
	if (add_results(s, &g, "all", r, nodes, sess, nsess))
		goto oom;
	a = json_object_get(r, "streams");
	if (json_array_size(a) > 1)
		json_array_foreach(a, i, x) {
			g = (struct group_ref){ G_STREAM, 0,
				json_string_value(json_object_get(x, "name")) ?: "?" };
			snprintf(group, sizeof(group), "stream %s", g.name);
			if (add_results(s, &g, group, x, nodes, sess, nsess))
				goto oom;
		}
	json_array_foreach(json_object_get(r, "steps"), i, x) {
		g = (struct group_ref){ G_STEP, i, NULL };
		snprintf(group, sizeof(group), "step %zu", i + 1);
		if (add_results(s, &g, group, x, nodes, sess, nsess))
			goto oom;
	}
	json_array_foreach(json_object_get(r, "phases"), i, x) {
		g = (struct group_ref){ G_PHASE, i, NULL };
		snprintf(group, sizeof(group), "phase %zu", i + 1);
		if (add_results(s, &g, group, x, nodes, sess, nsess))
			goto oom;
	}
	/* A group per device, per host, per device of a host. */
	json_array_foreach(json_object_get(doc, "devices"), i, x) {
		g = (struct group_ref){ G_DEVICE, i, NULL };
		snprintf(group, sizeof(group), "device %zu", i + 1);
		if (add_results(s, &g, group, json_object_get(x, "results"), nodes, sess, nsess))
			goto oom;
	}
	json_array_foreach(json_object_get(doc, "hosts"), i, x) {
		const char *hn = json_string_value(json_object_get(x, "hostname")) ?: "?";
		json_t *d;

		g = (struct group_ref){ G_HOST, 0, hn };
		snprintf(group, sizeof(group), "host %s", hn);
		if (add_results(s, &g, group, json_object_get(x, "results"), nodes, sess, nsess))
			goto oom;
		json_array_foreach(json_object_get(x, "devices"), k, d) {
			g = (struct group_ref){ G_HOST_DEVICE, k, hn };
			snprintf(group, sizeof(group), "host %s device %zu", hn, k + 1);
			if (add_results(s, &g, group, json_object_get(d, "results"), nodes, sess,
					nsess))
				goto oom;
		}
	}
	if (add_reference(s, nodes, sess, nsess) || add_knee(s, r, nodes, sess, nsess))
		goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(err, elen, "out of memory");
out:
	free(sess);
	json_decref(nodes);
	return rc;
}

/*
 * A latency metric of a fio direction: the mean from clat_ns, percentiles
 * from the clat bins of json+ (the histogram, as ours), else from fio's
 * percentile list. false when fio wrote neither (clat_percentiles=0, or a
 * percentile not in its percentile_list).
 */
static bool fio_latency(json_t *clat, const struct hist *bins, size_t k, double *v)
{
	static const char *const pkeys[] = { NULL, "50.000000", "99.000000", "99.900000" };
	static const double pct[] = { 0, 50, 99, 99.9 };
	json_t *x;

	if (k == 0) {
		x = json_object_get(clat, "mean");
	} else if (bins) {
		*v = (double)hist_percentile(bins, pct[k]);
		return true;
	} else {
		x = json_object_get(json_object_get(clat, "percentile"), pkeys[k]);
	}
	*v = json_number_value(x);
	return json_is_number(x);
}

/*
 * fio --output-format=json or json+: one job, or one group with
 * group_reporting. With json+, the percentiles come from the clat bins.
 */
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
	s->nruns = s->nsessions = 1;
	snprintf(s->command, sizeof(s->command), "fio");
	s->fio_job = job;
	s->fio_global = json_object_get(doc, "global options");
	for (i = 0; i < 2; i++) {
		json_t *d = json_object_get(job, dirs[i]);
		json_t *clat = json_object_get(d, "clat_ns");
		double bw = json_object_get(d, "bw_bytes") ? num(d, "bw_bytes") : num(d, "bw") * 1024;
		char sub[256];
		struct hist h;
		int hr;

		if (!json_is_object(d) || num(d, "total_ios") <= 0)
			continue;
		hr = fio_clat_hist(d, &h, sub, sizeof(sub));
		if (hr < 0) {
			snprintf(err, elen, "is fio output whose jobs[0].%s.%s", dirs[i], sub);
			return -1;
		}
		for (k = 0; k < 2 + sizeof(lat_metrics) / sizeof(lat_metrics[0]); k++) {
			struct metric *m = NULL;
			double v;

			if (k == 0)
				m = metrics_add(s, "all", dirs[i], "iops", MK_THROUGHPUT,
						BETTER_HIGHER, num(d, "iops"));
			else if (k == 1)
				m = metrics_add(s, "all", dirs[i], "bw", MK_THROUGHPUT, BETTER_HIGHER,
						bw);
			else if (!fio_latency(clat, hr == 0 ? &h : NULL, k - 2, &v))
				continue;  /* not a zero latency: fio wrote none */
			else
				m = metrics_add(s, "all", dirs[i], lat_metrics[k - 2].name,
						lat_metrics[k - 2].kind, lat_metrics[k - 2].better, v);
			if (!m) {
				if (hr == 0)
					hist_free(&h);
				snprintf(err, elen, "out of memory");
				return -1;
			}
		}
		if (hr == 0)
			hist_free(&h);
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
	if (history_is(doc)) {
		/* A stored history: its newest run's shape, every run's figures. */
		out->owned = history_as_result(doc);
		if (!out->owned) {
			snprintf(err, elen, "out of memory");
			return -1;
		}
		doc = out->owned;
	}
	return from_ours(doc, out, err, elen) ? (metrics_free(out), -1) : 0;
}

void metrics_free(struct metric_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->m[i].runs);
		free(s->m[i].session);
	}
	free(s->m);
	json_decref(s->owned);
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
