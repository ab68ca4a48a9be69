#include "dm/deadline.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/timeutil.h"

/*
 * The pipe carries frames: one kind byte, a 32-bit length, the bytes.
 * 'S' a stage name, 'D' result data, 'E' the end (the function's int).
 * Without the 'E' frame the child died before finishing.
 */
enum { FRAME_STAGE = 'S', FRAME_DATA = 'D', FRAME_END = 'E' };
#define FRAME_HDR 5

struct deadline_child {
	int fd;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_frame(int fd, char kind, const void *buf, size_t len)
{
	unsigned char hdr[FRAME_HDR];
	uint32_t l = (uint32_t)len;

	if (len > UINT32_MAX)
		return -1;
	hdr[0] = (unsigned char)kind;
	memcpy(hdr + 1, &l, sizeof(l));
	if (write_all(fd, hdr, sizeof(hdr)))
		return -1;
	return len ? write_all(fd, buf, len) : 0;
}

void deadline_stage(struct deadline_child *c, const char *stage)
{
	write_frame(c->fd, FRAME_STAGE, stage, strlen(stage));
}

int deadline_write(struct deadline_child *c, const void *buf, size_t len)
{
	return write_frame(c->fd, FRAME_DATA, buf, len);
}

static void redirect_null(int target)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd >= 0 && fd != target) {
		dup2(fd, target);
		close(fd);
	}
}

/* Keep the pipe (moved to fd 3) and 0-2; close the rest. Returns the pipe fd. */
static int close_inherited(int fd)
{
	int keep = 3, i;

	if (fd != keep) {
		if (dup2(fd, keep) < 0)
			return fd;
		close(fd);
	}
	if (close_range(keep + 1, ~0U, 0)) {
		long max = sysconf(_SC_OPEN_MAX);

		for (i = keep + 1; i < (max > 0 && max < 65536 ? max : 65536); i++)
			close(i);
	}
	return keep;
}

static void run_child(int fd, deadline_fn fn, void *arg, unsigned flags)
{
	struct deadline_child c;
	int32_t rc;

	/* A parent that gave up closes its end: let the write kill us. */
	signal(SIGPIPE, SIG_DFL);
	if (fd <= 2) {
		/* The parent ran with a standard stream closed: keep clear of 0-2. */
		int moved = fcntl(fd, F_DUPFD, 3);

		if (moved >= 0) {
			close(fd);
			fd = moved;
		}
	}
	if (flags & DEADLINE_NULL_STDIO) {
		redirect_null(0);
		redirect_null(1);
	}
	if (flags & DEADLINE_NULL_STDERR)
		redirect_null(2);
	if (flags & DEADLINE_CLOSE_FDS)
		fd = close_inherited(fd);
	c.fd = fd;
	rc = fn(&c, arg);
	write_frame(fd, FRAME_END, &rc, sizeof(rc));
	close(fd);
	/* _exit: no atexit handlers, no stdio flush of the parent's buffers. */
	_exit(0);
}

struct rbuf {
	char *p;
	size_t len, cap;
};

static int rbuf_read(struct rbuf *b, int fd)
{
	ssize_t n;

	if (b->cap - b->len < 4096) {
		size_t cap = b->cap ? b->cap * 2 : 8192;
		char *p = realloc(b->p, cap);

		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	n = read(fd, b->p + b->len, b->cap - b->len);
	if (n > 0)
		b->len += (size_t)n;
	return n < 0 ? -1 : (int)(n > 0);
}

/* Split the frames received into the result; 1 if the end frame was seen. */
static int parse_frames(const struct rbuf *b, struct deadline_result *r)
{
	size_t off = 0, dlen = 0;
	int ended = 0;

	r->data = malloc(b->len + 1);
	if (!r->data)
		return -1;
	while (b->len - off >= FRAME_HDR) {
		char kind = b->p[off];
		uint32_t l;

		memcpy(&l, b->p + off + 1, sizeof(l));
		if (b->len - off - FRAME_HDR < l)
			break;  /* a frame cut short by the deadline */
		off += FRAME_HDR;
		if (kind == FRAME_DATA) {
			memcpy(r->data + dlen, b->p + off, l);
			dlen += l;
		} else if (kind == FRAME_STAGE) {
			size_t s = l < sizeof(r->stage) - 1 ? l : sizeof(r->stage) - 1;

			memcpy(r->stage, b->p + off, s);
			r->stage[s] = '\0';
		} else if (kind == FRAME_END && l == sizeof(int32_t)) {
			int32_t rc;

			memcpy(&rc, b->p + off, sizeof(rc));
			r->child_rc = rc;
			ended = 1;
		}
		off += l;
	}
	r->data[dlen] = '\0';
	r->len = dlen;
	return ended;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait for an exiting child until the deadline; 1 and its status when reaped. */
static int reap_until(pid_t pid, uint64_t deadline, int *wstatus)
{
	for (;;) {
		pid_t w = waitpid(pid, wstatus, WNOHANG);

		if (w == pid)
			return 1;
		if (w < 0 && errno != EINTR)
			return 0;
		if (now_ns() >= deadline)
			return 0;
		sleep_ms(1);
	}
}

/* Read the pipe until EOF or the deadline: 1 on EOF, 0 on timeout, -1 error. */
static int drain_pipe(int fd, uint64_t deadline, struct rbuf *b)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ns();
		int ms, n;

		if (now >= deadline)
			return 0;
		ms = (int)((deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
		n = poll(&pfd, 1, ms);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			continue;
		n = rbuf_read(b, fd);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (n == 0)
			return 1;
	}
}

int deadline_run(deadline_fn fn, void *arg, unsigned timeout_ms, unsigned flags,
		 struct deadline_result *r)
{
	uint64_t start = now_ns(), deadline = start + timeout_ms * NSEC_PER_MSEC;
	struct rbuf b = { 0 };
	int p[2], rc, ended, wstatus = 0, reaped, derr;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(p, O_CLOEXEC)) {
		r->status = DEADLINE_FAILED;
		r->err = errno;
		return r->status;
	}
	fflush(NULL);  /* else the child may flush the parent's stdio buffers again */
	pid = fork();
	if (pid < 0) {
		r->status = DEADLINE_FAILED;
		r->err = errno;
		close(p[0]);
		close(p[1]);
		return r->status;
	}
	if (pid == 0) {
		close(p[0]);
		run_child(p[1], fn, arg, flags);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	rc = drain_pipe(p[0], deadline, &b);
	derr = errno;
	close(p[0]);
	ended = parse_frames(&b, r);
	free(b.p);
	r->pid = pid;
	if (ended < 0 || rc < 0) {
		r->status = DEADLINE_FAILED;
		r->err = ended < 0 ? ENOMEM : derr;
		kill(pid, SIGKILL);
		r->left_behind = !deadline_reap(pid);
	} else if (rc == 0) {
		/* Timed out: say what the child is stuck in, then leave it behind. */
		r->status = DEADLINE_HUNG;
		deadline_describe(pid, r->what, sizeof(r->what));
		kill(pid, SIGKILL);
		r->left_behind = !deadline_reap(pid);
	} else {
		reaped = reap_until(pid, deadline, &wstatus);
		r->left_behind = !reaped;
		if (ended) {
			r->status = DEADLINE_DONE;
		} else if (reaped) {
			r->status = DEADLINE_FAILED;
			r->term_signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
		} else {
			r->status = DEADLINE_HUNG;
			deadline_describe(pid, r->what, sizeof(r->what));
			kill(pid, SIGKILL);
		}
	}
	r->elapsed_ms = (unsigned long)((now_ns() - start) / NSEC_PER_MSEC);
	return r->status;
}

void deadline_result_free(struct deadline_result *r)
{
	free(r->data);
	r->data = NULL;
	r->len = 0;
}

int deadline_reap(pid_t pid)
{
	pid_t w;

	if (pid <= 0)
		return 1;
	do
		w = waitpid(pid, NULL, WNOHANG);
	while (w < 0 && errno == EINTR);
	return w == pid || (w < 0 && errno == ECHILD);
}

static int read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int deadline_proc_read(const char *procroot, pid_t pid, struct deadline_proc *p)
{
	char path[PATH_MAX], stat[1024];
	const char *paren;
	unsigned long long start;

	memset(p, 0, sizeof(*p));
	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%d/stat", procroot, (int)pid);
	if (read_small(path, stat, sizeof(stat)))
		return -1;
	/* "pid (comm) S ppid ...": comm may hold spaces and parentheses. */
	paren = strrchr(stat, ')');
	if (!paren || paren[1] != ' ' || !paren[2])
		return -1;
	/* After the state, fields 4 to 21, then the start time (22). */
	if (sscanf(paren + 3, "%*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
		   "%*d %*d %*d %llu", &start) == 1)
		p->start = start;
	p->state = paren[2];
	snprintf(path, sizeof(path), "%s/%d/wchan", procroot, (int)pid);
	if (read_small(path, p->wchan, sizeof(p->wchan)) || strcmp(p->wchan, "0") == 0)
		p->wchan[0] = '\0';
	return 0;
}

void deadline_describe(pid_t pid, char *buf, size_t len)
{
	struct deadline_proc p;

	buf[0] = '\0';
	if (deadline_proc_read("/proc", pid, &p))
		return;
	if (p.state == 'Z') {
		snprintf(buf, len, "pid %d, exited", (int)pid);
		return;
	}
	snprintf(buf, len, "pid %d, state %c%s%s%s", (int)pid, p.state,
		 p.state == 'D' ? " (uninterruptible)" : "", p.wchan[0] ? ", blocked in " : "",
		 p.wchan);
}
