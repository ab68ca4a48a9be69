/*
 * teardown: remove the device-mapper devices dmremap-bench created (UUID
 * prefix DMRB-) and detach the loop devices it attached. Safe to run twice.
 * A removal stuck in the kernel is reported, never waited for, and
 * remembered (dm/state.h): every later teardown reports the stuck device
 * again and exits 4 until it is gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cli/options.h"
#include "cmd/commands.h"
#include "dm/dm.h"
#include "dm/state.h"
#include "target/loop.h"
#include "target/safety.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"

#define MAX_DEVS 256
#define MAX_DEPS 16
#define LOOP_MAJOR 7

struct victim {
	char name[DMW_NAME_MAX + 8];
	struct dmw_info info;  /* its numbers, for the record if its removal hangs */
	dev_t deps[MAX_DEPS];
	size_t ndeps;
	bool done;       /* removed, or gone */
	bool failed;     /* gave up on it (reported) */
};

struct teardown {
	struct dmw d;
	struct victim v[MAX_DEVS];
	size_t n;
	unsigned removed, detached;
	int rc;
	const char *named;              /* teardown NAME: the name as given */
	char prefixed[DMW_NAME_MAX + 8]; /* and with the prefix, or "" */
	bool not_found;                 /* no device by either name */
	unsigned stuck;                 /* stuck devices reported as errors */
};

/* Remove one device; hung or failed ones are reported at once. */
static void remove_one(struct teardown *t, struct victim *v, unsigned busy_retries)
{
	unsigned saved = t->d.busy_retries;
	int rc;

	t->d.busy_retries = busy_retries;
	rc = dmw_remove(&t->d, v->name);
	t->d.busy_retries = saved;
	if (rc == DMW_OK || rc == DMW_ERR_NOENT) {
		dmstate_forget(DMSTATE_DM, v->name);
		v->done = true;
		if (rc == DMW_OK) {
			printf("removed %s\n", v->name);
			t->removed++;
		}
		return;
	}
	if (rc == DMW_ERR_BUSY && busy_retries < saved)
		return;  /* an early pass: try again after the devices above it are gone */
	if (rc == DMW_ERR_HUNG)
		dmstate_note_hung(v->name, v->info.exists ? &v->info : NULL, t->d.hung_pid,
				  t->d.remove_timeout_ms);
	log_error("%s", t->d.err);
	v->failed = true;
	t->rc = EXIT_RUNTIME;
}

/*
 * Remove devices that nobody holds first, so a stack comes down top to
 * bottom, pass after pass while anything goes away; then one last attempt
 * with the full EBUSY retries on what is left, which says who holds it.
 */
static void remove_all(struct teardown *t)
{
	bool progress = true;
	size_t i;

	while (progress) {
		progress = false;
		for (i = 0; i < t->n; i++) {
			struct victim *v = &t->v[i];
			struct dmw_info info;

			if (signals_pending())
				return;
			if (v->done || v->failed)
				continue;
			if (dmw_info(&t->d, v->name, &info)) {
				log_error("%s", t->d.err);
				v->failed = true;
				t->rc = EXIT_RUNTIME;
				continue;
			}
			if (!info.exists) {
				v->done = true;
				continue;
			}
			v->info = info;
			if (info.open_count > 0)
				continue;
			remove_one(t, v, 2);
			progress |= v->done;
		}
	}
	for (i = 0; i < t->n && !signals_pending(); i++)
		if (!t->v[i].done && !t->v[i].failed)
			remove_one(t, &t->v[i], t->d.busy_retries);
}

static int add_victim(struct teardown *t, const char *name)
{
	struct victim *v;

	if (t->n == MAX_DEVS) {
		log_warn("more than %d devices: the rest is left for another run", MAX_DEVS);
		return -1;
	}
	v = &t->v[t->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	if (dmw_info(&t->d, name, &v->info))
		memset(&v->info, 0, sizeof(v->info));
	/* Remember what it stands on, to detach our loop devices below it. */
	if (dmw_deps(&t->d, name, v->deps, MAX_DEPS, &v->ndeps))
		v->ndeps = 0;
	return 0;
}

/* Our loop device, not held by anything: detach it. */
static void detach_loop(struct teardown *t, const char *path)
{
	char err[512], holder[128];
	struct stat st;

	if (!loop_is_ours(path))
		return;
	if (stat(path, &st) == 0 && safety_is_held(st.st_rdev, holder, sizeof(holder))) {
		log_warn("%s is still held by %s: left attached", path, holder);
		t->rc = EXIT_RUNTIME;
		return;
	}
	if (loop_detach(path, err, sizeof(err))) {
		log_error("%s", err);
		t->rc = EXIT_RUNTIME;
		return;
	}
	printf("detached %s\n", path);
	if (!strncmp(path, "/dev/", 5))
		dmstate_forget(DMSTATE_LOOP, path + 5);
	t->detached++;
}

static void detach_loops(struct teardown *t, bool all)
{
	char paths[64][32], dev[32];
	size_t i, j, n;

	if (all) {
		n = loop_list_ours(paths, 64);
		for (i = 0; i < n && i < 64; i++)
			detach_loop(t, paths[i]);
		return;
	}
	for (i = 0; i < t->n; i++) {
		if (!t->v[i].done)
			continue;
		for (j = 0; j < t->v[i].ndeps; j++) {
			char backing[8];

			if (major(t->v[i].deps[j]) != LOOP_MAJOR)
				continue;
			snprintf(dev, sizeof(dev), "/dev/loop%u", minor(t->v[i].deps[j]));
			/* An autoclear device went with its last user. */
			if (loop_backing_file(dev, backing, sizeof(backing)) == 0)
				detach_loop(t, dev);
		}
	}
}

/* NAME as given, else with the prefix; must be one of ours. */
static int pick_named(struct teardown *t, const char *given)
{
	const char *cand[2] = { given, NULL };
	char *prefixed = t->prefixed;
	struct dmw_info info;
	int i, rc;

	if (dmw_make_name(given, prefixed, sizeof(t->prefixed)) == 0 && strcmp(prefixed, given))
		cand[1] = prefixed;
	else
		prefixed[0] = '\0';
	for (i = 0; i < 2 && cand[i]; i++) {
		rc = dmw_info(&t->d, cand[i], &info);
		if (rc) {
			log_error("%s", t->d.err);
			return EXIT_RUNTIME;
		}
		if (!info.exists)
			continue;
		if (!dmw_uuid_is_ours(info.uuid)) {
			log_error("%s was not created by dmremap-bench (its UUID '%s' does not begin "
				  "with " DMW_UUID_PREFIX "); remove it with dmsetup", cand[i],
				  info.uuid);
			return EXIT_USAGE;
		}
		add_victim(t, cand[i]);
		return 0;
	}
	t->not_found = true;  /* unless it is stuck (report_stuck), "nothing to do" */
	return 0;
}

static int pick_all(struct teardown *t)
{
	struct dmw_list l;
	size_t i;

	if (dmw_list(&t->d, true, &l)) {
		log_error("%s", t->d.err);
		return EXIT_RUNTIME;
	}
	for (i = 0; i < l.n; i++)
		if (add_victim(t, l.dev[i].name))
			break;
	dmw_list_free(&l);
	return 0;
}

/* A stuck device that teardown NAME asked for. */
static bool is_named(const struct teardown *t, const struct dmstate_stuck *s)
{
	return s->recorded && (!strcmp(s->rec.name, t->named) ||
			       (t->prefixed[0] && !strcmp(s->rec.name, t->prefixed)));
}

/*
 * What is still stuck in the kernel, its record kept, records of what is
 * gone deleted. --all: each one is an error (exit 4); with NAME, only that
 * one, the others are warned about.
 */
static void report_stuck(struct teardown *t, bool have_dm)
{
	struct dmstate_review rv;
	long long now = (long long)time(NULL);
	char line[1200];
	size_t i;

	dmstate_review_now(have_dm ? &t->d : NULL, true, &rv);
	dmstate_say_cleared(&rv);
	for (i = 0; i < rv.n; i++) {
		dmstate_stuck_line(&rv.v[i], now, line, sizeof(line));
		if (t->named && !is_named(t, &rv.v[i])) {
			log_warn("%s", line);
			continue;
		}
		log_error("%s", line);
		t->stuck++;
		t->rc = EXIT_RUNTIME;
	}
	dmstate_review_free(&rv);
}

struct teardown_args {
	bool all;
	uint64_t timeout_ns;
	char *pos[1];
	int npos;
};

/* Options and their checks, no I/O: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct teardown_args *a)
{
	static const struct opt_usage usage = {
		.command = "teardown",
		.synopsis = "NAME | --all [--timeout T]",
		.args_kind = COMPLETE_DM,
		.summary = "Remove the device-mapper devices dmremap-bench created (UUID prefix\n"
			   DMW_UUID_PREFIX ") and detach the loop devices it attached. Safe to run\n"
			   "twice; a removal stuck in the kernel is reported, never waited for.",
	};
	int rc;

	memset(a, 0, sizeof(*a));
	a->timeout_ns = DMW_DEFAULT_TIMEOUT_MS * NSEC_PER_MSEC;
	{
		const struct opt table[] = {
			{ .type = OPT_BOOL, .name = "all", .value = &a->all,
			  .help = "every device and loop device dmremap-bench made" },
			{ .type = OPT_DURATION, .name = "timeout", .value = &a->timeout_ns,
			  .argh = "T", .min = NSEC_PER_SEC, .max = 3600 * NSEC_PER_SEC,
			  .help = "give up on one removal after T (default 10s)" },
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, a->pos, 1, &a->npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	if (a->all == (a->npos == 1)) {
		log_error(a->all ? "give a device NAME or --all, not both" :
			  "give a device NAME or --all");
		return EXIT_USAGE;
	}
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(teardown, struct teardown_args, parse)

int cmd_teardown(int argc, char **argv)
{
	struct teardown_args a;
	struct teardown *t;
	char err[512];
	bool have_dm;
	int rc = parse(argc, argv, &a);

	if (rc != PARSE_CONTINUE)
		return rc;
	if (geteuid() != 0) {
		log_error("teardown needs root (it removes device-mapper and loop devices)");
		return EXIT_USAGE;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	if (!dmstate_dir(err, sizeof(err))) {
		log_error("%s", err);
		free(t);
		return EXIT_USAGE;
	}
	dmw_init(&t->d);
	t->d.timeout_ms = t->d.remove_timeout_ms = (unsigned)(a.timeout_ns / NSEC_PER_MSEC);
	t->named = a.all ? NULL : a.pos[0];
	rc = 0;
	have_dm = dmw_available(&t->d) == DMW_OK;
	if (!have_dm) {
		if (!a.all) {
			log_error("%s", t->d.err);
			rc = EXIT_USAGE;
			goto out;
		}
		log_info("no device-mapper in this kernel: no devices to remove");
	} else {
		rc = a.all ? pick_all(t) : pick_named(t, a.pos[0]);
		if (rc)
			goto out;
		remove_all(t);
		if (signals_pending()) {
			log_error("interrupted: devices may be left (run teardown again)");
			rc = signals_exit_status(signals_pending());
			goto out;
		}
	}
	detach_loops(t, a.all);
	report_stuck(t, have_dm);
	if (t->not_found && !t->stuck)
		log_info("nothing to do: no device named %s%s%s", t->named,
			 t->prefixed[0] ? " or " : "", t->prefixed);
	else if (!t->removed && !t->detached && !t->rc && (a.all || t->n))
		log_info("nothing to do: no dmremap-bench %s",
			 a.all ? "devices" : "device by that name");
	rc = t->rc;
out:
	dmw_close(&t->d);
	free(t);
	return rc;
}
