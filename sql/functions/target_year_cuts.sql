-- SPDX-License-Identifier: MIT
-- The spans of a target's year seen at `at` (in zone tz), as cuts for
-- reading_spans: 1 the same period of the year before (its 1 January to the
-- same local time a year before `at`, inclusive), 2 the rest of that year,
-- 3 this year to `at`, inclusive; each span is (from, to]. NULL when `at`
-- is not after the year before's start.
CREATE OR REPLACE FUNCTION target_year_cuts(year integer, at timestamptz, tz text) RETURNS timestamptz[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    y0 timestamptz := make_timestamptz(year, 1, 1, 0, 0, 0, tz);
    y0p timestamptz := make_timestamptz(year - 1, 1, 1, 0, 0, 0, tz);
    -- spans are (from, to]: a reading at `at` counts, one at y0 is last year's
    top timestamptz := at;
    prev_top timestamptz := ((at AT TIME ZONE tz) - interval '1 year') AT TIME ZONE tz;
BEGIN
    IF top <= y0p THEN
        RETURN NULL;
    END IF;
    RETURN ARRAY[y0p, greatest(y0p, least(prev_top, y0, top)), least(y0, top), top];
END $$;
COMMENT ON FUNCTION target_year_cuts(integer, timestamptz, text) IS
    'Cuts for reading_spans: span 1 the same period of the year before, 3 the year to date (both to the microsecond, in the zone).';
