/*
 * The rules of validate's checks that weigh evidence: what was counted
 * (by the kernel, by the module, by the tool) in, a verdict and the
 * sentence that says why out. A check passes only on evidence that the
 * thing it names happened; it fails on evidence that it did not; it is
 * "not checked" when nothing the tool can see tells, and says why.
 *
 * Pure code: no I/O (tests/unit/check_validate_evidence.c).
 */
#ifndef DMRB_VALIDATE_EVIDENCE_H
#define DMRB_VALIDATE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum check_status { EV_PASS, EV_FAIL, EV_NOT_CHECKED };

struct ev_verdict {
	enum check_status status;
	char detail[512];
};

/*
 * remap_counters: the module's counters of remaps performed against the
 * bad sectors and the I/O the tool completed on them. Deltas over the run.
 */
struct ev_remap_counters {
	bool have_status;             /* a dm-remap-v4 status parsed before and after */
	const char *no_status;        /* why not, when !have_status */
	bool counters_reset;          /* a counter went down during the run */
	int64_t remaps;               /* reads the module sent to the spare */
	int64_t remapped_sectors;     /* remaps activated (one per sector) */
	int64_t remapped_ios;         /* bios the module redirected to the spare */
	int64_t active_mappings;      /* entries, pending ones too: not remaps */
	uint64_t bad_sectors;         /* 512-byte sectors */
	uint64_t bad_blocks;          /* blocks of the I/O size that hold one */
	uint64_t ok_bad_ios;          /* I/Os the tool completed on those blocks */
};
void ev_remap_counters(const struct ev_remap_counters *in, struct ev_verdict *out);

/* errors_accounted: the module's error counter against every failed I/O of every pass. */
enum ev_io { EV_IO_FLUSH, EV_IO_WRITE, EV_IO_READ, EV_IO_LATENCY, EV_NIO };
extern const char *const ev_io_names[EV_NIO];   /* "flush", "write", ... */
struct ev_errors {
	bool have_status;
	const char *no_status;
	bool counters_reset;
	int64_t errors;               /* delta of the module's errors counter */
	uint64_t failed[EV_NIO];  /* failed I/Os the tool issued, per pass */
};
void ev_errors_accounted(const struct ev_errors *in, struct ev_verdict *out);

/*
 * remap_penalty: the latency of remapped blocks, where a block counts as
 * remapped only when its reads are served from the spare (the spare's own
 * kernel counters move by a block's worth of reads around each read) and
 * its read returns the bytes the tool wrote.
 */
struct ev_penalty {
	uint64_t bad_blocks;          /* blocks holding a bad sector */
	uint64_t probed_ok;           /* ... whose first read in the latency pass succeeded */
	uint64_t probe_failed;        /* ... whose first read failed */
	bool spare_observable;        /* a direct read of the spare moved its counters */
	const char *spare_why;        /* why not, when !spare_observable */
	uint64_t probe_from_spare;    /* probes that moved the spare's read counters */
	uint64_t probe_right_data;    /* probes that returned the bytes written */
	uint64_t probe_unwritten;     /* probes of blocks whose every write failed */
	uint64_t proven;              /* probes with both */
	uint64_t reads;               /* timed reads of the proven blocks */
	uint64_t reads_from_spare;    /* ... that moved the spare's read counters */
	uint64_t reads_failed;        /* ... that failed */
	uint64_t normal_reads;        /* timed reads of other blocks that succeeded */
	double p50_remapped_us, p99_remapped_us, p50_normal_us, p99_normal_us;
};
void ev_remap_penalty(const struct ev_penalty *in, struct ev_verdict *out);

/*
 * flush_passthrough and fua_passthrough: flushes and FUA writes sent to
 * the top device, counted where they must arrive, in the flush counter of
 * the main device's /sys/block/<dev>/stat. Each op is counted alone (the
 * counter read before and after it), so that one op's count is known.
 */
#define EV_FLUSH_OPS 8
struct ev_flush {
	bool main_stat;               /* main's stat file has the flush fields */
	const char *main_why;         /* why not */
	const char *main_cache;       /* main's queue/write_cache, NULL when unknown */
	const char *top_cache;        /* the top device's */
	bool main_fua;                /* main's queue/fua: it does FUA itself */
	/* Direct on main: flushes main counted for one fdatasync, one RWF_DSYNC write. */
	uint64_t calib_flush, calib_fua;
	bool calib_ok;                /* the direct ops succeeded */
	/* Through the top device. */
	unsigned nflush, nfua;
	uint64_t flush_main[EV_FLUSH_OPS];  /* main's flushes counted for each fdatasync */
	uint64_t fua_main[EV_FLUSH_OPS];    /* ... for each RWF_DSYNC write */
	unsigned flush_failed, fua_failed;  /* ops that returned an error */
};
void ev_flush_passthrough(const struct ev_flush *in, struct ev_verdict *out);
void ev_fua_passthrough(const struct ev_flush *in, struct ev_verdict *out);

#endif
