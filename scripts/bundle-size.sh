#!/usr/bin/env bash
# Measures the Worker's gzip upload size with `wrangler deploy --dry-run` and fails above the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET_KIB=1024
export CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false GPTIMG_PREBUILT=1
output=$(npx --no-install wrangler deploy --dry-run --outdir dist 2>&1) || { echo "$output" >&2; exit 1; }
line=$(grep -m1 "Total Upload" <<<"$output") || { echo "$output" >&2; echo "no size line in wrangler output" >&2; exit 1; }
gzip_kib=$(sed -E 's/.*gzip: ([0-9.]+) KiB.*/\1/' <<<"$line")
echo "bundle: $line (budget ${BUDGET_KIB} KiB gzip)"
awk -v size="$gzip_kib" -v budget="$BUDGET_KIB" 'BEGIN { exit !(size + 0 <= budget + 0) }' \
  || { echo "bundle is over budget: ${gzip_kib} KiB gzip > ${BUDGET_KIB} KiB" >&2; exit 1; }
