/* SPDX-License-Identifier: MIT */
/* The languages of what operators read (mails, the status page, `enertrack
 * status`, reports) and the message catalogue: one list of messages
 * (include/enertrack/i18n_catalogue.h), each with its English and Simplified
 * Chinese text. The language is parsed once, with the configuration
 * (et_config_t.lang); renderers take an et_lang_t. Metric labels are not
 * here: they come from the metric table (label, label_zh). Pure, any thread. */
#ifndef ENERTRACK_I18N_H
#define ENERTRACK_I18N_H

#include <stddef.h>

typedef enum et_lang { ET_LANG_EN = 0, ET_LANG_ZH_CN = 1, ET_LANG_N } et_lang_t;

/* The messages, ET_MSG_<ID>, one per line of the catalogue. */
typedef enum et_msg {
#define ET_MSG_DEF(id, key, en, zh) ET_MSG_##id,
#include "enertrack/i18n_catalogue.h"
#undef ET_MSG_DEF
	ET_MSG_N
} et_msg_t;

/* "en" or "zh-CN" (also "zh_CN", "zh", any case) into *ret. Returns 0, or
 * -EINVAL for anything else (NULL included); *ret is unchanged then. Only
 * the configuration parses languages. */
int et_lang_parse(const char *s, et_lang_t *ret) __attribute__((warn_unused_result));

/* "en" or "zh-CN": the BCP 47 tag, for HTML lang= and Content-Language. */
const char *et_lang_tag(et_lang_t lang);

/* The text of message `id` in `lang`: UTF-8, static, never NULL. */
const char *et_msg(et_lang_t lang, et_msg_t id);

/* Message `id` in lang with its placeholders {1} .. {9} replaced by the
 * n strings after n (NULL is ""), into out (len bytes, NUL-terminated, cut
 * at a character boundary). Placeholders let each language put the figures
 * where its grammar wants them ("{1}% behind schedule", "落后于序时进度
 * {1}%"); figures come formatted (et_num). A placeholder without an
 * argument is left as it is. Returns the length of the whole text, as
 * snprintf does (>= len: cut). */
int et_msg_fill(char *out, size_t len, et_lang_t lang, et_msg_t id, int n, ...);

/* The text of the message whose dotted key is `key` ("status.behind"), for
 * words that come as data; a key the catalogue does not have is returned as
 * it is (so a missing entry shows, never crashes). NULL: "". */
const char *et_tr(et_lang_t lang, const char *key);

/* A target status as target_progress_at() gives it ("behind", "on_track")
 * in lang; an unknown status as it is. NULL: "". */
const char *et_status_text(et_lang_t lang, const char *status);

/* A plan over several years: its status in the bureau's words (超序时进度,
 * 落后序时进度, 符合序时进度 for "ahead", "behind", "on_track"); any other
 * status as et_status_text gives it. */
const char *et_plan_status_text(et_lang_t lang, const char *status);

/* The text in lang of the message in group `prefix` ("report.") whose English
 * text is `en`, for words the SQL writes in English (column names); `en` as
 * it is when there is none. */
const char *et_tr_text(et_lang_t lang, const char *prefix, const char *en);

/* A target's scope for people, into out (len bytes, NUL-terminated,
 * truncated at a character boundary): "city" is "city" / "全市",
 * "county:襄垣" is "襄垣", "site:xy-01" is "xy-01"; anything else as it is
 * (NULL: ""). */
void et_scope_text(et_lang_t lang, const char *scope, char *out, size_t len);

#endif
