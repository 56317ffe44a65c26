#!/usr/bin/env bash
# The README's main job: validate slos/, regenerate the rules and dashboards, then run the engine
# on the embedded store with a clearly labelled simulated platform feeding it over HTTP.
# Each run starts from a fresh demo store (data/demo); Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
./bin/slo validate slos
./bin/slo generate slos
rm -rf data/demo
exec ./bin/slo serve slos --simulate --data-dir data/demo "$@"
