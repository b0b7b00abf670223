#!/usr/bin/env bash
# Builds the Worker to build/ with worker-build, using registry-installed wasm-bindgen, wasm-opt and esbuild
# (worker-build would otherwise download them from GitHub). Pass --dev to skip wasm-opt for faster builds.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_BIN="$HOME/.cargo/bin/wasm-bindgen"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
if [ "${1:-}" = "--dev" ]; then
  exec worker-build --release --no-opt
fi
exec worker-build --release
