-- SPDX-License-Identifier: MIT
-- The sources of reading that count for metric m when a target chose
-- `chosen` (target.sources, NULL: none chosen): the chosen ones, else the
-- metric's default_sources; NULL (every reading counts) for a metric
-- without a source split, whatever was chosen. reading_spans takes it.
CREATE OR REPLACE FUNCTION metric_sources(m text, chosen text[]) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN x.default_sources IS NOT NULL THEN coalesce(chosen, x.default_sources) END
      FROM metric x WHERE x.name = m
$$;
COMMENT ON FUNCTION metric_sources(text, text[]) IS
    'The reading sources that count for metric m given a target''s sources (NULL: the metric''s default_sources); NULL: every source counts (the metric has no source split).';
