#!/usr/bin/env bash
# The main job on the embedded default: start the private database, lint and sync the SOP
# catalogue into it, and show what the engine will work from.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)/opsbrain"
config=opsbrain.example.yaml
section() { printf '\n\033[1m== %s\033[0m\n' "$1"; }

section "Database (embedded default)"
"$bin" db start
"$bin" db status

section "Lint the SOP catalogue against $config"
"$bin" sop lint --config "$config" SOPs

section "Sync SOPs into PostgreSQL"
"$bin" sop sync --config "$config"

section "The catalogue"
"$bin" sop list --config "$config"

section "One runbook: the seed plan's example"
runbook=$("$bin" sop show twilio-sms-delivery-low --config "$config")
head -n 40 <<<"$runbook"

echo
echo "The embedded cluster keeps running for the next command (psql \"\$($bin db url)\"); stop it with: $bin db stop"
