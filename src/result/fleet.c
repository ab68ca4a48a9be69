#include "result/fleet.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result/history.h"
#include "result/merge.h"
#include "result/outliers.h"
#include "result/result_json.h"
#include "util/timeutil.h"

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static uint64_t count(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

/* ---- the fleet document --------------------------------------------------- */

bool merge_is_fleet(json_t *doc)
{
	const char *kind = json_string_value(json_object_get(doc, "kind"));

	return kind && !strcmp(kind, "fleet") && json_is_array(json_object_get(doc, "hosts"));
}

/* One host of the fleet: a node, its document (for params), where it came from. */
struct host {
	json_t *node;               /* hostname, source, environment, target|devices, results */
	json_t *doc;                /* the document that holds its params */
	json_t *runs;               /* its runs (borrowed), or NULL */
	const char *source;
};

static bool name_ok(const char *s)
{
	size_t i;

	if (!*s || strlen(s) > 128)
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr(".-_:", s[i])))
			return false;
	return true;
}

/* The node of a host from its own result document. */
static json_t *host_node(const struct merge_input *in)
{
	json_t *doc = in->doc, *env = json_object_get(doc, "environment");
	const char *name = in->name ? in->name : json_string_value(json_object_get(env, "hostname"));
	json_t *n = json_pack("{s:s, s:s}", "hostname", name ? name : "", "source", in->source);
	json_t *sa = json_object_get(doc, "start_at");

	if (!n)
		return NULL;
	if (json_is_object(env))
		json_object_set(n, "environment", env);
	if (json_is_integer(json_object_get(sa, "started_ns")))
		json_object_set(n, "start_time_ns", json_object_get(sa, "started_ns"));
	else if (json_is_integer(json_object_get(json_array_get(json_object_get(doc, "runs"), 0),
						 "start_time_ns")))
		json_object_set(n, "start_time_ns", json_object_get(json_array_get(
			json_object_get(doc, "runs"), 0), "start_time_ns"));
	else if (json_is_integer(json_object_get(env, "start_time_ns")))
		json_object_set(n, "start_time_ns", json_object_get(env, "start_time_ns"));
	if (json_is_object(sa)) {
		json_object_set(n, "start_at", sa);
		if (json_is_integer(json_object_get(sa, "offset_ns")))
			json_object_set(n, "start_offset_ns", json_object_get(sa, "offset_ns"));
	}
	if (json_object_get(doc, "target"))
		json_object_set(n, "target", json_object_get(doc, "target"));
	if (json_object_get(doc, "devices"))
		json_object_set(n, "devices", json_object_get(doc, "devices"));
	if (json_object_get(json_object_get(doc, "outliers"), "devices"))
		json_object_set_new(n, "outliers", json_pack("{s:O}", "devices", json_object_get(
			json_object_get(doc, "outliers"), "devices")));
	json_object_set(n, "results", json_object_get(doc, "results"));
	json_object_set(n, "interrupted", json_object_get(doc, "interrupted") ?: json_false());
	return n;
}

/* Every input's hosts (a fleet gives its own), with the checks of what can be merged. */
static int collect_hosts(const struct merge_input *in, size_t n, struct host **out, size_t *nh,
			 char *err, size_t elen)
{
	struct host *h = NULL;
	size_t cap = 0, i, k;
	json_t *x;

	*nh = 0;
	for (i = 0; i < n; i++) {
		json_t *doc = in[i].doc;
		const char *tool = json_string_value(json_object_get(doc, "tool"));
		const char *kind = json_string_value(json_object_get(doc, "kind"));
		size_t add = merge_is_fleet(doc) ? json_array_size(json_object_get(doc, "hosts")) : 1;

		if (!tool || strcmp(tool, "dmremap-bench")) {
			snprintf(err, elen, "%s is not a dmremap-bench result (merge adds dmremap-bench "
				 "results; fio output has no histograms to add)", in[i].source);
			goto refused;
		}
		if (kind && !merge_is_fleet(doc)) {
			snprintf(err, elen, "%s is a %s, not a result (merge adds the results of runs)",
				 in[i].source, kind);
			goto refused;
		}
		if (json_is_false(json_object_get(doc, "complete"))) {
			snprintf(err, elen, "%s is an incomplete result (the run did not finish)",
				 in[i].source);
			goto refused;
		}
		if (!json_is_object(json_object_get(json_object_get(doc, "results"), "total"))) {
			snprintf(err, elen, "%s has no results to merge", in[i].source);
			goto refused;
		}
		if (in[i].name && merge_is_fleet(doc)) {
			snprintf(err, elen, "%s=%s: a fleet keeps its hosts' names (allowed: NAME= "
				 "before a host's result only)", in[i].name, in[i].source);
			goto refused;
		}
		if (*nh + add > cap) {
			struct host *m;

			cap = (*nh + add) * 2;
			m = realloc(h, cap * sizeof(*h));
			if (!m)
				goto nomem;
			h = m;
		}
		if (merge_is_fleet(doc)) {
			json_array_foreach(json_object_get(doc, "hosts"), k, x) {
				h[*nh] = (struct host){ .node = json_deep_copy(x), .doc = doc,
							.source = in[i].source };
				if (!h[*nh].node)
					goto nomem;
				json_object_del(h[*nh].node, "runs");
				h[*nh].runs = NULL;
				(*nh)++;
			}
			continue;
		}
		h[*nh] = (struct host){ .node = host_node(&in[i]), .doc = doc,
					.runs = json_object_get(doc, "runs"),
					.source = in[i].source };
		if (!h[*nh].node)
			goto nomem;
		(*nh)++;
	}
	/* A host named twice would be two rows of one machine. */
	for (i = 0; i < *nh; i++) {
		const char *a = json_string_value(json_object_get(h[i].node, "hostname"));

		if (!a || !name_ok(a)) {
			snprintf(err, elen, "%s: the host name '%s' is empty or not a name (allowed: "
				 "letters, digits, '.', '-', '_', ':'; give one as NAME=FILE)",
				 h[i].source, a ? a : "");
			goto refused_h;
		}
		for (k = 0; k < i; k++)
			if (!strcmp(a, json_string_value(json_object_get(h[k].node, "hostname")))) {
				snprintf(err, elen, "%s and %s are both from host %s (allowed: one result "
					 "per host; name them NAME=FILE)", h[k].source, h[i].source, a);
				goto refused_h;
			}
	}
	*out = h;
	return MERGE_OK;
nomem:
	snprintf(err, elen, "out of memory");
	for (k = 0; k < *nh; k++)
		json_decref(h[k].node);
	free(h);
	return MERGE_NOMEM;
refused:
refused_h:
	for (k = 0; k < *nh; k++)
		json_decref(h[k].node);
	free(h);
	return MERGE_REFUSED;
}

/* "rw: baseline randread, run randwrite" from result_same_workload, said for two inputs. */
static int same_workload(const struct host *a, const struct host *b, char *why, size_t len)
{
	char w[768];

	if (a->doc == b->doc ||
	    !result_same_workload_as(a->doc, b->doc, a->source, b->source, w, sizeof(w)))
		return 0;
	snprintf(why, len, "%s and %s measured different workloads (%s; --allow-mismatch merges "
		 "them anyway)", a->source, b->source, w);
	return -1;
}

/* runs[] of the fleet: run i the merge of every host's run i, when all have as many. */
static json_t *fleet_runs(struct host *h, size_t nh, double interval_s, char *err, size_t elen)
{
	size_t nr = json_array_size(h[0].runs), i, k;
	json_t *runs, **res;

	if (nr < 2)
		return NULL;
	for (k = 1; k < nh; k++)
		if (json_array_size(h[k].runs) != nr)
			return NULL;
	runs = json_array();
	res = calloc(nh, sizeof(*res));
	if (!runs || !res) {
		free(res);
		json_decref(runs);
		return NULL;
	}
	for (i = 0; i < nr; i++) {
		json_t *hosts = json_array(), *m, *node;
		uint64_t start = UINT64_MAX;

		for (k = 0; k < nh; k++) {
			json_t *r = json_array_get(h[k].runs, i);
			json_t *hn = json_pack("{s:O, s:O}", "hostname",
					       json_object_get(h[k].node, "hostname"), "results",
					       json_object_get(r, "results"));

			if (json_object_get(r, "devices"))
				json_object_set(hn, "devices", json_object_get(r, "devices"));
			json_array_append_new(hosts, hn);
			res[k] = json_object_get(r, "results");
			if (count(r, "start_time_ns") && count(r, "start_time_ns") < start)
				start = count(r, "start_time_ns");
		}
		m = results_merge(res, nh, interval_s, err, elen);
		if (!m) {
			json_decref(hosts);
			json_decref(runs);
			free(res);
			return NULL;
		}
		json_object_del(m, "intervals");
		node = json_pack("{s:I, s:o, s:o}", "index", (json_int_t)i, "results", m, "hosts",
				 hosts);
		if (start != UINT64_MAX)
			json_object_set_new(node, "start_time_ns", json_integer((json_int_t)start));
		json_array_append_new(runs, node);
	}
	free(res);
	/* The hosts' own runs are in the fleet's now. */
	for (k = 0; k < nh; k++)
		json_object_del(h[k].node, "runs");
	return runs;
}

/* The outliers among the hosts, and among every device of the fleet. */
static json_t *fleet_outliers(json_t *hosts)
{
	size_t nh = json_array_size(hosts), i, k, nd = 0;
	json_t *out = outliers_json(), *devs = json_array(), *h, *d;
	const char **hn = calloc(nh ? nh : 1, sizeof(*hn)), **dn = NULL;
	char (*buf)[320] = NULL;

	if (!out || !devs || !hn)
		goto done;
	json_array_foreach(hosts, i, h) {
		hn[i] = json_string_value(json_object_get(h, "hostname"));
		if (json_array_size(json_object_get(h, "devices")))
			json_array_foreach(json_object_get(h, "devices"), k, d)
				json_array_append(devs, d);
		else
			json_array_append(devs, h);  /* a host of one device */
	}
	nd = json_array_size(devs);
	dn = calloc(nd ? nd : 1, sizeof(*dn));
	buf = calloc(nd ? nd : 1, sizeof(*buf));
	if (!dn || !buf)
		goto done;
	nd = 0;
	json_array_foreach(hosts, i, h) {
		json_t *t = json_object_get(h, "target");

		if (json_array_size(json_object_get(h, "devices")))
			json_array_foreach(json_object_get(h, "devices"), k, d) {
				snprintf(buf[nd], sizeof(buf[nd]), "%s device %zu (%s)", hn[i], k + 1,
					 json_string_value(json_object_get(json_object_get(d, "target"),
									   "path")) ?: "?");
				dn[nd] = buf[nd];
				nd++;
			}
		else {
			snprintf(buf[nd], sizeof(buf[nd]), "%s (%s)", hn[i],
				 json_string_value(json_object_get(t, "path")) ?: "?");
			dn[nd] = buf[nd];
			nd++;
		}
	}
	json_object_set_new(out, "hosts", outliers_group_json(hosts, hn));
	json_object_set_new(out, "devices", outliers_group_json(devs, dn));
done:
	free(hn);
	free(dn);
	free(buf);
	json_decref(devs);
	return out;
}

int merge_fleet(const struct merge_input *in, size_t n, const struct merge_opts *o,
		json_t **out, char *err, size_t elen)
{
	struct host *h = NULL;
	size_t nh = 0, i;
	json_t *hosts = NULL, *mism = json_array(), **res = NULL, *merged, *doc, *runs;
	double interval_s;
	uint64_t first = UINT64_MAX, last = 0;
	bool interrupted = false;
	char why[1024], stamp[32];
	int rc;

	*out = NULL;
	rc = collect_hosts(in, n, &h, &nh, err, elen);
	if (rc) {
		json_decref(mism);
		return rc;
	}
	rc = MERGE_NOMEM;
	for (i = 1; i < nh; i++)
		if (same_workload(&h[0], &h[i], why, sizeof(why))) {
			if (!o->allow_mismatch) {
				snprintf(err, elen, "%s", why);
				rc = MERGE_REFUSED;
				goto out;
			}
			json_array_append_new(mism, json_string(why));
		}
	interval_s = num(json_object_get(h[0].doc, "params"), "interval_s");
	res = calloc(nh, sizeof(*res));
	hosts = json_array();
	if (!res || !hosts)
		goto nomem;
	for (i = 0; i < nh; i++) {
		uint64_t t = count(h[i].node, "start_time_ns");

		res[i] = json_object_get(h[i].node, "results");
		interrupted |= json_is_true(json_object_get(h[i].node, "interrupted"));
		if (t && t < first)
			first = t;
		if (t > last)
			last = t;
	}
	merged = results_merge(res, nh, interval_s, err, elen);
	if (!merged) {
		rc = MERGE_REFUSED;
		goto out;
	}
	runs = fleet_runs(h, nh, interval_s, err, elen);
	for (i = 0; i < nh; i++) {
		if (h[i].runs && !runs)
			json_object_set(h[i].node, "runs", h[i].runs);
		json_array_append(hosts, h[i].node);
	}
	iso8601_now(stamp, sizeof(stamp));
	doc = json_pack("{s:i, s:s, s:s, s:s, s:O*, s:O*, s:{s:s, s:I, s:I}, s:b, s:b, s:o, s:O}",
			"schema_version", RESULT_SCHEMA_VERSION,
			"tool", "dmremap-bench",
			"version", PACKAGE_VERSION,
			"kind", "fleet",
			"command", json_object_get(h[0].doc, "command"),
			"params", json_object_get(h[0].doc, "params"),
			"environment", "merged_at", stamp,
			"merged_at_ns", (json_int_t)wall_clock_ns(),
			"hosts", (json_int_t)nh,
			"complete", 1,
			"interrupted", interrupted,
			"results", merged,
			"hosts", hosts);
	if (!doc) {
		json_decref(runs);
		goto nomem;
	}
	if (first != UINT64_MAX)
		json_object_set_new(doc, "start", json_pack("{s:I, s:I, s:I}", "first_ns",
			(json_int_t)first, "last_ns", (json_int_t)last, "spread_ns",
			(json_int_t)(last - first)));
	if (runs)
		json_object_set_new(doc, "runs", runs);
	/* The first host's devices are no fleet's: each host's are in its node. */
	{
		json_t *p = json_deep_copy(json_object_get(doc, "params"));
		static const char *const own[] = { "target", "targets", "mains", "spares",
						   "start_at", "output_format", NULL };
		const char *const *k;

		for (k = own; p && *k; k++)
			json_object_del(p, *k);
		if (p)
			json_object_set_new(doc, "params", p);
	}
	json_object_set_new(doc, "outliers", fleet_outliers(hosts));
	if (json_array_size(mism))
		json_object_set(doc, "workload_mismatches", mism);
	*out = doc;
	rc = MERGE_OK;
	goto out;
nomem:
	snprintf(err, elen, "out of memory");
	rc = MERGE_NOMEM;
out:
	for (i = 0; i < nh; i++)
		json_decref(h[i].node);
	free(h);
	free(res);
	json_decref(hosts);
	json_decref(mism);
	return rc;
}
