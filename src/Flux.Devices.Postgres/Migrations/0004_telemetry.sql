-- Flux.Devices schema, version 3: telemetry, and indexes for retention.
--
-- Narrow rows, one value of one point of one device at one time, as TimescaleDB and most time-series stores keep
-- them: a register map gains a point without a schema change, a read of one point touches only its rows, and COPY
-- writes four fixed columns. Points compare by code point (COLLATE "C"), so the primary key gives reads their order.

CREATE TABLE IF NOT EXISTS {schema}.device_telemetry (
    device_id UUID NOT NULL REFERENCES {schema}.mg_device_registry(id),
    timestamp TIMESTAMPTZ NOT NULL,
    point TEXT COLLATE "C" NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (device_id, timestamp, point)
);

-- Retention deletes the oldest rows of every device in bounded batches: by time alone.
CREATE INDEX IF NOT EXISTS device_telemetry_timestamp ON {schema}.device_telemetry (timestamp);
CREATE INDEX IF NOT EXISTS device_health_timestamp ON {schema}.device_health (timestamp);

-- As device_health (version 1): a hypertable where TimescaleDB is installed, an ordinary table elsewhere. Chunks of a
-- day (a site's day of readings is a few million rows); the indexes above serve, so TimescaleDB adds none of its own.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        PERFORM create_hypertable('{schema}.device_telemetry', 'timestamp', chunk_time_interval => interval '1 day', create_default_indexes => false, if_not_exists => true);
    END IF;
END
$$;
