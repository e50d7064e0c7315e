-- Scheduled maintenance windows (IMaintenanceScheduleStore): one row per window, kept after it ran (its status and
-- note say how it went). Times are UTC ticks cut to the microsecond, as in the other tables; starts_at < ends_at.
-- The overlap check of a new window and its insert run in one immediate transaction (the write lock), so two writers
-- cannot add overlapping open windows.
CREATE TABLE IF NOT EXISTS maintenance_windows (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES mg_device_registry(id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    CHECK (ends_at > starts_at)
);
CREATE INDEX IF NOT EXISTS maintenance_windows_device ON maintenance_windows (device_id, starts_at);
CREATE INDEX IF NOT EXISTS maintenance_windows_open ON maintenance_windows (starts_at) WHERE status IN ('scheduled', 'in_progress');
