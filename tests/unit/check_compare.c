/*
 * Comparing results: loading what --baseline and compare are given
 * (malformed, truncated, huge), extracting metrics from dmremap-bench and
 * fio documents (real fio output in tests/fixtures), parameter mismatches
 * and environment differences, the per-metric verdicts and exit status on
 * synthetic result pairs, and the named baseline store.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compare/compare.h"
#include "compare/metrics.h"
#include "result/baseline_store.h"
#include "result/history.h"
#include "result/load.h"
#include "util/log.h"

#define NINTERVALS 60
#define NRUNS 8        /* runs of a synthetic document, per side */

/* ---- scratch directories --------------------------------------------------- */

/*
 * main() makes one directory for the whole run ($DMRB_COMPARE_SCRATCH) and
 * removes it at the end, so what a failed test (ended by Check mid-way)
 * leaves is removed too; each test works in a directory of its own below.
 */
#define SCRATCH_ENV "DMRB_COMPARE_SCRATCH"

static char *scratch_dir(void)
{
	const char *top = getenv(SCRATCH_ENV);
	char *p;

	ck_assert_msg(top != NULL, "%s is not set", SCRATCH_ENV);
	ck_assert_int_ge(asprintf(&p, "%s/t-XXXXXX", top), 0);
	ck_assert_ptr_nonnull(mkdtemp(p));
	return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int rmtree(const char *dir)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void scratch_remove(char *dir)
{
	ck_assert_int_eq(rmtree(dir), 0);
	free(dir);
}

static char *path_in(const char *dir, const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The fixture path under $srcdir (the test harness exports it). */
static char *fixture(const char *name)
{
	const char *src = getenv("srcdir");
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/tests/fixtures/%s", src && *src ? src : ".", name), 0);
	ck_assert_msg(access(p, R_OK) == 0, "fixture %s not found (set srcdir)", p);
	return p;
}

/* ---- synthetic result documents ------------------------------------------ */

struct docspec {
	const char *command;        /* "concurrency" when NULL */
	double iops_scale;          /* run's throughput against the baseline's (1.0) */
	double lat_scale;           /* likewise for latencies */
	unsigned noise_phase;       /* shifts the per-interval jitter */
	long long io_errors;
	const char *bs_key;         /* a params key to set to bs_val ("bs" when NULL) */
	long long bs_val;           /* 4096 when 0 */
	long long seed, rate_iops;
	const char *target;         /* params.target and target.path */
	const char *kernel;
	long long size_bytes;       /* target.size_bytes */
	size_t nintervals;          /* NINTERVALS when 0 */
	unsigned nruns;             /* NRUNS when 0; 1: no "runs" (one run, schema 1 style) */
	double run_spread;          /* run-to-run jitter, fraction (0.03 when 0) */
	double interval_scale;      /* the intervals' throughput against the runs' (1.0) */
	double ref_iops_scale;      /* >0: an interleaved reference, the target at this ratio */
	double drift;               /* every figure of target and reference scaled by this (1.0) */
	const char *rw;             /* params.rw: "randrw" when NULL */
	long long rwmix;            /* params.rwmix_read: 70 when 0 */
};

/* Deterministic jitter of +-1% so the samples are not all equal. */
static double jitter(size_t i, unsigned phase)
{
	return 1.0 + 0.01 * ((double)((i * 37 + phase * 11) % 21) - 10.0) / 10.0;
}

static json_t *lat_obj(double base, double scale)
{
	return json_pack("{s:f, s:f, s:f, s:f}", "mean", base * 1.2 * scale, "p50", base * scale,
			 "p99", base * 4 * scale, "p99.9", base * 9 * scale);
}

static json_t *dir_obj(double iops, double secs, double lat, double lscale)
{
	json_t *lat_ns = lat_obj(lat, lscale);

	json_object_set_new(lat_ns, "min", json_integer(1000));
	json_object_set_new(lat_ns, "max", json_integer((json_int_t)(lat * 50 * lscale)));
	return json_pack("{s:I, s:I, s:f, s:f, s:o}", "ops", (json_int_t)(iops * secs),
			 "bytes", (json_int_t)(iops * secs * 4096), "iops", iops,
			 "bw_bytes_per_s", iops * 4096, "lat_ns", lat_ns);
}

/* A run's jitter, -1..1, deterministic. */
static double run_jitter(unsigned i, unsigned phase)
{
	return ((double)((i * 7 + phase * 3 + 2) % 9) - 4.0) / 4.0;
}

static json_t *results_obj(double scale, double lscale, double secs, long long io_errors)
{
	return json_pack("{s:f, s:o, s:o, s:o, s:{s:I, s:I, s:I}}", "duration_s", secs,
			 "read", dir_obj(7000 * scale, secs, 50000, lscale),
			 "write", dir_obj(3000 * scale, secs, 60000, lscale),
			 "total", dir_obj(10000 * scale, secs, 53000, lscale),
			 "errors", "io", (json_int_t)io_errors, "short", (json_int_t)0,
			 "verify", (json_int_t)0);
}

/* A slice summary of a reference pair: {read|write|total: {ops, iops, lat_*_ns}}. */
static json_t *slice_obj(double scale, double lscale)
{
	json_t *o = json_object();
	static const char *const ds[] = { "read", "write", "total" };
	static const double share[] = { 0.7, 0.3, 1.0 };
	int k;

	for (k = 0; k < 3; k++)
		json_object_set_new(o, ds[k], json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f}",
			"ops", (json_int_t)(10000 * scale * share[k]),
			"iops", 10000 * scale * share[k], "bw_bytes_per_s", 40960000 * scale * share[k],
			"lat_mean_ns", 60000 * lscale, "lat_p50_ns", 50000 * lscale,
			"lat_p99_ns", 200000 * lscale, "lat_p99.9_ns", 450000 * lscale));
	return o;
}

static json_t *make_doc(const struct docspec *d)
{
	size_t n = d->nintervals ? d->nintervals : NINTERVALS, i;
	unsigned nruns = d->nruns ? d->nruns : NRUNS, k;
	double drift = d->drift ? d->drift : 1.0;
	double scale = (d->iops_scale ? d->iops_scale : 1.0) * drift;
	double lscale = (d->lat_scale ? d->lat_scale : 1.0) / drift;
	double spread = d->run_spread ? d->run_spread : 0.03;
	double iscale = scale * (d->interval_scale ? d->interval_scale : 1.0);
	json_t *iv = json_array(), *params, *doc, *runs, *pairs;

	for (i = 0; i < n; i++) {
		double j = jitter(i, d->noise_phase);
		double r = 7000 * iscale * j, w = 3000 * iscale * (2.0 - j);

		json_array_append_new(iv, json_pack(
			"{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:o, s:o}",
			"t_s", (double)(i + 1), "len_s", 1.0, "read_iops", r, "write_iops", w,
			"read_bw_bytes_per_s", r * 4096, "write_bw_bytes_per_s", w * 4096,
			"bw_bytes_per_s", (r + w) * 4096,
			"p99_ns", (json_int_t)(200000 * lscale * j), "errors", (json_int_t)0,
			"read_lat_ns", lat_obj(50000 * j, lscale),
			"write_lat_ns", lat_obj(60000 * j, lscale)));
	}
	params = json_pack("{s:I, s:s, s:I, s:I, s:I, s:f, s:s?, s:b}", "ops", (json_int_t)16,
			   "rw", d->rw ? d->rw : "randrw",
			   "rwmix_read", (json_int_t)(d->rwmix ? d->rwmix : 70),
			   "seed", (json_int_t)(d->seed ? d->seed : 7),
			   "rate_iops", (json_int_t)d->rate_iops, "duration_s", 60.0,
			   "target", d->target, "force", 1);
	json_object_set_new(params, d->bs_key ? d->bs_key : "bs",
			    json_integer(d->bs_val ? d->bs_val : 4096));
	doc = json_pack("{s:i, s:s, s:s, s:s, s:o, s:{s:s, s:s, s:I, s:I, s:b}, "
			"s:{s:s, s:s, s:s, s:i, s:s}, s:b}",
			"schema_version", 2, "tool", "dmremap-bench", "version", "0.1.0",
			"command", d->command ? d->command : "concurrency",
			"params", params,
			"target", "path", d->target ? d->target : "/dev/loop0", "kind", "block",
			"size_bytes", (json_int_t)(d->size_bytes ? d->size_bytes : 268435456),
			"logical_block_size", (json_int_t)512, "scratch", 0,
			"environment", "kernel", d->kernel ? d->kernel : "6.1.0-test",
			"machine", "x86_64", "hostname", "testhost", "cpus", 2,
			"start_time", "2024-01-01T00:00:00Z",
			"interrupted", 0);
	ck_assert_ptr_nonnull(doc);
	json_object_set_new(doc, "results", results_obj(scale, lscale, (double)n, d->io_errors));
	json_object_set_new(json_object_get(doc, "results"), "intervals", iv);
	ck_assert_ptr_nonnull(json_object_get(doc, "results"));
	runs = json_array();
	pairs = json_array();
	for (k = 0; k < nruns; k++) {
		double f = 1.0 + spread * run_jitter(k, d->noise_phase);

		json_array_append_new(runs, json_pack("{s:i, s:o}", "index", (int)k, "results",
			results_obj(scale * f, lscale / f, (double)n / nruns, d->io_errors)));
		if (d->ref_iops_scale > 0) {
			unsigned q;

			/* Three pairs a run; the drift moves both sides of a pair alike. */
			for (q = 0; q < 3; q++) {
				double g = f * (1.0 + 0.01 * run_jitter(q, k));

				json_array_append_new(pairs, json_pack("{s:i, s:i, s:s, s:o, s:o}",
					"run", (int)k, "i", (int)q, "first", q % 2 ? "reference" : "target",
					"target", slice_obj(drift * g * d->ref_iops_scale, 1.0 / (drift * g * d->ref_iops_scale)),
					"reference", slice_obj(drift * g, 1.0 / (drift * g))));
			}
		}
	}
	if (nruns > 1)
		json_object_set_new(doc, "runs", runs);
	else
		json_decref(runs);
	if (d->ref_iops_scale > 0)
		json_object_set_new(doc, "reference", json_pack("{s:s, s:o, s:o}", "kind", "device",
			"results", json_deep_copy(json_object_get(doc, "results")),
			"pairs_detail", pairs));
	else
		json_decref(pairs);
	return doc;
}

struct pair {
	json_t *base, *run;
	struct comparison c;
	char err[1024];
	int rc;
};

static void compare_pair(struct pair *p, const struct docspec *b, const struct docspec *r,
			 bool allow_mismatch)
{
	struct compare_cfg cfg;

	compare_cfg_defaults(&cfg);
	cfg.allow_mismatch = allow_mismatch;
	p->base = make_doc(b);
	p->run = make_doc(r);
	p->err[0] = '\0';
	p->rc = compare_docs(p->base, p->run, "base", &cfg, &p->c, p->err, sizeof(p->err));
	ck_assert_msg(p->rc == 0, "compare_docs: %s", p->err);
}

static void pair_free(struct pair *p)
{
	comparison_free(&p->c);
	json_decref(p->base);
	json_decref(p->run);
}

static const struct compare_row *row(const struct comparison *c, const char *group,
				     const char *dir, const char *name)
{
	size_t i;

	for (i = 0; i < c->nrows; i++)
		if (!strcmp(c->rows[i].base->group, group) && !strcmp(c->rows[i].base->dir, dir) &&
		    !strcmp(c->rows[i].base->name, name))
			return &c->rows[i];
	ck_abort_msg("no row %s/%s/%s", group, dir, name);
	return NULL;
}

/* Whether a JSON array of strings has one containing needle. */
static bool list_has(json_t *a, const char *needle)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		if (strstr(json_string_value(json_array_get(a, i)) ?: "", needle))
			return true;
	return false;
}

/* ---- loading what users hand in ------------------------------------------ */

/* baseline_load of a file with this content must fail with a message containing want. */
static void expect_load_error(const char *dir, const char *name, const char *data, size_t len,
			      const char *want)
{
	char *p = path_in(dir, name), where[4096], err[1024] = "";
	json_t *doc;

	write_file(p, data, len);
	doc = baseline_load(dir, p, where, sizeof(where), err, sizeof(err));
	ck_assert_msg(doc == NULL, "%s loaded", name);
	ck_assert_msg(strstr(err, want) != NULL, "%s: error '%s' does not say '%s'", name, err,
		      want);
	ck_assert_msg(strstr(err, p) != NULL, "%s: error '%s' does not name the file", name, err);
	ck_assert_str_eq(where, p);
	free(p);
}

START_TEST(load_malformed)
{
	char *dir = scratch_dir();
	json_t *good = make_doc(&(struct docspec){ 0 });
	char *text = json_dumps(good, JSON_INDENT(2));
	size_t len = strlen(text);

	ck_assert_ptr_nonnull(text);
	expect_load_error(dir, "empty.json", "", 0, "not valid JSON");
	expect_load_error(dir, "blank.json", " \n\t\n", 4, "not valid JSON");
	expect_load_error(dir, "syntax.json", "{\"a\": }", 8, "not valid JSON");
	expect_load_error(dir, "trailing.json", "{\"a\": 1} x", 10, "not valid JSON");
	expect_load_error(dir, "dup.json", "{\"a\": 1, \"a\": 2}", 16, "not valid JSON");
	expect_load_error(dir, "nul.json", "{\"a\": \"\0\"}", 10, "not valid JSON");
	/* A result cut off half way, and one byte short. */
	expect_load_error(dir, "half.json", text, len / 2, "not valid JSON");
	expect_load_error(dir, "short.json", text, len - 2, "not valid JSON");
	/* Valid JSON, but not an object. */
	expect_load_error(dir, "array.json", "[1, 2, 3]", 9, "expected a JSON object");
	/* (the parser wants an array or object at the top) */
	expect_load_error(dir, "string.json", "\"x\"", 3, "not valid JSON");
	expect_load_error(dir, "number.json", "42", 2, "not valid JSON");
	expect_load_error(dir, "null.json", "null", 4, "not valid JSON");
	free(text);
	json_decref(good);
	scratch_remove(dir);
}
END_TEST

START_TEST(load_huge)
{
	char *dir = scratch_dir();
	size_t n = 50u << 20, i;
	char *buf = malloc(n);
	double t0;

	ck_assert_ptr_nonnull(buf);
	/* 50 MB of nested arrays: a parser without a depth limit would blow its stack. */
	memset(buf, '[', n);
	t0 = now_s();
	expect_load_error(dir, "deep.json", buf, n, "not valid JSON");
	ck_assert_msg(now_s() - t0 < 20, "50 MB of '[' took %.1f s", now_s() - t0);

	/* A 10^6-element array: loads, but it is no result. */
	buf[0] = '[';
	for (i = 0; i < 1000000; i++) {
		buf[1 + 2 * i] = '0';
		buf[2 + 2 * i] = i + 1 < 1000000 ? ',' : ']';
	}
	t0 = now_s();
	expect_load_error(dir, "wide.json", buf, 2000001, "expected a JSON object");
	ck_assert_msg(now_s() - t0 < 20, "a 10^6-element array took %.1f s", now_s() - t0);
	free(buf);
	scratch_remove(dir);
}
END_TEST

START_TEST(load_not_a_file)
{
	char *dir = scratch_dir();
	char where[4096], err[1024];

	ck_assert_ptr_null(baseline_load(dir, dir, where, sizeof(where), err, sizeof(err)));
	ck_assert_msg(strstr(err, "directory") != NULL, "%s", err);
	ck_assert_ptr_null(baseline_load(dir, "/nonexistent/x.json", where, sizeof(where), err,
					 sizeof(err)));
	ck_assert_msg(strstr(err, "/nonexistent/x.json") != NULL, "%s", err);
	ck_assert_ptr_null(baseline_load(dir, "nosuch", where, sizeof(where), err, sizeof(err)));
	ck_assert_msg(strstr(err, "no baseline named 'nosuch'") != NULL, "%s", err);
	ck_assert_ptr_null(baseline_load(dir, ".hidden", where, sizeof(where), err, sizeof(err)));
	ck_assert_msg(strstr(err, "neither a file") && strstr(err, "nor a valid baseline name"),
		      "%s", err);
	scratch_remove(dir);
}
END_TEST

/* result_load of path must fail, naming path, with a message containing want. */
static void expect_result_load_error(const char *path, const char *want)
{
	char err[1024] = "";
	json_t *doc = result_load(path, 0, err, sizeof(err));

	ck_assert_msg(doc == NULL, "%s loaded", path);
	ck_assert_msg(strstr(err, want) != NULL, "%s: error '%s' does not say '%s'", path, err,
		      want);
	ck_assert_msg(strstr(err, path) != NULL, "%s: error '%s' does not name the file", path,
		      err);
}

/* What is no regular file is refused at once: a FIFO without a writer never blocks. */
START_TEST(load_special_files)
{
	char *dir = scratch_dir(), *fifo = path_in(dir, "fifo.json"), *big = path_in(dir, "big.json");
	char where[4096], err[1024];
	double t0 = now_s();
	int fd;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	expect_result_load_error(fifo, "is a FIFO (allowed: a regular file)");
	/* The same through the store, where baseline list reads it. */
	ck_assert_ptr_null(baseline_load(dir, "fifo", where, sizeof(where), err, sizeof(err)));
	ck_assert_msg(strstr(err, "is a FIFO"), "%s", err);
	ck_assert_msg(now_s() - t0 < 5, "the FIFO took %.1f s", now_s() - t0);
	expect_result_load_error("/dev/null", "is a character device");
	expect_result_load_error(dir, "is a directory");
	/* One byte beyond the limit (sparse: nothing is written). */
	fd = open(big, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)RESULT_LOAD_MAX_BYTES + 1), 0);
	ck_assert_int_eq(close(fd), 0);
	t0 = now_s();
	expect_result_load_error(big, "more than the 1073741824 bytes");
	ck_assert_msg(now_s() - t0 < 1, "refusing a big file took %.1f s", now_s() - t0);
	free(fifo);
	free(big);
	scratch_remove(dir);
}
END_TEST

/* The one loader: duplicate keys and hollow documents are refused for every reader. */
START_TEST(load_refuses_hollow)
{
	char *dir = scratch_dir(), *p = path_in(dir, "r.json"), *text;
	json_t *doc = make_doc(&(struct docspec){ 0 });
	char err[1024];
	json_t *back;

	/* A complete result loads. */
	text = json_dumps(doc, 0);
	write_file(p, text, strlen(text));
	back = result_load(p, 0, err, sizeof(err));
	ck_assert_msg(back != NULL, "%s", err);
	json_decref(back);
	/* The same with a key twice. */
	ck_assert_int_eq(text[0], '{');
	{
		char *dup;

		ck_assert_int_ge(asprintf(&dup, "{\"tool\": \"x\", %s", text + 1), 0);
		write_file(p, dup, strlen(dup));
		free(dup);
	}
	expect_result_load_error(p, "duplicate");
	expect_result_load_error(p, "line 1");
	free(text);

	/* A hollow result: results.total and results.errors empty. */
	json_object_set_new(doc, "results", json_pack("{s:{}, s:{}}", "total", "errors"));
	text = json_dumps(doc, 0);
	write_file(p, text, strlen(text));
	free(text);
	expect_result_load_error(p, "\"results.total.ops\" is missing");
	/* One key short of complete. */
	json_decref(doc);
	doc = make_doc(&(struct docspec){ 0 });
	json_object_del(json_object_get(json_object_get(json_object_get(doc, "results"), "write"),
					"lat_ns"), "p99.9");
	text = json_dumps(doc, 0);
	write_file(p, text, strlen(text));
	free(text);
	expect_result_load_error(p, "\"results.write.lat_ns.p99.9\" is missing");
	json_object_set_new(json_object_get(doc, "results"), "duration_s", json_string("1"));
	json_decref(doc);

	/* A hollow fio document, and one of fio 2 (clat in us): no latency to compare. */
	write_file(p, "{\"fio version\": \"fio-3.33\", \"jobs\": [{}]}", 41);
	expect_result_load_error(p, "\"jobs[0].read\" is missing");
	text = "{\"fio version\": \"fio-2.2\", \"jobs\": [{\"error\": 0, "
	       "\"read\": {\"total_ios\": 1, \"iops\": 1, \"bw\": 1, \"clat\": {}}}]}";
	write_file(p, text, strlen(text));
	expect_result_load_error(p, "\"jobs[0].read.clat_ns\" is missing");
	free(p);
	scratch_remove(dir);
}
END_TEST

/* "-" is standard input where the caller allows it, and a file named - elsewhere. */
START_TEST(load_stdin)
{
	char *dir = scratch_dir(), *p = path_in(dir, "r.json"), *text;
	json_t *doc = make_doc(&(struct docspec){ 0 }), *back;
	int saved = dup(STDIN_FILENO), fd;
	char err[1024];

	text = json_dumps(doc, 0);
	write_file(p, text, strlen(text));
	fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	back = result_load("-", LOAD_STDIN, err, sizeof(err));
	ck_assert_int_eq(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	ck_assert_msg(back != NULL, "%s", err);
	ck_assert_str_eq(json_string_value(json_object_get(back, "command")), "concurrency");
	json_decref(back);
	/* Without the flag, - is a file name (here: none). */
	ck_assert_ptr_null(result_load("-", 0, err, sizeof(err)));
	ck_assert_msg(strstr(err, "-: cannot read it"), "%s", err);
	free(text);
	free(p);
	json_decref(doc);
	scratch_remove(dir);
}
END_TEST

/* NAME|FILE by its spelling: a file in the current directory never hijacks a name. */
START_TEST(load_name_or_file)
{
	char *dir = scratch_dir(), *store = path_in(dir, "store"), *cwd = getcwd(NULL, 0);
	json_t *doc = make_doc(&(struct docspec){ 0 });
	char where[4096], err[1024], why[1024];
	json_t *back;

	ck_assert(baseline_is_file("./rr32") && baseline_is_file("rr32.json") &&
		  baseline_is_file("/a/b") && !baseline_is_file("rr32") &&
		  !baseline_is_file("rr32.jsonx"));
	ck_assert_int_eq(baseline_save(store, "rr32", doc, why, sizeof(why)), 0);
	ck_assert_int_eq(chdir(dir), 0);
	write_file("rr32", "not json", 8);
	back = baseline_load(store, "rr32", where, sizeof(where), err, sizeof(err));
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_msg(back != NULL, "%s", err);
	ck_assert_msg(strstr(where, "store/rr32.json") != NULL, "%s", where);
	json_decref(back);
	/* A name not stored says how to name the file. */
	ck_assert_ptr_null(baseline_load(store, "nosuch", where, sizeof(where), err, sizeof(err)));
	ck_assert_msg(strstr(err, "no baseline named 'nosuch'") && strstr(err, "./nosuch"), "%s",
		      err);
	free(cwd);
	free(store);
	json_decref(doc);
	scratch_remove(dir);
}
END_TEST

/* metrics_from_doc must refuse doc with a message containing want. */
static void expect_metrics_error(json_t *doc, const char *want)
{
	struct metric_set s;
	char err[512] = "";

	ck_assert_int_eq(metrics_from_doc(doc, &s, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, want) != NULL, "error '%s' does not say '%s'", err, want);
	ck_assert_ptr_null(s.m);
	json_decref(doc);
}

START_TEST(metrics_refuse)
{
	json_t *d;

	expect_metrics_error(json_object(), "neither a dmremap-bench result nor fio");
	expect_metrics_error(json_pack("{s:s}", "tool", "other"), "neither");
	expect_metrics_error(json_pack("{s:s}", "tool", "dmremap-bench"), "\"command\" is missing");
	expect_metrics_error(json_pack("{s:s, s:s}", "tool", "dmremap-bench", "command", "x"),
			     "\"results\" is missing");
	expect_metrics_error(json_pack("{s:s, s:s, s:[]}", "tool", "dmremap-bench", "command", "x",
				       "results"), "\"results\" is of the wrong type");
	expect_metrics_error(json_pack("{s:s, s:s, s:{s:i}}", "tool", "dmremap-bench", "command",
				       "x", "results", "total", 1), "\"results.total\"");
	/* A comparison document has no run results to compare. */
	expect_metrics_error(json_pack("{s:s, s:s, s:{s:[], s:s}}", "tool", "dmremap-bench",
				       "command", "compare", "comparison", "metrics", "verdict",
				       "pass"), "has no \"results\"");
	/* An endurance file of a run that did not finish. */
	d = make_doc(&(struct docspec){ 0 });
	json_object_set_new(d, "complete", json_false());
	expect_metrics_error(d, "incomplete");
	expect_metrics_error(json_pack("{s:s, s:[]}", "fio version", "fio-3.33", "jobs"),
			     "0 jobs");
	expect_metrics_error(json_pack("{s:s, s:i}", "fio version", "fio-3.33", "jobs", 3),
			     "\"jobs\" is of the wrong type");
}
END_TEST

/*
 * A result whose series has odd members: garbage in the intervals is read
 * as zeros, never a crash; a total, stream or step that is not what the
 * tool writes refuses the document, naming the key.
 */
START_TEST(metrics_odd_members)
{
	json_t *doc = make_doc(&(struct docspec){ 0 });
	json_t *r = json_object_get(doc, "results"), *iv = json_array();
	struct metric_set s;
	char err[512];
	size_t i;

	for (i = 0; i < 100; i++)
		json_array_append_new(iv, i % 3 ? json_integer(5) : json_string("x"));
	json_object_set_new(r, "intervals", iv);
	ck_assert_int_eq(metrics_from_doc(doc, &s, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(metrics_find(&s, "all", "read", "iops"));
	/* The runs are the values; the series is not read. */
	ck_assert_uint_eq(metrics_find(&s, "all", "read", "iops")->nruns, NRUNS);
	metrics_free(&s);

	json_object_set_new(r, "streams", json_pack("[i, {s:i}, {s:s}]", 1, "name", 3, "name",
						    "s2"));
	expect_metrics_error(json_incref(doc), "\"results.streams[0]\" is not an object");
	json_object_set_new(r, "streams", json_pack("[{s:s}]", "name", "s1"));
	expect_metrics_error(json_incref(doc), "\"results.streams[0].total\" is missing");
	json_object_del(r, "streams");
	json_object_set_new(r, "steps", json_string("not an array"));
	expect_metrics_error(json_incref(doc), "\"results.steps\" is of the wrong type");
	json_object_del(r, "steps");
	json_object_set_new(json_object_get(r, "read"), "lat_ns", json_string("?"));
	expect_metrics_error(json_incref(doc), "\"results.read.lat_ns\" is of the wrong type");
	json_decref(doc);
}
END_TEST

/*
 * The intervals of one run are not samples: a run whose series says +60%
 * against a baseline whose runs match it changes nothing, and one run
 * against one is untested, never a verdict (issue 16).
 */
START_TEST(intervals_not_samples)
{
	struct pair p;
	size_t i;

	compare_pair(&p, &(struct docspec){ 0 },
		     &(struct docspec){ .interval_scale = 1.6, .noise_phase = 3 }, false);
	for (i = 0; i < p.c.nrows; i++)
		ck_assert_msg(p.c.rows[i].v.verdict == VERDICT_OK, "%s %s %s: %d",
			      p.c.rows[i].base->group, p.c.rows[i].base->dir,
			      p.c.rows[i].base->name, p.c.rows[i].v.verdict);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_OK);
	pair_free(&p);
}
END_TEST

START_TEST(single_runs_untested)
{
	struct pair p;
	const struct compare_row *r;
	json_t *j;

	compare_pair(&p, &(struct docspec){ .nruns = 1 },
		     &(struct docspec){ .nruns = 1, .iops_scale = 0.6, .lat_scale = 2 }, false);
	r = row(&p.c, "all", "total", "iops");
	ck_assert_int_eq(r->v.verdict, VERDICT_UNTESTED);
	ck_assert(!r->v.tested);
	ck_assert(r->gate);
	ck_assert_double_eq_tol(r->v.change_pct, -40.0, 0.5);
	ck_assert_uint_eq(r->v.runs_needed, 40);
	ck_assert_msg(strstr(r->v.reason, "40 runs (--repeat) would"), "%s", r->v.reason);
	ck_assert_int_eq(row(&p.c, "all", "total", "lat_p99")->v.verdict, VERDICT_UNTESTED);
	/* Untested never fails the gate. */
	ck_assert_uint_eq(p.c.gate_regressions, 0);
	ck_assert_uint_gt(p.c.untested, 10);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_OK);
	j = comparison_json(&p.c);
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "pass");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "untested")), (json_int_t)p.c.untested);
	json_decref(j);
	pair_free(&p);
}
END_TEST

/*
 * Holm tests the gate's best p against alpha / m: 9 runs against 2 can
 * reach p = 0.036, not the 0.0125 that four gate metrics need, so a 50%
 * drop is untested, with the runs that would test it (3), and passes.
 */
START_TEST(untestable_under_holm)
{
	struct pair p;
	const struct compare_row *r;

	compare_pair(&p, &(struct docspec){ .nruns = 9 },
		     &(struct docspec){ .nruns = 2, .iops_scale = 0.5, .noise_phase = 1 }, false);
	r = row(&p.c, "all", "total", "iops");
	ck_assert(r->gate);
	ck_assert_int_eq(r->v.verdict, VERDICT_UNTESTED);
	ck_assert_uint_eq(r->v.runs_needed, 3);
	ck_assert_msg(strstr(r->v.reason, "gate metrics"), "%s", r->v.reason);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_OK);
	/* A result's runs are one session, whatever their number. */
	ck_assert_uint_eq(p.c.base.nsessions, 1);
	pair_free(&p);
	/* Three runs would: the drop is a regression. */
	compare_pair(&p, &(struct docspec){ .nruns = 9 },
		     &(struct docspec){ .nruns = 3, .iops_scale = 0.5, .noise_phase = 1 }, false);
	ck_assert_int_eq(row(&p.c, "all", "total", "iops")->v.verdict, VERDICT_REGRESSED);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_REGRESSION);
	pair_free(&p);
}
END_TEST

/* The gate decides: a regression outside it is reported and passes; --gate chooses. */
START_TEST(gate_decides)
{
	struct docspec b = { 0 }, r = { .lat_scale = 1.4, .noise_phase = 2 };
	struct compare_cfg cfg;
	struct comparison c;
	json_t *bd = make_doc(&b), *rd = make_doc(&r);
	char err[512];

	compare_cfg_defaults(&cfg);
	/* Default: the total p99 is in the gate. */
	ck_assert_int_eq(compare_docs(bd, rd, "base", &cfg, &c, err, sizeof(err)), 0);
	ck_assert(row(&c, "all", "total", "lat_p99")->gate);
	ck_assert(!row(&c, "all", "read", "lat_p50")->gate);
	ck_assert(row(&c, "all", "read", "iops")->gate);   /* both directions: each gates */
	ck_assert_int_eq(comparison_exit_status(&c), EXIT_REGRESSION);
	comparison_free(&c);
	/* Only throughput decides: the latency regressions are reported, the check passes. */
	cfg.gate = "total.iops";
	ck_assert_int_eq(compare_docs(bd, rd, "base", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(row(&c, "all", "read", "lat_p50")->v.verdict, VERDICT_REGRESSED);
	ck_assert_uint_gt(c.regressions, 0);
	ck_assert_uint_eq(c.gate_regressions, 0);
	ck_assert_int_eq(comparison_exit_status(&c), EXIT_OK);
	comparison_free(&c);
	cfg.gate = "total.iops,all/read.lat_p50";
	ck_assert_int_eq(compare_docs(bd, rd, "base", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(comparison_exit_status(&c), EXIT_REGRESSION);
	comparison_free(&c);
	/* A gate metric the documents do not have: refused, naming it. */
	cfg.gate = "phase 1/total.iops";
	ck_assert_int_eq(compare_docs(bd, rd, "base", &cfg, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "phase 1/total.iops"), "%s", err);
	ck_assert_int_eq(compare_gate_check("total.iops,ref/read.lat_p99", err, sizeof(err)), 0);
	ck_assert_int_eq(compare_gate_check("total.nope", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "total.nope"), "%s", err);
	ck_assert_int_eq(compare_gate_check("total.iops,", err, sizeof(err)), -1);
	ck_assert_int_eq(compare_gate_check("", err, sizeof(err)), -1);
	ck_assert_int_eq(compare_gate_check("sideways.iops", err, sizeof(err)), -1);
	json_decref(bd);
	json_decref(rd);
}
END_TEST

/* Changes are ratios: a throughput that falls by 95% has a CI above -100%. */
START_TEST(ci_ratio_scale)
{
	struct pair p;
	const struct compare_row *r;

	compare_pair(&p, &(struct docspec){ .run_spread = 0.2 },
		     &(struct docspec){ .iops_scale = 0.05, .run_spread = 0.2, .noise_phase = 4 },
		     false);
	r = row(&p.c, "all", "total", "iops");
	ck_assert_int_eq(r->v.verdict, VERDICT_REGRESSED);
	ck_assert_double_eq_tol(r->v.change_pct, -95.0, 1.5);
	ck_assert_msg(r->v.ci_low_pct > -100 && r->v.ci_low_pct < r->v.change_pct &&
		      r->v.ci_high_pct > r->v.change_pct, "CI [%g, %g] around %g", r->v.ci_low_pct,
		      r->v.ci_high_pct, r->v.change_pct);
	pair_free(&p);
}
END_TEST

/* Every tested gate row says what it could detect: at least the threshold, within ratios. */
START_TEST(detectable_reported)
{
	struct pair p;
	size_t i, n = 0;

	compare_pair(&p, &(struct docspec){ 0 }, &(struct docspec){ .noise_phase = 1 }, false);
	for (i = 0; i < p.c.nrows; i++) {
		const struct compare_row *r = &p.c.rows[i];
		double thr = r->base->kind == MK_LATENCY ? 15 : 10;

		if (!r->gate || r->base->kind == MK_ERRORS)
			continue;
		n++;
		ck_assert(isfinite(r->v.detect_up_pct) && isfinite(r->v.detect_down_pct));
		ck_assert(r->v.detect_up_pct >= thr && r->v.detect_down_pct <= -thr);
		ck_assert(r->v.detect_down_pct > -100);
		ck_assert(isfinite(r->v.spread_pct) && r->v.spread_pct > 0);
	}
	ck_assert_uint_eq(n, 4);
	pair_free(&p);
}
END_TEST

/*
 * A history saved over sessions that differ (the machine's load moved):
 * the session is the unit, and a run inside the sessions' spread passes
 * where a test over pooled runs would call it a regression.
 */
START_TEST(sessions_tolerate_drift)
{
	static const double levels[] = { 1.15, 0.85, 1.1, 0.9, 1.05 };
	struct compare_cfg cfg;
	struct comparison c;
	json_t *h = NULL, *rd;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		json_t *d = make_doc(&(struct docspec){ .nruns = 4, .drift = levels[i],
							 .run_spread = 0.01 }), *n;

		n = history_append(h, d, "drift", 20, err, sizeof(err));
		ck_assert_msg(n != NULL, "%s", err);
		json_decref(h);
		json_decref(d);
		h = n;
	}
	rd = make_doc(&(struct docspec){ .nruns = 5, .drift = 0.88, .run_spread = 0.01,
					  .noise_phase = 3 });
	compare_cfg_defaults(&cfg);
	ck_assert_msg(compare_docs(h, rd, "drift", &cfg, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(row(&c, "all", "total", "iops")->v.method, "sessions");
	ck_assert_uint_eq(row(&c, "all", "total", "iops")->v.base_n, 5);
	ck_assert_uint_eq(c.base.nsessions, 5);
	ck_assert_int_eq(comparison_exit_status(&c), EXIT_OK);
	comparison_free(&c);
	json_decref(rd);
	/* Far outside every session: still a regression. */
	rd = make_doc(&(struct docspec){ .nruns = 5, .drift = 0.4, .run_spread = 0.01 });
	ck_assert_int_eq(compare_docs(h, rd, "drift", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(row(&c, "all", "total", "iops")->v.verdict, VERDICT_REGRESSED);
	ck_assert_int_eq(comparison_exit_status(&c), EXIT_REGRESSION);
	comparison_free(&c);
	json_decref(rd);
	json_decref(h);
}
END_TEST

/*
 * With an interleaved reference on both sides the gate acts on the ratio
 * to it: the machine 60% faster moves both and passes; the target 30%
 * slower than its reference fails.
 */
START_TEST(reference_gate)
{
	struct pair p;
	const struct compare_row *r;

	compare_pair(&p, &(struct docspec){ .ref_iops_scale = 1.0 },
		     &(struct docspec){ .ref_iops_scale = 1.0, .drift = 1.6, .noise_phase = 2 },
		     false);
	ck_assert(p.c.gate_on_ref);
	ck_assert(row(&p.c, "ref", "total", "iops")->gate);
	ck_assert(!row(&p.c, "all", "total", "iops")->gate);
	ck_assert_int_eq(row(&p.c, "all", "total", "iops")->v.verdict, VERDICT_IMPROVED);
	ck_assert_int_eq(row(&p.c, "ref", "total", "iops")->v.verdict, VERDICT_OK);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_OK);
	pair_free(&p);
	compare_pair(&p, &(struct docspec){ .ref_iops_scale = 1.0 },
		     &(struct docspec){ .ref_iops_scale = 0.7, .drift = 1.6, .noise_phase = 2 },
		     false);
	r = row(&p.c, "ref", "total", "iops");
	ck_assert_int_eq(r->v.verdict, VERDICT_REGRESSED);
	ck_assert_double_eq_tol(r->v.change_pct, -30.0, 2.0);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_REGRESSION);
	pair_free(&p);
	/* A baseline with a reference and a run without: not comparable, refused. */
	{
		struct compare_cfg cfg;
		struct comparison c;
		json_t *bd = make_doc(&(struct docspec){ .ref_iops_scale = 1.0 });
		json_t *rd = make_doc(&(struct docspec){ 0 });
		char err[512];

		compare_cfg_defaults(&cfg);
		ck_assert_int_eq(compare_docs(bd, rd, "base", &cfg, &c, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "'ref'"), "%s", err);
		json_decref(bd);
		json_decref(rd);
	}
}
END_TEST

/* ---- verdicts ------------------------------------------------------------------ */

static const char *const tput[] = { "iops", "bw" };
static const char *const lat[] = { "lat_mean", "lat_p50", "lat_p99", "lat_p99.9" };
static const char *const dirs[] = { "read", "write", "total" };

START_TEST(regression_20pct)
{
	struct pair p;
	json_t *j, *rows;
	size_t i, k, found = 0;

	compare_pair(&p, &(struct docspec){ 0 },
		     &(struct docspec){ .iops_scale = 0.8, .noise_phase = 5 }, false);
	ck_assert(!p.c.refused);
	for (i = 0; i < 3; i++)
		for (k = 0; k < 2; k++) {
			const struct compare_row *r = row(&p.c, "all", dirs[i], tput[k]);

			ck_assert_msg(r->v.verdict == VERDICT_REGRESSED, "%s %s: %d", dirs[i],
				      tput[k], r->v.verdict);
			ck_assert(r->v.tested);
			ck_assert_uint_eq(r->v.base_n, NRUNS);
			ck_assert_double_eq_tol(r->v.change_pct, -20.0, 1.5);
			ck_assert(r->v.p_value < 0.001);
		}
	/* Latencies did not move. */
	for (i = 0; i < 2; i++)
		for (k = 0; k < 4; k++)
			ck_assert_int_eq(row(&p.c, "all", dirs[i], lat[k])->v.verdict, VERDICT_OK);
	ck_assert_int_eq(row(&p.c, "all", "total", "errors")->v.verdict, VERDICT_OK);
	ck_assert_uint_eq(p.c.regressions, 6);
	ck_assert_uint_eq(p.c.improvements, 0);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_REGRESSION);

	j = comparison_json(&p.c);
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "regression");
	rows = json_object_get(j, "metrics");
	ck_assert_uint_eq(json_array_size(rows), p.c.nrows);
	for (i = 0; i < json_array_size(rows); i++) {
		json_t *o = json_array_get(rows, i);

		if (!strcmp(json_string_value(json_object_get(o, "metric")), "iops")) {
			ck_assert_str_eq(json_string_value(json_object_get(o, "verdict")),
					 "regression");
			found++;
		}
	}
	ck_assert_uint_eq(found, 3);
	json_decref(j);
	pair_free(&p);
}
END_TEST

START_TEST(within_threshold)
{
	struct pair p;
	size_t i, k;

	compare_pair(&p, &(struct docspec){ 0 },
		     &(struct docspec){ .iops_scale = 0.98, .noise_phase = 5 }, false);
	for (i = 0; i < 3; i++)
		for (k = 0; k < 2; k++) {
			const struct compare_row *r = row(&p.c, "all", dirs[i], tput[k]);

			ck_assert_int_eq(r->v.verdict, VERDICT_OK);
			ck_assert_double_eq_tol(r->v.change_pct, -2.0, 1.5);
		}
	ck_assert_uint_eq(p.c.regressions, 0);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_OK);
	pair_free(&p);
}
END_TEST

START_TEST(identical)
{
	struct pair p;
	json_t *j;
	size_t i;

	compare_pair(&p, &(struct docspec){ 0 }, &(struct docspec){ 0 }, false);
	ck_assert_uint_ge(p.c.nrows, 3 * 6 + 1);
	for (i = 0; i < p.c.nrows; i++) {
		ck_assert_int_eq(p.c.rows[i].v.verdict, VERDICT_OK);
		ck_assert_double_eq_tol(p.c.rows[i].v.change_pct, 0.0, 1e-9);
	}
	ck_assert_uint_eq(p.c.regressions + p.c.improvements, 0);
	ck_assert_uint_eq(json_array_size(p.c.mismatches), 0);
	ck_assert_uint_eq(json_array_size(p.c.env_diffs), 0);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_OK);
	j = comparison_json(&p.c);
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "pass");
	json_decref(j);
	pair_free(&p);
}
END_TEST

START_TEST(improvement_and_latency)
{
	struct pair p;

	/* Faster throughput is no regression; slower latency (+40%) is. */
	compare_pair(&p, &(struct docspec){ 0 },
		     &(struct docspec){ .iops_scale = 1.3, .lat_scale = 1.4, .noise_phase = 2 },
		     false);
	ck_assert_int_eq(row(&p.c, "all", "total", "iops")->v.verdict, VERDICT_IMPROVED);
	ck_assert_int_eq(row(&p.c, "all", "read", "lat_p99")->v.verdict, VERDICT_REGRESSED);
	ck_assert_int_eq(row(&p.c, "all", "write", "lat_p50")->v.verdict, VERDICT_REGRESSED);
	ck_assert_uint_gt(p.c.improvements, 0);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_REGRESSION);
	pair_free(&p);
}
END_TEST

START_TEST(errors_increase)
{
	struct pair p;
	const struct compare_row *r;

	compare_pair(&p, &(struct docspec){ 0 }, &(struct docspec){ .io_errors = 2 }, false);
	r = row(&p.c, "all", "total", "errors");
	ck_assert_int_eq(r->v.verdict, VERDICT_REGRESSED);
	ck_assert_double_eq_tol(r->v.run_median, 2.0, 1e-12);
	ck_assert_uint_eq(p.c.regressions, 1);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_REGRESSION);
	pair_free(&p);

	/* Fewer errors than the baseline: better, not worse. */
	compare_pair(&p, &(struct docspec){ .io_errors = 3 }, &(struct docspec){ .io_errors = 1 },
		     false);
	ck_assert_int_eq(row(&p.c, "all", "total", "errors")->v.verdict, VERDICT_IMPROVED);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_OK);
	pair_free(&p);
}
END_TEST

/* ---- what is compared with what -------------------------------------------- */

START_TEST(param_mismatch)
{
	struct pair p;
	json_t *j;

	compare_pair(&p, &(struct docspec){ 0 }, &(struct docspec){ .bs_val = 8192 }, false);
	ck_assert(p.c.refused);
	ck_assert_uint_eq(p.c.nrows, 0);
	ck_assert_msg(list_has(p.c.mismatches, "bs: baseline 4096, run 8192"), "mismatches: %s",
		      json_string_value(json_array_get(p.c.mismatches, 0)));
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_USAGE);
	j = comparison_json(&p.c);
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "refused");
	json_decref(j);
	pair_free(&p);

	/* --allow-mismatch: compared, and the difference still listed. */
	compare_pair(&p, &(struct docspec){ 0 }, &(struct docspec){ .bs_val = 8192 }, true);
	ck_assert(!p.c.refused);
	ck_assert_uint_gt(p.c.nrows, 0);
	ck_assert(list_has(p.c.mismatches, "bs"));
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_OK);
	pair_free(&p);

	/* A parameter only one side has. */
	compare_pair(&p, &(struct docspec){ 0 },
		     &(struct docspec){ .bs_key = "iodepth", .bs_val = 4 }, false);
	ck_assert(p.c.refused);
	ck_assert(list_has(p.c.mismatches, "iodepth: baseline (unset), run 4"));
	ck_assert(list_has(p.c.mismatches, "bs: baseline 4096, run (unset)"));
	pair_free(&p);

	/* Another command. */
	compare_pair(&p, &(struct docspec){ 0 }, &(struct docspec){ .command = "scale" }, false);
	ck_assert(p.c.refused);
	ck_assert(list_has(p.c.mismatches, "command: baseline concurrency, run scale"));
	pair_free(&p);
}
END_TEST

START_TEST(not_mismatches)
{
	struct pair p;

	/* Seed, target and rate cap do not change the workload. */
	compare_pair(&p, &(struct docspec){ .seed = 1, .target = "/dev/loop0" },
		     &(struct docspec){ .seed = 99, .target = "/dev/loop7", .rate_iops = 1500 },
		     false);
	ck_assert_msg(json_array_size(p.c.mismatches) == 0, "mismatch: %s",
		      json_string_value(json_array_get(p.c.mismatches, 0)));
	ck_assert(!p.c.refused);
	ck_assert_uint_gt(p.c.nrows, 0);
	/* The other device is an environment difference, shown but not refused. */
	ck_assert(list_has(p.c.env_diffs, "target.path"));
	pair_free(&p);
}
END_TEST

/* rwmix_read matters only when a side mixes reads and writes. */
START_TEST(rwmix_only_when_mixed)
{
	struct pair p;

	/* Two randread runs: the mix is noise; compared. */
	compare_pair(&p, &(struct docspec){ .rw = "randread", .rwmix = 70 },
		     &(struct docspec){ .rw = "randread", .rwmix = 50 }, false);
	ck_assert_msg(json_array_size(p.c.mismatches) == 0, "mismatch: %s",
		      json_string_value(json_array_get(p.c.mismatches, 0)));
	ck_assert(!p.c.refused);
	pair_free(&p);
	/* Pure modes that differ: rw is the difference, the mix is not. */
	compare_pair(&p, &(struct docspec){ .rw = "read", .rwmix = 70 },
		     &(struct docspec){ .rw = "randwrite", .rwmix = 50 }, false);
	ck_assert(p.c.refused);
	ck_assert(list_has(p.c.mismatches, "rw: baseline \"read\", run \"randwrite\""));
	ck_assert_uint_eq(json_array_size(p.c.mismatches), 1);
	pair_free(&p);
	/* Mixed on both sides: another mix is another workload. */
	compare_pair(&p, &(struct docspec){ .rw = "randrw", .rwmix = 70 },
		     &(struct docspec){ .rw = "randrw", .rwmix = 50 }, false);
	ck_assert(p.c.refused);
	ck_assert(list_has(p.c.mismatches, "rwmix_read: baseline 70, run 50"));
	pair_free(&p);
	/* Mixed on one side only: both differences are listed. */
	compare_pair(&p, &(struct docspec){ .rw = "rw", .rwmix = 70 },
		     &(struct docspec){ .rw = "read", .rwmix = 50 }, false);
	ck_assert(p.c.refused);
	ck_assert(list_has(p.c.mismatches, "rwmix_read: baseline 70, run 50"));
	ck_assert(list_has(p.c.mismatches, "rw: baseline \"rw\", run \"read\""));
	pair_free(&p);
}
END_TEST

START_TEST(environment_differences)
{
	struct pair p;

	compare_pair(&p, &(struct docspec){ .kernel = "6.1.0-old", .size_bytes = 1 << 28 },
		     &(struct docspec){ .kernel = "6.9.0-new", .size_bytes = 1 << 30 }, false);
	ck_assert(!p.c.refused);
	ck_assert_uint_eq(json_array_size(p.c.mismatches), 0);
	ck_assert(list_has(p.c.env_diffs, "kernel: baseline \"6.1.0-old\", run \"6.9.0-new\""));
	ck_assert(list_has(p.c.env_diffs, "target.size_bytes"));
	ck_assert_uint_eq(json_array_size(p.c.env_diffs), 2);
	ck_assert_int_eq(comparison_exit_status(&p.c), EXIT_OK);
	pair_free(&p);
}
END_TEST

START_TEST(doc_errors)
{
	struct comparison c;
	struct compare_cfg cfg;
	json_t *good = make_doc(&(struct docspec){ 0 }), *bad = json_object();
	char err[512];

	compare_cfg_defaults(&cfg);
	ck_assert_int_eq(compare_docs(bad, good, "B1", &cfg, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "baseline B1") != NULL, "%s", err);
	ck_assert_int_eq(compare_docs(good, bad, "B1", &cfg, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "the run") != NULL, "%s", err);
	json_decref(good);
	json_decref(bad);
}
END_TEST

static json_t *load_fixture(const char *name, char *dir_out);

/* No I/O in dir of the whole run: what a result says when a direction did nothing. */
static void no_io(json_t *doc, const char *dir)
{
	json_t *d = json_object_get(json_object_get(doc, "results"), dir);

	json_object_set_new(d, "ops", json_integer(0));
	json_object_set_new(d, "bytes", json_integer(0));
	json_object_set_new(d, "iops", json_real(0));
	json_object_set_new(d, "bw_bytes_per_s", json_real(0));
}

START_TEST(nothing_to_compare)
{
	json_t *base = make_doc(&(struct docspec){ 0 }), *run = make_doc(&(struct docspec){ 0 });
	struct compare_cfg cfg;
	struct comparison c;
	char err[512];

	compare_cfg_defaults(&cfg);
	/* A baseline that did no I/O: only its error count would be compared. */
	no_io(base, "read");
	no_io(base, "write");
	no_io(base, "total");
	ck_assert_int_eq(compare_docs(base, run, "B0", &cfg, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "nothing to compare") && strstr(err, "B0"), "%s", err);
	json_decref(base);
	json_decref(run);

	/* fio jobs that did no I/O, against themselves. */
	base = json_pack("{s:s, s:[{s:i, s:{s:i, s:f, s:i, s:{s:f}}, s:{s:i, s:f, s:i, s:{s:f}}}]}",
			 "fio version", "fio-3.33", "jobs", "error", 0,
			 "read", "total_ios", 0, "iops", 0.0, "bw_bytes", 0, "clat_ns", "mean", 0.0,
			 "write", "total_ios", 0, "iops", 0.0, "bw_bytes", 0, "clat_ns", "mean", 0.0);
	ck_assert_ptr_nonnull(base);
	ck_assert_int_eq(compare_docs(base, base, "F0", &cfg, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "nothing to compare"), "%s", err);
	json_decref(base);
}
END_TEST

/* A direction of the baseline that the run lacks is never skipped. */
START_TEST(missing_direction)
{
	json_t *base = make_doc(&(struct docspec){ 0 }), *run = make_doc(&(struct docspec){ 0 });
	const struct compare_row *r;
	struct compare_cfg cfg;
	struct comparison c;
	char err[512];
	size_t i;

	compare_cfg_defaults(&cfg);
	/* The same workload (randrw) without a single write: the writes regressed to 0. */
	no_io(run, "write");
	ck_assert_int_eq(compare_docs(base, run, "B", &cfg, &c, err, sizeof(err)), 0);
	ck_assert(!c.refused);
	r = row(&c, "all", "write", "iops");
	ck_assert_int_eq(r->v.verdict, VERDICT_REGRESSED);
	ck_assert_double_eq(r->v.run_median, 0);
	ck_assert_int_eq(row(&c, "all", "write", "bw")->v.verdict, VERDICT_REGRESSED);
	/* No latency of I/O that did not happen. */
	for (i = 0; i < c.nrows; i++)
		ck_assert(strcmp(c.rows[i].base->dir, "write") || c.rows[i].base->kind != MK_LATENCY);
	ck_assert_int_eq(comparison_exit_status(&c), EXIT_REGRESSION);
	comparison_free(&c);

	/* A run that did no I/O at all regresses in every direction. */
	no_io(run, "read");
	no_io(run, "total");
	ck_assert_int_eq(compare_docs(base, run, "B", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(row(&c, "all", "total", "iops")->v.verdict, VERDICT_REGRESSED);
	ck_assert_int_eq(row(&c, "all", "read", "iops")->v.verdict, VERDICT_REGRESSED);
	comparison_free(&c);
	json_decref(run);

	/* Another workload (randread): refused, naming the direction, even with --allow-mismatch. */
	run = make_doc(&(struct docspec){ 0 });
	json_object_set_new(json_object_get(run, "params"), "rw", json_string("randread"));
	no_io(run, "write");
	ck_assert_int_eq(compare_docs(base, run, "B", &cfg, &c, err, sizeof(err)), 0);
	ck_assert(c.refused && list_has(c.mismatches, "rw: baseline \"randrw\", run \"randread\""));
	comparison_free(&c);
	cfg.allow_mismatch = true;
	ck_assert_int_eq(compare_docs(base, run, "B", &cfg, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "write I/O") && strstr(err, "differs") && strstr(err, "randread"),
		      "%s", err);
	json_decref(run);
	json_decref(base);
}
END_TEST

/* The same for fio: a randrw baseline against a randread job loses its writes. */
START_TEST(missing_direction_fio)
{
	json_t *base = load_fixture("fio-randrw-1job.json", "/nonexistent"), *run, *job;
	struct compare_cfg cfg;
	struct comparison c;
	char err[512];

	compare_cfg_defaults(&cfg);
	run = json_deep_copy(base);
	job = json_array_get(json_object_get(run, "jobs"), 0);
	json_object_set_new(json_object_get(job, "job options"), "rw", json_string("randread"));
	json_object_set_new(json_object_get(job, "write"), "total_ios", json_integer(0));
	ck_assert_int_eq(compare_docs(base, run, "F", &cfg, &c, err, sizeof(err)), 0);
	ck_assert(c.refused && list_has(c.mismatches, "rw: baseline randrw, run randread"));
	comparison_free(&c);
	cfg.allow_mismatch = true;
	ck_assert_int_eq(compare_docs(base, run, "F", &cfg, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "write I/O") && strstr(err, "randread"), "%s", err);
	/* The same job that did no write: a regression. */
	cfg.allow_mismatch = false;
	json_object_set_new(json_object_get(job, "job options"), "rw", json_string("randrw"));
	ck_assert_int_eq(compare_docs(base, run, "F", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(row(&c, "all", "write", "iops")->v.verdict, VERDICT_REGRESSED);
	ck_assert_int_eq(comparison_exit_status(&c), EXIT_REGRESSION);
	comparison_free(&c);
	json_decref(run);
	json_decref(base);
}
END_TEST

/* A group (stream, step, phase) of the baseline that the run has not. */
START_TEST(missing_group)
{
	json_t *base = make_doc(&(struct docspec){ 0 }), *run = make_doc(&(struct docspec){ 0 });
	json_t *step = json_deep_copy(json_object_get(base, "results"));
	struct compare_cfg cfg;
	struct comparison c;
	char err[512];

	compare_cfg_defaults(&cfg);
	json_object_set_new(json_object_get(base, "results"), "steps", json_pack("[o]", step));
	ck_assert_int_eq(compare_docs(base, run, "B", &cfg, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "step 1"), "%s", err);
	cfg.allow_mismatch = true;
	ck_assert_int_eq(compare_docs(base, run, "B", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_uint_gt(c.nrows, 0);
	comparison_free(&c);
	json_decref(run);
	json_decref(base);
}
END_TEST

/* ---- fio ------------------------------------------------------------------------ */

static json_t *load_fixture(const char *name, char *dir_out)
{
	char *p = fixture(name), where[4096], err[1024];
	json_t *doc = baseline_load(dir_out, p, where, sizeof(where), err, sizeof(err));

	ck_assert_msg(doc != NULL, "%s: %s", p, err);
	free(p);
	return doc;
}

/* Set fio's job option key of the document's first job to val. */
static void set_job_option(json_t *doc, const char *key, const char *val)
{
	json_t *opts = json_object_get(json_array_get(json_object_get(doc, "jobs"), 0),
				       "job options");

	ck_assert_msg(json_is_object(opts), "the fio document has no \"job options\"");
	json_object_set_new(opts, key, json_string(val));
}

static double jnum(json_t *root, const char *a, const char *b, const char *c, const char *d)
{
	json_t *j = json_object_get(json_array_get(json_object_get(root, "jobs"), 0), a);

	if (b)
		j = json_object_get(j, b);
	if (c)
		j = json_object_get(j, c);
	if (d)
		j = json_object_get(j, d);
	ck_assert_msg(json_is_number(j), "fixture has no number at %s.%s.%s.%s", a, b ?: "",
		      c ?: "", d ?: "");
	return json_number_value(j);
}

static void check_fio_mapping(const char *name)
{
	static const char *const fdirs[] = { "read", "write" };
	json_t *doc = load_fixture(name, "/nonexistent");
	struct metric_set s;
	char err[512];
	int i;

	ck_assert_int_eq(metrics_from_doc(doc, &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s.source, "fio");
	for (i = 0; i < 2; i++) {
		const char *d = fdirs[i];
		const struct metric *m;

		ck_assert_msg(jnum(doc, d, "total_ios", NULL, NULL) > 0, "%s: no %s I/O", name, d);
		m = metrics_find(&s, "all", d, "iops");
		ck_assert_ptr_nonnull(m);
		ck_assert_double_eq(m->value, jnum(doc, d, "iops", NULL, NULL));
		ck_assert_int_eq(m->better, BETTER_HIGHER);
		ck_assert_double_eq(metrics_find(&s, "all", d, "bw")->value,
				    jnum(doc, d, "bw_bytes", NULL, NULL));
		ck_assert_double_eq(metrics_find(&s, "all", d, "lat_mean")->value,
				    jnum(doc, d, "clat_ns", "mean", NULL));
		ck_assert_double_eq(metrics_find(&s, "all", d, "lat_p50")->value,
				    jnum(doc, d, "clat_ns", "percentile", "50.000000"));
		ck_assert_double_eq(metrics_find(&s, "all", d, "lat_p99")->value,
				    jnum(doc, d, "clat_ns", "percentile", "99.000000"));
		ck_assert_double_eq(metrics_find(&s, "all", d, "lat_p99.9")->value,
				    jnum(doc, d, "clat_ns", "percentile", "99.900000"));
		ck_assert_int_eq(metrics_find(&s, "all", d, "lat_p99")->better, BETTER_LOWER);
		ck_assert_uint_eq(metrics_find(&s, "all", d, "iops")->nruns, 1);  /* one run */
	}
	ck_assert_double_eq(metrics_find(&s, "all", "total", "errors")->value, 0);
	/* fio has no total row of its own. */
	ck_assert_ptr_null(metrics_find(&s, "all", "total", "iops"));
	metrics_free(&s);
	json_decref(doc);
}

START_TEST(fio_one_job)
{
	check_fio_mapping("fio-randrw-1job.json");
}
END_TEST

START_TEST(fio_group_reporting)
{
	check_fio_mapping("fio-randrw-2jobs-group.json");
}
END_TEST

START_TEST(fio_two_jobs_refused)
{
	json_t *doc = load_fixture("fio-randrw-2jobs.json", "/nonexistent");
	json_t *ours = make_doc(&(struct docspec){ 0 });
	struct comparison c;
	struct compare_cfg cfg;
	char err[512];

	ck_assert_uint_eq(json_array_size(json_object_get(doc, "jobs")), 2);
	compare_cfg_defaults(&cfg);
	ck_assert_int_eq(compare_docs(doc, ours, "fio2", &cfg, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "2 jobs") && strstr(err, "group_reporting"), "%s", err);
	json_decref(doc);
	json_decref(ours);
}
END_TEST

/* Our synthetic document with the workload of the fio fixture (randrw 50%, 4k, 4 deep). */
static json_t *make_doc_like_fio(void)
{
	json_t *ours = make_doc(&(struct docspec){ 0 });
	json_t *params = json_object_get(ours, "params");

	json_object_set_new(params, "ops", json_integer(4));
	json_object_set_new(params, "rwmix_read", json_integer(50));
	return ours;
}

START_TEST(fio_against_ours)
{
	json_t *fio = load_fixture("fio-randrw-1job.json", "/nonexistent");
	json_t *ours = make_doc_like_fio();
	struct comparison c;
	struct compare_cfg cfg;
	const struct compare_row *r;
	double want;
	char err[512];

	compare_cfg_defaults(&cfg);
	ck_assert_int_eq(compare_docs(fio, ours, "fio1", &cfg, &c, err, sizeof(err)), 0);
	/* The same workload: rw, mix, bs and depth agree; no environment to check. */
	ck_assert_msg(!c.refused, "refused: %s", json_string_value(json_array_get(c.mismatches, 0)));
	ck_assert_uint_eq(json_array_size(c.mismatches), 0);
	ck_assert_uint_eq(json_array_size(c.env_diffs), 0);
	r = row(&c, "all", "read", "iops");
	ck_assert(!r->v.tested);
	ck_assert_double_eq(r->v.base_median, jnum(fio, "read", "iops", NULL, NULL));
	ck_assert_double_eq_tol(r->v.run_median, 7000, 1e-6);
	want = (7000 / jnum(fio, "read", "iops", NULL, NULL) - 1) * 100;
	ck_assert_double_eq_tol(r->v.change_pct, want, 1e-6);
	/* Only rows fio has: 2 directions x 6 metrics + errors. */
	ck_assert_uint_eq(c.nrows, 13);
	comparison_free(&c);
	json_decref(ours);

	/* Our default: 70% reads, 16 in flight: another workload, refused like any other. */
	ours = make_doc(&(struct docspec){ 0 });
	ck_assert_int_eq(compare_docs(fio, ours, "fio1", &cfg, &c, err, sizeof(err)), 0);
	ck_assert(c.refused);
	ck_assert_uint_eq(c.nrows, 0);
	ck_assert(list_has(c.mismatches, "rwmix_read: baseline 50, run 70"));
	ck_assert(list_has(c.mismatches, "iodepth: baseline 4 in flight, run 16"));
	ck_assert_uint_eq(json_array_size(c.mismatches), 2);
	ck_assert_int_eq(comparison_exit_status(&c), EXIT_USAGE);
	comparison_free(&c);
	json_decref(fio);
	json_decref(ours);
}
END_TEST

/* fio against fio: a job whose rw, bs or iodepth differs is another workload. */
START_TEST(fio_params_mismatch)
{
	static const struct {
		const char *key, *val, *want;
	} cases[] = {
		{ "rw", "randread", "rw: baseline randrw, run randread" },
		{ "bs", "8k", "bs: baseline 4096, run 8192" },
		{ "bs", "4k,8k", "bs: baseline 4096, run 4k,8k" },
		{ "bs", "4 k", "bs: baseline 4096, run 4 k" },
		{ "iodepth", "32", "iodepth: baseline 4 in flight, run 32" },
		{ "numjobs", "2", "iodepth: baseline 4 in flight, run 8" },
		{ "rwmixread", "70", "rwmix_read: baseline 50, run 70" },
		/* Beyond any size or count: not read, so different, never overflowed. */
		{ "bs", "1099511627776t", "bs: baseline 4096, run 1099511627776t" },
		{ "numjobs", "999999999999", "iodepth: baseline 4 in flight, run (unset)" },
	};
	json_t *base = load_fixture("fio-randrw-1job.json", "/nonexistent"), *run;
	struct compare_cfg cfg;
	struct comparison c;
	char err[512];
	size_t i;

	compare_cfg_defaults(&cfg);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run = json_deep_copy(base);
		set_job_option(run, cases[i].key, cases[i].val);
		ck_assert_int_eq(compare_docs(base, run, "f", &cfg, &c, err, sizeof(err)), 0);
		ck_assert_msg(c.refused && list_has(c.mismatches, cases[i].want),
			      "%s=%s: refused %d, first line %s", cases[i].key, cases[i].val,
			      c.refused, json_string_value(json_array_get(c.mismatches, 0)));
		ck_assert_uint_eq(json_array_size(c.mismatches), 1);
		comparison_free(&c);
		json_decref(run);
	}
	/* The same sizes spelled otherwise, and the defaults spelled out: no difference. */
	run = json_deep_copy(base);
	set_job_option(run, "bs", "4KiB");
	set_job_option(run, "rwmixwrite", "50");
	ck_assert_int_eq(compare_docs(base, run, "f", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_msg(!c.refused, "%s", json_string_value(json_array_get(c.mismatches, 0)));
	comparison_free(&c);
	json_decref(run);
	json_decref(base);
}
END_TEST

/*
 * Block sizes and depths that cannot be read as one figure (a bssplit, a
 * size fio knows and we do not): two fio jobs with the same options ran the
 * same workload and compare; other options, or our run against them, do not
 * (found by fuzz_fio_json: a fio document against itself was refused).
 */
START_TEST(fio_unread_options_same)
{
	static const struct {
		const char *key, *a, *b;
		bool same;
	} cases[] = {
		{ "bssplit", "4k/50:64k/50", "4k/50:64k/50", true },
		{ "bssplit", "4k/50:64k/50", "4k/70:64k/30", false },
		{ "bs", "4ksize", "4ksize", true },
		{ "bs", "4ksize", "8ksize", false },
		{ "iodepth", "8x", "8x", true },
		{ "iodepth", "8x", "9x", false },
	};
	json_t *fixture = load_fixture("fio-randrw-1job.json", "/nonexistent"), *a, *b;
	struct compare_cfg cfg;
	struct comparison c;
	char err[512];
	size_t i;

	compare_cfg_defaults(&cfg);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = json_deep_copy(fixture);
		b = json_deep_copy(fixture);
		set_job_option(a, cases[i].key, cases[i].a);
		set_job_option(b, cases[i].key, cases[i].b);
		ck_assert_int_eq(compare_docs(a, b, "f", &cfg, &c, err, sizeof(err)), 0);
		ck_assert_msg(c.refused == !cases[i].same, "%s=%s against %s: refused %d (%s)",
			      cases[i].key, cases[i].a, cases[i].b, c.refused,
			      json_string_value(json_array_get(c.mismatches, 0)));
		comparison_free(&c);
		json_decref(a);
		json_decref(b);
	}
	json_decref(fixture);
}
END_TEST

START_TEST(fio_old_bw_in_kib)
{
	json_t *doc = json_pack("{s:s, s:[{s:i, s:{s:i, s:f, s:i, s:{s:f, s:{s:i, s:i, s:i}}}, "
				"s:{s:i, s:f, s:i, s:{s:f}}}]}",
				"fio version", "fio-2.2", "jobs", "error", 0, "read",
				"total_ios", 100, "iops", 50.0, "bw", 200,
				"clat_ns", "mean", 10.0, "percentile", "50.000000", 5,
				"99.000000", 9, "99.900000", 11,
				"write", "total_ios", 0, "iops", 0.0, "bw", 0, "clat_ns", "mean", 0.0);
	struct metric_set s;
	char err[512];

	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(metrics_from_doc(doc, &s, err, sizeof(err)), 0);
	ck_assert_double_eq(metrics_find(&s, "all", "read", "bw")->value, 200.0 * 1024);
	ck_assert_ptr_null(metrics_find(&s, "all", "write", "iops"));
	metrics_free(&s);
	json_decref(doc);
}
END_TEST

/* ---- the baseline store ----------------------------------------------------- */

START_TEST(names)
{
	static const char *const bad[] = {
		"", "/", "a/b", "../x", ".", "..", ".hidden", "sp ace", "tab\t", "new\nline",
		"semi;colon", "star*", "\xc3\xbcml", "x.json", "a.b.json",
	};
	static const char *const good[] = {
		"b1", "a", "my.base_1-x", "v1.2.3", "A-Z_09", "trailing.", "json", "x.jsonl",
		"x_json",
	};
	char longest[BASELINE_NAME_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(baseline_name_check(bad[i]) != 0, "'%s' accepted", bad[i]);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(baseline_name_check(good[i]) == 0, "'%s' refused", good[i]);
	/* 64 characters are fine, 65 are too long. */
	memset(longest, 'n', sizeof(longest));
	longest[BASELINE_NAME_MAX] = '\0';
	ck_assert_int_eq(baseline_name_check(longest), 0);
	longest[BASELINE_NAME_MAX] = 'n';
	longest[BASELINE_NAME_MAX + 1] = '\0';
	ck_assert_int_ne(baseline_name_check(longest), 0);
}
END_TEST

START_TEST(store_dir)
{
	char out[4096];

	baseline_dir("/given", out, sizeof(out));
	ck_assert_str_eq(out, "/given");
	setenv("DMREMAP_BENCH_BASELINE_DIR", "/from/env", 1);
	baseline_dir(NULL, out, sizeof(out));
	ck_assert_str_eq(out, "/from/env");
	baseline_dir("", out, sizeof(out));
	ck_assert_str_eq(out, "/from/env");
	baseline_dir("/given", out, sizeof(out));
	ck_assert_str_eq(out, "/given");
	unsetenv("DMREMAP_BENCH_BASELINE_DIR");
}
END_TEST

struct listed {
	char names[8][BASELINE_NAME_MAX + 1];
	char paths[8][4096];
	int n;
};

static void collect(const char *name, const char *path, void *arg)
{
	struct listed *l = arg;

	ck_assert_int_lt(l->n, 8);
	snprintf(l->names[l->n], sizeof(l->names[0]), "%s", name);
	snprintf(l->paths[l->n], sizeof(l->paths[0]), "%s", path);
	l->n++;
}

START_TEST(store_round_trip)
{
	char *top = scratch_dir(), *dir = path_in(top, "a/b/baselines"), *junk;
	json_t *d1 = make_doc(&(struct docspec){ 0 });
	json_t *d2 = json_pack("{s:s, s:i, s:f}", "tool", "dmremap-bench", "n", 2, "x", 1.5);
	char where[4096], err[1024], want[4200], why[1024];
	struct listed l = { .n = 0 };
	json_t *back;

	/* Nothing stored yet (the directory does not even exist). */
	ck_assert_int_eq(baseline_list(dir, collect, &l), 0);
	ck_assert_int_eq(baseline_save(dir, "zeta", d1, why, sizeof(why)), 0);
	ck_assert_int_eq(baseline_save(dir, "alpha", d2, why, sizeof(why)), 0);
	/* Not baselines: hidden files and other extensions. */
	junk = path_in(dir, ".x.json");
	write_file(junk, "{}", 2);
	free(junk);
	junk = path_in(dir, "notes.txt");
	write_file(junk, "{}", 2);
	free(junk);

	ck_assert_int_eq(baseline_list(dir, collect, &l), 2);
	ck_assert_str_eq(l.names[0], "alpha");
	ck_assert_str_eq(l.names[1], "zeta");
	snprintf(want, sizeof(want), "%s/zeta.json", dir);
	ck_assert_str_eq(l.paths[1], want);

	/* By name, and by file. */
	back = baseline_load(dir, "zeta", where, sizeof(where), err, sizeof(err));
	ck_assert_msg(back != NULL, "%s", err);
	ck_assert_str_eq(where, want);
	/* (reals are stored with 10 significant digits: compare what is exact) */
	ck_assert_str_eq(json_string_value(json_object_get(back, "command")), "concurrency");
	ck_assert(json_equal(json_object_get(back, "params"), json_object_get(d1, "params")));
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(back, "results"),
							  "intervals")), NINTERVALS);
	json_decref(back);
	/* A document that is no result is stored by baseline_save, but never loaded. */
	ck_assert_ptr_null(baseline_load("/nonexistent", l.paths[0], where, sizeof(where), err,
					 sizeof(err)));
	ck_assert_msg(strstr(err, l.paths[0]) && strstr(err, "\"command\" is missing"), "%s",
		      err);

	/* Saving again replaces. */
	ck_assert_int_eq(baseline_save(dir, "alpha", d1, why, sizeof(why)), 0);
	back = baseline_load(dir, "alpha", where, sizeof(where), err, sizeof(err));
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(json_string_value(json_object_get(back, "command")), "concurrency");
	json_decref(back);
	/* Two baselines and the two junk files: no temporary files left behind. */
	{
		int entries = 0;
		char cmd[4200];
		FILE *f;

		snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
		f = popen(cmd, "r");
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fscanf(f, "%d", &entries), 1);
		pclose(f);
		ck_assert_int_eq(entries, 4);
	}

	ck_assert_int_eq(baseline_delete(dir, "zeta"), 0);
	l.n = 0;
	ck_assert_int_eq(baseline_list(dir, collect, &l), 1);
	ck_assert_str_eq(l.names[0], "alpha");
	ck_assert_int_eq(baseline_delete(dir, "zeta"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(baseline_load(dir, "zeta", where, sizeof(where), err, sizeof(err)));
	ck_assert_msg(strstr(err, "no baseline named 'zeta'"), "%s", err);

	json_decref(d1);
	json_decref(d2);
	free(dir);
	scratch_remove(top);
}
END_TEST

START_TEST(store_unwritable)
{
	char *top = scratch_dir(), *file = path_in(top, "plainfile"), *dir, why[1024];
	json_t *d = json_object();

	/* A directory below a regular file cannot be made. */
	write_file(file, "x", 1);
	dir = path_in(file, "sub");
	ck_assert_int_eq(baseline_save(dir, "b", d, why, sizeof(why)), -1);
	json_decref(d);
	free(dir);
	free(file);
	scratch_remove(top);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("compare");
	TCase *load = tcase_create("load");
	TCase *verdict = tcase_create("verdict");
	TCase *match = tcase_create("match");
	TCase *fio = tcase_create("fio");
	TCase *store = tcase_create("store");
	char top[64];
	SRunner *sr;
	int failed;

	tcase_add_test(load, load_malformed);
	tcase_add_test(load, load_huge);
	tcase_add_test(load, load_not_a_file);
	tcase_add_test(load, load_special_files);
	tcase_add_test(load, load_refuses_hollow);
	tcase_add_test(load, load_stdin);
	tcase_add_test(load, load_name_or_file);
	tcase_add_test(load, metrics_refuse);
	tcase_add_test(load, metrics_odd_members);
	tcase_add_test(load, intervals_not_samples);
	tcase_add_test(load, single_runs_untested);
	tcase_add_test(load, gate_decides);
	tcase_add_test(load, untestable_under_holm);
	tcase_add_test(load, ci_ratio_scale);
	tcase_add_test(load, detectable_reported);
	tcase_add_test(load, sessions_tolerate_drift);
	tcase_add_test(load, reference_gate);
	tcase_set_timeout(load, 120);
	suite_add_tcase(s, load);

	tcase_add_test(verdict, regression_20pct);
	tcase_add_test(verdict, within_threshold);
	tcase_add_test(verdict, identical);
	tcase_add_test(verdict, improvement_and_latency);
	tcase_add_test(verdict, errors_increase);
	suite_add_tcase(s, verdict);

	tcase_add_test(match, param_mismatch);
	tcase_add_test(match, not_mismatches);
	tcase_add_test(match, rwmix_only_when_mixed);
	tcase_add_test(match, environment_differences);
	tcase_add_test(match, doc_errors);
	tcase_add_test(match, nothing_to_compare);
	tcase_add_test(match, missing_direction);
	tcase_add_test(match, missing_direction_fio);
	tcase_add_test(match, missing_group);
	suite_add_tcase(s, match);

	tcase_add_test(fio, fio_one_job);
	tcase_add_test(fio, fio_group_reporting);
	tcase_add_test(fio, fio_two_jobs_refused);
	tcase_add_test(fio, fio_against_ours);
	tcase_add_test(fio, fio_params_mismatch);
	tcase_add_test(fio, fio_unread_options_same);
	tcase_add_test(fio, fio_old_bw_in_kib);
	suite_add_tcase(s, fio);

	tcase_add_test(store, names);
	tcase_add_test(store, store_dir);
	tcase_add_test(store, store_round_trip);
	tcase_add_test(store, store_unwritable);
	suite_add_tcase(s, store);

	snprintf(top, sizeof(top), "%s/dmrb-unit-compare-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(top) || setenv(SCRATCH_ENV, top, 1)) {
		perror("check_compare: scratch directory");
		return EXIT_FAILURE;
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (rmtree(top)) {
		fprintf(stderr, "check_compare: cannot remove %s\n", top);
		failed++;
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
