/*
 * The compare loader on fio's JSON output (fio --output-format=json): the
 * harness of fuzz_result_json.c, built with a corpus of real fio results
 * so that the fuzzer starts from the fio schema (jobs, clat_ns,
 * percentiles, group_reporting) rather than from ours.
 */
#include "fuzz_result_json.c"
