#include "cli/version.h"

#include "cli/runopts.h"
#include "engine/ioengine.h"
#include "result/result_json.h"

void version_print(FILE *f)
{
	const char *const *e;
	int n = 0;

	fprintf(f, "dmremap-bench %s\n", PACKAGE_VERSION);
	fprintf(f, "engines: ");
	/* Every engine the option knows, as far as this build has it. */
	for (e = engine_names; *e; e++)
		if (ioeng_find(*e))
			fprintf(f, "%s%s", n++ ? ", " : "", *e);
	fprintf(f, "%s\n", n ? "" : "none");
	fprintf(f, "sanitizers: %s\n", DMRB_SANITIZERS);
	fprintf(f, "result schema: %d\n", RESULT_SCHEMA_VERSION);
}
