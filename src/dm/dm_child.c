/*
 * The child's side of every device-mapper call (dm_int.h): the libdevmapper
 * calls themselves, made in the forked child, and the reply they write for
 * the parent (dm.c).
 */
#include "dm/dm_int.h"

#include <errno.h>
#include <libdevmapper.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- what the child sends back ------------------------------------------ */

/*
 * A reply is a flat byte string: u64 values in host order and strings as a
 * u64 length, the bytes and a NUL, so that the parent can point into it.
 */
struct wire {
	char *p;
	size_t len, cap;
	bool oom;
};

static void w_put(struct wire *w, const void *b, size_t n)
{
	if (w->oom)
		return;
	if (w->cap - w->len < n) {
		size_t cap = w->cap ? w->cap : 1024;
		char *p;

		while (cap - w->len < n)
			cap *= 2;
		p = realloc(w->p, cap);
		if (!p) {
			w->oom = true;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->len, b, n);
	w->len += n;
}

static void w_u64(struct wire *w, uint64_t v)
{
	w_put(w, &v, sizeof(v));
}

static void w_str(struct wire *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	w_u64(w, n);
	w_put(w, s ? s : "", n);
	w_put(w, "", 1);
}

/* A count, then the records it counts (built apart: the count goes first). */
static void w_records(struct wire *w, uint64_t n, struct wire *body)
{
	w_u64(w, n);
	if (body->oom)
		w->oom = true;
	else if (body->len)
		w_put(w, body->p, body->len);
	free(body->p);
}

/* ---- the calls, as made in the child ------------------------------------ */

static int classify(enum op_kind kind, int e)
{
	switch (e) {
	case ENXIO:
	case ENODEV:
	case ENOENT:
		return DMW_ERR_NOENT;
	case EPERM:
	case EACCES:
		return DMW_ERR_PERM;
	case EBUSY:
		/* The kernel answers a create over a used name or UUID with EBUSY. */
		return kind == OP_CREATE ? DMW_ERR_EXIST : DMW_ERR_BUSY;
	case EEXIST:
		return DMW_ERR_EXIST;
	case EINVAL:
		return DMW_ERR_INVAL;
	default:
		return DMW_ERR_SYS;
	}
}

static void put_info(struct wire *w, struct dm_task *dmt)
{
	struct dm_info di;
	const char *uuid;

	memset(&di, 0, sizeof(di));
	dm_task_get_info(dmt, &di);
	uuid = di.exists ? dm_task_get_uuid(dmt) : NULL;
	w_u64(w, (uint64_t)di.exists);
	w_u64(w, (uint64_t)di.suspended);
	w_u64(w, (uint64_t)(int64_t)di.open_count);
	w_u64(w, (uint64_t)(int64_t)di.target_count);
	w_u64(w, di.major);
	w_u64(w, di.minor);
	w_str(w, uuid);
}

/* What put_info() writes for a device that does not exist. */
static void put_gone(struct wire *w)
{
	int i;

	for (i = 0; i < 6; i++)
		w_u64(w, 0);
	w_str(w, NULL);
}

static void put_targets(struct wire *w, struct dm_task *dmt)
{
	uint64_t start, len, n = 0;
	char *type, *params;
	void *next = NULL;
	struct wire body = { 0 };

	do {
		type = params = NULL;
		next = dm_get_next_target(dmt, next, &start, &len, &type, &params);
		if (!type)
			continue;
		w_u64(&body, start);
		w_u64(&body, len);
		w_str(&body, type);
		w_str(&body, params);
		n++;
	} while (next);
	w_records(w, n, &body);
}

static void put_names(struct wire *w, struct dm_task *dmt)
{
	struct dm_names *names = dm_task_get_names(dmt);
	struct wire body = { 0 };
	uint64_t n = 0;
	unsigned next = 0;

	if (names && names->dev) {
		do {
			struct dm_task *it;

			names = (struct dm_names *)((char *)names + next);
			it = dm_task_create(DM_DEVICE_INFO);
			w_str(&body, names->name);
			if (it && dm_task_set_name(it, names->name) && dm_task_run(it)) {
				put_info(&body, it);
			} else {
				put_gone(&body);  /* removed since the listing */
			}
			if (it)
				dm_task_destroy(it);
			n++;
			next = names->next;
		} while (next);
	}
	w_records(w, n, &body);
}

static void put_deps(struct wire *w, struct dm_task *dmt)
{
	struct dm_deps *deps = dm_task_get_deps(dmt);
	uint32_t i, n = deps ? deps->count : 0;

	w_u64(w, n);
	for (i = 0; i < n; i++)
		w_u64(w, deps->device[i]);
}

static void put_versions(struct wire *w, struct dm_task *dmt)
{
	struct dm_versions *v = dm_task_get_versions(dmt), *last;
	struct wire body = { 0 };
	uint64_t n = 0;

	if (v) {
		do {
			last = v;
			w_str(&body, v->name);
			w_u64(&body, v->version[0]);
			w_u64(&body, v->version[1]);
			w_u64(&body, v->version[2]);
			n++;
			v = (struct dm_versions *)((char *)v + v->next);
		} while (last != v);
	}
	w_records(w, n, &body);
}

static const int op_ioctl[] = {
	[OP_CREATE] = DM_DEVICE_CREATE, [OP_REMOVE] = DM_DEVICE_REMOVE,
	[OP_TABLE] = DM_DEVICE_TABLE, [OP_STATUS] = DM_DEVICE_STATUS,
	[OP_MESSAGE] = DM_DEVICE_TARGET_MSG, [OP_LIST] = DM_DEVICE_LIST,
	[OP_INFO] = DM_DEVICE_INFO, [OP_DEPS] = DM_DEVICE_DEPS,
	[OP_VERSIONS] = DM_DEVICE_LIST_VERSIONS,
};

static void put_error(struct wire *w, int code, int e, enum step step)
{
	w_u64(w, (uint64_t)code);
	w_u64(w, (uint64_t)e);
	w_u64(w, step);
}

static void put_ok(struct wire *w)
{
	put_error(w, DMW_OK, 0, STEP_CALL);
}

/*
 * Run one task. Ioctls that send uevents (resume, remove) get a cookie, and
 * dm_udev_wait() follows whatever happened: skipping it leaks a semaphore,
 * and without udev it is where libdevmapper makes or removes the
 * /dev/mapper node itself. Returns 0 or the errno (EIO when there is none).
 */
static int run_task(struct deadline_child *c, struct dm_task *dmt, bool uevent,
		    const char *stage)
{
	uint32_t cookie = 0;
	int e = 0, cookie_set = 0;

	if (uevent) {
		cookie_set = dm_task_set_cookie(dmt, &cookie, 0);
		if (!cookie_set)
			return ENOSPC;  /* no semaphore left for the cookie */
	}
	deadline_stage(c, stage);
	if (!dm_task_run(dmt)) {
		e = dm_task_get_errno(dmt);
		if (!e)
			e = EIO;
	}
	if (cookie_set) {
		deadline_stage(c, "udev-wait");
		dm_udev_wait(cookie);
	}
	return e;
}

/* A task for the named device; NULL with *e set (EINVAL: a name it refuses). */
static struct dm_task *named_task(int type, const char *name, int *e)
{
	struct dm_task *dmt = dm_task_create(type);

	*e = 0;
	if (!dmt) {
		*e = ENOMEM;
		return NULL;
	}
	if (name && !dm_task_set_name(dmt, name)) {
		dm_task_destroy(dmt);
		*e = EINVAL;
		return NULL;
	}
	return dmt;
}

/* Undo a creation whose table did not take: the device has no live table. */
static void revert_create(struct deadline_child *c, const struct op *op)
{
	int e;
	struct dm_task *dmt = named_task(DM_DEVICE_REMOVE, op->name, &e);

	if (dmt) {
		run_task(c, dmt, true, "revert");
		dm_task_destroy(dmt);
	}
}

/* How a failed table load is reported. */
static int load_error_code(int e)
{
	switch (e) {
	case EBUSY:
		return DMW_ERR_BUSY;   /* a device in the table is claimed */
	case EPERM:
	case EACCES:
		return DMW_ERR_PERM;
	case ENOMEM:
		return DMW_ERR_SYS;
	default:
		return DMW_ERR_INVAL;  /* the kernel (or the target) rejected it */
	}
}

/*
 * Create, load, resume: three ioctls, so that each failure keeps its errno
 * (libdevmapper's one-call create loses it in its revert). The device is
 * never live with another table and never suspended once live.
 */
static void create_kernel(struct deadline_child *c, const struct op *op, struct wire *w)
{
	size_t i;
	int e;
	struct dm_task *dmt = named_task(DM_DEVICE_CREATE, op->name, &e);

	if (dmt && op->uuid && !dm_task_set_uuid(dmt, op->uuid))
		e = EINVAL;
	if (e) {
		put_error(w, e == EINVAL ? DMW_ERR_INVAL : DMW_ERR_SYS, e, STEP_CREATE);
		goto out;
	}
	if ((e = run_task(c, dmt, false, "create"))) {
		put_error(w, classify(OP_CREATE, e), e, STEP_CREATE);
		goto out;
	}
	dm_task_destroy(dmt);
	/* The target's constructor runs here (dm-remap writes its metadata). */
	dmt = named_task(DM_DEVICE_RELOAD, op->name, &e);
	for (i = 0; dmt && i < op->nseg; i++)
		if (!dm_task_add_target(dmt, op->seg[i].start, op->seg[i].len, op->seg[i].type,
					op->seg[i].params)) {
			dm_task_destroy(dmt);
			dmt = NULL;
		}
	e = dmt ? run_task(c, dmt, false, "load") : ENOMEM;
	if (e) {
		revert_create(c, op);
		put_error(w, load_error_code(e), e, STEP_LOAD);
		goto out;
	}
	dm_task_destroy(dmt);
	dmt = named_task(DM_DEVICE_RESUME, op->name, &e);
	if (dmt)
		e = run_task(c, dmt, true, "resume");
	if (e) {
		revert_create(c, op);
		put_error(w, DMW_ERR_SYS, e, STEP_RESUME);
		goto out;
	}
	put_ok(w);
	put_info(w, dmt);
out:
	if (dmt)
		dm_task_destroy(dmt);
}

static void call_kernel(struct deadline_child *c, const struct op *op, struct wire *w)
{
	struct dm_task *dmt;
	int e;

	if (op->kind == OP_CREATE) {
		create_kernel(c, op, w);
		return;
	}
	dmt = named_task(op_ioctl[op->kind], op->name, &e);
	if (dmt && op->kind == OP_MESSAGE && (!dm_task_set_sector(dmt, op->sector) ||
					      !dm_task_set_message(dmt, op->msg)))
		e = ENOMEM;
	if (e) {
		put_error(w, e == EINVAL ? DMW_ERR_INVAL : DMW_ERR_SYS, e, STEP_CALL);
		goto out;
	}
	e = run_task(c, dmt, op->kind == OP_REMOVE, "ioctl");
	if (e) {
		put_error(w, classify(op->kind, e), e, STEP_CALL);
		goto out;
	}
	put_ok(w);
	switch (op->kind) {
	case OP_INFO:
		put_info(w, dmt);
		break;
	case OP_TABLE:
	case OP_STATUS:
		put_info(w, dmt);
		put_targets(w, dmt);
		break;
	case OP_MESSAGE:
		w_str(w, dm_task_get_message_response(dmt));
		break;
	case OP_LIST:
		put_names(w, dmt);
		break;
	case OP_DEPS:
		put_info(w, dmt);
		put_deps(w, dmt);
		break;
	case OP_VERSIONS:
		put_versions(w, dmt);
		break;
	case OP_CREATE:
	case OP_REMOVE:
		break;
	}
out:
	if (dmt)
		dm_task_destroy(dmt);
}

int op_child(struct deadline_child *c, void *arg)
{
	struct wire w = { 0 };
	int rc = 0;

	call_kernel(c, arg, &w);
	dm_lib_release();
	if (w.oom || deadline_write(c, w.p, w.len))
		rc = 1;
	free(w.p);
	return rc;
}
