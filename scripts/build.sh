#!/usr/bin/env bash
# Renders the static site into site/ (scripts/pages.mjs), then builds the Worker to build/ with worker-build,
# using registry-installed wasm-bindgen, wasm-opt and esbuild (worker-build would otherwise download them from GitHub).
#   --dev (or GPTIMG_BUILD_PROFILE=dev): skip wasm-opt for faster rebuilds.
# Then drops the symbol hashes from the wasm's function names (scripts/wasm-names.mjs).
#   GPTIMG_PREBUILT=1: do nothing if build/ is newer than every source file (wrangler calls this as its
#   [build] command at start; scripts that just built set it so workerd starts at once).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/pages.mjs
if [ "${GPTIMG_PREBUILT:-}" = "1" ] && [ -f build/index_bg.wasm ] \
  && [ -z "$(find src domain/src pages Cargo.toml Cargo.lock domain/Cargo.toml -newer build/index_bg.wasm -print -quit)" ]; then
  exit 0
fi
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export WASM_BINDGEN_BIN="${CARGO_HOME:-$HOME/.cargo}/bin/wasm-bindgen"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
if [ "${1:-}" = "--dev" ] || [ "${GPTIMG_BUILD_PROFILE:-}" = "dev" ]; then
  worker-build --release --no-opt
else
  worker-build --release
fi
node scripts/wasm-names.mjs build/index_bg.wasm
