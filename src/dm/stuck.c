/*
 * What is stuck (dm/state.h): the records checked against sysfs and /proc,
 * nameless dm devices found in sysfs, and the words and JSON that say so.
 *
 * What a hung removal leaves, as seen under Linux 6.1 and 6.12: the DM
 * ioctl has taken the name out of device-mapper's list before it blocks,
 * so the device no longer shows in DM_DEVICE_LIST and reading
 * /sys/block/dm-N/dm/name fails (EINVAL) while the device is being freed;
 * /sys/block/dm-N stays, and so do the slaves the removal has not released
 * yet. Everything here reads sysfs and /proc only.
 */
#include "dm/state.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dm/deadline.h"
#include "util/log.h"

/* A removal that is just finishing is looked at again after this. */
#define RECHECK_MS 250

/* The first line of a small file; -1 when it cannot be read (or is empty: 1). */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		buf[0] = '\0';
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] ? 0 : 1;
}

static int read_dev(const char *path, unsigned *ma, unsigned *mi)
{
	char buf[32];

	if (read_line(path, buf, sizeof(buf)) || sscanf(buf, "%u:%u", ma, mi) != 2)
		return -1;
	return 0;
}

size_t dmstate_read_slaves(const char *sysroot, const char *sysname, struct dmstate_blk *out,
			   size_t max)
{
	char dir[PATH_MAX], p[PATH_MAX + 300];
	struct dirent *de;
	size_t n = 0;
	DIR *dd;

	snprintf(dir, sizeof(dir), "%s/block/%s/slaves", sysroot, sysname);
	dd = opendir(dir);
	if (!dd)
		return 0;
	while ((de = readdir(dd)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "%.31s", de->d_name);
		snprintf(p, sizeof(p), "%s/%s/dev", dir, de->d_name);
		read_dev(p, &out[n].major, &out[n].minor);
		n++;
	}
	closedir(dd);
	return n;
}

enum dmstate_live dmstate_probe(const struct dmstate_roots *r, const struct dmstate_rec *rec)
{
	char path[PATH_MAX], buf[PATH_MAX], boot[40];
	unsigned ma, mi;
	struct stat st;
	int rc;

	dmstate_boot_id(r->proc, boot, sizeof(boot));
	if (rec->boot_id[0] && boot[0] && strcmp(rec->boot_id, boot))
		return DMSTATE_GONE;  /* made before the last reboot */
	if (!rec->sysname[0] || strchr(rec->sysname, '/'))
		return DMSTATE_GONE;
	snprintf(path, sizeof(path), "%s/block/%s", r->sys, rec->sysname);
	if (stat(path, &st))
		return DMSTATE_GONE;
	snprintf(path, sizeof(path), "%s/block/%s/dev", r->sys, rec->sysname);
	if (read_dev(path, &ma, &mi) == 0 && (ma != rec->major || mi != rec->minor))
		return DMSTATE_GONE;
	if (rec->kind == DMSTATE_LOOP) {
		snprintf(path, sizeof(path), "%s/block/%s/loop/backing_file", r->sys, rec->sysname);
		if (read_line(path, buf, sizeof(buf)))
			return DMSTATE_GONE;  /* not bound */
		return !rec->backing[0] || !strcmp(buf, rec->backing) ? DMSTATE_PRESENT :
			DMSTATE_GONE;
	}
	snprintf(path, sizeof(path), "%s/block/%s/dm/name", r->sys, rec->sysname);
	rc = read_line(path, buf, sizeof(buf));
	if (rc)
		return DMSTATE_NAMELESS;  /* unreadable (EINVAL while freed) or empty */
	return strcmp(buf, rec->name) ? DMSTATE_GONE : DMSTATE_PRESENT;
}

static bool minor_listed(const unsigned *listed, size_t n, unsigned minor)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (listed[i] == minor)
			return true;
	return false;
}

size_t dmstate_scan_nameless(const char *sysroot, const unsigned *listed, size_t nlisted,
			     struct dmstate_nameless *out, size_t max)
{
	char dir[PATH_MAX], p[PATH_MAX + 300], name[256];
	struct dirent *de;
	size_t n = 0;
	DIR *dd;

	snprintf(dir, sizeof(dir), "%s/block", sysroot);
	dd = opendir(dir);
	if (!dd)
		return 0;
	while ((de = readdir(dd))) {
		struct dmstate_nameless nl;
		bool nameless;

		if (strncmp(de->d_name, "dm-", 3) || strlen(de->d_name) >= sizeof(nl.sysname))
			continue;
		memset(&nl, 0, sizeof(nl));
		snprintf(nl.sysname, sizeof(nl.sysname), "%s", de->d_name);
		snprintf(p, sizeof(p), "%s/%s/dev", dir, de->d_name);
		if (read_dev(p, &nl.major, &nl.minor))
			continue;
		snprintf(p, sizeof(p), "%s/%s/dm/name", dir, de->d_name);
		nameless = read_line(p, name, sizeof(name)) != 0 ||
			   (listed && !minor_listed(listed, nlisted, nl.minor));
		if (!nameless)
			continue;
		nl.nslaves = dmstate_read_slaves(sysroot, nl.sysname, nl.slaves, DMSTATE_MAX_DEVS);
		if (!nl.nslaves)
			continue;
		if (n < max)
			out[n] = nl;
		n++;
	}
	closedir(dd);
	return n;
}

/* ---- the review ------------------------------------------------------------------ */

static struct dmstate_stuck *add_stuck(struct dmstate_review *rv)
{
	struct dmstate_stuck *v = realloc(rv->v, (rv->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	rv->v = v;
	memset(&v[rv->n], 0, sizeof(v[rv->n]));
	return &v[rv->n++];
}

/* The recorded removal child now: its state, or 0 when it is gone (or the pid was reused). */
static char child_state(const struct dmstate_roots *r, const struct dmstate_rec *rec,
			char *wchan, size_t len)
{
	struct deadline_proc p;

	wchan[0] = '\0';
	if (!rec->hung || rec->pid <= 0 || deadline_proc_read(r->proc, rec->pid, &p))
		return 0;
	if (rec->pid_start && p.start != rec->pid_start)
		return 0;
	snprintf(wchan, len, "%s", p.wchan);
	return p.state;
}

static void review_record(const struct dmstate_roots *r, struct dmstate_rec *rec, bool clean,
			  struct dmstate_review *rv)
{
	enum dmstate_live live = dmstate_probe(r, rec);
	struct dmstate_stuck *s;
	char wchan[64], st;

	if (live == DMSTATE_GONE) {
		/* Removed by someone else, gone at last, or before a reboot. */
		if (clean && dmstate_delete(r->dir, rec->kind, rec->name) == 0) {
			rv->cleaned++;
			if (rec->hung && rv->ncleared < DMSTATE_MAX_CLEARED)
				snprintf(rv->cleared[rv->ncleared++], sizeof(rv->cleared[0]), "%s",
					 rec->name);
		}
		return;
	}
	if (rec->kind == DMSTATE_LOOP)
		return;
	st = child_state(r, rec, wchan, sizeof(wchan));
	if (live == DMSTATE_PRESENT) {
		if (!rec->hung)
			return;  /* a device in use, listed as usual */
		if (st && st != 'Z')
			goto stuck;  /* named still: the removal hangs before it got that far */
		/* The removal ended, the device stayed: it is an ordinary device again. */
		if (clean) {
			rec->hung = false;
			dmstate_save(r->dir, rec, NULL, 0);
		}
		return;
	}
stuck:
	s = add_stuck(rv);
	if (!s)
		return;
	s->recorded = true;
	s->rec = *rec;
	s->live = live;
	s->pid_state = st;
	snprintf(s->wchan, sizeof(s->wchan), "%s", wchan);
	s->nholds = dmstate_read_slaves(r->sys, rec->sysname, s->holds, DMSTATE_MAX_DEVS);
}

int dmstate_review(const struct dmstate_roots *r, const unsigned *listed, size_t nlisted,
		   bool clean, struct dmstate_review *out, char *err, size_t len)
{
	struct dmstate_nameless nl[64];
	struct dmstate_rec *recs = NULL;
	size_t nrecs = 0, nn, i, j;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (r->dir && dmstate_load_all(r->dir, &recs, &nrecs, err, len))
		rc = -1;
	for (i = 0; i < nrecs; i++)
		review_record(r, &recs[i], clean, out);
	free(recs);
	nn = dmstate_scan_nameless(r->sys, listed, nlisted, nl, 64);
	for (i = 0; i < nn && i < 64; i++) {
		struct dmstate_stuck *s;

		for (j = 0; j < out->n; j++)
			if (out->v[j].rec.major == nl[i].major && out->v[j].rec.minor == nl[i].minor)
				break;
		if (j < out->n || !(s = add_stuck(out)))
			continue;
		s->live = DMSTATE_NAMELESS;
		memcpy(s->rec.sysname, nl[i].sysname, sizeof(s->rec.sysname));
		s->rec.major = nl[i].major;
		s->rec.minor = nl[i].minor;
		s->nholds = nl[i].nslaves;
		memcpy(s->holds, nl[i].slaves, sizeof(s->holds));
	}
	return rc;
}

void dmstate_say_cleared(const struct dmstate_review *rv)
{
	size_t i;

	for (i = 0; i < rv->ncleared; i++)
		log_info("%s, stuck in the kernel before, is gone now; its record is deleted",
			 rv->cleared[i]);
}

void dmstate_review_free(struct dmstate_review *rv)
{
	free(rv->v);
	memset(rv, 0, sizeof(*rv));
}

static unsigned *list_minors(struct dmw *d, size_t *n)
{
	struct dmw_list l;
	unsigned *m;
	size_t i;

	*n = 0;
	if (!d || dmw_list(d, false, &l))
		return NULL;
	m = malloc((l.n ? l.n : 1) * sizeof(*m));
	if (m) {
		for (i = 0; i < l.n; i++)
			m[i] = l.dev[i].minor;
		*n = l.n;
	}
	dmw_list_free(&l);
	return m;
}

static bool settled(const struct dmstate_stuck *s)
{
	return s->recorded && s->rec.hung;
}

static bool same_dev(const struct dmstate_review *rv, const struct dmstate_stuck *s)
{
	size_t i;

	for (i = 0; i < rv->n; i++)
		if (rv->v[i].rec.major == s->rec.major && rv->v[i].rec.minor == s->rec.minor)
			return true;
	return false;
}

void dmstate_review_now(struct dmw *d, bool clean, struct dmstate_review *out)
{
	struct dmstate_roots r;
	struct dmstate_review again;
	char err[512];
	unsigned *minors;
	size_t nminors, i, k;
	bool unsure = false;

	if (dmstate_roots_default(&r, err, sizeof(err))) {
		log_warn("%s; only sysfs is searched for stuck devices", err);
		r.dir = NULL;
	}
	minors = list_minors(d, &nminors);
	if (dmstate_review(&r, minors, nminors, clean, out, err, sizeof(err)))
		log_warn("%s; only sysfs is searched for stuck devices", err);
	free(minors);
	for (i = 0; i < out->n; i++)
		unsure |= !settled(&out->v[i]);
	if (!unsure)
		return;
	/* Nameless and not known to hang: maybe a removal in progress. Look again. */
	{
		struct timespec ts = { 0, RECHECK_MS * 1000000L };

		nanosleep(&ts, NULL);
	}
	minors = list_minors(d, &nminors);
	dmstate_review(&r, minors, nminors, false, &again, NULL, 0);
	free(minors);
	for (i = k = 0; i < out->n; i++)
		if (settled(&out->v[i]) || same_dev(&again, &out->v[i]))
			out->v[k++] = out->v[i];
	out->n = k;
	dmstate_review_free(&again);
}

/* ---- words ------------------------------------------------------------------------- */

static void age(long long secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(buf, len, "%lld s", secs);
	else if (secs < 7200)
		snprintf(buf, len, "%lld min", secs / 60);
	else if (secs < 172800)
		snprintf(buf, len, "%lld h", secs / 3600);
	else
		snprintf(buf, len, "%lld days", secs / 86400);
}

static void who(const struct dmstate_stuck *s, char *buf, size_t len)
{
	if (s->recorded)
		snprintf(buf, len, "%s (%s, %u:%u)", s->rec.name,
			 s->rec.sysname[0] ? s->rec.sysname : "dm-?", s->rec.major, s->rec.minor);
	else
		snprintf(buf, len, "nameless %s (%u:%u)", s->rec.sysname, s->rec.major,
			 s->rec.minor);
}

static void devs(const struct dmstate_blk *b, size_t n, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s/dev/%s", i ? ", " : "", b[i].name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* "its removal hung in the kernel at T (N s ago)" and the like. */
static void what_happened(const struct dmstate_stuck *s, long long now, char *buf, size_t len)
{
	char a[32];

	if (s->recorded && s->rec.hung) {
		age(now - s->rec.since_unix, a, sizeof(a));
		snprintf(buf, len, "its removal hung in the kernel at %s (%s ago)%s", s->rec.since,
			 a, s->live == DMSTATE_PRESENT ? " and it is still listed by name" : "");
	} else if (s->recorded) {
		snprintf(buf, len, "device-mapper no longer names it: a removal began and never "
			 "finished (no removal by dmremap-bench was seen to hang)");
	} else {
		snprintf(buf, len, "device-mapper no longer names it: a removal began and never "
			 "finished (dmremap-bench has no record of it)");
	}
}

/* "still in D state (...)", "exited", "alive (state S)", "gone"; "" when none is known. */
static void child_words(const struct dmstate_stuck *s, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!s->recorded || !s->rec.hung || s->rec.pid <= 0)
		return;
	if (s->pid_state == 'D')
		snprintf(buf, len, "still in D state (uninterruptible%s%s)",
			 s->wchan[0] ? ", blocked in " : "", s->wchan);
	else if (s->pid_state == 'Z')
		snprintf(buf, len, "exited");
	else if (s->pid_state)
		snprintf(buf, len, "alive (state %c)", s->pid_state);
	else
		snprintf(buf, len, "gone");
}

void dmstate_stuck_line(const struct dmstate_stuck *s, long long now, char *buf, size_t len)
{
	char w[200], what[300], child[160], proc[200], held[420];

	who(s, w, sizeof(w));
	what_happened(s, now, what, sizeof(what));
	child_words(s, child, sizeof(child));
	if (child[0])
		snprintf(proc, sizeof(proc), "the removal process, pid %d, is %s", s->rec.pid,
			 child);
	else
		snprintf(proc, sizeof(proc), "no removal process is known");
	if (s->nholds) {
		char d[360];

		devs(s->holds, s->nholds, d, sizeof(d));
		snprintf(held, sizeof(held), "it still holds %s", d);
	} else if (s->recorded && s->rec.nmembers) {
		char d[360];

		devs(s->rec.members, s->rec.nmembers, d, sizeof(d));
		snprintf(held, sizeof(held), "sysfs lists nothing it holds (it stood on %s)", d);
	} else {
		snprintf(held, sizeof(held), "sysfs lists nothing it holds");
	}
	snprintf(buf, len, "%s is stuck: %s; %s; %s; it needs a reboot to clear", w, what, proc,
		 held);
}

void dmstate_stuck_block(const struct dmstate_stuck *s, long long now, char *buf, size_t len)
{
	char w[200], what[300], child[160], d[360];
	size_t used;

#define ADD(...)                                                                     \
	do {                                                                         \
		if (used < len) {                                                    \
			int n_ = snprintf(buf + used, len - used, __VA_ARGS__);      \
			used += n_ > 0 ? (size_t)n_ : 0;                             \
		}                                                                    \
	} while (0)
	used = 0;
	buf[0] = '\0';
	who(s, w, sizeof(w));
	what_happened(s, now, what, sizeof(what));
	child_words(s, child, sizeof(child));
	ADD("STUCK %s\n", w);
	ADD("  %-14s %s\n", "state", what);
	if (s->recorded && s->rec.hung && s->rec.timeout_ms)
		ADD("  %-14s no answer within %.1f s\n", "", s->rec.timeout_ms / 1000.0);
	if (child[0])
		ADD("  %-14s %d, %s\n", "removal pid", s->rec.pid, child);
	devs(s->holds, s->nholds, d, sizeof(d));
	ADD("  %-14s %s\n", "still holds", s->nholds ? d : "nothing sysfs lists");
	if (s->recorded && s->rec.nmembers) {
		devs(s->rec.members, s->rec.nmembers, d, sizeof(d));
		ADD("  %-14s %s\n", "stood on", d);
	}
	if (s->recorded && s->rec.created[0])
		ADD("  %-14s %s%s", "created", s->rec.created,
		    s->rec.creator_pid ? "" : "\n");
	if (s->recorded && s->rec.created[0] && s->rec.creator_pid)
		ADD(" by pid %d\n", s->rec.creator_pid);
	ADD("  needs a reboot to clear\n");
#undef ADD
}

static json_t *devs_json(const struct dmstate_blk *b, size_t n)
{
	json_t *a = json_array();
	char p[48];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "/dev/%.31s", b[i].name);
		json_array_append_new(a, json_string(p));
	}
	return a;
}

json_t *dmstate_stuck_json(const struct dmstate_stuck *s, long long now)
{
	json_t *o = json_object();
	const char *proc = "gone";
	char st[2] = { s->pid_state, '\0' };

	json_object_set_new(o, "name", s->recorded ? json_string(s->rec.name) : json_null());
	json_object_set_new(o, "sysname", json_string(s->rec.sysname));
	json_object_set_new(o, "major", json_integer(s->rec.major));
	json_object_set_new(o, "minor", json_integer(s->rec.minor));
	json_object_set_new(o, "recorded", json_boolean(s->recorded));
	json_object_set_new(o, "named", json_boolean(s->live == DMSTATE_PRESENT));
	if (s->recorded && s->rec.hung) {
		json_object_set_new(o, "since", json_string(s->rec.since));
		json_object_set_new(o, "since_unix", json_integer(s->rec.since_unix));
		json_object_set_new(o, "age_s", json_integer(now - s->rec.since_unix));
		json_object_set_new(o, "timeout_ms", json_integer(s->rec.timeout_ms));
		json_object_set_new(o, "removal_pid", json_integer(s->rec.pid));
		if (s->pid_state == 'Z')
			proc = "exited";
		else if (s->pid_state)
			proc = st;
		json_object_set_new(o, "removal_process", json_string(proc));
		json_object_set_new(o, "wchan", json_string(s->wchan));
	} else {
		json_object_set_new(o, "removal_pid", json_null());
	}
	json_object_set_new(o, "holds", devs_json(s->holds, s->nholds));
	json_object_set_new(o, "stood_on", s->recorded ? devs_json(s->rec.members,
								   s->rec.nmembers) : json_array());
	json_object_set_new(o, "needs_reboot", json_true());
	return o;
}

static bool blk_in(const struct dmstate_blk *b, size_t n, unsigned major, unsigned minor)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i].major == major && b[i].minor == minor)
			return true;
	return false;
}

int dmstate_stuck_holding(const struct dmstate_review *rv, unsigned major, unsigned minor,
			  char *why, size_t len)
{
	long long now = (long long)time(NULL);
	char line[1024];
	size_t i;

	for (i = 0; i < rv->n; i++) {
		const struct dmstate_stuck *s = &rv->v[i];

		dmstate_stuck_line(s, now, line, sizeof(line));
		if (blk_in(s->holds, s->nholds, major, minor)) {
			snprintf(why, len, "held by %s, which is stuck in the kernel: %s",
				 s->rec.sysname, line);
			return 1;
		}
		if (s->recorded && blk_in(s->rec.members, s->rec.nmembers, major, minor)) {
			snprintf(why, len, "under %s, which is stuck in the kernel and may still "
				 "hold it: %s", s->rec.sysname, line);
			return 1;
		}
	}
	return 0;
}

int dmstate_held_by_stuck(unsigned major, unsigned minor, char *why, size_t len)
{
	struct dmstate_review rv;
	struct dmstate_roots r;
	int held;

	if (dmstate_roots_default(&r, NULL, 0))
		r.dir = NULL;
	dmstate_review(&r, NULL, 0, false, &rv, NULL, 0);
	held = dmstate_stuck_holding(&rv, major, minor, why, len);
	dmstate_review_free(&rv);
	return held;
}
