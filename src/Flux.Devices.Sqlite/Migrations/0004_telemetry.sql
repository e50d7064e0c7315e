-- Telemetry: the readings decoded from each poll of an Active device, as narrow rows (one value of one point of one
-- device at one time), as in the PostgreSQL store. Timestamps are UTC ticks cut to the microsecond; points compare by
-- byte (BINARY), which on UTF-8 is code point order, so the primary key gives the reads their order.
CREATE TABLE IF NOT EXISTS device_telemetry (
    device_id TEXT NOT NULL REFERENCES mg_device_registry(id),
    timestamp INTEGER NOT NULL,
    point TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (device_id, timestamp, point)
);
-- Retention deletes the oldest rows of every device in bounded batches: by time alone.
CREATE INDEX IF NOT EXISTS device_telemetry_timestamp ON device_telemetry (timestamp);
CREATE INDEX IF NOT EXISTS device_health_timestamp ON device_health (timestamp);
