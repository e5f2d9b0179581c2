-- SPDX-License-Identifier: MIT
CREATE OR REPLACE FUNCTION metric_label(m text, lang text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN lang IN ('zh-CN', 'zh_CN', 'zh') THEN coalesce(x.label_zh, x.label) ELSE x.label END
      FROM metric x WHERE x.name = m
$$;
COMMENT ON FUNCTION metric_label(text, text) IS
    'The label of metric m in lang (''en'' or ''zh-CN''); the English one when no translation exists.';
