-- SPDX-License-Identifier: MIT
-- enertrack migration 012: what operators read in their language.
--
-- Metric labels in Simplified Chinese beside the English ones, for the
-- mails, the status page, `enertrack status` and the reports when
-- [alerts] language = zh-CN. metric_label(name, lang) picks one.

ALTER TABLE metric ADD COLUMN label_zh text;
COMMENT ON COLUMN metric.label_zh IS 'The label in Simplified Chinese (zh-CN); NULL: the English label is shown.';

UPDATE metric SET label_zh = v.zh
  FROM (VALUES ('raw_coal', '原煤产量'),
               ('capacity_commissioned', '新能源新增装机'),
               ('retrofit_capacity', '煤电机组改造'),
               ('generation', '发电量'),
               ('energy_consumption', '能源消费总量'),
               ('gdp', '地区生产总值'),
               ('advanced_capacity_share', '先进煤电产能占比'),
               ('energy_intensity', '单位GDP能耗下降')) AS v (name, zh)
 WHERE metric.name = v.name;

CREATE FUNCTION metric_label(m text, lang text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN lang IN ('zh-CN', 'zh_CN', 'zh') THEN coalesce(x.label_zh, x.label) ELSE x.label END
      FROM metric x WHERE x.name = m
$$;
COMMENT ON FUNCTION metric_label(text, text) IS
    'The label of metric m in lang (''en'' or ''zh-CN''); the English one when no translation exists.';
