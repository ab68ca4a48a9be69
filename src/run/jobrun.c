#include "run/jobrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result/result_json.h"
#include "result/result_text.h"
#include "run/multirun.h"
#include "run/session.h"
#include "util/log.h"
#include "util/timeutil.h"

struct jobrun_state {
	struct jobrun *jr;
	struct session *s;
	struct run_part *parts;
	unsigned nparts;
	struct run_result total;
};

unsigned jobrun_block_sizes(const struct jobrun *jr, uint32_t *out, unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; i < jr->nparts && n < max; i++)
		n += jobfile_block_sizes(jr->parts[i].jf, out + n, max - n);
	return n;
}

void jobrun_apply_file(const struct jobfile *jf, struct run_opts *ro)
{
	if (!ro->target && !ro->dm_main && jf->filename_set)
		ro->target = jf->filename;
	if (!ro->duration_set && jf->runtime_set)
		ro->duration_ns = jf->runtime_ns;
	if (!ro->duration_set && !jf->runtime_set && !jf->time_based)
		ro->duration_ns = 7 * 86400 * NSEC_PER_SEC;  /* one pass: the pass ends it */
	if (!ro->ramp_set && jf->ramp_set)
		ro->ramp_ns = jf->ramp_ns;
	if (!ro->engine_set && jf->ioengine >= 0)
		ro->engine = jf->ioengine;
	/* The target is opened for writing only when a job writes, flushes or discards. */
	if (!ro->rw_set)
		ro->rw = jobfile_writes(jf) ? RW_RANDRW : RW_RANDREAD;
}

static void print_summary(FILE *f, void *arg)
{
	const struct jobrun_state *st = arg;
	char tgt[PATH_MAX + 128];
	unsigned i;

	session_describe_target(st->s, tgt, sizeof(tgt));
	fprintf(f, "%s, seed %llu%s\n", st->jr->title, (unsigned long long)st->s->ro->seed,
		st->total.signal ? " [interrupted]" : "");
	fprintf(f, "  target: %s\n", tgt);
	for (i = 0; i < st->nparts && st->parts[i].ran; i++) {
		if (st->nparts > 1)
			fprintf(f, "phase %u: %s\n", i + 1, st->parts[i].name);
		run_result_print_streams(f, &st->parts[i].res);
		run_result_print(f, &st->parts[i].res);
	}
	if (st->nparts > 1) {
		fprintf(f, "all phases:\n");
		run_result_print(f, &st->total);
	}
}

static json_t *results_json(const struct jobrun_state *st)
{
	json_t *r, *phases;
	unsigned i;

	if (st->nparts == 1)
		return run_result_json(&st->parts[0].res);
	r = run_result_json(&st->total);
	phases = json_array();
	for (i = 0; i < st->nparts && st->parts[i].ran; i++) {
		json_t *ph = run_result_json(&st->parts[i].res);

		json_object_set_new(ph, "name", json_string(st->parts[i].name));
		json_object_set_new(ph, "phase", json_integer(i + 1));
		json_array_append_new(phases, ph);
	}
	json_object_set_new(r, "phases", phases);
	return r;
}

static void streams_params(const struct jobrun_state *st, json_t *p)
{
	json_t *all = json_array();
	unsigned i, j;

	for (i = 0; i < st->nparts; i++) {
		json_t *ph = json_array();

		for (j = 0; j < st->parts[i].job.nstreams; j++)
			json_array_append_new(ph, stream_spec_json(&st->parts[i].job.streams[j]));
		json_array_append_new(all, ph);
	}
	json_object_set_new(p, "streams", st->nparts == 1 ?
			    json_incref(json_array_get(all, 0)) : json_incref(all));
	json_decref(all);
}

/* --rate-iops: one cap shared by every stream in proportion to its workers. */
static void share_rate(struct stream_spec *s, unsigned n, uint64_t rate)
{
	unsigned i, workers = 0;

	for (i = 0; i < n; i++)
		workers += s[i].workers;
	for (i = 0; i < n && workers; i++) {
		s[i].rate_iops = rate * s[i].workers / workers;
		if (!s[i].rate_iops)
			s[i].rate_iops = 1;
	}
}

static int build_parts(struct jobrun_state *st)
{
	const struct run_opts *ro = st->s->ro;
	unsigned i;

	st->parts = calloc(st->nparts, sizeof(*st->parts));
	if (!st->parts) {
		log_error("out of memory building the streams");
		return EXIT_RUNTIME;
	}
	for (i = 0; i < st->nparts; i++) {
		struct jobrun_part *p = &st->jr->parts[i];
		struct stream_spec *specs;
		unsigned n;

		if (jobfile_streams(p->jf, st->s->target.size, &p->ov, &specs, &n)) {
			log_error("%s", p->jf->err);
			return EXIT_USAGE;
		}
		if (ro->rate_iops)
			share_rate(specs, n, ro->rate_iops);
		session_job_init(st->s, &st->parts[i].job, specs, n);
		if (p->duration_ns)
			st->parts[i].job.duration_ns = p->duration_ns;
		if (p->no_ramp)
			st->parts[i].job.ramp_ns = 0;
		snprintf(st->parts[i].name, sizeof(st->parts[i].name), "%s", p->name);
	}
	return 0;
}

static void free_parts(struct jobrun_state *st)
{
	unsigned i;

	if (!st->parts)
		return;
	for (i = 0; i < st->nparts; i++)
		free(st->parts[i].job.streams);
	multirun_free(st->parts, st->nparts, &st->total);
	free(st->parts);
}

int jobrun_execute(struct jobrun *jr, struct run_opts *ro)
{
	struct jobrun_state st = { .jr = jr, .nparts = jr->nparts };
	uint32_t bs[JOBFILE_MAX_JOBS * STREAM_MAX_BS];
	struct session s;
	json_t *doc;
	int rc;

	rc = session_open(&s, jr->command, ro, bs,
			  jobrun_block_sizes(jr, bs, sizeof(bs) / sizeof(bs[0])), 16ULL << 20);
	if (rc) {
		json_decref(jr->params);
		return session_end(&s, rc);
	}
	if (ro->verify_only) {
		json_decref(jr->params);
		return session_end(&s, session_verify_only(&s));
	}
	st.s = &s;
	rc = build_parts(&st);
	if (rc) {
		json_decref(jr->params);
		free_parts(&st);
		return session_end(&s, rc);
	}
	if (st.nparts > 1)
		s.parts_key = "phases";
	rc = multirun(&s, st.parts, st.nparts, &st.total);
	if (rc) {
		json_decref(jr->params);
		free_parts(&st);
		return session_end(&s, rc);
	}
	streams_params(&st, jr->params);
	doc = session_document(&s, jr->params);
	json_object_set_new(doc, "results", results_json(&st));
	json_object_set_new(doc, "interrupted", json_boolean(st.total.signal != 0));
	rc = session_emit(&s, doc, session_exit_status(&st.total), print_summary, &st);
	json_decref(doc);
	free_parts(&st);
	return session_end(&s, rc);
}
