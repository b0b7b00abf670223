#!/usr/bin/env bash
# Runs GPTImg locally: the Worker in workerd (wrangler dev) with persistent local D1 and R2 under .state/,
# plus the stand-ins for Google, Stripe and APIPod. Prints the URL; Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8787}"
FAKES_PORT="${FAKES_PORT:-8790}"
APP_URL="http://127.0.0.1:${PORT}"
FAKES_URL="http://127.0.0.1:${FAKES_PORT}"
export CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false GPTIMG_PREBUILT=1 GPTIMG_BUILD_PROFILE=dev

bash scripts/setup.sh
echo "[dev] building the Worker"
bash scripts/build.sh --dev

if [ ! -f .dev.vars ]; then
  echo "[dev] creating .dev.vars with fresh random local secrets"
  random() { node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))'; }
  {
    echo "GOOGLE_CLIENT_SECRET=local-$(random)"
    echo "SESSION_SECRET=$(random)$(random)"
    echo "SIGNUP_HASH_SECRET=$(random)$(random)"
    echo "STRIPE_SECRET_KEY=sk_test_$(random)"
    echo "STRIPE_WEBHOOK_SECRET=whsec_$(random)"
    echo "APIPOD_API_KEY=local-$(random)"
  } > .dev.vars
fi

# A .dev.vars from before the signup-grant key had its own secret gets one.
if ! grep -q '^SIGNUP_HASH_SECRET=' .dev.vars; then
  echo "[dev] adding SIGNUP_HASH_SECRET to .dev.vars"
  echo "SIGNUP_HASH_SECRET=$(node -e 'process.stdout.write(require("crypto").randomBytes(48).toString("hex"))')" >> .dev.vars
fi

mkdir -p .state
echo "[dev] applying migrations to the local D1"
npx --no-install wrangler d1 migrations apply DB --local --persist-to .state >/dev/null

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "[dev] stopped"
}
trap cleanup INT TERM EXIT

# The stand-ins check the same secrets the Worker uses (Google's client secret, later Stripe's keys).
(set -a; . ./.dev.vars; set +a; exec node tests/support/fakes/main.mjs --port "$FAKES_PORT" --app-url "$APP_URL") &
pids+=($!)

mapfile -t var_args < <(node tests/support/env.mjs "$APP_URL" "$FAKES_URL")
npx --no-install wrangler dev --ip 127.0.0.1 --port "$PORT" --persist-to .state --test-scheduled \
  --show-interactive-dev-session=false "${var_args[@]}" &
pids+=($!)

for _ in $(seq 1 120); do
  if curl -fsS "$APP_URL/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
if curl -fsS "$APP_URL/healthz" >/dev/null 2>&1; then
  printf '\n\033[1;32mGPTImg is running at %s\033[0m  (stand-ins at %s; Ctrl-C stops)\n\n' "$APP_URL" "$FAKES_URL"
else
  echo "[dev] the Worker did not become healthy; see the output above" >&2
fi
wait -n "${pids[@]}"
