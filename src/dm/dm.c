#include "dm/dm.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libdevmapper.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "dm/deadline.h"
#include "target/safety.h"

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

struct rd {
	char *p;
	size_t len, off;
	bool bad;
};

static uint64_t r_u64(struct rd *r)
{
	uint64_t v = 0;

	if (r->bad || r->len - r->off < sizeof(v)) {
		r->bad = true;
		return 0;
	}
	memcpy(&v, r->p + r->off, sizeof(v));
	r->off += sizeof(v);
	return v;
}

static const char *r_str(struct rd *r)
{
	uint64_t n = r_u64(r);
	const char *s;

	if (r->bad || r->len - r->off < n + 1 || r->p[r->off + n] != '\0') {
		r->bad = true;
		return "";
	}
	s = r->p + r->off;
	r->off += n + 1;
	return s;
}

/* ---- the calls, as made in the child ------------------------------------ */

enum op_kind {
	OP_CREATE, OP_REMOVE, OP_TABLE, OP_STATUS, OP_MESSAGE,
	OP_LIST, OP_INFO, OP_DEPS, OP_VERSIONS,
};

static const char *const op_names[] = {
	[OP_CREATE] = "creation", [OP_REMOVE] = "removal", [OP_TABLE] = "table query",
	[OP_STATUS] = "status query", [OP_MESSAGE] = "message", [OP_LIST] = "device listing",
	[OP_INFO] = "info query", [OP_DEPS] = "dependency query",
	[OP_VERSIONS] = "target listing",
};

struct op {
	enum op_kind kind;
	const char *name, *uuid, *msg;
	const struct dmw_segment *seg;
	size_t nseg;
	uint64_t sector;
};

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

/* Which step of a creation failed, for the message. */
enum step { STEP_CALL = 0, STEP_CREATE, STEP_LOAD, STEP_RESUME };

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

static int op_child(struct deadline_child *c, void *arg)
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

/* ---- the parent's side -------------------------------------------------- */

static void set_err(struct dmw *d, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(struct dmw *d, int e, const char *fmt, ...)
{
	va_list ap;

	d->err_errno = e;
	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
}

static void fmt_secs(unsigned ms, char *buf, size_t len)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%u s", ms / 1000);
	else
		snprintf(buf, len, "%.1f s", ms / 1000.0);
}

static void remember_stuck(struct dmw *d, pid_t pid)
{
	unsigned i;

	/* Reap what finished meanwhile to make room. */
	for (i = 0; i < d->nstuck;)
		if (deadline_reap(d->stuck[i]))
			d->stuck[i] = d->stuck[--d->nstuck];
		else
			i++;
	if (d->nstuck < DMW_MAX_STUCK)
		d->stuck[d->nstuck++] = pid;
}

static void hung_error(struct dmw *d, const struct op *op, const struct deadline_result *r,
		       unsigned timeout_ms)
{
	const char *who = op->name ? op->name : "device-mapper";
	char secs[32], what[200], left[200] = "";

	fmt_secs(timeout_ms, secs, sizeof(secs));
	snprintf(what, sizeof(what), "%s", r->what[0] ? r->what : "no process information");
	if (op->kind == OP_CREATE)
		snprintf(left, sizeof(left), "; %s may exist now: 'dmremap-bench teardown %s' "
			 "removes it", who, who);
	if (strcmp(r->stage, "udev-wait") == 0)
		set_err(d, ETIMEDOUT, "udev did not confirm the %s of %s within %s (%s; run "
			"'dmsetup udevcomplete_all', or set DM_DISABLE_UDEV=1 to let "
			"dmremap-bench manage /dev/mapper itself%s)", op_names[op->kind], who,
			secs, what, left);
	else if (op->kind == OP_REMOVE)
		set_err(d, ETIMEDOUT, "removal of %s hung in the kernel after %s (%s; the "
			"device may need a reboot to clear)", who, secs, what);
	else
		set_err(d, ETIMEDOUT, "the %s of %s hung in the kernel after %s (%s, at the "
			"%s step; the device may be stuck until a reboot%s)", op_names[op->kind],
			who, secs, what, r->stage[0] ? r->stage : "first", left);
}

static void create_error(struct dmw *d, const struct op *op, int code, int e, int step)
{
	const char *es = strerror(e);

	if (step == STEP_LOAD && code == DMW_ERR_BUSY)
		set_err(d, e, "the kernel could not claim a device in the table of %s: %s (it "
			"is in use by another program or device)", op->name, es);
	else if (step == STEP_LOAD && code == DMW_ERR_INVAL)
		set_err(d, e, "the kernel rejected the table of %s: %s (the kernel log, dmesg, "
			"says why)", op->name, es);
	else if (step == STEP_RESUME)
		set_err(d, e, "%s could not be resumed: %s (it was removed again)", op->name, es);
	else if (code == DMW_ERR_EXIST)
		set_err(d, e, "a device-mapper device named %s%s%s already exists", op->name,
			op->uuid ? " or with UUID " : "", op->uuid ? op->uuid : "");
	else if (code == DMW_ERR_PERM)
		set_err(d, e, "device-mapper refused the creation of %s: %s (it needs root)",
			op->name, es);
	else
		set_err(d, e, "the creation of %s failed: %s", op->name, es);
}

static void call_error(struct dmw *d, const struct op *op, int code, int e, int step)
{
	const char *who = op->name ? op->name : "device-mapper";
	const char *es = e ? strerror(e) : "cannot talk to the device-mapper driver";

	if (op->kind == OP_CREATE) {
		create_error(d, op, code, e, step);
		return;
	}
	switch (code) {
	case DMW_ERR_NOENT:
		set_err(d, e, "no device-mapper device named %s", who);
		break;
	case DMW_ERR_PERM:
		set_err(d, e, "device-mapper refused the %s of %s: %s (it needs root)",
			op_names[op->kind], who, es);
		break;
	case DMW_ERR_INVAL:
		if (op->kind == OP_MESSAGE)
			set_err(d, e, "the target of %s rejected the message '%s': %s", who,
				op->msg, es);
		else
			set_err(d, e, "the %s of %s failed: %s", op_names[op->kind], who, es);
		break;
	case DMW_ERR_BUSY:
		set_err(d, e, "%s is busy: %s", who, es);
		break;
	default:
		set_err(d, e, "the %s of %s failed: %s", op_names[op->kind], who, es);
		break;
	}
}

/*
 * Run one call in a child. On DMW_OK, *out holds the reply past its header
 * (the caller frees out->p); on error d->err says why.
 */
static int run_op(struct dmw *d, const struct op *op, unsigned timeout_ms, struct rd *out)
{
	struct deadline_result r;
	struct rd rd;
	int code, e, step;

	memset(out, 0, sizeof(*out));
	if ((code = dmw_available(d)))
		return code;
	deadline_run(op_child, (void *)op, timeout_ms, DEADLINE_CLOSE_FDS | DEADLINE_NULL_STDIO |
		     (d->debug ? 0 : DEADLINE_NULL_STDERR), &r);
	if (r.status == DEADLINE_HUNG) {
		hung_error(d, op, &r, timeout_ms);
		d->hung_pid = r.pid;
		if (r.left_behind)
			remember_stuck(d, r.pid);
		deadline_result_free(&r);
		return DMW_ERR_HUNG;
	}
	if (r.status == DEADLINE_FAILED || r.child_rc) {
		if (r.term_signal)
			set_err(d, 0, "the process making the %s call died (signal %d)",
				op_names[op->kind], r.term_signal);
		else
			set_err(d, r.err, "cannot make the %s call in a child process: %s",
				op_names[op->kind], strerror(r.err ? r.err : EIO));
		if (r.left_behind)
			remember_stuck(d, r.pid);
		deadline_result_free(&r);
		return DMW_ERR_SYS;
	}
	if (r.left_behind)
		remember_stuck(d, r.pid);
	rd = (struct rd){ .p = r.data, .len = r.len };
	code = (int)r_u64(&rd);
	e = (int)r_u64(&rd);
	step = (int)r_u64(&rd);
	if (rd.bad) {
		set_err(d, EPROTO, "the %s call returned a truncated reply", op_names[op->kind]);
		deadline_result_free(&r);
		return DMW_ERR_SYS;
	}
	if (code != DMW_OK) {
		call_error(d, op, code, e, step);
		deadline_result_free(&r);
		return code;
	}
	*out = rd;  /* takes r.data */
	return DMW_OK;
}

static int reply_bad(struct dmw *d, const struct op *op, struct rd *rd)
{
	if (!rd->bad)
		return 0;
	set_err(d, EPROTO, "the %s call returned a malformed reply", op_names[op->kind]);
	free(rd->p);
	rd->p = NULL;
	return DMW_ERR_SYS;
}

/* Read a put_info() record; returns the UUID as stored in the reply. */
static const char *get_info(struct rd *rd, const char *name, struct dmw_info *info)
{
	const char *uuid;

	memset(info, 0, sizeof(*info));
	info->exists = r_u64(rd) != 0;
	info->suspended = r_u64(rd) != 0;
	info->open_count = (int)(int64_t)r_u64(rd);
	info->target_count = (int)(int64_t)r_u64(rd);
	info->major = (unsigned)r_u64(rd);
	info->minor = (unsigned)r_u64(rd);
	uuid = r_str(rd);
	snprintf(info->uuid, sizeof(info->uuid), "%s", uuid);
	if (info->exists && name) {
		snprintf(info->devnode, sizeof(info->devnode), "%s/%s", dm_dir(), name);
		snprintf(info->sysname, sizeof(info->sysname), "dm-%u", info->minor);
	}
	return uuid;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* libdevmapper prints every failed ioctl; the wrapper says it better, once. */
static void quiet_log(int level, const char *file, int line, int dm_errno_or_class,
		      const char *f, ...)
{
	(void)level;
	(void)file;
	(void)line;
	(void)dm_errno_or_class;
	(void)f;
}

void dmw_init(struct dmw *d)
{
	const char *dis = getenv("DM_DISABLE_UDEV");

	memset(d, 0, sizeof(*d));
	d->timeout_ms = DMW_DEFAULT_TIMEOUT_MS;
	d->remove_timeout_ms = DMW_DEFAULT_TIMEOUT_MS;
	d->busy_retries = DMW_DEFAULT_BUSY_RETRIES;
	d->busy_delay_ms = DMW_DEFAULT_BUSY_DELAY_MS;
	d->udev_sync = access("/run/udev/control", F_OK) == 0 && !(dis && *dis);
	/* Without udev, libdevmapper makes the /dev/mapper nodes itself. */
	dm_udev_set_sync_support(d->udev_sync ? 1 : 0);
	d->debug = getenv("DMRB_DM_DEBUG") != NULL;
	if (!d->debug)
		dm_log_with_errno_init(quiet_log);
}

void dmw_close(struct dmw *d)
{
	unsigned i;

	for (i = 0; i < d->nstuck; i++)
		deadline_reap(d->stuck[i]);
	d->nstuck = 0;
}

const char *dmw_err_name(int code)
{
	static const char *const names[] = {
		"ok", "no device-mapper", "not permitted", "not found", "exists", "busy",
		"invalid", "hung", "system error",
	};

	return code >= 0 && code <= DMW_ERR_SYS ? names[code] : "unknown";
}

static bool proc_misc_has_dm(void)
{
	FILE *f = fopen("/proc/misc", "r");
	char line[128];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " device-mapper") != NULL;
	fclose(f);
	return found;
}

int dmw_available(struct dmw *d)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/control", dm_dir());
	if (access(path, F_OK) == 0) {
		if (access(path, R_OK | W_OK) == 0)
			return DMW_OK;
		set_err(d, EACCES, "no access to %s (device-mapper needs root)", path);
		return DMW_ERR_PERM;
	}
	if (proc_misc_has_dm())
		return DMW_OK;  /* libdevmapper makes the control node itself */
	set_err(d, ENODEV, "this kernel has no device-mapper (%s is missing and /proc/misc "
		"lists no device-mapper; load it with 'modprobe dm-mod')", path);
	return DMW_ERR_NODM;
}

void dmw_table_free(struct dmw_table *t)
{
	free(t->seg);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

void dmw_list_free(struct dmw_list *l)
{
	free(l->dev);
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

int dmw_create(struct dmw *d, const char *name, const char *uuid,
	       const struct dmw_segment *seg, size_t n, struct dmw_info *info)
{
	struct op op = { .kind = OP_CREATE, .name = name, .uuid = uuid, .seg = seg, .nseg = n };
	struct dmw_info tmp;
	struct rd rd;
	int rc;

	if (!n) {
		set_err(d, EINVAL, "the table of %s is empty", name);
		return DMW_ERR_INVAL;
	}
	rc = run_op(d, &op, d->timeout_ms, &rd);
	if (rc)
		return rc;
	get_info(&rd, name, info ? info : &tmp);
	rc = reply_bad(d, &op, &rd);
	free(rd.p);
	return rc;
}

int dmw_info(struct dmw *d, const char *name, struct dmw_info *info)
{
	struct op op = { .kind = OP_INFO, .name = name };
	struct rd rd;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = run_op(d, &op, d->timeout_ms, &rd);
	if (rc)
		return rc;
	get_info(&rd, name, info);
	rc = reply_bad(d, &op, &rd);
	free(rd.p);
	return rc;
}

int dmw_remove(struct dmw *d, const char *name)
{
	struct op op = { .kind = OP_REMOVE, .name = name };
	struct dmw_info before, now;
	unsigned attempt;
	struct rd rd;
	int rc;

	rc = dmw_info(d, name, &before);
	if (rc)
		return rc;
	if (!before.exists) {
		set_err(d, ENXIO, "no device-mapper device named %s", name);
		return DMW_ERR_NOENT;
	}
	for (attempt = 0;; attempt++) {
		rc = run_op(d, &op, d->remove_timeout_ms, &rd);
		free(rd.p);
		if (rc != DMW_ERR_BUSY || attempt >= d->busy_retries)
			break;
		sleep_ms(d->busy_delay_ms);
	}
	if (rc == DMW_ERR_BUSY) {
		char users[600], secs[32];
		int oc = before.open_count;

		if (dmw_info(d, name, &now) == DMW_OK && now.exists)
			oc = now.open_count;
		dmw_describe_users(before.major, before.minor, oc, users, sizeof(users));
		fmt_secs(d->busy_retries * d->busy_delay_ms, secs, sizeof(secs));
		set_err(d, EBUSY, "%s is still in use after %u attempts over %s: %s", name,
			attempt + 1, secs, users);
	}
	return rc;
}

static int get_targets(struct dmw *d, enum op_kind kind, const char *name,
		       struct dmw_table *t)
{
	struct op op = { .kind = kind, .name = name };
	struct dmw_info info;
	struct rd rd;
	uint64_t i, n;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = run_op(d, &op, d->timeout_ms, &rd);
	if (rc)
		return rc;
	get_info(&rd, name, &info);
	n = r_u64(&rd);
	if (!rd.bad && n > rd.len / 16) {
		rd.bad = true;  /* more segments than the reply could hold */
	} else if (!rd.bad && n) {
		t->seg = calloc((size_t)n, sizeof(*t->seg));
		if (!t->seg) {
			free(rd.p);
			set_err(d, ENOMEM, "out of memory");
			return DMW_ERR_SYS;
		}
	}
	for (i = 0; i < n && !rd.bad; i++) {
		t->seg[i].start = r_u64(&rd);
		t->seg[i].len = r_u64(&rd);
		t->seg[i].type = r_str(&rd);
		t->seg[i].params = r_str(&rd);
	}
	t->n = (size_t)n;
	if ((rc = reply_bad(d, &op, &rd))) {
		free(t->seg);
		memset(t, 0, sizeof(*t));
		return rc;
	}
	if (!info.exists) {
		free(rd.p);
		dmw_table_free(t);
		set_err(d, ENXIO, "no device-mapper device named %s", name);
		return DMW_ERR_NOENT;
	}
	t->buf = rd.p;
	return DMW_OK;
}

int dmw_get_table(struct dmw *d, const char *name, struct dmw_table *t)
{
	return get_targets(d, OP_TABLE, name, t);
}

int dmw_get_status(struct dmw *d, const char *name, struct dmw_table *t)
{
	return get_targets(d, OP_STATUS, name, t);
}

int dmw_message(struct dmw *d, const char *name, uint64_t sector, const char *msg,
		char *reply, size_t len)
{
	struct op op = { .kind = OP_MESSAGE, .name = name, .sector = sector, .msg = msg };
	struct rd rd;
	int rc;

	if (reply && len)
		reply[0] = '\0';
	rc = run_op(d, &op, d->timeout_ms, &rd);
	if (rc)
		return rc;
	{
		const char *s = r_str(&rd);

		if (reply && len && !rd.bad)
			snprintf(reply, len, "%s", s);
	}
	rc = reply_bad(d, &op, &rd);
	free(rd.p);
	return rc;
}

int dmw_list(struct dmw *d, bool ours_only, struct dmw_list *l)
{
	struct op op = { .kind = OP_LIST };
	struct rd rd;
	uint64_t i, n;
	int rc;

	memset(l, 0, sizeof(*l));
	rc = run_op(d, &op, d->timeout_ms, &rd);
	if (rc)
		return rc;
	n = r_u64(&rd);
	if (!rd.bad && n > rd.len / 16)
		rd.bad = true;
	if (!rd.bad && n && !(l->dev = calloc((size_t)n, sizeof(*l->dev)))) {
		free(rd.p);
		set_err(d, ENOMEM, "out of memory");
		return DMW_ERR_SYS;
	}
	for (i = 0; i < n && !rd.bad; i++) {
		struct dmw_info info;
		const char *name = r_str(&rd);
		const char *uuid = get_info(&rd, NULL, &info);

		if (rd.bad || (ours_only && !dmw_uuid_is_ours(uuid)))
			continue;
		l->dev[l->n++] = (struct dmw_device){
			.name = name, .uuid = uuid, .major = info.major,
			.minor = info.minor, .open_count = info.open_count,
		};
	}
	if ((rc = reply_bad(d, &op, &rd))) {
		free(l->dev);
		memset(l, 0, sizeof(*l));
		return rc;
	}
	l->buf = rd.p;
	return DMW_OK;
}

int dmw_deps(struct dmw *d, const char *name, dev_t *devs, size_t max, size_t *n)
{
	struct op op = { .kind = OP_DEPS, .name = name };
	struct dmw_info info;
	struct rd rd;
	uint64_t i, cnt;
	int rc;

	*n = 0;
	rc = run_op(d, &op, d->timeout_ms, &rd);
	if (rc)
		return rc;
	get_info(&rd, name, &info);
	cnt = r_u64(&rd);
	for (i = 0; i < cnt && !rd.bad; i++) {
		uint64_t dev = r_u64(&rd);

		/* The kernel's encoding matches glibc's for majors below 4096. */
		if (!rd.bad && *n < max)
			devs[(*n)++] = makedev(major(dev), minor(dev));
	}
	rc = reply_bad(d, &op, &rd);
	free(rd.p);
	if (!rc && !info.exists) {
		set_err(d, ENXIO, "no device-mapper device named %s", name);
		rc = DMW_ERR_NOENT;
	}
	return rc;
}

int dmw_target_version(struct dmw *d, const char *type, unsigned *maj, unsigned *min,
		       unsigned *patch)
{
	struct op op = { .kind = OP_VERSIONS };
	struct rd rd;
	uint64_t i, n;
	int rc, found = 0;

	rc = run_op(d, &op, d->timeout_ms, &rd);
	if (rc)
		return rc;
	n = r_u64(&rd);
	for (i = 0; i < n && !rd.bad; i++) {
		const char *name = r_str(&rd);
		unsigned v0 = (unsigned)r_u64(&rd), v1 = (unsigned)r_u64(&rd),
			 v2 = (unsigned)r_u64(&rd);

		if (!rd.bad && strcmp(name, type) == 0) {
			*maj = v0;
			*min = v1;
			*patch = v2;
			found = 1;
		}
	}
	rc = reply_bad(d, &op, &rd);
	free(rd.p);
	if (rc)
		return rc;
	if (!found) {
		char hint[128];

		dmw_target_hint(type, hint, sizeof(hint));
		set_err(d, ENOENT, "target %s is not loaded: %s", type, hint);
		return DMW_ERR_NOENT;
	}
	return DMW_OK;
}

void dmw_target_hint(const char *type, char *buf, size_t len)
{
	static const struct { const char *type, *module; } mods[] = {
		{ "linear", "dm-mod" }, { "error", "dm-mod" }, { "striped", "dm-mod" },
		{ "zero", "dm-mod" }, { "thin", "dm-thin-pool" },
		{ "thin-pool", "dm-thin-pool" }, { "snapshot", "dm-snapshot" },
		{ "snapshot-origin", "dm-snapshot" }, { "snapshot-merge", "dm-snapshot" },
		{ "multipath", "dm-multipath" }, { "cache", "dm-cache" },
	};
	size_t i;

	if (strcmp(type, "dm-remap-v4") == 0 || strcmp(type, "remap") == 0) {
		/* No alias, so nothing autoloads it; dm-bufio is a soft dependency. */
		snprintf(buf, len, "modprobe dm-bufio && modprobe dm_remap");
		return;
	}
	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
		if (strcmp(type, mods[i].type) == 0) {
			snprintf(buf, len, "modprobe %s", mods[i].module);
			return;
		}
	snprintf(buf, len, "modprobe dm-%s", type);
}

static void read_line(const char *path, char *buf, size_t len);

/* ---- names ---------------------------------------------------------------- */

static bool name_char_ok(char c)
{
	return isalnum((unsigned char)c) || strchr("#+-.:=@_", c);
}

int dmw_make_name(const char *given, char *out, size_t len)
{
	size_t plen = strlen(DMW_NAME_PREFIX), i, n;
	bool has = strncmp(given, DMW_NAME_PREFIX, plen) == 0;
	const char *rest = has ? given + plen : given;

	n = strlen(rest);
	if (n == 0) {
		snprintf(out, len, "the name is empty");
		return -1;
	}
	if (strcmp(rest, ".") == 0 || strcmp(rest, "..") == 0) {
		snprintf(out, len, "'%s' is not a usable name", given);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!name_char_ok(rest[i])) {
			snprintf(out, len, "'%s' contains '%c' (allowed: letters, digits and "
				 "# + - . : = @ _)", given, isprint((unsigned char)rest[i]) ?
				 rest[i] : '?');
			return -1;
		}
	if (plen + n > DMW_NAME_MAX) {
		snprintf(out, len, "'%s' is longer than %d characters with the '%s' prefix",
			 given, DMW_NAME_MAX, DMW_NAME_PREFIX);
		return -1;
	}
	if ((size_t)snprintf(out, len, "%s%s", DMW_NAME_PREFIX, rest) >= len) {
		snprintf(out, len, "the name buffer is too small");
		return -1;
	}
	return 0;
}

void dmw_uuid_for(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s%s", DMW_UUID_PREFIX, name);
}

bool dmw_uuid_is_ours(const char *uuid)
{
	size_t plen = strlen(DMW_UUID_PREFIX);

	return uuid && strncmp(uuid, DMW_UUID_PREFIX, plen) == 0 && uuid[plen];
}

bool dmw_name_is_ours(const char *name)
{
	size_t plen = strlen(DMW_NAME_PREFIX);

	return name && strncmp(name, DMW_NAME_PREFIX, plen) == 0 && name[plen];
}

int dmw_module_param(const char *module, const char *param, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module, param);
	if (access(path, R_OK))
		return -1;
	read_line(path, buf, len);
	return 0;
}

/* ---- who holds a device --------------------------------------------------- */

static size_t append(char *buf, size_t len, size_t used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t len, size_t used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (used >= len)
		return used;
	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	return n < 0 ? used : used + (size_t)n;
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static size_t list_holders(unsigned ma, unsigned mi, char *buf, size_t len, size_t used)
{
	char dir[128];
	struct dirent *de;
	DIR *d;
	int k = 0;

	snprintf(dir, sizeof(dir), "/sys/dev/block/%u:%u/holders", ma, mi);
	d = opendir(dir);
	if (!d)
		return used;
	while ((de = readdir(d))) {
		char p[512], dmname[160];

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/block/%s/dm/name", de->d_name);
		read_line(p, dmname, sizeof(dmname));
		used = append(buf, len, used, "%s%s%s%s%s", k++ ? ", " : "; held by ",
			      de->d_name, dmname[0] ? " (" : "", dmname, dmname[0] ? ")" : "");
	}
	closedir(d);
	return used;
}

/* Processes with the device open; only /dev links are stat'ed (never a FUSE file). */
static size_t list_openers(dev_t dev, char *buf, size_t len, size_t used)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	int shown = 0, more = 0;

	if (!proc)
		return used;
	while ((de = readdir(proc))) {
		char fddir[300], comm[64], p[300];
		struct dirent *fe;
		DIR *fds;
		bool hit = false;

		if (!isdigit((unsigned char)de->d_name[0]) || atoi(de->d_name) == getpid())
			continue;
		snprintf(fddir, sizeof(fddir), "/proc/%s/fd", de->d_name);
		fds = opendir(fddir);
		if (!fds)
			continue;
		while (!hit && (fe = readdir(fds))) {
			char link[600], target[256];
			struct stat st;
			ssize_t n;

			snprintf(link, sizeof(link), "%s/%s", fddir, fe->d_name);
			n = readlink(link, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (strncmp(target, "/dev/", 5) == 0 && stat(link, &st) == 0 &&
			    S_ISBLK(st.st_mode) && st.st_rdev == dev)
				hit = true;
		}
		closedir(fds);
		if (!hit)
			continue;
		if (shown == 4) {
			more++;
			continue;
		}
		snprintf(p, sizeof(p), "/proc/%s/comm", de->d_name);
		read_line(p, comm, sizeof(comm));
		used = append(buf, len, used, "%s%s (%s)", shown++ ? ", " : "; open in pid ",
			      de->d_name, comm[0] ? comm : "?");
	}
	closedir(proc);
	if (more)
		used = append(buf, len, used, " and %d more", more);
	return used;
}

void dmw_describe_users(unsigned major, unsigned minor, int open_count, char *buf,
			size_t len)
{
	dev_t dev = makedev(major, minor);
	char where[512];
	size_t used;

	used = append(buf, len, 0, "open count %d", open_count);
	used = list_holders(major, minor, buf, len, used);
	if (safety_is_mounted(dev, where, sizeof(where)))
		used = append(buf, len, used, "; mounted on %s", where);
	list_openers(dev, buf, len, used);
}
