/* SPDX-License-Identifier: MIT */
/* The Sparkplug B host's I/O, on the loop thread: the births saved next to
 * the spool (so that aliases survive a crash whose spool replay no longer
 * holds them), appended as they change on libuv's thread pool, and rebirth requests
 * published as NCMD. The state machine itself is lib/sparkplug.c. */
#ifndef ENERTRACK_DAEMON_SPHOST_H
#define ENERTRACK_DAEMON_SPHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "enertrack/buf.h"
#include "enertrack/sparkplug.h"
#include "mqtt.h"

/* The file under spool_dir that holds the current births: a log of spool
 * records, a birth's or (without payload) a death's, that lib/spbirths.c
 * replays. */
#define ET_SP_BIRTHS_FILE "sparkplug.births"

/* Feeds the saved births of dir into h (restore mode). A missing file is
 * no error. Returns the number of births, or a negative errno with a
 * reason in err. A file that ends in a torn or damaged record (a crash
 * during an append) gives the births of the records before it, and a
 * note in err (else err is ""). */
int et_sphost_births_load(et_sp_host_t *h, const char *dir, char *err, size_t errlen);

/* The least bound of the file's size (see et_sphost_saver_new). */
#define ET_SPHOST_BIRTHS_MIN_FILE (1u << 20)

/* The most the file may hold for max_nodes edge nodes of at most
 * max_birth_bytes of births each: their live births (the payloads and, a
 * birth, a record header and a topic: under 4 KiB a node) and a
 * compaction's slack of as much again (births replaced or dead since the
 * last compaction). 0 (no most) when either limit is 0. */
#define ET_SPHOST_BIRTHS_MAX_FILE(max_nodes, max_birth_bytes)                                      \
	((max_nodes) > 0 && (max_birth_bytes) > 0                                                  \
		 ? 2u * (uint64_t)(max_nodes) * ((uint64_t)(max_birth_bytes) + 4096u)              \
		 : 0u)

/* Saves the births to dir on libuv's thread pool: the loop only takes a
 * reference on each birth. Each save appends to the file what changed
 * since the last one (the new births, a death record for each birth gone)
 * and fdatasyncs it. When that would take the file past its bound, twice
 * the live births' bytes but at least ET_SPHOST_BIRTHS_MIN_FILE and at
 * most max_file (0: no most), the save compacts instead: the live births
 * to a new file, fdatasync, rename. So the file stays within
 * max(live bytes, that bound), and a compaction writes no more than was
 * appended since the last one (when max_file does not bind): the bytes
 * written are at most twice the births' own. The first save of a process
 * compacts.
 * One save at a time; a save asked for while one runs is made when it
 * ends, with the births as they are then. dir is copied; the host given
 * to save is borrowed and must outlive the saves: the loop does not end
 * while one runs (a uv_work_t is an active request). Failures are logged,
 * once until the next success; after one the next save compacts. Loop
 * thread. */
typedef struct et_sphost_saver et_sphost_saver_t;
et_sphost_saver_t *et_sphost_saver_new(uv_loop_t *loop, const char *dir, uint64_t max_file);
void et_sphost_saver_save(et_sphost_saver_t *s, const et_sp_host_t *h);
/* Its lines of /metrics: the bytes written to the file (appended,
 * compacted) and its size, as of the last save that ended. */
void et_sphost_saver_metrics(const et_sphost_saver_t *s, et_buf_t *b);
/* Frees s, after the loop has ended; NULL does nothing. */
void et_sphost_saver_free(et_sphost_saver_t *s);

/* Publishes the rebirth request of t's edge node through m (QoS 0, as the
 * specification has NCMD). 0, or a negative code when not sent. */
int et_sphost_rebirth(et_mqtt_t *m, const et_sp_topic_t *t);

#endif
