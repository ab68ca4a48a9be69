/*
 * The I/O engine behind a small ops struct, in the manner of fio's engines
 * but with no global state: everything lives in the context setup returns.
 */
#ifndef DMRB_IOENGINE_H
#define DMRB_IOENGINE_H

#include <stdbool.h>
#include <stdint.h>

/* What an I/O does; the values index struct run_result's dir[]. */
enum io_op { IO_READ = 0, IO_WRITE = 1, IO_FLUSH = 2, IO_DISCARD = 3 };

/* One I/O slot; the engine keeps its own control block in priv. */
struct io_unit {
	unsigned char priv[64] __attribute__((aligned(8)));
	uint64_t ts;       /* submit time, CLOCK_MONOTONIC ns */
	uint64_t due;      /* rate-limited or open loop: when it was due; 0: not yet admitted */
	uint64_t t_done;   /* discards: completion time, taken by the discard thread */
	uint64_t off;
	void *buf;
	uint32_t len;
	bool write;        /* op == IO_WRITE */
	bool fua;          /* a write with FUA (RWF_DSYNC) */
	bool full_sync;    /* a flush as fsync rather than fdatasync */
	uint8_t op;        /* enum io_op; the engines never see IO_DISCARD */
};

struct io_done {
	struct io_unit *u;
	long res;          /* bytes transferred, or -errno */
};

#define REAP_FOREVER UINT64_MAX

struct ioeng_ops {
	const char *name;
	/* A context for up to depth I/Os in flight; NULL and *err = errno on failure. */
	void *(*setup)(unsigned depth, int *err);
	void (*teardown)(void *ctx);
	/*
	 * Called by the thread that will submit, before its first submit
	 * (the context was set up by another); NULL if nothing to do.
	 * Returns 0 or -errno.
	 */
	int (*start)(void *ctx);
	/*
	 * Submit n prepared units on fd. Returns how many were accepted (may
	 * be fewer than n), or -errno when none was.
	 */
	int (*submit)(void *ctx, int fd, struct io_unit **units, unsigned n);
	/*
	 * Wait up to timeout_ns (REAP_FOREVER: no limit) for at least min
	 * completions; returns the count, or -errno. A signal ends the wait
	 * early: then fewer than min (maybe 0) come back.
	 */
	int (*reap)(void *ctx, unsigned min, unsigned max, struct io_done *out,
		    uint64_t timeout_ns);
};

extern const struct ioeng_ops ioeng_libaio;
#ifdef HAVE_LIBURING
extern const struct ioeng_ops ioeng_io_uring;
#endif

/* The engine called name, or NULL when this build has none by that name. */
const struct ioeng_ops *ioeng_find(const char *name);

#endif
