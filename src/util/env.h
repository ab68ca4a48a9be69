/* Facts about the machine a result was measured on. */
#ifndef DMRB_ENV_H
#define DMRB_ENV_H

#include <jansson.h>

unsigned env_online_cpus(void);
/* The number a /proc or /sys file starts with; 0 when it cannot be read. */
unsigned long env_read_ulong(const char *path);
/* {kernel, hostname, cpus, start_time}; start_time given by the caller. */
json_t *env_json(const char *start_time);

#endif
