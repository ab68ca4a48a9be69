/*
 * The device-mapper wrapper's public calls (dm/dm.h) and the parent's side
 * of each: run the call in a child with a deadline (dm/deadline.h,
 * dm_child.c), read its reply, and turn a failure, a hang or a stuck
 * child into the error the caller sees.
 */
#include "dm/dm_int.h"

#include <errno.h>
#include <libdevmapper.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/* ---- the child's reply, as read here (dm_child.c writes it) ------------- */

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

static const char *const op_names[] = {
	[OP_CREATE] = "creation", [OP_REMOVE] = "removal", [OP_TABLE] = "table query",
	[OP_STATUS] = "status query", [OP_MESSAGE] = "message", [OP_LIST] = "device listing",
	[OP_INFO] = "info query", [OP_DEPS] = "dependency query",
	[OP_VERSIONS] = "target listing",
};

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
