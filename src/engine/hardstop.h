/*
 * The hard stop's clock: how long each step of giving up may take. A
 * device that never completes I/O must not keep the tool past --timeout T
 * plus HARDSTOP_GRACE_NS, the sum of the steps below (dmremap-bench(1),
 * HARD STOP, documents each). The engine enforces the first three, the
 * session the flush, and the supervising parent (run/supervise.h) the
 * whole: past T + the grace it kills the run's process and leaves.
 */
#ifndef DMRB_HARDSTOP_H
#define DMRB_HARDSTOP_H

#include "util/timeutil.h"

/* After --timeout: the I/O in flight may still complete. */
#define HARDSTOP_DRAIN_NS (1 * NSEC_PER_SEC)
/* Then: a worker still inside a submit call is left behind. */
#define HARDSTOP_STUCK_NS (1 * NSEC_PER_SEC)
/* Then: a worker thread that cannot finish exiting is left behind. */
#define HARDSTOP_JOIN_NS (1 * NSEC_PER_SEC)
/* --verify: the fdatasync that makes the written data durable. */
#define HARDSTOP_FLUSH_NS (4 * NSEC_PER_SEC)
/* Writing the result, removing scratch files, loop and dm devices. */
#define HARDSTOP_FINISH_NS (2 * NSEC_PER_SEC)
/* The run's process exiting (the kernel waits for abandoned libaio I/O). */
#define HARDSTOP_EXIT_NS (1 * NSEC_PER_SEC)

#define HARDSTOP_GRACE_NS (HARDSTOP_DRAIN_NS + HARDSTOP_STUCK_NS + HARDSTOP_JOIN_NS + \
			   HARDSTOP_FLUSH_NS + HARDSTOP_FINISH_NS + HARDSTOP_EXIT_NS)

/* After any other stop (end of --duration, a signal, errors): the drain. */
#define HARDSTOP_DRAIN_GRACE_NS (30 * NSEC_PER_SEC)

#endif
