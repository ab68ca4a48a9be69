#include "sys/procstat.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const cpu_tick_names[CT_KINDS] = {
	"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
};

/* Up to max numbers after the word at p; how many were read. */
static unsigned numbers(const char *p, uint64_t *v, unsigned max)
{
	unsigned n = 0;

	while (n < max) {
		char *end;
		unsigned long long x;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		errno = 0;
		x = strtoull(p, &end, 10);
		if (errno)
			break;
		v[n++] = x;
		p = end;
	}
	return n;
}

int procstat_parse(const char *text, struct cpu_ticks *out)
{
	const char *line = text;
	bool have_cpu = false;

	memset(out, 0, sizeof(*out));
	while (line && *line) {
		const char *nl = strchr(line, '\n');

		if (!strncmp(line, "cpu ", 4)) {
			have_cpu = numbers(line + 4, out->t, CT_KINDS) >= 4;
		} else if (!strncmp(line, "cpu", 3) && line[3] >= '0' && line[3] <= '9') {
			out->cpus++;
		} else if (!strncmp(line, "intr ", 5)) {
			numbers(line + 5, &out->intr, 1);
		} else if (!strncmp(line, "ctxt ", 5)) {
			numbers(line + 5, &out->ctxt, 1);
		}
		line = nl ? nl + 1 : NULL;
	}
	return have_cpu ? 0 : -1;
}

int procstat_read(const char *procroot, struct cpu_ticks *out)
{
	/* "intr" lists every interrupt line: tens of kilobytes on a large machine. */
	size_t cap = 1 << 16, len = 0;
	char path[4200], *buf = malloc(cap);
	int fd, rc = -1;

	if (!buf)
		return -1;
	snprintf(path, sizeof(path), "%s/stat", procroot ? procroot : "/proc");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	for (;;) {
		ssize_t n;

		if (len + 1 == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				goto out;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	rc = procstat_parse(buf, out);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}
