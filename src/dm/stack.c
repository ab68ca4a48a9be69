#include "dm/stack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dm/remap_status.h"
#include "dm/state.h"
#include "target/safety.h"
#include "util/log.h"

void dmstack_init(struct dmstack *st, unsigned timeout_ms)
{
	memset(st, 0, sizeof(*st));
	dmw_init(&st->d);
	if (timeout_ms)
		st->d.timeout_ms = st->d.remove_timeout_ms = timeout_ms;
	st->main = (struct dmstack_member){ .opt = "--main", .fd = -1, .loop_fd = -1,
					    .hold_fd = -1 };
	st->spare = (struct dmstack_member){ .opt = "--spare", .fd = -1, .loop_fd = -1,
					     .hold_fd = -1 };
}

static void drop_hold(struct dmstack_member *m);

void dmstack_close(struct dmstack *st)
{
	drop_hold(&st->main);
	drop_hold(&st->spare);
	dmstack_member_release(&st->main, st->created && !st->torn_down);
	dmstack_member_release(&st->spare, st->created && !st->torn_down);
	dmw_close(&st->d);
}

const char *const dmstack_type_names[] = { DMSTACK_REMAP_TYPE, "linear", "error", "zero", NULL };

bool dmstack_known_type(const char *type)
{
	const char *const *t;

	for (t = dmstack_type_names; *t; t++)
		if (!strcmp(type, *t))
			return true;
	return false;
}

/* ---- members -------------------------------------------------------------- */

/* A regular file gets a loop device (direct I/O, detached with its last user). */
static int attach_file(struct dmstack_member *m, const char *dmname, const char *role)
{
	char label[160], err[512];

	snprintf(label, sizeof(label), "%s:%s", dmname, role);
	if (loop_attach(m->fd >= 0 ? NULL : m->given, m->fd, label,
			LOOP_ATTACH_DIRECT_IO | LOOP_ATTACH_AUTOCLEAR, 0, &m->loop, &m->loop_fd,
			err, sizeof(err))) {
		log_error("%s: %s", m->opt, err);
		return errno == EACCES || errno == EPERM ? EXIT_USAGE : EXIT_RUNTIME;
	}
	m->looped = true;
	dmstate_note_loop(m->loop.path, m->loop.number, dmname);
	if (!m->loop.direct_io)
		log_warn("%s: %s runs without direct I/O (the filesystem of %s does not allow "
			 "it); its figures include the page cache", m->opt, m->loop.path, m->given);
	snprintf(m->path, sizeof(m->path), "%s", m->loop.path);
	return 0;
}

/* Not mounted, not held, not open exclusively; then its geometry. */
static int check_member(struct dmstack_member *m)
{
	char what[PATH_MAX + 1024];
	struct stat st;
	uint64_t bytes = 0;
	int fd, lbs = 0;

	if (stat(m->path, &st) || !S_ISBLK(st.st_mode)) {
		log_error("%s: %s is not a block device", m->opt, m->path);
		return EXIT_USAGE;
	}
	m->rdev = st.st_rdev;
	/* Before anything opens it: a stuck removal may still be writing back to it. */
	if (dmstate_held_by_stuck(major(m->rdev), minor(m->rdev), what, sizeof(what))) {
		log_error("%s: %s is in use: %s", m->opt, m->path, what);
		return EXIT_USAGE;
	}
	if (safety_is_mounted(m->rdev, what, sizeof(what))) {
		log_error("%s: %s is in use: mounted on %s", m->opt, m->path, what);
		return EXIT_USAGE;
	}
	if (safety_is_held(m->rdev, what, sizeof(what))) {
		log_error("%s: %s is in use: held by %s", m->opt, m->path, what);
		return EXIT_USAGE;
	}
	/* O_EXCL fails while anyone else has the device open exclusively. */
	fd = open(m->path, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == EBUSY)
			log_error("%s: %s is in use (opened exclusively by another program)",
				  m->opt, m->path);
		else
			log_error("%s: cannot open %s: %s", m->opt, m->path, strerror(e));
		return e == EBUSY || e == EACCES || e == ENOENT ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (ioctl(fd, BLKGETSIZE64, &bytes) || ioctl(fd, BLKSSZGET, &lbs) || lbs <= 0) {
		log_error("%s: cannot read the size of %s: %s", m->opt, m->path, strerror(errno));
		close(fd);
		return EXIT_RUNTIME;
	}
	close(fd);  /* the kernel target opens it exclusively itself */
	m->sectors = bytes / 512;
	m->lbs = (uint32_t)lbs;
	return 0;
}

int dmstack_member_precheck(const char *opt, const char *given, bool written)
{
	struct stat st;

	if (!written || !given || stat(given, &st) || !S_ISBLK(st.st_mode) ||
	    safety_is_read_only(given) != 1)
		return 0;
	log_error("%s: %s is a read-only block device and the device-mapper stack writes to it "
		  "(blockdev --setrw makes it writable)", opt, given);
	return EXIT_USAGE;
}

int dmstack_member_resolve(struct dmstack_member *m, const char *dmname, const char *role)
{
	struct stat st;
	int rc;

	m->loop_fd = -1;
	if (m->fd >= 0)
		rc = fstat(m->fd, &st);
	else
		rc = stat(m->given, &st);
	if (rc) {
		log_error("%s: cannot access %s: %s", m->opt, m->given, strerror(errno));
		return EXIT_USAGE;
	}
	if (S_ISREG(st.st_mode)) {
		rc = attach_file(m, dmname, role);
		if (rc)
			return rc;
	} else if (S_ISBLK(st.st_mode) && m->fd < 0) {
		if (!realpath(m->given, m->path))
			snprintf(m->path, sizeof(m->path), "%s", m->given);
		if (strpbrk(m->path, " \t\n")) {
			log_error("%s: the path %s holds a blank, which a device-mapper table "
				  "cannot carry (give another path to the device)", m->opt, m->path);
			return EXIT_USAGE;
		}
	} else {
		log_error("%s: %s is not a block device or a regular file", m->opt, m->given);
		return EXIT_USAGE;
	}
	return check_member(m);
}

/* The loop device went away (autoclear, detached): so does its record. */
static void forget_loop(const struct dmstack_member *m)
{
	char name[32];

	if (!m->looped)
		return;
	snprintf(name, sizeof(name), "loop%d", m->loop.number);
	dmstate_forget(DMSTATE_LOOP, name);
}

void dmstack_member_release(struct dmstack_member *m, bool held)
{
	char err[256];

	if (m->loop_fd < 0)
		return;
	close(m->loop_fd);  /* autoclear: a dm device on it, if any, now holds it */
	m->loop_fd = -1;
	if (held)
		return;
	if (!m->loop.autoclear && loop_detach(m->loop.path, err, sizeof(err)))
		log_warn("%s", err);
	else
		forget_loop(m);
}

/* ---- dm-remap's rules ------------------------------------------------------ */

/*
 * With strict_spare_sizing, main plus 5%; else metadata (4 KiB + 1 sector),
 * the expected bad sectors (spare_overhead_percent of main, at most 20), 64
 * bytes of mapping per bad sector (+1 sector), and 20% on top.
 */
uint64_t dmstack_min_spare(uint64_t main_sectors, uint32_t lbs, char *how, size_t len)
{
	char val[32];
	unsigned pct = 2;
	uint64_t meta, bad, map, base;

	if (!lbs)
		lbs = 512;
	if (dmw_module_param(DMSTACK_REMAP_MODULE, "strict_spare_sizing", val, sizeof(val)) == 0 &&
	    (val[0] == 'Y' || val[0] == '1')) {
		snprintf(how, len, "strict_spare_sizing=Y: main + 5%%");
		return main_sectors + main_sectors / 20;
	}
	if (dmw_module_param(DMSTACK_REMAP_MODULE, "spare_overhead_percent", val,
			     sizeof(val)) == 0)
		pct = (unsigned)strtoul(val, NULL, 10);
	if (pct > 20)
		pct = 20;
	meta = 4096 / lbs + 1;
	bad = main_sectors * pct / 100;
	map = bad * 64 / lbs + 1;
	base = meta + bad + map;
	snprintf(how, len, "spare_overhead_percent=%u: about %.1f%% of main + 12 sectors", pct,
		 pct * 1.35);
	return base + base * 20 / 100;
}

static void say(bool refuse, bool quiet, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(bool refuse, bool quiet, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!refuse && quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (refuse)
		log_error("%s", line);
	else
		log_warn("%s (dm-remap-v4 would refuse this)", line);
}

int dmstack_check_geometry(const char *type, const struct dmstack_member *main_m,
			   const struct dmstack_member *spare_m, bool quiet)
{
	bool remap = strcmp(type, DMSTACK_REMAP_TYPE) == 0;
	char how[96];
	uint64_t min;

	if (main_m->sectors < DMSTACK_MIN_MAIN_SECTORS) {
		say(remap, quiet, "--main: %s has %llu sectors, fewer than %d", main_m->path,
		    (unsigned long long)main_m->sectors, DMSTACK_MIN_MAIN_SECTORS);
		if (remap)
			return EXIT_USAGE;
	}
	if (!spare_m)
		return 0;
	if (main_m->lbs != spare_m->lbs) {
		say(remap, quiet, "--spare: the logical block size of %s (%u) differs from that "
		    "of %s (%u)", spare_m->path, spare_m->lbs, main_m->path, main_m->lbs);
		if (remap)
			return EXIT_USAGE;
	}
	min = dmstack_min_spare(main_m->sectors, main_m->lbs, how, sizeof(how));
	if (spare_m->sectors < min) {
		say(remap, quiet, "--spare: %s has %llu sectors; the module needs at least %llu "
		    "for a main device of %llu (%s)", spare_m->path,
		    (unsigned long long)spare_m->sectors, (unsigned long long)min,
		    (unsigned long long)main_m->sectors, how);
		if (remap)
			return EXIT_USAGE;
	}
	return 0;
}

/* ---- the kernel ------------------------------------------------------------ */

int dmstack_check_kernel(struct dmstack *st, const char *type, const char *name,
			 const char *name_opt)
{
	struct dmw_info info;
	char val[16];
	int rc;

	rc = dmw_target_version(&st->d, type, &st->version[0], &st->version[1],
				&st->version[2]);
	if (rc) {
		log_error("%s", st->d.err);
		return rc == DMW_ERR_NOENT || rc == DMW_ERR_NODM || rc == DMW_ERR_PERM ?
			EXIT_USAGE : EXIT_RUNTIME;
	}
	if (strcmp(type, DMSTACK_REMAP_TYPE) == 0 &&
	    dmw_module_param(DMSTACK_REMAP_MODULE, "real_device_mode", val, sizeof(val)) == 0 &&
	    (val[0] == 'N' || val[0] == '0')) {
		st->demo_mode = true;
		log_warn("dm_remap is loaded with real_device_mode=N (demo mode): the device "
			 "does no real I/O, and no figure measured on it means anything");
	}
	rc = dmw_info(&st->d, name, &info);
	if (rc) {
		log_error("%s", st->d.err);
		return EXIT_RUNTIME;
	}
	if (info.exists) {
		log_error("%s: a device-mapper device named %s already exists (remove it "
			  "with 'dmremap-bench teardown %s')", name_opt ? name_opt : "--name",
			  name, name);
		return EXIT_USAGE;
	}
	return 0;
}

/* The target's parameters: given, or those of the types the tool knows. */
static void table_params(struct dmstack *st, const char *given)
{
	if (given)
		snprintf(st->params, sizeof(st->params), "%s", given);
	else if (strcmp(st->type, DMSTACK_REMAP_TYPE) == 0)
		snprintf(st->params, sizeof(st->params), "%s %s", st->main.path, st->spare.path);
	else if (strcmp(st->type, "linear") == 0)
		snprintf(st->params, sizeof(st->params), "%s 0", st->main.path);
	else
		st->params[0] = '\0';  /* error, zero */
}

int dmstack_device_create(struct dmstack *st)
{
	struct dmw_segment seg = { .start = 0, .len = st->main.sectors, .type = st->type,
				   .params = st->params };
	int rc;

	dmw_uuid_for(st->name, st->uuid, sizeof(st->uuid));
	rc = dmstack_create(&st->d, st->name, st->uuid, &seg, 1, &st->info);
	if (rc) {
		log_error("%s", st->d.err);
		return rc == DMW_ERR_EXIST ? EXIT_USAGE : EXIT_RUNTIME;
	}
	st->created = true;
	st->sectors = st->main.sectors;
	if (access(st->info.devnode, F_OK))
		log_warn("%s was created but %s did not appear (udev?)", st->name,
			 st->info.devnode);
	return 0;
}

/* Members resolved: the checks that need both, then the device. */
static int check_pair(struct dmstack *st, const struct dmstack_spec *spec)
{
	char why[1024];

	if (st->have_spare && st->main.rdev == st->spare.rdev) {
		log_error("--spare: %s is the main device too", st->spare.path);
		return EXIT_USAGE;
	}
	if (st->have_spare && !spec->force &&
	    safety_has_signature(st->spare.path, why, sizeof(why))) {
		log_error("--spare: %s carries %s%s (pass --force to use it anyway)",
			  st->spare.path, why, strcmp(st->type, DMSTACK_REMAP_TYPE) ? "" :
			  "; dm-remap writes its metadata over it");
		return EXIT_USAGE;
	}
	return dmstack_check_geometry(st->type, &st->main, st->have_spare ? &st->spare : NULL,
				      spec->quiet_geometry);
}

int dmstack_build(struct dmstack *st, const struct dmstack_spec *spec)
{
	const char *name_opt = spec->name_opt ? spec->name_opt : "--name";
	char err[512];
	int rc;

	/* Where the record of the new device goes: refused before anything is made. */
	if (!dmstate_dir(err, sizeof(err))) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	snprintf(st->type, sizeof(st->type), "%s", spec->type ? spec->type : DMSTACK_REMAP_TYPE);
	if (!spec->params && !dmstack_known_type(st->type)) {
		log_error("--target-type: give the table parameters of %s (dmremap-bench knows "
			  "those of dm-remap-v4, linear, error and zero)", st->type);
		return EXIT_USAGE;
	}
	if (!spec->spare && !strcmp(st->type, DMSTACK_REMAP_TYPE)) {
		log_error("--spare: missing (dm-remap-v4 needs a spare device)");
		return EXIT_USAGE;
	}
	if (dmw_make_name(spec->name, st->name, sizeof(st->name))) {
		log_error("%s: %s", name_opt, st->name);
		return EXIT_USAGE;
	}
	/* dm-remap writes its metadata to the spare; main takes the workload's writes. */
	rc = dmstack_member_precheck("--main", spec->main_fd < 0 ? spec->main : NULL,
				     !spec->main_read_only);
	if (!rc && spec->spare)
		rc = dmstack_member_precheck("--spare", spec->spare_fd < 0 ? spec->spare : NULL,
					     !strcmp(st->type, DMSTACK_REMAP_TYPE) || spec->params);
	if (!rc && !spec->kernel_checked)
		rc = dmstack_check_kernel(st, st->type, st->name, name_opt);
	st->main.given = spec->main;
	st->main.fd = spec->main_fd;
	st->spare.given = spec->spare;
	st->spare.fd = spec->spare ? spec->spare_fd : -1;
	st->have_spare = spec->spare != NULL;
	if (!rc)
		rc = dmstack_member_resolve(&st->main, st->name, "main");
	if (!rc && st->have_spare)
		rc = dmstack_member_resolve(&st->spare, st->name, "spare");
	if (!rc)
		rc = check_pair(st, spec);
	if (!rc) {
		table_params(st, spec->params);
		rc = dmstack_device_create(st);
	}
	dmstack_member_release(&st->main, rc == 0);
	dmstack_member_release(&st->spare, rc == 0);
	return rc;
}

int dmstack_create(struct dmw *d, const char *name, const char *uuid,
		   const struct dmw_segment *seg, size_t n, struct dmw_info *info)
{
	struct dmw_info tmp;
	int rc = dmw_create(d, name, uuid, seg, n, info ? info : &tmp);

	if (rc == DMW_OK)
		dmstate_note_dm(name, uuid, info ? info : &tmp, n ? seg[0].type : NULL);
	return rc;
}

/* ---- teardown -------------------------------------------------------------- */

int dmstack_remove(struct dmw *d, const char *name, bool *hung)
{
	struct dmw_info info = { 0 };
	bool have_info = false;
	char secs[32];
	int rc;

	/* A device with no record (made before records were kept): its numbers now. */
	if (!dmstate_known(name))
		have_info = dmw_info(d, name, &info) == DMW_OK && info.exists;
	rc = dmw_remove(d, name);
	if (rc == DMW_OK || rc == DMW_ERR_NOENT) {
		dmstate_forget(DMSTATE_DM, name);
		return 0;
	}
	if (rc == DMW_ERR_HUNG) {
		dmstate_note_hung(name, have_info ? &info : NULL, d->hung_pid, d->remove_timeout_ms);
		unsigned ms = d->remove_timeout_ms;

		if (ms % 1000)
			snprintf(secs, sizeof(secs), "%.1f", ms / 1000.0);
		else
			snprintf(secs, sizeof(secs), "%u", ms / 1000);
		log_error("teardown of %s hung in the kernel after %s s; the device may need a "
			  "reboot to clear", name, secs);
		if (hung)
			*hung = true;
	} else {
		log_error("teardown of %s failed: %s ('dmremap-bench teardown %s' tries again)",
			  name, d->err, name);
	}
	return EXIT_RUNTIME;
}

/* A loop device of ours still bound to the member after its dm device went. */
static int check_loop_gone(struct dmstack_member *m)
{
	char err[512];

	if (!m->looped || !loop_is_ours(m->loop.path))
		return 0;
	if (loop_detach(m->loop.path, err, sizeof(err)) == 0)
		return 0;
	log_error("%s (left attached to %s)", err, m->given);
	return EXIT_RUNTIME;
}

static void drop_hold(struct dmstack_member *m)
{
	if (m->hold_fd >= 0)
		close(m->hold_fd);
	m->hold_fd = -1;
}

int dmstack_hold_members(struct dmstack *st)
{
	struct dmstack_member *m[2] = { &st->main, st->have_spare ? &st->spare : NULL };
	int i;

	for (i = 0; i < 2; i++) {
		if (!m[i] || !m[i]->looped || m[i]->hold_fd >= 0)
			continue;
		m[i]->hold_fd = open(m[i]->loop.path, O_RDONLY | O_CLOEXEC);
		if (m[i]->hold_fd < 0) {
			log_error("cannot keep %s open while %s is re-created: %s", m[i]->loop.path,
				  st->name, strerror(errno));
			return EXIT_RUNTIME;
		}
	}
	return 0;
}

int dmstack_device_remove(struct dmstack *st)
{
	if (!st->created)
		return 0;
	if (dmstack_remove(&st->d, st->name, &st->hung))
		return EXIT_RUNTIME;
	st->created = false;
	return 0;
}

int dmstack_teardown(struct dmstack *st)
{
	int rc = 0;

	if (st->torn_down)
		return 0;
	st->torn_down = true;
	/* Closed first: a loop device held by us alone would outlive the dm device. */
	dmstack_member_release(&st->main, st->created);
	dmstack_member_release(&st->spare, st->created);
	if (st->linear_created && dmstack_linear_remove(st))
		rc = EXIT_RUNTIME;
	if (st->created) {
		if (dmstack_remove(&st->d, st->name, &st->hung))
			rc = EXIT_RUNTIME;
		else
			st->created = false;
	}
	/* The holds kept the loop devices across re-creations: now they may go. */
	drop_hold(&st->main);
	drop_hold(&st->spare);
	/* After a hang the loop devices are still held: nothing to try there. */
	if (!st->hung) {
		if (check_loop_gone(&st->main))
			rc = EXIT_RUNTIME;
		else
			forget_loop(&st->main);
		if (check_loop_gone(&st->spare))
			rc = EXIT_RUNTIME;
		else
			forget_loop(&st->spare);
	}
	return rc;
}

int dmstack_linear_create(struct dmstack *st, bool *busy)
{
	char params[PATH_MAX + 8];
	struct dmw_segment seg = { .start = 0, .len = st->sectors, .type = "linear",
				   .params = params };
	char uuid[DMW_UUID_MAX + 1];
	int rc;

	snprintf(st->linear_name, sizeof(st->linear_name), "%.*s-linear",
		 (int)(DMW_NAME_MAX - 7), st->name);
	snprintf(params, sizeof(params), "%s 0", st->main.path);
	dmw_uuid_for(st->linear_name, uuid, sizeof(uuid));
	rc = dmstack_create(&st->d, st->linear_name, uuid, &seg, 1, &st->linear_info);
	if (rc == DMW_ERR_BUSY && busy) {
		*busy = true;
		return EXIT_RUNTIME;
	}
	if (rc) {
		log_error("--compare-linear: %s", st->d.err);
		return rc == DMW_ERR_EXIST ? EXIT_USAGE : EXIT_RUNTIME;
	}
	st->linear_created = true;
	return 0;
}

int dmstack_linear_remove(struct dmstack *st)
{
	if (!st->linear_created)
		return 0;
	if (dmstack_remove(&st->d, st->linear_name, &st->hung))
		return EXIT_RUNTIME;
	st->linear_created = false;
	return 0;
}

/* ---- descriptions ---------------------------------------------------------- */

char *dmstack_lines(const struct dmw_table *t)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (i = 0; i < t->n; i++)
		fprintf(f, "%s%llu %llu %s%s%s", i ? "\n" : "",
			(unsigned long long)t->seg[i].start, (unsigned long long)t->seg[i].len,
			t->seg[i].type, t->seg[i].params[0] ? " " : "", t->seg[i].params);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

json_t *dmstack_status_json(const char *type, const char *raw)
{
	struct remap_status st;
	json_t *j;

	if (!raw)
		return json_null();
	if (strcmp(type, DMSTACK_REMAP_TYPE) || remap_status_parse(raw, &st))
		return json_pack("{s:s}", "raw", raw);
	j = remap_status_json(&st);
	if (!st.parsed)
		log_warn("the %s status is not understood (%s); recorded raw", DMSTACK_REMAP_TYPE,
			 st.reason);
	remap_status_free(&st);
	return j;
}

json_t *dmstack_status_delta_json(const char *type, const char *before, const char *after)
{
	struct remap_status b, a;
	struct remap_delta d;
	json_t *j = NULL;

	if (!before || !after || strcmp(type, DMSTACK_REMAP_TYPE))
		return NULL;
	if (remap_status_parse(before, &b))
		return NULL;
	if (remap_status_parse(after, &a)) {
		remap_status_free(&b);
		return NULL;
	}
	if (b.parsed && a.parsed && remap_status_delta(&b, &a, &d) == 0)
		j = remap_delta_json(&d);
	remap_status_free(&a);
	remap_status_free(&b);
	return j;
}

json_t *dmstack_module_params_json(bool *demo)
{
	const char *dir = "/sys/module/" DMSTACK_REMAP_MODULE "/parameters";
	json_t *o = json_object();
	struct dirent *de;
	DIR *dd = opendir(dir);

	*demo = false;
	while (dd && (de = readdir(dd))) {
		char val[128];

		if (de->d_name[0] == '.' ||
		    dmw_module_param(DMSTACK_REMAP_MODULE, de->d_name, val, sizeof(val)))
			continue;
		json_object_set_new(o, de->d_name, json_string(val));
		if (!strcmp(de->d_name, "real_device_mode") && (val[0] == 'N' || val[0] == '0'))
			*demo = true;
	}
	if (dd)
		closedir(dd);
	return o;
}
