/*
 * The checks of validate: each ends pass, fail or not checked, with a
 * sentence that says what it saw. A check passes only on evidence that the
 * thing it names happened (evidence.c holds the rules that weigh counters);
 * v->rc follows from them. dmremap-bench-validate(1) lists each check's
 * evidence.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dm/remap_status.h"
#include "dm/stack.h"
#include "util/log.h"
#include "util/signals.h"
#include "validate/evidence.h"
#include "validate/model.h"
#include "verify/block.h"

static void add_check(struct validate *v, const char *name, enum check_status st,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add_check(struct validate *v, const char *name, enum check_status st,
		      const char *fmt, ...)
{
	struct check *c = &v->checks[v->nchecks++];
	/* After a stop signal only the teardown is a finished fact. */
	bool cut = v->signal && strcmp(name, "teardown");
	va_list ap;

	c->name = name;
	c->status = cut ? EV_NOT_CHECKED : st;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	if (cut) {
		size_t l = strlen(c->detail);

		snprintf(c->detail + l, sizeof(c->detail) - l, " [the run was interrupted]");
	}
}

static void add_verdict(struct validate *v, const char *name, const struct ev_verdict *e)
{
	add_check(v, name, e->status, "%s", e->detail);
}

/*
 * The dm-remap-v4 counters' deltas over the run: true, or false with the
 * reason in why (another target type, a status not read or not parsed).
 */
static bool counter_deltas(const struct validate *v, struct remap_delta *d, char *why,
			   size_t len)
{
	struct remap_status b, a;
	bool ok = false;

	if (strcmp(v->a->type, DMSTACK_REMAP_TYPE)) {
		snprintf(why, len, "%s has no remap or error counters (only dm-remap-v4 reports "
			 "them)", v->a->type);
		return false;
	}
	if (v->status_before && v->status_after && remap_status_parse(v->status_before, &b) == 0) {
		if (remap_status_parse(v->status_after, &a) == 0) {
			ok = b.parsed && a.parsed && remap_status_delta(&b, &a, d) == 0;
			remap_status_free(&a);
		}
		remap_status_free(&b);
	}
	if (!ok)
		snprintf(why, len, "the status could not be read or parsed before and after");
	return ok;
}

/* The bad sectors are in place: the kernel holds the error segments, or took the entries. */
static void check_inject(struct validate *v, const struct remap_delta *d, bool have_d)
{
	if (v->a->inject == INJECT_TABLE) {
		if (!v->disk_table_read)
			add_check(v, "inject", EV_NOT_CHECKED, "the table of %s could not be read "
				  "back", v->disk_name);
		else if (v->disk_error_segments == v->nbad && !v->disk_other_error_segments)
			add_check(v, "inject", EV_PASS, "the kernel holds %u error segment%s in %s, "
				  "one at each bad range (%llu sectors), under %s", v->nbad,
				  v->nbad == 1 ? "" : "s", v->disk_name,
				  (unsigned long long)v->bad_sectors, v->top.name);
		else
			add_check(v, "inject", EV_FAIL, "the table of %s holds %u error segments at "
				  "the %u bad ranges and %u elsewhere", v->disk_name,
				  v->disk_error_segments, v->nbad, v->disk_other_error_segments);
	} else if (v->msgs_failed) {
		add_check(v, "inject", EV_FAIL, "%u of %u test_remap messages rejected: %s",
			  v->msgs_failed, v->msgs_failed + v->msgs_ok, v->msg_err);
	} else if (!have_d) {
		add_check(v, "inject", EV_NOT_CHECKED, "%u test_remap messages accepted (%s), but "
			  "%s has no counter that shows the entries were added", v->msgs_ok,
			  v->msg_reply[0] ? v->msg_reply : "no reply", v->a->type);
	} else if (d->active_mappings >= (int64_t)v->msgs_ok) {
		add_check(v, "inject", EV_PASS, "%u test_remap messages accepted (%s); "
			  "active_mappings %+lld: the entries exist (pending or not)", v->msgs_ok,
			  v->msg_reply[0] ? v->msg_reply : "no reply, as the module never gives one",
			  (long long)d->active_mappings);
	} else {
		add_check(v, "inject", EV_FAIL, "%u test_remap messages accepted, but "
			  "active_mappings %+lld: not every entry was added", v->msgs_ok,
			  (long long)d->active_mappings);
	}
	if (v->a->inject == INJECT_MESSAGE)
		add_check(v, "errors_injected", EV_NOT_CHECKED, "no error segments with --inject "
			  "message");
	else if (!v->wr.bad_blocks)
		add_check(v, "errors_injected", EV_NOT_CHECKED, "no block holding a bad sector "
			  "was written");
	else if (v->wr.bad_failed_first == v->wr.bad_blocks)
		add_check(v, "errors_injected", EV_PASS, "each of the %llu blocks holding a bad "
			  "sector failed at its first write", (unsigned long long)v->wr.bad_blocks);
	else
		add_check(v, "errors_injected", EV_FAIL, "%llu of %llu blocks holding a bad sector "
			  "were written at the first attempt: the failing disk did not fail",
			  (unsigned long long)(v->wr.bad_blocks - v->wr.bad_failed_first),
			  (unsigned long long)v->wr.bad_blocks);
}

static void check_flush(struct validate *v)
{
	struct ev_verdict e;

	if (!v->flush.ran) {
		add_check(v, "flush_passthrough", EV_NOT_CHECKED, "no flush was sent (every block "
			  "holds a bad sector, or the run stopped first)");
		add_check(v, "fua_passthrough", EV_NOT_CHECKED, "no FUA write was sent (every block "
			  "holds a bad sector, or the run stopped first)");
		return;
	}
	ev_flush_passthrough(&v->flush.ev, &e);
	add_verdict(v, "flush_passthrough", &e);
	ev_fua_passthrough(&v->flush.ev, &e);
	add_verdict(v, "fua_passthrough", &e);
}

static void check_io(struct validate *v)
{
	uint64_t failed = v->wr.recovered + v->wr.never + v->rd.recovered + v->rd.never;
	uint64_t never = v->wr.never + v->rd.never;

	if (!failed)
		add_check(v, "retry_recovers", EV_NOT_CHECKED, "no I/O failed: nothing to recover");
	else if (never)
		add_check(v, "retry_recovers", EV_FAIL, "%llu of %llu I/Os that failed never "
			  "succeeded in %u attempts (%llu writes, %llu reads)",
			  (unsigned long long)never, (unsigned long long)failed, v->a->retries + 1,
			  (unsigned long long)v->wr.never, (unsigned long long)v->rd.never);
	else if (v->recovered_wrong)
		add_check(v, "retry_recovers", EV_FAIL, "all %llu I/Os that failed succeeded on a "
			  "retry, but %llu of the %llu blocks they touched read back other data than "
			  "was written", (unsigned long long)failed,
			  (unsigned long long)v->recovered_wrong,
			  (unsigned long long)v->recovered_checked);
	else
		add_check(v, "retry_recovers", EV_PASS, "all %llu I/Os that failed succeeded on a "
			  "retry (%llu writes, %llu reads), and the %llu blocks they touched read back "
			  "the bytes written", (unsigned long long)failed,
			  (unsigned long long)v->wr.recovered, (unsigned long long)v->rd.recovered,
			  (unsigned long long)v->recovered_checked);
	if (!v->checked)
		add_check(v, "data_integrity", EV_NOT_CHECKED, "no written block could be read back");
	else if (!v->wrong)
		add_check(v, "data_integrity", EV_PASS, "%llu blocks read back with the right data "
			  "(%llu unreadable, %llu never written)", (unsigned long long)v->checked,
			  (unsigned long long)v->unreadable, (unsigned long long)v->unchecked);
	else
		add_check(v, "data_integrity", EV_FAIL, "%llu of %llu blocks read back wrong data "
			  "(the first at byte %llu: %s)", (unsigned long long)v->wrong,
			  (unsigned long long)v->checked, (unsigned long long)v->wrongs[0].off,
			  vblock_field_name(v->wrongs[0].field));
}

/* The module's counters against what the tool did and saw. */
static void check_counters(struct validate *v, const struct remap_delta *d, bool have_d,
			   const char *why)
{
	struct ev_remap_counters rc = {
		.have_status = have_d, .no_status = why,
		.counters_reset = have_d && d->counters_reset,
		.bad_sectors = v->bad_sectors, .bad_blocks = v->nbad_blocks,
		.ok_bad_ios = v->ok_bad_ios,
	};
	struct ev_errors er = {
		.have_status = have_d, .no_status = why,
		.counters_reset = have_d && d->counters_reset,
		.failed = {
			[EV_IO_FLUSH] = v->flush.ops.failed,
			[EV_IO_WRITE] = v->wr.failed_attempts,
			[EV_IO_READ] = v->rd.failed_attempts,
			[EV_IO_LATENCY] = v->lat.ops.failed,
		},
	};
	struct ev_verdict e;

	if (have_d) {
		rc.remaps = d->remaps;
		rc.remapped_sectors = d->remapped_sectors;
		rc.remapped_ios = d->remapped_ios;
		rc.active_mappings = d->active_mappings;
		er.errors = d->errors;
	}
	ev_remap_counters(&rc, &e);
	add_verdict(v, "remap_counters", &e);
	ev_errors_accounted(&er, &e);
	add_verdict(v, "errors_accounted", &e);
}

static void check_penalty_and_teardown(struct validate *v)
{
	struct ev_verdict e;

	ev_remap_penalty(&v->lat.ev, &e);
	add_verdict(v, "remap_penalty", &e);
	if (!v->teardown_ok)
		add_check(v, "teardown", EV_FAIL, "%s", v->teardown_hung ? "a removal hung in the "
			  "kernel; the device may need a reboot to clear" :
			  "a device could not be removed (see the messages above)");
	else if (v->teardown_still)
		add_check(v, "teardown", EV_FAIL, "the removals of %s and %s returned, but the "
			  "kernel still knows one of them", v->top.name, v->disk_name);
	else if (!v->teardown_verified)
		add_check(v, "teardown", EV_NOT_CHECKED, "the removals of %s and %s returned, but "
			  "the kernel could not be asked whether they are gone", v->top.name,
			  v->disk_name);
	else
		add_check(v, "teardown", EV_PASS, "%s and %s removed: the kernel knows neither "
			  "name any more", v->top.name, v->disk_name);
}

void vd_run_checks(struct validate *v)
{
	struct remap_delta d;
	char why[160];
	bool have_d, failed = false, unchecked = false;
	unsigned i;

	memset(&d, 0, sizeof(d));
	have_d = counter_deltas(v, &d, why, sizeof(why));
	check_inject(v, &d, have_d);
	check_flush(v);
	check_io(v);
	check_counters(v, &d, have_d, why);
	check_penalty_and_teardown(v);
	for (i = 0; i < v->nchecks; i++) {
		failed |= v->checks[i].status == EV_FAIL;
		unchecked |= v->checks[i].status == EV_NOT_CHECKED;
	}
	v->rc = v->signal ? signals_exit_status(v->signal) : failed ? EXIT_CHECK_FAILED :
		unchecked ? EXIT_NOT_CHECKED : EXIT_OK;
}
