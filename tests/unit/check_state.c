/*
 * dm/state.h without device-mapper: the record format, the files in the
 * state directory, and what is stuck, found in a fake sysfs and /proc
 * built under a temporary directory (the roots are parameters).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "dm/deadline.h"
#include "dm/state.h"

static char base[PATH_MAX];   /* the test's temporary tree */
static char dir[PATH_MAX + 16];   /* base/state: the state directory */
static char sys_[PATH_MAX + 16];  /* base/sys */
static char proc_[PATH_MAX + 16]; /* base/proc */
static struct dmstate_roots roots;

/* Write a file, making its directories; text NULL makes a directory. */
static void put(const char *text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(const char *text, const char *fmt, ...)
{
	char rel[PATH_MAX], path[PATH_MAX * 2], *p;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	for (p = path + strlen(base) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if (!text) {
		mkdir(path, 0755);
		return;
	}
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static bool exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static bool exists(const char *fmt, ...)
{
	char rel[PATH_MAX], path[PATH_MAX * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	return access(path, F_OK) == 0;
}

static void setup(void)
{
	snprintf(base, sizeof(base), "%s/check_state.XXXXXX", getenv("TMPDIR") ?
		 getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/state", base);
	snprintf(sys_, sizeof(sys_), "%s/sys", base);
	snprintf(proc_, sizeof(proc_), "%s/proc", base);
	put(NULL, "sys/block");
	put("boot-1\n", "proc/sys/kernel/random/boot_id");
	roots = (struct dmstate_roots){ .dir = dir, .sys = sys_, .proc = proc_ };
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
	unsetenv(DMSTATE_DIR_ENV);
}

/* A dm record as a hung removal leaves it. */
static void hung_rec(struct dmstate_rec *r, const char *name, unsigned minor)
{
	memset(r, 0, sizeof(*r));
	r->kind = DMSTATE_DM;
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->uuid, sizeof(r->uuid), "DMRB-%s", name);
	snprintf(r->path, sizeof(r->path), "/dev/mapper/%s", name);
	snprintf(r->sysname, sizeof(r->sysname), "dm-%u", minor);
	r->major = 254;
	r->minor = minor;
	snprintf(r->type, sizeof(r->type), "delay");
	snprintf(r->boot_id, sizeof(r->boot_id), "boot-1");
	snprintf(r->created, sizeof(r->created), "2026-11-24T15:49:50Z");
	r->created_unix = 1795535390;
	r->creator_pid = 120;
	r->nmembers = 2;
	r->members[0] = (struct dmstate_blk){ "dm-0", 254, 0 };
	r->members[1] = (struct dmstate_blk){ "ram0", 1, 0 };
	r->hung = true;
	snprintf(r->since, sizeof(r->since), "2026-11-24T15:49:54Z");
	r->since_unix = 1795535394;
	r->pid = 177;
	r->pid_start = 4242;
	snprintf(r->what, sizeof(r->what), "pid 177, state D (uninterruptible)");
	r->timeout_ms = 1000;
	r->nholds = 1;
	r->holds[0] = (struct dmstate_blk){ "ram0", 1, 0 };
}

/* ---- the format ----------------------------------------------------------------- */

START_TEST(record_roundtrip)
{
	struct dmstate_rec a, b;
	char err[256];
	json_t *j;

	hung_rec(&a, "dmrb-hang", 1);
	j = dmstate_rec_json(&a);
	ck_assert_str_eq(json_string_value(json_object_get(j, "format")), DMSTATE_FORMAT);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "hung");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "hung"), "pid")),
			 177);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(
		json_object_get(j, "hung"), "holds"), 0), "dev")), "1:0");
	ck_assert_msg(dmstate_rec_parse(j, &b, err, sizeof(err)) == 0, "%s", err);
	json_decref(j);
	ck_assert_int_eq(b.kind, DMSTATE_DM);
	ck_assert_str_eq(b.name, "dmrb-hang");
	ck_assert_str_eq(b.uuid, "DMRB-dmrb-hang");
	ck_assert_str_eq(b.sysname, "dm-1");
	ck_assert_uint_eq(b.major, 254);
	ck_assert_uint_eq(b.minor, 1);
	ck_assert_str_eq(b.type, "delay");
	ck_assert_str_eq(b.boot_id, "boot-1");
	ck_assert_int_eq(b.created_unix, 1795535390);
	ck_assert_int_eq(b.creator_pid, 120);
	ck_assert_uint_eq(b.nmembers, 2);
	ck_assert_str_eq(b.members[1].name, "ram0");
	ck_assert_uint_eq(b.members[0].major, 254);
	ck_assert(b.hung);
	ck_assert_str_eq(b.since, "2026-11-24T15:49:54Z");
	ck_assert_int_eq(b.since_unix, 1795535394);
	ck_assert_int_eq(b.pid, 177);
	ck_assert_uint_eq(b.pid_start, 4242);
	ck_assert_uint_eq(b.timeout_ms, 1000);
	ck_assert_str_eq(b.what, "pid 177, state D (uninterruptible)");
	ck_assert_uint_eq(b.nholds, 1);
	ck_assert_str_eq(b.holds[0].name, "ram0");
	ck_assert_uint_eq(b.holds[0].minor, 0);

	/* A loop record, active. */
	memset(&a, 0, sizeof(a));
	a.kind = DMSTATE_LOOP;
	snprintf(a.name, sizeof(a.name), "loop3");
	snprintf(a.sysname, sizeof(a.sysname), "loop3");
	snprintf(a.backing, sizeof(a.backing), "/tmp/main.img (deleted)");
	snprintf(a.under, sizeof(a.under), "dmrb-x");
	a.major = 7;
	a.minor = 3;
	j = dmstate_rec_json(&a);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "active");
	ck_assert_ptr_null(json_object_get(j, "hung"));
	ck_assert_int_eq(dmstate_rec_parse(j, &b, err, sizeof(err)), 0);
	json_decref(j);
	ck_assert_int_eq(b.kind, DMSTATE_LOOP);
	ck_assert_str_eq(b.backing, "/tmp/main.img (deleted)");
	ck_assert_str_eq(b.under, "dmrb-x");
	ck_assert(!b.hung);
}
END_TEST

/* Each broken record is refused with a reason, never half-read. */
START_TEST(record_rejects)
{
	static const struct {
		const char *json, *why;
	} bad[] = {
		{ "[]", "not a JSON object" },
		{ "{\"format\":\"other\"}", "format" },
		{ "{\"format\":\"" DMSTATE_FORMAT "\",\"kind\":\"disk\"}", "kind" },
		{ "{\"format\":\"" DMSTATE_FORMAT "\",\"kind\":\"dm\",\"name\":\"a/b\"}", "name" },
		{ "{\"format\":\"" DMSTATE_FORMAT "\",\"kind\":\"dm\",\"name\":\"\"}", "name" },
		{ "{\"format\":\"" DMSTATE_FORMAT "\",\"kind\":\"dm\",\"name\":\"..\"}", "name" },
		{ "{\"format\":\"" DMSTATE_FORMAT "\",\"kind\":\"dm\",\"name\":\"x\","
		  "\"major\":\"254\",\"minor\":1,\"state\":\"active\"}", "major" },
		{ "{\"format\":\"" DMSTATE_FORMAT "\",\"kind\":\"dm\",\"name\":\"x\","
		  "\"major\":254,\"state\":\"active\"}", "minor" },
		{ "{\"format\":\"" DMSTATE_FORMAT "\",\"kind\":\"dm\",\"name\":\"x\","
		  "\"major\":254,\"minor\":1,\"state\":\"odd\"}", "state" },
		{ "{\"format\":\"" DMSTATE_FORMAT "\",\"kind\":\"dm\",\"name\":\"x\","
		  "\"major\":254,\"minor\":1,\"state\":\"hung\"}", "no hung object" },
		{ "{\"format\":\"" DMSTATE_FORMAT "\",\"kind\":\"dm\",\"name\":\"x\","
		  "\"major\":254,\"minor\":1,\"state\":\"active\","
		  "\"members\":[{\"name\":\"ram0\",\"dev\":\"one\"}]}", "members" },
		{ "{\"format\":\"" DMSTATE_FORMAT "\",\"kind\":\"dm\",\"name\":\"x\","
		  "\"major\":254,\"minor\":1,\"state\":\"hung\",\"hung\":{\"pid\":-4}}", "hung" },
		{ "{\"format\":\"" DMSTATE_FORMAT "\",\"kind\":\"dm\",\"name\":\"x\","
		  "\"major\":254,\"minor\":1,\"uuid\":7,\"state\":\"active\"}", "string" },
	};
	struct dmstate_rec r;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = json_loads(bad[i].json, 0, NULL);

		ck_assert_msg(j != NULL, "row %zu is not JSON", i);
		err[0] = '\0';
		ck_assert_msg(dmstate_rec_parse(j, &r, err, sizeof(err)) == -1, "row %zu parsed",
			      i);
		ck_assert_msg(strstr(err, bad[i].why), "row %zu: '%s' lacks '%s'", i, err,
			      bad[i].why);
		json_decref(j);
	}
}
END_TEST

START_TEST(dir_from_env)
{
	char err[256] = "";

	unsetenv(DMSTATE_DIR_ENV);
	ck_assert_str_eq(dmstate_dir(err, sizeof(err)), "/run/dmremap-bench");
	setenv(DMSTATE_DIR_ENV, "", 1);
	ck_assert_str_eq(dmstate_dir(err, sizeof(err)), "/run/dmremap-bench");
	setenv(DMSTATE_DIR_ENV, "/srv/x", 1);
	ck_assert_str_eq(dmstate_dir(err, sizeof(err)), "/srv/x");
	setenv(DMSTATE_DIR_ENV, "rel/dir", 1);
	ck_assert_ptr_null(dmstate_dir(err, sizeof(err)));
	ck_assert_msg(strstr(err, "DMREMAP_BENCH_RUN_DIR") && strstr(err, "'rel/dir'") &&
		      strstr(err, "absolute"), "%s", err);
}
END_TEST

/* ---- the files ---------------------------------------------------------------- */

static int count_entries(const char *d)
{
	char cmd[PATH_MAX + 32];
	FILE *f;
	int n = 0, c;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", d);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	c = fscanf(f, "%d", &n);
	pclose(f);
	ck_assert_int_eq(c, 1);
	return n;
}

START_TEST(save_load_delete)
{
	struct dmstate_rec a, b, *all;
	char err[256], path[PATH_MAX * 2];
	struct stat st;
	size_t n;

	hung_rec(&a, "dmrb-x", 3);
	a.hung = false;
	ck_assert_msg(dmstate_save(dir, &a, err, sizeof(err)) == 0, "%s", err);
	/* The directory is made, the file named after the device, nothing else left. */
	snprintf(path, sizeof(path), "%s/dm-dmrb-x.json", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(count_entries(dir), 1);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0755);

	ck_assert_int_eq(dmstate_load(dir, DMSTATE_DM, "dmrb-x", &b, err, sizeof(err)), 0);
	ck_assert_str_eq(b.name, "dmrb-x");
	ck_assert(!b.hung);
	/* Replaced in place: hung now. */
	a.hung = true;
	ck_assert_int_eq(dmstate_save(dir, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(count_entries(dir), 1);
	ck_assert_int_eq(dmstate_load(dir, DMSTATE_DM, "dmrb-x", &b, err, sizeof(err)), 0);
	ck_assert(b.hung);
	ck_assert_int_eq(b.pid, 177);

	memset(&a, 0, sizeof(a));
	a.kind = DMSTATE_LOOP;
	snprintf(a.name, sizeof(a.name), "loop3");
	ck_assert_int_eq(dmstate_save(dir, &a, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/loop-loop3.json", dir);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(dmstate_load_all(dir, &all, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	free(all);

	ck_assert_int_eq(dmstate_delete(dir, DMSTATE_DM, "dmrb-x"), 0);
	errno = 0;
	ck_assert_int_eq(dmstate_load(dir, DMSTATE_DM, "dmrb-x", &b, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(dmstate_delete(dir, DMSTATE_DM, "dmrb-x"), 0);  /* twice: fine */
	ck_assert_int_eq(count_entries(dir), 1);

	/* A name that could leave the directory is no record's name. */
	snprintf(a.name, sizeof(a.name), "../evil");
	a.kind = DMSTATE_DM;
	ck_assert_int_eq(dmstate_save(dir, &a, err, sizeof(err)), -1);
	ck_assert_int_eq(count_entries(base), 3);  /* state, sys, proc, nothing else */

	/* No directory: no records, not an error. */
	snprintf(path, sizeof(path), "%s/none", base);
	ck_assert_int_eq(dmstate_load_all(path, &all, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	free(all);
}
END_TEST

START_TEST(save_refuses_unsafe_dirs)
{
	char link[PATH_MAX * 2], other[PATH_MAX * 2], err[256];
	struct dmstate_rec a;

	hung_rec(&a, "dmrb-x", 3);
	/* A symlink put where the directory should be. */
	snprintf(other, sizeof(other), "%s/elsewhere", base);
	ck_assert_int_eq(mkdir(other, 0755), 0);
	snprintf(link, sizeof(link), "%s/linked", base);
	ck_assert_int_eq(symlink(other, link), 0);
	ck_assert_int_eq(dmstate_save(link, &a, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "symlink"), "%s", err);
	ck_assert_int_eq(count_entries(other), 0);
	/* A directory others can write to. */
	ck_assert_int_eq(chmod(other, 0777), 0);
	ck_assert_int_eq(dmstate_save(other, &a, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "only it can write"), "%s", err);
	ck_assert_int_eq(count_entries(other), 0);
	/* A file. */
	put("x", "afile");
	snprintf(other, sizeof(other), "%s/afile", base);
	ck_assert_int_eq(dmstate_save(other, &a, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a directory"), "%s", err);
}
END_TEST

START_TEST(load_all_skips_junk)
{
	struct dmstate_rec a, *all;
	struct timeval old[2] = { { 1000, 0 }, { 1000, 0 } };
	char err[256], path[PATH_MAX * 2];
	size_t n;

	hung_rec(&a, "dmrb-ok", 3);
	ck_assert_int_eq(dmstate_save(dir, &a, err, sizeof(err)), 0);
	put("{ not json", "state/dm-dmrb-bad.json");
	put("{}", "state/loop-loop9.json");
	put("notes", "state/README");
	put("{}", "state/.dm-dmrb-ok.json.99.0.tmp");
	put("{}", "state/.dm-dmrb-ok.json.98.0.tmp");
	snprintf(path, sizeof(path), "%s/.dm-dmrb-ok.json.98.0.tmp", dir);
	ck_assert_int_eq(utimes(path, old), 0);
	ck_assert_int_eq(dmstate_load_all(dir, &all, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(all[0].name, "dmrb-ok");
	free(all);
	/* A temporary file a dead writer left long ago is deleted; a fresh one is not. */
	ck_assert(!exists("state/.dm-dmrb-ok.json.98.0.tmp"));
	ck_assert(exists("state/.dm-dmrb-ok.json.99.0.tmp"));
	ck_assert(exists("state/dm-dmrb-bad.json"));  /* unreadable: left alone */
}
END_TEST

/* ---- sysfs and /proc ------------------------------------------------------------- */

/* A dm device in the fake sysfs; name NULL: dm/name missing (unreadable). */
static void fake_dm(unsigned minor, const char *name, const char *slave, unsigned smaj,
		    unsigned smin)
{
	char dev[32];

	snprintf(dev, sizeof(dev), "254:%u\n", minor);
	put(dev, "sys/block/dm-%u/dev", minor);
	put(NULL, "sys/block/dm-%u/slaves", minor);
	if (name)
		put(name, "sys/block/dm-%u/dm/name", minor);
	else
		put(NULL, "sys/block/dm-%u/dm", minor);
	if (slave) {
		snprintf(dev, sizeof(dev), "%u:%u\n", smaj, smin);
		put(dev, "sys/block/dm-%u/slaves/%s/dev", minor, slave);
	}
}

START_TEST(probe_devices)
{
	struct dmstate_rec r;

	hung_rec(&r, "dmrb-x", 1);
	ck_assert_int_eq(dmstate_probe(&roots, &r), DMSTATE_GONE);   /* no dm-1 */
	fake_dm(1, "dmrb-x\n", "ram0", 1, 0);
	ck_assert_int_eq(dmstate_probe(&roots, &r), DMSTATE_PRESENT);
	put("other\n", "sys/block/dm-1/dm/name");                      /* minor reused */
	ck_assert_int_eq(dmstate_probe(&roots, &r), DMSTATE_GONE);
	put("", "sys/block/dm-1/dm/name");                             /* empty */
	ck_assert_int_eq(dmstate_probe(&roots, &r), DMSTATE_NAMELESS);
	fake_dm(2, NULL, NULL, 0, 0);                                  /* unreadable */
	hung_rec(&r, "dmrb-y", 2);
	ck_assert_int_eq(dmstate_probe(&roots, &r), DMSTATE_NAMELESS);
	put("254:9\n", "sys/block/dm-2/dev");                          /* other numbers */
	ck_assert_int_eq(dmstate_probe(&roots, &r), DMSTATE_GONE);
	/* Made before the last reboot. */
	hung_rec(&r, "dmrb-x", 1);
	put("boot-2\n", "proc/sys/kernel/random/boot_id");
	ck_assert_int_eq(dmstate_probe(&roots, &r), DMSTATE_GONE);
	put("boot-1\n", "proc/sys/kernel/random/boot_id");

	/* Loop devices: bound to the recorded file or not. */
	memset(&r, 0, sizeof(r));
	r.kind = DMSTATE_LOOP;
	snprintf(r.name, sizeof(r.name), "loop3");
	snprintf(r.sysname, sizeof(r.sysname), "loop3");
	snprintf(r.backing, sizeof(r.backing), "/tmp/a.img");
	r.major = 7;
	r.minor = 3;
	put("7:3\n", "sys/block/loop3/dev");
	ck_assert_int_eq(dmstate_probe(&roots, &r), DMSTATE_GONE);     /* not bound */
	put("/tmp/a.img\n", "sys/block/loop3/loop/backing_file");
	ck_assert_int_eq(dmstate_probe(&roots, &r), DMSTATE_PRESENT);
	put("/tmp/b.img\n", "sys/block/loop3/loop/backing_file");
	ck_assert_int_eq(dmstate_probe(&roots, &r), DMSTATE_GONE);
}
END_TEST

START_TEST(scan_nameless)
{
	struct dmstate_nameless nl[8];
	unsigned listed[] = { 0, 1, 2 };
	size_t n;

	fake_dm(0, "vmt-lower\n", "ram1", 1, 1);   /* named: fine */
	fake_dm(1, "", "ram0", 1, 0);              /* nameless, holds ram0 */
	fake_dm(2, "", NULL, 0, 0);                /* nameless, holds nothing */
	fake_dm(3, "dmrb-z\n", "ram3", 1, 3);      /* named, but not listed */
	fake_dm(4, NULL, "loop2", 7, 2);           /* unreadable name, holds loop2 */
	put("1:0\n", "sys/block/ram0/dev");        /* not a dm device */

	n = dmstate_scan_nameless(sys_, NULL, 0, nl, 8);
	ck_assert_uint_eq(n, 2);
	if (strcmp(nl[0].sysname, "dm-1")) {
		struct dmstate_nameless t = nl[0];

		nl[0] = nl[1];
		nl[1] = t;
	}
	ck_assert_str_eq(nl[0].sysname, "dm-1");
	ck_assert_uint_eq(nl[0].major, 254);
	ck_assert_uint_eq(nl[0].minor, 1);
	ck_assert_uint_eq(nl[0].nslaves, 1);
	ck_assert_str_eq(nl[0].slaves[0].name, "ram0");
	ck_assert_uint_eq(nl[0].slaves[0].major, 1);
	ck_assert_uint_eq(nl[0].slaves[0].minor, 0);
	ck_assert_str_eq(nl[1].sysname, "dm-4");
	ck_assert_str_eq(nl[1].slaves[0].name, "loop2");
	ck_assert_uint_eq(nl[1].slaves[0].major, 7);

	/* Missing from device-mapper's list counts too. */
	n = dmstate_scan_nameless(sys_, listed, 3, nl, 8);
	ck_assert_uint_eq(n, 3);
	/* More than max: counted, not stored past it. */
	ck_assert_uint_eq(dmstate_scan_nameless(sys_, listed, 3, nl, 1), 3);
}
END_TEST

START_TEST(proc_state)
{
	struct deadline_proc p;

	/* comm may hold spaces and parentheses. */
	put("177 (dmremap (x) y) D 1 177 177 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 4242 "
	    "1000 100 18446744073709551615\n", "proc/177/stat");
	put("folio_wait_bit_common\n", "proc/177/wchan");
	ck_assert_int_eq(deadline_proc_read(proc_, 177, &p), 0);
	ck_assert_int_eq(p.state, 'D');
	ck_assert_uint_eq(p.start, 4242);
	ck_assert_str_eq(p.wchan, "folio_wait_bit_common");
	ck_assert_int_eq(deadline_proc_read(proc_, 178, &p), -1);
	ck_assert_int_eq(p.state, 0);
	/* This very process: running, started after boot. */
	ck_assert_int_eq(deadline_proc_read("/proc", getpid(), &p), 0);
	ck_assert_int_eq(p.state, 'R');
	ck_assert_uint_gt(p.start, 0);
}
END_TEST

/* The situation after a hung removal, and records of what went away. */
static void hung_world(void)
{
	struct dmstate_rec r;
	char err[256];

	put("177 (dmremap-bench) D 1 177 177 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 4242 "
	    "1000 100 1\n", "proc/177/stat");
	put("folio_wait_bit_common\n", "proc/177/wchan");
	fake_dm(0, "vmt-lower\n", "ram1", 1, 1);
	fake_dm(1, NULL, "ram0", 1, 0);           /* the hung one, freed, nameless */
	fake_dm(2, "", "ram2", 1, 2);             /* nameless, no record */
	fake_dm(6, "dmrb-live\n", "ram3", 1, 3);  /* an ordinary device of ours */
	hung_rec(&r, "dmrb-hang", 1);
	ck_assert_int_eq(dmstate_save(dir, &r, err, sizeof(err)), 0);
	hung_rec(&r, "dmrb-gone", 5);             /* removed by someone else */
	r.hung = false;
	ck_assert_int_eq(dmstate_save(dir, &r, err, sizeof(err)), 0);
	hung_rec(&r, "dmrb-live", 6);
	r.hung = false;
	ck_assert_int_eq(dmstate_save(dir, &r, err, sizeof(err)), 0);
	memset(&r, 0, sizeof(r));
	r.kind = DMSTATE_LOOP;
	snprintf(r.name, sizeof(r.name), "loop3");
	snprintf(r.sysname, sizeof(r.sysname), "loop3");
	snprintf(r.backing, sizeof(r.backing), "/tmp/a.img");
	r.major = 7;
	r.minor = 3;
	ck_assert_int_eq(dmstate_save(dir, &r, err, sizeof(err)), 0);   /* unbound: gone */
	snprintf(r.name, sizeof(r.name), "loop4");
	snprintf(r.sysname, sizeof(r.sysname), "loop4");
	r.minor = 4;
	ck_assert_int_eq(dmstate_save(dir, &r, err, sizeof(err)), 0);
	put("7:4\n", "sys/block/loop4/dev");
	put("/tmp/a.img\n", "sys/block/loop4/loop/backing_file");        /* still bound */
}

static const struct dmstate_stuck *find(const struct dmstate_review *rv, const char *sysname)
{
	size_t i;

	for (i = 0; i < rv->n; i++)
		if (!strcmp(rv->v[i].rec.sysname, sysname))
			return &rv->v[i];
	return NULL;
}

START_TEST(review_finds_and_cleans)
{
	const struct dmstate_stuck *s;
	struct dmstate_review rv;
	char err[256];

	hung_world();
	/* Without cleaning, nothing is deleted. */
	ck_assert_int_eq(dmstate_review(&roots, NULL, 0, false, &rv, err, sizeof(err)), 0);
	ck_assert_uint_eq(rv.n, 2);
	ck_assert_uint_eq(rv.cleaned, 0);
	dmstate_review_free(&rv);
	ck_assert(exists("state/dm-dmrb-gone.json"));

	ck_assert_int_eq(dmstate_review(&roots, NULL, 0, true, &rv, err, sizeof(err)), 0);
	ck_assert_uint_eq(rv.n, 2);
	ck_assert_uint_eq(rv.cleaned, 2);
	ck_assert_uint_eq(rv.ncleared, 0);  /* neither was stuck */
	s = find(&rv, "dm-1");
	ck_assert_ptr_nonnull(s);
	ck_assert(s->recorded);
	ck_assert_str_eq(s->rec.name, "dmrb-hang");
	ck_assert_int_eq(s->live, DMSTATE_NAMELESS);
	ck_assert_int_eq(s->pid_state, 'D');
	ck_assert_str_eq(s->wchan, "folio_wait_bit_common");
	ck_assert_uint_eq(s->nholds, 1);
	ck_assert_str_eq(s->holds[0].name, "ram0");
	s = find(&rv, "dm-2");
	ck_assert_ptr_nonnull(s);
	ck_assert(!s->recorded);
	ck_assert_uint_eq(s->rec.minor, 2);
	ck_assert_str_eq(s->holds[0].name, "ram2");
	dmstate_review_free(&rv);
	ck_assert(!exists("state/dm-dmrb-gone.json"));
	ck_assert(!exists("state/loop-loop3.json"));
	ck_assert(exists("state/loop-loop4.json"));
	ck_assert(exists("state/dm-dmrb-live.json"));
	ck_assert(exists("state/dm-dmrb-hang.json"));

	/* The removal child died but the device stays nameless: still stuck. */
	put("177 (sh) S 1 177 177 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 9999 1 1 1\n",
	    "proc/177/stat");
	ck_assert_int_eq(dmstate_review(&roots, NULL, 0, true, &rv, err, sizeof(err)), 0);
	s = find(&rv, "dm-1");
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->pid_state, 0);  /* pid 177 is another process now */
	dmstate_review_free(&rv);

	/* It went away at last: its record goes too. */
	{
		char cmd[PATH_MAX + 64];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s/block/dm-1'", sys_);
		ck_assert_int_eq(system(cmd), 0);
	}
	ck_assert_int_eq(dmstate_review(&roots, NULL, 0, true, &rv, err, sizeof(err)), 0);
	ck_assert_uint_eq(rv.n, 1);
	ck_assert_uint_eq(rv.cleaned, 1);
	ck_assert_uint_eq(rv.ncleared, 1);
	ck_assert_str_eq(rv.cleared[0], "dmrb-hang");
	dmstate_review_free(&rv);
	ck_assert(!exists("state/dm-dmrb-hang.json"));
}
END_TEST

/* A hung record whose device is listed by name again, its child gone: active again. */
START_TEST(review_hung_but_present)
{
	struct dmstate_review rv;
	struct dmstate_rec r;
	char err[256];

	fake_dm(1, "dmrb-hang\n", "ram0", 1, 0);
	hung_rec(&r, "dmrb-hang", 1);
	ck_assert_int_eq(dmstate_save(dir, &r, err, sizeof(err)), 0);
	/* Its removal child still sleeps: stuck, named. */
	put("177 (dmremap-bench) D 1 177 177 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 4242 "
	    "1000 100 1\n", "proc/177/stat");
	ck_assert_int_eq(dmstate_review(&roots, NULL, 0, true, &rv, err, sizeof(err)), 0);
	ck_assert_uint_eq(rv.n, 1);
	ck_assert_int_eq(rv.v[0].live, DMSTATE_PRESENT);
	dmstate_review_free(&rv);
	/* Gone: the device is an ordinary one again. */
	put("", "proc/177/stat");
	ck_assert_int_eq(dmstate_review(&roots, NULL, 0, true, &rv, err, sizeof(err)), 0);
	ck_assert_uint_eq(rv.n, 0);
	dmstate_review_free(&rv);
	ck_assert_int_eq(dmstate_load(dir, DMSTATE_DM, "dmrb-hang", &r, err, sizeof(err)), 0);
	ck_assert(!r.hung);
}
END_TEST

START_TEST(words)
{
	const struct dmstate_stuck *s;
	struct dmstate_review rv;
	char buf[4096], err[256];
	long long now = 1795535394 + 42;
	json_t *j;

	hung_world();
	ck_assert_int_eq(dmstate_review(&roots, NULL, 0, false, &rv, err, sizeof(err)), 0);
	s = find(&rv, "dm-1");
	ck_assert_ptr_nonnull(s);
	dmstate_stuck_line(s, now, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "dmrb-hang (dm-1, 254:1) is stuck") &&
		      strstr(buf, "hung in the kernel at 2026-11-24T15:49:54Z (42 s ago)") &&
		      strstr(buf, "the removal process, pid 177, is still in D state") &&
		      strstr(buf, "blocked in folio_wait_bit_common") &&
		      strstr(buf, "it still holds /dev/ram0") &&
		      strstr(buf, "needs a reboot"), "%s", buf);
	ck_assert_ptr_null(strchr(buf, '\n'));
	dmstate_stuck_block(s, now, buf, sizeof(buf));
	ck_assert_msg(!strncmp(buf, "STUCK dmrb-hang (dm-1, 254:1)\n", 30) &&
		      strstr(buf, "removal pid    177, still in D state") &&
		      strstr(buf, "still holds    /dev/ram0") &&
		      strstr(buf, "stood on       /dev/dm-0, /dev/ram0") &&
		      strstr(buf, "needs a reboot to clear\n"), "%s", buf);
	j = dmstate_stuck_json(s, now);
	ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "dmrb-hang");
	ck_assert_str_eq(json_string_value(json_object_get(j, "sysname")), "dm-1");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "removal_pid")), 177);
	ck_assert_str_eq(json_string_value(json_object_get(j, "removal_process")), "D");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "age_s")), 42);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "holds"), 0)),
			 "/dev/ram0");
	ck_assert(json_is_true(json_object_get(j, "needs_reboot")));
	json_decref(j);

	s = find(&rv, "dm-2");
	ck_assert_ptr_nonnull(s);
	dmstate_stuck_line(s, now, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "nameless dm-2 (254:2) is stuck") &&
		      strstr(buf, "no record") && strstr(buf, "it still holds /dev/ram2") &&
		      strstr(buf, "needs a reboot"), "%s", buf);
	j = dmstate_stuck_json(s, now);
	ck_assert(json_is_null(json_object_get(j, "name")));
	ck_assert(json_is_null(json_object_get(j, "removal_pid")));
	json_decref(j);

	/* Who holds what. */
	ck_assert_int_eq(dmstate_stuck_holding(&rv, 1, 0, buf, sizeof(buf)), 1);
	ck_assert_msg(strstr(buf, "held by dm-1") && strstr(buf, "dmrb-hang"), "%s", buf);
	ck_assert_int_eq(dmstate_stuck_holding(&rv, 254, 0, buf, sizeof(buf)), 1);
	ck_assert_msg(strstr(buf, "under dm-1") && strstr(buf, "may still hold it"), "%s", buf);
	ck_assert_int_eq(dmstate_stuck_holding(&rv, 1, 2, buf, sizeof(buf)), 1);
	ck_assert_msg(strstr(buf, "held by dm-2"), "%s", buf);
	ck_assert_int_eq(dmstate_stuck_holding(&rv, 1, 3, buf, sizeof(buf)), 0);
	dmstate_review_free(&rv);
}
END_TEST

/* The bookkeeping calls the commands make, into $DMREMAP_BENCH_RUN_DIR. */
START_TEST(bookkeeping)
{
	struct dmw_info info = { .exists = true, .major = 254, .minor = 4000,
				 .devnode = "/dev/mapper/dmrb-unit", .sysname = "dm-4000",
				 .uuid = "DMRB-dmrb-unit" };
	struct deadline_proc self;
	struct dmstate_rec r;
	char err[256];
	long long t0 = (long long)time(NULL);

	setenv(DMSTATE_DIR_ENV, dir, 1);
	ck_assert(!dmstate_known("dmrb-unit"));
	dmstate_note_dm("dmrb-unit", "DMRB-dmrb-unit", &info, "linear");
	ck_assert(dmstate_known("dmrb-unit"));
	ck_assert_int_eq(dmstate_load(dir, DMSTATE_DM, "dmrb-unit", &r, err, sizeof(err)), 0);
	ck_assert_str_eq(r.type, "linear");
	ck_assert_str_eq(r.sysname, "dm-4000");
	ck_assert_int_eq(r.creator_pid, getpid());
	ck_assert(!r.hung);
	ck_assert_int_ge(r.created_unix, t0);

	/* Its removal hangs: this process plays the removal child. */
	dmstate_note_hung("dmrb-unit", NULL, getpid(), 3000);
	ck_assert_int_eq(dmstate_load(dir, DMSTATE_DM, "dmrb-unit", &r, err, sizeof(err)), 0);
	ck_assert(r.hung);
	ck_assert_int_eq(r.pid, getpid());
	ck_assert_int_eq(deadline_proc_read("/proc", getpid(), &self), 0);
	ck_assert_uint_eq(r.pid_start, self.start);
	ck_assert_uint_eq(r.timeout_ms, 3000);
	ck_assert_int_ge(r.since_unix, t0 - 3);
	ck_assert_int_le(r.since_unix, t0);
	ck_assert_str_eq(r.sysname, "dm-4000");   /* kept from the record */

	/* No record, no information: a record with the name still. */
	dmstate_note_hung("dmrb-unknown", NULL, getpid(), 1000);
	ck_assert_int_eq(dmstate_load(dir, DMSTATE_DM, "dmrb-unknown", &r, err, sizeof(err)),
			 0);
	ck_assert(r.hung);
	ck_assert_int_eq(r.creator_pid, 0);

	dmstate_note_loop("/dev/loop4000", 4000, "dmrb-unit");
	ck_assert_int_eq(dmstate_load(dir, DMSTATE_LOOP, "loop4000", &r, err, sizeof(err)), 0);
	ck_assert_str_eq(r.under, "dmrb-unit");
	ck_assert_uint_eq(r.major, 7);
	ck_assert_uint_eq(r.minor, 4000);

	dmstate_forget(DMSTATE_DM, "dmrb-unit");
	dmstate_forget(DMSTATE_DM, "dmrb-unknown");
	dmstate_forget(DMSTATE_LOOP, "loop4000");
	ck_assert_int_eq(count_entries(dir), 0);
}
END_TEST

static Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("records");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, record_roundtrip);
	tcase_add_test(tc, record_rejects);
	tcase_add_test(tc, dir_from_env);
	tcase_add_test(tc, save_load_delete);
	tcase_add_test(tc, save_refuses_unsafe_dirs);
	tcase_add_test(tc, load_all_skips_junk);
	suite_add_tcase(s, tc);
	tc = tcase_create("stuck");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, probe_devices);
	tcase_add_test(tc, scan_nameless);
	tcase_add_test(tc, proc_state);
	tcase_add_test(tc, review_finds_and_cleans);
	tcase_add_test(tc, review_hung_but_present);
	tcase_add_test(tc, words);
	tcase_add_test(tc, bookkeeping);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(state_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
