/* Parsing and printing of sizes, durations and counts as users type them. */
#ifndef DMRB_UNITS_H
#define DMRB_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sizes: a whole number with an optional binary suffix, as fio and dd take
 * them: "4096", "4k", "64K", "1M", "10G", "2T", "1P"; "KiB"/"KB"/"k" all mean
 * 1024. Returns 0 on success, -1 on syntax error or overflow.
 */
int parse_size(const char *s, uint64_t *out);

/*
 * Durations: a whole number with an optional unit: "90" and "90s" are
 * seconds, "500ms", "5m", "2h", "1d". Stored in nanoseconds.
 * Returns 0 on success, -1 on syntax error or overflow.
 */
int parse_duration(const char *s, uint64_t *out_ns);

/* Plain unsigned decimal number with no suffix; -1 on junk or overflow. */
int parse_u64(const char *s, uint64_t *out);

/* "1G", "64K", "1536" (exact binary multiple when there is one). */
void format_size(uint64_t bytes, char *buf, size_t len);
/* "90s", "5m", "2h", "1500ms" (exact when possible). */
void format_duration(uint64_t ns, char *buf, size_t len);

#endif
