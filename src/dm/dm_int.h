/*
 * The insides of the device-mapper wrapper (dm/dm.h) that its two sides
 * share: the call a child makes (dm_child.c) and the parent that runs it
 * and reads the reply (dm.c). Not for use outside src/dm.
 */
#ifndef DMRB_DM_INT_H
#define DMRB_DM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dm/deadline.h"
#include "dm/dm.h"

enum op_kind {
	OP_CREATE, OP_REMOVE, OP_TABLE, OP_STATUS, OP_MESSAGE,
	OP_LIST, OP_INFO, OP_DEPS, OP_VERSIONS,
};

struct op {
	enum op_kind kind;
	const char *name, *uuid, *msg;
	const struct dmw_segment *seg;
	size_t nseg;
	uint64_t sector;
};

/* Which step of a creation failed, for the message. */
enum step { STEP_CALL = 0, STEP_CREATE, STEP_LOAD, STEP_RESUME };

/*
 * The child's side of a call (the deadline_fn of dm/deadline.h; arg is the
 * struct op): make it and write the reply: the code, the errno and the
 * step as u64 values, then on DMW_OK what the call returns. 0, or 1 when
 * the reply could not be built or written.
 */
int op_child(struct deadline_child *c, void *arg);

#endif
