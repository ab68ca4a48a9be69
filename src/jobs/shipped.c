#include "jobs/shipped.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/jobfile.h"
#include "util/log.h"

#ifndef DMRB_JOBS_DIR
#define DMRB_JOBS_DIR "/usr/local/share/dmremap-bench/jobs"
#endif

/*
 * $DMREMAP_BENCH_JOBS_DIR, else the installed directory, else jobs/ beside
 * the binary: a build in the source tree, run before it is installed.
 */
const char *jobs_dir(void)
{
	static char beside[PATH_MAX];
	const char *d = getenv("DMREMAP_BENCH_JOBS_DIR");
	ssize_t n;
	char *slash;

	if (d && *d)
		return d;
	if (access(DMRB_JOBS_DIR, F_OK) == 0)
		return DMRB_JOBS_DIR;
	n = readlink("/proc/self/exe", beside, sizeof(beside) - 6);
	if (n <= 0)
		return DMRB_JOBS_DIR;
	beside[n] = '\0';
	slash = strrchr(beside, '/');
	if (!slash)
		return DMRB_JOBS_DIR;
	strcpy(slash + 1, "jobs");
	return access(beside, F_OK) == 0 ? beside : DMRB_JOBS_DIR;
}

int jobs_shipped_path(const char *type, const char *level, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s-%s.fio", jobs_dir(), type, level);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int jobs_list(FILE *f)
{
	DIR *d = opendir(jobs_dir());
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	int rc = 0;

	if (!d) {
		log_error("cannot list the job files in %s: %s (set DMREMAP_BENCH_JOBS_DIR?)",
			  jobs_dir(), strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".fio") != 0)
			continue;
		if (n == cap) {
			char **m = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*names));

			if (!m) {
				rc = -1;
				break;
			}
			names = m;
		}
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc)
		log_error("out of memory listing %s", jobs_dir());
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n && !rc; i++) {
		char path[PATH_MAX + 256];
		struct jobfile jf;

		snprintf(path, sizeof(path), "%s/%s", jobs_dir(), names[i]);
		if (jobfile_parse_file(&jf, path))
			fprintf(f, "%-32s (does not parse: %s)\n", names[i], jf.err);
		else
			fprintf(f, "%-32s %s\n", names[i], jf.description);
		jobfile_free(&jf);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int jobs_show(FILE *f, const char *path)
{
	FILE *in = fopen(path, "re");
	char buf[4096];
	size_t k;

	if (!in) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((k = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, k, f);
	fclose(in);
	return 0;
}
