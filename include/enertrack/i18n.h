/* SPDX-License-Identifier: MIT */
/* The languages of what operators read (mails, the status page, `enertrack
 * status`, reports) and the message catalogue: a fixed table of keys, each
 * with its English and Simplified Chinese text. Metric labels are not here:
 * they come from the metric table (label, label_zh). Pure, any thread. */
#ifndef ENERTRACK_I18N_H
#define ENERTRACK_I18N_H

typedef enum et_lang {
	ET_LANG_EN = 0,
	ET_LANG_ZH_CN = 1,
} et_lang_t;

/* "en" or "zh-CN" (also "zh_CN", "zh", any case) into *ret. Returns 0, or
 * -EINVAL for anything else (NULL included); *ret is unchanged then. */
int et_lang_parse(const char *s, et_lang_t *ret) __attribute__((warn_unused_result));

/* "en" or "zh-CN": the BCP 47 tag, for HTML lang= and Content-Language. */
const char *et_lang_tag(et_lang_t lang);

/* Like et_lang_parse, but NULL or an unknown tag is English. */
et_lang_t et_lang_or_en(const char *s);

/* The text of `key` in `lang`, UTF-8, static. A key the catalogue does not
 * have is returned as it is (so a missing entry shows, never crashes).
 * Keys are dotted ASCII: "status.behind", "chart.actual", ... (the table in
 * lib/i18n.c lists them all). */
const char *et_tr(et_lang_t lang, const char *key);

/* A target's scope for people, into out (len bytes, NUL-terminated,
 * truncated at a character boundary): "city" is "city" / "全市",
 * "county:襄垣" is "襄垣", "site:xy-01" is "xy-01"; anything else as it is
 * (NULL: ""). */
#include <stddef.h>
void et_scope_text(et_lang_t lang, const char *scope, char *out, size_t len);

#endif
