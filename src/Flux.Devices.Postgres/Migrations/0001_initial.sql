-- Flux.Devices schema, version 1. "{schema}" is replaced by the configured schema (quoted), "flux" by default.
-- The spec's four tables are as it writes them; what the library needs and the spec leaves out is added beside them:
-- the lifecycle state and a version for optimistic concurrency on the registry, unique names, filter indexes, a CHECK
-- that metadata is an object, and the change history.

CREATE TABLE IF NOT EXISTS {schema}.mg_device_registry (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    site TEXT NOT NULL,
    metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
    active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    state TEXT NOT NULL DEFAULT 'registered',
    version BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT mg_device_registry_name_key UNIQUE (name),
    CONSTRAINT mg_device_registry_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT mg_device_registry_state_known CHECK (state IN ('registered', 'configured', 'testing', 'active', 'failed', 'maintenance', 'decommissioned')),
    CONSTRAINT mg_device_registry_version_positive CHECK (version >= 1)
);

CREATE INDEX IF NOT EXISTS mg_device_registry_type_site ON {schema}.mg_device_registry (type, site);
CREATE INDEX IF NOT EXISTS mg_device_registry_site ON {schema}.mg_device_registry (site);
CREATE INDEX IF NOT EXISTS mg_device_registry_state ON {schema}.mg_device_registry (state);
CREATE INDEX IF NOT EXISTS mg_device_registry_metadata ON {schema}.mg_device_registry USING GIN (metadata jsonb_path_ops);

-- One row per device version: every change, transitions included, with the state it moved from and to.
CREATE TABLE IF NOT EXISTS {schema}.device_history (
    device_id UUID NOT NULL REFERENCES {schema}.mg_device_registry(id),
    version BIGINT NOT NULL,
    kind TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    trigger TEXT,
    changed_fields TEXT[] NOT NULL DEFAULT '{}',
    reason TEXT,
    actor TEXT,
    timestamp TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (device_id, version)
);

CREATE TABLE IF NOT EXISTS {schema}.device_groups (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name TEXT NOT NULL,
    site TEXT NOT NULL,
    group_type TEXT NOT NULL, -- 'control', 'monitoring', 'analysis'
    metadata JSONB,
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE UNIQUE INDEX IF NOT EXISTS device_groups_name_key ON {schema}.device_groups (name);

CREATE TABLE IF NOT EXISTS {schema}.device_group_members (
    group_id UUID REFERENCES {schema}.device_groups(id),
    device_id UUID REFERENCES {schema}.mg_device_registry(id),
    role TEXT, -- 'primary', 'backup', 'monitor'
    priority INTEGER,
    PRIMARY KEY (group_id, device_id)
);

CREATE INDEX IF NOT EXISTS device_group_members_device ON {schema}.device_group_members (device_id);

CREATE TABLE IF NOT EXISTS {schema}.device_health (
    device_id UUID REFERENCES {schema}.mg_device_registry(id),
    timestamp TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL, -- 'online', 'offline', 'degraded'
    response_time_ms INTEGER,
    error_count INTEGER,
    last_successful_poll TIMESTAMPTZ,
    diagnostics JSONB,
    PRIMARY KEY (device_id, timestamp)
);

-- As the spec does, where TimescaleDB is installed; plain PostgreSQL keeps an ordinary table.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        PERFORM create_hypertable('{schema}.device_health', 'timestamp', if_not_exists => true);
    END IF;
END
$$;
