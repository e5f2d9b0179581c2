/* SPDX-License-Identifier: MIT */
/* The operator tool's subcommands; the connect helpers they share are in
 * db/connect.h. */
#ifndef ENERTRACK_TOOLS_DB_H
#define ENERTRACK_TOOLS_DB_H

#include "db/connect.h" /* tool_connect, tool_connect_reader, tool_check_schema */

int migrate_main(int argc, char **argv);
int status_main(int argc, char **argv);
int evaluate_main(int argc, char **argv);
int import_main(int argc, char **argv);
int silence_main(int argc, char **argv);
int ack_main(int argc, char **argv);
int report_main(int argc, char **argv);
int chart_main(int argc, char **argv);

#endif
