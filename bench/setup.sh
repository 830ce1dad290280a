#!/usr/bin/env bash
# Installs the comparison instrumentations of the benchmark into bench/peers/node_modules with
# `npm ci` (exactly what bench/peers/package-lock.json pins), apart from the root's packages because
# their @opentelemetry versions differ. Does nothing when that lock file is already installed.
set -euo pipefail
cd "$(dirname "$0")/peers"
stamp=node_modules/.installed-lock.sha256
wanted=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$wanted" > "$stamp"
