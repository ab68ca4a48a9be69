/*
 * The reference tables of the production profiles (the test's copy of
 * what dmremap-bench compiled in before jobs/ held them). A profile is
 * a list of stream templates; workload_build() turns a profile, an
 * intensity and the target's size into the engine's stream_specs. The
 * tables are documented in dmremap-bench-workload(1): keep them in step.
 */
#ifndef DMRB_PROFILE_TABLES_H
#define DMRB_PROFILE_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/job.h"
#include "profiles/workload.h"

enum worker_rule {
	WORKERS_BASE,           /* intensity factor x profile base */
	WORKERS_ONE_PER,        /* one per `ratio` workers of the first stream, at least 1 */
};

struct stream_template {
	const char *name;
	enum worker_rule rule;
	unsigned ratio;
	bool stream_per_worker;         /* one stream (and region slice) per worker: VMs */
	unsigned read_pct;
	struct bs_weight bs[STREAM_MAX_BS];
	unsigned nbs;
	enum access_pattern access;
	double zipf_theta;
	unsigned run_blocks, run_pct;
	/* Region of the target, in sixteenths: [start, start + len). */
	unsigned region_start16, region_len16;
};

struct workload_profile {
	const char *name;
	const char *description;
	unsigned base_workers;
	const struct stream_template *streams;
	unsigned nstreams;
	/* WL_MIXED: the profiles its phases rotate through. */
	const enum workload_type *phases;
	unsigned nphases;
};

extern const struct workload_profile workload_profiles[WL_COUNT];

struct workload_overrides {
	unsigned workers;       /* 0: by the rule */
	unsigned iodepth;       /* 0: by the intensity */
	uint64_t rate_iops;     /* 0: none; split over streams by workers */
};

/*
 * Streams of `profile` (not WL_MIXED itself: one of its phases) at
 * `intensity` (0-3) over a target of size bytes; base_workers overrides the
 * profile's base (mixed uses its own). Returns the number of streams
 * written to out (capacity max), or -1 when they do not fit.
 */
int workload_build(enum workload_type type, unsigned intensity, unsigned base_workers,
		   const struct workload_overrides *ov, uint64_t size,
		   struct stream_spec *out, unsigned max);

/* How many streams workload_build may produce, to size the array. */
unsigned workload_max_streams(enum workload_type type, unsigned intensity,
			      unsigned base_workers, const struct workload_overrides *ov);

#endif
