/*
 * The checks of validate: each ends pass, fail or not checked, with a
 * sentence that says why; v->rc follows from them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dm/remap_status.h"
#include "dm/stack.h"
#include "stats/hist.h"
#include "util/log.h"
#include "util/signals.h"
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
	c->status = cut ? CK_NOT_CHECKED : st;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	if (cut) {
		size_t l = strlen(c->detail);

		snprintf(c->detail + l, sizeof(c->detail) - l, " [the run was interrupted]");
	}
}

static void check_inject(struct validate *v)
{
	if (v->a->inject == INJECT_TABLE)
		add_check(v, "inject", CK_PASS, "%llu bad sectors in %u error segments of %s, "
			  "under %s", (unsigned long long)v->bad_sectors, v->nbad, v->disk_name,
			  v->top.name);
	else if (!v->msgs_failed)
		add_check(v, "inject", CK_PASS, "%u test_remap messages accepted, %s", v->msgs_ok,
			  v->msg_reply[0] ? v->msg_reply : "no reply (as the module never gives one)");
	else
		add_check(v, "inject", CK_FAIL, "%u of %u test_remap messages rejected: %s",
			  v->msgs_failed, v->msgs_failed + v->msgs_ok, v->msg_err);
	if (v->a->inject == INJECT_MESSAGE)
		add_check(v, "errors_injected", CK_NOT_CHECKED, "no error segments with --inject "
			  "message");
	else if (!v->wr.bad_blocks)
		add_check(v, "errors_injected", CK_NOT_CHECKED, "no block holding a bad sector "
			  "was written");
	else if (v->wr.bad_failed_first == v->wr.bad_blocks)
		add_check(v, "errors_injected", CK_PASS, "each of the %llu blocks holding a bad "
			  "sector failed at its first write", (unsigned long long)v->wr.bad_blocks);
	else
		add_check(v, "errors_injected", CK_FAIL, "%llu of %llu blocks holding a bad sector "
			  "were written at the first attempt: the failing disk did not fail",
			  (unsigned long long)(v->wr.bad_blocks - v->wr.bad_failed_first),
			  (unsigned long long)v->wr.bad_blocks);
}

static void check_io(struct validate *v)
{
	uint64_t failed = v->wr.recovered + v->wr.never + v->rd.recovered + v->rd.never;
	uint64_t never = v->wr.never + v->rd.never;

	if (!failed)
		add_check(v, "retry_recovers", CK_NOT_CHECKED, "no I/O failed: nothing to recover");
	else if (!never)
		add_check(v, "retry_recovers", CK_PASS, "all %llu I/Os that failed succeeded on a "
			  "retry (%llu writes, %llu reads)", (unsigned long long)failed,
			  (unsigned long long)v->wr.recovered, (unsigned long long)v->rd.recovered);
	else
		add_check(v, "retry_recovers", CK_FAIL, "%llu of %llu I/Os that failed never "
			  "succeeded in %u attempts (%llu writes, %llu reads)",
			  (unsigned long long)never, (unsigned long long)failed, v->a->retries + 1,
			  (unsigned long long)v->wr.never, (unsigned long long)v->rd.never);
	if (!v->checked)
		add_check(v, "data_integrity", CK_NOT_CHECKED, "no written block could be read back");
	else if (!v->wrong)
		add_check(v, "data_integrity", CK_PASS, "%llu blocks read back with the right data "
			  "(%llu unreadable, %llu never written)", (unsigned long long)v->checked,
			  (unsigned long long)v->unreadable, (unsigned long long)v->unchecked);
	else
		add_check(v, "data_integrity", CK_FAIL, "%llu of %llu blocks read back wrong data "
			  "(the first at byte %llu: %s)", (unsigned long long)v->wrong,
			  (unsigned long long)v->checked, (unsigned long long)v->wrongs[0].off,
			  vblock_field_name(v->wrongs[0].field));
}

/* The module's counters against what userspace did and saw. */
static void check_counters(struct validate *v)
{
	uint64_t failed = v->wr.failed_attempts + v->rd.failed_attempts;
	struct remap_status b, a;
	struct remap_delta d;
	bool ok = false;

	if (strcmp(v->a->type, DMSTACK_REMAP_TYPE)) {
		add_check(v, "remap_counters", CK_NOT_CHECKED, "%s has no remap counters (only "
			  "dm-remap-v4 reports them)", v->a->type);
		add_check(v, "errors_accounted", CK_NOT_CHECKED, "%s has no error counter",
			  v->a->type);
		return;
	}
	if (v->status_before && v->status_after && remap_status_parse(v->status_before, &b) == 0) {
		if (remap_status_parse(v->status_after, &a) == 0) {
			ok = b.parsed && a.parsed && remap_status_delta(&b, &a, &d) == 0;
			remap_status_free(&a);
		}
		remap_status_free(&b);
	}
	if (!ok) {
		add_check(v, "remap_counters", CK_NOT_CHECKED, "the status could not be read or "
			  "parsed before and after");
		add_check(v, "errors_accounted", CK_NOT_CHECKED, "the status could not be read or "
			  "parsed before and after");
		return;
	}
	add_check(v, "remap_counters", d.active_mappings == (int64_t)v->bad_sectors ? CK_PASS :
		  CK_FAIL, "active_mappings %+lld, remaps %+lld, remapped_sectors %+lld for %llu "
		  "bad sectors", (long long)d.active_mappings, (long long)d.remaps,
		  (long long)d.remapped_sectors, (unsigned long long)v->bad_sectors);
	add_check(v, "errors_accounted", d.errors == (int64_t)failed ? CK_PASS : CK_FAIL,
		  "errors %+lld; userspace saw %llu failed I/Os", (long long)d.errors,
		  (unsigned long long)failed);
}

static void check_penalty_and_teardown(struct validate *v)
{
	if (!v->remapped_blocks || !v->lat_remapped.count || !v->lat_normal.count) {
		add_check(v, "remap_penalty", CK_NOT_CHECKED, "nothing was remapped: no block "
			  "holding a bad sector reads back");
	} else {
		double p50n = (double)hist_percentile(&v->lat_normal, 50);
		double p50r = (double)hist_percentile(&v->lat_remapped, 50);

		add_check(v, "remap_penalty", CK_PASS, "remapped blocks p50 %.1f us, p99 %.1f us; "
			  "others p50 %.1f us, p99 %.1f us (%+.1f%% at p50)", p50r / 1e3,
			  hist_percentile(&v->lat_remapped, 99) / 1e3, p50n / 1e3,
			  hist_percentile(&v->lat_normal, 99) / 1e3,
			  p50n > 0 ? (p50r - p50n) / p50n * 100 : 0.0);
	}
	if (v->teardown_ok)
		add_check(v, "teardown", CK_PASS, "%s and %s removed", v->top.name, v->disk_name);
	else
		add_check(v, "teardown", CK_FAIL, "%s", v->teardown_hung ? "a removal hung in the "
			  "kernel; the device may need a reboot to clear" :
			  "a device could not be removed (see the messages above)");
}

void vd_run_checks(struct validate *v)
{
	unsigned i;
	bool failed = false, unchecked = false;

	check_inject(v);
	check_io(v);
	check_counters(v);
	check_penalty_and_teardown(v);
	for (i = 0; i < v->nchecks; i++) {
		failed |= v->checks[i].status == CK_FAIL;
		unchecked |= v->checks[i].status == CK_NOT_CHECKED;
	}
	v->rc = v->signal ? signals_exit_status(v->signal) : failed ? EXIT_CHECK_FAILED :
		unchecked ? EXIT_NOT_CHECKED : EXIT_OK;
}
