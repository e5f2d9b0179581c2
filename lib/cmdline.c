/* SPDX-License-Identifier: MIT */
/* The command-line parser of include/enertrack/cmdline.h: one loop over
 * argv against a table of options, so that every subcommand refuses the
 * same things (an unknown option, a missing value, an extra argument, a
 * number out of range) with the same words. Not getopt: getopt prints its
 * own messages in its own style and keeps global state. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/cmdline.h"

/* "prog: cmd: what\nhint-or-usage\n" into err. */
static int vfail(const et_cmdline_t *cl, const char *hint, char *err, size_t errlen,
		 const char *fmt, va_list ap)
{
	if (!err || !errlen)
		return ET_CMDLINE_USAGE;
	int n = cl->cmd ? snprintf(err, errlen, "%s: %s: ", cl->prog, cl->cmd)
			: snprintf(err, errlen, "%s: ", cl->prog);
	size_t used = n > 0 && (size_t)n < errlen ? (size_t)n : errlen - 1;
	n = vsnprintf(err + used, errlen - used, fmt, ap);
	used += n > 0 && (size_t)n < errlen - used ? (size_t)n : errlen - used - 1;
	if (hint)
		snprintf(err + used, errlen - used, "\n%s\n", hint);
	else
		snprintf(err + used, errlen - used, "\nusage: %s\n", cl->usage);
	return ET_CMDLINE_USAGE;
}

int et_cmdline_error(const et_cmdline_t *cl, const char *hint, char *err, size_t errlen,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(cl, hint, err, errlen, fmt, ap);
	va_end(ap);
	return ET_CMDLINE_USAGE;
}

static int fail(const et_cmdline_t *cl, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(const et_cmdline_t *cl, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(cl, NULL, err, errlen, fmt, ap);
	va_end(ap);
	return ET_CMDLINE_USAGE;
}

/* The option a long name (up to len characters) means: an exact name, else
 * the one option it is a prefix of. NULL with *ambiguous set when several. */
static const et_opt_t *find_long(const et_cmdline_t *cl, const char *name, size_t len,
				 int *ambiguous)
{
	const et_opt_t *hit = NULL;
	int hits = 0;
	*ambiguous = 0;
	for (size_t i = 0; i < cl->nopts; i++) {
		if (strncmp(cl->opts[i].name, name, len) != 0)
			continue;
		if (strlen(cl->opts[i].name) == len)
			return &cl->opts[i];
		hit = &cl->opts[i];
		hits++;
	}
	*ambiguous = hits > 1;
	return hits == 1 ? hit : NULL;
}

static const et_opt_t *find_short(const et_cmdline_t *cl, char c)
{
	for (size_t i = 0; i < cl->nopts; i++)
		if (cl->opts[i].short_name && cl->opts[i].short_name == c)
			return &cl->opts[i];
	return NULL;
}

/* "--name" or "-x", as the user would write it, for messages. */
static void opt_label(const et_opt_t *o, char *buf, size_t len)
{
	if (o->name)
		snprintf(buf, len, "--%s", o->name);
	else
		snprintf(buf, len, "-%c", o->short_name);
}

static int out_of_range(const et_cmdline_t *cl, const et_opt_t *o, const char *label,
			const char *val, char *err, size_t errlen)
{
	if (o->why)
		return fail(cl, err, errlen, "%s %s: %s", label, val, o->why);
	return fail(cl, err, errlen, "%s %s: must be from %g to %g", label, val, o->min, o->max);
}

/* Stores val into o's variable, checking it as o's kind says. */
static int set_value(const et_cmdline_t *cl, const et_opt_t *o, const char *val, char *err,
		     size_t errlen)
{
	char label[64], *end;
	opt_label(o, label, sizeof(label));
	bool ranged = o->min != 0 || o->max != 0;
	switch (o->kind) {
	case ET_OPT_FLAG:
		*(bool *)o->dest = true;
		return 0;
	case ET_OPT_STR:
		*(const char **)o->dest = val;
		return 0;
	case ET_OPT_INT: {
		errno = 0;
		long v = strtol(val, &end, 10);
		if (errno || end == val || *end)
			return fail(cl, err, errlen, "%s '%s': not a whole number", label, val);
		if (ranged && (v < o->min || v > o->max))
			return out_of_range(cl, o, label, val, err, errlen);
		*(int *)o->dest = (int)v;
		return 0;
	}
	case ET_OPT_NUM: {
		errno = 0;
		double v = strtod(val, &end);
		if (errno || end == val || *end || !isfinite(v))
			return fail(cl, err, errlen, "%s '%s': not a number", label, val);
		if (ranged && (v < o->min || v > o->max))
			return out_of_range(cl, o, label, val, err, errlen);
		*(double *)o->dest = v;
		return 0;
	}
	case ET_OPT_CHOICE:
		for (int i = 0; o->choices && o->choices[i]; i++)
			if (strcmp(o->choices[i], val) == 0) {
				*(int *)o->dest = i;
				return 0;
			}
		if (o->why)
			return fail(cl, err, errlen, "%s '%s': %s", label, val, o->why);
		char list[256] = "";
		size_t used = 0;
		for (int i = 0; o->choices && o->choices[i] && used < sizeof(list); i++) {
			int n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
					 o->choices[i]);
			if (n > 0)
				used += (size_t)n;
		}
		return fail(cl, err, errlen, "%s '%s': not one of %s", label, val, list);
	}
	return fail(cl, err, errlen, "%s: unknown kind of option", label);
}

/* One option at argv[*i]; *i moves past its value when that is the next
 * argument. seen[] marks the options given. */
static int one_option(const et_cmdline_t *cl, int argc, char *const *argv, int *i, bool *seen,
		      char *err, size_t errlen)
{
	const char *a = argv[*i], *val = NULL;
	const et_opt_t *o;
	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		int ambiguous;
		o = find_long(cl, name, len, &ambiguous);
		if (!o)
			return fail(cl, err, errlen, "%s --%.*s",
				    ambiguous ? "ambiguous option" : "unknown option", (int)len,
				    name);
		if (eq && o->kind == ET_OPT_FLAG)
			return fail(cl, err, errlen, "--%s takes no value", o->name);
		if (eq)
			val = eq + 1;
	} else {
		o = find_short(cl, a[1]);
		if (!o)
			return fail(cl, err, errlen, "unknown option -%c", a[1]);
		if (a[2] && o->kind == ET_OPT_FLAG)
			return fail(cl, err, errlen, "unknown option %s", a);
		if (a[2])
			val = a + 2;
	}
	if (o->kind != ET_OPT_FLAG && !val) {
		char label[64];
		opt_label(o, label, sizeof(label));
		if (*i + 1 >= argc)
			return fail(cl, err, errlen, "%s needs a value (%s)", label,
				    o->arg ? o->arg : "a value");
		val = argv[++*i];
	}
	seen[o - cl->opts] = true;
	return set_value(cl, o, val, err, errlen);
}

static bool is_help(const char *a)
{
	return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

int et_cmdline_parse(const et_cmdline_t *cl, int argc, char *const *argv, char *err, size_t errlen)
{
	bool seen[64] = {false}, options_done = false;
	int nargs = 0;
	if (cl->nopts > sizeof(seen) / sizeof(seen[0]))
		return fail(cl, err, errlen, "too many options in the table");
	/* --help wins over every error, as in git and systemctl */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (is_help(argv[i]))
			return ET_CMDLINE_HELP;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!options_done && strcmp(a, "--") == 0) {
			options_done = true;
			continue;
		}
		if (!options_done && a[0] == '-' && a[1]) {
			int rc = one_option(cl, argc, argv, &i, seen, err, errlen);
			if (rc)
				return rc;
			continue;
		}
		if (nargs >= cl->max_args) {
			if (cl->max_args == 0)
				return fail(cl, err, errlen, "unexpected argument '%s'", a);
			return fail(cl, err, errlen, "unexpected argument '%s' after %s '%s'", a,
				    cl->args_name ? cl->args_name : "the argument",
				    cl->args[nargs - 1]);
		}
		cl->args[nargs++] = a;
	}
	for (size_t k = 0; k < cl->nopts; k++)
		if (cl->opts[k].required && !seen[k]) {
			char label[64];
			opt_label(&cl->opts[k], label, sizeof(label));
			return fail(cl, err, errlen, "missing %s%s%s", label,
				    cl->opts[k].arg ? " " : "",
				    cl->opts[k].arg ? cl->opts[k].arg : "");
		}
	if (nargs < cl->min_args)
		return fail(cl, err, errlen, "missing %s",
			    cl->args_name ? cl->args_name : "argument");
	if (cl->nargs)
		*cl->nargs = nargs;
	return ET_CMDLINE_OK;
}
