#!/usr/bin/env bash
# The main job on the embedded default: the catalogue synced into PostgreSQL, then the engine
# healing a real problem end to end — a temp directory flooded with stale files — and the
# outcome card with its audit trail.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)/opsbrain"
work=/tmp/opsbrain-demo
section() { printf '\n\033[1m== %s\033[0m\n' "$1"; }

section "Database (embedded default)"
"$bin" db start
"$bin" db status

section "A small 'application' to heal: a database and a temp directory"
url=$("$bin" db url --show-password)
app_url=${url/\/opsbrain\?/\/opsbrain_demo_app?}
psql "$url" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'opsbrain_demo_app'" | grep -q 1 \
    || psql "$url" -qc "CREATE DATABASE opsbrain_demo_app"
psql "$app_url" -qc "CREATE TABLE IF NOT EXISTS jobs (id serial PRIMARY KEY, type text, status text)"
rm -rf "$work" && mkdir -p "$work/tmp"
for i in $(seq 1 40); do head -c 20000 /dev/urandom > "$work/tmp/upload-$i.part"; done
for i in $(seq 1 25); do echo "partial $i" > "$work/tmp/render-$i.tmp"; done
touch -d '2 days ago' "$work"/tmp/*
echo "fresh, in use" > "$work/tmp/current.tmp"
# The example deployment, with its temp directory pointed at the demo folder; the app's
# database URL comes from the environment, as in production.
# Its probes watch services this machine does not run, so the demo leaves them out.
sed -e "s#path: /var/tmp/app#path: $work/tmp#" -e "s#^  sops_dir: SOPs#  sops_dir: $PWD/SOPs#" opsbrain.example.yaml \
    | awk '/^probes:/ {skip = 1; print "probes: []"; next} skip && /^[a-z]/ {skip = 0} !skip' > "$work/opsbrain.yaml"
export APP_DATABASE_URL="$app_url"
echo "$(ls "$work/tmp" | wc -l) files in $work/tmp, 65 of them two days old"

section "Sync the SOP catalogue"
sync=$("$bin" sop sync --config "$work/opsbrain.yaml")
head -n 1 <<<"$sync"

section "Start the engine (auto mode) and fire an alert"
"$bin" engine --config "$work/opsbrain.yaml" --mode auto --no-sync > "$work/engine.log" 2>&1 &
engine=$!
trap 'kill $engine 2>/dev/null; wait $engine 2>/dev/null' EXIT
alert=$("$bin" alert fire --config "$work/opsbrain.yaml" --type temp_dir_growth --title "Temp directory growing fast" --severity medium)
echo "alert $alert"
for _ in $(seq 1 60); do
    status=$(psql "$url" -qtAc "SELECT status FROM self_healing_executions WHERE alert_id = '$alert'")
    case "$status" in success|escalated|failed|awaiting_approval|rejected) break ;; esac
    sleep 1
done
echo "execution is $status; $(ls "$work/tmp" | wc -l) files left in $work/tmp"

section "The outcome card and audit trail"
id=$(psql "$url" -qtAc "SELECT id FROM self_healing_executions WHERE alert_id = '$alert'")
"$bin" execution show "$id" --config "$work/opsbrain.yaml"

section "Recent executions"
"$bin" executions --config "$work/opsbrain.yaml" --limit 5
echo
echo "The embedded cluster keeps running (psql \"\$($bin db url)\"); stop it with: $bin db stop"
