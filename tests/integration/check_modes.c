/*
 * End-to-end runs of the stress modes without root: each production
 * workload profile (and the numeric codes of the original interface), the
 * scale sweep over a 10 GiB sparse scratch file, and endurance with its
 * interval series, drift, and the result file a killed run leaves behind.
 * Every run gets a fresh directory under /dev/shm as TMPDIR; the test
 * checks the tool left nothing there but what it was asked to write.
 */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runbin.h"

#define TAG "modes"
#define GiB (1024LL * 1024 * 1024)

static char *fresh_dir(void)
{
	char *d = runbin_tmpdir(TAG);

	ck_assert_msg(d != NULL, "cannot create a directory in /dev/shm");
	return d;
}

static void remove_dir(char *dir)
{
	ck_assert_int_eq(runbin_rmtree(dir), 0);
	free(dir);
}

/* The options for a run with TMPDIR=dir; env must outlive the run. */
static void opts_in(const char *dir, char **env, const char *envv[2], struct runbin_opts *o)
{
	ck_assert_int_ge(asprintf(env, "TMPDIR=%s", dir), 0);
	envv[0] = *env;
	envv[1] = NULL;
	*o = (struct runbin_opts){ .env = envv, .as_uid = -1, .timeout_ms = 90000 };
}

/* Run the binary with TMPDIR=dir; its stdout as JSON (NULL if it is not). */
static json_t *run_json(const char *dir, const char *const *args, struct runbin_result *r)
{
	char *env;
	const char *envv[2];
	struct runbin_opts o;

	opts_in(dir, &env, envv, &o);
	ck_assert_int_eq(runbin_run(args, &o, r), 0);
	free(env);
	ck_assert_msg(!r->timed_out, "%s %s did not finish", runbin_path(), args[0]);
	return runbin_json(r->out);
}

static json_t *need(json_t *doc, const char *path)
{
	json_t *j = runbin_jget(doc, path);

	ck_assert_msg(j != NULL, "%s is missing", path);
	return j;
}

static long long need_int(json_t *doc, const char *path)
{
	json_t *j = need(doc, path);

	ck_assert_msg(json_is_integer(j), "%s is not an integer", path);
	return (long long)json_integer_value(j);
}

static double need_num(json_t *doc, const char *path)
{
	json_t *j = need(doc, path);

	ck_assert_msg(json_is_number(j), "%s is not a number", path);
	return json_number_value(j);
}

static const char *need_str(json_t *doc, const char *path)
{
	json_t *j = need(doc, path);

	ck_assert_msg(json_is_string(j), "%s is not a string", path);
	return json_string_value(j);
}

static json_t *need_arr(json_t *doc, const char *path, size_t min, size_t max)
{
	json_t *j = need(doc, path);

	ck_assert_msg(json_is_array(j), "%s is not an array", path);
	ck_assert_msg(json_array_size(j) >= min && json_array_size(j) <= max,
		      "%s has %zu entries, expected %zu to %zu", path, json_array_size(j), min,
		      max);
	return j;
}

/* ---- workload ------------------------------------------------------------------ */

/* The expectations for one stream of a profile. */
struct want_stream {
	const char *name;
	int read_pct;            /* -1: the VM streams, checked below */
	const char *access;
};

static const struct want_stream db_streams[] = {
	{ "data", 70, "zipf" }, { "log", 0, "sequential" },
};
static const struct want_stream fs_streams[] = { { "files", 80, "sequential_runs" } };
static const struct want_stream vm_streams[] = {
	{ "vm0", 60, "random" }, { "vm1", 60, "random" }, { "vm2", 60, "random" },
	{ "vm3", 60, "random" }, { "vm4", 60, "random" },
};

/*
 * results.streams (the run) against params.streams (the plan) and the
 * profile: names, operations, read shares, regions inside the target.
 */
static void check_streams(json_t *res, json_t *plan, const struct want_stream *w, size_t n,
			  long long size)
{
	long long sum = 0, prev_end = 0;
	size_t i;

	ck_assert_msg(json_array_size(json_object_get(res, "streams")) == n,
		      "%zu result streams, expected %zu",
		      json_array_size(json_object_get(res, "streams")), n);
	ck_assert_msg(json_array_size(plan) == n, "%zu planned streams, expected %zu",
		      json_array_size(plan), n);
	for (i = 0; i < n; i++) {
		json_t *s = json_array_get(json_object_get(res, "streams"), i);
		json_t *p = json_array_get(plan, i);
		long long rd = need_int(s, "read.ops"), wr = need_int(s, "write.ops");
		long long off = need_int(p, "span_offset"), len = need_int(p, "span_bytes");

		ck_assert_str_eq(need_str(s, "name"), w[i].name);
		ck_assert_str_eq(need_str(p, "name"), w[i].name);
		ck_assert_str_eq(need_str(p, "access"), w[i].access);
		ck_assert_int_eq(need_int(p, "read_pct"), w[i].read_pct);
		ck_assert_int_eq(need_int(s, "workers"), need_int(p, "workers"));
		ck_assert_msg(rd + wr > 0, "stream %s did no I/O", w[i].name);
		ck_assert_int_eq(need_int(s, "total.ops"), rd + wr);
		ck_assert_int_eq(need_int(s, "errors.io"), 0);
		if (w[i].read_pct == 0) {
			ck_assert_msg(rd == 0, "stream %s: %lld reads, expected writes only",
				      w[i].name, rd);
		} else {
			double share = (double)rd / (double)(rd + wr);

			/* Thousands of I/Os at least: a few points of slack. */
			ck_assert_msg(rd + wr > 1000, "stream %s: only %lld I/Os", w[i].name,
				      rd + wr);
			ck_assert_msg(fabs(share - w[i].read_pct / 100.0) < 0.05,
				      "stream %s: %.3f of I/Os are reads, expected %.2f",
				      w[i].name, share, w[i].read_pct / 100.0);
		}
		/* In order, disjoint, inside the target. */
		ck_assert_msg(off >= prev_end && len > 0 && off + len <= size,
			      "stream %s: region [%lld, +%lld) (previous end %lld, size %lld)",
			      w[i].name, off, len, prev_end, size);
		prev_end = off + len;
		sum += rd + wr;
	}
	ck_assert_int_eq(need_int(res, "total.ops"), sum);
}

struct workload_case {
	const char *args[12];
	const char *type;                  /* params.type */
	const struct want_stream *streams;
	size_t nstreams;
	long long workers[2];              /* of the first two planned streams; 0: skip */
};

static const struct workload_case workload_cases[] = {
	{ { "workload", "database", "--intensity", "light", "--duration", "2",
	    "--output-format", "json" }, "database", db_streams, 2, { 4, 1 } },
	{ { "workload", "file_server", "--intensity", "light", "--duration", "2",
	    "--output-format", "json" }, "file_server", fs_streams, 1, { 3, 0 } },
	{ { "workload", "virtualization", "--intensity", "light", "--duration", "2",
	    "--output-format", "json" }, "virtualization", vm_streams, 5, { 1, 1 } },
	/* The original interface's numbers: 0 = database, 1 = light. */
	{ { "workload", "0", "--intensity", "1", "--duration", "2",
	    "--output-format", "json" }, "database", db_streams, 2, { 4, 1 } },
};

START_TEST(workload_profile)
{
	const struct workload_case *c = &workload_cases[_i];
	char *dir = fresh_dir();
	struct runbin_result r;
	json_t *doc;
	long long size;

	doc = run_json(dir, c->args, &r);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	ck_assert_msg(doc != NULL, "stdout is not JSON: %s", r.out);
	ck_assert_str_eq(need_str(doc, "command"), "workload");
	ck_assert_str_eq(need_str(doc, "params.type"), c->type);
	ck_assert_str_eq(need_str(doc, "params.intensity"), "light");
	ck_assert(json_is_false(need(doc, "interrupted")));
	size = need_int(doc, "target.size_bytes");
	ck_assert_int_gt(size, 0);
	check_streams(need(doc, "results"), need(doc, "params.streams"), c->streams, c->nstreams,
		      size);
	if (c->workers[0])
		ck_assert_int_eq(need_int(doc, "params.streams.0.workers"), c->workers[0]);
	if (c->workers[1])
		ck_assert_int_eq(need_int(doc, "params.streams.1.workers"), c->workers[1]);
	/* Light: one I/O in flight per worker. */
	ck_assert_int_eq(need_int(doc, "params.streams.0.iodepth_per_worker"), 1);
	ck_assert_msg(fabs(need_num(doc, "results.duration_s") - 2.0) < 0.5, "duration_s %f",
		      need_num(doc, "results.duration_s"));
	/* The scratch file is gone. */
	ck_assert_int_eq(runbin_count_entries(dir), 0);
	json_decref(doc);
	runbin_result_free(&r);
	remove_dir(dir);
}
END_TEST

START_TEST(workload_mixed)
{
	static const char *const args[] = { "workload", "mixed", "--phases", "3", "--intensity",
					    "light", "--duration", "3", "--output-format", "json",
					    NULL };
	/* dmremap-bench-workload(1): a phase is named after its profile. */
	static const char *const types[] = { "database", "file_server", "virtualization" };
	static const struct { const struct want_stream *w; size_t n; } want[] = {
		{ db_streams, 2 }, { fs_streams, 1 }, { vm_streams, 4 },  /* 4 VMs: base 4 */
	};
	char *dir = fresh_dir(), path[64];
	struct runbin_result r;
	json_t *doc, *phases;
	long long sum = 0, size;
	size_t i;

	doc = run_json(dir, args, &r);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	ck_assert_msg(doc != NULL, "stdout is not JSON: %s", r.out);
	ck_assert_str_eq(need_str(doc, "params.type"), "mixed");
	ck_assert_int_eq(need_int(doc, "params.phases"), 3);
	size = need_int(doc, "target.size_bytes");
	phases = need_arr(doc, "results.phases", 3, 3);
	need_arr(doc, "params.streams", 3, 3);
	for (i = 0; i < 3; i++) {
		json_t *ph = json_array_get(phases, i);

		ck_assert_msg(strcmp(need_str(ph, "name"), types[i]) == 0,
			      "phase %zu is named '%s', expected '%s'", i + 1,
			      need_str(ph, "name"), types[i]);
		ck_assert_int_eq(need_int(ph, "phase"), (long long)i + 1);
		snprintf(path, sizeof(path), "params.streams.%zu", i);
		check_streams(ph, need(doc, path), want[i].w, want[i].n, size);
		/* Mixed runs every phase with 4 workers (first stream) at light. */
		snprintf(path, sizeof(path), "params.streams.%zu.0.workers", i);
		ck_assert_int_eq(need_int(doc, path), i == 2 ? 1 : 4);
		/* Equal shares of the duration. */
		ck_assert_msg(fabs(need_num(ph, "duration_s") - 1.0) < 0.4,
			      "phase %zu lasted %f s", i + 1, need_num(ph, "duration_s"));
		sum += need_int(ph, "total.ops");
	}
	ck_assert_int_eq(need_int(doc, "results.total.ops"), sum);
	/* The totals over all phases have no streams of their own. */
	need_arr(doc, "results.streams", 0, 0);
	ck_assert_int_eq(runbin_count_entries(dir), 0);
	json_decref(doc);
	runbin_result_free(&r);
	remove_dir(dir);
}
END_TEST

/* ---- scale -------------------------------------------------------------------- */

START_TEST(scale_two_steps)
{
	static const char *const args[] = { "scale", "--dataset", "10G", "--steps", "2",
					    "--duration", "4", "--output-format", "json", NULL };
	char *dir = fresh_dir();
	struct runbin_result r;
	json_t *doc, *steps;
	long long span1, span2;
	double d1, d2;

	doc = run_json(dir, args, &r);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	ck_assert_msg(doc != NULL, "stdout is not JSON: %s", r.out);
	ck_assert_str_eq(need_str(doc, "command"), "scale");
	ck_assert_int_eq(need_int(doc, "target.size_bytes"), 10 * GiB);
	ck_assert(json_is_true(need(doc, "target.scratch")));
	ck_assert_int_eq(need_int(doc, "params.dataset_bytes"), 10 * GiB);
	ck_assert_int_eq(need_int(doc, "params.steps"), 2);
	steps = need_arr(doc, "results.steps", 2, 2);
	ck_assert_int_eq(need_int(json_array_get(steps, 0), "step"), 1);
	ck_assert_int_eq(need_int(json_array_get(steps, 1), "step"), 2);
	/* 8-fold per step: 10G / 8 = 1.25G, then the whole dataset. */
	span1 = need_int(json_array_get(steps, 0), "span_bytes");
	span2 = need_int(json_array_get(steps, 1), "span_bytes");
	ck_assert_msg(span1 > 10 * GiB / 8 - (1 << 20) && span1 <= 10 * GiB / 8,
		      "step 1 spans %lld bytes, expected ~1.25G", span1);
	ck_assert_int_eq(span2, 10 * GiB);
	ck_assert_int_gt(need_int(json_array_get(steps, 0), "total.ops"), 0);
	ck_assert_int_gt(need_int(json_array_get(steps, 1), "total.ops"), 0);
	d1 = need_num(json_array_get(steps, 0), "duration_s");
	d2 = need_num(json_array_get(steps, 1), "duration_s");
	ck_assert_msg(fabs(d1 - 2.0) < 0.5 && fabs(d2 - 2.0) < 0.5,
		      "steps lasted %f and %f s of a 4 s run", d1, d2);
	need_num(doc, "results.change_first_to_last_pct.iops");
	need_num(doc, "results.change_first_to_last_pct.lat_p99");
	ck_assert_int_eq(runbin_count_entries(dir), 0);
	json_decref(doc);
	runbin_result_free(&r);
	remove_dir(dir);
}
END_TEST

/* ---- endurance ------------------------------------------------------------------- */

struct started {
	struct runbin rb;
	char *env, *out;
	const char *envv[2];
	struct runbin_opts o;
};

static void start_endurance(struct started *s, const char *dir, const char *name)
{
	const char *args[] = { "endurance", "--duration", "1m", "--interval", "5s", "--intensity",
			       "light", "-o", NULL, "--output-format", "json", NULL };

	ck_assert_int_ge(asprintf(&s->out, "%s/%s", dir, name), 0);
	args[8] = s->out;
	opts_in(dir, &s->env, s->envv, &s->o);
	ck_assert_int_eq(runbin_start(&s->rb, args, &s->o), 0);
}

/* The lines of a JSON Lines file, each parsed (NULL when one is not an object). */
static json_t *jsonl(const char *path)
{
	char *text = runbin_slurp(path), *p, *nl;
	json_t *a = json_array();

	ck_assert_msg(text != NULL, "%s was not written", path);
	for (p = text; (nl = strchr(p, '\n')); p = nl + 1) {
		json_t *j;

		*nl = '\0';
		j = runbin_json(p);
		ck_assert_msg(json_is_object(j), "%s: a line is not a JSON object: %.80s", path, p);
		json_array_append_new(a, j);
	}
	free(text);
	return a;
}

/*
 * Two runs at once, to keep the test short: one runs its minute, the other
 * is killed (no chance to clean up) after 17 s, three intervals in.
 */
START_TEST(endurance_runs)
{
	char *dir = fresh_dir(), *text, *series;
	struct started full, killed;
	struct runbin_result rf, rk;
	json_t *doc, *lines;
	size_t n;

	start_endurance(&full, dir, "full.json");
	start_endurance(&killed, dir, "killed.json");
	ck_assert_int_eq(runbin_kill(&killed.rb, SIGKILL, 17000), 0);
	ck_assert_int_eq(runbin_wait(&killed.rb, &rk), 0);
	ck_assert_int_eq(rk.status, 128 + SIGKILL);

	/*
	 * What the killed run left: the document of the start (valid JSON,
	 * marked incomplete) and the series so far beside it, a line per
	 * interval, one interval behind the run.
	 */
	text = runbin_slurp(killed.out);
	ck_assert_msg(text != NULL, "the killed run left no %s", killed.out);
	doc = runbin_json(text);
	ck_assert_msg(doc != NULL, "%s is not valid JSON after SIGKILL", killed.out);
	ck_assert_str_eq(need_str(doc, "tool"), "dmremap-bench");
	ck_assert_str_eq(need_str(doc, "command"), "endurance");
	ck_assert(json_is_false(need(doc, "complete")));
	ck_assert_str_eq(need_str(doc, "intervals_file.path"), "killed.json.intervals.jsonl");
	json_decref(doc);
	free(text);
	ck_assert_int_ge(asprintf(&series, "%s/killed.json.intervals.jsonl", dir), 0);
	lines = jsonl(series);
	free(series);
	n = json_array_size(lines);
	ck_assert_msg(n >= 1 && n <= 3, "%zu intervals after 17 s at 5 s", n);
	ck_assert_msg(need_num(lines, "0.read_iops") > 0, "no reads at first");
	need(lines, "0.lat_hist.read.buckets");
	ck_assert_int_eq(need_int(lines, "0.run"), 0);
	ck_assert_int_gt(need_int(lines, "0.t_ns"), 0);
	json_decref(lines);

	ck_assert_int_eq(runbin_wait(&full.rb, &rf), 0);
	ck_assert_msg(!rf.timed_out, "the 1 minute run did not finish");
	ck_assert_msg(rf.status == RB_EXIT_OK, "exit %d: %s", rf.status, rf.err);
	text = runbin_slurp(full.out);
	ck_assert_msg(text != NULL, "%s was not written", full.out);
	doc = runbin_json(text);
	ck_assert_msg(doc != NULL, "%s is not valid JSON", full.out);
	ck_assert(json_is_true(need(doc, "complete")));
	ck_assert(json_is_false(need(doc, "interrupted")));
	ck_assert_str_eq(need_str(doc, "params.intensity"), "light");
	ck_assert_msg(runbin_jget(doc, "results.intervals") == NULL,
		      "the series is inline, not in the companion");
	ck_assert_int_ge(asprintf(&series, "%s/full.json.intervals.jsonl", dir), 0);
	lines = jsonl(series);
	free(series);
	/* A minute sampled every 5 s. */
	n = json_array_size(lines);
	ck_assert_msg(n >= 11 && n <= 13, "%zu intervals", n);
	ck_assert_int_eq(need_int(doc, "intervals_file.count"), (long long)n);
	ck_assert_msg(fabs(need_num(lines, "0.len_s") - 5.0) < 0.5,
		      "the first interval lasted %f s", need_num(lines, "0.len_s"));
	ck_assert_msg(fabs(need_num(doc, "results.duration_s") - 60.0) < 2.0, "duration_s %f",
		      need_num(doc, "results.duration_s"));
	ck_assert(json_is_true(need(doc, "results.drift.iops.valid")));
	ck_assert_int_ge(need_int(doc, "results.drift.iops.intervals"), (long long)n - 1);
	ck_assert_int_le(need_int(doc, "results.drift.iops.intervals"), (long long)n);
	ck_assert_msg(need_num(doc, "results.drift.iops.mean") > 0, "drift mean IOPS is 0");
	need_num(doc, "results.drift.iops.change_pct");
	need_str(doc, "results.drift.iops.verdict");
	need(doc, "results.drift.p99_ns.valid");
	ck_assert_int_gt(need_int(doc, "results.total.ops"), 0);
	json_decref(lines);
	json_decref(doc);
	free(text);

	runbin_result_free(&rk);
	runbin_result_free(&rf);
	free(full.env);
	free(full.out);
	free(killed.env);
	free(killed.out);
	/*
	 * The two result files and their series only: the scratch file is
	 * unlinked once open, so even the killed run leaves none (and no
	 * half-written temporary).
	 */
	ck_assert_int_eq(runbin_count_entries(dir), 4);
	remove_dir(dir);
}
END_TEST

/*
 * SIGTERM: the run stops early, drains, writes its full result once more
 * and exits 143; the file says it is incomplete and interrupted, as
 * dmremap-bench-endurance(1) says, and compare refuses it.
 */
START_TEST(endurance_sigterm)
{
	const char *args[] = { "endurance", "--duration", "1m", "--interval", "1s", "--intensity",
			       "light", "-o", NULL, "--output-format", "json", NULL };
	char *dir = fresh_dir(), *env, *out, *text;
	const char *envv[2];
	struct runbin_opts o;
	struct runbin rb;
	struct runbin_result r;
	json_t *doc;

	ck_assert_int_ge(asprintf(&out, "%s/term.json", dir), 0);
	args[8] = out;
	opts_in(dir, &env, envv, &o);
	ck_assert_int_eq(runbin_start(&rb, args, &o), 0);
	ck_assert_int_eq(runbin_kill(&rb, SIGTERM, 3500), 0);
	ck_assert_int_eq(runbin_wait(&rb, &r), 0);
	ck_assert_msg(r.status == RB_EXIT_SIGTERM, "exit %d: %s", r.status, r.err);
	text = runbin_slurp(out);
	ck_assert_msg(text != NULL, "%s was not written", out);
	doc = runbin_json(text);
	ck_assert_msg(doc != NULL, "%s is not valid JSON", out);
	ck_assert(json_is_false(need(doc, "complete")));
	ck_assert(json_is_true(need(doc, "interrupted")));
	/* The final document, not the one written during the run; the series beside it. */
	ck_assert_int_gt(need_int(doc, "results.total.ops"), 0);
	{
		char *series;
		json_t *lines;
		size_t n;

		ck_assert_int_ge(asprintf(&series, "%s.intervals.jsonl", out), 0);
		lines = jsonl(series);
		free(series);
		n = json_array_size(lines);
		ck_assert_msg(n >= 2 && n <= 4, "%zu intervals in 3.5 s at 1 s", n);
		ck_assert_int_eq(need_int(doc, "intervals_file.count"), (long long)n);
		json_decref(lines);
	}
	json_decref(doc);
	free(text);
	runbin_result_free(&r);
	{
		const char *cmp[] = { "compare", out, out, NULL };

		json_decref(run_json(dir, cmp, &r));
		ck_assert_msg(r.status == RB_EXIT_USAGE, "compare exit %d: %s", r.status, r.err);
		ck_assert_msg(strstr(r.err, "incomplete"), "%s", r.err);
		runbin_result_free(&r);
	}
	free(env);
	free(out);
	/* The document and its series. */
	ck_assert_int_eq(runbin_count_entries(dir), 2);
	remove_dir(dir);
}
END_TEST

static Suite *modes_suite(void)
{
	Suite *s = suite_create("modes");
	TCase *tc;

	tc = tcase_create("workload");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, workload_profile, 0,
			    (int)(sizeof(workload_cases) / sizeof(workload_cases[0])));
	tcase_add_test(tc, workload_mixed);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, scale_two_steps);
	suite_add_tcase(s, tc);

	tc = tcase_create("endurance");
	tcase_set_timeout(tc, 110);
	tcase_add_test(tc, endurance_runs);
	tcase_add_test(tc, endurance_sigterm);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return runbin_run_suite(modes_suite(), TAG, NULL);
}
