/*
 * Discards without blocking a worker. BLKDISCARD (on a regular file, a
 * punched hole) is a synchronous call,
 * and neither libaio nor io_uring before Linux 6.12 (BLOCK_URING_CMD_DISCARD)
 * can issue a discard asynchronously, so each worker whose stream discards
 * gets a helper thread that issues them one at a time: the worker pushes
 * a unit into a single-producer ring and goes on; the helper takes the
 * completion time and pushes the unit back. Both rings are sized to the
 * worker's depth at set-up: nothing is allocated and no lock is taken
 * while the run goes on.
 */
#ifndef DMRB_DISCARD_H
#define DMRB_DISCARD_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/ioengine.h"

struct discarder {
	int fd;
	bool regular;                      /* a regular file: FALLOC_FL_PUNCH_HOLE */
	unsigned cap;                      /* slots in each ring: the worker's depth */
	struct io_unit **req;              /* worker -> helper */
	struct io_done *done;              /* helper -> worker */
	sem_t req_sem;                     /* requests waiting */
	sem_t done_sem;                    /* completions waiting */
	pthread_t thread;
	bool started;
	int stop;
	/* Each index is written by one side only. */
	unsigned req_head __attribute__((aligned(64)));  /* helper */
	unsigned req_tail;                                 /* worker */
	unsigned done_head __attribute__((aligned(64))); /* worker */
	unsigned done_tail;                                /* helper */
	int busy;                          /* the helper is inside the ioctl */
};

/* Set up for up to cap discards in flight on fd and start the thread; 0 or an errno. */
int discarder_start(struct discarder *d, int fd, unsigned cap);
/* Hand over a unit (ts set); never blocks: the ring holds the worker's whole depth. */
void discarder_push(struct discarder *d, struct io_unit *u);
/*
 * Take up to max completed discards into out (each unit's t_done holds its
 * completion time); with wait_ns > 0, wait up to that long for the first.
 */
unsigned discarder_reap(struct discarder *d, struct io_done *out, unsigned max, uint64_t wait_ns);
/*
 * Ask the thread to end and join it by the absolute CLOCK_REALTIME
 * deadline. Returns false when it did not end (stuck in the ioctl): it is
 * detached then, and the discarder, its rings and units must stay allocated.
 */
bool discarder_stop(struct discarder *d, const struct timespec *deadline);
void discarder_free(struct discarder *d);

#endif
