#!/usr/bin/env bash
# Benchmarks the release Worker against Rust floor Workers in the same workerd; writes BENCHMARKS.md.
# Usage: bash scripts/bench.sh [--duration 5] [--connections 8] [--label before]
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
bash scripts/setup.sh
bash scripts/build.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export WASM_BINDGEN_BIN="${CARGO_HOME:-$HOME/.cargo}/bin/wasm-bindgen" WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt" ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
(cd bench/floor && worker-build --release >/dev/null)
exec node bench/run.mjs "$@"
