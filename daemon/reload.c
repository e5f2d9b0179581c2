/* SPDX-License-Identifier: MIT */
/* enertrackd's SIGHUP: a whole new configuration is read and applied only
 * if it all parsed; keys that cannot change at run time keep their old
 * value (and say so). systemd hears RELOADING=1, then READY=1. Loop
 * thread. */
#include <string.h>
#include <systemd/sd-daemon.h>

#include "app.h"
#include "common/confload.h"
#include "enertrack/buf.h"
#include "enertrack/file.h"
#include "enertrack/log.h"

/* Reload builds a whole new configuration and applies it only if it all
 * parsed; keys that cannot change at run time keep their old value. */
void app_on_sighup(uv_signal_t *s, int signum)
{
	struct app *a = s->data;
	et_config_t next;
	(void)signum;
	log_info("SIGHUP: reloading %s", a->config_path);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)(uv_hrtime() / 1000));
	if (et_config_load(a->config_path, &next)) {
		log_error("SIGHUP: the new configuration has errors; keeping the old one");
		sd_notify(0, "READY=1");
		return;
	}
	et_buf_t fixed = ET_BUF_INIT;
	if (et_config_diff_fixed(&a->cfg, &next, &fixed) > 0 && et_buf_append(&fixed, "", 1) == 0) {
		char *save = NULL;
		for (char *l = strtok_r(fixed.data, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save))
			log_warn("SIGHUP: %s; keeping the old value", l);
	}
	et_buf_free(&fixed);
	et_log_set_level_name(next.log_level);
	et_ingest_reconfigure(&a->ingest, &next);
	a->cfg.http_quiet_alarm_s = next.http_quiet_alarm_s;
	et_page_reconfigure(a->page, &next);
	char *smtp_pw = NULL;
	char err[300];
	if (et_secret_read_cred(next.smtp_password_file, "smtp-password", &smtp_pw, err,
				sizeof(err)))
		log_error("SIGHUP: [smtp] password_file: %s; keeping the old SMTP settings", err);
	else if (a->alerts && et_alerts_reconfigure(a->alerts, &next, smtp_pw))
		log_error("SIGHUP: out of memory applying the [targets], [alerts] and [smtp] "
			  "settings");
	app_wipe_free(smtp_pw);
	et_config_free(&next);
	log_info("SIGHUP: reloaded");
	sd_notify(0, "READY=1");
}
