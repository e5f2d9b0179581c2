-- SPDX-License-Identifier: MIT
-- enertrack migration 021: the site's key is site_id, the name every other
-- table and view already gives it (reading.site_id, site_health.site_id,
-- sparkplug_map.site_id, ...), so that an operator's join reads
-- `USING (site_id)` and nobody guesses between id and site_id (issue 22).
-- A rename keeps the rows, and PostgreSQL carries the primary key, the
-- CHECK on the id's form and sparkplug_map's foreign key over to the new
-- name. The functions that read the column (site_health_at, ingest_apply,
-- sparkplug_apply, the target_* functions, ...) keep their text bodies, so
-- they are not rewritten by the rename: their files under sql/functions/
-- say s.site_id now, and `enertrack migrate` applies them again right after
-- this migration (their checksums changed). No view reads site.id
-- directly and no function returns it under the name id, so nothing has to
-- be dropped: every changed object is replaced in place.
-- Between this transaction and the one that applies the objects, a
-- running enertrackd's batch fails and is retried from its spool; the
-- README asks for migrate, then a restart.
ALTER TABLE site RENAME COLUMN id TO site_id;
COMMENT ON COLUMN site.site_id IS 'The site''s name in the topic (energy/<kind>/<site>/<metric>); every table and view that refers to a site calls it site_id.';
COMMENT ON COLUMN reading.site_id IS 'The site (site.site_id).';
