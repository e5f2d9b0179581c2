/* SPDX-License-Identifier: MIT */
/* The daemon's life-cycle transitions (enertrack/appstate.h), as a table. */
#include "enertrack/appstate.h"

#define BIT(s) (1u << (s))

/* allowed[from]: the states `from` may move to */
static const unsigned allowed[ET_APP_ST_COUNT] = {
	[ET_APP_ST_STARTING] = BIT(ET_APP_ST_RUNNING) | BIT(ET_APP_ST_CLOSING),
	[ET_APP_ST_RUNNING] = BIT(ET_APP_ST_PAUSED) | BIT(ET_APP_ST_DRAINING),
	[ET_APP_ST_PAUSED] = BIT(ET_APP_ST_RUNNING) | BIT(ET_APP_ST_DRAINING),
	[ET_APP_ST_DRAINING] = BIT(ET_APP_ST_CLOSING),
	[ET_APP_ST_CLOSING] = 0,
};

static const char *const names[ET_APP_ST_COUNT] = {
	[ET_APP_ST_STARTING] = "starting", [ET_APP_ST_RUNNING] = "running",
	[ET_APP_ST_PAUSED] = "paused",	   [ET_APP_ST_DRAINING] = "draining",
	[ET_APP_ST_CLOSING] = "closing",
};

bool et_app_state_allowed(enum et_app_state from, enum et_app_state to)
{
	if ((unsigned)from >= ET_APP_ST_COUNT || (unsigned)to >= ET_APP_ST_COUNT)
		return false;
	return (allowed[from] & BIT(to)) != 0;
}

const char *et_app_state_name(enum et_app_state s)
{
	return (unsigned)s < ET_APP_ST_COUNT ? names[s] : "?";
}
