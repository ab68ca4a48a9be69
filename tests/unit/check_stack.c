/*
 * The pure parts of dm/stack.c: the spare minimum, table lines, and the
 * status records of dm-remap-v4 (parsed fields and counter deltas) that
 * the results carry. No device-mapper needed (module parameters are read
 * from sysfs when dm_remap is loaded; here it is not).
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm/stack.h"

#define BEFORE "0 131072 dm-remap-v4 v4.0-phase1.4 /dev/ram0 /dev/ram1 0 0 0 0 0 0 0 0 0 512 " \
	       "131072 0 0 0 0 0 0 0 0 0 100 0 0 operational real"
#define AFTER "0 131072 dm-remap-v4 v4.0-phase1.4 /dev/ram0 /dev/ram1 100 40 2 0 15 140 0 0 0 " \
	      "512 131072 140 138 2 2 0 0 0 0 0 100 0 0 operational real"

START_TEST(min_spare_defaults)
{
	char how[96];
	uint64_t m;

	if (access("/sys/module/dm_remap", F_OK) == 0)
		return;  /* the loaded module's parameters decide */
	/* 2% of 131072 = 2621 bad; 9 metadata; 2621*64/512+1 = 328 map; +20%. */
	m = dmstack_min_spare(131072, 512, how, sizeof(how));
	ck_assert_uint_eq(m, (9 + 2621 + 328) + (9 + 2621 + 328) * 20 / 100);
	ck_assert_msg(strstr(how, "spare_overhead_percent=2"), "%s", how);
	/* About 2.7% of main plus a few sectors. */
	m = dmstack_min_spare(2097152, 512, how, sizeof(how));
	ck_assert_uint_gt(m, 2097152 * 27 / 1000);
	ck_assert_uint_lt(m, 2097152 * 28 / 1000);
}
END_TEST

START_TEST(known_types)
{
	ck_assert(dmstack_known_type("dm-remap-v4"));
	ck_assert(dmstack_known_type("linear"));
	ck_assert(dmstack_known_type("zero"));
	ck_assert(dmstack_known_type("error"));
	ck_assert(!dmstack_known_type("remap"));
	ck_assert(!dmstack_known_type("flakey"));
}
END_TEST

START_TEST(lines)
{
	struct dmw_segment seg[3] = {
		{ 0, 1000, "linear", "1:0 0" }, { 1000, 8, "error", "" },
		{ 1008, 2000, "linear", "1:0 1008" },
	};
	struct dmw_table t = { .n = 3, .seg = seg };
	char *l = dmstack_lines(&t);

	ck_assert_str_eq(l, "0 1000 linear 1:0 0\n1000 8 error\n1008 2000 linear 1:0 1008");
	free(l);
	t.n = 0;
	l = dmstack_lines(&t);
	ck_assert_str_eq(l, "");
	free(l);
}
END_TEST

START_TEST(status_records)
{
	json_t *j = dmstack_status_json("dm-remap-v4", AFTER), *d;

	ck_assert(json_is_true(json_object_get(j, "parsed")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "raw")), AFTER);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "active_mappings")), 15);
	ck_assert_str_eq(json_string_value(json_object_get(j, "mode")), "real");
	json_decref(j);

	/* Other types: the raw line only. */
	j = dmstack_status_json("linear", "0 131072 linear");
	ck_assert_uint_eq(json_object_size(j), 1);
	ck_assert_str_eq(json_string_value(json_object_get(j, "raw")), "0 131072 linear");
	json_decref(j);
	j = dmstack_status_json("linear", NULL);
	ck_assert(json_is_null(j));
	json_decref(j);

	d = dmstack_status_delta_json("dm-remap-v4", BEFORE, AFTER);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "reads")), 100);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "writes")), 40);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "remaps")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "errors")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "active_mappings")), 15);
	ck_assert(json_is_false(json_object_get(d, "counters_reset")));
	json_decref(d);
	/* No delta for other types, nor from a status that is not understood. */
	ck_assert_ptr_null(dmstack_status_delta_json("linear", BEFORE, AFTER));
	ck_assert_ptr_null(dmstack_status_delta_json("dm-remap-v4", "0 8 dm-remap-v4 v9 x",
						     AFTER));
	ck_assert_ptr_null(dmstack_status_delta_json("dm-remap-v4", NULL, AFTER));
}
END_TEST

START_TEST(module_params_absent)
{
	bool demo = true;
	json_t *p;

	if (access("/sys/module/dm_remap", F_OK) == 0)
		return;
	p = dmstack_module_params_json(&demo);
	ck_assert(json_is_object(p));
	ck_assert_uint_eq(json_object_size(p), 0);
	ck_assert(!demo);
	json_decref(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stack");
	TCase *tc = tcase_create("stack");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, min_spare_defaults);
	tcase_add_test(tc, known_types);
	tcase_add_test(tc, lines);
	tcase_add_test(tc, status_records);
	tcase_add_test(tc, module_params_absent);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
