/*
 * The result of validate: the JSON document (the members of every result,
 * then the checks, the I/O, the data, the latency, the teardown) and the
 * text report.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/runopts.h"
#include "dm/stack.h"
#include "stats/hist.h"
#include "util/env.h"
#include "util/log.h"
#include "validate/model.h"
#include "verify/block.h"

const char *const check_status_names[] = { "pass", "fail", "not_checked", NULL };

static json_t *errno_json(int e)
{
	const char *n = e ? strerrorname_np(e) : NULL;

	return n ? json_string(n) : e ? json_integer(e) : json_null();
}

static json_t *pass_json(const struct pass_stats *ps)
{
	json_t *notes = json_array();
	unsigned i;

	for (i = 0; i < ps->nnotes; i++) {
		const struct io_note *n = &ps->notes[i];

		json_array_append_new(notes, json_pack("{s:I, s:b, s:i, s:o, s:o, s:b}",
			"offset", (json_int_t)n->off, "bad_sector", n->bad,
			"attempts", (int)n->attempts, "first_error", errno_json(n->first_err),
			"last_error", errno_json(n->last_err), "recovered", n->recovered));
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			 "blocks", (json_int_t)ps->blocks, "ok_first", (json_int_t)ps->ok_first,
			 "recovered_on_retry", (json_int_t)ps->recovered,
			 "never", (json_int_t)ps->never, "attempts", (json_int_t)ps->attempts,
			 "failed_attempts", (json_int_t)ps->failed_attempts,
			 "bad_blocks", (json_int_t)ps->bad_blocks,
			 "bad_blocks_failed_first", (json_int_t)ps->bad_failed_first,
			 "failed_ios", notes);
}

static json_t *ops_json(const struct op_count *c)
{
	return json_pack("{s:I, s:I, s:o}", "attempts", (json_int_t)c->attempts,
			 "failed_attempts", (json_int_t)c->failed, "first_error",
			 errno_json(c->first_err));
}

static json_t *io_json(const struct validate *v)
{
	uint64_t total = v->flush.ops.failed + v->wr.failed_attempts + v->rd.failed_attempts +
			 v->lat.ops.failed;

	return json_pack("{s:o, s:o, s:o, s:o, s:I, s:I}", "flush", ops_json(&v->flush.ops),
			 "write", pass_json(&v->wr), "read", pass_json(&v->rd),
			 "latency", ops_json(&v->lat.ops), "failed_total", (json_int_t)total,
			 "completed_on_bad_blocks", (json_int_t)v->ok_bad_ios);
}

static json_t *u64_array(const uint64_t *x, unsigned n)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)x[i]));
	return a;
}

/* The flush pass: main's queue, what one op counts there directly, each op through the top. */
static json_t *flush_json(const struct validate *v)
{
	const struct vd_flush *f = &v->flush;
	const struct ev_flush *e = &f->ev;

	if (!f->ran)
		return json_null();
	return json_pack("{s:I, s:{s:s, s:s?, s:s?, s:b}, s:s?, s:s?, "
			 "s:{s:b, s:I, s:I}, s:{s:o, s:i, s:o, s:i}}",
			 "block_offset", (json_int_t)(f->block * v->bs),
			 "main", "path", v->disk_main.path, "write_cache", e->main_cache,
			 "fua", f->main_fua[0] ? f->main_fua : NULL, "counts_flushes", e->main_stat,
			 "top_write_cache", e->top_cache, "why_not_counted", e->main_why,
			 "direct", "ok", e->calib_ok,
			 "flushes_per_flush", (json_int_t)(e->calib_ok ? e->calib_flush : 0),
			 "flushes_per_fua_write", (json_int_t)(e->calib_ok ? e->calib_fua : 0),
			 "through_top", "flushes", u64_array(e->flush_main, e->nflush),
			 "flush_failed", (int)e->flush_failed,
			 "fua_writes", u64_array(e->fua_main, e->nfua), "fua_failed", (int)e->fua_failed);
}

static json_t *lat_json(const struct hist *h)
{
	if (!h->count)
		return json_null();
	return json_pack("{s:I, s:f, s:I, s:I, s:I, s:I, s:I}", "count", (json_int_t)h->count,
			 "mean", hist_mean(h), "min", (json_int_t)h->min,
			 "p50", (json_int_t)hist_percentile(h, 50),
			 "p99", (json_int_t)hist_percentile(h, 99),
			 "p99.9", (json_int_t)hist_percentile(h, 99.9), "max", (json_int_t)h->max);
}

static json_t *latency_json(const struct validate *v)
{
	const struct ev_penalty *e = &v->lat.ev;
	json_t *pen = json_null();

	if (v->lat_remapped.count && v->lat_normal.count) {
		double n50 = (double)hist_percentile(&v->lat_normal, 50);
		double n99 = (double)hist_percentile(&v->lat_normal, 99);
		double nm = hist_mean(&v->lat_normal);

		pen = json_pack("{s:f, s:f, s:f}",
			"p50", n50 > 0 ? ((double)hist_percentile(&v->lat_remapped, 50) - n50) / n50 * 100 : 0,
			"p99", n99 > 0 ? ((double)hist_percentile(&v->lat_remapped, 99) - n99) / n99 * 100 : 0,
			"mean", nm > 0 ? (hist_mean(&v->lat_remapped) - nm) / nm * 100 : 0);
	}
	return json_pack("{s:I, s:i, s:o, s:o, s:o, s:{s:b, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:I, s:I, s:I, s:I}}",
			 "remapped_blocks", (json_int_t)v->remapped_blocks,
			 "reads_per_block", (int)v->a->latency_reads,
			 "remapped_ns", lat_json(&v->lat_remapped), "normal_ns", lat_json(&v->lat_normal),
			 "penalty_pct", pen, "evidence",
			 "spare_counted", e->spare_observable, "spare_why", e->spare_why,
			 "bad_blocks", (json_int_t)e->bad_blocks, "read_back", (json_int_t)e->probed_ok,
			 "never_read_back", (json_int_t)e->probe_failed,
			 "served_from_spare", (json_int_t)e->probe_from_spare,
			 "right_data", (json_int_t)e->probe_right_data,
			 "never_written", (json_int_t)e->probe_unwritten,
			 "timed_reads", (json_int_t)e->reads,
			 "timed_reads_from_spare", (json_int_t)e->reads_from_spare,
			 "timed_reads_failed", (json_int_t)e->reads_failed,
			 "other_reads", (json_int_t)e->normal_reads);
}

static json_t *verify_json(const struct validate *v)
{
	json_t *w = json_array();
	unsigned i;

	for (i = 0; i < v->nwrongs; i++) {
		const struct wrong_block *b = &v->wrongs[i];

		json_array_append_new(w, json_pack("{s:I, s:s, s:I, s:I, s:b}",
			"offset", (json_int_t)b->off, "field", vblock_field_name(b->field),
			"found_offset", (json_int_t)b->found_off,
			"found_generation", (json_int_t)b->found_gen, "bad_sector", b->bad));
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:o}", "blocks_checked", (json_int_t)v->checked,
			 "wrong", (json_int_t)v->wrong, "unreadable", (json_int_t)v->unreadable,
			 "never_written", (json_int_t)v->unchecked, "wrong_blocks", w);
}

static json_t *target_json(const struct validate *v)
{
	const char *type = v->a->type;
	json_t *dm, *delta, *bad = json_array();
	unsigned i;

	for (i = 0; i < v->nbad; i++)
		json_array_append_new(bad, json_pack("{s:I, s:I}", "start",
			(json_int_t)v->bad[i].start, "length", (json_int_t)v->bad[i].len));
	dm = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:o, s:o}",
		       "name", v->top.name, "uuid", v->top.uuid, "target_type", type,
		       "table", v->top_table, "main", v->top.main.path, "spare", v->top.spare.path,
		       "status_before", dmstack_status_json(type, v->status_before),
		       "status_after", dmstack_status_json(type, v->status_after));
	delta = dmstack_status_delta_json(type, v->status_before, v->status_after);
	json_object_set_new(dm, "status_delta", delta ? delta : json_null());
	if (!strcmp(type, DMSTACK_REMAP_TYPE)) {
		json_object_set_new(dm, "module_params", v->module_params ?
				    json_incref(v->module_params) : json_object());
		json_object_set_new(dm, "demo_mode", json_boolean(v->demo_mode));
	}
	return json_pack("{s:s, s:s, s:I, s:I, s:o, s:{s:s, s:s, s:s?, s:o}}",
			 "path", v->top.info.devnode, "kind", "dm",
			 "size_bytes", (json_int_t)v->size, "logical_block_size", (json_int_t)v->lbs,
			 "dm", dm, "failing_disk", "name", v->disk_name,
			 "main", v->disk_main.path, "table", v->disk_table, "bad_ranges", bad);
}

static json_t *params_json(const struct validate *v)
{
	const struct validate_args *a = v->a;

	return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s?, s:I, s:I, s:I, s:i, s:f, s:I, s:i, "
			 "s:f, s:b, s:s, s:s}",
			 "main", a->main_dev, "spare", a->spare_dev, "target_type", a->type,
			 "params", a->params,
			 "inject", validate_inject_names[a->inject], "bad_sectors", a->bad_list,
			 "bad_count", (json_int_t)(a->bad_count_set ? a->bad_count : 0),
			 "seed", (json_int_t)a->seed, "bs", (json_int_t)a->bs,
			 "retries", (int)a->retries, "retry_delay_s", (double)a->retry_delay_ns / 1e9,
			 "data_seed", (json_int_t)v->data_seed,
			 "latency_reads", (int)a->latency_reads,
			 "timeout_s", (double)a->timeout_ns / 1e9, "force", a->force,
			 "name", a->name, "output_format", out_format_names[a->output_format]);
}

json_t *vd_document(const struct validate *v)
{
	json_t *checks = json_array();
	unsigned i;

	for (i = 0; i < v->nchecks; i++)
		json_array_append_new(checks, json_pack("{s:s, s:s, s:s}",
			"name", v->checks[i].name, "status", check_status_names[v->checks[i].status],
			"detail", v->checks[i].detail));
	return json_pack("{s:i, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
			 "s:{s:b, s:b, s:b}, s:s, s:b}",
			 "schema_version", 1, "tool", "dmremap-bench", "version", PACKAGE_VERSION,
			 "command", "validate", "params", params_json(v), "target", target_json(v),
			 "environment", env_json(v->start_time), "checks", checks,
			 "io", io_json(v), "verify", verify_json(v), "latency", latency_json(v),
			 "flush", flush_json(v),
			 "teardown", "ok", v->teardown_ok, "hung", v->teardown_hung,
			 "verified_gone", v->teardown_verified,
			 "verdict", v->rc == EXIT_OK ? "pass" : v->rc == EXIT_CHECK_FAILED ? "fail" :
			 v->rc == EXIT_NOT_CHECKED ? "not_checked" : "interrupted",
			 "interrupted", v->signal != 0);
}

static void print_pass(FILE *f, const char *what, const struct pass_stats *ps, unsigned tries)
{
	fprintf(f, "  %-7s %llu blocks: %llu at once, %llu on a retry, %llu never (%u attempts "
		"each); %llu failed attempts\n", what, (unsigned long long)ps->blocks,
		(unsigned long long)ps->ok_first, (unsigned long long)ps->recovered,
		(unsigned long long)ps->never, tries, (unsigned long long)ps->failed_attempts);
}

void vd_print_report(FILE *f, const struct validate *v)
{
	static const char *const labels[] = { "PASS", "FAIL", "NOT CHECKED" };
	unsigned i;

	fprintf(f, "validate: %s over %s, a failing disk of %s with %llu bad sectors (%s), "
		"spare %s; bs %u, seed %llu%s\n", v->a->type, v->disk_name, v->disk_main.path,
		(unsigned long long)v->bad_sectors, validate_inject_names[v->a->inject],
		v->top.spare.path, v->bs, (unsigned long long)v->a->seed,
		v->signal ? " [interrupted]" : "");
	fprintf(f, "  bad sectors:");
	for (i = 0; i < v->nbad && i < 16; i++)
		fprintf(f, v->bad[i].len > 1 ? " %llu-%llu" : " %llu", (unsigned long long)v->bad[i].start,
			(unsigned long long)(v->bad[i].start + v->bad[i].len - 1));
	fprintf(f, "%s\n", v->nbad > 16 ? " ..." : "");
	print_pass(f, "writes:", &v->wr, v->a->retries + 1);
	print_pass(f, "reads:", &v->rd, v->a->retries + 1);
	fprintf(f, "  latency: %llu reads, %llu failed; flush: %llu flushes and FUA writes, %llu "
		"failed\n", (unsigned long long)v->lat.ops.attempts,
		(unsigned long long)v->lat.ops.failed, (unsigned long long)v->flush.ops.attempts,
		(unsigned long long)v->flush.ops.failed);
	fprintf(f, "  data:   %llu blocks checked, %llu wrong, %llu unreadable, %llu never "
		"written\n", (unsigned long long)v->checked, (unsigned long long)v->wrong,
		(unsigned long long)v->unreadable, (unsigned long long)v->unchecked);
	fprintf(f, "checks:\n");
	for (i = 0; i < v->nchecks; i++)
		fprintf(f, "  %-11s  %-17s %s\n", labels[v->checks[i].status], v->checks[i].name,
			v->checks[i].detail);
	fprintf(f, "result: %s (exit status %d)\n", v->rc == EXIT_OK ? "PASS" :
		v->rc == EXIT_CHECK_FAILED ? "FAIL" : v->rc == EXIT_NOT_CHECKED ?
		"NOT VALIDATED (a check could not be made)" : "INTERRUPTED", v->rc);
}
