#!/bin/sh
# Started by the federation audit harness as `sh run.sh <suite-id>` in this folder, once per suite:
# fetch the suite's supergraph and serve it on :4000 (exec, so the harness's SIGTERM reaches it).
set -e
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
# the harness may start us before its routes are up (single-suite runs): retry for up to a minute
curl -fsS --retry 60 --retry-delay 1 --retry-all-errors "http://localhost:4200/$1/supergraph" -o "$HERE/supergraph.graphql"
cd "$ROOT"
exec "$PYTHON" -m gateway.federation serve --supergraph "$HERE/supergraph.graphql" --host 127.0.0.1 --port 4000
