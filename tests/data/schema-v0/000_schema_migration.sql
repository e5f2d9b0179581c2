-- SPDX-License-Identifier: MIT
-- enertrack migration 000: the ledger of applied migrations. `enertrack
-- migrate` runs this file first on a database that has no ledger yet; it
-- may also find one made by an older enertrack (hence IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS schema_migration (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
