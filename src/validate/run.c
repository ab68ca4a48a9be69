/*
 * One validate run, in order: set the stack up, do the I/O, read the
 * status, tear the stack down, make the checks, report them.
 */
#include <stdlib.h>
#include <unistd.h>

#include "cli/runopts.h"
#include "dm/dm.h"
#include "dm/stack.h"
#include "engine/prng.h"
#include "stats/hist.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "validate/model.h"
#include "validate/validate.h"
#include "verify/crc32c.h"

const char *const validate_inject_names[] = { "table", "message", NULL };

static void free_validate(struct validate *v)
{
	dmstack_close(&v->top);
	dmw_close(&v->disk_d);
	free(v->disk_table);
	free(v->top_table);
	free(v->status_before);
	free(v->status_after);
	json_decref(v->module_params);
	free(v->bad_blocks);
	free(v->unwritten);
	free(v->failed_first);
	hist_free(&v->lat_normal);
	hist_free(&v->lat_remapped);
}

int validate_run(struct validate_args *a)
{
	struct validate *v;
	unsigned ms;
	int rc;

	if (geteuid() != 0) {
		log_error("validate needs root (it creates device-mapper devices)");
		return EXIT_USAGE;
	}
	v = calloc(1, sizeof(*v));
	if (!v || hist_init(&v->lat_normal, HIST_BITS_PRECISE) ||
	    hist_init(&v->lat_remapped, HIST_BITS_PRECISE)) {
		log_error("out of memory");
		if (v)
			hist_free(&v->lat_normal);
		free(v);
		return EXIT_RUNTIME;
	}
	v->a = a;
	v->fd = -1;
	if (!a->seed_set) {
		struct run_opts ro = { .seed_set = false };

		runopts_resolve(&ro);
		a->seed = ro.seed;
	}
	/* Fresh data every run: a lost write cannot pass on an earlier run's bytes. */
	{
		uint64_t x = now_ns() ^ ((uint64_t)getpid() << 32);

		v->data_seed = splitmix64(&x) >> 1;
	}
	iso8601_now(v->start_time, sizeof(v->start_time));
	crc32c_init();
	ms = (unsigned)(a->timeout_ns / NSEC_PER_MSEC);
	dmstack_init(&v->top, ms);
	dmw_init(&v->disk_d);
	v->disk_d.timeout_ms = v->disk_d.remove_timeout_ms = ms;
	rc = vd_setup(v);
	if (!rc)
		rc = vd_open_top(v);
	if (!rc)
		rc = vd_run_io(v);
	if (v->top_built)
		v->status_after = vd_status_lines(v);
	vd_read_disk_table(v);
	vd_teardown(v);
	if (!rc) {
		int erc;

		vd_run_checks(v);
		erc = vd_emit(v);
		rc = v->rc ? v->rc : erc;
	} else if (!v->teardown_ok) {
		log_error("the devices could not all be removed ('dmremap-bench teardown' tries "
			  "again)");
	}
	free_validate(v);
	free(v);
	return rc;
}
