-- Flux.Devices schema: leases for several health monitors on one database (IDeviceLeaseStore). Each monitor instance
-- has a row with a heartbeat; it is live while expires_at (its last heartbeat + its lease time) is in the future and
-- it has not stopped. A device is polled by the instance that holds its lease; every change of owner takes a new
-- fencing token from lease_token_seq, and every write a monitor makes for a device names the token it polled under:
-- the store refuses the write, in the write's own transaction, when the token is no longer the device's current one.

CREATE TABLE IF NOT EXISTS {schema}.monitor_instances (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    filter TEXT,
    started_at TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    stopped_at TIMESTAMPTZ
);

CREATE SEQUENCE IF NOT EXISTS {schema}.lease_token_seq;

CREATE TABLE IF NOT EXISTS {schema}.device_leases (
    device_id UUID PRIMARY KEY REFERENCES {schema}.mg_device_registry(id) ON DELETE CASCADE,
    owner UUID NOT NULL,
    token BIGINT NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX IF NOT EXISTS device_leases_owner ON {schema}.device_leases (owner);
