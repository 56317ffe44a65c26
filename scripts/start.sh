#!/usr/bin/env bash
# The README's main job: validate the SLOs in slos/ and generate their rules and tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
./bin/slo validate slos
./bin/slo generate slos "$@"
