-- Flux.Devices schema, version 3: control writes in the history (kind 'controlled'): the point, the value, the
-- registers and the outcome, as a JSON object; NULL for every other kind of entry.
ALTER TABLE {schema}.device_history ADD COLUMN IF NOT EXISTS control JSONB;
