-- Flux.Devices schema: scheduled maintenance windows (IMaintenanceScheduleStore), one row per window, kept after it
-- ran (its status and note say how it went). A new window's overlap check and its insert run in one transaction that
-- first locks the device's row (FOR NO KEY UPDATE), so two writers cannot add overlapping open windows of a device.

CREATE TABLE IF NOT EXISTS {schema}.maintenance_windows (
    id UUID PRIMARY KEY,
    device_id UUID NOT NULL REFERENCES {schema}.mg_device_registry(id),
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    CHECK (ends_at > starts_at)
);

CREATE INDEX IF NOT EXISTS maintenance_windows_device ON {schema}.maintenance_windows (device_id, starts_at);
CREATE INDEX IF NOT EXISTS maintenance_windows_open ON {schema}.maintenance_windows (starts_at) WHERE status IN ('scheduled', 'in_progress');
