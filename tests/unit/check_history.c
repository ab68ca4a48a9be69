/*
 * The runs of a document and the baseline history (src/result/history.c):
 * one run from a schema 1 result, one per element of "runs" with the pairs
 * of each run's reference slices, and a history that appends, keeps the
 * last N and reads back the same.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "result/history.h"

/* A schema 2 result of n runs; run i has IOPS 1000 + i and, with pairs, two pairs each. */
static json_t *result_doc(int n, bool pairs)
{
	json_t *doc = json_pack("{s:i, s:s, s:s, s:{s:s, s:i}, s:{s:s}, s:{s:s, s:I}, "
				"s:{s:{s:f}, s:[]}}",
				"schema_version", 2, "tool", "dmremap-bench", "command", "concurrency",
				"params", "rw", "randread", "ops", 32,
				"target", "path", "/dev/loop7",
				"environment", "kernel", "6.1", "start_time_ns", (json_int_t)5,
				"results", "total", "iops", 999.0, "intervals");
	json_t *runs = json_array(), *pd = json_array();
	int i;

	for (i = 0; i < n; i++) {
		json_array_append_new(runs, json_pack("{s:i, s:I, s:{s:{s:f}, s:[i]}}", "index", i,
						      "start_time_ns", (json_int_t)(100 + i),
						      "results", "total", "iops", 1000.0 + i,
						      "intervals", 1));
		if (pairs) {
			json_array_append_new(pd, json_pack("{s:i, s:i}", "run", i, "i", 0));
			json_array_append_new(pd, json_pack("{s:i, s:i}", "run", i, "i", 1));
		}
	}
	if (n > 1)
		json_object_set_new(doc, "runs", runs);
	else
		json_decref(runs);
	if (pairs)
		json_object_set_new(doc, "reference", json_pack("{s:o}", "pairs_detail", pd));
	else
		json_decref(pd);
	return doc;
}

static double node_iops(json_t *nodes, size_t i)
{
	return json_number_value(json_object_get(json_object_get(json_object_get(
		json_array_get(nodes, i), "results"), "total"), "iops"));
}

START_TEST(single_run)
{
	json_t *doc = result_doc(1, false), *nodes = history_run_nodes(doc);

	ck_assert_uint_eq(json_array_size(nodes), 1);
	ck_assert_double_eq(node_iops(nodes, 0), 999.0);
	/* No interval series in a run node; the environment goes with it. */
	ck_assert_ptr_null(json_object_get(json_object_get(json_array_get(nodes, 0), "results"),
					   "intervals"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
		json_array_get(nodes, 0), "environment"), "kernel")), "6.1");
	ck_assert(!history_is(doc));
	json_decref(nodes);
	json_decref(doc);
}
END_TEST

START_TEST(runs_with_pairs)
{
	json_t *doc = result_doc(3, true), *nodes = history_run_nodes(doc);
	size_t i;

	ck_assert_uint_eq(json_array_size(nodes), 3);
	for (i = 0; i < 3; i++) {
		json_t *p = json_object_get(json_array_get(nodes, i), "reference_pairs");

		ck_assert_double_eq(node_iops(nodes, i), 1000.0 + (double)i);
		ck_assert_uint_eq(json_array_size(p), 2);
		ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(p, 1), "run")),
				 (json_int_t)i);
	}
	json_decref(nodes);
	json_decref(doc);
}
END_TEST

START_TEST(append_keeps_last)
{
	json_t *h = NULL, *nodes, *as;
	char err[128];
	int k;

	/* Four saves of three runs each, keeping 5: the last five runs remain. */
	for (k = 0; k < 4; k++) {
		json_t *doc = result_doc(3, false), *next;

		next = history_append(h, doc, "rr32", 5, err, sizeof(err));
		ck_assert_msg(next != NULL, "%s", err);
		json_decref(h);
		json_decref(doc);
		h = next;
	}
	ck_assert(history_is(h));
	ck_assert_str_eq(json_string_value(json_object_get(h, "name")), "rr32");
	ck_assert_str_eq(json_string_value(json_object_get(h, "command")), "concurrency");
	nodes = history_run_nodes(h);
	ck_assert_uint_eq(json_array_size(nodes), 5);
	/* Oldest first: ..., 1001, 1002 | 1000, 1001, 1002 */
	ck_assert_double_eq(node_iops(nodes, 0), 1001.0);
	ck_assert_double_eq(node_iops(nodes, 4), 1002.0);
	ck_assert_ptr_nonnull(json_object_get(json_array_get(nodes, 4), "saved_at"));
	json_decref(nodes);
	/* Read back as a result: params of the workload, every run, indexed. */
	as = history_as_result(h);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(as, "params"), "rw")),
			 "randread");
	ck_assert_uint_eq(json_array_size(json_object_get(as, "runs")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
		json_object_get(as, "runs"), 4), "index")), 4);
	json_decref(as);
	json_decref(h);
}
END_TEST

/* An old single-result baseline becomes the first run of the history. */
START_TEST(append_to_schema1)
{
	json_t *old = json_pack("{s:i, s:s, s:s, s:{s:s, s:i}, s:{s:{s:f}}}", "schema_version", 1,
				"tool", "dmremap-bench", "command", "concurrency",
				"params", "rw", "randread", "ops", 32,
				"results", "total", "iops", 500.0);
	json_t *doc = result_doc(2, false), *h, *nodes;
	char err[128];

	h = history_append(old, doc, "old", 20, err, sizeof(err));
	ck_assert_ptr_nonnull(h);
	nodes = history_run_nodes(h);
	ck_assert_uint_eq(json_array_size(nodes), 3);
	ck_assert_double_eq(node_iops(nodes, 0), 500.0);
	ck_assert_double_eq(node_iops(nodes, 2), 1001.0);
	json_decref(nodes);
	json_decref(h);
	json_decref(doc);
	json_decref(old);
}
END_TEST

/* Runs of another workload are refused, naming the difference; seeds and targets are not the workload. */
START_TEST(append_other_workload)
{
	json_t *a = result_doc(2, false), *b = result_doc(2, false), *h, *h2;
	char err[256];

	h = history_append(NULL, a, "x", 20, err, sizeof(err));
	ck_assert_ptr_nonnull(h);
	json_object_set_new(json_object_get(b, "params"), "seed", json_integer(99));
	json_object_set_new(json_object_get(b, "params"), "repeat", json_integer(5));
	h2 = history_append(h, b, "x", 20, err, sizeof(err));
	ck_assert_msg(h2 != NULL, "%s", err);
	json_decref(h2);
	json_object_set_new(json_object_get(b, "params"), "rw", json_string("randwrite"));
	ck_assert_ptr_null(history_append(h, b, "x", 20, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "rw: baseline \"randread\", run \"randwrite\""));
	json_decref(h);
	json_decref(a);
	json_decref(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("history");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, single_run);
	tcase_add_test(tc, runs_with_pairs);
	tcase_add_test(tc, append_keeps_last);
	tcase_add_test(tc, append_to_schema1);
	tcase_add_test(tc, append_other_workload);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
