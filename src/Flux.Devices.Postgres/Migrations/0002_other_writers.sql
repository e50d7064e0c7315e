-- Flux.Devices schema, version 2: rows changed by other writers (psql, the spec's own SQL, another application).
--
-- The library's compare-and-set compares the version column, and the library moves it on every write it makes. A
-- writer that does not know the column leaves it as it was, so without this trigger a stale compare-and-set would
-- still match and silently undo that writer's change. The trigger moves the version for such a writer (any UPDATE that
-- changes a registry column and leaves version alone), records the change in device_history as kind 'external', and
-- keeps the lifecycle state in step with the spec's own maintenance statement:
--   * active = false with a metadata.maintenance object puts a device that is not in maintenance (nor decommissioned)
--     into 'maintenance', as MaintenanceService does;
--   * active = true without metadata.maintenance takes a device out of maintenance to 'testing', as leaving
--     maintenance through the library does.
-- A writer that moves the version itself is taken to be the library (or to know what it does) and is left alone.

CREATE OR REPLACE FUNCTION {schema}.mg_device_registry_other_writer() RETURNS trigger
LANGUAGE plpgsql AS $function$
DECLARE
    changed TEXT[] := '{}';
    key TEXT;
    application TEXT := nullif(current_setting('application_name', true), '');
BEGIN
    IF NEW.version IS DISTINCT FROM OLD.version THEN
        RETURN NEW;
    END IF;

    IF NEW.state = OLD.state AND OLD.state NOT IN ('maintenance', 'decommissioned')
        AND NOT NEW.active AND jsonb_typeof(NEW.metadata -> 'maintenance') = 'object' THEN
        NEW.state := 'maintenance';
    ELSIF NEW.state = OLD.state AND OLD.state = 'maintenance' AND NEW.active AND NOT (NEW.metadata ? 'maintenance') THEN
        NEW.state := 'testing';
    END IF;

    IF NEW.name IS DISTINCT FROM OLD.name THEN changed := changed || 'name'::text; END IF;
    IF NEW.type IS DISTINCT FROM OLD.type THEN changed := changed || 'type'::text; END IF;
    IF NEW.site IS DISTINCT FROM OLD.site THEN changed := changed || 'site'::text; END IF;
    IF NEW.active IS DISTINCT FROM OLD.active THEN changed := changed || 'active'::text; END IF;
    IF NEW.metadata IS DISTINCT FROM OLD.metadata THEN
        FOR key IN
            SELECT k FROM (
                SELECT jsonb_object_keys(NEW.metadata) AS k
                UNION
                SELECT jsonb_object_keys(OLD.metadata)) AS keys
            WHERE (NEW.metadata -> k) IS DISTINCT FROM (OLD.metadata -> k)
            ORDER BY k COLLATE "C"
        LOOP
            changed := changed || ('metadata.' || key);
        END LOOP;
    END IF;

    IF cardinality(changed) = 0 AND NEW.state = OLD.state THEN
        RETURN NEW; -- nothing a reader of the registry can see has changed
    END IF;

    NEW.version := OLD.version + 1;
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;

    INSERT INTO {schema}.device_history (device_id, version, kind, from_state, to_state, trigger, changed_fields, reason, actor, timestamp)
    VALUES (
        NEW.id, NEW.version, 'external', OLD.state, NEW.state, NULL, changed,
        CASE
            WHEN NEW.state = 'maintenance' AND OLD.state <> 'maintenance' THEN 'Changed outside Flux.Devices: active = false with metadata.maintenance'
            WHEN OLD.state = 'maintenance' AND NEW.state = 'testing' THEN 'Changed outside Flux.Devices: active = true without metadata.maintenance'
            ELSE 'Changed outside Flux.Devices'
        END,
        current_user || coalesce(' (' || application || ')', ''),
        NEW.updated_at);
    RETURN NEW;
END
$function$;

DROP TRIGGER IF EXISTS mg_device_registry_other_writer ON {schema}.mg_device_registry;
CREATE TRIGGER mg_device_registry_other_writer
    BEFORE UPDATE ON {schema}.mg_device_registry
    FOR EACH ROW EXECUTE FUNCTION {schema}.mg_device_registry_other_writer();

-- Rows other writers put into maintenance before this version: read them as the trigger would have.
UPDATE {schema}.mg_device_registry SET active = active
WHERE state NOT IN ('maintenance', 'decommissioned') AND NOT active AND jsonb_typeof(metadata -> 'maintenance') = 'object';
