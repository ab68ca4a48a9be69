/*
 * A device-mapper device over a main and a spare device, dm-remap-v4 by
 * default: the member checks (not mounted, not held, not open
 * exclusively; a loop device for a regular file), the module's rules (main
 * size, sector sizes, the spare minimum), the kernel check (device-mapper,
 * the target type loaded, the name free), the creation in one
 * create+load+resume step, and the hang-safe teardown.
 *
 * One code path for `setup` (which leaves the device in place) and for the
 * run sessions and `validate` (which build a stack for one run and always
 * tear it down). Every failure prints one line (log_error) and returns an
 * exit status: EXIT_USAGE for what the user can fix, EXIT_RUNTIME else.
 */
#ifndef DMRB_STACK_H
#define DMRB_STACK_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dm/dm.h"
#include "target/loop.h"

#define DMSTACK_REMAP_TYPE "dm-remap-v4"
#define DMSTACK_REMAP_MODULE "dm_remap"
#define DMSTACK_MIN_MAIN_SECTORS 2048

struct dmstack_member {
	const char *opt;            /* "--main", for messages */
	const char *given;          /* the device or file as given (a label when fd >= 0) */
	int fd;                     /* an open backing file (an unlinked scratch file), or -1 */
	char path[PATH_MAX];        /* what goes into the table */
	dev_t rdev;
	uint64_t sectors;           /* 512-byte sectors */
	uint32_t lbs;
	int loop_fd;                /* our loop device's fd until the dm device holds it */
	int hold_fd;                /* dmstack_hold_members: keeps an autoclear loop device */
	struct loop_dev loop;
	bool looped;                /* a loop device was attached for a file */
};

struct dmstack_spec {
	const char *main, *spare;   /* paths; spare may be NULL but for dm-remap-v4 */
	int main_fd, spare_fd;      /* open backing files (then main/spare are labels), or -1 */
	const char *type;           /* NULL: dm-remap-v4 */
	const char *params;         /* NULL: written for the known types */
	const char *name;           /* DMW_NAME_PREFIX is added unless there */
	const char *name_opt;       /* the option that gave the name, for messages ("--name") */
	bool force;                 /* accept a spare that carries a signature */
	bool quiet_geometry;        /* no warnings for rules another target would break */
	bool kernel_checked;        /* dmstack_check_kernel() was called already */
	bool main_read_only;        /* nothing writes to main (a read-only run) */
};

struct dmstack {
	struct dmw d;
	char type[64];
	char name[DMW_NAME_MAX + 8];
	char uuid[DMW_UUID_MAX + 1];
	char params[2 * PATH_MAX + 8];
	struct dmstack_member main, spare;
	bool have_spare;
	bool created;
	struct dmw_info info;       /* the device: devnode, sysname, numbers */
	uint64_t sectors;           /* its length */
	unsigned version[3];        /* of the target type */
	bool demo_mode;             /* dm-remap loaded with real_device_mode=N */
	/* --compare-linear: a linear mapping of the main device, beside the stack. */
	bool linear_created;
	char linear_name[DMW_NAME_MAX + 8];
	struct dmw_info linear_info;
	/* What the teardown found. */
	bool torn_down;
	bool hung;
};

/*
 * Defaults: dm calls time out after timeout_ms (0: DMW_DEFAULT_TIMEOUT_MS),
 * removals too. No ioctl is made.
 */
void dmstack_init(struct dmstack *st, unsigned timeout_ms);
/* Reap the children hung calls left behind; call after dmstack_teardown(). */
void dmstack_close(struct dmstack *st);

/* Target types whose table the tool writes without --params (NULL-terminated). */
extern const char *const dmstack_type_names[];
bool dmstack_known_type(const char *type);

/*
 * The spare dm-remap accepts for a main device, in sectors, from the
 * module's parameters when it is loaded (strict_spare_sizing,
 * spare_overhead_percent): about 2.7% of main + 12 sectors by default.
 * how gets the rule in words.
 */
uint64_t dmstack_min_spare(uint64_t main_sectors, uint32_t lbs, char *how, size_t len);

/*
 * The kernel side: device-mapper there, the target type loaded (else the
 * "modprobe ..." hint), the name free. Warns about dm-remap's demo mode.
 */
int dmstack_check_kernel(struct dmstack *st, const char *type, const char *name,
			 const char *name_opt);

/*
 * Before anything is built (even before the kernel check): a member given
 * as a block device that is read-only (BLKROGET) while the stack writes to
 * it is refused, EXIT_USAGE after one line; else 0.
 */
int dmstack_member_precheck(const char *opt, const char *given, bool written);
/*
 * A member: stat it, attach a loop device to a regular file (direct I/O,
 * autoclear, labelled "<dmname>:<role>"), then the in-use checks and the
 * geometry. m->opt, m->given and m->fd must be set (m->loop_fd is set here).
 */
int dmstack_member_resolve(struct dmstack_member *m, const char *dmname, const char *role);
/*
 * Close our loop fd. held: a dm device now stands on the loop device, which
 * goes away with it (autoclear); else the loop device is detached now.
 */
void dmstack_member_release(struct dmstack_member *m, bool held);

/* Geometry: refusals for dm-remap-v4, warnings (unless quiet) for other types. */
int dmstack_check_geometry(const char *type, const struct dmstack_member *main_m,
			   const struct dmstack_member *spare_m, bool quiet);

/*
 * Everything: name, kernel check, members, geometry, signature of the
 * spare, create. On success st->info has the device; the members' loop fds
 * are closed (the device holds them). On failure nothing is left behind.
 */
int dmstack_build(struct dmstack *st, const struct dmstack_spec *spec);

/*
 * Remove what the stack created (the linear twin first), each removal in a
 * child with a deadline, EBUSY retried. A removal that hangs is reported in
 * one line ("teardown of NAME hung in the kernel after N s; the device may
 * need a reboot to clear") and given up on. Then checks that no loop device
 * of ours is left on the members. 0, or EXIT_RUNTIME. Safe to call twice.
 */
int dmstack_teardown(struct dmstack *st);

/*
 * Remove one device with the hang report above; 0 or EXIT_RUNTIME. Its
 * record in the state directory (dm/state.h) goes with it, or turns "hung".
 */
int dmstack_remove(struct dmw *d, const char *name, bool *hung);

/*
 * dmw_create() and a record of the new device in the state directory, so
 * that a later status or teardown knows it, and remembers it if its
 * removal hangs. Every device the tool makes goes through here (validate's
 * failing disk too).
 */
int dmstack_create(struct dmw *d, const char *name, const char *uuid,
		   const struct dmw_segment *seg, size_t n, struct dmw_info *info);

/*
 * --compare-linear: "<name>-linear", a linear mapping of the whole main
 * device, created beside the stack (device-mapper devices share their
 * underlying devices). st->linear_info gets its path (devnode). When busy
 * is not NULL, a kernel that cannot claim the main device (the target
 * holds it exclusively: dm-remap-v4) sets *busy and says nothing; the
 * caller measures the two devices one at a time instead.
 */
int dmstack_linear_create(struct dmstack *st, bool *busy);
int dmstack_linear_remove(struct dmstack *st);

/*
 * One device at a time (--compare-linear on a target that holds its main
 * device exclusively): keep the members' loop devices while the device
 * is gone (they would go with it: autoclear), remove the device, create it
 * again with the same table in one create+load+resume step. Never a
 * suspend or reload of a live device. 0, or an exit status.
 */
int dmstack_hold_members(struct dmstack *st);
int dmstack_device_remove(struct dmstack *st);
int dmstack_device_create(struct dmstack *st);

/* "0 131072 linear 1:0 0" lines of a table or status, '\n'-separated (malloc'd). */
char *dmstack_lines(const struct dmw_table *t);
/*
 * A status line (or lines) as JSON: {"raw": ...}, with every field of the
 * dm-remap-v4 status (remap_status_json) when the target is dm-remap-v4.
 */
json_t *dmstack_status_json(const char *type, const char *raw);
/* after - before of the dm-remap-v4 counters, or NULL (other types, unparsed). */
json_t *dmstack_status_delta_json(const char *type, const char *before, const char *after);
/*
 * dm_remap's parameters (every file of /sys/module/dm_remap/parameters) as strings;
 * *demo true when real_device_mode is N. An empty object when not loaded.
 */
json_t *dmstack_module_params_json(bool *demo);

#endif
