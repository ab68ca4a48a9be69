/* Writing result and baseline files so that readers never see half a file. */
#ifndef DMRB_ATOMIC_FILE_H
#define DMRB_ATOMIC_FILE_H

#include <stddef.h>

/*
 * Replace path with data: a temporary file in the same directory, fsync,
 * rename, fsync of the directory. A path that exists and is not a regular
 * file (/dev/stdout, a FIFO, /dev/full) is written directly instead.
 * On failure nothing is left under path's name and -1 is returned with
 * errno set.
 */
int atomic_write_file(const char *path, const char *data, size_t len);

/* mkdir -p: dir and every missing parent (mode 0755). 0 or -1 with errno. */
int make_dirs(const char *dir);

#endif
