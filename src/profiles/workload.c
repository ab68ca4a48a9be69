#include "profiles/workload.h"

#include <stddef.h>

const struct intensity_level intensity_levels[INTENSITY_COUNT] = {
	{ "light", "1", 1, 1 },
	{ "moderate", "2", 2, 4 },
	{ "heavy", "3", 3, 16 },
	{ "extreme", "4", 4, 32 },
};

const char *const intensity_names[] = { "light", "moderate", "heavy", "extreme", NULL };
const char *const intensity_codes[] = { "1", "2", "3", "4", NULL };
const char *const workload_names[] = { "database", "file_server", "virtualization", "mixed", NULL };
const char *const workload_codes[] = { "0", "1", "2", "3", NULL };

const enum workload_type mixed_phases[MIXED_NPHASES] = {
	WL_DATABASE, WL_FILE_SERVER, WL_VIRTUALIZATION,
};
