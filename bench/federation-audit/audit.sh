#!/usr/bin/env bash
# audit.sh — run The Guild's federation gateway audit (46 suites, 199 tests) against this gateway.
#
#   bench/federation-audit/audit.sh            # every suite; prints the score per suite and AUDIT: N/199
#   bench/federation-audit/audit.sh SUITE_ID   # one suite (e.g. requires-with-argument)
#
# Uses the audit kit in ../shared/federation/audit (or $FEDERATION_AUDIT_KIT), copied to a writable
# place first ($FEDERATION_KIT_WORK, default /tmp/federation-kits), so the kit itself is never changed.
# The first run installs the harness (npm ci, about 2 minutes). Needs ports 4000 and 4200 free.
set -Eeuo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
KIT="${FEDERATION_AUDIT_KIT:-$ROOT/../shared/federation/audit}"
[[ -f "$KIT/run-audit.sh" ]] || { echo "audit kit not found at $KIT (set FEDERATION_AUDIT_KIT)" >&2; exit 2; }
WORK="${FEDERATION_KIT_WORK:-${TMPDIR:-/tmp}/federation-kits}"
mkdir -p "$WORK"
if [[ ! -f "$WORK/audit/run-audit.sh" ]]; then
  cp -r "$KIT" "$WORK/audit"
  chmod -R u+w "$WORK/audit"
fi
[[ -x "$ROOT/.venv/bin/python" ]] || echo "note: no $ROOT/.venv; run.sh falls back to python3" >&2
export GATEWAY_TIMEOUT="${GATEWAY_TIMEOUT:-60000}"
exec "$WORK/audit/run-audit.sh" "$HERE" "$@"
