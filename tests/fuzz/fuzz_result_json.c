/*
 * The result and baseline loader path: bytes -> json_loadb ->
 * metrics_from_doc, and for two documents compare_docs, comparison_json
 * and comparison_print, as "dmremap-bench compare" and --baseline do.
 *
 * Input: one document, or two separated by a NUL byte (which never occurs
 * in JSON text): baseline first, then the run. Each document is also
 * compared with itself, which must find no regression, and with a copy of
 * itself whose "rw" parameter differs, which must be refused.
 *
 * fuzz_fio_json.c builds this same file with a corpus of fio output.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "compare/metrics.h"

static void check(int cond)
{
	if (!cond)
		__builtin_trap();
}

static json_t *load(const uint8_t *data, size_t size)
{
	json_error_t je;

	return json_loadb((const char *)data, size, JSON_DECODE_ANY, &je);
}

/* The loader alone: any message is NUL-terminated, every metric well formed. */
static void metrics_only(json_t *doc)
{
	struct metric_set s;
	char err[256];
	size_t i;

	memset(err, 'x', sizeof(err));
	if (metrics_from_doc(doc, &s, err, sizeof(err))) {
		check(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
		check(s.n == 0 && s.m == NULL);
		return;
	}
	check(s.source != NULL);
	for (i = 0; i < s.n; i++) {
		const struct metric *m = &s.m[i];

		check(memchr(m->group, '\0', sizeof(m->group)) != NULL);
		check(memchr(m->dir, '\0', sizeof(m->dir)) != NULL);
		check(memchr(m->name, '\0', sizeof(m->name)) != NULL);
		check(m->nruns == 0 || m->runs != NULL);
		check(metrics_find(&s, m->group, m->dir, m->name) != NULL);
	}
	metrics_free(&s);
}

static void compare_pair(json_t *base, json_t *run, bool allow_mismatch, FILE *sink)
{
	struct compare_cfg cfg;
	struct comparison c;
	char err[512];
	json_t *j;
	char *text;

	compare_cfg_defaults(&cfg);
	cfg.allow_mismatch = allow_mismatch;
	if (compare_docs(base, run, "fuzz-baseline", &cfg, &c, err, sizeof(err))) {
		check(memchr(err, '\0', sizeof(err)) != NULL);
		return;
	}
	check(c.nrows <= c.base.n);
	/* A document matches itself and cannot regress against itself. */
	if (base == run)
		check(!c.refused && c.regressions == 0 && c.improvements == 0);
	j = comparison_json(&c);
	check(j != NULL);
	/* Every compared metric is in the report. */
	check(json_array_size(json_object_get(j, "metrics")) == c.nrows);
	text = json_dumps(j, JSON_COMPACT);
	check(text != NULL);
	free(text);
	json_decref(j);
	comparison_print(sink, &c);
	check(comparison_exit_status(&c) >= 0);
	comparison_free(&c);
}

/* A run whose workload differs (another --rw) is never compared silently. */
static void differing_params_refused(json_t *doc)
{
	json_t *params = json_object_get(doc, "params"), *copy;
	const char *old = json_string_value(json_object_get(params, "rw"));
	struct compare_cfg cfg;
	struct comparison c;
	char err[512], *rw;
	size_t len = old ? strlen(old) : 0;

	if (!json_is_object(params))
		return;
	rw = malloc(len + 2);
	check(rw != NULL);
	memcpy(rw, old ? old : "", len);
	memcpy(rw + len, "x", 2);
	copy = json_deep_copy(doc);
	check(copy != NULL);
	check(json_object_set_new(json_object_get(copy, "params"), "rw", json_string(rw)) == 0);
	compare_cfg_defaults(&cfg);
	if (compare_docs(doc, copy, "fuzz-baseline", &cfg, &c, err, sizeof(err)) == 0) {
		/* fio output has no workload parameters to compare. */
		if (strcmp(c.base.source, "dmremap-bench") == 0)
			check(c.refused && json_array_size(c.mismatches) > 0);
		comparison_free(&c);
	}
	json_decref(copy);
	free(rw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t first = nul ? (size_t)(nul - data) : size;
	json_t *a = load(data, first), *b = NULL;
	FILE *sink;

	if (nul)
		b = load(nul + 1, size - first - 1);
	sink = fopen("/dev/null", "w");
	check(sink != NULL);
	if (a) {
		metrics_only(a);
		compare_pair(a, a, false, sink);
		differing_params_refused(a);
	}
	if (b) {
		metrics_only(b);
		differing_params_refused(b);
	}
	if (a && b) {
		compare_pair(a, b, false, sink);
		compare_pair(b, a, true, sink);
	}
	fclose(sink);
	json_decref(a);
	json_decref(b);
	return 0;
}
