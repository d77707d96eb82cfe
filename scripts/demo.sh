#!/usr/bin/env bash
# The main job on the embedded default: Ops Brain's store in its private PostgreSQL, a sandbox of
# real local services (an app with its own PostgreSQL, Redis, Prometheus, a temp directory, a log
# file, an OAuth token endpoint, and a local Slack/Pushover/PagerDuty inbox), and a fault injector
# that breaks them on a schedule while the engine detects, diagnoses, fixes or asks, verifies and
# learns. On a terminal the console opens; without one, three faults play out and the outcome is
# printed. Everything the demo started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)"
opsbrain="$bin/opsbrain"
sandbox="$bin/opsbrain-sandbox"
config=sandbox/opsbrain.yaml
logs=/tmp/opsbrain-sandbox/logs
section() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
pids=()
started_db=no
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    "$sandbox" down || true
    if [ "$started_db" = yes ]; then "$opsbrain" db stop || true; fi
}
trap cleanup EXIT

section "Ops Brain's own database (the embedded default)"
"$opsbrain" db status | grep -q running || started_db=yes
"$opsbrain" db start

section "The sandbox: real local services for Ops Brain to keep healthy"
"$sandbox" down --purge
"$sandbox" up
"$sandbox" status
eval "$("$sandbox" env)"
echo "config: $config (targets, probes and notification channels of the sandbox deployment)"

section "Sync the SOP catalogue"
"$opsbrain" sop sync --config "$config" | head -n 1

section "Start the engine (auto mode): probes, pipeline, notifications, scheduled jobs"
"$opsbrain" engine --config "$config" --no-sync > "$logs/engine.log" 2>&1 &
pids+=($!)
echo "engine log: $logs/engine.log"
"$sandbox" faults

if [ -t 0 ] && [ -t 1 ]; then
    section "The console: the catalogue, a fault every 60 s (first in 10 s); A approves, q quits and stops everything"
    "$sandbox" run --every 60 --delay 10 > "$logs/injector.log" 2>&1 &
    pids+=($!)
    sleep 2
    "$opsbrain" console --no-engine --config "$config"
    section "What the injector did"
    cat "$logs/injector.log"
else
    section "Three faults at once: a flooded temp directory, a full cache, an expired token"
    "$sandbox" run --every 1 --delay 3 --faults temp-flood,cache-full,token-expired > "$logs/injector.log" 2>&1 &
    pids+=($!)
    url=$("$opsbrain" db url --show-password)
    for _ in $(seq 1 150); do
        done_count=$(psql "$url" -qtAc \
            "SELECT count(*) FROM self_healing_executions WHERE status IN ('success','failed','escalated','rejected','rolled_back')")
        [ "$done_count" -ge 3 ] && break
        sleep 1
    done
    cat "$logs/injector.log"
    section "Executions"
    "$opsbrain" executions --config "$config" --limit 5
    section "The outcome card of the token refresh, with its audit trail"
    id=$(psql "$url" -qtAc "SELECT e.id FROM self_healing_executions e JOIN intelligence_alerts a
        ON a.id = e.alert_id WHERE a.alert_type = 'auth_token_expired' ORDER BY e.started_at DESC LIMIT 1")
    [ -n "$id" ] && "$opsbrain" execution show "$id" --config "$config"
    section "What reached Slack, Pushover and PagerDuty (the sandbox inbox)"
    cat "$logs/notifications.log" 2>/dev/null || echo "(nothing yet)"
    echo
    echo "Run 'make demo' on a terminal for the live console with the whole fault catalogue."
fi
