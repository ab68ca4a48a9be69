/*
 * setup: create one device-mapper device over a main and a spare device,
 * dm-remap-v4 by default, after checking everything the target would
 * otherwise reject (or worse, accept) in the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/options.h"
#include "cmd/commands.h"
#include "dm/dm.h"
#include "target/loop.h"
#include "target/safety.h"
#include "util/log.h"
#include "util/timeutil.h"

#define REMAP_TYPE "dm-remap-v4"
#define REMAP_MIN_MAIN_SECTORS 2048

struct member {
	const char *opt;          /* "--main" */
	const char *given;
	char path[PATH_MAX];      /* what goes into the table */
	dev_t rdev;
	uint64_t sectors;         /* 512-byte sectors */
	uint32_t lbs;
	int loop_fd;              /* a loop device attached for a regular file, else -1 */
	struct loop_dev loop;
};

/* A regular file gets a loop device (direct I/O, detached with its last user). */
static int attach_file(struct member *m, const char *dmname, const char *role)
{
	char label[160], err[512];

	snprintf(label, sizeof(label), "%s:%s", dmname, role);
	if (loop_attach(m->given, -1, label, LOOP_ATTACH_DIRECT_IO | LOOP_ATTACH_AUTOCLEAR,
			0, &m->loop, &m->loop_fd, err, sizeof(err))) {
		log_error("%s: %s", m->opt, err);
		return errno == EACCES || errno == EPERM ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (!m->loop.direct_io)
		log_warn("%s: %s runs without direct I/O (the filesystem of %s does not allow "
			 "it); its figures include the page cache", m->opt, m->loop.path, m->given);
	snprintf(m->path, sizeof(m->path), "%s", m->loop.path);
	return 0;
}

/* Not mounted, not held, not open exclusively; then its geometry. */
static int check_member(struct member *m)
{
	char what[PATH_MAX + 64];
	struct stat st;
	uint64_t bytes = 0;
	int fd, lbs = 0;

	if (stat(m->path, &st) || !S_ISBLK(st.st_mode)) {
		log_error("%s: %s is not a block device", m->opt, m->path);
		return EXIT_USAGE;
	}
	m->rdev = st.st_rdev;
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

static int resolve_member(struct member *m, const char *dmname, const char *role)
{
	struct stat st;

	if (stat(m->given, &st)) {
		log_error("%s: cannot access %s: %s", m->opt, m->given, strerror(errno));
		return EXIT_USAGE;
	}
	if (S_ISREG(st.st_mode)) {
		int rc = attach_file(m, dmname, role);

		if (rc)
			return rc;
	} else if (S_ISBLK(st.st_mode)) {
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

static void release_member(struct member *m, bool created)
{
	char err[256];

	if (m->loop_fd < 0)
		return;
	close(m->loop_fd);  /* autoclear: the dm device, if any, now holds it */
	m->loop_fd = -1;
	if (!created && !m->loop.autoclear && loop_detach(m->loop.path, err, sizeof(err)))
		log_warn("%s", err);
}

/*
 * The spare the module accepts, in sectors: with strict_spare_sizing, main
 * plus 5%; else metadata (4 KiB + 1 sector), the expected bad sectors
 * (spare_overhead_percent of main, at most 20), 64 bytes of mapping per bad
 * sector (+1 sector), and 20% on top: about 2.7% of main + 12 by default.
 */
static uint64_t remap_min_spare(uint64_t main_sectors, uint32_t lbs, char *how, size_t len)
{
	char val[32];
	unsigned pct = 2;
	uint64_t meta, bad, map, base;

	if (dmw_module_param("dm_remap", "strict_spare_sizing", val, sizeof(val)) == 0 &&
	    (val[0] == 'Y' || val[0] == '1')) {
		snprintf(how, len, "strict_spare_sizing=Y: main + 5%%");
		return main_sectors + main_sectors / 20;
	}
	if (dmw_module_param("dm_remap", "spare_overhead_percent", val, sizeof(val)) == 0)
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

/* Geometry rules: refusals for dm-remap-v4, warnings for other targets. */
static int check_geometry(const char *type, const struct member *main_m,
			  const struct member *spare_m)
{
	bool remap = strcmp(type, REMAP_TYPE) == 0;
	void (*say)(const char *, ...) = remap ? log_error : log_warn;
	const char *tail = remap ? "" : " (dm-remap-v4 would refuse this)";
	char how[96];
	uint64_t min;

	if (main_m->sectors < REMAP_MIN_MAIN_SECTORS) {
		say("--main: %s has %llu sectors, fewer than %d%s", main_m->path,
		    (unsigned long long)main_m->sectors, REMAP_MIN_MAIN_SECTORS, tail);
		if (remap)
			return EXIT_USAGE;
	}
	if (!spare_m)
		return 0;
	if (main_m->lbs != spare_m->lbs) {
		say("--spare: the logical block size of %s (%u) differs from that of %s (%u)%s",
		    spare_m->path, spare_m->lbs, main_m->path, main_m->lbs, tail);
		if (remap)
			return EXIT_USAGE;
	}
	min = remap_min_spare(main_m->sectors, main_m->lbs, how, sizeof(how));
	if (spare_m->sectors < min) {
		say("--spare: %s has %llu sectors; the module needs at least %llu for a main "
		    "device of %llu (%s)%s", spare_m->path, (unsigned long long)spare_m->sectors,
		    (unsigned long long)min, (unsigned long long)main_m->sectors, how, tail);
		if (remap)
			return EXIT_USAGE;
	}
	return 0;
}

/* The target's parameters: --params, or those of the types dmremap-bench knows. */
static const char *table_params(const char *type, const char *given, const struct member *main_m,
				const struct member *spare_m, char *buf, size_t len)
{
	if (given)
		return given;
	if (strcmp(type, REMAP_TYPE) == 0)
		snprintf(buf, len, "%s %s", main_m->path, spare_m->path);
	else if (strcmp(type, "linear") == 0)
		snprintf(buf, len, "%s 0", main_m->path);
	else
		buf[0] = '\0';  /* error, zero */
	return buf;
}

/* The kernel side: is device-mapper there, is the target loaded, is the name free. */
static int check_kernel(struct dmw *d, const char *type, const char *name)
{
	unsigned v[3];
	struct dmw_info info;
	char val[16];
	int rc;

	rc = dmw_target_version(d, type, &v[0], &v[1], &v[2]);
	if (rc) {
		log_error("%s", d->err);
		return rc == DMW_ERR_NOENT || rc == DMW_ERR_NODM || rc == DMW_ERR_PERM ?
			EXIT_USAGE : EXIT_RUNTIME;
	}
	if (strcmp(type, REMAP_TYPE) == 0 &&
	    dmw_module_param("dm_remap", "real_device_mode", val, sizeof(val)) == 0 &&
	    (val[0] == 'N' || val[0] == '0'))
		log_warn("dm_remap is loaded with real_device_mode=N (demo mode): the device "
			 "does no real I/O, and no figure measured on it means anything");
	rc = dmw_info(d, name, &info);
	if (rc) {
		log_error("%s", d->err);
		return EXIT_RUNTIME;
	}
	if (info.exists) {
		log_error("--name: a device-mapper device named %s already exists (remove it "
			  "with 'dmremap-bench teardown %s')", name, name);
		return EXIT_USAGE;
	}
	return 0;
}

static int create_device(struct dmw *d, const char *name, const char *type, const char *params,
			 const struct member *main_m)
{
	struct dmw_segment seg = { .start = 0, .len = main_m->sectors, .type = type,
				   .params = params };
	char uuid[DMW_UUID_MAX + 1];
	struct dmw_info info;
	int rc;

	dmw_uuid_for(name, uuid, sizeof(uuid));
	rc = dmw_create(d, name, uuid, &seg, 1, &info);
	if (rc) {
		log_error("%s", d->err);
		return rc == DMW_ERR_EXIST ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (access(info.devnode, F_OK))
		log_warn("%s was created but %s did not appear (udev?)", name, info.devnode);
	printf("%s\n", info.devnode);
	log_info("created %s (%s, %u:%u): %s, %llu sectors, table '0 %llu %s %s'", name,
		 info.sysname, info.major, info.minor, type,
		 (unsigned long long)main_m->sectors, (unsigned long long)main_m->sectors,
		 type, params);
	return 0;
}

struct setup_args {
	const char *main_dev, *spare_dev, *name_opt, *params, *type;
	uint64_t timeout_ns;
	bool force;
	char name[DMW_NAME_MAX + 8];  /* with the prefix */
};

/* Target types whose table dmremap-bench writes without --params. */
static bool known_params(const char *type)
{
	return !strcmp(type, REMAP_TYPE) || !strcmp(type, "linear") ||
	       !strcmp(type, "error") || !strcmp(type, "zero");
}

/* Options and their checks, no I/O: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct setup_args *a)
{
	static const struct opt_usage usage = {
		.command = "setup",
		.synopsis = "--main DEV --spare DEV [--name NAME] [--target-type TYPE] [options]",
		.summary = "Create a device-mapper device (dm-remap-v4 by default) over a main and a\n"
			   "spare device, in one create+load+resume step, and print its path.",
	};
	int npos = 0, rc;

	memset(a, 0, sizeof(*a));
	a->type = REMAP_TYPE;
	a->timeout_ns = DMW_DEFAULT_TIMEOUT_MS * NSEC_PER_MSEC;
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Devices" },
			{ .type = OPT_STRING, .name = "main", .value = &a->main_dev, .argh = "DEV",
			  .help = "the device to map: a block device, or a file (gets a loop device)" },
			{ .type = OPT_STRING, .name = "spare", .value = &a->spare_dev, .argh = "DEV",
			  .help = "the spare device dm-remap writes metadata and remaps to" },
			{ .type = OPT_STRING, .name = "name", .value = &a->name_opt, .argh = "NAME",
			  .help = "device name; '" DMW_NAME_PREFIX "' is added (default dmrb-<main>)" },
			{ .type = OPT_STRING, .name = "target-type", .value = &a->type, .argh = "TYPE",
			  .help = "dm target: dm-remap-v4 (default), linear, error, zero, or any "
				  "with --params" },
			{ .type = OPT_STRING, .name = "params", .value = &a->params,
			  .argh = "STRING", .help = "the target's table parameters, verbatim" },
			{ .type = OPT_BOOL, .name = "force", .value = &a->force,
			  .help = "use a spare that carries a filesystem or partition signature" },
			{ .type = OPT_DURATION, .name = "timeout", .value = &a->timeout_ns, .argh = "T",
			  .min = NSEC_PER_SEC, .max = 3600 * NSEC_PER_SEC,
			  .help = "give up on a device-mapper call after T (default 10s)" },
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, NULL, 0, &npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	if (!a->main_dev) {
		log_error("--main: missing (the device to map)");
		return EXIT_USAGE;
	}
	if (!a->spare_dev && !strcmp(a->type, REMAP_TYPE)) {
		log_error("--spare: missing (dm-remap-v4 needs a spare device)");
		return EXIT_USAGE;
	}
	if (!a->params && !known_params(a->type)) {
		log_error("--target-type: give the table parameters of %s with --params "
			  "(dmremap-bench knows those of dm-remap-v4, linear, error and zero)",
			  a->type);
		return EXIT_USAGE;
	}
	if (!a->name_opt) {
		const char *base = strrchr(a->main_dev, '/');

		a->name_opt = base ? base + 1 : a->main_dev;
	}
	if (dmw_make_name(a->name_opt, a->name, sizeof(a->name))) {
		log_error("--name: %s", a->name);
		return EXIT_USAGE;
	}
	return PARSE_CONTINUE;
}

int parse_setup(int argc, char **argv)
{
	struct setup_args a;
	int rc = parse(argc, argv, &a);

	return rc == PARSE_CONTINUE ? EXIT_OK : rc;
}

/* Members resolved: the checks that need both, then the device. */
static int setup_device(struct dmw *d, const struct setup_args *a, struct member *mm,
			struct member *sm)
{
	bool have_spare = a->spare_dev != NULL;
	char pbuf[2 * PATH_MAX + 8], why[1024];
	int rc;

	if (have_spare && mm->rdev == sm->rdev) {
		log_error("--spare: %s is the main device too", sm->path);
		return EXIT_USAGE;
	}
	if (have_spare && !a->force && safety_has_signature(sm->path, why, sizeof(why))) {
		log_error("--spare: %s carries %s%s (pass --force to use it anyway)", sm->path,
			  why, strcmp(a->type, REMAP_TYPE) ? "" :
			  "; dm-remap writes its metadata over it");
		return EXIT_USAGE;
	}
	rc = check_geometry(a->type, mm, have_spare ? sm : NULL);
	if (rc)
		return rc;
	return create_device(d, a->name, a->type,
			     table_params(a->type, a->params, mm, sm, pbuf, sizeof(pbuf)), mm);
}

int cmd_setup(int argc, char **argv)
{
	struct member mm = { .opt = "--main", .loop_fd = -1 };
	struct member sm = { .opt = "--spare", .loop_fd = -1 };
	struct setup_args a;
	struct dmw d;
	int rc = parse(argc, argv, &a);

	if (rc != PARSE_CONTINUE)
		return rc;
	if (geteuid() != 0) {
		log_error("setup needs root (it creates device-mapper devices)");
		return EXIT_USAGE;
	}
	dmw_init(&d);
	d.timeout_ms = d.remove_timeout_ms = (unsigned)(a.timeout_ns / NSEC_PER_MSEC);
	rc = check_kernel(&d, a.type, a.name);
	mm.given = a.main_dev;
	sm.given = a.spare_dev;
	if (!rc)
		rc = resolve_member(&mm, a.name, "main");
	if (!rc && a.spare_dev)
		rc = resolve_member(&sm, a.name, "spare");
	if (!rc)
		rc = setup_device(&d, &a, &mm, &sm);
	release_member(&mm, rc == 0);
	release_member(&sm, rc == 0);
	dmw_close(&d);
	return rc;
}
