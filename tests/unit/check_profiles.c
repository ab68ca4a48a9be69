/*
 * The production workload profiles (src/profiles/workload.c) as the
 * engine sees them: the streams workload_build() makes at every intensity
 * (workers, depths, overrides, regions), then each stream's generator run a
 * million steps against the mix the profile documents (read share, block
 * sizes, zipf skew, sequential runs, alignment). The endurance drift test
 * is check_series's.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gen.h"
#include "engine/job.h"
#include "jobs/jobfile.h"
#include "profile_tables.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define KiB 1024ULL
#define MiB (1024ULL * 1024)
#define GiB (1024ULL * 1024 * 1024)
#define TiB (1024ULL * GiB)
#define STEPS 1000000u
#define SEED 0x5eedULL
#define MAXS 512

/* Only calls into Check (a system call) when the condition fails. */
#define REQUIRE(cond, ...)                          \
	do {                                        \
		if (!(cond))                        \
			ck_abort_msg(__VA_ARGS__);  \
	} while (0)

/* What the profiles promise, written down here independently of the tables. */
static const unsigned want_factor[INTENSITY_COUNT] = { 1, 2, 3, 4 };
static const unsigned want_depth[INTENSITY_COUNT] = { 1, 4, 16, 32 };
static const char *const want_intensity[INTENSITY_COUNT] = {
	"light", "moderate", "heavy", "extreme",
};

/* Target sizes: a power of two, one that 16 does not divide evenly into blocks, a big one. */
static const uint64_t sizes[] = {
	1 * GiB,
	64 * MiB + 3 * 4096,
	1000000000000ULL + 7 * 4096,
};

/* Streams of type at intensity over size; base as the command passes it. */
static int build(enum workload_type t, unsigned intensity, unsigned base,
		 const struct workload_overrides *ov, uint64_t size, struct stream_spec *out)
{
	unsigned max = workload_max_streams(t, intensity, base, ov);
	int n;

	ck_assert_uint_le(max, MAXS);
	memset(out, 0, MAXS * sizeof(*out));
	n = workload_build(t, intensity, base, ov, size, out, MAXS);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq((unsigned)n, max);
	return n;
}

static uint32_t max_bs(const struct stream_spec *s)
{
	uint32_t m = 0;
	unsigned i;

	for (i = 0; i < s->nbs; i++)
		if (s->bs[i].bs > m)
			m = s->bs[i].bs;
	return m;
}

/* ---- the tables ------------------------------------------------------------- */

START_TEST(tables)
{
	static const char *const names[] = { "database", "file_server", "virtualization", "mixed" };
	static const unsigned base[] = { 4, 3, 5, 4 };
	const struct workload_profile *mixed = &workload_profiles[WL_MIXED];
	int i;

	for (i = 0; i < WL_COUNT; i++) {
		char code[4];

		snprintf(code, sizeof(code), "%d", i);
		ck_assert_str_eq(workload_names[i], names[i]);
		ck_assert_str_eq(workload_profiles[i].name, names[i]);
		ck_assert_str_eq(workload_codes[i], code);
		ck_assert_uint_eq(workload_profiles[i].base_workers, base[i]);
	}
	ck_assert_ptr_null(workload_names[WL_COUNT]);
	for (i = 0; i < INTENSITY_COUNT; i++) {
		char code[4];

		snprintf(code, sizeof(code), "%d", i + 1);
		ck_assert_str_eq(intensity_names[i], want_intensity[i]);
		ck_assert_str_eq(intensity_levels[i].name, want_intensity[i]);
		ck_assert_str_eq(intensity_codes[i], code);
		ck_assert_str_eq(intensity_levels[i].code, code);
	}
	ck_assert_ptr_null(intensity_names[INTENSITY_COUNT]);
	/* Mixed rotates through the three others. */
	ck_assert_uint_eq(mixed->nphases, 3);
	ck_assert_int_eq(mixed->phases[0], WL_DATABASE);
	ck_assert_int_eq(mixed->phases[1], WL_FILE_SERVER);
	ck_assert_int_eq(mixed->phases[2], WL_VIRTUALIZATION);
}
END_TEST

/* ---- workers and depths at each intensity ---------------------------------- */

static void check_database(const struct stream_spec *s, int n, unsigned data_workers,
			   unsigned depth)
{
	unsigned log_workers = data_workers / 8 ? data_workers / 8 : 1;

	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(s[0].name, "data");
	ck_assert_str_eq(s[1].name, "log");
	ck_assert_uint_eq(s[0].workers, data_workers);
	ck_assert_uint_eq(s[1].workers, log_workers);
	ck_assert_uint_eq(s[0].iodepth, depth);
	ck_assert_uint_eq(s[1].iodepth, depth);
	ck_assert_uint_eq(s[0].read_pct, 70);
	ck_assert_uint_eq(s[1].read_pct, 0);
	ck_assert_int_eq(s[0].access, ACCESS_ZIPF);
	ck_assert_int_eq(s[1].access, ACCESS_SEQUENTIAL);
	ck_assert_uint_eq(s[0].nbs, 1);
	ck_assert_uint_eq(s[0].bs[0].bs, 8192);
	ck_assert_uint_eq(s[1].nbs, 1);
	ck_assert_uint_eq(s[1].bs[0].bs, 4096);
	ck_assert(fabs(s[0].zipf_theta - 1.2) < 1e-12);
}

static void check_file_server(const struct stream_spec *s, int n, unsigned workers,
			      unsigned depth)
{
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(s[0].name, "files");
	ck_assert_uint_eq(s[0].workers, workers);
	ck_assert_uint_eq(s[0].iodepth, depth);
	ck_assert_uint_eq(s[0].read_pct, 80);
	ck_assert_int_eq(s[0].access, ACCESS_SEQ_RUNS);
	ck_assert_uint_eq(s[0].run_blocks, 16);
	ck_assert_uint_eq(s[0].run_pct, 50);
	ck_assert_uint_eq(s[0].nbs, 4);
}

static void check_vms(const struct stream_spec *s, int n, unsigned vms, unsigned depth)
{
	char name[16];
	int i;

	ck_assert_int_eq(n, (int)vms);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "vm%d", i);
		ck_assert_str_eq(s[i].name, name);
		ck_assert_uint_eq(s[i].workers, 1);
		ck_assert_uint_eq(s[i].iodepth, depth);
		ck_assert_uint_eq(s[i].read_pct, 60);
		ck_assert_int_eq(s[i].access, ACCESS_RANDOM);
		ck_assert_uint_eq(s[i].nbs, 3);
		ck_assert_uint_eq(s[i].rate_iops, 0);
	}
}

START_TEST(workers_by_intensity)
{
	static struct stream_spec s[MAXS];
	unsigned i = (unsigned)_i, f = want_factor[_i], d = want_depth[_i];
	int n;

	n = build(WL_DATABASE, i, 4, NULL, GiB, s);
	check_database(s, n, 4 * f, d);
	n = build(WL_FILE_SERVER, i, 3, NULL, GiB, s);
	check_file_server(s, n, 3 * f, d);
	n = build(WL_VIRTUALIZATION, i, 5, NULL, GiB, s);
	check_vms(s, n, 5 * f, d);

	/* Mixed: every phase with the mixed profile's base of 4. */
	n = build(WL_DATABASE, i, workload_profiles[WL_MIXED].base_workers, NULL, GiB, s);
	check_database(s, n, 4 * f, d);
	n = build(WL_FILE_SERVER, i, workload_profiles[WL_MIXED].base_workers, NULL, GiB, s);
	check_file_server(s, n, 4 * f, d);
	n = build(WL_VIRTUALIZATION, i, workload_profiles[WL_MIXED].base_workers, NULL, GiB, s);
	check_vms(s, n, 4 * f, d);
}
END_TEST

START_TEST(overrides)
{
	static struct stream_spec s[MAXS];
	/* Log workers: one per 8 data workers, at least one. */
	static const struct { unsigned workers, log; } rows[] = {
		{ 1, 1 }, { 7, 1 }, { 8, 1 }, { 15, 1 }, { 16, 2 }, { 24, 3 }, { 100, 12 },
	};
	struct workload_overrides ov = { 0 };
	int r, n;

	for (r = 0; r < N(rows); r++) {
		ov = (struct workload_overrides){ .workers = rows[r].workers, .iodepth = 3 };
		n = build(WL_DATABASE, 0, 4, &ov, GiB, s);
		ck_assert_uint_eq(s[0].workers, rows[r].workers);
		ck_assert_uint_eq(s[1].workers, rows[r].log);
		ck_assert_uint_eq(s[0].iodepth, 3);
		ck_assert_uint_eq(s[1].iodepth, 3);
		ck_assert_int_eq(n, 2);
	}
	/* --workers alone: depth still by the intensity; --iodepth alone: workers by the rule. */
	ov = (struct workload_overrides){ .workers = 7 };
	n = build(WL_FILE_SERVER, 3, 3, &ov, GiB, s);
	check_file_server(s, n, 7, 32);
	ov = (struct workload_overrides){ .iodepth = 5 };
	n = build(WL_FILE_SERVER, 1, 3, &ov, GiB, s);
	check_file_server(s, n, 6, 5);
	ov = (struct workload_overrides){ .workers = 7, .iodepth = 2 };
	n = build(WL_VIRTUALIZATION, 2, 5, &ov, GiB, s);
	check_vms(s, n, 7, 2);
	/* A zero override is no override. */
	ov = (struct workload_overrides){ 0 };
	n = build(WL_DATABASE, 2, 4, &ov, GiB, s);
	check_database(s, n, 12, 16);
}
END_TEST

START_TEST(rate_split)
{
	static struct stream_spec s[MAXS];
	struct workload_overrides ov = { .rate_iops = 1000 };
	uint64_t sum = 0;
	int n, i;

	/* Shared by workers: data 4 of 5, log 1 of 5. */
	n = build(WL_DATABASE, 0, 4, &ov, GiB, s);
	ck_assert_uint_eq(s[0].rate_iops, 800);
	ck_assert_uint_eq(s[1].rate_iops, 200);
	n = build(WL_VIRTUALIZATION, 0, 5, &ov, GiB, s);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(s[i].rate_iops, 200);
		sum += s[i].rate_iops;
	}
	ck_assert_uint_eq(sum, 1000);
	/* A cap below one per stream still leaves every stream running. */
	ov.rate_iops = 2;
	n = build(WL_VIRTUALIZATION, 0, 5, &ov, GiB, s);
	for (i = 0; i < n; i++)
		ck_assert_uint_ge(s[i].rate_iops, 1);
	/* No cap: none. */
	n = build(WL_DATABASE, 0, 4, NULL, GiB, s);
	ck_assert_uint_eq(s[0].rate_iops, 0);
	ck_assert_uint_eq(s[1].rate_iops, 0);
}
END_TEST

/* ---- the shipped job files give the tables' streams ------------------------- */

static void same_stream(const struct stream_spec *a, const struct stream_spec *b,
			const char *what)
{
	unsigned k;

	ck_assert_msg(strcmp(a->name, b->name) == 0, "%s: stream '%s', table '%s'", what,
		      a->name, b->name);
	ck_assert_msg(a->workers == b->workers && a->iodepth == b->iodepth &&
		      a->total_depth == b->total_depth,
		      "%s %s: workers %u depth %u, table %u %u", what, a->name, a->workers,
		      a->iodepth, b->workers, b->iodepth);
	ck_assert_msg(a->read_pct == b->read_pct && a->access == b->access,
		      "%s %s: read %u%% access %d, table %u%% %d", what, a->name, a->read_pct,
		      a->access, b->read_pct, b->access);
	ck_assert_msg(a->nbs == b->nbs, "%s %s: %u block sizes, table %u", what, a->name,
		      a->nbs, b->nbs);
	for (k = 0; k < a->nbs; k++)
		ck_assert_msg(a->bs[k].bs == b->bs[k].bs && a->bs[k].weight == b->bs[k].weight,
			      "%s %s: bs %u/%u, table %u/%u", what, a->name, a->bs[k].bs,
			      a->bs[k].weight, b->bs[k].bs, b->bs[k].weight);
	ck_assert_msg(a->zipf_theta == b->zipf_theta && a->run_blocks == b->run_blocks &&
		      a->run_pct == b->run_pct, "%s %s: the pattern's parameters differ", what,
		      a->name);
	ck_assert_msg(a->span_off == b->span_off && a->span_len == b->span_len,
		      "%s %s: region %llu+%llu, table %llu+%llu", what, a->name,
		      (unsigned long long)a->span_off, (unsigned long long)a->span_len,
		      (unsigned long long)b->span_off, (unsigned long long)b->span_len);
	ck_assert_msg(a->slice_per_worker == b->slice_per_worker && a->rate_iops == b->rate_iops &&
		      a->one_pass == b->one_pass && !a->discard_pct && !a->fua && !a->flush_every &&
		      a->arrival == ARRIVAL_CLOSED && !a->think_ns,
		      "%s %s: placement, rate or operations differ", what, a->name);
}

/*
 * Each profile's job file in jobs/, at each intensity, over each target
 * size, with and without --workers/--iodepth, and as a phase of mixed (its
 * own base of 4): the streams workload_build() made from the tables.
 */
START_TEST(shipped_files)
{
	static struct stream_spec ref[MAXS];
	static const struct workload_overrides ovs[] = {
		{ 0, 0, 0 }, { 7, 0, 0 }, { 0, 3, 0 }, { 16, 5, 0 }, { 1, 0, 0 }, { 24, 2, 0 },
	};
	enum workload_type t = (enum workload_type)(_i / INTENSITY_COUNT);
	unsigned lv = (unsigned)_i % INTENSITY_COUNT, z, o, k, m;
	char path[4096], what[4400];
	struct jobfile jf;

	snprintf(path, sizeof(path), "%s/%s-%s.fio", JOBS_SRCDIR, workload_names[t],
		 intensity_names[lv]);
	ck_assert_msg(jobfile_parse_file(&jf, path) == 0, "%s", jf.err);
	ck_assert_msg(jf.time_based && !jf.runtime_set && !jf.filename_set,
		      "%s: a profile runs for --duration on --target", path);
	ck_assert_msg(jf.description[0], "%s: no description for --list", path);
	for (z = 0; z < (unsigned)N(sizes); z++)
		for (o = 0; o < (unsigned)N(ovs); o++)
			for (m = 0; m < 2; m++) {
				/* m: as itself, or as a phase of mixed. */
				unsigned base = m ? workload_profiles[WL_MIXED].base_workers :
					workload_profiles[t].base_workers;
				struct jobfile_overrides jov = {
					.workers = ovs[o].workers ? ovs[o].workers :
						m ? base * intensity_levels[lv].factor : 0,
					.iodepth = ovs[o].iodepth,
				};
				struct stream_spec *got = NULL;
				unsigned n = 0;
				int nref;

				nref = build(t, lv, base, &ovs[o], sizes[z], ref);
				ck_assert_msg(jobfile_streams(&jf, sizes[z], &jov, &got, &n) == 0,
					      "%s", jf.err);
				snprintf(what, sizeof(what), "%s size %llu ov %u/%u%s", path,
					 (unsigned long long)sizes[z], ovs[o].workers,
					 ovs[o].iodepth, m ? " (mixed)" : "");
				ck_assert_msg(n == (unsigned)nref, "%s: %u streams, table %d", what,
					      n, nref);
				ck_assert_uint_eq(jobfile_nstreams(&jf, &jov), n);
				for (k = 0; k < n; k++)
					same_stream(&got[k], &ref[k], what);
				free(got);
			}
	jobfile_free(&jf);
}
END_TEST

START_TEST(too_small_array)
{
	static struct stream_spec s[MAXS];
	unsigned max = workload_max_streams(WL_VIRTUALIZATION, 3, 5, NULL);

	ck_assert_uint_eq(max, 20);
	ck_assert_int_eq(workload_build(WL_VIRTUALIZATION, 3, 5, NULL, GiB, s, max - 1), -1);
	ck_assert_int_eq(workload_build(WL_DATABASE, 0, 4, NULL, GiB, s, 1), -1);
	ck_assert_int_eq(workload_build(WL_DATABASE, 0, 4, NULL, GiB, s, 2), 2);
}
END_TEST

/* ---- regions ----------------------------------------------------------------- */

START_TEST(database_regions)
{
	static struct stream_spec s[MAXS];
	uint64_t size = sizes[_i], sixteenth = size / 16;
	const struct stream_spec *data = &s[0], *log = &s[1];
	unsigned in;

	for (in = 0; in < INTENSITY_COUNT; in++) {
		build(WL_DATABASE, in, 4, NULL, size, s);
		/* Data: the first 15/16, in whole 8k blocks. */
		ck_assert_uint_eq(data->span_off, 0);
		ck_assert_uint_eq(data->span_len % 8192, 0);
		ck_assert_uint_le(data->span_len, 15 * sixteenth);
		ck_assert_uint_gt(data->span_len + 8192, 15 * sixteenth);
		/* Log: the last sixteenth, no overlap with data, inside the target. */
		ck_assert_uint_eq(log->span_off % 4096, 0);
		ck_assert_uint_eq(log->span_len % 4096, 0);
		ck_assert_uint_ge(log->span_off, data->span_off + data->span_len);
		ck_assert_uint_le(log->span_off, 15 * sixteenth);
		ck_assert_uint_gt(log->span_off + 4096, 15 * sixteenth);
		ck_assert_uint_le(log->span_off + log->span_len, size);
		ck_assert_uint_gt(log->span_off + log->span_len + 4096, size);
		ck_assert_uint_ge(log->span_len, sixteenth - 4096);
	}
}
END_TEST

START_TEST(file_server_region)
{
	static struct stream_spec s[MAXS];
	uint64_t size = sizes[_i];

	build(WL_FILE_SERVER, 1, 3, NULL, size, s);
	ck_assert_uint_eq(s[0].span_off, 0);
	ck_assert_uint_eq(s[0].span_len % (256 * KiB), 0);
	ck_assert_uint_le(s[0].span_len, size);
	ck_assert_uint_gt(s[0].span_len + 256 * KiB, size);
}
END_TEST

START_TEST(vm_slices)
{
	static struct stream_spec s[MAXS];
	struct workload_overrides ov = { .workers = 7 };
	uint64_t size = sizes[_i], align;
	unsigned pass;

	for (pass = 0; pass < INTENSITY_COUNT + 1; pass++) {
		/* Each intensity, then 7 VMs (slices that do not divide evenly). */
		int n = pass < INTENSITY_COUNT ? build(WL_VIRTUALIZATION, pass, 5, NULL, size, s) :
			build(WL_VIRTUALIZATION, 1, 5, &ov, size, s);
		int i;

		align = max_bs(&s[0]);
		ck_assert_uint_eq(align, 64 * KiB);
		ck_assert_uint_eq(s[0].span_off, 0);
		for (i = 0; i < n; i++) {
			ck_assert_uint_gt(s[i].span_len, 0);
			ck_assert_uint_eq(s[i].span_off % align, 0);
			ck_assert_uint_eq(s[i].span_len % align, 0);
			ck_assert_uint_eq(s[i].span_len, s[0].span_len);
			/* Each slice starts where the previous ends: disjoint and gapless. */
			if (i)
				ck_assert_uint_eq(s[i].span_off,
						  s[i - 1].span_off + s[i - 1].span_len);
		}
		ck_assert_uint_le(s[n - 1].span_off + s[n - 1].span_len, size);
		/* Covering: less than one aligned unit per VM (and the tail) is left over. */
		ck_assert_uint_lt(size - (s[n - 1].span_off + s[n - 1].span_len),
				  (uint64_t)(n + 1) * align);
	}
}
END_TEST

/* ---- the generators against the documented mix ------------------------------ */

struct mix {
	uint64_t ios, reads;
	uint64_t by_bs[STREAM_MAX_BS];
	uint64_t in_runs;         /* I/Os in contiguous chains of 2 or more */
	uint64_t chains, bad_chains;  /* chains of 2+, those not exactly run_len long */
};

/* Index of len among the stream's block sizes; aborts when it is none of them. */
static unsigned bs_index(const struct stream_spec *st, uint32_t len)
{
	unsigned i;

	for (i = 0; i < st->nbs; i++)
		if (st->bs[i].bs == len)
			return i;
	ck_abort_msg("stream %s: I/O of %u bytes, not one of its sizes", st->name, len);
	return 0;
}

/*
 * Run worker `index` of st for STEPS picks, checking every offset and
 * tallying the mix; counts (if not NULL) gets each block's hits (in units
 * of the first block size from the region start).
 */
static void run_stream(const struct stream_spec *st, unsigned index, uint64_t stream_id,
		       struct mix *m, uint32_t *counts, unsigned run_len)
{
	struct gen g;
	struct io_pick p, prev = { 0 };
	uint64_t chain = 0, end = st->span_off + st->span_len;
	unsigned i;

	memset(m, 0, sizeof(*m));
	gen_init(&g, st, st->span_off, st->span_len, index, st->workers, SEED, stream_id);
	for (i = 0; i < STEPS; i++) {
		gen_next(&g, &p);
		REQUIRE(p.len > 0 && p.off % p.len == 0, "%s: offset %llu not aligned to %u",
			st->name, (unsigned long long)p.off, p.len);
		REQUIRE(p.off >= st->span_off && p.off + p.len <= end,
			"%s: I/O [%llu, +%u) outside [%llu, %llu)", st->name,
			(unsigned long long)p.off, p.len, (unsigned long long)st->span_off,
			(unsigned long long)end);
		m->ios++;
		m->reads += !p.write;
		m->by_bs[bs_index(st, p.len)]++;
		if (counts)
			counts[(p.off - st->span_off) / st->bs[0].bs]++;
		/* A run continues where the last I/O ended, same size, same direction. */
		if (i && p.off == prev.off + prev.len && p.len == prev.len &&
		    p.write == prev.write) {
			chain++;
		} else {
			if (chain >= 2) {
				m->in_runs += chain;
				m->chains++;
				m->bad_chains += run_len && chain != run_len;
			}
			chain = 1;
		}
		prev = p;
	}
	if (chain >= 2) {
		m->in_runs += chain;
		m->chains++;
		/* A run cut short by the end of the picks is fine. */
	}
}

static void assert_share(uint64_t got, uint64_t total, double want, double tol, const char *what)
{
	double share = (double)got / (double)total;

	ck_assert_msg(fabs(share - want) <= tol, "%s: share %.5f, expected %.5f +- %.4f",
		      what, share, want, tol);
}

START_TEST(database_data_mix)
{
	static struct stream_spec s[MAXS];
	const struct stream_spec *data = &s[0];
	uint64_t nblocks, k, top1 = 0, top2 = 0, top3 = 0, hot = 0;
	double h = 0, p1, ratio;
	uint32_t *counts, *counts_w1;
	struct mix m;

	build(WL_DATABASE, 1, 4, NULL, GiB, s);
	nblocks = data->span_len / 8192;
	counts = calloc(nblocks, sizeof(*counts));
	counts_w1 = calloc(nblocks, sizeof(*counts_w1));
	ck_assert_ptr_nonnull(counts);
	ck_assert_ptr_nonnull(counts_w1);
	run_stream(data, 0, 0, &m, counts, 0);
	assert_share(m.reads, m.ios, 0.70, 0.003, "database data reads");
	ck_assert_uint_eq(m.by_bs[0], STEPS);

	/* The three hottest blocks. */
	for (k = 0; k < nblocks; k++) {
		if (counts[k] > top1) {
			top3 = top2;
			top2 = top1;
			top1 = counts[k];
			hot = k;
		} else if (counts[k] > top2) {
			top3 = top2;
			top2 = counts[k];
		} else if (counts[k] > top3) {
			top3 = counts[k];
		}
	}
	/* Zipf(1.2) over nblocks: P(rank 1) = 1 / sum k^-1.2. */
	for (k = nblocks; k >= 1; k--)
		h += pow((double)k, -1.2);
	p1 = 1.0 / h;
	assert_share(top1, STEPS, p1, 0.004, "hottest block");
	ratio = (double)top1 / (double)top2;
	ck_assert_msg(fabs(ratio - pow(2.0, 1.2)) < 0.06, "rank 1 / rank 2 = %.4f, expected %.4f",
		      ratio, pow(2.0, 1.2));
	ratio = (double)top1 / (double)top3;
	ck_assert_msg(fabs(ratio - pow(3.0, 1.2)) < 0.12, "rank 1 / rank 3 = %.4f, expected %.4f",
		      ratio, pow(3.0, 1.2));

	/* Another worker of the stream shares the hot set. */
	run_stream(data, 1, 0, &m, counts_w1, 0);
	for (k = 0, top1 = 0; k < nblocks; k++)
		if (counts_w1[k] > counts_w1[top1])
			top1 = k;
	ck_assert_uint_eq(top1, hot);
	free(counts);
	free(counts_w1);
}
END_TEST

START_TEST(database_log_mix)
{
	static struct stream_spec s[MAXS];
	const struct stream_spec *log = &s[1];
	struct mix m;

	build(WL_DATABASE, 1, 4, NULL, GiB, s);
	run_stream(log, 0, 1, &m, NULL, 0);
	ck_assert_uint_eq(m.reads, 0);
	ck_assert_uint_eq(m.by_bs[0], STEPS);
	/* Sequential: one chain, broken only where it wraps at the end of the log area. */
	ck_assert_uint_ge(m.in_runs, STEPS - STEPS / (log->span_len / 4096) - 2);
}
END_TEST

START_TEST(file_server_mix)
{
	static struct stream_spec s[MAXS];
	static const double want[] = { 0.10, 0.20, 0.40, 0.30 };
	static const uint32_t sizes_fs[] = { 4096, 16384, 65536, 262144 };
	struct mix m;
	char what[64];
	int i;

	/* A big target: a lone random I/O next to the previous one is then negligible. */
	build(WL_FILE_SERVER, 1, 3, NULL, 10 * TiB, s);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(s[0].bs[i].bs, sizes_fs[i]);
	run_stream(&s[0], 0, 0, &m, NULL, 16);
	assert_share(m.reads, m.ios, 0.80, 0.01, "file_server reads");
	for (i = 0; i < 4; i++) {
		snprintf(what, sizeof(what), "file_server %u-byte I/Os", sizes_fs[i]);
		assert_share(m.by_bs[i], m.ios, want[i], 0.01, what);
	}
	assert_share(m.in_runs, m.ios, 0.50, 0.015, "file_server I/Os in sequential runs");
	ck_assert_uint_gt(m.chains, 1000);
	ck_assert_msg(m.bad_chains == 0, "%llu of %llu sequential chains are not 16 long",
		      (unsigned long long)m.bad_chains, (unsigned long long)m.chains);
}
END_TEST

START_TEST(vm_mix)
{
	static struct stream_spec s[MAXS];
	static const double want[] = { 0.50, 0.25, 0.25 };
	static const uint32_t sizes_vm[] = { 4096, 16384, 65536 };
	struct mix m;
	char what[64];
	int n, v, i;

	n = build(WL_VIRTUALIZATION, 0, 5, NULL, GiB, s);
	for (v = 0; v < n; v++) {
		for (i = 0; i < 3; i++)
			ck_assert_uint_eq(s[v].bs[i].bs, sizes_vm[i]);
		/* run_stream checks every I/O stays inside this VM's slice. */
		run_stream(&s[v], 0, (uint64_t)v, &m, NULL, 0);
		assert_share(m.reads, m.ios, 0.60, 0.003, "VM reads");
		for (i = 0; i < 3; i++) {
			snprintf(what, sizeof(what), "vm%d %u-byte I/Os", v, sizes_vm[i]);
			assert_share(m.by_bs[i], m.ios, want[i], 0.003, what);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("profiles");
	TCase *tab = tcase_create("tables");
	TCase *reg = tcase_create("regions");
	TCase *mix = tcase_create("mix");
	SRunner *sr;
	int failed;

	tcase_add_test(tab, tables);
	tcase_add_loop_test(tab, workers_by_intensity, 0, INTENSITY_COUNT);
	tcase_add_test(tab, overrides);
	tcase_add_test(tab, rate_split);
	tcase_add_test(tab, too_small_array);
	tcase_add_loop_test(tab, shipped_files, 0, (WL_COUNT - 1) * INTENSITY_COUNT);
	suite_add_tcase(s, tab);

	tcase_add_loop_test(reg, database_regions, 0, N(sizes));
	tcase_add_loop_test(reg, file_server_region, 0, N(sizes));
	tcase_add_loop_test(reg, vm_slices, 0, N(sizes));
	suite_add_tcase(s, reg);

	tcase_add_test(mix, database_data_mix);
	tcase_add_test(mix, database_log_mix);
	tcase_add_test(mix, file_server_mix);
	tcase_add_test(mix, vm_mix);
	/* Under valgrind the million-pick tests take a while. */
	tcase_set_timeout(mix, 120);
	suite_add_tcase(s, mix);


	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
