#include "run/reference.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runopts.h"
#include "engine/engine.h"
#include "result/result_json.h"
#include "run/session.h"
#include "run/session_dm.h"
#include "stats/mde.h"
#include "stats/paired.h"
#include "util/log.h"
#include "util/timeutil.h"

/* The request that opens the linear twin: it maps the main device the target was checked on. */
static struct target_request twin_request(const struct session *s, const char *devnode)
{
	return (struct target_request){
		.path = devnode, .write = runopts_writes(s->ro), .force = true,
	};
}

/*
 * The swap strategy's twin: created right after the target's removal. The
 * holder of the main device lets it go when its device goes, but an
 * opener that probes a new device (udev, blkid) may hold it a moment: the
 * kernel's refusal is retried for up to TWIN_BUSY_RETRIES * 100 ms.
 */
#define TWIN_BUSY_RETRIES 30

static int open_twin(struct session *s)
{
	struct reference *ref = s->ref;
	struct target_request req;
	bool busy = false;
	unsigned tries = 0;
	int rc;

	do {
		if (tries)
			usleep(100000);
		rc = sdm_twin_create(s, &busy, ref->path, sizeof(ref->path));
	} while (busy && ++tries < TWIN_BUSY_RETRIES);
	if (busy) {
		log_error("--compare-linear: the kernel refused the linear twin of %s (the main "
			  "device is claimed by another holder)", s->dm->name);
		return EXIT_RUNTIME;
	}
	if (rc)
		return rc;
	ref->twin_present = true;
	req = twin_request(s, ref->path);
	return target_open(&ref->t, &req);
}

static int close_twin(struct session *s)
{
	struct reference *ref = s->ref;
	int rc = 0;

	target_close(&ref->t);
	if (ref->twin_present) {
		rc = sdm_twin_remove(s);
		if (!rc)
			ref->twin_present = false;
	}
	return rc;
}

/* Swap strategy: make `target` (true) or the reference the one device that exists. */
static int swap_to(struct session *s, bool target)
{
	struct reference *ref = s->ref;
	int rc;

	if (ref->strategy != REF_SWAP || target == ref->target_present)
		return 0;
	ref->swaps++;
	if (target) {
		rc = close_twin(s);
		if (!rc)
			rc = sdm_target_create(s);
		if (!rc) {
			ref->target_present = true;
			rc = target_open(&s->target, &s->treq);
		}
		return rc;
	}
	target_close(&s->target);
	rc = sdm_target_remove(s);
	if (rc)
		return rc;
	ref->target_present = false;
	/* The counters of a device that is created again start from zero. */
	s->have_stat = false;
	return open_twin(s);
}

static int open_device(struct session *s, const struct target_request *treq)
{
	struct reference *ref = s->ref;
	struct target_request req = *treq;
	int rc;

	snprintf(ref->path, sizeof(ref->path), "%s", s->ro->reference);
	req.path = ref->path;
	req.size = 0;
	rc = target_open(&ref->t, &req);
	if (rc)
		return rc;
	if (ref->t.size < s->target.size) {
		log_error("--reference: %s holds %llu bytes, less than the target's %llu (allowed: "
			  "a device at least as large; both are measured over the target's size)",
			  ref->path, (unsigned long long)ref->t.size,
			  (unsigned long long)s->target.size);
		return EXIT_USAGE;
	}
	ref->have_stat = target_read_blk_stat(&ref->t, &ref->stat_before) == 0;
	/* Again, now that the device is open: a file's filesystem is known. */
	session_probe_setup(s, &ref->acct, &ref->probe, &ref->t);
	return 0;
}

int reference_open(struct session *s, const struct target_request *treq)
{
	const struct run_opts *ro = s->ro;
	struct reference *ref;
	bool busy = false;
	int rc;

	if (!runopts_interleaved(ro))
		return 0;
	ref = calloc(1, sizeof(*ref));
	if (!ref) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	ref->t.fd = -1;
	session_probe_setup(s, &ref->acct, &ref->probe, &ref->t);
	ref->slice_ns = runopts_slice_ns(ro);
	ref->target_present = true;
	s->ref = ref;
	if (ro->reference) {
		ref->kind = REF_DEVICE;
		return open_device(s, treq);
	}
	ref->kind = REF_LINEAR_TWIN;
	if (!s->dm || !s->dm->built) {
		log_error("--compare-linear: needs a device-mapper stack built for the run");
		return EXIT_USAGE;
	}
	rc = sdm_twin_create(s, &busy, ref->path, sizeof(ref->path));
	if (busy) {
		/* The target holds main exclusively (dm-remap-v4): one device at a time. */
		ref->strategy = REF_SWAP;
		log_info("--compare-linear: %s holds its main device exclusively; measuring it "
			 "and its linear twin one at a time, re-creating each for its slices",
			 s->dm->name);
		return 0;
	}
	if (rc)
		return rc;
	ref->strategy = REF_COEXIST;
	ref->twin_present = true;
	{
		struct target_request req = twin_request(s, ref->path);

		return target_open(&ref->t, &req);
	}
}

/* One slice on one side; its result merges into acc. */
static int run_slice(struct session *s, const struct job *job, bool target, unsigned pair,
		     uint64_t len, struct run_result *acc, struct slice_summary *sum, int *stop)
{
	struct reference *ref = s->ref;
	struct run_result r;
	struct job sj = *job;
	bool expired;
	int rc;

	rc = swap_to(s, target);
	if (rc)
		return rc;
	sj.duration_ns = len;
	sj.seed = job->seed + pair;
	sj.target = target ? &s->target : &ref->t;
	sj.timeout_ns = session_timeout_left(s, &expired);
	if (!target) {
		sj.on_interval = NULL;  /* the command's callbacks watch the target */
		sj.probe = job->probe ? &ref->probe : NULL;
	}
	snprintf(ref->label, sizeof(ref->label), "%s%s%s %u", job->label ? job->label : "",
		 job->label ? " " : "", target ? "target" : "reference", pair + 1);
	sj.label = ref->label;
	if (expired) {
		acc->timed_out = true;
		*stop = 1;
		return 0;
	}
	if (run_result_init(&r, job->nstreams)) {
		log_error("out of memory for the results");
		return EXIT_RUNTIME;
	}
	rc = engine_run(&sj, &r);
	if (!rc && target)
		sdm_after_run(s);
	if (!rc) {
		slice_summarize(&r, sum);
		if (run_result_accumulate(acc, &r)) {
			log_error("out of memory for the results");
			rc = EXIT_RUNTIME;
		}
		if (r.signal || r.error_stop || r.timed_out || r.abandoned_ios)
			*stop = 1;
	}
	run_result_free(&r);
	return rc;
}

int reference_run(struct session *s, const struct job *job, struct run_result *tres,
		  struct run_result *rres, struct part_record *pr, unsigned run)
{
	struct reference *ref = s->ref;
	uint64_t left = job->duration_ns;
	unsigned k;
	int rc = 0, stop = 0;

	for (k = 0; left && !stop; k++) {
		uint64_t len = left < ref->slice_ns ? left : ref->slice_ns;
		struct slice_pair p = { .run = run, .index = k, .target_first = k % 2 == 0 };

		/* A last slice shorter than half of one joins the one before. */
		if (left - len < ref->slice_ns / 2)
			len = left;
		rc = run_slice(s, job, p.target_first, k, len, p.target_first ? tres : rres,
			       p.target_first ? &p.target : &p.ref, &stop);
		if (!rc && !stop)
			rc = run_slice(s, job, !p.target_first, k, len,
				       p.target_first ? rres : tres,
				       p.target_first ? &p.ref : &p.target, &stop);
		if (rc)
			break;
		/* A pair cut short by a stop is no pair. */
		if (!stop && part_record_add_pair(pr, &p)) {
			log_error("out of memory for the results");
			rc = EXIT_RUNTIME;
			break;
		}
		left -= len;
	}
	/* The run ends on the target, as every later step (status, verify) expects. */
	if (!rc)
		rc = swap_to(s, true);
	/* What stopped a slice stops the run. */
	tres->signal = tres->signal ? tres->signal : rres->signal;
	tres->error_stop |= rres->error_stop;
	return rc;
}

/* The figures the overhead is computed for, and which way is worse. */
static const struct {
	const char *name;
	bool latency;
} ovh_metrics[] = {
	{ "iops", false }, { "bw", false }, { "lat_mean", true }, { "lat_p50", true },
	{ "lat_p99", true }, { "lat_p99.9", true },
	/* CPU per I/O, of all directions together: only "total" has them. */
	{ "cpu_per_io", true }, { "tool_cpu_per_io", true },
};

static double summary_figure(const struct slice_summary *m, int d, size_t k)
{
	switch (k) {
	case 0: return m->iops[d];
	case 1: return m->bw[d];
	case 2: return m->lat_mean[d];
	case 3: return m->lat_p50[d];
	case 4: return m->lat_p99[d];
	case 5: return m->lat_p999[d];
	case 6: return d == SUM_TOTAL ? m->cpu_per_io : 0;
	default: return d == SUM_TOTAL ? m->tool_cpu_per_io : 0;
	}
}

/*
 * The overhead of the target against the reference over all pairs:
 * paired statistics on the per-pair log ratios (stats/paired.h), in
 * percent of the reference, signed so that positive is worse for the
 * target (throughput lower, latency higher). NULL without usable pairs.
 */
static json_t *overhead_one(const struct part_record *pr, int d, size_t k, double alpha)
{
	double *a = calloc(pr->npairs ? pr->npairs : 1, sizeof(double));
	double *b = calloc(pr->npairs ? pr->npairs : 1, sizeof(double));
	struct paired_result r;
	struct mde m;
	size_t i, n = 0;
	double sign = ovh_metrics[k].latency ? 1 : -1;
	json_t *o = NULL;

	if (!a || !b)
		goto out;
	for (i = 0; i < pr->npairs; i++) {
		double x = summary_figure(&pr->pairs[i].ref, d, k);
		double y = summary_figure(&pr->pairs[i].target, d, k);

		if (x > 0 && y > 0 && pr->pairs[i].ref.ops[d] && pr->pairs[i].target.ops[d]) {
			a[n] = x;
			b[n++] = y;
		}
	}
	if (!n || paired_compare(a, b, n, alpha, &r))
		goto out;
	o = json_pack("{s:I, s:s}", "n", (json_int_t)n,
		      "method", "Hodges-Lehmann and Wilcoxon signed-rank on the pairs' log ratios");
	json_object_set_new(o, "estimate_pct", json_real(sign * r.hl_pct));
	json_object_set_new(o, "ci_low_pct", isfinite(r.ci_low_pct) ?
			    json_real(sign > 0 ? r.ci_low_pct : -r.ci_high_pct) : json_null());
	json_object_set_new(o, "ci_high_pct", isfinite(r.ci_high_pct) ?
			    json_real(sign > 0 ? r.ci_high_pct : -r.ci_low_pct) : json_null());
	json_object_set_new(o, "ci_level", json_real(r.ci_level));
	json_object_set_new(o, "p_value", isfinite(r.p) ? json_real(r.p) : json_null());
	json_object_set_new(o, "tested", json_boolean(r.testable));
	if (!r.testable)
		json_object_set_new(o, "pairs_needed", json_integer((json_int_t)r.pairs_needed));
	if (isfinite(r.sd_log) && mde_signed_rank(n, r.sd_log, alpha, 0.8, &m) == 0 && m.possible)
		json_object_set_new(o, "detectable_pct", json_real(ovh_metrics[k].latency ?
								   m.up_pct : -m.down_pct));
out:
	free(a);
	free(b);
	return o;
}

static json_t *overhead_json(const struct part_record *pr, double alpha)
{
	static const char *const dirs[] = { "read", "write", "total" };
	json_t *o = json_object();
	size_t k;
	int d;

	for (d = 0; d < SUM_DIRS; d++) {
		json_t *dj = json_object();

		for (k = 0; k < sizeof(ovh_metrics) / sizeof(ovh_metrics[0]); k++) {
			json_t *m = overhead_one(pr, d, k, alpha);

			if (m)
				json_object_set_new(dj, ovh_metrics[k].name, m);
		}
		if (json_object_size(dj))
			json_object_set_new(o, dirs[d], dj);
		else
			json_decref(dj);
	}
	return o;
}

static const char *kind_name(enum reference_kind k)
{
	return k == REF_DEVICE ? "device" : "linear-twin";
}

static json_t *summary_json(const struct slice_summary *m)
{
	static const char *const dirs[] = { "read", "write", "total" };
	json_t *o = json_object();
	int d;

	for (d = 0; d < SUM_DIRS; d++)
		json_object_set_new(o, dirs[d], json_pack(
			"{s:I, s:f, s:f, s:f, s:f, s:f, s:f}",
			"ops", (json_int_t)m->ops[d], "iops", m->iops[d], "bw_bytes_per_s", m->bw[d],
			"lat_mean_ns", m->lat_mean[d], "lat_p50_ns", m->lat_p50[d],
			"lat_p99_ns", m->lat_p99[d], "lat_p99.9_ns", m->lat_p999[d]));
	if (m->cpu_per_io > 0 || m->tool_cpu_per_io > 0) {
		json_t *t = json_object_get(o, "total");

		json_object_set_new(t, "cpu_per_io_ns", json_real(m->cpu_per_io));
		json_object_set_new(t, "tool_cpu_per_io_ns", json_real(m->tool_cpu_per_io));
	}
	json_object_set_new(o, "duration_s", json_real(m->duration_s));
	return o;
}

/*
 * The pairs of parts [from, to) as one record (only its pairs are set), for
 * the statistics over them; -1 when out of memory.
 */
static int pairs_of_parts(const struct session *s, unsigned from, unsigned to,
			  struct part_record *out)
{
	size_t n = 0, k = 0;
	unsigned p;

	memset(out, 0, sizeof(*out));
	for (p = from; p < to; p++)
		n += s->parts[p].npairs;
	out->pairs = calloc(n ? n : 1, sizeof(*out->pairs));
	if (!out->pairs)
		return -1;
	for (p = from; p < to; p++) {
		memcpy(out->pairs + k, s->parts[p].pairs, s->parts[p].npairs * sizeof(*out->pairs));
		k += s->parts[p].npairs;
	}
	out->npairs = out->pairs_cap = n;
	return 0;
}

/* results, pairs, pairs_detail and overhead of parts [from, to). */
static json_t *ref_node(struct session *s, unsigned from, unsigned to)
{
	struct part_record all;
	struct run_result merged;
	json_t *j, *pairs;
	unsigned p, i;

	if (pairs_of_parts(s, from, to, &all))
		return NULL;
	if (run_result_init(&merged, s->parts[from].nstreams)) {
		free(all.pairs);
		return NULL;
	}
	pairs = json_array();
	for (p = from; p < to; p++) {
		const struct part_record *pr = &s->parts[p];

		for (i = 0; i < pr->nreps; i++)
			run_result_accumulate(&merged, &pr->ref_reps[i]);
		for (i = 0; i < pr->npairs; i++) {
			const struct slice_pair *x = &pr->pairs[i];
			json_t *pj = json_pack("{s:I, s:I, s:s, s:o, s:o}",
				"run", (json_int_t)x->run, "i", (json_int_t)x->index,
				"first", x->target_first ? "target" : "reference",
				"target", summary_json(&x->target), "reference", summary_json(&x->ref));

			/* The part (a step of a sweep) the pair belongs to, with several. */
			if (pj && s->nparts > 1)
				json_object_set_new(pj, "part", json_integer((json_int_t)p));
			json_array_append_new(pairs, pj);
		}
	}
	j = json_pack("{s:I, s:o, s:o, s:o}",
		      "pairs", (json_int_t)all.npairs,
		      "results", run_result_json(&merged),
		      "overhead", overhead_json(&all, s->ro->alpha),
		      "pairs_detail", pairs);
	run_result_free(&merged);
	free(all.pairs);
	return j;
}

json_t *reference_json(struct session *s)
{
	struct reference *ref = s->ref;
	json_t *j;

	if (!ref || !s->nparts)
		return NULL;
	j = ref_node(s, 0, s->nparts);
	if (!j)
		return NULL;
	json_object_update_new(j, json_pack("{s:s, s:s, s:s, s:f, s:I}",
		      "kind", kind_name(ref->kind),
		      "path", ref->path,
		      "strategy", ref->strategy == REF_SWAP ? "swap" : "coexist",
		      "slice_s", (double)ref->slice_ns / 1e9,
		      "swaps", (json_int_t)ref->swaps));
	if (ref->have_stat && ref->t.fd >= 0) {
		struct blk_stat after;

		if (target_read_blk_stat(&ref->t, &after) == 0)
			json_object_set_new(j, "kernel_counters_delta", json_pack(
				"{s:I, s:I}", "reads_completed",
				(json_int_t)(after.rd_ios - ref->stat_before.rd_ios),
				"writes_completed", (json_int_t)(after.wr_ios - ref->stat_before.wr_ios)));
	}
	return j;
}

json_t *reference_part_json(struct session *s, unsigned part)
{
	json_t *j;

	if (!s->ref || part >= s->nparts)
		return NULL;
	j = ref_node(s, part, part + 1);
	/* The pairs are in the document's reference node already. */
	if (j)
		json_object_del(j, "pairs_detail");
	return j;
}

/* "  cpu per I/O: system +12.0% [+8.1, +15.2], tool +3.1% [...]" */
static void cpu_overhead_print(FILE *f, json_t *total)
{
	static const char *const names[][2] = {
		{ "cpu_per_io", "system" }, { "tool_cpu_per_io", "tool" },
	};
	bool any = false;
	size_t k;

	for (k = 0; k < 2; k++) {
		json_t *m = json_object_get(total, names[k][0]);
		char ci[40] = "";

		if (!m)
			continue;
		if (json_is_number(json_object_get(m, "ci_low_pct")))
			snprintf(ci, sizeof(ci), " [%+.1f, %+.1f]",
				 json_number_value(json_object_get(m, "ci_low_pct")),
				 json_number_value(json_object_get(m, "ci_high_pct")));
		fprintf(f, "%s %s %+.1f%%%s", any ? "," : "  cpu per I/O:", names[k][1],
			json_number_value(json_object_get(m, "estimate_pct")), ci);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

void reference_print(const struct session *s, FILE *f)
{
	static const char *const dirs[] = { "read", "write", "total" };
	static const size_t cols[] = { 0, 3, 4 };
	const struct reference *ref = s->ref;
	struct part_record all;
	json_t *o;
	size_t k;
	int d;

	if (!ref || !s->nparts || pairs_of_parts(s, 0, s->nparts, &all))
		return;
	fprintf(f, "reference: %s %s, %zu pairs of %.1fs slices, interleaved%s%s\n",
		ref->kind == REF_DEVICE ? "device" : "linear twin", ref->path, all.npairs,
		(double)ref->slice_ns / 1e9,
		ref->strategy == REF_SWAP ? " (one device at a time: the target holds its main "
		"device exclusively)" : "", s->nparts > 1 ? "; over every part" : "");
	o = overhead_json(&all, s->ro->alpha);
	free(all.pairs);
	if (!json_object_size(o)) {
		json_decref(o);
		return;
	}
	fprintf(f, "  overhead of the target, %% of the reference (positive: target worse; "
		"95%% CI):\n");
	for (d = 0; d < SUM_DIRS; d++) {
		json_t *dj = json_object_get(o, dirs[d]);

		if (!dj)
			continue;
		fprintf(f, "  %-6s", dirs[d]);
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			json_t *m = json_object_get(dj, ovh_metrics[cols[k]].name);
			char ci[40] = "";

			if (!m) {
				fprintf(f, "  %-9s %-26s", ovh_metrics[cols[k]].name, "-");
				continue;
			}
			if (json_is_number(json_object_get(m, "ci_low_pct")))
				snprintf(ci, sizeof(ci), " [%+.1f, %+.1f]",
					 json_number_value(json_object_get(m, "ci_low_pct")),
					 json_number_value(json_object_get(m, "ci_high_pct")));
			fprintf(f, "  %-9s %+6.1f%%%-19s", ovh_metrics[cols[k]].name,
				json_number_value(json_object_get(m, "estimate_pct")), ci);
		}
		fputc('\n', f);
	}
	cpu_overhead_print(f, json_object_get(o, "total"));
	json_decref(o);
}

int reference_close(struct session *s)
{
	struct reference *ref = s->ref;
	int rc = 0;

	if (!ref)
		return 0;
	if (ref->kind == REF_LINEAR_TWIN)
		rc = close_twin(s);
	else
		target_close(&ref->t);
	acct_probe_reset(&ref->acct);
	free(ref);
	s->ref = NULL;
	return rc;
}
