/*
 * The text of a document the tool writes (results, comparisons,
 * baselines): indented two spaces like JSON_INDENT(2), except that small
 * parts stay on one line, so that a run's time series takes one line per
 * interval instead of thirty:
 *
 *  - an element of an array that nests at most one level below itself
 *    (an interval with its read_lat_ns and write_lat_ns, an error entry,
 *    a comparison metric, a slice pair's summary);
 *  - an object member whose value nests nothing (only numbers, strings,
 *    booleans, null, empty containers) and whose one-line form is at most
 *    RESULT_DUMP_LINE bytes;
 *  - a histogram ("bits" and "buckets": one string already, or schema 1's
 *    [index, count] pairs);
 *
 * everything else is indented. Only the white space differs from
 * json_dumps(): the values, the keys and their order are the same, and
 * numbers are written with the same precision (JSON_REAL_PRECISION(10)),
 * so the document parses to the same JSON.
 */
#ifndef DMRB_RESULT_DUMP_H
#define DMRB_RESULT_DUMP_H

#include <jansson.h>
#include <stddef.h>

#define RESULT_DUMP_LINE 256

/* The document as text (malloc'd, NUL-terminated, no final newline), or NULL (out of memory). */
char *result_dumps(const json_t *doc);

#endif
