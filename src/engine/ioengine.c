/* The I/O engines this build has, by name. */
#include "engine/ioengine.h"

#include <string.h>

static const struct ioeng_ops *const engines[] = {
	&ioeng_libaio,
#ifdef HAVE_LIBURING
	&ioeng_io_uring,
#endif
};

const struct ioeng_ops *ioeng_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}
