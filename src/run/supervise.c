#include "run/supervise.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/hardstop.h"
#include "util/log.h"
#include "util/timeutil.h"

/*
 * The pipe from child to parent carries messages of 5 bytes (less than
 * PIPE_BUF: each write is whole): a kind and a 32-bit value.
 */
enum { MSG_PART = 'P', MSG_STATUS = 'S' };
#define MSG_LEN 5

/* How often the parent looks at a child that reported but has not exited. */
#define EXIT_POLL_NS (20 * NSEC_PER_MSEC)

/* ---- the child's side ---------------------------------------------------- */

static int to_parent = -1;
static bool threads_left;

static void send_msg(char kind, int32_t value)
{
	char m[MSG_LEN];
	ssize_t n;

	if (to_parent < 0)
		return;
	m[0] = kind;
	memcpy(m + 1, &value, sizeof(value));
	do
		n = write(to_parent, m, sizeof(m));
	while (n < 0 && errno == EINTR);
}

void supervise_part_started(void)
{
	send_msg(MSG_PART, 0);
}

void supervise_threads_left(void)
{
	threads_left = true;
}

int supervise_finish(int status)
{
	/* Everything the command printed goes out before the parent hears it ended. */
	fflush(NULL);
	if (to_parent >= 0) {
		send_msg(MSG_STATUS, status);
		close(to_parent);
		to_parent = -1;
	}
	if (threads_left)
		_exit(status);
	return status;
}

/* ---- what a process is doing, from /proc ------------------------------- */

static int read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* One thread: its name, state letter and the kernel function it sleeps in. */
struct thread_view {
	char comm[32];
	char state;
	char where[64];
	unsigned count;        /* threads that look the same */
};

static void view_thread(pid_t pid, const char *tid, struct thread_view *v)
{
	char path[320], stat[512], *open_paren, *close_paren;

	memset(v, 0, sizeof(*v));
	v->state = '?';
	snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, tid);
	if (read_line(path, stat, sizeof(stat)))
		return;
	/* "tid (comm) S ...": comm may hold spaces and parentheses. */
	open_paren = strchr(stat, '(');
	close_paren = strrchr(stat, ')');
	if (open_paren && close_paren > open_paren) {
		snprintf(v->comm, sizeof(v->comm), "%.*s", (int)(close_paren - open_paren - 1),
			 open_paren + 1);
		if (close_paren[1] == ' ' && close_paren[2])
			v->state = close_paren[2];
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%s/wchan", (int)pid, tid);
	if (read_line(path, v->where, sizeof(v->where)) || strcmp(v->where, "0") == 0)
		v->where[0] = '\0';
	if (!v->where[0]) {
		/* "[<0>] percpu_rwsem_wait+0x15f/0x1d0": the innermost frame. */
		char frame[256], *sym;

		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", (int)pid, tid);
		if (read_line(path, frame, sizeof(frame)) == 0 && (sym = strchr(frame, ' '))) {
			sym++;
			snprintf(v->where, sizeof(v->where), "%.*s", (int)strcspn(sym, "+"), sym);
		}
	}
}

#define VIEW_MAX 32

/*
 * The threads of pid, alike ones counted together: "dmrb-w0 D in
 * io_wq_put_and_exit, 8 x iou-wrk-123 D in percpu_rwsem_wait". Returns
 * the number of threads; *in_kernel: all of them asleep uninterruptibly
 * (D) or exited (Z, X), so that no user code of the process can run.
 */
static unsigned describe_threads(pid_t pid, char *buf, size_t len, bool *in_kernel)
{
	struct thread_view v[VIEW_MAX], t;
	char path[64];
	struct dirent *de;
	unsigned nv = 0, n = 0, i, other = 0;
	size_t used = 0;
	DIR *d;

	buf[0] = '\0';
	*in_kernel = true;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		view_thread(pid, de->d_name, &t);
		if (t.state == '?')
			continue;  /* gone meanwhile */
		n++;
		if (t.state != 'D' && t.state != 'Z' && t.state != 'X')
			*in_kernel = false;
		for (i = 0; i < nv; i++)
			if (v[i].state == t.state && !strcmp(v[i].comm, t.comm) &&
			    !strcmp(v[i].where, t.where))
				break;
		if (i < nv) {
			v[i].count++;
		} else if (nv < VIEW_MAX) {
			v[nv] = t;
			v[nv++].count = 1;
		} else {
			other++;
		}
	}
	closedir(d);
	for (i = 0; i < nv && used < len; i++) {
		char count[16] = "";

		if (v[i].count > 1)
			snprintf(count, sizeof(count), "%u x ", v[i].count);
		used += (size_t)snprintf(buf + used, len - used, "%s%s%s %c%s%s", i ? ", " : "",
					 count, v[i].comm, v[i].state,
					 v[i].where[0] ? " in " : "", v[i].where);
	}
	if (other && used < len)
		snprintf(buf + used, len - used, ", %u more", other);
	return n;
}

/* ---- the parent's side ------------------------------------------------ */

struct relay {
	int in;                /* the pipe the child writes, -1 when closed */
	int out;               /* where it goes: the parent's own stdout or stderr */
	bool out_ok;           /* false after a write failed: the rest is dropped */
};

struct parent {
	pid_t child;
	int from_child;        /* -1 at end of file */
	struct relay relay[2];
	unsigned nrelay;
	uint64_t timeout_ns;
	uint64_t part_deadline, sig_deadline;
	bool part_started;
	char msg[MSG_LEN];
	size_t msg_len;
	bool have_status;
	int status;
	uint64_t ended_at;     /* when the child reported (or closed the pipe) */
	int seen_signal;
};

static volatile sig_atomic_t parent_signal;
static pid_t supervised_child;

/*
 * A stop signal sent to the parent (kill(1), a service manager) goes on to
 * the child. A terminal's SIGINT reached the child with the rest of the
 * process group (si_code SI_KERNEL), so it is not sent twice.
 */
static void on_stop_signal(int signo, siginfo_t *si, void *uctx)
{
	(void)uctx;
	/* Never kill(0) or kill(-1): once reaped, the child is 0. */
	if ((si->si_code == SI_USER || si->si_code == SI_QUEUE || si->si_code == SI_TKILL) &&
	    supervised_child > 0)
		kill(supervised_child, signo);
	parent_signal = signo;
}

static void on_child(int signo)
{
	(void)signo;
}

/*
 * Handlers; the signals stay blocked (since before the fork: none is lost)
 * but inside ppoll, which wait_mask, the mask before, less them, opens.
 */
static void parent_signals(const sigset_t *before, sigset_t *wait_mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	*wait_mask = *before;
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGCHLD);
}

static sigset_t wait_mask;

static uint64_t deadline_of(const struct parent *p)
{
	return p->part_deadline < p->sig_deadline ? p->part_deadline : p->sig_deadline;
}

/* Wait for fds (or a signal) until `until`; returns poll's count, 0 on timeout or signal. */
static int wait_fds(struct pollfd *pfd, unsigned n, uint64_t until)
{
	uint64_t now = now_ns();
	struct timespec ts = { 0, 0 };
	int rc;

	if (until > now) {
		uint64_t d = until - now;

		if (d > 3600 * NSEC_PER_SEC)
			d = 3600 * NSEC_PER_SEC;
		ts.tv_sec = (time_t)(d / NSEC_PER_SEC);
		ts.tv_nsec = (long)(d % NSEC_PER_SEC);
	}
	rc = ppoll(pfd, n, &ts, &wait_mask);
	return rc < 0 ? 0 : rc;
}

/* Write what the child wrote; bounded by the deadline so a stuck reader cannot hold us. */
static void relay_out(struct parent *p, struct relay *r, const char *buf, size_t len)
{
	while (len && r->out_ok) {
		struct pollfd pfd = { .fd = r->out, .events = POLLOUT };
		size_t chunk = len < PIPE_BUF ? len : PIPE_BUF;
		ssize_t n;

		if (wait_fds(&pfd, 1, deadline_of(p)) <= 0) {
			if (now_ns() >= deadline_of(p))
				return;  /* the caller checks the deadline next */
			continue;
		}
		n = write(r->out, buf, chunk);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			r->out_ok = false;  /* EPIPE and the like: nobody reads it any more */
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* Move what the relay holds now; false at its end of file. */
static bool relay_pump(struct parent *p, struct relay *r)
{
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = read(r->in, buf, sizeof(buf));
		if (n > 0) {
			relay_out(p, r, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		close(r->in);
		r->in = -1;
		return false;
	}
}

static void relay_all(struct parent *p)
{
	unsigned i;

	for (i = 0; i < p->nrelay; i++)
		if (p->relay[i].in >= 0)
			relay_pump(p, &p->relay[i]);
}

static void read_messages(struct parent *p)
{
	ssize_t n;

	for (;;) {
		n = read(p->from_child, p->msg + p->msg_len, MSG_LEN - p->msg_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close(p->from_child);
			p->from_child = -1;
			if (!p->ended_at)
				p->ended_at = now_ns();
			return;
		}
		p->msg_len += (size_t)n;
		if (p->msg_len < MSG_LEN)
			continue;
		p->msg_len = 0;
		if (p->msg[0] == MSG_PART) {
			/*
			 * --timeout counts from the session's start across every
			 * part (repeats, slices, phases): the deadline set at the
			 * fork stands; a part only says the run got that far.
			 */
			p->part_started = true;
		} else if (p->msg[0] == MSG_STATUS) {
			int32_t v;

			memcpy(&v, p->msg + 1, sizeof(v));
			p->have_status = true;
			p->status = v;
			p->ended_at = now_ns();
		}
	}
}

/* The exit status the child's wait status stands for (a line if a signal ended it). */
static int child_exit_status(const struct parent *p, int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus)) {
		log_error("the run's process %d was killed by signal %d (%s)", (int)p->child,
			  WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
		return 128 + WTERMSIG(wstatus);
	}
	return EXIT_RUNTIME;
}

static void __attribute__((noreturn)) parent_exit(int status)
{
	fflush(NULL);
	_exit(status);
}

/* The child is gone: relay the rest of its output and leave with its status. */
static void __attribute__((noreturn)) child_gone(struct parent *p, int wstatus)
{
	uint64_t until = now_ns() + 100 * NSEC_PER_MSEC;
	unsigned i;

	supervised_child = 0;
	/* Up to their end, but not long: a helper the child left may hold them open. */
	while (now_ns() < until) {
		bool open = false;

		relay_all(p);
		for (i = 0; i < p->nrelay; i++)
			open |= p->relay[i].in >= 0;
		if (!open)
			break;
		{
			struct pollfd pfd[2];
			unsigned n = 0;

			for (i = 0; i < p->nrelay; i++)
				if (p->relay[i].in >= 0)
					pfd[n++] = (struct pollfd){ .fd = p->relay[i].in,
								    .events = POLLIN };
			wait_fds(pfd, n, until);
		}
	}
	parent_exit(child_exit_status(p, wstatus));
}

/* Every thread of the child is asleep in the kernel past the exit grace. */
static void __attribute__((noreturn)) left_behind(struct parent *p)
{
	char what[1024];

	relay_all(p);
	describe_threads(p->child, what, sizeof(what), &(bool){ false });
	log_error("the run's process %d cannot finish exiting and is left behind, asleep in "
		  "the kernel (%s); it goes when the device completes or fails the I/O it "
		  "waits for", (int)p->child, what[0] ? what : "no thread could be read");
	parent_exit(p->have_status ? p->status : EXIT_RUNTIME);
}

/* Past the hard stop's deadline: say what the child is stuck in, kill it, leave. */
static void __attribute__((noreturn)) hard_kill(struct parent *p)
{
	char what[1024], t[32];
	bool in_kernel;
	uint64_t until;
	int wstatus;

	describe_threads(p->child, what, sizeof(what), &in_kernel);
	kill(p->child, SIGKILL);
	relay_all(p);
	/* Not asleep in the kernel, it dies at once: reap it. */
	for (until = now_ns() + 200 * NSEC_PER_MSEC; now_ns() < until;) {
		if (waitpid(p->child, &wstatus, WNOHANG) == p->child) {
			in_kernel = false;
			break;
		}
		wait_fds(NULL, 0, now_ns() + 5 * NSEC_PER_MSEC);
	}
	relay_all(p);
	if (p->sig_deadline <= p->part_deadline)
		snprintf(t, sizeof(t), "%llu s after the stop signal",
			 (unsigned long long)((HARDSTOP_DRAIN_GRACE_NS + HARDSTOP_GRACE_NS) /
					      NSEC_PER_SEC));
	else
		snprintf(t, sizeof(t), "--timeout + %llu s",
			 (unsigned long long)(HARDSTOP_GRACE_NS / NSEC_PER_SEC));
	log_error("hard stop: the run did not end within %s; its process %d is killed%s%s%s",
		  t, (int)p->child, in_kernel ? " but stays, asleep in the kernel (" : " (",
		  what[0] ? what : "no thread could be read",
		  in_kernel ? "), until the device completes or fails the I/O it waits for" : ")");
	if (p->have_status)
		parent_exit(p->status);
	if (parent_signal)
		parent_exit(128 + parent_signal);
	parent_exit(p->part_started ? EXIT_IO : EXIT_RUNTIME);
}

static void __attribute__((noreturn)) supervise(struct parent *p)
{
	for (;;) {
		struct pollfd pfd[3];
		unsigned n = 0, i;
		uint64_t now = now_ns(), until;
		int wstatus;

		if (parent_signal && !p->seen_signal) {
			p->seen_signal = parent_signal;
			p->sig_deadline = now + HARDSTOP_DRAIN_GRACE_NS + HARDSTOP_GRACE_NS;
		}
		if (now >= deadline_of(p))
			hard_kill(p);
		if (waitpid(p->child, &wstatus, WNOHANG) == p->child)
			child_gone(p, wstatus);
		until = deadline_of(p);
		if (p->ended_at) {
			bool in_kernel;
			char what[8];

			if (now >= p->ended_at + HARDSTOP_EXIT_NS) {
				describe_threads(p->child, what, sizeof(what), &in_kernel);
				if (in_kernel)
					left_behind(p);
			}
			if (until > now + EXIT_POLL_NS)
				until = now + EXIT_POLL_NS;
		}
		if (p->from_child >= 0)
			pfd[n++] = (struct pollfd){ .fd = p->from_child, .events = POLLIN };
		for (i = 0; i < p->nrelay; i++)
			if (p->relay[i].in >= 0)
				pfd[n++] = (struct pollfd){ .fd = p->relay[i].in, .events = POLLIN };
		if (wait_fds(pfd, n, until) <= 0)
			continue;
		if (p->from_child >= 0)
			read_messages(p);
		relay_all(p);
	}
}

/* ---- the fork ------------------------------------------------------------ */

/* A closed 0, 1 or 2 would be taken by the next open: the target, say. */
static void standard_fds_open(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);

			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
}

/* Standard output and error that are pipes or sockets go through the parent. */
static bool relayed(int fd, struct stat *st)
{
	return fstat(fd, st) == 0 && (S_ISFIFO(st->st_mode) || S_ISSOCK(st->st_mode));
}

int supervise_start(uint64_t timeout_ns)
{
	struct parent p = { .from_child = -1, .part_deadline = UINT64_MAX,
			    .sig_deadline = UINT64_MAX, .timeout_ns = timeout_ns };
	int status_pipe[2], rp[2][2] = { { -1, -1 }, { -1, -1 } }, target[2] = { -1, -1 };
	struct stat st[2];
	sigset_t stops, before;
	bool relay[2];
	pid_t parent = getpid();
	int i;

	standard_fds_open();
	relay[0] = relayed(STDOUT_FILENO, &st[0]);
	relay[1] = relayed(STDERR_FILENO, &st[1]);
	if (pipe2(status_pipe, O_CLOEXEC)) {
		log_warn("cannot create a pipe (%s); the run goes on unsupervised: a hung device "
			 "can keep it past --timeout", strerror(errno));
		return 0;
	}
	for (i = 0; i < 2; i++) {
		if (!relay[i])
			continue;
		if (i == 1 && relay[0] && st[0].st_dev == st[1].st_dev &&
		    st[0].st_ino == st[1].st_ino) {
			target[1] = 0;  /* one pipe for both: their order is kept */
			continue;
		}
		if (pipe2(rp[i], O_CLOEXEC))
			relay[i] = false;
		else
			target[i] = i;
	}
	fflush(NULL);
	/* A stop signal that comes during the fork waits for the parent's handler. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGCHLD);
	sigprocmask(SIG_BLOCK, &stops, &before);
	p.child = fork();
	if (p.child <= 0)
		sigprocmask(SIG_SETMASK, &before, NULL);
	if (p.child < 0) {
		log_warn("cannot fork (%s); the run goes on unsupervised: a hung device can keep "
			 "it past --timeout", strerror(errno));
		for (i = 0; i < 2; i++)
			if (rp[i][0] >= 0) {
				close(rp[i][0]);
				close(rp[i][1]);
			}
		close(status_pipe[0]);
		close(status_pipe[1]);
		return 0;
	}
	if (p.child == 0) {
		/* The run dies with the tool: SIGKILL of the tool still ends it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			raise(SIGKILL);
		close(status_pipe[0]);
		to_parent = status_pipe[1];
		for (i = 0; i < 2; i++)
			if (target[i] >= 0)
				dup2(rp[target[i]][1], i + 1);
		for (i = 0; i < 2; i++)
			if (rp[i][0] >= 0) {
				close(rp[i][0]);
				close(rp[i][1]);
			}
		return 0;
	}
	/* The parent: the child's ends go, ours do not block. */
	supervised_child = p.child;
	close(status_pipe[1]);
	p.from_child = status_pipe[0];
	fcntl(p.from_child, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 2; i++) {
		if (rp[i][0] < 0)
			continue;
		close(rp[i][1]);
		fcntl(rp[i][0], F_SETFL, O_NONBLOCK);
		p.relay[p.nrelay++] = (struct relay){ .in = rp[i][0], .out = i + 1, .out_ok = true };
	}
	if (timeout_ns)
		p.part_deadline = now_ns() + timeout_ns + HARDSTOP_GRACE_NS;
	parent_signals(&before, &wait_mask);
	supervise(&p);
}
