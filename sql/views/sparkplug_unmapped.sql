-- SPDX-License-Identifier: MIT
CREATE OR REPLACE VIEW sparkplug_unmapped AS
SELECT u.group_id, u.edge_node, u.device, u.metric_name, u.datatype, u.first_seen, u.last_seen,
       u.last_value, u.n_values,
       format('INSERT INTO sparkplug_map (group_id, edge_node, device, metric_name, site_id, metric, unit, counter, rollover) VALUES (%L, %L, %L, %L, %L, %L, %L, false, NULL);',
              u.group_id, u.edge_node, u.device, u.metric_name, '<site id>', '<metric>', '<unit>') AS to_map
FROM sparkplug_unmapped_metric u
WHERE NOT EXISTS (SELECT 1 FROM sparkplug_map m
                  WHERE (m.group_id, m.edge_node, m.device, m.metric_name)
                      = (u.group_id, u.edge_node, u.device, u.metric_name));
COMMENT ON VIEW sparkplug_unmapped IS
    'Sparkplug metrics that arrived and are still not mapped, with the INSERT that would map them (fill in site id, metric and unit; counter and rollover for a totaliser). Values that arrived before the mapping are not stored.';
COMMENT ON COLUMN sparkplug_unmapped.group_id IS 'Sparkplug group id.';
COMMENT ON COLUMN sparkplug_unmapped.edge_node IS 'Sparkplug edge node id.';
COMMENT ON COLUMN sparkplug_unmapped.device IS 'Sparkplug device id ('''' for the edge node).';
COMMENT ON COLUMN sparkplug_unmapped.metric_name IS 'The metric''s name.';
COMMENT ON COLUMN sparkplug_unmapped.datatype IS 'Sparkplug datatype number.';
COMMENT ON COLUMN sparkplug_unmapped.first_seen IS 'Timestamp of the first unmapped value.';
COMMENT ON COLUMN sparkplug_unmapped.last_seen IS 'Timestamp of the latest unmapped value.';
COMMENT ON COLUMN sparkplug_unmapped.last_value IS 'The latest value, as sent.';
COMMENT ON COLUMN sparkplug_unmapped.n_values IS 'Values not stored for want of a mapping.';
COMMENT ON COLUMN sparkplug_unmapped.to_map IS 'The INSERT INTO sparkplug_map to run, with <site id>, <metric> and <unit> to fill in.';
GRANT SELECT ON sparkplug_unmapped TO enertrack_reader;
GRANT SELECT ON sparkplug_unmapped TO enertrack_ingest;
