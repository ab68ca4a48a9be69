#include "result/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result/result_json.h"
#include "util/timeutil.h"

/*
 * Parameters that do not change the workload. A rate cap is a throttle on
 * the same workload: capping a run is how a user (and the test suite)
 * checks that the gate trips. Repeats, references and slices change how
 * often and against what it is measured, not what.
 */
static const char *const not_workload[] = {
	"target", "scratch_dir", "force", "seed", "max_errors", "output", "output_format",
	"rate_iops", "timeout_s", "quiet", "baseline", "save_baseline", "baseline_dir",
	"repeat", "reference", "slice_s", "csv_rows", "targets", "start_at", NULL,
};

bool result_param_is_workload(const char *key)
{
	const char *const *p;

	for (p = not_workload; *p; p++)
		if (!strcmp(*p, key))
			return false;
	return true;
}

/*
 * rwmix_read shapes only the mixed modes (randrw, rw): between two runs that
 * each only read or only write it is no difference (a randread run and a
 * randread baseline made with another --rwmix-read are the same workload).
 * A difference in rw itself still is one.
 */
static bool param_moot(const char *key, json_t *pa, json_t *pb)
{
	const char *ra = json_string_value(json_object_get(pa, "rw"));
	const char *rb = json_string_value(json_object_get(pb, "rw"));

	return strcmp(key, "rwmix_read") == 0 && ra && rb && strcmp(ra, "randrw") &&
	       strcmp(ra, "rw") && strcmp(rb, "randrw") && strcmp(rb, "rw");
}

bool result_param_matters(const char *key, json_t *pa, json_t *pb)
{
	return result_param_is_workload(key) && !param_moot(key, pa, pb);
}

int result_same_workload_as(json_t *a, json_t *b, const char *la, const char *lb, char *why,
			    size_t len)
{
	const char *ca = json_string_value(json_object_get(a, "command"));
	const char *cb = json_string_value(json_object_get(b, "command"));
	json_t *pa = json_object_get(a, "params"), *pb = json_object_get(b, "params"), *v;
	const char *key;

	if (!ca || !cb || strcmp(ca, cb)) {
		snprintf(why, len, "command: %s %s, %s %s", la, ca ? ca : "(unset)", lb,
			 cb ? cb : "(unset)");
		return -1;
	}
	json_object_foreach(pa, key, v)
		if (result_param_matters(key, pa, pb) && !json_equal(v, json_object_get(pb, key))) {
			char *x = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			char *y = json_dumps(json_object_get(pb, key), JSON_ENCODE_ANY | JSON_COMPACT);

			snprintf(why, len, "%s: %s %s, %s %s", key, la, x ? x : "?", lb,
				 y ? y : "(unset)");
			free(x);
			free(y);
			return -1;
		}
	json_object_foreach(pb, key, v)
		if (result_param_matters(key, pa, pb) && !json_object_get(pa, key)) {
			snprintf(why, len, "%s: %s (unset), %s set", key, la, lb);
			return -1;
		}
	return 0;
}

int result_may_join(json_t *stored, const char *command, json_t *params, char *why,
		    size_t len)
{
	const char *sc = json_string_value(json_object_get(stored, "command"));
	json_t *sp = json_object_get(stored, "params"), *v;
	const char *key;

	if (json_object_get(stored, "fio version"))
		return 0;  /* stored as it is: replaced, not joined */
	if (!sc || strcmp(sc, command)) {
		snprintf(why, len, "command: baseline %s, run %s", sc ? sc : "(unset)", command);
		return -1;
	}
	json_object_foreach(params, key, v) {
		json_t *w = json_object_get(sp, key);

		if (result_param_matters(key, sp, params) && w && !json_equal(v, w)) {
			char *x = json_dumps(w, JSON_ENCODE_ANY | JSON_COMPACT);
			char *y = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

			snprintf(why, len, "%s: baseline %s, run %s", key, x ? x : "?", y ? y : "?");
			free(x);
			free(y);
			return -1;
		}
	}
	return 0;
}

int result_same_workload(json_t *a, json_t *b, char *why, size_t len)
{
	return result_same_workload_as(a, b, "baseline", "run", why, len);
}

bool history_is(json_t *doc)
{
	const char *kind = json_string_value(json_object_get(doc, "kind"));

	return kind && strcmp(kind, "baseline") == 0 && json_is_array(json_object_get(doc, "runs"));
}

/* The pairs of run `index` of a document's interleaved reference (all of them: index < 0). */
static json_t *pairs_of(json_t *doc, json_int_t index)
{
	json_t *all = json_object_get(json_object_get(doc, "reference"), "pairs_detail");
	json_t *out, *p;
	size_t i;

	if (!json_is_array(all))
		return NULL;
	out = json_array();
	json_array_foreach(all, i, p)
		if (index < 0 || json_integer_value(json_object_get(p, "run")) == index)
			json_array_append(out, p);
	return out;
}

/* Devices or hosts of a run, without their interval series (a host's devices' too). */
static json_t *parts_copy(json_t *arr)
{
	json_t *c = json_deep_copy(arr), *x, *d;
	size_t i, k;

	json_array_foreach(c, i, x) {
		json_object_del(json_object_get(x, "results"), "intervals");
		json_object_del(x, "runs");
		json_array_foreach(json_object_get(x, "devices"), k, d)
			json_object_del(json_object_get(d, "results"), "intervals");
	}
	return c;
}

/*
 * A run node: results without the interval series, the run's devices or
 * hosts (their results, for per-device and per-host comparisons), and
 * what else the run had.
 */
static json_t *node(json_t *run, json_t *results, json_t *start_ns, json_t *env, json_t *pairs)
{
	json_t *n = json_object(), *r = json_deep_copy(results);
	static const char *const parts[] = { "devices", "hosts" };
	size_t k;

	if (!n || !r) {
		json_decref(n);
		json_decref(r);
		json_decref(pairs);
		return NULL;
	}
	json_object_del(r, "intervals");
	json_object_set_new(n, "results", r);
	if (json_is_integer(start_ns))
		json_object_set(n, "start_time_ns", start_ns);
	if (json_is_object(env))
		json_object_set(n, "environment", env);
	if (pairs)
		json_object_set_new(n, "reference_pairs", pairs);
	for (k = 0; k < 2; k++)
		if (json_is_array(json_object_get(run, parts[k])))
			json_object_set_new(n, parts[k], parts_copy(json_object_get(run, parts[k])));
	return n;
}

json_t *history_run_nodes(json_t *doc)
{
	json_t *runs = json_object_get(doc, "runs"), *out = json_array(), *r;
	json_t *env = json_object_get(doc, "environment");
	size_t i;

	if (!out)
		return NULL;
	if (history_is(doc)) {
		json_array_foreach(runs, i, r)
			json_array_append(out, r);
		return out;
	}
	if (json_is_array(runs) && json_array_size(runs)) {
		json_array_foreach(runs, i, r) {
			json_t *pairs = json_object_get(r, "reference_pairs");
			json_t *n = node(r, json_object_get(r, "results"),
					 json_object_get(r, "start_time_ns"),
					 json_object_get(r, "environment") ?: env,
					 pairs ? json_incref(pairs) :
					 pairs_of(doc, json_integer_value(json_object_get(r, "index"))));

			/* A history read as a result keeps its runs' sessions. */
			if (n && json_object_get(r, "session"))
				json_object_set(n, "session", json_object_get(r, "session"));
			if (n && json_object_get(r, "saved_at"))
				json_object_set(n, "saved_at", json_object_get(r, "saved_at"));
			if (!n || json_array_append_new(out, n)) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	if (json_is_object(json_object_get(doc, "results"))) {
		json_t *n = node(doc, json_object_get(doc, "results"),
				 json_object_get(env, "start_time_ns"), env, pairs_of(doc, -1));

		if (!n || json_array_append_new(out, n)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

json_t *history_append(json_t *old, json_t *result, const char *name, unsigned keep,
		       char *err, size_t elen)
{
	json_t *runs = old ? history_run_nodes(old) : json_array();
	json_t *add = history_run_nodes(result), *r, *h;
	char saved[32], why[256];
	uint64_t session;
	size_t i;

	if (!runs || !add) {
		json_decref(runs);
		json_decref(add);
		snprintf(err, elen, "out of memory");
		return NULL;
	}
	if (old && result_same_workload(old, result, why, sizeof(why))) {
		snprintf(err, elen, "it holds runs of another workload (%s); another name, or "
			 "'baseline delete %s' first", why, name);
		json_decref(runs);
		json_decref(add);
		return NULL;
	}
	if (!keep)
		keep = history_is(old) && json_integer_value(json_object_get(old, "keep")) > 0 ?
			(unsigned)json_integer_value(json_object_get(old, "keep")) :
			HISTORY_KEEP_DEFAULT;
	iso8601_now(saved, sizeof(saved));
	session = wall_clock_ns();
	json_array_foreach(add, i, r) {
		json_object_set_new(r, "saved_at", json_string(saved));
		/* The runs saved together: one session of the history. */
		json_object_set_new(r, "session", json_integer((json_int_t)session));
		json_array_append(runs, r);
	}
	json_decref(add);
	while (keep && json_array_size(runs) > keep)
		json_array_remove(runs, 0);
	h = json_pack("{s:i, s:s, s:s, s:s, s:s, s:I, s:O*, s:O*, s:O*, s:O*, s:o}",
		      "schema_version", RESULT_SCHEMA_VERSION,
		      "tool", "dmremap-bench",
		      "version", PACKAGE_VERSION,
		      "kind", "baseline",
		      "name", name,
		      "keep", (json_int_t)keep,
		      "command", json_object_get(result, "command"),
		      "params", json_object_get(result, "params"),
		      "target", json_object_get(result, "target"),
		      "environment", json_object_get(result, "environment"),
		      "runs", runs);
	if (!h)
		snprintf(err, elen, "out of memory");
	return h;
}

json_t *history_as_result(json_t *doc)
{
	json_t *runs, *last, *out, *r;
	size_t i;

	if (!history_is(doc))
		return json_incref(doc);
	runs = json_object_get(doc, "runs");
	last = json_array_get(runs, json_array_size(runs) - 1);
	out = json_pack("{s:i, s:s, s:O*, s:O*, s:O*, s:O*, s:O*, s:s*, s:b}",
			"schema_version", RESULT_SCHEMA_VERSION,
			"tool", "dmremap-bench",
			"version", json_object_get(doc, "version"),
			"command", json_object_get(doc, "command"),
			"params", json_object_get(doc, "params"),
			"target", json_object_get(doc, "target"),
			"environment", json_object_get(doc, "environment"),
			"baseline_name", json_string_value(json_object_get(doc, "name")),
			"complete", 1);
	if (!out)
		return NULL;
	json_object_set(out, "results", json_object_get(last, "results") ?: json_object());
	/* The newest run's devices or hosts: the groups a comparison makes. */
	if (json_object_get(last, "devices"))
		json_object_set(out, "devices", json_object_get(last, "devices"));
	if (json_object_get(last, "hosts"))
		json_object_set(out, "hosts", json_object_get(last, "hosts"));
	json_object_set_new(out, "runs", json_array());
	json_array_foreach(runs, i, r) {
		json_t *n = json_deep_copy(r);

		json_object_set_new(n, "index", json_integer((json_int_t)i));
		json_array_append_new(json_object_get(out, "runs"), n);
	}
	return out;
}
