-- SPDX-License-Identifier: MIT
-- The canonical value of 1 unit_in for metric (1 for a metric that is not
-- canonical, which is stored as it comes).
CREATE OR REPLACE FUNCTION counter_factor(p_metric text, p_unit text) RETURNS double precision
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT coalesce((SELECT u.factor FROM metric m JOIN unit u ON u.dim = m.dim
                     WHERE m.name = p_metric AND u.name = p_unit), 1)
$$;
COMMENT ON FUNCTION counter_factor(text, text) IS
    'Canonical value of one unit_in of the metric (1 when the metric is not canonical): converts a declared rollover.';
