/* Running a sweep: its steps as parts of one session (sweep_run.h). */
#include "run/sweep_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runopts.h"
#include "cli/units.h"
#include "engine/gen.h"
#include "result/cost.h"
#include "result/result_json.h"
#include "result/result_text.h"
#include "run/reference.h"
#include "run/repeat.h"
#include "util/log.h"

/* The I/Os in flight at step k. */
static uint64_t step_ops(const struct sweep_plan *p, unsigned k)
{
	return p->by == SWEEP_BY_OPS ? p->load[k] : p->ops;
}

/* The stream of step k: the one place the load becomes the workload. */
static void sweep_step_stream(const struct sweep_plan *p, unsigned k, const struct run_opts *ro,
			      struct stream_spec *st)
{
	uint64_t ops = step_ops(p, k);
	unsigned workers = ro->workers_set && ro->workers ? ro->workers :
		gen_auto_workers(ops, runopts_usable_cpus(ro));

	if (workers > ops)
		workers = (unsigned)ops;   /* each worker keeps one I/O in flight at least */
	*st = (struct stream_spec){
		.workers = workers, .total_depth = ops, .nbs = 1,
		.bs = { { (uint32_t)ro->bs, 1 } }, .rate_iops = ro->rate_iops,
	};
	snprintf(st->name, sizeof(st->name), "step%u", k + 1);
	runopts_pattern(ro, &st->read_pct, &st->access);
	if (p->by == SWEEP_BY_RATE) {
		switch (p->rate_mode) {
		case SWEEP_RATE_CLOSED_CAP:
			/* The engine's token bucket over a closed loop of --ops I/Os. */
			st->rate_iops = p->load[k];
			break;
		}
	}
}

/* session_emit's hook: each run of --repeat gets the knee of its own steps. */
static void decorate_run(void *arg, json_t *run_results)
{
	const struct sweep_run *sr = arg;
	struct sweep_knee k;

	if (sweep_knee_of_results(run_results, &sr->plan->slo, &k) == 0)
		json_object_set_new(run_results, "knee", sweep_knee_json(&k));
}

int sweep_run(struct sweep_run *sr, struct session *s, const struct sweep_plan *plan)
{
	const char *what = plan->by == SWEEP_BY_OPS ? "depth" : "rate";
	unsigned k;

	memset(sr, 0, sizeof(*sr));
	sr->s = s;
	sr->plan = plan;
	for (k = 0; k < plan->n; k++) {
		struct run_part *part = &sr->parts[k];

		sweep_step_stream(plan, k, s->ro, &sr->st[k]);
		session_job_init(s, &part->job, &sr->st[k], 1);
		/* --duration and --ramp are each step's: every load settles anew. */
		part->job.duration_ns = s->ro->duration_ns;
		part->job.ramp_ns = s->ro->ramp_ns;
		snprintf(part->name, sizeof(part->name), "step %u/%u %s %llu", k + 1, plan->n, what,
			 (unsigned long long)plan->load[k]);
	}
	s->parts_key = "steps";
	s->decorate_run = decorate_run;
	s->decorate_arg = sr;
	sr->ran = true;
	return multirun(s, sr->parts, plan->n, &sr->total);
}

/* Steps that ran to their end (a stop cuts the sweep short). */
static unsigned steps_done(const struct sweep_run *sr)
{
	unsigned k;

	for (k = 0; k < sr->plan->n && sr->parts[k].ran; k++)
		if (sr->parts[k].res.signal)
			break;
	return k;
}

json_t *sweep_results_json(struct sweep_run *sr)
{
	const struct sweep_plan *p = sr->plan;
	json_t *r = run_result_json(&sr->total), *steps = json_array();
	unsigned k, n = steps_done(sr);

	if (!r || !steps) {
		json_decref(r);
		json_decref(steps);
		return NULL;
	}
	for (k = 0; k < n; k++) {
		json_t *j = run_result_json(&sr->parts[k].res);

		if (!j)
			continue;
		json_object_set_new(j, "step", json_integer(k + 1));
		json_object_set_new(j, "load", json_integer((json_int_t)p->load[k]));
		json_object_set_new(j, "ops", json_integer((json_int_t)step_ops(p, k)));
		json_object_set_new(j, "workers", json_integer(sr->st[k].workers));
		json_object_set_new(j, "rate_iops", json_integer((json_int_t)sr->st[k].rate_iops));
		if (sr->s->ref)
			json_object_set_new(j, "reference", reference_part_json(sr->s, k));
		json_array_append_new(steps, j);
	}
	json_object_set_new(r, "steps", steps);
	sr->have_knee = sweep_knee_of_results(r, &p->slo, &sr->knee) == 0;
	if (sr->have_knee)
		json_object_set_new(r, "knee", sweep_knee_json(&sr->knee));
	return r;
}

json_t *sweep_node_json(const struct sweep_run *sr)
{
	const struct sweep_plan *p = sr->plan;
	json_t *j = json_pack("{s:s, s:s, s:[]}", "by", sweep_by_names[p->by],
			      "knee_method", p->slo.set ? "slo" : "kneedle", "loads");
	unsigned k;

	if (!j)
		return NULL;
	for (k = 0; k < p->n; k++)
		json_array_append_new(json_object_get(j, "loads"),
				      json_integer((json_int_t)p->load[k]));
	if (p->by == SWEEP_BY_RATE) {
		json_object_set_new(j, "rate_mode", json_string(sweep_rate_mode_names[p->rate_mode]));
		json_object_set_new(j, "ops", json_integer(p->ops));
	}
	if (p->slo.set)
		json_object_set_new(j, "slo", json_pack("{s:s, s:I}", "stat",
							sweep_stat_name(p->slo.stat),
							"ns", (json_int_t)p->slo.ns));
	json_object_set_new(j, "steps_run", json_integer(steps_done(sr)));
	return j;
}

void sweep_params(const struct sweep_plan *plan, const char *slo_spec, json_t *params)
{
	json_t *loads = json_array();
	unsigned k;

	for (k = 0; k < plan->n; k++)
		json_array_append_new(loads, json_integer((json_int_t)plan->load[k]));
	json_object_set_new(params, "sweep_by", json_string(sweep_by_names[plan->by]));
	json_object_set_new(params, "loads", loads);
	if (plan->by == SWEEP_BY_RATE) {
		json_object_set_new(params, "ops", json_integer(plan->ops));
		json_object_set_new(params, "rate_mode",
				    json_string(sweep_rate_mode_names[plan->rate_mode]));
	}
	if (slo_spec)
		json_object_set_new(params, "slo", json_string(slo_spec));
}

/* ---- the summary ------------------------------------------------------------- */

static void load_cell(const struct sweep_plan *p, unsigned k, char *buf, size_t len)
{
	if (p->by == SWEEP_BY_OPS)
		snprintf(buf, len, "%llu", (unsigned long long)p->load[k]);
	else
		format_count((double)p->load[k], buf, len);
}

static void cpu_cells(const struct run_result *r, char *sys, char *tool, size_t len)
{
	struct cpu_figures f;
	long hz = sysconf(_SC_CLK_TCK);

	snprintf(sys, len, "-");
	snprintf(tool, len, "-");
	if (!r->cpu.window_ns)
		return;
	cpu_acct_figures(&r->cpu, run_result_total_ops(r), hz > 0 ? hz : 100, &f);
	if (isfinite(f.per_io_system_ns))
		format_ns(f.per_io_system_ns, sys, len);
	if (isfinite(f.per_io_tool_ns))
		format_ns(f.per_io_tool_ns, tool, len);
}

static double pct_of(json_t *overhead, const char *metric)
{
	json_t *m = json_object_get(json_object_get(overhead, "total"), metric);
	json_t *v = json_object_get(m, "estimate_pct");

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void pct_cell(double v, char *buf, size_t len)
{
	if (isfinite(v))
		snprintf(buf, len, "%+.1f%%", v);
	else
		snprintf(buf, len, "-");
}

/* The reference's curve and the overhead at each load. */
static void print_reference_steps(FILE *f, struct sweep_run *sr, unsigned n)
{
	const struct sweep_plan *p = sr->plan;
	unsigned k;

	fprintf(f, "  reference by step (%s), overhead of the target in %% of it:\n",
		sr->s->ro->reference ? sr->s->ro->reference : "linear twin");
	fprintf(f, "  %-4s %8s %10s %10s %10s %9s %9s %9s\n", "step",
		p->by == SWEEP_BY_OPS ? "depth" : "rate", "ref IOPS", "ref p99", "ref CPU/IO",
		"IOPS", "p99", "CPU/IO");
	for (k = 0; k < n; k++) {
		json_t *node = reference_part_json(sr->s, k);
		json_t *t = json_object_get(json_object_get(node, "results"), "total");
		json_t *ov = json_object_get(node, "overhead");
		json_t *cpu = json_object_get(json_object_get(node, "results"), "cpu");
		double per = json_number_value(json_object_get(json_object_get(cpu, "per_io_ns"),
							       "system"));
		char load[16], iops[16], p99[16], c[16], a[16], b[16], d[16];

		load_cell(p, k, load, sizeof(load));
		format_count(json_number_value(json_object_get(t, "iops")), iops, sizeof(iops));
		format_ns(json_number_value(json_object_get(json_object_get(t, "lat_ns"), "p99")),
			  p99, sizeof(p99));
		if (per > 0)
			format_ns(per, c, sizeof(c));
		else
			snprintf(c, sizeof(c), "-");
		pct_cell(pct_of(ov, "iops"), a, sizeof(a));
		pct_cell(pct_of(ov, "lat_p99"), b, sizeof(b));
		pct_cell(pct_of(ov, "cpu_per_io"), d, sizeof(d));
		fprintf(f, "  %-4u %8s %10s %10s %10s %9s %9s %9s\n", k + 1, load, iops, p99, c, a,
			b, d);
		json_decref(node);
	}
}

void sweep_print(FILE *f, void *arg)
{
	struct sweep_run *sr = arg;
	const struct sweep_plan *p = sr->plan;
	const struct run_opts *ro = sr->s->ro;
	char tgt[PATH_MAX + 128], dur[32], knee[512];
	unsigned k, n = steps_done(sr);

	session_describe_target(sr->s, tgt, sizeof(tgt));
	format_duration(ro->duration_ns, dur, sizeof(dur));
	if (p->by == SWEEP_BY_OPS)
		fprintf(f, "sweep: by queue depth, %u steps of %s, %s bs %llu, seed %llu%s\n", p->n,
			dur, rw_mode_names[ro->rw], (unsigned long long)ro->bs,
			(unsigned long long)ro->seed, sr->total.signal ? " [interrupted]" : "");
	else
		fprintf(f, "sweep: by rate (%s, %u in flight), %u steps of %s, %s bs %llu, "
			"seed %llu%s\n", sweep_rate_mode_names[p->rate_mode], p->ops, p->n, dur,
			rw_mode_names[ro->rw], (unsigned long long)ro->bs,
			(unsigned long long)ro->seed, sr->total.signal ? " [interrupted]" : "");
	fprintf(f, "  target: %s\n", tgt);
	fprintf(f, "  %-4s %8s %10s %9s %10s %10s %10s %9s\n", "step",
		p->by == SWEEP_BY_OPS ? "depth" : "rate", "IOPS", "MB/s", "p50", "p99", "CPU/IO",
		"tool/IO");
	for (k = 0; k < n; k++) {
		struct slice_summary m;
		char load[16], iops[16], p50[16], p99[16], sys[16], tool[16];

		slice_summarize(&sr->parts[k].res, &m);
		load_cell(p, k, load, sizeof(load));
		format_count(m.iops[SUM_TOTAL], iops, sizeof(iops));
		format_ns(m.lat_p50[SUM_TOTAL], p50, sizeof(p50));
		format_ns(m.lat_p99[SUM_TOTAL], p99, sizeof(p99));
		cpu_cells(&sr->parts[k].res, sys, tool, sizeof(sys));
		fprintf(f, "  %-4u %8s %10s %9.1f %10s %10s %10s %9s%s\n", k + 1, load, iops,
			m.bw[SUM_TOTAL] / 1e6, p50, p99, sys, tool,
			sr->have_knee && sr->knee.found && sr->knee.index == k ?
			sweep_knee_mark(&sr->knee) : "");
	}
	if (sr->have_knee) {
		sweep_knee_describe(&sr->knee, p->by, knee, sizeof(knee));
		fprintf(f, "  %s\n", knee);
	} else if (n < SWEEP_MIN_STEPS) {
		fprintf(f, "  knee: not computed (%u steps ran; it needs %d)\n", n, SWEEP_MIN_STEPS);
	}
	if (p->by == SWEEP_BY_RATE)
		fprintf(f, "  rates are a %s: a worker waits for its token before it submits, and "
			"the wait is not in the latency\n", sweep_rate_mode_names[p->rate_mode]);
	if (sr->s->ref)
		print_reference_steps(f, sr, n);
	fprintf(f, "all steps:\n");
	run_result_print(f, &sr->total);
}

void sweep_free(struct sweep_run *sr)
{
	if (sr->ran)
		multirun_free(sr->parts, sr->plan->n, &sr->total);
	sr->ran = false;
}
