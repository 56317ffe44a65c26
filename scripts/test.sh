#!/usr/bin/env bash
# The README's test command: set up what is missing, then every check CI relies on.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --test
echo "promtool: $(promtool --version 2>&1 | head -1)"
npx tsc --noEmit
./bin/slo generate --check
npx vitest run
