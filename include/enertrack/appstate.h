/* SPDX-License-Identifier: MIT */
/* The daemon's life cycle as a state machine, pure: the states and which
 * transitions are legal. The daemon moves between them through one setter
 * (app_set_state in daemon/main.c) that logs every transition and refuses
 * the others.
 *
 *   starting -> running <-> paused      (paused: the spool is full)
 *   running, paused -> draining         (SIGTERM: commit what was received)
 *   starting, draining -> closing       (a failed start; all committed, or
 *                                        the shutdown timed out) */
#ifndef ENERTRACK_APPSTATE_H
#define ENERTRACK_APPSTATE_H

#include <stdbool.h>

enum et_app_state {
	ET_APP_ST_STARTING = 0, /* main() is setting up; the loop does not run yet */
	ET_APP_ST_RUNNING,	/* taking messages and writing them */
	ET_APP_ST_PAUSED,	/* disconnected from the broker until the spool drains */
	ET_APP_ST_DRAINING,	/* stopping: no new messages, committing the rest */
	ET_APP_ST_CLOSING,	/* stopping: closing handles and threads, then exit */
	ET_APP_ST_COUNT
};

/* True when from -> to is a legal transition (never a state to itself). */
bool et_app_state_allowed(enum et_app_state from, enum et_app_state to);

/* "starting", "running", ...; "?" for a value out of range. */
const char *et_app_state_name(enum et_app_state s);

#endif
