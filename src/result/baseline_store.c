#include "result/baseline_store.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "result/history.h"
#include "result/load.h"
#include "result/output.h"
#include "result/result_dump.h"

void baseline_dir(const char *dir, char *out, size_t len)
{
	const char *env = getenv("DMREMAP_BENCH_BASELINE_DIR");
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (dir && *dir)
		snprintf(out, len, "%s", dir);
	else if (env && *env)
		snprintf(out, len, "%s", env);
	else if (geteuid() == 0)
		snprintf(out, len, "/var/lib/dmremap-bench/baselines");
	else if (xdg && *xdg)
		snprintf(out, len, "%s/dmremap-bench/baselines", xdg);
	else
		snprintf(out, len, "%s/.local/share/dmremap-bench/baselines", home ? home : ".");
}

int baseline_name_check(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > BASELINE_NAME_MAX || name[0] == '.' || baseline_is_file(name))
		return -1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
			return -1;
	return 0;
}

void baseline_path(const char *dir, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s.json", dir, name);
}

int baseline_save(const char *dir, const char *name, json_t *doc, char *why, size_t wlen)
{
	char path[PATH_MAX];
	char *data;
	int err;

	baseline_path(dir, name, path, sizeof(path));
	if (make_dirs(dir)) {
		err = errno;
		snprintf(why, wlen, "cannot create %s: %s", dir, strerror(err));
		errno = err;
		return OUTPUT_FAILED;
	}
	data = result_dumps(doc);
	if (!data) {
		snprintf(why, wlen, "cannot write %s: %s", path, strerror(ENOMEM));
		errno = ENOMEM;
		return OUTPUT_FAILED;
	}
	return output_write(path, data, strlen(data), "the baseline", why, wlen);
}

int baseline_add(const char *dir, const char *name, json_t *doc, unsigned keep, char *err,
		 size_t elen, bool *refused)
{
	char path[PATH_MAX], where[PATH_MAX], lerr[768];
	json_t *old = NULL, *hist;
	struct stat st;
	int rc;

	*refused = false;
	baseline_path(dir, name, path, sizeof(path));
	if (json_object_get(doc, "fio version") || history_is(doc)) {
		hist = json_incref(doc);
	} else {
		if (lstat(path, &st) == 0) {
			old = baseline_load(dir, name, where, sizeof(where), lerr, sizeof(lerr));
			if (!old) {
				snprintf(err, elen, "the stored baseline cannot be read: %s", lerr);
				*refused = true;
				return -1;
			}
			if (json_object_get(old, "fio version")) {
				snprintf(err, elen, "%s holds fio output, not runs of dmremap-bench "
					 "('baseline delete %s' first)", path, name);
				json_decref(old);
				*refused = true;
				return -1;
			}
		}
		hist = history_append(old, doc, name, keep, err, elen);
		json_decref(old);
		if (!hist) {
			*refused = strstr(err, "another workload") != NULL;
			errno = ENOMEM;
			return -1;
		}
	}
	rc = baseline_save(dir, name, hist, err, elen);
	if (rc == OUTPUT_FAILED)
		snprintf(err, elen, "cannot store it in %s: %s", dir, strerror(errno));
	json_decref(hist);
	return rc ? -1 : 0;
}

bool baseline_is_file(const char *value)
{
	size_t n = strlen(value);

	return strchr(value, '/') || (n >= 5 && strcmp(value + n - 5, ".json") == 0);
}

json_t *baseline_load(const char *dir, const char *name_or_file, char *where, size_t wlen,
		      char *err, size_t elen)
{
	struct stat st;

	/* The value alone decides: a file in the current directory never hijacks a name. */
	if (baseline_is_file(name_or_file)) {
		snprintf(where, wlen, "%s", name_or_file);
	} else {
		if (baseline_name_check(name_or_file)) {
			snprintf(err, elen, "'%s' is neither a file (a path with a '/' or ending "
				 "in .json) nor a valid baseline name (letters, digits, '.', '_', "
				 "'-'; no leading dot)", name_or_file);
			return NULL;
		}
		baseline_path(dir, name_or_file, where, wlen);
		if (lstat(where, &st) && errno == ENOENT) {
			snprintf(err, elen, "no baseline named '%s' in %s (a file needs a '/' or "
				 "the ending .json: ./%s)", name_or_file, dir, name_or_file);
			return NULL;
		}
	}
	return result_load(where, 0, err, elen);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int baseline_list(const char *dir, void (*fn)(const char *name, const char *path, void *arg),
		  void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char *name;

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

			if (!nn)
				break;
			names = nn;
		}
		name = strndup(de->d_name, len - 5);
		if (!name)
			break;
		names[n++] = name;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];

		baseline_path(dir, names[i], path, sizeof(path));
		fn(names[i], path, arg);
		free(names[i]);
	}
	free(names);
	return (int)n;
}

int baseline_delete(const char *dir, const char *name)
{
	char path[PATH_MAX];

	baseline_path(dir, name, path, sizeof(path));
	return unlink(path);
}
