-- SPDX-License-Identifier: MIT
-- The bounds of the month partition that holds instant t.
CREATE OR REPLACE FUNCTION reading_month_bounds(t timestamptz, OUT name text, OUT lo timestamptz,
                                     OUT hi timestamptz)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    off interval := reading_partition_offset();
    m timestamp := date_trunc('month', (t AT TIME ZONE 'UTC') + off);
BEGIN
    name := 'reading_' || to_char(m, 'YYYY_MM');
    lo := (m - off) AT TIME ZONE 'UTC';
    hi := ((m + interval '1 month') - off) AT TIME ZONE 'UTC';
END $$;
COMMENT ON FUNCTION reading_month_bounds(timestamptz) IS
    'Name and [lo, hi) of the monthly partition of reading that holds t, in the chain of the existing ones.';
