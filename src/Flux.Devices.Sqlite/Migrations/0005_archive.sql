-- Archive: a decommissioned device's health samples and telemetry, moved out of the hot tables in the same transaction
-- as the move to Decommissioned (the store's device write does it). The same columns and keys as the hot tables, so
-- that a move is one INSERT ... SELECT and one DELETE; no timestamp index, as retention does not apply to the archive:
-- the rows are read back by device (the primary key).
CREATE TABLE IF NOT EXISTS device_health_archive (
    device_id TEXT NOT NULL REFERENCES mg_device_registry(id),
    timestamp INTEGER NOT NULL,
    status TEXT NOT NULL,
    response_time_ms INTEGER,
    error_count INTEGER,
    last_successful_poll INTEGER,
    diagnostics TEXT,
    PRIMARY KEY (device_id, timestamp)
);
CREATE TABLE IF NOT EXISTS device_telemetry_archive (
    device_id TEXT NOT NULL REFERENCES mg_device_registry(id),
    timestamp INTEGER NOT NULL,
    point TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (device_id, timestamp, point)
);
