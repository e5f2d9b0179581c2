-- SPDX-License-Identifier: MIT
-- Does a site count for a scope?
CREATE OR REPLACE FUNCTION target_scope_has(scope text, site_id text, county text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT scope = 'city'
        OR (scope LIKE 'county:%' AND county = substr(scope, 8))
        OR (scope LIKE 'site:%' AND site_id = substr(scope, 6))
$$;
COMMENT ON FUNCTION target_scope_has(text, text, text) IS 'true when a site (its id and county) lies in a scope (city, county:<name>, site:<id>).';
