/*
 * The records of dm/state.h: their JSON form, the files in the state
 * directory, and the bookkeeping calls the commands make.
 *
 * Each record is written to a temporary file in the same directory and
 * renamed over the old one, so a reader sees the old record or the new one,
 * never half of one. The directory is opened once, without following a
 * symlink, and every file is opened relative to it.
 */
#include "dm/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dm/deadline.h"
#include "util/log.h"

#define MAX_RECORD_BYTES (64 * 1024)
/* Temporary files older than this were left by a writer that died. */
#define STALE_TMP_SECS 60

static void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

const char *dmstate_dir(char *err, size_t len)
{
	const char *env = getenv(DMSTATE_DIR_ENV);

	if (!env || !*env)
		return DMSTATE_DEFAULT_DIR;
	if (env[0] != '/') {
		set_err(err, len, DMSTATE_DIR_ENV ": '%s' is not an absolute path (give the "
			"directory for the records of the devices dmremap-bench makes, e.g. "
			DMSTATE_DEFAULT_DIR ")", env);
		return NULL;
	}
	return env;
}

int dmstate_roots_default(struct dmstate_roots *r, char *err, size_t len)
{
	r->dir = dmstate_dir(err, len);
	r->sys = "/sys";
	r->proc = "/proc";
	return r->dir ? 0 : -1;
}

static void utc(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void dmstate_boot_id(const char *procroot, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/sys/kernel/random/boot_id", procroot);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* ---- JSON ------------------------------------------------------------------- */

static json_t *blks_json(const struct dmstate_blk *b, size_t n)
{
	json_t *a = json_array();
	char dev[32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(dev, sizeof(dev), "%u:%u", b[i].major, b[i].minor);
		json_array_append_new(a, json_pack("{s:s,s:s}", "name", b[i].name, "dev", dev));
	}
	return a;
}

json_t *dmstate_rec_json(const struct dmstate_rec *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "format", json_string(DMSTATE_FORMAT));
	json_object_set_new(o, "kind", json_string(r->kind == DMSTATE_DM ? "dm" : "loop"));
	json_object_set_new(o, "name", json_string(r->name));
	if (r->kind == DMSTATE_DM)
		json_object_set_new(o, "uuid", json_string(r->uuid));
	json_object_set_new(o, "path", json_string(r->path));
	json_object_set_new(o, "sysname", json_string(r->sysname));
	json_object_set_new(o, "major", json_integer(r->major));
	json_object_set_new(o, "minor", json_integer(r->minor));
	if (r->kind == DMSTATE_DM) {
		json_object_set_new(o, "type", json_string(r->type));
		json_object_set_new(o, "members", blks_json(r->members, r->nmembers));
	} else {
		json_object_set_new(o, "backing", json_string(r->backing));
		json_object_set_new(o, "under", json_string(r->under));
	}
	json_object_set_new(o, "boot_id", json_string(r->boot_id));
	json_object_set_new(o, "created", json_string(r->created));
	json_object_set_new(o, "created_unix", json_integer(r->created_unix));
	json_object_set_new(o, "creator_pid", json_integer(r->creator_pid));
	json_object_set_new(o, "state", json_string(r->hung ? "hung" : "active"));
	if (r->hung) {
		json_t *h = json_object();

		json_object_set_new(h, "since", json_string(r->since));
		json_object_set_new(h, "since_unix", json_integer(r->since_unix));
		json_object_set_new(h, "pid", json_integer(r->pid));
		json_object_set_new(h, "pid_start", json_integer((json_int_t)r->pid_start));
		json_object_set_new(h, "what", json_string(r->what));
		json_object_set_new(h, "timeout_ms", json_integer(r->timeout_ms));
		json_object_set_new(h, "holds", blks_json(r->holds, r->nholds));
		json_object_set_new(o, "hung", h);
	}
	return o;
}

/* Optional string member into buf ("" when absent); -1 when present but not a string. */
static int get_str(const json_t *o, const char *key, char *buf, size_t len)
{
	const json_t *v = json_object_get(o, key);

	buf[0] = '\0';
	if (!v)
		return 0;
	if (!json_is_string(v))
		return -1;
	snprintf(buf, len, "%s", json_string_value(v));
	return 0;
}

static int get_int(const json_t *o, const char *key, long long min, long long max,
		   long long *out)
{
	const json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static int get_blks(const json_t *o, const char *key, struct dmstate_blk *b, size_t *n)
{
	const json_t *a = json_object_get(o, key), *e;
	size_t i;

	*n = 0;
	if (!a)
		return 0;
	if (!json_is_array(a))
		return -1;
	json_array_foreach(a, i, e) {
		char dev[32];

		if (*n == DMSTATE_MAX_DEVS)
			break;
		if (!json_is_object(e) || get_str(e, "name", b[*n].name, sizeof(b[*n].name)) ||
		    get_str(e, "dev", dev, sizeof(dev)) ||
		    sscanf(dev, "%u:%u", &b[*n].major, &b[*n].minor) != 2)
			return -1;
		(*n)++;
	}
	return 0;
}

int dmstate_rec_parse(const json_t *j, struct dmstate_rec *r, char *err, size_t len)
{
	char kind[16], state[16], fmt[64], file[NAME_MAX + 1];
	long long v;
	const json_t *h;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(j)) {
		set_err(err, len, "not a JSON object");
		return -1;
	}
	if (get_str(j, "format", fmt, sizeof(fmt)) || strcmp(fmt, DMSTATE_FORMAT)) {
		set_err(err, len, "format is not \"" DMSTATE_FORMAT "\"");
		return -1;
	}
	if (get_str(j, "kind", kind, sizeof(kind)) || (strcmp(kind, "dm") && strcmp(kind, "loop"))) {
		set_err(err, len, "kind is not \"dm\" or \"loop\"");
		return -1;
	}
	r->kind = strcmp(kind, "dm") ? DMSTATE_LOOP : DMSTATE_DM;
	if (get_str(j, "name", r->name, sizeof(r->name)) ||
	    dmstate_file_name(r->kind, r->name, file, sizeof(file))) {
		set_err(err, len, "name is missing or cannot be a record's name");
		return -1;
	}
	if (get_str(j, "uuid", r->uuid, sizeof(r->uuid)) ||
	    get_str(j, "path", r->path, sizeof(r->path)) ||
	    get_str(j, "sysname", r->sysname, sizeof(r->sysname)) ||
	    get_str(j, "type", r->type, sizeof(r->type)) ||
	    get_str(j, "backing", r->backing, sizeof(r->backing)) ||
	    get_str(j, "under", r->under, sizeof(r->under)) ||
	    get_str(j, "boot_id", r->boot_id, sizeof(r->boot_id)) ||
	    get_str(j, "created", r->created, sizeof(r->created))) {
		set_err(err, len, "a string member is not a string");
		return -1;
	}
	v = 0;
	if (get_int(j, "major", 0, 0xfff, &v) || !json_object_get(j, "major")) {
		set_err(err, len, "major is missing or not a device major number");
		return -1;
	}
	r->major = (unsigned)v;
	v = 0;
	if (get_int(j, "minor", 0, 0xfffff, &v) || !json_object_get(j, "minor")) {
		set_err(err, len, "minor is missing or not a device minor number");
		return -1;
	}
	r->minor = (unsigned)v;
	if (get_int(j, "created_unix", 0, (1LL << 40), &r->created_unix) ||
	    get_int(j, "creator_pid", 0, (1LL << 31) - 1, &v)) {
		set_err(err, len, "created_unix or creator_pid is not a number in range");
		return -1;
	}
	r->creator_pid = (int)v;
	if (get_blks(j, "members", r->members, &r->nmembers)) {
		set_err(err, len, "members is not a list of {name, dev \"major:minor\"}");
		return -1;
	}
	if (get_str(j, "state", state, sizeof(state)) ||
	    (strcmp(state, "active") && strcmp(state, "hung"))) {
		set_err(err, len, "state is not \"active\" or \"hung\"");
		return -1;
	}
	if (strcmp(state, "hung"))
		return 0;
	r->hung = true;
	h = json_object_get(j, "hung");
	if (!json_is_object(h)) {
		set_err(err, len, "state is \"hung\" but there is no hung object");
		return -1;
	}
	v = 0;
	if (get_str(h, "since", r->since, sizeof(r->since)) ||
	    get_str(h, "what", r->what, sizeof(r->what)) ||
	    get_int(h, "since_unix", 0, (1LL << 40), &r->since_unix) ||
	    get_int(h, "pid", 0, (1LL << 31) - 1, &v)) {
		set_err(err, len, "hung: since, since_unix, pid or what is malformed");
		return -1;
	}
	r->pid = (int)v;
	v = 0;
	if (get_int(h, "pid_start", 0, LLONG_MAX, &v)) {
		set_err(err, len, "hung: pid_start is not a number");
		return -1;
	}
	r->pid_start = (unsigned long long)v;
	v = 0;
	if (get_int(h, "timeout_ms", 0, 0xffffffffLL, &v)) {
		set_err(err, len, "hung: timeout_ms is not a number");
		return -1;
	}
	r->timeout_ms = (unsigned)v;
	if (get_blks(h, "holds", r->holds, &r->nholds)) {
		set_err(err, len, "hung: holds is not a list of {name, dev \"major:minor\"}");
		return -1;
	}
	return 0;
}

/* ---- files -------------------------------------------------------------------- */

int dmstate_file_name(enum dmstate_kind kind, const char *name, char *buf, size_t len)
{
	/* dm names never hold '/' (dmw_make_name); refuse anything that could escape. */
	if (!name[0] || name[0] == '.' || strchr(name, '/') || strlen(name) > DMW_NAME_MAX + 8)
		return -1;
	if ((size_t)snprintf(buf, len, "%s-%s.json", kind == DMSTATE_DM ? "dm" : "loop", name) >=
	    len)
		return -1;
	return 0;
}

/* The directory, opened without following a symlink; made when create. */
static int open_dir(const char *dir, bool create, char *err, size_t len)
{
	struct stat st;
	int fd;

	if (create && mkdir(dir, 0755) && errno != EEXIST) {
		set_err(err, len, "cannot make %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)) {
		set_err(err, len, "%s is a symlink, not a directory: records are not kept there",
			dir);
		errno = ELOOP;
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == ELOOP || e == ENOTDIR)
			set_err(err, len, "%s is %s, not a directory: records are not kept there",
				dir, e == ELOOP ? "a symlink" : "something else");
		else if (e != ENOENT)
			set_err(err, len, "cannot open %s: %s", dir, strerror(e));
		else
			set_err(err, len, "%s does not exist", dir);
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		set_err(err, len, "%s is not a directory of this user that only it can write to: "
			"records are not kept there", dir);
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Temp file + fsync + rename in the directory dfd, then fsync of the directory. */
static int replace_at(int dfd, const char *file, const char *data, size_t len)
{
	static unsigned counter;
	char tmp[NAME_MAX + 1];
	int fd, e;

	snprintf(tmp, sizeof(tmp), ".%.200s.%d.%u.tmp", file, (int)getpid(), counter++);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) || fsync(fd)) {
		e = errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		errno = e;
		return -1;
	}
	if (close(fd) || renameat(dfd, tmp, dfd, file)) {
		e = errno;
		unlinkat(dfd, tmp, 0);
		errno = e;
		return -1;
	}
	fsync(dfd);
	return 0;
}

int dmstate_save(const char *dir, const struct dmstate_rec *r, char *err, size_t len)
{
	char file[NAME_MAX + 1], *text;
	json_t *j;
	int dfd, rc, e;

	if (dmstate_file_name(r->kind, r->name, file, sizeof(file))) {
		set_err(err, len, "'%s' cannot be a record's name", r->name);
		errno = EINVAL;
		return -1;
	}
	dfd = open_dir(dir, true, err, len);
	if (dfd < 0)
		return -1;
	j = dmstate_rec_json(r);
	text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	if (!text) {
		close(dfd);
		set_err(err, len, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	{
		size_t n = strlen(text);
		char *t = realloc(text, n + 2);

		if (t) {
			text = t;
			text[n] = '\n';
			text[n + 1] = '\0';
		}
	}
	rc = replace_at(dfd, file, text, strlen(text));
	e = errno;
	if (rc)
		set_err(err, len, "cannot write %s/%s: %s", dir, file, strerror(e));
	free(text);
	close(dfd);
	errno = e;
	return rc;
}

static int load_at(int dfd, const char *file, struct dmstate_rec *r, char *err, size_t len)
{
	char *buf;
	struct stat st;
	json_error_t jerr;
	json_t *j;
	ssize_t n;
	int fd, rc;

	fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		set_err(err, len, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_RECORD_BYTES) {
		close(fd);
		set_err(err, len, "not a regular file of at most %d bytes", MAX_RECORD_BYTES);
		errno = EINVAL;
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		set_err(err, len, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	n = pread(fd, buf, (size_t)st.st_size, 0);
	close(fd);
	if (n < 0) {
		set_err(err, len, "%s", strerror(errno));
		free(buf);
		return -1;
	}
	j = json_loadb(buf, (size_t)n, 0, &jerr);
	free(buf);
	if (!j) {
		set_err(err, len, "not JSON: %s (line %d)", jerr.text, jerr.line);
		errno = EINVAL;
		return -1;
	}
	rc = dmstate_rec_parse(j, r, err, len);
	json_decref(j);
	if (rc)
		errno = EINVAL;
	return rc;
}

int dmstate_load(const char *dir, enum dmstate_kind kind, const char *name,
		 struct dmstate_rec *r, char *err, size_t len)
{
	char file[NAME_MAX + 1], why[256];
	int dfd, rc;

	if (dmstate_file_name(kind, name, file, sizeof(file))) {
		errno = ENOENT;
		return -1;
	}
	dfd = open_dir(dir, false, why, sizeof(why));
	if (dfd < 0) {
		set_err(err, len, "%s", why);
		return -1;
	}
	rc = load_at(dfd, file, r, why, sizeof(why));
	if (rc && errno != ENOENT)
		set_err(err, len, "%s/%s: %s", dir, file, why);
	close(dfd);
	return rc;
}

int dmstate_delete(const char *dir, enum dmstate_kind kind, const char *name)
{
	char file[NAME_MAX + 1];
	int dfd, rc;

	if (dmstate_file_name(kind, name, file, sizeof(file)))
		return 0;
	dfd = open_dir(dir, false, NULL, 0);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	rc = unlinkat(dfd, file, 0);
	if (rc == 0)
		fsync(dfd);
	close(dfd);
	return rc && errno != ENOENT ? -1 : 0;
}

static bool is_record_name(const char *n)
{
	size_t l = strlen(n);

	return n[0] != '.' && l > 5 && !strcmp(n + l - 5, ".json") &&
	       (!strncmp(n, "dm-", 3) || !strncmp(n, "loop-", 5));
}

/* A writer's temporary file that outlived it. */
static void drop_stale_tmp(int dfd, const char *n)
{
	size_t l = strlen(n);
	struct stat st;

	if (n[0] != '.' || l < 5 || strcmp(n + l - 4, ".tmp"))
		return;
	if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    time(NULL) - st.st_mtime > STALE_TMP_SECS)
		unlinkat(dfd, n, 0);
}

int dmstate_load_all(const char *dir, struct dmstate_rec **recs, size_t *n, char *err,
		     size_t len)
{
	struct dmstate_rec *v = NULL;
	size_t cap = 0;
	struct dirent *de;
	DIR *dd;
	int dfd;

	*recs = NULL;
	*n = 0;
	dfd = open_dir(dir, false, err, len);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	dd = fdopendir(dfd);
	if (!dd) {
		set_err(err, len, "cannot read %s: %s", dir, strerror(errno));
		close(dfd);
		return -1;
	}
	while ((de = readdir(dd))) {
		char why[256];

		drop_stale_tmp(dfd, de->d_name);
		if (!is_record_name(de->d_name))
			continue;
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct dmstate_rec *nv = realloc(v, nc * sizeof(*v));

			if (!nv) {
				set_err(err, len, "out of memory");
				break;
			}
			v = nv;
			cap = nc;
		}
		if (load_at(dfd, de->d_name, &v[*n], why, sizeof(why))) {
			if (errno != ENOENT)  /* deleted meanwhile: fine */
				log_warn("%s/%s is not a record dmremap-bench can read (%s); left "
					 "alone", dir, de->d_name, why);
			continue;
		}
		(*n)++;
	}
	closedir(dd);
	*recs = v;
	return 0;
}

/* ---- bookkeeping ----------------------------------------------------------------- */

/* Failures to record are said once: the command goes on without its records. */
static void warn_once(const char *why)
{
	static bool said;

	if (said)
		return;
	said = true;
	log_warn("cannot keep the record of the devices dmremap-bench makes: %s (a removal "
		 "that hangs will not be remembered)", why);
}

static void stamp(struct dmstate_rec *r)
{
	r->created_unix = (long long)time(NULL);
	utc(r->created_unix, r->created, sizeof(r->created));
	r->creator_pid = (int)getpid();
	dmstate_boot_id("/proc", r->boot_id, sizeof(r->boot_id));
}

static void save_real(const struct dmstate_rec *r)
{
	char err[512];
	const char *dir = dmstate_dir(err, sizeof(err));

	if (!dir || dmstate_save(dir, r, err, sizeof(err)))
		warn_once(err);
}

void dmstate_note_dm(const char *name, const char *uuid, const struct dmw_info *info,
		     const char *type)
{
	struct dmstate_rec *r = calloc(1, sizeof(*r));

	if (!r) {
		warn_once("out of memory");
		return;
	}
	r->kind = DMSTATE_DM;
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->uuid, sizeof(r->uuid), "%s", uuid ? uuid : "");
	snprintf(r->type, sizeof(r->type), "%s", type ? type : "");
	if (info) {
		snprintf(r->path, sizeof(r->path), "%s", info->devnode);
		snprintf(r->sysname, sizeof(r->sysname), "%s", info->sysname);
		r->major = info->major;
		r->minor = info->minor;
		if (r->sysname[0])
			r->nmembers = dmstate_read_slaves("/sys", r->sysname, r->members,
							  DMSTATE_MAX_DEVS);
	}
	stamp(r);
	save_real(r);
	free(r);
}

void dmstate_note_loop(const char *path, int number, const char *under)
{
	struct dmstate_rec *r = calloc(1, sizeof(*r));
	char sys[PATH_MAX];
	FILE *f;

	if (!r) {
		warn_once("out of memory");
		return;
	}
	r->kind = DMSTATE_LOOP;
	snprintf(r->name, sizeof(r->name), "loop%d", number);
	snprintf(r->sysname, sizeof(r->sysname), "loop%d", number);
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->under, sizeof(r->under), "%s", under ? under : "");
	r->major = 7;  /* LOOP_MAJOR */
	r->minor = (unsigned)number;
	snprintf(sys, sizeof(sys), "/sys/block/loop%d/loop/backing_file", number);
	f = fopen(sys, "r");
	if (f) {
		if (!fgets(r->backing, sizeof(r->backing), f))
			r->backing[0] = '\0';
		fclose(f);
		r->backing[strcspn(r->backing, "\n")] = '\0';
	}
	stamp(r);
	save_real(r);
	free(r);
}

void dmstate_forget(enum dmstate_kind kind, const char *name)
{
	char err[512];
	const char *dir = dmstate_dir(err, sizeof(err));

	if (!dir || dmstate_delete(dir, kind, name))
		warn_once(dir ? strerror(errno) : err);
}

bool dmstate_known(const char *name)
{
	struct dmstate_rec *r = malloc(sizeof(*r));
	const char *dir = dmstate_dir(NULL, 0);
	bool known;

	if (!r)
		return false;
	known = dir && dmstate_load(dir, DMSTATE_DM, name, r, NULL, 0) == 0;
	free(r);
	return known;
}

void dmstate_note_hung(const char *name, const struct dmw_info *info, pid_t pid,
		       unsigned timeout_ms)
{
	struct dmstate_rec *r = calloc(1, sizeof(*r));
	struct deadline_proc p;
	const char *dir = dmstate_dir(NULL, 0);

	if (!r) {
		warn_once("out of memory");
		return;
	}
	if (!dir || dmstate_load(dir, DMSTATE_DM, name, r, NULL, 0)) {
		/* Made by an older dmremap-bench, or its record was lost: start one. */
		memset(r, 0, sizeof(*r));
		r->kind = DMSTATE_DM;
		snprintf(r->name, sizeof(r->name), "%s", name);
		stamp(r);
		r->creator_pid = 0;  /* not known */
	}
	if (info && info->exists) {
		snprintf(r->uuid, sizeof(r->uuid), "%s", info->uuid);
		snprintf(r->path, sizeof(r->path), "%s", info->devnode);
		snprintf(r->sysname, sizeof(r->sysname), "%s", info->sysname);
		r->major = info->major;
		r->minor = info->minor;
	}
	r->hung = true;
	r->since_unix = (long long)time(NULL) - (long long)(timeout_ms / 1000);
	utc(r->since_unix, r->since, sizeof(r->since));
	r->pid = (int)pid;
	r->timeout_ms = timeout_ms;
	if (deadline_proc_read("/proc", pid, &p) == 0)
		r->pid_start = p.start;
	deadline_describe(pid, r->what, sizeof(r->what));
	r->nholds = r->sysname[0] ?
		dmstate_read_slaves("/sys", r->sysname, r->holds, DMSTATE_MAX_DEVS) : 0;
	save_real(r);
	free(r);
}
