/*
 * The job file parser (src/jobs): every option it accepts, in a fio job
 * file, turned into the streams dmremap-bench-run(1) documents; every
 * option it does not implement, and every bad value, refused with the
 * file's line; the INI syntax fio uses (comments, bare options, repeated
 * sections, a [global] that changes between jobs).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/job.h"
#include "jobs/jobfile.h"

#define GiB (1024ULL * 1024 * 1024)
#define MiB (1024ULL * 1024)
#define NSEC 1000000000ULL

/* Parse text; its streams over a target of size bytes. */
static unsigned streams_of(struct jobfile *jf, const char *text, uint64_t size,
			   struct stream_spec **s)
{
	unsigned n = 0;

	ck_assert_msg(jobfile_parse_string(jf, text, "t.fio") == 0, "%s", jf->err);
	ck_assert_msg(jobfile_streams(jf, size, NULL, s, &n) == 0, "%s", jf->err);
	return n;
}

/* Every accepted option, one job file; a comment says what each sets. */
static const char every_option[] =
	"; a comment\n"
	"# another\n"
	"[global]\n"
	"description=every option\n"
	"ioengine=libaio\n"
	"direct=1\n"
	"norandommap\n"
	"group_reporting=1\n"
	"time_based\n"
	"runtime=90\n"
	"ramp_time=5s\n"
	"filename=/dev/loop9\n"
	"iodepth=4              ; inline comment\n"
	"\n"
	"[oltp]\n"                               /* line 15 */
	"rw=randrw\n"
	"rwmixread=70\n"
	"bs=16k\n"
	"random_distribution=zipf:1.2\n"
	"numjobs=3\n"
	"offset=0%\n"
	"size=50%\n"
	"rate_iops=1000\n"
	"rate_process=poisson\n"
	"\n"
	"[log]\n"                                /* line 26 */
	"name=wal\n"
	"readwrite=write\n"
	"blocksize=4k\n"
	"sync=dsync\n"
	"fdatasync=8\n"
	"numjobs_per=2\n"
	"offset=50%\n"
	"size=1M\n"
	"\n"
	"[mixed]\n"                              /* line 36 */
	"rw=randrw\n"
	"rwmixwrite=25\n"
	"bssplit=4k/50:64k/:1m/\n"
	"sequential_runs=8:40\n"
	"iodepth=2\n"
	"thinktime=500\n"
	"thinktime_blocks=1\n"
	"fsync=4\n"
	"flush_interval=100ms\n"
	"rwmixtrim=10\n"
	"offset=60%\n"
	"size=10%\n"
	"\n"
	"[hot]\n"                                /* line 50 */
	"rw=randread\n"
	"random_distribution=normal:5:0.25\n"
	"rate_iops=500\n"
	"open_loop=1\n"
	"offset=70%\n"
	"size=10%\n"
	"\n"
	"[skew]\n"
	"rw=randwrite\n"
	"random_distribution=pareto:0.2\n"
	"offset=80%\n"
	"size=10%\n"
	"\n"
	"[trims]\n"
	"rw=trimwrite\n"
	"bs=64k\n"
	"offset=90%\n"
	"size=5%\n"
	"\n"
	"[vm]\n"
	"rw=randtrim\n"
	"numjobs=2\n"
	"offset=95%\n"
	"size=2%\n"
	"offset_increment=2%\n"
	"\n"
	"[slices]\n"
	"rw=read\n"
	"numjobs=2\n"
	"clone_slices=1\n"
	"offset=0%\n"
	"size=10%\n"
	"\n"
	"[plain]\n";

START_TEST(every_option_parses)
{
	struct jobfile jf;
	struct stream_spec *s;
	unsigned n = streams_of(&jf, every_option, 100 * GiB, &s), i;

	/* The run's settings. */
	ck_assert_str_eq(jf.description, "every option");
	ck_assert_int_eq(jf.ioengine, 0);
	ck_assert(jf.time_based);
	ck_assert(jf.runtime_set && jf.runtime_ns == 90 * NSEC);
	ck_assert(jf.ramp_set && jf.ramp_ns == 5 * NSEC);
	ck_assert(jf.filename_set);
	ck_assert_str_eq(jf.filename, "/dev/loop9");
	ck_assert(jobfile_writes(&jf));
	ck_assert_uint_eq(jf.njobs, 9);
	ck_assert_uint_eq(jf.jobs[0].line, 15);
	ck_assert_uint_eq(jf.jobs[1].line, 26);
	ck_assert_uint_eq(n, 11);  /* vm and slices: two streams each */

	/* oltp: zipf, a rate per clone times numjobs, Poisson arrivals. */
	ck_assert_str_eq(s[0].name, "oltp");
	ck_assert_uint_eq(s[0].workers, 3);
	ck_assert_uint_eq(s[0].iodepth, 4);
	ck_assert_uint_eq(s[0].read_pct, 70);
	ck_assert_int_eq(s[0].access, ACCESS_ZIPF);
	ck_assert(fabs(s[0].zipf_theta - 1.2) < 1e-12);
	ck_assert_uint_eq(s[0].nbs, 1);
	ck_assert_uint_eq(s[0].bs[0].bs, 16384);
	ck_assert_uint_eq(s[0].span_off, 0);
	ck_assert_uint_eq(s[0].span_len, 50 * GiB);
	ck_assert_uint_eq(s[0].rate_iops, 3000);
	ck_assert_int_eq(s[0].arrival, ARRIVAL_POISSON);
	ck_assert(!s[0].one_pass);

	/* log (renamed): sequential FUA writes, a flush every 8, half the first's jobs. */
	ck_assert_str_eq(s[1].name, "wal");
	ck_assert_uint_eq(s[1].workers, 1);
	ck_assert_uint_eq(s[1].read_pct, 0);
	ck_assert_int_eq(s[1].access, ACCESS_SEQUENTIAL);
	ck_assert_uint_eq(s[1].bs[0].bs, 4096);
	ck_assert(s[1].fua);
	ck_assert_uint_eq(s[1].flush_every, 8);
	ck_assert(!s[1].flush_full);
	ck_assert_uint_eq(s[1].span_off, 50 * GiB);
	ck_assert_uint_eq(s[1].span_len, 1 * MiB);
	ck_assert_int_eq(s[1].arrival, ARRIVAL_CLOSED);

	/* mixed: bssplit with shares to fill, runs, think time, fsync, trims. */
	ck_assert_str_eq(s[2].name, "mixed");
	ck_assert_uint_eq(s[2].read_pct, 75);
	ck_assert_uint_eq(s[2].iodepth, 2);
	ck_assert_uint_eq(s[2].nbs, 3);
	ck_assert_uint_eq(s[2].bs[0].bs, 4096);
	ck_assert_uint_eq(s[2].bs[0].weight, 50);
	ck_assert_uint_eq(s[2].bs[1].bs, 65536);
	ck_assert_uint_eq(s[2].bs[1].weight, 25);
	ck_assert_uint_eq(s[2].bs[2].bs, 1048576);
	ck_assert_uint_eq(s[2].bs[2].weight, 25);
	ck_assert_int_eq(s[2].access, ACCESS_SEQ_RUNS);
	ck_assert_uint_eq(s[2].run_blocks, 8);
	ck_assert_uint_eq(s[2].run_pct, 40);
	ck_assert_uint_eq(s[2].think_ns, 500000);
	ck_assert_uint_eq(s[2].flush_every, 4);
	ck_assert(s[2].flush_full);
	ck_assert_uint_eq(s[2].flush_interval_ns, 100000000);
	ck_assert_uint_eq(s[2].discard_pct, 10);
	/* Aligned to its largest block, 1M. */
	ck_assert_uint_eq(s[2].span_off, 60 * GiB);
	ck_assert_uint_eq(s[2].span_len, 10 * GiB);

	/* hot: a normal hot spot, fixed-rate open loop. */
	ck_assert_int_eq(s[3].access, ACCESS_NORMAL);
	ck_assert(fabs(s[3].normal_dev_pct - 5) < 1e-12);
	ck_assert(fabs(s[3].normal_center - 0.25) < 1e-12);
	ck_assert_int_eq(s[3].arrival, ARRIVAL_FIXED);
	ck_assert_uint_eq(s[3].rate_iops, 500);
	ck_assert_uint_eq(s[3].read_pct, 100);
	ck_assert_uint_eq(s[3].iodepth, 4);  /* from [global] */

	/* skew: pareto. */
	ck_assert_int_eq(s[4].access, ACCESS_PARETO);
	ck_assert(fabs(s[4].pareto_h - 0.2) < 1e-12);
	ck_assert_uint_eq(s[4].read_pct, 0);

	/* trims: every discard followed by a write of its blocks. */
	ck_assert_uint_eq(s[5].discard_pct, 100);
	ck_assert(s[5].trim_then_write);
	ck_assert_int_eq(s[5].access, ACCESS_SEQUENTIAL);

	/* vm: offset_increment clones, a stream each. */
	ck_assert_str_eq(s[6].name, "vm0");
	ck_assert_str_eq(s[7].name, "vm1");
	for (i = 6; i < 8; i++) {
		ck_assert_uint_eq(s[i].workers, 1);
		ck_assert_uint_eq(s[i].discard_pct, 100);
		ck_assert_int_eq(s[i].access, ACCESS_RANDOM);
		ck_assert_uint_eq(s[i].span_len, 2 * GiB);
	}
	ck_assert_uint_eq(s[6].span_off, 95 * GiB);
	ck_assert_uint_eq(s[7].span_off, 97 * GiB);

	/* slices: clone_slices, half the region each. */
	ck_assert_str_eq(s[8].name, "slices0");
	ck_assert_uint_eq(s[8].span_off, 0);
	ck_assert_uint_eq(s[8].span_len, 5 * GiB);
	ck_assert_uint_eq(s[9].span_off, 5 * GiB);

	/* plain: only [global]'s, and fio's defaults: 4k sequential reads. */
	ck_assert_str_eq(s[10].name, "plain");
	ck_assert_uint_eq(s[10].workers, 1);
	ck_assert_uint_eq(s[10].iodepth, 4);
	ck_assert_uint_eq(s[10].read_pct, 100);
	ck_assert_int_eq(s[10].access, ACCESS_SEQUENTIAL);
	ck_assert_uint_eq(s[10].bs[0].bs, 4096);
	ck_assert_uint_eq(s[10].span_off, 0);
	ck_assert_uint_eq(s[10].span_len, 100 * GiB);
	free(s);
	jobfile_free(&jf);
}
END_TEST

/* fio's semantics: [global] applies to the jobs after it; a job may repeat a name. */
START_TEST(global_order_and_repeats)
{
	static const char text[] =
		"[global]\n"
		"bs=8k\n"
		"[a]\n"
		"[global]\n"
		"bs=16k\n"
		"iodepth=7\n"
		"[a]\n"
		"iodepth=3\n"
		"[b]\n";
	struct jobfile jf;
	struct stream_spec *s;
	unsigned n = streams_of(&jf, text, GiB, &s);

	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(s[0].name, "a");
	ck_assert_uint_eq(s[0].bs[0].bs, 8192);
	ck_assert_uint_eq(s[0].iodepth, 1);
	ck_assert_str_eq(s[1].name, "a");
	ck_assert_uint_eq(s[1].bs[0].bs, 16384);
	ck_assert_uint_eq(s[1].iodepth, 3);
	ck_assert_uint_eq(s[2].iodepth, 7);
	/* Not time based: each worker covers its region once. */
	ck_assert(s[0].one_pass && s[2].one_pass);
	ck_assert(!jobfile_writes(&jf));
	free(s);
	jobfile_free(&jf);
}
END_TEST

/* Refused: the option or value, and the line it is on. */
static const struct {
	const char *text;
	const char *want;      /* in the message, after "t.fio:" */
} refused[] = {
	{ "[a]\nrw=read\nverify=md5\n", "3: option 'verify' is not supported" },
	{ "[a]\nzonemode=zbd\n", "2: option 'zonemode'" },
	{ "[a]\n\n; c\nstonewall\n", "4: option 'stonewall'" },
	{ "[a]\nnumjobs=2\nrate=10m\n", "3: option 'rate'" },
	{ "[a]\npercentage_random=50\n", "2: option 'percentage_random'" },
	{ "[a]\nbs=4k,8k\n", "2: bs=4k,8k" },
	{ "[a]\nbs=4k-16k\n", "2: bs=4k-16k" },
	{ "[a]\nbs=1000\n", "2: bs=1000" },
	{ "[a]\nbssplit=4k/50:8k/40\n", "2: bssplit" },
	{ "[a]\nrw=randread:8\n", "2: rw=randread:8" },
	{ "[a]\nrw=sideways\n", "2: rw=sideways" },
	{ "[a]\nrwmixread=101\n", "2: rwmixread=101" },
	{ "[a]\niodepth=0\n", "2: iodepth=0" },
	{ "[a]\nrandom_distribution=zoned:60/10:40/90\n", "2: random_distribution" },
	{ "[a]\nrandom_distribution=zipf:1.2:0.5\n", "2: random_distribution" },
	{ "[a]\nrate_iops=10,20\n", "2: rate_iops=10,20" },
	{ "[a]\nrate_process=bursty\n", "2: rate_process=bursty" },
	{ "[a]\nsync=maybe\n", "2: sync=maybe" },
	{ "[a]\ndirect=0\n", "2: direct=0" },
	{ "[a]\nioengine=psync\n", "2: ioengine=psync" },
	{ "[a]\nthinktime_blocks=4\n", "2: thinktime_blocks=4" },
	{ "[a]\nfilename=/dev/a:/dev/b\n", "2: filename" },
	{ "[a]\nfilename=/dev/a\n[b]\nfilename=/dev/b\n", "4: filename=/dev/b" },
	{ "[a]\nruntime=10\n[b]\nruntime=20\n", "4: runtime=20" },
	{ "bs=4k\n[a]\n", "1: option 'bs' before any [section]" },
	{ "[a]\nthis is not an option line\n", "2: option 'this is not an option line'" },
	{ "[a\nbs=4k\n", "1: not an option" },
	{ "; nothing\n", "no job" },
	{ "[a]\nrate_process=poisson\n", "1: [a]: rate_process=poisson needs rate_iops" },
	{ "[a]\nrw=read\nrandom_distribution=zipf:1.1\n", "1: [a]: random_distribution needs" },
	{ "[a]\nrw=randread\nbssplit=4k/50:8k/50\nrandom_distribution=pareto:0.3\n",
	  "1: [a]: zipf, pareto and normal take one block size" },
	{ "[x]\n[a]\nnumjobs_per=2\n", NULL },  /* fine: not the first job */
	{ "[a]\nnumjobs_per=2\n", "1: [a]: numjobs_per in the first job" },
	{ "[a]\nrate_iops=10\nopen_loop\nthinktime=10\n", "1: [a]: thinktime with open-loop" },
	{ "[a]\nrw=trim\nrwmixtrim=20\n", "1: [a]: rwmixtrim with rw=trim" },
	{ "[a]\nsequential_runs=16:50\n", "1: [a]: sequential_runs needs" },
	{ "[abcdefghijabcdefghijabcdefghij12]\n", "1: [abcdefghij" },
};

START_TEST(refuses_with_line)
{
	struct jobfile jf;
	char want[256];
	int rc = jobfile_parse_string(&jf, refused[_i].text, "t.fio");

	if (!refused[_i].want) {
		ck_assert_msg(rc == 0, "refused: %s", jf.err);
		jobfile_free(&jf);
		return;
	}
	snprintf(want, sizeof(want), "t.fio:%s", refused[_i].want);
	ck_assert_msg(rc == -1, "accepted: %s", refused[_i].text);
	ck_assert_msg(strstr(jf.err, want) != NULL || (strstr(refused[_i].want, ":") == NULL &&
						       strstr(jf.err, refused[_i].want)),
		      "message '%s', wanted '%s'", jf.err, want);
	ck_assert_msg(!strchr(jf.err, '\n'), "not one line: %s", jf.err);
	jobfile_free(&jf);
}
END_TEST

/* Regions that do not fit the target are refused when the size is known. */
START_TEST(regions_must_fit)
{
	struct jobfile jf;
	struct stream_spec *s = NULL;
	unsigned n;

	ck_assert_int_eq(jobfile_parse_string(&jf, "[a]\nbs=4k\n\n[b]\noffset=900M\nsize=200M\n",
					      "t.fio"), 0);
	ck_assert_int_eq(jobfile_streams(&jf, GiB, NULL, &s, &n), -1);
	ck_assert_msg(strstr(jf.err, "t.fio:4: [b]: the region ends at byte") != NULL, "%s",
		      jf.err);
	jobfile_free(&jf);
	ck_assert_int_eq(jobfile_parse_string(&jf, "[a]\nbs=1m\nsize=512k\n", "t.fio"), 0);
	ck_assert_int_eq(jobfile_streams(&jf, GiB, NULL, &s, &n), -1);
	ck_assert_msg(strstr(jf.err, "holds no 1048576-byte block") != NULL, "%s", jf.err);
	jobfile_free(&jf);
}
END_TEST

/* A line longer than the reader takes is refused, not split in two. */
START_TEST(long_line)
{
	char *text = malloc(3000);
	struct jobfile jf;

	ck_assert_ptr_nonnull(text);
	strcpy(text, "[a]\ndescription=");
	memset(text + strlen(text), 'x', 2000);
	strcpy(text + 16 + 2000, "\nbs=4k\n");
	ck_assert_int_eq(jobfile_parse_string(&jf, text, "t.fio"), -1);
	ck_assert_msg(strstr(jf.err, "t.fio:2: a line longer than") != NULL, "%s", jf.err);
	jobfile_free(&jf);
	free(text);
}
END_TEST

/* Overrides: the first job's numjobs (and numjobs_per's share), every depth. */
START_TEST(overrides)
{
	struct jobfile jf;
	struct jobfile_overrides ov = { .workers = 17, .iodepth = 9 };
	struct stream_spec *s;
	unsigned n;

	ck_assert_int_eq(jobfile_parse_string(&jf, "[d]\nnumjobs=4\n[l]\nnumjobs_per=8\n"
					      "[x]\nnumjobs=3\n", "t.fio"), 0);
	ck_assert_int_eq(jobfile_streams(&jf, GiB, &ov, &s, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(s[0].workers, 17);
	ck_assert_uint_eq(s[1].workers, 2);
	ck_assert_uint_eq(s[2].workers, 3);
	ck_assert_uint_eq(s[0].iodepth, 9);
	ck_assert_uint_eq(s[2].iodepth, 9);
	free(s);
	jobfile_free(&jf);
}
END_TEST

/* The commented examples of examples/jobs/ parse, and fit a 1 GiB target. */
START_TEST(examples_parse)
{
	static const char *const names[] = {
		"oltp-fua-log.fio", "vm-host.fio", "backup-stream.fio", "trim-heavy-ssd.fio",
	};
	char path[4096];
	struct jobfile jf;
	struct stream_spec *s;
	unsigned n;

	snprintf(path, sizeof(path), "%s/%s", EXAMPLES_DIR, names[_i]);
	ck_assert_msg(jobfile_parse_file(&jf, path) == 0, "%s", jf.err);
	ck_assert_msg(jf.description[0], "%s: no description", path);
	ck_assert_msg(jobfile_streams(&jf, GiB, NULL, &s, &n) == 0, "%s", jf.err);
	ck_assert_uint_gt(n, 1);
	free(s);
	jobfile_free(&jf);
}
END_TEST

static Suite *jobfile_suite(void)
{
	Suite *s = suite_create("jobfile");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, every_option_parses);
	tcase_add_test(tc, global_order_and_repeats);
	tcase_add_loop_test(tc, refuses_with_line, 0, (int)(sizeof(refused) / sizeof(refused[0])));
	tcase_add_test(tc, regions_must_fit);
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, overrides);
	tcase_add_loop_test(tc, examples_parse, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jobfile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
