/* SPDX-License-Identifier: MIT */
/* `enertrack sparkplug rebirth -c FILE GROUP/NODE`: asks one Sparkplug B
 * edge node for a rebirth on an operator's request (NCMD "Node
 * Control/Rebirth" = true, QoS 0, not retained, as enertrackd sends it),
 * through the broker of the configuration's [mqtt] uri, as client
 * `<client_id>/sparkplug-cmd`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/confload.h"
#include "enertrack/buf.h"
#include "enertrack/file.h"
#include "enertrack/log.h"
#include "enertrack/sparkplug.h"
#include "tools.h"

static void sparkplug_usage(FILE *f)
{
	fprintf(f, "usage: enertrack sparkplug rebirth -c FILE GROUP/NODE\n"
		   "Publishes the rebirth request (NCMD Node Control/Rebirth = true) to the edge\n"
		   "node NODE of the Sparkplug group GROUP, through [mqtt] uri of FILE.\n");
}

/* The NCMD topic of "GROUP/NODE", checked as a Sparkplug topic. */
static int rebirth_topic(const char *arg, char *topic, size_t len)
{
	const char *slash = strchr(arg, '/');
	char err[160];
	et_sp_topic_t t;
	if (!slash || strchr(slash + 1, '/'))
		return -EINVAL;
	snprintf(topic, len, "spBv1.0/%.*s/NCMD/%s", (int)(slash - arg), arg, slash + 1);
	if (et_sp_topic_parse(topic, strlen(topic), &t, err, sizeof(err)) || t.type != ET_SP_NCMD)
		return -EINVAL;
	return 0;
}

static int send_rebirth(const et_config_t *cfg, const char *topic)
{
	char err[400], id[300], *password = NULL;
	et_pub_t *p = NULL;
	et_buf_t b = ET_BUF_INIT;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (et_sp_rebirth_payload(&b, (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000)) {
		log_error("out of memory");
		return 1;
	}
	if (cfg->mqtt_password_file[0] &&
	    et_secret_read(cfg->mqtt_password_file, &password, err, sizeof(err))) {
		log_error("[mqtt] password_file: %s", err);
		et_buf_free(&b);
		return 1;
	}
	snprintf(id, sizeof(id), "%s/sparkplug-cmd", cfg->mqtt_client_id);
	/* the first broker of the list */
	char uri[512];
	snprintf(uri, sizeof(uri), "%.*s", (int)strcspn(cfg->mqtt_uri, " \t,"), cfg->mqtt_uri);
	int rc = et_pub_open(&p, uri, id, cfg->mqtt_username[0] ? cfg->mqtt_username : NULL,
			     password, 0, err, sizeof(err));
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	if (rc) {
		log_error("%s", err);
		et_buf_free(&b);
		return 1;
	}
	rc = et_pub_send(p, topic, b.data, b.len);
	int crc = et_pub_close(p);
	et_buf_free(&b);
	if (rc || crc)
		return 1;
	printf("rebirth requested: %s\n", topic);
	return 0;
}

int sparkplug_main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *config = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (c == 'c') {
			config = optarg;
		} else if (c == 'h') {
			sparkplug_usage(stdout);
			return 0;
		} else {
			return 2;
		}
	}
	char topic[3 * ET_SP_ID_MAX + 32];
	if (!config || argc - optind != 2 || strcmp(argv[optind], "rebirth") != 0 ||
	    rebirth_topic(argv[optind + 1], topic, sizeof(topic))) {
		sparkplug_usage(stderr);
		return 2;
	}
	tool_session_t s;
	int rc = tool_open(&s, "sparkplug", config, TOOL_NO_DB);
	if (rc == 0)
		rc = send_rebirth(&s.cfg, topic);
	tool_close(&s);
	return rc;
}
