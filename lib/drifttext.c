/* SPDX-License-Identifier: MIT */
/* A target's drift in words and figures (see drifttext.h). The points'
 * unit is a catalogue message, so that Chinese reads 个百分点 and English
 * "pp" without a language test here. */
#include "enertrack/drifttext.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "enertrack/numfmt.h"

bool et_drift_in_points(const char *display_unit)
{
	return display_unit && strcmp(display_unit, "%") == 0;
}

const char *et_drift_unit(const char *display_unit)
{
	return et_drift_in_points(display_unit) ? "pp" : "%";
}

int et_drift_text(char *out, size_t len, et_lang_t lang, double drift, const char *display_unit)
{
	if (!et_drift_in_points(display_unit) || !isfinite(drift))
		return et_num_pct(out, len, drift, true);
	char n[48];
	/* -0.004 rounds to "-0.00": a drift of nothing has no sign */
	if (fabs(drift) < 0.005)
		drift = 0;
	et_num_fixed(n + 1, sizeof(n) - 1, drift, 2, false);
	const char *num = n + 1;
	if (drift > 0) {
		n[0] = '+';
		num = n;
	}
	return et_msg_fill(out, len, lang, ET_MSG_DRIFT_PP, 1, num);
}
