#!/usr/bin/env bash
# audit.sh — run The Guild's federation gateway audit (46 suites, 199 tests) against this gateway.
#
#   bench/federation-audit/audit.sh              # every suite: the score per suite and AUDIT: N/199 (65 s quiet, ~5 min loaded)
#   bench/federation-audit/audit.sh SUITE ...    # some suites, e.g. requires-with-argument simple-interface-object
#   bench/federation-audit/audit.sh --fast       # a quick subset: 4 broad suites, 46 tests (~1.5 min)
#
# Uses the audit kit in ../shared/federation/audit (or $FEDERATION_AUDIT_KIT), copied to a writable
# place first ($FEDERATION_KIT_WORK, default /tmp/federation-kits), so the kit itself is never changed.
# The first run installs the harness (npm ci, about 2 minutes). Needs ports 4000 and 4200 free.
# Exit status: 0 when every test of the suites run passed.
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

# broad suites: interfaces, unions, @requires (with arguments, conflicts), conditions, interface objects, shared
# roots and planning errors. Each suite restarts the harness (~15 s), so more suites approach the full audit.
FAST=(abstract-types corrupted-supergraph-node-id requires-with-argument simple-interface-object)

if [[ $# -eq 0 ]]; then
  exec "$WORK/audit/run-audit.sh" "$HERE"
fi
suites=("$@")
[[ "$1" == "--fast" ]] && suites=("${FAST[@]}")
passed=0; total=0; failed=()
for suite in "${suites[@]}"; do
  line="$("$WORK/audit/run-audit.sh" "$HERE" "$suite" 2>&1 | tail -1)"
  echo "$suite: $line"
  if [[ "$line" =~ AUDIT:\ ([0-9]+)/([0-9]+) ]]; then
    passed=$((passed + BASH_REMATCH[1])); total=$((total + BASH_REMATCH[2]))
    [[ "${BASH_REMATCH[1]}" == "${BASH_REMATCH[2]}" ]] || failed+=("$suite")
  else
    failed+=("$suite"); echo "  (no result; see $HERE/logs/$suite-*.log)"
  fi
done
echo "AUDIT: $passed/$total passed in ${#suites[@]} suites${failed:+; failing: ${failed[*]}}"
[[ ${#failed[@]} -eq 0 ]]
