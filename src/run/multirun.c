#include "run/multirun.h"

#include "util/log.h"

int multirun(struct session *s, struct run_part *parts, unsigned n, struct run_result *total)
{
	unsigned i;
	int rc;

	if (run_result_init(total, 0)) {
		log_error("out of memory for the results");
		return EXIT_RUNTIME;
	}
	for (i = 0; i < n; i++) {
		parts[i].job.label = parts[i].name;
		rc = session_run(s, &parts[i].job, &parts[i].res);
		parts[i].ran = true;
		if (rc)
			return rc;
		if (run_result_accumulate(total, &parts[i].res)) {
			log_error("out of memory for the results");
			return EXIT_RUNTIME;
		}
		/* Nor does a run go on on a device that left I/O hung in the kernel. */
		if (parts[i].res.signal || parts[i].res.error_stop || parts[i].res.abandoned_ios ||
		    parts[i].res.stuck_workers)
			break;
	}
	return 0;
}

void multirun_free(struct run_part *parts, unsigned n, struct run_result *total)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (parts[i].ran)
			run_result_free(&parts[i].res);
	run_result_free(total);
}
