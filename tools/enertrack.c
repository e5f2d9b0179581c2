/* SPDX-License-Identifier: MIT */
/* enertrack: the operator's tool. One subcommand per file. */
#include <jansson.h>
#include <libpq-fe.h>
#include <MQTTAsync.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "db.h"
#include "enertrack/log.h"
#include "tools.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"migrate", migrate_main, "apply the sql/ migrations in order, each once"},
	{"status", status_main, "the targets table: plan, expected by now, actual, drift"},
	{"evaluate", evaluate_main,
	 "evaluate the targets' alerts now, at a time, or over a past span"},
	{"import", import_main,
	 "import official statistics from a CSV file (--dry-run: check only)"},
	{"silence", silence_main, "keep a target's reminder mails back until a time, saying why"},
	{"ack", ack_main, "acknowledge a target's alert: no reminders until it resolves"},
	{"report", report_main, "a year's report as an Excel workbook or a printable page"},
	{"chart", chart_main, "a target's chart as PNG, as mails and the status page show it"},
	{"publish", publish_main, "publish topic<TAB>payload lines from stdin"},
	{"sparkplug", sparkplug_main,
	 "ask a Sparkplug B edge node for a rebirth (rebirth GROUP/NODE)"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: enertrack COMMAND [options]   (enertrack COMMAND --help)\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  %-10s %s\n", "--version",
		"print the versions of enertrack and its libraries");
	fprintf(f, "\n-c FILE names the configuration; without it, $ENERTRACK_CONF, else\n"
		   "/etc/enertrack/enertrack.conf.\n");
}

int main(int argc, char **argv)
{
	et_log_init("enertrack");
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("enertrack %s\n  libuv %s\n  libpq %d.%d\n  jansson %s\n", ET_VERSION,
		       uv_version_string(), PQlibVersion() / 10000, PQlibVersion() % 10000,
		       jansson_version_str());
		for (MQTTAsync_nameValue *v = MQTTAsync_getVersionInfo(); v && v->name; v++)
			if (strcmp(v->name, "Version") == 0)
				printf("  paho-mqtt-c %s\n", v->value);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "enertrack: '%s' is not a command\nhint: enertrack --help lists them\n",
		argv[1]);
	return 2;
}
