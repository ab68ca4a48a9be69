/*
 * The built-in production workloads of `workload`: their names, the
 * intensity levels, and the phases of mixed. The workloads themselves are
 * the job files shipped in jobs/ (TYPE-LEVEL.fio, see jobs/shipped.h);
 * dmremap-bench-workload(1) documents them. tests/unit/profile_tables.c
 * keeps the tables they were compiled from, as the reference the shipped
 * files are tested against.
 */
#ifndef DMRB_WORKLOAD_H
#define DMRB_WORKLOAD_H

enum workload_type { WL_DATABASE, WL_FILE_SERVER, WL_VIRTUALIZATION, WL_MIXED, WL_COUNT };

#define INTENSITY_COUNT 4

struct intensity_level {
	const char *name;       /* "light" */
	const char *code;       /* "1", the original interface's number */
	unsigned factor;        /* workers = factor x the profile's base */
	unsigned iodepth;       /* per worker */
};

extern const struct intensity_level intensity_levels[INTENSITY_COUNT];
/* NULL-terminated names and codes, for the option parser. */
extern const char *const intensity_names[];
extern const char *const intensity_codes[];
extern const char *const workload_names[];
extern const char *const workload_codes[];

/*
 * mixed: the profiles its phases rotate through, each run with
 * MIXED_BASE_WORKERS x the intensity's factor as its first job's numjobs.
 */
#define MIXED_NPHASES 3
#define MIXED_BASE_WORKERS 4
extern const enum workload_type mixed_phases[MIXED_NPHASES];

#endif
