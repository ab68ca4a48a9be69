/*
 * The text forms of a result: the layout of the JSON the tool writes
 * (result_dumps: the same values, one line per interval).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result/result_dump.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

static json_t *fixture(const char *name)
{
	const char *dir = getenv("DMRB_FIXTURES") ? getenv("DMRB_FIXTURES") : FIXTURES_DIR;
	char path[4096];
	json_error_t jerr;
	json_t *doc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	doc = json_load_file(path, 0, &jerr);
	ck_assert_msg(doc, "%s: %s", path, jerr.text);
	return doc;
}

static size_t count_lines(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The line of text that holds the first occurrence of needle. */
static char *line_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle), *a, *b;

	if (!p)
		return NULL;
	for (a = p; a > text && a[-1] != '\n'; a--)
		;
	b = strchr(p, '\n');
	return strndup(a, b ? (size_t)(b - a) : strlen(a));
}

/* Every fixture comes back as the same JSON: only white space differs. */
START_TEST(test_dump_exact)
{
	static const char *const names[] = {
		"concurrency.json", "endurance.json", "scale.json", "mixed.json",
		"comparison.json", "fio-randrw-1job.json",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t *doc = fixture(names[i]), *back, *before;
		char *text = result_dumps(doc);
		char *indented = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		json_error_t jerr;

		ck_assert_ptr_nonnull(text);
		back = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
		ck_assert_msg(back, "%s: the dump does not parse: %s (line %d)", names[i], jerr.text,
			      jerr.line);
		/* What the tool wrote before (10 significant digits for reals), value for value. */
		before = json_loads(indented, 0, &jerr);
		ck_assert_msg(json_equal(before, back), "%s: the dump differs from the document",
			      names[i]);
		json_decref(before);
		/* Same numbers as before, as text too: only white space went. */
		{
			size_t a = 0, b = 0;
			const char *p;

			for (p = text; *p; p++)
				a += !strchr(" \n", *p);
			for (p = indented; *p; p++)
				b += !strchr(" \n", *p);
			ck_assert_msg(a == b, "%s: %zu non-blank characters, json_dumps has %zu",
				      names[i], a, b);
		}
		ck_assert_msg(count_lines(text) < count_lines(indented), "%s: %zu lines, not fewer "
			      "than json_dumps' %zu", names[i], count_lines(text),
			      count_lines(indented));
		free(text);
		free(indented);
		json_decref(back);
		json_decref(doc);
	}
}
END_TEST

/* The layout: an interval per line, a histogram per line, the rest indented. */
START_TEST(test_dump_layout)
{
	json_t *doc = fixture("concurrency.json");
	json_t *iv = json_object_get(json_object_get(doc, "results"), "intervals");
	char *text = result_dumps(doc), *line, *first;
	size_t nint = json_array_size(iv), lines;

	ck_assert_ptr_nonnull(text);
	ck_assert_uint_gt(nint, 4);
	/* One line per interval, nested latencies included. */
	first = json_dumps(json_array_get(iv, 0), JSON_REAL_PRECISION(10));
	line = line_of(text, "\"t_s\"");
	ck_assert_ptr_nonnull(line);
	ck_assert_msg(strstr(line, "\"write_lat_ns\": {") && strstr(line, first),
		      "the first interval is not on one line: %s", line);
	free(line);
	free(first);
	/* A histogram is one line, its pairs included (schema 1 form here). */
	line = line_of(text, "\"lat_hist\"");
	ck_assert_msg(strstr(line, "\"bits\": 7") && strstr(line, "\"buckets\": [["),
		      "lat_hist spans lines: %s", line);
	free(line);
	/* Containers that nest deeper stay indented: "results" opens its own line. */
	line = line_of(text, "\"results\"");
	ck_assert_str_eq(line, "  \"results\": {");
	free(line);
	lines = count_lines(text);
	/* Every interval and every stream's directions: far from the thousands of before. */
	ck_assert_msg(lines < nint + 120, "%zu lines for %zu intervals", lines, nint);
	free(text);
	json_decref(doc);
}
END_TEST

START_TEST(test_dump_small)
{
	json_t *doc = json_pack("{s:[], s:{}, s:{s:i, s:[i, i]}, s:[{s:{s:i}}, {s:{s:{s:i}}}]}",
				"empty", "none", "flat", "a", 1, "b", 2, 3,
				"list", "x", "y", 1, "x", "y", "z", 2);
	char *text = result_dumps(doc);

	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text,
		"{\n"
		"  \"empty\": [],\n"
		"  \"none\": {},\n"
		"  \"flat\": {\n"
		"    \"a\": 1,\n"
		"    \"b\": [2, 3]\n"
		"  },\n"
		"  \"list\": [\n"
		"    {\"x\": {\"y\": 1}},\n"
		"    {\n"
		"      \"x\": {\n"
		"        \"y\": {\"z\": 2}\n"
		"      }\n"
		"    }\n"
		"  ]\n"
		"}");
	free(text);
	json_decref(doc);
	ck_assert_ptr_null(result_dumps(NULL));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("formats");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_dump_exact);
	tcase_add_test(tc, test_dump_layout);
	tcase_add_test(tc, test_dump_small);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
