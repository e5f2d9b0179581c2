-- SPDX-License-Identifier: MIT
-- Whether a staged row changes the stored one: the figure as written or its
-- note. value follows from value_in and unit_in.
CREATE OR REPLACE FUNCTION statistic_differs(a statistic, unit_in text, value_in double precision, note text)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT (a.unit_in, a.value_in, a.note) IS DISTINCT FROM (unit_in, value_in, note)
$$;
COMMENT ON FUNCTION statistic_differs(statistic, text, double precision, text) IS
    'true when unit_in, value_in or note differ from the stored row a: such an import is a revision.';
