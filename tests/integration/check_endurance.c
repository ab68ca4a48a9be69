/*
 * endurance end to end on loop devices over /dev/shm (root only; issue 22).
 * Three one-minute runs at once, at 1 s intervals, each on its own device:
 *
 *   steady   capped at 1500 IOPS (--rate-iops): the interval series in its
 *            companion, the document written at the start and the end only
 *            (inotify counts the renames), per-interval histograms that
 *            merge to the run's exactly, the loader with a torn last line,
 *            no evidence of drift, --status-interval lines into a pipe, and
 *            --metrics-file (promtool checks it when installed);
 *   slowed   the cgroup v1 blkio throttle of its device lowered by 10%
 *            every 3 s: drifting, with an interval below zero, and
 *            --max-drift exits 1;
 *   warmup   throttled to 100 IOPS, the cap doubled every 2 s up to 1000 at
 *            8 s: --steady-state finds steady state after the warm-up,
 *            and --steady-state-stop ends the run there.
 *
 * The runs start in an unchecked fixture (once, in the test runner); each
 * test then looks at what they left. Every loop device, cgroup and file
 * the fixture makes is removed in its teardown.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "blkio.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "endur"
#define BACKING_SIZE (64ULL << 20)
#define RAISE_AT_S 8
#define WARM_CAP 1000
#define STEP_S 3

enum { STEADY, SLOWED, WARMUP, NRUNS };

struct endrun {
	const char *name;
	char *backing;
	struct loopdev ld;
	char cg[160];                 /* its cgroup, or "" */
	char procs[200];
	char *dir, *out, *metrics;
	struct runbin rb;
	struct runbin_result res;
	bool started, waited;
	json_t *doc;                  /* its document, as written */
	json_t *lines;                /* its companion's lines */
};

static struct endrun runs[NRUNS] = {
	[STEADY] = { .name = "steady" }, [SLOWED] = { .name = "slowed" },
	[WARMUP] = { .name = "warmup" },
};
static bool have_root;
static char setup_error[1024];
static int ino = -1;
static unsigned doc_renames, series_renames, metrics_renames;

/* ---- the fixture -------------------------------------------------------------------- */

/* Read and write IOPS of the run's device capped at iops in its cgroup (0: no cap). */
static int throttle(struct endrun *r, unsigned iops)
{
	return blkio_throttle(r->cg, BLKIO_READ_IOPS, &r->ld, iops) ?:
	       blkio_throttle(r->cg, BLKIO_WRITE_IOPS, &r->ld, iops);
}

static int make_run(struct endrun *r, bool cgroup)
{
	int rc;

	r->ld.index = -1;
	r->backing = loopdev_backing_create(TAG, BACKING_SIZE);
	if (!r->backing)
		return -ENOMEM;
	rc = loopdev_attach(&r->ld, r->backing, true);
	if (rc)
		return rc;
	r->dir = runbin_tmpdir(TAG);
	if (!r->dir || asprintf(&r->out, "%s/r.json", r->dir) < 0 ||
	    asprintf(&r->metrics, "%s/m.prom", r->dir) < 0)
		return -ENOMEM;
	if (cgroup) {
		/* The branch's name and this process's pid: never another's group. */
		rc = blkio_group_create(r->cg, sizeof(r->cg), TAG, r->name);
		if (rc) {
			r->cg[0] = '\0';
			return rc;
		}
		snprintf(r->procs, sizeof(r->procs), "%s/cgroup.procs", r->cg);
	}
	return 0;
}

static int start(struct endrun *r, const char *const *extra)
{
	const char *args[40] = { "endurance", "--target", r->ld.path, "--force", "--duration", "1m",
				 "--interval", "1s", "--intensity", "light", "-o", r->out,
				 "--output-format", "json" };
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 150000,
				 .cgroup_procs = r->cg[0] ? r->procs : NULL };
	size_t n = 14, i;

	for (i = 0; extra[i] && n + 1 < sizeof(args) / sizeof(args[0]); i++)
		args[n++] = extra[i];
	args[n] = NULL;
	if (runbin_start(&r->rb, args, &o))
		return -1;
	r->started = true;
	return 0;
}

/*
 * What inotify saw in the steady run's directory: renames onto each file.
 * IN_MOVED_FROM is watched too: the kernel merges a queued IN_MOVED_TO
 * with the next identical one when nothing else comes between.
 */
static void count_renames(void)
{
	char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(ino, buf, sizeof(buf))) > 0) {
		char *p;

		for (p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if ((ev->mask & IN_MOVED_TO) && ev->len) {
				doc_renames += strcmp(ev->name, "r.json") == 0;
				series_renames += strcmp(ev->name, "r.json.intervals.jsonl") == 0;
				metrics_renames += strcmp(ev->name, "m.prom") == 0;
			}
			p += sizeof(*ev) + ev->len;
		}
	}
}

static json_t *read_lines(const char *path)
{
	char *text = runbin_slurp(path), *p, *nl;
	json_t *a;

	if (!text)
		return NULL;
	a = json_array();
	for (p = text; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		json_array_append_new(a, runbin_json(p));
	}
	free(text);
	return a;
}

static void collect(struct endrun *r)
{
	char *text, path[512];

	if (!r->started || r->waited)
		return;
	runbin_wait(&r->rb, &r->res);
	r->waited = true;
	text = runbin_slurp(r->out);
	r->doc = runbin_json(text);
	free(text);
	snprintf(path, sizeof(path), "%s.intervals.jsonl", r->out);
	r->lines = read_lines(path);
}

static void setup_all(void)
{
	static const char *const steady[] = { "--rate-iops", "1500", "--status-interval", "10s",
					      "--metrics-file", NULL, NULL };
	static const char *const slowed[] = { "--max-drift", "10", NULL };
	static const char *const warmup[] = { "--steady-state", "iops:10%:10s",
					      "--steady-state-stop", NULL };
	const char *sx[sizeof(steady) / sizeof(steady[0])];
	struct timespec t0, now;
	unsigned slow = 2000;
	long next_step = STEP_S, next_raise = 2;
	unsigned warm = 100;
	bool raised = false, running;
	int rc, i;

	have_root = geteuid() == 0 && blkio_available();
	if (!have_root)
		return;
	loopdev_sweep(TAG);
	runbin_sweep(TAG);
	blkio_sweep(TAG);
	for (i = 0; i < NRUNS; i++) {
		rc = make_run(&runs[i], i != STEADY);
		if (rc) {
			snprintf(setup_error, sizeof(setup_error), "setting up the %s run: %s",
				 runs[i].name, strerror(-rc));
			return;
		}
	}
	rc = throttle(&runs[SLOWED], slow) ?: throttle(&runs[WARMUP], warm);
	if (rc) {
		snprintf(setup_error, sizeof(setup_error), "cannot set the blkio throttle: %s",
			 strerror(-rc));
		return;
	}
	ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino < 0 || inotify_add_watch(ino, runs[STEADY].dir, IN_MOVED_FROM | IN_MOVED_TO) < 0) {
		snprintf(setup_error, sizeof(setup_error), "inotify: %s", strerror(errno));
		return;
	}
	memcpy(sx, steady, sizeof(sx));
	sx[5] = runs[STEADY].metrics;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (start(&runs[STEADY], sx) || start(&runs[SLOWED], slowed) ||
	    start(&runs[WARMUP], warmup)) {
		snprintf(setup_error, sizeof(setup_error), "cannot start %s", runbin_path());
		return;
	}
	/* Slow one device down step by step; raise the other's cap once. */
	do {
		running = false;
		for (i = 0; i < NRUNS; i++)
			if (!runs[i].waited && !runbin_pump(&runs[i].rb, 300))
				running = true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* The warm-up: a cap doubled every 2 s from 100 up to WARM_CAP at RAISE_AT_S. */
		if (!raised && now.tv_sec - t0.tv_sec >= next_raise) {
			warm = now.tv_sec - t0.tv_sec >= RAISE_AT_S || warm * 2 > WARM_CAP ?
			       WARM_CAP : warm * 2;
			throttle(&runs[WARMUP], warm);
			raised = warm == WARM_CAP;
			next_raise += 2;
		}
		if (now.tv_sec - t0.tv_sec >= next_step) {
			next_step += STEP_S;
			if (slow > 300) {
				slow = slow * 9 / 10;
				throttle(&runs[SLOWED], slow);
			}
		}
	} while (running && now.tv_sec - t0.tv_sec < 140);
	for (i = 0; i < NRUNS; i++)
		collect(&runs[i]);
	count_renames();
}

static void teardown_all(void)
{
	int i;

	for (i = 0; i < NRUNS; i++) {
		struct endrun *r = &runs[i];

		if (r->started && !r->waited) {
			runbin_kill(&r->rb, SIGKILL, 0);
			collect(r);
		}
		runbin_result_free(&r->res);
		json_decref(r->doc);
		json_decref(r->lines);
		if (r->ld.index >= 0)
			loopdev_detach(&r->ld);
		loopdev_backing_remove(r->backing);
		if (r->cg[0])
			blkio_group_remove(r->cg);
		if (r->dir)
			runbin_rmtree(r->dir);
		free(r->dir);
		free(r->out);
		free(r->metrics);
	}
	if (ino >= 0)
		close(ino);
}

/* ---- helpers for the tests ---------------------------------------------------------- */

/* Skip without root; fail when the fixture could not run. */
#define NEED_RUNS()                                                                      \
	do {                                                                             \
		if (!have_root) {                                                        \
			fprintf(stderr, "check_endurance: not root (or no cgroup v1 blkio): " \
				"skipped\n");                                            \
			return;                                                          \
		}                                                                        \
		ck_assert_msg(!setup_error[0], "%s", setup_error);                       \
	} while (0)

static double jnum(json_t *j, const char *path)
{
	json_t *v = runbin_jget(j, path);

	ck_assert_msg(json_is_number(v), "%s is not a number", path);
	return json_number_value(v);
}

static const char *jstr(json_t *j, const char *path)
{
	json_t *v = runbin_jget(j, path);

	ck_assert_msg(json_is_string(v), "%s is not a string", path);
	return json_string_value(v);
}

static void need_exit(const struct endrun *r, int status)
{
	ck_assert_msg(!r->res.timed_out, "the %s run did not finish", r->name);
	ck_assert_msg(r->res.status == status, "the %s run exited %d, not %d: %s", r->name,
		      r->res.status, status, r->res.err);
	ck_assert_msg(r->doc != NULL, "the %s run left no document %s", r->name, r->out);
}

/* ---- the companion --------------------------------------------------------------------- */

START_TEST(companion_lines)
{
	const struct endrun *r = &runs[STEADY];
	double t = 0;
	long long tn = 0;
	size_t i, n;
	json_t *iv;

	NEED_RUNS();
	need_exit(r, 0);
	ck_assert_msg(r->lines != NULL, "no r.json.intervals.jsonl");
	n = json_array_size(r->lines);
	ck_assert_msg(n >= 59 && n <= 61, "%zu lines for a minute at 1 s", n);
	ck_assert_int_eq((long long)jnum(r->doc, "intervals_file.count"), (long long)n);
	ck_assert_str_eq(jstr(r->doc, "intervals_file.path"), "r.json.intervals.jsonl");
	ck_assert_str_eq(jstr(r->doc, "intervals_file.format"), "jsonl");
	ck_assert_msg(!runbin_jget(r->doc, "results.intervals"), "the series is also inline");
	json_array_foreach(r->lines, i, iv) {
		ck_assert_msg(json_is_object(iv), "line %zu is not a JSON object", i + 1);
		ck_assert_int_eq((long long)jnum(iv, "run"), 0);
		ck_assert_msg(jnum(iv, "t_s") > t, "line %zu: t_s %f after %f", i + 1,
			      jnum(iv, "t_s"), t);
		t = jnum(iv, "t_s");
		ck_assert_msg((long long)jnum(iv, "t_ns") > tn, "line %zu: t_ns goes back", i + 1);
		tn = (long long)jnum(iv, "t_ns");
		ck_assert_int_eq((long long)jnum(iv, "lat_hist.read.bits"), 5);
		ck_assert_str_eq(jstr(iv, "lat_hist.write.enc"), "d1");
		jnum(iv, "read_iops");
		jnum(iv, "read_lat_ns.p99");
	}
	/* The last interval ends with the measured window; t_ns is UTC of the run's time. */
	ck_assert_msg(fabs(t - jnum(r->doc, "results.duration_s")) < 1e-6, "last t_s %f, "
		      "duration %f", t, jnum(r->doc, "results.duration_s"));
	ck_assert_msg(llabs(tn / 1000000000LL - (long long)time(NULL)) < 600,
		      "t_ns %lld is not now", tn);
}
END_TEST

/* Written at the start and at the end: two renames onto r.json, one creation of its series. */
START_TEST(document_twice)
{
	NEED_RUNS();
	need_exit(&runs[STEADY], 0);
	ck_assert_msg(doc_renames == 2, "r.json was written %u times, not 2", doc_renames);
	ck_assert_msg(series_renames == 1, "the series was created %u times, not once",
		      series_renames);
	/* The metrics file, on the other hand, is replaced at every interval. */
	ck_assert_msg(metrics_renames >= 20, "m.prom replaced only %u times in a minute",
		      metrics_renames);
}
END_TEST

/* ---- histograms ------------------------------------------------------------------------ */

#define NB5 (32 + 37 * 32)   /* buckets of a 5-bit histogram (stats/hist.h) */

/* The lowest value of bucket idx of a histogram of `bits` bits. */
static uint64_t bucket_lo(unsigned bits, uint64_t idx)
{
	uint64_t sub = 1ULL << bits, group, off;

	if (idx < sub)
		return idx;
	group = (idx - sub) >> bits;
	off = (idx - sub) & (sub - 1);
	return (sub + off) << group;
}

static uint64_t index5(uint64_t v)
{
	unsigned m;
	uint64_t idx;

	if (v < 32)
		return v;
	m = 63u - (unsigned)__builtin_clzll(v);
	idx = 32 + ((uint64_t)(m - 5) << 5) + ((v >> (m - 5)) - 32);
	return idx < NB5 ? idx : NB5 - 1;
}

/* Add the "d1" histogram h, downsampled to 5 bits, into sum; returns its count. */
static uint64_t add5(json_t *h, uint64_t *sum)
{
	const char *s = json_string_value(json_object_get(h, "buckets"));
	unsigned bits = (unsigned)json_integer_value(json_object_get(h, "bits"));
	uint64_t idx = 0, total = 0;
	bool first = true;

	ck_assert_msg(s && bits >= 5, "not a d1 histogram of at least 5 bits");
	while (*s) {
		unsigned long long step, count;
		int used;

		ck_assert_int_eq(sscanf(s, "%llu:%llu%n", &step, &count, &used), 2);
		idx = first ? step : idx + step;
		first = false;
		sum[index5(bucket_lo(bits, idx))] += count;
		total += count;
		s += used;
		if (*s == ',')
			s++;
	}
	return total;
}

/* The intervals' histograms add up to the run's, bucket by bucket, in each direction. */
START_TEST(histograms_merge_exactly)
{
	static const char *const dirs[] = { "read", "write" };
	const struct endrun *r = &runs[STEADY];
	int d;

	NEED_RUNS();
	need_exit(r, 0);
	for (d = 0; d < 2; d++) {
		uint64_t *a = calloc(NB5, sizeof(uint64_t)), *b = calloc(NB5, sizeof(uint64_t));
		uint64_t na = 0, nb;
		char key[64];
		size_t i;
		json_t *iv;

		json_array_foreach(r->lines, i, iv) {
			snprintf(key, sizeof(key), "lat_hist.%s", dirs[d]);
			na += add5(runbin_jget(iv, key), a);
		}
		snprintf(key, sizeof(key), "results.%s.lat_hist", dirs[d]);
		nb = add5(runbin_jget(r->doc, key), b);
		snprintf(key, sizeof(key), "results.%s.ops", dirs[d]);
		ck_assert_msg(nb == (uint64_t)jnum(r->doc, key), "%s: the run's histogram holds "
			      "%llu of %.0f I/Os", dirs[d], (unsigned long long)nb,
			      jnum(r->doc, key));
		ck_assert_msg(na == nb, "%s: the intervals hold %llu I/Os, the run %llu", dirs[d],
			      (unsigned long long)na, (unsigned long long)nb);
		for (i = 0; i < NB5; i++)
			ck_assert_msg(a[i] == b[i], "%s: bucket %zu: intervals %llu, run %llu",
				      dirs[d], i, (unsigned long long)a[i],
				      (unsigned long long)b[i]);
		free(a);
		free(b);
	}
}
END_TEST

/* ---- readers ------------------------------------------------------------------------------ */

/*
 * A crash cuts the last line: the loader leaves it out, and report and
 * compare read the series through it as if inline.
 */
START_TEST(readers_and_torn_line)
{
	const struct endrun *r = &runs[STEADY];
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 60000 };
	struct runbin_result rr;
	char series[512], html[512], want[64], *text;
	const char *rep[] = { "report", r->out, "-o", html, NULL };
	const char *cmp[] = { "compare", r->out, r->out, NULL };
	FILE *f;

	NEED_RUNS();
	need_exit(r, 0);
	snprintf(series, sizeof(series), "%s.intervals.jsonl", r->out);
	snprintf(html, sizeof(html), "%s/r.html", r->dir);
	f = fopen(series, "a");
	ck_assert_ptr_nonnull(f);
	fputs("{\"run\":0,\"t_s\":61.0,\"len_s\":1.0,\"read_i", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(runbin_run(rep, &o, &rr), 0);
	ck_assert_msg(rr.status == 0, "report exited %d: %s", rr.status, rr.err);
	runbin_result_free(&rr);
	text = runbin_slurp(html);
	ck_assert_ptr_nonnull(text);
	/* The heatmap's caption counts the intervals the loader read. */
	snprintf(want, sizeof(want), "(%zu intervals in", json_array_size(r->lines));
	ck_assert_msg(strstr(text, want), "no \"%s\" in the report", want);
	ck_assert(strstr(text, "id=\"chart-heatmap\""));
	free(text);
	ck_assert_int_eq(runbin_run(cmp, &o, &rr), 0);
	ck_assert_msg(rr.status == 0, "compare exited %d: %s", rr.status, rr.err);
	runbin_result_free(&rr);
}
END_TEST

/* ---- drift ----------------------------------------------------------------------------- */

START_TEST(drift_steady)
{
	const struct endrun *r = &runs[STEADY];

	NEED_RUNS();
	need_exit(r, 0);
	ck_assert(json_is_true(runbin_jget(r->doc, "results.drift.iops.valid")));
	ck_assert_msg(strcmp(jstr(r->doc, "results.drift.iops.verdict"), "no evidence of drift") ==
		      0, "steady device: %s, %+.2f%% [%+.2f%%, %+.2f%%], p %g",
		      jstr(r->doc, "results.drift.iops.verdict"),
		      jnum(r->doc, "results.drift.iops.change_pct"),
		      jnum(r->doc, "results.drift.iops.change_low_pct"),
		      jnum(r->doc, "results.drift.iops.change_high_pct"),
		      jnum(r->doc, "results.drift.iops.p_value"));
	ck_assert_int_eq((long long)jnum(r->doc, "results.drift.iops.block_intervals"), 1);
	/* Never an hour's figure from a minute. */
	ck_assert_ptr_null(runbin_jget(r->doc, "results.drift.iops.change_per_hour_pct"));
	ck_assert_ptr_null(runbin_jget(r->doc, "results.drift.iops.slope_per_hour_pct"));
	fprintf(stderr, "check_endurance: steady: IOPS %+.2f%% [%+.2f%%, %+.2f%%] p %.3g: %s\n",
		jnum(r->doc, "results.drift.iops.change_pct"),
		jnum(r->doc, "results.drift.iops.change_low_pct"),
		jnum(r->doc, "results.drift.iops.change_high_pct"),
		jnum(r->doc, "results.drift.iops.p_value"),
		jstr(r->doc, "results.drift.iops.verdict"));
}
END_TEST

START_TEST(drift_slowed)
{
	const struct endrun *r = &runs[SLOWED];

	NEED_RUNS();
	need_exit(r, 1);
	ck_assert_str_eq(jstr(r->doc, "results.drift.iops.verdict"), "drifting");
	ck_assert_msg(jnum(r->doc, "results.drift.iops.change_high_pct") < 0,
		      "the interval [%+.1f%%, %+.1f%%] reaches 0",
		      jnum(r->doc, "results.drift.iops.change_low_pct"),
		      jnum(r->doc, "results.drift.iops.change_high_pct"));
	ck_assert(jnum(r->doc, "results.drift.iops.change_low_pct") <=
		  jnum(r->doc, "results.drift.iops.change_pct"));
	ck_assert(jnum(r->doc, "results.drift.iops.change_pct") <= -10);
	ck_assert_str_eq(jstr(r->doc, "results.drift.gate"), "fail");
	ck_assert_msg(strstr(r->res.err, "--max-drift 10%"), "stderr: %s", r->res.err);
	fprintf(stderr, "check_endurance: slowed: IOPS %+.1f%% [%+.1f%%, %+.1f%%] p %.3g; "
		"p99 %+.1f%% [%+.1f%%, %+.1f%%]: %s\n",
		jnum(r->doc, "results.drift.iops.change_pct"),
		jnum(r->doc, "results.drift.iops.change_low_pct"),
		jnum(r->doc, "results.drift.iops.change_high_pct"),
		jnum(r->doc, "results.drift.iops.p_value"),
		jnum(r->doc, "results.drift.p99_ns.change_pct"),
		jnum(r->doc, "results.drift.p99_ns.change_low_pct"),
		jnum(r->doc, "results.drift.p99_ns.change_high_pct"),
		jstr(r->doc, "results.drift.p99_ns.verdict"));
}
END_TEST

/* ---- steady state ---------------------------------------------------------------------- */

START_TEST(steady_state_after_warmup)
{
	const struct endrun *r = &runs[WARMUP];
	double at, start, dur;

	NEED_RUNS();
	need_exit(r, 0);
	ck_assert(json_is_true(runbin_jget(r->doc, "results.steady_state.reached")));
	ck_assert_str_eq(jstr(r->doc, "results.steady_state.rule"), "iops:10%:10s:0s");
	at = jnum(r->doc, "results.steady_state.at_s");
	start = jnum(r->doc, "results.steady_state.window_start_s");
	dur = jnum(r->doc, "results.duration_s");
	/* The cap rose until 10 s (the tool started a little later): the window comes after. */
	ck_assert_msg(start >= RAISE_AT_S - 2 && at >= start + 9 && at < 40,
		      "steady %.1f-%.1f s, the cap raised at ~%d s", start, at, RAISE_AT_S);
	/* --steady-state-stop: the run ended there, not after its minute. */
	ck_assert_msg(dur < at + 3, "measured %.1f s, steady at %.1f s", dur, at);
	ck_assert(json_is_true(runbin_jget(r->doc, "params.steady_state_stop")));
	/* The drift is tested from the steady state on. */
	ck_assert(json_is_true(runbin_jget(r->doc, "results.drift.warmup_excluded")));
	ck_assert_msg(jnum(r->doc, "results.drift.iops.from_s") >= start - 1e-6,
		      "drift from %.1f s, steady from %.1f s",
		      jnum(r->doc, "results.drift.iops.from_s"), start);
	ck_assert_msg(strstr(r->res.out, "steady state: reached after"), "%s", r->res.out);
	fprintf(stderr, "check_endurance: warmup: steady state after %.1f s (window %.1f-%.1f s), "
		"run stopped at %.1f s\n", at, start, at, dur);
}
END_TEST

/* ---- live ------------------------------------------------------------------------------ */

/* Standard error is a pipe here: a status line every 10 s all the same. */
START_TEST(status_lines_into_a_pipe)
{
	const struct endrun *r = &runs[STEADY];
	const char *p;
	unsigned n = 0;

	NEED_RUNS();
	need_exit(r, 0);
	for (p = r->res.err; (p = strstr(p, "endurance: ")); p++) {
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
		if (!strstr(line, "IOPS"))
			continue;
		n++;
		ck_assert_msg(strstr(line, "MB/s") && strstr(line, "p99") && strstr(line, "errors") &&
			      strstr(line, "drift IOPS"), "status line: %s", line);
		ck_assert_msg(!strchr(line, '\r') && !strchr(line, '\033'),
			      "terminal controls in a pipe: %s", line);
	}
	ck_assert_msg(n >= 5 && n <= 7, "%u status lines in a minute at 10 s: %s", n, r->res.err);
}
END_TEST

START_TEST(metrics_file)
{
	const struct endrun *r = &runs[STEADY];
	char want[256], cmd[600], *text;
	int rc;

	NEED_RUNS();
	need_exit(r, 0);
	text = runbin_slurp(r->metrics);
	ck_assert_msg(text != NULL, "no %s", r->metrics);
	snprintf(want, sizeof(want), "dmremap_bench_ops_total{direction=\"read\",device=\"%s\"} %.0f\n",
		 r->ld.path, jnum(r->doc, "results.read.ops"));
	ck_assert_msg(strstr(text, want), "no \"%s\" in:\n%s", want, text);
	ck_assert(strstr(text, "# TYPE dmremap_bench_latency_seconds histogram\n"));
	ck_assert(strstr(text, "dmremap_bench_running 0\n"));
	free(text);
	if (access("/usr/bin/promtool", X_OK)) {
		fprintf(stderr, "check_endurance: no promtool (Debian package prometheus): the "
			"format check skipped\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s' >&2", r->metrics);
	rc = system(cmd);
	ck_assert_msg(rc == 0, "promtool check metrics %s: status %d", r->metrics, rc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("endurance");
	TCase *tc = tcase_create("runs");

	tcase_add_unchecked_fixture(tc, setup_all, teardown_all);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, companion_lines);
	tcase_add_test(tc, document_twice);
	tcase_add_test(tc, histograms_merge_exactly);
	tcase_add_test(tc, drift_steady);
	tcase_add_test(tc, drift_slowed);
	tcase_add_test(tc, steady_state_after_warmup);
	tcase_add_test(tc, status_lines_into_a_pipe);
	tcase_add_test(tc, metrics_file);
	/* Last: it appends a torn line to the steady run's series. */
	tcase_add_test(tc, readers_and_torn_line);
	suite_add_tcase(s, tc);
	return runbin_run_suite(s, TAG, loopdev_sweep);
}
