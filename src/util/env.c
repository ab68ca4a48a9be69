#include "util/env.h"

#include <sys/utsname.h>
#include <unistd.h>

unsigned env_online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
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
