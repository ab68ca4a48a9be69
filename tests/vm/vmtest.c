#include "vmtest.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dm/dm.h"

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void slurp(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

void zero_head(const char *path)
{
	static char zeros[1 << 20];
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (pwrite(fd, zeros, sizeof(zeros), 0) != (ssize_t)sizeof(zeros))
		fprintf(stderr, "cannot clear the start of %s: %s\n", path, strerror(errno));
	fsync(fd);
	close(fd);
}

void init_dm(struct dmw *d)
{
	dmw_init(d);
	d->timeout_ms = 30000;
	d->remove_timeout_ms = 30000;
}

size_t count_ours(void)
{
	struct dmw d;
	struct dmw_list l;
	size_t n;

	init_dm(&d);
	ck_assert_msg(dmw_list(&d, true, &l) == DMW_OK, "%s", d.err);
	n = l.n;
	dmw_list_free(&l);
	dmw_close(&d);
	return n;
}

int vm_loop_bind(const char *path, char *dev, size_t len)
{
	struct loop_info64 info;
	int ctl, n, lfd = -1, ffd;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	ffd = open(path, O_RDWR | O_CLOEXEC);
	if (ctl < 0 || ffd < 0 || (n = ioctl(ctl, LOOP_CTL_GET_FREE)) < 0) {
		fprintf(stderr, "odirect_dir: no free loop device for %s: %s\n", path, strerror(errno));
		goto out;
	}
	snprintf(dev, len, "/dev/loop%d", n);
	lfd = open(dev, O_RDWR | O_CLOEXEC);
	if (lfd < 0 || ioctl(lfd, LOOP_SET_FD, ffd)) {
		fprintf(stderr, "odirect_dir: cannot bind %s to %s: %s\n", dev, path, strerror(errno));
		if (lfd >= 0)
			close(lfd);
		lfd = -1;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.lo_flags = LO_FLAGS_AUTOCLEAR;
	if (ioctl(lfd, LOOP_SET_STATUS64, &info))
		fprintf(stderr, "odirect_dir: %s: no autoclear: %s\n", dev, strerror(errno));
out:
	if (ctl >= 0)
		close(ctl);
	if (ffd >= 0)
		close(ffd);
	return lfd;
}

int odirect_dir_make(char *dir, size_t len, unsigned size_mib)
{
	char img[] = "/dev/shm/vmtest-odirect-XXXXXX", dev[32], cmd[128];
	int fd, lfd, rc;

	fd = mkstemp(img);
	if (fd < 0 || ftruncate(fd, (off_t)size_mib << 20)) {
		fprintf(stderr, "odirect_dir: %s: %s\n", img, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(img);
		}
		return -1;
	}
	close(fd);
	lfd = vm_loop_bind(img, dev, sizeof(dev));
	unlink(img);  /* the loop device holds it now */
	if (lfd < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "mke2fs -q %s >/dev/null 2>&1", dev);
	rc = system(cmd);
	snprintf(dir, len, "/tmp/vmtest-odirect-XXXXXX");
	if (rc != 0 || !mkdtemp(dir)) {
		fprintf(stderr, "odirect_dir: mke2fs %s: status %d (or no mount point)\n", dev, rc);
		close(lfd);
		return -1;
	}
	if (mount(dev, dir, "ext4", 0, NULL)) {
		fprintf(stderr, "odirect_dir: mount %s on %s (ext4 driver): %s\n", dev, dir,
			strerror(errno));
		rmdir(dir);
		close(lfd);
		return -1;
	}
	close(lfd);  /* the mount holds the loop device now */
	return 0;
}

void odirect_dir_remove(const char *dir)
{
	if (umount(dir) && errno == EBUSY)
		umount2(dir, MNT_DETACH);
	rmdir(dir);
}

void vm_make_file(const char *path, off_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_msg(fd >= 0 && ftruncate(fd, size) == 0, "%s: %s", path, strerror(errno));
	close(fd);
}

/* ---- device-mapper ---------------------------------------------------------------- */

bool vm_target_loaded(const char *type)
{
	struct dmw d;
	unsigned v[3];
	bool loaded;

	init_dm(&d);
	loaded = dmw_target_version(&d, type, &v[0], &v[1], &v[2]) == DMW_OK;
	dmw_close(&d);
	return loaded;
}

void vm_remove_devices(const char *prefix, unsigned passes)
{
	struct dmw d;
	struct dmw_list l;
	unsigned pass;
	size_t i;

	init_dm(&d);
	for (pass = 0; pass < passes; pass++) {
		if (dmw_list(&d, false, &l) != DMW_OK)
			break;
		for (i = 0; i < l.n; i++)
			if (dmw_name_is_ours(l.dev[i].name))
				dmw_remove(&d, l.dev[i].name);
		for (i = 0; prefix && i < l.n; i++)
			if (!dmw_name_is_ours(l.dev[i].name) &&
			    !strncmp(l.dev[i].name, prefix, strlen(prefix)))
				dmw_remove(&d, l.dev[i].name);
		dmw_list_free(&l);
	}
	dmw_close(&d);
}

/* ---- running dmremap-bench -------------------------------------------------------- */

void vm_spawn(struct vm_child *c, const char *tag, const char *const *args, unsigned limit_s)
{
	const char *bin = getenv("DMRB_BIN"), *argv[VM_MAX_ARGS + 2];
	char outp[128], errp[128];
	size_t i;

	ck_assert_msg(bin && *bin, "DMRB_BIN is not set (the path of dmremap-bench)");
	ck_assert_msg(args[0] != NULL, "no arguments");
	argv[0] = bin;
	for (i = 0; args[i]; i++) {
		ck_assert_msg(i < VM_MAX_ARGS, "more than %d arguments", VM_MAX_ARGS);
		argv[i + 1] = args[i];
	}
	argv[i + 1] = NULL;
	snprintf(outp, sizeof(outp), "/tmp/%s_outXXXXXX", tag);
	snprintf(errp, sizeof(errp), "/tmp/%s_errXXXXXX", tag);
	c->of = mkstemp(outp);
	c->ef = mkstemp(errp);
	ck_assert_msg(c->of >= 0 && c->ef >= 0, "mkstemp in /tmp: %s", strerror(errno));
	unlink(outp);
	unlink(errp);
	snprintf(c->what, sizeof(c->what), "%s: %s%s%s", tag, args[0], args[1] ? " " : "",
		 args[1] ? args[1] : "");
	c->t0 = now_s();
	c->pid = fork();
	ck_assert_int_ge(c->pid, 0);
	if (c->pid == 0) {
		dup2(c->of, 1);
		dup2(c->ef, 2);
		alarm(limit_s);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
}

/* All that fd holds (from offset 0), NUL-terminated, in a new buffer; fd closed. */
static char *slurp_all(int fd)
{
	struct stat st;
	size_t got = 0, size;
	char *buf;

	ck_assert_int_eq(fstat(fd, &st), 0);
	size = (size_t)st.st_size;
	buf = malloc(size + 1);
	ck_assert_ptr_nonnull(buf);
	while (got < size) {
		ssize_t n = pread(fd, buf + got, size - got, (off_t)got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return buf;
}

struct vm_run *vm_reap(struct vm_child *c)
{
	struct vm_run *r = calloc(1, sizeof(*r));
	int ws;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(waitpid(c->pid, &ws, 0), c->pid);
	r->wall_s = now_s() - c->t0;
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : -1;
	r->out = slurp_all(c->of);
	r->err = slurp_all(c->ef);
	r->doc = json_loads(r->out, 0, NULL);
	fprintf(stderr, "%s: exit %d after %.2f s\n", c->what, r->status, r->wall_s);
	return r;
}

struct vm_run *vm_run(const char *tag, const char *const *args, unsigned limit_s)
{
	struct vm_child c;

	vm_spawn(&c, tag, args, limit_s);
	return vm_reap(&c);
}

void vm_run_free(struct vm_run *r)
{
	if (!r)
		return;
	json_decref(r->doc);
	free(r->out);
	free(r->err);
	free(r);
}

/* ---- reading JSON documents ------------------------------------------------------- */

json_t *jpath(json_t *j, const char *path)
{
	char buf[256], *save = NULL, *tok;

	ck_assert_msg(strlen(path) < sizeof(buf), "JSON path too long: %s", path);
	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && j; tok = strtok_r(NULL, ".", &save))
		j = !json_is_array(j) ? json_object_get(j, tok) :
			tok[strspn(tok, "0123456789")] ? NULL :
			json_array_get(j, strtoul(tok, NULL, 10));
	return j;
}

const char *jstr(json_t *j, const char *path)
{
	const char *s = json_string_value(jpath(j, path));

	ck_assert_msg(s != NULL, "%s: missing or not a string", path);
	return s;
}

long long jint(json_t *j, const char *path)
{
	json_t *v = jpath(j, path);

	ck_assert_msg(json_is_integer(v), "%s: missing or not an integer", path);
	return (long long)json_integer_value(v);
}

double jnum(json_t *j, const char *path)
{
	json_t *v = jpath(j, path);

	ck_assert_msg(json_is_number(v), "%s: missing or not a number", path);
	return json_number_value(v);
}

/* The field of validate's check name in doc. */
static const char *check_field(json_t *doc, const char *name, const char *field)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(doc, "checks"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "name")) ?: "", name))
			return json_string_value(json_object_get(c, field));
	ck_abort_msg("validate has no check named %s", name);
	return NULL;
}

const char *check_status(json_t *doc, const char *name)
{
	return check_field(doc, name, "status");
}

const char *check_detail(json_t *doc, const char *name)
{
	return check_field(doc, name, "detail");
}

/* ---- main() ----------------------------------------------------------------------- */

int vm_need(const char *tag, unsigned first_ram, unsigned n_ram)
{
	char dev[32];
	unsigned i;

	if (geteuid() != 0 || access("/dev/mapper/control", F_OK)) {
		fprintf(stderr, "%s: needs root and device-mapper (/dev/mapper/control): skipped\n",
			tag);
		return 77;
	}
	for (i = first_ram; i < first_ram + n_ram; i++) {
		snprintf(dev, sizeof(dev), "/dev/ram%u", i);
		if (access(dev, F_OK)) {
			fprintf(stderr, "%s: needs brd RAM disks /dev/ram%u-%u "
				"(modprobe brd rd_nr=4 rd_size=65536)\n", tag, first_ram,
				first_ram + n_ram - 1);
			return 1;
		}
	}
	return 0;
}

int vm_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
