/*
 * The evidence rules of validate's checks (src/validate/evidence.c) and
 * the stat-file parser they are fed from (src/sys/devstat.c): a
 * check passes only on evidence that the thing it names happened. The
 * counts in the "issue" tests are those of the runs against the real
 * dm-remap module (6.12) that passed falsely before these rules.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/devstat.h"
#include "validate/evidence.h"

static const char *const names[] = { "pass", "fail", "not_checked" };

#define ASSERT_VERDICT(e, want)                                                          \
	ck_assert_msg((e).status == (want), "got %s, expected %s: %s", names[(e).status],  \
		      names[want], (e).detail)
#define ASSERT_SAYS(e, text)                                                             \
	ck_assert_msg(strstr((e).detail, text), "'%s' not in: %s", text, (e).detail)

/* ---- remap_counters ----------------------------------------------------------- */

static struct ev_remap_counters counters(void)
{
	return (struct ev_remap_counters){ .have_status = true, .bad_sectors = 1,
					   .bad_blocks = 1 };
}

/* validate --bad-sectors 8000: an entry was added (pending), nothing was remapped. */
START_TEST(remap_counters_pending_entry_is_no_remap)
{
	struct ev_remap_counters in = counters();
	struct ev_verdict e;

	in.active_mappings = 1;
	ev_remap_counters(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	ASSERT_SAYS(e, "remapped_sectors +0 for 1 bad sector");
	ASSERT_SAYS(e, "active_mappings +1");
	ASSERT_SAYS(e, "pending");
}
END_TEST

/* After 64 failed I/Os on 8 bad sectors: 71 entries, no remap. */
START_TEST(remap_counters_many_entries_no_remap)
{
	struct ev_remap_counters in = counters();
	struct ev_verdict e;

	in.bad_sectors = in.bad_blocks = 8;
	in.active_mappings = 71;
	ev_remap_counters(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
}
END_TEST

START_TEST(remap_counters_remaps_performed)
{
	struct ev_remap_counters in = counters();
	struct ev_verdict e;

	/* The retried write, the read, the probe and 32 timed reads: 35 I/Os, each redirected. */
	in.ok_bad_ios = 35;
	in.remapped_sectors = 1;
	in.remapped_ios = 35;
	in.remaps = 34;
	in.active_mappings = 1;
	ev_remap_counters(&in, &e);
	ASSERT_VERDICT(e, EV_PASS);
	ASSERT_SAYS(e, "remapped_ios +35 for 35 I/Os");
}
END_TEST

START_TEST(remap_counters_too_few_redirected)
{
	struct ev_remap_counters in = counters();
	struct ev_verdict e;

	in.ok_bad_ios = 35;
	in.remapped_sectors = 1;
	in.remapped_ios = 2;
	ev_remap_counters(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	ASSERT_SAYS(e, "was sent to the spare");
	/* Nothing completed, and nothing was ever sent to the spare either. */
	in.ok_bad_ios = 0;
	in.remapped_ios = 0;
	ev_remap_counters(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
}
END_TEST

/* Eight bad sectors in one block, one remap (the module remaps a bio's first sector). */
START_TEST(remap_counters_every_sector)
{
	struct ev_remap_counters in = counters();
	struct ev_verdict e;

	in.bad_sectors = 8;
	in.ok_bad_ios = 3;
	in.remapped_sectors = 1;
	in.remapped_ios = 3;
	ev_remap_counters(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	ASSERT_SAYS(e, "fewer sectors remapped than bad");
}
END_TEST

START_TEST(remap_counters_unseen)
{
	struct ev_remap_counters in = counters();
	struct ev_verdict e;

	in.have_status = false;
	in.no_status = "linear has no remap or error counters";
	ev_remap_counters(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
	ASSERT_SAYS(e, "linear");
	in.have_status = true;
	in.counters_reset = true;
	in.remapped_sectors = in.remapped_ios = 5;
	ev_remap_counters(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
}
END_TEST

/* ---- errors_accounted --------------------------------------------------------- */

/* 64 failed I/Os in the write and read passes, 8 more in the latency pass. */
START_TEST(errors_count_every_pass)
{
	struct ev_errors in = { .have_status = true,
				.failed = { [EV_IO_WRITE] = 32, [EV_IO_READ] = 32,
					    [EV_IO_LATENCY] = 8 } };
	struct ev_verdict e;

	in.errors = 64;
	ev_errors_accounted(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	ASSERT_SAYS(e, "72 failed I/Os");
	ASSERT_SAYS(e, "8 latency");
	in.errors = 72;
	ev_errors_accounted(&in, &e);
	ASSERT_VERDICT(e, EV_PASS);
	in.failed[EV_IO_FLUSH] = 2;
	ev_errors_accounted(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	ASSERT_SAYS(e, "2 flush");
}
END_TEST

START_TEST(errors_none)
{
	struct ev_errors in = { .have_status = true };
	struct ev_verdict e;

	ev_errors_accounted(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);  /* 0 = 0 shows nothing */
	in.errors = 3;
	ev_errors_accounted(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	in.have_status = false;
	ev_errors_accounted(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
}
END_TEST

/* ---- remap_penalty ------------------------------------------------------------ */

static struct ev_penalty proven_blocks(void)
{
	return (struct ev_penalty){
		.bad_blocks = 4, .probed_ok = 4, .spare_observable = true,
		.probe_from_spare = 4, .probe_right_data = 4, .proven = 4,
		.reads = 128, .reads_from_spare = 128, .normal_reads = 128,
		.p50_remapped_us = 60, .p99_remapped_us = 90, .p50_normal_us = 50,
		.p99_normal_us = 80,
	};
}

/* --inject message: 4 blocks "remapped", read back from main with the right data. */
START_TEST(penalty_read_from_main)
{
	struct ev_penalty in = proven_blocks();
	struct ev_verdict e;

	in.probe_from_spare = 0;
	in.proven = 0;
	in.reads = in.reads_from_spare = 0;
	in.normal_reads = 0;
	ev_remap_penalty(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	ASSERT_SAYS(e, "4 of the 4 blocks");
	ck_assert_msg(!strstr(e.detail, " us"), "a latency is reported: %s", e.detail);
}
END_TEST

START_TEST(penalty_proven)
{
	struct ev_penalty in = proven_blocks();
	struct ev_verdict e;

	ev_remap_penalty(&in, &e);
	ASSERT_VERDICT(e, EV_PASS);
	ASSERT_SAYS(e, "p50 60.0 us");
	ASSERT_SAYS(e, "+20.0%");
}
END_TEST

START_TEST(penalty_unproven_parts)
{
	struct ev_penalty in = proven_blocks();
	struct ev_verdict e;

	/* From the spare, but not the bytes written (the remap lost the data). */
	in.probe_right_data = 3;
	in.proven = 3;
	ev_remap_penalty(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	/* Never written: nothing to compare, so not shown remapped. */
	in = proven_blocks();
	in.probe_right_data = 3;
	in.probe_unwritten = 1;
	in.proven = 3;
	ev_remap_penalty(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	/* A timed read that did not come from the spare. */
	in = proven_blocks();
	in.reads_from_spare = 127;
	ev_remap_penalty(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	ASSERT_SAYS(e, "1 of 128 reads");
	/* A timed read that failed. */
	in = proven_blocks();
	in.reads_from_spare = 127;
	in.reads_failed = 1;
	ev_remap_penalty(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
}
END_TEST

START_TEST(penalty_cannot_tell)
{
	struct ev_penalty in = proven_blocks();
	struct ev_verdict e;

	in.spare_observable = false;
	in.spare_why = "a read straight from the spare left its counters unchanged";
	ev_remap_penalty(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
	ASSERT_SAYS(e, "unchanged");
	/* Nothing reads back: nothing was remapped. */
	in = (struct ev_penalty){ .bad_blocks = 4, .probe_failed = 4, .spare_observable = true };
	ev_remap_penalty(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
	ASSERT_SAYS(e, "nothing was remapped");
	/* No other block read: no comparison. */
	in = proven_blocks();
	in.normal_reads = 0;
	ev_remap_penalty(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
}
END_TEST

/* ---- flush_passthrough, fua_passthrough --------------------------------------- */

/* A loop device (write back, no FUA): 1 flush per flush, 2 per RWF_DSYNC write. */
static struct ev_flush loop_main(uint64_t per_flush, uint64_t per_fua)
{
	struct ev_flush in = { .main_stat = true, .main_cache = "write back",
			       .top_cache = "write back", .calib_ok = true, .calib_flush = 1,
			       .calib_fua = 2, .nflush = EV_FLUSH_OPS, .nfua = EV_FLUSH_OPS };
	unsigned i;

	for (i = 0; i < EV_FLUSH_OPS; i++) {
		in.flush_main[i] = per_flush;
		in.fua_main[i] = per_fua;
	}
	return in;
}

START_TEST(flush_passed)
{
	struct ev_flush in = loop_main(1, 2);
	struct ev_verdict e;

	ev_flush_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_PASS);
	ev_fua_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_PASS);
}
END_TEST

/* dm-flakey with drop_writes: the empty flushes and the FUA writes never arrive. */
START_TEST(flush_dropped)
{
	struct ev_flush in = loop_main(0, 0);
	struct ev_verdict e;

	ev_flush_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	ASSERT_SAYS(e, "8 of 8 flushes");
	ev_fua_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	/* One flush of eight lost is a failure too. */
	in = loop_main(1, 2);
	in.flush_main[3] = 0;
	ev_flush_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	ASSERT_SAYS(e, "1 of 8");
	/* A top device that claims no write cache: the kernel completes its flushes. */
	in = loop_main(0, 0);
	in.top_cache = "write through";
	ev_flush_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	ASSERT_SAYS(e, "write through");
	/* fdatasync failing. */
	in = loop_main(1, 2);
	in.flush_failed = 1;
	ev_flush_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
}
END_TEST

/* Flushes pass, but the FUA flag of the writes is cleared on the way. */
START_TEST(fua_flag_dropped)
{
	struct ev_flush in = loop_main(1, 1);
	struct ev_verdict e;

	ev_flush_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_PASS);
	ev_fua_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_FAIL);
	ASSERT_SAYS(e, "8 of 8 FUA writes");
}
END_TEST

/* Flushes fan out over two segments of the failing disk. */
START_TEST(fua_fan_out)
{
	struct ev_flush in = loop_main(2, 2);
	struct ev_verdict e;

	ev_flush_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_PASS);
	/* 2 could be a FUA write and one flush, or a plain write and a flush to two segments. */
	ev_fua_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
	ASSERT_SAYS(e, "fan out");
	in = loop_main(2, 3);
	ev_fua_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_PASS);
}
END_TEST

START_TEST(flush_unobservable)
{
	struct ev_flush in = loop_main(0, 0);
	struct ev_verdict e;

	/* brd: no volatile cache, the block layer completes flushes uncounted. */
	in.main_cache = "write through";
	ev_flush_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
	ASSERT_SAYS(e, "write through");
	ev_fua_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
	/* A driver that does not count flushes. */
	in = loop_main(0, 0);
	in.calib_flush = in.calib_fua = 0;
	ev_flush_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
	/* An old kernel: no flush counter. */
	in = loop_main(0, 0);
	in.main_stat = false;
	in.main_why = "11 fields";
	ev_flush_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
	ASSERT_SAYS(e, "11 fields");
	/* A device with FUA of its own: a FUA write counts as a flush. */
	in = loop_main(1, 1);
	in.calib_fua = 1;
	in.main_fua = true;
	ev_fua_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_NOT_CHECKED);
	ev_flush_passthrough(&in, &e);
	ASSERT_VERDICT(e, EV_PASS);
}
END_TEST

/* ---- devstat ------------------------------------------------------------------ */

START_TEST(devstat_fields)
{
	struct devstat b, a;

	ck_assert_int_eq(devstat_parse(" 6412038    47712 51708248   725630  1938453      218 "
				       "15524000   223936        0    37960   949568        2        "
				       "0   524290        0      102        1\n", &b), 0);
	ck_assert_uint_eq(b.n, 17);
	ck_assert_uint_eq(b.v[DS_RD_IOS], 6412038);
	ck_assert_uint_eq(b.v[DS_WR_SECTORS], 15524000);
	ck_assert_uint_eq(b.v[DS_FLUSH_IOS], 102);
	ck_assert_uint_eq(b.v[DS_FLUSH_TICKS], 1);
	ck_assert_int_eq(devstat_parse("6412038 47712 51708248 725630 1938458 218 15524000 "
				       "223937 0 37960 949569 2 0 524290 0 107 1", &a), 0);
	ck_assert_uint_eq(devstat_delta(&b, &a, DS_FLUSH_IOS), 5);
	ck_assert_uint_eq(devstat_delta(&a, &b, DS_FLUSH_IOS), 0);  /* never negative */
	/* An old kernel's 11 fields: no flush counter, and its delta is 0. */
	ck_assert_int_eq(devstat_parse("1 2 3 4 5 6 7 8 9 10 11\n", &b), 0);
	ck_assert_uint_eq(b.n, 11);
	ck_assert_uint_eq(devstat_delta(&b, &b, DS_FLUSH_IOS), 0);
	ck_assert_int_eq(devstat_parse("", &b), -1);
	ck_assert_int_eq(devstat_parse("x 1 2", &b), -1);
}
END_TEST

static Suite *evidence_suite(void)
{
	Suite *s = suite_create("validate-evidence");
	TCase *tc = tcase_create("remap_counters");

	tcase_add_test(tc, remap_counters_pending_entry_is_no_remap);
	tcase_add_test(tc, remap_counters_many_entries_no_remap);
	tcase_add_test(tc, remap_counters_remaps_performed);
	tcase_add_test(tc, remap_counters_too_few_redirected);
	tcase_add_test(tc, remap_counters_every_sector);
	tcase_add_test(tc, remap_counters_unseen);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors_accounted");
	tcase_add_test(tc, errors_count_every_pass);
	tcase_add_test(tc, errors_none);
	suite_add_tcase(s, tc);
	tc = tcase_create("remap_penalty");
	tcase_add_test(tc, penalty_read_from_main);
	tcase_add_test(tc, penalty_proven);
	tcase_add_test(tc, penalty_unproven_parts);
	tcase_add_test(tc, penalty_cannot_tell);
	suite_add_tcase(s, tc);
	tc = tcase_create("flush");
	tcase_add_test(tc, flush_passed);
	tcase_add_test(tc, flush_dropped);
	tcase_add_test(tc, fua_flag_dropped);
	tcase_add_test(tc, fua_fan_out);
	tcase_add_test(tc, flush_unobservable);
	suite_add_tcase(s, tc);
	tc = tcase_create("devstat");
	tcase_add_test(tc, devstat_fields);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(evidence_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
