#include "result/load.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "result/fio.h"

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ?
		"a character device" : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ?
		"a socket" : "not a regular file";
}

int load_open_regular(const char *path, uint64_t max_bytes, uint64_t *size, char *err,
		      size_t elen)
{
	struct stat st;
	int fd, fl;

	/* Nothing blocks the open itself: a FIFO without a writer, a tty, a device. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, elen, "%s: cannot read it: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, elen, "%s: cannot read it: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, elen, "%s is %s (allowed: a regular file)", path,
			 file_kind(st.st_mode));
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > max_bytes) {
		snprintf(err, elen, "%s holds %llu bytes, more than the %llu bytes a document may "
			 "have", path, (unsigned long long)st.st_size,
			 (unsigned long long)max_bytes);
		close(fd);
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK)) {
		snprintf(err, elen, "%s: cannot read it: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/* All of fd, at most max bytes (more is an error); a malloc'd buffer. */
static char *read_all(int fd, uint64_t hint, uint64_t max, size_t *len, const char *path,
		      char *err, size_t elen)
{
	size_t cap = hint ? (size_t)hint + 1 : 65536, n = 0;
	char *buf = malloc(cap);

	if (!buf) {
		snprintf(err, elen, "%s: out of memory for %zu bytes", path, cap);
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap > max) {
				snprintf(err, elen, "%s holds more than the %llu bytes a document may "
					 "have", path, (unsigned long long)max);
				free(buf);
				return NULL;
			}
			cap = cap * 2 > max + 1 ? (size_t)max + 1 : cap * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				snprintf(err, elen, "%s: out of memory for %zu bytes", path, cap);
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, elen, "%s: cannot read it: %s", path, strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		snprintf(err, elen, "%s holds more than the %llu bytes a document may have", path,
			 (unsigned long long)max);
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* One line of a series: a JSON object, else NULL. */
static json_t *series_line(const char *p, size_t len)
{
	json_t *j = json_loadb(p, len, JSON_REJECT_DUPLICATES, NULL);

	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* The companion's lines as an array; a last line cut short (a crash) is left out. */
static json_t *series_lines(const char *buf, size_t len, const char *name, char *err,
			    size_t elen)
{
	json_t *a = json_array();
	size_t at = 0, line = 0;

	while (a && at < len) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;
		json_t *j;

		line++;
		if (!nl)
			break;  /* torn: the writer never finished it */
		j = series_line(buf + at, n);
		at += n + 1;
		if (!j) {
			/* The last line may be torn inside a write of several. */
			if (at >= len)
				break;
			snprintf(err, elen, "%s: line %zu is not a JSON object (an interval)", name,
				 line);
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, j);
	}
	if (!a)
		snprintf(err, elen, "%s: out of memory", name);
	return a;
}

/*
 * "intervals_file" (doc/result-schema-v2.md, section 5): read the companion
 * beside the document and put its lines into results.intervals, as if inline.
 */
static int load_series(json_t *doc, const char *path, bool in, char *err, size_t elen)
{
	json_t *f = json_object_get(doc, "intervals_file"), *res = json_object_get(doc, "results");
	const char *rel = json_string_value(json_object_get(f, "path"));
	char dir[PATH_MAX], where[2 * PATH_MAX], real[PATH_MAX], *buf;
	json_t *lines, *last;
	uint64_t size = 0;
	size_t len = 0;
	int fd;

	if (!f)
		return 0;
	if (!json_is_object(res) || !rel || !*rel || rel[0] == '/' || strstr(rel, "..")) {
		snprintf(err, elen, "%s: \"intervals_file\" needs \"path\", a name relative to "
			 "the document's directory, and the document \"results\"", in ?
			 "standard input" : path);
		return -1;
	}
	if (in) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		snprintf(real, sizeof(real), "%s", path);
		if (!realpath(path, real))
			snprintf(real, sizeof(real), "%s", path);
		snprintf(dir, sizeof(dir), "%s", dirname(real));
	}
	snprintf(where, sizeof(where), "%s/%s", dir, rel);
	fd = load_open_regular(where, RESULT_LOAD_MAX_BYTES, &size, err, elen);
	if (fd < 0)
		return -1;
	buf = read_all(fd, size, RESULT_LOAD_MAX_BYTES, &len, where, err, elen);
	close(fd);
	if (!buf)
		return -1;
	lines = series_lines(buf, len, where, err, elen);
	free(buf);
	if (!lines)
		return -1;
	/* A document written at the start: the series so far says how far the run got. */
	if (json_is_false(json_object_get(doc, "complete")) && !json_object_get(res, "total")) {
		double ops = 0;
		size_t i;
		json_t *iv;

		last = json_array_get(lines, json_array_size(lines) - 1);
		if (json_is_number(json_object_get(last, "t_s")))
			json_object_set(res, "duration_s", json_object_get(last, "t_s"));
		json_array_foreach(lines, i, iv) {
			double l = json_number_value(json_object_get(iv, "len_s"));

			ops += (json_number_value(json_object_get(iv, "read_iops")) +
				json_number_value(json_object_get(iv, "write_iops"))) * l;
		}
		json_object_set_new(res, "ops_so_far", json_integer((json_int_t)(ops + 0.5)));
	}
	json_object_set_new(res, "intervals", lines);
	return 0;
}

/*
 * fio --status-interval output: several fio documents one after the other.
 * The last is the result, the earlier ones its intervals (result/fio.h).
 * NULL when buf is no such stream (*stream false) or, with *stream true,
 * when it is one that cannot be read (err says why).
 */
static json_t *load_fio_stream(const char *buf, size_t len, const char *name, bool *stream,
			       char *err, size_t elen)
{
	char sub[512];
	json_t *doc;

	*stream = fio_stream_probe(buf, len);
	if (!*stream)
		return NULL;
	doc = fio_stream_parse(buf, len, sub, sizeof(sub));
	if (!doc)
		snprintf(err, elen, "%s %s", name, sub);
	return doc;
}

json_t *result_load(const char *path, unsigned flags, char *err, size_t elen)
{
	bool in = (flags & LOAD_STDIN) && strcmp(path, "-") == 0;
	const char *name = in ? "standard input" : path;
	uint64_t size = 0;
	json_error_t jerr;
	char *buf, sub[512];
	size_t len = 0;
	bool stream = false;
	json_t *doc;
	int fd;

	fd = in ? STDIN_FILENO : load_open_regular(path, RESULT_LOAD_MAX_BYTES, &size, err, elen);
	if (fd < 0)
		return NULL;
	buf = read_all(fd, size, RESULT_LOAD_MAX_BYTES, &len, name, err, elen);
	if (!in)
		close(fd);
	if (!buf)
		return NULL;
	/* Duplicate keys are refused: which of two values a reader takes is no rule. */
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		doc = load_fio_stream(buf, len, name, &stream, err, elen);
	free(buf);
	if (!doc && stream)
		return NULL;
	if (!doc) {
		snprintf(err, elen, "%s: not valid JSON (line %d: %s)", name, jerr.line, jerr.text);
		return NULL;
	}
	if (!json_is_object(doc)) {
		snprintf(err, elen, "%s: expected a JSON object (a dmremap-bench or fio result)",
			 name);
		json_decref(doc);
		return NULL;
	}
	if (load_series(doc, path, in, err, elen)) {
		json_decref(doc);
		return NULL;
	}
	if (!(flags & LOAD_NO_VALIDATE) && result_validate(doc, sub, sizeof(sub))) {
		snprintf(err, elen, "%s %s", name, sub);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* ---- validation ------------------------------------------------------------ */

enum want { W_OBJECT, W_ARRAY, W_STRING, W_COUNT, W_NUMBER };

static const char *const want_names[] = {
	[W_OBJECT] = "an object", [W_ARRAY] = "an array", [W_STRING] = "a string",
	[W_COUNT] = "a whole number of at least 0", [W_NUMBER] = "a number of at least 0",
};

struct vctx {
	char *err;
	size_t elen;
	const char *what;       /* "dmremap-bench result", "fio output" */
};

static bool has_type(json_t *v, enum want w)
{
	switch (w) {
	case W_OBJECT:
		return json_is_object(v);
	case W_ARRAY:
		return json_is_array(v);
	case W_STRING:
		return json_is_string(v);
	case W_COUNT:
		return json_is_integer(v) && json_integer_value(v) >= 0;
	default:
		return json_is_number(v) && json_number_value(v) >= 0;
	}
}

/* o.key of type w, else the message naming prefix.key; NULL then. */
static json_t *need(struct vctx *c, json_t *o, const char *prefix, const char *key, enum want w)
{
	json_t *v = json_object_get(o, key);

	if (has_type(v, w))
		return v;
	snprintf(c->err, c->elen, "is not a complete %s: \"%s%s%s\" is %s (expected %s)",
		 c->what, prefix, *prefix ? "." : "", key, v ? "of the wrong type" : "missing",
		 want_names[w]);
	return NULL;
}

/* {ops, bytes, iops, bw_bytes_per_s, lat_ns{mean, p50, p99, p99.9}} */
static int check_dir(struct vctx *c, json_t *r, const char *prefix, const char *dir)
{
	static const char *const lat[] = { "mean", "p50", "p99", "p99.9" };
	char p[256], pl[300];
	json_t *d, *l;
	size_t i;

	snprintf(p, sizeof(p), "%s.%s", prefix, dir);
	if (!(d = need(c, r, prefix, dir, W_OBJECT)) || !need(c, d, p, "ops", W_COUNT) ||
	    !need(c, d, p, "bytes", W_COUNT) || !need(c, d, p, "iops", W_NUMBER) ||
	    !need(c, d, p, "bw_bytes_per_s", W_NUMBER) || !(l = need(c, d, p, "lat_ns", W_OBJECT)))
		return -1;
	snprintf(pl, sizeof(pl), "%s.lat_ns", p);
	for (i = 0; i < sizeof(lat) / sizeof(lat[0]); i++)
		if (!need(c, l, pl, lat[i], W_NUMBER))
			return -1;
	return 0;
}

/* read, write, total and errors of a run, a stream, a step or a phase. */
static int check_totals(struct vctx *c, json_t *r, const char *prefix)
{
	static const char *const dirs[] = { "total", "read", "write" };
	static const char *const errs[] = { "io", "short", "verify" };
	char p[256];
	json_t *e;
	size_t i;

	for (i = 0; i < 3; i++)
		if (check_dir(c, r, prefix, dirs[i]))
			return -1;
	snprintf(p, sizeof(p), "%s.errors", prefix);
	if (!(e = need(c, r, prefix, "errors", W_OBJECT)))
		return -1;
	for (i = 0; i < 3; i++)
		if (!need(c, e, p, errs[i], W_COUNT))
			return -1;
	return 0;
}

/* A run's results, or one step or phase (the same shape). */
/* series: the results carry their interval series (a run's own results do not: the merge has it). */
static int check_run(struct vctx *c, json_t *r, const char *prefix, bool nested, bool series)
{
	static const char *const lists[] = { "streams", "steps", "phases" };
	char p[256];
	size_t i, k;
	json_t *x;

	if (check_totals(c, r, prefix) || !need(c, r, prefix, "duration_s", W_NUMBER) ||
	    (series && !need(c, r, prefix, "intervals", W_ARRAY)))
		return -1;
	for (k = 0; k < (nested ? 1u : 3u); k++) {
		json_t *a = json_object_get(r, lists[k]);

		if (!a)
			continue;
		if (!need(c, r, prefix, lists[k], W_ARRAY))
			return -1;
		json_array_foreach(a, i, x) {
			snprintf(p, sizeof(p), "%s.%s[%zu]", prefix, lists[k], i);
			if (!json_is_object(x)) {
				snprintf(c->err, c->elen, "is not a complete %s: \"%s\" is not an "
					 "object", c->what, p);
				return -1;
			}
			if (k == 0 ? check_totals(c, x, p) : check_run(c, x, p, true, series))
				return -1;
		}
	}
	return 0;
}

/*
 * The devices of a run, or the hosts of a fleet (each with its devices):
 * every node an object with complete results (doc/result-schema-v2.md).
 */
static int check_nodes(struct vctx *c, json_t *o, const char *where, const char *key)
{
	json_t *a = json_object_get(o, key), *x;
	char item[96], prefix[128];
	size_t i;

	if (!a)
		return 0;
	if (!need(c, o, where, key, W_ARRAY))
		return -1;
	json_array_foreach(a, i, x) {
		snprintf(item, sizeof(item), "%s%s%s[%zu]", where, *where ? "." : "", key, i);
		if (!json_is_object(x)) {
			snprintf(c->err, c->elen, "is not a complete %s: \"%s\" is not an object",
				 c->what, item);
			return -1;
		}
		snprintf(prefix, sizeof(prefix), "%s.results", item);
		if (!need(c, x, item, "results", W_OBJECT) ||
		    check_run(c, json_object_get(x, "results"), prefix, false, false))
			return -1;
		if (!strcmp(key, "hosts") && (!need(c, x, item, "hostname", W_STRING) ||
					       check_nodes(c, x, item, "devices")))
			return -1;
	}
	return 0;
}

/* Every element of doc's array key (runs of a result or of a history) holds a whole result. */
static int check_runs(struct vctx *c, json_t *doc, const char *key, bool required)
{
	json_t *runs = json_object_get(doc, key), *x;
	char prefix[48], item[40];
	size_t i;

	if (!runs && !required)
		return 0;
	if (!need(c, doc, "", key, W_ARRAY))
		return -1;
	if (required && !json_array_size(runs)) {
		snprintf(c->err, c->elen, "\"%s\" is empty (a baseline holds at least one run)", key);
		return -1;
	}
	json_array_foreach(runs, i, x) {
		snprintf(item, sizeof(item), "%s[%zu]", key, i);
		if (!json_is_object(x)) {
			snprintf(c->err, c->elen, "is not a complete %s: \"%s\" is not an object",
				 c->what, item);
			return -1;
		}
		snprintf(prefix, sizeof(prefix), "%s.results", item);
		if (!need(c, x, item, "results", W_OBJECT) ||
		    check_run(c, json_object_get(x, "results"), prefix, false, false))
			return -1;
	}
	return 0;
}

static int check_ours(struct vctx *c, json_t *doc)
{
	json_t *r, *cmp = json_object_get(doc, "comparison");
	const char *command, *kind = json_string_value(json_object_get(doc, "kind"));

	c->what = "dmremap-bench result";
	if (!need(c, doc, "", "command", W_STRING))
		return -1;
	if (kind && strcmp(kind, "baseline") == 0) {
		c->what = "dmremap-bench baseline";
		return check_runs(c, doc, "runs", true);
	}
	command = json_string_value(json_object_get(doc, "command"));
	if (strcmp(command, "validate") == 0)
		return need(c, doc, "", "checks", W_ARRAY) && need(c, doc, "", "verdict", W_STRING) ?
			0 : -1;
	if (cmp && (!need(c, doc, "", "comparison", W_OBJECT) ||
		    !need(c, cmp, "comparison", "metrics", W_ARRAY) ||
		    !need(c, cmp, "comparison", "verdict", W_STRING)))
		return -1;
	if (cmp && !json_object_get(doc, "results") && strcmp(command, "compare") == 0)
		return 0;  /* the document of compare -o */
	if (!(r = need(c, doc, "", "results", W_OBJECT)))
		return -1;
	/* An endurance document written during the run: the series so far. */
	if (json_is_false(json_object_get(doc, "complete")) &&
	    !json_object_get(r, "total"))
		return need(c, r, "results", "duration_s", W_NUMBER) &&
		       need(c, r, "results", "intervals", W_ARRAY) ? 0 : -1;
	if (check_run(c, r, "results", false, true) || check_runs(c, doc, "runs", false) ||
	    check_nodes(c, doc, "", "devices") || check_nodes(c, doc, "", "hosts"))
		return -1;
	r = json_object_get(doc, "reference");
	if (r && (!need(c, doc, "", "reference", W_OBJECT) ||
		  !need(c, r, "reference", "results", W_OBJECT) ||
		  check_run(c, json_object_get(r, "results"), "reference.results", false, true)))
		return -1;
	return 0;
}

/* Each job: read and write with total_ios, iops, bw, clat_ns.mean. */
static int check_fio(struct vctx *c, json_t *doc)
{
	static const char *const dirs[] = { "read", "write" };
	json_t *jobs, *job, *d, *l;
	char p[64], pd[80], pl[96];
	size_t i, k;

	c->what = "fio output";
	if (!need(c, doc, "", "fio version", W_STRING) ||
	    !(jobs = need(c, doc, "", "jobs", W_ARRAY)))
		return -1;
	json_array_foreach(jobs, i, job) {
		snprintf(p, sizeof(p), "jobs[%zu]", i);
		if (!json_is_object(job)) {
			snprintf(c->err, c->elen, "is not a complete fio output: \"%s\" is not an "
				 "object", p);
			return -1;
		}
		for (k = 0; k < 2; k++) {
			snprintf(pd, sizeof(pd), "%s.%s", p, dirs[k]);
			if (!(d = need(c, job, p, dirs[k], W_OBJECT)) ||
			    !need(c, d, pd, "total_ios", W_COUNT) || !need(c, d, pd, "iops", W_NUMBER) ||
			    !need(c, d, pd, json_object_get(d, "bw_bytes") ? "bw_bytes" : "bw",
				  W_NUMBER))
				return -1;
			/* fio 3.0 and later: clat in ns (older fio wrote clat in us). */
			snprintf(pl, sizeof(pl), "%s.clat_ns", pd);
			if (!(l = need(c, d, pd, "clat_ns", W_OBJECT)) || !need(c, l, pl, "mean", W_NUMBER))
				return -1;
		}
		if (!need(c, job, p, "error", W_COUNT))
			return -1;
	}
	return 0;
}

int result_validate(json_t *doc, char *err, size_t elen)
{
	struct vctx c = { .err = err, .elen = elen };
	const char *tool = json_string_value(json_object_get(doc, "tool"));

	if (json_object_get(doc, "fio version"))
		return check_fio(&c, doc);
	if (tool && strcmp(tool, "dmremap-bench") == 0)
		return check_ours(&c, doc);
	snprintf(err, elen, "is neither a dmremap-bench result nor fio JSON output "
		 "(fio --output-format=json)");
	return -1;
}
