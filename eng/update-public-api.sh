#!/usr/bin/env bash
# Appends every symbol the PublicApiAnalyzers report as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, and drops declared symbols that no longer exist (RS0017).
# Usage: eng/update-public-api.sh src/Flux.Devices
set -euo pipefail
project_dir=$1
cd "$project_dir"
log=$(dotnet build --no-incremental 2>&1 || true)
unshipped=PublicAPI.Unshipped.txt
{ grep -oE "error RS0016: Symbol '.*' is not part of the declared public API" <<<"$log" || true; } |
  sed -E "s/^error RS0016: Symbol '(.*)' is not part of the declared public API$/\1/" | sort -u >> "$unshipped"
{ grep -oE "error RS0017: Symbol '.*' is part of the declared API, but" <<<"$log" || true; } |
  sed -E "s/^error RS0017: Symbol '(.*)' is part of the declared API, but$/\1/" | sort -u |
  while IFS= read -r gone; do grep -vxF "$gone" "$unshipped" > "$unshipped.tmp" || true; mv "$unshipped.tmp" "$unshipped"; done
{ head -n 1 "$unshipped"; tail -n +2 "$unshipped" | LC_ALL=C sort -u; } > "$unshipped.tmp" && mv "$unshipped.tmp" "$unshipped"
