/*
 * Append-only outputs that a run feeds line by line while it goes on: the
 * JSON Lines companion of a long run's interval series
 * (doc/result-schema-v2.md, section 5) and the status lines of
 * --status-interval on standard error.
 *
 * A writer thread does every file system call (opening the file under the
 * output rule, result/output.h, and each write); the run's threads only
 * queue. output_appender_post() copies the line into the queue under a
 * mutex that the thread holds for a buffer swap, and returns: it never
 * waits for the output. When more than max_queue bytes wait unwritten (an
 * output that blocks: a frozen filesystem, a full pipe), a new line is
 * dropped and counted, never the monitor.
 *
 * A companion file is created at the first write: a new empty file beside
 * the document (output_open_beside()), then appended to; each batch of
 * lines is written with write() and fdatasync()'d, so what is written
 * survives a crash of the process at once and a crash of the machine after
 * the sync; a line cut by a crash is the last one, and readers ignore it.
 * A descriptor (standard error) is written into, never synced.
 */
#ifndef DMRB_APPENDER_H
#define DMRB_APPENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct output_appender;

/*
 * A companion of the document at doc_path, named <doc's name>suffix.
 * NULL when no thread can be started (out of memory, no threads).
 */
struct output_appender *output_appender_beside(const char *doc_path, const char *suffix,
					       size_t max_queue);
/* Lines into an open descriptor (not closed at the end; never synced). */
struct output_appender *output_appender_fd(int fd, size_t max_queue);

/* Queue len bytes (one or more whole lines); false when dropped (queue full, or failed). */
bool output_appender_post(struct output_appender *a, const char *data, size_t len);

struct appender_stats {
	uint64_t lines_posted;     /* accepted into the queue */
	uint64_t lines_written;    /* and written (synced, for a file) */
	uint64_t lines_dropped;    /* refused: the queue was full, or the output failed */
	uint64_t bytes_written;
	uint64_t write_ns_max;     /* the longest batch: write and sync */
	uint64_t write_ns_last;
};
void output_appender_stats(struct output_appender *a, struct appender_stats *st);
/* The file's name as created (companions; "" before the first write or after a failure). */
void output_appender_name(struct output_appender *a, char *name, size_t len);
/* The first failure, reported once: true and why filled. */
bool output_appender_failed(struct output_appender *a, char *why, size_t wlen);

/*
 * No more lines: the thread writes what is queued, then ends. Returns at
 * once; output_appender_finish() waits for it.
 */
void output_appender_close(struct output_appender *a);
/*
 * Close (if not yet), then with wait, wait for the queue to be written as
 * output_writer_finish() does: giving up once the output has taken nothing
 * for OUTPUT_STALL_S seconds, counted from the close or from the last
 * progress, whichever is later. Without wait, a thread still busy is left
 * behind at once (status lines: not worth any delay). Releases a.
 * OUTPUT_OK, or an enum output_status with one line in why (what names the
 * contents for a blocked output: "the interval series").
 */
int output_appender_finish(struct output_appender *a, bool wait, const char *what, char *why,
			   size_t wlen);

#endif
