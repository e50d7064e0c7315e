-- Other writers (the sqlite3 shell, another program) leave version alone: move it for them, so that a stale
-- compare-and-set fails instead of undoing their change, record the change as kind 'external', and read the
-- spec's maintenance statement (active = 0 with a metadata.maintenance object) as maintenance, its undoing as
-- testing; as the PostgreSQL store's trigger does. Timestamps are .NET ticks (UTC).
CREATE TRIGGER IF NOT EXISTS mg_device_registry_other_writer
AFTER UPDATE ON mg_device_registry FOR EACH ROW
WHEN NEW.version = OLD.version AND (
    NEW.name IS NOT OLD.name OR NEW.type IS NOT OLD.type OR NEW.site IS NOT OLD.site OR NEW.active IS NOT OLD.active
    OR NEW.metadata IS NOT OLD.metadata OR NEW.state IS NOT OLD.state
    OR (OLD.state NOT IN ('maintenance', 'decommissioned') AND NOT NEW.active AND json_type(NEW.metadata, '$.maintenance') = 'object'))
BEGIN
    UPDATE mg_device_registry SET
        version = OLD.version + 1,
        state = CASE
            WHEN NEW.state = OLD.state AND OLD.state NOT IN ('maintenance', 'decommissioned') AND NOT NEW.active
                AND json_type(NEW.metadata, '$.maintenance') = 'object' THEN 'maintenance'
            WHEN NEW.state = OLD.state AND OLD.state = 'maintenance' AND NEW.active
                AND json_type(NEW.metadata, '$.maintenance') IS NULL THEN 'testing'
            ELSE NEW.state END,
        updated_at = CASE WHEN NEW.updated_at = OLD.updated_at
            THEN CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 10000 + 621355968000000000
            ELSE NEW.updated_at END
    WHERE id = NEW.id;
    INSERT INTO device_history (device_id, version, kind, from_state, to_state, trigger, changed_fields, reason, actor, timestamp)
    SELECT r.id, r.version, 'external', OLD.state, r.state, NULL,
        (SELECT json_group_array(f) FROM (
            SELECT 1 AS o, 'name' AS f WHERE NEW.name IS NOT OLD.name
            UNION ALL SELECT 2, 'type' WHERE NEW.type IS NOT OLD.type
            UNION ALL SELECT 3, 'site' WHERE NEW.site IS NOT OLD.site
            UNION ALL SELECT 4, 'active' WHERE NEW.active IS NOT OLD.active
            UNION ALL SELECT 5, 'metadata.' || k FROM (
                SELECT n.key AS k FROM json_each(NEW.metadata) n LEFT JOIN json_each(OLD.metadata) p ON p.key = n.key
                WHERE p.key IS NULL OR p.type IS NOT n.type OR p.value IS NOT n.value
                UNION SELECT p.key FROM json_each(OLD.metadata) p WHERE p.key NOT IN (SELECT key FROM json_each(NEW.metadata)))
            ORDER BY o, f)),
        CASE
            WHEN r.state = 'maintenance' AND OLD.state <> 'maintenance' THEN 'Changed outside Flux.Devices: active = false with metadata.maintenance'
            WHEN OLD.state = 'maintenance' AND r.state = 'testing' THEN 'Changed outside Flux.Devices: active = true without metadata.maintenance'
            ELSE 'Changed outside Flux.Devices' END,
        'sqlite', r.updated_at
    FROM mg_device_registry r WHERE r.id = NEW.id;
END;
UPDATE mg_device_registry SET active = active
WHERE state NOT IN ('maintenance', 'decommissioned') AND NOT active AND json_type(metadata, '$.maintenance') = 'object';
