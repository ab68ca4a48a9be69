#include "run/session_dm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "result/result_json.h"
#include "util/log.h"

enum { SCRATCH_MAIN, SCRATCH_SPARE };

static struct session_dm *sdm_alloc(struct session *s)
{
	struct session_dm *dm = calloc(1, sizeof(*dm));

	if (!dm) {
		log_error("out of memory");
		return NULL;
	}
	dmstack_init(&dm->stack, 0);
	dm->scratch_fd[0] = dm->scratch_fd[1] = -1;
	s->dm = dm;
	return dm;
}

static bool is_remap(const struct session_dm *dm)
{
	return strcmp(dm->type, DMSTACK_REMAP_TYPE) == 0;
}

/* --dm-name, else run-<main's base name>, else run-<pid> or auto-<pid>. */
static void stack_name(const struct run_opts *ro, char *out, size_t len)
{
	char tmp[PATH_MAX + 16], check[DMW_NAME_MAX + 8];

	if (ro->dm_name) {
		snprintf(out, len, "%s", ro->dm_name);
		return;
	}
	if (ro->dm_main) {
		const char *b = strrchr(ro->dm_main, '/');

		snprintf(tmp, sizeof(tmp), "run-%s", b ? b + 1 : ro->dm_main);
		if (dmw_make_name(tmp, check, sizeof(check)) == 0) {
			snprintf(out, len, "%s", tmp);
			return;
		}
	}
	snprintf(out, len, "%s-%d", ro->dm_main ? "run" : "auto", (int)getpid());
}

/* An unlinked sparse file of size bytes in dir; 0 or an exit status. */
static int scratch_file(const char *dir, const char *role, uint64_t size, int *fd, char *path,
			size_t len)
{
	snprintf(path, len, "%s/dmremap-bench-%s-XXXXXX", dir, role);
	*fd = mkostemp(path, O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;

		log_error("--scratch-dir: cannot create a scratch file in '%s': %s (allowed: a "
			  "writable directory; set --scratch-dir or TMPDIR)", dir, strerror(e));
		return e == ENOENT || e == ENOTDIR || e == EACCES || e == EROFS ?
			EXIT_USAGE : EXIT_RUNTIME;
	}
	unlink(path);  /* gone from the namespace at once: nothing is left behind */
	if (ftruncate(*fd, (off_t)size)) {
		log_error("--size: the filesystem of %s cannot hold a sparse file of %llu bytes: %s",
			  dir, (unsigned long long)size, strerror(errno));
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * Why the automatic stack cannot be built here, into why; false when it
 * can. The cheap checks come first: on a kernel without device-mapper
 * this costs an access() and a read of /proc/misc, no fork.
 */
static bool auto_obstacle(struct session_dm *dm, const char *type, char *why, size_t len)
{
	unsigned v[3];
	char hint[128];
	int rc;

	if (geteuid() != 0) {
		snprintf(why, len, "not running as root, so no %s device", type);
		return true;
	}
	if (dmw_available(&dm->stack.d) != DMW_OK) {
		snprintf(why, len, "this kernel has no device-mapper (modprobe dm-mod), so no %s "
			 "device", type);
		return true;
	}
	if (access("/dev/loop-control", F_OK)) {
		snprintf(why, len, "no loop devices for the %s device (modprobe loop)", type);
		return true;
	}
	rc = dmw_target_version(&dm->stack.d, type, &v[0], &v[1], &v[2]);
	if (rc == DMW_ERR_NOENT) {
		dmw_target_hint(type, hint, sizeof(hint));
		snprintf(why, len, "no %s target loaded (%s)", type, hint);
		return true;
	}
	if (rc) {
		snprintf(why, len, "%s", dm->stack.d.err);
		return true;
	}
	return false;
}

/* Two scratch files: main of --size, the spare by the module's rule (1 MiB steps). */
static int build_auto(struct session *s, struct session_dm *dm, const char *type,
		      const char *name)
{
	const struct run_opts *ro = s->ro;
	const char *dir = ro->scratch_dir;
	uint64_t main_bytes = ro->size & ~((1ULL << 20) - 1), spare_bytes = 0;
	bool remap = strcmp(type, DMSTACK_REMAP_TYPE) == 0;
	char how[96];
	int rc, i;

	if (!dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	if (remap) {
		spare_bytes = dmstack_min_spare(main_bytes / 512, 512, how, sizeof(how)) * 512;
		spare_bytes = (spare_bytes + (1ULL << 20) - 1) & ~((1ULL << 20) - 1);
	}
	dm->automatic = true;
	rc = scratch_file(dir, "main", main_bytes, &dm->scratch_fd[SCRATCH_MAIN],
			  dm->scratch_path[SCRATCH_MAIN], sizeof(dm->scratch_path[0]));
	if (!rc && remap)
		rc = scratch_file(dir, "spare", spare_bytes, &dm->scratch_fd[SCRATCH_SPARE],
				  dm->scratch_path[SCRATCH_SPARE], sizeof(dm->scratch_path[0]));
	if (!rc)
		rc = dmstack_build(&dm->stack, &(struct dmstack_spec){
			.main = dm->scratch_path[SCRATCH_MAIN],
			.main_fd = dm->scratch_fd[SCRATCH_MAIN],
			.spare = remap ? dm->scratch_path[SCRATCH_SPARE] : NULL,
			.spare_fd = dm->scratch_fd[SCRATCH_SPARE],
			.type = type, .name = name, .name_opt = "--dm-name",
			.force = true, .quiet_geometry = true,
		});
	/* The loop devices hold the files now (or nothing does, after a failure). */
	for (i = 0; i < 2; i++)
		if (dm->scratch_fd[i] >= 0) {
			close(dm->scratch_fd[i]);
			dm->scratch_fd[i] = -1;
		}
	if (rc)
		log_error("the automatic %s device could not be built (--no-dm runs on a "
			  "plain scratch file)", type);
	return rc;
}

static char *read_lines(struct session_dm *dm, bool status)
{
	struct dmw_table t;
	char *l;
	int rc = status ? dmw_get_status(&dm->stack.d, dm->name, &t) :
		dmw_get_table(&dm->stack.d, dm->name, &t);

	if (rc) {
		if (!dm->error[0]) {
			snprintf(dm->error, sizeof(dm->error), "%s", dm->stack.d.err);
			log_warn("cannot read the %s of %s: %s", status ? "status" : "table",
				 dm->name, dm->error);
		}
		return NULL;
	}
	l = dmstack_lines(&t);
	dmw_table_free(&t);
	return l;
}

/* The stack is up: what the result records of it. */
static void describe_built(struct session_dm *dm)
{
	const struct dmstack *st = &dm->stack;

	snprintf(dm->name, sizeof(dm->name), "%s", st->name);
	snprintf(dm->uuid, sizeof(dm->uuid), "%s", st->uuid);
	snprintf(dm->type, sizeof(dm->type), "%s", st->type);
	snprintf(dm->version, sizeof(dm->version), "%u.%u.%u", st->version[0], st->version[1],
		 st->version[2]);
	if (asprintf(&dm->table, "0 %llu %s%s%s", (unsigned long long)st->sectors, st->type,
		     st->params[0] ? " " : "", st->params) < 0)
		dm->table = NULL;
}

int sdm_prepare(struct session *s, struct target_request *req, char *skipped, size_t len)
{
	const struct run_opts *ro = s->ro;
	const char *type = ro->dm_type ? ro->dm_type : DMSTACK_REMAP_TYPE;
	char name[PATH_MAX + 16], why[1200];
	struct session_dm *dm;
	int rc;

	skipped[0] = '\0';
	if (ro->target || ro->no_dm || (ro->verify_only && !ro->dm_main))
		return 0;
	dm = sdm_alloc(s);
	if (!dm)
		return EXIT_RUNTIME;
	stack_name(ro, name, sizeof(name));
	if (ro->dm_main) {
		rc = dmstack_build(&dm->stack, &(struct dmstack_spec){
			.main = ro->dm_main, .spare = ro->dm_spare, .main_fd = -1, .spare_fd = -1,
			.type = type, .name = name, .name_opt = "--dm-name", .force = ro->force,
			.main_read_only = !req->write,
		});
	} else if (auto_obstacle(dm, type, why, sizeof(why))) {
		/* Asked for a stack in so many words: no quiet fallback. */
		if (ro->dm_type || ro->compare_linear) {
			log_error("%s: cannot build a %s device over scratch files: %s",
				  ro->dm_type ? "--target-type" : "--compare-linear", type, why);
			return EXIT_USAGE;
		}
		/* Said by session_open once the scratch file is open: one line per failure. */
		snprintf(skipped, len, "%s", why);
		return sdm_close(s);
	} else {
		rc = build_auto(s, dm, type, name);
	}
	if (rc)
		return rc;
	dm->built = true;
	describe_built(dm);
	if (is_remap(dm))
		dm->module_params = dmstack_module_params_json(&dm->demo_mode);
	req->path = dm->stack.info.devnode;
	if (dm->automatic)
		req->force = true;  /* two fresh sparse files */
	return 0;
}

/* An existing dm device as --target: looked at, never changed. */
static void adopt_existing(struct session *s)
{
	struct session_dm *dm = sdm_alloc(s);
	struct dmw_table t;
	struct dmw_info info;

	if (!dm)
		return;
	snprintf(dm->name, sizeof(dm->name), "%s", s->target.dm_name);
	if (dmw_info(&dm->stack.d, dm->name, &info) == DMW_OK && info.exists)
		snprintf(dm->uuid, sizeof(dm->uuid), "%s", info.uuid);
	if (dmw_get_table(&dm->stack.d, dm->name, &t)) {
		snprintf(dm->error, sizeof(dm->error), "%s", dm->stack.d.err);
		log_warn("cannot read the table of %s: %s", dm->name, dm->error);
		return;
	}
	dm->table = dmstack_lines(&t);
	if (t.n == 1)
		snprintf(dm->type, sizeof(dm->type), "%s", t.seg[0].type);
	dmw_table_free(&t);
	if (is_remap(dm)) {
		unsigned v[3];

		dm->module_params = dmstack_module_params_json(&dm->demo_mode);
		if (dm->demo_mode)
			log_warn("dm_remap is loaded with real_device_mode=N (demo mode): %s does "
				 "no real I/O, and no figure measured on it means anything",
				 dm->name);
		if (dmw_target_version(&dm->stack.d, dm->type, &v[0], &v[1], &v[2]) == DMW_OK)
			snprintf(dm->version, sizeof(dm->version), "%u.%u.%u", v[0], v[1], v[2]);
	}
}

void sdm_opened(struct session *s)
{
	if (!s->dm && s->target.kind == TARGET_DM && s->target.dm_name[0])
		adopt_existing(s);
	if (s->dm && !s->dm->error[0])
		s->dm->status_before = read_lines(s->dm, true);
}

void sdm_after_run(struct session *s)
{
	struct session_dm *dm = s->dm;

	/* Single-threaded again: the status after this engine run. */
	if (!dm || dm->error[0])
		return;
	free(dm->status_after);
	dm->status_after = read_lines(dm, true);
}

int sdm_twin_create(struct session *s, bool *busy, char *devnode, size_t len)
{
	struct session_dm *dm = s->dm;
	struct dmstack *st = &dm->stack;
	struct dmw_table t;
	int rc;

	*busy = false;
	rc = dmstack_linear_create(st, busy);
	if (rc)
		return rc;
	snprintf(dm->linear_name, sizeof(dm->linear_name), "%s", st->linear_name);
	if (!dm->linear_table && dmw_get_table(&st->d, st->linear_name, &t) == DMW_OK) {
		dm->linear_table = dmstack_lines(&t);
		dmw_table_free(&t);
	}
	snprintf(devnode, len, "%s", st->linear_info.devnode);
	return 0;
}

int sdm_twin_remove(struct session *s)
{
	return dmstack_linear_remove(&s->dm->stack);
}

int sdm_target_remove(struct session *s)
{
	struct session_dm *dm = s->dm;
	int rc = dmstack_hold_members(&dm->stack);

	/* dm-remap: a status read since the last errors keeps the removal from hanging. */
	sdm_after_run(s);
	return rc ? rc : dmstack_device_remove(&dm->stack);
}

int sdm_target_create(struct session *s)
{
	struct session_dm *dm = s->dm;
	int rc = dmstack_device_create(&dm->stack);

	if (!rc)
		dm->recreated++;
	return rc;
}

json_t *sdm_target_json(struct session *s)
{
	const struct session_dm *dm = s->dm;
	const struct dmstack *st;
	json_t *j, *delta;

	if (!dm)
		return NULL;
	st = &dm->stack;
	j = json_object();
	json_object_set_new(j, "name", json_string(dm->name));
	json_object_set_new(j, "uuid", dm->uuid[0] ? json_string(dm->uuid) : json_null());
	json_object_set_new(j, "target_type", dm->type[0] ? json_string(dm->type) : json_null());
	if (dm->version[0])
		json_object_set_new(j, "target_version", json_string(dm->version));
	json_object_set_new(j, "table", dm->table ? json_string(dm->table) : json_null());
	json_object_set_new(j, "built_for_run", json_boolean(dm->built));
	if (dm->built) {
		json_object_set_new(j, "automatic", json_boolean(dm->automatic));
		json_object_set_new(j, "main", json_string(st->main.path));
		json_object_set_new(j, "spare", st->have_spare ? json_string(st->spare.path) :
				    json_null());
		if (st->main.looped)
			json_object_set_new(j, "main_file", json_string(st->main.given));
		if (st->have_spare && st->spare.looped)
			json_object_set_new(j, "spare_file", json_string(st->spare.given));
	}
	json_object_set_new(j, "status_before", dmstack_status_json(dm->type, dm->status_before));
	json_object_set_new(j, "status_after", dmstack_status_json(dm->type, dm->status_after));
	delta = dmstack_status_delta_json(dm->type, dm->status_before, dm->status_after);
	json_object_set_new(j, "status_delta", delta ? delta : json_null());
	if (is_remap(dm)) {
		json_object_set_new(j, "module_params", dm->module_params ?
				    json_incref(dm->module_params) : json_object());
		json_object_set_new(j, "demo_mode", json_boolean(dm->demo_mode));
	}
	if (dm->linear_name[0])
		json_object_set_new(j, "linear", json_pack("{s:s, s:s?}", "name", dm->linear_name,
							   "table", dm->linear_table));
	if (dm->recreated)
		/* Each creation starts the module's counters afresh: the delta is the last one's. */
		json_object_set_new(j, "recreated", json_integer(dm->recreated));
	if (dm->error[0])
		json_object_set_new(j, "error", json_string(dm->error));
	return j;
}

void sdm_describe(const struct session *s, char *buf, size_t len)
{
	const struct session_dm *dm = s->dm;
	const struct dmstack *st;

	buf[0] = '\0';
	if (!dm || !dm->type[0])
		return;
	st = &dm->stack;
	if (!dm->built) {
		snprintf(buf, len, ", table %s", dm->type);
		return;
	}
	snprintf(buf, len, "; %s over %s%s%s%s%s, removed at exit", dm->type,
		 dm->automatic ? "scratch files on " : "", st->main.path,
		 st->have_spare ? " (spare " : "", st->have_spare ? st->spare.path : "",
		 st->have_spare ? ")" : "");
}

int sdm_close(struct session *s)
{
	struct session_dm *dm = s->dm;
	int rc = 0, i;

	if (!dm)
		return 0;
	if (dm->built)
		rc = dmstack_teardown(&dm->stack);
	dmstack_close(&dm->stack);
	for (i = 0; i < 2; i++)
		if (dm->scratch_fd[i] >= 0)
			close(dm->scratch_fd[i]);
	free(dm->table);
	free(dm->status_before);
	free(dm->status_after);
	free(dm->linear_table);
	json_decref(dm->module_params);
	free(dm);
	s->dm = NULL;
	return rc;
}
