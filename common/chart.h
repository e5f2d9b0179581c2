/* SPDX-License-Identifier: MIT */
/* Before the split, the charts were here. They are now in db/chartdata.h
 * (load the figures, and the entry points et_chart_target_png and
 * et_chart_gap_png, unchanged) and draw/chart.h (draw them; et_chart_cleanup).
 * This header only forwards to them, for the callers not yet moved; new
 * code includes the two above. */
#ifndef ENERTRACK_COMMON_CHART_H
#define ENERTRACK_COMMON_CHART_H

#include "db/chartdata.h"
#include "draw/chart.h"

#endif
