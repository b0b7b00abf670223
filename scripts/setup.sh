#!/usr/bin/env bash
# Installs every tool GPTImg needs that is missing, using only package registries.
# Idempotent: with everything present it finishes in seconds.
# Usage: scripts/setup.sh [--browser]   (--browser also installs Debian Chromium for UI tests)
set -euo pipefail
cd "$(dirname "$0")/.."

WORKER_BUILD_VERSION=0.8.7
WASM_BINDGEN_VERSION=0.2.130   # must equal the pin in Cargo.toml
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# Prints the last word of `TOOL --version` ("0.8.7" from worker-build, "0.2.130" from "wasm-bindgen 0.2.130").
installed_version() { "$1" --version 2>/dev/null | awk '{print $NF}' || true; }

if [ "$(installed_version worker-build)" != "$WORKER_BUILD_VERSION" ]; then
  log "installing worker-build $WORKER_BUILD_VERSION (a few minutes, once)"
  cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked --quiet
fi

# worker-build would download wasm-bindgen from GitHub (unreachable); use the crates.io build.
# No --locked: one locked dependency of wasm-bindgen-cli is missing from the registry.
if [ "$(installed_version wasm-bindgen)" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --quiet
fi

# npm ci only when the lockfile changed since the last install.
stamp=node_modules/.gptimg-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  log "installing npm packages (wrangler, miniflare, binaryen, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  log "installing Debian chromium for browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
