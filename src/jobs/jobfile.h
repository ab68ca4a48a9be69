/*
 * Job files: fio's INI job format, for the options that mean the same
 * thing here, turned into the engine's stream_specs. Parsing is pure (no
 * target, no I/O): jobfile_parse_* fill a struct jobfile, and
 * jobfile_streams() resolves its percentages against a target's size.
 * Every option is either implemented or refused with its line; none is
 * ignored. dmremap-bench-run(1) documents each one.
 */
#ifndef DMRB_JOBFILE_H
#define DMRB_JOBFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/job.h"

#define JOBFILE_MAX_JOBS 256      /* sections, and streams after numjobs clones */
#define JOBFILE_ERR_MAX 512

/* One [job] section, before the target's size is known. */
struct job_section {
	struct stream_spec spec;     /* workers = numjobs; rate_iops per clone, as fio's */
	unsigned line;               /* of the section's header */
	/* The region: a percentage of the target (pct >= 0) or bytes. */
	double offset_pct, size_pct, incr_pct;
	uint64_t offset, size, incr; /* size 0: to the end of the target */
	bool incr_set;               /* offset_increment: one stream per clone */
	unsigned numjobs_per;        /* numjobs = the first job's / this (dmremap-bench only) */
	bool seq_runs_set;
	/* Parsing state of rw=, rwmixread= and random_distribution= until the job ends. */
	int rw;                      /* index into the rw kinds; -1: fio's default, read */
	unsigned rwmixread;
	int dist;                    /* an enum access_pattern; -1: uniform */
};

struct jobfile {
	char name[PATH_MAX];         /* as given, for messages */
	struct job_section *jobs;
	unsigned njobs;
	char description[256];       /* the first description= seen */
	/* The run's, the same in every job that sets them. */
	uint64_t runtime_ns, ramp_ns;
	bool runtime_set, ramp_set, time_based, time_based_set;
	char filename[PATH_MAX];
	bool filename_set;
	int ioengine;                /* -1: not set; 0 libaio, 1 io_uring */
	/* Parsing state. */
	struct job_section global;
	unsigned line;
	int section;                 /* -1: before any section, -2: [global], else a job */
	bool failed;
	char err[JOBFILE_ERR_MAX];
};

/*
 * Parse a file (or text, named name in messages). 0 on success; -1 with
 * jf->err holding one line "NAME:LINE: what is wrong (what is allowed)".
 * jobfile_free() releases either way.
 */
int jobfile_parse_file(struct jobfile *jf, const char *path);
int jobfile_parse_string(struct jobfile *jf, const char *text, const char *name);
void jobfile_free(struct jobfile *jf);
/* Record the first error, at jf->line; returns -1. */
int jobfile_fail(struct jobfile *jf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct jobfile_overrides {
	unsigned workers;            /* the first job's numjobs (0: the file's) */
	unsigned iodepth;            /* every job's (0: the file's) */
};

/*
 * The streams over a target of size bytes (lbs: its logical block size,
 * for the alignment of regions), in a calloc'ed array *out of *n. 0, or -1
 * with jf->err set (a region that does not fit, too many streams).
 */
int jobfile_streams(struct jobfile *jf, uint64_t size, const struct jobfile_overrides *ov,
		    struct stream_spec **out, unsigned *n);

/* Total streams jobfile_streams() makes (clones of offset_increment jobs count each). */
unsigned jobfile_nstreams(const struct jobfile *jf, const struct jobfile_overrides *ov);

/* Every block size of every job, for the target checks; returns how many. */
unsigned jobfile_block_sizes(const struct jobfile *jf, uint32_t *out, unsigned max);

/* Any job writes, flushes or discards (the target must be opened for writing). */
bool jobfile_writes(const struct jobfile *jf);

#endif
