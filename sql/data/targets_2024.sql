-- SPDX-License-Identifier: MIT
-- The city's 2024 targets (the annual plan). Data, not schema: loaded by
-- `enertrack migrate --seed`, again on every run without changing a target
-- that is already there (edit those with UPDATE target ...).
INSERT INTO target (metric, year, kind, value, unit, tolerance_pct, scope, plan_text) VALUES
    ('raw_coal', 2024, 'about', 1.7, '亿吨', 3, 'city', '原煤年产量稳定在1.7亿吨左右'),
    ('capacity_commissioned', 2024, 'at_least', 60, '万千瓦', 5, 'city', '新增新能源装机60万千瓦'),
    ('energy_intensity', 2024, 'reduce_by_pct', 1.8, '%', 0, 'city', '能耗强度下降1.8%以上'),
    ('advanced_capacity_share', 2024, 'about', 95, '%', 1, 'city', '煤炭先进产能稳定在95%左右'),
    ('retrofit_capacity', 2024, 'at_least', 225, '万千瓦', 5, 'city', '完成煤电机组"三改联动"225万千瓦')
ON CONFLICT (metric, year, scope) DO NOTHING;
