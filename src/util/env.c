#include "util/env.h"

#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>

unsigned env_online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

unsigned long env_read_ulong(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned long v = 0;

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

json_t *env_json(const char *start_time)
{
	struct utsname u;

	if (uname(&u))
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:I, s:s}",
			 "kernel", u.release,
			 "machine", u.machine,
			 "hostname", u.nodename,
			 "cpus", (json_int_t)env_online_cpus(),
			 "start_time", start_time);
}
