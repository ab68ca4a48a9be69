/*
 * The device-mapper calls the tool makes, over libdevmapper.
 *
 * Every call that reaches the kernel runs in a forked child with a deadline
 * (dm/deadline.h): a target stuck in its destructor (dm-remap's removal can
 * sit in D state for good) costs a child, never the tool. A call that misses
 * its deadline returns DMW_ERR_HUNG and the child is left behind.
 *
 * Devices are created in one create+load+resume step and never suspended or
 * reloaded: dm-remap loses its remap state on suspend.
 *
 * libdevmapper owns the dm_ prefix (struct dm_info, struct dm_list, ...), so
 * this wrapper's names begin with dmw_.
 */
#ifndef DMRB_DM_H
#define DMRB_DM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Everything the tool creates carries these; only such devices are torn down. */
#define DMW_NAME_PREFIX "dmrb-"
#define DMW_UUID_PREFIX "DMRB-"
/* Longest name, so that DMW_UUID_PREFIX + name fits a dm UUID (128). */
#define DMW_NAME_MAX 120
#define DMW_UUID_MAX 128

#define DMW_DEFAULT_TIMEOUT_MS 10000
#define DMW_DEFAULT_BUSY_RETRIES 25
#define DMW_DEFAULT_BUSY_DELAY_MS 200

enum dmw_err {
	DMW_OK = 0,
	DMW_ERR_NODM,   /* this kernel has no device-mapper */
	DMW_ERR_PERM,   /* not permitted (device-mapper needs root) */
	DMW_ERR_NOENT,  /* no such device, or target type not loaded */
	DMW_ERR_EXIST,  /* a device with that name or UUID exists */
	DMW_ERR_BUSY,   /* still in use after the EBUSY retries */
	DMW_ERR_INVAL,  /* bad name, or the kernel rejected the table */
	DMW_ERR_HUNG,   /* the call did not return before its deadline */
	DMW_ERR_SYS,    /* anything else (errno in err_errno) */
};

#define DMW_MAX_STUCK 16

struct dmw {
	unsigned timeout_ms;         /* every call but removal */
	unsigned remove_timeout_ms;  /* each removal attempt */
	unsigned busy_retries;       /* removal attempts after EBUSY */
	unsigned busy_delay_ms;      /* pause between them */
	bool udev_sync;              /* udev runs: cookies are waited on */
	bool debug;                  /* DMRB_DM_DEBUG: libdevmapper's own messages too */
	/* The last error: a full sentence without a trailing period. */
	int err_errno;
	char err[1024];
	/* Children left behind by hung calls, reaped (WNOHANG) by dmw_close(). */
	pid_t stuck[DMW_MAX_STUCK];
	unsigned nstuck;
	/* The child of the last call that returned DMW_ERR_HUNG (dm/state.h records it). */
	pid_t hung_pid;
};

/*
 * Defaults, udev detection (/run/udev/control; DM_DISABLE_UDEV turns sync
 * off), quiet libdevmapper logging (DMRB_DM_DEBUG=1 keeps it, on the stderr
 * of the children). Makes no ioctl; a kernel without device-mapper shows at
 * the first call. The children inherit no fd and no stdout.
 */
void dmw_init(struct dmw *d);
void dmw_close(struct dmw *d);

/* Whether the kernel has device-mapper; DMW_OK or DMW_ERR_NODM with err set. */
int dmw_available(struct dmw *d);
const char *dmw_err_name(int code);

/* One table line. For results, the strings point into the owning table. */
struct dmw_segment {
	uint64_t start, len;        /* 512-byte sectors */
	const char *type, *params;
};

struct dmw_table {
	size_t n;
	struct dmw_segment *seg;
	char *buf;                  /* owns the strings */
};
void dmw_table_free(struct dmw_table *t);

struct dmw_info {
	bool exists;
	bool suspended;
	int open_count;
	int target_count;
	unsigned major, minor;
	char uuid[DMW_UUID_MAX + 1];
	char devnode[160];          /* "/dev/mapper/NAME" */
	char sysname[32];           /* "dm-N" */
};

struct dmw_device {
	const char *name, *uuid;
	unsigned major, minor;
	int open_count;
};

struct dmw_list {
	size_t n;
	struct dmw_device *dev;
	char *buf;
};
void dmw_list_free(struct dmw_list *l);

/*
 * Create, load and resume in one step. uuid may be NULL (then none). info,
 * when not NULL, gets the new device's numbers.
 */
int dmw_create(struct dmw *d, const char *name, const char *uuid,
	       const struct dmw_segment *seg, size_t n, struct dmw_info *info);
/*
 * Remove; EBUSY is retried busy_retries times, then DMW_ERR_BUSY says who
 * holds the device. DMW_ERR_HUNG when an attempt outlives remove_timeout_ms.
 */
int dmw_remove(struct dmw *d, const char *name);
int dmw_get_table(struct dmw *d, const char *name, struct dmw_table *t);
int dmw_get_status(struct dmw *d, const char *name, struct dmw_table *t);
/*
 * Send a target message. reply gets the target's answer, "" when none (normal:
 * dm-remap never returns one).
 */
int dmw_message(struct dmw *d, const char *name, uint64_t sector, const char *msg,
		char *reply, size_t len);
/* All devices, or only those whose UUID carries DMW_UUID_PREFIX. */
int dmw_list(struct dmw *d, bool ours_only, struct dmw_list *l);
/* DMW_OK with exists false when there is no such device. */
int dmw_info(struct dmw *d, const char *name, struct dmw_info *info);
/* The devices the table uses; *n set to how many (at most max stored). */
int dmw_deps(struct dmw *d, const char *name, dev_t *devs, size_t max, size_t *n);
/*
 * Version of a loaded target type; DMW_ERR_NOENT (err says which module to
 * load) when the kernel does not know it.
 */
int dmw_target_version(struct dmw *d, const char *type, unsigned *maj, unsigned *min,
		       unsigned *patch);

/* The command that loads a target type: "modprobe dm-bufio && modprobe dm_remap". */
void dmw_target_hint(const char *type, char *buf, size_t len);

/*
 * Names. dmw_make_name() adds DMW_NAME_PREFIX unless given and checks the
 * characters (0-9 A-Z a-z # + - . : = @ _, at most DMW_NAME_MAX): 0, or -1
 * with the reason in out.
 */
int dmw_make_name(const char *given, char *out, size_t len);
/* DMW_UUID_PREFIX + name. */
void dmw_uuid_for(const char *name, char *out, size_t len);
bool dmw_uuid_is_ours(const char *uuid);
bool dmw_name_is_ours(const char *name);

/* A kernel module's parameter from /sys/module/MOD/parameters; 0 or -1. */
int dmw_module_param(const char *module, const char *param, char *buf, size_t len);

/*
 * Who keeps a block device busy: holders in sysfs, mounts, processes with it
 * open ("open count 1; held by dm-3 (dmrb-top); open in pid 812 (fio)").
 */
void dmw_describe_users(unsigned major, unsigned minor, int open_count, char *buf,
			size_t len);

#endif
