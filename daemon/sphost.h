/* SPDX-License-Identifier: MIT */
/* The Sparkplug B host's I/O, on the loop thread: the births saved next to
 * the spool (so that aliases survive a crash whose spool replay no longer
 * holds them) and rebirth requests published as NCMD. The state machine
 * itself is lib/sparkplug.c. */
#ifndef ENERTRACK_DAEMON_SPHOST_H
#define ENERTRACK_DAEMON_SPHOST_H

#include <stddef.h>

#include "enertrack/sparkplug.h"
#include "mqtt.h"

/* The file under spool_dir that holds the current births, as spool records. */
#define ET_SP_BIRTHS_FILE "sparkplug.births"

/* Feeds the saved births of dir into h (restore mode). A missing file is
 * no error. Returns the number of births, or a negative errno with a
 * reason in err (a damaged file: its good records are taken). */
int et_sphost_births_load(et_sp_host_t *h, const char *dir, char *err, size_t errlen);

/* Writes h's births to dir atomically (a new file, fdatasync, rename).
 * 0 or a negative errno. */
int et_sphost_births_save(const et_sp_host_t *h, const char *dir);

/* Publishes the rebirth request of t's edge node through m (QoS 0, as the
 * specification has NCMD). 0, or a negative code when not sent. */
int et_sphost_rebirth(et_mqtt_t *m, const et_sp_topic_t *t);

#endif
