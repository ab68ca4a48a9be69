/*
 * The STATUS line of the dm-remap-v4 target, field by field.
 *
 * After the "<start> <length> dm-remap-v4" prefix the target prints 28
 * tokens (format tag v4.0-phase1.4): the two device paths, 23 numbers and
 * two words. Anything else (another tag, another count, a word where a
 * number belongs) is kept raw and flagged unparsed, with the reason. The
 * counters are the module's own claims: several never move (errors,
 * slow_path_hits, the health fields); compare them with what userspace saw.
 *
 * Pure code: no I/O.
 */
#ifndef DMRB_REMAP_STATUS_H
#define DMRB_REMAP_STATUS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define REMAP_STATUS_TAG "v4.0-phase1.4"
#define REMAP_STATUS_NTOKENS 28

/*
 * The numbers, tokens 4 to 26 in order. The second column says whether the
 * field is a counter (its change over a run means something) or a gauge.
 */
#define REMAP_STATUS_NUMBERS(X)                                                 \
	X(reads, 1) X(writes, 1) X(remaps, 1) X(errors, 1) X(active_mappings, 1) \
	X(io_ops, 1) X(total_time_ns, 1) X(avg_latency_ns, 0) X(throughput_bps, 0) \
	X(sector_size, 0) X(spare_device_sectors, 0) X(total_ios, 1)             \
	X(normal_ios, 1) X(remapped_ios, 1) X(remapped_sectors, 1)               \
	X(cache_hits, 1) X(cache_misses, 1) X(fast_path_hits, 1)                 \
	X(slow_path_hits, 1) X(health_scans, 1) X(health_score, 0)               \
	X(hotspot_count, 1) X(cache_hit_rate, 0)

struct remap_status {
	bool parsed;
	char reason[160];          /* why not parsed ("" when parsed) */
	char *raw;                 /* the line as given, trailing blanks dropped */
	/* The "<start> <length> <type>" prefix, when the line carried one. */
	bool has_prefix;
	uint64_t start, length;
	char target_type[64];
	/* Tokens 1 to 3. */
	char format[32];
	char *main_device, *spare_device;
	/* Tokens 4 to 26. */
#define REMAP_X(f, counter) uint64_t f;
	REMAP_STATUS_NUMBERS(REMAP_X)
#undef REMAP_X
	/* Tokens 27 and 28. */
	char state[16];            /* "operational" or "maintenance" */
	char mode[8];              /* "real" or "demo" (demo does no real I/O) */
};

/*
 * Parse a STATUS params string, with or without the "<start> <length>
 * <type>" prefix. Never fails for bad input (st->parsed says); returns -1
 * only when out of memory. Free with remap_status_free().
 */
int remap_status_parse(const char *line, struct remap_status *st);
void remap_status_free(struct remap_status *st);

/*
 * Every field by name, plus "raw" and "parsed"; an unparsed status has
 * "raw", "parsed": false and "reason". New reference.
 */
json_t *remap_status_json(const struct remap_status *st);

/* The number fields in token order, for printing: name, value, counter. */
struct remap_field {
	const char *name;
	uint64_t value;
	bool counter;
};
#define REMAP_STATUS_NNUMBERS 23
void remap_status_numbers(const struct remap_status *st,
			  struct remap_field out[REMAP_STATUS_NNUMBERS]);

/* after - before for every number (counters going down show as negative). */
struct remap_delta {
	bool valid;
	char reason[160];          /* why not valid */
	bool counters_reset;       /* a counter went down: clear_stats or a new device */
#define REMAP_X(f, counter) int64_t f;
	REMAP_STATUS_NUMBERS(REMAP_X)
#undef REMAP_X
};

/*
 * Deltas between two parsed statuses of the same device (same main and
 * spare). Returns 0, or -1 with d->valid false and the reason.
 */
int remap_status_delta(const struct remap_status *before, const struct remap_status *after,
		       struct remap_delta *d);
/* The counters' deltas by name (gauges left out), plus "counters_reset". */
json_t *remap_delta_json(const struct remap_delta *d);

#endif
