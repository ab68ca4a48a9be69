/*
 * The bad sectors, the failing disk (linear segments around error
 * segments, or one linear segment with --inject message) and the device
 * under test on top of it: built, injected, read, torn down.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/options.h"
#include "dm/dm.h"
#include "dm/stack.h"
#include "engine/prng.h"
#include "target/safety.h"
#include "util/log.h"
#include "validate/model.h"


static int cmp_range(const void *x, const void *y)
{
	const struct range *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* Given or random, aligned to the logical block, sorted, merged, inside the device. */
static int pick_bad(struct validate *v, uint64_t sectors, uint32_t lbs)
{
	const struct validate_args *a = v->a;
	uint64_t align = lbs / 512 ? lbs / 512 : 1;
	unsigned i, n = 0;

	if (a->bad_list) {
		for (i = 0; i < a->ngiven; i++)
			if (a->given[i].start + a->given[i].len > sectors) {
				log_error("--bad-sectors: sector %llu is past the end of %s (%llu "
					  "sectors)", (unsigned long long)(a->given[i].start +
					  a->given[i].len - 1), a->main_dev,
					  (unsigned long long)sectors);
				return EXIT_USAGE;
			}
		memcpy(v->bad, a->given, a->ngiven * sizeof(v->bad[0]));
		n = a->ngiven;
	} else {
		/* One in each of N equal zones: spread, and the same for the same seed. */
		uint64_t zone = sectors / a->bad_count;
		struct prng r;

		prng_seed(&r, a->seed, 0x6261642d73656374ULL);
		for (i = 0; i < a->bad_count; i++)
			v->bad[i] = (struct range){ i * zone + prng_below(&r, zone), 1 };
		n = a->bad_count;
	}
	for (i = 0; i < n; i++) {
		uint64_t s = v->bad[i].start / align * align;
		uint64_t e = (v->bad[i].start + v->bad[i].len + align - 1) / align * align;

		v->bad[i] = (struct range){ s, e - s };
	}
	qsort(v->bad, n, sizeof(v->bad[0]), cmp_range);
	v->nbad = 0;
	for (i = 0; i < n; i++) {
		struct range *last = v->nbad ? &v->bad[v->nbad - 1] : NULL;

		if (last && v->bad[i].start <= last->start + last->len) {
			uint64_t e = v->bad[i].start + v->bad[i].len;

			if (e > last->start + last->len)
				last->len = e - last->start;
		} else {
			v->bad[v->nbad++] = v->bad[i];
		}
	}
	v->bad_sectors = 0;
	for (i = 0; i < v->nbad; i++)
		v->bad_sectors += v->bad[i].len;
	return 0;
}

/* linear segments around error segments (table), or one linear segment (message). */
static int build_disk(struct validate *v)
{
	struct dmw_segment seg[2 * VALIDATE_MAX_RANGES + 1];
	char uuid[DMW_UUID_MAX + 1];
	uint64_t pos = 0, end = v->disk_main.sectors;
	size_t n = 0;
	unsigned i;
	int rc;

	snprintf(v->disk_name, sizeof(v->disk_name), "%.*s-disk", DMW_NAME_MAX - 8, v->a->name);
	for (i = 0; v->a->inject == INJECT_TABLE && i < v->nbad; i++) {
		if (v->bad[i].start > pos)
			seg[n++] = (struct dmw_segment){ pos, v->bad[i].start - pos, "linear", NULL };
		seg[n++] = (struct dmw_segment){ v->bad[i].start, v->bad[i].len, "error", "" };
		pos = v->bad[i].start + v->bad[i].len;
	}
	if (pos < end)
		seg[n++] = (struct dmw_segment){ pos, end - pos, "linear", NULL };
	/* linear needs its own offset: "<dev> <start>" where the segment begins. */
	{
		char (*lp)[PATH_MAX + 32] = calloc(n, sizeof(*lp));

		if (!lp) {
			log_error("out of memory");
			return EXIT_RUNTIME;
		}
		for (i = 0; i < n; i++)
			if (!seg[i].params) {
				snprintf(lp[i], sizeof(lp[i]), "%s %llu", v->disk_main.path,
					 (unsigned long long)seg[i].start);
				seg[i].params = lp[i];
			}
		dmw_uuid_for(v->disk_name, uuid, sizeof(uuid));
		rc = dmstack_create(&v->disk_d, v->disk_name, uuid, seg, n, &v->disk_info);
		if (rc == DMW_OK) {
			struct dmw_table t = { .n = n, .seg = seg };

			v->disk_created = true;
			v->disk_table = dmstack_lines(&t);
		}
		free(lp);
	}
	if (rc) {
		log_error("the failing disk: %s", v->disk_d.err);
		return rc == DMW_ERR_EXIST ? EXIT_USAGE : EXIT_RUNTIME;
	}
	return 0;
}

/* test_remap <bad> <spare> for every bad sector; no reply is the normal answer. */
static void inject_messages(struct validate *v)
{
	char msg[96], reply[256];
	uint64_t k = 0, s;
	unsigned i;

	for (i = 0; i < v->nbad; i++)
		for (s = v->bad[i].start; s < v->bad[i].start + v->bad[i].len; s++, k++) {
			snprintf(msg, sizeof(msg), "test_remap %llu %llu", (unsigned long long)s,
				 (unsigned long long)(SPARE_MSG_BASE + k * (v->bs / 512)));
			if (dmw_message(&v->top.d, v->top.name, 0, msg, reply, sizeof(reply))) {
				if (!v->msgs_failed)
					snprintf(v->msg_err, sizeof(v->msg_err), "%s", v->top.d.err);
				v->msgs_failed++;
				continue;
			}
			v->msgs_ok++;
			if (reply[0] && !v->msg_reply[0])
				snprintf(v->msg_reply, sizeof(v->msg_reply), "%s", reply);
		}
}

/* ---- setting up and tearing down --------------------------------------------- */

char *vd_status_lines(struct validate *v)
{
	struct dmw_table t;
	char *l;

	if (dmw_get_status(&v->top.d, v->top.name, &t)) {
		log_warn("cannot read the status of %s: %s", v->top.name, v->top.d.err);
		return NULL;
	}
	l = dmstack_lines(&t);
	dmw_table_free(&t);
	return l;
}

/* The failing disk's table as the kernel holds it: its error segments, where they are. */
void vd_read_disk_table(struct validate *v)
{
	struct dmw_table t;
	size_t i;
	unsigned k;

	if (!v->disk_created || dmw_get_table(&v->disk_d, v->disk_name, &t))
		return;
	v->disk_table_read = true;
	for (i = 0; i < t.n; i++) {
		bool exact = false;

		if (strcmp(t.seg[i].type, "error"))
			continue;
		for (k = 0; k < v->nbad && !exact; k++)
			exact = v->bad[k].start == t.seg[i].start && v->bad[k].len == t.seg[i].len;
		if (exact)
			v->disk_error_segments++;
		else
			v->disk_other_error_segments++;
	}
	dmw_table_free(&t);
}

int vd_setup(struct validate *v)
{
	const struct validate_args *a = v->a;
	char why[1024];
	int rc;

	/* Both are written: refused when read-only, before any other look. */
	rc = dmstack_member_precheck("--main", a->main_dev, true);
	if (!rc)
		rc = dmstack_member_precheck("--spare", a->spare_dev, true);
	if (rc)
		return rc;
	/* Nothing is built unless the target type is there and the names are free. */
	rc = dmstack_check_kernel(&v->top, a->type, a->name, "--name");
	if (rc)
		return rc;
	v->disk_main = (struct dmstack_member){ .opt = "--main", .given = a->main_dev, .fd = -1,
						.loop_fd = -1 };
	rc = dmstack_member_resolve(&v->disk_main, a->name, "main");
	if (rc)
		return rc;
	if (!a->force && safety_has_signature(v->disk_main.path, why, sizeof(why))) {
		log_error("--main: %s carries %s; validate overwrites all of it (pass --force to "
			  "use it anyway)", v->disk_main.path, why);
		return EXIT_USAGE;
	}
	rc = pick_bad(v, v->disk_main.sectors, v->disk_main.lbs);
	if (!rc)
		rc = build_disk(v);
	/* The disk holds the loop device now, if there is one. */
	dmstack_member_release(&v->disk_main, v->disk_created);
	if (rc)
		return rc;
	rc = dmstack_build(&v->top, &(struct dmstack_spec){
		.main = v->disk_info.devnode, .spare = a->spare_dev, .main_fd = -1, .spare_fd = -1,
		.type = a->type, .params = a->params, .name = a->name, .name_opt = "--name",
		.force = a->force, .kernel_checked = true,
	});
	if (rc)
		return rc;
	v->top_built = true;
	if (asprintf(&v->top_table, "0 %llu %s%s%s", (unsigned long long)v->top.sectors,
		     v->top.type, v->top.params[0] ? " " : "", v->top.params) < 0)
		v->top_table = NULL;
	if (!strcmp(a->type, DMSTACK_REMAP_TYPE))
		v->module_params = dmstack_module_params_json(&v->demo_mode);
	v->status_before = vd_status_lines(v);
	if (a->inject == INJECT_MESSAGE) {
		uint64_t need = SPARE_MSG_BASE + v->bad_sectors * (a->bs / 512);

		if (v->top.have_spare && need > v->top.spare.sectors) {
			log_error("--inject message: the remaps would reach spare sector %llu, past "
				  "the end of %s (%llu sectors)", (unsigned long long)need,
				  v->top.spare.path, (unsigned long long)v->top.spare.sectors);
			return EXIT_USAGE;
		}
		inject_messages(v);
	}
	return 0;
}

void vd_teardown(struct validate *v)
{
	bool hung = false;

	v->teardown_ok = true;
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	if (v->top_built && dmstack_teardown(&v->top))
		v->teardown_ok = false;
	hung = v->top.hung;
	if (v->disk_created) {
		if (hung)
			log_error("%s is left in place under the hung %s", v->disk_name, v->top.name);
		else if (dmstack_remove(&v->disk_d, v->disk_name, &hung) == 0)
			v->disk_created = false;
		if (v->disk_created)
			v->teardown_ok = false;
	}
	v->teardown_hung = hung;
	/* Gone, as the kernel says: neither name is known to it any more. */
	if (v->teardown_ok && v->top_built) {
		struct dmw_info ti, di;

		if (dmw_info(&v->disk_d, v->top.name, &ti) == DMW_OK &&
		    dmw_info(&v->disk_d, v->disk_name, &di) == DMW_OK) {
			v->teardown_verified = !ti.exists && !di.exists;
			v->teardown_still = ti.exists || di.exists;
		}
	}
}
