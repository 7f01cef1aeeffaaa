#!/usr/bin/env bash
# Put GraphiQL's files (the versions gateway/http/graphiql.py names) in a directory, for an
# explorer that works without internet: set `graphiql_assets_dir = "<dir>"` under [gateway].
# Usage: deploy/graphiql-assets.sh var/graphiql-assets
set -euo pipefail
target=${1:?usage: $0 DIRECTORY}
versions=$(python3 -c "from gateway.http.graphiql import VERSIONS; print(' '.join(f'{k}@{v}' for k, v in VERSIONS.items()))")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$target"
for package in $versions; do
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  mkdir -p "$target/$package"
  tar -xzf "$work"/*.tgz -C "$target/$package" --strip-components=1
  rm "$work"/*.tgz
done
echo "GraphiQL assets in $target: $versions"
