#!/usr/bin/env bash
# Checks the packed packages' metadata (run by .ci/run after packing; or by hand after dotnet pack -o DIR):
# - each package carries a README of its own (its first line is "# <package id>"), named by <readme>;
# - each names the repository (<repository url> and <projectUrl>: Directory.Build.props' RepositoryUrl) and commit;
# - a package that depends on Flux.Devices pins it exactly ([version], the core packed alongside): the first-party
#   packages (stores, Modbus, the Flux.Devices.Testing contract) are tested only with the core they were built with.
# Usage: eng/check-packages.sh DIR... (every *.nupkg in the directories is checked). Exit 1 on the first problem found
# in each package, after checking them all.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
expected_url=$(sed -nE 's|.*<RepositoryUrl>([^<]+)</RepositoryUrl>.*|\1|p' "$root/Directory.Build.props" | head -n 1)
[ -n "$expected_url" ] || { echo "check-packages: no RepositoryUrl in Directory.Build.props" >&2; exit 1; }

packages=()
for dir in "$@"; do
  for p in "$dir"/*.nupkg; do [ -e "$p" ] && packages+=("$p"); done
done
[ "${#packages[@]}" -gt 0 ] || { echo "check-packages: no .nupkg in $*" >&2; exit 1; }

core_version=""
for p in "${packages[@]}"; do
  nuspec=$(unzip -p "$p" '*.nuspec')
  id=$(sed -nE 's|.*<id>([^<]+)</id>.*|\1|p' <<<"$nuspec")
  [ "$id" = "Flux.Devices" ] && core_version=$(sed -nE 's|.*<version>([^<]+)</version>.*|\1|p' <<<"$nuspec")
done

failed=0
problem() { echo "check-packages: $1: $2" >&2; failed=1; }
for p in "${packages[@]}"; do
  name=$(basename "$p")
  nuspec=$(unzip -p "$p" '*.nuspec')
  id=$(sed -nE 's|.*<id>([^<]+)</id>.*|\1|p' <<<"$nuspec")
  readme=$(sed -nE 's|.*<readme>([^<]+)</readme>.*|\1|p' <<<"$nuspec")
  if [ -z "$readme" ]; then
    problem "$name" "no <readme> in the nuspec"
  elif [ "$(unzip -p "$p" "$readme" | head -n 1 | tr -d '\r\357\273\277')" != "# $id" ]; then
    problem "$name" "its $readme is not its own (the first line is not '# $id')"
  elif unzip -p "$p" "$readme" | cmp -s - "$root/README.md"; then
    problem "$name" "its $readme is the repository's README"
  fi
  grep -qE "<repository type=\"git\" url=\"$expected_url\"( branch=\"[^\"]*\")? commit=\"[0-9a-f]{40}\"" <<<"$nuspec" \
    || problem "$name" "no <repository type=\"git\" url=\"$expected_url\" commit=...>"
  grep -qF "<projectUrl>$expected_url</projectUrl>" <<<"$nuspec" || problem "$name" "no <projectUrl>$expected_url</projectUrl>"
  core_dep=$(sed -nE 's|.*<dependency id="Flux\.Devices" version="([^"]+)".*|\1|p' <<<"$nuspec" | sort -u)
  if [ -n "$core_dep" ]; then
    if [ -z "$core_version" ]; then
      problem "$name" "depends on Flux.Devices, which was not packed alongside"
    elif [ "$core_dep" != "[$core_version]" ]; then
      problem "$name" "depends on Flux.Devices $core_dep, not exactly the core packed alongside ([$core_version])"
    fi
  elif [[ "$id" == Flux.Devices.* && "$id" != "Flux.Devices.Cli" ]]; then
    problem "$name" "has no dependency on Flux.Devices"
  fi
done
[ "$failed" -eq 0 ] && echo "check-packages: ${#packages[@]} packages have their own README, the repository and the exact core version"
exit "$failed"
