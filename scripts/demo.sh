#!/usr/bin/env bash
# The main job on the embedded default: the SOP catalogue synced into PostgreSQL, a probe that
# watches a real temp directory, a fault injector that floods it with stale files, and the engine
# detecting, diagnosing, fixing, verifying and learning. On a terminal the console opens and the
# injector keeps breaking things on a schedule; quitting the console stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)/opsbrain"
work=/tmp/opsbrain-demo
section() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

section "Database (embedded default)"
"$bin" db start
"$bin" db status

section "A small 'application' to keep healthy: a database and a temp directory"
url=$("$bin" db url --show-password)
app_url=${url/\/opsbrain\?/\/opsbrain_demo_app?}
psql "$url" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'opsbrain_demo_app'" | grep -q 1 \
    || psql "$url" -qc "CREATE DATABASE opsbrain_demo_app"
psql "$app_url" -qc "CREATE TABLE IF NOT EXISTS jobs (id serial PRIMARY KEY, type text, status text)"
rm -rf "$work" && mkdir -p "$work/tmp"
echo "fresh, in use" > "$work/tmp/current.tmp"
# The example deployment, with its temp directory pointed at the demo folder and one probe
# watching it (the example's other probes watch services this machine does not run).
sed -e "s#path: /var/tmp/app#path: $work/tmp#" -e "s#^  sops_dir: SOPs#  sops_dir: $PWD/SOPs#" opsbrain.example.yaml \
    | awk '/^probes:/ {skip = 1; while ((getline line < "scripts/demo-probes.yaml") > 0) print line; next}
           skip && /^[a-z]/ {skip = 0} !skip' > "$work/opsbrain.yaml"
export APP_DATABASE_URL="$app_url"

section "Sync the SOP catalogue"
sync=$("$bin" sop sync --config "$work/opsbrain.yaml")
head -n 1 <<<"$sync"

section "Start the engine (auto mode): it runs the probe, the pipeline and the intake server"
"$bin" engine --config "$work/opsbrain.yaml" --mode auto --no-sync --listen off > "$work/engine.log" 2>&1 &
pids+=($!)
flood() {
    for i in $(seq 1 25); do echo "partial $i" > "$work/tmp/render-$RANDOM-$i.tmp"; done
    for i in $(seq 1 40); do head -c 20000 /dev/urandom > "$work/tmp/upload-$RANDOM-$i.part"; done
    touch -d '2 days ago' "$work"/tmp/render-*.tmp "$work"/tmp/upload-*.part
}
section "Fault: flood the temp directory with stale files"
flood
echo "$(ls "$work/tmp" | wc -l) files in $work/tmp; the probe checks every 2 s and raises after 2 failures"
status=""
for _ in $(seq 1 90); do
    status=$(psql "$url" -qtAc "SELECT e.status FROM self_healing_executions e JOIN intelligence_alerts a ON a.id = e.alert_id
                               WHERE a.source = 'probe' ORDER BY e.started_at DESC LIMIT 1")
    case "$status" in success|escalated|failed|awaiting_approval|rejected) break ;; esac
    sleep 1
done
echo "execution is ${status:-not started}; $(ls "$work/tmp" | wc -l) files left in $work/tmp"

section "The outcome card and audit trail"
id=$(psql "$url" -qtAc "SELECT e.id FROM self_healing_executions e JOIN intelligence_alerts a ON a.id = e.alert_id
                       WHERE a.source = 'probe' ORDER BY e.started_at DESC LIMIT 1")
[ -n "$id" ] && "$bin" execution show "$id" --config "$work/opsbrain.yaml"

if [ -t 0 ] && [ -t 1 ]; then
    section "The console: the injector floods the temp directory every 60 s; q quits and stops everything"
    sleep 2
    ( while sleep 60; do flood; done ) &
    pids+=($!)
    "$bin" console --no-engine --config "$work/opsbrain.yaml"
else
    section "Recent executions (run 'make demo' on a terminal for the live console)"
    "$bin" executions --config "$work/opsbrain.yaml" --limit 5
fi
echo
echo "The embedded cluster keeps running (psql \"\$($bin db url)\"); stop it with: $bin db stop"
