/* SPDX-License-Identifier: MIT */
/* One table-driven command-line parser for enertrack's subcommands and
 * enertrackd: a table of options in, the values in their variables out, and
 * one style of usage error ("enertrack: <subcommand>: <what>" and the usage
 * line as the hint) in a caller's buffer. Pure: it prints nothing. */
#ifndef ENERTRACK_CMDLINE_H
#define ENERTRACK_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	ET_OPT_FLAG,   /* dest is bool *: set true; takes no argument */
	ET_OPT_STR,    /* dest is const char **: the argument (borrowed from argv) */
	ET_OPT_INT,    /* dest is int *: a whole number in [min, max] */
	ET_OPT_NUM,    /* dest is double *: a number in [min, max] */
	ET_OPT_CHOICE, /* dest is int *: the index of the argument in choices */
} et_opt_kind_t;

typedef struct {
	const char *name; /* the long name without "--": "target" */
	char short_name;  /* 'c', or 0 for none */
	et_opt_kind_t kind;
	void *dest;
	const char *arg; /* what the argument is, for messages: "ID" */
	bool required;
	double min, max;	    /* ET_OPT_INT, ET_OPT_NUM: the range (both 0: any) */
	const char *const *choices; /* ET_OPT_CHOICE: NULL-terminated */
	const char *why;	    /* optional: said after a value out of range or not a choice */
} et_opt_t;

/* Table rows; the optional tail takes designated fields
 * (.required = true, .min = 1, .max = 12, .why = "..."). */
#define ET_OPT_FLAG_ROW(l, s, d, ...)                                                              \
	{                                                                                          \
		.name = (l), .short_name = (s), .kind = ET_OPT_FLAG, .dest = (d), __VA_ARGS__      \
	}
#define ET_OPT_STR_ROW(l, s, d, a, ...)                                                            \
	{                                                                                          \
		.name = (l), .short_name = (s), .kind = ET_OPT_STR, .dest = (d), .arg = (a),       \
		__VA_ARGS__                                                                        \
	}
#define ET_OPT_INT_ROW(l, s, d, a, ...)                                                            \
	{                                                                                          \
		.name = (l), .short_name = (s), .kind = ET_OPT_INT, .dest = (d), .arg = (a),       \
		__VA_ARGS__                                                                        \
	}
#define ET_OPT_NUM_ROW(l, s, d, a, ...)                                                            \
	{                                                                                          \
		.name = (l), .short_name = (s), .kind = ET_OPT_NUM, .dest = (d), .arg = (a),       \
		__VA_ARGS__                                                                        \
	}
#define ET_OPT_CHOICE_ROW(l, s, d, a, c, ...)                                                      \
	{                                                                                          \
		.name = (l), .short_name = (s), .kind = ET_OPT_CHOICE, .dest = (d), .arg = (a),    \
		.choices = (c), __VA_ARGS__                                                        \
	}

typedef struct {
	const char *prog;  /* "enertrack" */
	const char *cmd;   /* "chart", or NULL for a program without subcommands */
	const char *usage; /* the synopsis, one or more lines without the final newline */
	const char *help;  /* --help: what follows the synopsis (lines ending in newlines) */
	const et_opt_t *opts;
	size_t nopts;
	/* positional arguments: at least min_args, at most max_args, into args
	 * (borrowed from argv; max_args slots) and their count into *nargs */
	int min_args, max_args;
	const char *args_name; /* "TARGET", for messages */
	const char **args;
	int *nargs;
} et_cmdline_t;

enum { ET_CMDLINE_OK = 0, ET_CMDLINE_HELP = 1, ET_CMDLINE_USAGE = 2 };

/* Parses argv[1..argc-1] (argv[0] is the subcommand's or program's name):
 * "--name value", "--name=value", an unambiguous prefix of a long name,
 * "-x value", "-xvalue", "--" ending the options; options and positional
 * arguments in any order; "-h"/"--help" anywhere. Returns ET_CMDLINE_OK,
 * ET_CMDLINE_HELP (nothing else checked), or ET_CMDLINE_USAGE with
 * "prog: cmd: what\nusage: ...\n" in err. Repeating an option keeps the last
 * value, as getopt does. */
int et_cmdline_parse(const et_cmdline_t *cl, int argc, char *const *argv, char *err, size_t errlen);

/* The same style for an error found after parsing (a time that does not
 * parse, a missing directory): "prog: cmd: what\nhint\n" into err; hint may
 * be NULL (then the usage line). Returns ET_CMDLINE_USAGE. */
int et_cmdline_error(const et_cmdline_t *cl, const char *hint, char *err, size_t errlen,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
