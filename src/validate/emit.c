/*
 * Where the result of validate goes: the JSON document or the text report,
 * to --output (under the output rule, result/output.h) or to standard
 * output. Kept to one function: the output path is shared with the other
 * commands.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/runopts.h"
#include "result/output.h"
#include "result/result_dump.h"
#include "util/log.h"
#include "validate/model.h"

int vd_emit(const struct validate *v)
{
	const struct validate_args *a = v->a;
	json_t *doc = vd_document(v);
	char *data = NULL;
	size_t len = 0;
	int rc = 0;

	if (a->output_format == OUT_JSON) {
		data = result_dumps(doc);
		len = data ? strlen(data) : 0;
	} else {
		FILE *m = open_memstream(&data, &len);

		if (m) {
			vd_print_report(m, v);
			fclose(m);
		}
	}
	json_decref(doc);
	if (!data) {
		log_error("out of memory for the result");
		return EXIT_RUNTIME;
	}
	if (a->output) {
		bool to_stdout = output_is_stdout(a->output);
		char why[OUTPUT_WHY_LEN];

		/* data is the output's now. */
		if (output_write(a->output, data, len, "the result", why, sizeof(why))) {
			log_error("--output: %s", why);
			rc = EXIT_RUNTIME;
		}
		/* Not on standard output when the document itself went there. */
		if (!to_stdout && (!a->quiet || rc))
			vd_print_report(stdout, v);
	} else {
		if (a->output_format == OUT_JSON) {
			fputs(data, stdout);
			fputc('\n', stdout);
		} else if (!a->quiet) {
			fputs(data, stdout);
		}
		free(data);
	}
	fflush(stdout);
	return rc;
}
