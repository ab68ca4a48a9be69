/*
 * validate's result document for the schema test, written by the code
 * that writes it (vd_document), checks made by vd_run_checks: validate
 * itself needs device-mapper, which only the VM suite has. The state is
 * that of a small run on dm-remap-v4 (one bad range, every block written
 * and read back, one remapped), filled in here; only the document's
 * shape is under test.
 *
 * usage: mkdoc_validate OUT.json
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result/result_dump.h"
#include "validate/model.h"

int main(int argc, char **argv)
{
	static struct validate v;
	struct validate_args a = {
		.main_dev = "/dev/loop0", .spare_dev = "/dev/loop1", .type = "dm-remap-v4",
		.bad_list = "1000-1007", .retries = 3, .latency_reads = 32, .seed = 42,
		.retry_delay_ns = 100000000, .bs = 4096, .timeout_ns = 10000000000ULL,
		.output_format = 1,
	};
	char table[] = "0 32768 dm-remap-v4 /dev/mapper/dmrb-validate-loop0-disk /dev/loop1";
	char disk_table[] = "0 1000 linear /dev/loop0 0\n1000 8 error\n1008 31760 linear /dev/loop0 1008";
	uint64_t v_ns;
	char *text;
	json_t *doc;
	FILE *f;
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: mkdoc_validate OUT.json\n");
		return 2;
	}
	snprintf(a.name, sizeof(a.name), "dmrb-validate-loop0");
	v.a = &a;
	snprintf(v.start_time, sizeof(v.start_time), "2026-12-05T10:00:00Z");
	snprintf(v.disk_main.path, sizeof(v.disk_main.path), "/dev/loop0");
	snprintf(v.disk_name, sizeof(v.disk_name), "dmrb-validate-loop0-disk");
	v.disk_table = disk_table;
	v.bad[0] = (struct range){ .start = 1000, .len = 8 };
	v.nbad = 1;
	v.bad_sectors = 8;
	snprintf(v.top.name, sizeof(v.top.name), "dmrb-validate-loop0");
	snprintf(v.top.uuid, sizeof(v.top.uuid), "DMRB-validate-loop0");
	snprintf(v.top.main.path, sizeof(v.top.main.path), "/dev/mapper/dmrb-validate-loop0-disk");
	snprintf(v.top.spare.path, sizeof(v.top.spare.path), "/dev/loop1");
	snprintf(v.top.info.devnode, sizeof(v.top.info.devnode), "/dev/mapper/dmrb-validate-loop0");
	v.top_table = table;
	v.size = 16 << 20;
	v.nblocks = v.size / 4096;
	v.bs = 4096;
	v.lbs = 512;
	v.wr = (struct pass_stats){ .blocks = v.nblocks, .ok_first = v.nblocks - 1, .recovered = 1,
		.attempts = v.nblocks + 1, .failed_attempts = 1, .bad_blocks = 1, .bad_failed_first = 1 };
	v.wr.notes[0] = (struct io_note){ .off = 1000 * 512 / 4096 * 4096, .write = true, .bad = true,
		.attempts = 2, .first_err = 5, .recovered = true };
	v.wr.nnotes = 1;
	v.rd = (struct pass_stats){ .blocks = v.nblocks, .ok_first = v.nblocks, .attempts = v.nblocks,
		.bad_blocks = 1 };
	v.checked = v.nblocks;
	v.remapped_blocks = 1;
	if (hist_init(&v.lat_normal, HIST_BITS_PRECISE) || hist_init(&v.lat_remapped, HIST_BITS_PRECISE))
		return 1;
	for (i = 0, v_ns = 20000; i < 64; i++, v_ns += 311)
		hist_record(&v.lat_normal, v_ns);
	for (i = 0, v_ns = 45000; i < 32; i++, v_ns += 523)
		hist_record(&v.lat_remapped, v_ns);
	v.lat.ops.attempts = 32;
	v.flush.ran = true;
	v.flush.ops.attempts = 4;
	v.teardown_ok = v.teardown_verified = true;
	vd_run_checks(&v);
	doc = vd_document(&v);
	text = doc ? result_dumps(doc) : NULL;
	f = text ? fopen(argv[1], "w") : NULL;
	if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f)) {
		fprintf(stderr, "mkdoc_validate: cannot write %s\n", argv[1]);
		return 1;
	}
	free(text);
	json_decref(doc);
	hist_free(&v.lat_normal);
	hist_free(&v.lat_remapped);
	return 0;
}
