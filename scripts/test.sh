#!/usr/bin/env bash
# Runs the whole test suite on a fresh or warm machine: installs what is missing, unit-tests domain/,
# builds the release Worker, checks the gzip bundle budget, then end-to-end and browser tests in workerd.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

bash scripts/setup.sh --browser

echo "== domain unit tests"
cargo test --locked -p gptimg-domain

echo "== release build"
bash scripts/build.sh

echo "== bundle size"
bash scripts/bundle-size.sh

echo "== end-to-end and browser tests (workerd + local D1/R2 + stand-ins + Chromium)"
node --test --test-reporter=spec tests/e2e/ tests/browser/
echo "== fault simulator (sim/: determinism tests, then the fixed CI seeds)" && node --test sim/ && node sim/run.mjs --ci
