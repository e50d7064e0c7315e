#!/usr/bin/env bash
# The fleet figures (issue 15): a throwaway PostgreSQL cluster with pg_stat_statements, then
# `dotnet run -- fleet [devices] [ports] [seconds] [kill-at-seconds]` against it, then the cluster removed.
# Run from the repository's root as root or as a user who may run the PostgreSQL binaries:
#   benchmarks/fleet/run.sh 10000 50 150 80
# or the BenchmarkDotNet lease benchmark against such a cluster:
#   benchmarks/fleet/run.sh bdn
set -euo pipefail
bin=$(dirname "$(command -v pg_ctl)")
for v in 17 16 15; do [ -x /usr/lib/postgresql/$v/bin/pg_ctl ] && bin=/usr/lib/postgresql/$v/bin && break; done
data=$(mktemp -d /tmp/flux-fleet-pg.XXXXXX)
port=${FLUX_FLEET_PG_PORT:-55433}
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$data"; su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
as_pg "$bin/initdb -D $data -U postgres -A trust -E UTF8 --no-sync >/dev/null"
as_pg "$bin/pg_ctl -D $data -w -l $data/server.log -o '-p $port -c listen_addresses=127.0.0.1 -k $data -c max_connections=200 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all' start >/dev/null"
trap 'as_pg "$bin/pg_ctl -D $data -m fast -w stop >/dev/null"; rm -rf "$data"' EXIT
export FLUX_BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Timeout=15;Command Timeout=60"
dotnet build -c Release samples/Flux.Devices.Cli -v q -nologo >/dev/null
dotnet build -c Release benchmarks/Flux.Devices.Benchmarks -v q -nologo >/dev/null
if [ "${1:-}" = bdn ]; then
  # The per-renewal lease cost (PostgresLeaseBenchmarks) against the same kind of cluster.
  shift
  dotnet benchmarks/Flux.Devices.Benchmarks/bin/Release/net10.0/Flux.Devices.Benchmarks.dll --filter '*PostgresLeaseBenchmarks*' "$@"
else
  dotnet benchmarks/Flux.Devices.Benchmarks/bin/Release/net10.0/Flux.Devices.Benchmarks.dll fleet "$@"
fi
