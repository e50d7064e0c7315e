-- The spec's tables in SQLite's types: ids as text, timestamps as UTC ticks (exact, and ordered as numbers), metadata
-- as JSON text checked to be an object. Names compare by byte, which on UTF-8 is code point order.
-- Applied once, recorded in schema_migrations (version 1); IF NOT EXISTS keeps a file whose tables were made by hand.
CREATE TABLE IF NOT EXISTS mg_device_registry (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    site TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    active INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL DEFAULT 'registered',
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS mg_device_registry_type_site ON mg_device_registry (type, site);
CREATE INDEX IF NOT EXISTS mg_device_registry_state ON mg_device_registry (state);
CREATE TABLE IF NOT EXISTS device_history (
    device_id TEXT NOT NULL REFERENCES mg_device_registry(id),
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    trigger TEXT,
    changed_fields TEXT NOT NULL DEFAULT '[]',
    reason TEXT,
    actor TEXT,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (device_id, version)
);
CREATE TABLE IF NOT EXISTS device_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    group_type TEXT NOT NULL,
    metadata TEXT,
    created_at INTEGER
);
CREATE TABLE IF NOT EXISTS device_group_members (
    group_id TEXT REFERENCES device_groups(id),
    device_id TEXT REFERENCES mg_device_registry(id),
    role TEXT,
    priority INTEGER,
    PRIMARY KEY (group_id, device_id)
);
CREATE INDEX IF NOT EXISTS device_group_members_device ON device_group_members (device_id);
CREATE TABLE IF NOT EXISTS device_health (
    device_id TEXT NOT NULL REFERENCES mg_device_registry(id),
    timestamp INTEGER NOT NULL,
    status TEXT NOT NULL,
    response_time_ms INTEGER,
    error_count INTEGER,
    last_successful_poll INTEGER,
    diagnostics TEXT,
    PRIMARY KEY (device_id, timestamp)
);
