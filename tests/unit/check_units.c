/* Sizes and durations as users type them: good values, bad values, overflow. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cpulist.h"
#include "cli/units.h"

static const struct { const char *in; uint64_t want; } good_sizes[] = {
	{ "4096", 4096 }, { "4k", 4096 }, { "4K", 4096 }, { "64K", 65536 },
	{ "1M", 1 << 20 }, { "1m", 1 << 20 }, { "1G", 1ULL << 30 }, { "10T", 10ULL << 40 },
	{ "1P", 1ULL << 50 }, { "4KiB", 4096 }, { "4kb", 4096 }, { "512b", 512 },
	{ "0", 0 }, { "16383P", 16383ULL << 50 },
};

static const char *const bad_sizes[] = {
	"", "k", "4x", "4kk", "-4k", " 4k", "4k ", "4.5k", "1E", "16384P",
	"18446744073709551616", "0x10", "4 k", "4kiB2",
};

START_TEST(size_good)
{
	uint64_t v = 12345;

	ck_assert_int_eq(parse_size(good_sizes[_i].in, &v), 0);
	ck_assert_uint_eq(v, good_sizes[_i].want);
}
END_TEST

START_TEST(size_bad)
{
	uint64_t v = 777;

	ck_assert_int_eq(parse_size(bad_sizes[_i], &v), -1);
	ck_assert_uint_eq(v, 777);  /* untouched on error */
}
END_TEST

static const struct { const char *in; uint64_t want_ns; } good_durations[] = {
	{ "90", 90000000000ULL }, { "90s", 90000000000ULL }, { "5m", 300000000000ULL },
	{ "2h", 7200000000000ULL }, { "500ms", 500000000ULL }, { "1d", 86400000000000ULL },
	{ "0", 0 }, { "2H", 7200000000000ULL },
};

static const char *const bad_durations[] = {
	"", "s", "5x", "5 m", "-5", "1.5h", "5mm", "99999999999999999999",
	"9999999999999d", "m5",
};

START_TEST(duration_good)
{
	uint64_t v = 1;

	ck_assert_int_eq(parse_duration(good_durations[_i].in, &v), 0);
	ck_assert_uint_eq(v, good_durations[_i].want_ns);
}
END_TEST

START_TEST(duration_bad)
{
	uint64_t v = 777;

	ck_assert_int_eq(parse_duration(bad_durations[_i], &v), -1);
	ck_assert_uint_eq(v, 777);
}
END_TEST

START_TEST(u64_parse)
{
	uint64_t v;

	ck_assert_int_eq(parse_u64("18446744073709551615", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(parse_u64("18446744073709551616", &v), -1);
	ck_assert_int_eq(parse_u64("12a", &v), -1);
	ck_assert_int_eq(parse_u64("", &v), -1);
	ck_assert_int_eq(parse_u64(NULL, &v), -1);
}
END_TEST

START_TEST(formatting_round_trips)
{
	static const uint64_t sizes[] = { 512, 4096, 65536, 1 << 20, 3ULL << 30, 10ULL << 40, 1536 };
	char buf[32];
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		format_size(sizes[i], buf, sizeof(buf));
		ck_assert_int_eq(parse_size(buf, &v), 0);
		ck_assert_uint_eq(v, sizes[i]);
	}
	format_size(1ULL << 30, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1G");
	format_duration(300000000000ULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "5m");
	format_duration(1500000000ULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1500ms");
	format_duration(90000000000ULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "90s");
}
END_TEST

/* CPU lists: what is parsed, in canonical form, and the item blamed when bad. */
static const struct { const char *in, *canonical; unsigned n; } good_cpulists[] = {
	{ "0", "0", 1 }, { "3", "3", 1 }, { "0-3", "0-3", 4 }, { "0,1,2,3", "0-3", 4 },
	{ "3,2,1,0", "0-3", 4 }, { "1,1,1", "1", 1 }, { "0-3,8,10-11", "0-3,8,10-11", 7 },
	{ "10-11,0-3,8,2", "0-3,8,10-11", 7 }, { "5-5", "5", 1 }, { "0-1023", "0-1023", 1024 },
	{ "1023", "1023", 1 }, { "007", "7", 1 }, { "0,2,4", "0,2,4", 3 },
};

static const struct { const char *in, *bad; } bad_cpulists[] = {
	{ "", "" }, { ",", "" }, { "0,", "" }, { ",0", "" }, { "0,,1", "" },
	{ "1-0", "1-0" }, { "x", "x" }, { "0,x,2", "x" }, { "1024", "1024" },
	{ "0-1024", "0-1024" }, { "-1", "-1" }, { "0-", "0-" }, { "0-3-5", "0-3-5" },
	{ " 0", " 0" }, { "0 ", "0 " }, { "0:2", "0:2" }, { "0-8:2", "0-8:2" },
	{ "99999999999999999999", "99999999999999999999" }, { "0x1", "0x1" }, { "+1", "+1" },
};

START_TEST(cpulist_good)
{
	struct cpulist cl;
	const char *bad = NULL;
	size_t badlen = 0;
	char buf[64];
	unsigned i;

	ck_assert_int_eq(cpulist_parse(good_cpulists[_i].in, &cl, &bad, &badlen), 0);
	ck_assert_uint_eq(cl.n, good_cpulists[_i].n);
	for (i = 1; i < cl.n; i++)
		ck_assert_uint_lt(cl.cpu[i - 1], cl.cpu[i]);
	cpulist_format(&cl, buf, sizeof(buf));
	ck_assert_str_eq(buf, good_cpulists[_i].canonical);
}
END_TEST

START_TEST(cpulist_bad)
{
	struct cpulist cl = { .n = 5 };
	const char *bad = NULL;
	size_t badlen = 99;

	ck_assert_int_eq(cpulist_parse(bad_cpulists[_i].in, &cl, &bad, &badlen), -1);
	ck_assert_uint_eq(cl.n, 0);
	ck_assert_ptr_nonnull(bad);
	ck_assert_uint_eq(badlen, strlen(bad_cpulists[_i].bad));
	ck_assert_int_eq(strncmp(bad, bad_cpulists[_i].bad, badlen), 0);
}
END_TEST

/* The format stops cleanly in a short buffer; the affinity mask is readable. */
START_TEST(cpulist_format_short_and_allowed)
{
	struct cpulist cl, mine;
	const char *bad;
	size_t badlen;
	char buf[6];

	ck_assert_int_eq(cpulist_parse("0,2,4,6,8,10", &cl, &bad, &badlen), 0);
	cpulist_format(&cl, buf, sizeof(buf));
	ck_assert_uint_lt(strlen(buf), sizeof(buf));
	ck_assert_int_eq(strncmp(buf, "0,2,4", strlen(buf)), 0);
	ck_assert_int_eq(cpulist_allowed(&mine), 0);
	ck_assert_uint_ge(mine.n, 1);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, size_good, 0, N(good_sizes));
	tcase_add_loop_test(tc, size_bad, 0, N(bad_sizes));
	tcase_add_loop_test(tc, duration_good, 0, N(good_durations));
	tcase_add_loop_test(tc, duration_bad, 0, N(bad_durations));
	tcase_add_test(tc, u64_parse);
	tcase_add_test(tc, formatting_round_trips);
	tcase_add_loop_test(tc, cpulist_good, 0, N(good_cpulists));
	tcase_add_loop_test(tc, cpulist_bad, 0, N(bad_cpulists));
	tcase_add_test(tc, cpulist_format_short_and_allowed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
