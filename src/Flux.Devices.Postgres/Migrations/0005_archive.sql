-- Flux.Devices schema, version 5: archive tables.
--
-- When a device is decommissioned, its health samples and telemetry leave the hot tables in the same transaction as
-- the move (the store's device write does it, with one DELETE ... RETURNING feeding an INSERT per table). The archive
-- tables have the hot tables' columns and keys; they are ordinary tables even where TimescaleDB is installed: they are
-- written once per device, read back by device (the primary key), and retention does not apply to them, so chunks by
-- time would add nothing. The hot tables stay as they are (hypertables where TimescaleDB is installed); moving rows out
-- of them is an ordinary DELETE, which TimescaleDB supports on hypertables.

CREATE TABLE IF NOT EXISTS {schema}.device_health_archive (
    device_id UUID NOT NULL REFERENCES {schema}.mg_device_registry(id),
    timestamp TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL,
    response_time_ms INTEGER,
    error_count INTEGER,
    last_successful_poll TIMESTAMPTZ,
    diagnostics JSONB,
    PRIMARY KEY (device_id, timestamp)
);

CREATE TABLE IF NOT EXISTS {schema}.device_telemetry_archive (
    device_id UUID NOT NULL REFERENCES {schema}.mg_device_registry(id),
    timestamp TIMESTAMPTZ NOT NULL,
    point TEXT COLLATE "C" NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (device_id, timestamp, point)
);
