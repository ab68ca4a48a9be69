/*
 * What dmremap-bench created and what it left hung: one small JSON record
 * per device-mapper or loop device, in a state directory
 * (/run/dmremap-bench, or $DMREMAP_BENCH_RUN_DIR), written atomically when
 * the device is made, deleted when it is removed, and turned to "hung"
 * when its removal hangs in the kernel (dm/deadline.h), with when, the pid
 * of the removal child left in D state, and what the device still holds.
 *
 * Later commands read the records back (state.c) and check them against
 * sysfs and /proc (stuck.c): a device whose removal never finished is
 * still in /sys/block/dm-N but has no name any more; its removal child may
 * still sleep in D state; its slaves are still held. Such devices are
 * "stuck" and need a reboot. Nameless dm devices that hold a disk are found
 * in sysfs even without a record. Records of devices that are gone are
 * deleted.
 *
 * Nothing here opens a block device or makes an ioctl: reading the state
 * of a stuck device must never block.
 */
#ifndef DMRB_DM_STATE_H
#define DMRB_DM_STATE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "dm/dm.h"

#define DMSTATE_DEFAULT_DIR "/run/dmremap-bench"
#define DMSTATE_DIR_ENV "DMREMAP_BENCH_RUN_DIR"
#define DMSTATE_FORMAT "dmremap-bench-state-1"
/* Devices a record lists (members, holds); more are left out. */
#define DMSTATE_MAX_DEVS 16

enum dmstate_kind { DMSTATE_DM, DMSTATE_LOOP };

/* A block device by its kernel name and numbers: "ram0", 1:0. */
struct dmstate_blk {
	char name[32];
	unsigned major, minor;
};

struct dmstate_rec {
	enum dmstate_kind kind;
	char name[DMW_NAME_MAX + 8];   /* dm: the device's name; loop: "loop3" */
	char uuid[DMW_UUID_MAX + 1];   /* dm */
	char path[160];                /* "/dev/mapper/NAME", "/dev/loop3" */
	char sysname[32];              /* "dm-3", "loop3"; "" when unknown */
	unsigned major, minor;
	char type[64];                 /* dm: the target type */
	char backing[PATH_MAX];        /* loop: the backing file, as sysfs shows it */
	char under[DMW_NAME_MAX + 8];  /* loop: the dm device it was attached for */
	char boot_id[40];              /* /proc/sys/kernel/random/boot_id when made */
	char created[32];              /* ISO 8601 UTC */
	long long created_unix;
	int creator_pid;
	size_t nmembers;               /* dm: the devices it stands on (its slaves) */
	struct dmstate_blk members[DMSTATE_MAX_DEVS];
	/* Its removal hung. */
	bool hung;
	char since[32];                /* when the removal started, ISO 8601 UTC */
	long long since_unix;
	int pid;                       /* the removal child */
	unsigned long long pid_start;  /* its start time, to tell it from a reused pid */
	char what[160];                /* "pid 177, state D (uninterruptible), blocked in ..." */
	unsigned timeout_ms;           /* the deadline it missed */
	size_t nholds;                 /* its slaves when the removal hung */
	struct dmstate_blk holds[DMSTATE_MAX_DEVS];
};

/* Where the records are and which sysfs and /proc they are checked against. */
struct dmstate_roots {
	const char *dir;    /* the state directory */
	const char *sys;    /* "/sys" */
	const char *proc;   /* "/proc" */
};

/* ---- records (state.c) ------------------------------------------------------ */

/*
 * The state directory: $DMREMAP_BENCH_RUN_DIR when set and not empty, else
 * DMSTATE_DEFAULT_DIR. NULL, with one line in err naming the value and what
 * is allowed, when the variable is not an absolute path.
 */
const char *dmstate_dir(char *err, size_t len);
/* dmstate_dir(), "/sys", "/proc"; 0, or -1 with err set as above. */
int dmstate_roots_default(struct dmstate_roots *r, char *err, size_t len);

/* The record as JSON, and back: 0, or -1 with the reason in err. */
json_t *dmstate_rec_json(const struct dmstate_rec *r);
int dmstate_rec_parse(const json_t *j, struct dmstate_rec *r, char *err, size_t len);
/* "dm-NAME.json", "loop-loop3.json"; -1 for a name that cannot be a file name. */
int dmstate_file_name(enum dmstate_kind kind, const char *name, char *buf, size_t len);

/*
 * Write the record: a temporary file in the directory, fsync, rename over
 * the old one. The directory is made (mode 0755) if missing; one that is a
 * symlink, not a directory, or owned by another user is refused. 0, or -1
 * with errno and the reason in err.
 */
int dmstate_save(const char *dir, const struct dmstate_rec *r, char *err, size_t len);
/* 0 and the record; -1 with errno ENOENT when there is none, else the reason in err. */
int dmstate_load(const char *dir, enum dmstate_kind kind, const char *name,
		 struct dmstate_rec *r, char *err, size_t len);
/* 0 when deleted or not there. */
int dmstate_delete(const char *dir, enum dmstate_kind kind, const char *name);
/*
 * Every record in the directory (none when it does not exist). Files that
 * do not parse are warned about and skipped; temporary files a crashed
 * writer left are ignored. *recs is malloc'd. 0, or -1 with the reason in err.
 */
int dmstate_load_all(const char *dir, struct dmstate_rec **recs, size_t *n, char *err,
		     size_t len);

/* The first line of procroot/sys/kernel/random/boot_id, "" when unreadable. */
void dmstate_boot_id(const char *procroot, char *buf, size_t len);

/*
 * The bookkeeping the commands do (the real roots; a failure to write is
 * warned about once and does not stop the command):
 *  - a dm device was made: its numbers from info, its slaves from sysfs;
 *  - a loop device was attached for the dm device under (backing from sysfs);
 *  - a device was removed, or went away;
 *  - the removal of name hung: the record (made from info when there is
 *    none; info may be NULL when the record exists) turns "hung", with the
 *    child's pid, the removal's start (now - timeout_ms) and the slaves.
 */
void dmstate_note_dm(const char *name, const char *uuid, const struct dmw_info *info,
		     const char *type);
void dmstate_note_loop(const char *path, int number, const char *under);
void dmstate_forget(enum dmstate_kind kind, const char *name);
void dmstate_note_hung(const char *name, const struct dmw_info *info, pid_t pid,
		       unsigned timeout_ms);
/* Whether a record of the dm device name exists (in the real state directory). */
bool dmstate_known(const char *name);

/* ---- what is stuck (stuck.c) ---------------------------------------------- */

enum dmstate_live {
	DMSTATE_GONE,       /* no such device (or the number went to another one) */
	DMSTATE_PRESENT,    /* there, by the recorded name (loop: bound to the file) */
	DMSTATE_NAMELESS,   /* dm: still in sysfs, but device-mapper no longer names it */
};

/* The recorded device, checked against sysfs (and the boot id under proc). */
enum dmstate_live dmstate_probe(const struct dmstate_roots *r, const struct dmstate_rec *rec);

/* The entries of sys/block/SYSNAME/slaves, with their numbers; how many (<= max). */
size_t dmstate_read_slaves(const char *sysroot, const char *sysname, struct dmstate_blk *out,
			   size_t max);

/* A dm device in sysfs that device-mapper does not name. */
struct dmstate_nameless {
	char sysname[32];
	unsigned major, minor;
	size_t nslaves;
	struct dmstate_blk slaves[DMSTATE_MAX_DEVS];
};

/*
 * Every sys/block/dm-N whose dm/name is empty or unreadable, or (when
 * listed is not NULL) whose minor is not among the nlisted minors that
 * device-mapper lists, and that holds at least one device (slaves not
 * empty). Returns how many were found (up to max stored).
 */
size_t dmstate_scan_nameless(const char *sysroot, const unsigned *listed, size_t nlisted,
			     struct dmstate_nameless *out, size_t max);

/* A device that is stuck, from its record, from sysfs, or both. */
struct dmstate_stuck {
	bool recorded;                 /* rec holds a record */
	struct dmstate_rec rec;        /* else only sysname, major, minor are set */
	enum dmstate_live live;        /* NAMELESS, or PRESENT for a named device whose removal hangs */
	char pid_state;                /* the removal child now: 'D', ...; 0 when gone */
	char wchan[64];
	size_t nholds;                 /* its slaves now */
	struct dmstate_blk holds[DMSTATE_MAX_DEVS];
};

#define DMSTATE_MAX_CLEARED 8

struct dmstate_review {
	struct dmstate_stuck *v;
	size_t n;
	size_t cleaned;                /* records of devices that are gone, deleted */
	/* Of those, devices recorded as hung: stuck before, gone now (the first few). */
	size_t ncleared;
	char cleared[DMSTATE_MAX_CLEARED][DMW_NAME_MAX + 8];
};

/*
 * Check every record and scan sysfs: the stuck devices, in out. With clean,
 * records of devices that are gone are deleted (and a hung record whose
 * device is there again, named, with its removal child gone, becomes
 * active). listed: as for dmstate_scan_nameless(). 0, or -1 with the reason
 * in err (the state directory could not be read; sysfs is still scanned).
 */
int dmstate_review(const struct dmstate_roots *r, const unsigned *listed, size_t nlisted,
		   bool clean, struct dmstate_review *out, char *err, size_t len);
void dmstate_review_free(struct dmstate_review *rv);

/*
 * The review the commands make, on the real roots: with d, the minors
 * device-mapper lists are used too. A nameless device with no hung record
 * may be a removal that is just finishing: those are looked at again after
 * a short pause and kept only if still there. A failure to read the state
 * directory is warned about.
 */
void dmstate_review_now(struct dmw *d, bool clean, struct dmstate_review *out);
/* One line (log_info) for each device that was stuck and is gone now, its record deleted. */
void dmstate_say_cleared(const struct dmstate_review *rv);

/*
 * One line for people: "dmrb-x (dm-1, 254:1) is stuck: its removal hung in
 * the kernel at <since> (<age> ago); the removal process, pid 177, is still
 * in D state (blocked in ...); it still holds /dev/ram0; it needs a reboot
 * to clear". now: the wall clock, in seconds.
 */
void dmstate_stuck_line(const struct dmstate_stuck *s, long long now, char *buf, size_t len);
/* The same as an indented block for status (each line ends in '\n'). */
void dmstate_stuck_block(const struct dmstate_stuck *s, long long now, char *buf, size_t len);
json_t *dmstate_stuck_json(const struct dmstate_stuck *s, long long now);

/*
 * Whether a stuck device holds the block device major:minor (among its
 * slaves now) or stood on it (its record's members): 1 and why in words
 * ("held by dm-1, what is left of dmrb-x, whose removal hung ..."), else 0.
 */
int dmstate_stuck_holding(const struct dmstate_review *rv, unsigned major, unsigned minor,
			  char *why, size_t len);
/* The same on the real roots (records and sysfs, nothing cleaned, no ioctl). */
int dmstate_held_by_stuck(unsigned major, unsigned minor, char *why, size_t len);

#endif
