-- SPDX-License-Identifier: MIT
-- The recipients of a mail about scope: base (the [smtp] to list) and every
-- route that matches, each address once, in that order. A pattern is matched
-- with no escape character (ESCAPE ''): a row written before
-- alert_route_check, ending in a backslash, no longer fails every
-- evaluation.
CREATE OR REPLACE FUNCTION alert_recipients(scope text, base text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT string_agg(a, ', ' ORDER BY first) FROM (
        SELECT a, min(ord) AS first FROM (
            SELECT a, ord FROM regexp_split_to_table(coalesce(base, ''), '[\s,]+') WITH ORDINALITY AS b (a, ord)
            UNION ALL
            SELECT a, 1000000 * r.id + ord FROM alert_route r,
                   regexp_split_to_table(r.recipients, '[\s,]+') WITH ORDINALITY AS x (a, ord)
            WHERE scope LIKE r.scope_pattern ESCAPE ''
        ) all_rcpt WHERE a <> '' GROUP BY a
    ) uniq
$$;
COMMENT ON FUNCTION alert_recipients(text, text) IS
    'The recipients of a mail about a target of that scope: the given list ([smtp] to) and those of every alert_route that matches, each once.';
