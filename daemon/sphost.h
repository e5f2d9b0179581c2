/* SPDX-License-Identifier: MIT */
/* The Sparkplug B host's I/O, on the loop thread: the births saved next to
 * the spool (so that aliases survive a crash whose spool replay no longer
 * holds them), written on libuv's thread pool, and rebirth requests
 * published as NCMD. The state machine itself is lib/sparkplug.c. */
#ifndef ENERTRACK_DAEMON_SPHOST_H
#define ENERTRACK_DAEMON_SPHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "enertrack/sparkplug.h"
#include "mqtt.h"

/* The file under spool_dir that holds the current births, as spool records. */
#define ET_SP_BIRTHS_FILE "sparkplug.births"

/* Feeds the saved births of dir into h (restore mode). A missing file is
 * no error. Returns the number of births, or a negative errno with a
 * reason in err (a damaged file: its good records are taken). */
int et_sphost_births_load(et_sp_host_t *h, const char *dir, char *err, size_t errlen);

/* Saves the births to dir atomically (a new file, fdatasync, rename) on
 * libuv's thread pool: the loop only takes a reference on each birth.
 * One save at a time; a save asked for while one runs is made when it
 * ends, with the births as they are then. dir is copied; the host given
 * to save is borrowed and must outlive the saves: the loop does not end
 * while one runs (a uv_work_t is an active request). Failures are logged, once
 * until the next success. Loop thread. */
typedef struct et_sphost_saver et_sphost_saver_t;
et_sphost_saver_t *et_sphost_saver_new(uv_loop_t *loop, const char *dir);
void et_sphost_saver_save(et_sphost_saver_t *s, const et_sp_host_t *h);
/* Frees s, after the loop has ended; NULL does nothing. */
void et_sphost_saver_free(et_sphost_saver_t *s);

/* Publishes the rebirth request of t's edge node through m (QoS 0, as the
 * specification has NCMD). 0, or a negative code when not sent. */
int et_sphost_rebirth(et_mqtt_t *m, const et_sp_topic_t *t);

#endif
