/* What `dmremap-bench --version` says: the version and what this build has. */
#ifndef DMRB_VERSION_H
#define DMRB_VERSION_H

#include <stdio.h>

/*
 * "dmremap-bench 0.1.0" on the first line (what scripts read), then one
 * "key: value" line each for the I/O engines built in, the sanitizers and
 * the version of the result document's schema.
 */
void version_print(FILE *f);

#endif
